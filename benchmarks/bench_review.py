"""Review tools: the citation check, the draft diff and saving a judgement, each against a raw
baseline measured in the same run.

1. **Citation check** on the real court filings in ``../shared/data/pdf`` that
   have a text layer (``xray__gov.uscourts.*``, ``doctor__*``; a scan with no
   text is skipped). A document worker reads every page's text first, as the
   window does before it asks for the check; that is not timed. Ours is
   ``citations.check_pages(pages)``; the baseline is ``eyecite.get_citations``
   on the same whole text (the pages joined with newlines, as ``check_pages``
   joins them). Both are warmed up first. The cold cost (import, and the first
   call that loads eyecite's and reporters-db's data) is measured separately,
   in fresh interpreters, and printed on its own. A third column runs the check
   with a known-citations list: a small CSV built in memory from citations in
   these filings (every other distinct one, up to 40; the rest are reported
   as missing), read with ``citations.parse_known``.
2. **Draft diff**: ``draft_diff.diff_drafts`` on the words of
   ``resources/samples/motion_draft_a.pdf`` and ``motion_draft_b.pdf`` as the
   worker gives them, and on a synthetic 50-page pair built from a real page
   of a court opinion. The baseline is
   ``difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()`` on
   the same token lists (made before timing), the matcher our diff is built on.
   In the synthetic pair, every 12th word of a page carries the page number:
   50 identical pages would let difflib anchor page 1 of one side to page 50
   of the other and call nearly everything changed, which measures a
   degenerate case rather than a long draft. The right side changes about 3 %
   of the words, drops 1 % and adds 1 %.
3. **Judgement save**: ``judgements.save`` of one changed rating, in a fresh
   workspace holding a compare item over the two sample drafts (made with
   ``create_batch`` and ``import_batch``, as the tests do). The baseline is one
   ``BEGIN; INSERT; COMMIT`` of the same JSON in a plain ``sqlite3`` database
   with the same pragmas (WAL, ``synchronous=FULL``) in the same temp folder.
   Ours and raw alternate save by save (in turn first), so both see the same
   disk; median and p95.

Every timed pair alternates ours and raw run by run. Medians of N runs (N is
printed); ratios are ours ÷ raw. Nothing is asserted. ``--quick`` does fewer
runs and saves (about a minute in all).

Run:  python benchmarks/bench_review.py [--quick]
"""

from __future__ import annotations

import difflib
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PROJECT, SHARED, Recorder, env_info, quantile, setup_from, summarize_ms

FILINGS = SHARED / "data" / "pdf"
FILING_PATTERNS = ("xray__gov.uscourts.*.pdf", "doctor__*.pdf")
SAMPLES = PROJECT / "resources" / "samples"
DRAFTS = (SAMPLES / "motion_draft_a.pdf", SAMPLES / "motion_draft_b.pdf")
#: The real page repeated into the synthetic 50-page pair: the densest page of this opinion.
SYNTHETIC_SOURCE = "doctor__ca1_00117684624"
SYNTHETIC_PAGES = 50
MARK_EVERY = 12
RUNS_FULL, RUNS_QUICK = 5, 3
SMALL_DIFF_RUNS = 25  # the sample drafts diff in about a millisecond: more runs
SAVES_FULL, SAVES_QUICK = 200, 100
WARMUP_SAVES = 5
KNOWN_ROWS = 40
READ_TIMEOUT = 120.0
AUTHOR = "bench.reviewer"
NO_TARGET = "reported (no target)"

#: A paragraph with a few citations: what the fresh interpreters check once.
COLD_SAMPLE = (
    "To survive a motion to dismiss, a complaint must state a plausible claim. "
    "Bell Atl. Corp. v. Twombly, 550 U.S. 544, 570 (2007); Ashcroft v. Iqbal, "
    "556 U.S. 662, 678 (2009). Id. at 679. See also Doe v. Roe, 123 F.3d 456 "
    "(9th Cir. 1997); 42 U.S.C. § 1983."
)
RAW_COLD = """
import json, logging, sys, time
t0 = time.perf_counter()
logging.getLogger("eyecite").addHandler(logging.NullHandler())
from eyecite import get_citations
t1 = time.perf_counter()
get_citations(sys.argv[1])
t2 = time.perf_counter()
get_citations(sys.argv[1])
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "again": t3 - t2}))
"""
OURS_COLD = """
import json, sys, time
t0 = time.perf_counter()
from reviewer.core.citations import check_pages
t1 = time.perf_counter()
check_pages([sys.argv[1]])
t2 = time.perf_counter()
check_pages([sys.argv[1]])
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "again": t3 - t2}))
"""


