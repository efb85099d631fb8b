"""Page layout shared by the text-layer sample documents.

HTML + CSS through ``pymupdf.Story`` gives justified paragraphs, tables and
page breaks without a hand-written line breaker; headers and footers are
stamped afterwards because only then is the page count known ("Page 2 of 4").
Every placement is checked so no text can silently overflow or be cut off.
"""

from __future__ import annotations

import html as html_lib
import io
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pymupdf

from reviewer.core.samples.truth import CitationTruth, PiiTruth

LETTER = pymupdf.paper_rect("letter")
MARGIN = 72.0  # one inch, as court rules and credit agreements use
BODY = pymupdf.Rect(MARGIN, MARGIN, LETTER.width - MARGIN, LETTER.height - MARGIN)
STAMP_FONT = "tiro"  # Base-14 Times: nothing to embed for headers and footers
AUTHOR = "reviewer sample generator"
FIXED_DATE = "D:20240314090000Z"  # fixed so the same seed gives the same bytes

# Nimbus Roman ("Times") is MuPDF's built-in Times clone; "serif" would pick Charis.
BASE_CSS = """
body { font-family: Times; font-size: 11pt; line-height: 1.2; }
p { text-align: justify; margin: 0 0 7pt 0; }
h1 { font-size: 14pt; font-weight: bold; text-align: center; margin: 0 0 10pt 0; }
h2 { font-size: 12pt; font-weight: bold; text-align: center; margin: 12pt 0 8pt 0; }
h3 { font-size: 11pt; font-weight: bold; text-align: left; margin: 9pt 0 5pt 0; }
.center { text-align: center; }
.right { text-align: right; }
.nowrap { white-space: nowrap; }
.newpage { page-break-before: always; }
table { border-collapse: collapse; }
td, th { padding: 2pt 4pt; vertical-align: top; }
.grid td, .grid th { border: 0.6pt solid black; }
.grid th { font-weight: bold; text-align: center; }
"""

Stamp = Callable[[int, int], str | None]


class LayoutError(RuntimeError):
    """Raised when generated content does not fit where it was meant to go."""


