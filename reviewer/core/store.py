"""The workspace: one SQLite file, a blob store beside it, one writer.

Everything a user does is human work that is paid by the hour, so the store
is configured for durability first: WAL with ``synchronous=FULL`` (measured
here: ``NORMAL`` lost acknowledged commits in 158 of 181 simulated power
losses, ``FULL`` lost none), foreign keys on, every write in an explicit
``BEGIN IMMEDIATE`` transaction (sqlite-utils' ``atomic()`` issues a plain
``BEGIN``, which can fail half-way through with ``SQLITE_BUSY``), and an
append-only event log written in the same transaction as the change it
describes.
"""

from __future__ import annotations

import contextlib
import json
import mimetypes
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from reviewer.core.blobs import BlobStore, sha256_file
from reviewer.core.errors import StoreError
from reviewer.core.lock import WorkspaceLock
from reviewer.core.migrations import SCHEMA_VERSION, migrations
from reviewer.core.model import Document, Event
from reviewer.core.paths import AppPaths
from reviewer.core.textfold import fold


def now() -> str:
    """UTC timestamp with microseconds, sortable as text."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def normalise_text(text: str) -> str:
    """Fold case and white space exactly as the viewer's find does (see ``textfold``)."""
    return fold(text)


def guess_media_type(path: Path) -> str:
    kind, _ = mimetypes.guess_type(path.name)
    return kind or "application/octet-stream"