# -- output ------------------------------------------------------------------------------


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
    return 1000 * statistics.median(samples_s)


def record_timing(rec: Recorder, name: str, samples_s: Sequence[float], **extra: Any) -> None:
    """A detail row in the results file (printed in the tables instead)."""
    rec.raw(
        {"kind": "timing", "name": name, **summarize_ms([1000 * s for s in samples_s]), **extra}
    )


def alternate(runs: int, *calls: Callable[[], Any]) -> tuple[list[list[float]], list[Any]]:
    """Seconds of each call, run in turn ``runs`` times (the order rotates run by run), and
    each call's last result."""
    samples: list[list[float]] = [[] for _ in calls]
    results: list[Any] = [None for _ in calls]
    for run in range(runs):
        for k in range(len(calls)):
            which = (k + run) % len(calls)
            t0 = time.perf_counter()
            results[which] = calls[which]()
            samples[which].append(time.perf_counter() - t0)
    return samples, results


# -- reading the documents (not timed) ------------------------------------------------------


@dataclass
class Document:
    path: Path
    layers: list[Any]  # PageText per page (None: a page with no text layer)

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def pages(self) -> list[str]:
        return [layer.text if layer is not None else "" for layer in self.layers]

    @property
    def words(self) -> list[list[Any]]:
        return [list(layer.words) if layer is not None else [] for layer in self.layers]


def read_documents(paths: Sequence[Path]) -> tuple[list[Document], list[str]]:
    """Every page's text and words, read by one document worker as the window reads them."""
    from reviewer.core.worker import BACKGROUND, DocumentWorker

    docs, skipped = [], []
    worker = DocumentWorker(max_in_flight=2).start()
    try:
        for path in paths:
            opened = worker.open(path).result(READ_TIMEOUT)
            scans = set(worker.sources().result(READ_TIMEOUT).image_pages)
            if len(scans) == opened.page_count:
                skipped.append(f"{path.stem} (no text layer)")
                continue
            futures = {
                p: worker.words(p, priority=BACKGROUND)
                for p in range(opened.page_count)
                if p not in scans
            }
            layers = [
                futures[p].result(READ_TIMEOUT) if p in futures else None
                for p in range(opened.page_count)
            ]
            docs.append(Document(path, layers))
    finally:
        worker.close()
    return docs, skipped


# -- 1. citation check -------------------------------------------------------------------------


