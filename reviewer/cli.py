"""Command-line sub-commands that need no window.

Each prints machine-readable output on stdout and problems on stderr, and
exits non-zero on failure, so team leads can script them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from reviewer.core.blobs import sha256_file
from reviewer.core.errors import PasswordRequired, ReviewerError
from reviewer.core.worker import run_once

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def add_info_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "info",
        help="describe a document as JSON",
        description="Print a document's pages, format, encryption, text layer per page, and "
        "whether it carries annotations, form fields, embedded files or JavaScript, as JSON.",
    )
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument("--password", metavar="PW", help="password of an encrypted PDF")
    parser.set_defaults(run=run_info)


def run_info(args: argparse.Namespace) -> int:
    """``reviewer info FILE [--password PW]``: read in the worker process, print JSON."""
    path: Path = args.file
    try:
        info = run_once(lambda worker: worker.info(path, args.password))
        info = dataclasses.replace(info, sha256=sha256_file(path))
    except PasswordRequired as exc:
        hint = "" if exc.wrong_password else " (give it with --password)"
        print(f"reviewer info: {exc}{hint}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ReviewerError as exc:
        print(f"reviewer info: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"reviewer info: {path.name}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    data = dataclasses.asdict(info)
    data["pages_with_text"] = sum(1 for page in info.pages if page.has_text)
    json.dump(data, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return EXIT_OK
