"""The document worker: one child process owns every PyMuPDF call for a document.

Why a process and not a thread: PyMuPDF is not thread-safe and holds the GIL
for a whole call. Measured here, rendering scanned pages on a worker *thread*
stalled the GUI thread 123–130 ms (median); a worker *process* sending pixels
over a pipe kept stalls at about 2 ms. A process also survives what no
``try`` can catch: MuPDF crashing on a hostile file. When that happens the
request that was running fails with :class:`WorkerCrashed` naming the file,
the process is restarted, the document reopened, and the queue goes on.

Pages drawn for the viewer go through a :class:`PixelArena`: shared memory
the worker draws into and the GUI paints from, so no pixel crosses the pipe
(see ``pixel_arena``). Thumbnails, pages too large for the arena's free
space, and clients without an arena (the CLI) get pixels over the pipe.

The client side is plain Python (threads and :class:`concurrent.futures.Future`)
so it is testable without Qt; the UI adapts futures to Qt signals. Requests
wait in a priority queue on the client and only ``max_in_flight`` are sent at
once, so work that is no longer wanted (a page scrolled out of view) can be
cancelled with ``future.cancel()`` before the worker ever sees it.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import math
import multiprocessing
import os
import socket
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from reviewer.core.errors import DocumentError, PasswordRequired, WorkerCrashed
from reviewer.core.ocr import OcrEngine, OcrImage
from reviewer.core.pixel_arena import PixelArena

# Priorities: lower runs first.
VISIBLE = 0
NEARBY = 1
THUMBNAIL = 2
SEARCH = 3
BACKGROUND = 4

MAX_RESTARTS = 3

#: Socket buffer for page pixels: a 2x page is ~7 MB, so it moves in a few
#: large writes instead of hundreds of small ones.
PIXEL_BUFFER = 8 * 2**20

#: Shared memory of a viewer's worker: the GUI's page cache (96 MiB) plus
#: the pages in flight, so a page drawn for the cache always finds room.
VIEWER_ARENA_BYTES = 128 * 2**20


@dataclass(frozen=True)
class RenderedPage:
    """Pixels of one rendered page: RGB888 rows of ``stride`` bytes.

    ``pixels`` is a buffer of its own (pixels that came over the pipe) or a
    view into the shared arena (``shared``). Call :meth:`release` when the
    pixels are no longer shown, so the arena can reuse the block; it is
    harmless for pipe pixels and when called twice.
    """

    page: int
    scale: float
    width: int
    height: int
    stride: int
    pixels: bytes | bytearray | memoryview
    _release: Callable[[], None] | None = field(default=None, repr=False, compare=False)

    @property
    def shared(self) -> bool:
        """True when the pixels live in the shared arena (and must be released)."""
        return self._release is not None

    def release(self) -> None:
        if self._release is not None:
            self._release()


@dataclass(order=True)
class _Request:
    priority: int
    seq: int
    op: str = field(compare=False)
    args: tuple[Any, ...] = field(compare=False)
    future: Future[Any] = field(compare=False)
    block: int | None = field(default=None, compare=False)  # arena offset while in flight
    started: bool = field(default=False, compare=False)  # sent once (its future is running)
    #: Called on the reader thread with (done, total) as long work goes on.
    on_progress: Callable[[int, int], None] | None = field(default=None, compare=False)


# -- pixels over the socket ------------------------------------------------------
#
# ``Connection.send_bytes``/``recv_bytes`` move a page through small reads
# and two extra copies: measured here, 12.5 ms for a 2x page, against 1.5 ms
# written and read raw into one preallocated buffer. The raw bytes follow a
# "pixels" header message whose last field is their length; nothing else is
# on the wire until they have been read, and Connection never reads ahead.


def _widen(conn: Connection, option: int) -> None:
    """Enlarge one socket buffer of a Pipe end (best effort: a plain pipe has none)."""
    with contextlib.suppress(OSError):
        sock = socket.socket(fileno=os.dup(conn.fileno()))
        try:
            sock.setsockopt(socket.SOL_SOCKET, option, PIXEL_BUFFER)
        finally:
            sock.close()


def _write_all(conn: Connection, data: memoryview) -> None:
    fd, sent = conn.fileno(), 0
    data = data.cast("B")
    while sent < data.nbytes:
        sent += os.write(fd, data[sent:])


def _read_exactly(conn: Connection, size: int) -> bytearray:
    buffer = bytearray(size)
    view, fd, got = memoryview(buffer), conn.fileno(), 0
    while got < size:
        n = os.readv(fd, [view[got:]])
        if n == 0:
            raise EOFError("the worker closed the connection in the middle of a page")
        got += n
    return buffer


# -- the child process --------------------------------------------------------


#: Address space a worker process may use, in MiB (``$REVIEWER_WORKER_MEMORY_MB``).
WORKER_MEMORY_MB = 2048
MEMORY_ENV = "REVIEWER_WORKER_MEMORY_MB"


def _cap_memory() -> None:
    """Limit this (worker) process's address space; called in the child only.

    Why: a hostile file (a decompression bomb, an image declaring a huge
    size) can make MuPDF allocate until the machine swaps and the GUI dies
    with everything else. Capped, the allocation fails instead: MuPDF raises
    and the request fails with a DocumentError naming the file, or the
    process dies and the client reports WorkerCrashed. A worker drawing and
    reading ordinary pages peaks near 330 MB of address space (measured,
    the shared pixel arena included), so 2 GiB leaves room. Never called in
    the GUI process; RLIMIT_AS does not exist on Windows.
    """
    if os.name == "nt":
        return
    import resource

    if not hasattr(resource, "RLIMIT_AS"):
        return
    try:
        megabytes = int(os.environ.get(MEMORY_ENV) or WORKER_MEMORY_MB)
    except ValueError:
        megabytes = WORKER_MEMORY_MB
    if megabytes <= 0:
        return  # 0 turns the cap off
    cap = megabytes * 2**20
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)  # an unprivileged process cannot raise its hard limit
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _serve(conn: Connection, arena_name: str | None = None) -> None:
    """Main loop of the worker process: answer requests until told to quit.

    When the client has gone (its end of the pipe closed: the tab was closed,
    or the app died), the worker simply ends: nobody is left to answer.
    """
    _cap_memory()  # before PyMuPDF is loaded; the GUI process is never capped
    from reviewer.core import documents  # imported here: the parent never loads PyMuPDF
    from reviewer.core.pixel_arena import attach

    _widen(conn, socket.SO_SNDBUF)
    arena = None
    if arena_name:
        with contextlib.suppress(OSError, ValueError):
            arena = attach(arena_name)  # gone (the client is closing): pixels use the pipe
    try:
        _answer_requests(conn, documents, None if arena is None else arena.buf)
    except (EOFError, OSError):
        pass  # the client went away
    finally:
        conn.close()


def _answer_requests(conn: Connection, documents: Any, arena: memoryview | None) -> None:
    doc = None
    layers = None
    path = ""
    try:
        while True:
            req_id, op, args = conn.recv()
            if op == "quit":
                return
            try:
                if op == "open":
                    if doc is not None:
                        doc.close()
                        doc = None  # a failed open must not leave the closed one behind
                    path = str(args[0])
                    doc = documents.open_document(*args)
                    layers = documents.TextLayers(doc)
                    result: Any = documents.describe_opened(doc, args[0])
                elif op == "info":
                    result = documents.document_info(args[0], args[1])
                elif op == "ping":
                    result = "pong"
                elif op in _REDACTION_OPS:

                    def progress(done: int, total: int, req_id: int = req_id) -> bool:
                        conn.send((req_id, "progress", (done, total)))
                        return True

                    result = _redaction_op(op, args, progress)
                elif doc is None or layers is None:
                    raise DocumentError(path or "document", "no document is open in the worker")
                elif op == "render":
                    page_no, scale, clip, block, capacity = args
                    if block is not None and arena is not None:
                        target = arena[block : block + capacity]
                        try:
                            drawn = documents.render_into(doc, page_no, scale, clip, target)
                        finally:
                            target.release()
                        if drawn is not None:
                            conn.send((req_id, "drawn", drawn))
                            documents.trim_cache()
                            continue
                    pix = documents.render_page(doc, page_no, scale, clip)
                    samples = pix.samples_mv
                    header = (pix.width, pix.height, pix.stride, samples.nbytes)
                    conn.send((req_id, "pixels", header))
                    _write_all(conn, samples)  # straight from MuPDF's buffer into the socket
                    del samples, pix
                    documents.trim_cache()
                    continue
                elif op == "words":
                    result = documents.page_layer(doc, args[0], layers)
                elif op == "text":
                    result = [(p, documents.page_text(doc, p, layers)) for p in args[0]]
                elif op == "sources":
                    result = layers.sources()
                elif op == "bad_redactions":
                    from reviewer.core.redaction.inspect import find_bad_redactions

                    result = find_bad_redactions(doc)
                elif op == "ocr_result":
                    result = layers.add_ocr(*args)
                elif op == "scan":
                    from reviewer.core.pii.pages import scan_layer  # detectors load once, here

                    page_no, min_score, detect, known = args
                    layer = documents.page_layer(doc, page_no, layers)
                    result = scan_layer(layer, min_score=min_score, detect=detect, known=known)
                elif op == "citations":
                    from reviewer.core.citations import check_pages, parse_known

                    texts, known = args  # pages' text from ``words`` replies (OCR included)
                    listed = parse_known(known, "citations.csv") if known.strip() else None
                    result = check_pages(texts, listed)
                elif op == "search":
                    needle, pages = args
                    result = {p: documents.search_page(doc, p, needle, layers) for p in pages}
                else:
                    raise DocumentError(path or "document", f"unknown worker request {op!r}")
                reply = (req_id, "ok", result)
            except documents.NeedsOcr as exc:
                # The page is a scan: send it drawn for Tesseract, like page pixels.
                assert layers is not None
                try:
                    image = layers.ocr_image(exc.page)
                except Exception as problem:  # noqa: BLE001 - relayed, the worker goes on
                    where = f"page {exc.page + 1} could not be drawn for OCR: {problem}"
                    conn.send((req_id, "error", (path or "document", where)))
                    continue
                header = (image.page, image.width, image.height, image.dpi, layers.tessdata)
                conn.send((req_id, "needs_ocr", (*header, len(image.pixels))))
                _write_all(conn, memoryview(image.pixels))
                continue
            except PasswordRequired as exc:
                reply = (req_id, "password", (str(exc.path), exc.wrong_password))
            except DocumentError as exc:
                reply = (req_id, "error", (str(exc.path), exc.problem))
            except (EOFError, OSError):
                raise  # the pipe, not the document: the client is gone
            except Exception as exc:  # noqa: BLE001 - relayed to the caller, never swallowed
                where = (
                    f"{op} failed" if op != "render" else f"page {args[0] + 1} could not be drawn"
                )
                reply = (req_id, "error", (path or "document", f"{where}: {exc}"))
            conn.send(reply)
    finally:
        if doc is not None:
            doc.close()


_REDACTION_OPS = ("redact", "verify_redaction", "check_redactions")


def _redaction_op(op: str, args: tuple[Any, ...], progress: Callable[[int, int], bool]) -> Any:
    """Redaction work on files named in the request (no document need be open).

    ``redact`` answers ("passed" | "failed", report): a failed verification
    is an answer with its report, not an error.
    """
    if op == "redact":
        from reviewer.core.redaction.export import export_redacted
        from reviewer.core.redaction.plan import RedactionFailed

        source, target, plan, options, password, report_path = args
        try:
            report = export_redacted(
                Path(source),
                Path(target),
                plan,
                options,
                password=password,
                report_path=None if report_path is None else Path(report_path),
                progress=progress,
            )
        except RedactionFailed as exc:
            return ("failed", exc.report)
        return ("passed", report)
    if op == "verify_redaction":
        from reviewer.core.redaction.verify import verify_redacted

        pdf, terms, boxes = args
        return verify_redacted(Path(pdf), terms, boxes)
    from reviewer.core.redaction.inspect import check_file

    path, password = args
    return check_file(Path(path), password)


# -- the client ---------------------------------------------------------------


class DocumentWorker:
    """Client for one worker process; thread-safe; results arrive as futures.

    Future callbacks run on the worker's reader thread: do no GUI work in
    them, hand the result to the GUI thread (the UI does this with a signal).
    """

    def __init__(
        self, *, max_in_flight: int = 2, name: str = "document", arena_bytes: int = 0
    ) -> None:
        self._ctx = multiprocessing.get_context("spawn")
        #: Shared memory for pages drawn with ``render(..., shared=True)``.
        self.arena = PixelArena(arena_bytes) if arena_bytes > 0 else None
        self._page_sizes: list[tuple[float, float]] = []
        self._max_in_flight = max_in_flight
        self._name = name
        self._lock = threading.RLock()
        self._send_lock = threading.Lock()
        self._queue: list[_Request] = []
        self._in_flight: dict[int, _Request] = {}
        self._seq = itertools.count()
        self._proc: Any = None
        self._conn: Connection | None = None
        self._reader: threading.Thread | None = None
        self._opened: tuple[str, str | None, str | None] | None = None
        self._closed = False
        self.restarts = 0
        self.last_crash: str = ""
        self._gave_up = ""
        self._ocr: OcrEngine | None = None
        self._ocr_pdfs: dict[int, bytes] = {}  # page -> Tesseract's result, kept for restarts
        self._ocr_waiting: dict[int, list[_Request]] = {}  # page -> requests waiting for it

    @classmethod
    def for_viewer(cls) -> DocumentWorker:
        """A worker that draws the viewer's pages into shared memory."""
        return cls(arena_bytes=VIEWER_ARENA_BYTES)

    # lifecycle

    def start(self) -> DocumentWorker:
        """Spawn the process now (it takes a few hundred ms to import PyMuPDF)."""
        with self._lock:
            if self._proc is None and not self._closed:
                self._spawn()
        return self

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    @property
    def password(self) -> str | None:
        """The password the document was opened with (an export opens its copy again)."""
        with self._lock:
            return None if self._opened is None else self._opened[1]

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    def close(self, timeout: float = 2.0) -> None:
        """Stop the process and cancel everything still queued."""
        with self._lock:
            ocr, self._ocr = self._ocr, None
            closed, self._closed = self._closed, True
            pending = list(self._queue) + list(self._in_flight.values())
            pending += [req for reqs in self._ocr_waiting.values() for req in reqs]
            self._queue.clear()
            self._in_flight.clear()
            self._ocr_waiting.clear()
            proc, conn, reader = self._proc, self._conn, self._reader
        if ocr is not None:
            ocr.close()  # also after giving up on the worker: the OCR process is separate
        if closed:
            return
        for req in pending:
            self._free_block(req)
            req.future.cancel() or _fail(req.future, DocumentError(self._name, "closed"))
        if conn is not None:
            with contextlib.suppress(OSError, ValueError), self._send_lock:
                conn.send((0, "quit", ()))
        if proc is not None:
            proc.join(timeout)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout)
        if conn is not None:
            conn.close()
        if reader is not None and reader is not threading.current_thread():
            reader.join(timeout)
        if self.arena is not None:
            self.arena.close()

    # requests

    def open(
        self, path: str | Path, password: str | None = None, filetype: str | None = None
    ) -> Future[Any]:
        """Open the worker's document; the future gives an ``OpenedDocument``."""
        future = self.submit("open", str(path), password, filetype, priority=-1)

        def remember(done: Future[Any]) -> None:
            if not done.cancelled() and done.exception() is None:
                with self._lock:
                    self._opened = (str(path), password, filetype)
                    self._name = str(path)
                    self._page_sizes = list(getattr(done.result(), "page_sizes", []))

        future.add_done_callback(remember)
        return future

    def reopen_from(self, path: str | Path, filetype: str | None = None) -> None:
        """After a crash, reopen ``path`` (the workspace copy) instead of the original file."""
        with self._lock:
            if self._opened is not None:
                self._opened = (str(path), self._opened[1], filetype)

    def info(self, path: str | Path, password: str | None = None) -> Future[Any]:
        return self.submit("info", str(path), password, priority=-1)

    def render(
        self,
        page: int,
        scale: float,
        *,
        priority: int = VISIBLE,
        clip: Any = None,
        shared: bool = False,
    ) -> Future[RenderedPage]:
        """Draw a page; with ``shared`` into the arena when it has room (release it after use)."""
        clip = None if clip is None else tuple(float(v) for v in clip)
        return self.submit("render", page, scale, clip, shared, priority=priority)

    def words(self, page: int, *, priority: int = VISIBLE) -> Future[Any]:
        """The page's text and words with offsets (a ``PageText``)."""
        return self.submit("words", page, priority=priority)

    def text(self, pages: range | list[int], *, priority: int = BACKGROUND) -> Future[Any]:
        return self.submit("text", list(pages), priority=priority)

    def scan(
        self,
        page: int,
        *,
        min_score: float,
        detect: bool = True,
        known: Sequence[tuple[str, str]] = (),
        priority: int = BACKGROUND,
    ) -> Future[Any]:
        """PII suggestions on one page (``PageSuggestion`` list), found in the worker."""
        return self.submit("scan", page, min_score, detect, list(known), priority=priority)

    def check_citations(
        self, texts: Sequence[str], known: str = "", *, priority: int = BACKGROUND
    ) -> Future[Any]:
        """Citations and their issues in a document's pages (``citations.Finding`` list).

        eyecite runs here, not in the window's process: a long brief takes
        seconds of pure Python. ``known`` is a batch's known-citations CSV text.
        """
        return self.submit("citations", list(texts), known, priority=priority)

    def search(self, needle: str, pages: list[int], *, priority: int = SEARCH) -> Future[Any]:
        return self.submit("search", needle, list(pages), priority=priority)

    def bad_redactions(self, *, priority: int = BACKGROUND) -> Future[Any]:
        """Suspected bad redactions in the open document (``SuspectRedaction`` list)."""
        return self.submit("bad_redactions", priority=priority)

    def sources(self, *, priority: int = BACKGROUND) -> Future[Any]:
        """Which pages are scans and whether OCR can read them (``TextSources``)."""
        return self.submit("sources", priority=priority)

    def submit(
        self,
        op: str,
        *args: Any,
        priority: int = VISIBLE,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> Future[Any]:
        """Queue a request; ``on_progress(done, total)`` hears from long ones (redaction)."""
        future: Future[Any] = Future()
        with self._lock:
            if self._closed:
                if self._gave_up:
                    _fail(future, WorkerCrashed(self._name, self._gave_up))
                else:
                    _fail(future, DocumentError(self._name, "the document was closed"))
                return future
            heapq.heappush(
                self._queue,
                _Request(priority, next(self._seq), op, args, future, on_progress=on_progress),
            )
            if self._proc is None:
                self._spawn()
            self._pump()
        return future

    # internals

    def _spawn(self) -> None:
        parent, child = self._ctx.Pipe(duplex=True)
        arena = None if self.arena is None else self.arena.name
        proc = self._ctx.Process(
            target=_serve, args=(child, arena), daemon=True, name="reviewer-pdf"
        )
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent
        _widen(parent, socket.SO_RCVBUF)
        self._reader = threading.Thread(
            target=self._read_loop, args=(parent, proc), name="reviewer-pdf-reader", daemon=True
        )
        self._reader.start()
        if self._opened is not None:
            # A restart: reopen the document ahead of everything else.
            replay: Future[Any] = Future()
            heapq.heappush(self._queue, _Request(-2, next(self._seq), "open", self._opened, replay))

    def _pump(self) -> None:
        """Send queued requests while there is room in flight (caller holds the lock)."""
        while self._queue and len(self._in_flight) < self._max_in_flight and self._conn:
            req = heapq.heappop(self._queue)
            if not req.started and not req.future.set_running_or_notify_cancel():
                continue  # cancelled while queued: the worker never sees it
            req.started = True
            self._in_flight[req.seq] = req
            args = self._render_args(req) if req.op == "render" else req.args
            try:
                with self._send_lock:
                    self._conn.send((req.seq, req.op, args))
            except (OSError, ValueError):
                break  # the reader notices the broken pipe and handles the crash

    def _render_args(self, req: _Request) -> tuple[Any, ...]:
        """(page, scale, clip, block, capacity): a block is reserved only now, when sent.

        Reserving at send time keeps queued requests (most of them cancelled
        as the user scrolls on) from holding shared memory.
        """
        page, scale, clip, shared = req.args
        if shared and self.arena is not None and req.block is None:
            size = self._estimate(page, scale, clip)
            if size:
                req.block = self.arena.allocate(size)
        if req.block is None or self.arena is None:
            return (page, scale, clip, None, 0)
        return (page, scale, clip, req.block, self.arena.capacity(req.block))

    def _estimate(self, page: int, scale: float, clip: tuple[float, ...] | None) -> int:
        """Bytes a page drawn at ``scale`` needs (a pixel of slack on every side)."""
        if clip is not None:
            width, height = clip[2] - clip[0], clip[3] - clip[1]
        elif 0 <= page < len(self._page_sizes):
            width, height = self._page_sizes[page]
        else:
            return 0
        return (math.ceil(width * scale) + 2) * (math.ceil(height * scale) + 2) * 3

    def _free_block(self, req: _Request) -> None:
        if req.block is not None and self.arena is not None:
            self.arena.free(req.block)
        req.block = None

    def _read_loop(self, conn: Connection, proc: Any) -> None:
        while True:
            try:
                req_id, status, payload = conn.recv()
                wired = status in ("pixels", "needs_ocr")
                pixels = _read_exactly(conn, payload[-1]) if wired else b""
            except (EOFError, OSError):
                self._on_exit(proc)
                return
            if status == "progress":  # the request goes on: tell whoever waits
                with self._lock:
                    req = self._in_flight.get(req_id)
                if req is not None and req.on_progress is not None:
                    req.on_progress(*payload)
                continue
            with self._lock:
                req = self._in_flight.pop(req_id, None)
            if req is not None:
                self._resolve(req, status, payload, pixels)
            with self._lock:
                self._pump()

    def _resolve(self, req: _Request, status: str, payload: Any, pixels: bytes) -> None:
        future = req.future
        if status == "drawn" and req.block is not None and self.arena is not None:
            width, height, stride = payload
            block, arena = req.block, self.arena
            req.block = None  # from here the result owns the block
            page, scale = req.args[0], req.args[1]
            rendered = RenderedPage(
                page,
                scale,
                width,
                height,
                stride,
                arena.view(block, stride * height),
                lambda: arena.free(block),
            )
            if not _settle(future, rendered):
                rendered.release()
            return
        self._free_block(req)  # the worker drew elsewhere (or failed): the block is unused
        if status == "needs_ocr":
            self._recognise(req, payload, pixels)
            return
        if status == "drawn":  # its block was taken back meanwhile: nothing to show
            _fail(
                future, DocumentError(self._name, "a drawn page arrived after its memory was freed")
            )
            return
        if status == "ok":
            future.set_result(payload)
        elif status == "pixels":
            width, height, stride, _size = payload
            page, scale = req.args[0], req.args[1]
            future.set_result(RenderedPage(page, scale, width, height, stride, pixels))
        elif status == "password":
            future.set_exception(PasswordRequired(payload[0], wrong_password=payload[1]))
        else:
            future.set_exception(DocumentError(payload[0], payload[1]))

    # OCR: a request that needs a scan's text waits here, out of flight, so
    # pages go on being drawn while Tesseract reads (see ``ocr``).

    def _recognise(self, req: _Request, payload: Any, pixels: bytes) -> None:
        page, width, height, dpi, tessdata, _size = payload
        with self._lock:
            if self._closed:
                _fail(req.future, DocumentError(self._name, "the document was closed"))
                return
            known = self._ocr_pdfs.get(page)
            if known is not None:  # recognised before a restart: hand it back, then retry
                self._send_ocr(page, known, [req])
                return
            waiting = self._ocr_waiting.get(page)
            if waiting is not None:
                waiting.append(req)
                return
            self._ocr_waiting[page] = [req]
            if self._ocr is None:
                self._ocr = OcrEngine()
            engine = self._ocr
        image = OcrImage(page, width, height, dpi, pixels)
        future = engine.recognise(image, tessdata, req.priority)
        future.add_done_callback(lambda done: self._on_recognised(page, done))

    def _on_recognised(self, page: int, done: Future[bytes]) -> None:
        with self._lock:
            waiting = self._ocr_waiting.pop(page, [])
            if self._closed or not waiting:
                return
            exc = done.exception()
            if exc is None:
                self._ocr_pdfs[page] = done.result()
                self._send_ocr(page, done.result(), waiting)
                return
        problem = f"the text of page {page + 1} could not be recognised ({exc})"
        for req in waiting:
            _fail(req.future, DocumentError(self._name, problem))

    def _send_ocr(self, page: int, pdf: bytes, waiting: list[_Request]) -> None:
        """Give the worker a page's OCR text, then send the waiting requests again (lock held)."""
        ack: Future[Any] = Future()
        heapq.heappush(self._queue, _Request(-1, next(self._seq), "ocr_result", (page, pdf), ack))
        for req in waiting:
            heapq.heappush(self._queue, req)
        self._pump()

    def _on_exit(self, proc: Any) -> None:
        proc.join(1.0)
        code = proc.exitcode
        with self._lock:
            if self._closed or proc is not self._proc:
                return
            victims = list(self._in_flight.values())
            self._in_flight.clear()
            self._proc = self._conn = None
            name = self._name
            what = _describe_exit(code)
            self.last_crash = what
            giving_up = self.restarts >= MAX_RESTARTS
            for req in victims:
                self._free_block(req)
                outcome = "too often; giving up" if giving_up else "; it was restarted"
                doing = "" if giving_up else f" while {_doing(req)}"
                sep = "" if outcome.startswith(";") else " "
                # An open (or info) names its own file: the worker's name is still
                # "document", or the previous file's, until an open succeeds.
                who = str(req.args[0]) if req.op in ("open", "info") else name
                _fail(
                    req.future,
                    WorkerCrashed(who, f"the document engine {what}{doing}{sep}{outcome}"),
                )
            if giving_up:
                self._closed = True
                self._gave_up = f"the document engine {what} too often; giving up"
                waiting = [req for reqs in self._ocr_waiting.values() for req in reqs]
                self._ocr_waiting.clear()
                for req in [*self._queue, *waiting]:
                    if req.started or req.future.set_running_or_notify_cancel():
                        _fail(req.future, WorkerCrashed(name, self._gave_up))
                self._queue.clear()
                return
            if self._queue or self._opened is not None:
                self.restarts += 1
                self._spawn()
                self._pump()


def _settle(future: Future[Any], result: Any) -> bool:
    """Set a result unless the future is already done; True if it was set."""
    try:
        future.set_result(result)
    except Exception:  # noqa: BLE001 - InvalidStateError: cancelled or closed meanwhile
        return False
    return True


def _fail(future: Future[Any], exc: BaseException) -> None:
    with contextlib.suppress(Exception):
        if not future.done() and (future.running() or future.set_running_or_notify_cancel()):
            future.set_exception(exc)


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "stopped responding"
    if code < 0:
        return f"crashed (signal {-code})"
    return f"stopped unexpectedly (exit code {code})"


def _doing(req: _Request) -> str:
    if req.op == "render":
        return f"drawing page {req.args[0] + 1}"
    if req.op == "open":
        return "opening the document"
    if req.op == "words":
        return f"reading the words of page {req.args[0] + 1}"
    return f"working ({req.op})"


def run_once(call: Callable[[DocumentWorker], Future[Any]], timeout: float = 120.0) -> Any:
    """Run one request in a fresh worker and return its result (for the CLI)."""
    worker = DocumentWorker(max_in_flight=1).start()
    try:
        return call(worker).result(timeout)
    finally:
        worker.close()
