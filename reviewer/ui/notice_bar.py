"""A bar across the top of a document that says something once and can be closed.

For what the user must know but need not answer (a modal box would stop
their work): scanned pages that cannot be read, for instance.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)


class NoticeBar(QFrame):
    """A word-wrapped message with a close button; hidden until :meth:`show_notice`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#noticeBar { background: palette(alternate-base); "
            "border: 1px solid #c9a227; border-radius: 3px; }"
        )
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setToolTip("Close this message")
        self.close_button.setAccessibleName("Close the message")
        self.close_button.clicked.connect(self.hide)
        self.action_button = QPushButton(self)
        self.action_button.hide()
        self.action_button.clicked.connect(lambda: self._action and self._action())
        self._action: Callable[[], object] | None = None
        box = QHBoxLayout(self)
        box.setContentsMargins(8, 4, 4, 4)
        box.addWidget(self.label, 1)
        box.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignVCenter)
        box.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.hide()

    def show_notice(
        self, text: str, action: str = "", on_action: Callable[[], object] | None = None
    ) -> None:
        """Show ``text``; with ``action``, a button that runs ``on_action``."""
        self.label.setText(text)
        self.setAccessibleName("Notice")
        self.setAccessibleDescription(text)
        self._action = on_action
        self.action_button.setText(action)
        self.action_button.setAccessibleName(action)
        self.action_button.setVisible(bool(action and on_action))
        self.show()
