"""``reviewer citations FILE``: the offline citation check, one JSON object per line.

The document is read in a worker process, as ``reviewer scan`` does, so
PyMuPDF never runs in this process (a hostile file can crash MuPDF, not the
command). The checking itself is :mod:`reviewer.core.citations`.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer.cli import EXIT_BAD_INPUT, EXIT_OK, _problem, say
from reviewer.core.errors import DocumentError, PasswordRequired, ReviewerError
from reviewer.core.formats import TEXT_SUFFIXES

if TYPE_CHECKING:
    from reviewer.core.worker import DocumentWorker

#: How long the worker may take to read every page (scans are recognised by OCR first,
#: 1-4 s a page).
READ_TIMEOUT = 600.0


def add_citations_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "citations",
        help="check the case citations in a document (offline)",
        description="Find the legal citations in FILE (a PDF, or a text or Markdown file) "
        "and check each offline: unknown reporters, impossible volumes and pages, a year "
        "outside the reporter's years, a court the reporter does not print, short forms "
        "and Id. with nothing to refer to, one citation under two case names and, with "
        "--known, citations missing from a checked list or given there under another "
        "name. Prints one JSON object per citation and per problem: page (from 1), start "
        "and end (offsets in that page's text), text, issue (null when the citation shows "
        "no problem) and reason. Exit 0 when the check ran, whatever it found; 2 when FILE "
        "or the list cannot be read.",
    )
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument(
        "--known",
        type=Path,
        metavar="CSV",
        help="citations someone has checked: a CSV file with the header citation,case_name",
    )
    parser.add_argument("--password", metavar="PW", help="password of an encrypted PDF")
    parser.set_defaults(run=run_citations)


def run_citations(args: argparse.Namespace) -> int:
    """``reviewer citations FILE [--known CSV] [--password PW]``."""
    from reviewer.core.citations import check_pages, load_known

    path: Path = args.file
    known = None
    if args.known is not None:
        try:
            known = load_known(args.known)
        except ReviewerError as exc:
            say(f"reviewer citations: {' '.join(str(exc).split())}")
            return EXIT_BAD_INPUT
    try:
        pages = read_pages(path, args.password)
    except (ReviewerError, OSError, TimeoutError) as exc:
        return _problem("citations", exc, path)
    for finding in check_pages(pages, known):
        sys.stdout.write(json.dumps(finding.as_json(), ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return EXIT_OK


def read_pages(path: Path, password: str | None = None) -> list[str]:
    """The text of each page of ``path``, read by a document worker.

    A text or Markdown file PyMuPDF cannot open is read here as one page.
    """
    from reviewer.core.worker import run_once

    try:
        found = run_once(lambda worker: _page_texts(worker, path, password), READ_TIMEOUT)
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


def _page_texts(worker: DocumentWorker, path: Path, password: str | None) -> Future[Any]:
    """Open ``path`` in the worker and ask for every page's text: a future of (page, text)."""
    from reviewer.core.ocr import no_ocr_message

    opened = worker.open(path, password).result(120)
    sources = worker.sources().result(120)
    if sources.unreadable_pages:
        say(f"reviewer citations: warning: {no_ocr_message(path.name, sources)}")
    return worker.text(range(opened.page_count))
