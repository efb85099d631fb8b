"""The side panel: every annotation of the document, filterable, editable.

The list is a real item view over :class:`AnnotationTableModel`; below it a
small editor changes the selected annotation's label, severity and comment.
Each edit is one undoable command, committed when the field is left or with
Ctrl+Enter in the comment box; nothing needs saving.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.model import Annotation
from reviewer.core.taxonomy import Taxonomy
from reviewer.ui.annotations.controller import AnnotationController
from reviewer.ui.annotations.palette import swatch
from reviewer.ui.annotations.table_model import (
    AUTHOR,
    COMMENT,
    ID_ROLE,
    LABEL,
    PAGE,
    SEVERITY,
    STATE,
    TEXT,
    AnnotationTableModel,
)

ALL = "All"


class AnnotationFilter(QSortFilterProxyModel):
    """Filters rows by label, state, page and author (exact values; None = any)."""

    def __init__(self) -> None:
        super().__init__()
        self.criteria: dict[int, str | None] = {LABEL: None, STATE: None, PAGE: None, AUTHOR: None}
        self._active: list[tuple[int, str]] = []

    def set_criterion(self, column: int, value: str | None) -> None:
        self.criteria[column] = value
        self._active = [(c, v) for c, v in self.criteria.items() if v is not None]
        # invalidate(), not a filter change: that removes and inserts rows one
        # contiguous run at a time (hundreds of signals for a label spread over
        # thousands of rows), where this is one layout change.
        self.invalidate()

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        # Called for each of thousands of rows on every filter change: no
        # criteria is answered at once, and the annotation is read directly
        # (index().data() per row made a filter change a visible stall).
        if not self._active:
            return True
        a = self.sourceModel().annotation(row)  # type: ignore[attr-defined]
        for column, wanted in self._active:
            if column == LABEL:
                value = a.label
            elif column == STATE:
                value = a.state
            elif column == PAGE:
                value = str(a.selector.page + 1)
            else:
                value = a.author
            if value != wanted:
                return False
        return True


class CommentEdit(QPlainTextEdit):
    """Comment box: Ctrl+Enter or leaving it commits; Esc goes back to the page."""

    committed = Signal()
    leave = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.committed.emit()
            self.leave.emit()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.committed.emit()
            self.leave.emit()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: object) -> None:
        self.committed.emit()
        super().focusOutEvent(event)  # type: ignore[arg-type]


class AnnotationPanel(QWidget):
    """List, filters and editor for one document's annotations."""

    backToPage = Signal()

    def __init__(self, controller: AnnotationController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.model = AnnotationTableModel(controller)
        self.proxy = AnnotationFilter()
        self.proxy.setSourceModel(self.model)

        self.label_filter = self._combo("Filter by label")
        self.state_filter = self._combo("Filter by state")
        self.page_filter = self._combo("Filter by page")
        self.author_filter = self._combo("Filter by author")
        filters = QHBoxLayout()
        for name, combo in (
            ("Label", self.label_filter),
            ("State", self.state_filter),
            ("Page", self.page_filter),
            ("Author", self.author_filter),
        ):
            filters.addWidget(QLabel(name, self))
            filters.addWidget(combo, 1)

        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Annotations")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        for column, width in ((PAGE, 44), (LABEL, 130), (COMMENT, 160), (SEVERITY, 70)):
            self.table.setColumnWidth(column, width)
        self.table.setColumnHidden(STATE, True)
        self.table.setColumnHidden(AUTHOR, True)

        self.count = QLabel(self)
        self._editor_taxonomy: Taxonomy | object | None = object()  # nothing filled yet
        self.label_edit = QComboBox(self)
        self.label_edit.setAccessibleName("Label of the selected annotation")
        self.severity_edit = QComboBox(self)
        self.severity_edit.setAccessibleName("Severity of the selected annotation")
        self.comment_edit = CommentEdit(self)
        self.comment_edit.setAccessibleName("Comment of the selected annotation")
        self.comment_edit.setPlaceholderText("Explain the problem (Ctrl+Enter to finish)")
        self.comment_edit.setMaximumHeight(110)
        self.reason = QLabel(self)
        self.reason.setWordWrap(True)
        self.reason.setAccessibleName("Why this was suggested")
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow(self.reason)
        form.addRow("Label", self.label_edit)
        form.addRow("Severity", self.severity_edit)
        form.addRow("Comment", self.comment_edit)
        self.editor = QWidget(self)
        self.editor.setLayout(form)

        box = QVBoxLayout(self)
        box.setContentsMargins(6, 6, 6, 6)
        box.addLayout(filters)
        box.addWidget(self.table, 1)
        box.addWidget(self.count)
        box.addWidget(self.editor)

        for column, combo in (
            (LABEL, self.label_filter),
            (STATE, self.state_filter),
            (PAGE, self.page_filter),
            (AUTHOR, self.author_filter),
        ):
            combo.currentIndexChanged.connect(
                lambda _i, c=column, w=combo: self.proxy.set_criterion(c, w.currentData())
            )
        self.table.selectionModel().currentRowChanged.connect(self._on_row)
        self.label_edit.activated.connect(self._commit_label)
        self.severity_edit.activated.connect(self._commit_severity)
        self.comment_edit.committed.connect(self._commit_comment)
        self.comment_edit.leave.connect(self.backToPage)
        controller.changed.connect(lambda _c: self._refresh())
        controller.selectionChanged.connect(self._show_selected)
        self._refresh()
        self._show_selected(controller.selected)

    # -- filters ---------------------------------------------------------------------

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(name)
        combo.addItem(ALL, None)
        return combo

    def _refill(self, combo: QComboBox, values: list[tuple[str, str]]) -> None:
        if [(combo.itemText(i), combo.itemData(i)) for i in range(1, combo.count())] == values:
            return  # unchanged: keep the combo (and its popup) as it is
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(ALL, None)
        for text, data in values:
            combo.addItem(text, data)
        index = combo.findData(current)
        combo.setCurrentIndex(max(0, index))
        combo.blockSignals(False)

    def _refresh(self) -> None:
        if self.controller.loading:  # the list is filled in one go when reading ends
            self.count.setText("Reading annotations…")
            return
        facets = self.controller.facets()
        names = {key: self.controller.label_display(*key) for key in facets.labels}
        labels = sorted({(names[key], key[1]) for key in facets.labels})
        self._refill(self.label_filter, labels)
        self._refill(self.state_filter, [(s, s) for s in sorted(facets.states)])
        self._refill(self.page_filter, [(str(p + 1), str(p + 1)) for p in sorted(facets.pages)])
        self._refill(self.author_filter, [(s, s) for s in sorted(facets.authors)])
        missing = sum(
            n for key, n in facets.uncommented.items() if self.controller.comment_required(*key)
        )
        total = facets.total
        text = f"{total} annotation{'s' if total != 1 else ''}"
        if missing:
            text += f" · {missing} need{'s' if missing == 1 else ''} an explanation"
        self.count.setText(text)
        self._show_selected(self.controller.selected)

    # -- selection and editing -----------------------------------------------------------

    def _on_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.controller.select(current.data(ID_ROLE))

    def _show_selected(self, annotation_id: str | None) -> None:
        annotation = self.controller.get(annotation_id) if annotation_id else None
        self.editor.setEnabled(annotation is not None)
        if annotation is None:
            self.table.clearSelection()
            self.comment_edit.setPlainText("")
            self.reason.hide()
            return
        row = self.model.row_of(annotation.id)
        proxy_index = self.proxy.mapFromSource(self.model.index(row, 0))
        if proxy_index.isValid() and self.table.currentIndex().row() != proxy_index.row():
            self.table.selectionModel().blockSignals(True)
            self.table.setCurrentIndex(proxy_index)
            self.table.selectionModel().blockSignals(False)
            self.table.scrollTo(proxy_index)
        self._show_reason(annotation)
        taxonomy = self.controller.taxonomy_for(annotation)
        if taxonomy is not self._editor_taxonomy:  # refill only when the choices change
            self._editor_taxonomy = taxonomy
            self.label_edit.clear()
            self.severity_edit.clear()
            self.severity_edit.addItem("—", None)
            if taxonomy is not None:
                for label in taxonomy.labels:
                    self.label_edit.addItem(swatch(label.colour), label.name, label.id)
                for severity in taxonomy.severities:
                    self.severity_edit.addItem(severity.name, severity.id)
        self.label_edit.setCurrentIndex(max(0, self.label_edit.findData(annotation.label)))
        self.severity_edit.setEnabled(self.severity_edit.count() > 1)
        self.severity_edit.setCurrentIndex(max(0, self.severity_edit.findData(annotation.severity)))
        if not self.comment_edit.hasFocus():
            self.comment_edit.setPlainText(annotation.comment)

    def _show_reason(self, annotation: Annotation) -> None:
        """A suggestion says why it was made, and how to judge it."""
        if not annotation.reason:
            self.reason.hide()
            return
        score = "" if annotation.score is None else f" (score {annotation.score:.2f})"
        if annotation.state == "proposed":
            verdict = "Suggested"
            hint = "<br><small>A accepts · X rejects · F8 next suggestion</small>"
        else:
            verdict, hint = annotation.state.capitalize() + " suggestion", ""
        self.reason.setText(
            f"<b>{verdict}:</b> {html.escape(annotation.reason)}{html.escape(score)}{hint}"
        )
        self.reason.show()

    def focus_comment(self) -> None:
        if self.controller.selected:
            self.comment_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.comment_edit.moveCursor(self.comment_edit.textCursor().MoveOperation.End)

    def _commit_label(self) -> None:
        if self.controller.selected:
            self.controller.edit(self.controller.selected, label=self.label_edit.currentData())

    def _commit_severity(self) -> None:
        if self.controller.selected:
            self.controller.edit(
                self.controller.selected, severity=self.severity_edit.currentData()
            )

    def _commit_comment(self) -> None:
        if self.controller.selected:
            self.controller.edit(self.controller.selected, comment=self.comment_edit.toPlainText())
