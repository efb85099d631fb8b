"""Scan for PII: the document worker reads and scans page by page, in the background.

Pages are sent to the worker one request each, at background priority, so
pages being looked at are still drawn first; Cancel withdraws the requests
not yet started. When every page has answered, the suggestions become
proposed annotations in one transaction and one undo step. The same run,
without detectors and with ``known`` values, proposes every other
occurrence of an accepted name or number.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from reviewer.core.pii.engine import DEFAULT_MIN_SCORE
from reviewer.core.pii.pages import PageSuggestion
from reviewer.core.pii.proposals import proposals
from reviewer.ui.annotations.controller import AnnotationController


class PiiScan(QObject):
    """One scan of one document at a time."""

    progress = Signal(int, int)  # pages done, pages in all
    finished = Signal(int)  # suggestions added
    failed = Signal(str)

    def __init__(self, controller: AnnotationController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.session = controller.session
        self._futures: list[Future[Any]] = []
        self._found: list[PageSuggestion] = []
        self._done = 0
        self._what = ""
        self._queued: list[tuple[str, str]] = []

    @property
    def running(self) -> bool:
        return bool(self._futures)

    def start(
        self, *, detect: bool = True, known: Sequence[tuple[str, str]] = (), what: str = ""
    ) -> bool:
        """Scan every page; False if a scan is already running.

        Values to propagate that arrive during a run (A pressed on one
        suggestion after another) are queued and looked for when it ends.
        """
        if self.running:
            if detect or not known:
                return False
            self._queued.extend(known)
            return True
        self._found, self._done = [], 0
        self._what = what or "Scan for PII"
        for page in range(self.session.page_count):
            self._futures.append(
                self.session.request_scan(
                    page, self._on_page, min_score=DEFAULT_MIN_SCORE, detect=detect, known=known
                )
            )
        self.progress.emit(0, len(self._futures))
        return True

    def cancel(self) -> None:
        """Withdraw what has not started; nothing found so far is stored."""
        self._queued = []
        futures, self._futures = self._futures, []
        for future in futures:
            future.cancel()
        self.progress.emit(0, 0)

    def _on_page(self, future: Future[Any]) -> None:
        if future not in self._futures or future.cancelled():
            return  # cancelled, or from a scan that was given up
        if future.exception() is not None:
            self.cancel()
            self.failed.emit(f"Scan stopped: {future.exception()}")
            return
        self._found.extend(future.result())
        self._done += 1
        self.progress.emit(self._done, len(self._futures))
        if self._done == len(self._futures):
            self._futures = []
            self._store()

    def _store(self) -> None:
        ctrl = self.controller
        ctrl.finish_loading()
        new = proposals(
            sorted(self._found, key=lambda f: (f.page, f.suggestion.start)),
            ctrl.annotations(),  # rejected ones too: a rescan must not propose them again
            document=self.session.sha256,
            author=ctrl.workspace.actor,
        )
        text = f"{self._what}: {len(new)} suggestion{'s' if len(new) != 1 else ''}"
        if ctrl.add_proposals(new, text):
            self.finished.emit(len(new))
        if new and ctrl.selected is None:
            ctrl.step_suggestion(True)
        if self._queued:
            queued, self._queued = self._queued, []
            self.start(detect=False, known=queued, what="Every occurrence")


class ScanBar(QWidget):
    """ "Scanning page 12 of 87" with a progress bar and Cancel, shown while a scan runs."""

    def __init__(
        self, scan: PiiScan, parent: QWidget | None = None, doing: str = "Scanning page"
    ) -> None:
        super().__init__(parent)
        self.scan = scan
        self.doing = doing
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setAccessibleName("Scan progress")
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(12)
        self.cancel = QPushButton("Cancel", self)
        self.cancel.setAccessibleName("Cancel the scan")
        self.cancel.clicked.connect(scan.cancel)
        box = QHBoxLayout(self)
        box.setContentsMargins(6, 2, 6, 2)
        box.addWidget(self.label)
        box.addWidget(self.bar, 1)
        box.addWidget(self.cancel)
        scan.progress.connect(self._on_progress)
        self.hide()

    def _on_progress(self, done: int, total: int) -> None:
        if total == 0 or done >= total:
            self.hide()
            return
        self.label.setText(f"{self.doing} {done + 1} of {total}")
        self.bar.setRange(0, total)
        self.bar.setValue(done)
        self.show()
