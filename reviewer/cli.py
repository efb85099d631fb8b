"""Command-line sub-commands that need no window.

Each prints machine-readable output on stdout and problems on stderr, and
exits non-zero on failure, so team leads can script them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.core.atomic import write_bytes
from reviewer.core.blobs import sha256_file
from reviewer.core.errors import PasswordRequired, ReviewerError
from reviewer.core.worker import run_once

if TYPE_CHECKING:
    from reviewer.core.model import Document
    from reviewer.core.store import Workspace
    from reviewer.core.worker import DocumentWorker

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


def add_annotations_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "annotations",
        help="export or import a document's annotations as W3C Web Annotations",
        description="Exchange annotations with other tools as W3C Web Annotations "
        "(JSON-LD, or JSON Lines with one annotation per line).",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = actions.add_parser(
        "export",
        help="write a document's annotations (W3C AnnotationCollection or JSON Lines)",
        description="Write the annotations of document DOC in reading order: a W3C "
        "AnnotationCollection (--format w3c) or one Annotation per line (--format jsonl). "
        "Deleted annotations are left out.",
    )
    export.add_argument("document", type=Path, metavar="DOC", help="the document file")
    export.add_argument("--format", choices=("w3c", "jsonl"), default="w3c")
    export.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of stdout"
    )
    _annotation_options(export)
    export.set_defaults(run=run_annotations_export)
    imp = actions.add_parser(
        "import",
        help="add annotations from a W3C Web Annotation file to a document",
        description="Anchor every annotation of FILE (AnnotationPage, AnnotationCollection, "
        "JSON array or JSON Lines) in document DOC and store them in one transaction. Prints "
        'a JSON summary {"stored", "unchanged", "rejected"}. Exit 0: all imported or already '
        "there; 1: some were rejected (e.g. quote not found), the rest stored; 2: malformed "
        "input or unreadable document, nothing stored.",
    )
    imp.add_argument("document", type=Path, metavar="DOC", help="the document file")
    imp.add_argument("file", type=Path, metavar="FILE", help="the annotation file")
    _annotation_options(imp)
    imp.set_defaults(run=run_annotations_import)


def add_scan_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "scan",
        help="suggest PII in documents or texts",
        description="Print PII suggestions, one JSON object per line (or a table): for "
        "documents, page, character offsets in that page's extracted text, text, label, "
        "score, detector, reason and quads in PDF points; with --text-jsonl, offsets into "
        "each input line's text.",
    )
    parser.add_argument("files", type=Path, nargs="*", metavar="FILE")
    parser.add_argument(
        "--text-jsonl",
        type=Path,
        metavar="IN.jsonl",
        help='scan texts instead: each line {"id": ..., "text": ...}',
    )
    parser.add_argument("--format", choices=("jsonl", "table"), default="jsonl")
    parser.add_argument(
        "--min-score",
        type=float,
        default=None,
        metavar="S",
        help="report suggestions scoring at least S (default: the app's threshold)",
    )
    parser.add_argument("--password", metavar="PW", help="password of encrypted PDFs")
    parser.set_defaults(run=run_scan)


def run_scan(args: argparse.Namespace) -> int:
    """``reviewer scan FILE... | --text-jsonl IN.jsonl [--format jsonl|table] [--min-score S]``."""
    from reviewer.core.pii.engine import DEFAULT_MIN_SCORE

    min_score = DEFAULT_MIN_SCORE if args.min_score is None else args.min_score
    if bool(args.files) == bool(args.text_jsonl):
        print("reviewer scan: give document FILEs or --text-jsonl IN.jsonl", file=sys.stderr)
        return EXIT_BAD_INPUT
    out = _ScanOutput(args.format)
    if args.text_jsonl:
        status = _scan_text_lines(args.text_jsonl, min_score, out)
    else:
        status = EXIT_OK
        for path in args.files:
            status = max(status, _scan_document(path, args.password, min_score, out))
    out.finish()
    return status


class _ScanOutput:
    """JSON Lines as suggestions come (a long document streams), or one table at the end."""

    COLUMNS = ("file", "id", "page", "start", "end", "label", "score", "detector", "text", "reason")

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.rows: list[dict[str, object]] = []

    def emit(self, row: dict[str, object]) -> None:
        if self.fmt == "jsonl":
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            self.rows.append(row)

    def finish(self) -> None:
        if self.fmt != "table" or not self.rows:
            sys.stdout.flush()
            return
        columns = [c for c in self.COLUMNS if any(c in r for r in self.rows)]
        cells = [[" ".join(str(r.get(c, "")).split()) for c in columns] for r in self.rows]
        widths = [
            min(48, max(len(c), *(len(row[i]) for row in cells))) for i, c in enumerate(columns)
        ]
        print("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)))
        for row in cells:
            print("  ".join(v[:w].ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def _scan_document(path: Path, password: str | None, min_score: float, out: _ScanOutput) -> int:
    from reviewer.core.ocr import no_ocr_message
    from reviewer.core.worker import DocumentWorker

    worker = DocumentWorker(max_in_flight=4)
    try:
        opened = worker.open(path, password).result(120)
        sources = worker.sources().result(120)
        if sources.unreadable_pages:
            print(f"reviewer scan: warning: {no_ocr_message(str(path), sources)}", file=sys.stderr)
        pending = [worker.scan(p, min_score=min_score) for p in range(opened.page_count)]
        for future in pending:
            for found in future.result(120):
                out.emit(found.as_json(str(path)))
    except (ReviewerError, OSError, TimeoutError) as exc:
        sys.stdout.flush()
        return _problem("scan", exc, path)
    finally:
        worker.close()
    return EXIT_OK


def _scan_text_lines(source: Path, min_score: float, out: _ScanOutput) -> int:
    """Each line {"id", "text"}; a bad line is reported (number, reason) and skipped."""
    from reviewer.core.pii.engine import scan_text

    try:
        # "\n" only: splitlines() also cuts at U+2028 and friends, which JSON
        # allows unescaped inside strings (as the annotation import knows too).
        lines = source.read_text(encoding="utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        return _problem("scan", exc, source)
    status = EXIT_OK
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError('expected an object with a string "text"')
        except ValueError as exc:
            print(f"reviewer scan: {source.name} line {number}: {exc}", file=sys.stderr)
            status = EXIT_BAD_INPUT
            continue
        for s in scan_text(item["text"], min_score=min_score):
            out.emit({"id": item.get("id"), **s.as_json()})
    return status


def _annotation_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--password", metavar="PW", help="password of an encrypted PDF")
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        help="keep the workspace in DIR (default: $REVIEWER_HOME, else the user data folder)",
    )


def _problem(command: str, exc: BaseException, path: Path) -> int:
    """One line on stderr naming the file and the problem; the exit code for bad input."""
    if isinstance(exc, PasswordRequired):
        hint = "" if exc.wrong_password else " (give it with --password)"
        message = f"{exc}{hint}"
    elif isinstance(exc, ReviewerError):
        message = str(exc)
    elif isinstance(exc, UnicodeDecodeError):
        message = f"{path.name}: not UTF-8 text (byte {exc.start})"
    elif isinstance(exc, OSError):
        message = f"{path.name}: {exc.strerror or exc}"
    elif isinstance(exc, TimeoutError):
        message = f"{path.name}: the document engine did not answer in time"
    elif isinstance(exc, sqlite3.Error):
        message = f"the workspace could not be read or written, nothing was changed: {exc}"
    else:
        message = f"{path.name}: {exc}"
    say(f"reviewer {command}: {' '.join(message.split())}")
    return EXIT_BAD_INPUT


def say(line: str) -> None:
    """A line on stderr that prints whatever its encoding (names from files may not)."""
    encoding = sys.stderr.encoding or "utf-8"
    print(line.encode(encoding, "backslashreplace").decode(encoding), file=sys.stderr)


def _open_in_worker(
    ws: Workspace, worker: DocumentWorker, path: Path, password: str | None
) -> Document:
    """Open DOC in the worker (validating it) and add it to the workspace if it is new."""
    opened = worker.open(path, password).result(120)
    return ws.add_document(
        path,
        page_count=opened.page_count,
        title=opened.title,
        media_type=opened.media_type,
        sha256=sha256_file(path),
    )


def _write_output(text: str, output: Path | None) -> None:
    data = text.encode("utf-8")
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_bytes(output, data)


def run_annotations_export(args: argparse.Namespace) -> int:
    """``reviewer annotations export DOC [--format w3c|jsonl] [-o FILE]``."""
    from reviewer.app import actor_for
    from reviewer.core.interchange import export_document
    from reviewer.core.paths import resolve
    from reviewer.core.store import Workspace
    from reviewer.core.worker import DocumentWorker

    path: Path = args.document
    try:
        sha = sha256_file(path)
        paths = resolve(args.workspace)
        with Workspace.open(paths, actor=actor_for(paths)) as ws:
            if ws.document(sha) is None:  # new here: validate it and add it first
                worker = DocumentWorker(max_in_flight=1)
                try:
                    _open_in_worker(ws, worker, path, args.password)
                finally:
                    worker.close()
            text = export_document(ws, sha, args.format)
    except (ReviewerError, OSError, TimeoutError, sqlite3.Error) as exc:
        return _problem("annotations export", exc, path)
    try:
        _write_output(text, args.output)
    except OSError as exc:
        return _problem("annotations export", exc, args.output or Path("stdout"))
    return EXIT_OK


def run_annotations_import(args: argparse.Namespace) -> int:
    """``reviewer annotations import DOC FILE``: anchor, store, print a JSON summary."""
    from reviewer.app import actor_for  # the GUI's actor, so the event log agrees
    from reviewer.core.batches import item_for_document
    from reviewer.core.interchange import (
        InterchangeError,
        WorkerPages,
        import_annotations,
        pages_needed,
        parse_annotations,
    )
    from reviewer.core.paths import resolve
    from reviewer.core.store import Workspace
    from reviewer.core.worker import DocumentWorker

    source: Path = args.file
    try:
        parsed = parse_annotations(source.read_text(encoding="utf-8-sig"), origin="imported")
    except InterchangeError as exc:
        summary = {
            "stored": 0,
            "unchanged": 0,
            "rejected": [{"where": w, "reason": r} for w, r in exc.problems],
        }
        json.dump(summary, sys.stdout, indent=2)
        sys.stdout.write("\n")
        print(f"reviewer annotations import: {source.name}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (OSError, UnicodeDecodeError) as exc:
        return _problem("annotations import", exc, source)
    path: Path = args.document
    worker = DocumentWorker()
    try:
        paths = resolve(args.workspace)
        with Workspace.open(paths, actor=actor_for(paths)) as ws:
            document = _open_in_worker(ws, worker, path, args.password)

            # Batch work: each annotation belongs to the item of the page it lands on
            # (ocr items are per page) and travels in that item's bundle.
            def item_for_page(page: int, sha: str = document.sha256) -> str | None:
                work = item_for_document(ws, sha, page)
                return None if work is None else work.id

            batch_work = item_for_document(ws, document.sha256) is not None
            pages = WorkerPages(worker, document.page_count)
            pages.prefetch(pages_needed(parsed, document.page_count))
            report = import_annotations(
                ws,
                document,
                parsed,
                pages.texts,
                pages.layers,
                item_for_page=item_for_page if batch_work else None,
            )
    except (ReviewerError, OSError, TimeoutError, sqlite3.Error) as exc:
        return _problem("annotations import", exc, path)
    finally:
        worker.close()
    json.dump(report.summary(), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return EXIT_FAILED if report.rejected else EXIT_OK
