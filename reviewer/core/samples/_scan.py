"""Turn a text page into what a copier makes of it: a slightly skewed grey JPEG.

Only PyMuPDF is used (numpy is not an app dependency): paper grain is a small
random grey tile with a faint alpha stretched over the page before
rendering, dust is a few vector specks, the paper tone comes from
``Pixmap.tint_with`` and the skew from the render matrix. The same matrix
maps any rectangle on the text page to where it ends up on the scan, which is
how the scanned letter knows the position of its PII without a text layer.
"""

from __future__ import annotations

import random

import pymupdf

Rect = tuple[float, float, float, float]


def grain_tile(rng: random.Random, width: int = 240, height: int = 310) -> pymupdf.Pixmap:
    """A grey noise tile with 0-7% opacity per pixel; cheap to build, reused per page."""
    grey = rng.randbytes(width * height)
    alpha = grey.translate(bytes(v * 18 // 255 for v in range(256)))
    samples = bytearray(width * height * 2)
    samples[0::2] = grey
    samples[1::2] = alpha
    return pymupdf.Pixmap(pymupdf.csGRAY, width, height, bytes(samples), True)


class Scanner:
    """Renders pages of one scratch document into image-only pages of another."""

    def __init__(self, rng: random.Random, *, dpi: int = 150, quality: int = 55) -> None:
        self.rng = rng
        self.dpi = dpi
        self.quality = quality
        self._tile = grain_tile(rng)
        # the grain image is stored once per scratch document and then reused by xref
        self._tile_doc: pymupdf.Document | None = None
        self._tile_xref = 0

    def _dirty(self, page: pymupdf.Page) -> None:
        """Lay grain and dust over a text page (vector and image, before rasterizing)."""
        if self._tile_doc is page.parent:
            page.insert_image(page.rect, xref=self._tile_xref, keep_proportion=False)
        else:
            self._tile_xref = page.insert_image(page.rect, pixmap=self._tile, keep_proportion=False)
            self._tile_doc = page.parent
        shape = page.new_shape()
        for _ in range(self.rng.randint(6, 18)):
            x = self.rng.uniform(10, page.rect.width - 10)
            y = self.rng.uniform(10, page.rect.height - 10)
            shape.draw_circle((x, y), self.rng.uniform(0.25, 0.8))
            grey = self.rng.uniform(0.2, 0.6)
            shape.finish(color=None, fill=(grey, grey, grey))
        shape.commit()

    def scan(
        self, page: pymupdf.Page, out: pymupdf.Document, *, angle: float | None = None
    ) -> pymupdf.Matrix:
        """Append an image-only copy of ``page`` to ``out``; return the point mapping.

        The returned matrix maps a point on the text page to the scanned page.
        """
        if angle is None:
            angle = self.rng.uniform(-0.6, 0.6)
        self._dirty(page)
        zoom = self.dpi / 72
        matrix = pymupdf.Matrix(zoom, zoom).prerotate(angle)
        pix = page.get_pixmap(matrix=matrix, colorspace=pymupdf.csGRAY, alpha=False)
        tone = self.rng.randint(0xE4, 0xEE)
        pix.tint_with(0x141414, tone * 0x010101)
        jpeg = pix.tobytes("jpg", jpg_quality=self.quality)
        target = out.new_page(width=page.rect.width, height=page.rect.height)
        target.insert_image(target.rect, stream=jpeg, keep_proportion=False)
        # device pixel -> scanned page point: shift to the pixmap origin, then stretch
        origin = pymupdf.IRect(pix.irect)
        sx = target.rect.width / pix.width
        sy = target.rect.height / pix.height
        return matrix * pymupdf.Matrix(1, 0, 0, 1, -origin.x0, -origin.y0) * pymupdf.Matrix(sx, sy)


def map_rect(rect: pymupdf.Rect, matrix: pymupdf.Matrix) -> Rect:
    """The bounding box, rounded to 0.01 pt, of ``rect`` after the scan mapping."""
    quad = pymupdf.Rect(rect).quad * matrix
    box = quad.rect
    return (round(box.x0, 2), round(box.y0, 2), round(box.x1, 2), round(box.y1, 2))