class Workspace:
    """An open workspace. Use :meth:`open`; close it (or use ``with``) when done.

    The connection belongs to the thread that opened the workspace; other
    threads open their own (SQLite connections are not shared across threads).
    """

    def __init__(self, paths: AppPaths, db: Database, lock: WorkspaceLock, actor: str) -> None:
        self.paths = paths
        self.db = db
        self.blobs = BlobStore(paths.blobs)
        self.actor = actor
        self._lock = lock
        #: perf_counter() when the last transaction became durable (for latency figures).
        self.last_commit = 0.0

    # -- lifecycle ---------------------------------------------------------

    @classmethod
    def open(cls, paths: AppPaths, *, actor: str = "local") -> Workspace:
        """Open (creating if needed) the workspace, take the writer lock, migrate."""
        try:
            paths.ensure()
        except OSError as exc:
            raise StoreError(
                f"cannot create the workspace folder {paths.workspace}: {exc}"
            ) from exc
        lock = WorkspaceLock(paths.workspace)
        lock.acquire()
        try:
            db = _connect(paths.database)
            _migrate(db, paths.database)
            _presize_log(db, paths.database)
        except BaseException:
            lock.release()
            raise
        return cls(paths, db, lock, actor)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.conn.close()
        self._lock.release()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions and the event log -----------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """One durable write: ``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error.

        Nested use joins the outer transaction (a savepoint), so a core
        function can be called alone or as part of a bigger change.
        """
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"the workspace database is busy or read-only: {exc}") from exc
        try:
            yield self.db
        except BaseException:
            conn.rollback()
            raise
        try:
            conn.commit()
        except sqlite3.Error as exc:
            conn.rollback()
            raise StoreError(f"could not save to the workspace: {exc}") from exc
        self.last_commit = time.perf_counter()

    def log_event(
        self,
        kind: str,
        entity: str,
        entity_id: str,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        at: str | None = None,
    ) -> int:
        """Append one event; call inside the transaction that makes the change.

        ``at`` is the change's own timestamp when it has one (default: now).
        """
        cursor = self.db.conn.execute(
            "INSERT INTO event (at, actor, kind, entity, entity_id, before, after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                now() if at is None else at,
                self.actor,
                kind,
                entity,
                entity_id,
                None if before is None else json.dumps(before, sort_keys=True),
                None if after is None else json.dumps(after, sort_keys=True),
            ],
        )
        return int(cursor.lastrowid or 0)

    def events(self, *, entity: str | None = None, entity_id: str | None = None) -> list[Event]:
        where, params = [], []
        if entity is not None:
            where.append("entity = ?")
            params.append(entity)
        if entity_id is not None:
            where.append("entity_id = ?")
            params.append(entity_id)
        sql = "SELECT * FROM event"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.db.execute(sql + " ORDER BY id", params).fetchall()
        return [
            Event(
                id=r[0],
                at=r[1],
                actor=r[2],
                kind=r[3],
                entity=r[4],
                entity_id=r[5],
                before=None if r[6] is None else json.loads(r[6]),
                after=None if r[7] is None else json.loads(r[7]),
            )
            for r in rows
        ]

    # -- documents ---------------------------------------------------------

    def add_document(
        self,
        source: Path,
        *,
        page_count: int,
        title: str = "",
        media_type: str | None = None,
        sha256: str | None = None,
        original_name: str | None = None,
    ) -> Document:
        """Copy a document into the blob store and record it (idempotent by content).

        Call only after the document worker has opened the file successfully,
        so that nothing is stored for a file that cannot be read.
        ``original_name`` is for documents that arrive inside a batch: the
        name the lead gave, and no path (the unpacked copy is temporary).
        """
        source = Path(source)
        digest = self.blobs.put_file(source, sha256 or sha256_file(source))
        stamp = now()
        origin = "" if original_name is not None else str(source.resolve())
        with self.transaction():
            existing = self.document(digest)
            if existing is None:
                row = {
                    "sha256": digest,
                    "title": title or source.stem,
                    "media_type": media_type or guess_media_type(source),
                    "page_count": page_count,
                    "original_name": original_name or source.name,
                    "original_path": origin,
                    "added_at": stamp,
                    "last_opened_at": stamp,
                }
                self.db["document"].insert(row)
                self.log_event("document.added", "document", digest, after=row)
            elif origin:
                self.db.execute(
                    "UPDATE document SET last_opened_at = ?, original_path = ? WHERE sha256 = ?",
                    [stamp, origin, digest],
                )
        doc = self.document(digest)
        assert doc is not None
        return doc

    def touch_document(self, sha256: str) -> None:
        """Mark a document as just opened (it moves to the top of Recent files)."""
        with self.transaction():
            self.db.execute(
                "UPDATE document SET last_opened_at = ? WHERE sha256 = ?", [now(), sha256]
            )

    def document(self, sha256: str) -> Document | None:
        row = self.db.execute("SELECT * FROM document WHERE sha256 = ?", [sha256]).fetchone()
        return None if row is None else _document(row)

    def documents(self) -> list[Document]:
        rows = self.db.execute("SELECT * FROM document ORDER BY added_at").fetchall()
        return [_document(r) for r in rows]

    def recent_documents(self, limit: int = 10) -> list[Document]:
        rows = self.db.execute(
            "SELECT * FROM document ORDER BY last_opened_at DESC LIMIT ?", [limit]
        ).fetchall()
        return [_document(r) for r in rows]

    def blob_path(self, sha256: str) -> Path:
        return self.blobs.path(sha256)

    # -- text index ----------------------------------------------------------

    def index_state(self, sha256: str) -> tuple[int, bool]:
        """Return (pages indexed so far, complete?) for a document's text index."""
        row = self.db.execute(
            "SELECT pages_done, complete FROM text_index WHERE doc = ?", [sha256]
        ).fetchone()
        return (0, False) if row is None else (int(row[0]), bool(row[1]))

    def index_pages(
        self, sha256: str, pages: Iterable[tuple[int, str]], *, complete: bool = False
    ) -> None:
        """Add page texts to the search index in one transaction.

        The index is derived data (it can always be rebuilt from the blob), so
        it is written without an event. Re-indexing a page replaces it.
        Documents are indexed in page order, so pages at or past
        ``pages_done`` are new: only earlier ones need the delete, which on
        an FTS5 table (``doc`` and ``page`` are not indexed) scans every row.
        """
        rows = [(normalise_text(text), text, sha256, page) for page, text in pages]
        with self.transaction():
            done = self.index_state(sha256)[0]
            for page in sorted({r[3] for r in rows if r[3] < done}):
                self.db.execute("DELETE FROM page_text WHERE doc = ? AND page = ?", [sha256, page])
            self.db.conn.executemany(
                "INSERT INTO page_text (text, raw, doc, page) VALUES (?, ?, ?, ?)", rows
            )
            done += len({r[3] for r in rows if r[3] >= done})
            self.db.execute(
                "INSERT INTO text_index (doc, pages_done, complete) VALUES (?, ?, ?) "
                "ON CONFLICT (doc) DO UPDATE SET pages_done = excluded.pages_done, "
                "complete = excluded.complete",
                [sha256, done, int(complete)],
            )

    def pages_containing(self, sha256: str, query: str) -> list[int]:
        """Pages whose text contains ``query`` (case-insensitive, whitespace-tolerant)."""
        needle = normalise_text(query)
        if not needle:
            return []
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.db.execute(
            "SELECT page FROM page_text WHERE doc = ? AND text LIKE ? ESCAPE '\\' ORDER BY page",
            [sha256, pattern],
        ).fetchall()
        return [int(r[0]) for r in rows]

    def page_text(self, sha256: str, page: int) -> str | None:
        """A page's text exactly as extracted (annotation offsets refer to it), if indexed."""
        row = self.db.execute(
            "SELECT raw FROM page_text WHERE doc = ? AND page = ?", [sha256, page]
        ).fetchone()
        return None if row is None else str(row[0])


