"""Submission bundles into the lead's workspace: verified, then stored in one transaction.

The import is split as the batch import is: :func:`prepare` reads and
verifies a bundle and turns its records into rows (any thread; it touches
no workspace), :func:`store` decides and writes (the workspace's thread, one
``BEGIN IMMEDIATE`` transaction per bundle with one prepared statement per
table). :func:`import_bundles` runs both over many files for the command
line, with progress and a cancel check between bundles.

Decisions, in order:

* the same bundle again (bundle id and manifest hash both known) changes
  nothing;
* a *different* bundle carrying a known bundle id is tampering: rejected;
* a bundle signed by a key that is not enrolled, or was revoked, is
  quarantined (listed, nothing merged);
* a bundle of a batch this workspace does not hold, or of another version of
  it, is rejected: the lead's merged view needs the batch's documents;
* every annotation, item, judgement and time row must belong to that batch.

A newer bundle of the same annotator and batch (a partial submission, then
the final one) is stored beside the older; :func:`current_submissions` picks
the newest per annotator and batch, and every figure uses only those.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer.core import batches
from reviewer.core import bundle as bundle_format
from reviewer.core.bundle import BundleRejected, VerifiedBundle, verify_bundle
from reviewer.core.errors import ReviewerError
from reviewer.core.interchange import parse_item
from reviewer.core.lead import roster
from reviewer.core.safezip import shown_name
from reviewer.core.store import now

if TYPE_CHECKING:
    from reviewer.core.store import Workspace

BUNDLE_SUFFIX = ".rvbundle"
#: What can happen to a file: failed = verified but the workspace could not be written.
STATUSES = ("imported", "unchanged", "quarantined", "rejected", "failed")

Row = tuple[Any, ...]


@dataclass(frozen=True)
class PreparedSubmission:
    """A verified bundle, its records turned into rows (without the submission id)."""

    path: Path
    manifest: dict[str, Any]
    manifest_sha256: str
    annotations: list[Row]
    items: list[Row]
    judgements: list[Row]
    times: list[Row]

    @property
    def bundle_id(self) -> str:
        return str(self.manifest["bundle_id"])

    @property
    def batch_id(self) -> str:
        return str(self.manifest["batch_id"])


@dataclass(frozen=True)
class Outcome:
    """What happened to one file: one of :data:`STATUSES`."""

    file: str
    status: str
    reason: str = ""
    bundle_id: str = ""
    batch: str = ""
    annotator: str = ""
    annotations: int = 0
    judgements: int = 0
    items: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "status": self.status,
            "reason": self.reason,
            "bundle_id": self.bundle_id,
            "batch_id": self.batch,
            "annotator": self.annotator,
            "annotations": self.annotations,
            "judgements": self.judgements,
            "items": self.items,
        }


@dataclass
class ImportSummary:
    """Every file's outcome, in the order given; ``cancelled`` if the run stopped early."""

    outcomes: list[Outcome] = field(default_factory=list)
    cancelled: bool = False

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def text(self) -> str:
        parts = [f"{self.count(s)} {s}" for s in STATUSES if self.count(s)]
        annotations = sum(o.annotations for o in self.outcomes if o.status == "imported")
        line = ", ".join(parts) or "nothing to import"
        if annotations:
            line += f" ({annotations} annotations merged)"
        if self.cancelled:
            line += "; cancelled before the rest"
        return line

    def as_json(self) -> dict[str, Any]:
        return {
            "imported": self.count("imported"),
            "unchanged": self.count("unchanged"),
            "quarantined": self.count("quarantined"),
            "rejected": self.count("rejected"),
            "failed": self.count("failed"),
            "cancelled": self.cancelled,
            "files": [o.as_json() for o in self.outcomes],
        }


def bundle_files(given: Iterable[Path]) -> list[Path]:
    """The files to import: each file as given, each folder's ``*.rvbundle`` files sorted."""
    found: list[Path] = []
    for path in given:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix == BUNDLE_SUFFIX))
        else:
            found.append(path)
    return found


# -- prepare (any thread) -------------------------------------------------------------------


def prepare(path: Path, known: Mapping[str, str] | None = None) -> PreparedSubmission:
    """Verify ``path`` completely and turn its records into rows; raise BundleRejected.

    ``known`` (bundle id → manifest hash, :func:`known_bundles`): a bundle
    already imported is recognised from its signed manifest alone, whose hash
    covers every member, and its members are not read again (re-importing a
    folder cost as much as the first import). It comes back without rows;
    :func:`store` calls it unchanged.
    """
    if known:
        manifest, digest = bundle_format.signed_manifest(Path(path))
        if known.get(str(manifest["bundle_id"])) == digest:
            return PreparedSubmission(Path(path), manifest, digest, [], [], [], [])
    verified = verify_bundle(Path(path))
    return _rows(verified)


