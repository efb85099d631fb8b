"""What the current submissions say, in the shapes the statistics take.

Only each annotator's newest submission of a batch counts
(``merge.current_submissions``), only accepted annotations are spans (a
rejected suggestion is a decision *not* to mark), and a document counts as
covered by an annotator only when they finished (status ``done``) an item
holding it: silence on a document they skipped is not a "no".
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reviewer.core.lead.agreement import Choice, Span
from reviewer.core.lead.merge import Submission, current_submissions

if TYPE_CHECKING:
    from reviewer.core.store import Workspace


@dataclass(frozen=True)
class Scope:
    """The current submissions a figure is computed over (one batch, or all)."""

    submissions: tuple[Submission, ...]

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(s.id for s in self.submissions)

    @property
    def annotators(self) -> tuple[str, ...]:
        return tuple(sorted({s.annotator for s in self.submissions}))

    def annotator_of(self) -> dict[int, str]:
        return {s.id: s.annotator for s in self.submissions}

    def placeholders(self) -> str:
        return ",".join("?" * len(self.submissions)) or "NULL"


def scope(ws: Workspace, batch_id: str | None = None) -> Scope:
    return Scope(tuple(current_submissions(ws, batch_id)))


def _span(row: tuple[Any, ...], annotator: str) -> Span:
    sid, aid, doc, item, label, kind, p0, s0, p1, s1, box = row
    if kind == "area":
        rect = tuple(json.loads(box)) if box else (0.0, 0.0, 0.0, 0.0)
        return Span(f"{sid}/{aid}", annotator, doc, label, (p0, 0), (p0, 0), rect, item or "")
    return Span(f"{sid}/{aid}", annotator, doc, label, (p0, s0), (p1, s1), None, item or "")


_SPAN_COLUMNS = "submission, id, doc, item, label, kind, page_start, start, page_end, end, box"


def spans(ws: Workspace, where: Scope, *, document: str | None = None) -> list[Span]:
    """Accepted annotations of the scope's submissions (optionally of one document)."""
    who = where.annotator_of()
    if not who:
        return []
    sql = (
        f"SELECT {_SPAN_COLUMNS} FROM submitted_annotation WHERE state = 'accepted' "
        f"AND submission IN ({where.placeholders()})"
    )
    params: list[Any] = list(where.ids)
    if document is not None:
        sql += " AND doc = ?"
        params.append(document)
    return [_span(r, who[r[0]]) for r in ws.db.execute(sql, params)]


def finished_items(ws: Workspace, where: Scope) -> dict[str, dict[str, frozenset[str]]]:
    """annotator → item → the item's documents, for items the annotator marked done."""
    who = where.annotator_of()
    if not who:
        return {}
    rows = ws.db.execute(
        "SELECT s.submission, s.item, i.documents FROM submitted_item s JOIN item i "
        f"ON i.id = s.item WHERE s.status = 'done' AND s.submission IN ({where.placeholders()})",
        list(where.ids),
    )
    found: dict[str, dict[str, frozenset[str]]] = defaultdict(dict)
    for sid, item, documents in rows:
        found[who[sid]][item] = frozenset(json.loads(documents))
    return dict(found)


def coverage(ws: Workspace, where: Scope) -> dict[str, frozenset[str]]:
    """annotator → the documents of every item they finished."""
    return {
        annotator: frozenset(d for docs in items.values() for d in docs)
        for annotator, items in finished_items(ws, where).items()
    }


def _judgements(ws: Workspace, where: Scope, kind: str) -> Iterable[tuple[str, str, dict]]:  # type: ignore[type-arg]
    who = where.annotator_of()
    if not who:
        return []
    rows = ws.db.execute(
        "SELECT j.submission, j.item, j.record FROM submitted_judgement j JOIN submitted_item s "
        "ON s.submission = j.submission AND s.item = j.item WHERE s.status = 'done' AND "
        f"j.kind = ? AND j.submission IN ({where.placeholders()})",
        [kind, *where.ids],
    )
    return [(who[sid], item, json.loads(record)) for sid, item, record in rows]


def verdicts(ws: Workspace, where: Scope) -> dict[str, dict[str, str]]:
    """item → annotator → overall verdict of a finished review item."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for annotator, item, record in _judgements(ws, where, "review"):
        if record.get("verdict"):
            found[item][annotator] = record["verdict"]
    return dict(found)


def choices(ws: Workspace, where: Scope) -> list[Choice]:
    """Every finished compare judgement with a choice: what was shown, what won."""
    return [
        Choice(annotator, item, tuple(record["shown_order"]), record["choice"])
        for annotator, item, record in _judgements(ws, where, "compare")
        if record.get("choice")
    ]


def preferences(ws: Workspace, where: Scope) -> dict[str, dict[str, str]]:
    """item → annotator → the chosen draft (by SHA-256, so shuffled letters do not matter)."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for c in choices(ws, where):
        found[c.item][c.annotator] = c.chosen
    return dict(found)


def compare_records(ws: Workspace, where: Scope) -> list[tuple[str, str, dict[str, Any]]]:
    """(annotator, item, judgement record) of every finished compare item."""
    return list(_judgements(ws, where, "compare"))
