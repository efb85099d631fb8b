"""Importing many submission bundles from the window: progress, cancel, a summary.

Verifying a bundle (hashes, signature, strict JSON, every annotation's shape)
is the slow half and touches no workspace, so it runs on the thread pool;
storing is one transaction on the GUI thread, which owns the workspace
connection. The next bundle is verified while the current one is stored.
Cancel stops between bundles: each bundle is in or out whole, and what was
imported before the cancel stays.
"""

from __future__ import annotations

import sqlite3
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from reviewer.core.bundle import BundleRejected
from reviewer.core.errors import ReviewerError
from reviewer.core.lead import merge
from reviewer.ui.bridge import Relay, run_in_pool

if TYPE_CHECKING:
    from reviewer.core.store import Workspace
    from reviewer.ui.dialogs import Dialogs


class BundleImporter(QObject):
    """One import run at a time; ``finished`` carries its :class:`merge.ImportSummary`."""

    finished = Signal(object)  # ImportSummary
    progressed = Signal(int, int, str)  # done, total, file name

    def __init__(self, workspace: Workspace, dialogs: Dialogs, parent: QWidget) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.dialogs = dialogs
        self._relay = Relay(self)
        self._queue: list[Path] = []
        self._total = 0
        self._summary: merge.ImportSummary | None = None
        self._pending: Future[Any] | None = None
        self._cancelled = False
        self._known: dict[str, str] = {}
        self.progress: QProgressDialog | None = None

    @property
    def running(self) -> bool:
        return self._summary is not None

    def import_files(self, paths: list[Path]) -> bool:
        """Start importing ``paths`` (folders give their ``.rvbundle`` files); False if busy."""
        if self.running:
            return False
        files = merge.bundle_files(paths)
        if not files:
            self.dialogs.error("Nothing to import", "No submission bundles (.rvbundle) found.")
            return False
        self._queue = list(files)
        self._total = len(files)
        self._known = merge.known_bundles(self.workspace)  # read once a run, kept up to date
        self._summary = merge.ImportSummary()
        self._cancelled = False
        self.progress = QProgressDialog(
            "Verifying submissions…", "Cancel", 0, self._total, self.parent()
        )
        self.progress.setWindowTitle("Import submissions")
        self.progress.setObjectName("importProgress")
        self.progress.setAccessibleName("Import progress")
        self.progress.setWindowModality(Qt.WindowModality.NonModal)
        self.progress.setMinimumDuration(400)
        self.progress.canceled.connect(self.cancel)
        self._next()
        return True

    def cancel(self) -> None:
        """Stop before the next bundle is stored; what was imported stays.

        The bundle being verified finishes verifying on its thread (a future
        cancelled while running would never report back) and is dropped.
        """
        self._cancelled = True

    def _next(self) -> None:
        summary = self._summary
        assert summary is not None
        if self._cancelled and self._queue:
            summary.cancelled = True
            self._queue.clear()
        if not self._queue:
            self._finish()
            return
        path = self._queue.pop(0)
        done = self._total - len(self._queue) - 1
        self.progressed.emit(done, self._total, path.name)
        if self.progress is not None:
            self.progress.setLabelText(f"Verifying {path.name} ({done + 1} of {self._total})…")
            self.progress.setValue(done)
        known = dict(self._known)  # the pool thread gets its own copy
        self._pending = run_in_pool(lambda: merge.prepare(path, known))
        self._relay.when_done(self._pending, lambda f: self._store(path, f))

    def _store(self, path: Path, future: Future[Any]) -> None:
        summary = self._summary
        assert summary is not None
        self._pending = None
        if self._cancelled:
            summary.cancelled = True
            self._queue.clear()
            self._finish()
            return
        try:
            outcome = merge.store(self.workspace, future.result())
        except (BundleRejected, ReviewerError, OSError, sqlite3.Error) as exc:
            outcome = merge.problem(path, exc)
        if outcome.status == "imported":
            prepared = future.result()
            self._known[prepared.bundle_id] = prepared.manifest_sha256
        summary.outcomes.append(outcome)
        self._next()

    def _finish(self) -> None:
        summary = self._summary
        assert summary is not None
        self._summary = None
        if self.progress is not None:
            self.progress.setValue(self._total)
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        self.progressed.emit(self._total, self._total, "")
        problems = [
            o for o in summary.outcomes if o.status in ("rejected", "quarantined", "failed")
        ]
        lines = [summary.text()[:1].upper() + summary.text()[1:] + "."]
        for o in problems[:12]:
            lines.append(f"• {o.file}: {o.status} — {o.reason}")
        if len(problems) > 12:
            lines.append(f"… and {len(problems) - 12} more")
        if problems:
            self.dialogs.error("Some submissions were not merged", "\n".join(lines))
        else:
            self.dialogs.info("Submissions imported", "\n".join(lines))
        self.finished.emit(summary)
