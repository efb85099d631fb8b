"""The workspace store: schema, durability settings, event log, blobs, lock, text index.

Every test works on a real SQLite file in a temporary REVIEWER_HOME.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reviewer.core import migrations
from reviewer.core.blobs import sha256_file
from reviewer.core.errors import StoreError, WorkspaceLocked
from reviewer.core.model import Document
from reviewer.core.paths import AppPaths
from reviewer.core.store import Workspace

SHARED_PDFS = Path(__file__).resolve().parents[3] / "shared" / "data" / "pdf"
BASE_PDF = SHARED_PDFS / "pdfminer__base.pdf"


def _pragma(ws: Workspace, name: str) -> object:
    return ws.db.execute(f"PRAGMA {name}").fetchone()[0]


def _added_events(ws: Workspace, sha: str) -> list[str]:
    events = ws.events(entity="document", entity_id=sha)
    return [e.kind for e in events if e.kind == "document.added"]


@pytest.fixture
def indexed_doc(workspace: Workspace, tmp_path: Path) -> Document:
    """A stored document the text index can refer to (the index has a foreign key)."""
    source = tmp_path / "indexed.bin"
    source.write_bytes(b"index me")
    return workspace.add_document(source, page_count=10)


# -- schema and settings ---------------------------------------------------------------


def test_schema_version_matches_applied_migrations(workspace: Workspace) -> None:
    """user_version equals SCHEMA_VERSION and the number of applied migrations."""
    applied = workspace.db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
    assert _pragma(workspace, "user_version") == migrations.SCHEMA_VERSION
    assert applied == migrations.SCHEMA_VERSION


def test_durability_pragmas(workspace: Workspace) -> None:
    """WAL journal, synchronous=FULL, foreign keys enforced."""
    assert _pragma(workspace, "journal_mode") == "wal"
    assert _pragma(workspace, "synchronous") == 2
    assert _pragma(workspace, "foreign_keys") == 1


def test_write_ahead_log_is_presized_and_work_survives_it(app_paths: AppPaths) -> None:
    """Opening grows the log to its working size with zeros; commits land in that space,
    and everything committed is there after a reopen, with an intact database."""
    ws = Workspace.open(app_paths)
    wal = app_paths.database.with_name(app_paths.database.name + "-wal")
    page = ws.db.execute("PRAGMA page_size").fetchone()[0]
    frames = ws.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    presized = wal.stat().st_size
    assert presized >= frames * (page + 24)
    for i in range(50):
        with ws.transaction():
            ws.log_event("test.step", "test", str(i), after={"i": i})
    assert wal.stat().st_size == presized  # the commits reused the space
    ws.close()
    again = Workspace.open(app_paths)
    try:
        assert [e.after for e in again.events(entity="test")] == [{"i": i} for i in range(50)]
        assert again.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        again.close()


def test_reopening_keeps_schema_version(app_paths: AppPaths) -> None:
    """Opening an existing workspace applies nothing new and keeps the version."""
    with Workspace.open(app_paths):
        pass
    with Workspace.open(app_paths) as ws:
        applied = ws.db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
        assert applied == migrations.SCHEMA_VERSION
        assert _pragma(ws, "user_version") == migrations.SCHEMA_VERSION


def test_upgrading_an_older_workspace_keeps_its_event_log(app_paths: AppPaths) -> None:
    """Schema 3 to 4 rebuilds the event table: every event and id survives, still append-only."""
    import sqlite_utils

    app_paths.database.parent.mkdir(parents=True, exist_ok=True)
    old = sqlite_utils.Database(app_paths.database)
    migrations.migrations.apply(old, stop_before="m004_event_ids_without_autoincrement")
    for n in range(3):
        old.execute(
            "INSERT INTO event (at, actor, kind, entity, entity_id, after) "
            "VALUES ('2026-01-01', 'ann', 'note', 'x', ?, '{\"n\": 1}')",
            [f"id{n}"],
        )
    old.execute("PRAGMA user_version = 3")
    old.conn.commit()
    old.close()
    with Workspace.open(app_paths) as ws:
        events = ws.events()
        assert [(e.id, e.entity_id, e.after) for e in events] == [
            (1, "id0", {"n": 1}),
            (2, "id1", {"n": 1}),
            (3, "id2", {"n": 1}),
        ]
        sql = ws.db.execute("SELECT sql FROM sqlite_master WHERE name = 'event'").fetchone()[0]
        assert "AUTOINCREMENT" not in sql
        with ws.transaction():
            assert ws.log_event("note", "x", "id3") == 4
        with pytest.raises(sqlite3.IntegrityError, match="append-only"), ws.transaction():
            ws.db.execute("DELETE FROM event WHERE id = 4")
        assert _pragma(ws, "user_version") == migrations.SCHEMA_VERSION


# -- the event log -----------------------------------------------------------------------


def test_event_log_refuses_update_and_delete(workspace: Workspace) -> None:
    """UPDATE and DELETE on ``event`` abort with 'append-only' and change nothing."""
    with workspace.transaction():
        event_id = workspace.log_event("note.made", "note", "n1", after={"text": "hello"})
    with pytest.raises(sqlite3.IntegrityError, match="append-only"), workspace.transaction():
        workspace.db.execute("UPDATE event SET actor = 'mallory' WHERE id = ?", [event_id])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"), workspace.transaction():
        workspace.db.execute("DELETE FROM event WHERE id = ?", [event_id])
    events = workspace.events(entity="note")
    assert [(e.id, e.actor, e.kind, e.after) for e in events] == [
        (event_id, "local", "note.made", {"text": "hello"})
    ]


def test_failed_transaction_rolls_back_row_and_event(workspace: Workspace) -> None:
    """An exception inside transaction() leaves neither the row nor its event."""
    sha = "f" * 64

    def insert_then_fail() -> None:
        with workspace.transaction():
            workspace.db["document"].insert(
                {
                    "sha256": sha,
                    "title": "t",
                    "media_type": "application/pdf",
                    "page_count": 1,
                    "original_name": "t.pdf",
                    "added_at": "2024-01-01",
                    "last_opened_at": "2024-01-01",
                }
            )
            workspace.log_event("document.added", "document", sha)
            assert workspace.document(sha) is not None  # visible inside the transaction
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        insert_then_fail()
    assert workspace.document(sha) is None
    assert workspace.events() == []
    assert not workspace.db.conn.in_transaction


def test_nested_transaction_is_undone_with_the_outer_one(workspace: Workspace) -> None:
    """A nested transaction joins the outer one: an outer failure undoes both."""

    def nested_then_fail() -> None:
        with workspace.transaction():
            workspace.log_event("outer", "x", "1")
            with workspace.transaction():
                workspace.log_event("inner", "x", "2")
            raise RuntimeError("outer fails")

    with pytest.raises(RuntimeError, match="outer fails"):
        nested_then_fail()
    assert workspace.events() == []
    with workspace.transaction():
        workspace.log_event("outer", "x", "1")
        with workspace.transaction():
            workspace.log_event("inner", "x", "2")
    assert [e.kind for e in workspace.events()] == ["outer", "inner"]


# -- documents and blobs -------------------------------------------------------------------


def test_add_document_copies_into_read_only_blob(workspace: Workspace, tmp_path: Path) -> None:
    """The file is copied to blobs/ab/<sha>, read-only, and one document.added is logged."""
    source = tmp_path / "Motion to Dismiss.pdf"
    source.write_bytes(BASE_PDF.read_bytes())
    sha = sha256_file(source)
    doc = workspace.add_document(source, page_count=1)

    assert doc.sha256 == sha
    assert doc.title == "Motion to Dismiss"
    assert doc.media_type == "application/pdf"
    assert doc.page_count == 1
    assert doc.original_name == "Motion to Dismiss.pdf"
    assert doc.original_path == str(source.resolve())
    blob = workspace.paths.workspace / "blobs" / sha[:2] / sha
    assert workspace.blob_path(sha) == blob
    assert blob.read_bytes() == source.read_bytes()
    assert stat.S_IMODE(blob.stat().st_mode) == 0o400
    assert not os.access(blob, os.W_OK) or os.geteuid() == 0
    assert list(blob.parent.glob(".incoming-*")) == []
    assert list(workspace.paths.blobs.glob(".incoming-*")) == []
    events = workspace.events(entity="document", entity_id=sha)
    assert [e.kind for e in events] == ["document.added"]
    assert events[0].after is not None
    assert events[0].after["original_name"] == "Motion to Dismiss.pdf"
    assert events[0].after["page_count"] == 1


def test_adding_same_content_again_is_idempotent(workspace: Workspace, tmp_path: Path) -> None:
    """Same bytes under another name: same sha, one row, one added event, newer last_opened_at."""
    first = tmp_path / "a" / "original.pdf"
    first.parent.mkdir()
    first.write_bytes(BASE_PDF.read_bytes())
    second = tmp_path / "b" / "renamed copy.pdf"
    second.parent.mkdir()
    second.write_bytes(BASE_PDF.read_bytes())

    doc1 = workspace.add_document(first, page_count=1)
    doc2 = workspace.add_document(second, page_count=1)

    assert doc2.sha256 == doc1.sha256
    assert workspace.db.execute("SELECT count(*) FROM document").fetchone()[0] == 1
    assert _added_events(workspace, doc1.sha256) == ["document.added"]
    assert doc2.last_opened_at > doc1.last_opened_at
    assert doc2.added_at == doc1.added_at
    assert doc2.original_name == "original.pdf"  # the first name is kept
    assert doc2.original_path == str(second.resolve())  # where it was last opened from
    assert len(list(workspace.paths.blobs.rglob("*"))) == 2  # one folder, one blob


def test_blob_survives_original_being_deleted_or_moved(
    workspace: Workspace, tmp_path: Path
) -> None:
    """After the original is moved and then deleted, the stored copy is still readable."""
    source = tmp_path / "filing.pdf"
    data = BASE_PDF.read_bytes()
    source.write_bytes(data)
    doc = workspace.add_document(source, page_count=1)
    moved = tmp_path / "elsewhere.pdf"
    source.rename(moved)
    assert workspace.blob_path(doc.sha256).read_bytes() == data
    moved.unlink()
    assert workspace.blob_path(doc.sha256).read_bytes() == data
    assert workspace.blobs.has(doc.sha256)


def test_recent_documents_follow_touch(workspace: Workspace, tmp_path: Path) -> None:
    """recent_documents is ordered by last open; touch_document moves one to the top."""
    shas = []
    for name in ("one", "two", "three"):
        source = tmp_path / f"{name}.txt"
        source.write_text(f"document {name}")
        shas.append(workspace.add_document(source, page_count=1).sha256)
    one, two, three = shas
    assert [d.sha256 for d in workspace.recent_documents()] == [three, two, one]
    workspace.touch_document(one)
    assert [d.sha256 for d in workspace.recent_documents()] == [one, three, two]
    workspace.touch_document(two)
    assert [d.sha256 for d in workspace.recent_documents()] == [two, one, three]
    assert [d.sha256 for d in workspace.recent_documents(limit=2)] == [two, one]
    assert [d.sha256 for d in workspace.documents()] == [one, two, three]  # by added_at
    assert workspace.recent_documents()[0].media_type == "text/plain"


# -- the writer lock ----------------------------------------------------------------------


def test_second_open_is_locked_until_close(app_paths: AppPaths) -> None:
    """A second open of the same folder raises WorkspaceLocked naming it; close() frees it."""
    first = Workspace.open(app_paths)
    try:
        with pytest.raises(WorkspaceLocked) as caught:
            Workspace.open(app_paths)
        assert str(app_paths.workspace) in str(caught.value)
        assert f"pid {os.getpid()}" in str(caught.value)
    finally:
        first.close()
    second = Workspace.open(app_paths)
    second.close()


def test_lock_of_killed_process_does_not_block(app_paths: AppPaths) -> None:
    """A process killed with SIGKILL while holding the workspace leaves no stale lock."""
    script = textwrap.dedent(
        """
        import sys, time
        import reviewer.core.paths, reviewer.core.store
        ws = reviewer.core.store.Workspace.open(reviewer.core.paths.resolve(sys.argv[1]))
        print("ready", flush=True)
        time.sleep(120)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(app_paths.workspace)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        with pytest.raises(WorkspaceLocked, match=f"pid {proc.pid}"):
            Workspace.open(app_paths)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    ws = Workspace.open(app_paths)
    try:
        assert _pragma(ws, "user_version") == migrations.SCHEMA_VERSION
    finally:
        ws.close()


