"""The OCR review panel: a page's text line by line beside its image, corrected in place.

Shown for an ``ocr`` work item beside the page view. Each line of the page's
text (OCR's, or the text layer's) is a row: its number, what OCR read, the
corrected text (edited in the table) and whether it is illegible. Every
change goes through the pane's :class:`AnnotationController` as a core
command, so it is saved at once, logged, and undone with Ctrl+Z; the rules
(which mark a line has, what an edit changes, the corrected text) live in
:mod:`reviewer.core.ocr_review`.

The word under the mouse is shown in both places: hovering a word on the
page selects its line here and shows the word in bold; hovering (or moving
through) a line here marks the line lightly and the word strongly on the
page (the ``ocr-line`` and ``ocr-word`` mark layers of the page view).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QTextDocument,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.commands import CommandGroup, CreateAnnotation, DeleteAnnotation, EditAnnotation
from reviewer.core.errors import ReviewerError
from reviewer.core.model import Annotation, Box, PageText
from reviewer.core.ocr_review import (
    CORRECTION,
    ILLEGIBLE,
    CorrectedPage,
    LineState,
    OcrLine,
    correct_page,
    correction_change,
    line_annotation,
    line_at,
    page_lines,
    write_pages,
)
from reviewer.core.worker import VISIBLE
from reviewer.ui.annotations.controller import AnnotationController
from reviewer.ui.viewer.page_view import Hit, PageView

_Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Line", "OCR text", "Corrected text", "Illegible")
NUMBER, OCR, CORRECTED, ILLEGIBLE_COLUMN = range(len(COLUMNS))
#: Page view mark layers: the line lightly, the word under the cursor strongly.
LINE_LAYER = "ocr-line"
WORD_LAYER = "ocr-word"
LINE_MARK = QColor(255, 196, 0, 55)
WORD_MARK = QColor(255, 112, 0, 125)
WORD_HIGHLIGHT = "#ffd27a"  # the word in the panel: bold on this background
_MUTED = QBrush(QColor("#5f6670"))
_CORRECTED = QBrush(QColor("#0b4f8a"))
_CORRECTED_BACK = QBrush(QColor("#e8f1fb"))
_ILLEGIBLE_BACK = QBrush(QColor("#f6ecdf"))
KEYS_HELP = (
    "Double-click, F2 or Enter: correct the line (Enter saves, Esc cancels) · "
    "Space: illegible on/off · Delete: back to what OCR read · Ctrl+Z: undo · "
    "the word under the mouse is marked on the page and here"
)


class OcrLineModel(QAbstractTableModel):
    """The page's lines as rows; edits are handed to the panel (which asks the controller)."""

    def __init__(self, panel: OcrReviewPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.page: CorrectedPage | None = None
        #: (row, word) under the cursor, shown in bold in the OCR text column.
        self.hover: tuple[int, int] | None = None

    def set_page(self, page: CorrectedPage | None) -> None:
        """Show another page's lines (or none)."""
        self.beginResetModel()
        self.page, self.hover = page, None
        self.endResetModel()

    def update(self, page: CorrectedPage) -> None:
        """The same lines with their marks as they are now."""
        if self.page is None or len(self.page.lines) != len(page.lines):
            self.set_page(page)
            return
        self.page = page
        if page.lines:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(page.lines) - 1, ILLEGIBLE_COLUMN)
            )

    def set_hover(self, hover: tuple[int, int] | None) -> None:
        if hover == self.hover:
            return
        rows = {h[0] for h in (self.hover, hover) if h is not None}
        self.hover = hover
        for row in rows:
            self.dataChanged.emit(self.index(row, OCR), self.index(row, OCR))

    def state(self, row: int) -> LineState:
        assert self.page is not None
        return self.page.lines[row]

    # -- structure --------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() or self.page is None else len(self.page.lines)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                "Line number on the page",
                "The text as OCR read it (or the page's own text layer)",
                "What the page really says: double-click, F2 or Enter to correct it",
                "Nobody can read the line: click or press Space",
            )[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid() or self.page is None:
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        anchored = self.state(index.row()).line.anchored
        if index.column() == CORRECTED and anchored:
            flags |= Qt.ItemFlag.ItemIsEditable
        if index.column() == ILLEGIBLE_COLUMN and anchored:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    # -- data ---------------------------------------------------------------------------

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.page is None:
            return None
        s = self.state(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(s, column)
        if role == Qt.ItemDataRole.EditRole:
            return s.edited if column == CORRECTED else self._display(s, column)
        if role == Qt.ItemDataRole.CheckStateRole and column == ILLEGIBLE_COLUMN:
            if s.illegible is not None:
                return Qt.CheckState.Checked
            return Qt.CheckState.PartiallyChecked if s.partly_illegible else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == NUMBER:
                return _MUTED
            if column == CORRECTED:
                return _CORRECTED if s.changed else _MUTED
        if role == Qt.ItemDataRole.BackgroundRole and column == CORRECTED:
            if s.illegible is not None or s.partly_illegible:
                return _ILLEGIBLE_BACK
            if s.changed:
                return _CORRECTED_BACK
        if role == Qt.ItemDataRole.FontRole and column == CORRECTED and s.removed:
            font = QFont(self.panel.font())
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == NUMBER:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(s, column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._accessible(s, column)
        return None

    def _display(self, s: LineState, column: int) -> str:
        if column == NUMBER:
            return str(s.line.index + 1)
        if column == OCR:
            return s.line.text
        if column == CORRECTED:
            return "(line removed)" if s.removed else s.text
        return ""

    def _tooltip(self, s: LineState, column: int) -> str:
        if column == CORRECTED:
            if not s.line.anchored:
                return "This line has no place in the page text and cannot be corrected"
            if s.changed:
                return (
                    f"Corrected (OCR read: {s.line.text})\n"
                    "Delete brings back what OCR read; Ctrl+Z undoes the last change"
                )
            return "As OCR read it: double-click, F2 or Enter to correct"
        if column == ILLEGIBLE_COLUMN:
            return "Illegible: click or press Space to switch"
        return s.line.text

    def _accessible(self, s: LineState, column: int) -> str:
        n = s.line.index + 1
        if column == ILLEGIBLE_COLUMN:
            return f"Line {n} {'illegible' if s.illegible else 'legible'}"
        if column == CORRECTED:
            return f"Line {n} corrected: {s.text}" if s.changed else f"Line {n} not corrected"
        return f"Line {n}: {s.line.text}"

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or self.page is None:
            return False
        if index.column() == CORRECTED and role == Qt.ItemDataRole.EditRole:
            return self.panel.correct_line(index.row(), str(value))
        if index.column() == ILLEGIBLE_COLUMN and role == Qt.ItemDataRole.CheckStateRole:
            checked = Qt.CheckState(value) if isinstance(value, int) else value
            return self.panel.set_illegible(index.row(), checked == Qt.CheckState.Checked)
        return False


class _LineDelegate(QStyledItemDelegate):
    """Draws the hovered word in bold, edits corrections in a line edit, toggles on click."""

    def __init__(self, panel: OcrReviewPanel) -> None:
        super().__init__(panel)
        self.panel = panel

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:
        editor = QLineEdit(parent)
        editor.setAccessibleName(f"Corrected text of line {index.row() + 1}")
        editor.setToolTip("Enter saves the correction, Esc cancels")
        row = index.row()
        editor.cursorPositionChanged.connect(
            lambda _old, new, e=editor, r=row: self.panel.show_text_position(r, e.text(), new)
        )
        return editor

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        assert isinstance(editor, QLineEdit)
        editor.setText(str(index.data(Qt.ItemDataRole.EditRole) or ""))
        editor.selectAll()

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: _Index
    ) -> None:
        rect = option.rect  # type: ignore[attr-defined]
        editor.setGeometry(rect.x(), rect.y(), rect.width(), max(rect.height(), 26))

    def editorEvent(
        self, event: QEvent, model: Any, option: QStyleOptionViewItem, index: _Index
    ) -> bool:
        # The whole cell is the switch: a small check box is a hard target to hit.
        if index.column() == ILLEGIBLE_COLUMN and isinstance(event, QMouseEvent):
            if event.button() != Qt.MouseButton.LeftButton:
                return False
            if event.type() == QEvent.Type.MouseButtonRelease:
                self.panel.toggle_illegible(index.row())
            return event.type() in (
                QEvent.Type.MouseButtonPress,
                QEvent.Type.MouseButtonRelease,
                QEvent.Type.MouseButtonDblClick,
            )
        return super().editorEvent(event, model, option, index)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        hover = self.panel.model.hover
        if index.column() != OCR or hover is None or hover[0] != index.row():
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text  # type: ignore[attr-defined]
        opt.text = ""  # type: ignore[attr-defined]
        widget = opt.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else self.panel.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        line = self.panel.model.state(index.row()).line
        start, end = line.word_span(hover[1])
        document = QTextDocument()
        document.setDefaultFont(opt.font)  # type: ignore[attr-defined]
        document.setDocumentMargin(0)
        document.setTextWidth(max(1, rect.width() - 2 * _text_margin(widget)))
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        colour = opt.palette.color(role).name()  # type: ignore[attr-defined]
        document.setHtml(f'<span style="color:{colour}">{_emphasised(text, start, end)}</span>')
        painter.save()
        top = rect.y() + max(0, (rect.height() - document.size().height()) / 2)
        painter.translate(rect.x() + _text_margin(widget), top)
        document.drawContents(painter, QRectF(0, 0, rect.width(), rect.height()))
        painter.restore()


def _emphasised(text: str, start: int, end: int) -> str:
    """``text`` as HTML with characters ``start:end`` (a word) in bold on a highlight."""
    if not 0 <= start <= end <= len(text):
        return html.escape(text)
    return (
        html.escape(text[:start])
        + f'<b style="background-color:{WORD_HIGHLIGHT}; color:#1d1d1d">'
        + html.escape(text[start:end])
        + "</b>"
        + html.escape(text[end:])
    )


def _text_margin(widget: QWidget | None) -> int:
    """The gap Qt's styles leave between an item's edge and its text."""
    style = widget.style() if widget is not None else None
    if style is None:
        return 3
    return style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1


class _LineTable(QTableView):
    """The lines' table: takes its own keys before the window's shortcuts see them."""

    #: Keys the table answers itself: F2, Delete, Home and End are window shortcuts
    #: elsewhere (edit comment, delete annotation, first and last page).
    OWN_KEYS = frozenset(
        k.value
        for k in (
            Qt.Key.Key_F2,
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
            Qt.Key.Key_Space,
            Qt.Key.Key_Delete,
            Qt.Key.Key_Backspace,
            Qt.Key.Key_Home,
            Qt.Key.Key_End,
        )
    )
    EDIT_KEYS = frozenset(k.value for k in (Qt.Key.Key_F2, Qt.Key.Key_Return, Qt.Key.Key_Enter))
    REVERT_KEYS = frozenset(k.value for k in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace))

    def __init__(self, panel: OcrReviewPanel) -> None:
        super().__init__(panel)
        self.panel = panel

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self.state() != QAbstractItemView.State.EditingState
            and event.key() in self.OWN_KEYS
            and _plain(event)
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        row = self.currentIndex().row()
        key = event.key()
        editing = self.state() == QAbstractItemView.State.EditingState
        if row >= 0 and not editing and _plain(event):
            if key in self.EDIT_KEYS:
                self.panel.edit_line(row)
                event.accept()
                return
            if key == Qt.Key.Key_Space.value:
                self.panel.toggle_illegible(row)
                event.accept()
                return
            if key in self.REVERT_KEYS:
                self.panel.revert_line(row)
                event.accept()
                return
        super().keyPressEvent(event)


def _plain(event: QKeyEvent) -> bool:
    """No modifier held (the keypad's flag aside)."""
    held = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return held == Qt.KeyboardModifier.NoModifier


class OcrReviewPanel(QWidget):
    """One page's OCR text, line by line, with its corrections; beside the page view."""

    #: The page's lines are shown (its text arrived from the worker).
    linesReady = Signal(int)
    #: Corrected text was written to this file (a Path).
    exported = Signal(object)

    def __init__(
        self, controller: AnnotationController, view: PageView, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.view = view
        self.session = controller.session
        self.page = -1
        self.layer: PageText | None = None
        self.lines: list[OcrLine] = []
        self.corrected: CorrectedPage | None = None
        #: Asks where to export (a suggested path in, None to cancel); tests replace it.
        self.choose_export_path: Callable[[Path], Path | None] = self._ask_export_path
        self._syncing = False  # a selection made here to follow the page: do not scroll
        self._shown: tuple[Box | None, Box | None] = (None, None)  # line and word on the page

        self.setAccessibleName("OCR review")
        self.title = QLabel(self)
        self.title.setAccessibleName("OCR review page")
        self.title.setWordWrap(True)
        self.title.setToolTip(KEYS_HELP)
        self.model = OcrLineModel(self)
        self.table = _LineTable(self)
        self.table.setModel(self.model)
        self.table.setItemDelegate(_LineDelegate(self))
        self.table.setAccessibleName("OCR lines")
        self.table.setAccessibleDescription(KEYS_HELP)
        self.table.setToolTip(KEYS_HELP)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setAlternatingRowColors(True)
        self.table.setMouseTracking(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(OCR, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(CORRECTED, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(NUMBER, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ILLEGIBLE_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setHighlightSections(False)
        header.setMinimumSectionSize(36)
        # Rows grow to show a wrapped line whole; measured once the columns have settled.
        self._rows_timer = QTimer(self, singleShot=True, interval=0)
        self._rows_timer.timeout.connect(self.table.resizeRowsToContents)
        header.sectionResized.connect(lambda *_: self._rows_timer.start())

        self.word = QLabel(self)
        self.word.setAccessibleName("Line under the cursor")
        self.word.setWordWrap(True)
        self.word.setTextFormat(Qt.TextFormat.RichText)
        self.word.setMinimumHeight(40)
        self.word.setStyleSheet("color: #30353b;")
        self.status = QLabel(self)
        self.status.setAccessibleName("OCR review status")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #5f6670;")
        self.export_button = QPushButton("Export corrected text…", self)
        self.export_button.setAccessibleName("Export corrected text")
        self.export_button.setToolTip(
            "Write this page's corrected text to a file: plain text (.txt), or JSON Lines "
            "(.jsonl) with each correction's before and after"
        )
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(lambda: self.export_corrected_text())

        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.export_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(6, 6, 6, 6)
        box.addWidget(self.title)
        box.addWidget(self.table, 1)
        box.addWidget(self.word)
        box.addLayout(buttons)

        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.viewport().installEventFilter(self)
        view.viewport().installEventFilter(self)
        self.session.wordsReady.connect(self._on_words)
        controller.changed.connect(self._on_changed)

    # -- the page ------------------------------------------------------------------------

    def set_page(self, page: int) -> None:
        """Review ``page`` (0-based): its lines appear once its text is read."""
        if page == self.page and self.layer is not None:
            return
        self.page = page
        self.layer, self.lines, self.corrected = None, [], None
        self.model.set_page(None)
        self._clear_marks()
        self.word.clear()
        self.export_button.setEnabled(False)
        self.title.setText(f"<b>Text of page {page + 1}</b>")
        self.status.setText(f"Reading the text of page {page + 1}…")
        layer = self.session.layer(page)
        if layer is not None:
            self._show_layer(layer)
        else:
            self.session.request_words(page, VISIBLE)

    def _on_words(self, page: int) -> None:
        if page == self.page and self.layer is None:
            layer = self.session.layer(page)
            if layer is not None:
                self._show_layer(layer)

    def _show_layer(self, layer: PageText) -> None:
        self.layer = layer
        self.lines = page_lines(layer)
        self.corrected = self._correct()
        self.model.set_page(self.corrected)
        self._rows_timer.start()
        self.export_button.setEnabled(True)
        self._show_summary()
        if layer.source == "image":
            self.status.setText(
                "This page is an image OCR could not read here: mark areas on the page instead."
            )
        self.linesReady.emit(self.page)

    def _correct(self) -> CorrectedPage:
        assert self.layer is not None
        return correct_page(self.layer, self.controller.on_page(self.page), self.lines)

    def _on_changed(self, changes: Any) -> None:
        if self.layer is None or (changes.pages and self.page not in changes.pages):
            return
        self.refresh()

    def refresh(self) -> None:
        """Show the lines' marks as they are in the controller now."""
        if self.layer is None:
            return
        self.corrected = self._correct()
        self.model.update(self.corrected)
        self._rows_timer.start()
        self._show_summary()
        current = self.table.currentIndex().row()
        if current >= 0:
            hover = self.model.hover
            self._show_word(current, hover[1] if hover and hover[0] == current else None)

    def _show_summary(self) -> None:
        assert self.corrected is not None
        assert self.layer is not None
        states = self.corrected.lines
        corrected = sum(1 for s in states if s.changed and not (s.illegible or s.partly_illegible))
        illegible = sum(1 for s in states if s.illegible or s.partly_illegible)
        what = {"ocr": "read by OCR", "text": "the page's own text", "image": "not readable"}
        self.title.setText(
            f"<b>Text of page {self.page + 1}</b> · {len(states)} lines "
            f"({what.get(self.layer.source, self.layer.source)})"
        )
        parts = [f"{corrected} corrected", f"{illegible} illegible"]
        if self.corrected.unplaced:
            parts.append(f"{len(self.corrected.unplaced)} no longer on the page")
        self.status.setText(", ".join(parts))

    # -- changes (all through the controller) ------------------------------------------------

    def _state(self, row: int) -> LineState | None:
        self.controller.finish_loading()  # decide on every mark, not the ones read so far
        self.refresh()
        if self.corrected is None or not 0 <= row < len(self.corrected.lines):
            return None
        state = self.corrected.lines[row]
        return state if state.line.anchored else None

    def correct_line(self, row: int, text: str) -> bool:
        """Set a line's corrected text (back to what OCR read removes the correction)."""
        state = self._state(row)
        if state is None or self.layer is None:
            return False
        n = state.line.index + 1
        change = correction_change(state, text)
        if change == "none":
            return True
        if change == "create":
            annotation = line_annotation(
                self.layer,
                state.line,
                CORRECTION,
                document=self.session.sha256,
                correction=text,
                item=self.controller.item,
                author=self.controller.workspace.actor,
            )
            return self.controller.run(CreateAnnotation(annotation, text=f"Correct line {n}"))
        assert state.correction is not None
        if change == "delete":
            return self._delete(state.corrections, f"Undo the correction of line {n}")
        return self.controller.run(
            EditAnnotation(state.correction.id, {"correction": text}, text=f"Correct line {n}")
        )

    def revert_line(self, row: int) -> bool:
        """Back to what OCR read: the line's correction is deleted (Ctrl+Z brings it back)."""
        state = self._state(row)
        if state is None or state.correction is None:
            return False
        return self._delete(
            state.corrections, f"Undo the correction of line {state.line.index + 1}"
        )

    def set_illegible(self, row: int, illegible: bool) -> bool:
        """Mark a whole line illegible, or take its whole-line marks away."""
        state = self._state(row)
        if state is None or self.layer is None:
            return False
        n = state.line.index + 1
        if illegible:
            if state.illegible is not None:
                return True
            annotation = line_annotation(
                self.layer,
                state.line,
                ILLEGIBLE,
                document=self.session.sha256,
                item=self.controller.item,
                author=self.controller.workspace.actor,
            )
            return self.controller.run(
                CreateAnnotation(annotation, text=f"Mark line {n} illegible")
            )
        if not state.illegibles:
            return True
        return self._delete(state.illegibles, f"Line {n} is legible")

    def _delete(self, marks: Sequence[Annotation], text: str) -> bool:
        """Delete whole-line marks as one undo step."""
        if len(marks) == 1:
            return self.controller.run(DeleteAnnotation(marks[0].id, text=text))
        return self.controller.run(CommandGroup([DeleteAnnotation(a.id) for a in marks], text=text))

    def toggle_illegible(self, row: int) -> bool:
        state = self._state(row)
        if state is None:
            return False
        return self.set_illegible(row, state.illegible is None)

    def edit_line(self, row: int) -> None:
        """Open the corrected text of a line for typing."""
        index = self.model.index(row, CORRECTED)
        if index.isValid() and self.model.flags(index) & Qt.ItemFlag.ItemIsEditable:
            self.table.setCurrentIndex(index)
            self.table.edit(index)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.column() in (NUMBER, OCR):
            self.edit_line(index.row())

    # -- the word under the cursor, in both places --------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.view.viewport():
            if kind == QEvent.Type.MouseMove and isinstance(event, QMouseEvent):
                if not event.buttons():
                    self._hover_page(event.position().toPoint())
            elif kind == QEvent.Type.Leave:
                self._leave()
        elif watched is self.table.viewport():
            if kind == QEvent.Type.MouseMove and isinstance(event, QMouseEvent):
                self._hover_table(event.position().toPoint())
            elif kind == QEvent.Type.Leave:
                self._leave()
        return False

    def _hover_page(self, pos: QPoint) -> None:
        if not self.lines:
            return
        hit = self.view.page_at(pos)
        found = None
        if hit is not None and hit[0] == self.page:
            found = line_at(self.lines, hit[1], hit[2])
        if found is None:
            self._mark(self._shown[0], None)
            self.model.set_hover(None)
            return
        row, word = found
        self._follow(row)
        self._show_word(row, word)

    def _hover_table(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid() or not self.lines:
            return
        row = index.row()
        word = None
        if index.column() in (OCR, CORRECTED):
            text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
            offset = self._offset_in_cell(index, text, pos)
            if offset is not None:
                word = self.lines[row].word_in(text, offset)
        self._show_word(row, word)

    def _offset_in_cell(self, index: QModelIndex, text: str, pos: QPoint) -> int | None:
        """The character of a cell's (wrapped) text under ``pos``, or None."""
        option = QStyleOptionViewItem()
        self.table.itemDelegate().initStyleOption(option, index)  # type: ignore[attr-defined]
        option.rect = self.table.visualRect(index)  # type: ignore[attr-defined]
        style = self.table.style()
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, self.table)
        margin = _text_margin(self.table)
        layout = QTextLayout(text, option.font)  # type: ignore[attr-defined]
        text_option = QTextOption()
        text_option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(text_option)
        layout.beginLayout()
        height, lines = 0.0, []
        width = max(1, rect.width() - 2 * margin)
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            line.setPosition(QPointF(0, height))
            height += line.height()
            lines.append(line)
        layout.endLayout()
        top = rect.y() + max(0.0, (rect.height() - height) / 2)
        x, y = pos.x() - rect.x() - margin, pos.y() - top
        for line in lines:
            if line.y() <= y < line.y() + line.height():
                if x < 0 or x > line.naturalTextWidth():
                    return None
                return int(line.xToCursor(x))
        return None

    def show_text_position(self, row: int, text: str, offset: int) -> None:
        """The text cursor moved in a line's editor: mark the word it is in on the page."""
        if 0 <= row < len(self.lines):
            self._show_word(row, self.lines[row].word_in(text, offset))

    def _follow(self, row: int) -> None:
        """Select the line the page is pointing at (unless someone is typing in the table)."""
        if self.table.state() == QAbstractItemView.State.EditingState:
            return
        if self.table.currentIndex().row() == row:
            return
        self._syncing = True
        try:
            column = max(self.table.currentIndex().column(), OCR)
            self.table.setCurrentIndex(self.model.index(row, column))
            self.table.scrollTo(self.model.index(row, column))
        finally:
            self._syncing = False

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid() or not self.lines:
            return
        row = current.row()
        hover = self.model.hover
        self._show_word(row, hover[1] if hover and hover[0] == row else None)
        if not self._syncing:
            x0, y0, x1, y1 = self.lines[row].box
            self.view.show_hit(Hit(self.page, ((x0, y0, x1, y0, x0, y1, x1, y1),)))

    def _show_word(self, row: int, word: int | None) -> None:
        """Mark ``row``'s line lightly and ``word`` strongly on the page; bold it here."""
        line = self.lines[row]
        box: Box | None = None
        if word is not None:
            w = line.words[word]
            box = (w.x0, w.y0, w.x1, w.y1)
        self._mark(line.box, box)
        self.model.set_hover(None if word is None else (row, word))
        self._describe(line, word)

    def _mark(self, line: Box | None, word: Box | None) -> None:
        """Put the line and word marks on the page; repaint only when they change
        (the mouse moves many times over one word)."""
        if (line, word) == self._shown:
            return
        self._shown = (line, word)
        self.view.set_marks(LINE_LAYER, {self.page: [line]} if line else {}, LINE_MARK)
        self.view.set_marks(WORD_LAYER, {self.page: [word]} if word else {}, WORD_MARK)

    def _describe(self, line: OcrLine, word: int | None) -> None:
        start, end = line.word_span(word) if word is not None else (-1, -1)
        shown = _emphasised(line.text, start, end)
        self.word.setText(f"<span style='color:#5f6670'>Line {line.index + 1}:</span> {shown}")
        self.word.setAccessibleDescription(
            f"Line {line.index + 1}"
            + (f", word {line.words[word].text}" if word is not None else "")
        )

    def _leave(self) -> None:
        """The mouse left the page or the table: back to the current line, no word."""
        row = self.table.currentIndex().row()
        if self.lines and 0 <= row < len(self.lines):
            self._show_word(row, None)
        else:
            self._clear_marks()

    def _clear_marks(self) -> None:
        self._mark(None, None)
        self.model.set_hover(None)

    # -- export -----------------------------------------------------------------------------

    def suggested_export_path(self) -> Path:
        stem = Path(self.session.title).stem or "document"
        return Path.home() / f"{stem} page {self.page + 1} corrected.txt"

    def export_corrected_text(self, path: Path | None = None) -> Path | None:
        """Write this page's corrected text (``.jsonl``: with every correction's before/after)."""
        if self.layer is None:
            self.status.setText("The page's text is still being read; export when it shows.")
            return None
        if path is None:
            path = self.choose_export_path(self.suggested_export_path())
            if path is None:
                return None
        self.controller.finish_loading()
        self.refresh()
        assert self.corrected is not None
        try:
            write_pages(Path(path), [self.corrected])
        except (OSError, ReviewerError, ValueError) as exc:
            self._error("Not exported", f"{Path(path).name}: {exc}")
            return None
        self.status.setText(f"Saved the corrected text of page {self.page + 1} to {path}")
        self.exported.emit(Path(path))
        return Path(path)

    def _dialogs(self) -> Any:
        return getattr(self.window(), "dialogs", None)

    def _ask_export_path(self, suggested: Path) -> Path | None:
        dialogs = self._dialogs()
        return None if dialogs is None else dialogs.save_ocr_text(suggested)  # type: ignore[no-any-return]

    def _error(self, title: str, text: str) -> None:
        dialogs = self._dialogs()
        if dialogs is not None:
            dialogs.error(title, text)
        else:
            QMessageBox.warning(self, title, text)

    def sizeHint(self) -> QSize:
        return QSize(560, 520)
