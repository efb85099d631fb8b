"""Spot bad redactions in incoming documents: text that a box only hides from the eye.

A black box drawn over a name, a black highlight, a /Redact annotation that
was never applied: the page *looks* redacted, yet the text is still in the
file and anyone can copy it out. Free Law Project's x-ray finds the first
kind by comparing the content stream's filled rectangles with the text
under them. This module does that and also catches what x-ray misses:
annotations painted over text (including white "whiteout" boxes with new
text typed on top), unapplied /Redact annotations and dark images.

Drawing order decides what is hidden. Text drawn *after* a box sits on top
of it and can be read; text drawn *before* it is covered. MuPDF numbers a
page's drawing operations in one sequence (the ``seqno`` of
``get_texttrace()`` spans and ``get_drawings()`` paths, the index in
``get_bboxlog()`` for images), so that one number orders text, paths and
images alike. Annotations take part: MuPDF paints their appearances after
the page content, in that same sequence, so a typed correction on top of a
white box reads as visible and the original under the box as hidden.

Rectangles are PDF points in MuPDF's *unrotated* page space, the space
``add_redact_annot`` takes, so a suspect can go straight to the redaction
pipeline. Geometry uses plain tuples: a page can hold thousands of glyphs
and ``pymupdf.Rect`` arithmetic is slow.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pymupdf

from reviewer.core.documents import open_document
from reviewer.core.errors import DocumentError

Rect = tuple[float, float, float, float]
Point = tuple[float, float]
RGB = tuple[float, float, float]

KINDS = ("text_under_box", "black_highlight", "unapplied_redaction", "image_over_text")

DARK = 0.25  # luminance at or below which a fill reads as a black-out
WHITE = 0.95  # luminance from which an annotation's fill is a white-out on paper
OPAQUE = 0.9  # opacity from which nothing shows through
MIN_SIDE = 4.0  # thinner shapes are rules, underlines and table lines, not boxes
COVERED = 0.5  # share of a glyph's box that must lie under the cover
DARK_PIXELS = 0.8  # share of a glyph's rendered area an image must black out
SAME_LINE = 0.8  # common height / joint height for two boxes to be on one line
TOUCHING = 2.0  # points between two boxes on one line that still make one bar
RECTANGULAR = 0.85  # polygon area / bounding box area for a path to count as a box
MIN_LETTERS = 2  # one stray letter or digit under a box reveals nothing
# Annotations a person draws to cover something; their white fills are white-outs.
SHAPES = (
    pymupdf.PDF_ANNOT_SQUARE,
    pymupdf.PDF_ANNOT_CIRCLE,
    pymupdf.PDF_ANNOT_POLYGON,
    pymupdf.PDF_ANNOT_FREE_TEXT,
)
# Annotations judged by their own properties rather than by what they paint.
BY_PROPERTIES = (pymupdf.PDF_ANNOT_REDACT, pymupdf.PDF_ANNOT_HIGHLIGHT, pymupdf.PDF_ANNOT_INK)


@dataclass(frozen=True)
class SuspectRedaction:
    """One place where text is hidden from the eye but still in the file."""

    page: int  # 0-based
    rect: Rect  # PDF points, unrotated page space: the covering shape
    kind: str  # one of KINDS
    preview: str  # masked: never the whole hidden text

    def as_json(self) -> dict[str, Any]:
        """Plain JSON for the CLI and reports: 1-based page, rect rounded to 0.01 pt."""
        return {
            "page": self.page + 1,
            "rect": [round(v, 2) for v in self.rect],
            "kind": self.kind,
            "preview": self.preview,
        }


def check_file(path: Path, password: str | None = None) -> list[SuspectRedaction]:
    """Open ``path`` (raising :class:`DocumentError` on bad input) and inspect every page."""
    doc = open_document(path, password)
    try:
        return find_bad_redactions(doc)
    finally:
        doc.close()


def find_bad_redactions(doc: pymupdf.Document) -> list[SuspectRedaction]:
    """Every bad redaction in ``doc``, by page, top to bottom; ``doc`` is not changed.

    A page MuPDF cannot interpret raises :class:`DocumentError` naming it:
    skipping it would report a document as clean that was never checked.
    """
    found: list[SuspectRedaction] = []
    for page in doc:
        try:
            found.extend(_inspect_page(page, annotations=bool(doc.is_pdf)))
        except (RuntimeError, ValueError, pymupdf.mupdf.FzErrorBase) as exc:
            problem = f"page {page.number + 1} could not be inspected ({exc})"
            raise DocumentError(doc.name or "document", problem) from exc
    return found


@dataclass(frozen=True, eq=False)
class _Char:
    """One glyph of the page's text."""

    c: str
    rect: Rect
    seqno: int  # when it is drawn
    order: int  # its place in the text, for reading the hidden string back
    color: RGB
    painted: bool  # not invisible (render mode 3) nor transparent: seen if on top


