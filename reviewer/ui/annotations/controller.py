"""Annotations of one open document: create, edit, delete, select, undo.

Every change is a pure core command (``reviewer.core.commands``) applied in
its own durable transaction *before* it is pushed on the QUndoStack, so the
stack never holds a change the store refused (disk full, locked database):
the user sees the error and nothing claims to be saved. Views repaint only
what a command's :class:`Changes` names.
"""

from __future__ import annotations

import bisect
import sqlite3

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from reviewer.core import annotations as store
from reviewer.core.anchors import area_selector, sort_key, text_selector
from reviewer.core.commands import (
    Changes,
    Command,
    CreateAnnotation,
    DeleteAnnotation,
    EditAnnotation,
)
from reviewer.core.errors import ReviewerError
from reviewer.core.facets import Facets
from reviewer.core.model import Annotation, Box, Selector
from reviewer.core.selection import PageSpan
from reviewer.core.taxonomy import Taxonomy
from reviewer.ui.document_session import DocumentSession


class _Undoable(QUndoCommand):
    """Adapts a core command to QUndoStack; the first redo() is the apply already done."""

    def __init__(self, command: Command, controller: AnnotationController) -> None:
        super().__init__(command.text)
        self.command = command
        self.controller = controller
        self._done = True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self.controller._execute(self.command.apply)

    def undo(self) -> None:
        self.controller._execute(self.command.revert)


