"""Enrolled annotator keys: whose signed bundles the lead merges.

A bundle proves only that *some* key signed it; enrolment says which keys
belong to the team. The lead enrols a contractor's public key (the file
``reviewer identity export`` writes) under a name; a bundle signed by a key
that is not enrolled, or was revoked, is quarantined, not merged. Revoking
keeps the row (and the submissions it signed before): a key is never
forgotten, so the audit trail stays explainable.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.core import identity
from reviewer.core.errors import ReviewerError
from reviewer.core.store import now

if TYPE_CHECKING:
    from reviewer.core.store import Workspace


class RosterError(ReviewerError):
    """A key that cannot be enrolled or revoked; the message says why."""


@dataclass(frozen=True, slots=True)
class EnrolledKey:
    key_id: str
    public_key: bytes
    name: str
    enrolled_at: str
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _key(row: tuple) -> EnrolledKey:  # type: ignore[type-arg]
    return EnrolledKey(row[0], bytes(row[1]), row[2], row[3], row[4])


_COLUMNS = "key_id, public_key, name, enrolled_at, revoked_at"


def keys(ws: Workspace) -> list[EnrolledKey]:
    rows = ws.db.execute(f"SELECT {_COLUMNS} FROM enrolled_key ORDER BY name, key_id").fetchall()
    return [_key(r) for r in rows]


def key(ws: Workspace, key_id: str) -> EnrolledKey | None:
    row = ws.db.execute(
        f"SELECT {_COLUMNS} FROM enrolled_key WHERE key_id = ?", [key_id]
    ).fetchone()
    return None if row is None else _key(row)


def enrol_file(ws: Workspace, path: Path, name: str) -> tuple[EnrolledKey, bool]:
    """Enrol the public key in ``path`` (PEM); see :func:`enrol`."""
    try:
        return enrol(ws, identity.read_public_key(path), name)
    except identity.IdentityError as exc:
        raise RosterError(str(exc)) from exc


def enrol(ws: Workspace, public_key: bytes, name: str) -> tuple[EnrolledKey, bool]:
    """Enrol a key under ``name``; returns the row and whether anything changed.

    Enrolling the same key under the same name again changes nothing. A key
    enrolled under another name is refused (rename is not silent); a revoked
    key is not brought back by enrolling it again.
    """
    name = " ".join(name.split())
    if not name:
        raise RosterError("a name is needed to enrol a key (--name)")
    if len(name) > 200:
        raise RosterError("the name is longer than 200 characters")
    key_id = identity.key_id_of(public_key)
    with ws.transaction():
        found = key(ws, key_id)
        if found is not None:
            if found.revoked_at is not None:
                raise RosterError(
                    f"key {key_id} ({found.name}) was revoked on {found.revoked_at}; "
                    "a revoked key is not enrolled again: ask for a new key"
                )
            if found.name != name:
                raise RosterError(f"key {key_id} is already enrolled as {found.name!r}")
            return found, False
        at = now()
        ws.db.execute(
            "INSERT INTO enrolled_key (key_id, public_key, name, enrolled_at) VALUES (?, ?, ?, ?)",
            [key_id, public_key, name, at],
        )
        ws.log_event("key.enrolled", "enrolled_key", key_id, after={"name": name})
    return EnrolledKey(key_id, public_key, name, at, None), True


def revoke(ws: Workspace, key_id_or_name: str) -> EnrolledKey:
    """Revoke a key (by key id or enrolled name): its later bundles are quarantined."""
    with ws.transaction():
        rows = ws.db.execute(
            f"SELECT {_COLUMNS} FROM enrolled_key WHERE key_id = ? OR name = ?",
            [key_id_or_name, key_id_or_name],
        ).fetchall()
        if not rows:
            raise RosterError(f"no enrolled key has the id or name {key_id_or_name!r}")
        if len(rows) > 1:
            ids = ", ".join(r[0] for r in rows)
            raise RosterError(f"{key_id_or_name!r} names several keys ({ids}): give the key id")
        found = _key(rows[0])
        if found.revoked_at is not None:
            return found
        at = now()
        ws.db.execute("UPDATE enrolled_key SET revoked_at = ? WHERE key_id = ?", [at, found.key_id])
        ws.log_event(
            "key.revoked", "enrolled_key", found.key_id, before={"name": found.name}, after=None
        )
    return EnrolledKey(found.key_id, found.public_key, found.name, found.enrolled_at, at)
