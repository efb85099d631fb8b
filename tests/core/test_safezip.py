"""Hostile zip archives are refused with a reason; written archives are reproducible.

Every hostile archive here is built by hand (zipfile, then patched bytes),
because the point is what other tools, or attackers, can put in a zip.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import random
import stat
import struct
import tracemalloc
import warnings
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reviewer.core.safezip import ArchiveRejected, Limits, SafeArchive, write_archive

MB = 1024 * 1024
MANIFEST = b'{"format": "rvbundle", "members": 2}'
DOCUMENT = b"%PDF-1.7\n" + b"The quick brown fox jumps over the lazy dog.\n" * 40

# offsets of fields in a central directory entry
CD_FLAGS = 8
CD_CRC = 16
CD_FILE_SIZE = 24
CD_LOCAL_OFFSET = 42


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_zip(
    path: Path,
    members: list[tuple[str, bytes]],
    *,
    method: int = zipfile.ZIP_DEFLATED,
    edit: Callable[[zipfile.ZipInfo], None] | None = None,
) -> Path:
    """A zip written by zipfile itself, each ZipInfo passed through ``edit`` first."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names, and writes them
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in members:
                info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
                info.compress_type = method
                info.external_attr = 0o644 << 16
                if edit is not None:
                    edit(info)
                archive.writestr(info, data)
    return path


def valid_zip(path: Path) -> Path:
    return make_zip(path, [("manifest.json", MANIFEST), ("documents/a.pdf", DOCUMENT)])


def central_entries(data: bytes | bytearray) -> Iterator[tuple[int, bytes]]:
    """(offset, name) of every central directory entry."""
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        (name_length,) = struct.unpack_from("<H", data, pos + 28)
        yield pos, bytes(data[pos + 46 : pos + 46 + name_length])
        pos = data.find(b"PK\x01\x02", pos + 46 + name_length)


def patch_central(path: Path, name: str, offset: int, fmt: str, value: int) -> None:
    """Overwrite one field of ``name``'s central directory entry (the local header stays)."""
    data = bytearray(path.read_bytes())
    for pos, entry_name in central_entries(data):
        if entry_name == name.encode():
            struct.pack_into(fmt, data, pos + offset, value)
            path.write_bytes(bytes(data))
            return
    raise AssertionError(f"{name} not in the central directory")


def rejected(path: Path, **options: object) -> ArchiveRejected:
    with pytest.raises(ArchiveRejected) as err:
        SafeArchive.open(path, **options).close()  # type: ignore[arg-type]
    return err.value


# --- the happy path ------------------------------------------------------------------------


def test_a_valid_archive_reads_back_against_its_manifest(tmp_path: Path) -> None:
    path = valid_zip(tmp_path / "ok.rvbundle")
    with SafeArchive.open(path) as archive:
        assert archive.names() == ["manifest.json", "documents/a.pdf"]
        assert archive.size("documents/a.pdf") == len(DOCUMENT)
        assert archive.read_unverified("manifest.json", max_size=1024) == MANIFEST
        assert archive.read("documents/a.pdf", sha256=sha(DOCUMENT), size=len(DOCUMENT)) == (
            DOCUMENT
        )
        upper = sha(DOCUMENT).upper()
        assert archive.read("documents/a.pdf", sha256=upper, size=len(DOCUMENT)) == DOCUMENT
        target = io.BytesIO()
        archive.copy_to("documents/a.pdf", target, sha256=sha(DOCUMENT), size=len(DOCUMENT))
        assert target.getvalue() == DOCUMENT


