"""Backups of the workspace database: made with SQLite's online backup, checked, rotated.

Copying the live file is never safe (a copy taken between a write and its
checkpoint is a torn database), so a backup reads the database through a
connection of its own with ``Connection.backup``: one consistent snapshot,
while the window goes on writing (WAL). Each copy is written under a
temporary name, checked with ``PRAGMA integrity_check`` and only then given
its final name, so a backup that exists is a good one. The newest
:data:`KEEP` are kept.

At start the workspace is checked (``PRAGMA quick_check``); a damaged one is
reported with the newest good backup, and :func:`restore` moves the damaged
file aside (never deletes it) and puts the backup in its place.
Documents are content-addressed blobs that never change, so the database is
all that needs backing up.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reviewer.core.errors import ReviewerError

KEEP = 5
FOLDER = "backups"
PREFIX = "workspace-"
SUFFIX = ".sqlite"
#: Minutes between backups while the window is open.
EVERY_MINUTES = 30


class BackupError(ReviewerError):
    """A backup or restore that did not happen; the message names the file and why."""


@dataclass(frozen=True)
class Health:
    """What the start-up check found: ``ok``, or the problem and the newest good backup."""

    ok: bool
    problem: str = ""
    backup: Path | None = None


def folder_of(database: Path) -> Path:
    return database.parent / FOLDER


def backups(database: Path) -> list[Path]:
    """Finished backups, newest first (the timestamp in the name sorts them)."""
    found = folder_of(database)
    if not found.is_dir():
        return []
    return sorted(
        (p for p in found.iterdir() if p.name.startswith(PREFIX) and p.suffix == SUFFIX),
        reverse=True,
    )


def make_backup(database: Path, *, keep: int = KEEP, now: datetime | None = None) -> Path:
    """Back ``database`` up now; return the new file. Safe while another connection writes."""
    target_folder = folder_of(database)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    final = target_folder / f"{PREFIX}{stamp}{SUFFIX}"
    partial = final.with_name(final.name + ".partial")
    try:
        target_folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        source = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
        try:
            source.execute("PRAGMA busy_timeout = 5000")
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
                problem = _check(copy, full=True)
            finally:
                copy.close()
        finally:
            source.close()
        if problem:
            raise BackupError(f"{final.name}: the copy failed its check ({problem})")
        os.chmod(partial, 0o600)
        os.replace(partial, final)
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise BackupError(f"{final.name}: backup not made: {exc}") from exc
    except BackupError:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    for old in backups(database)[keep:]:
        with contextlib.suppress(OSError):
            old.unlink()
    return final


def _check(conn: sqlite3.Connection, *, full: bool) -> str:
    """'' when SQLite finds the database sound, else its first complaint."""
    rows = conn.execute("PRAGMA integrity_check" if full else "PRAGMA quick_check").fetchall()
    first = str(rows[0][0]) if rows else "no answer"
    return "" if first == "ok" else first


def check(database: Path) -> Health:
    """The start-up check: is the workspace readable and sound? If not, the newest good backup."""
    if not database.exists():
        return Health(True)
    try:
        conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
        try:
            problem = _check(conn, full=False)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        problem = str(exc)
    if not problem:
        return Health(True)
    return Health(False, problem, latest_good(database))


def latest_good(database: Path) -> Path | None:
    """The newest backup that still passes ``integrity_check`` (backups can rot too)."""
    for candidate in backups(database):
        try:
            conn = sqlite3.connect(f"{candidate.resolve().as_uri()}?mode=ro", uri=True)
            try:
                if not _check(conn, full=True):
                    return candidate
            finally:
                conn.close()
        except sqlite3.Error:
            continue
    return None


def restore(database: Path, backup: Path) -> Path:
    """Put ``backup`` in place of a damaged ``database`` (not open); return where the damaged
    file went. Its WAL and shared-memory files go aside with it."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = database.with_name(f"{database.name}.damaged-{stamp}")
    try:
        if database.exists():
            os.replace(database, aside)
        for extra in ("-wal", "-shm"):
            side = database.with_name(database.name + extra)
            if side.exists():
                os.replace(side, aside.with_name(aside.name + extra))
        partial = database.with_name(database.name + ".restoring")
        shutil.copyfile(backup, partial)
        os.chmod(partial, 0o600)
        os.replace(partial, database)
    except OSError as exc:
        raise BackupError(f"{database.name}: not restored from {backup.name}: {exc}") from exc
    return aside
