"""Suggestions become proposed annotations, unless the document already answers them.

A suggestion is not proposed again where the document already has an
annotation over the same characters, whatever its state: accepted (done),
proposed (still to review) or rejected (the annotator said no, and a rescan
must not bring it back).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reviewer.core.annotations import new_id, taken_spans
from reviewer.core.model import Annotation
from reviewer.core.pii.pages import PageSuggestion

TAXONOMY = "pii"


def proposals(
    found: Iterable[PageSuggestion], existing: Sequence[Annotation], *, document: str, author: str
) -> list[Annotation]:
    """Proposed annotations for ``found`` that overlap no live annotation in ``existing``."""
    taken = taken_spans(existing)
    out: list[Annotation] = []
    for f in found:
        s = f.suggestion
        spans = taken.setdefault(f.page, [])
        if any(start < s.end and s.start < end for start, end in spans):
            continue
        spans.append((s.start, s.end))  # two scans' worth of one span are proposed once
        out.append(
            Annotation(
                id=new_id(),
                document=document,
                taxonomy=TAXONOMY,
                label=s.label,
                selector=f.selector,
                origin=f"suggested:{s.detector}",
                state="proposed",
                author=author,
                score=round(s.score, 3),
                reason=s.reason,
            )
        )
    return out
