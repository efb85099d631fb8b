"""Export a truly redacted PDF: remove what is under the boxes, scrub the rest, then verify.

Drawing a black box hides nothing; ``apply_redactions`` alone leaves a lot
behind (measured with PyMuPDF 1.28, see DESIGN.md): annotations and form
values even inside a box, metadata, XMP, embedded files, bookmarks, page
labels, structure ``/ActualText``, layers, JavaScript and thumbnails, and a
plain or incremental save keeps the removed text and the original images.
So the pipeline is a list of named steps (:data:`STEPS`), one per thing
that must go; tests skip each in turn and expect verification to fail, which
proves both that the step matters and that the verifier notices.

The output is written to a temporary file beside the target, verified by
:mod:`reviewer.core.redaction.verify` (which finds text its own way) and only
then moved into place, so a failed export never leaves a file that looks
finished.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymupdf

from reviewer.core.atomic import fsync_dir, temporary_beside
from reviewer.core.errors import DocumentError, PasswordRequired, ReviewerError
from reviewer.core.redaction.plan import (
    Rect,
    RedactionBox,
    RedactionCancelled,
    RedactionFailed,
    RedactionOptions,
    RedactionPlan,
)
from reviewer.core.redaction.verify import VerificationReport, verify_redacted

mu = pymupdf.mupdf

STEPS: tuple[str, ...] = (
    "annotations",  # every annotation but links and widgets (those have their own steps)
    "forms",  # widgets, their values and appearances, /AcroForm, usage-rights signatures
    "actions",  # links, /OpenAction, /AA, document JavaScript, /URI
    "apply",  # boxes and term hits: text, image pixels and touched line art removed
    "layers",  # hidden optional content dropped, /OC markers and /OCProperties removed
    "structure",  # /StructTreeRoot, /MarkInfo, marked-content /ActualText, /Alt, /MCID
    "metadata",  # document information dictionary, XMP on any object, /PieceInfo
    "embedded",  # embedded and associated files, portfolios
    "outline",  # bookmarks, named destinations, article threads
    "page_labels",
    "thumbnails",
    "garbage_save",  # full rewrite: unreferenced objects and earlier revisions dropped
)

MIN_PADDING = 2.0  # pt: MuPDF's extraction boxes reach up to ~1.5 pt past its removal boxes
LINE_ART_PADDING = 5.0  # pt where the box touches vector art that will be removed
_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE  # and no TEXT_MEDIABOX_CLIP: off-page text counts

Progress = Callable[[int, int], bool]


# --- Term matching ------------------------------------------------------------------------------
#
# An occurrence of a term is any run of page characters that equals the term once white
# space, dashes and case are ignored ("ZEBRA-4417-QUARTZ", "zebra 4417 quartz",
# "ZEBRA4417QUARTZ", or the term split across two lines). The verifier searches the same
# variants with its own code, so both must agree on this definition.

_SEPARATORS = frozenset(
    "-\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
    "\u200b\u200c\u200d\u2060\ufeff"
)


def _fold(text: str) -> str:
    """Case-fold and compatibility-normalise; drop white space and dashes."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in folded if not c.isspace() and c not in _SEPARATORS)


@dataclass(frozen=True)
class _Hit:
    """One line's part of a term occurrence.

    ``core`` overlaps every glyph of the occurrence and no glyph of another
    line: MuPDF removes any glyph whose box its rectangle touches, and on
    single-spaced text the glyph boxes of neighbouring lines overlap, so a
    rectangle as tall as the line deleted words above and below it (36 of
    9,291 words in a real filing). ``full`` is the glyphs' own boxes: what
    the fill covers and where image pixels (a scan under OCR text) go.
    """

    core: Rect
    full: Rect
    across: bool  # the line runs across the page (not up or down it)


def _term_hits(page: pymupdf.Page, terms: Sequence[str]) -> list[_Hit]:
    """Every occurrence of every term on ``page``, one hit per line it touches.

    Searched twice: once as MuPDF reports text (``/ActualText`` replaces the
    glyphs it covers) and once glyph by glyph, so neither spelling survives.
    """
    wanted = {f for f in (_fold(t) for t in terms) if f}
    hits: list[_Hit] = []
    if not wanted:
        return hits
    for flags in (_FLAGS, _FLAGS | pymupdf.TEXT_IGNORE_ACTUALTEXT):
        chars: list[tuple[Rect, int, bool]] = []  # glyph box, line number, line runs across
        folded: list[str] = []
        owner: list[int] = []
        everywhere = pymupdf.INFINITE_RECT()  # text placed off the page is still in the file
        for line_no, line in enumerate(_lines(page, flags, everywhere)):
            across = abs(line["dir"][0]) >= abs(line["dir"][1])
            for span in line["spans"]:
                for char in span["chars"]:
                    for piece in _fold(char["c"]):
                        folded.append(piece)
                        owner.append(len(chars))
                    chars.append((tuple(char["bbox"]), line_no, across))
        text = "".join(folded)
        for term in wanted:
            start = text.find(term)
            while start != -1:
                hit = range(owner[start], owner[start + len(term) - 1] + 1)
                hits.extend(h for h in _per_line([chars[i] for i in hit]) if h not in hits)
                start = text.find(term, start + 1)
    return hits


