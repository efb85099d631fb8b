"""The annotation list as a Qt item model (screen readers can read a real item view).

Rows follow the controller's reading order and are updated one by one from a
command's :class:`Changes`, never rebuilt wholesale, so a document with
thousands of annotations stays responsive while one is edited.
"""

from __future__ import annotations

import bisect
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from reviewer.core.annotation_index import Position, position
from reviewer.core.commands import Changes
from reviewer.core.model import Annotation
from reviewer.ui.annotations.controller import AnnotationController
from reviewer.ui.annotations.palette import swatch

_Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Page", "Label", "Text", "Comment", "Severity", "State", "Author")
PAGE, LABEL, TEXT, COMMENT, SEVERITY, STATE, AUTHOR = range(len(COLUMNS))
EDITABLE = {LABEL, COMMENT, SEVERITY}
ID_ROLE = Qt.ItemDataRole.UserRole + 1
_MUTED = QBrush(QColor("#6b7280"))


class AnnotationTableModel(QAbstractTableModel):
    def __init__(self, controller: AnnotationController) -> None:
        super().__init__()
        self.controller = controller
        self._rows: list[Annotation] = controller.annotations()
        self._keys = controller.positions()
        #: Where each listed annotation sits in reading order: finds its row by
        #: bisection, and says at once that a new one is not listed yet.
        self._listed: dict[str, Position] = {
            a.id: key for a, key in zip(self._rows, self._keys, strict=True)
        }
        controller.changed.connect(self.apply_changes)
        controller.appended.connect(self.append_chunk)

    # -- structure ------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def annotation(self, row: int) -> Annotation:
        return self._rows[row]

    def row_of(self, annotation_id: str) -> int:
        """Row of an annotation, by binary search on its listed reading position."""
        key = self._listed.get(annotation_id)
        if key is None:
            return -1
        at = bisect.bisect_left(self._keys, key)
        while at < len(self._rows) and self._keys[at] == key:
            if self._rows[at].id == annotation_id:
                return at
            at += 1
        for i, row in enumerate(self._rows):  # never expected: keep the list right anyway
            if row.id == annotation_id:
                return i
        return -1

    # -- data -------------------------------------------------------------------------

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        a = self._rows[index.row()]
        column = index.column()
        if role == ID_ROLE:
            return a.id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(a, column, role == Qt.ItemDataRole.EditRole)
        if role == Qt.ItemDataRole.DecorationRole and column == LABEL:
            return swatch(self.controller.colour_of(a))
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == TEXT:
                return a.selector.exact or "Area"
            if column == COMMENT and a.reason and not a.comment:
                score = "" if a.score is None else f" (score {a.score:.2f})"
                return f"{a.reason}{score}"
            if column == COMMENT and self.controller.needs_comment(a):
                return "This label needs a written explanation"
            return a.comment or None
        if role == Qt.ItemDataRole.ForegroundRole and a.state != "accepted":
            return _MUTED  # a suggestion, or a rejected one: not (yet) the annotator's mark
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column == COMMENT
            and self.controller.needs_comment(a)
        ):
            return QBrush(QColor("#c5221f"))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{COLUMNS[column]}: {self._text(a, column, False)}"
        return None

    def _text(self, a: Annotation, column: int, edit: bool) -> Any:
        if column == PAGE:
            return a.selector.page + 1
        if column == LABEL:
            return a.label if edit else self.controller.label_name(a)
        if column == TEXT:
            quote = a.selector.exact.replace("\n", " ")
            return quote if a.selector.kind == "text" else "▭ area"
        if column == COMMENT:
            if edit:
                return a.comment
            if not a.comment and a.state != "accepted":
                return f"{a.state.capitalize()}: {a.reason}" if a.reason else a.state
            if not a.comment and self.controller.needs_comment(a):
                return "⚠ explanation needed"
            return a.comment.replace("\n", " ")
        if column == SEVERITY:
            return a.severity or ""
        if column == STATE:
            return a.state
        if column == AUTHOR:
            return a.author
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() in EDITABLE:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        a = self._rows[index.row()]
        field = {LABEL: "label", COMMENT: "comment", SEVERITY: "severity"}.get(index.column())
        if field is None:
            return False
        if field == "severity":
            value = value or None
        return self.controller.edit(a.id, **{field: value})

    # -- incremental updates --------------------------------------------------------------

    def apply_changes(self, changes: Changes) -> None:
        if changes.document != self.controller.session.sha256:
            return
        for annotation_id in changes.annotations:
            row = self.row_of(annotation_id)
            fresh = self.controller.get(annotation_id)
            if row >= 0:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                del self._keys[row]
                del self._listed[annotation_id]
                self.endRemoveRows()
            if fresh is not None:
                key = position(fresh)
                at = bisect.bisect_left(self._keys, key)
                self.beginInsertRows(QModelIndex(), at, at)
                self._rows.insert(at, fresh)
                self._keys.insert(at, key)
                self._listed[fresh.id] = key
                self.endInsertRows()

    def append_chunk(self, chunk: list[Annotation], keys: list[Position]) -> None:
        """Rows read while the document opened (in reading order, with their positions):
        one insertion when they follow each other, as they do, else one by one."""
        at = bisect.bisect_left(self._keys, keys[0])
        if at == len(self._keys) or keys[-1] < self._keys[at]:
            self.beginInsertRows(QModelIndex(), at, at + len(chunk) - 1)
            self._rows[at:at] = chunk
            self._keys[at:at] = keys
            self._listed.update((a.id, key) for a, key in zip(chunk, keys, strict=True))
            self.endInsertRows()
            return
        for a, key in zip(chunk, keys, strict=True):
            at = bisect.bisect_left(self._keys, key)
            self.beginInsertRows(QModelIndex(), at, at)
            self._rows.insert(at, a)
            self._keys.insert(at, key)
            self._listed[a.id] = key
            self.endInsertRows()
