"""Shared helpers for the benchmarks: statistics, a result recorder, the test PDFs.

Why this module exists: every figure we publish is a *ratio* against a raw
baseline measured in the same run (the machines are shared and noisy, so an
absolute number alone says little). Keeping the statistics and the result
format in one place means every script reports the same way, and
``run.py`` can build its summary table from the JSON lines alone.

Stdlib only at import time: the benchmark processes must not load PyMuPDF
or Qt unless they mean to, because both change what is being measured
(start-up time, peak memory).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
BENCH = PROJECT / "benchmarks"
SHARED = PROJECT.parent / "shared"
REFERENCE = SHARED / "perf-reference"
RESULTS = BENCH / "results"
QUICK_ENV = "REVIEWER_BENCH_QUICK"


def data_dir() -> Path:
    """Where the generated test PDFs are cached (``$REVIEWER_BENCH_DATA`` or ``.data/``)."""
    folder = Path(os.environ.get("REVIEWER_BENCH_DATA") or BENCH / ".data")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# -- the test documents --------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """Sizes of one benchmark run: the full issue setup or a quick check."""

    quick: bool
    brief_pages: int
    scan_pages: int
    startup_runs: int  # timed runs; one extra warm-up run is discarded
    render_pages: int  # pages sampled for the render ratio
    idle_seconds: float  # length of each gap baseline (idle window, worker thread)


FULL = Setup(False, 1000, 200, 7, 25, 4.0)
QUICK = Setup(True, 200, 40, 4, 12, 2.0)


def setup_from(argv: Sequence[str]) -> Setup:
    """``--quick`` on the command line (or ``$REVIEWER_BENCH_QUICK=1``) picks the small setup."""
    return QUICK if "--quick" in argv or os.environ.get(QUICK_ENV) == "1" else FULL


def _import_generators() -> tuple[Any, Any]:
    """The project's own generators; the package re-exports them, ``bulk`` defines them."""
    try:
        from reviewer.core.samples import make_long_brief, make_scanned
    except ImportError:
        from reviewer.core.samples.bulk import make_long_brief, make_scanned
    return make_long_brief, make_scanned


def test_pdfs(setup: Setup) -> dict[str, Path]:
    """The text brief and the scan for ``setup``, generated once and reused.

    Files are written under a temporary name and renamed, so a run that is
    interrupted half-way never leaves a truncated PDF to be reused.
    """
    folder = data_dir()
    wanted = {
        "brief": (folder / f"brief_{setup.brief_pages}.pdf", setup.brief_pages, 0),
        "scan": (folder / f"scan_{setup.scan_pages}.pdf", setup.scan_pages, 1),
    }
    out: dict[str, Path] = {}
    for label, (path, pages, which) in wanted.items():
        if not path.is_file() or path.stat().st_size == 0:
            make = _import_generators()[which]
            started = time.perf_counter()
            partial = path.with_name(f".partial-{os.getpid()}-{path.name}")
            try:
                make(partial, pages)
                partial.replace(path)
            finally:
                partial.unlink(missing_ok=True)
            took = time.perf_counter() - started
            size = path.stat().st_size / 2**20
            print(f"generated {path.name}: {pages} pages, {size:.1f} MiB in {took:.1f} s")
        out[label] = path
    return out


# -- statistics -------------------------------------------------------------------


def quantile(sorted_values: Sequence[float], p: float) -> float:
    """Linear-interpolated quantile of already sorted values (as numpy's default)."""
    n = len(sorted_values)
    if n == 0:
        return float("nan")
    if n == 1:
        return sorted_values[0]
    k = (n - 1) * p
    lo = int(k)
    hi = min(lo + 1, n - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def summarize_ms(samples_ms: Sequence[float]) -> dict[str, float | int]:
    """Median, p10/p90/p99, min and max of millisecond samples, rounded for reading."""
    ms = sorted(samples_ms)
    if not ms:
        return {"n": 0}
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 3),
        "min_ms": round(ms[0], 3),
        "p10_ms": round(quantile(ms, 0.10), 3),
        "p90_ms": round(quantile(ms, 0.90), 3),
        "p99_ms": round(quantile(ms, 0.99), 3),
        "max_ms": round(ms[-1], 3),
    }


