"""Word-snapped text selection across lines and pages, without Qt.

A drag from one point to another selects whole words in MuPDF's reading
order (block, line, word), the way lawyers expect from a PDF reader: never
half a word, and never a rectangle that cuts through two columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reviewer.core.model import Word


@dataclass(frozen=True)
class Anchor:
    """A point on a page, in display-space points."""

    page: int
    x: float
    y: float


@dataclass(frozen=True)
class PageSpan:
    """Words ``start`` to ``end`` (inclusive) of one page."""

    page: int
    start: int
    end: int


def nearest_word(words: Sequence[Word], x: float, y: float) -> int | None:
    """The word under (x, y), else the closest one on the same line, else the closest."""
    if not words:
        return None
    best, best_d = 0, float("inf")
    for i, w in enumerate(words):
        if w.x0 <= x <= w.x1 and w.y0 <= y <= w.y1:
            return i
        dx = 0.0 if w.x0 <= x <= w.x1 else min(abs(x - w.x0), abs(x - w.x1))
        dy = 0.0 if w.y0 <= y <= w.y1 else min(abs(y - w.y0), abs(y - w.y1))
        # Being on the same line matters more than being close horizontally.
        d = dx + dy * 8.0
        if d < best_d:
            best, best_d = i, d
    return best


def select(words_by_page: Mapping[int, Sequence[Word]], a: Anchor, b: Anchor) -> list[PageSpan]:
    """The words between two anchors, in reading order, possibly over several pages.

    Pages missing from ``words_by_page`` (not loaded yet, or without text)
    contribute nothing.
    """
    start, end = (a, b) if (a.page, a.y, a.x) <= (b.page, b.y, b.x) else (b, a)
    spans: list[PageSpan] = []
    for page in range(start.page, end.page + 1):
        words = words_by_page.get(page) or []
        if not words:
            continue
        i0 = 0 if page != start.page else nearest_word(words, start.x, start.y)
        i1 = len(words) - 1 if page != end.page else nearest_word(words, end.x, end.y)
        if i0 is None or i1 is None:  # cannot happen: words is not empty
            continue
        if page == start.page == end.page and i0 > i1:
            i0, i1 = i1, i0
        spans.append(PageSpan(page, i0, i1))
    return spans


def selected_text(words_by_page: Mapping[int, Sequence[Word]], spans: Sequence[PageSpan]) -> str:
    """Join selected words: spaces within a line, newlines between lines and pages."""
    parts: list[str] = []
    prev: tuple[int, int, int] | None = None
    for span in spans:
        words = words_by_page.get(span.page) or []
        for w in words[span.start : span.end + 1]:
            key = (span.page, w.block, w.line)
            if prev is not None:
                parts.append(" " if key == prev else "\n")
            parts.append(w.text)
            prev = key
    return "".join(parts)
