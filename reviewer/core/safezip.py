"""Zip archives read without trusting a byte of them, and written deterministically.

Task batches (``.rvbatch``) and signed submission bundles (``.rvbundle``)
are zip files that arrive from other people. :class:`SafeArchive` checks the
whole central directory before any member is read — names that could
escape a folder or collide on Windows and macOS, links, encryption, exotic
compression, sizes and ratios of zip bombs, members whose data overlap —
and then reads a member only against the size and SHA-256 its manifest
promises, counting bytes as they inflate, because the sizes the zip declares
are as hostile as the rest. Nothing here extracts: callers get bytes or
stream a member into a file they chose, never a file named by the archive.

Every failure on hostile input is :class:`ArchiveRejected`, a
:class:`~reviewer.core.errors.ReviewerError` naming the archive, the member
and the reason. The exception types ``zipfile``, ``zlib`` and ``struct``
raise on damaged data are listed in :data:`_DAMAGED`, deliberately, rather
than catching everything.

:func:`write_archive` makes the same bytes from the same input (fixed
timestamps and attributes) so a bundle's hash is reproducible, and replaces
its target atomically.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from reviewer.core.atomic import fsync_dir, temporary_beside
from reviewer.core.errors import ReviewerError

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB

#: Bytes read from a member at a time: bounds memory however much a member inflates.
_CHUNK = 1 * MiB
#: Members smaller than this inflated are never called bombs, whatever their ratio.
_RATIO_FLOOR = 1 * MiB
#: Longest detail from an exception quoted in a message (zipfile may quote raw bytes).
_DETAIL = 120
#: Bytes of a central directory entry besides its name: the fixed part (46) and a generous
#: allowance for extra fields and comment. Bounds the directory zipfile will parse.
_ENTRY_OVERHEAD = 46 + 4 * KiB

#: Every exception type zipfile, zlib and struct raise on damaged or hostile input (the
#: standard library does not promise which; all of these have been seen on fuzzed zips).
#: OSError covers failed seeks to offsets a damaged archive points at.
_DAMAGED: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    NotImplementedError,
    EOFError,
    struct.error,
    UnicodeDecodeError,
    ValueError,
    OverflowError,
    RuntimeError,
    KeyError,
    IndexError,
    TypeError,
    OSError,
)

_ALLOWED_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
_METHOD_NAMES = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma", 9: "deflate64"}
_FLAG_ENCRYPTED = 1 << 0
_FLAG_PATCHED = 1 << 5
_FLAG_STRONG_ENCRYPTION = 1 << 6
_MSDOS_DIRECTORY = 0x10
_LOCAL_HEADER = 30
_END_RECORD = 22
_ZIP64_LOCATOR = 20
_ZIP64_END_RECORD = 56
_DRIVE = re.compile(r"[A-Za-z]:")
#: Invisible characters that make a name display as another (bidirectional overrides).
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_MAX_NAME_LENGTH = 255
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_UNIX = 3


@dataclass(frozen=True)
class Limits:
    """What an archive may declare before we read any of it.

    ``max_ratio`` (inflated / compressed size) is only checked for members
    over 1 MiB inflated: small files compress absurdly well and harm nobody.
    """

    max_members: int = 20_000
    max_member_size: int = 2 * GiB
    max_total_size: int = 8 * GiB
    max_name_length: int = _MAX_NAME_LENGTH
    max_ratio: int = 200

    def __post_init__(self) -> None:
        for name in ("max_members", "max_member_size", "max_total_size", "max_name_length"):
            if getattr(self, name) < 0:
                raise ValueError(f"Limits.{name} must not be negative")
        if self.max_ratio < 1:
            raise ValueError("Limits.max_ratio must be at least 1")


class ArchiveRejected(ReviewerError):
    """An archive (or one member of it) we refuse: ``str()`` says which and why."""

    def __init__(self, path: str | os.PathLike[str], reason: str, *, member: str | None = None):
        self.path = Path(path)
        self.reason = reason
        self.member = member
        name = self.path.name or str(self.path)
        parts = [name, reason] if member is None else [name, shown_name(member), reason]
        super().__init__(": ".join(parts))

    def __reduce__(self) -> tuple[object, ...]:
        # keyword-only ``member``: default pickling (cls(*args)) would fail across processes
        return (_rebuild, (self.path, self.reason, self.member))


def _rebuild(path: Path, reason: str, member: str | None) -> ArchiveRejected:
    return ArchiveRejected(path, reason, member=member)


class SafeArchive:
    """A zip archive whose directory has been checked; members are read against a manifest.

    Create with :meth:`open`; use as a context manager (or call :meth:`close`).
    """

    def __init__(
        self,
        path: Path,
        handle: BinaryIO,
        archive: zipfile.ZipFile,
        members: dict[str, zipfile.ZipInfo],
    ) -> None:
        """Internal: use :meth:`SafeArchive.open`, which checks everything first."""
        self.path = path
        self._handle = handle
        self._zip = archive
        self._members = members
        self._closed = False

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        limits: Limits | None = None,
        allowed: Callable[[str], bool] | None = None,
    ) -> SafeArchive:
        """Open ``path`` and check every central directory entry, or raise :class:`ArchiveRejected`.

        ``allowed`` is asked about each name (after the name itself has
        passed the safety checks), so an archive that holds anything its
        kind should not hold is refused whole.
        """
        path = Path(path)
        limits = limits or Limits()
        handle = _open_regular_file(path)
        try:
            with _translated(path, member=None, reading=False):
                _check_directory_extent(path, handle, limits)
                archive = zipfile.ZipFile(handle)
            try:
                members = _checked_members(path, archive, limits, allowed)
            except BaseException:
                archive.close()
                raise
        except BaseException:
            handle.close()
            raise
        return cls(path, handle, archive, members)

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the file (safe to call twice)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._zip.close()
        finally:
            self._handle.close()

    def names(self) -> list[str]:
        """Member names in central directory order (all of them passed the checks)."""
        return list(self._members)

    def size(self, name: str) -> int:
        """The size the archive *declares* for ``name`` (reading checks the real one)."""
        return self._info(name).file_size

    def read(self, name: str, *, sha256: str, size: int) -> bytes:
        """The member's bytes, exactly ``size`` of them with this SHA-256 (hex), or rejected."""
        info = self._info(name)
        _check_promise(self.path, name, info, sha256, size)
        return b"".join(self._verified(info, sha256, size))

    def read_unverified(self, name: str, *, max_size: int) -> bytes:
        """The member's bytes when no hash is known yet (the manifest itself), at most ``max_size``.

        Callers must treat the result as hostile: it is only known to be
        what the archive holds, intact (CRC) and not larger than allowed.
        """
        info = self._info(name)
        if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 0:
            raise ValueError("max_size must be a whole number of bytes")
        if info.file_size > max_size:
            raise self._rejected(
                f"member declares {info.file_size:,} bytes, more than the {max_size:,} allowed",
                name,
            )
        data = b"".join(self._chunks(info, info.file_size))
        if len(data) != info.file_size:
            raise self._rejected(
                f"member holds {len(data):,} bytes, not the {info.file_size:,} it declares", name
            )
        return data

    def copy_to(self, name: str, target: BinaryIO, *, sha256: str, size: int) -> None:
        """Stream the member into ``target``, checking size and SHA-256 as for :meth:`read`.

        Large documents never sit in memory. On :class:`ArchiveRejected`
        ``target`` may hold part of the member: write to a temporary file and
        discard it. Errors *writing* ``target`` (a full disk) are not the
        archive's fault and propagate unchanged.
        """
        info = self._info(name)
        _check_promise(self.path, name, info, sha256, size)
        with contextlib.closing(self._verified(info, sha256, size)) as chunks:
            for chunk in chunks:  # closing: a failed write releases the member at once
                target.write(chunk)

    def _info(self, name: str) -> zipfile.ZipInfo:
        if self._closed:
            raise ValueError(f"{self.path.name} is already closed")
        info = self._members.get(name)
        if info is None:
            raise self._rejected("member is not in the archive", name)
        return info

    def _verified(self, info: zipfile.ZipInfo, sha256: str, size: int) -> Iterator[bytes]:
        """The member's chunks; after the last one, its length and hash are checked."""
        digest = hashlib.sha256()
        got = 0
        for chunk in self._chunks(info, size):
            digest.update(chunk)
            got += len(chunk)
            yield chunk
        if got != size:
            raise self._rejected(
                f"member holds {got:,} bytes, but the manifest says {size:,}", info.orig_filename
            )
        if digest.hexdigest() != sha256.lower():
            raise self._rejected(
                "member changed: SHA-256 does not match the manifest", info.orig_filename
            )

    def _chunks(self, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
        """Inflate the member chunk by chunk, refusing it as soon as more than ``limit`` comes out.

        The limit is our own count, not zipfile's: the sizes in the archive
        are claims, and the reader must stay bounded even if they lie.
        """
        name = info.orig_filename
        with _translated(self.path, member=name, reading=True):
            stream = self._zip.open(info)
        with stream:
            got = 0
            while True:
                with _translated(self.path, member=name, reading=True):
                    chunk = stream.read(min(_CHUNK, limit - got + 1))
                if not chunk:
                    return
                got += len(chunk)
                if got > limit:
                    raise self._rejected(
                        f"member inflates to more than {limit:,} bytes (zip bomb?)", name
                    )
                yield chunk

    def _rejected(self, reason: str, member: str | None) -> ArchiveRejected:
        return ArchiveRejected(self.path, reason, member=member)


def _open_regular_file(path: Path) -> BinaryIO:
    """Open for reading without blocking on a FIFO, and refuse anything but a regular file."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ArchiveRejected(path, f"cannot be read: {exc.strerror or exc}") from exc
    except ValueError as exc:  # a path with a NUL in it
        raise ArchiveRejected(path, f"cannot be read: {exc}") from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ArchiveRejected(path, "is not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


@contextlib.contextmanager
def _translated(path: Path, *, member: str | None, reading: bool) -> Iterator[None]:
    """Turn what zipfile, zlib and struct raise on damaged input into :class:`ArchiveRejected`."""
    try:
        yield
    except _DAMAGED as exc:
        raise ArchiveRejected(path, _damage(exc, reading=reading), member=member) from exc


def _damage(exc: BaseException, *, reading: bool) -> str:
    """A reason a person can act on for a low-level exception on damaged input."""
    detail = str(exc)
    if len(detail) > _DETAIL:
        detail = detail[:_DETAIL] + "…"
    if isinstance(exc, zipfile.BadZipFile) and "CRC" in detail:
        return "member data is damaged (CRC)"
    if isinstance(exc, zlib.error):
        return f"member data is damaged (deflate: {detail})"
    if isinstance(exc, EOFError):
        return "the archive is truncated"
    if isinstance(exc, UnicodeDecodeError):
        return "a member name is not valid UTF-8"
    if isinstance(exc, NotImplementedError):
        return f"uses a zip feature this program does not support ({detail})"
    if isinstance(exc, OSError) and exc.strerror:
        detail = exc.strerror
    where = "member data is damaged" if reading else "not a zip file or damaged"
    return f"{where} ({type(exc).__name__}: {detail})" if detail else where


def _check_directory_extent(path: Path, handle: BinaryIO, limits: Limits) -> None:
    """Refuse a central directory too large for ``max_members`` before zipfile parses it.

    zipfile builds an object per entry from the whole directory, so a small
    file of tiny entries could otherwise cost gigabytes of memory. An end
    record we cannot find is left to zipfile to report.
    """
    extent = _directory_extent(handle)
    if extent is None:
        return
    entries, size = extent
    if entries > limits.max_members:
        raise ArchiveRejected(path, f"has {entries:,} members, more than {limits.max_members:,}")
    if size > limits.max_members * (_ENTRY_OVERHEAD + 4 * limits.max_name_length):
        raise ArchiveRejected(
            path,
            f"central directory of {size:,} bytes is too large for {limits.max_members:,} members",
        )


def _directory_extent(handle: BinaryIO) -> tuple[int, int] | None:
    """(entries, directory size) from the end record, zip64 included, found as zipfile does.

    None when there is no end record or a zip64 one is needed but out of
    reach: this check only ever refuses, so when unsure it stays silent.
    """
    end = handle.seek(0, os.SEEK_END)
    tail_start = max(0, end - (_END_RECORD + 0xFFFF))
    handle.seek(tail_start)
    tail = handle.read()
    pos = len(tail) - _END_RECORD
    if not (pos >= 0 and tail.startswith(b"PK\x05\x06", pos) and tail.endswith(b"\0\0")):
        pos = tail.rfind(b"PK\x05\x06")  # the record is followed by a comment
    if pos < 0 or len(tail) - pos < _END_RECORD:
        return None
    entries, size = struct.unpack_from("<HI", tail, pos + 10)
    locator = pos - _ZIP64_LOCATOR
    if locator >= _ZIP64_END_RECORD and tail.startswith(b"PK\x06\x07", locator):
        record = locator - _ZIP64_END_RECORD
        if tail.startswith(b"PK\x06\x06", record):
            return struct.unpack_from("<QQ", tail, record + 32)
    if entries == 0xFFFF or size == 0xFFFFFFFF:
        return None  # zip64 values we could not see: let zipfile decide
    return entries, size


def _checked_members(
    path: Path,
    archive: zipfile.ZipFile,
    limits: Limits,
    allowed: Callable[[str], bool] | None,
) -> dict[str, zipfile.ZipInfo]:
    """Every entry checked; the members by their exact name, in directory order."""
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise ArchiveRejected(path, f"has {len(infos):,} members, more than {limits.max_members:,}")
    members: dict[str, zipfile.ZipInfo] = {}
    folded: dict[str, str] = {}
    total = 0
    for info in infos:
        name = info.orig_filename  # before zipfile cuts at NUL or turns "\\" into "/"
        problem = _entry_problem(info, limits)
        if problem is None and allowed is not None and not allowed(name):
            problem = "member is not one this kind of archive may contain"
        if problem is None:
            problem = _duplicate_problem(name, members, folded)
        if problem is not None:
            raise ArchiveRejected(path, problem, member=name)
        members[name] = info
        total += info.file_size
        if total > limits.max_total_size:
            raise ArchiveRejected(
                path, f"members declare more than {limits.max_total_size:,} bytes in all"
            )
    _check_no_overlap(path, archive, infos)
    return members


def _entry_problem(info: zipfile.ZipInfo, limits: Limits) -> str | None:
    return (
        _name_problem(info.orig_filename, limits.max_name_length)
        or _type_problem(info)
        or _method_problem(info)
        or _size_problem(info, limits)
    )


def _name_problem(name: str, max_length: int) -> str | None:
    """Why ``name`` could not safely be a file path on any system, or None.

    Also used by :func:`write_archive`, so we never write what we would refuse.
    """
    if not name:
        return "member name is empty"
    if len(name) > max_length:
        return f"member name is longer than {max_length} characters"
    if any(unicodedata.category(c) == "Cc" for c in name):
        return "member name contains a control character"
    if any(c in _BIDI_CONTROLS for c in name):
        return "member name contains an invisible text-direction character"
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return "member name is an absolute path"
    if "\\" in name:
        return "member name contains a backslash (a folder separator on Windows)"
    if name.endswith("/"):
        return "member is a directory (only files are allowed)"
    parts = name.split("/")
    if ".." in parts:
        return "member name leaves the archive (zip slip)"
    if "" in parts or "." in parts:
        return "member name has an empty or '.' folder component"
    return None


def _type_problem(info: zipfile.ZipInfo) -> str | None:
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFLNK:
        return "member is a symbolic link (only files are allowed)"
    if kind == stat.S_IFDIR or info.external_attr & _MSDOS_DIRECTORY:
        return "member is a directory (only files are allowed)"
    if kind not in (0, stat.S_IFREG):
        return "member is not a regular file (device, pipe or socket)"
    if info.flag_bits & (_FLAG_ENCRYPTED | _FLAG_STRONG_ENCRYPTION):
        return "member is encrypted"
    if info.flag_bits & _FLAG_PATCHED:
        return "member uses patched data, which is not supported"
    return None


def _method_problem(info: zipfile.ZipInfo) -> str | None:
    method = info.compress_type
    if method in _ALLOWED_METHODS:
        if method == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            return "stored member declares two different sizes"
        return None
    shown = _METHOD_NAMES.get(method, f"method {method}")
    return f"member uses {shown} compression; only stored and deflated are allowed"


def _size_problem(info: zipfile.ZipInfo, limits: Limits) -> str | None:
    size, packed = info.file_size, info.compress_size
    if size > limits.max_member_size:
        return f"member declares {size:,} bytes, more than the {limits.max_member_size:,} allowed"
    if size > _RATIO_FLOOR and size > limits.max_ratio * packed:
        return (
            f"member would inflate {packed:,} bytes to {size:,}, more than "
            f"{limits.max_ratio} times (zip bomb?)"
        )
    return None


def _duplicate_problem(
    name: str, members: dict[str, zipfile.ZipInfo], folded: dict[str, str]
) -> str | None:
    """Exact duplicates, and names Windows and macOS would take for the same file."""
    if name in members:
        return "member appears twice in the archive"
    key = unicodedata.normalize("NFD", unicodedata.normalize("NFD", name).casefold())
    other = folded.setdefault(key, name)
    if other != name:
        return (
            f"member name collides with {shown_name(other)!r} "
            "(differs only in case or Unicode form)"
        )
    return None


def _check_no_overlap(path: Path, archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse members whose data overlap each other or the directory (overlapping-file bombs).

    Each member needs at least its local header, its name and its
    compressed data before the next one starts; a name's length in
    characters never exceeds its length in bytes, so this bound has no
    false alarms.
    """
    directory = archive.start_dir
    previous: zipfile.ZipInfo | None = None
    previous_end = 0
    for info in sorted(infos, key=lambda i: i.header_offset):
        start = info.header_offset
        end = start + _LOCAL_HEADER + len(info.orig_filename) + info.compress_size
        if start < 0 or end > directory:
            raise ArchiveRejected(
                path, "member data lies outside the archive's data", member=info.orig_filename
            )
        if previous is not None and start < previous_end:
            raise ArchiveRejected(
                path,
                f"member data overlaps {shown_name(previous.orig_filename)!r} (zip bomb?)",
                member=info.orig_filename,
            )
        previous, previous_end = info, end


def _check_promise(path: Path, name: str, info: zipfile.ZipInfo, sha256: str, size: int) -> None:
    """The manifest's size and hash are hostile too: check their form, and the declared size."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ArchiveRejected(path, "the manifest's size is not a whole number", member=name)
    if not isinstance(sha256, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
        raise ArchiveRejected(
            path, "the manifest's SHA-256 is not 64 hexadecimal digits", member=name
        )
    if info.file_size != size:
        raise ArchiveRejected(
            path,
            f"member declares {info.file_size:,} bytes, but the manifest says {size:,}",
            member=name,
        )


def shown_name(name: str) -> str:
    """A member name safe to print: control characters escaped, very long names cut."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)
    return shown if len(shown) <= 80 else shown[:80] + "…"


def write_archive(target: Path, members: Iterable[tuple[str, bytes | Path, bool]]) -> None:
    """Write ``(name, content, compress)`` members to ``target``, reproducibly and atomically.

    Same input, same bytes: members in the given order, fixed timestamp and
    attributes, no extra fields or comments (content given as a ``Path`` is
    streamed, and gives the same bytes as the same content given as bytes).
    ``compress`` picks deflate level 6, else stored (for content that is
    already compressed, like most PDFs).

    The archive is built in a hidden temporary file beside ``target``,
    flushed to disk and moved into place with ``os.replace``: on any error
    (Ctrl+C included) the temporary file is removed and ``target`` keeps
    its old content. Names must pass the checks :class:`SafeArchive` makes
    (``ValueError`` otherwise). A new file gets mode 0600 (``mkstemp``), a
    replaced one keeps its mode.
    """
    target = Path(target)
    fd, temp_name = temporary_beside(target)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            if target.exists():
                os.chmod(temp, stat.S_IMODE(target.stat().st_mode))
            with zipfile.ZipFile(handle, "w") as archive:
                _write_members(archive, members)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_dir(target.parent)


def _write_members(
    archive: zipfile.ZipFile, members: Iterable[tuple[str, bytes | Path, bool]]
) -> None:
    seen: dict[str, str] = {}
    written: dict[str, zipfile.ZipInfo] = {}
    for name, content, compress in members:
        problem = _name_problem(name, _MAX_NAME_LENGTH) or _duplicate_problem(name, written, seen)
        if problem is not None:
            raise ValueError(f"cannot write {shown_name(name)!r}: {problem}")
        info = _fixed_info(name, compress)
        _write_member(archive, info, content)
        written[name] = info


def _fixed_info(name: str, compress: bool) -> zipfile.ZipInfo:
    """A ZipInfo with nothing that depends on when, where or by whom it was written."""
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.create_system = _UNIX
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    return info


def _write_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, content: bytes | Path) -> None:
    """Write one member; zlib's default level is 6, and a known size selects zip64 when needed."""
    if isinstance(content, bytes | bytearray | memoryview):
        info.file_size = len(content)
        with archive.open(info, "w") as out:
            out.write(content)
        return
    with open(content, "rb") as source:
        info.file_size = os.fstat(source.fileno()).st_size
        with archive.open(info, "w") as out:
            while chunk := source.read(_CHUNK):
                out.write(chunk)