# -- refusing databases we must not touch ---------------------------------------------------


def test_database_from_newer_version_is_refused(app_paths: AppPaths) -> None:
    """user_version above SCHEMA_VERSION gives StoreError 'newer' and is left as it was."""
    Workspace.open(app_paths).close()
    raw = sqlite3.connect(app_paths.database)
    raw.execute("PRAGMA user_version = 999")
    raw.close()
    with pytest.raises(StoreError, match="newer") as caught:
        Workspace.open(app_paths)
    assert not isinstance(caught.value, WorkspaceLocked)
    assert "workspace.sqlite" in str(caught.value)
    raw = sqlite3.connect(app_paths.database)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 999
    finally:
        raw.close()
    # The failed open released the lock: a second attempt fails the same way, not "locked".
    with pytest.raises(StoreError, match="newer") as again:
        Workspace.open(app_paths)
    assert not isinstance(again.value, WorkspaceLocked)


def test_non_sqlite_file_is_refused_and_left_untouched(app_paths: AppPaths) -> None:
    """Random bytes in workspace.sqlite give StoreError naming the file; bytes unchanged."""
    app_paths.ensure()
    garbage = os.urandom(8192)
    app_paths.database.write_bytes(garbage)
    with pytest.raises(StoreError, match=r"workspace\.sqlite") as caught:
        Workspace.open(app_paths)
    assert not isinstance(caught.value, WorkspaceLocked)
    assert app_paths.database.read_bytes() == garbage
    assert not (app_paths.workspace / "workspace.sqlite-wal").exists()
    # The lock was released: once the bad file is moved aside the workspace opens.
    app_paths.database.rename(app_paths.workspace / "damaged.sqlite")
    Workspace.open(app_paths).close()