def test_allowed_names_pass_and_others_are_named(tmp_path: Path) -> None:
    path = valid_zip(tmp_path / "ok.rvbatch")
    SafeArchive.open(path, allowed=lambda n: n == "manifest.json" or n.startswith("documents/"))
    error = rejected(path, allowed=lambda name: name == "manifest.json")
    assert error.member == "documents/a.pdf"
    assert (
        str(error)
        == "ok.rvbatch: documents/a.pdf: member is not one this kind of archive may contain"
    )


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("../evil", "leaves the archive (zip slip)"),
        ("documents/../../evil", "leaves the archive (zip slip)"),
        ("/etc/x", "absolute path"),
        ("C:/x", "absolute path"),
        ("c:x", "absolute path"),
        ("\\\\server\\share\\x", "absolute path"),
        ("documents\\a.pdf", "backslash"),
        ("documents//a.pdf", "empty or '.' folder component"),
        ("./a.pdf", "empty or '.' folder component"),
        ("a\x01b", "control character"),
        ("a\x7fb", "control character"),
        ("invoice\u202efdp.exe", "text-direction"),
        ("x" * 256, "longer than 255 characters"),
    ],
)
def test_dangerous_names_are_refused(tmp_path: Path, name: str, words: str) -> None:
    path = make_zip(tmp_path / "bad.zip", [("manifest.json", MANIFEST), (name, b"x")])
    error = rejected(path)
    assert words in error.reason
    assert error.member == name


def test_a_nul_in_a_name_is_refused_although_zipfile_would_cut_the_name_there(
    tmp_path: Path,
) -> None:
    path = make_zip(tmp_path / "nul.zip", [("evil.pdfXexe", b"x")])
    path.write_bytes(path.read_bytes().replace(b"evil.pdfXexe", b"evil.pdf\x00exe"))
    error = rejected(path)
    assert "control character" in error.reason
    assert "\\x00" in str(error)  # shown escaped, never raw


def test_a_name_not_valid_utf8_is_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "utf8.zip", [("é.txt", b"x")])  # non-ASCII: UTF-8 flag set
    path.write_bytes(path.read_bytes().replace("é".encode(), b"\xff\xfe"))
    assert "not valid UTF-8" in rejected(path).reason


def test_the_name_length_limit_is_configurable(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "long.zip", [("a" * 20, b"x")])
    assert "longer than 10" in rejected(path, limits=Limits(max_name_length=10)).reason


# --- what a member is ------------------------------------------------------------------------


def test_a_symlink_member_is_refused(tmp_path: Path) -> None:
    def symlink(info: zipfile.ZipInfo) -> None:
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16

    path = make_zip(tmp_path / "link.zip", [("passwd", b"/etc/passwd")], edit=symlink)
    assert "symbolic link" in rejected(path).reason


@pytest.mark.parametrize("mode", [stat.S_IFCHR, stat.S_IFIFO, stat.S_IFSOCK, stat.S_IFBLK])
def test_device_pipe_and_socket_members_are_refused(tmp_path: Path, mode: int) -> None:
    def special(info: zipfile.ZipInfo) -> None:
        info.external_attr = (mode | 0o644) << 16

    path = make_zip(tmp_path / "special.zip", [("thing", b"")], edit=special)
    assert "not a regular file" in rejected(path).reason


def test_directory_entries_are_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "dir.zip", [("documents/", b""), ("documents/a.pdf", DOCUMENT)])
    error = rejected(path)
    assert "directory" in error.reason
    assert error.member == "documents/"

    def unix_dir(info: zipfile.ZipInfo) -> None:
        info.external_attr = (stat.S_IFDIR | 0o755) << 16

    path = make_zip(tmp_path / "dir2.zip", [("documents", b"")], edit=unix_dir)
    assert "directory" in rejected(path).reason

    def dos_dir(info: zipfile.ZipInfo) -> None:
        info.external_attr = 0x10

    path = make_zip(tmp_path / "dir3.zip", [("documents", b"")], edit=dos_dir)
    assert "directory" in rejected(path).reason


@pytest.mark.parametrize(
    ("first", "second", "words"),
    [
        ("documents/a.pdf", "documents/a.pdf", "appears twice"),
        ("Report.pdf", "report.pdf", "differs only in case or Unicode form"),
        ("STRASSE.txt", "straße.txt", "differs only in case or Unicode form"),
        ("caf\u00e9.pdf", "cafe\u0301.pdf", "differs only in case or Unicode form"),
    ],
)
def test_duplicate_names_are_refused(tmp_path: Path, first: str, second: str, words: str) -> None:
    path = make_zip(tmp_path / "dup.zip", [(first, b"one"), (second, b"two")])
    error = rejected(path)
    assert words in error.reason
    assert error.member == second


