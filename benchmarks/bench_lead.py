"""The lead's side: importing many annotators' signed bundles, then computing agreement, and how
both grow with the number of bundles; against a raw merge measured in the same run.

The reading of the issue ("200 bundles × 50 documents × 100 annotations"): each bundle is one
annotator's submission of one batch of 50 documents, with 100 text annotations on each document
(5,000 per bundle; 1,000,000 at 200 bundles). ``--docs``, ``--per-doc`` and ``--bundles`` change
the reading; the one used is printed first.

Set-up (not timed as figures, but printed):

* 50 one-page PDFs (PyMuPDF), each 30 lines of synthetic sentences holding names, firms, phone
  numbers, e-mail addresses, SSNs, dates, addresses, accounts; a ``.rvbatch`` of them (task
  ``redact``, taxonomy ``pii``, one item per document) made with ``create_batch``.
* A shared "truth" of 100 entity spans per document. Each annotator keeps ~90 % of them exactly,
  shifts ~5 % by 1-3 characters, relabels ~3 %, drops the rest and adds spans of their own until
  the document has 100 again. Seeds are fixed: the same run makes the same bundles.
* The largest number of bundles is written ONCE with ``samples.team.write_bundle`` (the real
  format, real Ed25519 signatures); the smaller sizes use the first N of them.

For each size N (default 50, 100, 200), in a FRESH lead workspace (batch imported, the N
annotators' keys enrolled):

1. **Raw baseline** (the method of perf-reference/bench_bundle.py, "merge ... in ONE
   transaction"): for each of the same N files, ``zipfile`` reads ``annotations.jsonl``,
   ``json.loads`` per line, ``executemany INSERT OR IGNORE`` into a plain ``sqlite3`` table
   (id primary key, doc, label, page, start, end, record; an index on (doc, page), as the
   reference's table has) in a fresh database with WAL and ``synchronous=FULL`` in the same temp
   folder; all N bundles in one transaction. It checks nothing: no hashes, no signature, no
   strict JSON, no W3C shape, no batch.
2. **Import**: ``lead.merge.import_bundles(ws, paths)``: every bundle verified completely
   (member hashes, signature, strict JSON, W3C shape), checked against the batch and stored in
   its own transaction. Total seconds, and each bundle's time (from the progress callback) to
   show whether a bundle costs more as the database grows: median of the first 10 and last 10.
3. **Agreement**: ``lead.report.compute(ws, batch_id)``: pairwise span F1 (exact and overlap)
   for every pair of annotators, Cohen's kappa and Krippendorff's alpha per label, position
   bias. Pairs grow as N·(N-1)/2, so the pair count is printed beside the time, with the time
   per pair.
4. **Re-import**: the same N files again (each still verified; all ``unchanged``).

The table gives ours ÷ raw for the import, and the growth from each size to the next (linear
is 2.0 when N doubles). Nothing is asserted. ``--quick`` = 10, 20, 40 bundles of 20 annotations
per document. ``--profile`` adds cProfile's top 15 functions of one import and one agreement
computation at the smallest size.

Run:  python benchmarks/bench_lead.py [--quick] [--docs 50] [--per-doc 100] [--bundles 50,100,200]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import json
import os
import pstats
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import QUICK_ENV, Recorder

IMPORT_TARGET_S = 30.0  # the issue: the whole import of 200 bundles under 30 s
LINEAR_SLACK = 1.15  # growth up to 2.3x per doubling still reads as linear
LINES_PER_PAGE = 30
FONT_SIZE = 7.0
LEFT, TOP, LEADING = 36.0, 48.0, 10.5
CHAR_WIDTH = 0.5 * FONT_SIZE  # rough Helvetica advance, for plausible quads only
NO_TARGET = "reported (no target)"

FIRST_NAMES = (
    "Alice",
    "Carter",
    "Bruno",
    "Diaz",
    "Chen",
    "Wei",
    "Dana",
    "Okafor",
    "Erin",
    "Foster",
    "Farid",
    "Haddad",
    "Grace",
    "Lindqvist",
    "Hugo",
    "Moreau",
    "Ines",
    "Almeida",
    "Jonas",
    "Berg",
    "Kira",
    "Novak",
    "Liam",
    "Byrne",
    "Maya",
    "Patel",
    "Noah",
    "Fischer",
    "Olga",
    "Petrova",
    "Pablo",
    "Ruiz",
    "Quinn",
    "Harper",
    "Rosa",
    "Vidal",
    "Sven",
    "Larsen",
    "Tara",
    "Singh",
)
ORGS = (
    "Acme Holdings LLC",
    "Northwind Bank plc",
    "Baker & Frost LLP",
    "Harbor Freight Co.",
    "Lumen Insurance AG",
    "Cedar Health Inc.",
    "Orbit Logistics Ltd",
    "Granite Trust N.A.",
)
STREETS = ("Elm Street", "Harbour Road", "King's Way", "Mill Lane", "Oak Avenue", "Park Row")
CITIES = ("Springfield", "Riverton", "Lakeside", "Fairview", "Greenville", "Bristol")
#: Each line of a page: literal text and {LABEL} slots, filled with generated values.
TEMPLATES = (
    "{PERSON} of {ORG} called {PHONE} on {DATE} about the claim; reply to {EMAIL}.",
    "{PERSON}, SSN {SSN}, lives at {ADDRESS} and was born {DATE_OF_BIRTH}.",
    "Wire the fee to account {BANK_ACCOUNT} at {ORG}; ask {PERSON} on {PHONE}.",
    "{PERSON} met {PERSON} in {LOCATION} on {DATE} to sign for {ORG}.",
    "Card {CREDIT_CARD} was charged by {ORG}; statement sent to {EMAIL} on {DATE}.",
)
OWN_LABELS = ("OTHER", "LOCATION", "DATE", "PERSON", "ORG")


# -- the documents and the truth -----------------------------------------------------------------


@dataclass(frozen=True)
class Truth:
    """One document's text lines and its 100 (or ``--per-doc``) true spans."""

    lines: tuple[str, ...]
    spans: tuple[tuple[int, int, str], ...]  # (start, end, label) in the joined text

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _value(label: str, rng: random.Random) -> str:
    first, last = rng.choice(FIRST_NAMES), rng.choice(FIRST_NAMES)
    year, month, day = rng.randint(1950, 2024), rng.randint(1, 12), rng.randint(1, 28)
    values = {
        "PERSON": f"{first} {last}",
        "ORG": rng.choice(ORGS),
        "PHONE": f"+1 {rng.randint(200, 989)}-555-{rng.randint(0, 9999):04d}",
        "DATE": f"{year}-{month:02d}-{day:02d}",
        "DATE_OF_BIRTH": f"{day:02d}/{month:02d}/{year}",
        "EMAIL": f"{first.lower()}.{last.lower()}{rng.randint(1, 99)}@example.com",
        "SSN": f"{rng.randint(100, 899)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
        "ADDRESS": f"{rng.randint(1, 999)} {rng.choice(STREETS)}, {rng.choice(CITIES)} "
        f"{rng.randint(10000, 99999)}",
        "BANK_ACCOUNT": f"{rng.randint(10**9, 10**10 - 1)}",
        "LOCATION": rng.choice(CITIES),
        "CREDIT_CARD": " ".join(f"{rng.randint(1000, 9999)}" for _ in range(4)),
    }
    return values[label]