def _lines(page: pymupdf.Page, flags: int, clip: pymupdf.Rect) -> Iterator[dict[str, Any]]:
    for block in page.get_text("rawdict", flags=flags, clip=clip)["blocks"]:
        yield from block.get("lines", ())


def _per_line(chars: list[tuple[Rect, int, bool]]) -> list[_Hit]:
    lines: dict[int, list[tuple[Rect, bool]]] = {}
    for bbox, line_no, across in chars:
        lines.setdefault(line_no, []).append((bbox, across))
    hits = []
    for glyphs in lines.values():
        boxes = [pymupdf.Rect(b) for b, _ in glyphs if not pymupdf.Rect(b).is_empty]
        if not boxes:
            continue
        full = pymupdf.Rect(boxes[0])
        for box in boxes[1:]:
            full |= box
        across = glyphs[0][1]
        own: Rect = (full.x0, full.y0, full.x1, full.y1)
        hits.append(_Hit(_core(full, boxes, across=across), own, across))
    return hits


def _core(full: pymupdf.Rect, boxes: list[pymupdf.Rect], *, across: bool) -> Rect:
    """The middle third of the line's height, pulled in a little from both ends.

    Pulled in (by at most 0.5 pt, never past a glyph) so a glyph that merely
    abuts the occurrence ("Tessera’s") is not touched.
    """
    if across:
        inset = min(0.5, 0.3 * min(boxes[0].width, boxes[-1].width))
        third = full.height / 3
        return (full.x0 + inset, full.y0 + third, full.x1 - inset, full.y1 - third)
    inset = min(0.5, 0.3 * min(boxes[0].height, boxes[-1].height))
    third = full.width / 3
    return (full.x0 + third, full.y0 + inset, full.x1 - third, full.y1 - inset)


# --- Content streams ----------------------------------------------------------------------------
#
# Marked content (``BDC ... EMC``) carries /ActualText, /Alt and /MCID for the structure tree,
# and ``/OC /name BDC`` puts content in a layer. MuPDF has no call to drop either, so the
# two steps that need it rewrite content streams with this small lexer. It copies every
# byte it does not understand, so an unusual stream is left as it was, never mangled.

_SPACE = frozenset(b"\x00\t\n\x0c\r ")
_DELIM = frozenset(b"()<>[]{}/%")
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)")
_INLINE_END = re.compile(rb"[\x00\t\n\x0c\r ]EI(?=[\x00\t\n\x0c\r /\[<(%]|$)")


@dataclass(frozen=True)
class _Token:
    kind: str  # "op", "name", "string", "number", "array", "dict", "other"
    value: bytes  # operator keyword or name (no slash); raw bytes otherwise
    start: int
    end: int


def _skip_space(data: bytes, pos: int) -> int:
    n = len(data)
    while pos < n:
        c = data[pos]
        if c in _SPACE:
            pos += 1
        elif c == 0x25:  # % comment to end of line
            while pos < n and data[pos] not in (10, 13):
                pos += 1
        else:
            break
    return pos


def _string_end(data: bytes, pos: int) -> int:
    depth, n = 0, len(data)
    while pos < n:
        c = data[pos]
        if c == 0x5C:  # backslash escapes the next byte
            pos += 2
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return pos + 1
        pos += 1
    return n


def _regular_end(data: bytes, pos: int) -> int:
    n = len(data)
    while pos < n and data[pos] not in _SPACE and data[pos] not in _DELIM:
        pos += 1
    return pos


def _token(data: bytes, pos: int) -> _Token | None:
    pos = _skip_space(data, pos)
    if pos >= len(data):
        return None
    c = data[pos]
    if c == 0x28:  # (
        return _Token("string", b"", pos, _string_end(data, pos))
    if c == 0x3C and data[pos + 1 : pos + 2] == b"<":
        end = _container_end(data, pos + 2, b">>")
        return _Token("dict", data[pos:end], pos, end)
    if c == 0x3C:
        close = data.find(b">", pos)
        return _Token("string", b"", pos, len(data) if close == -1 else close + 1)
    if c == 0x5B:  # [
        end = _container_end(data, pos + 1, b"]")
        return _Token("array", b"", pos, end)
    if c == 0x2F:  # /
        end = _regular_end(data, pos + 1)
        return _Token("name", _decode_name(data[pos + 1 : end]), pos, end)
    if c in _DELIM:
        return _Token("other", data[pos : pos + 1], pos, pos + 1)
    end = _regular_end(data, pos)
    word = data[pos:end]
    if _NUMBER.fullmatch(word) or word in (b"true", b"false", b"null"):
        return _Token("number", word, pos, end)
    return _Token("op", word, pos, end)


def _container_end(data: bytes, pos: int, close: bytes) -> int:
    while True:
        pos = _skip_space(data, pos)
        if pos >= len(data):
            return len(data)
        if data.startswith(close, pos):
            return pos + len(close)
        token = _token(data, pos)
        if token is None:
            return len(data)
        pos = token.end


