"""The work queue's data: item statuses and their events, order, progress, and which item
a document's annotations belong to. Batches are made and imported for real."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer.core import batches
from reviewer.core.batch_import import import_batch
from reviewer.core.batches import ItemError, Progress
from reviewer.core.blobs import sha256_file
from reviewer.core.model import Item
from reviewer.core.store import Workspace

MakeBatch = Callable[..., Path]


@pytest.fixture
def samples(generated: dict[str, Path]) -> Path:
    return generated["samples"]


@pytest.fixture
def review(workspace: Workspace, make_batch: MakeBatch, samples: Path) -> list[Item]:
    """A review batch of three documents, imported: three items, all to do."""
    files = [samples / n for n in ("credit_agreement.pdf", "motion_draft_a.pdf")]
    files.append(samples / "scanned_letter.pdf")
    result = import_batch(workspace, make_batch(files, name="Review batch"))
    return batches.items(workspace, result.batch_id)


def _status_events(ws: Workspace, item_id: str) -> list[tuple[dict | None, dict | None]]:
    return [
        (e.before, e.after)
        for e in ws.events(entity="item", entity_id=item_id)
        if e.kind == "item.status"
    ]


def _state(status: str, reason: str = "") -> dict[str, str]:
    return {"status": status, "skip_reason": reason}


def test_status_changes_are_logged_with_before_and_after(
    workspace: Workspace, review: list[Item]
) -> None:
    """todo → in progress → done → skipped → todo: each change one event; a no-op none."""
    item = review[0]
    assert item.status == "todo"
    changed = batches.set_status(workspace, item.id, "in_progress")
    assert changed.status == "in_progress"
    assert changed.updated_at > item.updated_at
    batches.set_status(workspace, item.id, "in_progress")  # already so: nothing logged
    batches.set_status(workspace, item.id, "done")
    skipped = batches.set_status(workspace, item.id, "skipped", reason="  page 3\n unreadable ")
    assert (skipped.status, skipped.skip_reason) == ("skipped", "page 3 unreadable")
    batches.set_status(workspace, item.id, "skipped", reason="page 3 unreadable")  # same: no-op
    again = batches.set_status(workspace, item.id, "skipped", reason="scan is blank")
    assert again.skip_reason == "scan is blank"
    back = batches.set_status(workspace, item.id, "todo", reason="ignored unless skipping")
    assert (back.status, back.skip_reason) == ("todo", "")
    assert batches.item(workspace, item.id) == back
    assert _status_events(workspace, item.id) == [
        (_state("todo"), _state("in_progress")),
        (_state("in_progress"), _state("done")),
        (_state("done"), _state("skipped", "page 3 unreadable")),
        (_state("skipped", "page 3 unreadable"), _state("skipped", "scan is blank")),
        (_state("skipped", "scan is blank"), _state("todo")),
    ]
    event = workspace.events(entity="item", entity_id=item.id)[-1]
    assert event.at == back.updated_at  # the event carries the change's own time
    assert all(i.status == "todo" for i in batches.items(workspace, item.batch)[1:])


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_skipping_needs_a_reason(workspace: Workspace, review: list[Item], reason: str) -> None:
    """Skipping without a (non-blank) reason is refused; nothing changes, nothing is logged."""
    with pytest.raises(ItemError, match="say why the item is skipped"):
        batches.set_status(workspace, review[0].id, "skipped", reason=reason)
    assert batches.item(workspace, review[0].id) == review[0]
    assert _status_events(workspace, review[0].id) == []


def test_unknown_statuses_and_items_are_refused(workspace: Workspace, review: list[Item]) -> None:
    """A status outside the four, or an item id that does not exist, is an ItemError."""
    with pytest.raises(ItemError, match="unknown status 'finished' \\(use todo, in_progress"):
        batches.set_status(workspace, review[0].id, "finished")
    with pytest.raises(ItemError, match="unknown status"):
        batches.set_status(workspace, review[0].id, "DONE")
    with pytest.raises(ItemError, match="no item 'nope/1'"):
        batches.set_status(workspace, "nope/1", "done")
    with pytest.raises(ItemError, match="no item 'nope/1'"):
        batches.start(workspace, "nope/1")
    with pytest.raises(ItemError, match="no batch 'nope'"):
        batches.require_batch(workspace, "nope")
    assert batches.item(workspace, review[0].id) == review[0]
    assert workspace.events(entity="item") == []


def test_start_moves_only_todo_to_in_progress(workspace: Workspace, review: list[Item]) -> None:
    """Opening an item to do starts it; opening one in progress, done or skipped changes nothing."""
    first, second, third = review
    assert batches.start(workspace, first.id).status == "in_progress"
    started = batches.item(workspace, first.id)
    assert batches.start(workspace, first.id) == started  # already in progress
    batches.set_status(workspace, second.id, "done")
    batches.set_status(workspace, third.id, "skipped", reason="duplicate of item 1")
    assert batches.start(workspace, second.id).status == "done"
    assert batches.start(workspace, third.id).status == "skipped"
    assert [len(_status_events(workspace, i.id)) for i in review] == [1, 1, 1]


def test_neighbour_walks_the_queue_and_stops_at_the_ends(
    workspace: Workspace, review: list[Item]
) -> None:
    """Next and previous follow batch order; none past either end or for an unknown item."""
    first, second, third = review
    assert [i.position for i in review] == [0, 1, 2]

    def ids(item: Item | None) -> str | None:
        return None if item is None else item.id

    assert ids(batches.neighbour(workspace, first.id, forward=True)) == second.id
    assert ids(batches.neighbour(workspace, second.id, forward=True)) == third.id
    assert batches.neighbour(workspace, third.id, forward=True) is None
    assert ids(batches.neighbour(workspace, third.id, forward=False)) == second.id
    assert ids(batches.neighbour(workspace, second.id, forward=False)) == first.id
    assert batches.neighbour(workspace, first.id, forward=False) is None
    assert batches.neighbour(workspace, "nope/1", forward=True) is None


def test_neighbour_stays_inside_its_batch(
    workspace: Workspace, review: list[Item], make_batch: MakeBatch, samples: Path
) -> None:
    """Another batch's items (same positions) are never the next or previous one."""
    other = import_batch(workspace, make_batch([samples / "motion_draft_b.pdf"], name="Other"))
    [only] = batches.items(workspace, other.batch_id)
    assert batches.neighbour(workspace, only.id, forward=True) is None
    assert batches.neighbour(workspace, only.id, forward=False) is None
    assert batches.neighbour(workspace, review[0].id, forward=True) == review[1]


