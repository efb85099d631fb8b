"""Task batches and their items in the workspace: the work queue's data.

Reading and writing ``.rvbatch`` files lives in ``batch_file``; this module
only stores what an import produced and answers the work queue's questions
(what is there, what is left, which item a document belongs to). Every
status change is one transaction with its event, like annotations.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reviewer.core.errors import ReviewerError
from reviewer.core.model import STATUSES, Batch, Item
from reviewer.core.store import now
from reviewer.core.taxonomy import Taxonomy, load_taxonomy

if TYPE_CHECKING:
    from reviewer.core.store import Workspace

_ITEM_COLUMNS = (
    "id, batch, local_id, position, task, title, documents, prompt, page, status, "
    "skip_reason, updated_at, data"
)
_BATCH_COLUMNS = (
    "id, name, task, taxonomy_id, instructions, manifest_sha256, source_name, created_at, "
    "imported_at"
)


class ItemError(ReviewerError):
    """An item or batch that does not exist, or a status change that makes no sense."""


@dataclass(frozen=True)
class Progress:
    """How far a batch is: counts per status."""

    total: int
    todo: int
    in_progress: int
    done: int
    skipped: int

    @property
    def finished(self) -> int:
        return self.done + self.skipped

    @property
    def complete(self) -> bool:
        return self.finished == self.total


def item_id(batch_id: str, local_id: str) -> str:
    return f"{batch_id}/{local_id}"


def _item(row: tuple[Any, ...]) -> Item:
    return Item(
        id=row[0],
        batch=row[1],
        local_id=row[2],
        position=row[3],
        task=row[4],
        title=row[5],
        documents=tuple(json.loads(row[6])),
        prompt=row[7],
        page=row[8],
        status=row[9],
        skip_reason=row[10],
        updated_at=row[11],
        data=json.loads(row[12]),
    )


def _batch(row: tuple[Any, ...]) -> Batch:
    return Batch(*row)


def batch(ws: Workspace, batch_id: str) -> Batch | None:
    row = ws.db.execute(f"SELECT {_BATCH_COLUMNS} FROM batch WHERE id = ?", [batch_id]).fetchone()
    return None if row is None else _batch(row)


def batches(ws: Workspace) -> list[Batch]:
    """Every batch, the most recently imported first."""
    rows = ws.db.execute(f"SELECT {_BATCH_COLUMNS} FROM batch ORDER BY imported_at DESC").fetchall()
    return [_batch(r) for r in rows]


def require_batch(ws: Workspace, batch_id: str) -> Batch:
    found = batch(ws, batch_id)
    if found is None:
        known = ", ".join(b.id for b in batches(ws)) or "none"
        raise ItemError(f"no batch {batch_id!r} in this workspace (batches: {known})")
    return found


def batch_taxonomy(ws: Workspace, batch_id: str) -> Taxonomy:
    """The label set the batch brought (validated again: the row is data too)."""
    row = ws.db.execute("SELECT taxonomy FROM batch WHERE id = ?", [batch_id]).fetchone()
    if row is None:
        raise ItemError(f"no batch {batch_id!r} in this workspace")
    return load_taxonomy(json.loads(row[0]), origin=f"the taxonomy of batch {batch_id}")


def items(ws: Workspace, batch_id: str) -> list[Item]:
    rows = ws.db.execute(
        f"SELECT {_ITEM_COLUMNS} FROM item WHERE batch = ? ORDER BY position", [batch_id]
    ).fetchall()
    return [_item(r) for r in rows]


def item(ws: Workspace, item_id_: str) -> Item | None:
    row = ws.db.execute(f"SELECT {_ITEM_COLUMNS} FROM item WHERE id = ?", [item_id_]).fetchone()
    return None if row is None else _item(row)


def items_for_document(ws: Workspace, sha256: str) -> list[Item]:
    """Items that work on a document, those of the most recent batch first."""
    rows = ws.db.execute(
        f"SELECT {', '.join('i.' + c.strip() for c in _ITEM_COLUMNS.split(','))} "
        "FROM item_document d JOIN item i ON i.id = d.item JOIN batch b ON b.id = i.batch "
        "WHERE d.doc = ? ORDER BY b.imported_at DESC, i.position",
        [sha256],
    ).fetchall()
    return [_item(r) for r in rows]


def item_for_document(ws: Workspace, sha256: str, page: int | None = None) -> Item | None:
    """The item that annotations on this document belong to, if it is batch work.

    The most recent batch wins; among its items, one not yet finished, and
    for page items (``ocr``) the one for ``page`` when given.
    """
    found = items_for_document(ws, sha256)
    if not found:
        return None
    latest = [i for i in found if i.batch == found[0].batch]
    if page is not None:
        on_page = [i for i in latest if i.page == page]
        latest = on_page or latest
    open_ = [i for i in latest if i.status not in ("done", "skipped")]
    return (open_ or latest)[0]


def progress(ws: Workspace, batch_id: str) -> Progress:
    counts = Counter(
        r[0] for r in ws.db.execute("SELECT status FROM item WHERE batch = ?", [batch_id])
    )
    return Progress(
        total=sum(counts.values()),
        todo=counts["todo"],
        in_progress=counts["in_progress"],
        done=counts["done"],
        skipped=counts["skipped"],
    )


def unfinished(ws: Workspace, batch_id: str) -> list[Item]:
    """Items neither done nor skipped: what an export has to ask about."""
    return [i for i in items(ws, batch_id) if i.status in ("todo", "in_progress")]


def set_status(ws: Workspace, item_id_: str, status: str, *, reason: str = "") -> Item:
    """Move an item in the queue; skipping needs a reason (the lead reads it)."""
    if status not in STATUSES:
        raise ItemError(f"unknown status {status!r} (use {', '.join(STATUSES)})")
    reason = " ".join(reason.split())
    if status == "skipped" and not reason:
        raise ItemError("say why the item is skipped: the team lead reads the reason")
    with ws.transaction():
        current = item(ws, item_id_)
        if current is None:
            raise ItemError(f"no item {item_id_!r} in this workspace")
        new_reason = reason if status == "skipped" else ""
        if current.status == status and current.skip_reason == new_reason:
            return current
        stamp = now()
        ws.db.execute(
            "UPDATE item SET status = ?, skip_reason = ?, updated_at = ? WHERE id = ?",
            [status, new_reason, stamp, item_id_],
        )
        ws.log_event(
            "item.status",
            "item",
            item_id_,
            before={"status": current.status, "skip_reason": current.skip_reason},
            after={"status": status, "skip_reason": new_reason},
            at=stamp,
        )
    updated = item(ws, item_id_)
    assert updated is not None
    return updated


def start(ws: Workspace, item_id_: str) -> Item:
    """Opening an item that is still to do puts it in progress (nothing else changes)."""
    current = item(ws, item_id_)
    if current is None:
        raise ItemError(f"no item {item_id_!r} in this workspace")
    if current.status != "todo":
        return current
    return set_status(ws, item_id_, "in_progress")


def neighbour(ws: Workspace, item_id_: str, forward: bool) -> Item | None:
    """The next (or previous) item of the same batch in queue order."""
    current = item(ws, item_id_)
    if current is None:
        return None
    op, order = (">", "ASC") if forward else ("<", "DESC")
    row = ws.db.execute(
        f"SELECT {_ITEM_COLUMNS} FROM item WHERE batch = ? AND position {op} ? "
        f"ORDER BY position {order} LIMIT 1",
        [current.batch, current.position],
    ).fetchone()
    return None if row is None else _item(row)
