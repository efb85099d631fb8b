"""Adjudication: the lead's decision on each disagreement, stored as gold with provenance.

For each disagreement the lead **accepts** one annotator's version,
**merges** several (their union, under one label), **edits** (a label of the
lead's choosing over a version's extent) or **rejects** (nothing here is to
be marked). A decision is a ``gold`` row naming the disagreement, the spans
it was made from, every annotator involved (those who marked and those who
did not), who decided and when. Deciding again replaces the earlier
decision (its row is flagged deleted, never removed); undo and redo flip the
same flags, each change one transaction with its event. :class:`Decide` is
the pure command the window wraps in a ``QUndoCommand``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reviewer.core.errors import ReviewerError
from reviewer.core.lead.agreement import Span
from reviewer.core.lead.disagreements import Disagreement
from reviewer.core.store import now

if TYPE_CHECKING:
    from reviewer.core.store import Workspace

DECISIONS = ("accept", "merge", "edit", "reject")


class GoldError(ReviewerError):
    """A decision that cannot be made as asked (the message says why)."""


@dataclass(frozen=True)
class Gold:
    """One adjudicated decision (``kind`` ``none`` for a rejection)."""

    id: str
    document: str
    disagreement: str
    decision: str
    label: str
    kind: str
    start: tuple[int, int]
    end: tuple[int, int]
    box: tuple[float, ...] | None
    exact: str
    comment: str
    quads: dict[str, list[list[float]]]
    sources: tuple[str, ...]
    annotators: tuple[str, ...]
    decided_by: str
    decided_at: str
    item: str | None = None
    batch: str | None = None
    taxonomy: str = ""
    deleted: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "document": self.document,
            "disagreement": self.disagreement,
            "decision": self.decision,
            "label": self.label or None,
            "kind": self.kind,
            "page": self.start[0] + 1,
            "start": self.start[1],
            "end_page": self.end[0] + 1,
            "end": self.end[1],
            "box": list(self.box) if self.box else None,
            "exact": self.exact,
            "comment": self.comment,
            "sources": list(self.sources),
            "annotators": list(self.annotators),
            "decided_by": self.decided_by,
            "decided_at": self.decided_at,
            "item": self.item,
            "batch": self.batch,
        }


_COLUMNS = (
    "id, doc, disagreement, decision, label, kind, page_start, start, page_end, end, box, "
    "exact, comment, quads, sources, annotators, decided_by, decided_at, item, batch, taxonomy, "
    "deleted"
)


def _gold(row: tuple[Any, ...]) -> Gold:
    (gid, doc, dis, decision, label, kind, p0, s0, p1, s1, box, exact, comment, quads) = row[:14]
    sources, annotators, by, at, item, batch, taxonomy, deleted = row[14:]
    return Gold(
        gid,
        doc,
        dis,
        decision,
        label,
        kind,
        (p0, s0),
        (p1, s1),
        tuple(json.loads(box)) if box else None,
        exact,
        comment,
        json.loads(quads),
        tuple(json.loads(sources)),
        tuple(json.loads(annotators)),
        by,
        at,
        item,
        batch,
        taxonomy,
        bool(deleted),
    )


def get(ws: Workspace, gold_id: str) -> Gold | None:
    row = ws.db.execute(f"SELECT {_COLUMNS} FROM gold WHERE id = ?", [gold_id]).fetchone()
    return None if row is None else _gold(row)


def for_document(ws: Workspace, document: str) -> list[Gold]:
    rows = ws.db.execute(
        f"SELECT {_COLUMNS} FROM gold WHERE doc = ? AND deleted = 0 ORDER BY page_start, start, id",
        [document],
    ).fetchall()
    return [_gold(r) for r in rows]


def all_gold(ws: Workspace, *, batch: str | None = None) -> list[Gold]:
    where, params = ("AND batch = ?", [batch]) if batch else ("", [])
    rows = ws.db.execute(
        f"SELECT {_COLUMNS} FROM gold WHERE deleted = 0 {where} ORDER BY doc, page_start, start",
        params,
    ).fetchall()
    return [_gold(r) for r in rows]


def decided(ws: Workspace, disagreement_ids: Sequence[str]) -> dict[str, Gold]:
    """The live decision of each of these disagreements that has one."""
    found: dict[str, Gold] = {}
    ids = list(disagreement_ids)
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        rows = ws.db.execute(
            f"SELECT {_COLUMNS} FROM gold WHERE deleted = 0 AND disagreement IN "
            f"({','.join('?' * len(part))})",
            part,
        ).fetchall()
        for r in rows:
            g = _gold(r)
            found[g.disagreement] = g
    return found


# -- making a decision (pure: no store) --------------------------------------------------------


@dataclass(frozen=True)
class SpanDetail:
    """What the merged view knows of a span beyond the statistics' :class:`Span`."""

    span: Span
    taxonomy: str
    exact: str
    quads: dict[str, list[list[float]]]
    comment: str = ""


