"""Hand-made hostile bundles and batches: each refused with a reason a person can act on.

A real bundle is exported once from a real workspace; every hostile bundle is
that bundle taken apart and put back together wrongly with ``zipfile`` and
``struct``. Where the attack only works past the signature check (a member
nested too deep, bytes that are not UTF-8), the attacker re-signs the whole
bundle with a key of their own, as anyone can: only ``--pubkey`` ties a
bundle to the annotator. The command line is run as a lead's script runs it,
in a subprocess, and must print a JSON report and exit 0 only for an intact
bundle. Rejections change nothing in a workspace.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sqlite3
import stat
import struct
import subprocess
import sys
import time
import tracemalloc
import unicodedata
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from reviewer.core import bundle, identity, strict_json
from reviewer.core.batch_file import BatchError
from reviewer.core.batch_file import read_batch as read_batch_file
from reviewer.core.batch_import import import_batch
from reviewer.core.store import Workspace

MB = 1024 * 1024
REPO = Path(__file__).resolve().parents[2]
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
# offsets of fields in a central directory entry and a local header
CD_FLAGS, CD_FILE_SIZE, CD_NAME_LEN, CD_LOCAL_OFFSET = 8, 24, 28, 42
LH_FLAGS = 6


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def raw_key(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class Good:
    """The exported bundle, its parts, the annotator's key and the workspace that made it."""

    path: Path
    members: dict[str, bytes]  # every member in archive order, manifest and signature included
    manifest: dict[str, Any]
    key: Ed25519PrivateKey
    pem: Path
    workspace: Path
    database: Path

    @property
    def payload(self) -> dict[str, bytes]:
        """The members the manifest lists (all but manifest.json and manifest.sig)."""
        return {n: d for n, d in self.members.items() if n not in ("manifest.json", "manifest.sig")}


@pytest.fixture(scope="module")
def good(small_work) -> Good:
    """The small worked batch's bundle: 2 items (done, skipped), 2 annotations, 60 s billed."""
    root = small_work.root / "hostile"
    root.mkdir()
    paths = small_work.paths
    out = root / "good.rvbundle"
    with Workspace.open(paths) as ws:
        manifest = bundle.export_bundle(ws, small_work.batch_id, out)
    who = identity.load_identity(paths.workspace)
    assert who is not None
    pem = root / "ana.pem"
    identity.export_public_key(who, pem)
    key = identity.signing_key(paths.workspace)
    with zipfile.ZipFile(out) as archive:
        members = {i.filename: archive.read(i) for i in archive.infolist()}
    return Good(out, members, manifest, key, pem, paths.workspace, paths.database)


@pytest.fixture(scope="module")
def stranger() -> Ed25519PrivateKey:
    """Someone else's key: anyone can make one and sign anything with it."""
    return Ed25519PrivateKey.generate()


# -- making hostile archives ------------------------------------------------------------------


def write_zip(
    path: Path,
    members: list[tuple[str, bytes]] | dict[str, bytes],
    *,
    edit: Callable[[zipfile.ZipInfo], None] | None = None,
) -> Path:
    """A zip laid out as write_archive does, with whatever names, twins and attributes given."""
    items = list(members.items()) if isinstance(members, dict) else members
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about a duplicate name, then writes it
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in items:
                info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
                info.create_system = 3
                info.external_attr = 0o644 << 16
                info.compress_type = (
                    zipfile.ZIP_STORED if name == "manifest.sig" else zipfile.ZIP_DEFLATED
                )
                if edit is not None:
                    edit(info)
                archive.writestr(info, data)
    return path


def signed(
    good: Good,
    payload: dict[str, bytes],
    *,
    key: Ed25519PrivateKey | None = None,
    edit: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, bytes]:
    """``payload`` under a manifest that lists it truthfully, signed with ``key``.

    With another key than the annotator's the manifest names that key, as
    an attacker re-signing the bundle would.
    """
    key = key or good.key
    manifest = json.loads(json.dumps(good.manifest))
    manifest["members"] = [
        {"name": n, "size": len(d), "sha256": sha(d)} for n, d in payload.items()
    ]
    public = raw_key(key)
    manifest["public_key"] = base64.b64encode(public).decode("ascii")
    manifest["key_id"] = identity.key_id_of(public)
    if edit is not None:
        edit(manifest)
    raw = strict_json.dumps_canonical(manifest)
    return {"manifest.json": raw, "manifest.sig": key.sign(raw), **payload}