@dataclass(eq=False)
class _Cover:
    """Something painted over the page that hides what lies under it."""

    kind: str
    seqno: int
    rect: Rect  # reported: the covering shape
    color: RGB = (0.0, 0.0, 0.0)
    polygon: tuple[Point, ...] = ()  # a filled polygon, instead of all of ``rect``
    strokes: tuple[tuple[Point, ...], ...] = ()  # thick pen strokes (ink), instead
    width: float = 0.0  # pen width of ``strokes``
    chars: list[_Char] = field(default_factory=list)

    def coverage(self, r: Rect) -> float:
        """Share of ``r`` this cover paints over."""
        area = _area(r)
        if area <= 0 or _area(_intersect(r, self.rect)) <= 0:
            return 0.0
        if not self.polygon and not self.strokes:
            return _area(_intersect(r, self.rect)) / area
        points = _grid(r)
        if self.polygon:
            inside = sum(_in_polygon(p, self.polygon) for p in points)
        else:
            reach = self.width / 2
            inside = sum(any(_near(p, s, reach) for s in self.strokes) for p in points)
        return inside / len(points)


def _inspect_page(page: pymupdf.Page, *, annotations: bool) -> list[SuspectRedaction]:
    chars = _chars(page)
    if all(ch.c.isspace() for ch in chars):
        return []
    log = page.get_bboxlog()
    order = _Order.of(page, len(log)) if annotations else _Order(len(log), len(log), [])
    covers = _box_covers(page, order)
    if annotations:
        covers += _annotation_covers(page, order)
    hidden = _assign(chars, covers)
    covers += _image_covers(page, log[: order.painted_end], [c for c in chars if c not in hidden])
    return _suspects(page.number, covers)


@dataclass(frozen=True)
class _Order:
    """Where the page content and each annotation fall in the page's drawing sequence.

    MuPDF runs the content stream, then each annotation's appearance in
    turn, then form fields, numbering every operation. Counting what each
    part paints (with a device that only counts) tells which part any
    ``seqno`` belongs to, so a box can be told apart from an annotation's.
    """

    content_end: int  # seqnos below this are the page's own content
    painted_end: int  # from here on: form fields, which are not looked at
    annotations: list[tuple[int, int, int, int]]  # (first seqno, end, xref, annot type)

    @classmethod
    def of(cls, page: pymupdf.Page, total: int) -> _Order:
        mu = pymupdf.mupdf
        fz_page = page.this if isinstance(page.this, mu.FzPage) else mu.FzPage(page.this)
        counter = _Counter()
        mu.fz_run_page_contents(fz_page, counter, mu.FzMatrix(), mu.FzCookie())
        content_end = start = counter.count
        annotations = []
        annot = mu.pdf_first_annot(mu.pdf_page_from_fz_page(fz_page))
        while annot.m_internal:
            counter = _Counter()
            mu.pdf_run_annot(annot, counter, mu.FzMatrix(), mu.FzCookie())
            xref = mu.pdf_to_num(mu.pdf_annot_obj(annot))
            annotations.append((start, start + counter.count, xref, mu.pdf_annot_type(annot)))
            start += counter.count
            annot = mu.pdf_next_annot(annot)
        return cls(content_end, min(start, total), annotations)

    def annotation(self, seqno: int) -> tuple[int, int, int] | None:
        """(first seqno, xref, type) of the annotation painting ``seqno``, if any."""
        for first, end, xref, kind in self.annotations:
            if first <= seqno < end:
                return first, xref, kind
        return None


