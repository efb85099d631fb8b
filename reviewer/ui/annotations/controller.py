"""Annotations of one open document: create, edit, delete, select, undo.

Every change is a pure core command (``reviewer.core.commands``) applied in
its own durable transaction *before* it is pushed on the QUndoStack, so the
stack never holds a change the store refused (disk full, locked database):
the user sees the error and nothing claims to be saved. Views repaint only
what a command's :class:`Changes` names.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import time

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from reviewer.core import annotations as store
from reviewer.core.anchors import area_selector, text_selector
from reviewer.core.annotation_index import AnnotationIndex, Position
from reviewer.core.commands import (
    Changes,
    Command,
    CommandGroup,
    CreateAnnotation,
    CreateAnnotations,
    DeleteAnnotation,
    EditAnnotation,
)
from reviewer.core.errors import ReviewerError
from reviewer.core.facets import Facets
from reviewer.core.model import Annotation, Box, Selector
from reviewer.core.selection import PageSpan
from reviewer.core.taxonomy import Taxonomy
from reviewer.ui.document_session import DocumentSession

#: Annotations read per query while a document opens, and the time one
#: event-loop turn may spend reading them (a turn over 50 ms is a visible stall).
LOAD_CHUNK = 100
LOAD_BUDGET_S = 0.004


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
    """The annotation state of one document and the only way the UI changes it.

    A document's annotations are read in reading-order chunks, each within
    :data:`LOAD_BUDGET_S` of one event-loop turn: the first chunk (page one
    and on) before the tab is shown, the rest on later turns, announced by
    ``appended``. Anything that needs them all (a change, next/previous)
    first reads what is left.
    """

    changed = Signal(object)  # Changes
    #: Annotations read after the views were made (in reading order) and their positions.
    appended = Signal(object, object)
    selectionChanged = Signal(object)  # annotation id or None
    accepted = Signal(object)  # a suggestion someone accepted (Annotation)
    failed = Signal(str)

    def __init__(
        self, session: DocumentSession, taxonomy: Taxonomy, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.workspace = session.workspace
        self.taxonomy = taxonomy
        #: The batch item new annotations belong to (None: not batch work).
        self.item: str | None = None
        self.undo_stack = QUndoStack(self)
        self.selected: str | None = None
        self._index = AnnotationIndex()
        self._loaded_to: store.ChunkKey | None = None
        self._loading = True
        self._pending: list[Annotation] = []
        self._pending_keys: list[Position] = []
        self._load_timer = QTimer(self)
        self._load_timer.setSingleShot(True)
        self._load_timer.timeout.connect(self._load_some)
        # The first chunk is read before any view exists: views start from it.
        self._announce = False
        self._load(LOAD_BUDGET_S)
        self._pending, self._pending_keys = [], []
        self._announce = True
        if self._loading:
            self._load_timer.start(0)

    # -- loading ---------------------------------------------------------------------

    @property
    def loading(self) -> bool:
        """True while some of the document's annotations are still to be read."""
        return self._loading

    def finish_loading(self) -> None:
        """Read whatever is left now (before a change, so every index is whole)."""
        self._load_timer.stop()
        self._load(None)

    def _load_some(self) -> None:
        self._load(LOAD_BUDGET_S)
        if self._loading:
            self._load_timer.start(0)

    def _load(self, budget: float | None) -> None:
        """Read chunks until all are read or ``budget`` seconds have gone.

        Each chunk goes into the index at once (so painting and hit-testing
        see it) and repaints the pages it touches; the list gets all the rows
        read after the first chunk in one insertion at the end, because
        updating the list and its filters on every turn cost more than reading.
        """
        started = time.perf_counter()
        while self._loading:
            chunk, last = store.reading_order_chunk(
                self.workspace, self.session.sha256, self._loaded_to, LOAD_CHUNK
            )
            if len(chunk) < LOAD_CHUNK:
                self._loading = False
            if chunk:
                self._loaded_to = last
                added, keys = self._index.extend(chunk)
                self._pending.extend(added)
                self._pending_keys.extend(keys)
                pages = frozenset(p for a in added for p in a.selector.pages)
                if pages and self._loading:
                    self.changed.emit(Changes(self.session.sha256, frozenset(), pages))
            if budget is not None and time.perf_counter() - started >= budget:
                break
        if not self._loading and self._announce:
            self._announce_pending()

    def _announce_pending(self) -> None:
        added, keys = self._pending, self._pending_keys
        self._pending, self._pending_keys = [], []
        if added:
            self.appended.emit(added, keys)
        pages = frozenset(p for a in added for p in a.selector.pages)
        self.changed.emit(Changes(self.session.sha256, frozenset(), pages))

    # -- reading ---------------------------------------------------------------

    def annotations(self) -> list[Annotation]:
        """Live annotations read so far, in reading order (what the views start from)."""
        return self._index.ordered()

    def positions(self) -> list[Position]:
        """Their reading positions, one for one with :meth:`annotations`."""
        return self._index.keys()

    def facets(self) -> Facets:
        """Counts for the filters and the summary line; read-only for callers."""
        return self._index.facets

    def on_page(self, page: int) -> list[Annotation]:
        return self._index.on_page(page)

    def get(self, annotation_id: str) -> Annotation | None:
        return self._index.get(annotation_id)

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
            item=self.item,
        )
        command = CreateAnnotation(annotation, text=f"Add {self._label_text(label_id)}")
        if not self.run(command):
            return None
        self.select(command.annotation.id)
        return self._index.get(command.annotation.id)

    def edit(self, annotation_id: str, **fields: object) -> bool:
        current = self._index.get(annotation_id)
        if current is None:
            return False
        after = {k: v for k, v in fields.items() if getattr(current, k) != v}
        if not after:
            return True
        what = "label" if "label" in after else "comment" if "comment" in after else "annotation"
        return self.run(EditAnnotation(annotation_id, after, text=f"Change {what}"))

    def delete(self, annotation_id: str) -> bool:
        if annotation_id not in self._index:
            return False
        self.finish_loading()
        neighbour = self._index.neighbour(annotation_id)
        ok = self.run(DeleteAnnotation(annotation_id))
        if ok:
            self.select(None if neighbour is None else neighbour.id)
        return ok

    # -- suggestions --------------------------------------------------------------------

    def add_proposals(self, proposals: list[Annotation], text: str) -> bool:
        """Store detector suggestions as proposed annotations: one undo step for all."""
        if not proposals:
            return True
        if self.item is not None:
            proposals = [dataclasses.replace(a, item=self.item) for a in proposals]
        return self.run(CreateAnnotations(proposals, text=text))

    def is_suggestion(self, annotation_id: str | None) -> bool:
        annotation = self._index.get(annotation_id or "")
        return annotation is not None and annotation.state == "proposed"

    def accept(self, annotation_id: str) -> bool:
        """Accept a suggestion, then select the next one (the review flow moves on)."""
        return self._judge(annotation_id, "accepted")

    def reject(self, annotation_id: str) -> bool:
        """Reject a suggestion: it stays as a rejected row, so a rescan does not propose it."""
        return self._judge(annotation_id, "rejected")

    def _judge(self, annotation_id: str, state: str) -> bool:
        ok = self.edit(annotation_id, state=state)
        if ok:
            judged = self._index.get(annotation_id)
            self.step_suggestion(True, after=annotation_id)
            if state == "accepted" and judged is not None:
                self.accepted.emit(judged)
        return ok

    def accept_all(self, taxonomy_id: str, label_id: str) -> int:
        """Accept every suggestion with this label, as one undo step; returns how many."""
        self.finish_loading()
        ids = [
            a.id
            for a in self._index.ordered()
            if a.state == "proposed" and (a.taxonomy, a.label) == (taxonomy_id, label_id)
        ]
        if ids:
            name = self.label_display(taxonomy_id, label_id)
            edits = [EditAnnotation(i, {"state": "accepted"}) for i in ids]
            if not self.run(CommandGroup(edits, text=f"Accept all {name} suggestions")):
                return 0
        return len(ids)

    def step_suggestion(self, forward: bool, after: str | None = None) -> Annotation | None:
        """Select the next (or previous) proposed annotation in reading order, wrapping."""
        self.finish_loading()
        target = self._index.step(after or self.selected, forward, _is_proposed)
        self.select(None if target is None else target.id)
        return target

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
        self.finish_loading()  # an undo or redo may arrive while chunks are still due
        stored = store.get_many(self.workspace, changes.annotations)
        for annotation_id in changes.annotations:
            self._index.remove(annotation_id)
            fresh = stored.get(annotation_id)
            if fresh is None or fresh.deleted:
                if self.selected == annotation_id:
                    self.select(None)
            else:
                self._index.add(fresh)
        self.changed.emit(changes)
        return True

    # -- selection and navigation --------------------------------------------------

    def select(self, annotation_id: str | None) -> None:
        if annotation_id is not None and annotation_id not in self._index:
            annotation_id = None
        if annotation_id != self.selected:
            self.selected = annotation_id
            self.selectionChanged.emit(annotation_id)

    def step(self, forward: bool) -> Annotation | None:
        """Select the next (or previous) annotation in reading order, wrapping around."""
        self.finish_loading()  # "previous" from the first wraps to the document's last
        target = self._index.step(self.selected, forward)
        if target is not None:
            self.select(target.id)
        return target

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


def _is_proposed(annotation: Annotation) -> bool:
    return annotation.state == "proposed"
