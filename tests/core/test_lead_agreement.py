"""Agreement figures checked against values worked out by hand on small cases."""

from __future__ import annotations

import math
import random

import pytest

from reviewer.core.lead.agreement import (
    PRF,
    Choice,
    PairAgreement,
    Position,
    Span,
    bias_json,
    categorical_agreement,
    categorical_json,
    cohen_kappa,
    krippendorff_alpha,
    label_presence,
    match_count,
    pair_json,
    position_bias,
    span_agreement,
)

_counter = iter(range(1_000_000))


def _span(
    annotator: str,
    label: str,
    start: int | Position,
    end: int | Position,
    *,
    document: str = "d1",
    item: str = "",
) -> Span:
    """A text span; plain ints are offsets on page 0."""
    s = start if isinstance(start, tuple) else (0, start)
    e = end if isinstance(end, tuple) else (0, end)
    return Span(f"{annotator}/{next(_counter)}", annotator, document, label, s, e, item=item)


def _area(
    annotator: str, label: str, box: tuple[float, float, float, float], *, page: int = 0
) -> Span:
    return Span(f"{annotator}/{next(_counter)}", annotator, "d1", label, (page, 0), (page, 0), box)


def _figures(prf: PRF) -> tuple[float | None, float | None, float | None]:
    return (prf.precision, prf.recall, prf.f1)


def _approx(*values: float | None) -> tuple[object, ...]:
    return tuple(None if v is None else pytest.approx(v) for v in values)


# -- PRF --------------------------------------------------------------------------------


def test_prf_ratios_and_undefined_cases() -> None:
    assert _figures(PRF(2, 3, 4)) == _approx(0.5, 2 / 3, 4 / 7)
    assert _figures(PRF(0, 0, 0)) == (None, None, None)  # nothing to find, nothing found
    assert _figures(PRF(0, 2, 0)) == (None, 0.0, 0.0)  # found nothing: precision undefined
    assert _figures(PRF(0, 0, 3)) == (0.0, None, 0.0)
    assert PRF(1, 2, 3).plus(PRF(4, 5, 6)) == PRF(5, 7, 9)


# -- span agreement ---------------------------------------------------------------------


def _two_annotators() -> list[Span]:
    return [
        # d1, covered by both.
        _span("A", "PERSON", 0, 5),
        _span("A", "PERSON", 10, 15),
        _span("A", "PERSON", 20, 25),
        _span("A", "ORG", 30, 35),
        _span("B", "PERSON", 0, 5),
        _span("B", "PERSON", 10, 15),
        _span("B", "PERSON", 21, 27),  # shifted: overlaps A's [20, 25) but not exact
        # d2, covered by A only: nothing here may count for the pair.
        _span("A", "DATE", 0, 5, document="d2"),
        _span("B", "DATE", 0, 5, document="d2"),  # B never finished d2
    ]


def test_span_agreement_by_hand() -> None:
    coverage = {"A": frozenset({"d1", "d2"}), "B": frozenset({"d1"})}
    [pair] = span_agreement(_two_annotators(), coverage)
    assert (pair.a, pair.b, pair.documents) == ("A", "B", 1)
    assert list(pair.exact) == ["*", "ORG", "PERSON"]  # DATE only appears on d2
    # PERSON exact: 2 of A's 3 found exactly by B's 3 -> P = R = 2/3, F1 = 2·2/(3+3) = 2/3.
    assert pair.exact["PERSON"] == PRF(2, 3, 3)
    assert _figures(pair.exact["PERSON"]) == _approx(2 / 3, 2 / 3, 2 / 3)
    # PERSON overlap: the shifted span overlaps too -> 3 of 3 -> all 1.0.
    assert _figures(pair.overlap["PERSON"]) == _approx(1.0, 1.0, 1.0)
    # ORG: A marked one, B none -> precision undefined, recall 0, F1 = 0/(1+0) = 0.
    assert pair.exact["ORG"] == PRF(0, 1, 0)
    assert _figures(pair.exact["ORG"]) == (None, 0.0, 0.0)
    # Micro total, exact: tp 2, reference 4, predicted 3 -> P 2/3, R 1/2, F1 4/7.
    assert _figures(pair.exact["*"]) == _approx(2 / 3, 0.5, 4 / 7)
    # Micro total, overlap: tp 3, reference 4, predicted 3 -> P 1, R 3/4, F1 6/7.
    assert _figures(pair.overlap["*"]) == _approx(1.0, 0.75, 6 / 7)