class _Counter(pymupdf.mupdf.FzDevice2):
    """A MuPDF device that counts the operations ``get_bboxlog`` would list."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        for name in _COUNTED:
            getattr(self, f"use_virtual_{name}")()

    def _tick(self, *_args: object) -> None:
        self.count += 1

    fill_path = stroke_path = fill_text = stroke_text = ignore_text = _tick
    fill_shade = fill_image = fill_image_mask = _tick


_COUNTED = (
    "fill_path",
    "stroke_path",
    "fill_text",
    "stroke_text",
    "ignore_text",
    "fill_shade",
    "fill_image",
    "fill_image_mask",
)


def _chars(page: pymupdf.Page) -> list[_Char]:
    chars: list[_Char] = []
    for span in page.get_texttrace():
        color = _rgb(span.get("color") or (0.0,))
        painted = span.get("type") in (0, 1, 2) and _opacity(span.get("opacity")) > 0.1
        for ucs, _gid, _origin, bbox in span["chars"]:
            rect = _normal(bbox)
            if _area(rect) <= 0:
                continue
            c = chr(ucs) if 0 <= ucs < 0x110000 else "\ufffd"
            chars.append(_Char(c, rect, span["seqno"], len(chars), color, painted))
    return chars


# -- filled shapes: boxes in the content, fills of annotations ---------------------


def _box_covers(page: pymupdf.Page, order: _Order) -> list[_Cover]:
    """Opaque boxes painted over the page, less cross-hatched ones.

    In the page content only dark fills count: white and light boxes over
    text are everyday layout in generated PDFs (form fields, table cells).
    An annotation a person drew to cover something (a square, a text box) is
    a white-out as much as a black-out, and any annotation painting black
    (a stamp, say) is a black-out. A highlight, /Redact or ink annotation is
    judged by its properties instead (see :func:`_annotation_covers`).
    """
    context: list[tuple[int, Rect, float]] = []  # (level, clip, opacity) in force
    boxes: list[_Cover] = []
    strokes: list[dict[str, Any]] = []
    for d in page.get_drawings(extended=True):
        level = d.get("level", 0)
        context = [c for c in context if c[0] < level]
        if d["type"] in ("clip", "group"):
            area = d["scissor"] if d["type"] == "clip" else d["rect"]
            alpha = _opacity(d.get("opacity")) if d["type"] == "group" else 1.0
            context.append((level, _normal(area), alpha))
            continue
        seqno = d["seqno"]
        if seqno >= order.painted_end:
            continue
        if "s" in d["type"] and d.get("color") is not None:
            strokes.append(d)
        fill = d.get("fill")
        if fill is None or "f" not in d["type"]:
            continue
        color = _rgb(fill)
        opacity = _opacity(d.get("fill_opacity")) * math.prod(c[2] for c in context)
        dark = _luminance(color) <= DARK
        if opacity < OPAQUE:
            continue
        kind, annotation = "text_under_box", order.annotation(seqno)
        if annotation is not None:
            first, _xref, annot_type = annotation
            white = _luminance(color) >= WHITE and annot_type in SHAPES
            if annot_type in BY_PROPERTIES or not (dark or white):
                continue
            seqno, kind = first, "black_highlight" if dark else "text_under_box"
        elif not dark:
            continue
        for shape, outline in _filled_shapes(d):
            if outline and annotation is None:
                continue  # a logo or a glyph drawn as a path, not a box
            for _level, clip, _alpha in context:
                shape = _intersect(shape, clip)
            if shape[2] - shape[0] >= MIN_SIDE and shape[3] - shape[1] >= MIN_SIDE:
                boxes.append(_Cover(kind, seqno, shape, color, polygon=outline))
    return [b for b in boxes if not _cross_hatched(b, strokes)]


def _filled_shapes(drawing: dict[str, Any]) -> list[tuple[Rect, tuple[Point, ...]]]:
    """The shapes a filled path paints, one per closed sub-path.

    Each comes as its bounding box and, unless it is (nearly) that box, its
    outline. A path's overall ``rect`` would turn a two-line redaction into
    one box over the visible words around it, so each sub-path counts alone
    (as in x-ray); a shape holding another shape of the same path is a frame
    with a hole, whatever the winding rule makes of it, and counts not at all.
    """
    shapes: list[tuple[Rect, tuple[Point, ...]]] = []
    polygon: list[Point] = []

    def close() -> None:
        if len(polygon) >= 3:
            xs, ys = [p[0] for p in polygon], [p[1] for p in polygon]
            bbox = (min(xs), min(ys), max(xs), max(ys))
            if _area(bbox) > 0:
                boxy = _polygon_area(polygon) >= RECTANGULAR * _area(bbox)
                shapes.append((bbox, () if boxy else tuple(polygon)))
        polygon.clear()

    for item in drawing["items"]:
        if item[0] == "re":
            close()
            shapes.append((_normal(item[1]), ()))
        elif item[0] == "qu":
            close()
            quad = pymupdf.Quad(item[1])
            corners = (quad.ul, quad.ur, quad.lr, quad.ll)
            outline = () if quad.is_rectangular else tuple((p.x, p.y) for p in corners)
            shapes.append((_normal(quad.rect), outline))
        elif item[0] in ("l", "c"):
            start = (item[1].x, item[1].y)
            if polygon and math.dist(polygon[-1], start) > 0.01:
                close()
            if not polygon:
                polygon.append(start)
            polygon.extend(_flatten(item))
    close()
    return [
        (s, outline)
        for i, (s, outline) in enumerate(shapes)
        if not any(i != j and (_inside(o, s) or _inside(s, o)) for j, (o, _) in enumerate(shapes))
    ]


def _flatten(item: tuple[Any, ...]) -> list[Point]:
    """The points after the start of a line or Bézier item, curves in four steps."""
    if item[0] == "l":
        return [(item[2].x, item[2].y)]
    p0, p1, p2, p3 = item[1:5]
    points = []
    for t in (0.25, 0.5, 0.75, 1.0):
        u = 1 - t
        w = (u**3, 3 * u * u * t, 3 * u * t * t, t**3)
        points.append(
            (
                w[0] * p0.x + w[1] * p1.x + w[2] * p2.x + w[3] * p3.x,
                w[0] * p0.y + w[1] * p1.y + w[2] * p2.y + w[3] * p3.y,
            )
        )
    return points


def _cross_hatched(box: _Cover, strokes: Sequence[dict[str, Any]]) -> bool:
    """True when diagonal lines of another colour cross the box, drawn after it.

    x-ray 0.4 reports no cross-hatched box and the team's labelled data
    follows it, so these are left out on purpose.
    """
    for d in strokes:
        if d["seqno"] <= box.seqno or _area(_intersect(box.rect, _normal(d["rect"]))) <= 0:
            continue
        if abs(_luminance(_rgb(d["color"])) - _luminance(box.color)) < 0.1:
            continue
        diagonals = 0
        for item in d["items"]:
            if item[0] != "l":
                continue
            a, b = item[1], item[2]
            if abs(a.x - b.x) < 1 or abs(a.y - b.y) < 1:
                continue
            steps = [(a.x + (b.x - a.x) * t / 10, a.y + (b.y - a.y) * t / 10) for t in range(11)]
            diagonals += any(_strictly_in(p, box.rect) for p in steps)
        if diagonals >= 2:
            return True
    return False


# -- annotations judged by their properties -----------------------------------------


def _annotation_covers(page: pymupdf.Page, order: _Order) -> list[_Cover]:
    """Unapplied /Redact annotations, and dark highlights and ink over text.

    A /Redact annotation hides nothing until applied, whatever it looks
    like. A highlight multiplies with the page, so only a dark one blacks
    text out, and its painted fill says nothing about that; ink covers only
    its strokes, not the box around them.
    """
    first = {xref: start for start, _end, xref, _type in order.annotations}
    covers: list[_Cover] = []
    for annot in page.annots(types=BY_PROPERTIES):
        seqno = first.get(annot.xref, order.content_end)
        kind = annot.type[0]
        rect = _normal(annot.rect)
        if kind == pymupdf.PDF_ANNOT_REDACT:
            for part in _quad_rects(annot) or [rect]:
                covers.append(_Cover("unapplied_redaction", seqno, part))
            continue
        stroke = (annot.colors or {}).get("stroke")
        if not stroke or _opacity(annot.opacity) < OPAQUE:
            continue
        color = _rgb(stroke)
        if _luminance(color) > DARK:
            continue
        if kind == pymupdf.PDF_ANNOT_HIGHLIGHT:
            for part in _quad_rects(annot) or [rect]:
                covers.append(_Cover("black_highlight", seqno, part, color))
            continue
        width = float((annot.border or {}).get("width") or 1.0)
        if width >= MIN_SIDE and annot.vertices:
            lines = tuple(tuple((float(x), float(y)) for x, y in s) for s in annot.vertices)
            covers.append(_Cover("black_highlight", seqno, rect, color, strokes=lines, width=width))
    return covers


def _quad_rects(annot: pymupdf.Annot) -> list[Rect]:
    """The rectangles of a markup annotation's /QuadPoints."""
    vertices = annot.vertices or []
    return [_normal(pymupdf.Quad(vertices[i : i + 4]).rect) for i in range(0, len(vertices) - 3, 4)]


