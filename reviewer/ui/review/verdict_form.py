"""A review item's overall verdict (acceptable / needs revision / unacceptable) and summary."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.judgements import VERDICTS, Judgement
from reviewer.ui.review.judgement_controller import JudgementController


class VerdictForm(QGroupBox):
    """Shows and edits the verdict through a :class:`JudgementController`."""

    def __init__(self, controller: JudgementController, parent: QWidget | None = None) -> None:
        super().__init__("Overall verdict", parent)
        self.controller = controller
        self.buttons: dict[str, QRadioButton] = {}
        self.group = QButtonGroup(self)
        row = QHBoxLayout()
        for verdict, name in VERDICTS.items():
            button = QRadioButton(name, self)
            button.setAccessibleName(f"Verdict: {name}")
            self.group.addButton(button)
            self.buttons[verdict] = button
            row.addWidget(button)
            button.toggled.connect(lambda on, v=verdict: on and controller.give_verdict(v))
        row.addStretch(1)
        self.summary = QPlainTextEdit(self)
        self.summary.setAccessibleName("Summary of the verdict")
        self.summary.setPlaceholderText(
            "Summarise the verdict: what is wrong with the output and what would fix it."
        )
        self.summary.setTabChangesFocus(True)
        self.summary.setMinimumHeight(60)
        self.summary.setMaximumHeight(120)  # the annotation list above keeps the room
        self.summary.setPlainText(controller.judgement.summary)
        self.summary.textChanged.connect(
            lambda: controller.write_summary(self.summary.toPlainText())
        )
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("What the verdict still needs")
        box = QVBoxLayout(self)
        box.addLayout(row)
        box.addWidget(self.summary, 1)
        box.addWidget(self.status)
        controller.changed.connect(self._show)
        self._show(controller.judgement)

    def _show(self, judgement: Judgement) -> None:
        if judgement.verdict is not None and not self.buttons[judgement.verdict].isChecked():
            self.buttons[judgement.verdict].setChecked(True)
        problems = self.controller.problems()
        self.status.setText(
            "<span style='color:#1e7d32'>✓ Verdict complete</span>"
            if not problems
            else "<span style='color:#8a5300'>Still needed: " + "; ".join(problems) + "</span>"
        )