def test_pairs_only_where_both_covered_and_sorted() -> None:
    coverage = {
        "C": frozenset({"d2"}),
        "B": frozenset({"d1"}),
        "A": frozenset({"d1", "d2"}),
    }
    spans = [*_two_annotators(), _span("C", "DATE", 0, 5, document="d2")]
    pairs = span_agreement(spans, coverage)
    assert [(p.a, p.b) for p in pairs] == [("A", "B"), ("A", "C")]  # B and C share nothing
    a_c = pairs[1]
    assert a_c.documents == 1
    assert list(a_c.exact) == ["*", "DATE"]
    assert a_c.exact["DATE"] == PRF(1, 1, 1)


def test_covering_annotator_without_spans_misses_everything() -> None:
    coverage = {"A": frozenset({"d1"}), "B": frozenset({"d1"})}
    [pair] = span_agreement([_span("A", "PERSON", 0, 5)], coverage)
    assert pair.exact["PERSON"] == PRF(0, 1, 0)
    [empty] = span_agreement([], coverage)
    assert empty.exact == {"*": PRF(0, 0, 0)}
    assert _figures(empty.overlap["*"]) == (None, None, None)


def test_span_agreement_ignores_input_order() -> None:
    coverage = {"A": frozenset({"d1", "d2"}), "B": frozenset({"d1"})}
    spans = _two_annotators()
    expected = span_agreement(spans, coverage)
    random.Random(7).shuffle(spans)
    assert span_agreement(spans, coverage) == expected


def test_overlap_matching_beats_the_naive_greedy() -> None:
    # reference R1 = [0, 10), R2 = [8, 12); predicted P1 = [0, 9), P2 = [1, 5).
    # P1 overlaps R1 and R2, P2 overlaps R1 only. Naive (references by start,
    # first overlapping prediction by start): R1 takes P1, R2 is left with
    # nothing -> 1. The maximum is 2: R1-P2, R2-P1.
    reference = [_span("A", "X", 0, 10), _span("A", "X", 8, 12)]
    predicted = [_span("B", "X", 0, 9), _span("B", "X", 1, 5)]
    assert match_count(reference, predicted, "overlap") == 2
    assert match_count(predicted, reference, "overlap") == 2
    assert match_count(reference, predicted, "exact") == 0


def test_matching_is_one_to_one_and_per_label() -> None:
    # One long reference span covers two predicted ones: only one may match it.
    reference = [_span("A", "X", 0, 100)]
    predicted = [_span("B", "X", 0, 10), _span("B", "X", 50, 60), _span("B", "Y", 0, 100)]
    assert match_count(reference, predicted, "overlap") == 1
    assert match_count(reference, predicted, "exact") == 0  # the exact one has label Y
    # Duplicates: a multiset intersection, not a set one.
    twice = [_span("A", "X", 0, 5), _span("A", "X", 0, 5)]
    assert match_count(twice, [_span("B", "X", 0, 5)], "exact") == 1
    assert match_count(twice, twice, "exact") == 2
    with pytest.raises(ValueError, match="mode"):
        match_count(twice, twice, "fuzzy")  # type: ignore[arg-type]


def test_text_spans_compare_across_pages() -> None:
    across = _span("A", "X", (0, 90), (1, 5))  # runs from the end of page 0 onto page 1
    assert match_count([across], [_span("B", "X", (1, 0), (1, 3))], "overlap") == 1
    assert match_count([across], [_span("B", "X", (1, 5), (1, 9))], "overlap") == 0  # touches
    assert match_count([across], [_span("B", "X", (0, 90), (1, 5))], "exact") == 1


def test_overlap_matching_against_exhaustive_search() -> None:
    rng = random.Random(3)

    def best(reference: list[Span], predicted: list[Span]) -> int:
        # Exhaustive: try every assignment of references to distinct predictions (or none).
        def go(i: int, used: frozenset[int]) -> int:
            if i == len(reference):
                return 0
            r = reference[i]
            options = [go(i + 1, used)]
            for j, p in enumerate(predicted):
                if j not in used and r.start < p.end and p.start < r.end:
                    options.append(1 + go(i + 1, used | {j}))
            return max(options)

        return go(0, frozenset())

    for _ in range(300):
        spans = []
        for who in "AB":
            for _ in range(rng.randint(0, 5)):
                page, start = rng.randint(0, 1), rng.randint(0, 15)
                spans.append(_span(who, "X", (page, start), (page, start + rng.randint(1, 6))))
        reference = [s for s in spans if s.annotator == "A"]
        predicted = [s for s in spans if s.annotator == "B"]
        assert match_count(reference, predicted, "overlap") == best(reference, predicted)