def make_truth(doc: int, per_doc: int) -> Truth:
    """30 lines of sentences with entities at known offsets; ``per_doc`` of them are the truth."""
    rng = random.Random(f"doc-{doc}")
    lines: list[str] = []
    entities: list[tuple[int, int, str]] = []
    offset = 0
    for n in range(LINES_PER_PAGE):
        template = TEMPLATES[(n + doc) % len(TEMPLATES)]
        line = ""
        rest = template
        while "{" in rest:
            before, _, tail = rest.partition("{")
            label, _, rest = tail.partition("}")
            line += before
            value = _value(label, rng)
            entities.append((offset + len(line), offset + len(line) + len(value), label))
            line += value
        line += rest
        lines.append(line)
        offset += len(line) + 1
    if per_doc <= len(entities):
        chosen = sorted(rng.sample(range(len(entities)), per_doc))
        spans = [entities[k] for k in chosen]
    else:  # more than the page holds: repeat entities (a second label on the same words)
        spans = [entities[k % len(entities)] for k in range(per_doc)]
    return Truth(tuple(lines), tuple(spans))


def make_pdfs(folder: Path, truths: Sequence[Truth]) -> list[Path]:
    import pymupdf

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, truth in enumerate(truths):
        path = folder / f"matter_{n + 1:03d}.pdf"
        with pymupdf.open() as doc:
            page = doc.new_page(width=612, height=792)
            for row, line in enumerate(truth.lines):
                page.insert_text((LEFT, TOP + row * LEADING), line, fontsize=FONT_SIZE)
            doc.save(path, garbage=4, deflate=True)
        paths.append(path)
    return paths


