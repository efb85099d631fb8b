"""Workspace backups: online copies while writing, checked and rotated; a damaged workspace
found at start and restored from the newest good backup, the damaged file kept."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reviewer.app import recover_if_damaged
from reviewer.core import backup
from reviewer.core.errors import ReviewerError
from reviewer.core.paths import AppPaths
from reviewer.core.store import Workspace


def _log(ws: Workspace, n: int) -> None:
    with ws.transaction():
        ws.log_event("test.step", "test", str(n), after={"n": n})


def _steps(database: Path) -> int:
    conn = sqlite3.connect(database)
    try:
        return conn.execute("SELECT count(*) FROM event WHERE kind = 'test.step'").fetchone()[0]
    finally:
        conn.close()


def test_backup_while_the_window_writes_is_whole_and_rotated(workspace: Workspace) -> None:
    database = workspace.paths.database
    start = datetime(2026, 1, 1, tzinfo=UTC)
    made = []
    for n in range(7):
        _log(workspace, n)  # the window keeps its connection open and writing
        made.append(backup.make_backup(database, keep=5, now=start + timedelta(minutes=n)))
    kept = backup.backups(database)
    assert kept == list(reversed(made[2:]))  # newest first, the 5 newest kept
    assert _steps(kept[0]) == 7
    assert _steps(kept[-1]) == 3
    assert kept[0].stat().st_mode & 0o777 == 0o600
    assert not list(backup.folder_of(database).glob("*.partial"))


def _damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(page, min(len(data), page * 6)):
        data[offset] = 0xA5
    path.write_bytes(bytes(data))


def test_a_damaged_workspace_is_restored_from_the_newest_good_backup(
    app_paths: AppPaths,
) -> None:
    with Workspace.open(app_paths) as ws:
        _log(ws, 1)
        good = backup.make_backup(app_paths.database, now=datetime(2026, 1, 1, tzinfo=UTC))
        _log(ws, 2)
        rotten = backup.make_backup(app_paths.database, now=datetime(2026, 1, 2, tzinfo=UTC))
    _damage(rotten)  # the newest backup rotted on disk: it is passed over
    _damage(app_paths.database)
    health = backup.check(app_paths.database)
    assert not health.ok
    assert health.backup == good
    questions: list[str] = []
    with pytest.raises(ReviewerError, match="not restored"):
        recover_if_damaged(app_paths, lambda q: questions.append(q) or False)
    assert "workspace.sqlite is damaged" in questions[0]
    recover_if_damaged(app_paths, lambda q: True)
    assert backup.check(app_paths.database).ok
    aside = list(app_paths.workspace.glob("workspace.sqlite.damaged-*"))
    assert len([p for p in aside if not p.name.endswith(("-wal", "-shm"))]) == 1
    with Workspace.open(app_paths) as ws:
        assert [e.after for e in ws.events(entity="test")] == [{"n": 1}]


def test_no_good_backup_leaves_the_damaged_file_alone(app_paths: AppPaths) -> None:
    with Workspace.open(app_paths) as ws:
        _log(ws, 1)
    _damage(app_paths.database)
    before = app_paths.database.read_bytes()
    with pytest.raises(ReviewerError, match="no good backup"):
        recover_if_damaged(app_paths, lambda q: True)
    assert app_paths.database.read_bytes() == before


def test_a_backup_that_cannot_be_written_says_so_and_leaves_nothing(
    workspace: Workspace,
) -> None:
    folder = backup.folder_of(workspace.paths.database)
    folder.write_text("a file where the backup folder should be")  # works even as root
    with pytest.raises(backup.BackupError, match="backup not made"):
        backup.make_backup(workspace.paths.database)
    assert backup.backups(workspace.paths.database) == []
    assert folder.read_text().startswith("a file")
