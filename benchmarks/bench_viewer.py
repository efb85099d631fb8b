"""Issue #2's viewer figures, each against a raw baseline measured in the same run.

For the long text brief and for the scanned document:

1. launch to first page shown: ``reviewer --report-startup`` vs the minimal
   skeleton (``baseline_skeleton.py``), whole-process wall clock;
2. our page render (worker round trip + ``to_image``) vs a raw
   in-process ``get_pixmap`` at the same scale, at 96 and 192 dpi;
3. the longest GUI-thread stall while the real ``MainWindow`` scrolls the
   document end to end, vs the same window idle, and (for contrast) vs a
   PyMuPDF worker *thread*, the design we rejected;
4. peak memory of the GUI process and of its document worker.

Each (part, document) runs in a fresh child process of this script: peak
RSS is a high-water mark, and the raw baselines import PyMuPDF into the
process, so sharing one process would blur both the memory figure and the
start-up state. Children append to the same ``results/bench_viewer.jsonl``.

Run:  QT_QPA_PLATFORM=offscreen python benchmarks/bench_viewer.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from common import (
    BENCH,
    PROJECT,
    PssSampler,
    Recorder,
    Setup,
    peak_rss_mb,
    pin_singletons_if_needed,
    proc_status_mb,
    read_rows,
    setup_from,
    summarize_ms,
    test_pdfs,
)

SCRIPT = "bench_viewer"
PARTS = ("startup", "render", "scroll")
LAUNCH_TARGET_MS = 1000.0
RENDER_TARGET_RATIO = 1.2
STALL_TARGET_MS = 50.0
MEMORY_TARGET_MB = 400.0
SCROLL_TICK_MS = 16  # ~60 ticks per second
GAP_TICK_MS = 2


# -- helpers shared by the parts ------------------------------------------------------


def sample_pages(count: int, k: int) -> list[int]:
    """``k`` pages spread evenly over the document, first and last included."""
    if count <= k:
        return list(range(count))
    return sorted({round(i * (count - 1) / (k - 1)) for i in range(k)})


def _block_pymupdf_extras() -> None:
    """As the app does: PyMuPDF 2.x would otherwise import a layout model on import."""
    sys.modules.setdefault("pymupdf.layout", None)  # type: ignore[arg-type]
    sys.modules.setdefault("pymupdf4llm", None)  # type: ignore[arg-type]


def _wait(condition: Any, timeout_s: float, what: str) -> None:
    """Run the Qt event loop until ``condition()`` holds (benchmarks must not hang)."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.001)


