"""One document as the lead sees it: every annotator's spans, where they differ, decisions.

The merged view in the window draws this and steps through
``disagreements``; it holds no rules of its own. Everything comes from the
current submissions (see ``submitted``) of every batch holding the document.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reviewer.core.lead import gold, submitted
from reviewer.core.lead.agreement import Span
from reviewer.core.lead.disagreements import Disagreement, disagreements

if TYPE_CHECKING:
    from reviewer.core.store import Workspace

KIND_WORDS = {"missing": "not marked by all", "label": "labels differ", "extent": "extents differ"}


@dataclass(frozen=True)
class MergedDocument:
    document: str
    annotators: tuple[str, ...]  # everyone with a span here or who finished it
    covering: tuple[str, ...]  # who finished it (their silence means "nothing here")
    spans: tuple[Span, ...]
    details: dict[str, gold.SpanDetail]
    disagreements: tuple[Disagreement, ...]
    decided: dict[str, gold.Gold] = field(default_factory=dict)
    batch: str | None = None

    def by_annotator(self) -> dict[str, list[Span]]:
        found: dict[str, list[Span]] = defaultdict(list)
        for s in self.spans:
            found[s.annotator].append(s)
        return dict(found)

    def open_count(self) -> int:
        return sum(1 for d in self.disagreements if d.id not in self.decided)


def load(ws: Workspace, document: str, where: submitted.Scope | None = None) -> MergedDocument:
    """The document's merged state over ``where`` (default: every current submission)."""
    where = where or submitted.scope(ws)
    spans = submitted.spans(ws, where, document=document)
    coverage = submitted.coverage(ws, where)
    covering = tuple(sorted(a for a, docs in coverage.items() if document in docs))
    annotators = tuple(sorted({s.annotator for s in spans} | set(covering)))
    mine = [s for s in spans if s.annotator in covering]
    found = tuple(disagreements(mine, covering)) if len(covering) > 1 else ()
    batch_ids = {s.batch for s in where.submissions}
    batch = next(
        (
            r[0]
            for r in ws.db.execute(
                "SELECT i.batch FROM item_document d JOIN item i ON i.id = d.item WHERE d.doc = ?",
                [document],
            )
            if r[0] in batch_ids
        ),
        None,
    )
    return MergedDocument(
        document=document,
        annotators=annotators,
        covering=covering,
        spans=tuple(spans),
        details=_details(ws, spans),
        disagreements=found,
        decided=gold.decided(ws, [d.id for d in found]),
        batch=batch,
    )


def _details(ws: Workspace, spans: list[Span]) -> dict[str, gold.SpanDetail]:
    by_key = {s.key: s for s in spans}
    by_submission: dict[int, list[str]] = defaultdict(list)
    for s in spans:
        sid, _, aid = s.key.partition("/")
        by_submission[int(sid)].append(aid)
    found: dict[str, gold.SpanDetail] = {}
    for sid, ids in by_submission.items():
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            rows = ws.db.execute(
                "SELECT id, taxonomy, exact, quads, comment FROM submitted_annotation WHERE "
                f"submission = ? AND id IN ({','.join('?' * len(part))})",
                [sid, *part],
            )
            for aid, taxonomy, exact, quads, comment in rows:
                key = f"{sid}/{aid}"
                found[key] = gold.SpanDetail(
                    by_key[key], taxonomy, exact, json.loads(quads), comment
                )
    return found


def describe(d: Disagreement) -> str:
    """A one-line account for the list: where, how they differ, what the versions say."""
    labels = sorted({s.label for s in d.spans})
    how = ", ".join(KIND_WORDS[k] for k in ("label", "extent", "missing") if k in d.kinds)
    who = f"; no mark by {', '.join(d.missing)}" if d.missing else ""
    return f"p. {d.page + 1} · {' / '.join(labels)} · {how}{who}"
