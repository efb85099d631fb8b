"""Disagreements: the clusters the lead steps through, and only those."""

from __future__ import annotations

import hashlib
import random

import pytest

from reviewer.core.lead.agreement import Span
from reviewer.core.lead.disagreements import KINDS, Disagreement, disagreements, summary


def _span(key: str, label: str, start: int, end: int, *, page: int = 0) -> Span:
    """A text span; the annotator is the key's part before the slash."""
    return Span(key, key.split("/")[0], "doc", label, (page, start), (page, end))


def _area(key: str, label: str, box: tuple[float, float, float, float]) -> Span:
    return Span(key, key.split("/")[0], "doc", label, (0, 0), (0, 0), box)


def test_full_agreement_produces_nothing() -> None:
    spans = [
        _span("A/1", "PERSON", 0, 5),
        _span("B/1", "PERSON", 0, 5),
        _span("A/2", "ORG", 10, 20),
        _span("B/2", "ORG", 10, 20),
    ]
    assert disagreements(spans, ["A", "B"]) == []


def test_missing() -> None:
    spans = [_span("A/1", "PERSON", 0, 5), _span("B/1", "PERSON", 0, 5), _span("A/2", "X", 8, 9)]
    [found] = disagreements(spans, ["B", "A"])
    assert found.kinds == frozenset({"missing"})
    assert found.missing == ("B",)
    assert (found.start, found.end, found.page) == ((0, 8), (0, 9), 0)
    # A and B agree on [0, 5), but C finished the document too and marked nothing.
    first, second = disagreements(spans, ["B", "A", "C"])
    assert (first.missing, second.missing) == (("C",), ("B", "C"))


def test_label() -> None:
    [found] = disagreements([_span("A/1", "PERSON", 0, 5), _span("B/1", "ORG", 0, 5)], "AB")
    assert found.kinds == frozenset({"label"})
    assert found.missing == ()


def test_extent() -> None:
    [found] = disagreements([_span("A/1", "PERSON", 0, 5), _span("B/1", "PERSON", 2, 9)], "AB")
    assert found.kinds == frozenset({"extent"})
    assert (found.start, found.end) == ((0, 0), (0, 9))  # the union of the cluster


def test_combined_kinds_and_span_order() -> None:
    spans = [_span("B/1", "ORG", 5, 15), _span("A/1", "PERSON", 0, 10)]
    [found] = disagreements(spans, ["A", "B", "C"])
    assert found.kinds == frozenset({"missing", "label", "extent"})
    assert found.missing == ("C",)
    assert [s.key for s in found.spans] == ["A/1", "B/1"]  # by (start, end, annotator, key)
    assert summary([found]) == {"missing": 1, "label": 1, "extent": 1}


def test_clusters_are_overlap_components() -> None:
    # A [0,5) - B [4,10) - A [9,12) chain into one cluster; B [12,14) only touches A's end.
    spans = [
        _span("A/1", "X", 0, 5),
        _span("B/1", "X", 4, 10),
        _span("A/2", "X", 9, 12),
        _span("B/2", "X", 12, 14),
    ]
    found = disagreements(spans, ["A", "B"])
    assert [[s.key for s in d.spans] for d in found] == [["A/1", "B/1", "A/2"], ["B/2"]]
    assert found[0].kinds == frozenset({"extent"})
    assert found[1].kinds == frozenset({"missing"})
    assert found[1].missing == ("A",)


def test_two_spans_by_one_annotator_against_one() -> None:
    split = [_span("A/1", "X", 0, 5), _span("A/2", "X", 3, 8), _span("B/1", "X", 0, 8)]
    [found] = disagreements(split, ["A", "B"])
    assert found.kinds == frozenset({"extent"})
    # The same passage marked twice, identically: a one-to-one matching leaves one over.
    twice = [_span("A/1", "X", 0, 5), _span("A/2", "X", 0, 5), _span("B/1", "X", 0, 5)]
    [found] = disagreements(twice, ["A", "B"])
    assert found.kinds == frozenset({"missing"})
    assert found.missing == ()


