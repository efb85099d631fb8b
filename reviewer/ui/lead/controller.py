"""The Lead menu's commands: enrol keys, import submissions, merged view, dashboard, export.

The main window only routes actions here. Figures come from ``core.lead``;
this holds the Qt side: which panel belongs to which tab, the dashboard tab,
and the dialogs.
"""

from __future__ import annotations

import sqlite3
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QTabWidget, QWidget

from reviewer.core import identity
from reviewer.core.atomic import write_bytes
from reviewer.core.errors import ReviewerError
from reviewer.core.lead import dashboard, dataset, merge, report, roster, submitted
from reviewer.core.store import Snapshot
from reviewer.ui.bridge import Relay, run_in_pool
from reviewer.ui.lead.dashboard import AgreementDashboard
from reviewer.ui.lead.importer import BundleImporter
from reviewer.ui.lead.merged_panel import MergedPanel

if TYPE_CHECKING:
    from reviewer.core.store import Workspace
    from reviewer.core.taxonomy import Taxonomy
    from reviewer.ui.dialogs import Dialogs
    from reviewer.ui.document_pane import DocumentPane

DASHBOARD_TITLE = "Agreement"


def _figures(database: Path) -> tuple[report.AgreementReport, list[Any], list[Any]]:
    """Everything the dashboard shows, read through a read-only connection (any thread)."""
    with Snapshot(database) as snapshot:
        figures = report.compute(snapshot)  # type: ignore[arg-type]
        rows = dashboard.annotator_rows(snapshot, figures)  # type: ignore[arg-type]
        return figures, rows, dashboard.batch_progress(snapshot)  # type: ignore[arg-type]


