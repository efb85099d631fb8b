"""Find in the document: an FTS5 look-up for the pages, the worker for exact boxes.

The store's trigram index says in milliseconds which pages contain the
phrase (``search_for`` over 1,000 pages takes 1.7 s here); only those pages
are searched by the worker for hit quads, in small chunks so the count grows
while the user watches. Pages not indexed yet are searched directly.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from reviewer.core.worker import SEARCH
from reviewer.ui.bridge import Relay
from reviewer.ui.document_session import DocumentSession
from reviewer.ui.viewer.page_view import Hit, PageView, Quad

CHUNK = 25


class FindController(QObject):
    """Runs a search over one document and steps through the hits."""

    changed = Signal()

    def __init__(self, view: PageView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.session: DocumentSession = view.session
        self.query = ""
        self.hits: list[Hit] = []
        self.current = -1
        self.searching = False
        self._generation = 0
        self._relay = Relay(self)
        self._futures: list[Future[Any]] = []

    def search(self, query: str) -> None:
        """Start a new search (an empty query clears the highlights)."""
        self._cancel()
        self._generation += 1
        self.query = query.strip()
        self.hits, self.current = [], -1
        self.view.set_hits([])
        self.view.show_hit(None)
        if not self.query:
            self.searching = False
            self.changed.emit()
            return
        pages = self._candidate_pages()
        self.searching = bool(pages)
        self._pending_chunks = 0
        for i in range(0, len(pages), CHUNK):
            chunk = pages[i : i + CHUNK]
            future = self.session.worker.search(self.query, chunk, priority=SEARCH)
            self._futures.append(future)
            self._pending_chunks += 1
            self._relay.when_done(future, lambda f, g=self._generation: self._on_chunk(g, f))
        self.changed.emit()

    def _candidate_pages(self) -> list[int]:
        workspace, sha = self.session.workspace, self.session.sha256
        indexed, _complete = workspace.index_state(sha)
        pages = set(workspace.pages_containing(sha, self.query))
        pages.update(range(indexed, self.session.page_count))  # not indexed yet: ask the worker
        return sorted(pages)

    def _on_chunk(self, generation: int, future: Future[Any]) -> None:
        if generation != self._generation:
            return
        self._pending_chunks -= 1
        if future.exception() is None:
            found: dict[int, list[tuple[Quad, ...]]] = future.result()
            self.hits.extend(Hit(page, quads) for page in sorted(found) for quads in found[page])
            self.hits.sort(key=lambda h: h.page)  # stable: keeps reading order within a page
            self.view.set_hits(self.hits)
            if self.current < 0 and self.hits:
                self._go(self._first_hit_from(self.view.current_page))
        if self._pending_chunks == 0:
            self.searching = False
        self.changed.emit()

    def _first_hit_from(self, page: int) -> int:
        for i, hit in enumerate(self.hits):
            if hit.page >= page:
                return i
        return 0

    def next(self) -> None:
        if self.hits:
            self._go((self.current + 1) % len(self.hits))

    def previous(self) -> None:
        if self.hits:
            self._go((self.current - 1) % len(self.hits))

    def _go(self, index: int) -> None:
        self.current = index
        self.view.show_hit(self.hits[index])
        self.changed.emit()

    def status(self) -> str:
        if not self.query:
            return ""
        if not self.hits:
            return "Searching…" if self.searching else "No matches"
        suffix = "+" if self.searching else ""
        return f"{self.current + 1} of {len(self.hits)}{suffix}"

    def _cancel(self) -> None:
        for future in self._futures:
            future.cancel()
        self._futures.clear()

    def close(self) -> None:
        self._cancel()
        self._relay.stop()


class FindBar(QWidget):
    """The find strip above the document (Ctrl+F); Enter/F3 next, Shift+Enter/Shift+F3 previous."""

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller: FindController | None = None
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Find in document")
        self.edit.setAccessibleName("Find in document")
        self.edit.setClearButtonEnabled(True)
        self.edit.setMinimumWidth(260)
        self.count = QLabel(self)
        self.count.setAccessibleName("Find result count")
        self.count.setMinimumWidth(110)
        self.prev_button = QToolButton(self, text="Previous", autoRaise=True)
        self.prev_button.setToolTip("Previous match (Shift+F3)")
        self.next_button = QToolButton(self, text="Next", autoRaise=True)
        self.next_button.setToolTip("Next match (F3)")
        self.close_button = QToolButton(self, text="✕", autoRaise=True)
        self.close_button.setToolTip("Close (Esc)")
        self.close_button.setAccessibleName("Close find bar")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(QLabel("Find:", self))
        row.addWidget(self.edit)
        row.addWidget(self.prev_button)
        row.addWidget(self.next_button)
        row.addWidget(self.count)
        row.addStretch(1)
        row.addWidget(self.close_button)
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self._run)
        self.edit.textEdited.connect(lambda _t: self._debounce.start())
        self.edit.returnPressed.connect(self._enter)
        self.next_button.clicked.connect(self.find_next)
        self.prev_button.clicked.connect(self.find_previous)
        self.close_button.clicked.connect(self.dismiss)

    def attach(self, controller: FindController | None) -> None:
        """Point the bar at the current document's controller (or none)."""
        if self.controller is not None:
            self.controller.changed.disconnect(self._refresh)
        self.controller = controller
        if controller is not None:
            controller.changed.connect(self._refresh)
            if self.isVisible() and self.edit.text().strip() != controller.query:
                self._run()
        self._refresh()

    def open(self) -> None:
        self.show()
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def dismiss(self) -> None:
        self.hide()
        if self.controller is not None:
            self.controller.search("")
        self.closed.emit()

    def find_next(self) -> None:
        if self._ensure_current_query() and self.controller:
            self.controller.next()

    def find_previous(self) -> None:
        if self._ensure_current_query() and self.controller:
            self.controller.previous()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt API
        if event.key() == Qt.Key.Key_Escape:
            self.dismiss()
            return
        super().keyPressEvent(event)

    def _enter(self) -> None:
        if QGuiApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.find_previous()
        else:
            self.find_next()

    def _ensure_current_query(self) -> bool:
        """Run the typed query now if it has not been searched yet; True if hits may be stepped."""
        if self.controller is None:
            return False
        if self.edit.text().strip() != self.controller.query:
            self._debounce.stop()
            self._run()
            return False  # the first hit is shown as soon as it arrives
        return True

    def _run(self) -> None:
        if self.controller is not None:
            self.controller.search(self.edit.text())

    def _refresh(self) -> None:
        self.count.setText(self.controller.status() if self.controller else "")
