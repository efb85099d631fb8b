"""Annotations in the workspace: create, edit, delete, list.

Each function is one durable transaction that also appends its event (who,
when, what, before, after), so a change is either fully saved and logged or
not at all. Deleting only sets a flag: undo, the event log and the audit
trail of a submission need the row.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from reviewer.core.anchors import sort_key
from reviewer.core.errors import ReviewerError
from reviewer.core.model import EDITABLE_FIELDS, Annotation, Selector, TextSegment
from reviewer.core.store import Workspace, now

#: A row's place in reading order as the table stores it: page, pos_y, pos_x, created_at, id.
ChunkKey = tuple[int, float, float, str, str]


class AnnotationError(ReviewerError):
    """An annotation change that cannot be made (unknown id, bad field)."""


def new_id() -> str:
    """A UUID version 7 (RFC 9562): random, but ordered by creation time.

    New rows then land at the right-hand end of the id indexes instead of at
    a random leaf, so a label key press splits and syncs fewer pages.
    """
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")  # 80 random bits, 74 of them used
    value = (
        (millis & 0xFFFF_FFFF_FFFF) << 80
        | 0x7 << 76  # version
        | (rand >> 62 & 0xFFF) << 64
        | 0b10 << 62  # variant
        | rand & 0x3FFF_FFFF_FFFF_FFFF
    )
    return str(uuid.UUID(int=value))


def selector_to_dict(selector: Selector) -> dict[str, Any]:
    """The selector as plain JSON data (written by hand: ``asdict`` deep-copies
    every quad and was a measurable part of a label key press)."""
    return {
        "kind": selector.kind,
        "page": selector.page,
        "segments": [
            {"page": s.page, "start": s.start, "end": s.end, "quads": [list(q) for q in s.quads]}
            for s in selector.segments
        ],
        "rect": None if selector.rect is None else list(selector.rect),
        "exact": selector.exact,
        "prefix": selector.prefix,
        "suffix": selector.suffix,
    }


def selector_to_json(selector: Selector) -> str:
    return _compact(selector_to_dict(selector))


def _compact(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def selector_from_json(text: str) -> Selector:
    data = json.loads(text)
    segments = tuple(
        TextSegment(
            page=int(s["page"]),
            start=int(s["start"]),
            end=int(s["end"]),
            quads=tuple(tuple(float(v) for v in q) for q in s["quads"]),  # type: ignore[misc]
        )
        for s in data.get("segments", ())
    )
    rect = data.get("rect")
    return Selector(
        kind=data["kind"],
        page=int(data["page"]),
        segments=segments,
        rect=None if rect is None else tuple(float(v) for v in rect),  # type: ignore[arg-type]
        exact=data.get("exact", ""),
        prefix=data.get("prefix", ""),
        suffix=data.get("suffix", ""),
    )


def _row(
    a: Annotation,
    selector: dict[str, Any] | None = None,
    *,
    author: str | None = None,
    created_at: str | None = None,
    updated_at: str | None = None,
) -> dict[str, Any]:
    """The table row of ``a`` (keys in ``_FIELDS`` order); keyword values override ``a``'s."""
    page, pos_y, pos_x = sort_key(a.selector)
    return {
        "id": a.id,
        "doc": a.document,
        "item": a.item,
        "taxonomy": a.taxonomy,
        "label": a.label,
        "subtype": a.subtype,
        "severity": a.severity,
        "comment": a.comment,
        "origin": a.origin,
        "state": a.state,
        "author": a.author if author is None else author,
        "created_at": a.created_at if created_at is None else created_at,
        "updated_at": a.updated_at if updated_at is None else updated_at,
        "deleted": int(a.deleted),
        "kind": a.selector.kind,
        "page": page,
        "pos_y": pos_y,
        "pos_x": pos_x,
        "exact": a.selector.exact,
        "selector": _compact(selector_to_dict(a.selector) if selector is None else selector),
        "score": a.score,
        "reason": a.reason,
        "correction": a.correction,
    }


_COLUMNS = (
    "id, doc, item, taxonomy, label, subtype, severity, comment, origin, state, author, "
    "created_at, updated_at, deleted, selector, score, reason, correction"
)


def _from_row(r: tuple[Any, ...]) -> Annotation:
    return Annotation(
        id=r[0],
        document=r[1],
        item=r[2],
        taxonomy=r[3],
        label=r[4],
        subtype=r[5],
        severity=r[6],
        comment=r[7],
        origin=r[8],
        state=r[9],
        author=r[10],
        created_at=r[11],
        updated_at=r[12],
        deleted=bool(r[13]),
        selector=selector_from_json(r[14]),
        score=r[15],
        reason=r[16],
        correction=r[17],
    )