def ratio(ours: float, baseline: float) -> float:
    return round(ours / baseline, 3) if baseline > 0 else float("inf")


def env_info() -> dict[str, Any]:
    """The machine, so a result file says where it was measured."""
    info: dict[str, Any] = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }
    try:
        with open("/proc/loadavg") as f:
            info["loadavg"] = f.read().split()[:3]
    except OSError:
        pass
    return info


# -- memory -------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak resident set size in MiB (``ru_maxrss`` is KiB on Linux)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def proc_status_mb(pid: int, field: str = "VmHWM") -> float:
    """A memory field of another process (``VmHWM`` = its peak RSS), in MiB; NaN if gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def pss_mb(pid: int) -> float:
    """A process's proportional set size in MiB (shared pages split among their users)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


class PssSampler:
    """The peak of several processes' combined PSS, sampled every ``interval`` s.

    Why PSS: the viewer's rendered pages live in memory the GUI and its
    worker share. RSS counts a shared page in every process that maps it, so
    adding the two processes' RSS peaks counts each cached page twice; PSS
    splits a shared page among the processes mapping it, so the sum of PSS is
    the memory they use together (what ``smem`` reports). A sampled peak can
    miss a spike shorter than the interval; the RSS figures stay in the
    results as an upper bound.
    """

    def __init__(self, pids: Callable[[], list[int]], interval: float = 0.1) -> None:
        self._pids = pids
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pss-sampler", daemon=True)
        self.peak_mb = 0.0
        self.peak_parts: dict[int, float] = {}

    def start(self) -> PssSampler:
        self._thread.start()
        return self

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self._sample()
        return self.peak_mb

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()

    def _sample(self) -> None:
        parts = {pid: pss_mb(pid) for pid in self._pids() if pid}
        total = sum(v for v in parts.values() if v == v)  # NaN: the process is gone
        if total > self.peak_mb:
            self.peak_mb, self.peak_parts = total, parts


# -- a PySide6 defect that would end the measurement -----------------------------------


def pyside_reference_leaks() -> dict[str, int]:
    """How many references to True/None 200 calls of ``Signal.emit``/``QTimer.start`` drop.

    PySide6-Essentials 6.12.0 (not 6.11.3) returns True from ``Signal.emit``
    and None from ``QTimer.start`` without taking a reference. On CPython
    3.11 every call therefore lowers the refcount of the singleton by one,
    and after a few thousand calls (one scroll step = one timer start) the
    interpreter aborts: "Fatal Python error: none_dealloc/bool_dealloc".
    CPython 3.12+ makes these singletons immortal, which hides the defect.
    Call with a QApplication alive.
    """
    from PySide6.QtCore import QObject, QTimer, Signal

    class _Probe(QObject):
        ping = Signal(int)

    probe = _Probe()
    probe.ping.connect(lambda _v: None)
    timer = QTimer()
    before_true, before_none = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(200):
        probe.ping.emit(1)
    lost_true = before_true - sys.getrefcount(True)
    before_none = sys.getrefcount(None)
    for _ in range(200):
        timer.start(1000)
    lost_none = before_none - sys.getrefcount(None)
    timer.stop()
    return {"emit_drops_true": max(0, lost_true), "timer_start_drops_none": max(0, lost_none)}


