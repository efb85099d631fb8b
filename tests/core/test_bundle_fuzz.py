"""Ten thousand damaged submission bundles, and what ``verify_bundle`` makes of each.

A real bundle is exported once from a real workspace (identity, imported
batch, annotations, statuses, billed time, a redacted copy). Every mutant of
it, made by a seeded ``random.Random`` so a failure can be replayed from its
number, must end in :class:`BundleRejected`, or verify as exactly the
original work: the same signed manifest and the same parsed records (a
flipped bit in a zip timestamp, a local header size zipfile never reads, or
junk around the archive changes no byte that counts). Any other exception is
a bug. Verifying must also leave the workspace that made the bundle as it was.
"""

from __future__ import annotations

import io
import random
import re
import sqlite3
import struct
import time
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pymupdf
import pytest

from reviewer.core import bundle
from reviewer.core.store import Workspace

SEED = 20_240_501
MUTANTS = 10_000
KINDS = (
    "bit-flip",
    "truncate",
    "duplicate",
    "rename-allowed",
    "rename-disallowed",
    "oversize",
    "swap",
    "junk",
)
#: The zip layout write_archive uses (so a rebuilt original is byte-identical).
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
EOCD = b"PK\x05\x06"
CENTRAL = b"PK\x01\x02"
# offsets of size fields in a central directory entry, a local header and the end record
CD_COMPRESSED, CD_SIZE, CD_NAME_LEN = 20, 24, 28
LH_COMPRESSED, LH_SIZE = 18, 22
EOCD_CD_SIZE, EOCD_CD_OFFSET = 12, 16
HUGE = (0xFFFFFFFF, 0xFFFFFFFE, 1 << 31, (1 << 30) + 1, 1_000_000_000, 50 << 20)

Entry = tuple[str, bytes, int]  # (name, content, compress_type)


@dataclass(frozen=True)
class Original:
    """The exported bundle and what verifying it gave, plus the workspace that made it."""

    path: Path
    data: bytes
    entries: list[Entry]
    verified: bundle.VerifiedBundle
    workspace: Path
    database: Path


def _pdf(path: Path, text: str) -> Path:
    doc = pymupdf.open()
    page = doc.new_page(width=300, height=300)
    page.insert_text((30, 60), text, fontsize=11)
    doc.save(path, garbage=4, deflate=True)
    doc.close()
    return path


@pytest.fixture(scope="module")
def original(small_work) -> Original:
    """The small worked batch's bundle, with a redacted copy so PDF members are streamed too."""
    root = small_work.root / "fuzz"
    root.mkdir()
    redacted = _pdf(root / "redacted.pdf", "Filing 1: the [REDACTED] shall pay.")
    copy = bundle.RedactedCopy(small_work.documents[0], redacted, {"ok": True, "boxes": 1})
    out = root / "out" / "submission.rvbundle"
    out.parent.mkdir()
    with Workspace.open(small_work.paths) as ws:
        bundle.export_bundle(ws, small_work.batch_id, out, redacted=[copy])
    data = out.read_bytes()
    with zipfile.ZipFile(out) as archive:
        entries = [(i.filename, archive.read(i), i.compress_type) for i in archive.infolist()]
    paths = small_work.paths
    return Original(out, data, entries, bundle.verify_bundle(out), paths.workspace, paths.database)


# -- mutations ------------------------------------------------------------------------------


def rebuild(entries: list[Entry]) -> bytes:
    """A zip of ``entries`` laid out as write_archive does, duplicates and odd names included."""
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about a duplicate name, then writes it
        with zipfile.ZipFile(out, "w") as archive:
            for name, content, method in entries:
                info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
                info.create_system = 3
                info.external_attr = 0o644 << 16
                info.compress_type = method
                info.file_size = len(content)
                with archive.open(info, "w") as member:
                    member.write(content)
    return out.getvalue()


def _central_entries(data: bytes) -> list[int]:
    """Offsets of the central directory entries (of an undamaged archive)."""
    end = data.rindex(EOCD)
    (offset,) = struct.unpack_from("<I", data, end + EOCD_CD_OFFSET)
    found = []
    while data.startswith(CENTRAL, offset):
        found.append(offset)
        name, extra, comment = struct.unpack_from("<HHH", data, offset + CD_NAME_LEN)
        offset += 46 + name + extra + comment
    return found


def _local_headers(data: bytes) -> list[int]:
    return [struct.unpack_from("<I", data, cd + 42)[0] for cd in _central_entries(data)]


