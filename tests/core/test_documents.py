"""PyMuPDF access as the document worker runs it, called in-process on real files.

These functions normally run inside the worker process; calling them here
directly pins what they return for real-world PDFs, damaged input and the
other formats reviewer opens.
"""

from __future__ import annotations

import os
from pathlib import Path

import pymupdf
import pytest

from reviewer.core.documents import (
    describe_opened,
    document_info,
    open_document,
    page_layer,
    page_text,
    page_words,
    render_page,
    search_page,
)
from reviewer.core.errors import DocumentError, PasswordRequired
from reviewer.core.formats import filetype_for

SHARED_PDFS = Path(__file__).resolve().parents[3] / "shared" / "data" / "pdf"
ALL_PDFS = sorted(SHARED_PDFS.glob("*.pdf"))
ENCRYPTED = SHARED_PDFS / "pdfminer__aes-256.pdf"
BASE = SHARED_PDFS / "pdfminer__base.pdf"
FORM = SHARED_PDFS / "pdfminer__f1040nr.pdf"
ANNOTATED = SHARED_PDFS / "pdfplumber__annotations.pdf"
SCANS = {"doctor__image-pdf.pdf": 2, "disclosure__2011-Alito-J3.pdf": 8}
PASSWORD = "foo"


def _password_for(path: Path) -> str | None:
    return PASSWORD if path == ENCRYPTED else None


def test_shared_folder_is_present() -> None:
    """The shared test data is there (otherwise the parametrized tests below vanish)."""
    assert len(ALL_PDFS) == 25
    assert ENCRYPTED in ALL_PDFS
    assert all(name in {p.name for p in ALL_PDFS} for name in SCANS)


# -- document_info on every real PDF ------------------------------------------------------


@pytest.mark.parametrize("path", ALL_PDFS, ids=[p.name for p in ALL_PDFS])
def test_document_info_on_every_shared_pdf(path: Path) -> None:
    """Every shared PDF opens: pages > 0, format pdf, one PageInfo per page, numbered from 1."""
    info = document_info(path, _password_for(path))
    assert info.page_count > 0
    assert info.format == "pdf"
    assert info.media_type == "application/pdf"
    assert info.path == str(path)
    assert [p.number for p in info.pages] == list(range(1, info.page_count + 1))
    assert all(p.width > 0 and p.height > 0 for p in info.pages)
    assert info.has_forms == (info.form_fields > 0)
    assert info.has_annotations == any(p.annotations > 0 for p in info.pages)
    if path.name in SCANS:
        assert info.page_count == SCANS[path.name]
        assert [p.has_text for p in info.pages] == [False] * info.page_count
        assert all(p.images >= 1 for p in info.pages)


def test_text_layer_detected_on_plain_pdf() -> None:
    """pdfminer__base.pdf: one page, with text, not encrypted."""
    info = document_info(BASE)
    assert info.page_count == 1
    assert info.pages[0].has_text is True
    assert info.encrypted is False
    assert info.needs_password is False
    assert info.has_forms is False
    assert info.form_fields == 0
    assert info.has_annotations is False


def test_form_fields_counted() -> None:
    """The IRS 1040-NR has 584 form fields over 5 pages."""
    info = document_info(FORM)
    assert info.has_forms is True
    assert info.form_fields == 584
    assert info.page_count == 5


def test_annotations_detected() -> None:
    """pdfplumber__annotations.pdf reports annotations on its single page."""
    info = document_info(ANNOTATED)
    assert info.has_annotations is True
    assert info.page_count == 1
    assert info.pages[0].annotations >= 4  # StrikeOut, Stamp, Highlight, Text at least


def test_document_without_annotations_or_forms() -> None:
    """A plain court opinion has neither annotations nor forms nor attachments."""
    info = document_info(SHARED_PDFS / "doctor__ca1_00117684624.pdf")
    assert info.page_count == 17
    assert (info.has_annotations, info.has_forms, info.embedded_files) == (False, False, 0)
    assert all(p.has_text for p in info.pages)


# -- passwords ---------------------------------------------------------------------------