# -- images -------------------------------------------------------------------------


def _image_covers(
    page: pymupdf.Page, log: Sequence[tuple[str, Any]], chars: Sequence[_Char]
) -> list[_Cover]:
    """Images painted over earlier text that, as rendered, black it out.

    Darkness is read from the rendered page under each glyph rather than
    from the image's own pixels: that honours masks, decode arrays, colour
    spaces and clipping, and a scanned page (mostly white, drawn over its
    own OCR text) is rightly left alone. A stamp annotation's image counts
    like one in the content.
    """
    paper = _normal(page.rect * page.derotation_matrix)
    candidates: list[_Cover] = []
    for seqno, (what, bbox) in enumerate(log):
        if what not in ("fill-image", "fill-imgmask"):
            continue
        rect = _intersect(_normal(bbox), paper)
        if rect[2] - rect[0] < MIN_SIDE or rect[3] - rect[1] < MIN_SIDE:
            continue
        cover = _Cover("image_over_text", seqno, rect)
        cover.chars = [
            ch
            for ch in chars
            if ch.seqno < seqno and not ch.c.isspace() and _share(ch.rect, rect) > COVERED
        ]
        if cover.chars:
            candidates.append(cover)
    if not candidates:
        return []
    area = candidates[0].rect
    for cover in candidates:
        area = _union(area, cover.rect)
    scale = min(2.0, math.sqrt(4_000_000 / max(_area(area), 1.0)))
    shown = pymupdf.Rect(area) * page.rotation_matrix
    pix = page.get_pixmap(
        matrix=pymupdf.Matrix(scale, scale), clip=shown, annots=True, colorspace=pymupdf.csRGB
    )
    taken: set[_Char] = set()
    for cover in sorted(candidates, key=lambda c: -c.seqno):
        under = [ch for ch in cover.chars if ch not in taken]
        cover.chars = [
            ch
            for ch in under
            if _dark_share(pix, ch.rect, page.rotation_matrix, shown, scale) >= DARK_PIXELS
        ]
        taken.update(cover.chars)
    return [c for c in candidates if c.chars]


