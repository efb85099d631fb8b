"""What every detector returns, and the interface they share.

A detector looks at one text (a page's extracted text, or a line of an
input file) and returns :class:`Suggestion` objects with character offsets
into that text, a label id from the ``pii`` taxonomy, a score in [0, 1] and
a reason a privacy annotator can check at a glance ("Luhn-valid card
number", "after 'Date of Birth:'"). Detectors are stateless and pure, so
they can run anywhere (GUI thread, worker, CLI) and be tested on strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Suggestion:
    """One proposed PII span in a text."""

    start: int
    end: int
    text: str
    label: str  # an id of the ``pii`` taxonomy (PERSON, SSN, ...)
    score: float
    detector: str  # the detector's name, e.g. "credit_card"
    reason: str

    def as_json(self) -> dict[str, object]:
        """The fields every ``reviewer scan`` line carries (a contract: keep the names)."""
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "label": self.label,
            "score": round(self.score, 3),
            "detector": self.detector,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Span:
    """A stretch of text that must not be suggested (a citation, a docket number)."""

    start: int
    end: int
    reason: str


class Detector(Protocol):
    """Finds one kind of PII (or a family of related kinds) in a text."""

    name: str

    def find(self, text: str) -> list[Suggestion]: ...


class Suppressor(Protocol):
    """Finds spans that look like PII but are not (citations, CM/ECF headers, dockets)."""

    name: str

    def spans(self, text: str) -> list[Span]: ...


def suggestion(
    text: str, start: int, end: int, label: str, score: float, detector: str, reason: str
) -> Suggestion:
    """A suggestion for ``text[start:end]`` (the quoted text is taken from ``text``)."""
    return Suggestion(start, end, text[start:end], label, score, detector, reason)
