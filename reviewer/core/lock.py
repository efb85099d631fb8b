"""One writer per workspace.

A second reviewer process on the same workspace would interleave edits and
undo histories, so the store takes an exclusive OS lock on a file beside the
database. The OS drops the lock when the process dies, so a crash never
leaves a stale lock behind.
"""

from __future__ import annotations

import os
from pathlib import Path

from reviewer.core.errors import WorkspaceLocked

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class WorkspaceLock:
    """An exclusive, crash-safe lock on one workspace folder."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "workspace.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if not _try_lock(fd):
            os.close(fd)
            holder = self.path.read_text(errors="replace").strip() or "another process"
            raise WorkspaceLocked(
                f"the workspace {self.path.parent} is already open in reviewer ({holder}); "
                "close that window first"
            )
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            _unlock(self._fd)
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None
