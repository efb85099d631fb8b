"""The agreement figures of the current submissions, for ``reviewer lead agreement`` and
the window's dashboard (one computation, two presentations).

* spans: pairwise precision/recall/F1 per label with exact and overlap
  matching (``agreement.span_agreement``) on the documents both annotators
  finished;
* item-level labels: for each label, whether an annotator used it on an
  item ("yes"/"no"), and a review item's overall verdict: Cohen's kappa per
  annotator pair, Krippendorff's alpha over everyone (``krippendorff``
  package), and each annotator's mean kappa;
* preferences: which draft won a compare item (by SHA-256, so each
  reviewer's shuffled letters do not matter), the same statistics;
* position bias: how often the draft shown first won, against chance.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reviewer.core.lead import agreement, submitted
from reviewer.core.lead.agreement import CategoricalAgreement, PairAgreement, PositionBias

if TYPE_CHECKING:
    from reviewer.core.store import Workspace


@dataclass(frozen=True)
class AgreementReport:
    batch: str | None
    annotators: tuple[str, ...]
    documents: int
    spans: int
    pairs: list[PairAgreement]
    labels: dict[str, CategoricalAgreement]
    verdicts: CategoricalAgreement
    preferences: CategoricalAgreement
    bias: dict[str, PositionBias]
    seconds: float

    def as_json(self) -> dict[str, Any]:
        return {
            "batch": self.batch,
            "annotators": list(self.annotators),
            "documents": self.documents,
            "spans": self.spans,
            "span_agreement": [agreement.pair_json(p) for p in self.pairs],
            "span_f1_by_annotator": {
                who: {
                    "exact": _round(self.mean_f1(who, mode="exact")),
                    "overlap": _round(self.mean_f1(who, mode="overlap")),
                }
                for who in self.annotators
            },
            "item_labels": {
                label: agreement.categorical_json(c) for label, c in sorted(self.labels.items())
            },
            "verdicts": agreement.categorical_json(self.verdicts),
            "preferences": agreement.categorical_json(self.preferences),
            "position_bias": {who: agreement.bias_json(b) for who, b in sorted(self.bias.items())},
        }

    def mean_f1(self, annotator: str, *, mode: str = "overlap") -> float | None:
        """The annotator's mean pairwise F1 over all labels (``*``), for the dashboard."""
        found = [
            getattr(p, mode)[agreement.ALL].f1
            for p in self.pairs
            if annotator in (p.a, p.b) and agreement.ALL in getattr(p, mode)
        ]
        values = [f for f in found if f is not None]
        return sum(values) / len(values) if values else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def compute(ws: Workspace, batch: str | None = None) -> AgreementReport:
    started = time.perf_counter()
    where = submitted.scope(ws, batch)
    spans = submitted.spans(ws, where)
    coverage = submitted.coverage(ws, where)
    pairs = agreement.span_agreement(spans, coverage)
    items = submitted.finished_items(ws, where)
    labels = sorted({s.label for s in spans})
    presence = agreement.label_presence(spans, items, labels)
    per_label = {label: agreement.categorical_agreement(units) for label, units in presence.items()}
    choices = submitted.choices(ws, where)
    return AgreementReport(
        batch=batch,
        annotators=where.annotators,
        documents=len({d for docs in coverage.values() for d in docs}),
        spans=len(spans),
        pairs=pairs,
        labels=per_label,
        verdicts=agreement.categorical_agreement(submitted.verdicts(ws, where)),
        preferences=agreement.categorical_agreement(submitted.preferences(ws, where)),
        bias=agreement.position_bias(choices),
        seconds=time.perf_counter() - started,
    )


def f1_matrix(
    report: AgreementReport, *, label: str = agreement.ALL, mode: str = "overlap"
) -> dict[tuple[str, str], float | None]:
    """(a, b) → F1 for every pair in both orders (F1 is symmetric), for the heatmap."""
    found: dict[tuple[str, str], float | None] = {}
    for p in report.pairs:
        prf = getattr(p, mode).get(label)
        value = None if prf is None else prf.f1
        found[(p.a, p.b)] = found[(p.b, p.a)] = value
    return found


def f1_by_label(report: AgreementReport, *, mode: str = "overlap") -> dict[str, float | None]:
    """Each label's micro F1 over every pair (the bar chart): pooled counts, not a mean."""
    pooled: dict[str, agreement.PRF] = defaultdict(lambda: agreement.PRF(0, 0, 0))
    for p in report.pairs:
        for label, prf in getattr(p, mode).items():
            if label != agreement.ALL:
                pooled[label] = pooled[label].plus(prf)
    return {label: prf.f1 for label, prf in sorted(pooled.items())}
