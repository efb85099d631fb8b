"""Suggestions on a document's pages, anchored like any annotation.

Runs in the document worker next to the text it reads (no PyMuPDF here:
the worker hands over each page's ``PageText``). Each suggestion carries its
page, character offsets in that page's extracted text and the selector an
annotation needs (quads in PDF points, quote with prefix and suffix).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reviewer.core.anchors import offset_selector
from reviewer.core.model import PageText, Selector
from reviewer.core.pii.base import Suggestion
from reviewer.core.pii.engine import DEFAULT_MIN_SCORE, resolve_overlaps, scan_text
from reviewer.core.pii.propagate import known_values


@dataclass(frozen=True)
class PageSuggestion:
    """One suggestion on one page of a document."""

    page: int
    suggestion: Suggestion
    selector: Selector

    def as_json(self, file: str) -> dict[str, Any]:
        """The ``reviewer scan`` output line (a contract: keep the field names)."""
        quads = [q for seg in self.selector.segments for q in seg.quads]
        return {
            "file": file,
            "page": self.page + 1,
            **self.suggestion.as_json(),
            "quads": [[round(v, 2) for v in q] for q in quads],
        }


def scan_layer(
    layer: PageText,
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    detect: bool = True,
    known: Sequence[tuple[str, str]] = (),
) -> list[PageSuggestion]:
    """Suggestions on one page: the detectors' (if ``detect``) and ``known`` values' others."""
    found = scan_text(layer.text, min_score=min_score) if detect else []
    if known:
        found = resolve_overlaps([*found, *known_values(layer.text, known)])
        found.sort(key=lambda s: (s.start, s.end))
    return [
        PageSuggestion(layer.page, s, offset_selector(layer, s.start, s.end))
        for s in found
        if layer.text[s.start : s.end].strip()
    ]