def test_area_spans() -> None:
    box = (10.0, 10.0, 50.0, 30.0)
    reference = [_area("A", "SIG", box)]
    close = _area("B", "SIG", (11.5, 9.0, 51.0, 31.9))  # every coordinate within 2 points
    far = _area("B", "SIG", (40.0, 20.0, 80.0, 60.0))  # intersects: 10 x 10 points
    touching = _area("B", "SIG", (50.0, 10.0, 90.0, 30.0))  # shares an edge only
    other_page = _area("B", "SIG", box, page=1)
    text = _span("B", "SIG", 0, 0)  # same position, but text never matches an area
    assert match_count(reference, [close], "exact") == 1
    assert match_count(reference, [far], "exact") == 0
    assert match_count(reference, [far], "overlap") == 1
    assert match_count(reference, [touching], "overlap") == 0
    assert match_count(reference, [other_page], "overlap") == 0
    assert match_count(reference, [text], "overlap") == 0
    assert match_count([text], reference, "exact") == 0
    # A box drawn from the other corner is the same rectangle.
    assert match_count(reference, [_area("B", "SIG", (50.0, 30.0, 10.0, 10.0))], "exact") == 1


def test_area_exact_matching_is_maximum_despite_the_2_point_rule() -> None:
    # r1 = x 2..12 is within 2 points of p1 = x 1..11 and of p2 = x 3.5..13.5;
    # r2 = x 0..10 only of p1. Greedy r1 -> p1 would leave r2 alone: 1. Maximum: 2.
    reference = [_area("A", "SIG", (2.0, 0.0, 12.0, 10.0)), _area("A", "SIG", (0.0, 0.0, 10, 10))]
    predicted = [_area("B", "SIG", (1.0, 0.0, 11.0, 10.0)), _area("B", "SIG", (3.5, 0, 13.5, 10))]
    assert match_count(reference, predicted, "exact") == 2


def test_pair_json_rounds_and_keeps_none() -> None:
    coverage = {"A": frozenset({"d1"}), "B": frozenset({"d1"})}
    [pair] = span_agreement(_two_annotators(), coverage)
    data = pair_json(pair)
    assert (data["a"], data["b"], data["documents"]) == ("A", "B", 1)
    assert list(data["labels"]) == ["*", "ORG", "PERSON"]
    assert data["labels"]["*"]["exact"] == {
        "precision": 0.6667,
        "recall": 0.5,
        "f1": 0.5714,
        "tp": 2,
        "reference": 4,
        "predicted": 3,
    }
    assert data["labels"]["ORG"]["overlap"]["precision"] is None
    assert isinstance(pair, PairAgreement)


# -- categorical agreement --------------------------------------------------------------


def test_cohen_kappa_classic_two_by_two() -> None:
    # 50 items: both yes 20, A yes / B no 5, A no / B yes 10, both no 15.
    # po = (20 + 15)/50 = 0.7; A says yes 25/50, B 30/50;
    # pe = 0.5·0.6 + 0.5·0.4 = 0.5; kappa = (0.7 - 0.5)/(1 - 0.5) = 0.4.
    a = ["yes"] * 20 + ["yes"] * 5 + ["no"] * 10 + ["no"] * 15
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_cohen_kappa_edges() -> None:
    assert cohen_kappa([], []) is None
    assert cohen_kappa(["x", "x"], ["x", "x"]) == 1.0  # pe = 1: defined as 1.0
    assert cohen_kappa(["x", "y"], ["y", "x"]) == pytest.approx(-1.0)  # po 0, pe 0.5
    with pytest.raises(ValueError, match="parallel"):
        cohen_kappa(["x"], [])


def _ratings() -> dict[str, dict[str, str]]:
    return {
        "u1": {"A": "a", "B": "a", "C": "a"},
        "u2": {"A": "a", "B": "b"},  # C did not rate u2 (missing value)
        "u3": {"A": "b", "B": "b", "C": "b"},
        "u4": {"A": "a"},  # a single rating: not pairable, dropped
    }


def test_krippendorff_alpha_by_hand() -> None:
    # Coincidences: each ordered pair of values in a unit with m values adds 1/(m-1).
    # u1 (m=3, a a a): 6 ordered a-a pairs · 1/2 -> o_aa += 3
    # u2 (m=2, a b):   o_ab += 1, o_ba += 1
    # u3 (m=3, b b b): o_bb += 3
    # o_aa = 3, o_ab = o_ba = 1, o_bb = 3; n_a = 4, n_b = 4, n = 8.
    # alpha = 1 - (n - 1)·(o_ab + o_ba) / (n_a·n_b + n_b·n_a) = 1 - 7·2/32 = 18/32 = 0.5625.
    assert krippendorff_alpha(_ratings()) == pytest.approx(0.5625)