def _decode_name(raw: bytes) -> bytes:
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)


BdcRule = Callable[[bytes, _Token], str]  # (tag, properties) -> "keep" | "plain" | "drop"
DoRule = Callable[[bytes], bool]  # XObject name -> drop this Do?


def _edit_content(data: bytes, on_bdc: BdcRule, on_do: DoRule) -> bytes | None:
    """Rewrite marked content; return the new stream, or None when nothing changed.

    ``plain`` turns ``/Tag <<...>> BDC`` into ``/Tag BMC`` (properties gone,
    nesting kept); ``drop`` removes the section through its matching ``EMC``.
    """
    out = bytearray()
    copied = 0  # data[:copied] is already in out (or deliberately dropped)
    operands: list[_Token] = []
    dropping = 0  # depth of nested marked content inside a dropped section
    changed = False
    pos = 0
    while (token := _token(data, pos)) is not None:
        pos = token.end
        if token.kind != "op":
            operands.append(token)
            continue
        op, first = token.value, (operands[0].start if operands else token.start)
        operands, args = [], operands
        if op == b"BI":  # inline image: binary data up to EI
            match = _INLINE_END.search(data, pos)
            pos = len(data) if match is None else match.end()
            continue
        if dropping:
            if op in (b"BDC", b"BMC"):
                dropping += 1
            elif op == b"EMC":
                dropping -= 1
                if dropping == 0:
                    copied = token.end
            continue
        if op == b"BDC" and len(args) >= 2 and args[-2].kind == "name":
            tag, props = args[-2], args[-1]
            rule = on_bdc(tag.value, props)
            if rule == "drop":
                out += data[copied:first]
                dropping, changed = 1, True
            elif rule == "plain":
                out += data[copied:first] + b"/" + _encode_name(tag.value) + b" BMC"
                copied, changed = token.end, True
        elif op == b"Do" and args and args[-1].kind == "name" and on_do(args[-1].value):
            out += data[copied:first]
            copied, changed = token.end, True
    if not changed:
        return None
    if not dropping:
        out += data[copied:]
    return bytes(out)


def _encode_name(name: bytes) -> bytes:
    return b"".join(
        bytes([c]) if 0x21 <= c <= 0x7E and c not in _DELIM and c != 0x23 else b"#%02X" % c
        for c in name
    )


# --- PDF objects (MuPDF's own object API: deletes keys for real, unlike xref_set_key "null") --


def _pdf(doc: pymupdf.Document) -> Any:
    return mu.pdf_document_from_fz_document(doc.this)


def _catalog(pdf: Any) -> Any:
    return mu.pdf_dict_gets(mu.pdf_trailer(pdf), "Root")


def _del(obj: Any, *keys: str) -> None:
    """Delete keys from a dictionary (a null or non-dictionary is left alone)."""
    if mu.pdf_is_dict(obj):
        for key in keys:
            mu.pdf_dict_dels(obj, key)


def _name(obj: Any, key: str) -> str:
    value = mu.pdf_dict_gets(obj, key)
    return mu.pdf_to_name(value) if mu.pdf_is_name(value) else ""


def _items(obj: Any) -> list[Any]:
    """An array's members, or a single object as a one-member list."""
    if mu.pdf_is_array(obj):
        return [mu.pdf_array_get(obj, i) for i in range(mu.pdf_array_len(obj))]
    return [] if mu.pdf_is_null(obj) else [obj]


def _entries(obj: Any) -> list[tuple[str, Any]]:
    if not mu.pdf_is_dict(obj):
        return []
    return [
        (mu.pdf_to_name(mu.pdf_dict_get_key(obj, i)), mu.pdf_dict_get_val(obj, i))
        for i in range(mu.pdf_dict_len(obj))
    ]


def _all_dicts(pdf: Any) -> Iterator[tuple[int, Any]]:
    """Every object of the file that is a dictionary (stream dictionaries included)."""
    for xref in range(1, mu.pdf_xref_len(pdf)):
        try:
            obj = mu.pdf_load_object(pdf, xref)
        except Exception:  # noqa: BLE001 - a free or broken slot: nothing to scrub there
            continue
        if mu.pdf_is_dict(obj):
            yield xref, obj


def _delete_everywhere(pdf: Any, *keys: str) -> None:
    for _, obj in _all_dicts(pdf):
        _del(obj, *keys)


def _tidy_names(pdf: Any) -> None:
    catalog = _catalog(pdf)
    names = mu.pdf_dict_gets(catalog, "Names")
    if mu.pdf_is_dict(names) and mu.pdf_dict_len(names) == 0:
        _del(catalog, "Names")


def _filter_annots(doc: pymupdf.Document, drop: Callable[[str], bool]) -> None:
    """Remove from every page's /Annots the annotations whose subtype ``drop`` names."""
    pdf = _pdf(doc)
    for page_no in range(doc.page_count):
        page = mu.pdf_lookup_page_obj(pdf, page_no)
        annots = mu.pdf_dict_gets(page, "Annots")
        if not mu.pdf_is_array(annots):
            _del(page, "Annots")
            continue
        for i in reversed(range(mu.pdf_array_len(annots))):
            annot = mu.pdf_array_get(annots, i)
            if not mu.pdf_is_dict(annot) or drop(_name(annot, "Subtype")):
                mu.pdf_array_delete(annots, i)
        if mu.pdf_array_len(annots) == 0:
            _del(page, "Annots")


