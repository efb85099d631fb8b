"""Hostile PDFs (issue 9, point 5): what the document worker makes of broken and malicious files.

What is measured: every file is handled as the window handles an untrusted
file, in a :class:`reviewer.core.worker.DocumentWorker` of its own (a child
process with a 2 GiB address-space cap): open it, draw page 1 at the
smallest zoom (``layout.MIN_ZOOM``, into the shared pixel arena as the viewer
does) and read page 1's text (OCR included for a scan), each request with a
timeout (``--timeout``, 20 s). The files are

* the crafted cases of :func:`reviewer.core.samples.hostile.write_crafted`: truncated,
  corrupt header, not a PDF, empty, encrypted (``pdfminer__aes-256.pdf`` and one
  written by PyMuPDF with a user password), a 1 GiB FlateDecode content-stream
  bomb, a 3 GiB image bomb, an image declaring 10^6 x 10^6 pixels, and pages
  of 14,400 and 200,000 points square;
* ``--mutants`` N seeded mutants (:func:`reviewer.core.samples.hostile.mutate`: bit
  flips, truncation, chunk deletion/duplication, zeroed windows, wrong
  lengths/offsets/object numbers, inserted junk) of the PDFs in
  ``../shared/data/pdf``, round-robin.

Each file ends as ``ok``, ``typed_error`` (a ReviewerError whose message names
the file), ``timeout`` (no answer in time: the worker is killed, the next file
gets a fresh one), ``crash`` (WorkerCrashed naming the file: the process died)
or ``untyped`` (anything else escaping, or a message without the file name: a
bug). ``gui_crashes`` counts failures of this process, which plays the GUI:
an exception escaping the harness itself, or its peak RSS growing by more than
300 MB (pixels of a hostile file reaching the GUI). The script prints one line

    PDF files=N ok=.. typed_errors=.. timeouts=.. crashes=.. untyped=0 gui_crashes=0

then a table per source file, and the seeds of every untyped/timeout/crash
mutant (``hostile.mutate(original, seed)`` rebuilds it). It asserts nothing
and exits 1 only when ``untyped`` or ``gui_crashes`` is not 0.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import SHARED

from reviewer.core.samples import hostile

SHARED_PDFS = SHARED / "data" / "pdf"
#: Growth of this process's peak RSS that counts as the GUI eating memory.
GUI_MEMORY_BUDGET_MB = 300.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=int, default=1000, help="mutants to try (1000)")
    parser.add_argument("--seed", type=int, default=1, help="run seed (1)")
    parser.add_argument("--timeout", type=float, default=hostile.REQUEST_TIMEOUT)
    parser.add_argument("--no-crafted", action="store_true", help="mutants only")
    args = parser.parse_args(argv)

    sources = sorted(SHARED_PDFS.glob("*.pdf"))
    if not sources:
        print(f"no PDFs in {SHARED_PDFS}", file=sys.stderr)
        return 2
    counts: Counter[str] = Counter()
    per_source: dict[str, Counter[str]] = defaultdict(Counter)
    seconds: dict[str, float] = defaultdict(float)
    notable: list[str] = []
    gui_crashes = 0
    started = time.monotonic()
    baseline = hostile.peak_rss_mb()

    def record(source: str, outcome: hostile.Outcome, seed: int | None, what: str) -> None:
        counts[outcome.kind] += 1
        per_source[source][outcome.kind] += 1
        seconds[source] += outcome.seconds
        if outcome.kind in (hostile.UNTYPED, hostile.TIMEOUT, hostile.CRASH):
            tag = f"seed={seed} {what}" if seed is not None else "crafted"
            notable.append(
                f"  {outcome.kind:8} {outcome.label} [{tag}] at {outcome.step}, "
                f"{outcome.seconds:.1f}s: {outcome.message[:160]}"
            )

    with (
        tempfile.TemporaryDirectory(prefix="reviewer-hostile-") as tmp,
        hostile.Prober(args.timeout) as prober,
    ):
        folder = Path(tmp)
        jobs: list[tuple[str, Path, int | None, str]] = []
        if not args.no_crafted:
            crafted = hostile.write_crafted(
                folder, SHARED_PDFS / "pdfminer__base.pdf", SHARED_PDFS / "pdfminer__aes-256.pdf"
            )
            jobs += [(f"crafted:{name}", path, None, "") for name, path in crafted.items()]
        for source, path, seed, what in jobs:
            try:
                record(source, prober.probe(path, source), seed, what)
            except Exception as exc:  # noqa: BLE001 - the harness itself failed: a GUI crash
                gui_crashes += 1
                notable.append(f"  GUI      {source}: {type(exc).__name__}: {exc}")
        for index, mutant in enumerate(
            hostile.write_mutants(sources, args.mutants, args.seed, folder)
        ):
            try:
                outcome = prober.probe(mutant.path, mutant.path.name)
                record(mutant.source.name, outcome, mutant.seed, mutant.what)
            except Exception as exc:  # noqa: BLE001 - the harness itself failed: a GUI crash
                gui_crashes += 1
                notable.append(f"  GUI      {mutant.path.name}: {type(exc).__name__}: {exc}")
            mutant.path.unlink(missing_ok=True)
            if (index + 1) % 100 == 0:
                print(
                    f"  ... {index + 1} mutants, {time.monotonic() - started:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
        workers = prober.workers_started

    growth = hostile.peak_rss_mb() - baseline
    if growth > GUI_MEMORY_BUDGET_MB:
        gui_crashes += 1
        notable.append(f"  GUI      peak RSS grew by {growth:.0f} MB")
    total = sum(counts.values())
    print(
        f"PDF files={total} ok={counts[hostile.OK]} typed_errors={counts[hostile.TYPED]} "
        f"timeouts={counts[hostile.TIMEOUT]} crashes={counts[hostile.CRASH]} "
        f"untyped={counts[hostile.UNTYPED]} gui_crashes={gui_crashes}"
    )
    print(
        f"  seed={args.seed} mutants={args.mutants} timeout={args.timeout:g}s "
        f"wall={time.monotonic() - started:.0f}s workers_started={workers} "
        f"parent_peak_rss_growth={growth:.0f}MB"
    )
    width = max(len(name) for name in per_source)
    header = "".join(f"{kind:>12}" for kind in hostile.KINDS)
    print(f"  {'source':<{width}}{header}{'seconds':>10}")
    for name in sorted(per_source):
        row = "".join(f"{per_source[name][kind]:>12}" for kind in hostile.KINDS)
        print(f"  {name:<{width}}{row}{seconds[name]:>10.1f}")
    if notable:
        print("not ok or not typed (reproduce: hostile.mutate(original bytes, seed)):")
        print("\n".join(notable))
    return 1 if counts[hostile.UNTYPED] or gui_crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