def make_batch_file(output: Path, pdfs: Sequence[Path]) -> Path:
    """A real ``.rvbatch`` as ``tests/conftest.py``'s ``make_batch`` makes one."""
    from reviewer.core.batch_file import SourceDocument, create_batch, default_items
    from reviewer.core.blobs import sha256_file
    from reviewer.core.taxonomy import builtin_taxonomy

    docs = [SourceDocument(p, sha256_file(p), 1, "application/pdf") for p in pdfs]
    create_batch(
        output,
        name="Lead benchmark batch",
        task="redact",
        taxonomy=builtin_taxonomy("pii"),
        instructions="# Instructions\n\nMark all personal data.\n",
        documents=docs,
        items=default_items("redact", docs),
        batch_id="lead-bench-1",
        created="2026-01-05T08:00:00+00:00",
    )
    return output


# -- the annotators ------------------------------------------------------------------------------


def _position(truth: Truth, offset: int) -> tuple[int, int]:
    """(line, column) of a character offset in the joined text."""
    line = 0
    for line, text in enumerate(truth.lines):  # noqa: B007 - the last line is the answer
        if offset <= len(text):
            break
        offset -= len(text) + 1
    return line, offset


def _quad(truth: Truth, start: int, end: int) -> tuple[float, float, float, float]:
    line, col = _position(truth, start)
    width = max(1, end - start) * CHAR_WIDTH
    x0 = LEFT + col * CHAR_WIDTH
    y1 = TOP + line * LEADING + 2
    return (round(x0, 2), round(y1 - FONT_SIZE - 2, 2), round(x0 + width, 2), round(y1, 2))


def annotator_spans(truth: Truth, who: int, doc: int) -> list[tuple[int, int, str]]:
    """One annotator's version of the truth: kept, shifted, relabelled, dropped, own spans."""
    rng = random.Random(f"annotator-{who}|doc-{doc}")
    labels = sorted({label for *_, label in truth.spans} | set(OWN_LABELS))
    text = truth.text
    found: list[tuple[int, int, str]] = []
    for start, end, label in truth.spans:
        r = rng.random()
        if r < 0.90:
            found.append((start, end, label))
        elif r < 0.95:
            delta = rng.choice((-3, -2, -1, 1, 2, 3))
            if rng.random() < 0.5:
                start = min(max(0, start + delta), end - 1)
            else:
                end = max(start + 1, min(len(text), end + delta))
            found.append((start, end, label))
        elif r < 0.98:
            found.append((start, end, rng.choice([x for x in labels if x != label])))
    while len(found) < len(truth.spans):
        start = rng.randrange(0, max(1, len(text) - 12))
        found.append((start, start + rng.randint(4, 12), rng.choice(OWN_LABELS)))
    return found