# --- Steps -----------------------------------------------------------------------------------


@dataclass
class _Run:
    doc: pymupdf.Document
    plan: RedactionPlan
    options: RedactionOptions
    progress: Progress | None
    total: int
    done: int = 0

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None and self.progress(self.done, self.total) is False:
            raise RedactionCancelled()


def _annotations(run: _Run) -> None:
    # Redact annotations already in the file go too: applying them would remove
    # content nobody put in this plan.
    _filter_annots(run.doc, lambda subtype: subtype not in ("Link", "Widget"))


def _forms(run: _Run) -> None:
    _filter_annots(run.doc, lambda subtype: subtype == "Widget")
    pdf = _pdf(run.doc)
    catalog = _catalog(pdf)
    # /Perms holds usage-rights signatures (they unlock form features and name /Annots).
    _del(catalog, "AcroForm", "NeedsRendering", "Perms", "Legal")


def _actions(run: _Run) -> None:
    _filter_annots(run.doc, lambda subtype: subtype == "Link")
    pdf = _pdf(run.doc)
    catalog = _catalog(pdf)
    for key in ("OpenAction", "URI"):
        _del(catalog, key)
    _del(mu.pdf_dict_gets(catalog, "Names"), "JavaScript")
    _delete_everywhere(pdf, "AA")
    _tidy_names(pdf)


def _apply(run: _Run) -> None:
    doc, options = run.doc, run.options
    by_page: dict[int, list[RedactionBox]] = {}
    for box in run.plan.boxes:
        if not 0 <= box.page < doc.page_count:
            raise ReviewerError(
                f"a redaction box is on page {box.page + 1}, "
                f"but the document has {doc.page_count} pages"
            )
        by_page.setdefault(box.page, []).append(box)
    for page_no in range(doc.page_count):
        drawn = by_page.get(page_no, [])
        boxes, padded = _redact_page(doc, page_no, drawn, run.plan.terms, options)
        _drop_empty_annots(doc, page_no)  # apply_redactions leaves "/Annots []" behind
        if boxes:
            if options.flatten:
                _flatten(doc, page_no, options.dpi)
            labelled = _labelled(boxes, padded, len(drawn), options)
            if labelled:
                _write_labels(doc[page_no], labelled, options.fill)
        run.tick()


MAX_PASSES = 4  # term search → removal, repeated while removal creates new occurrences
_APPLY_TEXT = {  # every argument explicit: the graphics default differs between docs and code
    "images": pymupdf.PDF_REDACT_IMAGE_PIXELS,
    "graphics": pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_TOUCHED,
    "text": pymupdf.PDF_REDACT_TEXT_REMOVE,
}
_APPLY_AREA = {**_APPLY_TEXT, "text": pymupdf.PDF_REDACT_TEXT_NONE}


def _redact_page(
    doc: pymupdf.Document,
    page_no: int,
    drawn: list[RedactionBox],
    terms: Sequence[str],
    options: RedactionOptions,
) -> tuple[list[RedactionBox], list[Rect]]:
    """Remove everything under the drawn boxes and every term occurrence on one page.

    Two ``apply_redactions`` per round. The first removes text: under each
    drawn box's padded area, and under each term hit's thin core (see
    :class:`_Hit`). The second removes no text: it blanks image pixels and
    line art under every area and paints the fills (all of them, every
    round, since removing line art would take an earlier round's fill).
    Removing an occurrence can join its neighbours into a new one
    ("QQXQQXYZYZ" minus "QQXYZ" reads "QQXYZ"), so the page is searched
    again after each round until none is left. Returns every box and its
    padded area, drawn boxes first.
    """
    page = doc[page_no]
    boxes: list[RedactionBox] = list(drawn)
    areas = _padded(page, [(box.rect, None) for box in drawn], options.padding)
    text_cuts = list(areas)
    for _ in range(MAX_PASSES):
        hits = _term_hits(page, terms)
        for rect in [*text_cuts, *(hit.core for hit in hits)]:
            page.add_redact_annot(rect, fill=False, cross_out=False)
        page.apply_redactions(**_APPLY_TEXT)  # every page, boxes or not
        text_cuts = []
        boxes += [RedactionBox(page_no, hit.full) for hit in hits]
        areas += _padded(page, [(hit.full, hit.across) for hit in hits], options.padding)
        for rect in areas:
            page.add_redact_annot(rect, fill=options.fill, cross_out=False)
        page.apply_redactions(**_APPLY_AREA)
        page = doc[page_no]
        if not hits:
            break
    return boxes, areas