def test_progress_and_unfinished(workspace: Workspace, review: list[Item]) -> None:
    """Counts per status; finished = done + skipped; unfinished lists todo and in progress."""
    batch = review[0].batch
    assert batches.progress(workspace, batch) == Progress(3, 3, 0, 0, 0)
    assert batches.unfinished(workspace, batch) == review
    batches.start(workspace, review[0].id)
    batches.set_status(workspace, review[1].id, "done")
    progress = batches.progress(workspace, batch)
    assert progress == Progress(total=3, todo=1, in_progress=1, done=1, skipped=0)
    assert (progress.finished, progress.complete) == (1, False)
    assert [i.id for i in batches.unfinished(workspace, batch)] == [review[0].id, review[2].id]
    batches.set_status(workspace, review[0].id, "done")
    batches.set_status(workspace, review[2].id, "skipped", reason="not legible")
    progress = batches.progress(workspace, batch)
    assert progress == Progress(total=3, todo=0, in_progress=0, done=2, skipped=1)
    assert (progress.finished, progress.complete) == (3, True)
    assert batches.unfinished(workspace, batch) == []
    assert batches.progress(workspace, "no such batch") == Progress(0, 0, 0, 0, 0)


def test_item_for_document_prefers_the_most_recent_batch(
    workspace: Workspace, review: list[Item], make_batch: MakeBatch, samples: Path
) -> None:
    """A document in two batches belongs to the latest batch's item; unknown ones to none."""
    credit = sha256_file(samples / "credit_agreement.pdf")
    assert batches.item_for_document(workspace, credit) == review[0]
    later = import_batch(
        workspace,
        make_batch([samples / "credit_agreement.pdf"], task="redact", name="Later batch"),
    )
    [redact] = batches.items(workspace, later.batch_id)
    found = batches.item_for_document(workspace, credit)
    assert found is not None
    assert found.id == redact.id
    assert [i.id for i in batches.items_for_document(workspace, credit)] == [
        redact.id,
        review[0].id,
    ]
    batches.set_status(workspace, redact.id, "done")  # finished, but still the latest batch's
    found = batches.item_for_document(workspace, credit)
    assert found is not None
    assert found.id == redact.id
    letter = sha256_file(samples / "scanned_letter.pdf")
    assert batches.item_for_document(workspace, letter) == review[2]  # only in the first batch
    assert batches.item_for_document(workspace, "0" * 64) is None


def test_item_for_document_prefers_an_open_item_of_the_batch(
    workspace: Workspace, make_batch: MakeBatch, samples: Path
) -> None:
    """Two items on one document: the first not yet finished; when all are, the first."""
    draft = samples / "motion_draft_a.pdf"
    sha = sha256_file(draft)
    items = [
        {"id": "facts", "task": "review", "documents": [sha]},
        {"id": "cites", "task": "review", "documents": [sha]},
    ]
    result = import_batch(workspace, make_batch([draft], items=items, name="Two passes"))
    facts, cites = batches.items(workspace, result.batch_id)
    assert batches.item_for_document(workspace, sha) == facts
    batches.set_status(workspace, facts.id, "done")
    found = batches.item_for_document(workspace, sha)
    assert found is not None
    assert found.id == cites.id
    batches.set_status(workspace, cites.id, "skipped", reason="covered by facts")
    found = batches.item_for_document(workspace, sha)
    assert found is not None
    assert found.id == facts.id


def test_item_for_document_finds_ocr_items_by_page(
    workspace: Workspace, make_batch: MakeBatch, generated: dict[str, Path]
) -> None:
    """ocr items are per page (0-based here): the page picks the item; no page, the first open."""
    scan = generated["scan"]  # 3 pages
    sha = sha256_file(scan)
    result = import_batch(workspace, make_batch([scan], task="ocr", name="Transcribe"))
    items = batches.items(workspace, result.batch_id)
    assert [i.page for i in items] == [0, 1, 2]
    for page, item in enumerate(items):
        assert batches.item_for_document(workspace, sha, page) == item
    assert batches.item_for_document(workspace, sha) == items[0]
    assert batches.item_for_document(workspace, sha, 7) == items[0]  # no such page: any open
    batches.set_status(workspace, items[0].id, "done")
    found = batches.item_for_document(workspace, sha, 0)
    assert found is not None
    assert found.id == items[0].id  # the page's own item, even when done
    found = batches.item_for_document(workspace, sha)
    assert found is not None
    assert found.id == items[1].id
