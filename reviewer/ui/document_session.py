"""One open document on the GUI side: its worker, rendered pages, words, text index.

The session turns worker futures into Qt signals and keeps the caches; it
holds no business rules (those are in ``reviewer.core``) and paints nothing.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage, QPixmap

from reviewer.core.errors import ReviewerError
from reviewer.core.model import Document, OpenedDocument, PageText, Word
from reviewer.core.ocr import TextSources
from reviewer.core.store import Workspace
from reviewer.core.worker import BACKGROUND, THUMBNAIL, VISIBLE, DocumentWorker, RenderedPage
from reviewer.ui.bridge import Relay
from reviewer.ui.viewer.page_cache import PageCache

MAX_WORD_PAGES = 48  # pages whose words are kept (visible ones are asked for again)
INDEX_CHUNK = 10  # pages per transaction: ~10 ms on the GUI thread, not ~60


class DocumentSession(QObject):
    """The GUI's handle on one document open in its worker process."""

    pageRendered = Signal(int)
    wordsReady = Signal(int)
    renderFailed = Signal(str)
    indexProgress = Signal(int, int)  # pages indexed, total
    sourcesKnown = Signal(object)  # TextSources: which pages are scans, can OCR read them
    badRedactions = Signal(list)  # SuspectRedaction: text still under boxes in this file

    def __init__(
        self,
        worker: DocumentWorker,
        opened: OpenedDocument,
        document: Document,
        workspace: Workspace,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self.opened = opened
        self.document = document
        self.workspace = workspace
        self.cache: PageCache[QImage] = PageCache()
        self.thumbnails: PageCache[QPixmap] = PageCache(budget_bytes=32 * 2**20)
        self._relay = Relay(self)
        self._pending: dict[tuple[int, float], Future[Any]] = {}
        self._pending_thumbs: dict[tuple[int, float], Future[Any]] = {}
        # Words of recently used pages only: keeping every page's words of a
        # 1,000-page document cost ~150 MB and made Python's garbage
        # collector pause the GUI for 100 ms and more while scrolling.
        self._words: OrderedDict[int, list[Word]] = OrderedDict()
        self._layers: dict[int, PageText] = {}
        #: Pages whose words must stay (the view's current selection refers to them).
        self.keep_words: Callable[[], Iterable[int]] = tuple
        self._words_pending: set[int] = set()
        self._indexing = False
        self._failed_pages: set[int] = set()
        #: Which pages are scans and whether OCR reads them; None until the worker says.
        self.sources: TextSources | None = None

    @property
    def page_count(self) -> int:
        return self.opened.page_count

    @property
    def page_sizes(self) -> list[tuple[float, float]]:
        return self.opened.page_sizes

    @property
    def sha256(self) -> str:
        return self.document.sha256

    @property
    def title(self) -> str:
        return self.document.original_name or self.opened.title

    def close(self) -> None:
        self._relay.stop()
        for future in [*self._pending.values(), *self._pending_thumbs.values()]:
            future.cancel()
        self._pending.clear()
        self._pending_thumbs.clear()
        self.cache.clear()  # first: gives the shared blocks back before the arena goes
        self.thumbnails.clear()
        self.worker.close()

    # -- rendering ------------------------------------------------------------

    def request_render(self, page: int, scale: float, priority: int = VISIBLE) -> None:
        """Ask for ``page`` at ``scale`` pixels per point unless cached or already asked."""
        key = (page, round(scale, 4))
        thumbnail = priority == THUMBNAIL
        target = self.thumbnails if thumbnail else self.cache
        pending = self._pending_thumbs if thumbnail else self._pending
        if key in target or key in pending or page in self._failed_pages:
            return
        # Viewer pages are drawn into shared memory; thumbnails (small, and
        # turned into QPixmaps for the list view) come over the pipe.
        future = self.worker.render(page, key[1], priority=priority, shared=not thumbnail)
        pending[key] = future
        self._relay.when_done(
            future, lambda f, k=key, t=target, p=pending: self._on_rendered(k, t, p, f)
        )

    def cancel_renders_except(self, keep: set[tuple[int, float]]) -> None:
        """Withdraw queued page renders that are no longer wanted (pages scrolled away).

        Thumbnails are left alone: their list asks only for rows it shows.
        """
        for key, future in list(self._pending.items()):
            if key not in keep and future.cancel():
                del self._pending[key]

    def _on_rendered(
        self,
        key: tuple[int, float],
        target: PageCache[Any],
        pending: dict[tuple[int, float], Future[Any]],
        future: Future[Any],
    ) -> None:
        pending.pop(key, None)
        if future.cancelled():
            return
        error = future.exception()
        if error is not None:
            self._failed_pages.add(key[0])
            self.renderFailed.emit(str(error))
            return
        rendered: RenderedPage = future.result()
        if target is self.thumbnails:
            target.put(key, to_pixmap(rendered))
            rendered.release()
        else:
            target.put(key, to_image(rendered), rendered.release)
        self.pageRendered.emit(key[0])

    def page_failed(self, page: int) -> bool:
        return page in self._failed_pages

    # -- words (selection, later annotation) ------------------------------------

    def words(self, page: int) -> list[Word] | None:
        """The page's words if loaded; otherwise ask for them and return None."""
        words = self._words.get(page)
        if words is None:
            self.request_words(page)
        else:
            self._words.move_to_end(page)
        return words

    def loaded_words(self) -> dict[int, list[Word]]:
        return self._words

    def request_scan(
        self,
        page: int,
        done: Callable[[Future[Any]], None],
        *,
        min_score: float,
        detect: bool = True,
        known: Sequence[tuple[str, str]] = (),
    ) -> Future[Any]:
        """PII suggestions for one page, found in the worker; ``done`` runs on the GUI thread."""
        future = self.worker.scan(page, min_score=min_score, detect=detect, known=known)
        self._relay.when_done(future, done)
        return future

    def request_words(self, page: int, priority: int = VISIBLE) -> None:
        if page in self._words or page in self._words_pending:
            return
        self._words_pending.add(page)
        future = self.worker.words(page, priority=priority)
        self._relay.when_done(future, lambda f, p=page: self._on_words(p, f))

    def _on_words(self, page: int, future: Future[Any]) -> None:
        self._words_pending.discard(page)
        if future.exception() is None:
            layer: PageText = future.result()
            self._layers[page] = layer
            self._words[page] = layer.words
            self._trim_words()
            self.wordsReady.emit(page)

    def _trim_words(self) -> None:
        if len(self._words) <= MAX_WORD_PAGES:
            return
        keep = set(self.keep_words())
        for page in list(self._words):  # least recently used first
            if len(self._words) <= MAX_WORD_PAGES:
                break
            if page not in keep:
                del self._words[page]
                del self._layers[page]

    def layer(self, page: int) -> PageText | None:
        """The page's text and words if loaded (anchors are computed from it)."""
        layer = self._layers.get(page)
        if layer is not None:
            self._words.move_to_end(page)
        return layer

    # -- text index -------------------------------------------------------------

    def start_indexing(self) -> None:
        """Learn which pages are scans, then index the text in the background, once ever.

        A document with scans that cannot be read (no OCR here) is not
        indexed: its index would say "no text" for good, and stay so once
        Tesseract is installed. Search then asks the worker page by page.
        """
        done, complete = self.workspace.index_state(self.sha256)
        if self._indexing:
            return
        self._indexing = True
        future = self.worker.sources(priority=BACKGROUND)
        self._relay.when_done(future, lambda f: self._on_sources(f, done, complete))

    def check_redactions(self) -> None:
        """Look for bad redactions (text under black boxes) once the document is open."""
        future = self.worker.bad_redactions(priority=BACKGROUND)
        self._relay.when_done(future, self._on_bad_redactions)

    def _on_bad_redactions(self, future: Future[Any]) -> None:
        if future.exception() is None:  # a file the check cannot read was said when opened
            self.badRedactions.emit(future.result())

    def _on_sources(self, future: Future[Any], done: int, complete: bool) -> None:
        if future.exception() is not None:
            self._indexing = False
            return
        self.sources = future.result()
        self.sourcesKnown.emit(self.sources)
        if complete or self.sources.unreadable_pages:
            self._indexing = False
            if complete:
                self.indexProgress.emit(self.page_count, self.page_count)
            return
        self._index_from(done)

    @property
    def index_complete(self) -> bool:
        return self.workspace.index_state(self.sha256)[1]

    def _index_from(self, start: int) -> None:
        pages = range(start, min(start + INDEX_CHUNK, self.page_count))
        future = self.worker.text(pages, priority=BACKGROUND)
        self._relay.when_done(future, lambda f: self._on_text(pages, f))

    def _on_text(self, pages: range, future: Future[Any]) -> None:
        if future.exception() is not None:
            self._indexing = False
            return
        complete = pages.stop >= self.page_count
        try:
            self.workspace.index_pages(self.sha256, future.result(), complete=complete)
        except ReviewerError:
            self._indexing = False
            return
        self.indexProgress.emit(pages.stop, self.page_count)
        if complete:
            self._indexing = False
        else:
            self._index_from(pages.stop)


def to_image(rendered: RenderedPage) -> QImage:
    """A paint-ready image of worker pixels, without a copy or a conversion.

    The image wraps the pixels where they are (the shared arena, or the
    buffer read from the pipe) and holds a reference to them, so they stay
    mapped while it lives. Qt paints RGB888 directly; measured here that
    costs ~0.05 ms more per page than its native format, while converting
    each page once cost 0.1–0.9 ms on the GUI thread.
    """
    return QImage(
        rendered.pixels,
        rendered.width,
        rendered.height,
        rendered.stride,
        QImage.Format.Format_RGB888,
    )


def to_pixmap(rendered: RenderedPage) -> QPixmap:
    """A pixmap of worker pixels (thumbnails: the list view paints pixmaps).

    ``fromImage`` copies and converts into the screen's format, so the
    worker's pixels may be released right after.
    """
    return QPixmap.fromImage(to_image(rendered))