# -- the text index --------------------------------------------------------------------------


def test_find_is_case_insensitive_and_whitespace_tolerant(
    workspace: Workspace, indexed_doc: Document
) -> None:
    """A phrase broken over lines and in other case is found; other docs are not searched."""
    sha = indexed_doc.sha256
    workspace.index_pages(
        sha,
        [
            (0, "Agreement with Xylophone\nHoldings, Inc."),
            (1, "nothing to see here"),
            (2, "XYLOPHONE    HOLDINGS\t(the Borrower)"),
            (3, "Xylophone alone"),
        ],
    )
    assert workspace.pages_containing(sha, "xylophone holdings") == [0, 2]
    assert workspace.pages_containing(sha, "  Xylophone \n  Holdings ") == [0, 2]
    assert workspace.pages_containing(sha, "xylophone") == [0, 2, 3]
    assert workspace.pages_containing(sha, "zebra") == []
    assert workspace.pages_containing(sha, "   ") == []
    # The stored page text is the text as extracted (anchors' offsets refer to it).
    assert workspace.page_text(sha, 0) == "Agreement with Xylophone\nHoldings, Inc."
    assert workspace.page_text(sha, 9) is None
    assert workspace.pages_containing("0" * 64, "xylophone") == []


def test_find_treats_like_wildcards_literally(workspace: Workspace, indexed_doc: Document) -> None:
    """'%', '_' and backslash in a query match only themselves."""
    sha = indexed_doc.sha256
    workspace.index_pages(
        sha,
        [
            (0, "rate of 100% per annum"),
            (1, "rate of 1000 per annum"),
            (2, "field a_b here"),
            (3, "field axb here"),
            (4, r"saved in C:\docs\x"),
        ],
    )
    assert workspace.pages_containing(sha, "100%") == [0]
    assert workspace.pages_containing(sha, "%") == [0]
    assert workspace.pages_containing(sha, "a_b") == [2]
    assert workspace.pages_containing(sha, "_") == [2]
    assert workspace.pages_containing(sha, "rate of 1%") == []
    assert workspace.pages_containing(sha, "C:\\docs") == [4]
    assert workspace.pages_containing(sha, "\\") == [4]


