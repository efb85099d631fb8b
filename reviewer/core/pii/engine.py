"""Run every detector over a text, drop what suppressors rule out, resolve overlaps.

The one entry point of the PII engine: the GUI's "Scan for PII", ``reviewer
scan`` and ``benchmarks/pii_eval.py`` all call :func:`scan_text`, so what
the benchmark measures is what users get.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from functools import cache

from reviewer.core.pii.base import Detector, Span, Suggestion, Suppressor

#: Suggestions scoring below this are not shown unless asked for (``--min-score``).
DEFAULT_MIN_SCORE = 0.5

#: Modules that contribute detectors (``DETECTORS``) and suppressors (``SUPPRESSORS``).
_DETECTOR_MODULES = ("reviewer.core.pii.structured", "reviewer.core.pii.legal_prose")
_SUPPRESSOR_MODULES = ("reviewer.core.pii.suppress",)


@cache
def default_detectors() -> tuple[Detector, ...]:
    return tuple(d for m in _DETECTOR_MODULES for d in _members(m, "DETECTORS"))


@cache
def default_suppressors() -> tuple[Suppressor, ...]:
    return tuple(s for m in _SUPPRESSOR_MODULES for s in _members(m, "SUPPRESSORS"))


def _members(module: str, name: str) -> list:  # type: ignore[type-arg]
    return list(getattr(importlib.import_module(module), name))


def scan_text(
    text: str,
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    detectors: Sequence[Detector] | None = None,
    suppressors: Sequence[Suppressor] | None = None,
) -> list[Suggestion]:
    """Suggestions for ``text`` in reading order, none overlapping another."""
    found: list[Suggestion] = []
    for detector in default_detectors() if detectors is None else detectors:
        found.extend(s for s in detector.find(text) if s.score >= min_score and s.end > s.start)
    if not found:
        return []
    blocked = suppressed_spans(text, suppressors)
    kept = [s for s in found if not _inside_any(s, blocked)]
    return sorted(resolve_overlaps(kept), key=lambda s: (s.start, s.end))


def suppressed_spans(text: str, suppressors: Sequence[Suppressor] | None = None) -> list[Span]:
    chosen = default_suppressors() if suppressors is None else suppressors
    return sorted((span for s in chosen for span in s.spans(text)), key=lambda x: x.start)


def _inside_any(s: Suggestion, spans: list[Span]) -> bool:
    """True when ``s`` overlaps a suppressed span (a number inside a citation is not PII)."""
    return any(span.start < s.end and s.start < span.end for span in spans)


def resolve_overlaps(suggestions: Iterable[Suggestion]) -> list[Suggestion]:
    """Keep the best of overlapping suggestions: higher score, then longer, then earlier."""
    ranked = sorted(suggestions, key=lambda s: (-s.score, -(s.end - s.start), s.start))
    kept: list[Suggestion] = []
    for s in ranked:
        if all(s.end <= k.start or k.end <= s.start for k in kept):
            kept.append(s)
    return kept
