"""A PDF with one secret planted in every place a PDF can hide text (tests only).

A redaction that passes on a clean one-line PDF proves little: the copies
that leak are the ones nobody looks at (a sticky note, the XMP packet, a
bookmark, text in a hidden layer, a form XObject two pages share). This
generator puts the same secret in each of them, so a test can show that
every copy is gone and a mutation test can show which step removes which.

Visible places are covered by the returned boxes; every other place must be
removed by a scrubbing step, never by a box. Each box has neighbour words
("Keep-Left", "Keep-Right") just outside its padding, to catch over-removal.

The page content is written by hand (raw operators) so each construct is
exactly what real files contain: marked content with ``/ActualText`` and
``/MCID``, ``/OC`` layers, ``3 Tr`` invisible OCR text, shared ``Do`` forms.
"""

from __future__ import annotations

from pathlib import Path

import pymupdf

from reviewer.core.redaction.plan import RedactionBox

PAGE_W, PAGE_H = 612.0, 792.0
FONT_SIZE = 11.0
NEIGHBOURS = ("Keep-Left", "Keep-Right")
GAP = 9.0  # pt between a neighbour word and the secret: wider than the largest padding (5 pt)


def _width(text: str, size: float = FONT_SIZE) -> float:
    return pymupdf.get_text_length(text, fontname="helv", fontsize=size)


def _pdf_string(text: str) -> str:
    """A PDF literal string for ASCII text."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return f"({escaped})"


def _show(x: float, y: float, text: str, size: float = FONT_SIZE, mode: int = 0) -> str:
    """Operators showing ``text`` with its baseline at (x, y) in MuPDF's y-down space."""
    return (
        f"BT /F1 {size:g} Tf {mode} Tr 1 0 0 1 {x:.2f} {PAGE_H - y:.2f} Tm "
        f"{_pdf_string(text)} Tj ET\n"
    )


def _line_with_neighbours(x: float, y: float, secret: str, mark: str = "") -> tuple[str, float]:
    """Keep-Left, the secret, Keep-Right on one baseline; returns operators and secret x."""
    left, right = NEIGHBOURS
    sx = x + _width(left) + GAP
    rx = sx + _width(secret) + GAP
    shown = _show(sx, y, secret)
    if mark:
        shown = f"{mark} BDC\n{shown}EMC\n"
    return _show(x, y, left) + shown + _show(rx, y, right), sx


def _new_object(doc: pymupdf.Document, source: str) -> int:
    xref = doc.get_new_xref()
    doc.update_object(xref, source)
    return xref


def _new_stream(doc: pymupdf.Document, dictionary: str, data: bytes) -> int:
    xref = _new_object(doc, dictionary)
    doc.update_stream(xref, data)
    return xref


def _set_page_content(doc: pymupdf.Document, page_no: int, ops: str) -> None:
    xref = _new_stream(doc, "<<>>", ops.encode("latin-1"))
    doc.xref_set_key(doc.page_xref(page_no), "Contents", f"{xref} 0 R")


def _secret_png(secret: str) -> tuple[bytes, float]:
    """An RGB image with the secret drawn into its pixels (left part) and a public word."""
    scratch = pymupdf.open()
    page = scratch.new_page(width=360, height=50)
    page.insert_text((6, 33), secret, fontsize=20)
    page.insert_text((310, 33), "public", fontsize=14)
    png = page.get_pixmap(dpi=144, alpha=False).tobytes("png")
    secret_width = 6 + pymupdf.get_text_length(secret, fontname="helv", fontsize=20) + 6
    scratch.close()
    return png, secret_width  # width in the 360-pt-wide image space


def _xmp(secret: str) -> str:
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title><rdf:Alt><rdf:li xml:lang='x-default'>{secret}</rdf:li></rdf:Alt>"
        "</dc:title></rdf:Description></rdf:RDF></x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    )


