"""The main window: the composition root of the GUI.

It builds the actions, menus, toolbar, tabs, find bar and status bar, and
wires them to the services it is given (workspace, dialogs). Features live
in their own widgets and controllers; this class only connects them.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QUndoGroup
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QSpinBox,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from reviewer import __version__
from reviewer.core import batches
from reviewer.core.batch_file import known_citations
from reviewer.core.errors import ReviewerError
from reviewer.core.identity import export_public_key
from reviewer.core.model import Item
from reviewer.core.ocr import TextSources, describe_pages, no_ocr_message
from reviewer.core.store import Workspace
from reviewer.core.taxonomy import builtin_taxonomies
from reviewer.ui import gc_policy
from reviewer.ui.actions import ACTIONS, MENU_ORDER, build_actions, load_icon
from reviewer.ui.dialogs import Dialogs
from reviewer.ui.document_pane import DocumentPane
from reviewer.ui.document_session import DocumentSession
from reviewer.ui.find_bar import FindBar
from reviewer.ui.lead.controller import LeadController
from reviewer.ui.lead.merged_panel import MergedPanel
from reviewer.ui.opener import DocumentOpener
from reviewer.ui.redact_export import bad_redaction_message, suggested_target
from reviewer.ui.review.compare_tab import CompareTab
from reviewer.ui.review.judgement_controller import JudgementController
from reviewer.ui.shortcuts_dialog import ShortcutsDialog
from reviewer.ui.work.controller import WorkController
from reviewer.ui.work.timesheet_dialog import TimesheetDialog
from reviewer.ui.work.work_panel import WorkPanel

BATCH_SUFFIX = ".rvbatch"
BUNDLE_SUFFIX = ".rvbundle"

ZOOM_PRESETS = (50, 75, 100, 125, 150, 200, 300, 400)


class MainWindow(QMainWindow):
    """Tabs of documents with menus, toolbar, find bar and status bar."""

    documentShown = Signal(object)  # DocumentPane

    def __init__(
        self,
        workspace: Workspace,
        *,
        dialogs: Dialogs | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__()
        gc_policy.apply()  # the composition root sets how this process collects garbage
        self.workspace = workspace
        self.dialogs = dialogs or Dialogs(self)
        self.settings = settings
        self.setWindowTitle("reviewer")
        self.setWindowIcon(load_icon("reviewer"))
        self.setAcceptDrops(True)
        self.resize(1280, 900)

        self._shortcuts: ShortcutsDialog | None = None
        self._told_no_ocr = False  # "scans cannot be read" is said once per run
        self.taxonomies = builtin_taxonomies()
        self.undo_group = QUndoGroup(self)
        self.opener = DocumentOpener(workspace, self.dialogs, self)
        self.opener.opened.connect(self.add_session)
        self.work = WorkController(workspace, self.dialogs, self)
        self._bind_on_open: dict[str, Item] = {}  # document → item, while its tab opens
        self._compare_waiting: dict[str, CompareTab] = {}  # draft → its tab, while it opens
        self._judging: dict[str, JudgementController] = {}  # item id → its judgement
        for batch in self.work.batches():
            self._add_batch_taxonomy(batch.id)

        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.setAccessibleName("Open documents")
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.empty = QLabel(
            "<h2>No document open</h2><p>Open a PDF, XPS, EPUB, image or text file with "
            "<b>Ctrl+O</b>, or drop files onto this window.</p>",
            self,
        )
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #5b6068;")
        self.find_bar = FindBar(self)
        self.find_bar.hide()
        self.find_bar.closed.connect(lambda: self.current_view() and self.current_view().setFocus())

        central = QWidget(self)
        box = QVBoxLayout(central)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.find_bar)
        box.addWidget(self.tabs, 1)
        box.addWidget(self.empty, 1)
        self.setCentralWidget(central)

        self.lead = LeadController(workspace, self.dialogs, self.tabs, self.taxonomies, self)
        self.lead.status.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.actions_ = build_actions(self, self._handlers())
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._build_work_dock()
        self.activity = self._start_activity()
        self.actions_["thumbnails"].setChecked(True)
        self.undo_group.canUndoChanged.connect(self._refresh_undo)
        self.undo_group.canRedoChanged.connect(self._refresh_undo)
        self.undo_group.undoTextChanged.connect(self._refresh_undo)
        self.undo_group.redoTextChanged.connect(self._refresh_undo)
        self._restore_geometry()
        self._refresh_state()

    # -- composition ----------------------------------------------------------------

    def _handlers(self) -> dict[str, object]:
        def on_view(method: str):
            def run() -> None:
                view = self.current_view()
                if view is not None:
                    getattr(view, method)()

            return run

        return {
            "open": self.ask_open,
            "close": lambda: self.close_tab(self.tabs.currentIndex()),
            "quit": self.close,
            "undo": self.undo_group.undo,
            "redo": self.undo_group.redo,
            "copy": on_view("copy_selection"),
            "find": self.find_bar.open,
            "find_next": self.find_bar.find_next,
            "find_previous": self.find_bar.find_previous,
            "zoom_in": on_view("zoom_in"),
            "zoom_out": on_view("zoom_out"),
            "zoom_actual": lambda: self.current_view() and self.current_view().set_zoom(1.0),
            "fit_width": on_view("fit_width"),
            "fit_page": on_view("fit_page"),
            "thumbnails": self._toggle_thumbnails,
            "previous_page": on_view("previous_page"),
            "next_page": on_view("next_page"),
            "first_page": on_view("first_page"),
            "last_page": on_view("last_page"),
            "go_to_page": self.ask_page,
            "next_annotation": lambda: self._step_annotation(True),
            "previous_annotation": lambda: self._step_annotation(False),
            "edit_comment": lambda: (
                self.current_pane() and self.current_pane().panel.focus_comment()
            ),
            "delete_annotation": self._delete_annotation,
            "scan_pii": self._on_pane("scan_for_pii"),
            "export_redacted": self.export_redacted,
            "next_suggestion": lambda: self._step_suggestion(True),
            "previous_suggestion": lambda: self._step_suggestion(False),
            "accept_suggestion": lambda: self._judge_suggestion(True),
            "reject_suggestion": lambda: self._judge_suggestion(False),
            "accept_all_label": self._accept_all_label,
            "mark_every_occurrence": self._on_pane("mark_every_occurrence"),
            "open_batch": self.ask_open_batch,
            "work_queue": lambda: self.work_dock.setVisible(
                self.actions_["work_queue"].isChecked()
            ),
            "next_item": lambda: self.work.step(True),
            "previous_item": lambda: self.work.step(False),
            "mark_done": lambda: self.work.mark_done(),
            "check_citations": self.check_citations,
            "sync_scroll": lambda: self._on_compare(lambda c: c.sync.toggle()),
            "show_differences": lambda: self._on_compare(lambda c: c.diff.toggle()),
            "cite_passage": lambda: self._on_compare(lambda c: c.cite_selected()),
            "skip_item": lambda: self.work.skip(),
            "timesheet": self.show_timesheet,
            "export_bundle": self.work.export_submission,
            "identity": self.show_identity,
            "idle_limit": self.ask_idle_limit,
            "enrol_key": lambda: self.lead.enrol(),
            "import_bundles": lambda: self.lead.ask_import(),
            "merged_view": self._toggle_merged,
            "next_disagreement": lambda: self._on_merged(lambda m: m.step(True)),
            "previous_disagreement": lambda: self._on_merged(lambda m: m.step(False)),
            "accept_version": lambda: self._on_merged(lambda m: m.decide_checked("accept")),
            "merge_versions": lambda: self._on_merged(lambda m: m.decide_checked("merge")),
            "edit_version": lambda: self._on_merged(lambda m: m.decide_checked("edit")),
            "reject_disagreement": lambda: self._on_merged(lambda m: m.decide_checked("reject")),
            "agreement_dashboard": lambda: self.lead.show_dashboard(),
            "export_dataset": lambda: self.lead.export_dataset(),
            "shortcuts": self.show_shortcuts,
            "about": self.show_about,
        }

    def _build_menus(self) -> None:
        menus: dict[str, QMenu] = {}
        for title in MENU_ORDER:
            menus[title] = self.menuBar().addMenu(title)
        for spec in ACTIONS:
            menu = menus[spec.menu]
            if spec.id == "close":
                self.recent_menu = menu.addMenu("Open &recent")
                self.recent_menu.aboutToShow.connect(self._fill_recent)
            if spec.id in {"quit", "find", "zoom_actual", "thumbnails", "go_to_page"}:
                menu.addSeparator()
            menu.addAction(self.actions_[spec.id])

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main", self)
        bar.setObjectName("main_toolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.addToolBar(bar)
        bar.addAction(self.actions_["open"])
        bar.addSeparator()
        bar.addAction(self.actions_["thumbnails"])
        bar.addAction(self.actions_["previous_page"])
        self.page_box = QSpinBox(self)
        self.page_box.setAccessibleName("Page number")
        self.page_box.setKeyboardTracking(False)
        self.page_box.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
        self.page_box.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.page_box.setMinimumWidth(56)
        self.page_box.valueChanged.connect(self._on_page_box)
        bar.addWidget(self.page_box)
        self.page_total = QLabel(" of 0 ", self)
        bar.addWidget(self.page_total)
        bar.addAction(self.actions_["next_page"])
        bar.addSeparator()
        bar.addAction(self.actions_["zoom_out"])
        self.zoom_box = QComboBox(self)
        self.zoom_box.setEditable(True)
        self.zoom_box.setAccessibleName("Zoom")
        self.zoom_box.setMinimumWidth(84)
        self.zoom_box.addItems([f"{z} %" for z in ZOOM_PRESETS])
        self.zoom_box.textActivated.connect(self._on_zoom_box)
        bar.addWidget(self.zoom_box)
        bar.addAction(self.actions_["zoom_in"])
        bar.addAction(self.actions_["fit_width"])
        bar.addAction(self.actions_["fit_page"])
        bar.addSeparator()
        bar.addAction(self.actions_["find"])

    def _build_status_bar(self) -> None:
        self.status_page = QLabel(self)
        self.status_zoom = QLabel(self)
        self.status_index = QLabel(self)
        for label in (self.status_index, self.status_page, self.status_zoom):
            label.setContentsMargins(8, 0, 8, 0)
            self.statusBar().addPermanentWidget(label)

    def _build_work_dock(self) -> None:
        self.work_panel = WorkPanel(self.work, self)
        self.work_dock = QDockWidget("Work queue", self)
        self.work_dock.setObjectName("work_queue_dock")
        self.work_dock.setWidget(self.work_panel)
        self.work_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.work_dock)
        self.work_dock.visibilityChanged.connect(self.actions_["work_queue"].setChecked)
        self.work_dock.setVisible(bool(self.work.batches()))
        self.actions_["work_queue"].setChecked(self.work_dock.isVisible())
        self.work.openRequested.connect(self._open_item)
        self.work.imported.connect(self._on_batch_imported)
        self.work.status.connect(self.statusBar().showMessage)
        self.work.storePending.connect(self._store_pending)
        self.work.identityChanging.connect(
            lambda: [c.flush() for c in list(self._judging.values())]
        )
        self.work.identityChanged.connect(
            lambda _id: [c.reload() for c in list(self._judging.values())]
        )

    def _start_activity(self):
        """Count active time on the current item (idle limit from the user's settings)."""
        from reviewer.core.settings import load_settings
        from reviewer.ui.activity import ActivityMonitor

        limit = load_settings(self.workspace.paths).idle_limit_s
        monitor = ActivityMonitor(self.workspace, idle_limit=limit, parent=self)
        monitor.failed.connect(
            lambda message: self.statusBar().showMessage(f"Work time not saved yet: {message}")
        )
        monitor.recorded.connect(self.work_panel.model.refresh_time)
        return monitor

    # -- documents ------------------------------------------------------------------

    def open_paths(self, paths: list[Path]) -> None:
        bundles = [p for p in paths if Path(p).suffix.lower() == BUNDLE_SUFFIX]
        if bundles:
            self.lead.import_files([Path(p) for p in bundles])
        for path in paths:
            if Path(path).suffix.lower() == BUNDLE_SUFFIX:
                continue
            if Path(path).suffix.lower() == BATCH_SUFFIX:
                self.work.import_batch(Path(path))
            else:
                self.opener.open_file(Path(path))

    def ask_open_batch(self) -> None:
        path = self.dialogs.open_batch()
        if path is not None:
            self.work.import_batch(path)

    def _add_batch_taxonomy(self, batch_id: str) -> None:
        taxonomy = self.work.taxonomy(batch_id)
        if taxonomy is not None:
            self.taxonomies[taxonomy.id] = taxonomy  # a batch's own version wins

    def _on_batch_imported(self, result: object) -> None:
        self._add_batch_taxonomy(getattr(result, "batch_id", ""))
        self.work_dock.show()
        verb = "Already imported" if getattr(result, "status", "") == "unchanged" else "Imported"
        self.statusBar().showMessage(
            f"{verb} {getattr(result, 'name', '')}: {getattr(result, 'items', 0)} items", 8000
        )

    def _open_item(self, item: Item) -> None:
        """Show an item's documents (open ones are reused) and tie them to the item."""
        if item.task == "compare":
            self._open_compare(item)
            return
        first: DocumentPane | None = None
        for sha in item.documents:
            pane = next((p for p in self.panes() if p.session.sha256 == sha), None)
            if pane is not None:
                self._bind(pane, item)
                first = first or pane
                continue
            document = self.workspace.document(sha)
            if document is None:
                self.dialogs.error("Cannot open the item", f"document {sha[:12]}… is missing")
                continue
            self._bind_on_open[sha] = item
            self.opener.open_stored(document)
        if first is not None:
            before = self.tabs.currentIndex()
            self.tabs.setCurrentWidget(first)
            if item.page is not None:
                first.view.go_to_page(item.page)
            if self.tabs.currentIndex() == before:  # no tab change: rebind time by hand
                self._on_tab_changed(before)

    def _open_compare(self, item: Item) -> None:
        """One tab with the drafts side by side (in the reviewer's shuffled order)."""
        for index in range(self.tabs.count()):
            widget = self.tabs.widget(index)
            if isinstance(widget, CompareTab) and widget.item.id == item.id:
                self.tabs.setCurrentIndex(index)
                return
        controller = self._judgement(item)
        if controller is None:
            return
        compare = CompareTab(item, controller, self.tabs)
        controller.live = compare.live_annotations
        compare.currentPaneChanged.connect(lambda _p: self._on_tab_changed(-1))
        compare.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        index = self.tabs.addTab(compare, f"Compare: {item.title}")
        self.tabs.setTabToolTip(index, f"{item.title} — {len(item.documents)} drafts")
        for sha in controller.judgement.order:
            pane = next((p for p in self.panes() if p.session.sha256 == sha), None)
            if pane is not None and self.tabs.indexOf(pane) >= 0:
                self.tabs.removeTab(self.tabs.indexOf(pane))  # the draft moves into the tab
                self._bind(pane, item)
                compare.add_pane(pane)
                continue
            document = self.workspace.document(sha)
            if document is None:
                self.dialogs.error("Cannot open the item", f"document {sha[:12]}… is missing")
                continue
            self._bind_on_open[sha] = item
            self._compare_waiting[sha] = compare
            self.opener.open_stored(document)
        self.tabs.setCurrentWidget(compare)

    def _judgement(self, item: Item) -> JudgementController | None:
        """The judgement of ``item`` being worked on (made, with its order, on first use)."""
        found = self._judging.get(item.id)
        if found is not None:
            return found
        try:
            found = JudgementController(self.workspace, item, self)
        except (ReviewerError, sqlite3.Error) as exc:
            self.dialogs.error("Not saved", f"the judgement could not be started: {exc}")
            return None
        found.failed.connect(lambda message: self.statusBar().showMessage(f"Not saved: {message}"))
        self._judging[item.id] = found
        return found

    def _store_pending(self, item: Item) -> None:
        found = self._judging.get(item.id)
        if found is not None:
            found.flush()

    def _attach_review(self, pane: DocumentPane, item: Item) -> None:
        """A review item: the prompt above the output, the verdict under the annotations."""
        if pane.verdict_form is not None:
            return
        controller = self._judgement(item)
        if controller is not None:
            pane.show_review(controller, item.prompt)

    def check_citations(self) -> None:
        """Propose citation issues in the current document (a batch's known citations too)."""
        pane = self.current_pane()
        if pane is None:
            return
        if pane.citations.running:
            self.statusBar().showMessage("The citations are being checked already", 4000)
            return
        known = ""
        item = batches.item(self.workspace, pane.annotations.item or "")
        if item is not None:
            known = known_citations(self.workspace, item.batch)
        pane.citations.start(known)

    def _on_citations_checked(self, pane: DocumentPane, found: int, proposed: int) -> None:
        where = f" in {pane.session.title}" if pane is not self.current_pane() else ""
        if proposed:
            text = (
                f"Citations{where}: {found} found, {proposed} issue"
                f"{'s' if proposed != 1 else ''} proposed — F8 steps through them, A accepts, "
                "X rejects"
            )
        else:
            text = f"Citations{where}: {found} found, no issues"
        self.statusBar().showMessage(text, 12000)

    def _on_compare(self, call: Callable[[CompareTab], object]) -> None:
        widget = self.tabs.currentWidget()
        if isinstance(widget, CompareTab):
            call(widget)
        else:
            self.statusBar().showMessage("Open a compare item first (Work queue)", 4000)

    def _bind(self, pane: DocumentPane, item: Item) -> None:
        """New annotations in this tab belong to ``item``; its batch's labels are offered."""
        pane.annotations.item = item.id
        taxonomy = self.work.taxonomy(item.batch)
        if taxonomy is not None and taxonomy.id in pane.palette_.taxonomies:
            pane.palette_.set_taxonomy(taxonomy.id)
        self.tabs.setTabToolTip(self.tabs.indexOf(pane), f"{pane.session.title} — {item.title}")
        if item.task == "ocr" and item.page is not None:
            pane.show_ocr_review(item.page)
        if item.task == "review":
            self._attach_review(pane, item)

    def ask_open(self) -> None:
        self.open_paths(self.dialogs.open_files())

    def add_session(self, session: DocumentSession) -> DocumentPane:
        pane = DocumentPane(session, self.taxonomies, self.tabs)
        self.undo_group.addStack(pane.annotations.undo_stack)
        pane.annotations.failed.connect(lambda message: self.dialogs.error("Not saved", message))
        pane.view.currentPageChanged.connect(lambda _p, p=pane: self._on_view_changed(p))
        pane.view.zoomChanged.connect(lambda _z, p=pane: self._on_view_changed(p))
        session.indexProgress.connect(lambda done, total, p=pane: self._on_index(p, done, total))
        session.renderFailed.connect(lambda message: self.statusBar().showMessage(message, 8000))
        session.sourcesKnown.connect(lambda sources, p=pane: self._on_sources(p, sources))
        pane.export.failed.connect(lambda message: self.dialogs.error("Not redacted", message))
        pane.export.finished.connect(self._on_redacted)
        pane.citations.finished.connect(
            lambda found, proposed, p=pane: self._on_citations_checked(p, found, proposed)
        )
        pane.citations.failed.connect(lambda message: self.dialogs.error("Citations", message))
        session.badRedactions.connect(lambda found, p=pane: self._on_bad_redactions(p, found))
        compare = self._compare_waiting.pop(session.sha256, None)
        if (
            compare is not None
            and self.tabs.indexOf(compare) >= 0
            and compare.wants(session.sha256)
        ):
            item = self._bind_on_open.pop(session.sha256, None) or compare.item
            self._bind(pane, item)
            compare.add_pane(pane)
            session.start_indexing()
            session.check_redactions()
            self._refresh_state()
            self.documentShown.emit(pane)
            return pane
        index = self.tabs.addTab(pane, session.title)
        self.tabs.setTabToolTip(index, session.document.original_path or session.title)
        item = self._bind_on_open.pop(session.sha256, None) or batches.item_for_document(
            self.workspace, session.sha256
        )
        if item is not None:
            self._bind(pane, item)
            if item.page is not None:
                pane.view.go_to_page(item.page)
        self.tabs.setCurrentIndex(index)
        session.start_indexing()
        session.check_redactions()
        self._refresh_state()
        pane.view.setFocus()
        self.documentShown.emit(pane)
        return pane

    def _on_sources(self, pane: DocumentPane, sources: TextSources) -> None:
        """Scanned pages: say once per run when OCR cannot read them, else that it will."""
        if sources.unreadable_pages:
            if not self._told_no_ocr:
                self._told_no_ocr = True
                pane.notice.show_notice(no_ocr_message(pane.session.title, sources))
        elif sources.image_pages:
            one = len(sources.image_pages) == 1
            self.statusBar().showMessage(
                f"{describe_pages(sources.image_pages).capitalize()} of {pane.session.title} "
                f"{'is a scan' if one else 'are scans'}: text is recognised (OCR) when needed",
                8000,
            )

    def _on_bad_redactions(self, pane: DocumentPane, found: list[Any]) -> None:
        """Warn, with the pages, when black boxes in the file still have text under them."""
        if not found:
            return
        pane.redaction_notice.show_notice(
            bad_redaction_message(pane.session.title, found),
            "Show the first",
            lambda: pane.view.go_to_page(min(s.page for s in found)),
        )

    def export_redacted(self) -> None:
        """Ask how and where, then export the redacted copy in the background."""
        pane = self.current_pane()
        if pane is None:
            return
        if pane.export.running:
            self.statusBar().showMessage("A redacted copy is being made already", 4000)
            return
        plan = pane.export.plan()
        if not plan.boxes and not plan.terms:
            self.dialogs.info(
                "Nothing to redact",
                "Only accepted personal data is redacted. Accept suggestions (A) or mark "
                "text or areas with a PII label first.",
            )
            return
        options = self.dialogs.redaction_options(len(plan.boxes), len(plan.terms))
        if options is None:
            return
        target = self.dialogs.save_redacted(suggested_target(pane.annotations))
        if target is None:
            return
        original = pane.session.document.original_path
        if original and Path(original).resolve() == target.resolve():
            self.dialogs.error("Not redacted", "Save the redacted copy under another name.")
            return
        pane.export.start(target, options)

    def _on_redacted(self, report: object, target: str) -> None:
        checks = len(getattr(report, "checks", ()))
        self.statusBar().showMessage(
            f"Saved {Path(target).name}: verified, {checks} checks passed "
            "(the report is beside it)",
            10000,
        )

    def close_tab(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if isinstance(widget, DocumentPane):
            self._close_pane(widget)
            self.tabs.removeTab(index)
            widget.deleteLater()
        elif isinstance(widget, CompareTab):
            controller = self._judging.pop(widget.item.id, None)
            if controller is not None:
                controller.flush()
            for pane in widget.panes:
                self._close_pane(pane)
            for sha in [s for s, tab in self._compare_waiting.items() if tab is widget]:
                del self._compare_waiting[sha]
            self.tabs.removeTab(index)
            widget.deleteLater()
        elif widget is not None:  # the agreement dashboard
            self.tabs.removeTab(index)
            widget.deleteLater()
        self._refresh_state()

    def _close_pane(self, pane: DocumentPane) -> None:
        if self.find_bar.controller is pane.find:
            self.find_bar.attach(None)
        self.undo_group.removeStack(pane.annotations.undo_stack)
        self.lead.forget(pane)
        form = pane.verdict_form
        if form is not None:
            form.controller.flush()
            self._judging.pop(form.controller.item.id, None)
        pane.close_document()

    def current_pane(self) -> DocumentPane | None:
        widget = self.tabs.currentWidget()
        if isinstance(widget, CompareTab):
            return widget.current_pane()
        return widget if isinstance(widget, DocumentPane) else None

    def current_compare(self) -> CompareTab | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, CompareTab) else None

    def current_view(self):
        pane = self.current_pane()
        return pane.view if pane else None

    def panes(self) -> list[DocumentPane]:
        """Every open document's pane, the drafts inside compare tabs included."""
        found: list[DocumentPane] = []
        for i in range(self.tabs.count()):
            widget = self.tabs.widget(i)
            if isinstance(widget, DocumentPane):
                found.append(widget)
            elif isinstance(widget, CompareTab):
                found.extend(widget.panes)
        return found

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        documents = self.workspace.recent_documents(10)
        if not documents:
            self.recent_menu.addAction("No recent documents").setEnabled(False)
        for number, document in enumerate(documents, start=1):
            action = self.recent_menu.addAction(f"&{number % 10}  {document.original_name}")
            action.setToolTip(document.original_path)
            action.triggered.connect(lambda _c=False, d=document: self.opener.open_stored(d))

    # -- dialogs ---------------------------------------------------------------------

    def ask_page(self) -> None:
        view = self.current_view()
        if view is not None:
            page = self.dialogs.page_number(view.current_page + 1, view.session.page_count)
            if page is not None:
                view.go_to_page(page - 1)

    def show_shortcuts(self) -> None:
        """Non-modal, so it can stay open beside the document while one learns the keys."""
        if self._shortcuts is None:
            self._shortcuts = ShortcutsDialog(self)
        self._shortcuts.show()
        self._shortcuts.raise_()
        self._shortcuts.filter.setFocus()

    def show_timesheet(self) -> None:
        if self.work.batch_id is None:
            self.dialogs.error("No timesheet", "Open a task batch first.")
            return
        self.activity.checkpoint()  # include the time counted up to now
        dialog = TimesheetDialog(self.workspace, self.work.batch_id, self.dialogs.save_csv, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self._timesheet = dialog

    def show_identity(self) -> None:
        found = self.work.identity()
        if found is None:
            self.work.ask_identity()
            return
        self.dialogs.info(
            "Your identity",
            f"{found.name} ({found.id})\nSigning key {found.fingerprint}\n\nThe team lead "
            "needs your public key to trust your submissions: you will be asked where to "
            "save it.",
        )
        target = self.dialogs.save_public_key(Path.home() / f"{found.id}.pem")
        if target is None:
            return
        try:
            export_public_key(found, target)
        except OSError as exc:
            self.dialogs.error("Public key not saved", f"{target.name}: {exc.strerror or exc}")
            return
        self.statusBar().showMessage(f"Saved your public key to {target.name}", 8000)

    def ask_idle_limit(self) -> None:
        from reviewer.core.settings import load_settings, save_settings

        paths = self.workspace.paths
        current = load_settings(paths)
        value = self.dialogs.idle_limit(current.idle_limit_s)
        if value is None:
            return
        try:
            save_settings(paths, dataclasses.replace(current, idle_limit_s=value))
        except OSError as exc:
            self.dialogs.error("Setting not saved", f"{exc.strerror or exc}")
            return
        self.activity.set_idle_limit(value)  # takes effect now, no restart
        self.statusBar().showMessage(f"Idle limit: {int(value)} s", 6000)

    def show_about(self) -> None:
        paths = self.workspace.paths
        self.dialogs.info(
            "About reviewer",
            f"<b>reviewer {__version__}</b><br>Offline review workstation for legal and "
            "financial documents.<br><br>reviewer is free software under the GNU AGPL v3 or "
            "later. It uses PyMuPDF/MuPDF (AGPL v3) and Qt for Python (LGPL v3).<br><br>"
            f"Workspace: {paths.workspace}<br>Logs: {paths.logs}",
        )

    # -- state ------------------------------------------------------------------------

    def _on_tab_changed(self, _index: int) -> None:
        pane = self.current_pane()
        self.find_bar.attach(pane.find if pane else None)
        self.undo_group.setActiveStack(pane.annotations.undo_stack if pane else None)
        item = pane.annotations.item if pane else None
        if getattr(self, "activity", None) is not None:
            self.activity.set_item(item)  # time counts for the item on screen, and only it
        self.work.follow_document(item)
        self._refresh_state()

    def _on_view_changed(self, pane: DocumentPane) -> None:
        if pane is self.current_pane():
            self._refresh_state()

    def _on_index(self, pane: DocumentPane, done: int, total: int) -> None:
        if pane is self.current_pane():
            self.status_index.setText(
                "" if done >= total else f"Indexing text… {done * 100 // total} %"
            )

    def _refresh_state(self) -> None:
        pane = self.current_pane()
        has_doc = pane is not None
        self.tabs.setVisible(self.tabs.count() > 0)
        self.empty.setVisible(self.tabs.count() == 0)
        self.actions_["merged_view"].setChecked(self.lead.panel_of(pane) is not None)
        for spec in ACTIONS:
            if spec.needs_document:
                self.actions_[spec.id].setEnabled(has_doc)
        self._refresh_undo()
        self.page_box.setEnabled(has_doc)
        self.zoom_box.setEnabled(has_doc)
        if pane is None:
            self.setWindowTitle("reviewer")
            self.page_total.setText(" of 0 ")
            self.status_page.setText("")
            self.status_zoom.setText("")
            self.status_index.setText("")
            return
        view = pane.view
        count = pane.session.page_count
        self.setWindowTitle(f"{pane.session.title} — reviewer")
        self.page_box.blockSignals(True)
        self.page_box.setRange(1, count)
        self.page_box.setValue(view.current_page + 1)
        self.page_box.blockSignals(False)
        self.page_total.setText(f" of {count} ")
        self.status_page.setText(f"Page {view.current_page + 1} of {count}")
        percent = f"{round(view.zoom * 100)} %"
        self.status_zoom.setText(percent)
        self.zoom_box.setEditText(percent)

    def _on_page_box(self, value: int) -> None:
        view = self.current_view()
        if view is not None:
            view.go_to_page(value - 1)
            view.setFocus()

    def _on_zoom_box(self, text: str) -> None:
        view = self.current_view()
        try:
            percent = float(text.replace("%", "").strip())
        except ValueError:
            self._refresh_state()
            return
        if view is not None:
            view.set_zoom(percent / 100.0)
            view.setFocus()

    def _refresh_undo(self) -> None:
        undo, redo = self.actions_["undo"], self.actions_["redo"]
        undo.setEnabled(self.undo_group.canUndo())
        redo.setEnabled(self.undo_group.canRedo())
        undo.setText(f"&Undo {self.undo_group.undoText()}".rstrip())
        redo.setText(f"&Redo {self.undo_group.redoText()}".rstrip())

    def _step_annotation(self, forward: bool) -> None:
        pane = self.current_pane()
        if pane is not None:
            pane.annotations.step(forward)

    def _on_pane(self, method: str) -> Callable[[], None]:
        def call() -> None:
            pane = self.current_pane()
            if pane is not None:
                getattr(pane, method)()

        return call

    def _step_suggestion(self, forward: bool) -> None:
        pane = self.current_pane()
        if pane is not None and pane.annotations.step_suggestion(forward) is None:
            self.statusBar().showMessage("No suggestions to review", 4000)

    def _judge_suggestion(self, accept: bool) -> None:
        pane = self.current_pane()
        if pane is not None and pane.annotations.is_suggestion(pane.annotations.selected):
            ctrl = pane.annotations
            (ctrl.accept if accept else ctrl.reject)(ctrl.selected)  # type: ignore[arg-type]

    def _accept_all_label(self) -> None:
        pane = self.current_pane()
        if pane is None:
            return
        selected = pane.annotations.get(pane.annotations.selected or "")
        if selected is None or selected.state != "proposed":
            self.statusBar().showMessage("Select a suggestion first", 4000)
            return
        n = pane.annotations.accept_all(selected.taxonomy, selected.label)
        self.statusBar().showMessage(f"Accepted {n} suggestion{'s' if n != 1 else ''}", 4000)

    def _delete_annotation(self) -> None:
        pane = self.current_pane()
        if pane is not None and pane.annotations.selected:
            pane.annotations.delete(pane.annotations.selected)

    def _toggle_merged(self) -> None:
        self.lead.toggle_merged(self.current_pane(), self.actions_["merged_view"].isChecked())

    def _on_merged(self, call: Callable[[MergedPanel], object]) -> None:
        panel = self.lead.panel_of(self.current_pane())
        if panel is None:
            self.statusBar().showMessage("Open the merged view first (Lead > Merged view)", 5000)
            return
        call(panel)

    def _toggle_thumbnails(self) -> None:
        visible = self.actions_["thumbnails"].isChecked()
        for pane in self.panes():
            if self.tabs.indexOf(pane) >= 0:  # drafts side by side have no thumbnails
                pane.thumbnails.setVisible(visible)

    # -- drag and drop, geometry, closing ---------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        event.acceptProposedAction()
        self.open_paths(paths)

    def _restore_geometry(self) -> None:
        if self.settings is None:
            return
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.settings is not None:
            self.settings.setValue("window/geometry", self.saveGeometry())
            self.settings.setValue("window/state", self.saveState())
            self.settings.sync()
        self.activity.stop()  # the running stretch of work time is saved
        for index in reversed(range(self.tabs.count())):
            self.close_tab(index)
        self.opener.shutdown()
        super().closeEvent(event)
