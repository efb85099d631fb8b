"""``reviewer citations FILE``: the offline citation check, one JSON object per line.

The document is read in a worker process, as ``reviewer scan`` does, so
PyMuPDF never runs in this process (a hostile file can crash MuPDF, not the
command). The checking itself is :mod:`reviewer.core.citations`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from reviewer.cli import EXIT_BAD_INPUT, EXIT_OK, _problem, say
from reviewer.core.errors import ReviewerError


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
    """The text of each page of ``path`` (:func:`reviewer.core.page_texts.read_pages`)."""
    from reviewer.core.page_texts import read_pages as read

    return read(path, password, warn=lambda text: say(f"reviewer citations: warning: {text}"))
