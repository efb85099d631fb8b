"""Atomic replacement: a temporary file left by a killed write is removed by the next one."""

from __future__ import annotations

from pathlib import Path

from reviewer.core.atomic import write_bytes


def test_the_next_write_removes_what_a_killed_one_left(tmp_path: Path) -> None:
    target = tmp_path / "redacted.pdf"
    stale = tmp_path / ".redacted.pdf.k3j9x0qa.tmp"  # mkstemp's shape: 8 random characters
    stale.write_bytes(b"an unverified copy")
    other = tmp_path / ".notes.txt.k3j9x0qa.tmp"  # another target's: not ours to remove
    other.write_bytes(b"x")
    write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert not stale.exists()
    assert other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [other.name, target.name]