class AnnotationController(QObject):
    """The annotation state of one document and the only way the UI changes it."""

    changed = Signal(object)  # Changes
    selectionChanged = Signal(object)  # annotation id or None
    failed = Signal(str)

    def __init__(
        self, session: DocumentSession, taxonomy: Taxonomy, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.workspace = session.workspace
        self.taxonomy = taxonomy
        self.undo_stack = QUndoStack(self)
        self.selected: str | None = None
        self._items: dict[str, Annotation] = {}
        self._ordered: list[Annotation] = []
        self._keys: list[tuple[int, float, float, str, str]] = []
        self._by_page: dict[int, list[Annotation]] = {}
        self._facets = Facets()
        self.reload()

    # -- reading ---------------------------------------------------------------

    def reload(self) -> None:
        ordered = store.for_document(self.workspace, self.session.sha256)
        self._items = {a.id: a for a in ordered}
        self._ordered = sorted(ordered, key=_position)
        self._keys = [_position(a) for a in self._ordered]
        self._by_page = {}
        self._facets = Facets.of(ordered)
        for a in ordered:
            for page in a.selector.pages:
                self._by_page.setdefault(page, []).append(a)

    def _forget(self, annotation: Annotation) -> None:
        """Drop one annotation from the indexes (O(log n + page), not O(n))."""
        key = _position(annotation)
        at = bisect.bisect_left(self._keys, key)
        if at < len(self._keys) and self._ordered[at].id == annotation.id:
            del self._ordered[at]
            del self._keys[at]
        for page in annotation.selector.pages:
            items = self._by_page.get(page, [])
            self._by_page[page] = [a for a in items if a.id != annotation.id]
        self._facets.count(annotation, -1)

    def _remember(self, annotation: Annotation) -> None:
        key = _position(annotation)
        at = bisect.bisect_left(self._keys, key)
        self._ordered.insert(at, annotation)
        self._keys.insert(at, key)
        for page in annotation.selector.pages:
            self._by_page.setdefault(page, []).append(annotation)
        self._facets.count(annotation)

    def annotations(self) -> list[Annotation]:
        """Live annotations in reading order."""
        return list(self._ordered)

    def facets(self) -> Facets:
        """Counts for the filters and the summary line; read-only for callers."""
        return self._facets

    def on_page(self, page: int) -> list[Annotation]:
        return self._by_page.get(page, [])

    def get(self, annotation_id: str) -> Annotation | None:
        return self._items.get(annotation_id)

    def taxonomy_for(self, annotation: Annotation) -> Taxonomy | None:
        from reviewer.core.taxonomy import builtin_taxonomies

        if annotation.taxonomy == self.taxonomy.id:
            return self.taxonomy
        return builtin_taxonomies().get(annotation.taxonomy)

    def colour_of(self, annotation: Annotation) -> str:
        taxonomy = self.taxonomy_for(annotation)
        try:
            return taxonomy.label(annotation.label).colour if taxonomy else "#808080"
        except KeyError:
            return "#808080"

    def label_name(self, annotation: Annotation) -> str:
        taxonomy = self.taxonomy_for(annotation)
        try:
            return taxonomy.label(annotation.label).name if taxonomy else annotation.label
        except KeyError:
            return annotation.label

    # -- changing ----------------------------------------------------------------

    def set_taxonomy(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy

    def anchor_text(self, spans: list[PageSpan]) -> Selector | None:
        """The anchor of a word selection (None if its pages' words are not loaded)."""
        layers = {s.page: layer for s in spans if (layer := self.session.layer(s.page))}
        return text_selector(layers, spans)

    def create_text(
        self, spans: list[PageSpan], label_id: str, anchor: Selector | None = None
    ) -> Annotation | None:
        """Label a word selection; ``anchor`` is its :meth:`anchor_text` if made earlier."""
        selector = anchor if anchor is not None else self.anchor_text(spans)
        return None if selector is None else self._create(selector, label_id)

    def create_area(self, page: int, box: Box, label_id: str) -> Annotation | None:
        width, height = self.session.page_sizes[page]
        rotation = self.session.opened.rotations[page] if self.session.opened.rotations else 0
        return self._create(area_selector(page, box, rotation, width, height), label_id)

    def _create(self, selector: Selector, label_id: str) -> Annotation | None:
        annotation = Annotation(
            id=store.new_id(),
            document=self.session.sha256,
            taxonomy=self.taxonomy.id,
            label=label_id,
            selector=selector,
            author=self.workspace.actor,
        )
        command = CreateAnnotation(annotation, text=f"Add {self._label_text(label_id)}")
        if not self.run(command):
            return None
        self.select(command.annotation.id)
        return self._items.get(command.annotation.id)

    def edit(self, annotation_id: str, **fields: object) -> bool:
        current = self._items.get(annotation_id)
        if current is None:
            return False
        after = {k: v for k, v in fields.items() if getattr(current, k) != v}
        if not after:
            return True
        what = "label" if "label" in after else "comment" if "comment" in after else "annotation"
        return self.run(EditAnnotation(annotation_id, after, text=f"Change {what}"))

    def delete(self, annotation_id: str) -> bool:
        if annotation_id not in self._items:
            return False
        neighbour = self._neighbour(annotation_id)
        ok = self.run(DeleteAnnotation(annotation_id))
        if ok:
            self.select(neighbour)
        return ok

    def run(self, command: Command) -> bool:
        """Apply ``command`` durably; only then make it undoable. False (and ``failed``) if not."""
        if not self._execute(command.apply):
            return False
        self.undo_stack.push(_Undoable(command, self))
        return True

    def _execute(self, step: object) -> bool:
        try:
            changes: Changes = step(self.workspace)  # type: ignore[operator]
        except (ReviewerError, sqlite3.Error, OSError) as exc:
            self.failed.emit(f"Not saved: {exc}")
            return False
        for annotation_id in changes.annotations:
            old = self._items.pop(annotation_id, None)
            if old is not None:
                self._forget(old)
            fresh = store.get(self.workspace, annotation_id)
            if fresh is None or fresh.deleted:
                if self.selected == annotation_id:
                    self.select(None)
            else:
                self._items[annotation_id] = fresh
                self._remember(fresh)
        self.changed.emit(changes)
        return True

    # -- selection and navigation --------------------------------------------------

    def select(self, annotation_id: str | None) -> None:
        if annotation_id is not None and annotation_id not in self._items:
            annotation_id = None
        if annotation_id != self.selected:
            self.selected = annotation_id
            self.selectionChanged.emit(annotation_id)

    def step(self, forward: bool) -> Annotation | None:
        """Select the next (or previous) annotation in reading order, wrapping around."""
        ordered = self._ordered
        if not ordered:
            return None
        current = self._items.get(self.selected or "")
        if current is not None:
            at = bisect.bisect_left(self._keys, _position(current))
            index = (at + (1 if forward else -1)) % len(ordered)
        else:
            index = 0 if forward else len(ordered) - 1
        self.select(ordered[index].id)
        return ordered[index]

    def _neighbour(self, annotation_id: str) -> str | None:
        current = self._items.get(annotation_id)
        if current is None or len(self._ordered) == 1:
            return None
        i = bisect.bisect_left(self._keys, _position(current))
        return self._ordered[i + 1].id if i + 1 < len(self._ordered) else self._ordered[i - 1].id

    def _label_text(self, label_id: str) -> str:
        try:
            return self.taxonomy.label(label_id).name
        except KeyError:
            return label_id

    def label_display(self, taxonomy_id: str, label_id: str) -> str:
        taxonomy = self._taxonomy(taxonomy_id)
        try:
            return taxonomy.label(label_id).name if taxonomy else label_id
        except KeyError:
            return label_id

    def comment_required(self, taxonomy_id: str, label_id: str) -> bool:
        taxonomy = self._taxonomy(taxonomy_id)
        try:
            return bool(taxonomy and taxonomy.label(label_id).comment_required)
        except KeyError:
            return False

    def _taxonomy(self, taxonomy_id: str) -> Taxonomy | None:
        from reviewer.core.taxonomy import builtin_taxonomies

        if taxonomy_id == self.taxonomy.id:
            return self.taxonomy
        return builtin_taxonomies().get(taxonomy_id)

    def needs_comment(self, annotation: Annotation) -> bool:
        """True when the label requires a written explanation that is still missing."""
        taxonomy = self.taxonomy_for(annotation)
        try:
            required = taxonomy.label(annotation.label).comment_required if taxonomy else False
        except KeyError:
            required = False
        return required and not annotation.comment.strip()


def _position(a: Annotation) -> tuple[int, float, float, str, str]:
    return (*sort_key(a.selector), a.created_at, a.id)