def test_find_short_queries(workspace: Workspace, indexed_doc: Document) -> None:
    """One- and two-character queries (below the trigram size) still work."""
    sha = indexed_doc.sha256
    workspace.index_pages(sha, [(0, "Section 7(q) in full"), (1, "IN WITNESS"), (2, "no match")])
    assert workspace.pages_containing(sha, "q") == [0]
    assert workspace.pages_containing(sha, "7(") == [0]
    assert workspace.pages_containing(sha, "in") == [0, 1]
    assert workspace.pages_containing(sha, "W") == [1]
    assert workspace.pages_containing(sha, "zz") == []


def test_reindexing_replaces_page_and_index_state(
    workspace: Workspace, indexed_doc: Document
) -> None:
    """Re-indexing a page replaces its text; index_state counts distinct pages and completion."""
    sha = indexed_doc.sha256
    assert workspace.index_state(sha) == (0, False)
    workspace.index_pages(sha, [(0, "alpha"), (1, "bravo")])
    assert workspace.index_state(sha) == (2, False)
    workspace.index_pages(sha, [(0, "charlie")])
    assert workspace.index_state(sha) == (2, False)
    assert workspace.pages_containing(sha, "alpha") == []
    assert workspace.pages_containing(sha, "charlie") == [0]
    assert workspace.page_text(sha, 0) == "charlie"
    rows = workspace.db.execute(
        "SELECT count(*) FROM page_text WHERE doc = ? AND page = 0", [sha]
    ).fetchone()[0]
    assert rows == 1
    workspace.index_pages(sha, [(2, "delta")], complete=True)
    assert workspace.index_state(sha) == (3, True)
    assert workspace.pages_containing(sha, "a") == [0, 1, 2]


