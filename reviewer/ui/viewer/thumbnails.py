"""The thumbnail sidebar: a real item view, filled lazily as rows become visible."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QApplication, QListView, QWidget

from reviewer.core.worker import THUMBNAIL
from reviewer.ui.document_session import DocumentSession

THUMB_WIDTH = 120
_MARGIN = 4  # around the picture and its page number, in pixels
_Index = QModelIndex | QPersistentModelIndex


class ThumbnailModel(QAbstractListModel):
    """One row per page; the picture is requested the first time a row is shown."""

    def __init__(self, session: DocumentSession) -> None:
        super().__init__()
        self.session = session
        widest = max((w for w, _ in session.page_sizes), default=612.0)
        self.scale = round(THUMB_WIDTH / widest, 4)
        self._placeholders: dict[tuple[int, int], QPixmap] = {}
        self._text_height = QFontMetrics(QApplication.font()).height()
        session.pageRendered.connect(self._on_rendered)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else self.session.page_count

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        page = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            return str(page + 1)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"Page {page + 1}"
        if role == Qt.ItemDataRole.DecorationRole:
            pixmap = self.session.thumbnails.get((page, self.scale))
            if pixmap is None:
                self.session.request_render(page, self.scale, THUMBNAIL)
                return self._placeholder(self._size(page))
            return pixmap
        if role == Qt.ItemDataRole.SizeHintRole:
            # Given here, the view lays out every row from page sizes alone;
            # without it the delegate asked each row for its picture, which
            # made and requested a thumbnail of every page as the tab opened.
            w, h = self._size(page)
            return QSize(w + 2 * _MARGIN, h + self._text_height + 3 * _MARGIN)
        return None

    def _size(self, page: int) -> tuple[int, int]:
        w, h = self.session.page_sizes[page]
        return max(1, round(w * self.scale)), max(1, round(h * self.scale))

    def _placeholder(self, size: tuple[int, int]) -> QPixmap:
        """A blank page outline, one per size (most documents have one page size)."""
        pixmap = self._placeholders.get(size)
        if pixmap is None:
            pixmap = QPixmap(*size)
            pixmap.fill(QColor("white"))
            painter = QPainter(pixmap)
            painter.setPen(QColor("#c0c4ca"))
            painter.drawRect(pixmap.rect().adjusted(0, 0, -1, -1))
            painter.end()
            self._placeholders[size] = pixmap
        return pixmap

    def _on_rendered(self, page: int) -> None:
        if (page, self.scale) in self.session.thumbnails:
            index = self.index(page)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


class ThumbnailList(QListView):
    """Page thumbnails; clicking one goes to that page."""

    def __init__(self, session: DocumentSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(ThumbnailModel(session))
        self.setAccessibleName("Page thumbnails")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.TopToBottom)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        self.setSpacing(6)
        tallest = max((h / w for w, h in session.page_sizes if w > 0), default=1.3)
        self.setIconSize(QSize(THUMB_WIDTH, round(THUMB_WIDTH * tallest)))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(THUMB_WIDTH // 2)
        self.setMaximumWidth(THUMB_WIDTH * 2)

    def set_current_page(self, page: int) -> None:
        index = self.model().index(page, 0)
        if self.currentIndex() != index:
            self.setCurrentIndex(index)
            self.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
