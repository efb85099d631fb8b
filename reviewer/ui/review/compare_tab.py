"""A compare item in one tab: the prompt, 2-3 drafts side by side, and the judgement.

Each draft is an ordinary :class:`DocumentPane` (its own worker, page view,
annotations and undo stack), shown without thumbnails; the label palette
and annotation list of the draft being worked on sit in one column on the
right. Drafts appear in the reviewer's shuffled order as "Draft A/B/C" —
never by file name, which could give away which model wrote them.

Synchronized scrolling keeps every draft at the same relative position;
"Show differences" highlights the words one draft has that the other does
not (``core.draft_diff``). With "Cite passage" on, clicking a highlighted
passage inserts a reference to it into the rationale.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.draft_diff import diff_drafts
from reviewer.core.judgements import LETTERS, Evidence
from reviewer.core.model import Item
from reviewer.ui.bridge import Relay, run_in_pool
from reviewer.ui.document_pane import DocumentPane
from reviewer.ui.review.judgement_controller import JudgementController
from reviewer.ui.review.judgement_form import JudgementForm
from reviewer.ui.review.prompt_box import PromptBox

DIFF_LAYER = "diff"
DIFF_COLOUR = QColor(255, 140, 0, 70)


class _DraftColumn(QWidget):
    """ "Draft B" above its pane (a placeholder until the draft has opened)."""

    def __init__(self, letter: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.letter = letter
        self.header = QLabel(f"<b>Draft {letter}</b> <span style='color:#5b6068'>opening…</span>")
        self.header.setContentsMargins(6, 2, 6, 2)
        self.header.setStyleSheet("background: #e8ecf3; border-bottom: 1px solid #d5dae3;")
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(0)
        self.box.addWidget(self.header)
        self.box.addStretch(1)
        self.pane: DocumentPane | None = None

    def set_pane(self, pane: DocumentPane) -> None:
        self.pane = pane
        self.box.takeAt(1)  # the stretch that held the place
        self.box.addWidget(pane, 1)
        pages = pane.session.page_count
        self.header.setText(
            f"<b>Draft {self.letter}</b> "
            f"<span style='color:#5b6068'>{pages} page{'s' if pages != 1 else ''}</span>"
        )


class CompareTab(QWidget):
    """The drafts of one compare item and the reviewer's judgement of them."""

    #: The draft being worked on changed (DocumentPane).
    currentPaneChanged = Signal(object)
    #: A line for the status bar.
    message = Signal(str)

    def __init__(
        self, item: Item, controller: JudgementController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.item = item
        self.controller = controller
        self.order = controller.judgement.order
        self._current: DocumentPane | None = None
        self._syncing = False
        self._relay = Relay(self)
        self._diff_key: tuple[int, int] | None = None  # the pair being (or last) compared
        self.setAccessibleName(f"Compare drafts: {item.title}")

        self.prompt = PromptBox(
            item.prompt or "(the batch gives no prompt for this item)", parent=self
        )
        self.sync = QCheckBox("Synchronized scrolling", self)
        self.sync.setChecked(True)
        self.sync.setAccessibleName("Synchronized scrolling")
        self.sync.setToolTip("Scroll every draft together (Ctrl+Shift+Y)")
        self.diff = QCheckBox("Show differences", self)
        self.diff.setAccessibleName("Show differences between two drafts")
        self.diff.setToolTip(
            "Highlight the words one draft has and the other does not (Ctrl+Shift+F)"
        )
        self.pair = QComboBox(self)
        self.pair.setAccessibleName("Drafts to compare")
        letters = LETTERS[: len(self.order)]
        self.pairs = [(i, j) for i in range(len(letters)) for j in range(i + 1, len(letters))]
        self.pair.addItems([f"{letters[i]} ↔ {letters[j]}" for i, j in self.pairs])
        self.diff_summary = QLabel(self)
        self.diff_summary.setStyleSheet("color: #5b6068;")
        tools = QHBoxLayout()
        tools.setContentsMargins(6, 0, 6, 0)
        tools.addWidget(self.sync)
        tools.addSpacing(16)
        tools.addWidget(self.diff)
        tools.addWidget(self.pair)
        tools.addWidget(self.diff_summary, 1)

        self.columns = [_DraftColumn(letter, self) for letter in letters]
        self.sides = QStackedWidget(self)
        self.sides.setMinimumWidth(260)
        self.sides.addWidget(QLabel("Labels and annotations of the draft you work on", self))
        drafts = QSplitter(Qt.Orientation.Horizontal, self)
        for column in self.columns:
            drafts.addWidget(column)
            drafts.setCollapsible(drafts.indexOf(column), False)
        drafts.addWidget(self.sides)
        drafts.setSizes([1000] * len(self.columns) + [300])
        self.form = JudgementForm(controller, self)
        main = QSplitter(Qt.Orientation.Vertical, self)
        main.addWidget(drafts)
        main.addWidget(self.form)
        main.setStretchFactor(0, 1)
        main.setSizes([10_000, 300])
        main.setCollapsible(0, False)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 0)
        box.setSpacing(4)
        box.addWidget(self.prompt)
        box.addLayout(tools)
        box.addWidget(main, 1)

        self.sync.toggled.connect(lambda on: on and self._sync_from(self.current_pane()))
        self.diff.toggled.connect(self._update_diff)
        self.pair.currentIndexChanged.connect(lambda _i: self._update_diff())
        self.form.evidenceActivated.connect(self.show_evidence)
        self.form.label_name = self._label_name
        self.form.cite_button.toggled.connect(self._on_cite_mode)

    # -- panes -----------------------------------------------------------------------

    @property
    def panes(self) -> list[DocumentPane]:
        return [c.pane for c in self.columns if c.pane is not None]

    def pane_of(self, document: str) -> DocumentPane | None:
        return next((p for p in self.panes if p.session.sha256 == document), None)

    def wants(self, document: str) -> bool:
        """True while the draft ``document`` has no pane yet."""
        return document in self.order and self.pane_of(document) is None

    def add_pane(self, pane: DocumentPane) -> None:
        """Place an opened draft in its column; its labels and list join the right column."""
        column = self.columns[self.order.index(pane.session.sha256)]
        pane.thumbnails.hide()
        self.sides.addWidget(pane.side)  # moved out of the pane's own splitter
        column.set_pane(pane)
        view = pane.view
        view.setAccessibleName(f"Pages of draft {column.letter}")
        view.verticalScrollBar().valueChanged.connect(lambda _v, p=pane: self._sync_from(p))
        view.installEventFilter(self)
        view.viewport().installEventFilter(self)
        pane.session.wordsReady.connect(lambda _page: self._update_diff(quiet=True))
        if self._current is None:
            self.set_current(pane)
        self.form.show_judgement(self.controller.judgement)  # cited passages' label names
        if self.diff.isChecked():
            self._update_diff()

    def current_pane(self) -> DocumentPane | None:
        return self._current

    def set_current(self, pane: DocumentPane) -> None:
        if pane is self._current:
            return
        self._current = pane
        self.sides.setCurrentWidget(pane.side)
        for column in self.columns:
            active = column.pane is pane
            column.header.setStyleSheet(
                "background: #cfdcf3; border-bottom: 2px solid #2a6fdb;"
                if active
                else "background: #e8ecf3; border-bottom: 1px solid #d5dae3;"
            )
        self.currentPaneChanged.emit(pane)

    def _label_name(self, evidence: Evidence) -> str:
        pane = self.pane_of(evidence.document)
        found = None if pane is None else pane.annotations.get(evidence.annotation)
        return evidence.label if found is None else pane.annotations.label_name(found)  # type: ignore[union-attr]

    def live_annotations(self) -> list[str]:
        return [a.id for p in self.panes for a in p.annotations.annotations()]

    # -- events from the drafts' views -------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.FocusIn, QEvent.Type.MouseButtonPress):
            for pane in self.panes:
                if watched is pane.view or watched is pane.view.viewport():
                    self.set_current(pane)
                    if (
                        kind == QEvent.Type.MouseButtonPress
                        and self.form.cite_button.isChecked()
                        and isinstance(event, QMouseEvent)
                        and event.button() == Qt.MouseButton.LeftButton
                    ):
                        return self._cite_at(pane, event)
        return super().eventFilter(watched, event)

    def _cite_at(self, pane: DocumentPane, event: QMouseEvent) -> bool:
        annotation = pane.view.annotation_at(event.position().toPoint())
        if annotation is None:
            self.message.emit("Click a highlighted passage to cite it (or turn off Cite passage)")
            return False  # the click goes on to the page: selecting text still works
        self.cite(annotation)
        pane.annotations.select(annotation.id)
        return True

    def cite(self, annotation: object) -> str | None:
        """Link a passage to the rationale and insert its reference at the cursor."""
        ref = self.controller.cite(annotation)  # type: ignore[arg-type]
        if ref is not None:
            self.form.insert_reference(ref)
            self.message.emit(f"Cited [{ref}] in the rationale")
        return ref

    def cite_selected(self) -> str | None:
        """The keyboard way: cite the selected passage of the draft being worked on."""
        pane = self.current_pane()
        found = None if pane is None else pane.annotations.get(pane.annotations.selected or "")
        if found is None:
            self.message.emit("Select a highlighted passage in a draft first")
            return None
        return self.cite(found)

    def _on_cite_mode(self, on: bool) -> None:
        cursor = Qt.CursorShape.PointingHandCursor if on else Qt.CursorShape.IBeamCursor
        for pane in self.panes:
            pane.view.viewport().setCursor(cursor)
        if on:
            self.message.emit("Cite passage: click a highlighted passage in any draft")

    def show_evidence(self, evidence: Evidence) -> None:
        pane = self.pane_of(evidence.document)
        if pane is None:
            return
        self.set_current(pane)
        found = pane.annotations.get(evidence.annotation)
        if found is None:
            self.message.emit(f"The passage cited as [{evidence.ref}] was deleted")
            return
        pane.annotations.select(found.id)
        pane.view.scroll_to_annotation(found)

    # -- scrolling together ---------------------------------------------------------------

    def _sync_from(self, source: DocumentPane | None) -> None:
        if source is None or self._syncing or not self.sync.isChecked():
            return
        bar = source.view.verticalScrollBar()
        fraction = bar.value() / bar.maximum() if bar.maximum() > 0 else 0.0
        self._syncing = True
        try:
            for pane in self.panes:
                if pane is not source:
                    other = pane.view.verticalScrollBar()
                    other.setValue(round(fraction * other.maximum()))
        finally:
            self._syncing = False

    # -- differences -------------------------------------------------------------------------

    def _update_diff(self, quiet: bool = False) -> None:
        """Show (or clear) the diff of the chosen pair; it is computed off the GUI thread.

        Measured: 1.7 s for two 50-page drafts (difflib), so never on this thread.
        """
        i, j = self.pairs[max(0, self.pair.currentIndex())]
        left, right = self.columns[i].pane, self.columns[j].pane
        for pane in self.panes:
            if not self.diff.isChecked() or pane not in (left, right):
                pane.view.set_marks(DIFF_LAYER, {}, DIFF_COLOUR)
        if not self.diff.isChecked():
            self._diff_key = None
            self.diff_summary.setText("")
            return
        if left is None or right is None or (quiet and self._diff_key == (i, j)):
            return
        words = [self._all_words(left), self._all_words(right)]
        if words[0] is None or words[1] is None:
            if not quiet:
                self.diff_summary.setText("Reading the drafts…")
            return  # asked for; wordsReady brings us back
        self._diff_key = (i, j)
        self.diff_summary.setText("Comparing…")
        a, b = words
        future = run_in_pool(lambda: diff_drafts(a, b))
        self._relay.when_done(future, lambda done, key=(i, j): self._show_diff(key, done))

    def _show_diff(self, key: tuple[int, int], done: Future[Any]) -> None:
        if key != self._diff_key or not self.diff.isChecked():
            return  # another pair was chosen meanwhile, or the highlight turned off
        if done.exception() is not None:
            self.diff_summary.setText(f"The drafts could not be compared: {done.exception()}")
            return
        found = done.result()
        left, right = self.columns[key[0]].pane, self.columns[key[1]].pane
        for pane in self.panes:
            boxes = found.left if pane is left else found.right if pane is right else {}
            pane.view.set_marks(DIFF_LAYER, boxes, DIFF_COLOUR)
        a, b = self.columns[key[0]].letter, self.columns[key[1]].letter
        self.diff_summary.setText(
            f"{found.left_words} words only in {a}, {found.right_words} only in {b} "
            f"({round(found.similarity * 100)} % alike)"
        )

    @staticmethod
    def _all_words(pane: DocumentPane) -> list[list] | None:
        pages = [pane.session.words(p) for p in range(pane.session.page_count)]
        return None if any(w is None for w in pages) else pages  # type: ignore[return-value]
