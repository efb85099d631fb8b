"""The workspace schema, as an ordered list of sqlite-utils migrations.

Migrations only ever append: a workspace written by an older version is
brought forward on open, and ``PRAGMA user_version`` mirrors the number of
applied migrations so that a workspace from a *newer* version is refused
instead of being silently damaged.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("reviewer")


@migrations()
def m001_documents_and_events(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE document (
            sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
            title TEXT NOT NULL,
            media_type TEXT NOT NULL,
            page_count INTEGER NOT NULL CHECK (page_count >= 0),
            original_name TEXT NOT NULL,
            original_path TEXT NOT NULL DEFAULT '',
            added_at TEXT NOT NULL,
            last_opened_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX document_last_opened ON document (last_opened_at DESC)")
    # The change log is append-only: triggers refuse updates and deletes, so
    # neither a bug nor a careless script can rewrite history.
    db.execute(
        """
        CREATE TABLE event (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            kind TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            before TEXT,
            after TEXT
        )
        """
    )
    db.execute("CREATE INDEX event_entity ON event (entity, entity_id)")
    _append_only_triggers(db)


def _append_only_triggers(db: Database) -> None:
    db.execute(
        "CREATE TRIGGER event_no_update BEFORE UPDATE ON event "
        "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"
    )
    db.execute(
        "CREATE TRIGGER event_no_delete BEFORE DELETE ON event "
        "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"
    )


@migrations()
def m002_text_index(db: Database) -> None:
    # Page text, case- and whitespace-folded (``text``, indexed) beside the
    # text as extracted (``raw``), in an FTS5 trigram index: substring
    # search (LIKE '%term%') over a 1,000-page document answers in
    # milliseconds, where PyMuPDF's search_for over every page takes seconds.
    db.execute(
        "CREATE VIRTUAL TABLE page_text USING fts5("
        "text, raw UNINDEXED, doc UNINDEXED, page UNINDEXED, "
        "tokenize = 'trigram case_sensitive 0')"
    )
    db.execute(
        """
        CREATE TABLE text_index (
            doc TEXT PRIMARY KEY REFERENCES document (sha256) ON DELETE CASCADE,
            pages_done INTEGER NOT NULL DEFAULT 0,
            complete INTEGER NOT NULL DEFAULT 0
        )
        """
    )


@migrations()
def m003_annotations(db: Database) -> None:
    # One row per annotation. The selector (the W3C-shaped anchor) is JSON;
    # the columns beside it exist for listing, filtering and sorting without
    # parsing it. Nothing is ever removed: deleting sets ``deleted`` so that
    # undo, the event log and the audit trail of a bundle stay whole.
    db.execute(
        """
        CREATE TABLE annotation (
            id TEXT PRIMARY KEY,
            doc TEXT NOT NULL REFERENCES document (sha256),
            item TEXT,
            taxonomy TEXT NOT NULL,
            label TEXT NOT NULL,
            subtype TEXT,
            severity TEXT,
            comment TEXT NOT NULL DEFAULT '',
            origin TEXT NOT NULL DEFAULT 'human',
            state TEXT NOT NULL DEFAULT 'accepted'
                CHECK (state IN ('proposed', 'accepted', 'rejected')),
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
            kind TEXT NOT NULL CHECK (kind IN ('text', 'area')),
            page INTEGER NOT NULL,
            pos_y REAL NOT NULL,
            pos_x REAL NOT NULL,
            exact TEXT NOT NULL DEFAULT '',
            selector TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX annotation_doc ON annotation (doc, deleted, page, pos_y, pos_x)")


@migrations()
def m004_event_ids_without_autoincrement(db: Database) -> None:
    # AUTOINCREMENT made every event also rewrite sqlite_sequence: one more
    # page to sync on every label key press. Since no event is ever deleted
    # (the triggers forbid it), a plain INTEGER PRIMARY KEY already gives
    # ever-increasing ids; existing ids are kept as they are.
    db.execute("DROP TRIGGER event_no_update")
    db.execute("DROP TRIGGER event_no_delete")
    db.execute(
        """
        CREATE TABLE event_new (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            kind TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            before TEXT,
            after TEXT
        )
        """
    )
    db.execute(
        "INSERT INTO event_new (id, at, actor, kind, entity, entity_id, before, after) "
        "SELECT id, at, actor, kind, entity, entity_id, before, after FROM event ORDER BY id"
    )
    db.execute("DROP TABLE event")
    db.execute("ALTER TABLE event_new RENAME TO event")
    db.execute("CREATE INDEX event_entity ON event (entity, entity_id)")
    _append_only_triggers(db)


@migrations()
def m005_suggestion_score_and_reason(db: Database) -> None:
    # A suggested annotation keeps why it was proposed ("Luhn-valid card
    # number") and how sure the detector was, so the annotator can judge it
    # and the lead can measure detectors; people's annotations leave them empty.
    db.execute("ALTER TABLE annotation ADD COLUMN score REAL")
    db.execute("ALTER TABLE annotation ADD COLUMN reason TEXT NOT NULL DEFAULT ''")


@migrations()
def m006_batches_items_time(db: Database) -> None:
    # Work arrives as task batches. A batch keeps the manifest it came with
    # (its SHA-256 makes a second import of the same file a no-op and a
    # different file reusing the id a refusal). Items are the units of work;
    # their id is "<batch id>/<the batch's own item id>" so two batches may
    # use the same item names. ``work_time`` holds active (billed) time as
    # closed segments; idle and inactive time never reach it.
    db.execute(
        """
        CREATE TABLE batch (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            task TEXT NOT NULL,
            taxonomy_id TEXT NOT NULL,
            taxonomy TEXT NOT NULL,
            instructions TEXT NOT NULL DEFAULT '',
            manifest TEXT NOT NULL,
            manifest_sha256 TEXT NOT NULL CHECK (length(manifest_sha256) = 64),
            source_name TEXT NOT NULL,
            created_at TEXT NOT NULL,
            imported_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE item (
            id TEXT PRIMARY KEY,
            batch TEXT NOT NULL REFERENCES batch (id),
            local_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            task TEXT NOT NULL CHECK (task IN ('review', 'redact', 'compare', 'ocr')),
            title TEXT NOT NULL DEFAULT '',
            prompt TEXT NOT NULL DEFAULT '',
            documents TEXT NOT NULL,
            page INTEGER,
            data TEXT NOT NULL DEFAULT '{}',
            status TEXT NOT NULL DEFAULT 'todo'
                CHECK (status IN ('todo', 'in_progress', 'done', 'skipped')),
            skip_reason TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL,
            UNIQUE (batch, local_id)
        )
        """
    )
    db.execute("CREATE INDEX item_batch ON item (batch, position)")
    db.execute(
        """
        CREATE TABLE item_document (
            item TEXT NOT NULL REFERENCES item (id),
            doc TEXT NOT NULL REFERENCES document (sha256),
            PRIMARY KEY (item, doc)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX item_document_doc ON item_document (doc)")
    db.execute(
        """
        CREATE TABLE work_time (
            id INTEGER PRIMARY KEY,
            item TEXT NOT NULL REFERENCES item (id),
            started_at TEXT NOT NULL,
            ended_at TEXT NOT NULL,
            seconds REAL NOT NULL CHECK (seconds >= 0)
        )
        """
    )
    db.execute("CREATE INDEX work_time_item ON work_time (item, started_at)")
    db.execute("CREATE INDEX annotation_item ON annotation (item)")


@migrations()
def m007_judgements_corrections_known_citations(db: Database) -> None:
    # Judging AI output: one judgement per item and annotator (a compare
    # item's choice, ranking, ratings, rationale and evidence links, or a
    # review item's verdict and summary), kept as JSON because its shape
    # depends on the item's task and criteria; saved as the reviewer works
    # (a draft until the item is done). The draft order a reviewer was shown
    # is in it, so position bias can be measured. An OCR correction is an
    # annotation whose ``correction`` holds the corrected text (the quote is
    # what OCR read). A batch may ship a list of known citations (CSV).
    db.execute("ALTER TABLE annotation ADD COLUMN correction TEXT")
    db.execute("ALTER TABLE batch ADD COLUMN known_citations TEXT NOT NULL DEFAULT ''")
    db.execute(
        """
        CREATE TABLE judgement (
            id TEXT PRIMARY KEY,
            item TEXT NOT NULL REFERENCES item (id),
            author TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('compare', 'review')),
            data TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (item, author)
        )
        """
    )


@migrations()
def m008_lead_submissions_and_gold(db: Database) -> None:
    # The team lead's side. Enrolled keys decide whose bundles are merged
    # (a revoked key stays, marked, so its old submissions remain explained).
    # A submission is one imported bundle: its integer id keeps the rows it
    # brings in insertion order (WITHOUT ROWID tables clustered on
    # (submission, ...)), so importing the 200th bundle appends to the end of
    # each B-tree as the first did instead of splitting random pages. A
    # bundle that cannot be merged (unknown or revoked signer) is listed in
    # ``quarantine`` and nothing of it is stored. ``gold`` holds the lead's
    # adjudicated decisions with their provenance; deleting sets a flag.
    db.execute(
        """
        CREATE TABLE enrolled_key (
            key_id TEXT PRIMARY KEY,
            public_key BLOB NOT NULL CHECK (length(public_key) = 32),
            name TEXT NOT NULL,
            enrolled_at TEXT NOT NULL,
            revoked_at TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE submission (
            id INTEGER PRIMARY KEY,
            bundle_id TEXT NOT NULL UNIQUE,
            manifest_sha256 TEXT NOT NULL CHECK (length(manifest_sha256) = 64),
            batch TEXT NOT NULL REFERENCES batch (id),
            annotator TEXT NOT NULL,
            annotator_name TEXT NOT NULL,
            key_id TEXT NOT NULL REFERENCES enrolled_key (key_id),
            created TEXT NOT NULL,
            partial INTEGER NOT NULL CHECK (partial IN (0, 1)),
            source_name TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            manifest TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX submission_batch ON submission (batch, annotator, created)")
    db.execute(
        """
        CREATE TABLE submitted_item (
            submission INTEGER NOT NULL REFERENCES submission (id),
            item TEXT NOT NULL REFERENCES item (id),
            status TEXT NOT NULL,
            skip_reason TEXT NOT NULL DEFAULT '',
            active_seconds REAL NOT NULL,
            PRIMARY KEY (submission, item)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        """
        CREATE TABLE submitted_annotation (
            submission INTEGER NOT NULL REFERENCES submission (id),
            id TEXT NOT NULL,
            doc TEXT NOT NULL REFERENCES document (sha256),
            item TEXT,
            taxonomy TEXT NOT NULL,
            label TEXT NOT NULL,
            state TEXT NOT NULL,
            origin TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('text', 'area')),
            page_start INTEGER NOT NULL,
            start INTEGER NOT NULL,
            page_end INTEGER NOT NULL,
            end INTEGER NOT NULL,
            box TEXT,
            exact TEXT NOT NULL DEFAULT '',
            comment TEXT NOT NULL DEFAULT '',
            severity TEXT,
            quads TEXT NOT NULL DEFAULT '{}',
            record TEXT NOT NULL
        )
        """
    )
    # A rowid table: its rows carry the submitted record (~1 KB), and WITHOUT ROWID
    # tables are for small rows. Rows and this index still only ever append.
    db.execute(
        "CREATE UNIQUE INDEX submitted_annotation_key ON submitted_annotation (submission, id)"
    )
    # The merged view and the exports read one document at a time. A batch has few
    # documents, so inserts land at the ends of a few ranges (cache-friendly).
    db.execute("CREATE INDEX submitted_annotation_doc ON submitted_annotation (doc)")
    db.execute(
        """
        CREATE TABLE submitted_judgement (
            submission INTEGER NOT NULL REFERENCES submission (id),
            item TEXT NOT NULL REFERENCES item (id),
            kind TEXT NOT NULL,
            record TEXT NOT NULL,
            PRIMARY KEY (submission, item)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        """
        CREATE TABLE submitted_time (
            submission INTEGER NOT NULL REFERENCES submission (id),
            seq INTEGER NOT NULL,
            item TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT NOT NULL,
            seconds REAL NOT NULL,
            PRIMARY KEY (submission, seq)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        """
        CREATE TABLE quarantine (
            manifest_sha256 TEXT PRIMARY KEY,
            source_name TEXT NOT NULL,
            bundle_id TEXT NOT NULL,
            batch TEXT NOT NULL,
            annotator TEXT NOT NULL,
            key_id TEXT NOT NULL,
            reason TEXT NOT NULL,
            at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE gold (
            id TEXT PRIMARY KEY,
            doc TEXT NOT NULL REFERENCES document (sha256),
            batch TEXT,
            item TEXT,
            disagreement TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('accept', 'merge', 'edit', 'reject')),
            taxonomy TEXT NOT NULL DEFAULT '',
            label TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL CHECK (kind IN ('text', 'area', 'none')),
            page_start INTEGER NOT NULL,
            start INTEGER NOT NULL,
            page_end INTEGER NOT NULL,
            end INTEGER NOT NULL,
            box TEXT,
            exact TEXT NOT NULL DEFAULT '',
            comment TEXT NOT NULL DEFAULT '',
            quads TEXT NOT NULL DEFAULT '{}',
            sources TEXT NOT NULL,
            annotators TEXT NOT NULL,
            decided_by TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
        )
        """
    )
    db.execute("CREATE INDEX gold_doc ON gold (doc, deleted, page_start, start)")
    db.execute("CREATE INDEX gold_disagreement ON gold (disagreement)")


# Bump with every migration above; a test checks it matches what a new workspace applies.
SCHEMA_VERSION = 8