def test_spans_across_pages_cluster() -> None:
    a = Span("A/1", "A", "doc", "X", (0, 90), (1, 5))
    b = Span("B/1", "B", "doc", "X", (1, 0), (1, 5))
    [found] = disagreements([a, b], ["A", "B"])
    assert (found.start, found.end, found.page) == ((0, 90), (1, 5), 0)
    # Same offsets on another page are another place entirely.
    assert disagreements([_span("A/1", "X", 0, 5), _span("B/1", "X", 0, 5, page=1)], "AB") != []


def test_areas() -> None:
    box = (10.0, 10.0, 50.0, 30.0)
    close = (11.0, 9.0, 51.5, 31.0)  # within 2 points: the same area
    assert disagreements([_area("A/1", "SIG", box), _area("B/1", "SIG", close)], "AB") == []
    shifted = (30.0, 20.0, 70.0, 40.0)  # intersects, but is not the same area
    [found] = disagreements([_area("A/1", "SIG", box), _area("B/1", "SIG", shifted)], "AB")
    assert found.kinds == frozenset({"extent"})
    apart = (60.0, 10.0, 90.0, 30.0)
    found = disagreements([_area("B/1", "SIG", apart), _area("A/1", "SIG", box)], "AB")
    assert [d.missing for d in found] == [("B",), ("A",)]  # left to right on the page
    # A text span at the area's position is never in the area's cluster.
    found = disagreements([_area("A/1", "SIG", box), _span("B/1", "SIG", 0, 5)], "AB")
    assert sorted(d.missing for d in found) == [("A",), ("B",)]


def test_area_extent_checks_every_pair() -> None:
    # 0..10 vs 1.5..11.5 vs 3..13: neighbours are within 2 points, the ends are not.
    spans = [
        _area("A/1", "SIG", (0.0, 0.0, 10.0, 10.0)),
        _area("B/1", "SIG", (1.5, 0.0, 11.5, 10.0)),
        _area("C/1", "SIG", (3.0, 0.0, 13.0, 10.0)),
    ]
    [found] = disagreements(spans, "ABC")
    assert found.kinds == frozenset({"extent"})


def test_only_covering_annotators_count() -> None:
    spans = [_span("A/1", "X", 0, 5), _span("B/1", "X", 0, 5), _span("C/1", "Y", 0, 9)]
    assert disagreements(spans, ["A", "B"]) == []  # C never finished: not an opinion
    assert disagreements(spans, ["A"]) == []  # alone: nothing to compare
    assert disagreements([], ["A", "B"]) == []


def test_one_document_only() -> None:
    other = Span("B/1", "B", "other", "X", (0, 0), (0, 5))
    with pytest.raises(ValueError, match="per document"):
        disagreements([_span("A/1", "X", 0, 5), other], ["A", "B"])


def test_ids_are_stable_and_sorted_output() -> None:
    spans = [
        _span("A/1", "X", 30, 35),
        _span("B/1", "Y", 30, 35),
        _span("A/2", "X", 0, 5),
        _span("B/2", "X", 1, 5),
    ]
    found = disagreements(spans, ["A", "B"])
    assert [d.start for d in found] == [(0, 0), (0, 30)]
    expected = hashlib.sha1(b"doc\nA/2\nB/2", usedforsecurity=False).hexdigest()[:16]
    assert found[0].id == expected
    assert len({d.id for d in found}) == 2
    shuffled = list(spans)
    random.Random(1).shuffle(shuffled)
    again = disagreements(shuffled, ["B", "A"])
    assert again == found
    assert [d.id for d in again] == [d.id for d in found]


def test_summary_lists_every_kind() -> None:
    assert summary([]) == dict.fromkeys(KINDS, 0)
    spans = [
        _span("A/1", "X", 0, 5),  # missing (B)
        _span("A/2", "X", 10, 15),
        _span("B/2", "Y", 10, 15),  # label
        _span("A/3", "X", 20, 25),
        _span("B/3", "Y", 21, 25),  # label + extent
    ]
    found = disagreements(spans, ["A", "B"])
    assert all(isinstance(d, Disagreement) for d in found)
    assert summary(found) == {"missing": 1, "label": 2, "extent": 1}
