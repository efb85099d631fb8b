"""Facets: the counts behind the annotation list's filters stay right one change at a time."""

from __future__ import annotations

from dataclasses import replace

from reviewer.core.facets import Facets
from reviewer.core.model import Annotation, Selector


def _area(i: int, label: str, page: int, *, comment: str = "", author: str = "ann") -> Annotation:
    selector = Selector(kind="area", page=page, rect=(10.0, 10.0 + i, 50.0, 30.0 + i))
    return Annotation(f"a{i}", "d" * 64, "pii", label, selector, comment=comment, author=author)


def test_counts_match_a_fresh_count_after_each_change() -> None:
    live = {a.id: a for a in (_area(i, ("PERSON", "SSN")[i % 2], i % 3) for i in range(9))}
    facets = Facets.of(live.values())
    assert facets.labels == {("pii", "PERSON"): 5, ("pii", "SSN"): 4}
    assert facets.pages == {0: 3, 1: 3, 2: 3}
    assert facets.total == 9

    def change(before: Annotation, after: Annotation | None) -> None:
        facets.count(before, -1)
        del live[before.id]
        if after is not None:
            facets.count(after)
            live[after.id] = after
        assert facets == Facets.of(live.values())

    change(live["a1"], replace(live["a1"], label="PERSON", comment="why"))
    change(live["a2"], replace(live["a2"], author="lead", state="rejected"))
    for i in (0, 3, 6):  # every annotation on the first page goes
        change(live[f"a{i}"], None)
    assert 0 not in facets.pages  # no empty "page 1" entry left in the filter
    assert facets.uncommented[("pii", "PERSON")] == 3
    assert facets.total == 6


def test_deleted_annotations_are_not_counted() -> None:
    facets = Facets.of([replace(_area(1, "SSN", 0), deleted=True), _area(2, "SSN", 0)])
    assert facets.labels == {("pii", "SSN"): 1}
    assert facets.total == 1
