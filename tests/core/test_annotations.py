"""The annotation store and its undoable commands, against a real SQLite workspace."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from reviewer.core import annotations as store
from reviewer.core.commands import (
    CommandGroup,
    CreateAnnotation,
    CreateAnnotations,
    DeleteAnnotation,
    EditAnnotation,
)
from reviewer.core.model import Annotation, Document, Selector, TextSegment
from reviewer.core.store import Workspace

TEXT = Selector(
    kind="text",
    page=2,
    segments=(
        TextSegment(2, 100, 118, ((72.0, 700.5, 180.25, 700.5, 72.0, 712.0, 180.25, 712.0),)),
        TextSegment(3, 0, 9, ((72.0, 90.0, 120.0, 90.0, 72.0, 101.5, 120.0, 101.5),)),
    ),
    exact="John Quincy Doe, of 12 Elm St.",
    prefix="Plaintiff ",
    suffix=" (the “Borrower”)",
)
AREA = Selector(kind="area", page=0, rect=(40.0, 600.0, 220.0, 660.0))


@pytest.fixture
def doc(workspace: Workspace, tmp_path: Path) -> Document:
    source = tmp_path / "filing.bin"
    source.write_bytes(b"a filing")
    return workspace.add_document(source, page_count=5)


def _new(doc: Document, selector: Selector = TEXT, label: str = "PERSON") -> Annotation:
    return Annotation(store.new_id(), doc.sha256, "pii", label, selector)


def _kinds(ws: Workspace, annotation_id: str) -> list[str]:
    return [e.kind for e in ws.events(entity="annotation", entity_id=annotation_id)]


@pytest.mark.parametrize("selector", [TEXT, AREA], ids=["text", "area"])
def test_selector_json_round_trips_and_keeps_the_stored_shape(selector: Selector) -> None:
    text = store.selector_to_json(selector)
    assert store.selector_from_json(text) == selector
    # The hand-written encoder writes exactly what dataclasses.asdict did, so
    # rows written by earlier versions and by this one read the same.
    assert json.loads(text) == json.loads(json.dumps(asdict(selector)))


def test_add_stores_the_row_and_logs_it_in_the_same_transaction(
    workspace: Workspace, doc: Document
) -> None:
    added = store.add(workspace, _new(doc))
    assert added.author == workspace.actor
    assert added.created_at == added.updated_at != ""
    assert store.get(workspace, added.id) == added
    (event,) = workspace.events(entity="annotation", entity_id=added.id)
    assert event.kind == "annotation.created"
    assert event.actor == workspace.actor
    assert event.after is not None
    assert event.after["label"] == "PERSON"
    assert store.selector_from_json(json.dumps(event.after["selector"])) == TEXT


def test_reading_order_and_deleted_rows(workspace: Workspace, doc: Document) -> None:
    lower = store.add(workspace, _new(doc, replace(AREA, rect=(40.0, 100.0, 90.0, 120.0))))
    upper = store.add(workspace, _new(doc, AREA))
    on_page_2 = store.add(workspace, _new(doc, TEXT))
    store.set_deleted(workspace, lower.id, True)
    assert [a.id for a in store.for_document(workspace, doc.sha256)] == [upper.id, on_page_2.id]
    everything = store.for_document(workspace, doc.sha256, include_deleted=True)
    assert {a.id for a in everything} == {lower.id, upper.id, on_page_2.id}


def test_update_logs_only_what_changed(workspace: Workspace, doc: Document) -> None:
    a = store.add(workspace, _new(doc))
    changed = store.update(workspace, a.id, {"label": "ORG", "comment": ""})
    assert changed.label == "ORG"
    assert changed.comment == ""
    event = workspace.events(entity="annotation", entity_id=a.id)[-1]
    assert (event.before, event.after) == ({"label": "PERSON"}, {"label": "ORG"})
    with pytest.raises(store.AnnotationError, match="cannot be edited: selector"):
        store.update(workspace, a.id, {"selector": AREA})
    assert store.get(workspace, a.id) == changed


def test_a_refused_write_leaves_neither_row_nor_event(workspace: Workspace, doc: Document) -> None:
    bad = replace(_new(doc), state="maybe")  # the schema's CHECK refuses it
    with pytest.raises(sqlite3.IntegrityError):
        store.add(workspace, bad)
    assert store.get(workspace, bad.id) is None
    assert workspace.events(entity="annotation", entity_id=bad.id) == []


def test_create_undo_redo_restores_the_same_row(workspace: Workspace, doc: Document) -> None:
    command = CreateAnnotation(_new(doc))
    changes = command.apply(workspace)
    assert changes.pages == frozenset({2, 3})
    created = store.get(workspace, command.annotation.id)
    command.revert(workspace)
    assert store.for_document(workspace, doc.sha256) == []
    command.apply(workspace)
    restored = store.get(workspace, command.annotation.id)
    assert restored is not None
    assert created is not None
    assert replace(restored, updated_at="") == replace(created, updated_at="")
    assert _kinds(workspace, created.id) == [
        "annotation.created",
        "annotation.deleted",
        "annotation.restored",
    ]


def test_edit_and_delete_undo_redo(workspace: Workspace, doc: Document) -> None:
    a = store.add(workspace, _new(doc))
    edit = EditAnnotation(a.id, {"comment": "not a person: a defined term"})
    edit.apply(workspace)
    edit.revert(workspace)
    assert store.get(workspace, a.id).comment == ""  # type: ignore[union-attr]
    edit.apply(workspace)
    delete = DeleteAnnotation(a.id)
    delete.apply(workspace)
    assert store.for_document(workspace, doc.sha256) == []
    delete.revert(workspace)
    (back,) = store.for_document(workspace, doc.sha256)
    assert back.comment == "not a person: a defined term"


def test_a_group_is_one_transaction(workspace: Workspace, doc: Document) -> None:
    """If one command of a group fails, the others are rolled back with it."""
    a = store.add(workspace, _new(doc))
    events = len(workspace.events())
    group = CommandGroup([EditAnnotation(a.id, {"label": "ORG"}), DeleteAnnotation("no-such-id")])
    with pytest.raises(store.AnnotationError, match="no annotation no-such-id"):
        group.apply(workspace)
    assert store.get(workspace, a.id) == a
    assert len(workspace.events()) == events


def test_many_created_at_once_store_and_undo_like_one_by_one(
    workspace: Workspace, doc: Document
) -> None:
    """A scan's suggestions: one statement for all, an event each, one undo step."""
    many = [replace(_new(doc, AREA, label), state="proposed") for label in ("PERSON", "ORG")]
    one = store.add(workspace, replace(_new(doc), state="proposed"))
    command = CreateAnnotations(many, text="Scan for PII: 2 suggestions")
    changes = command.apply(workspace)
    assert changes.annotations == frozenset(a.id for a in many)
    assert changes.pages == frozenset({0})
    stored = store.get_many(workspace, [a.id for a in many] + ["no-such-id"])
    assert set(stored) == {a.id for a in many}
    assert all(stored[a.id] == command.annotations[i] for i, a in enumerate(many))
    # Rows written in bulk read back exactly as a row written alone does.
    alone = store.get(workspace, one.id)
    assert alone is not None
    assert replace(stored[many[0].id], id=one.id, label="PERSON", selector=TEXT) == replace(
        alone, created_at=stored[many[0].id].created_at, updated_at=stored[many[0].id].updated_at
    )

    command.revert(workspace)
    assert [a.id for a in store.for_document(workspace, doc.sha256)] == [one.id]
    command.apply(workspace)
    assert len(store.for_document(workspace, doc.sha256)) == 3
    assert _kinds(workspace, many[1].id) == [
        "annotation.created",
        "annotation.deleted",
        "annotation.restored",
    ]
    with pytest.raises(store.AnnotationError, match="no annotation no-such-id"):
        store.set_deleted_many(workspace, [many[0].id, "no-such-id"], True)
    assert not store.get(workspace, many[0].id).deleted  # type: ignore[union-attr]


def test_row_keys_are_the_insert_columns_in_order() -> None:
    """``add`` binds the row's values positionally to ``_INSERT``: same names, same order."""
    row = store._row(Annotation("id", "d" * 64, "pii", "PERSON", TEXT), author="x")
    assert tuple(row) == store._FIELDS
    assert row["author"] == "x"
