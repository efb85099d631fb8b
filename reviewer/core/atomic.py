"""Replacing a file so that it holds the old content or the new, never half of either.

Everything the app writes for a person to keep (settings, keys, exports)
goes to a hidden temporary file beside the target, is flushed to disk, and
is moved over the target with ``os.replace``; the folder is synced so the
rename itself survives a power loss.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX); Windows cannot open folders and needs none."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def temporary_beside(target: Path) -> tuple[int, str]:
    """A new hidden temporary file beside ``target`` (``mkstemp``: mode 0600), after removing
    the ones an earlier write to the same target left when it was killed.

    Why remove them: a kill between writing and renaming leaves the temporary
    file behind, and for a redacted export that is a whole document copy that
    was never verified. Removing one a live writer still uses is safe too:
    that writer's rename then fails and its target keeps the old file.
    """
    target = Path(target)
    prefix = f".{target.name}."
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            name = entry.name
            if name.startswith(prefix) and name.endswith(".tmp") and len(name) == len(prefix) + 12:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
    return tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=".tmp")


def write_bytes(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` atomically.

    ``mode`` sets the permissions; without it a replaced file keeps its own
    and a new one gets 0600 (``mkstemp``'s), the safe default for documents'
    derivatives. On any error the temporary file is removed and ``path`` is
    untouched.
    """
    path = Path(path)
    fd, temp = temporary_beside(path)
    try:
        if mode is not None:
            os.chmod(temp, mode)
        elif path.exists():
            os.chmod(temp, stat.S_IMODE(path.stat().st_mode))
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    fsync_dir(path.parent)