def _dark_share(
    pix: pymupdf.Pixmap,
    rect: Rect,
    rotation: pymupdf.Matrix,
    shown: pymupdf.Rect,
    scale: float,
) -> float:
    """Share of ``rect`` (unrotated) that the rendered ``pix`` shows dark."""
    points = _grid(rect)
    dark = 0
    for x, y in points:
        p = pymupdf.Point(x, y) * rotation
        px, py = int((p.x - shown.x0) * scale), int((p.y - shown.y0) * scale)
        if 0 <= px < pix.width and 0 <= py < pix.height:
            r, g, b = pix.pixel(px, py)[:3]
            dark += _luminance((r / 255, g / 255, b / 255)) <= DARK
    return dark / len(points)


# -- from covered glyphs to suspects --------------------------------------------------


def _assign(chars: Sequence[_Char], covers: Sequence[_Cover]) -> set[_Char]:
    """Give each hidden glyph to the topmost cover hiding it; return the hidden glyphs.

    A glyph is hidden by a cover painted after it over most of its box, or
    by one painted before it when the glyph has the cover's own colour
    (black text on a black box cannot be read either).
    """
    by_top = sorted(chars, key=lambda ch: ch.rect[1])
    tops = [ch.rect[1] for ch in by_top]
    tallest = max((ch.rect[3] - ch.rect[1] for ch in chars), default=0.0)
    hidden: set[_Char] = set()
    for cover in sorted(covers, key=lambda c: -c.seqno):
        x0, y0, x1, y1 = cover.rect
        start = bisect.bisect_left(tops, y0 - tallest)
        stop = bisect.bisect_right(tops, y1)
        for ch in by_top[start:stop]:
            if ch in hidden or ch.rect[2] <= x0 or ch.rect[0] >= x1:
                continue
            if ch.seqno > cover.seqno and not (ch.painted and _same(ch.color, cover.color)):
                continue
            if cover.coverage(ch.rect) > COVERED:
                cover.chars.append(ch)
                hidden.add(ch)
    return hidden


