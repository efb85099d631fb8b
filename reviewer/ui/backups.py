"""Backups while the window is open: one soon after start, then every half hour.

The copy is made on the thread pool through its own read-only connection
(``core.backup``), so the window never waits for it. A backup that fails is
said in the status bar (the work itself is saved; only its copy is missing)
and logged; the next one is tried on schedule.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMainWindow

from reviewer.core import backup
from reviewer.ui.bridge import Relay, run_in_pool

FIRST_DELAY_MS = 5_000

log = logging.getLogger("reviewer")


class BackupScheduler(QObject):
    def __init__(self, database: Path, window: QMainWindow) -> None:
        super().__init__(window)
        self.database = database
        self.window = window
        self.running: Future[Any] | None = None
        self.last: Path | None = None
        self._relay = Relay(self)
        self.timer = QTimer(self)
        self.timer.setInterval(backup.EVERY_MINUTES * 60_000)
        self.timer.timeout.connect(self.start)
        self.timer.start()
        QTimer.singleShot(FIRST_DELAY_MS, self.start)

    def start(self) -> Future[Any] | None:
        if self.running is not None:
            return self.running
        self.running = run_in_pool(lambda: backup.make_backup(self.database))
        self._relay.when_done(self.running, self._done)
        return self.running

    def _done(self, future: Future[Any]) -> None:
        self.running = None
        try:
            self.last = future.result()
        except backup.BackupError as exc:
            log.warning("backup failed: %s", exc)
            self.window.statusBar().showMessage(f"Backup not made: {exc}", 15_000)
