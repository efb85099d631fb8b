"""Check citations: every page's text from the worker, eyecite in the worker, proposals here.

Pages are read one request each at background priority (scanned pages are
recognised first, as for any text request), so the pages on screen are
still drawn first; Cancel withdraws what has not started. The whole text
is then checked in one worker request (an "Id." on page 3 refers to a
citation on page 2), and the issues become proposed ``citation``
annotations in one undo step, each with its reason.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, Signal

from reviewer.core.citations import citation_proposals
from reviewer.core.model import PageText
from reviewer.core.worker import BACKGROUND
from reviewer.ui.annotations.controller import AnnotationController
from reviewer.ui.bridge import Relay


class CitationCheck(QObject):
    """One citation check of one document at a time."""

    progress = Signal(int, int)  # pages read, pages in all (0, 0 when it ends)
    finished = Signal(int, int)  # citations found, issues proposed
    failed = Signal(str)

    def __init__(self, controller: AnnotationController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.session = controller.session
        self._relay = Relay(self)
        self._futures: list[Future[Any]] = []
        self._layers: dict[int, PageText] = {}
        self.taxonomy = "legal-errors"
        self.label = "citation"

    @property
    def running(self) -> bool:
        return bool(self._futures)

    def start(
        self, known: str = "", *, taxonomy: str = "legal-errors", label: str = "citation"
    ) -> bool:
        """Read every page and check; False if a check is already running."""
        if self.running:
            return False
        self.taxonomy, self.label = taxonomy, label
        self._layers = {}
        worker = self.session.worker
        for page in range(self.session.page_count):
            future = worker.words(page, priority=BACKGROUND)
            self._futures.append(future)
            self._relay.when_done(future, lambda f, p=page, k=known: self._on_page(p, k, f))
        self.progress.emit(0, len(self._futures))
        return True

    def cancel(self) -> None:
        futures, self._futures = self._futures, []
        for future in futures:
            future.cancel()
        self.progress.emit(0, 0)

    def _on_page(self, page: int, known: str, future: Future[Any]) -> None:
        if future not in self._futures or future.cancelled():
            return
        if future.exception() is not None:
            self.cancel()
            self.failed.emit(f"Citation check stopped: {future.exception()}")
            return
        self._layers[page] = future.result()
        total = self.session.page_count
        self.progress.emit(len(self._layers), total)
        if len(self._layers) < total:
            return
        texts = [self._layers[p].text for p in range(total)]
        checked = self.session.worker.check_citations(texts, known)
        self._futures = [checked]
        self._relay.when_done(checked, self._on_checked)

    def _on_checked(self, future: Future[Any]) -> None:
        if future not in self._futures or future.cancelled():
            return
        self._futures = []
        self.progress.emit(0, 0)
        if future.exception() is not None:
            self.failed.emit(f"Citations not checked: {future.exception()}")
            return
        findings = future.result()
        ctrl = self.controller
        ctrl.finish_loading()
        new = citation_proposals(
            findings,
            self._layers,
            ctrl.annotations(),
            document=self.session.sha256,
            author=ctrl.workspace.actor,
            taxonomy=self.taxonomy,
            label=self.label,
        )
        found = sum(1 for f in findings if f.issue is None)
        text = f"Check citations: {len(new)} issue{'s' if len(new) != 1 else ''}"
        if new and not ctrl.add_proposals(new, text):
            return
        if new and ctrl.selected is None:
            ctrl.step_suggestion(True)
        self.finished.emit(found, len(new))