def _labelled(
    boxes: Sequence[RedactionBox], padded: Sequence[Rect], drawn: int, options: RedactionOptions
) -> list[tuple[Rect, str]]:
    """Labels for the drawn boxes, and for term hits no drawn box already labels."""
    labelled: list[tuple[Rect, str]] = []
    for i, (box, rect) in enumerate(zip(boxes, padded, strict=True)):
        text = label_for(options, box)
        if not text:
            continue
        if i >= drawn and any(pymupdf.Rect(rect).intersects(r) for r, _ in labelled):
            continue
        labelled.append((rect, text))
    return labelled


def _grown(rect: Rect | pymupdf.Rect, by: float) -> pymupdf.Rect:
    x0, y0, x1, y1 = rect
    return pymupdf.Rect(x0 - by, y0 - by, x1 + by, y1 + by)


def _drop_empty_annots(doc: pymupdf.Document, page_no: int) -> None:
    page = mu.pdf_lookup_page_obj(_pdf(doc), page_no)
    annots = mu.pdf_dict_gets(page, "Annots")
    if mu.pdf_is_array(annots) and mu.pdf_array_len(annots) == 0:
        _del(page, "Annots")


def _padded(
    page: pymupdf.Page, rects: Sequence[tuple[Rect, bool | None]], padding: float
) -> list[Rect]:
    """Each rectangle grown by the padding; by more where it touches line art that will go.

    A term hit (its line direction given: True when the line runs across
    the page) grows across its line only over images, where a scan's ink
    may reach past the OCR glyph box; over vector text that would paint
    over the neighbouring lines. A drawn box (``None``) grows all round.
    """
    pad = max(padding, MIN_PADDING)
    art: list[pymupdf.Rect] | None = None
    images = [pymupdf.Rect(i["bbox"]) for i in page.get_image_info()] if rects else []
    grown: list[Rect] = []
    for rect_like, across in rects:
        rect = pymupdf.Rect(rect_like)
        if across is not None and not any(rect.intersects(i) for i in images):
            grown.append(_stretched(rect, pad, across=across))
            continue
        rect = _grown(rect_like, pad)
        if pad < LINE_ART_PADDING:
            if art is None:
                art = [
                    pymupdf.Rect(r)
                    for kind, r in page.get_bboxlog()
                    if kind in ("fill-path", "stroke-path")
                ]
            if any(rect.intersects(r) for r in art):
                rect = _grown(rect_like, LINE_ART_PADDING)
        grown.append((rect.x0, rect.y0, rect.x1, rect.y1))
    return grown


def _stretched(rect: pymupdf.Rect, pad: float, *, across: bool) -> Rect:
    """Grown along its line only."""
    if across:
        return (rect.x0 - pad, rect.y0, rect.x1 + pad, rect.y1)
    return (rect.x0, rect.y0 - pad, rect.x1, rect.y1 + pad)


def _flatten(doc: pymupdf.Document, page_no: int, dpi: int) -> None:
    """Replace the page by a picture of itself: no text layer, no gap widths to measure."""
    page = doc[page_no]
    rotation = page.rotation
    page.set_rotation(0)  # draw in unrotated space, the space the new content lives in
    pixmap = page.get_pixmap(dpi=dpi, alpha=False, annots=False)
    rect = page.rect
    pdf = _pdf(doc)
    obj = mu.pdf_lookup_page_obj(pdf, page_no)
    for key in ("Contents", "Resources", "Group"):
        _del(obj, key)
    page = doc[page_no]
    page.insert_image(rect, pixmap=pixmap)
    page.set_rotation(rotation)


LABEL_FONT = "RvLabel"  # resource name of the label font (MuPDF's Helvetica, embedded)


def _write_labels(
    page: pymupdf.Page, labelled: Sequence[tuple[Rect, str]], fill: Sequence[float]
) -> None:
    """Write each label centred in its (padded) box, along the box's long side.

    Written after removal, so it is the only text there. The font is
    embedded because the Base-14 encoding has no em dash ("REDACTED — SSN").
    Labels follow the box, not the page's /Rotate: text runs along the long
    side, as the text it replaced did. A label that does not fit at 4 pt is
    left out (the box stays plain).
    """
    colour = (1.0, 1.0, 1.0) if sum(fill) / 3 < 0.5 else (0.0, 0.0, 0.0)
    buffer = pymupdf.Font("helv").buffer
    page.insert_font(fontname=LABEL_FONT, fontbuffer=buffer)
    scratch = pymupdf.open()
    try:
        trial = scratch.new_page()
        trial.insert_font(fontname=LABEL_FONT, fontbuffer=buffer)
        for rect_like, text in labelled:
            rect = pymupdf.Rect(rect_like)
            across = rect.width >= rect.height
            length, short = (rect.width, rect.height) if across else (rect.height, rect.width)
            size = min(10.0, short * 0.6)
            while size >= 4.0:
                # How much of the box one line needs: measured, as MuPDF will lay it out.
                spare = trial.insert_textbox(
                    pymupdf.Rect(0, 0, length, short), text, fontname=LABEL_FONT, fontsize=size
                )
                if spare >= 0:
                    break
                size -= 1.0
            else:
                continue
            inset = spare / 2
            area = rect + ((0, inset, 0, -inset) if across else (inset, 0, -inset, 0))
            page.insert_textbox(
                area,
                text,
                fontname=LABEL_FONT,
                fontsize=size,
                color=colour,
                align=pymupdf.TEXT_ALIGN_CENTER,
                rotate=0 if across else 90,
            )
    finally:
        scratch.close()


