"""Run every benchmark, each in a fresh process, and print one summary table.

Benchmarks report; they do not assert. The exit code is 0 even when a
target is missed, and non-zero only when a benchmark itself crashed, so
``bash packaging/dev bench`` is safe to run anywhere and a crash is never
mistaken for a slow figure.

Usage: QT_QPA_PLATFORM=offscreen python benchmarks/run.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from typing import Any

from common import BENCH, PROJECT, read_rows, setup_from, test_pdfs, verdict_text

#: Run first; every other ``bench_*.py`` in this folder follows in name order.
FIRST = ("bench_viewer.py",)


def benchmarks() -> list[str]:
    """Every benchmark script here: each writes results/<stem>.jsonl, whose figures make
    the table. Found by name so a new ``bench_*.py`` is run without editing this file."""
    found = sorted(p.name for p in BENCH.glob("bench_*.py"))
    return [name for name in FIRST if name in found] + [n for n in found if n not in FIRST]


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    shown = (
        f"{value:.2f}"
        if abs(value) < 10
        else f"{value:.0f}"
        if abs(value) >= 100
        else (f"{value:.1f}")
    )
    return f"{shown} {unit}".rstrip()


def table(rows: list[dict[str, Any]]) -> str:
    """Aligned plain-text table: figure, ours, baseline, ratio, target, verdict."""
    header = ("figure", "ours", "baseline", "ratio", "target", "verdict")
    lines = [header]
    for r in rows:
        base = _number(r["baseline"], r["unit"])
        if r.get("baseline_label") and r["baseline"] is not None:
            base = f"{base} ({r['baseline_label']})"
        lines.append(
            (
                r["figure"],
                _number(r["ours"], r["unit"]),
                base,
                "—" if r["ratio"] is None else f"{r['ratio']:.2f}x",
                r["target"],
                verdict_text(r["met"]),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="smaller documents and fewer runs: a fast check"
    )
    args = parser.parse_args(argv)
    setup = setup_from(argv)
    started = time.perf_counter()
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    mode = "quick check" if setup.quick else "full issue setup"
    print(
        f"reviewer benchmarks ({mode}): {setup.brief_pages}-page brief, "
        f"{setup.scan_pages}-page scan",
        flush=True,
    )
    test_pdfs(setup)  # generate once, before anything is timed

    crashed: list[str] = []
    figures: list[dict[str, Any]] = []
    for script in benchmarks():
        print(f"\n######## {script}", flush=True)
        cmd = [sys.executable, str(BENCH / script), *(["--quick"] if args.quick else [])]
        code = subprocess.run(cmd, cwd=PROJECT, env=env, check=False).returncode
        if code != 0:
            crashed.append(f"{script} (exit code {code})")
        figures += [r for r in read_rows(script.removesuffix(".py")) if r["kind"] == "figure"]

    took = time.perf_counter() - started
    print(f"\n======== summary ({mode}, {took / 60:.1f} min)\n")
    print(table(figures) if figures else "no figures were recorded")
    judged = [r for r in figures if r["met"] is not None]
    missed = [r["figure"].strip() for r in judged if not r["met"]]
    print(
        f"\ntargets met: {len(judged) - len(missed)} of {len(judged)}"
        + (f"; missed: {'; '.join(missed)}" if missed else "")
    )
    if crashed:
        print(f"CRASHED: {', '.join(crashed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