def test_an_encrypted_member_is_refused(tmp_path: Path) -> None:
    path = valid_zip(tmp_path / "enc.zip")
    patch_central(path, "documents/a.pdf", CD_FLAGS, "<H", 0x1)
    assert "encrypted" in rejected(path).reason


@pytest.mark.parametrize(
    ("method", "shown"), [(zipfile.ZIP_BZIP2, "bzip2"), (zipfile.ZIP_LZMA, "lzma")]
)
def test_compression_other_than_stored_or_deflated_is_refused(
    tmp_path: Path, method: int, shown: str
) -> None:
    path = make_zip(tmp_path / "method.zip", [("a.txt", b"text" * 100)], method=method)
    reason = rejected(path).reason
    assert shown in reason
    assert "only stored and deflated" in reason


def test_an_unknown_compression_method_is_refused(tmp_path: Path) -> None:
    path = valid_zip(tmp_path / "method.zip")
    patch_central(path, "documents/a.pdf", 10, "<H", 99)
    assert "method 99" in rejected(path).reason


# --- sizes, counts and bombs -----------------------------------------------------------------


def test_too_many_members_are_refused(tmp_path: Path) -> None:
    members = [(f"documents/{i}.txt", b"x") for i in range(4)]
    path = make_zip(tmp_path / "many.zip", members)
    assert "more than 3" in rejected(path, limits=Limits(max_members=3)).reason
    SafeArchive.open(path, limits=Limits(max_members=4)).close()


def test_a_count_in_the_end_record_is_checked_before_the_directory_is_parsed(
    tmp_path: Path,
) -> None:
    path = valid_zip(tmp_path / "count.zip")
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 60_000, 60_000)
    path.write_bytes(bytes(data))
    assert "60,000 members" in rejected(path).reason


def test_a_huge_declared_size_is_refused(tmp_path: Path) -> None:
    path = valid_zip(tmp_path / "huge.zip")
    patch_central(path, "documents/a.pdf", CD_FILE_SIZE, "<I", 3 * 1024 * MB)
    reason = rejected(path).reason
    assert "declares 3,221,225,472 bytes" in reason
    assert "more than the 2,147,483,648 allowed" in reason