def test_krippendorff_alpha_undefined() -> None:
    assert krippendorff_alpha({}) is None
    assert krippendorff_alpha({"u1": {"A": "a"}, "u2": {"B": "b"}}) is None  # nothing pairable
    one_category = {"u1": {"A": "a", "B": "a"}, "u2": {"A": "a", "B": "a", "C": "a"}}
    assert krippendorff_alpha(one_category) is None
    perfect = {"u1": {"A": "a", "B": "a"}, "u2": {"A": "b", "B": "b"}}
    assert krippendorff_alpha(perfect) == pytest.approx(1.0)


def test_categorical_agreement_by_hand() -> None:
    result = categorical_agreement(_ratings())
    assert result.units == 3
    assert result.annotators == ("A", "B", "C")
    assert result.alpha == pytest.approx(0.5625)
    # A-B on u1..u3: A a a b, B a b b -> po 2/3; pe = (2·1 + 1·2)/9 = 4/9;
    # kappa = (2/3 - 4/9)/(1 - 4/9) = (2/9)/(5/9) = 0.4.
    # A-C and B-C on u1, u3: a b vs a b -> po 1, pe 1/2 -> kappa 1.
    assert result.pairs == {
        ("A", "B"): (3, pytest.approx(0.4)),
        ("A", "C"): (2, 1.0),
        ("B", "C"): (2, 1.0),
    }
    assert result.per_annotator == {
        "A": pytest.approx(0.7),
        "B": pytest.approx(0.7),
        "C": 1.0,
    }
    assert categorical_json(result) == {
        "units": 3,
        "annotators": ["A", "B", "C"],
        "alpha": 0.5625,
        "pairs": [
            {"a": "A", "b": "B", "units": 3, "kappa": 0.4},
            {"a": "A", "b": "C", "units": 2, "kappa": 1.0},
            {"a": "B", "b": "C", "units": 2, "kappa": 1.0},
        ],
        "per_annotator": {"A": 0.7, "B": 0.7, "C": 1.0},
    }


def test_categorical_agreement_without_shared_units() -> None:
    result = categorical_agreement({"u1": {"A": "x"}, "u2": {"B": "y"}})
    assert result.units == 0
    assert result.alpha is None
    assert result.pairs == {}
    assert result.per_annotator == {"A": None, "B": None}


def test_label_presence() -> None:
    items = {
        "A": {"i1": frozenset({"d1"}), "i2": frozenset({"d2"})},
        "B": {"i1": frozenset({"d1"})},
    }
    spans = [
        _span("A", "PERSON", 0, 5, document="d1", item="i1"),
        _span("B", "ORG", 0, 5, document="d1", item="i1"),
        _span("A", "PERSON", 0, 5, document="d3", item="i2"),  # d3 not finished: ignored
        _span("C", "PERSON", 0, 5, document="d1", item="i1"),  # C finished nothing
    ]
    assert label_presence(spans, items, ["PERSON", "ORG", "DATE"]) == {
        "DATE": {"i1": {"A": "no", "B": "no"}, "i2": {"A": "no"}},
        "ORG": {"i1": {"A": "no", "B": "yes"}, "i2": {"A": "no"}},
        "PERSON": {"i1": {"A": "yes", "B": "no"}, "i2": {"A": "no"}},
    }
    # Fed to kappa: A and B rate i1 only; they disagree on PERSON.
    person = categorical_agreement(label_presence(spans, items, ["PERSON"])["PERSON"])
    assert person.pairs == {("A", "B"): (1, 0.0)}  # po 0, pe 0 -> kappa 0


# -- position bias ----------------------------------------------------------------------


def _choices(annotator: str, first: int, total: int, drafts: int = 2) -> list[Choice]:
    shown = tuple(f"draft{i}" for i in range(drafts))
    return [
        Choice(annotator, f"item{i}", shown, shown[0] if i < first else shown[1])
        for i in range(total)
    ]


