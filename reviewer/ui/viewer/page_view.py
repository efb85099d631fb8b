"""The continuous page view: every page in one vertical scroll, painted lazily.

Only pages in the viewport (plus one above and below) are requested from the
worker, at the current zoom times the screen's device pixel ratio so text is
crisp on high-DPI screens. Until a sharp rendering arrives, the best cached
one is drawn scaled, or a blank page with its number. Requests for pages
that scrolled away are withdrawn before the worker sees them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QToolTip, QWidget

from reviewer.core import layout as geometry
from reviewer.core.anchors import display_boxes
from reviewer.core.commands import Changes
from reviewer.core.layout import PageLayout
from reviewer.core.model import Annotation, Box, Selector
from reviewer.core.selection import Anchor, PageSpan, select, selected_text
from reviewer.core.worker import NEARBY, VISIBLE
from reviewer.ui.clipboard import SensitiveClipboard
from reviewer.ui.document_session import DocumentSession

if TYPE_CHECKING:
    from reviewer.ui.annotations.controller import AnnotationController

BACKDROP = QColor("#595d64")
PAGE_BORDER = QColor(0, 0, 0, 70)
SELECTION = QColor(38, 110, 220, 80)
FIND_HIT = QColor(255, 214, 0, 110)
FIND_CURRENT = QColor(255, 128, 0, 150)
AREA_DRAFT = QColor(38, 110, 220)
CLICK_SLOP = 3  # pixels a press may move and still count as a click
#: Largest page rendering in pixels; beyond it the page is drawn upscaled.
MAX_RENDER_PIXELS = 24_000_000
# Computed once: combining Qt's enum flags is Python code in PySide6, and
# it was a third of a label key press's handling (measured).
_COMMAND_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)
#: Keys that judge a selected suggestion: True accepts, False rejects.
_REVIEW_KEYS = {"a": True, "A": True, "x": False, "X": False}
_KEY_ESCAPE = Qt.Key.Key_Escape.value
_KEY_DELETE = Qt.Key.Key_Delete.value


Quad = tuple[float, float, float, float, float, float, float, float]


@dataclass(frozen=True)
class Hit:
    """One find hit: a page and one quad per line the hit spans (ul, ur, ll, lr in points)."""

    page: int
    quads: tuple[Quad, ...]

    def bounds(self) -> tuple[float, float, float, float]:
        xs = [v for q in self.quads for v in q[0::2]]
        ys = [v for q in self.quads for v in q[1::2]]
        return min(xs), min(ys), max(xs), max(ys)


class PageView(QAbstractScrollArea):
    """Shows a :class:`DocumentSession` as a continuous, zoomable column of pages."""

    currentPageChanged = Signal(int)
    zoomChanged = Signal(float)
    selectionChanged = Signal(str)
    labelApplied = Signal(object)  # the Annotation a label key created

    def __init__(self, session: DocumentSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.layout_ = PageLayout(list(session.page_sizes))
        self._fit: str | None = "width"
        self._current_page = 0
        self._sel_anchor: Anchor | None = None
        self._sel_spans: list[PageSpan] = []
        #: The anchor of a finished selection (made on mouse release), with its spans.
        self._anchored: tuple[list[PageSpan], Selector] | None = None
        self._hits: dict[int, list[Hit]] = {}
        self._current_hit: Hit | None = None
        self.clipboard = SensitiveClipboard(self)
        #: Named layers of boxes drawn over pages (diff highlight, the word under the cursor).
        self._marks: dict[str, tuple[QColor, dict[int, list[Box]]]] = {}
        self.setAccessibleName(f"Pages of {session.title}")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self._placed = False  # the first layout shows the top of page 1
        self.annotations: AnnotationController | None = None
        self._press_pos: QPoint | None = None
        self._area_start: tuple[int, float, float] | None = None
        self._area: tuple[int, Box] | None = None  # a drawn rectangle waiting for a label
        session.keep_words = self._pages_in_use
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.horizontalScrollBar().valueChanged.connect(self._on_scrolled)
        self._request_timer = QTimer(self, singleShot=True, interval=0)
        self._request_timer.timeout.connect(self._request_visible)
        session.pageRendered.connect(self._on_page_rendered)
        session.wordsReady.connect(lambda _page: self.viewport().update())

    # -- public API -------------------------------------------------------------

    @property
    def zoom(self) -> float:
        return self.layout_.zoom

    @property
    def current_page(self) -> int:
        return self._current_page

    @property
    def fit_mode(self) -> str | None:
        return self._fit

    def set_zoom(self, zoom: float, anchor: QPoint | None = None) -> None:
        """Zoom, keeping the document point under ``anchor`` (default: centre) still."""
        self._fit = None
        self._apply_zoom(zoom, anchor)

    def zoom_in(self) -> None:
        self.set_zoom(geometry.zoom_in(self.zoom))

    def zoom_out(self) -> None:
        self.set_zoom(geometry.zoom_out(self.zoom))

    def fit_width(self) -> None:
        self._fit = "width"
        self._apply_zoom(self.layout_.fit_width_zoom(self._usable_width()))

    def fit_page(self) -> None:
        self._fit = "page"
        page = self._current_page
        self._apply_zoom(
            self.layout_.fit_page_zoom(self._usable_width(), self.viewport().height(), page)
        )
        self.go_to_page(page)

    def go_to_page(self, page: int) -> None:
        page = max(0, min(page, self.session.page_count - 1))
        self.verticalScrollBar().setValue(round(self._scroll_top(page)))
        self._set_current(page)

    def _scroll_top(self, page: int) -> float:
        """Scroll position that shows ``page`` from its top (page 1: the very top)."""
        return 0.0 if page == 0 else self.layout_.page_top(page) - self.layout_.gap / 2

    def next_page(self) -> None:
        self.go_to_page(self._current_page + 1)

    def previous_page(self) -> None:
        # From the middle of a page, "previous" first returns to its top, as readers expect.
        top = self._scroll_top(self._current_page)
        if self.verticalScrollBar().value() > round(top) + 2:
            self.go_to_page(self._current_page)
        else:
            self.go_to_page(self._current_page - 1)

    def first_page(self) -> None:
        self.go_to_page(0)

    def last_page(self) -> None:
        self.go_to_page(self.session.page_count - 1)

    def selected_text(self) -> str:
        return selected_text(self.session.loaded_words(), self._sel_spans)

    def clear_selection(self) -> None:
        self._sel_spans = []
        self._sel_anchor = None
        self.viewport().update()
        self.selectionChanged.emit("")

    def copy_selection(self) -> bool:
        """Copy the selected text, marked sensitive and cleared after a while (privacy)."""
        text = self.selected_text()
        if text:
            self.clipboard.copy(text)
        return bool(text)

    # -- annotations -------------------------------------------------------------

    def _on_annotations_changed(self, changes: Changes) -> None:
        """Repaint only when a changed page is on screen (chunks read while a
        document opens are mostly for pages further down)."""
        visible = self.visible_pages()
        if not changes.pages or any(page in visible for page in changes.pages):
            self.viewport().update()

    def set_annotations(self, controller: AnnotationController) -> None:
        """Show and edit the annotations of ``controller`` (same document)."""
        self.annotations = controller
        controller.changed.connect(self._on_annotations_changed)
        controller.selectionChanged.connect(self._on_annotation_selected)

    def _pages_in_use(self) -> set[int]:
        """Pages the current selection refers to by word index: their words must stay."""
        pages = {span.page for span in self._sel_spans}
        if self._sel_anchor is not None:
            pages.add(self._sel_anchor.page)
        return pages

    def pending_spans(self) -> list[PageSpan]:
        return list(self._sel_spans)

    def pending_area(self) -> tuple[int, Box] | None:
        return self._area

    def apply_label(self, label_id: str) -> Annotation | None:
        """Label the pending selection or area; without one, relabel the selected annotation."""
        ctrl = self.annotations
        if ctrl is None:
            return None
        created = None
        if self._area is not None:
            page, box = self._area
            created = ctrl.create_area(page, box, label_id)
        elif self._sel_spans:
            missing = [s.page for s in self._sel_spans if self.session.layer(s.page) is None]
            if missing:
                return None  # words still loading; the key press is ignored, nothing half-made
            anchored = self._anchored
            anchor = anchored[1] if anchored and anchored[0] is self._sel_spans else None
            created = ctrl.create_text(self._sel_spans, label_id, anchor)
        elif ctrl.selected is not None:
            ctrl.edit(ctrl.selected, label=label_id)
            return ctrl.get(ctrl.selected)
        if created is not None:
            self._sel_spans = []
            self._sel_anchor = None
            self._area = None
            self.selectionChanged.emit("")
            self.viewport().update()
        return created

    def annotation_at(self, pos: QPoint) -> Annotation | None:
        hit = self.page_at(pos)
        if hit is None or self.annotations is None:
            return None
        page, x, y = hit
        for annotation in reversed(self.annotations.on_page(page)):
            if annotation.state == "rejected":
                continue
            for x0, y0, x1, y1 in self._boxes(annotation, page):
                if x0 - 1 <= x <= x1 + 1 and y0 - 1 <= y <= y1 + 1:
                    return annotation
        return None

    def scroll_to_annotation(self, annotation: Annotation) -> None:
        page = annotation.selector.page
        boxes = self._boxes(annotation, page)
        if not boxes:
            self.go_to_page(page)
            return
        x0, y0, x1, y1 = boxes[0]
        self.show_hit(Hit(page, ((x0, y0, x1, y0, x0, y1, x1, y1),)))
        self._current_hit = None

    def _boxes(self, annotation: Annotation, page: int) -> list[Box]:
        w, h = self.session.page_sizes[page]
        rotations = self.session.opened.rotations
        rotation = rotations[page] if page < len(rotations) else 0
        return display_boxes(annotation.selector, page, rotation, w, h)

    def _on_annotation_selected(self, annotation_id: str | None) -> None:
        if annotation_id is not None and self.annotations is not None:
            annotation = self.annotations.get(annotation_id)
            if annotation is not None:
                self.scroll_to_annotation(annotation)
        self.viewport().update()

    def set_hits(self, hits: list[Hit]) -> None:
        grouped: dict[int, list[Hit]] = {}
        for hit in hits:
            grouped.setdefault(hit.page, []).append(hit)
        self._hits = grouped
        self.viewport().update()

    def set_marks(self, layer: str, boxes: dict[int, list[Box]], colour: QColor) -> None:
        """Draw ``boxes`` (page → boxes in display points) as the layer ``layer``; {} clears it.

        Other views put their own highlights on the page this way (the diff
        between drafts, the word under the cursor in the OCR text) without
        knowing how pages are painted.
        """
        if boxes:
            self._marks[layer] = (colour, boxes)
        elif self._marks.pop(layer, None) is None:
            return
        self.viewport().update()

    def marks(self, layer: str) -> dict[int, list[Box]]:
        """The boxes of a layer (empty when it is not shown)."""
        found = self._marks.get(layer)
        return {} if found is None else found[1]

    def show_hit(self, hit: Hit | None) -> None:
        """Mark ``hit`` as the current one and scroll it into view (centred if off-screen)."""
        self._current_hit = hit
        if hit is not None:
            bx0, by0, bx1, by1 = hit.bounds()
            x0, y0 = self.layout_.to_pixels(hit.page, bx0, by0)
            x1, y1 = self.layout_.to_pixels(hit.page, bx1, by1)
            top = self.verticalScrollBar().value()
            height = self.viewport().height()
            if y0 < top or y1 > top + height:
                self.verticalScrollBar().setValue(round((y0 + y1) / 2 - height / 2))
            left = self.horizontalScrollBar().value()
            width = self.viewport().width()
            if x0 < left or x1 > left + width:
                self.horizontalScrollBar().setValue(round((x0 + x1) / 2 - width / 2))
            self._set_current(hit.page)
        self.viewport().update()

    def viewport_point(self, page: int, x: float, y: float) -> QPoint:
        """Where a point of a page (in points) is in viewport pixels (used by tests and tools)."""
        px, py = self.layout_.to_pixels(page, x, y)
        ox, oy = self._origin()
        return QPoint(round(px - ox), round(py - oy))

    def page_at(self, pos: QPoint) -> tuple[int, float, float] | None:
        """The page and point (in points) under a viewport position, or None."""
        ox, oy = self._origin()
        cx, cy = pos.x() + ox, pos.y() + oy
        page = self.layout_.hit(cx, cy)
        if page is None:
            return None
        x, y = self.layout_.to_points(page, cx, cy)
        return page, x, y

    def visible_pages(self) -> range:
        top = self.verticalScrollBar().value()
        return self.layout_.visible_pages(top, top + self.viewport().height())

    # -- geometry ---------------------------------------------------------------

    def _usable_width(self) -> float:
        return max(100.0, self.viewport().width() - self.verticalScrollBar().sizeHint().width())

    def _origin(self) -> tuple[float, float]:
        """Content coordinates of the viewport's top-left corner."""
        spare = self.viewport().width() - self.layout_.content_width
        ox = self.horizontalScrollBar().value() - (spare / 2 if spare > 0 else 0)
        return ox, float(self.verticalScrollBar().value())

    def _apply_zoom(self, zoom: float, anchor: QPoint | None = None) -> None:
        anchor = anchor or QPoint(self.viewport().width() // 2, self.viewport().height() // 2)
        before = self.page_at(anchor)
        ox, oy = self._origin()
        fallback = ((anchor.x() + ox) / self.layout_.scale, (anchor.y() + oy) / self.layout_.scale)
        old = self.layout_.zoom
        self.layout_.set_zoom(zoom)
        self._update_scrollbars()
        if before is not None:
            page, x, y = before
            px, py = self.layout_.to_pixels(page, x, y)
        else:
            px, py = fallback[0] * self.layout_.scale, fallback[1] * self.layout_.scale
        spare = self.viewport().width() - self.layout_.content_width
        self.horizontalScrollBar().setValue(
            round(px - anchor.x() + (spare / 2 if spare > 0 else 0))
        )
        self.verticalScrollBar().setValue(round(py - anchor.y()))
        if abs(old - self.layout_.zoom) > 1e-9:
            self.zoomChanged.emit(self.layout_.zoom)
        self._schedule_requests()
        self.viewport().update()

    def _update_scrollbars(self) -> None:
        vw, vh = self.viewport().width(), self.viewport().height()
        self.verticalScrollBar().setRange(0, max(0, round(self.layout_.content_height - vh)))
        self.verticalScrollBar().setPageStep(vh)
        self.verticalScrollBar().setSingleStep(40)
        self.horizontalScrollBar().setRange(0, max(0, round(self.layout_.content_width - vw)))
        self.horizontalScrollBar().setPageStep(vw)
        self.horizontalScrollBar().setSingleStep(40)

    def _render_scale(self, page: int) -> float:
        scale = self.layout_.scale * self.devicePixelRatioF()
        w, h = self.layout_.sizes[page]
        if w * h * scale * scale > MAX_RENDER_PIXELS:
            scale = (MAX_RENDER_PIXELS / (w * h)) ** 0.5
        return round(scale, 4)

    # -- events -------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self._placed and self.viewport().width() > 0:
            self._placed = True
            if self._fit == "width":
                self.layout_.set_zoom(self.layout_.fit_width_zoom(self._usable_width()))
                self.zoomChanged.emit(self.layout_.zoom)
            self._update_scrollbars()
            self.verticalScrollBar().setValue(0)
            self._schedule_requests()
            return
        # Keep what is at the top edge in place: a resize should not scroll the text away.
        top_edge = QPoint(self.viewport().width() // 2, 0)
        if self._fit == "width":
            self._apply_zoom(self.layout_.fit_width_zoom(self._usable_width()), top_edge)
        elif self._fit == "page":
            self._apply_zoom(
                self.layout_.fit_page_zoom(
                    self._usable_width(), self.viewport().height(), self._current_page
                ),
                top_edge,
            )
        else:
            self._update_scrollbars()
        self._schedule_requests()

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        self._update_scrollbars()
        self._schedule_requests()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        self.viewport().update()

    def _on_scrolled(self, _value: int) -> None:
        top = self.verticalScrollBar().value()
        middle = top + self.viewport().height() / 3
        self._set_current(self.layout_.page_at_y(middle))
        self._schedule_requests()

    def _set_current(self, page: int) -> None:
        if page != self._current_page:
            self._current_page = page
            self.currentPageChanged.emit(page)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120.0
            if steps:
                factor = 1.15**steps
                self.set_zoom(self.zoom * factor, event.position().toPoint())
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == _KEY_ESCAPE and (self._sel_spans or self._area):
            self._area = None
            self.clear_selection()
            return
        plain = not (event.modifiers() & _COMMAND_MODIFIERS)
        ctrl = self.annotations
        if (
            ctrl is not None
            and plain
            and event.text() in _REVIEW_KEYS
            and not (self._sel_spans or self._area)
            and ctrl.is_suggestion(ctrl.selected)
        ):
            # Reviewing a suggestion: A accepts, X rejects (their label keys apply to new marks).
            judge = ctrl.accept if _REVIEW_KEYS[event.text()] else ctrl.reject
            judge(ctrl.selected)  # type: ignore[arg-type]
            event.accept()
            return
        if ctrl is not None and plain and len(event.text()) == 1 and event.text().isprintable():
            label = ctrl.taxonomy.by_shortcut(event.text())
            if label is not None:
                created = self.apply_label(label.id)
                if created is not None and created.selector is not None:
                    self.labelApplied.emit(created)
                event.accept()
                return
        if ctrl is not None and key == _KEY_DELETE and ctrl.selected:
            ctrl.delete(ctrl.selected)
            event.accept()
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            pos = event.position().toPoint()
            hit = self.page_at(pos)
            self._press_pos = pos
            self._sel_spans = []
            self._area = None
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and hit:
                self._sel_anchor = None
                self._area_start = hit  # Shift+drag draws an area (scans, signatures, tables)
            else:
                self._area_start = None
                self._sel_anchor = Anchor(*hit) if hit else None
                if hit:
                    self.session.request_words(hit[0])
            self.viewport().update()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        if event.buttons() & Qt.MouseButton.LeftButton:
            if self._area_start is not None:
                self._update_area(pos)
            elif self._sel_anchor is not None:
                self._extend_selection(pos)
        else:
            self._show_tooltip(event)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            pos = event.position().toPoint()
            click = self._press_pos is not None and (
                (pos - self._press_pos).manhattanLength() <= CLICK_SLOP
            )
            if click:
                self._area_start = None
                self._sel_anchor = None
                self._sel_spans = []
                if self.annotations is not None:
                    hit = self.annotation_at(pos)
                    self.annotations.select(hit.id if hit else None)
                self.viewport().update()
            elif self._area_start is not None:
                self._update_area(pos)
                self._area_start = None
            elif self._sel_anchor is not None:
                self._extend_selection(pos)
                self._anchor_selection()
                self.selectionChanged.emit(self.selected_text())
        super().mouseReleaseEvent(event)

    def _anchor_selection(self) -> None:
        """Anchor a finished selection now, while the user reaches for a label key.

        The key press then only stores the annotation. The anchor belongs to
        this exact selection (the same list object); any later change of the
        selection makes a new list, and the key press anchors that itself.
        """
        spans = self._sel_spans
        anchor = None
        if self.annotations is not None and spans:
            anchor = self.annotations.anchor_text(spans)
        self._anchored = (spans, anchor) if anchor is not None else None

    def _update_area(self, pos: QPoint) -> None:
        assert self._area_start is not None
        page, x0, y0 = self._area_start
        ox, oy = self._origin()
        x1, y1 = self.layout_.to_points(page, pos.x() + ox, pos.y() + oy)
        w, h = self.layout_.sizes[page]
        x1, y1 = min(max(x1, 0.0), w), min(max(y1, 0.0), h)
        self._area = (page, (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
        self.viewport().update()

    def _show_tooltip(self, event: QMouseEvent) -> None:
        if self.annotations is None:
            return
        annotation = self.annotation_at(event.position().toPoint())
        if annotation is None:
            QToolTip.hideText()
            return
        text = f"<b>{html.escape(self.annotations.label_name(annotation))}</b>"
        if annotation.severity:
            text += f" · {html.escape(annotation.severity)}"
        if annotation.state == "proposed":
            score = "" if annotation.score is None else f" ({annotation.score:.2f})"
            text += f"<br>Suggested: {html.escape(annotation.reason)}{score}"
            text += "<br><i>A accepts, X rejects</i>"
        if annotation.comment:
            text += f"<br>{html.escape(annotation.comment)}"
        elif self.annotations.needs_comment(annotation) and annotation.state != "proposed":
            text += "<br><i>Needs a written explanation</i>"
        QToolTip.showText(event.globalPosition().toPoint(), text, self.viewport())

    def _extend_selection(self, pos: QPoint) -> None:
        assert self._sel_anchor is not None
        hit = self.page_at(pos)
        if hit is None:
            # In a gap between pages: clamp to the nearest page edge.
            ox, oy = self._origin()
            page = self.layout_.page_at_y(pos.y() + oy)
            x, y = self.layout_.to_points(page, pos.x() + ox, pos.y() + oy)
            w, h = self.layout_.sizes[page]
            hit = (page, min(max(x, 0.0), w), min(max(y, 0.0), h))
        end = Anchor(*hit)
        lo, hi = sorted((self._sel_anchor.page, end.page))
        for page in range(lo, hi + 1):
            self.session.request_words(page)
        self._sel_spans = select(self.session.loaded_words(), self._sel_anchor, end)
        self.viewport().update()

    def _on_page_rendered(self, page: int) -> None:
        if page in self.visible_pages():
            self.viewport().update()

    # -- rendering requests ---------------------------------------------------------

    def _schedule_requests(self) -> None:
        self._request_timer.start()

    def _request_visible(self) -> None:
        visible = self.visible_pages()
        wanted: set[tuple[int, float]] = set()
        for page in visible:
            scale = self._render_scale(page)
            wanted.add((page, scale))
            self.session.request_render(page, scale, VISIBLE)
        for page in (visible.start - 1, visible.stop):
            if 0 <= page < self.session.page_count:
                scale = self._render_scale(page)
                wanted.add((page, scale))
                self.session.request_render(page, scale, NEARBY)
        self.session.cancel_renders_except(wanted)
        for page in visible:
            self.session.request_words(page, NEARBY)

    # -- painting ---------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        painter.fillRect(event.rect(), BACKDROP)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        ox, oy = self._origin()
        painter.translate(-ox, -oy)
        for page in self.visible_pages():
            self._paint_page(painter, page)
        painter.end()

    def _paint_page(self, painter: QPainter, page: int) -> None:
        box = self.layout_.page_box(page)
        target = QRectF(box.x, box.y, box.w, box.h)
        painter.fillRect(target.translated(2, 3), QColor(0, 0, 0, 60))  # soft shadow
        painter.fillRect(target, Qt.GlobalColor.white)
        image = self.session.cache.get((page, self._render_scale(page)))
        if image is None:
            image = self.session.cache.best_for(page)
        if image is not None:
            painter.drawImage(target, image, QRectF(image.rect()))
        else:
            painter.setPen(QColor("#8a9099"))
            message = (
                f"Page {page + 1} could not be drawn"
                if self.session.page_failed(page)
                else f"Page {page + 1}"
            )
            painter.drawText(target, Qt.AlignmentFlag.AlignCenter, message)
        painter.setPen(QPen(PAGE_BORDER, 1))
        painter.drawRect(target)
        self._paint_overlays(painter, page)

    def _paint_overlays(self, painter: QPainter, page: int) -> None:
        scale = self.layout_.scale
        box = self.layout_.page_box(page)
        painter.save()
        painter.translate(box.x, box.y)
        painter.scale(scale, scale)
        self._paint_annotations(painter, page, scale)
        painter.setPen(Qt.PenStyle.NoPen)
        for colour, boxes in self._marks.values():
            painter.setBrush(colour)
            for x0, y0, x1, y1 in boxes.get(page, ()):
                painter.drawRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        for hit in self._hits.get(page, ()):
            current = hit == self._current_hit
            painter.setBrush(FIND_CURRENT if current else FIND_HIT)
            for q in hit.quads:
                corners = [(q[0], q[1]), (q[2], q[3]), (q[6], q[7]), (q[4], q[5])]
                painter.drawPolygon(QPolygonF([QPointF(x, y) for x, y in corners]))
        words = self.session.loaded_words().get(page)
        if words:
            painter.setBrush(SELECTION)
            for span in self._sel_spans:
                if span.page != page:
                    continue
                for w in words[span.start : span.end + 1]:
                    painter.drawRect(QRectF(w.x0, w.y0, w.x1 - w.x0, w.y1 - w.y0))
        if self._area is not None and self._area[0] == page:
            x0, y0, x1, y1 = self._area[1]
            pen = QPen(AREA_DRAFT, 1.5 / scale, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(QColor(38, 110, 220, 40))
            painter.drawRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        painter.restore()

    def _paint_annotations(self, painter: QPainter, page: int, scale: float) -> None:
        ctrl = self.annotations
        if ctrl is None:
            return
        for annotation in ctrl.on_page(page):
            if annotation.state == "rejected":
                continue  # kept (a rescan must not propose it again) but not shown on the page
            colour = QColor(ctrl.colour_of(annotation))
            selected = annotation.id == ctrl.selected
            proposed = annotation.state == "proposed"
            fill = QColor(colour)
            fill.setAlpha(25 if proposed else 70 if annotation.selector.kind == "text" else 35)
            painter.setBrush(fill)
            # A suggestion is outlined with dashes until someone accepts it.
            pen = QPen(colour.darker(140 if selected else 110), (2.5 if selected else 1.2) / scale)
            if proposed:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            boxes = self._boxes(annotation, page)
            for x0, y0, x1, y1 in boxes:
                painter.drawRect(QRectF(x0 - 0.5, y0 - 0.5, x1 - x0 + 1, y1 - y0 + 1))
            if boxes and ctrl.needs_comment(annotation):
                x0, y0, x1, _ = boxes[0]
                r = 3.0
                painter.setBrush(QColor("#d93025"))
                painter.setPen(Qt.PenStyle.NoPen)
                painter.drawEllipse(QPointF(x1, y0), r, r)
