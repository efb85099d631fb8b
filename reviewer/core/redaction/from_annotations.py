"""What an export redacts: the document's accepted PII annotations and areas.

A suggestion still proposed, or one rejected, is never redacted; neither is
an annotation of another taxonomy (an error label on a draft is not PII).
The text of each accepted annotation also becomes a term, so every other
occurrence of the same name or number goes too and the verifier searches
the output for it.
"""

from __future__ import annotations

from collections.abc import Iterable

from reviewer.core.model import Annotation
from reviewer.core.redaction.plan import RedactionBox, RedactionPlan

PII_TAXONOMY = "pii"
#: Shorter strings are not searched document-wide ("J." would take every initial).
MIN_TERM_LENGTH = 3


def plan_from_annotations(annotations: Iterable[Annotation]) -> RedactionPlan:
    boxes: list[RedactionBox] = []
    terms: list[str] = []
    for a in annotations:
        if a.taxonomy != PII_TAXONOMY or a.state != "accepted" or a.deleted:
            continue
        selector = a.selector
        if selector.kind == "area" and selector.rect is not None:
            boxes.append(RedactionBox(selector.page, selector.rect, a.label))
            continue
        for seg in selector.segments:
            for q in seg.quads:
                xs, ys = q[0::2], q[1::2]
                boxes.append(RedactionBox(seg.page, (min(xs), min(ys), max(xs), max(ys)), a.label))
        exact = " ".join(selector.exact.split())
        if len(exact) >= MIN_TERM_LENGTH:
            terms.append(exact)
    return RedactionPlan(boxes=tuple(boxes), terms=tuple(dict.fromkeys(terms)))
