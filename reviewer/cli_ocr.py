"""``reviewer ocr-text``: the corrected text of a stored document, page by page.

The text comes from a document worker (the same page text and OCR the
window shows, never PyMuPDF in this process) with the workspace's
``correction`` and ``illegible`` annotations applied
(:mod:`reviewer.core.ocr_review`).
"""

from __future__ import annotations

import argparse
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.cli import (
    EXIT_FAILED,
    EXIT_OK,
    _annotation_options,
    _problem,
    _write_output,
    say,
)
from reviewer.core.errors import ReviewerError

if TYPE_CHECKING:
    from reviewer.core.model import Document
    from reviewer.core.store import Workspace

COMMAND = "ocr-text"
#: Shortest SHA-256 prefix accepted for a document (as ``git`` takes abbreviated ids).
MIN_PREFIX = 8
_HEX = re.compile(r"[0-9a-fA-F]+")


def add_ocr_text_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        COMMAND,
        help="export the corrected text of a stored document (OCR corrections applied)",
        description="Write the text of a document in the workspace with its OCR review "
        "applied: each correction replaces what OCR read, an illegible line reads "
        "[illegible], a line corrected to nothing is left out. Plain text separates pages "
        'with a form feed; JSON Lines writes one {"page", "text", "corrections", '
        '"unplaced"} object per page (pages 1-based). Scanned pages are recognised again '
        "with Tesseract, as in the window. Exit 0: written; 1: written, but some pages "
        "could not be read; 2: unknown document, bad page, or unreadable workspace.",
    )
    parser.add_argument(
        "document",
        metavar="DOCUMENT",
        help="the document's SHA-256 (or its first 8+ characters), or the document file",
    )
    parser.add_argument("--page", type=int, metavar="N", help="only page N (1-based)")
    parser.add_argument(
        "--format",
        choices=("text", "jsonl"),
        help="text or jsonl (default: jsonl when -o ends in .jsonl, else text)",
    )
    parser.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of stdout"
    )
    _annotation_options(parser)
    parser.set_defaults(run=run_ocr_text)


class _Unknown(ReviewerError):
    """The document named on the command line is not in the workspace."""


def find_document(ws: Workspace, name: str) -> Document:
    """The stored document ``name`` means: a SHA-256 or a unique prefix of one, or a file."""
    from reviewer.core.blobs import sha256_file

    path = Path(name)
    if path.is_file():
        document = ws.document(sha256_file(path))
        if document is None:
            raise _Unknown(
                f"{path.name} is not in the workspace (open it in the app, or import "
                "the batch that brings it, first)"
            )
        return document
    if len(name) >= MIN_PREFIX and _HEX.fullmatch(name):
        wanted = name.lower()
        found = [d for d in ws.documents() if d.sha256.startswith(wanted)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise _Unknown(f"{name} is the start of {len(found)} documents' SHA-256; give more")
        raise _Unknown(f"no document in the workspace has the SHA-256 {name}")
    raise _Unknown(
        f"{name} is neither a file nor the SHA-256 of a document in the workspace "
        f"(at least {MIN_PREFIX} hexadecimal characters)"
    )


def run_ocr_text(args: argparse.Namespace) -> int:
    """``reviewer ocr-text DOCUMENT [--page N] [--format text|jsonl] [-o FILE]``."""
    from reviewer.app import actor_for
    from reviewer.core.formats import filetype_for
    from reviewer.core.interchange import WorkerPages
    from reviewer.core.ocr_review import corrected_pages, format_for, format_pages
    from reviewer.core.paths import resolve
    from reviewer.core.store import Workspace
    from reviewer.core.worker import DocumentWorker

    name = Path(args.document)
    fmt = args.format or (format_for(args.output) if args.output is not None else "text")
    worker = DocumentWorker(max_in_flight=2)
    try:
        paths = resolve(args.workspace)
        with Workspace.open(paths, actor=actor_for(paths)) as ws:
            document = find_document(ws, args.document)
            name = Path(document.original_name or document.sha256)
            if args.page is not None and not 1 <= args.page <= document.page_count:
                raise _Unknown(
                    f"page {args.page} is not in {name} (it has {document.page_count} pages)"
                )
            wanted = [args.page - 1] if args.page is not None else list(range(document.page_count))
            blob = ws.blob_path(document.sha256)
            worker.open(blob, args.password, filetype_for(document.media_type)).result(120)
            pages = WorkerPages(worker, document.page_count, timeout=300)
            pages.prefetch(wanted)
            corrected = corrected_pages(ws, document.sha256, (pages.layer(p) for p in wanted))
    except (ReviewerError, OSError, TimeoutError, sqlite3.Error) as exc:
        return _problem(COMMAND, exc, name)
    finally:
        worker.close()
    unread = [p.page + 1 for p in corrected if p.source == "image"]
    for page in corrected:
        if page.unplaced:
            say(
                f"reviewer {COMMAND}: page {page.page + 1}: {len(page.unplaced)} mark(s) whose "
                "text is no longer on the page were not applied"
            )
    if unread:
        shown = ", ".join(map(str, unread))
        say(
            f"reviewer {COMMAND}: {name}: page(s) {shown} are scans OCR cannot read here "
            "(is Tesseract installed with its language data?); their text is empty"
        )
    try:
        _write_output(format_pages(corrected, fmt), args.output)
    except OSError as exc:
        return _problem(COMMAND, exc, args.output or Path("stdout"))
    return EXIT_FAILED if unread else EXIT_OK
