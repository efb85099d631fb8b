"""The items of one batch as a table model: number, item, task, status, active time."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from reviewer.core import batches, timesheet
from reviewer.core.model import Item
from reviewer.core.store import Workspace

COLUMNS = ("#", "Item", "Task", "Status", "Time")
STATUS_TEXT = {"todo": "To do", "in_progress": "In progress", "done": "Done", "skipped": "Skipped"}
#: Status shown by a mark as well as by words: colour is never the only carrier.
STATUS_MARK = {"todo": "○", "in_progress": "◐", "done": "●", "skipped": "⊘"}

Index = QModelIndex | QPersistentModelIndex


class WorkQueueModel(QAbstractTableModel):
    """Rows are items in batch order; refreshed from the store, one row at a time."""

    def __init__(self, workspace: Workspace, parent: Any = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.batch_id: str | None = None
        self._items: list[Item] = []
        self._seconds: dict[str, float] = {}
        self._rows: dict[str, int] = {}
        self.current: str | None = None

    def set_batch(self, batch_id: str | None) -> None:
        self.beginResetModel()
        self.batch_id = batch_id
        self._items = [] if batch_id is None else batches.items(self.workspace, batch_id)
        self._rows = {item.id: row for row, item in enumerate(self._items)}
        self._load_seconds()
        self.endResetModel()

    def _load_seconds(self) -> None:
        if self.batch_id is None:
            self._seconds = {}
            return
        rows = timesheet.timesheet(self.workspace, self.batch_id)
        self._seconds = {r.item: r.seconds for r in rows}

    def update_item(self, item: Item) -> None:
        row = self._rows.get(item.id)
        if row is None:
            return
        self._items[row] = item
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def refresh_time(self, item_id: str | None = None) -> None:
        self._load_seconds()
        column = COLUMNS.index("Time")
        rows = [self._rows[item_id]] if item_id in self._rows else range(len(self._items))
        for row in rows:
            self.dataChanged.emit(self.index(row, column), self.index(row, column))

    def set_current(self, item_id: str | None) -> None:
        before, self.current = self.current, item_id
        for changed in (before, item_id):
            row = self._rows.get(changed or "")
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def item_at(self, row: int) -> Item | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def row_of(self, item_id: str) -> int | None:
        return self._rows.get(item_id)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.item_at(index.row())
        if item is None:
            return None
        column = COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(item, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if item.status == "skipped":
                return f"Skipped: {item.skip_reason}"
            return item.prompt[:500] or item.title
        if role == Qt.ItemDataRole.FontRole and item.id == self.current:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column in ("#", "Time"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, item: Item, column: str) -> str:
        if column == "#":
            return str(item.position + 1)
        if column == "Item":
            return item.title or item.local_id
        if column == "Task":
            return item.task
        if column == "Status":
            text = f"{STATUS_MARK[item.status]} {STATUS_TEXT[item.status]}"
            return f"{text}: {item.skip_reason}" if item.status == "skipped" else text
        return timesheet.format_duration(self._seconds.get(item.id, 0.0))
