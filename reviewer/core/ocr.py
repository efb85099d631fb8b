"""OCR of scanned pages: Tesseract through PyMuPDF, in a process of its own.

A page with no text layer (a scan) has no words to select, search or scan
for PII. When Tesseract's language data is installed, such a page is drawn
in grey by the document worker and recognised here: MuPDF's ``pdfocr``
writer turns the image into a one-page PDF whose invisible text carries
Tesseract's words and boxes, and the worker builds the page's text from
that PDF exactly as it would from a born-digital page.

Why a process and not the document worker: recognising one page takes
1–4 s here. Done in the worker, it held up every page waiting to be drawn
for that long; here the worker goes on drawing while Tesseract reads. The
OCR process only ever sees pixels, never the document, so every PyMuPDF
call for a document still happens in its one worker.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import multiprocessing
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

#: Resolution pages are drawn at for Tesseract (its accuracy drops below ~250).
OCR_DPI = 300
#: Tesseract language (``eng.traineddata``); several join with "+".
OCR_LANGUAGE = "eng"


@dataclass(frozen=True)
class OcrImage:
    """A page drawn for OCR: 8-bit grey rows of ``width`` bytes, at ``dpi``."""

    page: int
    width: int
    height: int
    dpi: int
    pixels: bytes | bytearray


@dataclass(frozen=True)
class TextSources:
    """Where a document's text comes from, page by page (the worker's ``sources``)."""

    page_count: int
    image_pages: tuple[int, ...]  # pages with no text layer (scans)
    ocr_available: bool
    ocr_problem: str = ""  # why OCR is unavailable, for the user

    @property
    def unreadable_pages(self) -> tuple[int, ...]:
        """Pages whose text cannot be had: scans, when there is no OCR."""
        return () if self.ocr_available else self.image_pages


def describe_pages(pages: tuple[int, ...] | list[int]) -> str:
    """ "page 3", "pages 1–8", "pages 1, 4 and 6–9" (1-based, for messages)."""
    runs: list[tuple[int, int]] = []
    for p in sorted(pages):
        if runs and p == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], p)
        else:
            runs.append((p, p))
    parts = [f"{a + 1}" if a == b else f"{a + 1}–{b + 1}" for a, b in runs]
    if len(pages) == 1:
        return f"page {parts[0]}"
    if len(parts) == 1:
        return f"pages {parts[0]}"
    return f"pages {', '.join(parts[:-1])} and {parts[-1]}"


def no_ocr_message(name: str, sources: TextSources) -> str:
    """The one clear message shown when scanned pages cannot be read."""
    pages = describe_pages(sources.unreadable_pages)
    return (
        f"{name}: {pages} {'is a' if len(sources.unreadable_pages) == 1 else 'are'} "
        f"scanned image{'' if len(sources.unreadable_pages) == 1 else 's'} with no text, "
        f"and text recognition (OCR) is unavailable: {sources.ocr_problem}. "
        "Their text cannot be selected, searched or scanned for PII; marking areas "
        "still works. Install Tesseract (on Debian or Ubuntu: apt-get install "
        "tesseract-ocr) and reopen the document to read them."
    )


class OcrEngine:
    """Client of one OCR process, started on first use; thread-safe.

    Pages are recognised one at a time, most urgent first (the page the
    user is selecting on before the background index). Only the page
    being read is sent: a page image is ~8 MB, and a second one written
    while Tesseract works would block the writer until it finished.
    Results arrive as futures of PDF bytes (the page with its invisible
    OCR text).
    """

    def __init__(self, language: str = OCR_LANGUAGE) -> None:
        self.language = language
        self._ctx = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._proc: Any = None
        self._conn: Connection | None = None
        self._queue: list[tuple[int, int, OcrImage, str, Future[bytes]]] = []  # a heap
        self._seq = itertools.count()
        self._current: Future[bytes] | None = None
        self._closed = False

    def recognise(self, image: OcrImage, tessdata: str, priority: int = 0) -> Future[bytes]:
        future: Future[bytes] = Future()
        future.set_running_or_notify_cancel()
        with self._lock:
            if self._closed:
                future.set_exception(RuntimeError("text recognition was stopped"))
                return future
            heapq.heappush(self._queue, (priority, next(self._seq), image, tessdata, future))
            self._send_next()
        return future

    def close(self) -> None:
        with self._lock:
            self._closed = True
            proc, conn = self._proc, self._conn
            self._proc = self._conn = None
        if conn is not None:
            with contextlib.suppress(OSError, ValueError):
                conn.send(None)
        if proc is not None:
            proc.join(2.0)
            if proc.is_alive():
                proc.kill()
                proc.join(2.0)
        # Closed only once the process is gone: the reader thread then sees EOF.
        # Closing it under a blocked recv() made the reader raise TypeError.
        if conn is not None:
            conn.close()
        self._fail_all("text recognition was stopped")

    def _send_next(self) -> None:
        """Send the next page if Tesseract is idle (lock held)."""
        if self._current is not None or not self._queue or self._closed:
            return
        if self._proc is None or not self._proc.is_alive():
            self._start()
        _, _, image, tessdata, future = heapq.heappop(self._queue)
        self._current = future
        try:
            assert self._conn is not None
            self._conn.send((image, self.language, tessdata))
        except (OSError, ValueError):
            pass  # the reader sees the process gone and fails what waits

    def _start(self) -> None:
        parent, child = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(target=_serve, args=(child,), daemon=True, name="reviewer-ocr")
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent
        threading.Thread(
            target=self._read_loop, args=(parent, proc), name="reviewer-ocr-reader", daemon=True
        ).start()

    def _read_loop(self, conn: Connection, proc: Any) -> None:
        while True:
            try:
                ok, payload = conn.recv()
            except (EOFError, OSError):
                break
            with self._lock:
                future, self._current = self._current, None
                self._send_next()
            if future is None:
                continue
            if ok:
                future.set_result(payload)
            else:
                future.set_exception(RuntimeError(payload))
        proc.join(1.0)
        with self._lock:
            if proc is self._proc:
                self._proc = self._conn = None
        self._fail_all(f"the OCR process stopped (exit code {proc.exitcode})")

    def _fail_all(self, why: str) -> None:
        with self._lock:
            waiting = [entry[-1] for entry in self._queue]
            if self._current is not None:
                waiting.append(self._current)
            self._queue.clear()
            self._current = None
        for future in waiting:
            with contextlib.suppress(Exception):
                future.set_exception(RuntimeError(why))


def _serve(conn: Connection) -> None:
    """The OCR process: pixels in, a one-page PDF with invisible text out."""
    import pymupdf

    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    try:
        while True:
            message = conn.recv()
            if message is None:
                return
            image, language, tessdata = message
            try:
                conn.send((True, recognise_pixels(image, language, tessdata)))
            except (EOFError, OSError):
                raise
            except Exception as exc:  # noqa: BLE001 - relayed to the waiting request
                conn.send((False, f"Tesseract failed on page {image.page + 1}: {exc}"))
    except (EOFError, OSError):
        pass
    finally:
        conn.close()


def recognise_pixels(image: OcrImage, language: str, tessdata: str) -> bytes:
    """Tesseract on one page image; MuPDF's OCR writer needs RGB, so grey is widened here."""
    import pymupdf

    grey = pymupdf.Pixmap(pymupdf.csGRAY, image.width, image.height, bytes(image.pixels), False)
    rgb = pymupdf.Pixmap(pymupdf.csRGB, grey)
    rgb.set_dpi(image.dpi, image.dpi)
    return bytes(rgb.pdfocr_tobytes(compress=True, language=language, tessdata=tessdata))
