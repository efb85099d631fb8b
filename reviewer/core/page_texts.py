"""Every page's text of a file, read by a document worker (PyMuPDF never runs here).

The citation check and the lead's preference export both need a whole
document's text outside the window. Scans are recognised by OCR first (1-4 s
a page); without Tesseract's data they have no text, and ``warn`` is told so.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer.core.errors import DocumentError, PasswordRequired
from reviewer.core.formats import TEXT_SUFFIXES

if TYPE_CHECKING:
    from reviewer.core.worker import DocumentWorker

#: How long the worker may take to read every page.
READ_TIMEOUT = 600.0


def read_pages(
    path: Path,
    password: str | None = None,
    *,
    warn: Callable[[str], None] | None = None,
) -> list[str]:
    """The text of each page of ``path``.

    A text or Markdown file PyMuPDF cannot open is read here as one page.
    """
    from reviewer.core.worker import run_once

    try:
        found = run_once(lambda worker: _page_texts(worker, path, password, warn), READ_TIMEOUT)
        return [text for _page, text in sorted(found)]
    except DocumentError as exc:
        if isinstance(exc, PasswordRequired) or path.suffix.lower() not in TEXT_SUFFIXES:
            raise
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            raise exc from None
        if not text.strip():
            raise
        return [text]


def _page_texts(
    worker: DocumentWorker,
    path: Path,
    password: str | None,
    warn: Callable[[str], None] | None,
) -> Future[Any]:
    """Open ``path`` in the worker and ask for every page's text: a future of (page, text)."""
    from reviewer.core.ocr import no_ocr_message

    opened = worker.open(path, password).result(120)
    sources = worker.sources().result(120)
    if sources.unreadable_pages and warn is not None:
        warn(no_ocr_message(path.name, sources))
    return worker.text(range(opened.page_count))
