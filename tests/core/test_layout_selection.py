"""Page geometry of the continuous view, and word-snapped selection (both Qt-free).

Most layouts here use zoom 0.75, where one PDF point is exactly one logical
pixel (96 dpi / 72 pt), so expected positions can be written down exactly.
"""

from __future__ import annotations

import pytest

from reviewer.core.layout import (
    MAX_ZOOM,
    MIN_ZOOM,
    PX_PER_PT,
    ZOOM_STEPS,
    Box,
    PageLayout,
    clamp_zoom,
    zoom_in,
    zoom_out,
)
from reviewer.core.model import Word
from reviewer.core.selection import Anchor, PageSpan, nearest_word, select, selected_text

ONE_TO_ONE = 0.75  # zoom at which 1 pt == 1 px


@pytest.fixture
def mixed() -> PageLayout:
    """Three pages: wide, narrow, wide; gap 12, margin 16, 1 px per point."""
    return PageLayout([(600.0, 800.0), (300.0, 400.0), (600.0, 800.0)], zoom=ONE_TO_ONE)


# -- PageLayout ----------------------------------------------------------------------------


def test_scale_is_96_dpi_at_zoom_one() -> None:
    """Zoom 1.0 shows a page at 96 logical pixels per inch."""
    layout = PageLayout([(612.0, 792.0)])
    assert pytest.approx(4 / 3) == PX_PER_PT
    assert layout.scale == pytest.approx(4 / 3)
    assert layout.page_box(0) == Box(16.0, 16.0, 816.0, 1056.0)
    assert PageLayout([(612.0, 792.0)], zoom=ONE_TO_ONE).scale == pytest.approx(1.0)


def test_pages_are_stacked_and_centred(mixed: PageLayout) -> None:
    """Boxes are stacked with gap and margin; a narrower page is centred horizontally."""
    assert mixed.page_box(0) == Box(16.0, 16.0, 600.0, 800.0)
    assert mixed.page_box(1) == Box(166.0, 828.0, 300.0, 400.0)
    assert mixed.page_box(2) == Box(16.0, 1240.0, 600.0, 800.0)
    assert [mixed.page_top(i) for i in range(3)] == [16.0, 828.0, 1240.0]
    assert mixed.content_width == 632.0
    assert mixed.content_height == 2056.0
    for page in range(3):
        box = mixed.page_box(page)
        assert box.x + box.w / 2 == mixed.content_width / 2
    assert mixed.page_box(0).bottom + mixed.gap == mixed.page_top(1)


def test_layout_follows_zoom(mixed: PageLayout) -> None:
    """set_zoom rescales every box; zoom is clamped to [MIN_ZOOM, MAX_ZOOM]."""
    mixed.set_zoom(1.5)  # 2 px per point
    assert mixed.page_box(0) == Box(16.0, 16.0, 1200.0, 1600.0)
    assert mixed.page_box(1) == Box(316.0, 1628.0, 600.0, 800.0)
    assert mixed.content_height == 16 + 1600 + 12 + 800 + 12 + 1600 + 16
    mixed.set_zoom(50)
    assert mixed.zoom == MAX_ZOOM
    mixed.set_zoom(0.001)
    assert mixed.zoom == MIN_ZOOM
    assert PageLayout([(100.0, 100.0)], zoom=20).zoom == MAX_ZOOM


def test_visible_pages_bands(mixed: PageLayout) -> None:
    """Exact page ranges for bands at the top, across a gap, inside a gap and at the end."""
    assert mixed.visible_pages(0, 100) == range(0, 1)
    assert mixed.visible_pages(16, 816) == range(0, 1)
    assert mixed.visible_pages(800, 830) == range(0, 2)  # across the gap
    assert mixed.visible_pages(816, 828) == range(0, 2)  # touching both edges
    assert mixed.visible_pages(0, 2056) == range(0, 3)
    assert mixed.visible_pages(900, 1300) == range(1, 3)
    assert mixed.visible_pages(1500, 2056) == range(2, 3)
    # A band touching no page yields the page after it (the last page past the end),
    # never an empty range.
    assert mixed.visible_pages(818, 826) == range(1, 2)
    assert mixed.visible_pages(0, 10) == range(0, 1)
    assert mixed.visible_pages(2045, 2056) == range(2, 3)
    assert mixed.visible_pages(5000, 6000) == range(2, 3)
    assert mixed.visible_pages(-100, -50) == range(0, 1)


