"""Crash safety: the real data layer killed with SIGKILL at random moments (issue 9, point 1).

A driver subprocess (``tests/crash_driver.py``) edits annotations, exports a
submission bundle or a redacted PDF in a loop, and says ``ack`` after each
call has returned; the test kills it after a random delay, reopens the
workspace (the OS lock must be gone), runs ``PRAGMA integrity_check`` and
checks that every acknowledged change is there, whole, with its events, and
that an export target holds the old complete file or the new verified one.
Every round runs on the same workspace, so damage would accumulate.

The number of kills is small enough for CI (about 40 s in all); longer runs:

* ``REVIEWER_CRASH_KILLS=N``: kills of the annotation-edit test (default 50),
* ``REVIEWER_CRASH_EXPORT_KILLS=N``: kills of each export test (default 10),
* ``REVIEWER_CRASH_SEED=N``: another random sequence (default 1),

or ``python benchmarks/reliability.py --kills N``, which prints the figures.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from crash_driver import export_rounds, sqlite_rounds

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "SIGKILL"), reason="SIGKILL and a POSIX process model are needed"
)


def _setting(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


SEED = _setting("REVIEWER_CRASH_SEED", 1)


def test_sigkill_during_annotation_edits_loses_nothing_acknowledged(tmp_path: Path) -> None:
    kills = max(50, _setting("REVIEWER_CRASH_KILLS", 50))
    figures = sqlite_rounds(tmp_path / "sqlite", kills, seed=SEED)
    print(figures.line())
    assert figures.kills >= 50
    assert figures.acked > 0
    assert figures.integrity_fail == 0, figures.problems
    assert figures.lost == 0, figures.problems
    assert figures.partial == 0, figures.problems
    # The kills must land in the middle of calls, not only between them.
    assert figures.in_flight > 0


def test_sigkill_during_bundle_export_leaves_old_or_new_file(tmp_path: Path) -> None:
    kills = max(10, _setting("REVIEWER_CRASH_EXPORT_KILLS", 10))
    figures = export_rounds(tmp_path / "bundle", "bundle", kills, seed=SEED)
    print(figures.line())
    assert figures.kills >= 10
    assert figures.partial == 0, figures.problems
    assert figures.integrity_fail == 0, figures.problems
    assert figures.old + figures.new > 0  # at least one export completed


def test_sigkill_during_redacted_pdf_export_leaves_old_or_new_file(tmp_path: Path) -> None:
    kills = max(10, _setting("REVIEWER_CRASH_EXPORT_KILLS", 10))
    figures = export_rounds(tmp_path / "pdf", "pdf", kills, seed=SEED)
    print(figures.line())
    assert figures.kills >= 10
    assert figures.partial == 0, figures.problems
    assert figures.old + figures.new > 0
