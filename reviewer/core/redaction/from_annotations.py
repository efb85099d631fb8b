"""What an export redacts: the document's accepted PII annotations and areas.

A suggestion still proposed, or one rejected, is never redacted; neither is
an annotation of another taxonomy (an error label on a draft is not PII).
The text of each accepted annotation also becomes a term, so every other
occurrence of the same name or number goes too and the verifier searches
the output for it. The window reads annotations from the store, the
command line from a W3C export: both go through :func:`_plan`, so they
redact alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reviewer.core.anchors import quad_to_box
from reviewer.core.interchange import ParsedAnnotation
from reviewer.core.model import Annotation, Box, Quad
from reviewer.core.redaction.plan import RedactionBox, RedactionPlan

PII_TAXONOMY = "pii"
#: Shorter strings are not searched document-wide ("J." would take every initial).
MIN_TERM_LENGTH = 3

#: One place of an annotation: (page, quads of its text, or the area's rectangle).
_Place = tuple[int, Sequence[Quad], Box | None]


def plan_from_annotations(annotations: Iterable[Annotation]) -> RedactionPlan:
    """The plan of annotations from the workspace (deleted ones are left out)."""
    return _plan(
        (
            a.label,
            [(seg.page, seg.quads, None) for seg in a.selector.segments]
            or [(a.selector.page, (), a.selector.rect)],
            [a.selector.exact],
        )
        for a in annotations
        if a.taxonomy == PII_TAXONOMY and a.state == "accepted" and not a.deleted
    )


def plan_from_parsed(annotations: Iterable[ParsedAnnotation]) -> RedactionPlan:
    """The plan of annotations read from a W3C export (``reviewer redact --annotations``)."""
    return _plan(
        (
            a.label,
            [(t.page, t.quads or (), t.rect) for t in a.targets if t.page is not None],
            [t.exact for t in a.targets if t.exact],
        )
        for a in annotations
        if a.taxonomy == PII_TAXONOMY and a.state == "accepted"
    )


def _plan(accepted: Iterable[tuple[str, list[_Place], list[str]]]) -> RedactionPlan:
    boxes: list[RedactionBox] = []
    terms: list[str] = []
    for label, places, texts in accepted:
        for page, quads, rect in places:
            if rect is not None:
                boxes.append(RedactionBox(page, rect, label))
            boxes.extend(RedactionBox(page, quad_to_box(q), label) for q in quads)
        for text in texts:
            exact = " ".join(text.split())
            if len(exact) >= MIN_TERM_LENGTH:
                terms.append(exact)
    return RedactionPlan(boxes=tuple(boxes), terms=tuple(dict.fromkeys(terms)))