def test_visible_pages_thousand_pages() -> None:
    """1,000 letter pages: exact ranges at the start, in the middle, on edges and at the end."""
    layout = PageLayout([(612.0, 792.0)] * 1000, zoom=ONE_TO_ONE)
    pitch = 792 + 12
    assert layout.page_top(999) == 16 + 999 * pitch
    assert layout.content_height == 16 + 1000 * pitch - 12 + 16
    assert layout.visible_pages(0, 900) == range(0, 2)
    assert layout.visible_pages(100_000, 100_900) == range(124, 126)
    bottom_124 = 16 + 124 * pitch + 792
    assert layout.visible_pages(bottom_124, bottom_124 + 5) == range(124, 125)
    assert layout.visible_pages(bottom_124 + 1, bottom_124 + 5) == range(125, 126)
    assert layout.visible_pages(bottom_124 - 1, bottom_124 + 12) == range(124, 126)
    assert layout.visible_pages(layout.page_top(999), layout.content_height) == range(999, 1000)
    assert layout.visible_pages(layout.page_top(997) + 1, layout.content_height) == range(997, 1000)
    whole = layout.visible_pages(0, layout.content_height)
    assert (whole.start, whole.stop) == (0, 1000)


def test_empty_layout() -> None:
    """No pages: empty visible range, page 0, no hit, just the margins as content."""
    layout = PageLayout([])
    assert layout.visible_pages(0, 1000) == range(0)
    assert layout.page_at_y(500) == 0
    assert layout.hit(10, 10) is None
    assert layout.content_height == 32.0
    assert layout.content_width == 32.0


def test_page_at_y(mixed: PageLayout) -> None:
    """page_at_y gives the page at a height; in a gap or margin, the page above (or the first)."""
    assert mixed.page_at_y(0) == 0
    assert mixed.page_at_y(16) == 0
    assert mixed.page_at_y(816) == 0
    assert mixed.page_at_y(820) == 0  # in the gap: the page above
    assert mixed.page_at_y(828) == 1
    assert mixed.page_at_y(1239) == 1
    assert mixed.page_at_y(1240) == 2
    assert mixed.page_at_y(10_000) == 2
    assert mixed.page_at_y(-5) == 0


def test_hit(mixed: PageLayout) -> None:
    """hit() finds the page under a point and None in gaps, margins and beside narrow pages."""
    assert mixed.hit(16, 16) == 0
    assert mixed.hit(300, 400) == 0
    assert mixed.hit(616, 816) == 0
    assert mixed.hit(300, 1000) == 1
    assert mixed.hit(300, 2000) == 2
    assert mixed.hit(300, 5) is None  # top margin
    assert mixed.hit(5, 400) is None  # left margin
    assert mixed.hit(620, 400) is None  # right margin
    assert mixed.hit(300, 822) is None  # gap between pages 0 and 1
    assert mixed.hit(100, 1000) is None  # beside the narrow page 1
    assert mixed.hit(500, 1000) is None
    assert mixed.hit(300, 2050) is None  # bottom margin


@pytest.mark.parametrize("zoom", [0.33, ONE_TO_ONE, 1.0, 1.37, 4.0])
def test_points_pixels_round_trip(mixed: PageLayout, zoom: float) -> None:
    """to_points and to_pixels are inverse; a page's origin maps to its box corner."""
    mixed.set_zoom(zoom)
    for page in range(3):
        box = mixed.page_box(page)
        assert mixed.to_pixels(page, 0, 0) == (box.x, box.y)
        assert mixed.to_points(page, box.x, box.y) == (0.0, 0.0)
        for x, y in ((0.0, 0.0), (72.5, 144.25), (299.0, 399.0)):
            px, py = mixed.to_pixels(page, x, y)
            assert mixed.hit(px, py) == page
            back = mixed.to_points(page, px, py)
            assert back == pytest.approx((x, y), abs=1e-9)


