"""Two small painted charts for the lead's dashboard: F1 per label as bars, F1 per pair as a grid.

They are painted by hand rather than pulled from Qt Charts: PySide6-Essentials
does not ship QtCharts, and two plain charts do not justify another
dependency. Both only draw the figures they are given (computed in
``core.lead.report``). Colour never carries meaning alone: every bar and cell
has its number written on it, the axes carry names, and the accessible
description repeats all figures as text for screen readers, which cannot
see painted shapes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

#: What a missing figure reads as; "0" would claim a disagreement that was never measured.
NO_VALUE = "–"

MARGIN = 8
GAP = 8

#: The heatmap's scale: a light neutral for 0 and a strong blue for 1. Fixed colours (not
#: the palette's) so the same F1 looks the same in light and dark themes; the number on
#: each cell is written in whichever of black or white contrasts more with it.
LOW = QColor("#f4f1ea")
HIGH = QColor("#0b4f8c")
#: A cell without a figure: grey and hatched, so it differs from the scale by pattern too.
MISSING = QColor("#a8a8a8")


def format_figure(value: float | None) -> str:
    """A 0..1 figure with two decimals, or the dash for "no figure"."""
    return NO_VALUE if value is None else f"{value:.2f}"


def spoken_figure(value: float | None) -> str:
    """The figure for a screen reader: a lone dash is read as "en dash" or not at all."""
    return "no value" if value is None else f"{value:.2f}"


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """The colour a fraction ``t`` (0..1) of the way from ``a`` to ``b``, channel by channel."""
    t = min(max(t, 0.0), 1.0)
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
    )


def _luminance(c: QColor) -> float:
    """WCAG relative luminance, to choose a text colour that stays legible on any cell."""

    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrasting_text(background: QColor) -> QColor:
    """Black or white, whichever has the higher WCAG contrast ratio against ``background``."""
    lum = _luminance(background)
    on_white = 1.05 / (lum + 0.05)
    on_black = (lum + 0.05) / 0.05
    return QColor("#ffffff") if on_white > on_black else QColor("#111111")


def scale_colour(value: float) -> QColor:
    """The heatmap colour of an F1 between 0 and 1."""
    return mix(LOW, HIGH, value)


def _bold(font: QFont) -> QFont:
    bold = QFont(font)
    bold.setBold(True)
    return bold


class BarChart(QWidget):
    """Horizontal bars, one per label, each 0..1, with its name on the left and its value.

    The height follows the number of bars so that a long taxonomy scrolls in
    the dashboard rather than squeezing bars into illegible slivers.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = ""
        self._values: dict[str, float | None] = {}
        self._counts: dict[str, int] = {}
        self.setAccessibleName("Bar chart")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.setMouseTracking(True)

    # -- data ------------------------------------------------------------------------

    def set_data(
        self,
        title: str,
        values: Mapping[str, float | None],
        counts: Mapping[str, int] | None = None,
    ) -> None:
        """Show ``values`` (label → 0..1 or None) in the given order under ``title``."""
        self._title = title
        self._values = dict(values)
        self._counts = dict(counts or {})
        self.setAccessibleName(title or "Bar chart")
        self.setAccessibleDescription(self.description())
        self.updateGeometry()
        self.update()

    def title(self) -> str:
        return self._title

    def values(self) -> dict[str, float | None]:
        """The figures shown, label → value (a copy: tests and callers read, never write)."""
        return dict(self._values)

    def description(self) -> str:
        """Every figure as text, for the accessible description."""
        if not self._values:
            return f"{self._title}: nothing to show."
        parts = []
        for label, value in self._values.items():
            n = self._counts.get(label)
            parts.append(f"{label} {spoken_figure(value)}" + ("" if n is None else f" (n = {n})"))
        return f"{self._title}: " + "; ".join(parts) + "."

    def bar_tooltip(self, label: str) -> str:
        value = self._values.get(label)
        n = self._counts.get(label)
        text = f"{label}: {format_figure(value)}"
        return text if n is None else f"{text} (n = {n})"

    # -- geometry --------------------------------------------------------------------

    def _row_height(self) -> int:
        return self.fontMetrics().height() + 10

    def _title_height(self) -> int:
        return QFontMetrics(_bold(self.font())).height() + 8

    def _label_width(self) -> int:
        """Room for the names: the longest one, but never more than 40 % of the width."""
        fm = self.fontMetrics()
        # +2: elidedText shortens a text whose width only just matches (subpixel rounding).
        longest = max((fm.horizontalAdvance(label) for label in self._values), default=0) + 2
        return min(longest, max(80, int(self.width() * 0.4)))

    def _value_width(self) -> int:
        return self.fontMetrics().horizontalAdvance("0.00") + GAP

    def _axis_height(self) -> int:
        return self.fontMetrics().height() + 4

    def row_rect(self, index: int) -> QRect:
        """The full row of bar ``index`` (name, bar, value): what the tooltip answers for."""
        top = MARGIN + self._title_height() + index * self._row_height()
        return QRect(MARGIN, top, self.width() - 2 * MARGIN, self._row_height())

    def _bar_span(self) -> tuple[int, int]:
        """Left x and full length of a bar of value 1."""
        left = MARGIN + self._label_width() + GAP
        right = self.width() - MARGIN - self._value_width()
        return left, max(right - left, 10)

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        rows = max(len(self._values), 1)
        longest = max((fm.horizontalAdvance(label) for label in self._values), default=80)
        width = 2 * MARGIN + min(longest, 220) + GAP + 240 + self._value_width()
        height = 2 * MARGIN + self._title_height() + rows * self._row_height()
        return QSize(width, height + self._axis_height())

    def minimumSizeHint(self) -> QSize:
        hint = self.sizeHint()
        return QSize(min(hint.width(), 240), hint.height())

    def bar_at(self, pos: QPoint) -> str | None:
        for index, label in enumerate(self._values):
            if self.row_rect(index).contains(pos):
                return label
        return None

    # -- painting --------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        track = mix(pal.color(QPalette.ColorRole.Window), text, 0.10)
        bar = pal.color(QPalette.ColorRole.Highlight)
        fm = self.fontMetrics()

        painter.setFont(_bold(self.font()))
        painter.setPen(text)
        title_rect = QRect(MARGIN, MARGIN, self.width() - 2 * MARGIN, self._title_height())
        painter.drawText(
            title_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
            QFontMetrics(painter.font()).elidedText(
                self._title, Qt.TextElideMode.ElideRight, title_rect.width()
            ),
        )
        painter.setFont(self.font())
        if not self._values:
            painter.drawText(
                self.row_rect(0),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                "No spans to compare yet.",
            )
            return

        left, length = self._bar_span()
        label_width = self._label_width()
        for index, (label, value) in enumerate(self._values.items()):
            row = self.row_rect(index)
            name_rect = QRect(row.left(), row.top(), label_width, row.height())
            painter.setPen(text)
            painter.drawText(
                name_rect,
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                fm.elidedText(label, Qt.TextElideMode.ElideMiddle, label_width),
            )
            bar_rect = QRect(left, row.top() + 4, length, row.height() - 8)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(bar_rect, 2, 2)
            end = left
            if value is not None:
                filled = QRect(bar_rect)
                filled.setWidth(round(length * min(max(value, 0.0), 1.0)))
                if filled.width() > 0:
                    painter.setBrush(bar)
                    painter.drawRoundedRect(filled, 2, 2)
                end = filled.right() + 1
            else:
                outline = QPen(mix(track, text, 0.45), 1, Qt.PenStyle.DashLine)
                painter.setPen(outline)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(bar_rect.adjusted(0, 0, -1, -1), 2, 2)
            painter.setPen(text)
            painter.drawText(
                QRect(end + 4, row.top(), self._value_width() + GAP, row.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                format_figure(value),
            )

        # A light axis under the bars: 0, 0.5, 1, so a bar's length can be read at a glance.
        axis_top = self.row_rect(len(self._values)).top()
        painter.setPen(mix(pal.color(QPalette.ColorRole.Window), text, 0.6))
        for tick, caption in ((0.0, "0"), (0.5, "0.5"), (1.0, "1")):
            x = left + round(length * tick)
            width = fm.horizontalAdvance(caption)
            x = min(max(x - width // 2, left), left + length - width)
            painter.drawText(
                QRect(x, axis_top, width + 2, self._axis_height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                caption,
            )

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            label = self.bar_at(event.pos())
            if label is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), self.bar_tooltip(label), self)
            return True
        return super().event(event)


class Heatmap(QWidget):
    """Annotators × annotators, each cell the pair's F1; clicking a cell asks for that pair.

    Operable from the keyboard too: the arrow keys move a focus frame over the
    cells and Enter or Space emits :attr:`pairClicked` like a click.
    """

    #: The lead clicked the cell of (row annotator, column annotator).
    pairClicked = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = ""
        self._annotators: list[str] = []
        self._values: dict[tuple[str, str], float | None] = {}
        self._current: tuple[int, int] | None = None
        self.setAccessibleName("Heatmap")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

    # -- data ------------------------------------------------------------------------

    def set_data(
        self,
        title: str,
        annotators: Sequence[str],
        values: Mapping[tuple[str, str], float | None],
    ) -> None:
        """Show the matrix of ``values`` ((row, column) → 0..1 or None) over ``annotators``."""
        self._title = title
        self._annotators = list(annotators)
        self._values = dict(values)
        n = len(self._annotators)
        if self._current is not None and max(self._current) >= n:
            self._current = None
        self.setAccessibleName(title or "Heatmap")
        self.setAccessibleDescription(self.description())
        self.updateGeometry()
        self.update()

    def title(self) -> str:
        return self._title

    def annotators(self) -> list[str]:
        return list(self._annotators)

    def value(self, a: str, b: str) -> float | None:
        return self._values.get((a, b))

    def description(self) -> str:
        """Every pair's figure as text; a symmetric pair is said once."""
        names = self._annotators
        if len(names) < 2:
            return f"{self._title}: no pairs of annotators to compare."
        parts = []
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                ab, ba = self._values.get((a, b)), self._values.get((b, a))
                if ab == ba:
                    parts.append(f"{a} and {b} {spoken_figure(ab)}")
                else:
                    parts.append(f"{a} to {b} {spoken_figure(ab)}")
                    parts.append(f"{b} to {a} {spoken_figure(ba)}")
        return f"{self._title}: " + "; ".join(parts) + "."

    def cell_tooltip(self, a: str, b: str) -> str:
        if a == b:
            return f"{a}: an annotator is not compared with themself"
        value = self._values.get((a, b))
        figure = "no value" if value is None else f"F1 {value:.2f}"
        return f"{a} × {b}: {figure}"

    # -- geometry --------------------------------------------------------------------

    def _cell(self) -> int:
        fm = self.fontMetrics()
        return max(fm.horizontalAdvance("0.00") + 18, 2 * fm.height() + 6, 44)

    def _left_width(self) -> int:
        fm = self.fontMetrics()
        longest = max((fm.horizontalAdvance(a) for a in self._annotators), default=0)
        return min(longest, 160) + GAP

    def _title_height(self) -> int:
        return QFontMetrics(_bold(self.font())).height() + 8

    def _top_height(self) -> int:
        return self.fontMetrics().height() + 6

    def _legend_height(self) -> int:
        return self.fontMetrics().height() + 16

    def _origin(self) -> QPoint:
        top = MARGIN + self._title_height() + self._top_height()
        return QPoint(MARGIN + self._left_width(), top)

    def cell_rect(self, a: str, b: str) -> QRect:
        """Where the cell of row ``a`` and column ``b`` is painted (tests click its centre)."""
        row, column = self._annotators.index(a), self._annotators.index(b)
        return self._cell_rect(row, column)

    def _cell_rect(self, row: int, column: int) -> QRect:
        size = self._cell()
        origin = self._origin()
        return QRect(origin.x() + column * size, origin.y() + row * size, size, size)

    def column_head_at(self, pos: QPoint) -> str | None:
        """The annotator whose (possibly shortened) column head is at ``pos``."""
        origin = self._origin()
        size = self._cell()
        if not origin.y() - self._top_height() <= pos.y() < origin.y() or pos.x() < origin.x():
            return None
        column = (pos.x() - origin.x()) // size
        return self._annotators[column] if column < len(self._annotators) else None

    def cell_at(self, pos: QPoint) -> tuple[int, int] | None:
        n = len(self._annotators)
        if not n:
            return None
        size = self._cell()
        origin = self._origin()
        dx, dy = pos.x() - origin.x(), pos.y() - origin.y()
        if dx < 0 or dy < 0:
            return None
        row, column = dy // size, dx // size
        return (row, column) if row < n and column < n else None

    def sizeHint(self) -> QSize:
        n = max(len(self._annotators), 1)
        grid = n * self._cell()
        fm = self.fontMetrics()
        title = QFontMetrics(_bold(self.font())).horizontalAdvance(self._title)
        legend = 260 + fm.horizontalAdvance("no value")
        width = 2 * MARGIN + max(self._left_width() + grid, title, legend)
        height = (
            2 * MARGIN + self._title_height() + self._top_height() + grid + self._legend_height()
        )
        return QSize(width, height)

    def minimumSizeHint(self) -> QSize:
        hint = self.sizeHint()
        n = max(len(self._annotators), 1)
        return QSize(2 * MARGIN + self._left_width() + n * self._cell(), hint.height())

    # -- painting --------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        window = pal.color(QPalette.ColorRole.Window)
        fm = self.fontMetrics()

        bold = _bold(self.font())
        painter.setFont(bold)
        painter.setPen(text)
        title_rect = QRect(MARGIN, MARGIN, self.width() - 2 * MARGIN, self._title_height())
        painter.drawText(
            title_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
            QFontMetrics(bold).elidedText(
                self._title, Qt.TextElideMode.ElideRight, title_rect.width()
            ),
        )
        painter.setFont(self.font())
        names = self._annotators
        if len(names) < 2:
            painter.drawText(
                QRect(MARGIN, title_rect.bottom() + 4, self.width() - 2 * MARGIN, fm.height() + 8),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                "No pairs of annotators to compare yet.",
            )
            return

        size = self._cell()
        origin = self._origin()
        left = self._left_width() - GAP
        for i, name in enumerate(names):
            # Column heads above, row heads to the left; long ids are shortened, never rotated.
            top = QRect(origin.x() + i * size, origin.y() - self._top_height(), size, fm.height())
            painter.drawText(
                top,
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                fm.elidedText(name, Qt.TextElideMode.ElideRight, size - 4),
            )
            side = QRect(MARGIN, origin.y() + i * size, left, size)
            painter.drawText(
                side,
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                fm.elidedText(name, Qt.TextElideMode.ElideRight, left),
            )

        for i, a in enumerate(names):
            for j, b in enumerate(names):
                self._paint_cell(painter, self._cell_rect(i, j), a, b, text, window)

        if self._current is not None and self.hasFocus():
            frame = QPen(pal.color(QPalette.ColorRole.Highlight), 3)
            painter.setPen(frame)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self._cell_rect(*self._current).adjusted(1, 1, -2, -2))

        self._paint_legend(painter, origin.y() + len(names) * size + 8, text)

    def _paint_cell(
        self, painter: QPainter, rect: QRect, a: str, b: str, text: QColor, window: QColor
    ) -> None:
        inner = rect.adjusted(1, 1, -1, -1)  # a hairline of background between cells
        painter.setPen(Qt.PenStyle.NoPen)
        if a == b:
            painter.setBrush(mix(window, text, 0.06))
            painter.drawRect(inner)
            painter.setPen(mix(window, text, 0.55))
            painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, "—")
            return
        value = self._values.get((a, b))
        if value is None:
            painter.setBrush(MISSING)
            painter.drawRect(inner)
            painter.setBrush(QBrush(MISSING.darker(115), Qt.BrushStyle.BDiagPattern))
            painter.drawRect(inner)
            painter.setPen(contrasting_text(MISSING))
            painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, NO_VALUE)
            return
        fill = scale_colour(value)
        painter.setBrush(fill)
        painter.drawRect(inner)
        painter.setPen(contrasting_text(fill))
        painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, format_figure(value))

    def _paint_legend(self, painter: QPainter, top: int, text: QColor) -> None:
        fm = self.fontMetrics()
        height = fm.height()
        x = MARGIN + self._left_width()
        painter.setPen(text)
        painter.drawText(QRect(x, top, 20, height), Qt.AlignmentFlag.AlignVCenter, "0")
        x += fm.horizontalAdvance("0") + 6
        ramp = QRect(x, top + 2, 120, height - 4)
        gradient = QLinearGradient(ramp.left(), 0, ramp.right(), 0)
        gradient.setColorAt(0.0, LOW)
        gradient.setColorAt(1.0, HIGH)
        painter.setPen(QPen(mix(LOW, text, 0.3), 1))
        painter.setBrush(QBrush(gradient))
        painter.drawRect(ramp)
        x = ramp.right() + 7
        painter.setPen(text)
        painter.drawText(QRect(x, top, 20, height), Qt.AlignmentFlag.AlignVCenter, "1")
        x += fm.horizontalAdvance("1") + 20
        swatch = QRect(x, top + 2, height - 4, height - 4)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(MISSING)
        painter.drawRect(swatch)
        painter.setBrush(QBrush(MISSING.darker(115), Qt.BrushStyle.BDiagPattern))
        painter.drawRect(swatch)
        painter.setPen(text)
        painter.drawText(
            QRect(swatch.right() + 6, top, fm.horizontalAdvance("– no value") + 4, height),
            Qt.AlignmentFlag.AlignVCenter,
            f"{NO_VALUE} no value",
        )

    # -- interaction -----------------------------------------------------------------

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        cell = self.cell_at(event.position().toPoint())
        if cell is None:
            return
        self._current = cell
        self.update()
        self._activate(cell)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        n = len(self._annotators)
        moves = {
            Qt.Key.Key_Left: (0, -1),
            Qt.Key.Key_Right: (0, 1),
            Qt.Key.Key_Up: (-1, 0),
            Qt.Key.Key_Down: (1, 0),
        }
        key = Qt.Key(event.key())
        if n and key in moves:
            row, column = self._current or (0, 1 if n > 1 else 0)
            dr, dc = moves[key] if self._current is not None else (0, 0)
            self._current = (min(max(row + dr, 0), n - 1), min(max(column + dc, 0), n - 1))
            self._announce()
            self.update()
            return
        if (
            n
            and self._current is not None
            and key
            in (
                Qt.Key.Key_Return,
                Qt.Key.Key_Enter,
                Qt.Key.Key_Space,
            )
        ):
            self._activate(self._current)
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        if self._current is None and len(self._annotators) > 1:
            self._current = (0, 1)
        self._announce()
        super().focusInEvent(event)

    def _announce(self) -> None:
        """Show the focused cell's figure as a tooltip, so keyboard users get what hover gives."""
        if self._current is None or not self.hasFocus():
            return
        a, b = (self._annotators[i] for i in self._current)
        rect = self._cell_rect(*self._current)
        QToolTip.showText(self.mapToGlobal(rect.center()), self.cell_tooltip(a, b), self, rect)

    def _activate(self, cell: tuple[int, int]) -> None:
        a, b = self._annotators[cell[0]], self._annotators[cell[1]]
        if a != b:
            self.pairClicked.emit(a, b)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            cell = self.cell_at(event.pos())
            head = self.column_head_at(event.pos())
            if head is not None:
                QToolTip.showText(event.globalPos(), head, self)
            elif cell is None:
                QToolTip.hideText()
                event.ignore()
            else:
                a, b = self._annotators[cell[0]], self._annotators[cell[1]]
                QToolTip.showText(
                    event.globalPos(), self.cell_tooltip(a, b), self, self._cell_rect(*cell)
                )
            return True
        return super().event(event)
