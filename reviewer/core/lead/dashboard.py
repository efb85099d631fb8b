"""Per-annotator and per-batch figures for the lead's dashboard and the CSV summary.

* items per hour: finished items over billed hours (the timesheet's active
  time; idle time was never billed, so it never counts);
* agreement: the annotator's mean pairwise span F1 (overlap matching) and
  mean Cohen's kappa over item-level labels;
* agreement with gold: span F1 of the annotator against the resolved spans
  (agreed + adjudicated) of documents where the lead decided something;
* rejected suggestions: the share of machine suggestions the annotator
  rejected (a very low share may mean suggestions are accepted unread).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from reviewer.core import batches
from reviewer.core.lead import agreement, dataset, submitted
from reviewer.core.lead.agreement import Span
from reviewer.core.lead.report import AgreementReport

if TYPE_CHECKING:
    from reviewer.core.store import Workspace

GOLD = "gold"


def annotator_rows(
    ws: Workspace, report: AgreementReport, batch: str | None = None
) -> list[dict[str, Any]]:
    where = submitted.scope(ws, batch)
    who = where.annotator_of()
    stats: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    names: dict[str, str] = {}
    for s in where.submissions:
        names[s.annotator] = s.annotator_name
        stats[s.annotator]["submissions"] += 1
    if who:
        rows = ws.db.execute(
            "SELECT submission, status, active_seconds FROM submitted_item WHERE submission IN "
            f"({where.placeholders()})",
            list(where.ids),
        )
        for sid, status, seconds in rows:
            entry = stats[who[sid]]
            entry[status] += 1
            entry["seconds"] += seconds
        rows = ws.db.execute(
            "SELECT submission, state, count(*) FROM submitted_annotation WHERE origin LIKE "
            f"'suggested:%' AND submission IN ({where.placeholders()}) GROUP BY submission, state",
            list(where.ids),
        )
        for sid, state, count in rows:
            stats[who[sid]][f"suggested_{state}"] += count
    with_gold = gold_agreement(ws, batch)
    found = []
    for annotator in sorted(stats):
        entry = stats[annotator]
        hours = entry["seconds"] / 3600
        suggested = sum(entry[f"suggested_{s}"] for s in ("accepted", "rejected", "proposed"))
        kappas = [
            k for c in report.labels.values() if (k := c.per_annotator.get(annotator)) is not None
        ]
        found.append(
            {
                "annotator": annotator,
                "name": names.get(annotator, ""),
                "submissions": int(entry["submissions"]),
                "items_done": int(entry["done"]),
                "items_skipped": int(entry["skipped"]),
                "hours": round(hours, 3),
                "items_per_hour": round(entry["done"] / hours, 2) if hours > 0 else None,
                "mean_span_f1": _round(report.mean_f1(annotator)),
                "mean_label_kappa": _round(sum(kappas) / len(kappas)) if kappas else None,
                "gold_f1": _round(with_gold.get(annotator)),
                "suggestions": int(suggested),
                "rejected_share": _round(entry["suggested_rejected"] / suggested)
                if suggested
                else None,
            }
        )
    return found


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def gold_agreement(ws: Workspace, batch: str | None = None) -> dict[str, float | None]:
    """annotator → span F1 (overlap) against the resolved spans, where the lead decided."""
    where = submitted.scope(ws, batch)
    decided_docs = {
        r[0] for r in ws.db.execute("SELECT DISTINCT doc FROM gold WHERE deleted = 0").fetchall()
    }
    coverage = submitted.coverage(ws, where)
    documents = sorted(decided_docs & {d for docs in coverage.values() for d in docs})
    if not documents:
        return {}
    spans: list[Span] = []
    for doc in documents:
        resolved = dataset.document_spans(ws, where, doc)
        spans.extend(resolved.source.spans)
        for n, e in enumerate(resolved.spans):
            box = tuple(e["box"]) if e["box"] else None
            start = (e["page"] - 1, 0 if box else e["start"])
            end = (e["end_page"] - 1, 0 if box else e["end"])
            spans.append(Span(f"gold/{doc}/{n}", GOLD, doc, e["label"], start, end, box))
    cover = {a: frozenset(docs) & frozenset(documents) for a, docs in coverage.items()}
    cover[GOLD] = frozenset(documents)
    found: dict[str, float | None] = {}
    for pair in agreement.span_agreement(spans, cover):
        other = pair.b if pair.a == GOLD else pair.a if pair.b == GOLD else None
        if other is not None:
            total = pair.overlap.get(agreement.ALL)
            found[other] = None if total is None else total.f1
    return found


def batch_progress(ws: Workspace) -> list[dict[str, Any]]:
    """Per batch: items, submissions, and how many items each annotator finished."""
    found = []
    for b in batches.batches(ws):
        where = submitted.scope(ws, b.id)
        items = batches.items(ws, b.id)
        finished = submitted.finished_items(ws, where)
        found.append(
            {
                "batch": b.id,
                "name": b.name,
                "task": b.task,
                "items": len(items),
                "submissions": len(where.submissions),
                "annotators": {a: len(done) for a, done in sorted(finished.items())},
                "partial": sum(1 for s in where.submissions if s.partial),
            }
        )
    return found
