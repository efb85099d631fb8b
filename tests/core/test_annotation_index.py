"""Reading a document's annotations in chunks, and the index the open document keeps.

Against a real SQLite workspace: the chunks must give exactly the live
annotations, in the order the index keeps, whatever ties and deletions
there are and whatever is written between two chunks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.core import annotations as store
from reviewer.core.annotation_index import AnnotationIndex, position
from reviewer.core.model import Annotation, Document, Selector, TextSegment
from reviewer.core.store import Workspace


@pytest.fixture
def doc(workspace: Workspace, tmp_path: Path) -> Document:
    source = tmp_path / "brief.bin"
    source.write_bytes(b"a brief")
    return workspace.add_document(source, page_count=40)


def _at(page: int, y: float, x: float = 72.0) -> Selector:
    quad = (x, y, x + 40.0, y, x, y + 11.0, x + 40.0, y + 11.0)
    return Selector("text", page, (TextSegment(page, 0, 5, (quad,)),), exact="words")


def _spanning(first: int, y: float) -> Selector:
    """A selection that runs from the foot of ``first`` onto the next page."""
    a = (72.0, y, 300.0, y, 72.0, y + 11.0, 300.0, y + 11.0)
    b = (72.0, 72.0, 200.0, 72.0, 72.0, 83.0, 200.0, 83.0)
    segments = (TextSegment(first, 0, 30, (a,)), TextSegment(first + 1, 0, 20, (b,)))
    return Selector("text", first, segments, exact="a sentence across pages")


def _add(ws: Workspace, doc: Document, selector: Selector, label: str = "PERSON") -> Annotation:
    return store.add(ws, Annotation(store.new_id(), doc.sha256, "pii", label, selector))


def _read_all(ws: Workspace, doc: Document, limit: int) -> list[Annotation]:
    out: list[Annotation] = []
    after = None
    while True:
        chunk, after_next = store.reading_order_chunk(ws, doc.sha256, after, limit)
        out.extend(chunk)
        if len(chunk) < limit:
            return out
        after = after_next


def test_chunks_give_every_live_annotation_once_in_reading_order(
    workspace: Workspace, doc: Document
) -> None:
    made = []
    for page in (3, 0, 7, 0):
        for y in (500.0, 100.0, 100.0, 300.0):  # the same spot twice: a tie broken by time, id
            made.append(_add(workspace, doc, _at(page, y)))
    made.append(_add(workspace, doc, _spanning(5, 700.0)))
    gone = made[4]
    store.set_deleted(workspace, gone.id, True)
    live = [a for a in made if a.id != gone.id]

    for limit in (1, 2, 3, 16, 100):
        read = _read_all(workspace, doc, limit)
        assert [a.id for a in read] == [a.id for a in sorted(live, key=position)]
    assert [a.id for a in store.for_document(workspace, doc.sha256)] == [
        a.id for a in sorted(live, key=position)
    ]


def test_a_row_written_between_chunks_is_read_once_if_it_lies_ahead(
    workspace: Workspace, doc: Document
) -> None:
    for page in range(6):
        _add(workspace, doc, _at(page, 100.0))
    first, after = store.reading_order_chunk(workspace, doc.sha256, None, 3)
    behind = _add(workspace, doc, _at(0, 50.0))  # before what was read: not read again
    ahead = _add(workspace, doc, _at(4, 50.0))
    rest, _ = store.reading_order_chunk(workspace, doc.sha256, after, 100)
    ids = [a.id for a in first + rest]
    assert ahead.id in ids
    assert behind.id not in ids
    assert len(ids) == len(set(ids)) == 7


def test_index_filled_in_chunks_equals_one_built_at_once(
    workspace: Workspace, doc: Document
) -> None:
    for page in (2, 1, 2, 0):
        for y in (400.0, 90.0):
            _add(workspace, doc, _at(page, y), label="ORG" if y < 100 else "PERSON")
    _add(workspace, doc, _spanning(1, 720.0))
    everything = store.for_document(workspace, doc.sha256)

    whole = AnnotationIndex()
    for a in reversed(everything):  # one by one, in no helpful order
        whole.add(a)
    chunked = AnnotationIndex()
    after = None
    while True:
        chunk, after_next = store.reading_order_chunk(workspace, doc.sha256, after, 4)
        added, keys = chunked.extend(chunk)
        assert keys == [position(a) for a in added]
        if len(chunk) < 4:
            break
        after = after_next

    assert chunked.ordered() == whole.ordered() == everything
    assert chunked.keys() == [position(a) for a in everything]
    for page in range(4):
        assert {a.id for a in chunked.on_page(page)} == {a.id for a in whole.on_page(page)}
    spanning = next(a for a in everything if len(a.selector.pages) == 2)
    assert spanning in chunked.on_page(1)
    assert spanning in chunked.on_page(2)
    assert chunked.facets == whole.facets
    assert chunked.facets.labels[("pii", "ORG")] == 4


def test_extend_skips_what_is_there_and_places_what_arrives_late(
    workspace: Workspace, doc: Document
) -> None:
    a, b, c = (_add(workspace, doc, _at(p, 100.0)) for p in (0, 1, 2))
    index = AnnotationIndex()
    assert index.extend([a, c]) == ([a, c], [position(a), position(c)])
    added, _ = index.extend([a, b])  # a again: skipped; b: inserted between
    assert added == [b]
    assert index.ordered() == [a, b, c]
    assert index.facets.total == 3


def test_remove_step_and_neighbour(workspace: Workspace, doc: Document) -> None:
    a, b, c = (_add(workspace, doc, _at(p, 100.0)) for p in (0, 1, 2))
    index = AnnotationIndex()
    index.extend([a, b, c])
    assert index.step(None, True) == a
    assert index.step(None, False) == c
    assert index.step(c.id, True) == a  # wraps
    assert index.step(a.id, False) == c
    assert index.neighbour(b.id) == c
    assert index.neighbour(c.id) == b
    assert index.remove(b.id) == b
    assert index.remove(b.id) is None
    assert index.ordered() == [a, c]
    assert index.on_page(1) == []
    assert b.id not in index
    assert len(index) == 2
    assert index.facets.pages == {0: 1, 2: 1}


def test_step_to_the_next_one_a_predicate_accepts(workspace: Workspace, doc: Document) -> None:
    a, b, c, d = (
        _add(workspace, doc, _at(p, 100.0), label=lb)
        for p, lb in ((0, "SSN"), (1, "PERSON"), (2, "SSN"), (3, "PERSON"))
    )
    index = AnnotationIndex()
    index.extend([a, b, c, d])
    ssn = lambda x: x.label == "SSN"  # noqa: E731
    assert index.step(None, True, ssn) == a
    assert index.step(None, False, ssn) == c
    assert index.step(a.id, True, ssn) == c
    assert index.step(c.id, True, ssn) == a  # wraps past d
    assert index.step(a.id, False, ssn) == c
    assert index.step(b.id, True, lambda x: x.label == "EMAIL") is None
    assert AnnotationIndex().step(None, True) is None
