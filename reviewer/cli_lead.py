"""``reviewer lead …``: the team lead's commands (enrol, import, agreement, export).

Scripts depend on these names, flags and outputs. ``enrol``, ``import``,
``keys`` and ``export`` print JSON on stdout; ``agreement --json`` prints
the figures as JSON (without ``--json``, a table for people). Problems go
to stderr: exit 2 for bad input, 1 when something was refused (a rejected
or quarantined bundle, an unknown batch).
"""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer.cli import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, _problem, say
from reviewer.cli_work import _fail, _open_workspace, _print_json, _workspace
from reviewer.core.errors import ReviewerError

if TYPE_CHECKING:
    from reviewer.core.lead.report import AgreementReport

EXPORT_FORMATS = ("pii-spans", "errors", "preferences", "w3c")


def add_lead_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "lead",
        help="team lead: enrol keys, import bundles, agreement, export a dataset",
        description="Merge annotators' signed submission bundles, measure agreement and "
        "export the adjudicated dataset.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    enrol = actions.add_parser(
        "enrol",
        help="enrol an annotator's public key (from reviewer identity export)",
        description="Only bundles signed by an enrolled key are merged; others are "
        "quarantined. Prints the key id and name as JSON.",
    )
    enrol.add_argument("keyfile", type=Path, metavar="KEYFILE")
    enrol.add_argument("--name", required=True, help="the annotator's name")
    _workspace(enrol)
    enrol.set_defaults(run=run_enrol)
    revoke = actions.add_parser(
        "revoke", help="revoke an enrolled key: its later bundles are quarantined"
    )
    revoke.add_argument("key", metavar="KEY_ID|NAME")
    _workspace(revoke)
    revoke.set_defaults(run=run_revoke)
    keys = actions.add_parser("keys", help="the enrolled keys, as JSON lines")
    _workspace(keys)
    keys.set_defaults(run=run_keys)
    imp = actions.add_parser(
        "import",
        help="import submission bundles (files or folders of .rvbundle)",
        description="Each bundle is verified (structure, hashes, signature), checked against "
        "its batch, and stored in one transaction. The same bundle again changes nothing; a "
        "different bundle reusing a bundle id is rejected; an unknown or revoked signer is "
        "quarantined. Prints a JSON summary; exit 1 if any bundle was rejected, quarantined or "
        "failed (the workspace could not be written).",
    )
    imp.add_argument("files", type=Path, nargs="+", metavar="FILE|DIR")
    _workspace(imp)
    imp.set_defaults(run=run_import)
    agree = actions.add_parser(
        "agreement",
        help="pairwise span F1 (exact and overlap), Cohen's kappa and Krippendorff's alpha",
    )
    agree.add_argument("--batch", metavar="ID", help="one batch (default: every batch)")
    agree.add_argument("--json", action="store_true", help="print the figures as JSON")
    _workspace(agree)
    agree.set_defaults(run=run_agreement)
    export = actions.add_parser(
        "export",
        help="write the dataset as JSON Lines, plus a CSV summary per annotator",
        description="pii-spans: resolved spans per document (agreed + adjudicated); errors: "
        "error annotations with comments; preferences: {prompt, chosen, rejected, rationale, "
        "evidence, annotator} pairs; w3c: every accepted annotation and gold decision as W3C "
        "Web Annotations. The per-annotator summary goes to --summary (default: beside FILE "
        "as NAME.annotators.csv).",
    )
    export.add_argument("--format", required=True, choices=EXPORT_FORMATS)
    export.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    export.add_argument("--batch", metavar="ID", help="one batch (default: every batch)")
    export.add_argument("--summary", type=Path, metavar="FILE.csv")
    _workspace(export)
    export.set_defaults(run=run_export)


def run_enrol(args: argparse.Namespace) -> int:
    from reviewer.core.lead import roster

    try:
        with _open_workspace(args) as ws:
            key, changed = roster.enrol_file(ws, args.keyfile, args.name)
    except (ReviewerError, sqlite3.Error) as exc:
        return _problem("lead enrol", exc, args.keyfile)
    _print_json({"key_id": key.key_id, "name": key.name, "enrolled": changed})
    return EXIT_OK


def run_revoke(args: argparse.Namespace) -> int:
    from reviewer.core.lead import roster

    try:
        with _open_workspace(args) as ws:
            key = roster.revoke(ws, args.key)
    except (ReviewerError, sqlite3.Error) as exc:
        return _fail("lead revoke", str(exc), EXIT_FAILED)
    _print_json({"key_id": key.key_id, "name": key.name, "revoked_at": key.revoked_at})
    return EXIT_OK