def with_raw_manifest(good: Good, raw: bytes) -> dict[str, bytes]:
    """The good payload under manifest bytes of our choosing, validly signed by the annotator."""
    return {"manifest.json": raw, "manifest.sig": good.key.sign(raw), **good.payload}


def central_entries(data: bytes | bytearray) -> dict[str, int]:
    """name -> offset of its central directory entry."""
    found, pos = {}, data.find(b"PK\x01\x02")
    while pos >= 0:
        (length,) = struct.unpack_from("<H", data, pos + CD_NAME_LEN)
        found[bytes(data[pos + 46 : pos + 46 + length]).decode()] = pos
        pos = data.find(b"PK\x01\x02", pos + 46 + length)
    return found


def deep_json(depth: int) -> bytes:
    return b'{"type":"Annotation","x":' + b"[" * depth + b"]" * depth + b"}\n"


def _bomb(path: Path, good: Good, *, lie: bool) -> Path:
    """annotations.jsonl as 100 MB of zeros deflated to ~100 KB, listed as 2 KB in the manifest.

    ``lie``: the central directory's size is patched to match the manifest, so
    every check on the directory passes and only reading can find out.
    """
    small = bytes(2000)
    payload = dict(good.payload)
    payload["annotations.jsonl"] = small
    members = signed(good, payload)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name != "annotations.jsonl":
                archive.writestr(info, data)
                continue
            with archive.open(info, "w") as out:
                chunk = bytes(MB)
                for _ in range(100):
                    out.write(chunk)
    if lie:
        data = bytearray(path.read_bytes())
        at = central_entries(data)["annotations.jsonl"] + CD_FILE_SIZE
        struct.pack_into("<I", data, at, len(small))
        path.write_bytes(bytes(data))
    return path


def _flag_encrypted(path: Path, name: str) -> Path:
    data = bytearray(path.read_bytes())
    central = central_entries(data)[name]
    (local,) = struct.unpack_from("<I", data, central + CD_LOCAL_OFFSET)
    for at in (central + CD_FLAGS, local + LH_FLAGS):
        (flags,) = struct.unpack_from("<H", data, at)
        struct.pack_into("<H", data, at, flags | 0x1)
    path.write_bytes(bytes(data))
    return path


def _symlink(info: zipfile.ZipInfo) -> None:
    if info.filename == "annotations.jsonl":
        info.external_attr = (stat.S_IFLNK | 0o777) << 16


REDACTED_PDF = f"redacted/{'ab' * 32}.pdf"


def _replace(good: Good, name: str, data: bytes) -> dict[str, bytes]:
    return {**good.members, name: data}


def _same_size_other_content(data: bytes) -> bytes:
    """The same number of bytes, one character changed: only the hash can tell."""
    at = data.index(b"factual")
    return data[:at] + b"FACTUAL" + data[at + 7 :]


def _flip_signature(good: Good) -> dict[str, bytes]:
    sig = bytearray(good.members["manifest.sig"])
    sig[17] ^= 0x01
    return _replace(good, "manifest.sig", bytes(sig))


def _duplicate_key(good: Good) -> bytes:
    raw = good.members["manifest.json"]
    assert b'"version":1}' in raw
    return raw.replace(b'"version":1}', b'"version":1,"version":1}')


def _nan(good: Good) -> bytes:
    raw = good.members["manifest.json"]
    assert b'"active_seconds":60.0' in raw
    return raw.replace(b'"active_seconds":60.0', b'"active_seconds":NaN')