def write_bundles(
    folder: Path,
    count: int,
    truths: Sequence[Truth],
    context: dict[str, Any],
) -> tuple[list[Path], list[Path]]:
    """``count`` signed bundles and the annotators' public-key files."""
    from reviewer.core.samples.team import SimulatedAnnotator, text_span, write_bundle

    batch, items, documents = context["batch"], context["items"], context["documents"]
    item_of = {d: i.id for i in items for d in i.documents}
    shas = [context["doc_of"][n] for n in range(len(truths))]
    folder.mkdir(parents=True, exist_ok=True)
    bundles, keys = [], []
    for who in range(count):
        annotator = SimulatedAnnotator(f"ann{who:03d}", f"Annotator {who:03d}", f"lead-bench-{who}")
        annotations = []
        for doc, truth in enumerate(truths):
            sha = shas[doc]
            text = truth.text
            for n, (start, end, label) in enumerate(annotator_spans(truth, who, doc)):
                annotations.append(
                    text_span(
                        sha,
                        item_of[sha],
                        0,
                        start,
                        end,
                        label,
                        exact=text[start:end].replace("\n", " ").strip() or "x",
                        quad=_quad(truth, start, end),
                        key=f"{annotator.id}|{doc}|{n}",
                    )
                )
        path = folder / f"{annotator.id}.rvbundle"
        write_bundle(
            path,
            annotator=annotator,
            batch=batch,
            items=items,
            documents=documents,
            annotations=annotations,
        )
        bundles.append(path)
        keys.append(annotator.write_public_key(folder / f"{annotator.id}.pem"))
    return bundles, keys


# -- the lead's workspace ------------------------------------------------------------------------


def open_lead(folder: Path, batch_file: Path) -> tuple[Any, str, float]:
    """A fresh workspace holding the batch: (ws, batch id, seconds the batch import took)."""
    from reviewer.core.batch_import import import_batch
    from reviewer.core.paths import resolve
    from reviewer.core.store import Workspace

    ws = Workspace.open(resolve(folder))
    started = time.perf_counter()
    batch_id = import_batch(ws, batch_file).batch_id
    return ws, batch_id, time.perf_counter() - started


def batch_context(ws: Any, batch_id: str, pdfs: Sequence[Path]) -> dict[str, Any]:
    from reviewer.core import batches
    from reviewer.core.blobs import sha256_file

    return {
        "batch": batches.require_batch(ws, batch_id),
        "items": batches.items(ws, batch_id),
        "documents": {d.sha256: d for d in ws.documents()},
        "doc_of": [sha256_file(p) for p in pdfs],
    }


def enrol(ws: Any, keys: Sequence[Path]) -> None:
    from reviewer.core.lead import roster

    for key in keys:
        roster.enrol_file(ws, key, f"Annotator {key.stem}")


def timed_import(ws: Any, paths: Sequence[Path]) -> tuple[float, list[float], Any]:
    """Total seconds, each bundle's seconds (from the progress callback) and the summary."""
    from reviewer.core.lead import merge

    marks: list[float] = []
    started = time.perf_counter()
    summary = merge.import_bundles(ws, paths, progress=lambda *_: marks.append(time.perf_counter()))
    took = time.perf_counter() - started
    per = [b - a for a, b in itertools.pairwise(marks)]
    return took, per, summary


# -- the raw baseline ----------------------------------------------------------------------------

RAW_SCHEMA = (
    "CREATE TABLE annotations (id TEXT PRIMARY KEY, doc TEXT NOT NULL, label TEXT, "
    "page INTEGER NOT NULL, start INTEGER, end INTEGER, record TEXT)"
)
RAW_INDEX = "CREATE INDEX idx_ann_doc_page ON annotations(doc, page)"
RAW_INSERT = "INSERT OR IGNORE INTO annotations VALUES (?, ?, ?, ?, ?, ?, ?)"


def _raw_row(line: bytes) -> tuple[Any, ...]:
    r = json.loads(line)
    target = r["target"]
    selector = target["selector"]
    position = selector[-1]  # [page fragment, quote, TextPositionSelector]
    return (
        r["id"],
        target["source"].removeprefix("urn:sha256:"),
        r["body"][0]["value"],
        int(selector[0]["value"].removeprefix("page=")) - 1,
        position["start"],
        position["end"],
        line.decode(),
    )


