"""The label palette: the active taxonomy's labels, their keys and their help."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.taxonomy import Taxonomy


@cache
def swatch(colour: str, size: int = 14) -> QIcon:
    """A small square of the label's colour for lists and menus.

    Cached: the list asks for one per visible row on every repaint, and a
    taxonomy has a few dozen colours at most.
    """
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(colour))
    painter.setPen(QColor(colour).darker(140))
    painter.drawRoundedRect(1, 1, size - 2, size - 2, 3, 3)
    painter.end()
    return QIcon(pixmap)


class LabelPalette(QWidget):
    """Pick the taxonomy and apply labels by clicking; shows each label's key."""

    labelChosen = Signal(str)  # label id
    taxonomyChosen = Signal(str)  # taxonomy id

    def __init__(self, taxonomies: dict[str, Taxonomy], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.taxonomies = taxonomies
        self.chooser = QComboBox(self)
        self.chooser.setAccessibleName("Label set")
        for taxonomy in taxonomies.values():
            self.chooser.addItem(taxonomy.name, taxonomy.id)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Labels")
        self.list.setIconSize(QSize(14, 14))
        self.list.setUniformItemSizes(True)
        self.help = QLabel(self)
        self.help.setWordWrap(True)
        self.help.setStyleSheet("color: #555b63;")
        self.help.setMinimumHeight(48)
        box = QVBoxLayout(self)
        box.setContentsMargins(6, 6, 6, 6)
        box.addWidget(self.chooser)
        box.addWidget(self.list, 1)
        box.addWidget(self.help)
        self.chooser.currentIndexChanged.connect(self._on_taxonomy)
        self.list.itemActivated.connect(self._on_item)
        self.list.itemClicked.connect(self._on_item)
        self.list.currentItemChanged.connect(self._on_current)
        self._on_taxonomy()

    @property
    def taxonomy(self) -> Taxonomy:
        return self.taxonomies[self.chooser.currentData()]

    def set_taxonomy(self, taxonomy_id: str) -> None:
        index = self.chooser.findData(taxonomy_id)
        if index >= 0:
            self.chooser.setCurrentIndex(index)

    def _on_taxonomy(self) -> None:
        self.list.clear()
        for label in self.taxonomy.labels:
            item = QListWidgetItem(swatch(label.colour), f"{label.shortcut.upper()}   {label.name}")
            item.setData(Qt.ItemDataRole.UserRole, label.id)
            item.setToolTip(label.description)
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole,
                f"{label.name}, key {label.shortcut.upper()}",
            )
            self.list.addItem(item)
        self.help.setText("Select text (or Shift+drag an area), then press a label's key.")
        self.taxonomyChosen.emit(self.taxonomy.id)

    def _on_item(self, item: QListWidgetItem) -> None:
        self.labelChosen.emit(item.data(Qt.ItemDataRole.UserRole))

    def _on_current(self, item: QListWidgetItem | None, _previous: object) -> None:
        if item is not None:
            label = self.taxonomy.label(item.data(Qt.ItemDataRole.UserRole))
            extra = " A written explanation is required." if label.comment_required else ""
            self.help.setText(f"<b>{label.name}</b>: {label.description}{extra}")