class LeadController(QObject):
    status = Signal(str)

    def __init__(
        self,
        workspace: Workspace,
        dialogs: Dialogs,
        tabs: QTabWidget,
        taxonomies: dict[str, Taxonomy],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.dialogs = dialogs
        self.tabs = tabs
        self.taxonomies = taxonomies
        self.importer = BundleImporter(workspace, dialogs, parent)
        self.importer.finished.connect(self._on_imported)
        self.importer.progressed.connect(self._on_progress)
        self.panels: dict[int, MergedPanel] = {}  # id(pane) → its merged view
        self.dashboard: AgreementDashboard | None = None
        self._relay = Relay(self)
        self._computing: Future[Any] | None = None
        self._again = False

    @property
    def lead_name(self) -> str:
        who = identity.load_identity(self.workspace.paths.workspace)
        return who.id if who is not None else self.workspace.actor

    # -- keys and import ---------------------------------------------------------------

    def enrol(self) -> None:
        answer = self.dialogs.enrol_key()
        if answer is None:
            return
        path, name = answer
        try:
            key, changed = roster.enrol_file(self.workspace, path, name)
        except (ReviewerError, sqlite3.Error) as exc:
            self.dialogs.error("Key not enrolled", str(exc))
            return
        verb = "Enrolled" if changed else "Already enrolled:"
        self.dialogs.info("Annotator key", f"{verb} {key.name}, key id {key.key_id}.")

    def ask_import(self) -> None:
        paths = self.dialogs.open_bundles()
        if paths:
            self.import_files(paths)

    def import_files(self, paths: list[Path]) -> bool:
        return self.importer.import_files(paths)

    def _on_progress(self, done: int, total: int, name: str) -> None:
        self.status.emit(f"Importing submissions: {done + 1} of {total} ({name})" if name else "")

    def _on_imported(self, summary: merge.ImportSummary) -> None:
        self.status.emit(summary.text())
        for panel in self.panels.values():
            panel.reload()
        if self.dashboard is not None:
            self.refresh_dashboard()

    # -- merged view -----------------------------------------------------------------------

    def toggle_merged(self, pane: DocumentPane | None, on: bool) -> MergedPanel | None:
        if pane is None:
            return None
        panel = self.panels.get(id(pane))
        if not on:
            if panel is not None:
                panel.close_view()
                panel.hide()
            return panel
        if panel is None:
            panel = MergedPanel(self.workspace, pane, self.taxonomies, self.lead_name, pane.side)
            panel.failed.connect(lambda text: self.dialogs.error("Not saved", text))
            panel.decided.connect(lambda _g: self.dashboard and self.refresh_dashboard())
            pane.show_merged(panel)
            self.panels[id(pane)] = panel
        panel.show()
        panel.reload()
        return panel

    def panel_of(self, pane: DocumentPane | None) -> MergedPanel | None:
        panel = None if pane is None else self.panels.get(id(pane))
        return panel if panel is not None and panel.isVisible() else None

    def forget(self, pane: DocumentPane) -> None:
        self.panels.pop(id(pane), None)

    # -- dashboard -------------------------------------------------------------------------

    def show_dashboard(self) -> AgreementDashboard:
        if self.dashboard is None or self.tabs.indexOf(self.dashboard) < 0:
            self.dashboard = AgreementDashboard(self.tabs)
            self.dashboard.refreshRequested.connect(self.refresh_dashboard)
            self.tabs.addTab(self.dashboard, DASHBOARD_TITLE)
        self.tabs.setCurrentWidget(self.dashboard)
        self.refresh_dashboard()
        return self.dashboard

    def refresh_dashboard(self) -> Future[Any] | None:
        """Recompute the figures on the thread pool (a read-only connection of its own)."""
        if self.dashboard is None:
            return None
        if self._computing is not None:
            self._again = True  # a decision or an import came in meanwhile
            return self._computing
        self.status.emit("Computing agreement…")
        self._computing = run_in_pool(lambda: _figures(self.workspace.paths.database))
        self._relay.when_done(self._computing, self._on_figures)
        return self._computing

    def _on_figures(self, done: Future[Any]) -> None:
        self._computing = None
        try:
            figures, rows, progress = done.result()
        except (ReviewerError, sqlite3.Error) as exc:
            self.dialogs.error("Agreement not computed", str(exc))
            return
        if self.dashboard is not None and self.tabs.indexOf(self.dashboard) >= 0:
            self.dashboard.show_report(figures, rows, progress)
            self.status.emit(f"Agreement computed in {figures.seconds:.1f} s")
        if self._again:
            self._again = False
            self.refresh_dashboard()

    # -- export ------------------------------------------------------------------------------

    def export_dataset(self) -> Path | None:
        answer = self.dialogs.dataset_export(Path.home() / "dataset.jsonl")
        if answer is None:
            return None
        fmt, path = answer
        summary_path = path.with_name(f"{path.stem}.annotators.csv")
        where = submitted.scope(self.workspace)
        if not where.submissions:
            self.dialogs.error("Nothing to export", "No submissions imported yet.")
            return None
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        target = path
        try:
            lines, result = dataset.export_lines(
                self.workspace, fmt, where, self._text_of if fmt == "preferences" else None
            )
            rows = dashboard.annotator_rows(self.workspace, report.compute(self.workspace))
            write_bytes(path, "".join(line + "\n" for line in lines).encode("utf-8"))
            target = summary_path
            write_bytes(summary_path, dataset.summary_csv(rows).encode("utf-8"))
        except (ReviewerError, OSError, sqlite3.Error, TimeoutError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            self.dialogs.error("Dataset not exported", f"{target.name}: {reason}")
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()
        notes = "".join(f"\n{n}." for n in result.notes)
        self.dialogs.info(
            "Dataset exported",
            f"{result.lines} lines in {path.name}; per-annotator summary in "
            f"{summary_path.name}.{notes}",
        )
        return path

    def _text_of(self, sha256: str) -> list[str]:
        """A draft's text for the preference pairs: the index if built, else a worker reads it."""
        from reviewer.core.page_texts import read_pages

        doc = self.workspace.document(sha256)
        pages = doc.page_count if doc is not None else 0
        indexed = [self.workspace.page_text(sha256, p) for p in range(pages)]
        if pages and all(t is not None for t in indexed):
            return [t or "" for t in indexed]
        return read_pages(self.workspace.blob_path(sha256))