def raw_merge(db_path: Path, paths: Sequence[Path]) -> tuple[float, int]:
    """perf-reference's merge in one transaction, on our files: (seconds, rows)."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(RAW_SCHEMA)
    conn.execute(RAW_INDEX)
    started = time.perf_counter()
    conn.execute("BEGIN")
    for path in paths:
        with zipfile.ZipFile(path) as z:
            lines = z.read("annotations.jsonl").splitlines()
        conn.executemany(RAW_INSERT, [_raw_row(line) for line in lines if line])
    conn.execute("COMMIT")
    took = time.perf_counter() - started
    rows = conn.execute("SELECT count(*) FROM annotations").fetchone()[0]
    conn.close()
    return took, rows


# -- output --------------------------------------------------------------------------------------


def print_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Aligned columns: the first left-aligned, the others right-aligned."""
    cells = [list(header)] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        first = row[0].ljust(widths[0])
        return "  ".join(
            [first, *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True))]
        ).rstrip()

    print("  " + line(cells[0]))
    print("  " + "  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print("  " + line(row))
    sys.stdout.flush()


def med_ms(samples_s: Sequence[float]) -> float:
    return 1000 * statistics.median(samples_s) if samples_s else float("nan")


def profile_top(title: str, call: Callable[[], Any], lines: int = 15) -> Any:
    """Run ``call`` under cProfile; print the top ``lines`` by own time and by cumulative time."""
    profiler = cProfile.Profile()
    result = profiler.runcall(call)
    for order, shown in (("tottime", "own time"), ("cumulative", "cumulative time")):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(lines)
        body = out.getvalue()
        print(f"\n-- cProfile: {title} (top {lines} by {shown})")
        print(body[body.find("   ncalls") :].rstrip())
    return result


def profile_size(
    folder: Path, batch_file: Path, keys: Sequence[Path], paths: Sequence[Path]
) -> None:
    """cProfile of one import and one agreement computation in another fresh workspace."""
    from reviewer.core.lead import report as lead_report

    ws, batch_id, _ = open_lead(folder, batch_file)
    try:
        enrol(ws, keys)
        profile_top(f"import of {len(paths)} bundles", lambda: timed_import(ws, paths))
        profile_top(
            f"agreement of {len(paths)} annotators", lambda: lead_report.compute(ws, batch_id)
        )
    finally:
        ws.close()


# -- the run -------------------------------------------------------------------------------------


@dataclass
class Size:
    n: int
    annotations: int = 0
    import_s: float = 0.0
    per_bundle: list[float] | None = None
    raw_s: float = 0.0
    raw_rows: int = 0
    reimport_s: float = 0.0
    agreement_s: float = 0.0
    pairs: int = 0
    batch_import_s: float = 0.0
    summary: str = ""
    resummary: str = ""


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="bundles 10,20,40; per-doc 20")
    parser.add_argument("--docs", type=int, default=50, help="documents in the batch")
    parser.add_argument("--per-doc", type=int, default=None, help="annotations per document")
    parser.add_argument("--bundles", default=None, help="sizes to import, e.g. 50,100,200")
    parser.add_argument("--profile", action="store_true", help="cProfile at the smallest size")
    args = parser.parse_args(argv)
    args.quick = args.quick or os.environ.get(QUICK_ENV) == "1"
    if args.per_doc is None:
        args.per_doc = 20 if args.quick else 100
    spec = args.bundles or ("10,20,40" if args.quick else "50,100,200")
    args.sizes = sorted({int(s) for s in spec.split(",") if s.strip()})
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    sizes: list[int] = args.sizes
    most = sizes[-1]
    per_bundle_ann = args.docs * args.per_doc
    print(
        f"reading: each bundle = one annotator's submission of one batch of {args.docs} "
        f"one-page documents x {args.per_doc} text annotations = {per_bundle_ann:,} per "
        f"bundle; sizes {', '.join(map(str, sizes))} bundles "
        f"({most * per_bundle_ann:,} annotations at {most})",
        flush=True,
    )
    rec = Recorder("bench_lead")
    rec.note("reading", docs=args.docs, per_doc=args.per_doc, sizes=sizes, quick=args.quick)

    scratch = Path(tempfile.mkdtemp(prefix="reviewer-bench-lead-"))
    try:
        free = shutil.disk_usage(scratch).free
        # ~100 bytes per annotation in the (deflated) bundles; up to ~2 KiB per stored row in
        # the largest size's two databases (ours, raw), which exist together
        need = most * per_bundle_ann * (256 + 2 * 2048)
        print(f"scratch space: {free / 2**30:.1f} GiB free, about {need / 2**30:.1f} GiB needed")
        if free < need:
            print("NOT ENOUGH free disk space for this reading: stopping", file=sys.stderr)
            return 2
        sizes_done = run(args, scratch, rec)
        report(rec, args, sizes_done)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def run(args: argparse.Namespace, scratch: Path, rec: Recorder) -> list[Size]:
    from reviewer.core.lead import report as lead_report

    sizes: list[int] = args.sizes
    most = sizes[-1]

    # -- set-up: documents, batch, bundles (timed apart, not part of the figures)
    started = time.perf_counter()
    truths = [make_truth(d, args.per_doc) for d in range(args.docs)]
    pdfs = make_pdfs(scratch / "pdf", truths)
    batch_file = make_batch_file(scratch / "lead.rvbatch", pdfs)
    ws, batch_id, _ = open_lead(scratch / "gen-workspace", batch_file)
    try:
        context = batch_context(ws, batch_id, pdfs)
    finally:
        ws.close()
    made_docs = time.perf_counter() - started
    started = time.perf_counter()
    bundles, keys = write_bundles(scratch / "bundles", most, truths, context)
    made = time.perf_counter() - started
    total_mb = sum(p.stat().st_size for p in bundles) / 2**20
    print(
        f"set-up: {args.docs} PDFs + batch in {made_docs:.1f} s; {most} bundles written in "
        f"{made:.1f} s ({made / most * 1000:.0f} ms each), {total_mb:.0f} MiB "
        f"({total_mb / most:.2f} MiB each)",
        flush=True,
    )
    rec.note("set-up", bundles=most, write_s=round(made, 2), bundle_mib=round(total_mb, 1))
    warm_up(bundles[0])

    done: list[Size] = []
    for n in sizes:
        size = Size(n)
        paths = bundles[:n]
        print(f"\n== {n} bundles", flush=True)

        # 1. raw baseline, first: both sides read the same (warm) files
        size.raw_s, size.raw_rows = raw_merge(scratch / f"raw_{n}.db", paths)
        print(f"  raw merge: {size.raw_s:.2f} s, {size.raw_rows:,} rows", flush=True)

        # 2. our import in a fresh workspace
        folder = scratch / f"lead_{n}"
        ws, batch_id, size.batch_import_s = open_lead(folder, batch_file)
        try:
            enrol(ws, keys[:n])
            size.import_s, size.per_bundle, summary = timed_import(ws, paths)
            size.summary = summary.text()
            size.annotations = sum(o.annotations for o in summary.outcomes)
            print(f"  import: {size.import_s:.2f} s: {size.summary}", flush=True)

            # 3. agreement
            started = time.perf_counter()
            figures = lead_report.compute(ws, batch_id)
            size.agreement_s = time.perf_counter() - started
            size.pairs = len(figures.pairs)
            f1 = [
                (p.exact["*"].f1, p.overlap["*"].f1)
                for p in figures.pairs
                if p.exact["*"].f1 is not None
            ]
            mean_exact = statistics.fmean(e for e, _ in f1) if f1 else float("nan")
            mean_overlap = statistics.fmean(o for _, o in f1 if o is not None) if f1 else 0.0
            person = figures.labels.get("PERSON")
            alpha = "n/a" if person is None or person.alpha is None else f"{person.alpha:.3f}"
            print(
                f"  agreement: {size.agreement_s:.2f} s for {size.pairs:,} pairs, "
                f"{figures.spans:,} spans; mean pair F1 exact {mean_exact:.3f}, overlap "
                f"{mean_overlap:.3f}; item-level PERSON alpha {alpha}",
                flush=True,
            )

            # 4. the same files again
            size.reimport_s, _, again = timed_import(ws, paths)
            size.resummary = again.text()
            print(f"  re-import: {size.reimport_s:.2f} s: {size.resummary}", flush=True)

            if args.profile and n == sizes[0]:
                profile_size(scratch / f"profile_{n}", batch_file, keys[:n], paths)
        finally:
            ws.close()
        db = folder / "workspace.db"
        rec.raw(
            {
                "kind": "detail",
                "name": f"lead {n} bundles",
                "annotations": size.annotations,
                "import_s": round(size.import_s, 3),
                "raw_s": round(size.raw_s, 3),
                "reimport_s": round(size.reimport_s, 3),
                "agreement_s": round(size.agreement_s, 3),
                "pairs": size.pairs,
                "per_bundle_ms": [round(1000 * s, 2) for s in size.per_bundle or []],
                "batch_import_s": round(size.batch_import_s, 3),
                "db_mib": round(db.stat().st_size / 2**20, 1) if db.exists() else None,
                "summary": size.summary,
                "resummary": size.resummary,
            }
        )
        for leftover in (folder, scratch / f"raw_{n}.db", scratch / f"profile_{n}"):
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                for part in leftover.parent.glob(leftover.name + "*"):
                    part.unlink(missing_ok=True)
        done.append(size)
    return done