def label_for(options: RedactionOptions, box: RedactionBox) -> str:
    """The text written into ``box`` ("" for none); boxes found from terms have no label name."""
    if not options.label_text:
        return ""
    return options.label_text.replace("{label}", box.label).strip(" —–-:")


def _layers(run: _Run) -> None:
    pdf = _pdf(run.doc)
    visibility = _Visibility(pdf)
    for content in _content_streams(run.doc, pdf):
        content.rewrite(run.doc, *_layer_rules(visibility, content))
    for _, obj in _all_dicts(pdf):
        _del(obj, "OC")
        properties = mu.pdf_dict_gets(obj, "Properties")
        for key, value in _entries(properties):
            if _name(value, "Type") in ("OCG", "OCMD"):
                _del(properties, key)
    _del(_catalog(pdf), "OCProperties")


def _layer_rules(visibility: _Visibility, content: _Content) -> tuple[BdcRule, DoRule]:
    """Hidden layer content is dropped; visible layer content loses only its /OC marker."""

    def on_bdc(tag: bytes, props: _Token) -> str:
        if tag != b"OC":
            return "keep"
        if props.kind != "name":
            return "drop"  # an inline /OC dictionary cannot name its groups: treat as hidden
        return "drop" if visibility.hidden(content.property(props.value)) else "plain"

    def on_do(name: bytes) -> bool:
        return visibility.hidden(mu.pdf_dict_gets(content.xobject(name), "OC"))

    return on_bdc, on_do


class _Visibility:
    """Which optional content is hidden in the default configuration (/OCProperties /D)."""

    def __init__(self, pdf: Any) -> None:
        properties = mu.pdf_dict_gets(_catalog(pdf), "OCProperties")
        self.present = mu.pdf_is_dict(properties)
        config = mu.pdf_dict_gets(properties, "D")
        self.base_off = _name(config, "BaseState") == "OFF"
        self.on = {mu.pdf_to_num(o) for o in _items(mu.pdf_dict_gets(config, "ON"))}
        self.off = {mu.pdf_to_num(o) for o in _items(mu.pdf_dict_gets(config, "OFF"))}

    def group_hidden(self, ref: Any) -> bool:
        num = mu.pdf_to_num(ref)
        return num not in self.on if self.base_off else num in self.off

    def hidden(self, oc: Any) -> bool:
        """True when content marked with ``oc`` (an OCG or OCMD) is not shown."""
        if not self.present or mu.pdf_is_null(oc):
            return False
        kind = _name(oc, "Type")
        if kind == "OCG":
            return self.group_hidden(oc)
        if kind == "OCMD":
            expression = mu.pdf_dict_gets(oc, "VE")
            if mu.pdf_is_array(expression):
                return not self._visible(expression)
            shown = [not self.group_hidden(g) for g in _items(mu.pdf_dict_gets(oc, "OCGs"))]
            if not shown:
                return False
            policy = _name(oc, "P") or "AnyOn"
            visible = {
                "AllOn": all(shown),
                "AnyOff": not all(shown),
                "AllOff": not any(shown),
            }.get(policy, any(shown))
            return not visible
        return True  # not a layer we understand: what it hides goes

    def _visible(self, expression: Any) -> bool:
        members = _items(expression)
        if not members or not mu.pdf_is_name(members[0]):
            return False
        results = [
            self._visible(m) if mu.pdf_is_array(m) else not self.group_hidden(m)
            for m in members[1:]
        ]
        op = mu.pdf_to_name(members[0])
        if op == "Not":
            return not results[0] if results else False
        return all(results) if op == "And" else any(results)


@dataclass
class _Content:
    """One content stream (a page's, joined if split, or a form's) and its resources."""

    xrefs: list[int]
    resources: Any
    page_xref: int = 0  # set for a page, whose /Contents is replaced by one stream

    def property(self, name: bytes) -> Any:
        return self._resource("Properties", name)

    def xobject(self, name: bytes) -> Any:
        return self._resource("XObject", name)

    def _resource(self, category: str, name: bytes) -> Any:
        return mu.pdf_dict_gets(mu.pdf_dict_gets(self.resources, category), name.decode("latin-1"))

    def rewrite(self, doc: pymupdf.Document, on_bdc: BdcRule, on_do: DoRule) -> None:
        xrefs = [x for x in self.xrefs if doc.xref_is_stream(x)]  # a damaged file may lie
        if not xrefs:
            return
        data = b"\n".join(doc.xref_stream(x) or b"" for x in xrefs)
        edited = _edit_content(data, on_bdc, on_do)
        if edited is None:
            return
        doc.update_stream(xrefs[0], edited)
        if self.page_xref and len(self.xrefs) > 1:
            doc.xref_set_key(self.page_xref, "Contents", f"{xrefs[0]} 0 R")