_FIELDS = (
    "id",
    "doc",
    "item",
    "taxonomy",
    "label",
    "subtype",
    "severity",
    "comment",
    "origin",
    "state",
    "author",
    "created_at",
    "updated_at",
    "deleted",
    "kind",
    "page",
    "pos_y",
    "pos_x",
    "exact",
    "selector",
    "score",
    "reason",
    "correction",
)
_INSERT = (
    f"INSERT INTO annotation ({', '.join(_FIELDS)}) VALUES ({', '.join('?' for _ in _FIELDS)})"
)


def add(ws: Workspace, annotation: Annotation) -> Annotation:
    """Store a new annotation (author and times filled in when empty).

    This is the label key press: only what the row and its event need is
    done before ``COMMIT``; the returned copy is made after it.
    """
    stamp = now()
    author = annotation.author or ws.actor
    created_at = annotation.created_at or stamp
    updated_at = annotation.updated_at or stamp
    selector = selector_to_dict(annotation.selector)
    row = _row(annotation, selector, author=author, created_at=created_at, updated_at=updated_at)
    with ws.transaction():
        # A prepared INSERT: sqlite-utils' insert() introspects the table on
        # every call, which dominated the cost of one label key press.
        ws.db.conn.execute(_INSERT, list(row.values()))
        ws.log_event(
            "annotation.created",
            "annotation",
            annotation.id,
            after={**row, "selector": selector},
            at=stamp,
        )
    return replace(annotation, author=author, created_at=created_at, updated_at=updated_at)


def add_many(ws: Workspace, annotations: list[Annotation]) -> list[Annotation]:
    """Store many new annotations in one transaction (a scan's suggestions).

    One prepared statement for all rows; each still gets its own event.
    Measured here, 294 suggestions stored one ``add`` at a time (a
    savepoint each) held the GUI thread ~35 ms.
    """
    stamp = now()
    done: list[Annotation] = []
    rows: list[list[Any]] = []
    events: list[tuple[str, dict[str, Any]]] = []
    for annotation in annotations:
        author = annotation.author or ws.actor
        created_at = annotation.created_at or stamp
        updated_at = annotation.updated_at or stamp
        selector = selector_to_dict(annotation.selector)
        row = _row(
            annotation, selector, author=author, created_at=created_at, updated_at=updated_at
        )
        rows.append(list(row.values()))
        events.append((annotation.id, {**row, "selector": selector}))
        done.append(
            replace(annotation, author=author, created_at=created_at, updated_at=updated_at)
        )
    with ws.transaction():
        ws.db.conn.executemany(_INSERT, rows)
        for annotation_id, after in events:
            ws.log_event("annotation.created", "annotation", annotation_id, after=after, at=stamp)
    return done


def set_deleted_many(ws: Workspace, annotation_ids: list[str], deleted: bool) -> None:
    """Delete (or restore) many annotations in one transaction; each change is an event."""
    with ws.transaction():
        current = get_many(ws, annotation_ids)
        missing = [i for i in annotation_ids if i not in current]
        if missing:
            raise AnnotationError(f"no annotation {missing[0]}")
        changing = [i for i in annotation_ids if current[i].deleted != deleted]
        stamp = now()
        ws.db.conn.executemany(
            "UPDATE annotation SET deleted = ?, updated_at = ? WHERE id = ?",
            [(int(deleted), stamp, i) for i in changing],
        )
        for annotation_id in changing:
            ws.log_event(
                "annotation.deleted" if deleted else "annotation.restored",
                "annotation",
                annotation_id,
                before={"deleted": not deleted},
                after={"deleted": deleted},
                at=stamp,
            )


def get(ws: Workspace, annotation_id: str) -> Annotation | None:
    """One annotation by id, deleted or not."""
    row = ws.db.execute(
        f"SELECT {_COLUMNS} FROM annotation WHERE id = ?", [annotation_id]
    ).fetchone()
    return None if row is None else _from_row(row)


def get_many(ws: Workspace, annotation_ids: Iterable[str]) -> dict[str, Annotation]:
    """Annotations by id, deleted or not, in a few queries (ids not found are left out)."""
    wanted = list(annotation_ids)
    found: dict[str, Annotation] = {}
    for i in range(0, len(wanted), 500):  # well under SQLite's host-parameter limit
        part = wanted[i : i + 500]
        rows = ws.db.execute(
            f"SELECT {_COLUMNS} FROM annotation WHERE id IN ({', '.join('?' * len(part))})", part
        ).fetchall()
        found.update((a.id, a) for a in map(_from_row, rows))
    return found


