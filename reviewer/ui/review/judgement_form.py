"""A compare item's judgement: the best draft (or a ranking), ratings, rationale, evidence.

The form only shows the judgement and forwards what the reviewer does to
the :class:`JudgementController`; what counts as complete is decided in
``core.judgements`` and shown as a list of what is still needed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.judgements import LETTERS, SCALE, Evidence, Judgement
from reviewer.ui.review.judgement_controller import JudgementController

NO_RATING = "–"


class JudgementForm(QWidget):
    """Everything the reviewer decides about a compare item, in one row under the drafts."""

    #: The reviewer asked to see a cited passage (Evidence).
    evidenceActivated = Signal(object)

    def __init__(self, controller: JudgementController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        j = controller.judgement
        self.letters = [LETTERS[i] for i in range(len(j.order))]
        self._showing = False
        #: How a cited passage's label is shown (the tab knows the drafts' label sets).
        self.label_name: Callable[[Evidence], str] = lambda e: e.label

        # -- best draft / ranking ------------------------------------------------
        choice_box = QGroupBox("Best draft", self)
        self.choice_group = QButtonGroup(self)
        self.choice_buttons: dict[str, QRadioButton] = {}
        choice_layout = QVBoxLayout(choice_box)
        for letter, document in zip(self.letters, j.order, strict=True):
            button = QRadioButton(f"Draft {letter}", choice_box)
            button.setAccessibleName(f"Draft {letter} is the best")
            self.choice_group.addButton(button)
            self.choice_buttons[document] = button
            choice_layout.addWidget(button)
            button.toggled.connect(lambda on, d=document: on and self._choose(d))
        self.rank_all = QCheckBox("Rank all drafts", choice_box)
        self.rank_all.setAccessibleName("Rank all drafts instead of picking one")
        choice_layout.addWidget(self.rank_all)
        self.rank_boxes: list[QComboBox] = []
        rank_row = QHBoxLayout()
        for place in range(len(j.order)):
            combo = QComboBox(choice_box)
            combo.addItem(NO_RATING)
            combo.addItems([f"Draft {letter}" for letter in self.letters])
            combo.setAccessibleName(f"Rank {place + 1}")
            combo.setToolTip(f"Place {place + 1} (1 = best)")
            combo.currentIndexChanged.connect(self._ranking_changed)
            rank_row.addWidget(QLabel(f"{place + 1}.", choice_box))
            rank_row.addWidget(combo)
            self.rank_boxes.append(combo)
        self.rank_widget = QWidget(choice_box)
        self.rank_widget.setLayout(rank_row)
        rank_row.setContentsMargins(0, 0, 0, 0)
        choice_layout.addWidget(self.rank_widget)
        choice_layout.addStretch(1)
        self.rank_all.toggled.connect(self.rank_widget.setVisible)
        self.rank_widget.setVisible(bool(j.ranking))
        self.rank_all.setChecked(bool(j.ranking))

        # -- ratings ---------------------------------------------------------------
        low, high = SCALE
        ratings_box = QGroupBox(f"Ratings ({low} = poor … {high} = excellent)", self)
        grid = QGridLayout(ratings_box)
        grid.setHorizontalSpacing(10)
        self.rating_boxes: dict[tuple[str, str], QComboBox] = {}
        for col, letter in enumerate(self.letters, start=1):
            head = QLabel(f"<b>{letter}</b>", ratings_box)
            head.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(head, 0, col)
        for row, criterion in enumerate(controller.criteria, start=1):
            name = QLabel(criterion.name, ratings_box)
            name.setToolTip(criterion.description)
            grid.addWidget(name, row, 0)
            for col, (letter, document) in enumerate(zip(self.letters, j.order, strict=True), 1):
                combo = QComboBox(ratings_box)
                combo.addItem(NO_RATING)
                combo.addItems([str(v) for v in range(low, high + 1)])
                combo.setAccessibleName(f"{criterion.name}, draft {letter}")
                combo.setToolTip(f"{criterion.name} of draft {letter}: {criterion.description}")
                combo.currentIndexChanged.connect(
                    lambda index, d=document, c=criterion.id: self._rate(d, c, index)
                )
                grid.addWidget(combo, row, col)
                self.rating_boxes[(document, criterion.id)] = combo
        grid.setRowStretch(len(controller.criteria) + 1, 1)  # rows stay together at the top

        # -- rationale and evidence -----------------------------------------------------
        why_box = QGroupBox("Rationale", self)
        self.rationale = QPlainTextEdit(why_box)
        self.rationale.setAccessibleName("Rationale")
        self.rationale.setTabChangesFocus(True)
        self.rationale.setPlaceholderText(
            "Why is the best draft better? Cite the passages that show it: turn on "
            "“Cite passage” and click a highlighted passage to insert a reference like [A1]."
        )
        self.rationale.setPlainText(j.rationale)
        self.rationale.textChanged.connect(self._rationale_changed)
        self.cite_button = QPushButton("Cite passage", why_box)
        self.cite_button.setCheckable(True)
        self.cite_button.setAccessibleName("Cite passage: click a highlighted passage in a draft")
        self.cite_button.setToolTip(
            "While on, clicking a highlighted passage in a draft inserts a reference to it "
            "at the cursor. Ctrl+Shift+R cites the selected passage."
        )
        self.evidence = QListWidget(why_box)
        self.evidence.setAccessibleName("Cited passages")
        self.evidence.setMaximumHeight(70)
        self.evidence.itemActivated.connect(self._evidence_activated)
        self.evidence.itemClicked.connect(self._evidence_activated)
        self.status = QLabel(why_box)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("What the judgement still needs")
        why_top = QHBoxLayout()
        why_top.addWidget(QLabel("Cite the passages that justify it:", why_box), 1)
        why_top.addWidget(self.cite_button)
        why_layout = QVBoxLayout(why_box)
        why_layout.addWidget(self.rationale, 1)
        why_layout.addLayout(why_top)
        why_layout.addWidget(self.evidence)
        why_layout.addWidget(self.status)

        row = QHBoxLayout(self)
        row.setContentsMargins(4, 4, 4, 4)
        row.addWidget(choice_box)
        row.addWidget(ratings_box)
        row.addWidget(why_box, 1)
        controller.changed.connect(self.show_judgement)
        self.show_judgement(j)

    # -- the reviewer's input --------------------------------------------------------

    def _choose(self, document: str) -> None:
        if not self._showing:
            self.controller.choose(document)

    def _rate(self, document: str, criterion: str, index: int) -> None:
        if not self._showing:
            self.controller.rate(document, criterion, None if index <= 0 else SCALE[0] + index - 1)

    def _ranking_changed(self) -> None:
        if self._showing:
            return
        picks = [box.currentIndex() for box in self.rank_boxes]
        if all(p > 0 for p in picks) and len(set(picks)) == len(picks):
            order = self.controller.judgement.order
            self.controller.rank([order[p - 1] for p in picks])

    def _rationale_changed(self) -> None:
        if not self._showing:
            self.controller.write_rationale(self.rationale.toPlainText())

    def insert_reference(self, ref: str) -> None:
        """Put ``[ref]`` at the rationale's cursor (with a space before it if needed)."""
        cursor = self.rationale.textCursor()
        before = self.rationale.toPlainText()[: cursor.position()]
        text = f"[{ref}]"
        if before and not before[-1].isspace():
            text = " " + text
        cursor.insertText(text)
        self.rationale.setTextCursor(cursor)

    def _evidence_activated(self, entry: QListWidgetItem) -> None:
        found = entry.data(Qt.ItemDataRole.UserRole)
        if isinstance(found, Evidence):
            self.evidenceActivated.emit(found)

    # -- showing ---------------------------------------------------------------------

    def show_judgement(self, j: Judgement) -> None:
        self._showing = True
        try:
            if j.choice is not None and not self.choice_buttons[j.choice].isChecked():
                self.choice_buttons[j.choice].setChecked(True)
            for (document, criterion), combo in self.rating_boxes.items():
                value = j.ratings.get(document, {}).get(criterion)
                combo.setCurrentIndex(0 if value is None else value - SCALE[0] + 1)
            if j.ranking:
                for box, document in zip(self.rank_boxes, j.ranking, strict=True):
                    box.setCurrentIndex(j.order.index(document) + 1)
            self.evidence.clear()
            for e in j.evidence:
                quote = e.quote if len(e.quote) <= 70 else e.quote[:67] + "…"
                name = self.label_name(e)
                label = f"  {name}" if name else ""
                entry = QListWidgetItem(f"[{e.ref}]{label} — “{quote}” (p. {e.page + 1})")
                entry.setData(Qt.ItemDataRole.UserRole, e)
                self.evidence.addItem(entry)
        finally:
            self._showing = False
        problems = self.controller.problems()
        self.status.setText(
            "<span style='color:#1e7d32'>✓ Judgement complete: mark the item done "
            "(Ctrl+Shift+D)</span>"
            if not problems
            else "<span style='color:#8a5300'>Still needed: " + "; ".join(problems) + "</span>"
        )
