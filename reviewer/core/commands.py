"""Undoable changes as pure commands: ``apply`` and ``revert`` against the store.

The UI wraps each in a thin ``QUndoCommand`` (Orange's pattern); the logic
and its tests live here, with no Qt. Every ``apply``/``revert`` is one
durable transaction with its event, and returns :class:`Changes` saying what
to repaint, so views refresh only that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from reviewer.core import annotations as store
from reviewer.core.model import Annotation
from reviewer.core.store import Workspace


@dataclass(frozen=True)
class Changes:
    """What a command touched: a document, some annotations, some pages."""

    document: str
    annotations: frozenset[str] = field(default_factory=frozenset)
    pages: frozenset[int] = field(default_factory=frozenset)

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.document, self.annotations | other.annotations, self.pages | other.pages
        )


class Command(Protocol):
    text: str

    def apply(self, ws: Workspace) -> Changes: ...

    def revert(self, ws: Workspace) -> Changes: ...


def _changes(a: Annotation) -> Changes:
    return Changes(a.document, frozenset({a.id}), frozenset(a.selector.pages))


@dataclass
class CreateAnnotation:
    """Create an annotation; undo deletes it, redo restores the same row."""

    annotation: Annotation
    text: str = "Add annotation"
    stored: bool = False  # after the first apply, redo only restores the row

    def apply(self, ws: Workspace) -> Changes:
        if self.stored:
            store.set_deleted(ws, self.annotation.id, False)
        else:
            # No look-up first: this is the label key press, and an id that
            # exists already is refused by the primary key anyway.
            self.annotation = store.add(ws, self.annotation)
            self.stored = True
        return _changes(self.annotation)

    def revert(self, ws: Workspace) -> Changes:
        return _changes(store.set_deleted(ws, self.annotation.id, True))


@dataclass
class CreateAnnotations:
    """Create many annotations (a scan's suggestions) in one go; one undo step."""

    annotations: list[Annotation]
    text: str = "Add annotations"
    stored: bool = False

    def apply(self, ws: Workspace) -> Changes:
        if self.stored:
            store.set_deleted_many(ws, [a.id for a in self.annotations], False)
        else:
            self.annotations = store.add_many(ws, self.annotations)
            self.stored = True
        return self._changes()

    def revert(self, ws: Workspace) -> Changes:
        store.set_deleted_many(ws, [a.id for a in self.annotations], True)
        return self._changes()

    def _changes(self) -> Changes:
        return Changes(
            self.annotations[0].document,
            frozenset(a.id for a in self.annotations),
            frozenset(p for a in self.annotations for p in a.selector.pages),
        )


@dataclass
class DeleteAnnotation:
    annotation_id: str
    text: str = "Delete annotation"

    def apply(self, ws: Workspace) -> Changes:
        return _changes(store.set_deleted(ws, self.annotation_id, True))

    def revert(self, ws: Workspace) -> Changes:
        return _changes(store.set_deleted(ws, self.annotation_id, False))


@dataclass
class EditAnnotation:
    """Change fields of one annotation; ``before`` is captured on first apply."""

    annotation_id: str
    after: dict[str, Any]
    text: str = "Edit annotation"
    before: dict[str, Any] = field(default_factory=dict)

    def apply(self, ws: Workspace) -> Changes:
        if not self.before:
            current = store.get(ws, self.annotation_id)
            if current is not None:
                self.before = {k: getattr(current, k) for k in self.after}
        return _changes(store.update(ws, self.annotation_id, self.after))

    def revert(self, ws: Workspace) -> Changes:
        return _changes(store.update(ws, self.annotation_id, self.before))


@dataclass
class CommandGroup:
    """Several commands as one undo step, in one transaction."""

    commands: Sequence[Command]
    text: str = "Change annotations"

    def apply(self, ws: Workspace) -> Changes:
        with ws.transaction():
            result = [c.apply(ws) for c in self.commands]
        return _merge(result)

    def revert(self, ws: Workspace) -> Changes:
        with ws.transaction():
            result = [c.revert(ws) for c in reversed(self.commands)]
        return _merge(result)


def _merge(changes: list[Changes]) -> Changes:
    merged = changes[0]
    for c in changes[1:]:
        merged = merged | c
    return merged