def test_encrypted_with_password_opens() -> None:
    """The AES-256 sample opens with 'foo', is reported encrypted, and matches its original."""
    info = document_info(ENCRYPTED, PASSWORD)
    assert info.encrypted is True
    assert info.needs_password is True
    assert info.page_count == document_info(BASE).page_count == 1
    assert info.pages[0].has_text is True
    doc = open_document(ENCRYPTED, PASSWORD)
    plain = open_document(BASE)
    try:
        assert page_text(doc, 0) == page_text(plain, 0)
        assert page_text(doc, 0).strip()
    finally:
        doc.close()
        plain.close()


def test_encrypted_without_password() -> None:
    """No password: PasswordRequired(wrong_password=False) naming the file."""
    with pytest.raises(PasswordRequired) as caught:
        document_info(ENCRYPTED)
    assert caught.value.wrong_password is False
    assert caught.value.path == ENCRYPTED
    assert str(caught.value).startswith("pdfminer__aes-256.pdf: ")
    assert "needs a password" in str(caught.value)


def test_encrypted_with_wrong_password() -> None:
    """A wrong password: PasswordRequired(wrong_password=True) naming the file."""
    with pytest.raises(PasswordRequired) as caught:
        document_info(ENCRYPTED, "not-the-password")
    assert caught.value.wrong_password is True
    assert str(caught.value) == "pdfminer__aes-256.pdf: the password is wrong"


def test_password_given_for_plain_pdf_does_not_make_it_encrypted() -> None:
    """A password passed for an unencrypted PDF is ignored: it is still reported unencrypted.

    (A script running ``reviewer info FILE --password X`` over a production
    folder must not see every plain file marked as encrypted.)
    """
    info = document_info(BASE, PASSWORD)
    assert info.page_count == 1
    assert info.encrypted is False
    assert info.needs_password is False


# -- damaged and unusual input ---------------------------------------------------------------


