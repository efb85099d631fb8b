"""The window's backup schedule: the copy is made off the GUI thread; a failure is shown."""

from __future__ import annotations

from reviewer.core import backup
from reviewer.ui.backups import BackupScheduler


def test_a_backup_is_made_in_the_background_and_a_failure_is_shown(
    qtbot, make_window, workspace
) -> None:
    window = make_window()
    scheduler = BackupScheduler(workspace.paths.database, window)
    scheduler.start()
    qtbot.waitUntil(lambda: scheduler.running is None, timeout=20_000)
    assert scheduler.last is not None
    assert backup.backups(workspace.paths.database) == [scheduler.last]
    scheduler.last.unlink()
    backup.folder_of(workspace.paths.database).rmdir()
    backup.folder_of(workspace.paths.database).write_text("not a folder")
    scheduler.start()
    qtbot.waitUntil(lambda: scheduler.running is None, timeout=20_000)
    assert "Backup not made" in window.statusBar().currentMessage()
