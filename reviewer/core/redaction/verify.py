"""Verify a redacted PDF independently of the code that produced it.

The export pipeline finds terms through MuPDF's character boxes; this module
never calls it. It looks at the output the way someone trying to recover
the text would: the page text (visible, invisible and behind /ActualText),
every string and decoded stream of every object, the raw bytes of the file
(inflating whatever looks like a stream, referenced or not), the pixels and
vectors under each box, and every place a PDF keeps text besides its pages.

Each finding is a named :class:`Check`. Details say where (page, object
number, key) and never quote what was redacted, so a report can be shared.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pymupdf

from reviewer.core.redaction.plan import RedactionBox

# Every check, in report order; the names are what the UI and the mutation tests see.
CHECKS: tuple[str, ...] = (
    "opens",
    "single_revision",
    "no_terms_in_page_text",
    "no_terms_in_objects",
    "no_terms_in_raw_bytes",
    "no_text_in_boxes",
    "box_area_uniform",
    "no_image_pixels_in_boxes",
    "no_line_art_in_boxes",
    "no_annotations",
    "no_form_fields",
    "no_metadata",
    "no_xmp",
    "no_embedded_files",
    "no_outline",
    "no_actions",
    "no_optional_content",
    "no_structure_tree",
    "no_page_labels",
    "no_thumbnails",
)


@dataclass(frozen=True)
class Check:
    """One thing verified. ``pages`` are 0-based; ``detail`` never quotes redacted text."""

    name: str
    passed: bool
    detail: str = ""
    pages: tuple[int, ...] = ()


@dataclass(frozen=True)
class VerificationReport:
    """What was checked in one output file, and whether all of it held."""

    checks: tuple[Check, ...]
    input_sha256: str = ""
    output_sha256: str = ""
    pages: int = 0
    boxes: int = 0
    terms: int = 0

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.passed)

    def as_json(self) -> dict[str, Any]:
        """The report as stored beside the export: counts and hashes, never the terms."""
        return {
            "passed": self.passed,
            "input_sha256": self.input_sha256,
            "output_sha256": self.output_sha256,
            "pages": self.pages,
            "boxes": self.boxes,
            "terms": self.terms,
            "checks": [
                {
                    "name": check.name,
                    "passed": check.passed,
                    "detail": check.detail,
                    "pages": list(check.pages),
                }
                for check in self.checks
            ],
        }


# --- Finding terms (this module's own way) -----------------------------------------------------

_DASHES = "-\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_DROP = re.compile(rf"[\s{re.escape(_DASHES + _ZERO_WIDTH)}]+")


def squash(text: str) -> str:
    """Case-folded text without white space or dashes.

    Searching squashed text for a squashed term finds every variant at once:
    other case, spaces or dashes added or dropped, the term split across lines.
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return _DROP.sub("", text.casefold())


_GAPS = (
    ("utf-8", rb"[\s\-]*"),
    ("utf-16-be", rb"(?:\x00[\s\-])*"),
    ("utf-16-le", rb"(?:[\s\-]\x00)*"),
)


def _byte_patterns(terms: Sequence[str]) -> list[re.Pattern[bytes]]:
    """Byte-level patterns for raw data: the term's characters with any separators between.

    One pattern per encoding a file might store text in (UTF-8/Latin-1 and
    both UTF-16s); ASCII letters match in either case.
    """
    patterns = []
    for term in terms:
        chars = squash(term)
        if not chars:
            continue
        for encoding, gap in _GAPS:
            parts = [_either_case(c, encoding) for c in chars]
            patterns.append(re.compile(gap.join(parts)))
    return patterns


def _either_case(char: str, encoding: str) -> bytes:
    forms = {char.encode(encoding, "ignore"), char.upper().encode(encoding, "ignore")}
    return b"(?:" + b"|".join(re.escape(f) for f in sorted(forms) if f) + b")"


_PRINTABLE = bytes(range(0x20, 0x7F)) + b"\t\r\n\x0c\x00"