def cold_costs(rec: Recorder, runs: int) -> None:
    """Import and first call in fresh interpreters: eyecite alone vs our check."""
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")])),
    )
    out: dict[str, dict[str, list[float]]] = {"raw": {}, "ours": {}}
    for run in range(runs + 1):  # the first pair warms the OS page cache and is dropped
        for side, code in (("raw", RAW_COLD), ("ours", OURS_COLD)):
            done = subprocess.run(
                [sys.executable, "-c", code, COLD_SAMPLE],
                cwd=PROJECT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise SystemExit(f"cold-start child ({side}) failed:\n{done.stderr}")
            if run == 0:
                continue
            for stage, seconds in json.loads(done.stdout.strip().splitlines()[-1]).items():
                out[side].setdefault(stage, []).append(seconds)
    rows = []
    totals = {}
    for side, label, what in (
        ("raw", "raw: eyecite", "import eyecite"),
        ("ours", "ours: citations", "import reviewer.core.citations"),
    ):
        stages = out[side]
        total = [a + b for a, b in zip(stages["import"], stages["first"], strict=True)]
        totals[side] = med_ms(total)
        rows.append(
            (
                label,
                what,
                f"{med_ms(stages['import']):.0f}",
                f"{med_ms(stages['first']):.0f}",
                f"{totals[side]:.0f}",
                f"{med_ms(stages['again']):.1f}",
            )
        )
        for stage, samples in stages.items():
            record_timing(rec, f"cold start {side}: {stage}", samples)
    print(f"\n  cold start, fresh interpreter (median of {runs}; not part of the figures below):")
    print_table(
        ("side", "import", "import ms", "1st call ms", "total ms", "2nd call ms"),
        rows,
    )
    print(
        "  (ours imports eyecite on its first call and builds its reporters-db and courts-db\n"
        "   tables there; the sample is one paragraph with four citations)"
    )
    rec.figure(
        "citation check cold start (import + 1st call)",
        totals["ours"],
        totals["raw"],
        "ms",
        NO_TARGET,
        None,
        baseline_label="import eyecite + 1st get_citations",
    )


def known_csv(found: Sequence[list[Any]]) -> str:
    """Every other full case citation eyecite found, with its case name when it has one."""
    from eyecite.models import FullCaseCitation

    lines = ["citation,case_name"]
    seen: set[str] = set()
    n = 0
    for cites in found:
        for cite in cites:
            if not isinstance(cite, FullCaseCitation):
                continue
            text = cite.corrected_citation()
            if text in seen:
                continue
            seen.add(text)
            n += 1
            if n % 2:
                continue
            meta = cite.metadata
            name = ""
            if meta.plaintiff and meta.defendant:
                name = " ".join(f"{meta.plaintiff} v. {meta.defendant}".split())
            lines.append(f'{text},"{name.replace(chr(34), chr(34) * 2)}"' if name else f"{text},")
            if len(lines) > KNOWN_ROWS:
                return "\n".join(lines) + "\n"
    return "\n".join(lines) + "\n"


def bench_citations(rec: Recorder, docs: Sequence[Document], runs: int) -> None:
    from reviewer.core import citations
    from reviewer.core.pii.suppress import _eyecite

    get_citations = _eyecite()
    # eyecite once over every filing: the known list is built from what it finds, and this
    # also warms it up (it compiles its patterns on first use).
    eyecite_found = [get_citations("\n".join(d.pages)) for d in docs]
    csv_text = known_csv(eyecite_found)
    t0 = time.perf_counter()
    known = citations.parse_known(csv_text, "bench-known.csv")
    parse_ms = 1000 * (time.perf_counter() - t0)

    # Warm up ours on the smallest document (its reporters-db tables load on first use).
    smallest = min(docs, key=lambda d: len("\n".join(d.pages)))
    citations.check_pages(smallest.pages)
    citations.check_pages(smallest.pages, known)

    rows = []
    total = {"raw": 0.0, "ours": 0.0, "known": 0.0}
    counts = {"pages": 0, "chars": 0, "missing": 0, "mismatch": 0}
    for doc, eyecite_cites in zip(docs, eyecite_found, strict=True):
        pages = doc.pages
        text = "\n".join(pages)
        (raw_s, ours_s, known_s), (_, found, with_known) = alternate(
            runs,
            lambda text=text: get_citations(text),
            lambda pages=pages: citations.check_pages(pages),
            lambda pages=pages: citations.check_pages(pages, known),
        )
        cites = len(eyecite_cites)
        issues = sum(1 for f in found if f.issue is not None)
        listed = sum(1 for f in found if f.issue is None)
        counts["pages"] += len(pages)
        counts["chars"] += len(text)
        counts["missing"] += sum(1 for f in with_known if f.issue == "not_in_known_list")
        counts["mismatch"] += sum(1 for f in with_known if f.issue == "known_name_mismatch")
        raw_ms, ours_ms, known_ms = med_ms(raw_s), med_ms(ours_s), med_ms(known_s)
        total["raw"] += raw_ms
        total["ours"] += ours_ms
        total["known"] += known_ms
        rows.append(
            (
                doc.name,
                len(pages),
                f"{len(text):,}",
                cites,
                listed,
                issues,
                f"{raw_ms:.1f}",
                f"{ours_ms:.1f}",
                f"{ours_ms / raw_ms:.2f}",
                f"{ours_ms / len(pages):.1f}",
                f"{known_ms:.1f}",
                f"{100 * (known_ms / ours_ms - 1):+.0f}%",
            )
        )
        for side, samples in (("raw", raw_s), ("ours", ours_s), ("ours+known", known_s)):
            record_timing(rec, f"citations {side}: {doc.name}", samples, pages=len(pages))
        rec.raw(
            {
                "kind": "note",
                "name": f"citations: {doc.name}",
                "pages": len(pages),
                "chars": len(text),
                "eyecite_citations": cites,
                "citations_listed": listed,
                "issues": issues,
            }
        )
    rows.append(
        (
            f"all {len(docs)} filings",
            counts["pages"],
            f"{counts['chars']:,}",
            "",
            "",
            "",
            f"{total['raw']:.1f}",
            f"{total['ours']:.1f}",
            f"{total['ours'] / total['raw']:.2f}",
            f"{total['ours'] / counts['pages']:.1f}",
            f"{total['known']:.1f}",
            f"{100 * (total['known'] / total['ours'] - 1):+.0f}%",
        )
    )
    print(f"\n  per document (median of {runs} runs; raw, ours and ours+known alternate):")
    print_table(
        (
            "document",
            "pages",
            "chars",
            "eyecite",
            "listed",
            "issues",
            "raw ms",
            "ours ms",
            "ours/raw",
            "ours ms/page",
            "+known ms",
            "known extra",
        ),
        rows,
    )
    print(
        "  eyecite: citations get_citations returns; listed: citations check_pages reports "
        "(ids and\n  short forms included, record cites and unknowns left out); issues: "
        "problems it reports."
    )
    print(
        f"  known list: {len(known)} citations (CSV of {csv_text.count(chr(10)) - 1} rows, "
        f"parse_known {parse_ms:.0f} ms); with it, {counts['missing']} not in the list and "
        f"{counts['mismatch']} name mismatches in all."
    )
    rec.raw(
        {
            "kind": "note",
            "name": "citations: known list",
            "rows": len(known),
            "parse_ms": round(parse_ms, 1),
            "not_in_known_list": counts["missing"],
            "known_name_mismatch": counts["mismatch"],
        }
    )
    pages = counts["pages"]
    rec.figure(
        f"citation check, {len(docs)} filings ({pages} pages)",
        total["ours"],
        total["raw"],
        "ms",
        NO_TARGET,
        None,
        baseline_label="eyecite.get_citations",
    )
    rec.figure(
        f"citation check + {len(known)} known citations",
        total["known"],
        total["raw"],
        "ms",
        NO_TARGET,
        None,
        baseline_label="eyecite.get_citations",
    )


# -- 2. draft diff ------------------------------------------------------------------------------


def synthetic_pair(page: Sequence[Any], pages: int) -> tuple[list[list[Any]], list[list[Any]]]:
    """``pages`` copies of one page's words, each marked with its number, and an edited copy."""
    left, right = [], []
    for k in range(pages):
        marked = [
            replace(w, text=f"{w.text}{k + 1}") if (n + k) % MARK_EVERY == 0 else w
            for n, w in enumerate(page)
        ]
        rng = random.Random(1000 + k)
        edited = []
        for w in marked:
            roll = rng.random()
            if roll < 0.01:
                continue  # dropped
            if roll < 0.04:
                edited.append(replace(w, text=rng.choice(page).text + "s"))  # changed
                continue
            edited.append(w)
            if roll > 0.99:
                edited.append(replace(w, text=rng.choice(page).text))  # added
        left.append(marked)
        right.append(edited)
    return left, right


def bench_diff(rec: Recorder, drafts: Sequence[Document], base: Document, runs: int) -> None:
    from reviewer.core import draft_diff

    def tokens(pages: Sequence[Sequence[Any]]) -> list[str]:
        return [t for words in pages for w in words if (t := draft_diff._token(w))]

    page = max(base.words, key=len)
    number = base.words.index(page) + 1
    left, right = synthetic_pair(page, SYNTHETIC_PAGES)
    a_name, b_name = drafts[0].name, drafts[1].name
    pairs = (
        (f"{a_name} vs {b_name}", drafts[0].words, drafts[1].words, max(runs, SMALL_DIFF_RUNS)),
        (f"synthetic {SYNTHETIC_PAGES}-page pair", left, right, runs),
    )
    rows = []
    figures = []
    for label, a_pages, b_pages, n in pairs:
        a, b = tokens(a_pages), tokens(b_pages)
        if n > runs:  # the small pair: a warm-up is cheap (the large one runs for seconds)
            draft_diff.diff_drafts(a_pages, b_pages)
            difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
        (ours_s, raw_s), (result, _) = alternate(
            n,
            lambda a_pages=a_pages, b_pages=b_pages: draft_diff.diff_drafts(a_pages, b_pages),
            lambda a=a, b=b: difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes(),
        )
        ours_ms, raw_ms = med_ms(ours_s), med_ms(raw_s)
        figures.append((label, ours_ms, raw_ms))
        rows.append(
            (
                label,
                f"{len(a_pages)}/{len(b_pages)}",
                f"{len(a):,}/{len(b):,}",
                f"{result.left_words:,}/{result.right_words:,}",
                f"{result.similarity:.3f}",
                n,
                f"{raw_ms:.2f}",
                f"{ours_ms:.2f}",
                f"{ours_ms / raw_ms:.2f}",
            )
        )
        record_timing(rec, f"diff ours: {label}", ours_s, words=[len(a), len(b)])
        record_timing(rec, f"diff raw SequenceMatcher: {label}", raw_s, words=[len(a), len(b)])
    print("\n  draft diff (medians; runs in column n, ours and raw alternate):")
    print_table(
        (
            "pair",
            "pages",
            "words L/R",
            "changed L/R",
            "similarity",
            "n",
            "raw ms",
            "ours ms",
            "ours/raw",
        ),
        rows,
    )
    print(
        f"  synthetic pair: page {number} of {base.name} ({len(page)} words) x "
        f"{SYNTHETIC_PAGES}, every {MARK_EVERY}th word marked with its page number;\n"
        "  right side: ~3 % of words changed, ~1 % dropped, ~1 % added (seeded)."
    )
    for label, ours_ms, raw_ms in figures:
        rec.figure(
            f"draft diff, {label}",
            ours_ms,
            raw_ms,
            "ms",
            NO_TARGET,
            None,
            baseline_label="SequenceMatcher.get_opcodes",
        )


# -- 3. judgement save -----------------------------------------------------------------------


RATIONALE = (
    "Draft A states the pleading standard correctly and ties each element to the "
    "complaint's allegations; draft B cites a reporter that does not exist for the "
    "controlling case and misstates the deadline under the local rules. A is better on "
    "accuracy and citations; both read well."
)


def bench_save(rec: Recorder, drafts: Sequence[Document], root: Path, saves: int) -> None:
    from reviewer.core import batches, judgements
    from reviewer.core.batch_file import SourceDocument, create_batch, default_items
    from reviewer.core.batch_import import import_batch
    from reviewer.core.blobs import sha256_file
    from reviewer.core.paths import resolve
    from reviewer.core.store import Workspace
    from reviewer.core.taxonomy import builtin_taxonomy

    sources = [
        SourceDocument(d.path, sha256_file(d.path), len(d.layers), "application/pdf")
        for d in drafts
    ]
    batch_path = root / "compare.rvbatch"
    create_batch(
        batch_path,
        name="Judgement benchmark",
        task="compare",
        taxonomy=builtin_taxonomy("legal-errors"),
        instructions="# Compare\n\nPick the better draft and say why.\n",
        documents=sources,
        items=default_items("compare", sources),
    )
    ws = Workspace.open(resolve(root / "workspace"), actor=AUTHOR)
    raw = sqlite3.connect(root / "raw.sqlite", isolation_level=None)
    try:
        raw.execute("PRAGMA journal_mode = WAL")
        raw.execute("PRAGMA synchronous = FULL")
        raw.execute(
            "CREATE TABLE judgement (id INTEGER PRIMARY KEY, item TEXT, data TEXT, at TEXT)"
        )
        insert = "INSERT INTO judgement (item, data, at) VALUES (?, ?, ?)"

        item = batches.items(ws, import_batch(ws, batch_path).batch_id)[0]
        j = judgements.start(ws, item, AUTHOR)
        j = judgements.save(ws, judgements.write_rationale(j, RATIONALE))
        criteria = [c.id for c in judgements.criteria_for(item)]
        changes = [(doc, crit) for doc in j.order for crit in criteria]

        ours_ms: list[float] = []
        raw_ms: list[float] = []
        for n in range(WARMUP_SAVES + saves):
            doc, crit = changes[n % len(changes)]
            changed = judgements.rate(j, doc, crit, 1 + n % 7)
            payload = (item.id, judgements._dumps(judgements._data(changed)), changed.updated_at)

            def ours(changed: Any = changed) -> Any:
                t0 = time.perf_counter()
                saved = judgements.save(ws, changed)
                ours_ms.append(1000 * (time.perf_counter() - t0))
                return saved

            def baseline(payload: tuple[str, str, str] = payload) -> None:
                t0 = time.perf_counter()
                raw.execute("BEGIN")
                raw.execute(insert, payload)
                raw.execute("COMMIT")
                raw_ms.append(1000 * (time.perf_counter() - t0))

            if n % 2:
                baseline()
                j = ours()
            else:
                j = ours()
                baseline()
        del ours_ms[:WARMUP_SAVES], raw_ms[:WARMUP_SAVES]
        updated = ws.events(entity="judgement", entity_id=j.id)
        every_save_changed = (
            sum(1 for e in updated if e.kind == "judgement.updated") == WARMUP_SAVES + saves + 1
        )
    finally:
        raw.close()
        ws.close()

    ours_sorted, raw_sorted = sorted(ours_ms), sorted(raw_ms)
    rows = []
    for label, ms in (
        ("ours: judgements.save (one changed rating)", ours_sorted),
        ("raw: BEGIN; INSERT; COMMIT (plain sqlite3)", raw_sorted),
    ):
        rows.append(
            (
                label,
                len(ms),
                f"{statistics.median(ms):.2f}",
                f"{quantile(ms, 0.95):.2f}",
                f"{ms[-1]:.2f}",
            )
        )
    med_ratio = statistics.median(ours_ms) / statistics.median(raw_ms)
    p95_ratio = quantile(ours_sorted, 0.95) / quantile(raw_sorted, 0.95)
    print(f"\n  judgement save ({saves} saves each after {WARMUP_SAVES} warm-ups; alternating):")
    print_table(("", "n", "median ms", "p95 ms", "max ms"), rows)
    print(
        f"  ours/raw: median {med_ratio:.2f}, p95 {p95_ratio:.2f}. Both: WAL, synchronous=FULL, "
        f"same folder. Every save\n  changed the stored judgement and logged an event: "
        f"{every_save_changed}."
    )
    rec.raw({"kind": "timing", "name": "judgement save ours", **summarize_ms(ours_ms)})
    rec.raw({"kind": "timing", "name": "judgement save raw insert+commit", **summarize_ms(raw_ms)})
    rec.raw(
        {
            "kind": "note",
            "name": "judgement save",
            "saves": saves,
            "ours_p95_ms": round(quantile(ours_sorted, 0.95), 3),
            "raw_p95_ms": round(quantile(raw_sorted, 0.95), 3),
            "every_save_changed": every_save_changed,
        }
    )
    rec.figure(
        "judgement save, one changed rating (median)",
        statistics.median(ours_ms),
        statistics.median(raw_ms),
        "ms",
        NO_TARGET,
        None,
        baseline_label="raw sqlite3 INSERT+COMMIT",
    )
    rec.figure(
        "judgement save, one changed rating (p95)",
        quantile(ours_sorted, 0.95),
        quantile(raw_sorted, 0.95),
        "ms",
        NO_TARGET,
        None,
        baseline_label="raw sqlite3 INSERT+COMMIT",
    )


# -- main -----------------------------------------------------------------------------------------


def main() -> int:
    setup = setup_from(sys.argv[1:])
    rec = Recorder("bench_review")
    runs = RUNS_QUICK if setup.quick else RUNS_FULL
    saves = SAVES_QUICK if setup.quick else SAVES_FULL
    started = time.perf_counter()
    env = env_info()
    print(
        f"bench_review ({'quick' if setup.quick else 'full'}): median of {runs} runs, "
        f"{saves} saves | Python {env['python']}, {env['platform']}, {env['cpus']} CPUs, "
        f"load {' '.join(env.get('loadavg', ['?']))}",
        flush=True,
    )

    paths = sorted({p for pattern in FILING_PATTERNS for p in FILINGS.glob(pattern)})
    t0 = time.perf_counter()
    docs, skipped = read_documents([*paths, *DRAFTS])
    filings = [d for d in docs if d.path.parent == FILINGS]
    drafts = [d for d in docs if d.path in DRAFTS]
    rec.note(
        "documents read by one worker (not timed)",
        filings=len(filings),
        drafts=len(drafts),
        seconds=round(time.perf_counter() - t0, 1),
        skipped=", ".join(skipped) or "none",
    )

    print("\n== 1. citation check: citations.check_pages vs eyecite.get_citations", flush=True)
    cold_costs(rec, runs)
    bench_citations(rec, filings, runs)

    print("\n== 2. draft diff: draft_diff.diff_drafts vs difflib.SequenceMatcher", flush=True)
    base = next((d for d in filings if d.name == SYNTHETIC_SOURCE), drafts[0])
    bench_diff(rec, drafts, base, runs)

    print("\n== 3. judgement save: judgements.save vs sqlite3 INSERT + COMMIT", flush=True)
    with tempfile.TemporaryDirectory(prefix="reviewer-bench-") as name:
        bench_save(rec, drafts, Path(name), saves)

    print(
        f"\nrows recorded in {os.path.relpath(rec.path, PROJECT)} "
        f"({time.perf_counter() - started:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
