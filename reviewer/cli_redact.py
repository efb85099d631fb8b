"""``reviewer redact``, ``reviewer verify-redaction`` and ``reviewer check-redactions``.

Independent checks depend on these names, flags and outputs: keep them so.
Every PyMuPDF call runs in a worker process (``run_once``), so a hostile
PDF that crashes MuPDF ends with a message naming the file, not a core dump.
Reports never contain the redacted text.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer.cli import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, _problem
from reviewer.core.errors import ReviewerError
from reviewer.core.worker import run_once

if TYPE_CHECKING:
    from reviewer.core.redaction.plan import RedactionBox, RedactionPlan

#: Redacting and verifying a long document (flattened, say) takes minutes, not seconds.
TIMEOUT = 1800.0


class BadInput(ReviewerError):
    """A terms, areas or annotations file that cannot be used; names the file and the line."""


def add_redaction_parsers(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    redact = subparsers.add_parser(
        "redact",
        help="export a truly redacted PDF, verified",
        description="Redact IN.pdf into OUT.pdf: text, image pixels and line art under each "
        "box are removed, annotations, form fields, metadata, attachments, outline, layers "
        "and scripts are stripped, and the output is verified independently before it is "
        "moved into place. Exit 0 only when verification passed; 1 when it failed (no file "
        "is written); 2 for bad input.",
    )
    redact.add_argument("file", type=Path, metavar="IN.pdf")
    redact.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.pdf")
    redact.add_argument(
        "--annotations",
        type=Path,
        metavar="FILE.jsonl",
        help="accepted PII annotations exported by 'reviewer annotations export'",
    )
    redact.add_argument("--terms", type=Path, metavar="FILE", help="one string per line")
    redact.add_argument(
        "--areas", type=Path, metavar="FILE.json", help='[{"page": N, "rect": [x0,y0,x1,y1]}]'
    )
    redact.add_argument(
        "--flatten", action="store_true", help="turn redacted pages into images (no text)"
    )
    redact.add_argument("--dpi", type=int, default=150, help="resolution of flattened pages")
    redact.add_argument(
        "--label", default="", metavar="TEXT", help='text in each box, e.g. "REDACTED"'
    )
    redact.add_argument("--report", type=Path, metavar="R.json", help="where the report goes")
    redact.add_argument("--password", metavar="PW", help="password of an encrypted PDF")
    redact.set_defaults(run=run_redact)

    verify = subparsers.add_parser(
        "verify-redaction",
        help="check that nothing redacted can be recovered from a PDF",
        description="Search OUT.pdf for every term (and its variants), for text inside the "
        "areas, and for what a redacted file must not carry. Exit 0 when nothing leaks, 1 "
        "with a JSON report of the leaks, 2 for bad input.",
    )
    verify.add_argument("file", type=Path, metavar="OUT.pdf")
    verify.add_argument("--terms", type=Path, required=True, metavar="FILE")
    verify.add_argument("--areas", type=Path, metavar="FILE.json")
    verify.set_defaults(run=run_verify)

    check = subparsers.add_parser(
        "check-redactions",
        help="find bad redactions (text still under black boxes) in a PDF",
        description="Print a JSON list of suspected bad redactions {page, rect, kind, "
        "preview}: text under opaque boxes, dark highlights, unapplied redactions, dark "
        "images over text. Previews are masked.",
    )
    check.add_argument("file", type=Path, metavar="IN.pdf")
    check.add_argument("--password", metavar="PW", help="password of an encrypted PDF")
    check.set_defaults(run=run_check)


def run_redact(args: argparse.Namespace) -> int:
    """``reviewer redact IN.pdf -o OUT.pdf [--annotations F] [--terms F] [--areas F] ...``."""
    try:
        plan = _plan(args.terms, args.areas, args.annotations)
    except (BadInput, OSError) as exc:
        return _problem("redact", exc, Path(getattr(exc, "filename", None) or args.file))
    if not plan.boxes and not plan.terms:
        print(
            "reviewer redact: nothing to redact: give --terms, --areas or --annotations",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    if args.output.resolve() == args.file.resolve():
        print("reviewer redact: OUT.pdf must not be the input file", file=sys.stderr)
        return EXIT_BAD_INPUT
    from reviewer.core.redaction.plan import RedactionOptions

    options = RedactionOptions(flatten=args.flatten, dpi=args.dpi, label_text=args.label)
    try:
        outcome, report = run_once(
            lambda worker: worker.submit(
                "redact",
                args.file,
                args.output,
                plan,
                options,
                args.password,
                args.report,
                priority=-1,
            ),
            timeout=TIMEOUT,
        )
    except (ReviewerError, OSError, TimeoutError) as exc:
        return _problem("redact", exc, args.file)
    _print_json(report.as_json())
    if outcome != "passed":
        failed = ", ".join(c.name for c in report.checks if not c.passed)
        print(
            f"reviewer redact: verification failed ({failed}); {args.output.name} was not written",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


def run_verify(args: argparse.Namespace) -> int:
    """``reviewer verify-redaction OUT.pdf --terms FILE [--areas FILE.json]``."""
    try:
        plan = _plan(args.terms, args.areas, None)
    except (BadInput, OSError) as exc:
        return _problem("verify-redaction", exc, Path(getattr(exc, "filename", None) or args.file))
    try:
        report = run_once(
            lambda worker: worker.submit(
                "verify_redaction", args.file, plan.terms, plan.boxes, priority=-1
            ),
            timeout=TIMEOUT,
        )
    except (ReviewerError, OSError, TimeoutError) as exc:
        return _problem("verify-redaction", exc, args.file)
    _print_json(report.as_json())
    return EXIT_OK if report.passed else EXIT_FAILED


def run_check(args: argparse.Namespace) -> int:
    """``reviewer check-redactions IN.pdf``: suspected bad redactions as a JSON list."""
    try:
        found = run_once(
            lambda worker: worker.submit("check_redactions", args.file, args.password, priority=-1),
            timeout=TIMEOUT,
        )
    except (ReviewerError, OSError, TimeoutError) as exc:
        return _problem("check-redactions", exc, args.file)
    _print_json([s.as_json() for s in found])
    return EXIT_OK


# -- reading the inputs -------------------------------------------------------------


def _plan(terms: Path | None, areas: Path | None, annotations: Path | None) -> RedactionPlan:
    from reviewer.core.redaction.plan import RedactionPlan

    found_terms: list[str] = []
    boxes: list[RedactionBox] = []
    if terms is not None:
        found_terms += read_terms(terms)
    if areas is not None:
        boxes += read_areas(areas)
    if annotations is not None:
        accepted = read_annotations(annotations)
        boxes += accepted.boxes
        found_terms += accepted.terms
    unique = tuple(dict.fromkeys(t for t in found_terms if t.strip()))
    return RedactionPlan(boxes=tuple(boxes), terms=unique)


def read_terms(path: Path) -> list[str]:
    """One string per line; blank lines are skipped, the rest kept as written."""
    text = _read(path)
    return [line.strip() for line in text.split("\n") if line.strip()]


def read_areas(path: Path) -> list[RedactionBox]:
    """``[{"page": 1, "rect": [x0, y0, x1, y1]}, ...]``: pages from 1, PDF points."""
    from reviewer.core.redaction.plan import RedactionBox

    try:
        data = json.loads(_read(path))
    except ValueError as exc:
        raise BadInput(f"{path.name}: not JSON ({exc})") from exc
    if not isinstance(data, list):
        raise BadInput(f'{path.name}: expected a JSON list of {{"page", "rect"}}')
    boxes = []
    for i, item in enumerate(data, 1):
        try:
            page, rect = item["page"], item["rect"]
            if not isinstance(page, int) or isinstance(page, bool) or page < 1:
                raise ValueError("page must be a whole number from 1")
            values = tuple(float(v) for v in rect)
            if len(values) != 4 or values[2] <= values[0] or values[3] <= values[1]:
                raise ValueError("rect must be [x0, y0, x1, y1] with x1 > x0 and y1 > y0")
        except (KeyError, TypeError, ValueError) as exc:
            raise BadInput(f"{path.name}: area {i}: {exc}") from exc
        boxes.append(RedactionBox(page - 1, values))  # type: ignore[arg-type]
    return boxes


def read_annotations(path: Path) -> RedactionPlan:
    """Accepted PII annotations of a W3C export, redacted as the window redacts them."""
    from reviewer.core.interchange import InterchangeError, parse_annotations
    from reviewer.core.redaction.from_annotations import plan_from_parsed

    try:
        parsed = parse_annotations(_read(path), origin=f"file:{path.name}")
    except InterchangeError as exc:
        raise BadInput(f"{path.name}: {exc}") from exc
    return plan_from_parsed(parsed)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path.name}: not UTF-8 text (byte {exc.start})") from exc


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
