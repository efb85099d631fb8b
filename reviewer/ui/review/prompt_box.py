"""What the model was asked, shown above its output (read-only, selectable, collapsible)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

COLLAPSED_LINES = 3


class PromptBox(QFrame):
    """The item's prompt: three lines by default, the whole text when expanded."""

    def __init__(self, prompt: str, title: str = "Prompt", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("prompt_box")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#prompt_box { background: #f4f6fa; border: 1px solid #d5dae3; border-radius: 4px; }"
        )
        heading = QLabel(
            f"<b>{title}</b> <span style='color:#5b6068'>— what the model was asked</span>", self
        )
        self.toggle = QToolButton(self)
        self.toggle.setText("Show all")
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setAccessibleName("Show the whole prompt")
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setPlainText(prompt)
        self.text.setAccessibleName("Prompt given to the model")
        self.text.setFrameShape(QFrame.Shape.NoFrame)
        self.text.setStyleSheet("background: transparent;")
        self.text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(heading, 1)
        top.addWidget(self.toggle)
        box = QVBoxLayout(self)
        box.setContentsMargins(8, 4, 8, 4)
        box.setSpacing(2)
        box.addLayout(top)
        box.addWidget(self.text)
        self.toggle.toggled.connect(self._set_expanded)
        self._set_expanded(False)

    def _set_expanded(self, expanded: bool) -> None:
        line = self.text.fontMetrics().lineSpacing()
        lines = 14 if expanded else COLLAPSED_LINES
        self.text.setFixedHeight(line * lines + 10)
        self.toggle.setText("Show less" if expanded else "Show all")