def _content_streams(doc: pymupdf.Document, pdf: Any) -> Iterator[_Content]:
    """Every page's content, then every form XObject and tiling pattern they reach."""
    seen: set[int] = set()
    for page_no in range(doc.page_count):
        page = doc[page_no]
        obj = mu.pdf_lookup_page_obj(pdf, page_no)
        resources = mu.pdf_dict_get_inheritable(obj, mu.pdf_new_name("Resources"))
        xrefs = page.get_contents()
        if xrefs:
            yield _Content(xrefs, resources, page.xref)
        yield from _nested(resources, seen)


def _nested(resources: Any, seen: set[int]) -> Iterator[_Content]:
    for category in ("XObject", "Pattern"):
        for _, ref in _entries(mu.pdf_dict_gets(resources, category)):
            if not mu.pdf_is_indirect(ref) or not mu.pdf_is_stream(ref):
                continue
            num = mu.pdf_to_num(ref)
            if num in seen:
                continue
            if category == "XObject" and _name(ref, "Subtype") != "Form":
                continue
            seen.add(num)
            own = mu.pdf_dict_gets(ref, "Resources")
            inner = own if mu.pdf_is_dict(own) else resources
            yield _Content([num], inner)
            yield from _nested(inner, seen)


def _structure(run: _Run) -> None:
    pdf = _pdf(run.doc)

    def on_bdc(tag: bytes, props: _Token) -> str:
        return "keep" if tag == b"OC" else "plain"

    for content in _content_streams(run.doc, pdf):
        content.rewrite(run.doc, on_bdc, lambda name: False)
    catalog = _catalog(pdf)
    for key in ("StructTreeRoot", "MarkInfo"):
        _del(catalog, key)
    for _, obj in _all_dicts(pdf):
        for key in ("StructParents", "StructParent", "ActualText", "Alt"):
            _del(obj, key)
        properties = mu.pdf_dict_gets(obj, "Properties")
        for key, value in _entries(properties):
            if _name(value, "Type") not in ("OCG", "OCMD"):
                _del(properties, key)


def _metadata(run: _Run) -> None:
    run.doc.set_metadata({})
    run.doc.del_xml_metadata()
    pdf = _pdf(run.doc)
    _del(mu.pdf_trailer(pdf), "Info")
    _del(_catalog(pdf), "Info")
    _delete_everywhere(pdf, "Metadata", "PieceInfo")


def _embedded(run: _Run) -> None:
    for name in run.doc.embfile_names():
        run.doc.embfile_del(name)
    pdf = _pdf(run.doc)
    catalog = _catalog(pdf)
    _del(mu.pdf_dict_gets(catalog, "Names"), "EmbeddedFiles")
    _del(catalog, "Collection")
    _delete_everywhere(pdf, "AF", "EF")
    _tidy_names(pdf)


def _outline(run: _Run) -> None:
    run.doc.set_toc([])
    pdf = _pdf(run.doc)
    catalog = _catalog(pdf)
    for key in ("Outlines", "Dests", "Threads"):
        _del(catalog, key)
    _del(mu.pdf_dict_gets(catalog, "Names"), "Dests")
    if _name(catalog, "PageMode") in ("UseOutlines", "UseAttachments", "UseOC"):
        _del(catalog, "PageMode")
    for page_no in range(run.doc.page_count):
        _del(mu.pdf_lookup_page_obj(pdf, page_no), "B")
    _tidy_names(pdf)


def _page_labels(run: _Run) -> None:
    _del(_catalog(_pdf(run.doc)), "PageLabels")


def _thumbnails(run: _Run) -> None:
    pdf = _pdf(run.doc)
    for page_no in range(run.doc.page_count):
        _del(mu.pdf_lookup_page_obj(pdf, page_no), "Thumb")


_STEP_FUNCTIONS: dict[str, Callable[[_Run], None]] = {
    "annotations": _annotations,
    "forms": _forms,
    "actions": _actions,
    "apply": _apply,
    "layers": _layers,
    "structure": _structure,
    "metadata": _metadata,
    "embedded": _embedded,
    "outline": _outline,
    "page_labels": _page_labels,
    "thumbnails": _thumbnails,
}


def _check_steps(skip: frozenset[str]) -> None:
    unknown = skip - set(STEPS)
    if unknown:
        raise ValueError(f"unknown redaction steps: {sorted(unknown)}")