def warm_up(path: Path) -> None:
    """One-off costs out of the first size's figures: the verification path (schemas) and the
    modules ``report.compute`` imports on first use (numpy, krippendorff)."""
    import krippendorff  # noqa: F401
    import numpy  # noqa: F401

    from reviewer.core.lead import merge

    merge.prepare(path)


def _growth(a: float, b: float) -> str:
    return f"{b / a:.2f}" if a > 0 else "—"


def report(rec: Recorder, args: argparse.Namespace, done: Sequence[Size]) -> None:
    print(
        f"\n== results: {args.docs} documents x {args.per_doc} annotations per bundle; "
        "ratio = our import / raw merge"
    )
    rows = []
    for s in done:
        per = s.per_bundle or []
        rows.append(
            (
                s.n,
                s.n,
                f"{s.annotations:,}",
                f"{s.import_s:.2f}",
                f"{med_ms(per[:10]):.0f}/{med_ms(per[-10:]):.0f}",
                f"{s.raw_s:.2f}",
                f"{s.import_s / s.raw_s:.1f}" if s.raw_s else "—",
                f"{s.reimport_s:.2f}",
                f"{s.agreement_s:.2f}",
                f"{s.pairs:,}",
                f"{1000 * s.agreement_s / s.pairs:.2f}" if s.pairs else "—",
            )
        )
    print_table(
        (
            "N",
            "bundles",
            "annotations",
            "import s",
            "per-bundle ms (first10/last10)",
            "raw s",
            "ratio",
            "re-import s",
            "agreement s",
            "pairs",
            "ms/pair",
        ),
        rows,
    )
    print("\n  growth from one size to the next (linear = the size ratio, 2.00 when N doubles)")
    growth_rows = []
    for a, b in itertools.pairwise(done):
        growth_rows.append(
            (
                f"{b.n}/{a.n}",
                f"{b.n / a.n:.2f}",
                _growth(a.import_s, b.import_s),
                _growth(a.raw_s, b.raw_s),
                _growth(a.agreement_s, b.agreement_s),
                _growth(a.pairs, b.pairs),
                _growth(a.agreement_s / max(1, a.pairs), b.agreement_s / max(1, b.pairs)),
            )
        )
    print_table(
        ("sizes", "N ratio", "import", "raw", "agreement", "pairs", "agreement per pair"),
        growth_rows,
    )
    rec.raw({"kind": "detail", "name": "growth", "rows": growth_rows})

    issue = args.docs == 50 and args.per_doc == 100
    last = done[-1]
    rec.figure(
        f"lead import {last.n} bundles ({last.annotations:,} ann.)",
        last.import_s,
        last.raw_s,
        "s",
        f"< {IMPORT_TARGET_S:.0f} s" if issue and last.n == 200 else NO_TARGET,
        (last.import_s < IMPORT_TARGET_S) if issue and last.n == 200 else None,
        baseline_label="raw zip+json+executemany, 1 txn",
    )
    rec.figure(
        f"lead agreement {last.n} annotators ({last.pairs:,} pairs)",
        last.agreement_s,
        None,
        "s",
        NO_TARGET,
        None,
    )
    if len(done) >= 2:
        a, b = done[-2], done[-1]
        linear = b.n / a.n
        for name, x, y in (
            ("import", a.import_s, b.import_s),
            ("agreement", a.agreement_s, b.agreement_s),
        ):
            grew = y / x if x else float("inf")
            rec.figure(
                f"lead {name} growth {b.n}/{a.n} bundles",
                grew,
                linear,
                "x",
                f"≈ {linear:.1f}x (linear)",
                grew <= linear * LINEAR_SLACK,
                baseline_label="linear",
            )


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