def flip_bits(rng: random.Random, o: Original) -> bytes:
    data = bytearray(o.data)
    for _ in range(rng.randint(1, 8)):
        bit = rng.randrange(len(data) * 8)
        data[bit // 8] ^= 1 << (bit % 8)
    return bytes(data)


def truncate(rng: random.Random, o: Original) -> bytes:
    return o.data[: rng.randrange(len(o.data))]


def duplicate(rng: random.Random, o: Original) -> bytes:
    entries = list(o.entries)
    name, content, method = rng.choice(entries)
    twin = rng.choice([content, rng.choice(entries)[1], rng.randbytes(rng.randint(0, 64))])
    entries.insert(rng.randint(0, len(entries)), (name, twin, method))
    return rebuild(entries)


def _random_sha(rng: random.Random) -> str:
    return rng.randbytes(32).hex()


def rename_allowed(rng: random.Random, o: Original) -> bytes:
    entries = list(o.entries)
    index = rng.randrange(len(entries))
    name, content, method = entries[index]
    if rng.random() < 0.5:  # a name the bundle already has (a twin, or a member gone missing)
        new = rng.choice([n for n, _, _ in entries if n != name and "/" not in n])
    else:  # a name no member has yet
        new = f"redacted/{_random_sha(rng)}" + rng.choice([".pdf", ".verification.json"])
    assert bundle.MEMBER_NAME.fullmatch(new)
    entries[index] = (new, content, method)
    return rebuild(entries)


DISALLOWED = (
    "../evil.txt",
    "redacted/../manifest.json",
    "/etc/passwd",
    "C:/Windows/annotations.jsonl",
    "redacted\\evil.pdf",
    "Manifest.json",
    "ANNOTATIONS.JSONL",
    "annotations.jsonl.bak",
    "notes.txt",
    "./items.jsonl",
    "redacted//items.jsonl",
    "redacted/",
    "items.jsonl/",
    "\u202etxt.exe",
    "events\x07.jsonl",
    "x" * 300,
    "redacted/abc.pdf",
    "r\u00e9dacted/a.pdf",
    "timesheet.csv ",
)


def rename_disallowed(rng: random.Random, o: Original) -> bytes:
    entries = list(o.entries)
    index = rng.randrange(len(entries))
    name, content, method = entries[index]
    if rng.random() < 0.5:
        new = rng.choice(DISALLOWED)
    else:  # one character of the real name replaced by a random printable one
        while True:
            at = rng.randrange(len(name))
            new = name[:at] + chr(rng.randint(0x21, 0x7E)) + name[at + 1 :]
            if not bundle.MEMBER_NAME.fullmatch(new):
                break
    assert not bundle.MEMBER_NAME.fullmatch(new)
    entries[index] = (new, content, method)
    return rebuild(entries)


def oversize(rng: random.Random, o: Original) -> bytes:
    """A huge size written over a central directory, local header or end record field."""
    data = bytearray(o.data)
    value = rng.choice(HUGE)
    where = rng.choice(["central", "local", "both", "end"])
    member = rng.randrange(len(o.entries))
    field = rng.choice(["size", "compressed"])
    if where in ("central", "both"):
        at = _central_entries(o.data)[member] + (CD_SIZE if field == "size" else CD_COMPRESSED)
        struct.pack_into("<I", data, at, value)
    if where in ("local", "both"):
        at = _local_headers(o.data)[member] + (LH_SIZE if field == "size" else LH_COMPRESSED)
        struct.pack_into("<I", data, at, value)
    if where == "end":
        struct.pack_into("<I", data, o.data.rindex(EOCD) + EOCD_CD_SIZE, value)
    return bytes(data)


def swap(rng: random.Random, o: Original) -> bytes:
    """Contents moved between members (names, order and compression kept)."""
    entries = list(o.entries)
    while True:
        i, j = rng.sample(range(len(entries)), 2)
        if entries[i][1] != entries[j][1]:
            break
    (a, da, ma), (b, db, mb) = entries[i], entries[j]
    entries[i] = (a, db, ma)
    if rng.random() < 0.5:  # a true swap; otherwise j's content appears twice
        entries[j] = (b, da, mb)
    return rebuild(entries)


def junk(rng: random.Random, o: Original) -> bytes:
    def some() -> bytes:
        size = rng.randint(1, 2048)
        return rng.choice(
            [rng.randbytes(size), bytes(size), o.data[: min(size, len(o.data))], EOCD * 3]
        )

    where = rng.choice(["before", "after", "both"])
    before = some() if where in ("before", "both") else b""
    after = some() if where in ("after", "both") else b""
    return before + o.data + after


MUTATIONS: dict[str, Callable[[random.Random, Original], bytes]] = {
    "bit-flip": flip_bits,
    "truncate": truncate,
    "duplicate": duplicate,
    "rename-allowed": rename_allowed,
    "rename-disallowed": rename_disallowed,
    "oversize": oversize,
    "swap": swap,
    "junk": junk,
}


def mutant(number: int, o: Original) -> tuple[str, bytes]:
    """Mutant ``number``: its kind (the kinds take turns) and its bytes, the same every run."""
    kind = KINDS[number % len(KINDS)]
    return kind, MUTATIONS[kind](random.Random(SEED + number), o)


# -- what must not change -------------------------------------------------------------------


def workspace_digest(database: Path) -> dict[str, int]:
    """Row counts of every table and the last event id: any write would change them."""
    conn = sqlite3.connect(database)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        digest = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        digest["max(event.id)"] = conn.execute("SELECT max(id) FROM event").fetchone()[0]
    finally:
        conn.close()
    return digest


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _shape(reason: str) -> str:
    """A rejection reason without its numbers, names and quoted details, for counting."""
    reason = re.sub(r"\((deflate|[A-Za-z]+Error|BadZipFile): .*\)$", r"(\1: …)", reason)
    reason = re.sub(r"'[^']*'", "'…'", reason)
    return re.sub(r"(?<![A-Za-z-])\d[\d,.]*", "N", reason)


# -- tests ------------------------------------------------------------------------------------


def test_the_original_verifies_and_rebuilding_it_gives_the_same_bytes(original: Original) -> None:
    """The fixture is sound: the bundle verifies, and ``rebuild`` changes only what it is told."""
    v = original.verified
    assert v.manifest["counts"]["annotations"] == 2
    assert len(v.records["events.jsonl"]) == v.manifest["counts"]["events"] > 4
    assert [r["status"] for r in v.records["items.jsonl"]] == ["done", "skipped"]
    assert len(v.timesheet) == 1
    assert any(n.endswith(".pdf") for n, _, _ in original.entries)
    assert len(original.data) < 8 * 1024
    assert rebuild(original.entries) == original.data


def test_ten_thousand_mutants_are_refused_or_verify_as_the_original(
    original: Original, tmp_path: Path
) -> None:
    """Every mutant ends in BundleRejected or an identical verification, and nothing is written."""
    digest = workspace_digest(original.database)
    before = files_under(original.workspace)
    target = tmp_path / "mutant.rvbundle"
    reasons: dict[str, Counter[str]] = {k: Counter() for k in KINDS}
    accepted: Counter[str] = Counter()
    failures: list[str] = []
    v = original.verified
    started = time.perf_counter()
    for number in range(MUTANTS):
        kind, data = mutant(number, original)
        target.write_bytes(data)
        try:
            got = bundle.verify_bundle(target)
        except bundle.BundleRejected as exc:
            if not exc.reason:
                failures.append(f"mutant {number} ({kind}): a rejection without a reason")
            reasons[kind][_shape(exc.reason)] += 1
            continue
        except Exception as exc:  # noqa: BLE001 - anything but BundleRejected is the bug we seek
            failures.append(f"mutant {number} ({kind}): {type(exc).__name__}: {exc}")
            continue
        same = (
            got.manifest == v.manifest
            and got.manifest_sha256 == v.manifest_sha256
            and got.records == v.records
            and got.timesheet == v.timesheet
        )
        if not same:
            failures.append(f"mutant {number} ({kind}): verified but differs from the original")
        accepted[kind] += 1
    elapsed = time.perf_counter() - started

    rejected = sum(sum(c.values()) for c in reasons.values())
    # The reliability report's line (issue 9): run with -s to see it.
    print(
        f"\nBUNDLE inputs={MUTANTS} rejected={rejected} accepted_as_original="
        f"{sum(accepted.values())} crashes={len(failures)} seconds={elapsed:.1f}"
    )
    print(f"{MUTANTS} mutants in {elapsed:.1f} s; accepted as the original: {dict(accepted)}")
    for kind in KINDS:
        print(f"  {kind}: {sum(reasons[kind].values())} rejected")
        for reason, count in reasons[kind].most_common(6):
            print(f"    {count:5d}  {reason}")
    assert not failures, f"{len(failures)} mutants misbehaved, e.g.:\n" + "\n".join(failures[:20])
    assert sum(accepted.values()) + sum(sum(c.values()) for c in reasons.values()) == MUTANTS
    assert all(reasons[k] for k in KINDS), "every kind of damage is seen and refused"
    # nothing but the mutant itself next to it, and the workspace untouched
    assert files_under(tmp_path) == {"mutant.rvbundle"}
    assert files_under(original.workspace) == before
    assert workspace_digest(original.database) == digest
