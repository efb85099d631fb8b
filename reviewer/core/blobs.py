"""Content-addressed storage for documents.

Every document the user opens is copied into ``blobs/ab/abcdef…`` under its
SHA-256, so the workspace never points at a file that moved or changed, and
two copies of one file are stored once. Writes go to a temporary file in the
same folder, are fsynced, and are renamed into place: a crash leaves either
no blob or a complete one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

CHUNK = 1 << 20


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Return the hex SHA-256 of a file, read in chunks (documents can be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class BlobStore:
    """A folder of immutable files named by their SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put_file(self, source: str | os.PathLike[str], sha256: str | None = None) -> str:
        """Copy ``source`` in (if not there yet) and return its SHA-256.

        The hash is computed over the bytes actually copied, so a file that
        changes while being copied cannot end up under the wrong name.
        """
        if sha256 is not None and self.has(sha256):
            return sha256
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=self.root)
        tmp = Path(tmp_name)
        try:
            digest = hashlib.sha256()
            with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    dst.write(chunk)
                dst.flush()
                os.fsync(dst.fileno())
            actual = digest.hexdigest()
            target = self.path(actual)
            if target.is_file():
                tmp.unlink()
                return actual
            target.parent.mkdir(exist_ok=True, mode=0o700)
            os.chmod(tmp, 0o400)
            os.replace(tmp, target)
            _fsync_dir(target.parent)
            return actual
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def export(self, sha256: str, target: Path) -> None:
        """Copy a blob out (e.g. for "Save a copy as…")."""
        shutil.copyfile(self.path(sha256), target)


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