#: name -> (build the hostile file in a folder, words the reason must hold, member named).
Builder = Callable[[Good, Ed25519PrivateKey, Path], Path]
HOSTILE: dict[str, tuple[Builder, str, str | None]] = {
    "zip slip": (
        lambda g, s, f: write_zip(f / "b.rvbundle", {**g.members, "../evil.txt": b"owned"}),
        "leaves the archive (zip slip)",
        "../evil.txt",
    ),
    "absolute path": (
        lambda g, s, f: write_zip(f / "b.rvbundle", {**g.members, "/etc/passwd": b"root:x"}),
        "absolute path",
        "/etc/passwd",
    ),
    "symlink member": (
        lambda g, s, f: write_zip(
            f / "b.rvbundle", _replace(g, "annotations.jsonl", b"/etc/passwd"), edit=_symlink
        ),
        "symbolic link",
        "annotations.jsonl",
    ),
    "zip bomb": (
        lambda g, s, f: _bomb(f / "b.rvbundle", g, lie=False),
        "more than 200 times (zip bomb?)",
        "annotations.jsonl",
    ),
    "zip bomb lying in the directory": (
        lambda g, s, f: _bomb(f / "b.rvbundle", g, lie=True),
        "member data is damaged (CRC)",
        "annotations.jsonl",
    ),
    "duplicate manifest": (
        lambda g, s, f: write_zip(
            f / "b.rvbundle",
            [("manifest.json", g.members["manifest.json"]), *g.members.items()],
        ),
        "appears twice",
        "manifest.json",
    ),
    "signed by another key": (
        lambda g, s, f: write_zip(
            f / "b.rvbundle", _replace(g, "manifest.sig", s.sign(g.members["manifest.json"]))
        ),
        "signature does not match the manifest",
        None,
    ),
    "flipped signature byte": (
        lambda g, s, f: write_zip(f / "b.rvbundle", _flip_signature(g)),
        "signature does not match the manifest",
        None,
    ),
    "member swapped after signing": (
        lambda g, s, f: write_zip(
            f / "b.rvbundle",
            _replace(
                g, "annotations.jsonl", _same_size_other_content(g.members["annotations.jsonl"])
            ),
        ),
        "SHA-256 does not match the manifest",
        "annotations.jsonl",
    ),
    "member replaced by other content": (
        lambda g, s, f: write_zip(
            f / "b.rvbundle", _replace(g, "annotations.jsonl", g.members["events.jsonl"])
        ),
        "but the manifest says",
        "annotations.jsonl",
    ),
    "member not in the manifest": (
        lambda g, s, f: write_zip(f / "b.rvbundle", {**g.members, REDACTED_PDF: b"%PDF-1.7"}),
        "not in the signed manifest",
        REDACTED_PDF,
    ),
    "manifest entry missing from the zip": (
        lambda g, s, f: write_zip(
            f / "b.rvbundle", {n: d for n, d in g.members.items() if n != "timesheet.csv"}
        ),
        "listed in the manifest but missing",
        "timesheet.csv",
    ),
    "manifest with duplicate keys": (
        lambda g, s, f: write_zip(f / "b.rvbundle", with_raw_manifest(g, _duplicate_key(g))),
        "duplicate key 'version'",
        "manifest.json",
    ),
    "manifest with NaN": (
        lambda g, s, f: write_zip(f / "b.rvbundle", with_raw_manifest(g, _nan(g))),
        "NaN is not a number JSON allows",
        "manifest.json",
    ),
    "deeply nested member": (
        lambda g, s, f: write_zip(
            f / "b.rvbundle",
            signed(g, {**g.payload, "annotations.jsonl": deep_json(100_000) * 2}, key=s),
        ),
        "nested deeper than 32 levels",
        "annotations.jsonl",
    ),
    "member not UTF-8": (
        lambda g, s, f: write_zip(
            f / "b.rvbundle",
            signed(g, {**g.payload, "events.jsonl": b'{"at":"caf\xe9"}\n'}, key=s),
        ),
        "not UTF-8 text (byte 10)",
        "events.jsonl",
    ),
    "encrypted member": (
        lambda g, s, f: _flag_encrypted(
            write_zip(f / "b.rvbundle", g.members), "annotations.jsonl"
        ),
        "member is encrypted",
        "annotations.jsonl",
    ),
    "not a zip": (
        lambda g, s, f: _write(f / "b.rvbundle", b"%PDF-1.7\n" + bytes(range(256)) * 8),
        "not a zip file",
        None,
    ),
    "empty file": (lambda g, s, f: _write(f / "b.rvbundle", b""), "not a zip file", None),
    "missing file": (lambda g, s, f: f / "no such.rvbundle", "cannot be read", None),
    "a folder": (lambda g, s, f: _mkdir(f / "folder.rvbundle"), "not a regular file", None),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


def rejection(path: Path, **options: Any) -> bundle.BundleRejected:
    with pytest.raises(bundle.BundleRejected) as err:
        bundle.verify_bundle(path, **options)
    return err.value


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


# -- bundles ------------------------------------------------------------------------------------


def test_the_good_bundle_verifies(good: Good) -> None:
    """The starting point is sound, so each rejection below is the hostile change's doing."""
    verified = bundle.verify_bundle(good.path, public_key=raw_key(good.key))
    assert verified.signer_checked
    assert verified.manifest == good.manifest
    assert write_zip(good.path.with_name("copy.rvbundle"), good.members).read_bytes() == (
        good.path.read_bytes()
    )


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_bundle_is_rejected_with_its_reason(
    case: str, good: Good, stranger: Ed25519PrivateKey, tmp_path: Path
) -> None:
    """BundleRejected (never another exception), the reason in words, the member named."""
    build, words, member = HOSTILE[case]
    path = build(good, stranger, tmp_path)
    error = rejection(path)
    assert words in error.reason
    assert words in str(error)
    assert error.member == member
    assert error.path == path
    report = bundle.verify_report(path)
    assert report["ok"] is False
    assert words in report["reason"]


def test_a_zip_bomb_is_stopped_quickly_in_little_memory(good: Good, tmp_path: Path) -> None:
    """Both bombs: refused within moments, never inflating the 100 MB."""
    bombs = [_bomb(tmp_path / f"bomb{lie}.rvbundle", good, lie=lie) for lie in (False, True)]
    for path in bombs:
        assert path.stat().st_size < 500 * 1024
        tracemalloc.start()
        started = time.perf_counter()
        try:
            rejection(path)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert time.perf_counter() - started < 2.0
        assert peak < 8 * MB


def test_a_swapped_member_is_reported_as_a_hash_mismatch(good: Good, tmp_path: Path) -> None:
    """Same size, one word changed after signing: the manifest and signature still match."""
    original = good.members["annotations.jsonl"]
    changed = _same_size_other_content(original)
    assert len(changed) == len(original)
    assert changed != original
    path = write_zip(tmp_path / "swapped.rvbundle", _replace(good, "annotations.jsonl", changed))
    error = rejection(path, public_key=raw_key(good.key))  # signature and signer are fine
    assert error.reason == "member changed: SHA-256 does not match the manifest"
    assert error.member == "annotations.jsonl"


def test_a_bundle_re_signed_by_a_stranger_verifies_only_without_pubkey(
    good: Good, stranger: Ed25519PrivateKey, tmp_path: Path
) -> None:
    """The signature proves integrity; only --pubkey proves who signed, and the report says who."""
    payload = {**good.payload, "judgements.jsonl": b""}
    forged = write_zip(tmp_path / "forged.rvbundle", signed(good, payload, key=stranger))
    assert bundle.verify_bundle(forged).manifest["key_id"] == identity.key_id_of(raw_key(stranger))
    error = rejection(forged, public_key=raw_key(good.key))
    stranger_id = identity.key_id_of(raw_key(stranger))
    ana_id = identity.key_id_of(raw_key(good.key))
    assert f"signed by key {stranger_id}" in error.reason
    assert ana_id in error.reason


def test_a_valid_bundle_checked_against_another_key_names_its_signer(
    good: Good, stranger: Ed25519PrivateKey
) -> None:
    report = bundle.verify_report(good.path, public_key=raw_key(stranger))
    assert report["ok"] is False
    assert f"signed by key {good.manifest['key_id']}" in report["reason"]
    assert identity.key_id_of(raw_key(stranger)) in report["reason"]


def test_rejections_change_nothing_in_the_workspace(
    good: Good, stranger: Ed25519PrivateKey, tmp_path: Path
) -> None:
    """Every hostile bundle verified in turn: same rows, same last event, no file created."""
    digest = workspace_digest(good.database)
    before = files_under(good.workspace)
    made = []
    for number, (build, _, _) in enumerate(HOSTILE.values()):
        folder = tmp_path / str(number)
        folder.mkdir()
        made.append((folder, build(good, stranger, folder)))
    listed = {folder: files_under(folder) for folder, _ in made}
    for _, path in made:
        rejection(path)
        bundle.verify_report(path)
    assert files_under(good.workspace) == before
    assert workspace_digest(good.database) == digest
    assert {folder: files_under(folder) for folder, _ in made} == listed  # nothing extracted
    assert {p.name for p in tmp_path.iterdir()} == {folder.name for folder, _ in made}


def _control_characters(text: str) -> list[str]:
    return [c for c in text if unicodedata.category(c) in ("Cc", "Cf")]


def test_a_hostile_member_name_is_shown_escaped(good: Good, tmp_path: Path) -> None:
    """A name with terminal escapes and a direction override cannot reach a terminal raw."""
    name = "\x1b]0;owned\x07\x1b[2J\u202eevil.jsonl"
    path = write_zip(tmp_path / "escape.rvbundle", {**good.members, name: b"x"})
    error = rejection(path)
    assert error.reason == "member name contains a control character"
    assert not _control_characters(str(error)), repr(str(error))


# -- judgements ---------------------------------------------------------------------------------

JUDGED_BATCH = "judged-batch-1"


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> Good:
    """A bundle with judgements: a compare item of three drafts (ranked, rated, two cited
    passages in two drafts) and a review item (verdict), both done, signed by Ana."""
    import pymupdf

    from reviewer.core import annotations, batches, judgements
    from reviewer.core.batch_file import SourceDocument, create_batch
    from reviewer.core.blobs import sha256_file
    from reviewer.core.model import Annotation, Selector
    from reviewer.core.paths import resolve
    from reviewer.core.taxonomy import builtin_taxonomy

    root = tmp_path_factory.mktemp("judged")
    files = []
    for name in ("draft a", "draft b", "draft c", "motion"):
        with pymupdf.open() as doc:
            page = doc.new_page(width=300, height=300)
            page.insert_text((30, 60), f"{name}: the lender shall pay.", fontsize=11)
            doc.save(root / f"{name}.pdf", garbage=4, deflate=True)
        files.append(root / f"{name}.pdf")
    docs = [SourceDocument(f, sha256_file(f), 1, "application/pdf") for f in files]
    shas = [d.sha256 for d in docs]
    batch_file = root / "judged.rvbatch"
    create_batch(
        batch_file,
        name="Judged batch",
        task="compare",
        taxonomy=builtin_taxonomy("legal-errors"),
        instructions="# Pick the best draft\n",
        documents=docs,
        items=[
            {"id": "drafts", "task": "compare", "documents": shas[:3]},
            {"id": "motion", "task": "review", "documents": shas[3:]},
        ],
        batch_id=JUDGED_BATCH,
        created="2024-05-01T08:00:00+00:00",
    )
    paths = resolve(root / "workspace")
    out = root / "judged.rvbundle"
    with Workspace.open(paths) as ws:
        who = identity.create_identity(
            paths.workspace, "Ana Ruiz", "ana.ruiz", created_at="2024-05-01T09:00:00+00:00"
        )
        import_batch(ws, batch_file)
        compare, review = batches.items(ws, JUDGED_BATCH)
        passages = [
            annotations.add(
                ws,
                Annotation(
                    annotations.new_id(),
                    shas[n],
                    "legal-errors",
                    "citation",
                    Selector(kind="area", page=0, rect=(30.0, 48.0, 220.0, 66.0)),
                    item=compare.id,
                ),
            )
            for n in (0, 1)
        ]
        j = judgements.start(ws, compare, who.id)
        j = judgements.rank(j, list(j.order))
        for doc in j.order:
            for criterion in judgements.criteria_for(compare):
                j = judgements.rate(j, doc, criterion.id, 5)
        refs = []
        for passage in passages:
            j, ref = judgements.cite(j, passage)
            refs.append(ref)
        j = judgements.write_rationale(j, f"Wrong lender in [{refs[0]}] and [{refs[1]}].")
        judgements.save(ws, j)
        verdict = judgements.start(ws, review, who.id)
        judgements.save(ws, judgements.give_verdict(verdict, "acceptable", "Fine as filed."))
        for item in (compare, review):
            batches.set_status(ws, item.id, "done")
        manifest = bundle.export_bundle(ws, JUDGED_BATCH, out)
    pem = root / "ana.pem"
    identity.export_public_key(who, pem)
    key = identity.signing_key(paths.workspace)
    with zipfile.ZipFile(out) as archive:
        members = {i.filename: archive.read(i) for i in archive.infolist()}
    return Good(out, members, manifest, key, pem, paths.workspace, paths.database)


def _jlines(good: Good) -> list[dict[str, Any]]:
    return [json.loads(line) for line in good.members["judgements.jsonl"].splitlines()]


def _jbytes(lines: list[dict[str, Any]]) -> bytes:
    return b"".join(strict_json.dumps_line(line).encode() + b"\n" for line in lines)


def _re_signed(
    good: Good,
    folder: Path,
    lines: list[dict[str, Any]] | bytes,
    *,
    members: dict[str, bytes] | None = None,
    counts: dict[str, int] | None = None,
) -> Path:
    """judgements.jsonl (and other members) changed, the manifest re-signed with Ana's own
    key and its counts set, so every earlier check passes and only the content can tell."""
    data = lines if isinstance(lines, bytes) else _jbytes(lines)
    payload = {**good.payload, **(members or {}), "judgements.jsonl": data}

    def edit(manifest: dict[str, Any]) -> None:
        manifest["counts"].update(counts or {})

    return write_zip(folder / "judged.rvbundle", signed(good, payload, edit=edit))


def _without_cited_annotation(g: Good, f: Path) -> Path:
    lines = _jlines(g)
    cited = lines[0]["evidence"][0]["annotation"]
    kept = [
        line
        for line in g.members["annotations.jsonl"].splitlines(keepends=True)
        if json.loads(line)["id"] != f"urn:uuid:{cited}"
    ]
    return _re_signed(
        g,
        f,
        lines,
        members={"annotations.jsonl": b"".join(kept)},
        counts={"annotations": len(kept)},
    )


def _edited(change: Callable[[list[dict[str, Any]]], Any]) -> Callable[[Good, Path], Path]:
    """A builder: the judgement lines, changed in place by ``change``, re-signed."""

    def build(g: Good, f: Path) -> Path:
        lines = _jlines(g)
        change(lines)
        return _re_signed(g, f, lines)

    return build


def _set(path: str, value: Any) -> Callable[[list[dict[str, Any]]], None]:
    """Set ``line.key[.key...]`` (the first key an index) in the judgement lines."""
    first, *keys = path.split(".")

    def change(lines: list[dict[str, Any]]) -> None:
        target: Any = lines[int(first)]
        for key in keys[:-1]:
            target = target[int(key)] if isinstance(target, list) else target[key]
        target[int(keys[-1]) if isinstance(target, list) else keys[-1]] = value

    return change


def _other_passage(lines: list[dict[str, Any]]) -> None:
    first, second = lines[0]["evidence"]
    first["annotation"] = second["annotation"]  # on another draft than first["document"]


def _not_a_permutation(lines: list[dict[str, Any]]) -> None:
    lines[0]["shown_order"][2] = lines[1]["documents"][0]  # the review item's document


def _swapped_letters(lines: list[dict[str, Any]]) -> None:
    drafts = lines[0]["drafts"]
    drafts["A"], drafts["B"] = drafts["B"], drafts["A"]


def _rated_nine(lines: list[dict[str, Any]]) -> None:
    first = lines[0]["shown_order"][0]
    lines[0]["ratings"][first]["accuracy"] = 9


def _chose_another(lines: list[dict[str, Any]]) -> None:
    lines[0]["ranking"] = []
    lines[0]["choice"] = lines[1]["documents"][0]


def _same_id(lines: list[dict[str, Any]]) -> None:
    lines[1]["id"] = lines[0]["id"]


def _judgement_with_duplicate_key(g: Good, f: Path) -> Path:
    first, rest = g.members["judgements.jsonl"].split(b"\n", 1)
    assert first.endswith(b"}")
    return _re_signed(g, f, first[:-1] + b',"choice":null}\n' + rest)


def _twice(g: Good, f: Path) -> Path:
    lines = _jlines(g)
    again = {**lines[1], "id": lines[1]["id"][:-1] + ("0" if lines[1]["id"][-1] != "0" else "1")}
    return _re_signed(g, f, [*lines, again], counts={"judgements": 3})


def _one_missing(g: Good, f: Path) -> Path:
    return _re_signed(g, f, _jlines(g)[:1])  # counts.judgements still says 2


#: name -> (build from the judged bundle in a folder, words the reason must hold).
JUDGED_HOSTILE: dict[str, tuple[Callable[[Good, Path], Path], str]] = {
    "evidence cites an annotation not in the bundle": (
        _without_cited_annotation,
        "line 1: evidence [",
    ),
    "evidence cites an annotation on another draft": (
        _edited(_other_passage),
        "is on another document",
    ),
    "shown order not a permutation": (
        _edited(_not_a_permutation),
        "line 1: shown_order is not a permutation of the item's documents",
    ),
    "letters disagree with the shown order": (
        _edited(_swapped_letters),
        "line 1: drafts does not give each letter the draft shown under it",
    ),
    "rating 9": (_edited(_rated_nine), "9 is greater than the maximum of 7"),
    "choice not one of the drafts": (
        _edited(_chose_another),
        "line 1: choice is not one of the item's documents",
    ),
    "wrong annotator": (
        _edited(_set("0.annotator", "mallory")),
        "line 1: the annotator 'mallory' is not the one who signed ('ana.ruiz')",
    ),
    "unknown item": (
        _edited(_set("1.item", "nope")),
        "line 2: the item 'nope' is not in items.jsonl",
    ),
    "judgement of an item with another task": (
        _edited(_set("0.item", "motion")),
        "line 1: a compare judgement of a 'review' item",
    ),
    "review documents not the item's": (
        _edited(_set("1.documents", ["ab" * 32])),
        "line 2: documents differ from the item's in items.jsonl",
    ),
    "unknown task": (_edited(_set("1.task", "ocr")), "line 2: not a judgement: "),
    "a field too many": (_edited(_set("0.score", 1)), "line 1: not a judgement: "),
    "duplicate key": (_judgement_with_duplicate_key, "line 1: duplicate key 'choice'"),
    "judgement id twice": (_edited(_same_id), "line 2: the judgement id"),
    "two judgements of one item": (_twice, "line 3: a second judgement of item 'motion'"),
    "count differs from the manifest": (
        _one_missing,
        "holds a different number of records than the manifest says",
    ),
}


def test_the_judged_bundle_verifies(judged: Good, tmp_path: Path) -> None:
    """The starting point: two judgements that verify, and re-signing them as they are
    changes nothing, so each rejection below is the change's doing."""
    verified = bundle.verify_bundle(judged.path, public_key=raw_key(judged.key))
    lines = verified.records["judgements.jsonl"]
    assert [(line["item"], line["task"]) for line in lines] == [
        ("drafts", "compare"),
        ("motion", "review"),
    ]
    assert judged.manifest["counts"]["judgements"] == 2
    assert [e["ref"][1] for e in lines[0]["evidence"]] == ["1", "1"]
    same = _re_signed(judged, tmp_path, _jlines(judged))
    assert bundle.verify_bundle(same).records == verified.records


@pytest.mark.parametrize("case", list(JUDGED_HOSTILE))
def test_a_bad_judgement_is_rejected_naming_its_line(
    case: str, judged: Good, tmp_path: Path
) -> None:
    """Each bad judgements.jsonl, under a manifest validly signed by the annotator: rejected
    by the judgement check, naming the member, the line and the problem."""
    build, words = JUDGED_HOSTILE[case]
    path = build(judged, tmp_path)
    error = rejection(path, public_key=raw_key(judged.key))  # signature and signer are fine
    assert words in error.reason
    assert error.member == "judgements.jsonl"
    assert str(error).startswith(f"{path.name}: judgements.jsonl: ")
    report = bundle.verify_report(path)
    assert report["ok"] is False
    assert report["member"] == "judgements.jsonl"


def test_evidence_not_in_the_bundle_names_the_annotation(judged: Good, tmp_path: Path) -> None:
    cited = _jlines(judged)[0]["evidence"][0]
    error = rejection(_without_cited_annotation(judged, tmp_path))
    assert error.reason == (
        f"line 1: evidence [{cited['ref']}]: annotation '{cited['annotation']}' "
        "is not in annotations.jsonl"
    )


# -- the command line ---------------------------------------------------------------------------


def run_verify(
    path: Path, home: Path, pubkey: Path | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    extra = [] if pubkey is None else ["--pubkey", str(pubkey)]
    return subprocess.run(
        [sys.executable, "-m", "reviewer", "bundle", "verify", str(path), *extra],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "REVIEWER_HOME": str(home), **env},
        cwd=REPO,
        check=False,
    )


def _pem_of(key: Ed25519PrivateKey, path: Path) -> Path:
    path.write_bytes(identity.public_key_pem(raw_key(key)))
    return path


def test_cli_exit_0_and_a_json_report_for_the_good_bundle(good: Good, tmp_path: Path) -> None:
    result = run_verify(good.path, tmp_path / "home", good.pem)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["signature"] == "valid"
    assert report["signer"] == "matches the given key"
    assert report["key_id"] == good.manifest["key_id"]
    assert report["annotator"] == {"id": "ana.ruiz", "name": "Ana Ruiz"}
    assert report["counts"] == good.manifest["counts"]
    assert not (tmp_path / "home").exists()  # verifying opens no workspace


@pytest.mark.parametrize(
    "case", ["zip slip", "member swapped after signing", "flipped signature byte"]
)
def test_cli_exit_1_and_a_json_reason_for_a_hostile_bundle(
    case: str, good: Good, stranger: Ed25519PrivateKey, tmp_path: Path
) -> None:
    build, words, member = HOSTILE[case]
    path = build(good, stranger, tmp_path)
    result = run_verify(path, tmp_path / "home", good.pem)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert words in report["reason"]
    assert report["member"] == member
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_pubkey_mismatch_says_which_key_signed(
    good: Good, stranger: Ed25519PrivateKey, tmp_path: Path
) -> None:
    result = run_verify(good.path, tmp_path / "home", _pem_of(stranger, tmp_path / "other.pem"))
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert f"signed by key {good.manifest['key_id']}" in report["reason"]
    assert identity.key_id_of(raw_key(stranger)) in report["reason"]


def test_cli_report_is_json_whatever_the_output_encoding(good: Good, tmp_path: Path) -> None:
    """A lead's script redirecting the report on Windows (cp1252) still gets whole JSON."""
    path = write_zip(tmp_path / "named.rvbundle", {**good.members, "отчёт.jsonl": b"x"})
    result = run_verify(path, tmp_path / "home", PYTHONIOENCODING="cp1252")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    assert json.loads(result.stdout)["ok"] is False


# -- batches ------------------------------------------------------------------------------------


@pytest.fixture
def real_batch(make_batch: Callable[..., Path], make_pdf: Callable[..., Path]) -> Path:
    return make_batch([make_pdf("contract.pdf", ["The lender shall pay 10,000 EUR."])])


def _batch_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {i.filename: archive.read(i) for i in archive.infolist()}


def _relisted(members: dict[str, bytes], name: str, data: bytes) -> dict[str, bytes]:
    """``name`` replaced by ``data``, with the (unsigned) batch manifest updated to match."""
    manifest = json.loads(members["manifest.json"])
    for entry in manifest["members"]:
        if entry["name"] == name:
            entry.update(size=len(data), sha256=sha(data))
    return {**members, name: data, "manifest.json": json.dumps(manifest).encode()}


def _hostile_batches(batch: Path, folder: Path) -> dict[str, tuple[Path, str]]:
    members = _batch_members(batch)
    [document] = [n for n in members if n.startswith("documents/")]
    pdf = members[document]
    middle = len(pdf) // 2
    tampered = pdf[:middle] + bytes([pdf[middle] ^ 0x01]) + pdf[middle + 1 :]
    stranger_sha = "cd" * 32
    items = b'{"id": "1", "task": "review", "documents": ["' + stranger_sha.encode() + b'"]}\n'
    return {
        "zip slip": (
            write_zip(folder / "slip.rvbatch", {**members, "../evil.txt": b"owned"}),
            "../evil.txt: member name leaves the archive (zip slip)",
        ),
        "document changed": (
            write_zip(folder / "changed.rvbatch", {**members, document: tampered}),
            f"{document}: member changed: SHA-256 does not match the manifest",
        ),
        "unknown document": (
            write_zip(folder / "unknown.rvbatch", _relisted(members, "items.jsonl", items)),
            f"item 1: document {stranger_sha[:12]}… is not in the batch",
        ),
    }


@pytest.mark.parametrize("case", ["zip slip", "document changed", "unknown document"])
def test_a_hostile_batch_is_refused_and_nothing_is_written_outside_scratch(
    case: str, real_batch: Path, tmp_path: Path, workspace: Workspace
) -> None:
    """read_batch: BatchError with the reason; files appear only under scratch, if anywhere."""
    folder = tmp_path / "hostile"
    folder.mkdir()
    path, reason = _hostile_batches(real_batch, folder)[case]
    scratch = tmp_path / "scratch"
    before = files_under(tmp_path)
    with pytest.raises(BatchError) as err:
        read_batch_file(path, scratch)
    assert err.value.reason == reason
    assert str(err.value) == f"{path.name}: {reason}"
    created = files_under(tmp_path) - before
    assert all(c == "scratch" or c.startswith("scratch/") for c in created), created
    assert not list(tmp_path.parent.rglob("evil.txt"))
    # the whole import, on a real workspace: the same refusal, and no row or file added
    digest = workspace_digest(workspace.paths.database)
    files = files_under(workspace.paths.workspace)
    with pytest.raises(BatchError, match=r"zip slip|SHA-256|not in the batch"):
        import_batch(workspace, path)
    assert workspace_digest(workspace.paths.database) == digest
    assert files_under(workspace.paths.workspace) == files


def test_a_hostile_batch_member_name_is_shown_escaped(real_batch: Path, tmp_path: Path) -> None:
    members = _batch_members(real_batch)
    name = "documents/\x1b[2J\x1b]0;owned\x07.pdf"
    path = write_zip(tmp_path / "escape.rvbatch", {**members, name: b"x"})
    with pytest.raises(BatchError) as err:
        read_batch_file(path, tmp_path / "scratch")
    assert "control character" in err.value.reason
    assert not _control_characters(str(err.value)), repr(str(err.value))
