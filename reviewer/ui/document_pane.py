"""One tab: the thumbnail sidebar beside the page view, plus the find controller."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from reviewer.ui.document_session import DocumentSession
from reviewer.ui.find_bar import FindController
from reviewer.ui.viewer.page_view import PageView
from reviewer.ui.viewer.thumbnails import THUMB_WIDTH, ThumbnailList


class DocumentPane(QWidget):
    """Everything shown for one open document."""

    def __init__(self, session: DocumentSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.view = PageView(session, self)
        self.thumbnails = ThumbnailList(session, self)
        self.find = FindController(self.view, self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.thumbnails)
        splitter.addWidget(self.view)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([THUMB_WIDTH + 44, 10_000])
        splitter.setCollapsible(1, False)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(splitter)
        self.view.currentPageChanged.connect(self.thumbnails.set_current_page)
        self.thumbnails.clicked.connect(lambda index: self.view.go_to_page(index.row()))
        self.thumbnails.activated.connect(lambda index: self.view.go_to_page(index.row()))
        self.thumbnails.set_current_page(0)

    def close_document(self) -> None:
        self.find.close()
        self.session.close()