def known_bundles(ws: Workspace) -> dict[str, str]:
    """Bundle id → manifest hash of every submission imported."""
    return dict(ws.db.execute("SELECT bundle_id, manifest_sha256 FROM submission").fetchall())


def _rows(v: VerifiedBundle) -> PreparedSubmission:
    records = v.records
    path = v.path
    annotations = [
        _annotation_row(path, number, record, line)
        for number, record, line in zip(
            v.line_numbers.get(bundle_format.ANNOTATIONS, []),
            records.get(bundle_format.ANNOTATIONS, []),
            v.lines.get(bundle_format.ANNOTATIONS, []),
            strict=True,
        )
    ]
    items = []
    local_ids: dict[str, str] = {}
    for record in records.get(bundle_format.ITEMS, []):
        item_id, local = record.get("item"), record.get("id")
        if not isinstance(item_id, str) or not isinstance(local, str):
            raise BundleRejected(path, "an item without its id", member=bundle_format.ITEMS)
        seconds = record.get("active_seconds", 0.0)
        if not isinstance(seconds, int | float) or not 0 <= seconds < 1e7:
            raise BundleRejected(path, f"item {local!r}: bad active_seconds", member="items.jsonl")
        local_ids[local] = item_id
        items.append(
            (item_id, str(record.get("status")), str(record.get("skip_reason", "")), seconds)
        )
    judgements = [
        (local_ids[j["item"]], j["task"], json.dumps(j, ensure_ascii=False, sort_keys=True))
        for j in records.get(bundle_format.JUDGEMENTS, [])
    ]
    times = [
        (seq, row["item"], row["started_at"], row["ended_at"], float(row["seconds"]))
        for seq, row in enumerate(v.timesheet)
    ]
    return PreparedSubmission(
        path=path,
        manifest=v.manifest,
        manifest_sha256=v.manifest_sha256,
        annotations=annotations,
        items=items,
        judgements=judgements,
        times=times,
    )


def _annotation_row(path: Path, number: int, record: dict[str, Any], line: str) -> Row:
    """One ``annotations.jsonl`` record as a ``submitted_annotation`` row (no submission).

    The record is stored as the annotator's line, byte for byte (verified by
    the manifest's hash and the signature), for the ``w3c`` export.
    """
    where = f"line {number}"
    try:
        parsed = parse_item(record, where, "human", text_checked=True)
    except ReviewerError as exc:
        raise BundleRejected(path, f"{where}: {exc}", member=bundle_format.ANNOTATIONS) from exc
    if parsed.id is None:
        raise BundleRejected(path, f"{where}: no id", member=bundle_format.ANNOTATIONS)
    documents = {t.source for t in parsed.targets}
    if len(documents) != 1 or not (next(iter(documents)) or "").startswith("urn:sha256:"):
        raise BundleRejected(
            path, f"{where}: the target is not one urn:sha256: document", member="annotations.jsonl"
        )
    doc = next(iter(documents)).removeprefix("urn:sha256:")  # type: ignore[union-attr]
    first, last = parsed.targets[0], parsed.targets[-1]
    if first.page is None or last.page is None:
        raise BundleRejected(path, f"{where}: a target without a page", member="annotations.jsonl")
    if parsed.kind == "area":
        rect = first.rect
        box = None if rect is None else json.dumps([round(c, 2) for c in rect])
        start = end = 0
    else:
        if first.start is None or last.end is None:
            raise BundleRejected(
                path, f"{where}: a text target without its position", member="annotations.jsonl"
            )
        box, start, end = None, first.start, last.end
    quads = {
        str(t.page): [[round(c, 2) for c in q] for q in t.quads] for t in parsed.targets if t.quads
    }
    exact = " ".join(t.exact or "" for t in parsed.targets).strip()
    return (
        parsed.id,
        doc,
        parsed.item,
        parsed.taxonomy,
        parsed.label,
        parsed.state,
        parsed.origin,
        parsed.kind,
        first.page,
        start,
        last.page,
        end,
        box,
        exact,
        parsed.comment,
        parsed.severity,
        json.dumps(quads, separators=(",", ":")),
        line,
    )


# -- store (the workspace's thread) -----------------------------------------------------------