def run_keys(args: argparse.Namespace) -> int:
    import json

    from reviewer.core.lead import roster

    try:
        with _open_workspace(args) as ws:
            found = roster.keys(ws)
    except (ReviewerError, sqlite3.Error) as exc:
        return _fail("lead keys", str(exc), EXIT_FAILED)
    for k in found:
        row = {"key_id": k.key_id, "name": k.name, "enrolled_at": k.enrolled_at}
        print(json.dumps({**row, "revoked_at": k.revoked_at}, ensure_ascii=False))
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    from reviewer.core.lead import merge

    files = merge.bundle_files(args.files)
    if not files:
        return _fail("lead import", "no .rvbundle files found")

    def progress(done: int, total: int, name: str) -> None:
        if name and total > 1:
            say(f"[{done + 1}/{total}] {name}")

    try:
        with _open_workspace(args) as ws:
            summary = merge.import_bundles(ws, files, progress=progress)
    except (ReviewerError, sqlite3.Error) as exc:
        return _fail("lead import", str(exc), EXIT_FAILED)
    except KeyboardInterrupt:
        say("reviewer lead import: interrupted; bundles already imported are kept")
        return EXIT_FAILED
    for o in summary.outcomes:
        if o.status in ("rejected", "quarantined", "failed"):
            say(f"reviewer lead import: {o.file}: {o.status}: {o.reason}")
    say(f"reviewer lead import: {summary.text()}")
    _print_json(summary.as_json())
    refused = sum(summary.count(s) for s in ("rejected", "quarantined", "failed"))
    return EXIT_FAILED if refused else EXIT_OK


def _report(args: argparse.Namespace, command: str) -> AgreementReport | int:
    from reviewer.core import batches
    from reviewer.core.lead import report

    try:
        with _open_workspace(args) as ws:
            if args.batch is not None and batches.batch(ws, args.batch) is None:
                return _fail(command, f"no batch {args.batch!r} in this workspace", EXIT_FAILED)
            return report.compute(ws, args.batch)
    except (ReviewerError, sqlite3.Error) as exc:
        return _fail(command, str(exc), EXIT_FAILED)


def run_agreement(args: argparse.Namespace) -> int:
    found = _report(args, "lead agreement")
    if isinstance(found, int):
        return found
    if args.json:
        _print_json(found.as_json())
    else:
        print(agreement_table(found))
    return EXIT_OK


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def agreement_table(r: AgreementReport) -> str:
    """The figures as plain text for people (``--json`` is for scripts)."""
    lines = [
        f"{len(r.annotators)} annotators, {r.documents} documents, {r.spans} spans",
        "",
        "Span F1 per pair (all labels)     exact   overlap",
    ]
    for p in r.pairs:
        exact, overlap = p.exact.get("*"), p.overlap.get("*")
        lines.append(
            f"  {p.a} / {p.b}".ljust(34)
            + f"{_figure(exact.f1 if exact else None):>6}  "
            + f"{_figure(overlap.f1 if overlap else None):>8}"
        )
    lines += ["", "Item-level labels               kappa(mean)  alpha   units"]
    for label, c in sorted(r.labels.items()):
        lines.append(
            f"  {label}".ljust(34)
            + f"{_figure(c.mean_kappa):>9}  {_figure(c.alpha):>6}  {c.units:>6}"
        )
    for name, c in (("verdicts", r.verdicts), ("preferences", r.preferences)):
        lines.append(f"{name}: alpha {_figure(c.alpha)} over {c.units} items")
    everyone = r.bias.get("*")
    if everyone is not None and everyone.choices:
        lines.append(
            f"position bias: first-shown draft won {_figure(everyone.first_share)} of "
            f"{everyone.choices} choices (chance {_figure(everyone.expected_first)})"
        )
    return "\n".join(lines)


def run_export(args: argparse.Namespace) -> int:
    from reviewer.core import batches
    from reviewer.core.atomic import write_bytes
    from reviewer.core.lead import dashboard, dataset, report, submitted
    from reviewer.core.page_texts import read_pages

    summary_path = args.summary or args.output.with_name(f"{args.output.stem}.annotators.csv")
    current: Path = args.output
    try:
        with _open_workspace(args) as ws:
            if args.batch is not None and batches.batch(ws, args.batch) is None:
                return _fail("lead export", f"no batch {args.batch!r} in this workspace", 1)
            where = submitted.scope(ws, args.batch)
            lines, result = dataset.export_lines(
                ws, args.format, where, lambda sha: read_pages(ws.blob_path(sha))
            )
            rows = dashboard.annotator_rows(ws, report.compute(ws, args.batch), args.batch)
            write_bytes(args.output, "".join(line + "\n" for line in lines).encode("utf-8"))
            current = summary_path
            write_bytes(summary_path, dataset.summary_csv(rows).encode("utf-8"))
    except (ReviewerError, OSError, sqlite3.Error, TimeoutError) as exc:
        return _problem("lead export", exc, current)
    for note in result.notes:
        say(f"reviewer lead export: {note}")
    out: dict[str, Any] = {
        "format": args.format,
        "file": args.output.name,
        "lines": result.lines,
        "undecided": result.undecided,
        "summary": summary_path.name,
        "annotators": len(rows),
    }
    _print_json(out)
    return EXIT_OK


_ = EXIT_BAD_INPUT  # exit codes are documented above; bad input comes through _problem
