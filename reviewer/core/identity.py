"""Who the annotator is, and the key that signs their submissions.

A submission travels from a contractor's laptop to a team lead by any route
(e-mail, a shared folder, an upload portal), so the lead needs proof that
the bundle was made by the person it names and not altered since. Each
annotator has an Ed25519 key pair (the ``cryptography`` package): the
private key stays in the workspace, readable by its owner only (mode 0600),
and the public key is exported once and enrolled by the lead.

Ed25519 because signatures are deterministic (the same manifest always
gives the same signature, so the same work exported twice is the same
file), keys are 32 bytes, and there are no parameters to get wrong.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from reviewer.core.atomic import write_bytes
from reviewer.core.errors import ReviewerError

IDENTITY_FILE = "identity.json"
KEY_FILE = "identity.key"
#: Annotator ids appear in file names, event logs and the lead's tables.
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
MAX_NAME = 120


class IdentityError(ReviewerError):
    """No identity yet, a bad name or id, or a key file that cannot be used."""


@dataclass(frozen=True)
class Identity:
    """The annotator's name and id, and the fingerprint of their public key."""

    name: str
    id: str
    key_id: str
    public_key: bytes
    created_at: str

    @property
    def fingerprint(self) -> str:
        """The key id in groups of four, for reading aloud or comparing by eye."""
        return " ".join(self.key_id[i : i + 4] for i in range(0, len(self.key_id), 4))

    def as_json(self) -> dict[str, str]:
        return {
            "name": self.name,
            "id": self.id,
            "key_id": self.key_id,
            "fingerprint": self.fingerprint,
            "public_key": public_key_pem(self.public_key).decode("ascii"),
            "created_at": self.created_at,
        }


def key_id_of(public_key: bytes) -> str:
    """First 128 bits of the SHA-256 of the raw public key, in hex."""
    return hashlib.sha256(public_key).hexdigest()[:32]


def check_name_and_id(name: str, annotator_id: str) -> tuple[str, str]:
    name = " ".join(name.split())
    if not name:
        raise IdentityError("the name is empty")
    if len(name) > MAX_NAME:
        raise IdentityError(f"the name is longer than {MAX_NAME} characters")
    if not ID_PATTERN.fullmatch(annotator_id):
        raise IdentityError(
            f"the id {annotator_id!r} is not usable: use 1-64 letters, digits, '.', '_', "
            "'@' or '-', starting with a letter or digit"
        )
    return name, annotator_id


def create_identity(
    folder: Path, name: str, annotator_id: str, *, created_at: str, replace: bool = False
) -> Identity:
    """Make a new key pair and record who owns it.

    An existing identity is kept unless ``replace``: bundles signed with the
    old key could no longer be tied to a key the lead has enrolled.
    """
    name, annotator_id = check_name_and_id(name, annotator_id)
    if (folder / KEY_FILE).exists() and not replace:
        raise IdentityError(
            "an identity already exists in this workspace (its key signs your "
            "submissions); replacing it needs the team lead to enrol the new key"
        )
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    identity = Identity(name, annotator_id, key_id_of(public), public, created_at)
    record = {"name": name, "id": annotator_id, "key_id": identity.key_id, "created_at": created_at}
    _write_private(folder / KEY_FILE, pem)
    _write_private(folder / IDENTITY_FILE, json.dumps(record, indent=2).encode("utf-8") + b"\n")
    return identity


def load_identity(folder: Path) -> Identity | None:
    """The workspace's identity, or None if none was set up yet."""
    record_path, key_path = folder / IDENTITY_FILE, folder / KEY_FILE
    if not record_path.exists() and not key_path.exists():
        return None
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        name, annotator_id = check_name_and_id(str(record["name"]), str(record["id"]))
        created_at = str(record.get("created_at", ""))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IdentityError(f"{IDENTITY_FILE} in the workspace cannot be read: {exc}") from exc
    public = (
        signing_key(folder)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return Identity(name, annotator_id, key_id_of(public), public, created_at)


def signing_key(folder: Path) -> Ed25519PrivateKey:
    path = folder / KEY_FILE
    try:
        if os.name == "posix" and path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)  # someone loosened it: the key is a signature in your name
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise IdentityError(f"{KEY_FILE} in the workspace cannot be used: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise IdentityError(f"{KEY_FILE} in the workspace is not an Ed25519 key")
    return key


def sign(folder: Path, data: bytes) -> bytes:
    return signing_key(folder).sign(data)


def public_key_pem(public_key: bytes) -> bytes:
    return Ed25519PublicKey.from_public_bytes(public_key).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def read_public_key(path: Path) -> bytes:
    """The raw 32-byte key from a PEM file as ``identity export`` writes it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IdentityError(f"{path.name}: cannot be read: {exc.strerror or exc}") from exc
    return parse_public_key(data, path.name)


def parse_public_key(data: bytes, where: str) -> bytes:
    if len(data) > 64 * 1024:
        raise IdentityError(f"{where}: too large to be a public key")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise IdentityError(f"{where}: not a PEM public key ({exc})") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise IdentityError(f"{where}: not an Ed25519 public key")
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def verify_signature(public_key: bytes, signature: bytes, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def export_public_key(identity: Identity, target: Path) -> None:
    """Write the public key as PEM, with who it belongs to in a comment header."""
    header = (
        f"# reviewer public key of {identity.name} ({identity.id})\n"
        f"# key id {identity.fingerprint}\n"
    ).encode()
    write_bytes(target, header + public_key_pem(identity.public_key), mode=0o644)


def _write_private(path: Path, data: bytes) -> None:
    write_bytes(path, data, mode=0o600)
