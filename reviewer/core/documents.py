"""PyMuPDF access: open any format it reads, describe, render, extract words, search.

These functions run inside the document worker process (see
:mod:`reviewer.core.worker`): PyMuPDF is not thread-safe, holds the GIL for
a whole call, and can crash the interpreter on a hostile file. Only plain
data (tuples, bytes, dataclasses) leaves this module.

Coordinates returned here are in *display space*: PDF points of the page as
it is shown, i.e. after the page's ``/Rotate`` is applied. MuPDF reports text
in unrotated space, so every box is mapped through ``page.rotation_matrix``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# PyMuPDF 2.x would pull in a layout model on import; 1.x never does. Blocking
# the optional modules keeps imports fast should a newer version appear.
sys.modules.setdefault("pymupdf.layout", None)  # type: ignore[arg-type]
sys.modules.setdefault("pymupdf4llm", None)  # type: ignore[arg-type]
import pymupdf  # noqa: E402

from reviewer.core.errors import DocumentError, PasswordRequired  # noqa: E402
from reviewer.core.formats import MEDIA_TYPES, TEXT_SUFFIXES  # noqa: E402
from reviewer.core.model import (  # noqa: E402
    DocumentInfo,
    OpenedDocument,
    PageInfo,
    PageText,
    Word,
)
from reviewer.core.ocr import OCR_DPI, OCR_LANGUAGE, OcrImage, TextSources  # noqa: E402
from reviewer.core.textfold import fold, fold_char  # noqa: E402

pymupdf.TOOLS.mupdf_display_errors(False)  # MuPDF's own stderr chatter is not for users
pymupdf.TOOLS.mupdf_display_warnings(False)

Rect = tuple[float, float, float, float]
Quad = tuple[float, float, float, float, float, float, float, float]


def open_document(
    path: str | Path, password: str | None = None, filetype: str | None = None
) -> pymupdf.Document:
    """Open ``path`` with PyMuPDF, translating every failure into :class:`DocumentError`.

    ``filetype`` (e.g. "pdf", "txt") is needed for files whose name says
    nothing, such as blobs in the workspace, which are named by their hash.
    """
    path = Path(path)
    if not path.exists():
        raise DocumentError(path, "the file does not exist")
    if path.is_dir():
        raise DocumentError(path, "this is a folder, not a document")
    try:
        if path.stat().st_size == 0:
            raise DocumentError(path, "the file is empty")
    except OSError as exc:
        raise DocumentError(path, f"the file cannot be read ({exc.strerror})") from exc
    if filetype is None and path.suffix.lower() in TEXT_SUFFIXES:
        filetype = "txt"
    try:
        doc = pymupdf.open(path, filetype=filetype) if filetype else pymupdf.open(path)
    except pymupdf.FileNotFoundError as exc:
        raise DocumentError(path, "the file does not exist") from exc
    except pymupdf.EmptyFileError as exc:
        raise DocumentError(path, "the file is empty") from exc
    except pymupdf.FileDataError as exc:
        raise DocumentError(
            path, f"this is not a document reviewer can open, or it is damaged ({_why(exc)})"
        ) from exc
    except PermissionError as exc:
        raise DocumentError(path, "permission denied: the file cannot be read") from exc
    except (RuntimeError, ValueError, OSError) as exc:
        raise DocumentError(path, f"the document could not be opened ({_why(exc)})") from exc
    # Read once, before authenticating: with PyMuPDF 1.28, reading ``needs_pass``
    # after ``authenticate()`` leaves every page's text empty (measured).
    locked = bool(doc.needs_pass)
    doc.reviewer_locked = locked  # for describe_opened, which must not ask again
    if locked:
        if password is None:
            doc.close()
            raise PasswordRequired(path, wrong_password=False)
        if not doc.authenticate(password):
            doc.close()
            raise PasswordRequired(path, wrong_password=True)
    try:
        count = doc.page_count
    except (RuntimeError, ValueError) as exc:
        doc.close()
        raise DocumentError(path, f"the page tree is damaged ({_why(exc)})") from exc
    if count == 0:
        doc.close()
        raise DocumentError(path, "the document has no pages")
    return doc


def describe_opened(doc: pymupdf.Document, path: str | Path) -> OpenedDocument:
    sizes = []
    rotations = []
    for page in doc:
        rect = page.rect
        sizes.append((float(rect.width), float(rect.height)))
        rotations.append(int(page.rotation))
    fmt = _format(doc, Path(path))
    return OpenedDocument(
        page_count=doc.page_count,
        page_sizes=sizes,
        title=(doc.metadata or {}).get("title") or Path(path).stem,
        format=fmt,
        media_type=MEDIA_TYPES.get(fmt, "application/octet-stream"),
        needs_password=bool(getattr(doc, "reviewer_locked", False) or doc.is_encrypted),
        rotations=rotations,
    )


def render_page(
    doc: pymupdf.Document, page_no: int, scale: float, clip: Rect | None = None
) -> pymupdf.Pixmap:
    """Render one page (or a clip of it) as an RGB888 pixmap.

    The caller reads ``pix.samples_mv`` while it holds ``pix``: the memoryview
    points into the pixmap's own buffer, so no copy is made here.
    """
    page = doc[page_no]
    matrix = pymupdf.Matrix(scale, scale)
    pix = page.get_pixmap(
        matrix=matrix,
        alpha=False,
        colorspace=pymupdf.csRGB,
        clip=None if clip is None else pymupdf.Rect(clip),
        annots=True,
    )
    return pix


def render_into(
    doc: pymupdf.Document,
    page_no: int,
    scale: float,
    clip: Rect | None,
    target: memoryview,
) -> tuple[int, int, int] | None:
    """Draw a page straight into ``target``, a block of the shared pixel arena.

    The pixels are exactly those of :func:`render_page` (RGB888, same bounds
    and rounding, white background, annotations drawn), without the display
    list ``get_pixmap`` builds first and without a buffer of MuPDF's own.
    Returns (width, height, stride), or None when the page does not fit in
    ``target`` (the caller then sends it the slow way).
    """
    mu = pymupdf.mupdf
    page = doc[page_no]
    ctm = mu.FzMatrix(scale, 0, 0, scale, 0, 0)
    bounds = mu.fz_bound_page(page.this)
    if clip is not None:
        bounds = mu.fz_intersect_rect(bounds, mu.FzRect(*clip))
    irect = mu.fz_round_rect(mu.fz_transform_rect(bounds, ctm))
    width, height = irect.x1 - irect.x0, irect.y1 - irect.y0
    stride = width * 3
    if width <= 0 or height <= 0 or stride * height > target.nbytes:
        return None
    samples = mu.python_mutable_buffer_data(target)
    pix = mu.fz_new_pixmap_with_bbox_and_data(
        mu.fz_device_rgb(), irect, mu.FzSeparations(), 0, samples
    )
    mu.fz_clear_pixmap_with_value(pix, 0xFF)  # white, as get_pixmap(alpha=False)
    if clip is None:
        dev = mu.fz_new_draw_device(ctm, pix)
    else:
        dev = mu.fz_new_draw_device_with_bbox(ctm, pix, irect)
    try:
        mu.fz_run_page(page.this, dev, mu.FzMatrix(), mu.FzCookie())
        mu.fz_close_device(dev)
    finally:
        del dev, pix  # the pixmap never owned ``target``: dropping it frees no pixels
    return width, height, stride


def trim_cache() -> None:
    """Let MuPDF drop three quarters of its resource store after a page is drawn.

    MuPDF keeps decoded images and fonts up to 256 MB. For a scan that is
    a decoded page image per page scrolled past: measured here, a worker
    rendering 80 scanned pages grew to 234 MB, 128 MB with this. Shrinking
    by 75 % keeps the most recently used fonts, so text pages render as
    fast as before (shrinking everything made them 5x slower).
    """
    pymupdf.TOOLS.store_shrink(75)


# One set of extraction flags for every text the app derives from a page, so
# that word offsets, the stored anchors and the search index all agree.
TEXT_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP


class NeedsOcr(Exception):
    """A request needs the text of a scanned page that has not been recognised yet.

    The worker answers with the page drawn for Tesseract; the client has it
    recognised in the OCR process, hands the result back (:meth:`TextLayers.
    add_ocr`) and sends the request again.
    """

    def __init__(self, page: int) -> None:
        super().__init__(page)
        self.page = page


#: A page is a scan when images cover at least this share of it ...
SCAN_IMAGE_COVER = 0.5
#: ... and it carries fewer characters of real text than this (a CM/ECF
#: header or a Bates number stamped on a scanned exhibit is ~100).
SCAN_MAX_CHARS = 200


class TextLayers:
    """Where each page's text comes from: its own text layer, or OCR of its image.

    One per open document, in the worker. Recognised pages are kept for as
    long as the document is open (the client keeps the OCR results too, so
    a restarted worker gets them back without running Tesseract again).
    """

    def __init__(self, doc: pymupdf.Document) -> None:
        self.doc = doc
        self._scan: dict[int, bool] = {}
        self._ocr: dict[int, pymupdf.TextPage] = {}
        self._tessdata: str | None = None
        self._ocr_problem: str | None = None

    # -- what kind of page -------------------------------------------------------

    def is_scan(self, page_no: int) -> bool:
        """True for a page that is (nearly) all image and (nearly) no text."""
        known = self._scan.get(page_no)
        if known is None:
            known = self._scan[page_no] = _is_scan(self.doc[page_no])
        return known

    def sources(self) -> TextSources:
        scans = tuple(p for p in range(self.doc.page_count) if self.is_scan(p))
        problem = self.ocr_problem() if scans else ""
        return TextSources(self.doc.page_count, scans, not problem, problem)

    def ocr_problem(self) -> str:
        """Why OCR cannot run here ("" when it can); looked up once per document."""
        if self._ocr_problem is None:
            self._tessdata, self._ocr_problem = _find_tessdata(OCR_LANGUAGE)
        return self._ocr_problem

    @property
    def tessdata(self) -> str:
        self.ocr_problem()
        return self._tessdata or ""

    # -- text pages ----------------------------------------------------------------

    def textpage(self, page_no: int) -> tuple[pymupdf.TextPage, str]:
        """The page's text (MuPDF text page) and its source: "text", "ocr" or "image".

        Raises :class:`NeedsOcr` for a scan not recognised yet when OCR is
        available; "image" means a scan that stays without text.
        """
        if not self.is_scan(page_no):
            return self.doc[page_no].get_textpage(flags=TEXT_FLAGS), "text"
        recognised = self._ocr.get(page_no)
        if recognised is not None:
            return recognised, "ocr"
        if self.ocr_problem():
            return self.doc[page_no].get_textpage(flags=TEXT_FLAGS), "image"
        raise NeedsOcr(page_no)

    def ocr_image(self, page_no: int) -> OcrImage:
        """The page drawn in grey at the OCR resolution, as displayed (rotation applied)."""
        pix = self.doc[page_no].get_pixmap(dpi=OCR_DPI, colorspace=pymupdf.csGRAY, alpha=False)
        width, height = pix.width, pix.height
        if pix.stride != width:  # MuPDF pads nothing for grey, but never assume it
            rows = pix.samples_mv
            pixels = b"".join(
                bytes(rows[y * pix.stride : y * pix.stride + width]) for y in range(height)
            )
        else:
            pixels = bytes(pix.samples_mv)
        return OcrImage(page_no, width, height, OCR_DPI, pixels)

    def add_ocr(self, page_no: int, pdf: bytes) -> None:
        """Take Tesseract's result for a page: a one-page PDF with invisible text.

        Its text is mapped onto the page as :func:`pymupdf.Page.get_textpage_ocr`
        does: scaled to the page and turned back into unrotated space, where
        MuPDF keeps every page's text.
        """
        page = self.doc[page_no]
        ocr_doc = pymupdf.open("pdf", pdf)
        try:
            ocr_page = ocr_doc[0]
            unzoom = page.rect.width / ocr_page.rect.width
            matrix = pymupdf.Matrix(unzoom, unzoom) * page.derotation_matrix
            self._ocr[page_no] = ocr_page.get_textpage(flags=TEXT_FLAGS, matrix=matrix)
        finally:
            ocr_doc.close()


def _is_scan(page: pymupdf.Page) -> bool:
    if not page.parent.is_pdf and not page.get_images(full=False):
        return False  # text files, e-books: never scans
    area = abs(page.rect)
    if area <= 0:
        return False
    try:
        covered = sum(abs(pymupdf.Rect(info["bbox"]) & page.rect) for info in page.get_image_info())
    except (RuntimeError, ValueError):
        return False
    if covered < SCAN_IMAGE_COVER * area:
        return False
    chars = sum(not c.isspace() for c in page.get_text("text", flags=TEXT_FLAGS))
    return chars < SCAN_MAX_CHARS


def _find_tessdata(language: str) -> tuple[str | None, str]:
    """(Tesseract's language folder, "") or (None, why OCR is unavailable)."""
    try:
        folder = pymupdf.get_tessdata()
    except (RuntimeError, OSError) as exc:
        return None, f"Tesseract is not installed ({_why(exc)})"
    if not folder:
        return None, "Tesseract is not installed"
    missing = [
        lang for lang in language.split("+") if not (Path(folder) / f"{lang}.traineddata").exists()
    ]
    if missing:
        return None, f"Tesseract has no data for the language {', '.join(missing)!s}"
    return str(folder), ""


def page_layer(doc: pymupdf.Document, page_no: int, layers: TextLayers | None = None) -> PageText:
    """The page's text and its words, each word knowing where it sits in that text.

    Both come from one MuPDF text page, so ``text[w.start:w.end] == w.text``
    for every word found in it. Annotations anchor on these offsets (the W3C
    ``TextPositionSelector``) and on the quoted text around them. For a
    scan, the text page is the one OCR made (``layers``).
    """
    page = doc[page_no]
    if layers is None:
        textpage, source = page.get_textpage(flags=TEXT_FLAGS), "text"
    else:
        textpage, source = layers.textpage(page_no)
    text = str(textpage.extractText())
    matrix = page.rotation_matrix
    rotated = page.rotation != 0
    words: list[Word] = []
    cursor = 0
    for x0, y0, x1, y1, token, block, line, _ in textpage.extractWORDS():
        if rotated:
            r = pymupdf.Rect(x0, y0, x1, y1) * matrix
            x0, y0, x1, y1 = r.x0, r.y0, r.x1, r.y1
        start = text.find(token, cursor)
        if start >= 0:
            cursor = start + len(token)
        words.append(
            Word(
                float(x0),
                float(y0),
                float(x1),
                float(y1),
                token,
                int(block),
                int(line),
                start,
                start + len(token) if start >= 0 else -1,
            )
        )
    rect = page.rect
    return PageText(
        page=page_no,
        text=text,
        words=words,
        rotation=int(page.rotation),
        width=float(rect.width),
        height=float(rect.height),
        source=source,
    )


def page_words(doc: pymupdf.Document, page_no: int) -> list[Word]:
    return page_layer(doc, page_no).words


def page_text(doc: pymupdf.Document, page_no: int, layers: TextLayers | None = None) -> str:
    if layers is None:
        return str(doc[page_no].get_textpage(flags=TEXT_FLAGS).extractText())
    return str(layers.textpage(page_no)[0].extractText())


def search_page(
    doc: pymupdf.Document, page_no: int, needle: str, layers: TextLayers | None = None
) -> list[tuple[Quad, ...]]:
    """Every occurrence of ``needle`` on one page, in reading order.

    Each hit is a tuple of quads in display space, one per line it spans (a
    phrase broken over two lines is one hit, not two). Matching ignores case
    and treats any run of white space, including line breaks, as one space:
    the same rule as the workspace's text index, so both agree on what
    matches. MuPDF's ``search_for`` returns one flat list of quads per line
    and cannot tell which belong to one hit, hence this character-level search.
    """
    wanted = fold(needle)
    if not wanted:
        return []
    page = doc[page_no]
    textpage = None if layers is None else layers.textpage(page_no)[0]
    haystack, boxes, lines = _page_characters(page, textpage)
    matrix = page.rotation_matrix if page.rotation else None
    hits: list[tuple[Quad, ...]] = []
    start = haystack.find(wanted)
    while start >= 0:
        end = start + len(wanted)
        quads: list[Quad] = []
        current_line, rect = -1, None
        for i in range(start, end):
            box = boxes[i]
            if box is None:
                continue
            if lines[i] != current_line and rect is not None:
                quads.append(_quad(rect, matrix))
                rect = None
            current_line = lines[i]
            rect = pymupdf.Rect(box) if rect is None else rect | pymupdf.Rect(box)
        if rect is not None:
            quads.append(_quad(rect, matrix))
        if quads:
            hits.append(tuple(quads))
        start = haystack.find(wanted, end)
    return hits


def _page_characters(
    page: pymupdf.Page, textpage: pymupdf.TextPage | None = None
) -> tuple[str, list[Any], list[int]]:
    """The page's text folded as ``textfold.fold`` does, with each character's box and line."""
    if textpage is None:
        textpage = page.get_textpage(flags=TEXT_FLAGS)
    chars: list[str] = []
    boxes: list[Any] = []
    lines: list[int] = []
    line_id = 0
    for block in textpage.extractRAWDICT()["blocks"]:
        if block.get("type") != 0:
            continue
        for line in block["lines"]:
            if chars and chars[-1] != " ":
                chars.append(" ")
                boxes.append(None)
                lines.append(-1)
            for span in line["spans"]:
                for ch in span["chars"]:
                    c = ch["c"]
                    if c.isspace():
                        if chars and chars[-1] == " ":
                            continue
                        chars.append(" ")
                        boxes.append(None)
                    else:
                        chars.append(fold_char(c))
                        boxes.append(ch["bbox"])
                    lines.append(line_id)
            line_id += 1
    return "".join(chars), boxes, lines


def _quad(rect: pymupdf.Rect, matrix: pymupdf.Matrix | None) -> Quad:
    q = rect.quad if matrix is None else rect.quad * matrix
    return (q.ul.x, q.ul.y, q.ur.x, q.ur.y, q.ll.x, q.ll.y, q.lr.x, q.lr.y)


def document_info(path: str | Path, password: str | None = None) -> DocumentInfo:
    """Everything ``reviewer info`` reports; raises :class:`DocumentError` on bad input."""
    path = Path(path)
    doc = open_document(path, password)
    try:
        fmt = _format(doc, path)
        is_pdf = bool(doc.is_pdf)
        pages: list[PageInfo] = []
        any_annots = False
        for page in doc:
            text = page.get_text("text", sort=False).strip()
            annots = len(list(page.annots())) if is_pdf else 0
            any_annots = any_annots or annots > 0
            pages.append(
                PageInfo(
                    number=page.number + 1,
                    width=round(float(page.rect.width), 2),
                    height=round(float(page.rect.height), 2),
                    has_text=bool(text),
                    images=len(page.get_images(full=False)),
                    annotations=annots,
                )
            )
        # is_form_pdf is False or the number of form fields.
        fields = int(doc.is_form_pdf or 0) if is_pdf else 0
        metadata = {k: v for k, v in (doc.metadata or {}).items() if isinstance(v, str) and v}
        return DocumentInfo(
            path=str(path),
            format=fmt,
            media_type=MEDIA_TYPES.get(fmt, "application/octet-stream"),
            page_count=doc.page_count,
            # is_encrypted turns False once authenticated; whether it was locked is
            # recorded before authenticating (see open_document).
            encrypted=bool(doc.is_encrypted or getattr(doc, "reviewer_locked", False)),
            needs_password=bool(getattr(doc, "reviewer_locked", False)),
            title=metadata.get("title", "") or path.stem,
            metadata=metadata,
            pages=pages,
            has_annotations=any_annots,
            has_forms=fields > 0,
            form_fields=fields,
            embedded_files=doc.embfile_count() if is_pdf else 0,
            has_javascript=_has_javascript(doc) if is_pdf else False,
        )
    finally:
        doc.close()


def _has_javascript(doc: pymupdf.Document) -> bool:
    """True when the PDF carries JavaScript anywhere MuPDF can see (names tree or actions)."""
    try:
        for xref in range(1, doc.xref_length()):
            obj = doc.xref_object(xref, compressed=True)
            if "/JavaScript" in obj or "/JS" in obj:
                return True
    except (RuntimeError, ValueError):
        return False
    return False


def _format(doc: pymupdf.Document, path: Path) -> str:
    if doc.is_pdf:
        return "pdf"
    suffix = path.suffix.lower().lstrip(".")
    if suffix in MEDIA_TYPES:
        return suffix
    meta: dict[str, Any] = doc.metadata or {}
    return str(meta.get("format", "unknown")).split()[0].lower() or "unknown"


def _why(exc: BaseException) -> str:
    text = str(exc).strip()
    return text[:200] if text else type(exc).__name__