def make(
    d: Disagreement,
    decision: str,
    details: dict[str, SpanDetail],
    *,
    chosen: Sequence[str] = (),
    label: str | None = None,
    comment: str = "",
    decided_by: str,
    batch: str | None = None,
) -> Gold:
    """The gold row a decision on ``d`` makes; ``chosen`` are span keys of ``d``.

    accept: exactly one chosen span, its label unless ``label`` is given
    (then the decision is ``edit``). merge: two or more chosen spans of the
    same kind; the extent is their union, the label ``label`` or theirs if
    they agree. edit: one chosen span's extent under ``label``. reject: no
    span, nothing chosen.
    """
    if decision not in DECISIONS:
        raise GoldError(f"unknown decision {decision!r}")
    keys = {s.key for s in d.spans}
    stray = [c for c in chosen if c not in keys]
    if stray:
        raise GoldError("a chosen version is not part of this disagreement")
    picked = [details[c] for c in chosen]
    involved = sorted({s.annotator for s in d.spans} | set(d.missing))
    base: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "document": d.document,
        "disagreement": d.id,
        "decision": decision,
        "comment": comment,
        "sources": tuple(sorted(keys)),
        "annotators": tuple(involved),
        "decided_by": decided_by,
        "decided_at": now(),
        "item": next((s.item for s in d.spans if s.item), None),
        "batch": batch,
    }
    if decision == "reject":
        if chosen:
            raise GoldError("a rejection keeps no version")
        return Gold(
            label="",
            kind="none",
            start=d.start,
            end=d.end,
            box=None,
            exact="",
            quads={},
            **base,
        )
    if decision in ("accept", "edit") and len(picked) != 1:
        raise GoldError(f"{decision} takes exactly one version")
    if decision == "merge" and len(picked) < 2:
        raise GoldError("merge takes two or more versions")
    if decision == "edit" and not label:
        raise GoldError("an edit needs the label to give")
    kinds = {p.span.box is not None for p in picked}
    if len(kinds) > 1:
        raise GoldError("a text span and an area cannot be merged")
    labels = {p.span.label for p in picked}
    if label is None and len(labels) > 1:
        raise GoldError("the versions have different labels: choose the label to keep")
    if label is not None and label != picked[0].span.label and decision == "accept":
        base["decision"] = "edit"
    first = picked[0]
    if first.span.box is not None:
        boxes = [p.span.box for p in picked if p.span.box is not None]
        box: tuple[float, ...] | None = (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
        kind = "area"
    else:
        box, kind = None, "text"
    quads: dict[str, list[list[float]]] = {}
    for p in sorted(picked, key=lambda p: (p.span.start, p.span.end)):
        for page, qs in p.quads.items():
            quads.setdefault(page, []).extend(q for q in qs if q not in quads.get(page, []))
    ordered = sorted(picked, key=lambda p: (p.span.start, p.span.end))
    return Gold(
        label=label or first.span.label,
        kind=kind,
        start=min(p.span.start for p in picked),
        end=max(p.span.end for p in picked),
        box=box,
        exact=ordered[0].exact if len(ordered) == 1 else _union_text(ordered),
        quads=quads,
        taxonomy=first.taxonomy,
        **base,
    )


def _union_text(ordered: Sequence[SpanDetail]) -> str:
    """The merged quote: the longest version, else the versions joined (offsets may differ)."""
    longest = max(ordered, key=lambda p: len(p.exact))
    if all(p.exact in longest.exact for p in ordered):
        return longest.exact
    return " … ".join(dict.fromkeys(p.exact for p in ordered))


# -- storing (undoable) ---------------------------------------------------------------------------


def _insert(ws: Workspace, g: Gold) -> None:
    ws.db.execute(
        f"INSERT INTO gold ({_COLUMNS}) VALUES ({','.join('?' * 22)})",
        [
            g.id,
            g.document,
            g.disagreement,
            g.decision,
            g.label,
            g.kind,
            g.start[0],
            g.start[1],
            g.end[0],
            g.end[1],
            None if g.box is None else json.dumps(list(g.box)),
            g.exact,
            g.comment,
            json.dumps(g.quads, separators=(",", ":")),
            json.dumps(list(g.sources)),
            json.dumps(list(g.annotators)),
            g.decided_by,
            g.decided_at,
            g.item,
            g.batch,
            g.taxonomy,
            0,
        ],
    )


def _flag(ws: Workspace, gold_id: str, deleted: bool) -> None:
    ws.db.execute("UPDATE gold SET deleted = ? WHERE id = ?", [int(deleted), gold_id])


@dataclass
class Decide:
    """Store a decision, replacing the disagreement's earlier one; undo brings that back."""

    gold: Gold
    text: str = "Adjudicate"
    replaced: str | None = None
    stored: bool = False
    _events: list[int] = field(default_factory=list, repr=False)

    def apply(self, ws: Workspace) -> str:
        with ws.transaction():
            if not self.stored:
                row = ws.db.execute(
                    "SELECT id FROM gold WHERE disagreement = ? AND deleted = 0",
                    [self.gold.disagreement],
                ).fetchone()
                self.replaced = None if row is None else row[0]
            if self.replaced is not None:
                _flag(ws, self.replaced, True)
            if self.stored:
                _flag(ws, self.gold.id, False)
                kind = "gold.restored"
            else:
                _insert(ws, self.gold)
                kind = "gold.decided"
            ws.log_event(
                kind,
                "gold",
                self.gold.id,
                before=None if self.replaced is None else {"replaces": self.replaced},
                after=self.gold.as_json(),
            )
        self.stored = True
        return self.gold.document

    def revert(self, ws: Workspace) -> str:
        with ws.transaction():
            _flag(ws, self.gold.id, True)
            if self.replaced is not None:
                _flag(ws, self.replaced, False)
            ws.log_event(
                "gold.undone",
                "gold",
                self.gold.id,
                before={"decision": self.gold.decision},
                after=None if self.replaced is None else {"restores": self.replaced},
            )
        return self.gold.document


def decide(ws: Workspace, gold: Gold) -> Decide:
    """Store ``gold`` now (the command line and tests); the window pushes :class:`Decide`."""
    command = Decide(gold)
    command.apply(ws)
    return command