def store(ws: Workspace, prepared: PreparedSubmission) -> Outcome:
    """Decide what a verified bundle means here and write it in one transaction."""
    m = prepared.manifest
    name = prepared.path.name
    base = {
        "file": name,
        "bundle_id": prepared.bundle_id,
        "batch": prepared.batch_id,
        "annotator": str(m["annotator"]["id"]),
    }
    known = ws.db.execute(
        "SELECT manifest_sha256, source_name, imported_at FROM submission WHERE bundle_id = ?",
        [prepared.bundle_id],
    ).fetchone()
    if known is not None:
        if known[0] == prepared.manifest_sha256:
            return Outcome(status="unchanged", reason="imported before", **base)
        raise BundleRejected(
            prepared.path,
            f"reuses bundle id {prepared.bundle_id}, first imported from {known[1]} on "
            f"{known[2]}, with different content: possible tampering, not imported",
        )
    enrolled = roster.key(ws, m["key_id"])
    if enrolled is None or not enrolled.active:
        reason = (
            f"signed by key {m['key_id']}, which is not enrolled"
            if enrolled is None
            else f"signed by key {m['key_id']} ({enrolled.name}), revoked on {enrolled.revoked_at}"
        )
        _quarantine(ws, prepared, reason)
        return Outcome(status="quarantined", reason=reason, **base)
    _check_against_batch(ws, prepared)
    with ws.transaction() as db:
        conn = db.conn
        cursor = conn.execute(
            "INSERT INTO submission (bundle_id, manifest_sha256, batch, annotator, "
            "annotator_name, key_id, created, partial, source_name, imported_at, manifest) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                prepared.bundle_id,
                prepared.manifest_sha256,
                prepared.batch_id,
                m["annotator"]["id"],
                m["annotator"]["name"],
                m["key_id"],
                m["created"],
                int(bool(m["partial"])),
                name,
                now(),
                json.dumps(m, ensure_ascii=False, sort_keys=True),
            ],
        )
        sid = int(cursor.lastrowid or 0)
        conn.executemany(
            "INSERT INTO submitted_annotation (submission, id, doc, item, taxonomy, label, "
            "state, origin, kind, page_start, start, page_end, end, box, exact, comment, "
            "severity, quads, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?)",
            ((sid, *row) for row in prepared.annotations),
        )
        conn.executemany(
            "INSERT INTO submitted_item (submission, item, status, skip_reason, active_seconds) "
            "VALUES (?, ?, ?, ?, ?)",
            ((sid, *row) for row in prepared.items),
        )
        conn.executemany(
            "INSERT INTO submitted_judgement (submission, item, kind, record) VALUES (?, ?, ?, ?)",
            ((sid, *row) for row in prepared.judgements),
        )
        conn.executemany(
            "INSERT INTO submitted_time (submission, seq, item, started_at, ended_at, seconds) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            ((sid, *row) for row in prepared.times),
        )
        conn.execute("DELETE FROM quarantine WHERE manifest_sha256 = ?", [prepared.manifest_sha256])
        counts = {
            "annotations": len(prepared.annotations),
            "judgements": len(prepared.judgements),
            "items": len(prepared.items),
        }
        ws.log_event(
            "bundle.imported",
            "submission",
            prepared.bundle_id,
            after={
                "batch": prepared.batch_id,
                "annotator": m["annotator"]["id"],
                "key_id": m["key_id"],
                "manifest_sha256": prepared.manifest_sha256,
                "file": name,
                **counts,
            },
        )
    return Outcome(status="imported", **base, **counts)


def _quarantine(ws: Workspace, prepared: PreparedSubmission, reason: str) -> None:
    m = prepared.manifest
    with ws.transaction():
        ws.db.execute(
            "INSERT OR REPLACE INTO quarantine (manifest_sha256, source_name, bundle_id, batch, "
            "annotator, key_id, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                prepared.manifest_sha256,
                prepared.path.name,
                prepared.bundle_id,
                prepared.batch_id,
                m["annotator"]["id"],
                m["key_id"],
                reason,
                now(),
            ],
        )
        ws.log_event(
            "bundle.quarantined",
            "submission",
            prepared.bundle_id,
            after={"file": prepared.path.name, "key_id": m["key_id"], "reason": reason},
        )


