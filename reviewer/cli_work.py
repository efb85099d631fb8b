"""``reviewer identity``, ``reviewer batch`` and ``reviewer bundle``: work in, work out.

Team leads' scripts depend on these names, flags and outputs: keep them so.
``identity show``, ``batch create``, ``batch list`` and ``bundle verify``
print JSON on stdout; ``batch import`` prints the batch id alone (so
``BATCH=$(reviewer batch import X.rvbatch)`` works) and a summary on stderr.
Problems go to stderr with exit 2 (bad input) or 1 (refused / failed).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer.cli import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, _problem, say
from reviewer.core.errors import ReviewerError
from reviewer.core.model import TASKS

if TYPE_CHECKING:
    from reviewer.core.batch_file import SourceDocument
    from reviewer.core.store import Workspace
    from reviewer.core.worker import DocumentWorker

WORKSPACE_HELP = "keep the workspace in DIR (default: $REVIEWER_HOME, else the user data folder)"


def add_work_parsers(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    _identity_parser(subparsers)
    _batch_parser(subparsers)
    _bundle_parser(subparsers)


def _workspace(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workspace", metavar="DIR", help=WORKSPACE_HELP)


def _identity_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "identity",
        help="your name, id and the key that signs your submissions",
        description="Set up, show or export the annotator identity: a name, an id and an "
        "Ed25519 key pair kept in the workspace (the private key readable by you only).",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    init = actions.add_parser("init", help="create your identity and signing key")
    init.add_argument("--name", required=True, help="your name as the team lead knows it")
    init.add_argument("--id", required=True, dest="annotator_id", help="your annotator id")
    init.add_argument(
        "--replace",
        action="store_true",
        help="replace an existing identity (the lead must enrol the new key)",
    )
    _workspace(init)
    init.set_defaults(run=run_identity_init)
    show = actions.add_parser("show", help="print your identity and key fingerprint as JSON")
    _workspace(show)
    show.set_defaults(run=run_identity_show)
    export = actions.add_parser("export", help="write your public key for the team lead")
    export.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    _workspace(export)
    export.set_defaults(run=run_identity_export)


def _batch_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "batch",
        help="make, import and list task batches (.rvbatch)",
        description="Task batches carry documents, items (units of work), a taxonomy and "
        "instructions from a team lead to annotators.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser(
        "create",
        help="make a task batch from documents",
        description="Write X.rvbatch: the documents (each opened once to check it), items "
        "(one per document, per page for ocr, or as --items says), the taxonomy, the "
        "instructions and, with --citations, a list of known citations. Prints the manifest "
        "summary as JSON.",
    )
    create.add_argument(
        "--docs", type=Path, nargs="+", required=True, metavar="DIR|FILE", help="documents"
    )
    create.add_argument("--task", choices=TASKS, required=True)
    create.add_argument(
        "--items",
        type=Path,
        metavar="items.jsonl",
        help='one item per line, e.g. {"id": "q1", "documents": ["a.pdf", "b.pdf"], '
        '"prompt": "..."}; documents by file name',
    )
    create.add_argument(
        "--taxonomy", required=True, metavar="ID|FILE", help="pii, legal-errors, ... or a file"
    )
    create.add_argument("--instructions", type=Path, required=True, metavar="FILE")
    create.add_argument(
        "--citations",
        type=Path,
        metavar="FILE.csv",
        help="citations known to be real, to check the documents' citations against: UTF-8 "
        "CSV with the header citation,case_name (at most 8 MiB)",
    )
    create.add_argument("--name", help="the batch's name (default: the output file's name)")
    create.add_argument("-o", "--output", type=Path, required=True, metavar="X.rvbatch")
    create.set_defaults(run=run_batch_create)
    imp = actions.add_parser(
        "import",
        help="import a task batch into the workspace; prints its id",
        description="Check every member of X.rvbatch (names, sizes, SHA-256, schemas), open "
        "each document, and store the batch and its items in one transaction. Importing the "
        "same file again changes nothing. Prints the batch id.",
    )
    imp.add_argument("file", type=Path, metavar="X.rvbatch")
    _workspace(imp)
    imp.set_defaults(run=run_batch_import)
    listing = actions.add_parser("list", help="the batches in the workspace, as JSON lines")
    _workspace(listing)
    listing.set_defaults(run=run_batch_list)
    sheet = actions.add_parser("timesheet", help="active time per item of a batch, as CSV")
    sheet.add_argument("--batch", required=True, metavar="ID")
    sheet.add_argument(
        "--segments", action="store_true", help="every counted stretch instead of per-item totals"
    )
    sheet.add_argument("-o", "--output", type=Path, metavar="FILE")
    _workspace(sheet)
    sheet.set_defaults(run=run_batch_timesheet)


def _bundle_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "bundle",
        help="export and verify signed submission bundles (.rvbundle)",
        description="A submission bundle carries a batch's annotations, item statuses, the "
        "event log and the timesheet, signed with your key.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = actions.add_parser(
        "export",
        help="write the signed submission of a batch",
        description="Refuses a batch with unfinished items unless --partial is given. "
        "Prints the manifest summary as JSON.",
    )
    export.add_argument("--batch", required=True, metavar="ID")
    export.add_argument("-o", "--output", type=Path, required=True, metavar="X.rvbundle")
    export.add_argument("--partial", action="store_true", help="export unfinished work too")
    export.add_argument(
        "--redacted",
        action="store_true",
        help="include a truly redacted, verified copy of each redact item's document",
    )
    _workspace(export)
    export.set_defaults(run=run_bundle_export)
    verify = actions.add_parser(
        "verify",
        help="check a bundle; JSON report, exit 0 only if intact",
        description="Check structure, member names, sizes and SHA-256, JSON, and the "
        "Ed25519 signature; with --pubkey also that the given key signed it. Prints a JSON "
        "report; exit 0 only for an intact bundle, 1 otherwise.",
    )
    verify.add_argument("file", type=Path, metavar="X.rvbundle")
    verify.add_argument("--pubkey", type=Path, metavar="KEY", help="the annotator's public key")
    verify.set_defaults(run=run_bundle_verify)


def _print_json(data: Any) -> None:
    # ASCII escapes: the JSON stays valid whatever encoding stdout has (cp1252 on a
    # redirected Windows console cannot print a Cyrillic member name).
    json.dump(data, sys.stdout, indent=2, ensure_ascii=True)
    sys.stdout.write("\n")


def _fail(command: str, message: str, code: int = EXIT_BAD_INPUT) -> int:
    say(f"reviewer {command}: {' '.join(message.split())}")
    return code


@contextmanager
def _open_workspace(args: argparse.Namespace) -> Iterator[Workspace]:
    from reviewer.app import actor_for
    from reviewer.core.paths import resolve
    from reviewer.core.store import Workspace

    paths = resolve(args.workspace)
    with Workspace.open(paths, actor=actor_for(paths)) as ws:
        yield ws


# -- identity -----------------------------------------------------------------------------


def run_identity_init(args: argparse.Namespace) -> int:
    from reviewer.core.identity import create_identity
    from reviewer.core.paths import resolve
    from reviewer.core.store import now

    paths = resolve(args.workspace).ensure()
    try:
        made = create_identity(
            paths.workspace, args.name, args.annotator_id, created_at=now(), replace=args.replace
        )
    except ReviewerError as exc:
        return _fail("identity init", str(exc))
    except OSError as exc:
        return _fail("identity init", f"cannot write the key: {exc.strerror or exc}")
    _print_json(made.as_json())
    return EXIT_OK


def run_identity_show(args: argparse.Namespace) -> int:
    from reviewer.core.identity import load_identity
    from reviewer.core.paths import resolve

    try:
        found = load_identity(resolve(args.workspace).workspace)
    except ReviewerError as exc:
        return _fail("identity show", str(exc))
    if found is None:
        return _fail(
            "identity show",
            "no identity yet: run reviewer identity init --name NAME --id ID",
            EXIT_FAILED,
        )
    _print_json(found.as_json())
    return EXIT_OK


def run_identity_export(args: argparse.Namespace) -> int:
    from reviewer.core.identity import export_public_key, load_identity
    from reviewer.core.paths import resolve

    try:
        found = load_identity(resolve(args.workspace).workspace)
        if found is None:
            return _fail(
                "identity export",
                "no identity yet: run reviewer identity init --name NAME --id ID",
                EXIT_FAILED,
            )
        export_public_key(found, args.output)
    except ReviewerError as exc:
        return _fail("identity export", str(exc))
    except OSError as exc:
        return _problem("identity export", exc, args.output)
    print(f"public key of {found.name} ({found.id}), key id {found.fingerprint}", file=sys.stderr)
    return EXIT_OK


# -- batches ------------------------------------------------------------------------------


def _document_files(given: list[Path]) -> list[Path]:
    from reviewer.core.formats import MEDIA_TYPES

    files: list[Path] = []
    for path in given:
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.iterdir())
                if p.is_file() and p.suffix.lower().lstrip(".") in MEDIA_TYPES
            )
        else:
            files.append(path)
    return files


def _open_source(worker: DocumentWorker, path: Path) -> SourceDocument:
    """Open a document once (a batch must not carry one that cannot be read)."""
    from reviewer.core.batch_file import SourceDocument
    from reviewer.core.blobs import sha256_file

    opened = worker.open(path).result(120)
    return SourceDocument(path, sha256_file(path), opened.page_count, opened.media_type)


def run_batch_create(args: argparse.Namespace) -> int:
    """``reviewer batch create --docs DIR|FILES --task T [--items F] --taxonomy ID|FILE ...``."""
    from reviewer.core.batch_file import (
        check_citations_csv,
        create_batch,
        default_items,
        items_from_lines,
        read_citations_file,
    )
    from reviewer.core.taxonomy import builtin_taxonomies, load_taxonomy
    from reviewer.core.worker import DocumentWorker

    files = _document_files(args.docs)
    if not files:
        return _fail("batch create", "no documents found in --docs")
    taxonomies = builtin_taxonomies()
    worker = DocumentWorker(max_in_flight=1)
    current = files[0]
    try:
        taxonomy = taxonomies.get(args.taxonomy) or load_taxonomy(Path(args.taxonomy))
        current = args.instructions
        instructions = args.instructions.read_text(encoding="utf-8")
        citations, known = None, 0
        if args.citations is not None:
            current = args.citations
            citations = read_citations_file(args.citations)
            known = check_citations_csv(citations, args.citations.name)
        sources = []
        for path in files:
            current = path
            sources.append(_open_source(worker, path))
        if args.items is not None:
            current = args.items
            lines = args.items.read_text(encoding="utf-8-sig")
            items = items_from_lines(lines, args.items.name, args.task, sources)
        else:
            items = default_items(args.task, sources)
        current = args.output
        manifest = create_batch(
            args.output,
            name=args.name or args.output.stem,
            task=args.task,
            taxonomy=taxonomy,
            instructions=instructions,
            documents=sources,
            items=items,
            citations=citations,
        )
    except (ReviewerError, OSError, UnicodeDecodeError, TimeoutError) as exc:
        return _problem("batch create", exc, current)
    finally:
        worker.close()
    _print_json(
        {
            "batch_id": manifest["batch_id"],
            "name": manifest["name"],
            "task": manifest["task"],
            "taxonomy": manifest["taxonomy_id"],
            "documents": len(manifest["documents"]),
            "items": len(items),
            "citations": known,
            "file": args.output.name,
        }
    )
    return EXIT_OK


def run_batch_import(args: argparse.Namespace) -> int:
    """``reviewer batch import X.rvbatch``: prints the batch id."""
    from reviewer.core.batch_import import import_batch

    try:
        with _open_workspace(args) as ws:
            result = import_batch(ws, args.file)
    except (ReviewerError, OSError, sqlite3.Error) as exc:
        return _problem("batch import", exc, args.file)
    print(result.batch_id)
    verb = "already imported" if result.status == "unchanged" else "imported"
    print(
        f"{verb}: {result.name} ({result.items} items, {result.documents} documents)",
        file=sys.stderr,
    )
    return EXIT_OK


def run_batch_list(args: argparse.Namespace) -> int:
    from reviewer.core import batches

    try:
        with _open_workspace(args) as ws:
            rows = []
            for b in batches.batches(ws):
                done = batches.progress(ws, b.id)
                rows.append(
                    {
                        "batch_id": b.id,
                        "name": b.name,
                        "task": b.task,
                        "taxonomy": b.taxonomy_id,
                        "imported_at": b.imported_at,
                        "progress": dataclasses.asdict(done),
                    }
                )
    except (ReviewerError, sqlite3.Error) as exc:
        return _fail("batch list", str(exc))
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))
    return EXIT_OK


def run_batch_timesheet(args: argparse.Namespace) -> int:
    from reviewer.cli import _write_output
    from reviewer.core import batches, timesheet

    try:
        with _open_workspace(args) as ws:
            batches.require_batch(ws, args.batch)
            if args.segments:
                text = timesheet.segments_csv(timesheet.segments(ws, args.batch))
            else:
                text = timesheet.timesheet_csv(timesheet.timesheet(ws, args.batch))
    except (ReviewerError, sqlite3.Error) as exc:
        return _fail("batch timesheet", str(exc))
    try:
        _write_output(text, args.output)
    except OSError as exc:
        return _problem("batch timesheet", exc, args.output or Path("stdout"))
    return EXIT_OK


# -- bundles ------------------------------------------------------------------------------


def run_bundle_export(args: argparse.Namespace) -> int:
    """``reviewer bundle export --batch ID -o X.rvbundle [--partial]``."""
    from reviewer.core.batch_import import scratch_folder
    from reviewer.core.bundle import UnfinishedWork, export_bundle
    from reviewer.core.bundle_redactions import make_copies, plan_copies

    scratch: Path | None = None
    try:
        with _open_workspace(args) as ws:
            copies = []
            if args.redacted:
                scratch = scratch_folder(ws.paths.cache)
                copies = make_copies(plan_copies(ws, args.batch), scratch)
            manifest = export_bundle(
                ws, args.batch, args.output, partial=args.partial, redacted=copies
            )
    except UnfinishedWork as exc:
        return _fail("bundle export", str(exc), EXIT_FAILED)
    except (ReviewerError, OSError, sqlite3.Error, TimeoutError) as exc:
        return _problem("bundle export", exc, args.output)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    _print_json(
        {
            "bundle_id": manifest["bundle_id"],
            "batch_id": manifest["batch_id"],
            "annotator": manifest["annotator"],
            "key_id": manifest["key_id"],
            "partial": manifest["partial"],
            "counts": manifest["counts"],
            "redacted": [m["name"] for m in manifest["members"] if m["name"].endswith(".pdf")],
            "file": args.output.name,
        }
    )
    return EXIT_OK


def run_bundle_verify(args: argparse.Namespace) -> int:
    """``reviewer bundle verify X.rvbundle [--pubkey KEY]``: JSON report, 0 only if intact."""
    from reviewer.core.bundle import verify_report
    from reviewer.core.identity import read_public_key

    key = None
    if args.pubkey is not None:
        try:
            key = read_public_key(args.pubkey)
        except ReviewerError as exc:
            return _fail("bundle verify", str(exc))
    report = verify_report(args.file, public_key=key)
    _print_json(report)
    if not report["ok"]:
        return _fail("bundle verify", report["message"], EXIT_FAILED)
    return EXIT_OK
