"""Timesheet of a batch: active time per item, the total, and a CSV export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reviewer.core import timesheet
from reviewer.core.atomic import write_bytes
from reviewer.core.store import Workspace
from reviewer.ui.work.queue_model import STATUS_TEXT

HEADERS = ("#", "Item", "Status", "Active time", "Stretches", "First", "Last")


class TimesheetDialog(QDialog):
    """Read-only view of billed time; ``save_csv`` asks where to write the CSV."""

    def __init__(
        self,
        workspace: Workspace,
        batch_id: str,
        save_csv: Callable[[Path], Path | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Timesheet")
        self.workspace = workspace
        self.batch_id = batch_id
        self._save_csv = save_csv
        self.model = QStandardItemModel(0, len(HEADERS), self)
        self.model.setHorizontalHeaderLabels(list(HEADERS))
        self.table = QTableView(self)
        self.table.setAccessibleName("Active time per item")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.total = QLabel(self)
        note = QLabel(
            "Only active time is counted: no keyboard or mouse input for longer than the idle "
            "limit, or the window in the background, is not billed.",
            self,
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.export_button = buttons.addButton(
            "Export CSV…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.export_button.setAccessibleName("Export the timesheet as CSV")
        self.export_button.clicked.connect(self.export_csv)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(self.table, 1)
        box.addWidget(self.total)
        box.addWidget(note)
        box.addWidget(buttons)
        self.resize(760, 420)
        self.refresh()

    def refresh(self) -> None:
        rows = timesheet.timesheet(self.workspace, self.batch_id)
        self.model.setRowCount(0)
        for number, r in enumerate(rows, 1):
            cells = (
                str(number),
                r.title or r.local_id,
                STATUS_TEXT.get(r.status, r.status),
                timesheet.format_duration(r.seconds),
                str(r.segments),
                (r.first_start or "")[:19].replace("T", " "),
                (r.last_end or "")[:19].replace("T", " "),
            )
            items = [QStandardItem(text) for text in cells]
            for item in items:
                item.setEditable(False)
            items[3].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.model.appendRow(items)
        total = sum(r.seconds for r in rows)
        self.total.setText(f"Total active time: {timesheet.format_duration(total)} (UTC times)")
        self._rows = rows

    def export_csv(self) -> Path | None:
        target = self._save_csv(Path.home() / "timesheet.csv")
        if target is None:
            return None
        write_bytes(target, timesheet.timesheet_csv(self._rows).encode("utf-8"))
        return target
