"""The annotator identity: name, id, and the Ed25519 key that signs submissions."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key

from reviewer.core import identity
from reviewer.core.identity import IdentityError

CREATED = "2025-03-01T09:00:00.000000+00:00"
POSIX = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "ws"
    path.mkdir()
    return path


def _make(folder: Path, name: str = "Ana Ruiz", annotator_id: str = "ana.ruiz", **kw: object):
    return identity.create_identity(folder, name, annotator_id, created_at=CREATED, **kw)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_create_then_load_gives_the_same_identity(folder: Path) -> None:
    """What create_identity returns is what load_identity reads back, key included."""
    assert identity.load_identity(folder) is None  # nothing set up yet
    made = _make(folder, name="  Ana   Ruiz ")
    assert made.name == "Ana Ruiz"  # white space collapsed
    assert made.id == "ana.ruiz"
    assert made.created_at == CREATED
    assert len(made.public_key) == 32
    assert made.key_id == identity.key_id_of(made.public_key)
    assert len(made.key_id) == 32
    assert made.fingerprint == " ".join(made.key_id[i : i + 4] for i in range(0, 32, 4))
    assert identity.load_identity(folder) == made
    shown = made.as_json()
    assert {k: shown[k] for k in ("name", "id", "key_id", "fingerprint", "created_at")} == {
        "name": "Ana Ruiz",
        "id": "ana.ruiz",
        "key_id": made.key_id,
        "fingerprint": made.fingerprint,
        "created_at": CREATED,
    }
    assert shown["public_key"].startswith("-----BEGIN PUBLIC KEY-----")


def test_files_written_and_private(folder: Path) -> None:
    """identity.json records who; the private key is a PKCS8 PEM; both are mode 0600."""
    made = _make(folder)
    record = json.loads((folder / identity.IDENTITY_FILE).read_text(encoding="utf-8"))
    assert record == {
        "name": "Ana Ruiz",
        "id": "ana.ruiz",
        "key_id": made.key_id,
        "created_at": CREATED,
    }
    pem = (folder / identity.KEY_FILE).read_bytes()
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert list(folder.glob(".*.tmp")) == []  # no temporary file left behind
    if os.name == "posix":
        assert _mode(folder / identity.KEY_FILE) == 0o600
        assert _mode(folder / identity.IDENTITY_FILE) == 0o600


def test_an_existing_identity_is_kept_unless_replace(folder: Path) -> None:
    """A second init is refused and changes nothing; replace=True makes a new key."""
    first = _make(folder)
    key_before = (folder / identity.KEY_FILE).read_bytes()
    with pytest.raises(IdentityError, match="already exists"):
        _make(folder, name="Someone Else", annotator_id="else")
    assert (folder / identity.KEY_FILE).read_bytes() == key_before
    assert identity.load_identity(folder) == first
    second = _make(folder, name="Ana Ruiz-Lopez", annotator_id="ana.rl", replace=True)
    assert second.key_id != first.key_id
    assert identity.load_identity(folder) == second


@pytest.mark.parametrize(
    ("annotator_id", "why"),
    [
        ("", "empty"),
        ("ana ruiz", "a space"),
        (" ana", "a leading space"),
        ("a" * 65, "too long"),
        (".ana", "a leading dot"),
        ("-ana", "a leading dash"),
        ("ana/ruiz", "a slash"),
        ("ana\n", "a trailing newline"),
    ],
)
def test_bad_ids_are_refused_with_a_message(folder: Path, annotator_id: str, why: str) -> None:
    """An id that could not appear in a file name or a table is refused, saying what is allowed."""
    with pytest.raises(IdentityError, match="is not usable: use 1-64 letters") as caught:
        _make(folder, annotator_id=annotator_id)
    assert repr(annotator_id) in str(caught.value), why
    assert list(folder.iterdir()) == []  # nothing written


def test_longest_id_and_name_are_accepted(folder: Path) -> None:
    """64 characters of id and 120 of name are the limits, not errors."""
    made = _make(folder, name="N" * identity.MAX_NAME, annotator_id="a" + "b.c_d@e-" * 7 + "x" * 7)
    assert len(made.id) == 64
    assert len(made.name) == identity.MAX_NAME


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "the name is empty"),
        (" \t\n ", "the name is empty"),
        ("N" * (identity.MAX_NAME + 1), "longer than 120 characters"),
    ],
)
def test_bad_names_are_refused_with_a_message(folder: Path, name: str, message: str) -> None:
    """An empty (or blank) name and one over 120 characters are refused."""
    with pytest.raises(IdentityError, match=message):
        _make(folder, name=name)
    assert list(folder.iterdir()) == []


def test_exported_public_key_reads_back_as_the_identity_key(folder: Path, tmp_path: Path) -> None:
    """export_public_key writes a PEM (with a comment header) read_public_key accepts."""
    made = _make(folder)
    target = tmp_path / "ana.pem"
    identity.export_public_key(made, target)
    text = target.read_text(encoding="ascii")
    assert text.startswith("# reviewer public key of Ana Ruiz (ana.ruiz)\n")
    assert f"# key id {made.fingerprint}\n" in text
    assert "-----BEGIN PUBLIC KEY-----" in text
    assert "PRIVATE" not in text
    assert identity.read_public_key(target) == made.public_key
    if os.name == "posix":
        assert _mode(target) == 0o644  # meant to be shared


def test_read_public_key_refuses_what_is_not_an_ed25519_public_key(
    folder: Path, tmp_path: Path
) -> None:
    """A missing file, text, a private key or another algorithm's key is an IdentityError."""
    with pytest.raises(IdentityError, match=r"missing\.pem: cannot be read"):
        identity.read_public_key(tmp_path / "missing.pem")
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key\n")
    with pytest.raises(IdentityError, match=r"junk\.pem: not a PEM public key"):
        identity.read_public_key(junk)
    _make(folder)
    with pytest.raises(IdentityError, match="not a PEM public key"):
        identity.read_public_key(folder / identity.KEY_FILE)
    ec = tmp_path / "ec.pem"
    ec.write_bytes(
        generate_private_key(SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(IdentityError, match=r"ec\.pem: not an Ed25519 public key"):
        identity.read_public_key(ec)


def test_signatures_verify_only_for_the_same_data_and_key(folder: Path, tmp_path: Path) -> None:
    """A signature verifies for its data and key; changed data, another key or junk fail."""
    made = _make(folder)
    data = b'{"format": "reviewer-bundle"}'
    signature = identity.sign(folder, data)
    assert len(signature) == 64
    assert identity.sign(folder, data) == signature  # Ed25519 is deterministic
    assert identity.verify_signature(made.public_key, signature, data)
    assert not identity.verify_signature(made.public_key, signature, data + b" ")
    assert not identity.verify_signature(made.public_key, signature, data.replace(b"b", b"c"))
    other_folder = tmp_path / "other"
    other_folder.mkdir()
    other = identity.create_identity(other_folder, "Ben", "ben", created_at=CREATED)
    assert not identity.verify_signature(other.public_key, signature, data)
    assert not identity.verify_signature(made.public_key, b"\x00" * 64, data)
    assert not identity.verify_signature(made.public_key, b"garbage", data)
    assert not identity.verify_signature(made.public_key, b"", data)
    assert not identity.verify_signature(b"short key", signature, data)


def test_a_corrupt_key_file_is_an_identity_error_naming_it(folder: Path) -> None:
    """A key file that is not a PEM key: signing and loading say which file is unusable."""
    _make(folder)
    (folder / identity.KEY_FILE).write_bytes(b"-----BEGIN PRIVATE KEY-----\nnonsense\n")
    with pytest.raises(IdentityError, match=r"identity\.key in the workspace cannot be used"):
        identity.sign(folder, b"data")
    with pytest.raises(IdentityError, match=r"identity\.key"):
        identity.load_identity(folder)


def test_a_key_of_another_algorithm_is_refused(folder: Path) -> None:
    """A readable private key that is not Ed25519 is named as such."""
    _make(folder)
    pem = generate_private_key(SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (folder / identity.KEY_FILE).write_bytes(pem)
    with pytest.raises(IdentityError, match=r"identity\.key in the workspace is not an Ed25519"):
        identity.sign(folder, b"data")


def test_a_missing_or_corrupt_record_is_an_identity_error(folder: Path) -> None:
    """identity.json gone (key kept) or mangled: loading names identity.json."""
    _make(folder)
    record = folder / identity.IDENTITY_FILE
    record.write_text("{not json", encoding="utf-8")
    with pytest.raises(IdentityError, match=r"identity\.json in the workspace cannot be read"):
        identity.load_identity(folder)
    record.write_text(json.dumps({"name": "Ana", "id": "bad id"}), encoding="utf-8")
    with pytest.raises(IdentityError, match="is not usable"):
        identity.load_identity(folder)
    record.unlink()
    with pytest.raises(IdentityError, match=r"identity\.json"):
        identity.load_identity(folder)


def test_a_key_without_a_record_blocks_a_new_identity(folder: Path) -> None:
    """The key is what signs: while it exists, init without replace is refused."""
    _make(folder)
    (folder / identity.IDENTITY_FILE).unlink()
    with pytest.raises(IdentityError, match="already exists"):
        _make(folder)


@POSIX
def test_a_loosened_key_file_is_tightened_when_used(folder: Path) -> None:
    """Someone chmod'ed the key to 0644: the next use puts it back to 0600, and it still signs."""
    made = _make(folder)
    key = folder / identity.KEY_FILE
    os.chmod(key, 0o644)
    signature = identity.sign(folder, b"data")
    assert _mode(key) == 0o600
    assert identity.verify_signature(made.public_key, signature, b"data")
    os.chmod(key, 0o640)
    assert identity.load_identity(folder) == made
    assert _mode(key) == 0o600
