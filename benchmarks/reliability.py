"""Reliability report: the data layer killed with SIGKILL at random moments (issue 9).

Prints one line per area with its figures:

* ``SQLITE kills=… acked=… lost=… partial=… integrity_fail=…``: a driver
  process makes random annotation edits through the real store (add, edit,
  delete, restore, group edits in one transaction) and acknowledges each
  after it returned; it is killed after a random delay, the workspace is
  reopened and checked (``PRAGMA integrity_check``; every acknowledged
  state present, whole, and matching its event log), and the next round
  runs on the same workspace. ``in_flight`` counts kills that landed while
  a call had not returned; ``startup_kills`` those before the workspace was
  open (Python start-up, ``Workspace.open``).
* ``EXPORT bundle …`` and ``EXPORT pdf …``: a driver exports a submission
  bundle (an annotation added between exports, so each differs), or a
  redacted PDF (a different label each time), to one target again and
  again and is killed at random. ``old``: the target held the last
  acknowledged export; ``new``: it held the complete, verified export that
  was in flight (the kill came after the rename, before the ack: a small
  window, so usually 0); ``absent``: no export had finished yet;
  ``partial``: anything else (must be 0). ``temp_left`` counts hidden
  temporary files left beside the target by kills during a write: a
  finding, not a failure (the target itself is never partial).

The round logic lives in ``tests/crash_driver.py``, which is also the
driver script; this file adds ``tests/`` to ``sys.path`` to reuse it (a
benchmark importing test helpers, on purpose: the CI test
``tests/core/test_crash_safety.py`` and this report must check the same
thing). Everything is written to a temporary folder, removed afterwards.

Unlike the performance benchmarks, the exit code is 1 when anything
acknowledged was lost or any file was partial.

Run:  python benchmarks/reliability.py [--kills N] [--export-kills M] [--seed S]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "tests"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50, help="SQLite kills (default 50)")
    parser.add_argument(
        "--export-kills", type=int, default=None, help="kills per export kind (default: --kills)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random sequence (default 1)")
    args = parser.parse_args(argv)
    export_kills = args.kills if args.export_kills is None else args.export_kills

    sys.path.insert(0, str(TESTS))
    from crash_driver import export_rounds, sqlite_rounds

    def progress(figures: object) -> None:
        kills = figures.kills  # type: ignore[attr-defined]
        if kills % 10 == 0:
            print(f"  … {figures.line()}", file=sys.stderr)  # type: ignore[attr-defined]

    failed = False
    with tempfile.TemporaryDirectory(prefix="reviewer-reliability-") as scratch:
        root = Path(scratch)
        # The drivers inherit this: nothing touches the user's real workspace.
        env = {**os.environ, "REVIEWER_HOME": str(root / "home")}
        os.environ["REVIEWER_HOME"] = env["REVIEWER_HOME"]
        started = time.perf_counter()
        sqlite = sqlite_rounds(
            root / "sqlite", args.kills, seed=args.seed, env=env, progress=progress
        )
        print(f"{sqlite.line()} seconds={time.perf_counter() - started:.1f}", flush=True)
        failed |= bool(sqlite.lost or sqlite.partial or sqlite.integrity_fail)
        problems = list(sqlite.problems)
        for what in ("bundle", "pdf"):
            started = time.perf_counter()
            figures = export_rounds(
                root / what, what, export_kills, seed=args.seed, env=env, progress=progress
            )
            print(f"{figures.line()} seconds={time.perf_counter() - started:.1f}", flush=True)
            failed |= bool(figures.partial or figures.integrity_fail)
            problems += [f"{what}: {p}" for p in figures.problems]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":  # the batch import starts a document worker (spawn)
    sys.exit(main())