def test_the_sum_of_declared_sizes_is_limited(tmp_path: Path) -> None:
    members = [(f"{i}.txt", b"y" * 1000) for i in range(3)]
    path = make_zip(tmp_path / "total.zip", members, method=zipfile.ZIP_STORED)
    limits = Limits(max_member_size=1000, max_total_size=2500)
    assert "more than 2,500 bytes in all" in rejected(path, limits=limits).reason


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """50 MB of zeros deflated to about 50 KB."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("zeros.bin", date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as out:
            chunk = bytes(MB)
            for _ in range(50):
                out.write(chunk)
    return path


def test_a_zip_bomb_is_refused_by_its_ratio(bomb: Path) -> None:
    reason = rejected(bomb).reason
    assert "more than 200 times (zip bomb?)" in reason


def test_a_zip_bomb_is_refused_by_its_declared_size(bomb: Path) -> None:
    reason = rejected(bomb, limits=Limits(max_member_size=10 * MB, max_ratio=10_000)).reason
    assert "declares 52,428,800 bytes" in reason


def test_a_zip_bomb_lying_about_its_size_is_stopped_while_inflating(
    bomb: Path, tmp_path: Path
) -> None:
    """The directory says 1 MB, the data inflates to 50 MB: stopped early, in little memory."""
    liar = tmp_path / "liar.zip"
    liar.write_bytes(bomb.read_bytes())
    patch_central(liar, "zeros.bin", CD_FILE_SIZE, "<I", MB)
    limits = Limits(max_member_size=10 * MB)
    one_mb_of_zeros = sha(bytes(MB))
    tracemalloc.start()
    try:
        with SafeArchive.open(liar, limits=limits) as archive:
            assert archive.size("zeros.bin") == MB  # the lie passes every check on the directory
            with pytest.raises(ArchiveRejected, match="damaged") as err:
                archive.read_unverified("zeros.bin", max_size=10 * MB)
            assert err.value.member == "zeros.bin"
            with pytest.raises(ArchiveRejected, match="damaged"):
                archive.read("zeros.bin", sha256=one_mb_of_zeros, size=MB)
            with pytest.raises(ArchiveRejected, match="damaged"):
                archive.copy_to("zeros.bin", io.BytesIO(), sha256=one_mb_of_zeros, size=MB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 6 * MB  # a chunk or two, never the 50 MB


def test_our_own_byte_count_stops_a_member_that_inflates_past_its_size(tmp_path: Path) -> None:
    """Even if the zip reader underneath believed the data rather than the declared size."""
    path = make_zip(tmp_path / "ok.zip", [("a.bin", bytes(1000))])
    with SafeArchive.open(path) as archive:
        archive._zip.open = lambda *args, **kwargs: io.BytesIO(bytes(50 * MB))  # type: ignore[method-assign]
        with pytest.raises(ArchiveRejected, match=r"inflates to more than 1,000 bytes \(zip bomb"):
            archive.read("a.bin", sha256=sha(bytes(1000)), size=1000)
        with pytest.raises(ArchiveRejected, match="more than 1,000 bytes"):
            archive.read_unverified("a.bin", max_size=10 * MB)


def test_members_whose_data_overlap_are_refused(tmp_path: Path) -> None:
    """The overlapping-files zip bomb: many directory entries, one compressed kernel."""
    path = make_zip(tmp_path / "overlap.zip", [("a.txt", b"a" * 100), ("b.txt", b"b" * 100)])
    patch_central(path, "b.txt", CD_LOCAL_OFFSET, "<I", 0)
    error = rejected(path)
    assert "overlaps" in error.reason
    assert "zip bomb" in error.reason


def test_member_data_pointing_past_the_data_is_refused(tmp_path: Path) -> None:
    path = valid_zip(tmp_path / "outside.zip")
    patch_central(path, "documents/a.pdf", CD_LOCAL_OFFSET, "<I", 0xFFFF_FFF0)
    assert "outside the archive's data" in rejected(path).reason


# --- damaged files ---------------------------------------------------------------------------


def test_a_missing_file_cannot_be_read(tmp_path: Path) -> None:
    error = rejected(tmp_path / "missing.rvbundle")
    assert str(error) == "missing.rvbundle: cannot be read: No such file or directory"


def test_a_path_with_a_nul_cannot_be_read(tmp_path: Path) -> None:
    assert "cannot be read" in rejected(tmp_path / "a\x00b.zip").reason


def test_a_folder_is_not_an_archive(tmp_path: Path) -> None:
    (tmp_path / "folder.rvbundle").mkdir()
    assert "not a regular file" in rejected(tmp_path / "folder.rvbundle").reason


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX named pipes")
def test_a_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.zip")
    assert "not a regular file" in rejected(tmp_path / "pipe.zip").reason


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: data[:-1],
        lambda data: b"",
        lambda data: random.Random(7).randbytes(len(data)),
        lambda data: b"PK\x05\x06" + bytes(18),
    ],
    ids=["half", "last-byte", "empty", "random", "empty-end-record"],
)
def test_truncated_and_random_files_are_not_zip_files(
    tmp_path: Path, damage: Callable[[bytes], bytes]
) -> None:
    path = valid_zip(tmp_path / "bad.zip")
    path.write_bytes(damage(path.read_bytes()))
    if path.read_bytes() == b"PK\x05\x06" + bytes(18):
        with SafeArchive.open(path) as archive:  # a well-formed empty archive, nothing more
            assert archive.names() == []
        return
    assert "not a zip file or damaged" in rejected(path).reason


def test_damaged_member_data_fails_its_crc(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "crc.zip", [("a.pdf", DOCUMENT)], method=zipfile.ZIP_STORED)
    path.write_bytes(path.read_bytes().replace(b"lazy dog", b"lazy cat", 1))
    with SafeArchive.open(path) as archive, pytest.raises(ArchiveRejected) as err:
        archive.read("a.pdf", sha256=sha(DOCUMENT), size=len(DOCUMENT))
    assert str(err.value) == "crc.zip: a.pdf: member data is damaged (CRC)"


def test_damaged_deflate_data_is_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "deflate.zip", [("a.bin", random.Random(1).randbytes(5000))])
    data = bytearray(path.read_bytes())
    data[60:200] = bytes(140)  # inside the compressed data of the first member
    path.write_bytes(bytes(data))
    archive = SafeArchive.open(path)
    with archive, pytest.raises(ArchiveRejected, match="member data is damaged"):
        archive.read_unverified("a.bin", max_size=MB)


def test_a_local_header_that_disagrees_with_the_directory_is_refused(tmp_path: Path) -> None:
    path = valid_zip(tmp_path / "names.zip")
    data = path.read_bytes()
    first = data.index(b"documents/a.pdf")  # the local header's copy comes first
    path.write_bytes(data[:first] + b"documents/b.pdf" + data[first + 15 :])
    archive = SafeArchive.open(path)  # the directory is fine: only reading finds it
    with archive, pytest.raises(ArchiveRejected, match="member data is damaged") as err:
        archive.read("documents/a.pdf", sha256=sha(DOCUMENT), size=len(DOCUMENT))
    assert "differ" in err.value.reason


# --- the manifest's promises -----------------------------------------------------------------


def test_a_sha256_mismatch_is_refused(tmp_path: Path) -> None:
    path = valid_zip(tmp_path / "sha.zip")
    with SafeArchive.open(path) as archive:
        with pytest.raises(ArchiveRejected) as err:
            archive.read("documents/a.pdf", sha256=sha(b"other"), size=len(DOCUMENT))
        assert err.value.reason == "member changed: SHA-256 does not match the manifest"
        with pytest.raises(ArchiveRejected, match="SHA-256 does not match"):
            archive.copy_to("documents/a.pdf", io.BytesIO(), sha256="0" * 64, size=len(DOCUMENT))


def test_a_size_mismatch_is_refused(tmp_path: Path) -> None:
    path = valid_zip(tmp_path / "size.zip")
    with SafeArchive.open(path) as archive:
        for size in (len(DOCUMENT) - 1, len(DOCUMENT) + 1, 0):
            with pytest.raises(ArchiveRejected, match="but the manifest says"):
                archive.read("documents/a.pdf", sha256=sha(DOCUMENT), size=size)
        with pytest.raises(ArchiveRejected, match="more than the 10 allowed"):
            archive.read_unverified("manifest.json", max_size=10)


def test_a_member_shorter_than_declared_is_refused(tmp_path: Path) -> None:
    """The directory may claim more than the data holds (with the CRC of what it holds)."""
    path = make_zip(tmp_path / "short.zip", [("a.txt", b"abc" * 1000)])
    patch_central(path, "a.txt", CD_FILE_SIZE, "<I", 5000)
    with SafeArchive.open(path) as archive:
        with pytest.raises(ArchiveRejected, match="holds 3,000 bytes"):
            archive.read_unverified("a.txt", max_size=MB)
        with pytest.raises(ArchiveRejected, match="holds 3,000 bytes, but the manifest says"):
            archive.read("a.txt", sha256=sha(b"abc" * 1000), size=5000)


@pytest.mark.parametrize(
    ("digest", "size", "words"),
    [
        ("not-hex", 10, "64 hexadecimal digits"),
        ("g" * 64, 10, "64 hexadecimal digits"),
        (None, 10, "64 hexadecimal digits"),
        ("0" * 64, -1, "whole number"),
        ("0" * 64, 1.5, "whole number"),
        ("0" * 64, True, "whole number"),
    ],
)
def test_hostile_manifest_values_are_refused(
    tmp_path: Path, digest: object, size: object, words: str
) -> None:
    path = valid_zip(tmp_path / "m.zip")
    with SafeArchive.open(path) as archive, pytest.raises(ArchiveRejected, match=words):
        archive.read("manifest.json", sha256=digest, size=size)  # type: ignore[arg-type]


def test_a_member_not_in_the_archive_is_refused(tmp_path: Path) -> None:
    with SafeArchive.open(valid_zip(tmp_path / "m.zip")) as archive:
        with pytest.raises(ArchiveRejected, match="not in the archive") as err:
            archive.read("documents/b.pdf", sha256="0" * 64, size=1)
        assert err.value.member == "documents/b.pdf"
        with pytest.raises(ArchiveRejected, match="not in the archive"):
            archive.size("documents/b.pdf")


def test_the_rejection_names_file_member_and_reason_and_pickles(tmp_path: Path) -> None:
    error = ArchiveRejected(
        tmp_path / "x.rvbundle", "member name leaves the archive", member="../x"
    )
    assert str(error) == "x.rvbundle: ../x: member name leaves the archive"
    assert str(ArchiveRejected("x.rvbundle", "not a zip file")) == "x.rvbundle: not a zip file"
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.path, copy.reason, copy.member) == (
        str(error),
        error.path,
        error.reason,
        error.member,
    )


# --- fuzzing ---------------------------------------------------------------------------------


def test_random_damage_only_ever_gives_a_rejection(tmp_path: Path) -> None:
    """Thousands of byte-level mutations: each opens and reads fine, or is ArchiveRejected."""
    original = make_zip(
        tmp_path / "seed.zip",
        [("manifest.json", MANIFEST), ("documents/a.pdf", DOCUMENT), ("empty.txt", b"")],
    ).read_bytes()
    stored = make_zip(
        tmp_path / "stored.zip", [("manifest.json", MANIFEST)], method=zipfile.ZIP_STORED
    ).read_bytes()
    expected = {"manifest.json": MANIFEST, "documents/a.pdf": DOCUMENT, "empty.txt": b""}
    rng = random.Random(20240601)
    path = tmp_path / "fuzz.zip"
    outcomes = {"read": 0, "rejected": 0}
    for _ in range(3000):
        path.write_bytes(_mutate(rng, original if rng.random() < 0.8 else stored))
        try:
            _read_everything(path, expected)
        except ArchiveRejected:
            outcomes["rejected"] += 1
        else:
            outcomes["read"] += 1
    assert outcomes["rejected"] > 1000  # the mutations do hit the structures


def _mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        what = rng.random()
        pos = rng.randrange(len(out))
        if what < 0.6:
            out[pos] = rng.randrange(256)
        elif what < 0.7:
            out[pos] = out[pos] ^ (1 << rng.randrange(8))
        elif what < 0.8:
            del out[pos : pos + rng.randint(1, 16)]
        elif what < 0.9:
            out[pos:pos] = rng.randbytes(rng.randint(1, 16))
        else:
            struct.pack_into("<I", out, min(pos, len(out) - 4), rng.choice([0, 0xFFFFFFFF]))
    return bytes(out)


def _read_everything(path: Path, expected: dict[str, bytes]) -> None:
    with SafeArchive.open(path) as archive:
        for name in archive.names():
            archive.read_unverified(name, max_size=MB)
            if name in expected:
                content = expected[name]
                archive.read(name, sha256=sha(content), size=len(content))
                archive.copy_to(name, io.BytesIO(), sha256=sha(content), size=len(content))


# --- writing ---------------------------------------------------------------------------------


def _members(tmp_path: Path) -> list[tuple[str, bytes | Path, bool]]:
    big = tmp_path / "big.pdf"
    big.write_bytes(DOCUMENT * 50)
    return [
        ("manifest.json", MANIFEST, False),
        ("documents/a.pdf", DOCUMENT, True),
        ("documents/big.pdf", big, False),
        ("documents/Zürich.txt", "Grüezi".encode(), True),
    ]


def test_writing_is_deterministic(tmp_path: Path) -> None:
    members = _members(tmp_path)
    write_archive(tmp_path / "one.rvbundle", members)
    os.utime(members[2][1], (0, 0))  # the source file's own dates must not matter
    write_archive(tmp_path / "two.rvbundle", members)
    as_bytes = [(n, c.read_bytes() if isinstance(c, Path) else c, z) for n, c, z in members]
    write_archive(tmp_path / "three.rvbundle", as_bytes)
    one = (tmp_path / "one.rvbundle").read_bytes()
    assert one == (tmp_path / "two.rvbundle").read_bytes()
    assert one == (tmp_path / "three.rvbundle").read_bytes()
    assert sha(one) == sha((tmp_path / "two.rvbundle").read_bytes())


def test_written_members_have_fixed_attributes_and_read_back(tmp_path: Path) -> None:
    members = _members(tmp_path)
    target = tmp_path / "out.rvbundle"
    write_archive(target, members)
    with zipfile.ZipFile(target) as raw:
        infos = raw.infolist()
        assert raw.comment == b""
    assert [i.filename for i in infos] == [name for name, _, _ in members]
    for info, (_, _, compress) in zip(infos, members, strict=True):
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.create_system == 3
        assert info.external_attr == 0o644 << 16
        assert info.extra == b""
        assert info.comment == b""
        assert info.compress_type == (zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED)
    with SafeArchive.open(target) as archive:
        for name, content, _ in members:
            data = content.read_bytes() if isinstance(content, Path) else content
            assert archive.read(name, sha256=sha(data), size=len(data)) == data


def test_a_failed_write_leaves_the_old_target_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.rvbundle"
    target.write_bytes(b"old content")
    members = [("a.txt", b"a", True), ("b.pdf", tmp_path / "missing.pdf", False), ("c", b"c", True)]
    with pytest.raises(FileNotFoundError):
        write_archive(target, members)
    assert target.read_bytes() == b"old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.rvbundle"]


def test_an_interrupted_write_leaves_the_old_target(tmp_path: Path) -> None:
    target = tmp_path / "out.rvbundle"
    target.write_bytes(b"old content")

    def members() -> Iterator[tuple[str, bytes | Path, bool]]:
        yield ("a.txt", b"a" * 10_000, True)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_archive(target, members())
    assert target.read_bytes() == b"old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.rvbundle"]


@pytest.mark.parametrize(
    "members",
    [
        [("../evil", b"x", False)],
        [("a/", b"", False)],
        [("a.txt", b"1", False), ("A.TXT", b"2", False)],
    ],
)
def test_writing_refuses_names_the_reader_would_refuse(
    tmp_path: Path, members: list[tuple[str, bytes | Path, bool]]
) -> None:
    target = tmp_path / "out.rvbundle"
    with pytest.raises(ValueError, match="cannot write"):
        write_archive(target, members)
    assert list(tmp_path.iterdir()) == []


def test_a_replaced_archive_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.rvbundle"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_archive(target, [("a.txt", b"a", True)])
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_failing_target_is_not_blamed_on_the_archive(tmp_path: Path) -> None:
    """A full disk while copying is the target's problem: it is not reported as a bad archive."""

    class FullDisk(io.BytesIO):
        def write(self, data: object) -> int:
            raise OSError(28, "No space left on device")

    with SafeArchive.open(valid_zip(tmp_path / "ok.zip")) as archive:
        with pytest.raises(OSError, match="No space left") as err:
            archive.copy_to("documents/a.pdf", FullDisk(), sha256=sha(DOCUMENT), size=len(DOCUMENT))
        assert not isinstance(err.value, ArchiveRejected)
        assert archive.read_unverified("manifest.json", max_size=1024) == MANIFEST  # still usable