def test_position_bias_exact_binomial() -> None:
    # 8 of 10 first-shown wins with 2 drafts; P(X = k) = C(10, k)/1024.
    # Outcomes no more likely than 8: k in {0, 1, 2, 8, 9, 10} -> (1+10+45)·2/1024 = 0.109375.
    result = position_bias(_choices("A", 8, 10))
    assert list(result) == ["A", "*"]
    bias = result["A"]
    assert bias.choices == 10
    assert bias.wins_by_position == (8, 2)
    assert bias.expected_first == 0.5
    assert bias.first_share == 0.8
    assert bias.p_value == pytest.approx(0.109375)
    assert result["*"] == bias
    assert bias_json(bias) == {
        "choices": 10,
        "wins_by_position": [8, 2],
        "expected_first": 0.5,
        "first_share": 0.8,
        "p_value": 0.1094,
    }


def test_position_bias_per_annotator_and_mixed_drafts() -> None:
    choices = [
        *_choices("B", 2, 2, drafts=2),  # first shown chosen twice out of two
        *_choices("A", 0, 2, drafts=3),  # second shown chosen twice out of three
        Choice("A", "x", ("only",), "only"),  # one draft: no choice, not counted
        Choice("A", "y", ("p", "q"), "r"),  # chosen was not shown: not counted
    ]
    result = position_bias(choices)
    assert list(result) == ["A", "B", "*"]
    assert result["A"].wins_by_position == (0, 2, 0)
    # A alone: Binomial(2, 1/3) first wins; P(0) = 4/9, P(1) = 4/9, P(2) = 1/9, and none is
    # more likely than the observed 0 -> p = 1.
    assert result["A"].p_value == 1.0
    everyone = result["*"]
    assert everyone.choices == 4
    assert everyone.wins_by_position == (2, 2, 0)
    # expected first share: (1/2 + 1/2 + 1/3 + 1/3)/4 = 5/12.
    assert everyone.expected_first == pytest.approx(5 / 12)
    assert everyone.first_share == 0.5
    # Mixed draft counts: normal approximation. Mean 5/3, |2 - 5/3| = 1/3 is inside the
    # continuity correction of 1/2, so z = 0 and p = 1.
    assert everyone.p_value == 1.0


def test_position_bias_large_n_uses_the_normal_approximation() -> None:
    # 5100 first wins of 10000 (exact test) and of 10001 (one more second-position win,
    # over the exact limit: normal approximation). Both sit near z = 2, p ≈ 0.046.
    exact = position_bias(_choices("A", 5100, 10_000))["A"].p_value
    approx = position_bias(_choices("A", 5100, 10_001))["A"].p_value
    assert exact is not None
    assert approx is not None
    assert exact == pytest.approx(0.0466, abs=0.001)
    assert approx == pytest.approx(exact, abs=0.002)


def test_position_bias_without_choices() -> None:
    bias = position_bias([])["*"]
    assert (bias.choices, bias.wins_by_position, bias.expected_first) == (0, (), 0.0)
    assert bias.first_share is None
    assert bias.p_value is None
    assert bias_json(bias)["p_value"] is None


def test_bias_json_keeps_small_p_values_visible() -> None:
    bias = position_bias(_choices("A", 90, 100))["A"]
    assert bias.p_value is not None
    assert 0 < bias.p_value < 1e-10
    assert bias_json(bias)["p_value"] == float(f"{bias.p_value:.4g}") > 0
    assert math.isclose(bias_json(bias)["p_value"], bias.p_value, rel_tol=1e-3)


def test_the_disjoint_fast_paths_agree_with_the_general_sweep() -> None:
    """Sides that do not overlap themselves take a two-pointer merge and a set
    intersection; on random such sides they must give what the general code gives."""
    import random
    from dataclasses import replace

    from reviewer.core.lead import agreement as ag

    rng = random.Random(11)
    for _ in range(2_000):
        sides = []
        for _side in range(2):
            position, intervals = 0, []
            for _k in range(rng.randint(0, 12)):
                position += rng.randint(0, 6)
                length = rng.randint(1, 8)
                intervals.append(((0, position), (0, position + length)))
                position += length
            sides.append(
                ag._Side.of(
                    [ag.Span(f"k{i}", "a", "d", "L", s, e) for i, (s, e) in enumerate(intervals)]
                )
            )
        fast_ref, fast_pred = sides
        assert fast_ref.texts.disjoint
        slow_ref = replace(fast_ref, texts=replace(fast_ref.texts, disjoint=False), extents=None)
        slow_pred = replace(fast_pred, texts=replace(fast_pred.texts, disjoint=False), extents=None)
        for exact in (True, False):
            assert ag._tp(fast_ref, fast_pred, exact) == ag._tp(slow_ref, slow_pred, exact)