def _textual(data: bytes) -> bool:
    """Whether ``data`` looks like text (content streams, XMP, scripts), not pixels or fonts."""
    sample = data[:65536]
    return bool(sample) and len(sample.translate(None, _PRINTABLE)) <= len(sample) // 10


_HEX = re.compile(rb"[0-9A-Fa-f\s]*")
_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}


def _pdf_strings(data: bytes) -> Iterator[bytes]:
    """The decoded value of every literal ``(...)`` and hex ``<...>`` string in ``data``."""
    i, n = 0, len(data)
    while i < n:
        paren, angle = data.find(b"(", i), data.find(b"<", i)
        if paren == -1 and angle == -1:
            return
        if angle != -1 and (paren == -1 or angle < paren):
            if data[angle + 1 : angle + 2] == b"<":
                i = angle + 2
                continue
            close = data.find(b">", angle)
            if close == -1:
                return
            digits = data[angle + 1 : close]
            if _HEX.fullmatch(digits):
                digits = re.sub(rb"\s", b"", digits)
                yield bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())
            i = close + 1
            continue
        value, i = _literal(data, paren)
        yield value


def _literal(data: bytes, start: int) -> tuple[bytes, int]:
    out = bytearray()
    depth, i, n = 1, start + 1, len(data)
    while i < n:
        c = data[i]
        if c == 0x5C and i + 1 < n:
            e = data[i + 1]
            if e in _ESCAPES:
                out += _ESCAPES[e]
                i += 2
            elif 0x30 <= e <= 0x37:
                j = i + 1
                while j < min(i + 4, n) and 0x30 <= data[j] <= 0x37:
                    j += 1
                out.append(int(data[i + 1 : j], 8) & 0xFF)
                i = j
            elif e in (0x0A, 0x0D):  # line continuation
                i += 3 if data[i + 1 : i + 3] == b"\r\n" else 2
            else:
                out.append(e)
                i += 2
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
        out.append(c)
        i += 1
    return bytes(out), n


def _text_of(value: bytes) -> str:
    """A PDF string as text: UTF-16 or UTF-8 when marked so, else PDFDocEncoding (≈ Latin-1)."""
    if value.startswith(b"\xfe\xff"):
        return value[2:].decode("utf-16-be", "ignore")
    if value.startswith(b"\xff\xfe"):
        return value[2:].decode("utf-16-le", "ignore")
    if value.startswith(b"\xef\xbb\xbf"):
        return value[3:].decode("utf-8", "ignore")
    return value.decode("latin-1")


