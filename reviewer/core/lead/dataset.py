"""Datasets the lead ships: JSON Lines for training and a CSV summary per annotator.

* ``pii-spans``: one line per document with its resolved spans: what every
  annotator who finished it agreed on, plus the lead's gold decisions
  (rejections drop the passage). Disagreements not yet decided are left out
  and counted, never guessed.
* ``errors``: one line per error annotation (every taxonomy but ``pii``)
  with its comment, severity, quote, item and annotator.
* ``preferences``: one line per (chosen, rejected) pair of a compare item:
  ``{prompt, chosen, rejected, rationale, evidence, annotator}``, the drafts'
  text included, ready for reward-model training; a full ranking gives
  every ordered pair.
* ``w3c``: every accepted annotation as the annotator submitted it (W3C Web
  Annotation, one per line), plus each gold decision as an annotation
  created by the lead.

Text of documents comes from a ``text_of(sha256) -> [page texts]`` callable
(the command line reads it with a document worker), so nothing here opens a
PDF.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any

from reviewer import __version__
from reviewer.core import batches
from reviewer.core.lead import gold as gold_store
from reviewer.core.lead import merged, submitted
from reviewer.core.lead.agreement import Position
from reviewer.core.lead.disagreements import Disagreement
from reviewer.core.lead.submitted import Scope

if TYPE_CHECKING:
    from reviewer.core.store import Workspace

FORMATS = ("pii-spans", "errors", "preferences", "w3c")
TextOf = Callable[[str], Sequence[str]]


@dataclass
class ExportResult:
    """What was written: lines, and what was left out and why."""

    lines: int = 0
    undecided: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Resolved:
    """One document's spans after adjudication, its open disagreements, and what they
    were resolved from."""

    spans: list[dict[str, Any]]
    open: list[Disagreement]
    source: merged.MergedDocument


def document_spans(ws: Workspace, where: Scope, document: str) -> Resolved:
    """Agreed spans plus gold decisions of one document; undecided disagreements apart."""
    doc = merged.load(ws, document, where)
    covering = set(doc.covering)
    in_dispute = {s.key for d in doc.disagreements for s in d.spans}
    agreed: dict[tuple[Any, ...], dict[str, Any]] = {}
    for s in doc.spans:
        if s.key in in_dispute or s.annotator not in covering:
            continue
        key = (s.label, s.start, s.end, s.box)
        detail = doc.details.get(s.key)
        entry = agreed.setdefault(
            key,
            {
                **_place(s.start, s.end, s.box),
                "label": s.label,
                "exact": detail.exact if detail else "",
                "source": "agreed" if len(covering) > 1 else "single",
                "annotators": [],
            },
        )
        entry["annotators"].append(s.annotator)
    spans = list(agreed.values())
    for g in doc.decided.values():
        if g.decision == "reject":
            continue
        spans.append(
            {
                **_place(g.start, g.end, g.box),
                "label": g.label,
                "exact": g.exact,
                "source": "gold",
                "decision": g.decision,
                "annotators": list(g.annotators),
                "decided_by": g.decided_by,
                "decided_at": g.decided_at,
            }
        )
    spans.sort(key=lambda e: (e["page"], e["start"], e["end_page"], e["end"], e["label"]))
    return Resolved(spans, [d for d in doc.disagreements if d.id not in doc.decided], doc)


def _place(start: Position, end: Position, box: Sequence[float] | None) -> dict[str, Any]:
    return {
        "page": start[0] + 1,
        "start": start[1],
        "end_page": end[0] + 1,
        "end": end[1],
        "box": list(box) if box else None,
    }


def _documents(ws: Workspace, where: Scope) -> list[str]:
    return sorted({d for docs in submitted.coverage(ws, where).values() for d in docs})


def pii_spans(ws: Workspace, where: Scope) -> Iterator[dict[str, Any]]:
    for sha in _documents(ws, where):
        doc = ws.document(sha)
        resolved = document_spans(ws, where, sha)
        yield {
            "document": sha,
            "name": doc.original_name if doc else "",
            "spans": resolved.spans,
            "undecided": len(resolved.open),
        }


def errors(ws: Workspace, where: Scope) -> Iterator[dict[str, Any]]:
    who = where.annotator_of()
    if not who:
        return
    rows = ws.db.execute(
        "SELECT submission, id, doc, item, taxonomy, label, severity, comment, exact, "
        "page_start, start, page_end, end FROM submitted_annotation WHERE state = 'accepted' "
        f"AND taxonomy != 'pii' AND submission IN ({where.placeholders()}) "
        "ORDER BY doc, page_start, start, submission",
        list(where.ids),
    )
    for sid, aid, doc, item, taxonomy, label, severity, comment, exact, p0, s0, p1, s1 in rows:
        yield {
            "id": aid,
            "document": doc,
            "item": item,
            "annotator": who[sid],
            "taxonomy": taxonomy,
            "label": label,
            "severity": severity,
            "comment": comment,
            "exact": exact,
            "page": p0 + 1,
            "start": s0,
            "end_page": p1 + 1,
            "end": s1,
        }


def preferences(ws: Workspace, where: Scope, text_of: TextOf) -> Iterator[dict[str, Any]]:
    texts: dict[str, str] = {}

    def text(sha: str) -> str:
        if sha not in texts:
            texts[sha] = "\n\n".join(text_of(sha)).strip()
        return texts[sha]

    for annotator, item_id, record in submitted.compare_records(ws, where):
        if not record.get("choice"):
            continue
        item = batches.item(ws, item_id)
        order = record["ranking"] or [record["choice"]]
        shown = record["shown_order"]
        if record["ranking"]:
            pairs = list(combinations(order, 2))
        else:
            pairs = [(record["choice"], d) for d in shown if d != record["choice"]]
        for chosen, rejected in pairs:
            yield {
                "prompt": item.prompt if item else "",
                "chosen": text(chosen),
                "rejected": text(rejected),
                "rationale": record["rationale"],
                "evidence": record["evidence"],
                "annotator": annotator,
                "item": item.local_id if item else item_id,
                "chosen_document": chosen,
                "rejected_document": rejected,
                "shown_order": shown,
                "ratings": record.get("ratings", {}),
            }


def w3c(ws: Workspace, where: Scope) -> Iterator[dict[str, Any]]:
    if where.ids:
        rows = ws.db.execute(
            "SELECT record FROM submitted_annotation WHERE state = 'accepted' AND submission IN "
            f"({where.placeholders()}) ORDER BY doc, page_start, start, submission",
            list(where.ids),
        )
        for (record,) in rows:
            yield json.loads(record)
    batch_ids = {s.batch for s in where.submissions}
    for g in gold_store.all_gold(ws):
        if g.decision == "reject" or (g.batch and g.batch not in batch_ids):
            continue
        yield _gold_w3c(g)


def _gold_w3c(g: gold_store.Gold) -> dict[str, Any]:
    selectors: list[dict[str, Any]] = [
        {
            "type": "FragmentSelector",
            "conformsTo": "http://tools.ietf.org/rfc/rfc3778",
            "value": f"page={g.start[0] + 1}",
        }
    ]
    if g.kind == "area" and g.box:
        x0, y0, x1, y1 = g.box
        selectors.append(
            {
                "type": "FragmentSelector",
                "conformsTo": "http://www.w3.org/TR/media-frags/",
                "value": f"xywh=pt:{x0:g},{y0:g},{x1 - x0:g},{y1 - y0:g}",
            }
        )
    else:
        selectors.append({"type": "TextQuoteSelector", "exact": g.exact})
        if g.start[0] == g.end[0]:
            selectors.append({"type": "TextPositionSelector", "start": g.start[1], "end": g.end[1]})
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": f"urn:uuid:{g.id}",
        "type": "Annotation",
        "motivation": "tagging",
        "created": g.decided_at,
        "creator": {"type": "Person", "name": g.decided_by},
        "generator": {"type": "Software", "name": "reviewer", "reviewer:version": __version__},
        "reviewer:state": "accepted",
        "reviewer:origin": f"gold:{g.decision}",
        "reviewer:annotators": list(g.annotators),
        "body": [
            {
                "type": "TextualBody",
                "purpose": "tagging",
                "value": g.label,
                "reviewer:taxonomy": g.taxonomy,
            }
        ],
        "target": {
            "type": "SpecificResource",
            "source": f"urn:sha256:{g.document}",
            "selector": selectors,
        },
    }


def export_lines(
    ws: Workspace, fmt: str, where: Scope, text_of: TextOf | None = None
) -> tuple[list[str], ExportResult]:
    """The JSON Lines of ``fmt`` (nothing written yet: the caller writes atomically)."""
    result = ExportResult()
    if fmt == "pii-spans":
        records: Iterator[dict[str, Any]] = pii_spans(ws, where)
    elif fmt == "errors":
        records = errors(ws, where)
    elif fmt == "preferences":
        if text_of is None:
            raise ValueError("preferences need the drafts' text")
        records = preferences(ws, where, text_of)
    elif fmt == "w3c":
        records = w3c(ws, where)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    lines = []
    for record in records:
        result.undecided += int(record.get("undecided", 0)) if fmt == "pii-spans" else 0
        lines.append(json.dumps(record, ensure_ascii=False, sort_keys=True))
    result.lines = len(lines)
    if result.undecided:
        result.notes.append(
            f"{result.undecided} disagreements are not decided yet; their spans are left out"
        )
    return lines, result


def summary_csv(rows: Sequence[dict[str, Any]]) -> str:
    """The per-annotator summary (``dashboard.annotator_rows``) as CSV text."""
    header = list(rows[0]) if rows else ["annotator"]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(row[h]) for h in header])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value == value else ""
    text = str(value)
    # A spreadsheet would run a cell starting with these as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