def esc(text: str) -> str:
    """Escape text for the Story HTML parser."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_TEXT_BETWEEN_TAGS = re.compile(r"(^|>)([^<]+)")
_LIGATURE_START = re.compile(r"f(?=[fijl])")


def break_ligatures(html: str) -> str:
    """Stop HarfBuzz from forming fi/fl/ff ligatures by ending the text run after each such "f".

    With ligatures the text layer says "Griﬃth", so ``search_for("Griffith")``
    (and a user's search) would miss it. CSS cannot switch them off in MuPDF,
    but shaping never crosses an element boundary, and an empty-styled span
    changes nothing else.
    """

    def fix(match: re.Match[str]) -> str:
        return match.group(1) + _LIGATURE_START.sub("<span>f</span>", match.group(2))

    return _TEXT_BETWEEN_TAGS.sub(fix, html)


def _flow(html: str, css: str, body: pymupdf.Rect) -> pymupdf.Document:
    story = pymupdf.Story(html=html, user_css=css)
    buffer = io.BytesIO()
    writer = pymupdf.DocumentWriter(buffer)
    more, pages = 1, 0
    while more:
        pages += 1
        if pages > 200:
            raise LayoutError("story does not converge; an element is taller than a page")
        device = writer.begin_page(LETTER)
        more, _filled = story.place(body)
        story.draw(device)
        writer.end_page()
    writer.close()
    return pymupdf.open("pdf", buffer.getvalue())


def _check_inside(doc: pymupdf.Document, body: pymupdf.Rect) -> None:
    """Refuse any text outside the text block.

    ``Story.place`` is not trusted here: with ``line-height: 2`` MuPDF 1.28
    can report "everything placed" for content that runs past the bottom.
    """
    limit = pymupdf.Rect(body.x0 - 1, body.y0 - 3, body.x1 + 1, body.y1 + 3)  # ascent, descent
    for page in doc:
        for x0, y0, x1, y1, text, *_ in page.get_text("blocks"):
            if text.strip() and pymupdf.Rect(x0, y0, x1, y1) not in limit:
                where = f"page {page.number + 1}"
                raise LayoutError(f"text outside the text block on {where}: {text!r}")


_HEADING = re.compile(r"<h[23]\b")
_TAG = re.compile(r"<[^>]+>")


def _words(text: str) -> str:
    return " ".join(html_lib.unescape(_TAG.sub(" ", text)).split())


def _orphaned_heading(doc: pymupdf.Document, html: str) -> int | None:
    """Index of a heading left alone at the bottom of a page, if any."""
    headings = [_words(h) for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", html, re.S)]
    for page in doc:
        text = _words(page.get_text())
        for index, heading in enumerate(headings):
            if heading and text.endswith(heading):
                return index
    return None


def render_html(html: str, css: str = BASE_CSS, *, body: pymupdf.Rect = BODY) -> pymupdf.Document:
    """Flow HTML over as many letter pages as it needs and return the document.

    A heading stranded at the foot of a page (MuPDF has no keep-with-next) is
    moved to the next page and the story laid out again; ligatures are
    suppressed and every line is checked to lie inside the text block.
    """
    html = break_ligatures(html)
    for _attempt in range(10):
        doc = _flow(html, css, body)
        orphan = _orphaned_heading(doc, html)
        if orphan is None:
            _check_inside(doc, body)
            return doc
        doc.close()
        match = list(_HEADING.finditer(html))[orphan]
        html = html[: match.start()] + '<div class="newpage"></div>' + html[match.start() :]
    raise LayoutError("could not keep every heading with its text")


def stamp_line(
    page: pymupdf.Page, text: str, y: float, *, size: float = 9.0, align: str = "center"
) -> None:
    """Write one header/footer line at baseline ``y``; refuse text wider than the body."""
    width = pymupdf.get_text_length(text, fontname=STAMP_FONT, fontsize=size)
    if width > BODY.width:
        raise LayoutError(f"header/footer line too long: {text!r}")
    x = {"left": BODY.x0, "center": (LETTER.width - width) / 2, "right": BODY.x1 - width}[align]
    page.insert_text((x, y), text, fontname=STAMP_FONT, fontsize=size)


def stamp(
    doc: pymupdf.Document,
    *,
    header: Stamp | None = None,
    footer: Stamp | None = None,
    footer_left: Stamp | None = None,
    header_size: float = 9.0,
) -> None:
    """Stamp header and footer lines on every page; callbacks get (index, count)."""
    count = doc.page_count
    for index, page in enumerate(doc):
        for fn, y, align, size in (
            (header, 0.55 * MARGIN, "center", header_size),
            (footer, LETTER.height - 0.5 * MARGIN, "center", 10.0),
            (footer_left, LETTER.height - 0.5 * MARGIN, "left", 7.0),
        ):
            text = fn(index, count) if fn else None
            if text:
                stamp_line(page, text, y, size=size, align=align)


def finish(doc: pymupdf.Document, path: Path, title: str, subject: str = "") -> int:
    """Give the document fixed metadata and save it as reproducibly as PyMuPDF allows."""
    if doc.page_count and any(page.get_fonts() for page in doc):
        doc.subset_fonts()
    doc.set_metadata(
        {
            "title": title,
            "author": AUTHOR,
            "subject": subject or "Synthetic sample document with fake personal data",
            "keywords": "synthetic, sample, fake PII",
            "creator": "reviewer.core.samples",
            "producer": "reviewer sample generator (PyMuPDF)",
            "creationDate": FIXED_DATE,
            "modDate": FIXED_DATE,
        }
    )
    doc.save(path, garbage=4, deflate=True, no_new_id=True)
    pages = doc.page_count
    doc.close()
    return pages


def locate_pii(doc: pymupdf.Document, items: Iterable[tuple[str, str]]) -> tuple[PiiTruth, ...]:
    """Find every page each (label, text) item appears on.

    Listing every occurrence, not just the one the generator meant, keeps the
    ground truth complete: a detector that flags the Borrower's name on page 5
    must not be scored as a false positive. Raises if an item is missing,
    which would be a generator bug.
    """
    wanted = list(dict.fromkeys(items))
    found: list[PiiTruth] = []
    seen: set[str] = set()
    for index, page in enumerate(doc):
        for label, text in wanted:
            if page.search_for(text):
                found.append(PiiTruth(label=label, text=text, page=index))
                seen.add(text)
    missing = [text for _label, text in wanted if text not in seen]
    if missing:
        raise LayoutError(f"PII printed but not found in the PDF: {missing}")
    return tuple(found)


def locate_citations(
    doc: pymupdf.Document, items: Iterable[tuple[str, bool]]
) -> tuple[CitationTruth, ...]:
    """Find the page of every citation (text, real) the generator printed."""
    found: list[CitationTruth] = []
    for text, real in dict.fromkeys(items):
        pages = [i for i, page in enumerate(doc) if page.search_for(text)]
        if not pages:
            raise LayoutError(f"citation printed but not found in the PDF: {text!r}")
        found.extend(CitationTruth(text=text, page=p, real=real) for p in pages)
    found.sort(key=lambda c: c.page)
    return tuple(found)