def make_secret_pdf(path: Path, secret: str = "ZEBRA-4417-QUARTZ") -> list[RedactionBox]:
    """Write a 4-page PDF hiding ``secret`` everywhere; return the boxes over its visible places.

    Page 1 holds visible text (tagged, with ``/ActualText``), an image with
    the secret in its pixels and invisible OCR text over it, vector art,
    every common annotation type, a form field, a link and text in a hidden
    layer. Page 2 is ``/Rotate 90``. Pages 3 and 4 share one form XObject
    containing the secret. The document also carries it in metadata, XMP,
    an embedded file, a bookmark, a page label, the structure tree,
    JavaScript and actions, and a page thumbnail.
    """
    doc = pymupdf.open()
    for _ in range(4):
        doc.new_page(width=PAGE_W, height=PAGE_H)
    font = _new_object(
        doc, "<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>"
    )
    boxes: list[RedactionBox] = []
    secret_w = _width(secret)

    def text_box(page_no: int, x: float, baseline: float) -> RedactionBox:
        # Helvetica's glyphs span about 0.95 em above and 0.25 em below the baseline.
        return RedactionBox(
            page_no,
            (x, baseline - 0.95 * FONT_SIZE, x + secret_w, baseline + 0.25 * FONT_SIZE),
            "SECRET",
        )

    # Page 1 -------------------------------------------------------------------------------
    ocg = _new_object(doc, f"<</Type/OCG/Name {_pdf_string('Layer ' + secret)}>>")
    tagged = f"/Span <</MCID 0/ActualText {_pdf_string(secret)}>>"
    ops, sx = _line_with_neighbours(72, 120, secret, tagged)
    boxes.append(text_box(0, sx, 120))

    # An image with the secret in its pixels, and invisible OCR text over it.
    png, img_secret_w = _secret_png(secret)
    img_x, img_top, img_w, img_h = 72 + _width(NEIGHBOURS[0]) + GAP, 170.0, 360.0, 50.0
    ops += _show(72, 200, NEIGHBOURS[0])
    image_box = (img_x, img_top, img_x + img_secret_w, img_top + img_h)
    ops += _show(image_box[2] + GAP, 200, NEIGHBOURS[1])
    ocr_size = FONT_SIZE * (img_secret_w - 12) / secret_w
    ops += _show(img_x + 6, img_top + 33, secret, size=ocr_size, mode=3)
    boxes.append(RedactionBox(0, image_box, "IMAGE"))

    # Vector art (a filled shape and a stroked line) under a box.
    art = (72 + _width(NEIGHBOURS[0]) + GAP, 250.0, 72 + _width(NEIGHBOURS[0]) + GAP + 120, 280.0)
    ops += _show(72, 270, NEIGHBOURS[0]) + _show(art[2] + GAP, 270, NEIGHBOURS[1])
    ops += (
        f"q 1 0 0 rg {art[0]:.2f} {PAGE_H - art[3]:.2f} {art[2] - art[0]:.2f} "
        f"{art[3] - art[1]:.2f} re f 0 0 1 RG 2 w {art[0] + 4:.2f} {PAGE_H - 265:.2f} m "
        f"{art[2] - 4:.2f} {PAGE_H - 265:.2f} l S Q\n"
    )
    boxes.append(RedactionBox(0, art, "ART"))

    # Text in a hidden optional-content layer, far from every box.
    ops += f"/OC /L1 BDC\n{_show(72, 700, 'Hidden-Layer ' + secret)}EMC\n"
    ops += _show(72, 80, "Public heading that must stay")
    _set_page_content(doc, 0, ops)
    doc[0].insert_image(
        pymupdf.Rect(img_x, img_top, img_x + img_w, img_top + img_h), stream=png, overlay=False
    )
    xobjects = doc.xref_get_key(doc.page_xref(0), "Resources/XObject")[1]
    doc.xref_set_key(
        doc.page_xref(0),
        "Resources",
        f"<</Font<</F1 {font} 0 R>>/XObject{xobjects}/Properties<</L1 {ocg} 0 R>>>>",
    )

    # Page 2: rotated, boxes given in unrotated space. ----------------------------------------
    ops, sx = _line_with_neighbours(72, 300, secret)
    _set_page_content(doc, 1, ops)
    doc.xref_set_key(doc.page_xref(1), "Resources", f"<</Font<</F1 {font} 0 R>>>>")
    doc[1].set_rotation(90)
    boxes.append(text_box(1, sx, 300))

    # Pages 3 and 4: one form XObject with the secret, drawn by both pages. -----------------
    form_ops, fx = _line_with_neighbours(72, 400, secret)
    form = _new_stream(
        doc,
        f"<</Type/XObject/Subtype/Form/BBox[0 0 {PAGE_W:g} {PAGE_H:g}]"
        f"/Resources<</Font<</F1 {font} 0 R>>>>>>",
        form_ops.encode("latin-1"),
    )
    for page_no in (2, 3):
        own = _show(72, 120, f"Page {page_no + 1} keeps its own text")
        _set_page_content(doc, page_no, own + "q /Fx1 Do Q\n")
        doc.xref_set_key(
            doc.page_xref(page_no),
            "Resources",
            f"<</Font<</F1 {font} 0 R>>/XObject<</Fx1 {form} 0 R>>>>",
        )
        boxes.append(text_box(page_no, fx, 400))

    # Annotations of every common type, each holding the secret. ----------------------------
    page = doc[0]
    note = page.add_text_annot((boxes[0].rect[0] + 5, boxes[0].rect[1] + 2), secret)
    note.set_info(title=secret, subject=secret)
    note.update()
    highlight = page.add_highlight_annot(pymupdf.Rect(boxes[0].rect))
    highlight.set_info(content=secret, title=secret)
    highlight.update()
    square = page.add_rect_annot(pymupdf.Rect(art[0] - 1, art[1] - 1, art[2] + 1, art[3] + 1))
    square.set_info(content=secret)
    square.update()
    freetext = page.add_freetext_annot(pymupdf.Rect(300, 420, 560, 450), secret, fontsize=10)
    freetext.update()
    pending = page.add_redact_annot(pymupdf.Rect(400, 620, 560, 640), text=secret)
    pending.set_info(content=secret)
    pending.update()
    attachment = page.add_file_annot(
        (560, 700), f"attached {secret}".encode(), "attached.txt", desc=secret
    )
    attachment.update()
    link = {"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(72, 740, 200, 752)}
    link["uri"] = f"https://example.invalid/{secret}"
    page.insert_link(link)

    # A form field whose value is the secret. ---------------------------------------------------
    widget = pymupdf.Widget()
    widget.field_type = pymupdf.PDF_WIDGET_TYPE_TEXT
    widget.field_name = "account"
    widget.field_value = secret
    widget.rect = pymupdf.Rect(72, 560, 300, 580)
    page.add_widget(widget)

    # Document-level places. ---------------------------------------------------------------------
    doc.set_metadata(
        {
            "title": secret,
            "author": secret,
            "subject": secret,
            "keywords": secret,
            "creator": secret,
            "producer": secret,
        }
    )
    doc.set_xml_metadata(_xmp(secret))
    doc.embfile_add("notes.txt", f"embedded {secret}".encode(), filename="notes.txt", desc=secret)
    doc.set_toc([[1, f"Section {secret}", 1], [2, "Rotated page", 2]])
    doc.set_page_labels([{"startpage": 0, "prefix": f"{secret}-", "style": "D", "firstpagenum": 1}])
    _plant_catalog_extras(doc, ocg, secret)
    doc.save(path, garbage=1)
    doc.close()
    return boxes


def _plant_catalog_extras(doc: pymupdf.Document, ocg: int, secret: str) -> None:
    """Structure tree, layers, JavaScript, actions and a thumbnail: raw catalog entries."""
    catalog = doc.pdf_catalog()
    js = f"var s = {_pdf_string(secret)};"
    script = _new_object(doc, f"<</S/JavaScript/JS {_pdf_string(js)}>>")
    names = doc.xref_get_key(catalog, "Names")
    existing = names[1] if names[0] == "dict" else "<<>>"
    doc.xref_set_key(catalog, "Names", existing)
    doc.xref_set_key(catalog, "Names/JavaScript", f"<</Names[{_pdf_string(secret)} {script} 0 R]>>")
    doc.xref_set_key(catalog, "OpenAction", f"<</S/JavaScript/JS {_pdf_string(js)}>>")
    doc.xref_set_key(catalog, "AA", f"<</WC<</S/JavaScript/JS {_pdf_string(js)}>>>>")
    doc.xref_set_key(doc.page_xref(0), "AA", f"<</O<</S/JavaScript/JS {_pdf_string(js)}>>>>")

    doc.xref_set_key(
        catalog,
        "OCProperties",
        f"<</OCGs[{ocg} 0 R]/D<</Name {_pdf_string('Config ' + secret)}"
        f"/Order[{ocg} 0 R]/OFF[{ocg} 0 R]>>>>",
    )

    root = doc.get_new_xref()
    element = _new_object(
        doc,
        f"<</Type/StructElem/S/Span/P {root} 0 R/Pg {doc.page_xref(0)} 0 R/K 0"
        f"/Alt {_pdf_string(secret)}/ActualText {_pdf_string(secret)}>>",
    )
    parents = _new_object(doc, f"<</Nums[0[{element} 0 R]]>>")
    doc.update_object(root, f"<</Type/StructTreeRoot/K[{element} 0 R]/ParentTree {parents} 0 R>>")
    doc.xref_set_key(catalog, "StructTreeRoot", f"{root} 0 R")
    doc.xref_set_key(catalog, "MarkInfo", "<</Marked true>>")
    doc.xref_set_key(doc.page_xref(0), "StructParents", "0")

    thumb = doc[0].get_pixmap(dpi=12, alpha=False)
    thumb_xref = _new_stream(
        doc,
        f"<</Width {thumb.width}/Height {thumb.height}/ColorSpace/DeviceRGB/BitsPerComponent 8>>",
        bytes(thumb.samples),
    )
    doc.xref_set_key(doc.page_xref(0), "Thumb", f"{thumb_xref} 0 R")