class GapMeter:
    """Measures how late the GUI thread wakes up: a 2 ms timer records the gaps.

    Any work that holds the GUI thread (a paint, a pixmap conversion, a
    database write, the GIL held by another thread) shows up as a gap longer
    than 2 ms; the longest gap is the worst stall a user could feel.
    """

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.gaps_ms: list[float] = []
        self._last = 0.0
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(GAP_TICK_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.gaps_ms = []
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> list[float]:
        self._timer.stop()
        return self.gaps_ms

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps_ms.append((now - self._last) * 1000.0)
        self._last = now

    def run_for(self, seconds: float) -> list[float]:
        """Measure while the event loop runs for ``seconds`` (idle baselines)."""
        self.start()
        deadline = time.perf_counter() + seconds
        _wait(lambda: time.perf_counter() >= deadline, seconds + 30, "the measurement")
        return self.stop()


def gap_stats(gaps_ms: list[float]) -> dict[str, float]:
    ms = sorted(gaps_ms)
    stats = summarize_ms(ms)
    return {
        "median_ms": float(stats.get("median_ms", float("nan"))),
        "p99_ms": float(stats.get("p99_ms", float("nan"))),
        "max_ms": float(stats.get("max_ms", float("nan"))),
        "over_16ms": sum(1 for g in ms if g > 16.0),
        "over_50ms": sum(1 for g in ms if g > 50.0),
    }


# -- part 1: launch to first page shown -------------------------------------------------


def _timed_run(cmd: list[str], env: dict[str, str]) -> tuple[float, dict[str, Any], int, str]:
    """Wall-clock of a whole process; its last JSON line; its exit code; a stderr hint."""
    started = time.perf_counter()
    done = subprocess.run(
        cmd, env=env, cwd=PROJECT, capture_output=True, text=True, timeout=180, check=False
    )
    wall_ms = (time.perf_counter() - started) * 1000.0
    stages: dict[str, Any] = {}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            stages = json.loads(line)
            break
    hint = next(
        (ln.strip() for ln in done.stderr.splitlines() if "Fatal" in ln or "Error" in ln), ""
    )
    return wall_ms, stages, done.returncode, hint


def part_startup(doc: str, pdf: Path, setup: Setup, rec: Recorder) -> None:
    """Both programs started the same way, alternately, so drift in load hits both."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    skeleton = [sys.executable, str(BENCH / "baseline_skeleton.py"), str(pdf)]
    walls: dict[str, list[float]] = {"ours": [], "skeleton": []}
    inner: dict[str, list[float]] = {"ours": [], "skeleton": []}
    windows: list[float] = []
    rss: list[float] = []
    bad_exits: list[tuple[int, str]] = []
    for run in range(setup.startup_runs + 1):  # run 0 warms the page cache: discarded
        wall, stages, code, _ = _timed_run(skeleton, env)
        if code != 0 or "first_page_ms" not in stages:
            raise RuntimeError(f"the baseline skeleton failed (exit code {code})")
        if run:
            walls["skeleton"].append(wall)
            inner["skeleton"].append(stages["first_page_ms"])
            rss.append(stages["peak_rss_mb"])
        with tempfile.TemporaryDirectory(prefix="reviewer-bench-ws-") as workspace:
            ours = [
                sys.executable,
                "-m",
                "reviewer",
                "--report-startup",
                str(pdf),
                "--workspace",
                workspace,
            ]
            wall, stages, code, hint = _timed_run(ours, env)
        if "first_page_ms" not in stages:
            raise RuntimeError(f"reviewer --report-startup printed no timings ({code}): {hint}")
        if code != 0:
            bad_exits.append((code, hint))
        if run:
            walls["ours"].append(wall)
            inner["ours"].append(stages["first_page_ms"])
            windows.append(stages["window_ms"])
    label = pdf.stem
    rec.timing(f"launch→page 1, process wall clock: reviewer [{label}]", walls["ours"])
    rec.timing(f"launch→page 1, process wall clock: skeleton [{label}]", walls["skeleton"])
    rec.timing(f"  in-process: run_gui start→page 1 painted [{label}]", inner["ours"])
    rec.timing(f"  in-process: run_gui start→window built [{label}]", windows)
    rec.timing(f"  in-process: skeleton script start→page 1 [{label}]", inner["skeleton"])
    rec.note(f"skeleton peak RSS [{label}]", doc=doc, skeleton_rss_mb=statistics.median(rss))
    if bad_exits:
        code, hint = bad_exits[0]
        rec.note(
            f"reviewer exited abnormally [{label}]",
            runs=f"{len(bad_exits)}/{setup.startup_runs + 1}",
            exit_code=code,
            stderr=hint[:120],
        )
    ours, base = statistics.median(walls["ours"]), statistics.median(walls["skeleton"])
    rec.figure(
        f"launch→page 1 shown [{label}]",
        ours,
        base,
        "ms",
        f"≤ {LAUNCH_TARGET_MS:.0f} ms",
        ours <= LAUNCH_TARGET_MS,
        baseline_label="minimal skeleton",
    )


# -- part 2: our page render vs raw get_pixmap --------------------------------------------


def part_render(doc: str, pdf: Path, setup: Setup, rec: Recorder) -> None:
    """First-time renders, ours vs raw, page by page in alternation.

    Each scale starts from freshly opened documents on both sides (MuPDF keeps
    decoded images in its store, which would flatter a second pass on scans),
    and one page outside the sample is rendered untimed on both sides so
    one-off start-up costs stay out of the sample. A second pass over the
    same pages ("warm") is reported as detail.
    """
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    _block_pymupdf_extras()
    import pymupdf

    from reviewer.core.layout import PX_PER_PT
    from reviewer.core.worker import DocumentWorker
    from reviewer.ui.bridge import Relay
    from reviewer.ui.document_session import to_image

    app = QApplication.instance() or QApplication(sys.argv[:1])
    pin_singletons_if_needed(rec)
    relay = Relay()
    label = pdf.stem
    with pymupdf.open(pdf) as probe:
        count = probe.page_count
    pages = sample_pages(count, setup.render_pages)
    spare_page = next((p for p in range(count) if p not in pages), pages[0])

    def ours(worker: DocumentWorker, page: int, scale: float) -> dict[str, float]:
        marks: dict[str, float] = {}
        loop = QEventLoop()

        def on_gui_thread(future: Any) -> None:
            marks["delivered"] = time.perf_counter()
            rendered = future.result()
            image = to_image(rendered)  # what the viewer's page cache holds
            marks["pixmap"] = time.perf_counter()
            assert not image.isNull()
            assert rendered.shared
            del image
            rendered.release()  # as the raw side drops its pixmap
            loop.quit()

        marks["submit"] = time.perf_counter()
        future = worker.render(page, scale, shared=True)
        future.add_done_callback(lambda _f: marks.setdefault("done", time.perf_counter()))
        relay.when_done(future, on_gui_thread)
        if "pixmap" not in marks:
            loop.exec()
        return {
            "total": (marks["pixmap"] - marks["submit"]) * 1000,
            "worker_pipe": (marks["done"] - marks["submit"]) * 1000,
            "relay": (marks["delivered"] - marks["done"]) * 1000,
            "to_image": (marks["pixmap"] - marks["delivered"]) * 1000,
        }

    def raw(document: Any, page: int, scale: float) -> float:
        started = time.perf_counter()
        pix = document[page].get_pixmap(matrix=pymupdf.Matrix(scale, scale), alpha=False)
        took = (time.perf_counter() - started) * 1000
        del pix
        return took

    for name, dpi in (("1x 96 dpi", 96), ("2x 192 dpi", 192)):
        scale = round(PX_PER_PT * dpi / 96, 4)  # the viewer's scale at 100 % zoom, DPR 1 or 2
        worker = DocumentWorker.for_viewer().start()
        try:
            worker.open(pdf).result(120)
            document = pymupdf.open(pdf)
            ours(worker, spare_page, scale)
            raw(document, spare_page, scale)
            first: dict[str, list[float]] = {
                "raw": [],
                "total": [],
                "worker_pipe": [],
                "relay": [],
                "to_image": [],
            }
            warm: dict[str, list[float]] = {"raw": [], "total": []}
            for page in pages:
                first["raw"].append(raw(document, page, scale))
                for key, value in ours(worker, page, scale).items():
                    first[key].append(value)
            for page in pages:
                warm["raw"].append(raw(document, page, scale))
                warm["total"].append(ours(worker, page, scale)["total"])
            document.close()
        finally:
            worker.close()
        px = f"{round(612 * scale)}x{round(792 * scale)}"
        rec.timing(
            f"render {name} first-time, ours (submit→QImage) [{label}]", first["total"], px=px
        )
        rec.timing(f"render {name} first-time, raw get_pixmap [{label}]", first["raw"])
        rec.timing("  of ours: worker render + pipe (submit→future done)", first["worker_pipe"])
        rec.timing("  of ours: relay to GUI thread (queued signal)", first["relay"])
        rec.timing("  of ours: to_image on the GUI thread", first["to_image"])
        rec.timing(f"render {name} warm (2nd pass), ours [{label}]", warm["total"])
        rec.timing(f"render {name} warm (2nd pass), raw [{label}]", warm["raw"])
        ours_ms, raw_ms = statistics.median(first["total"]), statistics.median(first["raw"])
        rec.figure(
            f"page render {name}, first-time [{label}]",
            ours_ms,
            raw_ms,
            "ms",
            f"ratio ≤ {RENDER_TARGET_RATIO}",
            ours_ms / raw_ms <= RENDER_TARGET_RATIO,
            baseline_label="raw get_pixmap",
        )
    app.processEvents()


# -- part 3 and 4: scrolling end to end, then memory ----------------------------------------


class RecordingDialogs:
    """Stands in for the modal dialogs (they would block): records, answers None."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def _record(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))

    def error(self, title: str, text: str) -> None:
        self._record("error", title, text)

    def info(self, title: str, text: str) -> None:
        self._record("info", title, text)

    def password(self, name: str, wrong: bool) -> str | None:
        self._record("password", name, wrong)
        return None

    def open_files(self, start: Path | None = None) -> None:
        self._record("open_files", start)

    def page_number(self, current: int, count: int) -> int | None:
        self._record("page_number", current, count)
        return None

    def __getattr__(self, name: str) -> Any:
        """Any dialog added later: record the call, answer None."""
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **_kwargs: self._record(name, *args)


def part_scroll(doc: str, pdf: Path, setup: Setup, rec: Recorder) -> None:
    """The real window scrolled top to bottom while pages render for real."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from reviewer.core.paths import resolve
    from reviewer.core.store import Workspace
    from reviewer.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    pin_singletons_if_needed(rec)
    label = pdf.stem
    with tempfile.TemporaryDirectory(prefix="reviewer-bench-scroll-") as tmp:
        workspace = Workspace.open(resolve(tmp))
        dialogs = RecordingDialogs()
        window = MainWindow(workspace, dialogs=dialogs)  # type: ignore[arg-type]
        panes: list[Any] = []
        window.documentShown.connect(panes.append)
        sampler = PssSampler(
            lambda: [os.getpid(), *(p.session.worker.pid or 0 for p in panes)]
        ).start()
        window.show()
        window.open_paths([pdf])
        _wait(lambda: panes or dialogs.calls, 120, "the document to open")
        if not panes:
            raise RuntimeError(f"the window did not open {pdf.name}: {dialogs.calls}")
        window.resize(1280, 900)
        view = panes[0].view
        session = view.session
        _wait(lambda: (0, view._render_scale(0)) in session.cache, 60, "page 1")

        index_state = {"done": 0, "total": session.page_count, "finished_at": None}

        def on_index(done: int, total: int) -> None:
            index_state.update(done=done, total=total)
            if done >= total and index_state["finished_at"] is None:
                index_state["finished_at"] = time.perf_counter()

        session.indexProgress.connect(on_index)
        passed: set[int] = set()
        sharp: set[int] = set()  # rendered at the view's scale at some point
        shown_sharp: set[int] = set()  # sharp while on screen (a paint used it)
        sharp_on_arrival: set[int] = set()  # already sharp when it scrolled into view

        def is_sharp(page: int) -> bool:
            return (page, view._render_scale(page)) in session.cache

        def look() -> None:
            """After each scroll step: what is on screen now, and is it sharp?"""
            for page in view.visible_pages():
                if page not in passed:
                    passed.add(page)
                    if is_sharp(page):
                        sharp_on_arrival.add(page)
                if is_sharp(page):
                    shown_sharp.add(page)

        def on_rendered(page: int) -> None:
            if is_sharp(page):
                sharp.add(page)
                if page in view.visible_pages():
                    shown_sharp.add(page)

        session.pageRendered.connect(on_rendered)
        bar = view.verticalScrollBar()
        step = max(1, view.viewport().height() // 4)
        ticks = {"n": 0, "done": False}

        def scroll_tick() -> None:
            bar.setValue(bar.value() + step)
            ticks["n"] += 1
            look()
            if bar.value() >= bar.maximum():
                ticks["done"] = True

        scroller = QTimer()
        scroller.setTimerType(Qt.TimerType.PreciseTimer)
        scroller.setInterval(SCROLL_TICK_MS)
        scroller.timeout.connect(scroll_tick)
        meter = GapMeter()
        look()
        started = time.perf_counter()
        meter.start()
        scroller.start()
        _wait(lambda: ticks["done"], 900, "the end of the document")
        scroller.stop()
        gaps = meter.stop()
        took = time.perf_counter() - started
        scroll = gap_stats(gaps)
        rec.note(
            f"scroll [{label}]",
            pages=session.page_count,
            zoom=round(view.zoom, 3),
            render_scale=view._render_scale(0),
            step_px=step,
            ticks=ticks["n"],
            seconds=round(took, 1),
            ticks_per_s=round(ticks["n"] / took, 1),
        )
        rec.note(
            f"pages painted sharp during the scroll [{label}]",
            passed=len(passed),
            shown_sharp=len(shown_sharp),
            sharp_on_arrival=len(sharp_on_arrival),
            rendered_sharp=len(sharp),
            shown_sharp_share=f"{100 * len(shown_sharp) / max(1, len(passed)):.0f}%",
        )
        finished = index_state["finished_at"]
        rec.note(
            f"text index during the scroll [{label}]",
            indexed=f"{index_state['done']}/{index_state['total']}",
            finished_after_s=None if finished is None else round(finished - started, 1),
        )
        calm = time.perf_counter() + 1.0  # let the last renders land before the idle baseline
        _wait(lambda: time.perf_counter() >= calm, 30, "a calm second")
        idle = gap_stats(meter.run_for(setup.idle_seconds))

        # Part 4, before PyMuPDF is imported here for the thread baseline (it would add
        # to this process's high-water mark).
        pss_peak = sampler.stop()
        gui_peak = peak_rss_mb()
        worker_pid = session.worker.pid
        worker_peak = proc_status_mb(worker_pid) if worker_pid else float("nan")
        spare = getattr(window.opener, "_spare", None)
        spare_peak = proc_status_mb(spare.pid) if spare is not None and spare.pid else 0.0
        cache_mb = session.cache.size_bytes / 2**20
        thumbs_mb = session.thumbnails.size_bytes / 2**20

        thread = gap_stats(_thread_baseline(pdf, view._render_scale(0), meter, setup))
        window.close()
        workspace.close()
        del window
        app.processEvents()

    for name, stats in (
        ("scrolling", scroll),
        ("idle window", idle),
        ("worker THREAD renders (rejected design)", thread),
    ):
        rec.note(
            f"GUI wake-up gaps, {name} [{label}]",
            median_ms=round(stats["median_ms"], 2),
            p99_ms=round(stats["p99_ms"], 2),
            max_ms=round(stats["max_ms"], 2),
            over_16ms=stats["over_16ms"],
            over_50ms=stats["over_50ms"],
        )
    rec.figure(
        f"longest GUI stall, scrolling [{label}]",
        scroll["max_ms"],
        idle["max_ms"],
        "ms",
        f"< {STALL_TARGET_MS:.0f} ms",
        scroll["max_ms"] < STALL_TARGET_MS,
        baseline_label="same window idle",
    )
    rec.figure(
        f"  contrast: stall with a worker thread [{label}]",
        thread["max_ms"],
        idle["max_ms"],
        "ms",
        "none (contrast)",
        None,
        baseline_label="same window idle",
    )
    rec.note(
        f"peak memory [{label}]",
        gui_mb=round(gui_peak, 1),
        worker_mb=round(worker_peak, 1),
        spare_worker_mb=round(spare_peak, 1),
        page_cache_mb=round(cache_mb, 1),
        thumbnail_cache_mb=round(thumbs_mb, 1),
    )
    skeleton = next(
        (
            r["skeleton_rss_mb"]
            for r in read_rows(SCRIPT)
            if r.get("kind") == "note" and r.get("doc") == doc and "skeleton_rss_mb" in r
        ),
        None,
    )
    rec.note(
        f"peak RSS, GUI + worker (counts the shared page pixels twice) [{label}]",
        sum_mb=round(gui_peak + worker_peak, 1),
    )
    rec.figure(
        f"peak memory (PSS), GUI + worker [{label}]",
        pss_peak,
        skeleton,
        "MB",
        f"< {MEMORY_TARGET_MB:.0f} MB",
        pss_peak < MEMORY_TARGET_MB,
        baseline_label="skeleton process",
    )


def _thread_baseline(pdf: Path, scale: float, meter: GapMeter, setup: Setup) -> list[float]:
    """The reference's worker-THREAD case: PyMuPDF renders while the GUI thread is timed."""
    _block_pymupdf_extras()
    import pymupdf

    stop = threading.Event()

    def render_loop() -> None:
        with pymupdf.open(pdf) as document:
            page = 0
            while not stop.is_set():
                document[page % document.page_count].get_pixmap(
                    matrix=pymupdf.Matrix(scale, scale), alpha=False
                )
                page += 7  # different pages: no help from MuPDF's store

    thread = threading.Thread(target=render_loop, name="bench-render-thread", daemon=True)
    thread.start()
    try:
        return meter.run_for(setup.idle_seconds)
    finally:
        stop.set()
        thread.join(30)


# -- driver -------------------------------------------------------------------------------


def run_child(part: str, doc: str, pdf: Path, setup: Setup) -> None:
    rec = Recorder(SCRIPT, fresh=False)
    {"startup": part_startup, "render": part_render, "scroll": part_scroll}[part](
        doc, pdf, setup, rec
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small documents, fewer runs")
    parser.add_argument("--part", choices=PARTS, help=argparse.SUPPRESS)
    parser.add_argument("--doc", choices=("brief", "scan"), help=argparse.SUPPRESS)
    parser.add_argument("--only", help="comma-separated parts to run (default: all)")
    args = parser.parse_args(argv)
    setup = setup_from(argv)
    pdfs = test_pdfs(setup)
    if args.part:
        run_child(args.part, args.doc, pdfs[args.doc], setup)
        return 0
    Recorder(SCRIPT, fresh=True)
    wanted = args.only.split(",") if args.only else list(PARTS)
    failures = 0
    for doc in ("brief", "scan"):
        for part in (p for p in PARTS if p in wanted):
            print(f"\n== {part}: {pdfs[doc].name}", flush=True)
            cmd = [sys.executable, str(Path(__file__).resolve()), "--part", part, "--doc", doc]
            if setup.quick:
                cmd.append("--quick")
            code = subprocess.run(cmd, cwd=PROJECT, check=False).returncode
            if code != 0:
                failures += 1
                print(f"!! {part} [{pdfs[doc].name}] crashed (exit code {code})", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