def _check_against_batch(ws: Workspace, prepared: PreparedSubmission) -> None:
    """Everything the bundle carries must belong to its batch as this workspace holds it."""
    path, batch_id = prepared.path, prepared.batch_id
    batch = batches.batch(ws, batch_id)
    if batch is None:
        raise BundleRejected(
            path,
            f"belongs to batch {batch_id}, which is not in this workspace: import its task "
            "batch (.rvbatch) first",
        )
    if batch.manifest_sha256 != prepared.manifest["batch_manifest_sha256"]:
        raise BundleRejected(
            path, f"was made from another version of batch {batch.name!r} than the one here"
        )
    items = {i.id: i for i in batches.items(ws, batch_id)}
    documents = {d for i in items.values() for d in i.documents}
    for item_id, *_ in prepared.items:
        if item_id not in items:
            raise BundleRejected(path, f"item {item_id!r} is not an item of the batch")
    for row in prepared.annotations:
        if row[1] not in documents:
            raise BundleRejected(path, f"annotation {row[0]} is on a document not in the batch")
        if row[2] is not None and row[2] not in items:
            raise BundleRejected(path, f"annotation {row[0]} belongs to an item not in the batch")
    for item_id, *_ in prepared.judgements:
        if item_id not in items:
            raise BundleRejected(path, f"a judgement of item {item_id!r}, not in the batch")


# -- many files ----------------------------------------------------------------------------------


def import_bundles(
    ws: Workspace,
    paths: Sequence[Path],
    *,
    progress: Callable[[int, int, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportSummary:
    """Import each file in turn; a bad file is reported and the rest go on."""
    summary = ImportSummary()
    known = known_bundles(ws)
    for done, path in enumerate(paths):
        if cancelled is not None and cancelled():
            summary.cancelled = True
            break
        if progress is not None:
            progress(done, len(paths), path.name)
        summary.outcomes.append(import_one(ws, path, known))
    if progress is not None and not summary.cancelled:
        progress(len(paths), len(paths), "")
    return summary


def import_one(ws: Workspace, path: Path, known: Mapping[str, str] | None = None) -> Outcome:
    """Prepare and store one file; a bad file is ``rejected``, a store that cannot be
    written (locked, full disk) ``failed`` — nothing of that bundle is kept, so it can be
    imported again later."""
    try:
        prepared = prepare(path, known)
    except (BundleRejected, OSError) as exc:
        return problem(path, exc)
    try:
        return store(ws, prepared)
    except (BundleRejected, ReviewerError, sqlite3.Error, OSError) as exc:
        return problem(path, exc)


def problem(path: Path, exc: Exception) -> Outcome:
    """The outcome of a file that was not imported: ``rejected`` for the file's own fault
    (damaged, tampered, unreadable), ``failed`` when the workspace could not be written."""
    name = Path(path).name
    if isinstance(exc, BundleRejected):
        reason = f"{shown_name(exc.member)}: {exc.reason}" if exc.member else exc.reason
        return Outcome(file=name, status="rejected", reason=reason)
    if isinstance(exc, OSError) and not isinstance(exc, sqlite3.Error):
        return Outcome(file=name, status="rejected", reason=exc.strerror or str(exc))
    return Outcome(file=name, status="failed", reason=f"not saved: {exc}")


# -- what was imported ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Submission:
    id: int
    bundle_id: str
    batch: str
    annotator: str
    annotator_name: str
    key_id: str
    created: str
    partial: bool
    source_name: str
    imported_at: str


_SUBMISSION = (
    "id, bundle_id, batch, annotator, annotator_name, key_id, created, partial, source_name, "
    "imported_at"
)


def _submission(row: Row) -> Submission:
    return Submission(*row[:7], bool(row[7]), row[8], row[9])  # type: ignore[arg-type]


def submissions(ws: Workspace, batch_id: str | None = None) -> list[Submission]:
    where, params = ("WHERE batch = ?", [batch_id]) if batch_id else ("", [])
    rows = ws.db.execute(
        f"SELECT {_SUBMISSION} FROM submission {where} ORDER BY batch, annotator, created, id",
        params,
    ).fetchall()
    return [_submission(r) for r in rows]


def current_submissions(ws: Workspace, batch_id: str | None = None) -> list[Submission]:
    """The newest submission per annotator and batch (a final bundle supersedes a partial)."""
    latest: dict[tuple[str, str], Submission] = {}
    for s in submissions(ws, batch_id):
        latest[(s.batch, s.annotator)] = s  # ordered by created, id: the last one wins
    return sorted(latest.values(), key=lambda s: (s.batch, s.annotator))


def quarantined(ws: Workspace) -> list[dict[str, str]]:
    rows = ws.db.execute(
        "SELECT source_name, bundle_id, batch, annotator, key_id, reason, at FROM quarantine "
        "ORDER BY at"
    ).fetchall()
    keys = ("file", "bundle_id", "batch_id", "annotator", "key_id", "reason", "at")
    return [dict(zip(keys, r, strict=True)) for r in rows]