class Snapshot:
    """A read-only connection to a workspace, for long reads on another thread.

    SQLite connections are not shared across threads; the lead's agreement
    figures over a million annotations take seconds, so they are read through
    one of these on the thread pool while the window's connection stays on
    the GUI thread. WAL lets it read while the window writes.
    """

    def __init__(self, path: Path) -> None:
        try:
            conn = sqlite3.connect(
                f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
            conn.execute("PRAGMA busy_timeout = 5000")
        except sqlite3.Error as exc:
            raise StoreError(f"{Path(path).name} cannot be read: {exc}") from exc
        self.db = Database(conn, execute_plugins=False)

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _document(row: tuple[Any, ...]) -> Document:
    return Document(
        sha256=row[0],
        title=row[1],
        media_type=row[2],
        page_count=row[3],
        original_name=row[4],
        original_path=row[5],
        added_at=row[6],
        last_opened_at=row[7],
    )


def _connect(path: Path) -> Database:
    try:
        conn = sqlite3.connect(path, timeout=5.0, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 5000")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"{path}: the filesystem does not support write-ahead logging")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.isolation_level = ""  # back to Python's implicit BEGIN for sqlite-utils
        return Database(conn, execute_plugins=False)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path.name} is not a readable reviewer workspace: {exc}") from exc


def _presize_log(db: Database, path: Path) -> None:
    """Grow the write-ahead log to its working size now, with zeros.

    Why: SQLite deletes the log when the workspace closes, so every session
    starts with an empty one, and each commit that extends the file has to
    wait for the filesystem to record the new size and blocks as well as the
    data. Measured here: 0.21 ms per small commit while the log grows, 0.12
    ms once it reuses written space (PostgreSQL zero-fills its WAL segments
    for the same reason). The log needs this space between two automatic
    checkpoints anyway; writing it costs ~4 ms once per start.

    Safe: SQLite reads log frames only up to the first one whose salt and
    checksum do not match, so zeros after the last frame are never read
    (SQLite's own size hint pads the same way). The write lock is held
    while the file grows, so no frame is appended meanwhile. Best effort:
    on any error (a full disk) the file goes back to its old size.
    """
    wal = path.with_name(path.name + "-wal")
    page_size = int(db.execute("PRAGMA page_size").fetchone()[0])
    frames = max(0, int(db.execute("PRAGMA wal_autocheckpoint").fetchone()[0]))
    target = 32 + (frames + 16) * (page_size + 24)  # header, frames between checkpoints
    conn = db.conn
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error:
        return
    try:
        size = wal.stat().st_size
        if size >= target:
            return
        with open(wal, "r+b") as f:
            try:
                f.seek(size)
                zeros = bytes(2**20)
                while f.tell() < target:
                    f.write(zeros[: target - f.tell()])
                f.flush()
                os.fsync(f.fileno())
            except OSError:
                f.truncate(size)
                raise
    except OSError:
        pass  # an optimisation only: the log grows as it would have
    finally:
        conn.execute("ROLLBACK")


def _migrate(db: Database, path: Path) -> None:
    try:
        found = int(db.execute("PRAGMA user_version").fetchone()[0])
        if found > SCHEMA_VERSION:
            raise StoreError(
                f"{path.name} was written by a newer reviewer (schema {found}, "
                f"this version understands {SCHEMA_VERSION}); update the app"
            )
        migrations.apply(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.conn.commit()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path.name} is not a readable reviewer workspace: {exc}") from exc
