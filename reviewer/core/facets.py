"""Counts over a document's live annotations, for the list's filters and its summary.

Kept up to date one annotation at a time (:meth:`Facets.count`) rather than
recomputed: with thousands of annotations on a document, a fresh count (in
Python or as SQL GROUP BYs) after every key press was the largest part of
the GUI's pause.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from reviewer.core.model import Annotation


@dataclass
class Facets:
    """How many live annotations have each label, state, first page and author."""

    labels: Counter[tuple[str, str]] = field(default_factory=Counter)  # (taxonomy, label)
    states: Counter[str] = field(default_factory=Counter)
    pages: Counter[int] = field(default_factory=Counter)
    authors: Counter[str] = field(default_factory=Counter)
    uncommented: Counter[tuple[str, str]] = field(default_factory=Counter)

    @classmethod
    def of(cls, annotations: Iterable[Annotation]) -> Facets:
        facets = cls()
        for annotation in annotations:
            facets.count(annotation)
        return facets

    @property
    def total(self) -> int:
        return self.states.total()

    def count(self, annotation: Annotation, sign: int = 1) -> None:
        """Add (``sign=1``) or remove (``sign=-1``) one live annotation; deleted ones never do."""
        if annotation.deleted:
            return
        label = (annotation.taxonomy, annotation.label)
        _bump(self.labels, label, sign)
        _bump(self.states, annotation.state, sign)
        _bump(self.pages, annotation.selector.page, sign)
        _bump(self.authors, annotation.author, sign)
        if not annotation.comment.strip():
            _bump(self.uncommented, label, sign)


def _bump(counter: Counter, key: object, sign: int) -> None:  # type: ignore[type-arg]
    """Change one count; a count that reaches zero disappears (no empty filter entries)."""
    value = counter[key] + sign
    if value > 0:
        counter[key] = value
    else:
        del counter[key]
