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


def write_bytes(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` atomically.

    ``mode`` sets the permissions; without it a replaced file keeps its own
    and a new one gets 0600 (``mkstemp``'s), the safe default for documents'
    derivatives. On any error the temporary file is removed and ``path`` is
    untouched.
    """
    path = Path(path)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
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
