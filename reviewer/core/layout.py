"""Geometry of the continuous page view, without Qt.

Pages are stacked vertically, centred horizontally, separated by a gap.
Units: *points* are PDF points (1/72 in) in display space; *pixels* are the
viewer's logical pixels (Qt scales them by the device pixel ratio). At zoom
1.0 a page is shown at 96 logical pixels per inch, the size it has on paper
on a standard screen.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

SCREEN_DPI = 96.0
PX_PER_PT = SCREEN_DPI / 72.0
MIN_ZOOM = 0.1
MAX_ZOOM = 8.0
ZOOM_STEPS = (
    0.1,
    0.25,
    0.33,
    0.5,
    0.67,
    0.75,
    0.9,
    1.0,
    1.1,
    1.25,
    1.5,
    1.75,
    2.0,
    2.5,
    3.0,
    4.0,
    5.0,
    6.0,
    8.0,
)


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in pixels."""

    x: float
    y: float
    w: float
    h: float

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def right(self) -> float:
        return self.x + self.w

    def contains(self, px: float, py: float) -> bool:
        return self.x <= px <= self.right and self.y <= py <= self.bottom


@dataclass
class PageLayout:
    """Where each page sits at a given zoom; O(log n) lookups for 1,000+ pages."""

    sizes: list[tuple[float, float]]
    zoom: float = 1.0
    gap: float = 12.0
    margin: float = 16.0
    _tops: list[float] = field(default_factory=list, init=False, repr=False)
    _width: float = field(default=0.0, init=False, repr=False)
    _height: float = field(default=0.0, init=False, repr=False)

    def __post_init__(self) -> None:
        self.set_zoom(self.zoom)

    @property
    def scale(self) -> float:
        """Logical pixels per point."""
        return self.zoom * PX_PER_PT

    def set_zoom(self, zoom: float) -> None:
        self.zoom = clamp_zoom(zoom)
        scale = self.scale
        tops = []
        y = self.margin
        widest = 0.0
        for w, h in self.sizes:
            tops.append(y)
            y += h * scale + self.gap
            widest = max(widest, w * scale)
        self._tops = tops
        self._width = widest + 2 * self.margin
        self._height = y - self.gap + self.margin if self.sizes else 2 * self.margin

    @property
    def content_width(self) -> float:
        return self._width

    @property
    def content_height(self) -> float:
        return self._height

    def page_box(self, page: int) -> Box:
        w, h = self.sizes[page]
        scale = self.scale
        pw = w * scale
        return Box((self._width - pw) / 2, self._tops[page], pw, h * scale)

    def page_top(self, page: int) -> float:
        return self._tops[page]

    def visible_pages(self, y0: float, y1: float) -> range:
        """Pages intersecting the band [y0, y1] of content pixels.

        Never empty for a non-empty document: a band in a gap or past the end
        gives the nearest page below it (or the last page), which is what a
        renderer wants to prefetch.
        """
        if not self.sizes:
            return range(0)
        first = max(0, bisect.bisect_right(self._tops, y0) - 1)
        if self.page_box(first).bottom < y0 and first + 1 < len(self.sizes):
            first += 1
        last = max(first, bisect.bisect_right(self._tops, y1) - 1)
        return range(first, min(last, len(self.sizes) - 1) + 1)

    def page_at_y(self, y: float) -> int:
        """The page at content height ``y`` (the page above when ``y`` is in a gap)."""
        if not self.sizes:
            return 0
        return min(max(0, bisect.bisect_right(self._tops, y) - 1), len(self.sizes) - 1)

    def to_points(self, page: int, px: float, py: float) -> tuple[float, float]:
        box = self.page_box(page)
        return (px - box.x) / self.scale, (py - box.y) / self.scale

    def to_pixels(self, page: int, x: float, y: float) -> tuple[float, float]:
        box = self.page_box(page)
        return box.x + x * self.scale, box.y + y * self.scale

    def hit(self, px: float, py: float) -> int | None:
        """The page under a content-pixel position, or None in a gap or margin."""
        page = self.page_at_y(py)
        return page if self.sizes and self.page_box(page).contains(px, py) else None

    def fit_width_zoom(self, viewport_width: float) -> float:
        widest = max((w for w, _ in self.sizes), default=612.0)
        return clamp_zoom((viewport_width - 2 * self.margin) / (widest * PX_PER_PT))

    def fit_page_zoom(self, viewport_width: float, viewport_height: float, page: int) -> float:
        w, h = self.sizes[page] if self.sizes else (612.0, 792.0)
        zw = (viewport_width - 2 * self.margin) / (w * PX_PER_PT)
        zh = (viewport_height - 2 * self.gap) / (h * PX_PER_PT)
        return clamp_zoom(min(zw, zh))


def clamp_zoom(zoom: float) -> float:
    return min(MAX_ZOOM, max(MIN_ZOOM, zoom))


def zoom_in(zoom: float) -> float:
    """The next preset step above ``zoom`` (what Ctrl++ does)."""
    for step in ZOOM_STEPS:
        if step > zoom + 1e-6:
            return step
    return MAX_ZOOM


def zoom_out(zoom: float) -> float:
    for step in reversed(ZOOM_STEPS):
        if step < zoom - 1e-6:
            return step
    return MIN_ZOOM