def _readings(data: bytes) -> Iterator[str]:
    """Every way a person could read ``data`` as text (its strings decoded, names unescaped)."""
    yield data.decode("latin-1")
    yield data.decode("utf-8", "ignore")
    if b"\x00" in data:
        yield data.decode("utf-16-be", "ignore")
        yield data.decode("utf-16-le", "ignore")
    yield "".join(_text_of(s) for s in _pdf_strings(data))
    yield re.sub(r"#([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), data.decode("latin-1"))


class _Terms:
    def __init__(self, terms: Sequence[str]) -> None:
        self.squashed = [s for s in (squash(t) for t in terms) if s]
        self.patterns = _byte_patterns(terms)

    def in_text(self, texts: Iterable[str]) -> bool:
        if not self.squashed:
            return False
        for text in texts:
            hay = squash(text)
            if any(term in hay for term in self.squashed):
                return True
        return False

    def in_bytes(self, data: bytes) -> bool:
        return any(p.search(data) for p in self.patterns)


# --- Keys that must not exist anywhere -------------------------------------------------------

_ANNOT_SUBTYPES = (
    "Text|Link|FreeText|Line|Square|Circle|Polygon|PolyLine|Highlight|Underline|Squiggly|"
    "StrikeOut|Caret|Stamp|Ink|Popup|FileAttachment|Sound|Movie|Screen|PrinterMark|TrapNet|"
    "Watermark|3D|Redact|Projection|RichMedia"
)
_ACTION_TYPES = (
    "GoTo|GoToR|GoToE|GoToDp|Launch|Thread|URI|Sound|Movie|Hide|Named|SubmitForm|ResetForm|"
    "ImportData|JavaScript|SetOCGState|Rendition|Trans|GoTo3DView|RichMediaExecute"
)
_KEYS: dict[str, re.Pattern[str]] = {
    "no_annotations": re.compile(
        rf"/Type\s*/Annot\b|/Subtype\s*/(?:{_ANNOT_SUBTYPES})\b"
        r"|/Annots\s*(?:\[\s*[^\]\s]|\d)"
    ),
    "no_form_fields": re.compile(r"/AcroForm\b|/Perms\b|/Subtype\s*/Widget\b|/FT\s*/|/XFA\b"),
    "no_metadata": re.compile(r"/PieceInfo\b"),
    "no_xmp": re.compile(r"/Metadata\b"),
    "no_embedded_files": re.compile(
        r"/EmbeddedFiles?\b|/EF\b|/AF\b|/Collection\b|/Type\s*/Filespec\b"
    ),
    "no_outline": re.compile(r"/Outlines\b|/Dests\b|/Threads\b"),
    "no_actions": re.compile(
        rf"/OpenAction\b|/AA\b|/JavaScript\b|/JS\b|/URI\b|/S\s*/(?:{_ACTION_TYPES})\b"
    ),
    "no_optional_content": re.compile(r"/OCProperties\b|/OC\b|/Type\s*/OCG\b|/Type\s*/OCMD\b"),
    "no_structure_tree": re.compile(
        r"/StructTreeRoot\b|/MarkInfo\b|/StructParents?\b|/ActualText\b|/Alt\b|/StructElem\b"
    ),
    "no_page_labels": re.compile(r"/PageLabels\b"),
    "no_thumbnails": re.compile(r"/Thumb\b"),
}
# Inside content streams: marked content that names a layer or carries replacement text.
_CONTENT_KEYS: dict[str, re.Pattern[bytes]] = {
    "no_optional_content": re.compile(rb"/OC\s*(?:/[^\s/<\[(]+|<<[^>]*>>)\s*BDC"),
    "no_structure_tree": re.compile(rb"/ActualText\b|/Alt\b|/MCID\b"),
    "no_xmp": re.compile(rb"<x:xmpmeta|<\?xpacket"),
}


@dataclass
class _Findings:
    """Where each check found something: descriptions (never text) and pages."""

    places: dict[str, list[str]] = field(default_factory=dict)
    pages: dict[str, set[int]] = field(default_factory=dict)

    def add(self, check: str, place: str, page: int | None = None) -> None:
        self.places.setdefault(check, []).append(place)
        if page is not None:
            self.pages.setdefault(check, set()).add(page)

    def check(self, name: str, ok_detail: str) -> Check:
        places = self.places.get(name, [])
        pages = tuple(sorted(self.pages.get(name, ())))
        if not places:
            return Check(name, True, ok_detail)
        shown = ", ".join(places[:8]) + (f" and {len(places) - 8} more" if len(places) > 8 else "")
        return Check(name, False, f"found in {shown}", pages)


# --- The checks ---------------------------------------------------------------------------------


def verify_redacted(
    pdf: bytes | Path,
    terms: Sequence[str],
    boxes: Sequence[RedactionBox],
    *,
    input_sha256: str = "",
    labels: Sequence[str] = (),
) -> VerificationReport:
    """Check a redacted PDF; every check is reported, passed or not.

    ``labels`` are the texts the export wrote into boxes on purpose (the
    only text allowed inside a box, and the only thing allowed to break a
    box's single colour).
    """
    data = Path(pdf).read_bytes() if isinstance(pdf, Path) else bytes(pdf)
    counts = {
        "input_sha256": input_sha256,
        "output_sha256": hashlib.sha256(data).hexdigest(),
        "boxes": len(boxes),
        "terms": len(terms),
    }
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # noqa: BLE001 - any failure to open is the finding
        check = Check("opens", False, f"the output does not open as a PDF ({type(exc).__name__})")
        return VerificationReport((check,), **counts)
    try:
        if doc.needs_pass or doc.page_count == 0:
            check = Check("opens", False, "the output is encrypted or has no pages")
            return VerificationReport((check,), pages=doc.page_count, **counts)
        checks = _run_checks(doc, data, _Terms(terms), boxes, labels)
        return VerificationReport(tuple(checks), pages=doc.page_count, **counts)
    finally:
        doc.close()


def _run_checks(
    doc: pymupdf.Document,
    data: bytes,
    terms: _Terms,
    boxes: Sequence[RedactionBox],
    labels: Sequence[str],
) -> list[Check]:
    findings = _Findings()
    _scan_objects(doc, terms, findings)
    _scan_raw(data, terms, findings)
    _scan_pages(doc, terms, findings)
    _scan_catalog(doc, findings)
    _scan_boxes(doc, boxes, labels, findings)
    revisions = max(data.count(b"startxref"), data.count(b"%%EOF"))
    repaired = doc.is_repaired
    return [
        Check("opens", not repaired, "MuPDF had to repair it" if repaired else "opens cleanly"),
        Check(
            "single_revision",
            revisions == 1 and not repaired,
            f"{revisions} revision(s) in the file",
        ),
        findings.check("no_terms_in_page_text", "page text searched with and without ActualText"),
        findings.check("no_terms_in_objects", f"{doc.xref_length() - 1} objects searched"),
        findings.check("no_terms_in_raw_bytes", f"{len(data)} bytes searched, streams inflated"),
        *(findings.check(name, _OK.get(name, "")) for name in CHECKS[5:]),
    ]


_OK = {
    "no_text_in_boxes": "no characters under any box",
    "box_area_uniform": "each box renders as one colour",
    "no_image_pixels_in_boxes": "image pixels under each box are blank",
    "no_line_art_in_boxes": "only the redaction fill under each box",
}


def _scan_objects(doc: pymupdf.Document, terms: _Terms, findings: _Findings) -> None:
    """Every object's dictionary and decoded stream, and the trailer."""
    sources: list[tuple[str, str]] = [("the trailer", doc.pdf_trailer())]
    for xref in range(1, doc.xref_length()):
        try:
            source = doc.xref_object(xref, compressed=True)
        except Exception:  # noqa: BLE001 - a free slot; the raw scan still sees its bytes
            continue
        sources.append((f"object {xref}", source))
        if doc.xref_is_stream(xref):
            _scan_stream(doc, xref, terms, findings)
    for place, source in sources:
        raw = source.encode("latin-1", "replace")
        if terms.in_text(_readings(raw)):
            findings.add("no_terms_in_objects", place)
        for name, pattern in _KEYS.items():
            if pattern.search(source):
                findings.add(name, place)


def _scan_stream(doc: pymupdf.Document, xref: int, terms: _Terms, findings: _Findings) -> None:
    try:
        stream = doc.xref_stream(xref)
    except Exception:  # noqa: BLE001 - undecodable: search what is stored instead
        stream = doc.xref_stream_raw(xref)
    stream = stream or b""
    binary = doc.xref_is_image(xref) or doc.xref_is_font(xref) or not _textual(stream)
    if terms.in_bytes(stream) or (not binary and terms.in_text(_readings(stream))):
        findings.add("no_terms_in_objects", f"stream {xref} ({_kind(doc, xref)})")
    if binary:
        return
    for name, pattern in _CONTENT_KEYS.items():
        if pattern.search(stream):
            findings.add(name, f"stream {xref} ({_kind(doc, xref)})")


def _kind(doc: pymupdf.Document, xref: int) -> str:
    """What a stream is, in words, so a failure names something a person can look for.

    A term can sit in a font program's or colour profile's own text (a
    copyright line): that is still a copy of it in the file, so it fails.
    """
    if doc.xref_is_image(xref):
        return "image"
    keys = set(doc.xref_get_keys(xref))
    kind = doc.xref_get_key(xref, "Type")[1]
    subtype = doc.xref_get_key(xref, "Subtype")[1]
    if keys & {"Length1", "Length2", "Length3"} or subtype in _FONT_FILES:
        return "font program"
    if {"N", "Alternate"} <= keys or ("N" in keys and not kind):
        return "colour profile"
    return _KINDS.get(kind) or _KINDS.get(subtype) or "content or other data"


_FONT_FILES = ("/Type1C", "/CIDFontType0C", "/OpenType")
_KINDS = {
    "/Metadata": "XMP metadata",
    "/EmbeddedFile": "embedded file",
    "/Form": "form XObject",
    "/ObjStm": "object stream",
}


_STREAM = re.compile(rb"stream\r?\n")


def _scan_raw(data: bytes, terms: _Terms, findings: _Findings) -> None:
    """The file as bytes, with every stream inflated, whether the xref points at it or not."""
    if terms.in_bytes(data):
        findings.add("no_terms_in_raw_bytes", "the file bytes")
    view = memoryview(data)  # slices without copying the rest of the file for every stream
    for match in _STREAM.finditer(data):
        try:
            inflated = zlib.decompressobj().decompress(view[match.end() :], 256 << 20)
        except zlib.error:
            continue
        if terms.in_bytes(inflated) or (_textual(inflated) and terms.in_text(_readings(inflated))):
            findings.add("no_terms_in_raw_bytes", f"the stream at byte {match.start()}")


def _scan_pages(doc: pymupdf.Document, terms: _Terms, findings: _Findings) -> None:
    """Page text as extraction reports it, including invisible and off-page text."""
    plain = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_PRESERVE_LIGATURES
    for page in doc:
        texts = (
            page.get_text("text", flags=flags, clip=pymupdf.INFINITE_RECT())  # off-page text too
            for flags in (plain, plain | pymupdf.TEXT_IGNORE_ACTUALTEXT)
        )
        if terms.in_text(texts):
            findings.add("no_terms_in_page_text", f"page {page.number + 1}", page.number)
        if list(page.annot_xrefs()):
            findings.add("no_annotations", f"page {page.number + 1}", page.number)


def _scan_catalog(doc: pymupdf.Document, findings: _Findings) -> None:
    """What PyMuPDF itself still reports, as a second opinion on the key scan."""
    if any(value for key, value in (doc.metadata or {}).items() if key not in _META_FIXED):
        findings.add("no_metadata", "the document information dictionary")
    if doc.xref_get_key(-1, "Info")[0] != "null":
        findings.add("no_metadata", "the trailer /Info")
    if doc.xref_xml_metadata():
        findings.add("no_xmp", "the catalog /Metadata")
    if doc.embfile_count():
        findings.add("no_embedded_files", f"{doc.embfile_count()} embedded file(s)")
    if doc.get_toc(simple=True):
        findings.add("no_outline", "the bookmarks")
    if doc.is_form_pdf:
        findings.add("no_form_fields", "the form")
    if doc.get_page_labels():
        findings.add("no_page_labels", "the page labels")
    if doc.get_ocgs():
        findings.add("no_optional_content", "the layer list")


_META_FIXED = ("format", "encryption")


# --- Under the boxes ---------------------------------------------------------------------------


def _scan_boxes(
    doc: pymupdf.Document,
    boxes: Sequence[RedactionBox],
    labels: Sequence[str],
    findings: _Findings,
) -> None:
    allowed = [squash(label) for label in labels if squash(label)]
    # What each page holds is read once, not once per box (20 boxes on a page
    # read its text, images and drawings 20 times).
    chars_of: dict[int, list[_Char]] = {}
    images_of: dict[int, list[dict[str, Any]]] = {}
    drawings_of: dict[int, list[dict[str, Any]]] = {}
    for index, box in enumerate(boxes, start=1):
        where = f"box {index} (page {box.page + 1})"
        if not 0 <= box.page < doc.page_count:
            for name in ("no_text_in_boxes", "box_area_uniform"):
                findings.add(name, f"box {index}: the page does not exist", box.page)
            continue
        page = doc[box.page]
        rect = pymupdf.Rect(box.rect)
        if box.page not in chars_of:
            chars_of[box.page] = _characters(page)
            images_of[box.page] = page.get_image_info(xrefs=True)
            drawings_of[box.page] = page.get_drawings()
        images = images_of[box.page]
        label_chars = _text_in_box(chars_of[box.page], page.number, rect, allowed, findings, where)
        colour = _uniform(page, rect, label_chars, images, findings, where)
        _images_in_box(doc, page, rect, images, findings, where)
        _line_art_in_box(page, rect, drawings_of[box.page], colour, findings, where)


#: A character of a page: (block, line) it belongs to, the character, its box.
_Char = tuple[tuple[int, int], str, tuple[float, float, float, float]]


def _characters(page: pymupdf.Page) -> list[_Char]:
    """Every visible-or-not, non-blank character of the page, off-page ones included.

    Read once per page: a page with 20 boxes read its text 20 times, which
    made verification ~20 times slower than the export it checks.
    """
    flags = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_IGNORE_ACTUALTEXT
    blocks = page.get_text("rawdict", flags=flags, clip=pymupdf.INFINITE_RECT())["blocks"]
    out: list[_Char] = []
    for b, block in enumerate(blocks):
        for n, line in enumerate(block.get("lines", ())):
            for span in line["spans"]:
                for char in span["chars"]:
                    if not char["c"].isspace():
                        out.append(((b, n), char["c"], tuple(char["bbox"])))  # type: ignore[arg-type]
    return out


def _text_in_box(
    chars: Sequence[_Char],
    page_no: int,
    rect: pymupdf.Rect,
    allowed: Sequence[str],
    findings: _Findings,
    where: str,
) -> list[pymupdf.Rect]:
    """Characters touching the box; returns the boxes of label characters (allowed text)."""
    rx0, ry0, rx1, ry1 = rect
    lines: dict[tuple[int, int], list[tuple[str, pymupdf.Rect]]] = {}
    for key, c, (x0, y0, x1, y1) in chars:
        # Rect.intersects: both non-empty and overlapping with a positive area.
        if x0 < x1 and y0 < y1 and x0 < rx1 and rx0 < x1 and y0 < ry1 and ry0 < y1:
            lines.setdefault(key, []).append((c, pymupdf.Rect(x0, y0, x1, y1)))
    label_boxes: list[pymupdf.Rect] = []
    for found in lines.values():
        text = squash("".join(c for c, _ in found))
        if text and any(text in label for label in allowed):
            label_boxes.extend(bbox for _, bbox in found)
        elif text:
            findings.add("no_text_in_boxes", f"{where}: {len(found)} character(s)", page_no)
    return label_boxes


def _margin(images: Sequence[dict[str, Any]], rect: pymupdf.Rect) -> float:
    """How far inside the box to look: 1 pt, more if a coarse image (a flattened page) is there."""
    margin = 1.0
    for info in images:
        bbox = pymupdf.Rect(info["bbox"])
        if bbox.intersects(rect) and info["width"] and info["height"]:
            pixel = max(bbox.width / info["width"], bbox.height / info["height"])
            margin = max(margin, 1.0 + 1.5 * pixel)
    return margin


def _grown(rect: pymupdf.Rect, by: float) -> pymupdf.Rect:
    return pymupdf.Rect(rect.x0 - by, rect.y0 - by, rect.x1 + by, rect.y1 + by)


def _shrunk(rect: pymupdf.Rect, margin: float) -> pymupdf.Rect:
    inner = _grown(rect, -margin)
    if inner.is_empty:  # a box thinner than the margins: look at its middle
        centre = (rect.tl + rect.br) / 2
        inner = _grown(pymupdf.Rect(centre, centre), 0.5)
    return inner


def _uniform(
    page: pymupdf.Page,
    rect: pymupdf.Rect,
    label_chars: Sequence[pymupdf.Rect],
    images: Sequence[dict[str, Any]],
    findings: _Findings,
    where: str,
) -> tuple[int, ...] | None:
    """Render the box (inside an antialiasing margin) and require a single colour."""
    clip = _shrunk(rect, _margin(images, rect)) & page.cropbox
    if clip.is_empty:
        return None
    scale = 2.0 if clip.width * clip.height < 200_000 else 1.0
    shown = clip * page.rotation_matrix  # get_pixmap clips in the page's displayed space
    pix = page.get_pixmap(
        matrix=pymupdf.Matrix(scale, scale), clip=shown, alpha=False, colorspace=pymupdf.csRGB
    )
    if pix.width == 0 or pix.height == 0:
        return None
    _, top = pix.color_topusage()
    colour = tuple(top)
    for bbox in label_chars:  # the label's glyphs are allowed to differ (pixmap coordinates)
        area = _grown(bbox, 1.0) * page.rotation_matrix * pymupdf.Matrix(scale, scale)
        pix.set_rect(area.irect & pix.irect, colour)
    if pix.color_count() != 1:
        findings.add("box_area_uniform", where, page.number)
    return colour


def _images_in_box(
    doc: pymupdf.Document,
    page: pymupdf.Page,
    rect: pymupdf.Rect,
    images: Sequence[dict[str, Any]],
    findings: _Findings,
    where: str,
) -> None:
    """Pixels of every image drawn under the box must be blank (one colour) there."""
    for info in images:
        bbox = pymupdf.Rect(info["bbox"])
        if not bbox.intersects(rect):
            continue
        xref = info.get("xref", 0)
        if not xref:
            findings.add("no_image_pixels_in_boxes", f"{where}: an inline image", page.number)
            continue
        try:
            pix = pymupdf.Pixmap(doc, xref)
            if pix.colorspace is None or pix.colorspace.n != 3 or pix.alpha:
                pix = pymupdf.Pixmap(pymupdf.csRGB, pix)
        except Exception:  # noqa: BLE001 - an image we cannot decode cannot be proven blank
            findings.add("no_image_pixels_in_boxes", f"{where}: undecodable image {xref}")
            continue
        to_unit = ~pymupdf.Matrix(info["transform"])
        pixel = max(bbox.width / max(pix.width, 1), bbox.height / max(pix.height, 1))
        inner = _shrunk(rect & bbox, 1.0 + 1.5 * pixel)
        unit = pymupdf.Rect(inner * to_unit)
        area = pymupdf.IRect(
            int(unit.x0 * pix.width),
            int(unit.y0 * pix.height),
            int(unit.x1 * pix.width + 0.999),
            int(unit.y1 * pix.height + 0.999),
        ) & pymupdf.IRect(0, 0, pix.width, pix.height)
        if not area.is_empty and pix.color_count(clip=area) > 1:
            findings.add("no_image_pixels_in_boxes", f"{where}: image {xref}", page.number)


def _line_art_in_box(
    page: pymupdf.Page,
    rect: pymupdf.Rect,
    drawings: Sequence[dict[str, Any]],
    colour: tuple[int, ...] | None,
    findings: _Findings,
    where: str,
) -> None:
    """Only plain filled rectangles of the box's own colour (the redaction fill) may touch it."""
    inner = _shrunk(rect, 0.5)
    for drawing in drawings:
        if not pymupdf.Rect(drawing["rect"]).intersects(inner):
            continue
        fill, stroke = drawing.get("fill"), drawing.get("color")
        is_fill_rect = (
            drawing.get("type") in ("f", "fs")
            and all(item[0] == "re" for item in drawing["items"])
            and fill is not None
            and (stroke is None or tuple(stroke) == tuple(fill))
        )
        same = (
            colour is not None
            and fill is not None
            and all(abs(round(c * 255) - v) <= 2 for c, v in zip(fill, colour, strict=False))
        )
        if not (is_fill_rect and same):
            findings.add("no_line_art_in_boxes", where, page.number)
            return