def _truncate(source: Path, folder: Path) -> Path:
    data = source.read_bytes()
    target = folder / f"truncated {source.name}"
    target.write_bytes(data[: len(data) * 2 // 5])
    return target


def test_truncated_pdf_without_page_tree_is_refused(tmp_path: Path) -> None:
    """A court opinion cut at 40 %: MuPDF repairs it but finds no pages -> DocumentError."""
    cut = _truncate(SHARED_PDFS / "doctor__ca1_00117684624.pdf", tmp_path)
    with pytest.raises(DocumentError) as caught:
        document_info(cut)
    assert not isinstance(caught.value, PasswordRequired)
    assert str(caught.value) == f"{cut.name}: the document has no pages"


def test_truncated_pdf_without_trailer_is_refused(tmp_path: Path) -> None:
    """The 1040-NR cut at 40 %: MuPDF cannot open it at all -> 'damaged', naming the file."""
    cut = _truncate(FORM, tmp_path)
    with pytest.raises(DocumentError) as caught:
        document_info(cut)
    assert str(caught.value).startswith(f"{cut.name}: this is not a document reviewer can open")
    assert "damaged" in str(caught.value)


def test_truncated_pdf_can_open_with_pages_but_lose_text(tmp_path: Path) -> None:
    """pdfminer__base.pdf cut at 40 %: its one page opens and renders, but the text is gone."""
    cut = _truncate(BASE, tmp_path)
    info = document_info(cut)
    assert info.page_count == 1
    assert info.pages[0].has_text is False
    doc = open_document(cut)
    try:
        pix = render_page(doc, 0, 0.5)
        assert (pix.width, pix.height) == (
            round(doc[0].rect.width * 0.5),
            round(doc[0].rect.height * 0.5),
        )
    finally:
        doc.close()


def test_truncated_pdf_with_all_pages_up_front(tmp_path: Path) -> None:
    """A filing whose pages sit in the first 40 % opens with every page and its text."""
    source = SHARED_PDFS / "xray__gov.uscourts.cand.288207.440.0.pdf"
    cut = _truncate(source, tmp_path)
    info = document_info(cut)
    assert info.page_count == 24 == document_info(source).page_count
    assert sum(p.has_text for p in info.pages) == 24


def test_random_bytes_named_pdf(tmp_path: Path) -> None:
    """Random bytes with a .pdf name: DocumentError whose message starts with the file name."""
    path = tmp_path / "not really.pdf"
    path.write_bytes(b"\x00\xff" + os.urandom(4094))
    with pytest.raises(DocumentError) as caught:
        document_info(path)
    assert str(caught.value).startswith("not really.pdf: ")
    assert caught.value.path == path
    assert "damaged" in caught.value.problem


def test_empty_file(tmp_path: Path) -> None:
    """An empty file is refused as 'empty'."""
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(DocumentError, match=r"^empty\.pdf: the file is empty$"):
        document_info(path)


def test_missing_file(tmp_path: Path) -> None:
    """A path that does not exist is refused as 'does not exist'."""
    with pytest.raises(DocumentError, match=r"^gone\.pdf: the file does not exist$"):
        document_info(tmp_path / "gone.pdf")


def test_folder_is_not_a_document(tmp_path: Path) -> None:
    """A folder (even one named like a PDF) is refused as a folder."""
    folder = tmp_path / "looks like.pdf"
    folder.mkdir()
    with pytest.raises(DocumentError, match="folder") as caught:
        document_info(folder)
    assert str(caught.value).startswith("looks like.pdf: ")


@pytest.mark.parametrize(
    ("name", "content", "fmt", "media_type"),
    [
        (
            "notes.txt",
            "Deposition notes\nThe witness mentioned Xylophone Holdings.\n",
            "txt",
            "text/plain",
        ),
        (
            "memo.md",
            "# Memo\n\nThe *witness* mentioned Xylophone Holdings.\n",
            "md",
            "text/markdown",
        ),
    ],
)
def test_text_files_open(
    tmp_path: Path, name: str, content: str, fmt: str, media_type: str
) -> None:
    """Plain text and Markdown open as documents with a text layer."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    info = document_info(path)
    assert info.page_count >= 1
    assert info.format == fmt
    assert info.media_type == media_type
    assert info.pages[0].has_text is True
    doc = open_document(path)
    try:
        assert "Xylophone Holdings" in page_text(doc, 0)
        assert len(search_page(doc, 0, "xylophone holdings")) == 1
    finally:
        doc.close()


def test_blob_without_extension_opens_with_filetype(tmp_path: Path) -> None:
    """A blob named by its hash opens when given the filetype of its stored media type."""
    blob = tmp_path / ("ab" * 32)
    blob.write_text("stored text note", encoding="utf-8")
    assert filetype_for("text/plain") == "txt"
    doc = open_document(blob, filetype=filetype_for("text/plain"))
    try:
        assert page_text(doc, 0).strip() == "stored text note"
    finally:
        doc.close()
    pdf_blob = tmp_path / ("cd" * 32)
    pdf_blob.write_bytes(BASE.read_bytes())
    doc = open_document(pdf_blob, filetype=filetype_for("application/pdf"))
    try:
        assert doc.page_count == 1
        assert doc.is_pdf
    finally:
        doc.close()


def test_png_opens_as_one_page(tmp_path: Path) -> None:
    """A PNG opens as a one-page document without text, sized at 96 dpi."""
    path = tmp_path / "exhibit.png"
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 200, 100), False)
    pix.clear_with(255)
    pix.save(path)
    info = document_info(path)
    assert info.page_count == 1
    assert info.format == "png"
    assert info.media_type == "image/png"
    assert info.pages[0].has_text is False
    assert (info.pages[0].width, info.pages[0].height) == (150.0, 75.0)


# -- rotation, rendering, search -------------------------------------------------------------


def _rotated_pdf(folder: Path) -> tuple[Path, Path]:
    """The same page twice: as drawn, and with /Rotate 90."""
    paths = []
    for rotation in (0, 90):
        doc = pymupdf.open()
        page = doc.new_page(width=612, height=792)
        page.insert_text((72, 100), "Rotated Xylophone Holdings exhibit", fontsize=12)
        page.insert_text((72, 400), "second line", fontsize=12)
        page.set_rotation(rotation)
        path = folder / f"rotated_{rotation}.pdf"
        doc.save(path)
        doc.close()
        paths.append(path)
    return paths[0], paths[1]


def test_words_on_rotated_page_are_in_display_space(tmp_path: Path) -> None:
    """/Rotate 90: word boxes lie in the 792x612 display rect, mapped (x, y) -> (792 - y, x)."""
    plain_path, rotated_path = _rotated_pdf(tmp_path)
    plain = open_document(plain_path)
    doc = open_document(rotated_path)
    try:
        assert describe_opened(doc, rotated_path).page_sizes == [(792.0, 612.0)]
        words = page_words(doc, 0)
        upright = page_words(plain, 0)
        assert (
            [w.text for w in words]
            == [w.text for w in upright]
            == ["Rotated", "Xylophone", "Holdings", "exhibit", "second", "line"]
        )
        for w, u in zip(words, upright, strict=True):
            assert 0 <= w.x0 < w.x1 <= 792
            assert 0 <= w.y0 < w.y1 <= 612
            # Text that ran left-to-right now runs top-to-bottom: boxes are tall and narrow.
            assert (w.y1 - w.y0) > (w.x1 - w.x0)
            assert w.x0 == pytest.approx(792 - u.y1, abs=0.01)
            assert w.x1 == pytest.approx(792 - u.y0, abs=0.01)
            assert w.y0 == pytest.approx(u.x0, abs=0.01)
            assert w.y1 == pytest.approx(u.x1, abs=0.01)
        assert words[0].y0 == pytest.approx(72, abs=0.01)

        hits = search_page(doc, 0, "Xylophone Holdings")
        assert len(hits) == 1
        assert len(hits[0]) == 1  # one line, one quad
        xs, ys = hits[0][0][0::2], hits[0][0][1::2]
        hit = [w for w in words if w.text in ("Xylophone", "Holdings")]
        assert min(xs) == pytest.approx(min(w.x0 for w in hit), abs=0.01)
        assert max(xs) == pytest.approx(max(w.x1 for w in hit), abs=0.01)
        assert min(ys) == pytest.approx(min(w.y0 for w in hit), abs=0.01)
        assert max(ys) == pytest.approx(max(w.y1 for w in hit), abs=0.01)
    finally:
        doc.close()
        plain.close()


@pytest.mark.parametrize(
    "name",
    ["doctor__ca1_00117684624.pdf", "pdfminer__f1040nr.pdf", "pdfplumber__senate-expenditures.pdf"],
)
def test_page_layer_word_offsets_point_into_text(name: str) -> None:
    """Every word knows its place in the page text: text[start:end] == word, in order."""
    doc = open_document(SHARED_PDFS / name)
    try:
        total = 0
        for page_no in range(doc.page_count):
            layer = page_layer(doc, page_no)
            assert layer.page == page_no
            assert layer.text == page_text(doc, page_no)
            assert [w.text for w in layer.words] == [w.text for w in page_words(doc, page_no)]
            starts = [w.start for w in layer.words]
            assert starts == sorted(starts)
            for w in layer.words:
                assert w.start >= 0
                assert layer.text[w.start : w.end] == w.text
            total += len(layer.words)
        assert total > 500
    finally:
        doc.close()


def test_page_layer_on_rotated_page(tmp_path: Path) -> None:
    """PageText reports the rotation and the display-space size of a rotated page."""
    _, rotated_path = _rotated_pdf(tmp_path)
    doc = open_document(rotated_path)
    try:
        layer = page_layer(doc, 0)
        assert (layer.rotation, layer.width, layer.height) == (90, 792.0, 612.0)
        assert layer.words == page_words(doc, 0)
        assert "Xylophone Holdings" in layer.text
    finally:
        doc.close()


@pytest.mark.parametrize("scale", [0.5, 1.0, 1.5, 2.37])
def test_render_page_size_follows_scale(tmp_path: Path, scale: float) -> None:
    """The pixmap is RGB without alpha, width/height = round(display size x scale) (+-1)."""
    _, rotated_path = _rotated_pdf(tmp_path)
    for path, page_no in ((BASE, 0), (rotated_path, 0), (FORM, 2)):
        doc = open_document(path)
        try:
            rect = doc[page_no].rect
            pix = render_page(doc, page_no, scale)
            assert abs(pix.width - round(rect.width * scale)) <= 1
            assert abs(pix.height - round(rect.height * scale)) <= 1
            assert pix.n == 3
            assert pix.alpha == 0
            assert pix.stride == pix.width * 3
            assert len(pix.samples_mv) == pix.stride * pix.height
        finally:
            doc.close()


def test_render_clip(tmp_path: Path) -> None:
    """A clip renders only that rectangle, scaled."""
    doc = open_document(BASE)
    try:
        pix = render_page(doc, 0, 2.0, clip=(100.0, 100.0, 200.0, 150.0))
        assert (pix.width, pix.height) == (200, 100)
    finally:
        doc.close()


def test_search_is_case_insensitive_and_misses_cleanly() -> None:
    """search_page finds a phrase in any case, and returns [] for absent text."""
    doc = open_document(SHARED_PDFS / "doctor__ca1_00117684624.pdf")
    try:
        text = page_text(doc, 0)
        word = next(w for w in text.split() if len(w) > 6 and w.isalpha())
        hits = search_page(doc, 0, word)
        assert len(hits) >= 1
        assert all(len(quad) == 8 for hit in hits for quad in hit)
        assert search_page(doc, 0, word.upper()) == hits
        assert search_page(doc, 0, word.lower()) == hits
        assert search_page(doc, 0, "zzzqqqxxx not there") == []
    finally:
        doc.close()


# -- generated documents -------------------------------------------------------------------


def test_truncated_brief_opens_with_a_readable_prefix(
    corrupt_pdf: Path, generated: dict[str, Path]
) -> None:
    """The generated brief cut at 40 %: MuPDF repairs it and keeps all 40 pages, but only
    the pages stored before the cut have text; the one at the cut is partial, the rest
    are blank (they render white, without an error)."""
    info = document_info(corrupt_pdf)
    assert info.page_count == 40
    flags = [p.has_text for p in info.pages]
    first_blank = flags.index(False)
    assert 10 <= first_blank <= 20  # about 40 % of the pages survive
    assert flags == [True] * first_blank + [False] * (40 - first_blank)

    cut = open_document(corrupt_pdf)
    full = open_document(generated["brief"])
    try:
        for page in range(first_blank - 1):
            assert page_text(cut, page) == page_text(full, page)
        partial, whole = page_text(cut, first_blank - 1), page_text(full, first_blank - 1)
        assert partial.strip()
        assert len(partial) < len(whole)
        assert whole.startswith(partial.rstrip("\n").rsplit("\n", 1)[0])
        pix = render_page(cut, 39, 0.25)
        assert set(bytes(pix.samples_mv)) == {255}
    finally:
        cut.close()
        full.close()


def test_search_hit_across_a_line_break_is_one_hit(tmp_path: Path) -> None:
    """A phrase broken over two lines is one hit with one quad per line."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 100), "transferred to Xylophone", fontsize=12)
    page.insert_text((72, 120), "Holdings, Inc. and xylophone holdings again", fontsize=12)
    path = tmp_path / "wrapped.pdf"
    doc.save(path)
    doc.close()
    doc = open_document(path)
    try:
        hits = search_page(doc, 0, "xylophone   holdings")
        assert [len(hit) for hit in hits] == [2, 1]
        first_line, second_line = hits[0]
        assert max(first_line[1::2]) < min(second_line[1::2])  # line 1 above line 2
        assert min(second_line[0::2]) == pytest.approx(72, abs=1)  # "Holdings" starts line 2
        assert search_page(doc, 0, "xylophone holdings, inc.") != []
        assert search_page(doc, 0, "   ") == []
    finally:
        doc.close()


def test_search_finds_rare_term_on_exactly_its_pages(generated: dict[str, Path]) -> None:
    """'Xylophone Holdings' is found on rare_term_pages(40) of the brief and nowhere else."""
    from reviewer.core.samples import RARE_TERM, rare_term_pages

    assert RARE_TERM == "Xylophone Holdings"
    doc = open_document(generated["brief"])
    try:
        assert doc.page_count == 40
        found = [p for p in range(doc.page_count) if search_page(doc, p, "Xylophone Holdings")]
        assert tuple(found) == rare_term_pages(40)
        assert [len(search_page(doc, p, RARE_TERM)) for p in found] == [1, 1, 1]
        lowered = [p for p in range(doc.page_count) if search_page(doc, p, "xylophone holdings")]
        assert lowered == found
    finally:
        doc.close()


def test_generated_scan_has_no_text(generated: dict[str, Path]) -> None:
    """The generated 3-page scan is image-only, letter-sized."""
    info = document_info(generated["scan"])
    assert info.page_count == 3
    assert [p.has_text for p in info.pages] == [False, False, False]
    assert [(p.width, p.height) for p in info.pages] == [(612.0, 792.0)] * 3
    assert all(p.images == 1 for p in info.pages)
