"""Turning a selection on screen into a stored anchor, and back.

A text anchor keeps three things, as the W3C Web Annotation model advises:
character offsets in the page text (fast, exact), the quoted text with some
context before and after (survives re-extraction by another tool), and the
quads in PDF points (what redaction and other PDF tools need). An area anchor
is a rectangle in PDF points on one page.

Display space is the page as shown (after ``/Rotate``); PDF space is the
unrotated page, which is where PyMuPDF's redaction and annotation calls work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reviewer.core.model import Box, PageText, Quad, Selector, TextSegment, Word
from reviewer.core.selection import PageSpan

CONTEXT = 32  # characters of prefix and suffix kept with a quote


def to_pdf_space(box: Box, rotation: int, width: float, height: float) -> Box:
    """Map a display-space box of a page shown ``width`` × ``height`` to PDF space."""
    x0, y0, x1, y1 = box
    rotation %= 360
    if rotation == 90:  # shown = (H - y, x), H = unrotated height = shown width
        pts = [(y, width - x) for x, y in ((x0, y0), (x1, y1))]
    elif rotation == 180:
        pts = [(width - x, height - y) for x, y in ((x0, y0), (x1, y1))]
    elif rotation == 270:  # shown = (y, W - x), W = unrotated width = shown height
        pts = [(height - y, x) for x, y in ((x0, y0), (x1, y1))]
    else:
        return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return (min(xs), min(ys), max(xs), max(ys))


def to_display_space(box: Box, rotation: int, width: float, height: float) -> Box:
    """Inverse of :func:`to_pdf_space` (``width``/``height`` as shown)."""
    x0, y0, x1, y1 = box
    rotation %= 360
    if rotation == 90:
        pts = [(width - y, x) for x, y in ((x0, y0), (x1, y1))]
    elif rotation == 180:
        pts = [(width - x, height - y) for x, y in ((x0, y0), (x1, y1))]
    elif rotation == 270:
        pts = [(y, height - x) for x, y in ((x0, y0), (x1, y1))]
    else:
        return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return (min(xs), min(ys), max(xs), max(ys))


def box_to_quad(box: Box) -> Quad:
    x0, y0, x1, y1 = box
    return (x0, y0, x1, y0, x0, y1, x1, y1)


def quad_to_box(quad: Quad) -> Box:
    xs, ys = quad[0::2], quad[1::2]
    return (min(xs), min(ys), max(xs), max(ys))


def line_boxes(words: Sequence[Word]) -> list[Box]:
    """One box per line covering the given words (display space)."""
    boxes: list[Box] = []
    key: tuple[int, int] | None = None
    for w in words:
        if (w.block, w.line) != key or not boxes:
            boxes.append((w.x0, w.y0, w.x1, w.y1))
            key = (w.block, w.line)
        else:
            x0, y0, x1, y1 = boxes[-1]
            boxes[-1] = (min(x0, w.x0), min(y0, w.y0), max(x1, w.x1), max(y1, w.y1))
    return boxes


def text_selector(layers: Mapping[int, PageText], spans: Sequence[PageSpan]) -> Selector | None:
    """The anchor for a word selection (see :func:`reviewer.core.selection.select`)."""
    segments: list[TextSegment] = []
    quotes: list[str] = []
    prefix = suffix = ""
    for span in spans:
        layer = layers.get(span.page)
        if layer is None:
            continue
        words = [w for w in layer.words[span.start : span.end + 1] if w.start >= 0]
        if not words:
            continue
        start, end = words[0].start, words[-1].end
        quads = tuple(
            box_to_quad(to_pdf_space(b, layer.rotation, layer.width, layer.height))
            for b in line_boxes(words)
        )
        if not segments:
            prefix = layer.text[max(0, start - CONTEXT) : start]
        suffix = layer.text[end : end + CONTEXT]
        segments.append(TextSegment(span.page, start, end, quads))
        quotes.append(layer.text[start:end])
    if not segments:
        return None
    return Selector(
        kind="text",
        page=segments[0].page,
        segments=tuple(segments),
        exact="\n".join(quotes),
        prefix=prefix,
        suffix=suffix,
    )


def quads_for(layer: PageText, start: int, end: int) -> tuple[Quad, ...]:
    """One quad per line (PDF points) for the words overlapping ``[start, end)``."""
    words = [w for w in layer.words if w.start >= 0 and w.start < end and w.end > start]
    return tuple(
        box_to_quad(to_pdf_space(b, layer.rotation, layer.width, layer.height))
        for b in line_boxes(words)
    )


def offset_selector(layer: PageText, start: int, end: int) -> Selector:
    """The anchor for characters ``[start, end)`` of a page's text (a detector's find)."""
    return Selector(
        kind="text",
        page=layer.page,
        segments=(TextSegment(layer.page, start, end, quads_for(layer, start, end)),),
        exact=layer.text[start:end],
        prefix=layer.text[max(0, start - CONTEXT) : start],
        suffix=layer.text[end : end + CONTEXT],
    )


def area_selector(
    page: int, display_box: Box, layer_rotation: int, width: float, height: float
) -> Selector:
    """The anchor for a rectangle drawn on a page (display-space box in points)."""
    return Selector(
        kind="area",
        page=page,
        rect=to_pdf_space(display_box, layer_rotation, width, height),
    )


def display_boxes(
    selector: Selector, page: int, rotation: int, width: float, height: float
) -> list[Box]:
    """Boxes to draw for ``selector`` on ``page``, in display space."""
    if selector.kind == "area":
        if selector.page != page or selector.rect is None:
            return []
        return [to_display_space(selector.rect, rotation, width, height)]
    return [
        to_display_space(quad_to_box(q), rotation, width, height)
        for seg in selector.segments
        if seg.page == page
        for q in seg.quads
    ]


def sort_key(selector: Selector) -> tuple[int, float, float]:
    """Reading position of an annotation: page, then top, then left (PDF space)."""
    if selector.kind == "area" and selector.rect is not None:
        return (selector.page, selector.rect[1], selector.rect[0])
    for seg in selector.segments:
        if seg.quads:
            x0, y0, _, _ = quad_to_box(seg.quads[0])
            return (seg.page, y0, x0)
    return (selector.page, 0.0, 0.0)