def for_document(ws: Workspace, sha256: str, *, include_deleted: bool = False) -> list[Annotation]:
    """A document's annotations in reading order (page, top, left)."""
    where = "doc = ?" if include_deleted else "doc = ? AND deleted = 0"
    rows = ws.db.execute(
        f"SELECT {_COLUMNS} FROM annotation WHERE {where} ORDER BY page, pos_y, pos_x, created_at",
        [sha256],
    ).fetchall()
    return [_from_row(r) for r in rows]


def taken_spans(existing: Iterable[Annotation]) -> dict[int, list[tuple[int, int]]]:
    """Page → character spans that live annotations cover (whatever their state)."""
    taken: dict[int, list[tuple[int, int]]] = {}
    for a in existing:
        if a.deleted:
            continue
        for seg in a.selector.segments:
            taken.setdefault(seg.page, []).append((seg.start, seg.end))
    return taken


def for_item(ws: Workspace, item_id: str) -> list[Annotation]:
    """An item's live annotations, by document and reading order."""
    rows = ws.db.execute(
        f"SELECT {_COLUMNS} FROM annotation WHERE item = ? AND deleted = 0 "
        "ORDER BY doc, page, pos_y, pos_x, created_at, id",
        [item_id],
    ).fetchall()
    return [_from_row(r) for r in rows]


def for_batch(ws: Workspace, batch_id: str, *, include_deleted: bool = False) -> list[Annotation]:
    """Annotations that belong to a batch's items, by item and reading order."""
    deleted = "" if include_deleted else " AND a.deleted = 0"
    columns = ", ".join("a." + c.strip() for c in _COLUMNS.split(","))
    rows = ws.db.execute(
        f"SELECT {columns} FROM annotation a JOIN item i ON i.id = a.item "
        f"WHERE i.batch = ?{deleted} "
        "ORDER BY i.position, a.doc, a.page, a.pos_y, a.pos_x, a.created_at, a.id",
        [batch_id],
    ).fetchall()
    return [_from_row(r) for r in rows]


def reading_order_chunk(
    ws: Workspace, sha256: str, after: ChunkKey | None, limit: int
) -> tuple[list[Annotation], ChunkKey | None]:
    """Up to ``limit`` live annotations of a document that come after ``after``.

    Keyset pagination in reading order (the columns that
    ``annotation_index.position`` mirrors): each chunk is one short query
    that starts where the last one ended, so an open document can be filled
    a little at a time. Returns the chunk and the key to pass for the next
    one (None when the chunk is empty).
    """
    where = "doc = ? AND deleted = 0"
    params: list[Any] = [sha256]
    if after is not None:
        where += " AND (page, pos_y, pos_x, created_at, id) > (?, ?, ?, ?, ?)"
        params.extend(after)
    rows = ws.db.execute(
        f"SELECT {_COLUMNS}, page, pos_y, pos_x FROM annotation WHERE {where} "
        "ORDER BY page, pos_y, pos_x, created_at, id LIMIT ?",
        [*params, limit],
    ).fetchall()
    if not rows:
        return [], None
    last = rows[-1]
    return [_from_row(r) for r in rows], (last[18], last[19], last[20], last[11], last[0])


def update(ws: Workspace, annotation_id: str, changes: dict[str, Any]) -> Annotation:
    """Change editable fields; logs only the fields that changed, before and after."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise AnnotationError(f"these fields cannot be edited: {', '.join(sorted(unknown))}")
    with ws.transaction():
        current = get(ws, annotation_id)
        if current is None:
            raise AnnotationError(f"no annotation {annotation_id}")
        before = {k: getattr(current, k) for k in changes if getattr(current, k) != changes[k]}
        if not before:
            return current
        after = {k: changes[k] for k in before}
        stamp = now()
        sets = ", ".join(f"{k} = ?" for k in after)
        ws.db.execute(
            f"UPDATE annotation SET {sets}, updated_at = ? WHERE id = ?",
            [*after.values(), stamp, annotation_id],
        )
        ws.log_event("annotation.updated", "annotation", annotation_id, before=before, after=after)
    return replace(current, **after, updated_at=stamp)


def set_deleted(ws: Workspace, annotation_id: str, deleted: bool) -> Annotation:
    """Delete (or restore) an annotation; the row stays, flagged."""
    with ws.transaction():
        current = get(ws, annotation_id)
        if current is None:
            raise AnnotationError(f"no annotation {annotation_id}")
        if current.deleted == deleted:
            return current
        stamp = now()
        ws.db.execute(
            "UPDATE annotation SET deleted = ?, updated_at = ? WHERE id = ?",
            [int(deleted), stamp, annotation_id],
        )
        ws.log_event(
            "annotation.deleted" if deleted else "annotation.restored",
            "annotation",
            annotation_id,
            before={"deleted": current.deleted},
            after={"deleted": deleted},
        )
    return replace(current, deleted=deleted, updated_at=stamp)