def test_fit_width_zoom(mixed: PageLayout) -> None:
    """Fit width makes the widest page fill the viewport width minus the two margins."""
    zoom = mixed.fit_width_zoom(1000)
    assert zoom == pytest.approx(968 / (600 * PX_PER_PT))
    mixed.set_zoom(zoom)
    assert mixed.page_box(0).w == pytest.approx(1000 - 2 * mixed.margin)
    assert mixed.content_width == pytest.approx(1000)
    assert mixed.fit_width_zoom(10) == MIN_ZOOM
    assert mixed.fit_width_zoom(1_000_000) == MAX_ZOOM
    assert PageLayout([]).fit_width_zoom(848) == pytest.approx(1.0)  # letter width by default


def test_fit_page_zoom(mixed: PageLayout) -> None:
    """Fit page shows one whole page: limited by height or by width, whichever is tighter."""
    tall = mixed.fit_page_zoom(1000, 700, 0)
    mixed.set_zoom(tall)
    assert mixed.page_box(0).h == pytest.approx(700 - 2 * mixed.gap)
    assert mixed.page_box(0).w < 1000 - 2 * mixed.margin
    wide = mixed.fit_page_zoom(500, 5000, 0)
    mixed.set_zoom(wide)
    assert mixed.page_box(0).w == pytest.approx(500 - 2 * mixed.margin)
    narrow = mixed.fit_page_zoom(1000, 700, 1)  # the half-size page can be shown twice as big
    assert narrow == pytest.approx(2 * tall)
    assert mixed.fit_page_zoom(1, 1, 0) == MIN_ZOOM


def test_zoom_steps() -> None:
    """zoom_in/zoom_out walk the presets, snap from in-between values, and clamp at the ends."""
    up = [MIN_ZOOM]
    while up[-1] < MAX_ZOOM:
        up.append(zoom_in(up[-1]))
    assert tuple(up) == ZOOM_STEPS
    down = [MAX_ZOOM]
    while down[-1] > MIN_ZOOM:
        down.append(zoom_out(down[-1]))
    assert tuple(reversed(down)) == ZOOM_STEPS
    assert zoom_in(1.0) == 1.1
    assert zoom_in(1.05) == 1.1
    assert zoom_out(1.05) == 1.0
    assert zoom_in(MAX_ZOOM) == MAX_ZOOM
    assert zoom_in(7.9) == MAX_ZOOM
    assert zoom_out(MIN_ZOOM) == MIN_ZOOM
    assert zoom_out(0.12) == MIN_ZOOM
    assert zoom_in(0.0) == MIN_ZOOM
    assert clamp_zoom(100) == MAX_ZOOM
    assert clamp_zoom(-1) == MIN_ZOOM
    assert clamp_zoom(1.23) == 1.23


# -- selection -------------------------------------------------------------------------------


def _w(
    x0: float, y0: float, x1: float, y1: float, text: str, block: int = 0, line: int = 0
) -> Word:
    return Word(x0, y0, x1, y1, text, block, line)


PAGE0 = [
    _w(10, 10, 30, 20, "The"),
    _w(35, 10, 60, 20, "quick"),
    _w(65, 10, 95, 20, "brown"),
    _w(10, 30, 25, 40, "fox", line=1),
    _w(30, 30, 60, 40, "jumps", line=1),
    _w(65, 30, 90, 40, "over", line=1),
]
PAGE1 = [_w(10, 10, 30, 20, "lazy"), _w(35, 10, 50, 20, "dog")]
PAGE3 = [_w(10, 10, 30, 20, "End", block=2), _w(35, 10, 60, 20, "here", block=2)]
WORDS: dict[int, list[Word]] = {0: PAGE0, 1: PAGE1, 3: PAGE3}  # page 2 not loaded


