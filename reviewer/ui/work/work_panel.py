"""The work queue panel: batch, progress, items, the item's buttons, instructions."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.model import Item
from reviewer.ui.work.controller import WorkController
from reviewer.ui.work.queue_model import COLUMNS, WorkQueueModel


class WorkPanel(QWidget):
    """Shows the controller's batch; its buttons call the controller, nothing else."""

    def __init__(self, work: WorkController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.work = work
        self.batch_box = QComboBox(self)
        self.batch_box.setAccessibleName("Task batch")
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Batch progress")
        self.progress.setTextVisible(True)
        self.model = WorkQueueModel(work.workspace, self)
        self.table = QTableView(self)
        self.table.setAccessibleName("Work queue items")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("Item"), QHeaderView.ResizeMode.Stretch)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        row.setSpacing(4)
        for key, text, tip in (
            ("previous", "◀ Previous", "Open the previous item (Alt+PgUp)"),
            ("open", "Open", "Open the selected item (Enter)"),
            ("next", "Next ▶", "Open the next item (Alt+PgDown)"),
            ("done", "Done", "Mark the current item done (Ctrl+Shift+D)"),
            ("skip", "Skip…", "Skip the current item, with a reason"),
        ):
            button = QPushButton(text, self)
            button.setToolTip(tip)
            button.setAccessibleName(tip.split(" (")[0])
            row.addWidget(button)
            self.buttons[key] = button
        self.instructions = QTextBrowser(self)
        self.instructions.setAccessibleName("Batch instructions")
        self.instructions.setOpenLinks(False)  # offline: a link in instructions opens nothing
        self.empty = QLabel(
            "No task batch yet. Open one with Work > Open task batch, or drop an "
            ".rvbatch file on the window.",
            self,
        )
        self.empty.setWordWrap(True)

        queue = QWidget(self)
        box = QVBoxLayout(queue)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.batch_box)
        box.addWidget(self.progress)
        box.addWidget(self.table, 1)
        box.addLayout(row)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(queue)
        split.addWidget(self.instructions)
        split.setSizes([420, 260])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.empty)
        layout.addWidget(split, 1)
        self.split = split

        self.batch_box.activated.connect(self._on_batch_chosen)
        self.table.activated.connect(self._on_activated)
        self.table.doubleClicked.connect(self._on_activated)
        self.buttons["previous"].clicked.connect(lambda: work.step(False))
        self.buttons["next"].clicked.connect(lambda: work.step(True))
        self.buttons["open"].clicked.connect(self._open_selected)
        self.buttons["done"].clicked.connect(lambda: work.mark_done(self.selected_item()))
        self.buttons["skip"].clicked.connect(lambda: work.skip(self.selected_item()))
        work.batchesChanged.connect(self.reload)
        work.batchChanged.connect(lambda _id: self.reload())
        work.itemChanged.connect(self._on_item)
        self.reload()

    def reload(self) -> None:
        """Batches in the box, the current batch's items, progress and instructions."""
        self.batch_box.blockSignals(True)
        self.batch_box.clear()
        for batch in self.work.batches():
            self.batch_box.addItem(f"{batch.name} ({batch.task})", batch.id)
        index = self.batch_box.findData(self.work.batch_id)
        self.batch_box.setCurrentIndex(max(index, 0))
        self.batch_box.blockSignals(False)
        self.model.set_batch(self.work.batch_id)
        batch = self.work.batch()
        self.instructions.setMarkdown(batch.instructions if batch else "")
        self.empty.setVisible(batch is None)
        self.split.setVisible(batch is not None)
        if self.work.current is not None:
            self.model.set_current(self.work.current.id)
        self._show_progress()

    def _show_progress(self) -> None:
        progress = self.work.progress()
        if progress is None:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.progress.setFormat("")
            return
        self.progress.setRange(0, max(progress.total, 1))
        self.progress.setValue(progress.finished)
        skipped = f", {progress.skipped} skipped" if progress.skipped else ""
        self.progress.setFormat(f"{progress.done} of {progress.total} done{skipped}")

    def selected_item(self) -> Item | None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return self.model.item_at(rows[0].row())
        return self.work.current

    def _open_selected(self) -> None:
        item = self.selected_item()
        if item is not None:
            self.work.open_item(item)

    def _on_activated(self, index: QModelIndex) -> None:
        item = self.model.item_at(index.row())
        if item is not None:
            self.work.open_item(item)

    def _on_batch_chosen(self, index: int) -> None:
        self.work.set_batch(self.batch_box.itemData(index))

    def _on_item(self, item: Item) -> None:
        if item.batch != self.model.batch_id:
            self.reload()
            return
        self.model.update_item(item)
        if self.work.current is not None:
            self.model.set_current(self.work.current.id)
            row = self.model.row_of(self.work.current.id)
            if row is not None:
                self.table.selectRow(row)
        self._show_progress()
