"""Judgements of compare and review items: shuffled order, ratings, evidence, completeness,
and storage with events. Batches are made and imported for real."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer.core import annotations, batches, judgements
from reviewer.core.batch_import import import_batch
from reviewer.core.judgements import JudgementError
from reviewer.core.model import Annotation, Item, Selector, TextSegment
from reviewer.core.store import Workspace

MakeBatch = Callable[..., Path]


@pytest.fixture
def compare(workspace: Workspace, make_batch: MakeBatch, make_pdf: Callable[..., Path]) -> Item:
    """One compare item over three one-page drafts."""
    drafts = [
        make_pdf(f"draft{n}.pdf", [f"Draft {n}: the motion should be granted."]) for n in "123"
    ]
    items = [
        {"id": "c1", "task": "compare", "documents": [], "prompt": "Draft a motion to dismiss."}
    ]
    path = make_batch(drafts, task="compare", items=_with_docs(items, drafts))
    result = import_batch(workspace, path)
    return batches.items(workspace, result.batch_id)[0]


def _with_docs(items: list[dict], files: list[Path]) -> list[dict]:
    from reviewer.core.blobs import sha256_file

    return [{**items[0], "documents": [sha256_file(f) for f in files]}]


def _passage(ws: Workspace, item: Item, document: str, text: str = "motion") -> Annotation:
    selector = Selector(
        kind="text",
        page=0,
        segments=(
            TextSegment(0, 9, 9 + len(text), ((72.0, 60.0, 120.0, 60.0, 72.0, 72.0, 120.0, 72.0),)),
        ),
        exact=text,
    )
    return annotations.add(
        ws,
        Annotation(
            annotations.new_id(),
            document,
            "legal-errors",
            "factual",
            selector,
            comment="wrong",
            item=item.id,
        ),
    )


def test_order_is_shuffled_per_reviewer_and_stable(compare: Item) -> None:
    """Each reviewer has one order for an item; across reviewers every draft comes first."""
    one = judgements.shown_order(compare, "ana")
    assert judgements.shown_order(compare, "ana") == one
    assert sorted(one) == sorted(compare.documents)
    firsts = {judgements.shown_order(compare, f"reviewer-{n}")[0] for n in range(40)}
    assert firsts == set(compare.documents)


def test_start_stores_the_order_once_with_an_event(workspace: Workspace, compare: Item) -> None:
    made = judgements.start(workspace, compare, "ana")
    assert made.order == judgements.shown_order(compare, "ana")
    again = judgements.start(workspace, compare, "ana")
    assert again.id == made.id
    events = workspace.events(entity="judgement", entity_id=made.id)
    assert [e.kind for e in events] == ["judgement.created"]
    assert events[0].after["order"] == list(made.order)


def test_complete_compare_judgement(workspace: Workspace, compare: Item) -> None:
    """Pick, rate every criterion, cite two passages: no problems left, and it is stored."""
    j = judgements.start(workspace, compare, "ana")
    assert "pick the best draft (or rank them all)" in judgements.problems(j, compare)
    a, b = j.order[0], j.order[1]
    j = judgements.choose(j, a)
    for doc in j.order:
        for criterion in judgements.DEFAULT_CRITERIA:
            j = judgements.rate(j, doc, criterion.id, 5 if doc == a else 3)
    first = _passage(workspace, compare, a)
    second = _passage(workspace, compare, b, "granted")
    j, ref_a = judgements.cite(j, first)
    j, ref_b = judgements.cite(j, second)
    assert (ref_a, ref_b) == ("A1", "B1")
    assert judgements.cite(j, first)[1] == "A1"  # the same passage keeps its reference
    j = judgements.write_rationale(j, f"A states the standard [{ref_a}]; B overstates [{ref_b}].")
    assert judgements.problems(j, compare, live_annotations=[first.id, second.id]) == []
    saved = judgements.save(workspace, j)
    stored = judgements.get(workspace, compare.id, "ana")
    assert stored == saved
    assert stored.choice == a
    assert stored.ratings[a]["accuracy"] == 5
    assert [e.ref for e in stored.evidence] == ["A1", "B1"]
    assert stored.evidence[0].quote == "motion"
    updated = workspace.events(entity="judgement", entity_id=j.id)[-1]
    assert updated.kind == "judgement.updated"
    assert set(updated.after) == {"choice", "ratings", "rationale", "evidence"}
    assert updated.before["choice"] is None


def test_problems_name_what_is_missing(workspace: Workspace, compare: Item) -> None:
    j = judgements.start(workspace, compare, "ana")
    j = judgements.choose(j, j.order[1])
    j = judgements.rate(j, j.order[0], "accuracy", 4)
    j = judgements.write_rationale(j, "B is better [B7].")
    found = judgements.problems(j, compare)
    assert "rate Accuracy for drafts B, C" in found
    assert "rate Tone/register for drafts A, B, C" in found
    assert "cite at least one highlighted passage in the rationale" in found
    assert "[B7] in the rationale refers to no passage" in found
    assert "pick the best draft (or rank them all)" not in found


def test_deleted_reference_drops_the_evidence_and_deleted_passage_is_a_problem(
    workspace: Workspace, compare: Item
) -> None:
    j = judgements.start(workspace, compare, "ana")
    passage = _passage(workspace, compare, j.order[2])
    j, ref = judgements.cite(j, passage)
    assert ref == "C1"
    j = judgements.write_rationale(j, "C wins [C1].")
    assert "the passage cited as [C1] was deleted" in judgements.problems(
        j, compare, live_annotations=[]
    )
    j = judgements.write_rationale(j, "C wins.")
    assert j.evidence == ()


def test_ranking_sets_the_choice_and_bad_values_are_refused(
    workspace: Workspace, compare: Item
) -> None:
    j = judgements.start(workspace, compare, "ana")
    ranked = judgements.rank(j, [j.order[2], j.order[0], j.order[1]])
    assert ranked.choice == j.order[2]
    assert judgements.choose(ranked, j.order[0]).ranking == ()  # a new best drops the ranking
    assert judgements.choose(ranked, j.order[2]).ranking == ranked.ranking
    with pytest.raises(JudgementError, match="every draft exactly once"):
        judgements.rank(j, [j.order[0], j.order[0], j.order[1]])
    with pytest.raises(JudgementError, match="from 1 to 7"):
        judgements.rate(j, j.order[0], "accuracy", 8)
    with pytest.raises(JudgementError, match="not one of this item's drafts"):
        judgements.choose(j, "0" * 64)
    cleared = judgements.rate(judgements.rate(j, j.order[0], "tone", 2), j.order[0], "tone", None)
    assert cleared.ratings == {}


def test_review_verdict(workspace: Workspace, make_batch: MakeBatch, make_pdf) -> None:
    result = import_batch(workspace, make_batch([make_pdf("ai.pdf", ["An AI draft."])]))
    item = batches.items(workspace, result.batch_id)[0]
    j = judgements.start(workspace, item, "ana")
    assert j.order == ()
    assert judgements.problems(j, item) == ["choose an overall verdict"]
    j = judgements.give_verdict(j, "needs_revision")
    assert judgements.problems(j, item) == ["write a summary of the verdict"]
    j = judgements.save(
        workspace, judgements.give_verdict(j, "needs_revision", "Cites a fake case.")
    )
    assert judgements.get(workspace, item.id, "ana").verdict == "needs_revision"
    record = judgements.record(j, item, 12.34)
    assert record["verdict"] == "needs_revision"
    assert record["active_seconds"] == 12.3
    with pytest.raises(JudgementError, match="unknown verdict"):
        judgements.give_verdict(j, "great")


def test_criteria_from_the_batch(compare: Item) -> None:
    from dataclasses import replace

    custom = replace(
        compare, data={"criteria": ["Persuasiveness", {"id": "cites", "name": "Cites"}]}
    )
    assert [c.id for c in judgements.criteria_for(custom)] == ["persuasiveness", "cites"]
    clash = replace(compare, data={"criteria": ["Tone", "tone"]})
    assert judgements.criteria_for(clash) == judgements.DEFAULT_CRITERIA
    assert judgements.criteria_for(compare) == judgements.DEFAULT_CRITERIA


def test_order_and_author_never_change(workspace: Workspace, compare: Item) -> None:
    from dataclasses import replace

    j = judgements.start(workspace, compare, "ana")
    with pytest.raises(JudgementError, match="never change"):
        judgements.save(workspace, replace(j, order=tuple(reversed(j.order))))


def test_work_before_the_identity_is_adopted_by_it(workspace: Workspace, compare: Item) -> None:
    early = judgements.save(
        workspace, judgements.choose(judgements.start(workspace, compare, "os-user"), None)
    )
    early = judgements.save(workspace, judgements.write_rationale(early, "Draft B is tighter."))
    assert judgements.adopt(workspace, "os-user", "ana.ruiz") == 1
    assert judgements.get(workspace, compare.id, "os-user") is None
    mine = judgements.get(workspace, compare.id, "ana.ruiz")
    assert (mine.id, mine.rationale, mine.order) == (early.id, "Draft B is tighter.", early.order)
    [event] = [e for e in workspace.events(entity="judgement") if e.kind == "judgement.adopted"]
    assert (event.before, event.after) == ({"author": "os-user"}, {"author": "ana.ruiz"})
    # An item the identity already judged keeps its own judgement.
    judgements.start(workspace, compare, "os-user")
    assert judgements.adopt(workspace, "os-user", "ana.ruiz") == 0