def _sel(a: Anchor, b: Anchor, words: dict[int, list[Word]] = WORDS) -> tuple[list[PageSpan], str]:
    spans = select(words, a, b)
    return spans, selected_text(words, spans)


def test_drag_within_a_line() -> None:
    """A drag over part of a line selects whole words."""
    assert _sel(Anchor(0, 40, 15), Anchor(0, 70, 15)) == ([PageSpan(0, 1, 2)], "quick brown")
    assert _sel(Anchor(0, 12, 12), Anchor(0, 12, 12)) == ([PageSpan(0, 0, 0)], "The")


def test_backwards_drag_gives_the_same_selection() -> None:
    """Dragging right-to-left, or up a line, selects the same words in reading order."""
    forward = _sel(Anchor(0, 40, 15), Anchor(0, 70, 15))
    assert _sel(Anchor(0, 70, 15), Anchor(0, 40, 15)) == forward
    # The end point a little higher than the start, on the same line.
    assert _sel(Anchor(0, 40, 16), Anchor(0, 70, 14)) == forward
    up = _sel(Anchor(0, 40, 35), Anchor(0, 15, 15))
    assert up == ([PageSpan(0, 0, 4)], "The quick brown\nfox jumps")


def test_drag_across_lines_inserts_newline() -> None:
    """Across lines, words are joined by spaces within a line and a newline between lines."""
    assert _sel(Anchor(0, 40, 15), Anchor(0, 15, 35)) == ([PageSpan(0, 1, 3)], "quick brown\nfox")


def test_drag_across_pages() -> None:
    """Middle pages are wholly included; pages without words (or not loaded) are skipped."""
    spans, text = _sel(Anchor(0, 70, 35), Anchor(3, 15, 15))
    assert spans == [PageSpan(0, 5, 5), PageSpan(1, 0, 1), PageSpan(3, 0, 0)]
    assert text == "over\nlazy dog\nEnd"
    assert _sel(Anchor(3, 15, 15), Anchor(0, 70, 35)) == (spans, text)
    everything = _sel(Anchor(0, 0, 0), Anchor(3, 500, 500))[1]
    assert everything == "The quick brown\nfox jumps over\nlazy dog\nEnd here"


def test_snapping_to_nearest_word() -> None:
    """Points in margins or between words snap to the nearest word, preferring the same line."""
    assert nearest_word(PAGE0, 2, 35) == 3  # left margin of line 2 -> "fox"
    assert nearest_word(PAGE0, 200, 15) == 2  # right margin of line 1 -> "brown"
    assert nearest_word(PAGE0, 32, 15) == 0  # between "The" (2 away) and "quick" (3 away)
    assert nearest_word(PAGE0, 33.5, 15) == 1  # now closer to "quick"
    assert nearest_word(PAGE0, 12, 23) == 0  # between lines, nearer the first
    assert nearest_word(PAGE0, 70, 100) == 5  # below the text -> last line, under "over"
    # Being on the same line counts more than straight-line distance: at (120, 33)
    # "brown" is nearer (28.2 pt) than "over" (30 pt), but "over" is on this line.
    assert nearest_word(PAGE0, 120, 33) == 5
    assert nearest_word([], 1, 1) is None
    assert _sel(Anchor(0, 2, 35), Anchor(0, 200, 35)) == ([PageSpan(0, 3, 5)], "fox jumps over")


def test_empty_pages() -> None:
    """Empty or missing pages contribute nothing; a selection only on them is empty."""
    words: dict[int, list[Word]] = {0: [], 1: PAGE1}
    assert _sel(Anchor(0, 5, 5), Anchor(1, 40, 15), words) == ([PageSpan(1, 0, 1)], "lazy dog")
    assert _sel(Anchor(0, 5, 5), Anchor(0, 50, 50), words) == ([], "")
    assert _sel(Anchor(2, 5, 5), Anchor(2, 50, 50)) == ([], "")
    assert selected_text(WORDS, []) == ""
