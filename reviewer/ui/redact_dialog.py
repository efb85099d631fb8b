"""The few choices of a redaction export: fill, label in the box, flatten."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from reviewer.core.redaction.plan import RedactionOptions


class RedactOptionsDialog(QDialog):
    """Asks how to redact; ``options()`` is what the user chose."""

    def __init__(self, boxes: int, terms: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export redacted PDF")
        self._fill = QColor(0, 0, 0)
        form = QFormLayout(self)
        summary = QLabel(
            f"{boxes} marked box{'es' if boxes != 1 else ''} and every occurrence of "
            f"{terms} accepted value{'s' if terms != 1 else ''} will be removed for good: "
            "text, image pixels and drawings under each box, plus annotations, form "
            "fields, metadata, attachments, bookmarks and scripts. The result is checked "
            "before it is saved.",
            self,
        )
        summary.setWordWrap(True)
        form.addRow(summary)
        self.fill_button = QPushButton(self)
        self.fill_button.setAccessibleName("Fill colour")
        self.fill_button.clicked.connect(self._pick_fill)
        self._show_fill()
        form.addRow("Fill colour", self.fill_button)
        self.label_edit = QLineEdit(self)
        self.label_edit.setPlaceholderText("none (e.g. REDACTED — {label})")
        self.label_edit.setAccessibleName("Text in each box")
        form.addRow("Text in each box", self.label_edit)
        self.flatten = QCheckBox("Turn redacted pages into images", self)
        self.flatten.setToolTip(
            "The gap a removed name leaves has the name's exact width, which can identify "
            "it. Pages turned into images keep no text and no gaps."
        )
        form.addRow(self.flatten)
        self.dpi = QSpinBox(self)
        self.dpi.setRange(72, 600)
        self.dpi.setValue(150)
        self.dpi.setSuffix(" dpi")
        self.dpi.setAccessibleName("Resolution of pages turned into images")
        self.dpi.setEnabled(False)
        self.flatten.toggled.connect(self.dpi.setEnabled)
        form.addRow("Resolution", self.dpi)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def options(self) -> RedactionOptions:
        return RedactionOptions(
            fill=(self._fill.redF(), self._fill.greenF(), self._fill.blueF()),
            label_text=self.label_edit.text().strip(),
            flatten=self.flatten.isChecked(),
            dpi=self.dpi.value(),
        )

    def _pick_fill(self) -> None:
        colour = QColorDialog.getColor(self._fill, self, "Fill colour")
        if colour.isValid():
            self._fill = colour
            self._show_fill()

    def _show_fill(self) -> None:
        self.fill_button.setText(self._fill.name())
        self.fill_button.setStyleSheet(
            f"background: {self._fill.name()}; color: "
            f"{'white' if self._fill.lightnessF() < 0.5 else 'black'};"
        )