def _suspects(page_no: int, covers: Iterable[_Cover]) -> list[SuspectRedaction]:
    found = []
    for kind, rect, chars in _merge([c for c in covers if c.chars]):
        text = _text(chars)
        if _worth_reporting(text):
            found.append(SuspectRedaction(page_no, rect, kind, _preview(text)))
    found.sort(key=lambda s: (s.rect[1], s.rect[0]))
    return found


_PRECEDENCE = ("unapplied_redaction", "black_highlight", "text_under_box", "image_over_text")


def _merge(covers: Sequence[_Cover]) -> list[tuple[str, Rect, list[_Char]]]:
    """One suspect per visible bar.

    Boxes of one kind that touch on the same line (a tool that paints one
    rectangle per word) become one, and so do two covers over the same spot
    (an annotation and its copy flattened into the page content).
    """
    groups = [(c.kind, c.rect, list(c.chars)) for c in covers]
    i = 0
    while i < len(groups):
        for j in range(i + 1, len(groups)):
            (kind_a, a, chars_a), (kind_b, b, chars_b) = groups[i], groups[j]
            if _one_bar(a, b, same_kind=kind_a == kind_b):
                kind = min(kind_a, kind_b, key=_PRECEDENCE.index)
                chars = chars_a + [ch for ch in chars_b if ch not in chars_a]
                groups[i] = (kind, _union(a, b), chars)
                del groups[j]
                break
        else:
            i += 1
    return groups


def _one_bar(a: Rect, b: Rect, *, same_kind: bool) -> bool:
    if _area(_intersect(a, b)) >= 0.8 * min(_area(a), _area(b)):
        return True
    if not same_kind:
        return False
    joint = max(a[3], b[3]) - min(a[1], b[1])
    common = min(a[3], b[3]) - max(a[1], b[1])
    gap = max(a[0], b[0]) - min(a[2], b[2])
    return joint > 0 and common / joint >= SAME_LINE and gap <= TOUCHING


