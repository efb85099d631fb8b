"""Issue #5's figure: redaction + verification time per page, against bare PyMuPDF.

A generated 100-page brief, 20 boxes per page (over words spread down the
page). Ours is the whole export as the app runs it: ``redact_document``
(apply with explicit arguments, scrubbing, garbage-collected save) and then
``verify_redacted`` on the output, each timed on its own. The baseline,
measured in the same run on the same boxes, is what the stack does bare:
``add_redact_annot`` + ``apply_redactions()`` per page and one
``save(garbage=4, deflate=True, clean=True)`` — fast, and not safe (it
leaves annotations, metadata, attachments and more; see docs/ARCHITECTURE.md).
Both run in this process, one after the other, three times; medians are
reported. ``--quick`` uses 20 pages.

Run:  python benchmarks/bench_redact.py [--quick]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PROJECT, Recorder, setup_from

BOXES_PER_PAGE = 20
RUNS = 3


def main() -> int:
    setup = setup_from(sys.argv[1:])
    rec = Recorder("bench_redact")
    import pymupdf

    from reviewer.core.redaction.export import redact_document
    from reviewer.core.redaction.plan import RedactionBox, RedactionOptions, RedactionPlan
    from reviewer.core.redaction.verify import verify_redacted
    from reviewer.core.samples import make_long_brief

    pages = 20 if setup.quick else 100
    with tempfile.TemporaryDirectory(prefix="reviewer-bench-") as tmp:
        source = Path(tmp) / "brief.pdf"
        make_long_brief(source, pages)
        boxes: list[RedactionBox] = []
        with pymupdf.open(source) as doc:
            for page in doc:
                words = page.get_text("words")
                step = max(1, len(words) // BOXES_PER_PAGE)
                for w in words[::step][:BOXES_PER_PAGE]:
                    boxes.append(RedactionBox(page.number, (w[0], w[1], w[2], w[3])))
        plan = RedactionPlan(boxes=tuple(boxes))
        rec.note("document", pages=pages, boxes=len(boxes))

        bare_s, redact_s, verify_s = [], [], []
        for _ in range(RUNS):
            doc = pymupdf.open(source)
            t0 = time.perf_counter()
            for page in doc:
                for b in boxes:
                    if b.page == page.number:
                        page.add_redact_annot(b.rect, fill=(0, 0, 0))
                page.apply_redactions()
            doc.tobytes(garbage=4, deflate=True, clean=True)
            bare_s.append(time.perf_counter() - t0)
            doc.close()

            doc = pymupdf.open(source)
            t0 = time.perf_counter()
            pdf = redact_document(doc, plan, RedactionOptions())
            redact_s.append(time.perf_counter() - t0)
            doc.close()
            t0 = time.perf_counter()
            report = verify_redacted(pdf, [], boxes)
            verify_s.append(time.perf_counter() - t0)
            if not report.passed:
                failed = [c.name for c in report.checks if not c.passed]
                print(f"verification failed: {failed}", file=sys.stderr)
                return 1

        per_page = {
            name: 1000 * statistics.median(runs) / pages
            for name, runs in (("bare", bare_s), ("redact", redact_s), ("verify", verify_s))
        }
        rec.note("bare PyMuPDF (apply + save), ms/page", ms=round(per_page["bare"], 2))
        rec.note("ours: redact (apply + scrub + save), ms/page", ms=round(per_page["redact"], 2))
        rec.note("ours: verify the output, ms/page", ms=round(per_page["verify"], 2))
        total = per_page["redact"] + per_page["verify"]
        rec.figure(
            f"redaction + verification, {pages} pages × {BOXES_PER_PAGE} boxes",
            total,
            per_page["bare"],
            "ms/page",
            "reported (no target)",
            None,
            baseline_label="bare PyMuPDF apply + save",
        )
    print(f"\nrows recorded in {os.path.relpath(rec.path, PROJECT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