def test_index_requires_a_stored_document(workspace: Workspace) -> None:
    """The index's foreign key refuses pages for a document that is not in the store."""
    with pytest.raises(sqlite3.IntegrityError):
        workspace.index_pages("e" * 64, [(0, "orphan")])
    assert workspace.pages_containing("e" * 64, "orphan") == []
    assert workspace.index_state("e" * 64) == (0, False)


def test_index_agrees_with_page_search(
    workspace: Workspace, indexed_doc: Document, tmp_path: Path
) -> None:
    """The text index finds a query on exactly the pages where the viewer's find highlights it,
    including letters outside ASCII (case-insensitive for 'Société' / 'SOCIÉTÉ' alike)."""
    from reviewer.core.documents import open_document, page_text, search_page

    lines = [
        ["Loan from Société Générale", "to Xylophone"],
        ["Holdings, Inc. (MÜLLER GmbH guarantor)", "100% owned"],
        ["SOCIÉTÉ GÉNÉRALE as agent", "müller gmbh"],
        ["nothing relevant", "a_b field"],
    ]
    pdf = pymupdf_document(tmp_path / "mixed.pdf", lines)
    doc = open_document(pdf)
    try:
        workspace.index_pages(indexed_doc.sha256, [(p, page_text(doc, p)) for p in range(4)])
        queries = [
            "société générale",
            "SOCIÉTÉ GÉNÉRALE",
            "Müller GmbH",
            "xylophone holdings",
            "100%",
            "a_b",
            "générale as",
        ]
        for query in queries:
            highlighted = [p for p in range(4) if search_page(doc, p, query)]
            assert workspace.pages_containing(indexed_doc.sha256, query) == highlighted, query
        assert [p for p in range(4) if search_page(doc, p, "SOCIÉTÉ GÉNÉRALE")] == [0, 2]
    finally:
        doc.close()


def pymupdf_document(path: Path, pages: list[list[str]]) -> Path:
    """Write a PDF with one text line per entry (PyMuPDF imported only where needed)."""
    import pymupdf

    doc = pymupdf.open()
    for page_lines in pages:
        page = doc.new_page(width=612, height=792)
        for i, line in enumerate(page_lines):
            page.insert_text((72, 100 + 20 * i), line, fontsize=12)
    doc.save(path)
    doc.close()
    return path