def redact_document(
    doc: pymupdf.Document,
    plan: RedactionPlan,
    options: RedactionOptions,
    *,
    skip: frozenset[str] = frozenset(),
    progress: Progress | None = None,
    file_id: bytes | None = None,
) -> bytes:
    """Redact ``doc`` in place and return the saved PDF bytes.

    ``file_id`` (16 bytes) becomes the trailer's /ID instead of MuPDF's
    random one, so the same input and plan give the same bytes (a
    submission bundle carrying the copy is then the same file too), and the
    output carries no identifier of the original.

    ``doc`` must be a copy opened for this purpose: it is changed beyond
    further use. Steps run in the order of :data:`STEPS`; every page gets
    ``apply_redactions`` with explicit arguments, boxes or not.

    ``skip`` names steps to leave out; only the mutation tests use it, to
    show that verification fails without each one. ``progress(done, total)``
    is called after every step and every page; returning False cancels with
    :class:`RedactionCancelled`.
    """
    _check_steps(skip)
    if not doc.is_pdf:
        raise ReviewerError("only PDF documents can be redacted")
    run = _Run(doc, plan, options, progress, total=len(STEPS) + doc.page_count)
    for step in STEPS[:-1]:
        if step not in skip:
            _STEP_FUNCTIONS[step](run)
        elif step == "apply":
            run.done += doc.page_count
        run.tick()
    if file_id is not None:
        doc.xref_set_key(-1, "ID", f"[<{file_id.hex()}><{file_id.hex()}>]")
    keep_id = file_id is not None
    if "garbage_save" in skip:
        data = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_NONE, no_new_id=keep_id)
    else:
        # Only a full rewrite drops what the steps unreferenced: the removed text,
        # the original images, earlier revisions.
        data = doc.tobytes(
            garbage=4,
            clean=True,
            deflate=True,
            encryption=pymupdf.PDF_ENCRYPT_NONE,
            no_new_id=keep_id,
        )
    run.tick()
    return data


# --- Export ------------------------------------------------------------------------------------


def _open_copy(source: Path, data: bytes, password: str | None) -> pymupdf.Document:
    """Open the bytes read from ``source``; every failure names the file."""
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except (pymupdf.FileDataError, pymupdf.EmptyFileError, RuntimeError, ValueError) as exc:
        raise DocumentError(
            source, f"this is not a PDF reviewer can redact, or it is damaged ({exc})"
        ) from exc
    if doc.needs_pass:
        if password is None:
            doc.close()
            raise PasswordRequired(source, wrong_password=False)
        if not doc.authenticate(password):
            doc.close()
            raise PasswordRequired(source, wrong_password=True)
    if doc.page_count == 0:
        doc.close()
        raise DocumentError(source, "the document has no pages")
    return doc


def _labels_used(plan: RedactionPlan, options: RedactionOptions) -> list[str]:
    boxes = [*plan.boxes, RedactionBox(0, (0, 0, 0, 0))]  # the last: a term hit's label
    return sorted({text for box in boxes if (text := label_for(options, box))})


def export_redacted(
    source: Path,
    target: Path,
    plan: RedactionPlan,
    options: RedactionOptions = RedactionOptions(),  # noqa: B008 - frozen, safe to share
    *,
    password: str | None = None,
    skip: frozenset[str] = frozenset(),
    progress: Progress | None = None,
    report_path: Path | None = None,
) -> VerificationReport:
    """Write a redacted copy of ``source`` to ``target`` only if it passes verification.

    The copy is written beside ``target`` (same file system, so the final
    ``os.replace`` is atomic), flushed to disk, verified, and only then moved
    into place. On failure the temporary file is removed, an existing
    ``target`` is left untouched and :class:`RedactionFailed` carries the
    report. On success the report is also written as JSON to ``report_path``
    (default: ``target`` with the suffix ``.redaction.json``).
    """
    source, target = Path(source), Path(target)
    _check_steps(skip)
    try:
        data = source.read_bytes()
    except FileNotFoundError as exc:
        raise DocumentError(source, "the file does not exist") from exc
    except OSError as exc:
        raise DocumentError(source, f"the file cannot be read ({exc.strerror})") from exc
    if not data:
        raise DocumentError(source, "the file is empty")
    input_sha256 = hashlib.sha256(data).hexdigest()
    doc = _open_copy(source, data, password)
    try:
        file_id = hashlib.sha256(f"{input_sha256}|{plan!r}|{options!r}".encode()).digest()[:16]
        redacted = redact_document(
            doc, plan, options, skip=skip, progress=progress, file_id=file_id
        )
    except (RuntimeError, ValueError, mu.FzErrorBase) as exc:
        # MuPDF gave up on an object half-way (a damaged file it only partly repaired).
        problem = f"the document is damaged and cannot be redacted ({exc})"
        raise DocumentError(source, problem) from exc
    finally:
        doc.close()
    temp = _write_temp(target, redacted)
    try:
        report = verify_redacted(
            temp,
            plan.terms,
            plan.boxes,
            input_sha256=input_sha256,
            labels=_labels_used(plan, options),
        )
        if not report.passed:
            raise RedactionFailed(target, report)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    fsync_dir(target.parent)
    report_file = report_path or target.with_suffix(".redaction.json")
    payload = json.dumps(report.as_json(), indent=2, sort_keys=True).encode()
    os.replace(_write_temp(report_file, payload), report_file)
    fsync_dir(report_file.parent)
    return report


def _write_temp(target: Path, data: bytes) -> Path:
    """Write ``data`` to a new hidden file beside ``target`` and flush it to disk."""
    try:
        fd, name = temporary_beside(target)
    except OSError as exc:
        raise DocumentError(target, f"cannot write beside this file ({exc.strerror})") from exc
    temp = Path(name)
    try:
        if target.exists():  # a replaced export keeps its permissions (mkstemp makes 0600)
            os.chmod(temp, stat.S_IMODE(target.stat().st_mode))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise DocumentError(target, f"the file could not be written ({exc.strerror})") from exc
    return temp