def _text(chars: Iterable[_Char]) -> str:
    """The glyphs as one string in text order, a space where words or lines part."""
    out: list[str] = []
    previous: _Char | None = None
    for ch in sorted(chars, key=lambda c: c.order):
        if previous is not None and ch.order != previous.order + 1:
            height = max(previous.rect[3] - previous.rect[1], 1.0)
            apart = ch.rect[0] - previous.rect[2] > height / 4
            if apart or abs(ch.rect[1] - previous.rect[1]) > height / 2:
                out.append(" ")
        out.append(ch.c)
        previous = ch
    return " ".join("".join(out).split())


def _worth_reporting(text: str) -> bool:
    """False for covers over nothing readable.

    White space and punctuation reveal nothing, nor does a single stray
    letter left by a real redaction, and a run of one repeated character
    ("XXXX", "****") is a placeholder someone already put in for the text.
    """
    letters = [c.lower() for c in text if c.isalnum()]
    if len(letters) < MIN_LETTERS:
        return False
    return not (len(letters) >= 3 and len(set(letters)) == 1)


def _preview(text: str) -> str:
    """The first characters of ``text`` (at most two, never half of it) and its length."""
    n = len(text)
    return f"{text[: min(2, (n - 1) // 2)]}… ({n} char{'s' if n != 1 else ''})"


# -- small geometry and colour helpers ----------------------------------------------


def _normal(r: Any) -> Rect:
    x0, y0, x1, y1 = (float(v) for v in r)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _area(r: Rect) -> float:
    return max(0.0, r[2] - r[0]) * max(0.0, r[3] - r[1])


def _intersect(a: Rect, b: Rect) -> Rect:
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def _union(a: Rect, b: Rect) -> Rect:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _inside(inner: Rect, outer: Rect) -> bool:
    return _intersect(inner, outer) == inner and inner != outer


def _share(inner: Rect, outer: Rect) -> float:
    area = _area(inner)
    return _area(_intersect(inner, outer)) / area if area > 0 else 0.0


def _strictly_in(p: Point, r: Rect) -> bool:
    return r[0] < p[0] < r[2] and r[1] < p[1] < r[3]


def _grid(r: Rect, n: int = 5) -> list[Point]:
    """``n`` x ``n`` sample points spread evenly over the inside of ``r``."""
    w, h = r[2] - r[0], r[3] - r[1]
    return [
        (r[0] + w * (i + 0.5) / n, r[1] + h * (j + 0.5) / n) for i in range(n) for j in range(n)
    ]


def _polygon_area(points: Sequence[Point]) -> float:
    pairs = zip(points, [*points[1:], points[0]], strict=True)
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairs)) / 2


def _in_polygon(p: Point, polygon: Sequence[Point]) -> bool:
    x, y = p
    inside = False
    for (x0, y0), (x1, y1) in zip(polygon, [*polygon[1:], polygon[0]], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _near(p: Point, stroke: Sequence[Point], reach: float) -> bool:
    """True when ``p`` is within ``reach`` of the polyline ``stroke``."""
    if len(stroke) == 1:
        return math.dist(p, stroke[0]) <= reach
    for a, b in itertools.pairwise(stroke):
        dx, dy = b[0] - a[0], b[1] - a[1]
        length2 = dx * dx + dy * dy
        t = 0.0 if length2 == 0 else ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2
        t = max(0.0, min(1.0, t))
        if math.dist(p, (a[0] + t * dx, a[1] + t * dy)) <= reach:
            return True
    return False


def _rgb(color: Sequence[float]) -> RGB:
    if len(color) == 4:  # CMYK
        c, m, y, k = color
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    if len(color) == 3:
        return (float(color[0]), float(color[1]), float(color[2]))
    return (float(color[0]),) * 3


def _opacity(value: float | None) -> float:
    """MuPDF's opacity, where None (and an annotation's -1) mean "not set": opaque."""
    return 1.0 if value is None or value < 0 else float(value)


def _luminance(rgb: RGB) -> float:
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


def _same(a: RGB, b: RGB) -> bool:
    return max(abs(x - y) for x, y in zip(a, b, strict=True)) <= 0.05