def pin_singletons_if_needed(rec: Recorder) -> None:
    """Keep this benchmark process alive despite the defect above, and say so.

    Adds 2**40 to the refcounts of True, False and None (what CPython 3.12
    does by making them immortal), only when the defect is present and the
    interpreter is older than 3.12. The app itself is not changed: its own
    processes (``reviewer --report-startup``) still show the defect.
    """
    leaks = pyside_reference_leaks()
    if not any(leaks.values()):
        return
    pinned = sys.version_info < (3, 12)
    if pinned:
        import ctypes

        for singleton in (True, False, None):
            ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 40
    import PySide6

    rec.note(
        "PySide6 drops references (app aborts on CPython 3.11)",
        pyside6=PySide6.__version__,
        **leaks,
        pinned_in_this_process=pinned,
    )


# -- recording ------------------------------------------------------------------------


class Recorder:
    """Prints aligned result lines and appends every row to ``results/<script>.jsonl``.

    A row with ``"kind": "figure"`` is one line of the final summary table
    (ours, baseline, ratio, target, verdict); everything else is detail.
    Several processes of one benchmark may append to the same file: the
    parent creates it with ``fresh=True``, its children append.
    """

    def __init__(self, script: str, *, fresh: bool = True) -> None:
        RESULTS.mkdir(parents=True, exist_ok=True)
        self.path = RESULTS / f"{script}.jsonl"
        if fresh:
            self.path.write_text("")
            self.raw({"kind": "env", **env_info(), "ts": time.strftime("%Y-%m-%d %H:%M:%S")})

    def raw(self, row: dict[str, Any]) -> dict[str, Any]:
        with self.path.open("a") as f:
            f.write(json.dumps(row) + "\n")
        return row

    def timing(self, name: str, samples_ms: Sequence[float], **extra: Any) -> dict[str, Any]:
        """Record and print the distribution of millisecond samples."""
        row = {"kind": "timing", "name": name, **summarize_ms(samples_ms), **extra}
        self.raw(row)
        if row["n"]:
            tail = " ".join(f"{k}={v}" for k, v in extra.items())
            print(
                f"  {name:<58} med {row['median_ms']:>9.2f} ms  "
                f"p10 {row['p10_ms']:>8.2f}  p90 {row['p90_ms']:>8.2f}  "
                f"max {row['max_ms']:>8.2f}  n={row['n']:<4} {tail}",
                flush=True,
            )
        return row

    def note(self, name: str, **values: Any) -> dict[str, Any]:
        """Record and print a plain measurement (counts, memory, …)."""
        row = {"kind": "note", "name": name, **values}
        self.raw(row)
        print(f"  {name:<58} " + "  ".join(f"{k}={v}" for k, v in values.items()), flush=True)
        return row

    def figure(
        self,
        figure: str,
        ours: float,
        baseline: float | None,
        unit: str,
        target: str,
        met: bool | None,
        *,
        baseline_label: str = "",
    ) -> dict[str, Any]:
        """One line of the summary table; ``met`` is decided by the caller against ``target``.

        ``met=None`` marks a line shown for contrast only (no target applies).
        """
        row = {
            "kind": "figure",
            "figure": figure,
            "ours": round(ours, 3),
            "baseline": None if baseline is None else round(baseline, 3),
            "baseline_label": baseline_label,
            "ratio": None if baseline is None else ratio(ours, baseline),
            "unit": unit,
            "target": target,
            "met": met,
        }
        self.raw(row)
        shown_ratio = "" if row["ratio"] is None else f"  ratio {row['ratio']:.2f}"
        shown_base = "" if baseline is None else f"  baseline {baseline:.1f} {unit}"
        verdict = verdict_text(met)
        print(
            f"* {figure:<46} ours {ours:.1f} {unit}{shown_base}{shown_ratio}"
            f"  target {target}: {verdict}",
            flush=True,
        )
        return row


def verdict_text(met: bool | None) -> str:
    return "—" if met is None else "met" if met else "NOT MET"


def read_rows(script: str) -> list[dict[str, Any]]:
    """All rows a benchmark script recorded in this run."""
    path = RESULTS / f"{script}.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
