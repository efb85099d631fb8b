"""The verifier on its own: it catches each way a "redacted" PDF can still leak.

Every file is a real PDF written to tmp_path with the leak built in by hand,
so each test shows one check failing for the right reason, and that no
report ever quotes the text it looked for.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from pathlib import Path

import pymupdf
import pytest

import reviewer.core.redaction.verify as verify_module
from reviewer.core.redaction.export import export_redacted
from reviewer.core.redaction.fixtures import make_secret_pdf
from reviewer.core.redaction.plan import RedactionBox, RedactionPlan
from reviewer.core.redaction.verify import CHECKS, VerificationReport, squash, verify_redacted

SECRET = "ZEBRA-4417-QUARTZ"


def _failed(report: VerificationReport) -> set[str]:
    return {check.name for check in report.failed}


def _quotes_secret(report: VerificationReport) -> bool:
    return squash(SECRET) in squash(json.dumps(report.as_json()))


def _raw_pdf(
    path: Path, ops: str, *, save: Callable[[pymupdf.Document], None] | None = None
) -> Path:
    """A one-page PDF whose content stream is ``ops`` (Helvetica as /F1)."""
    doc = pymupdf.open()
    page = doc.new_page()
    font = doc.get_new_xref()
    doc.update_object(font, "<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>")
    contents = doc.get_new_xref()
    doc.update_object(contents, "<<>>")
    doc.update_stream(contents, ops.encode("latin-1"))
    doc.xref_set_key(page.xref, "Contents", f"{contents} 0 R")
    doc.xref_set_key(page.xref, "Resources", f"<</Font<</F1 {font} 0 R>>>>")
    if save is None:
        doc.save(path, garbage=4, deflate=True)
    else:
        save(doc)
    doc.close()
    return path


def test_the_unredacted_fixture_fails_every_check_that_applies(tmp_path: Path) -> None:
    path = tmp_path / "planted.pdf"
    boxes = make_secret_pdf(path, SECRET)

    report = verify_redacted(path, [SECRET], boxes)

    assert not report.passed
    assert [check.name for check in report.checks] == list(CHECKS)
    # Everything but the file's structure is wrong: the secret, the intact image and
    # vector art under the boxes, and every scrubbing target.
    assert _failed(report) == set(CHECKS) - {"opens", "single_revision"}
    assert (report.pages, report.boxes, report.terms) == (4, len(boxes), 1)
    assert not _quotes_secret(report)
    text_check = next(c for c in report.checks if c.name == "no_terms_in_page_text")
    assert text_check.pages == (0, 1, 2, 3)


def test_a_black_rectangle_over_text_is_not_redaction(
    make_pdf: Callable[..., Path], tmp_path: Path
) -> None:
    path = make_pdf("fake.pdf", [f"Keep-Left {SECRET} Keep-Right"])
    with pymupdf.open(path) as doc:
        hit = doc[0].search_for(SECRET)[0]
        doc[0].draw_rect(hit, color=None, fill=(0, 0, 0))
        doc.save(tmp_path / "blacked.pdf")

    report = verify_redacted(tmp_path / "blacked.pdf", [SECRET], [RedactionBox(0, tuple(hit))])

    # It looks right (one colour, only a fill under the box) but the text is all there.
    assert {"box_area_uniform", "no_line_art_in_boxes"}.isdisjoint(_failed(report))
    assert {"no_terms_in_page_text", "no_text_in_boxes", "no_terms_in_objects"} <= _failed(report)
    assert not _quotes_secret(report)


def test_image_pixels_under_a_drawn_box_are_found(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 100, 40), False)
    pix.set_rect(pix.irect, (255, 255, 255))
    pix.set_rect(pymupdf.IRect(10, 10, 90, 30), (200, 0, 0))  # "the secret", in pixels
    page.insert_image(pymupdf.Rect(100, 100, 300, 180), pixmap=pix)
    box = pymupdf.Rect(110, 110, 290, 170)
    page.draw_rect(box, color=None, fill=(0, 0, 0))
    doc.save(tmp_path / "image.pdf")
    doc.close()

    report = verify_redacted(tmp_path / "image.pdf", [], [RedactionBox(0, tuple(box))])

    assert _failed(report) == {"no_image_pixels_in_boxes"}
    check = next(c for c in report.checks if c.name == "no_image_pixels_in_boxes")
    assert check.pages == (0,)


def test_line_art_under_a_fill_is_found(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    page.draw_rect(pymupdf.Rect(100, 100, 200, 140), color=None, fill=(1, 0, 0))
    page.draw_line((90, 120), (210, 120), color=(0, 0, 1))
    box = pymupdf.Rect(95, 95, 205, 145)
    page.draw_rect(box, color=None, fill=(0, 0, 0))
    doc.save(tmp_path / "art.pdf")
    doc.close()

    report = verify_redacted(tmp_path / "art.pdf", [], [RedactionBox(0, tuple(box))])

    assert _failed(report) == {"no_line_art_in_boxes"}


def test_an_incremental_update_is_a_second_revision(
    make_pdf: Callable[..., Path], tmp_path: Path
) -> None:
    path = make_pdf("revised.pdf", ["first version"])
    with pymupdf.open(path) as doc:
        doc[0].insert_text((72, 200), "added later")
        doc.saveIncr()

    report = verify_redacted(path, [], [])

    assert _failed(report) == {"single_revision"}


def _orphan(path: Path) -> Callable[[pymupdf.Document], None]:
    def save(doc: pymupdf.Document) -> None:
        xref = doc.get_new_xref()
        doc.update_object(xref, f"<</Note ({SECRET.lower()})>>")
        doc.save(path)  # no garbage collection: the orphan stays in the file

    return save


def _after_eof(path: Path) -> Callable[[pymupdf.Document], None]:
    def save(doc: pymupdf.Document) -> None:
        path.write_bytes(doc.tobytes(garbage=4) + f"\n% {SECRET}\n".encode())

    return save


def _utf16_title(path: Path) -> Callable[[pymupdf.Document], None]:
    def save(doc: pymupdf.Document) -> None:
        doc.set_metadata({"title": f"Événement {SECRET}"})  # non-Latin-1 → UTF-16BE string
        doc.save(path, garbage=4, deflate=True)

    return save


@pytest.mark.parametrize(
    ("ops", "save", "expected"),
    [
        ("BT /F1 11 Tf 72 700 Td (zebra 4417 quartz) Tj ET", None, "no_terms_in_page_text"),
        ("BT /F1 11 Tf 72 700 Td (ZEBRA4417QUARTZ) Tj ET", None, "no_terms_in_page_text"),
        (
            "BT /F1 11 Tf 72 700 Td (ZEBRA-4417-) Tj 0 -14 Td (QUARTZ) Tj ET",
            None,
            "no_terms_in_page_text",
        ),
        ("BT 3 Tr /F1 11 Tf 72 700 Td (ZEBRA-4417-QUARTZ) Tj ET", None, "no_terms_in_page_text"),
        (
            "BT /F1 11 Tf 72 700 Td [(ZEB) -30 (RA-44) 12 (17-QUARTZ)] TJ ET",
            None,
            "no_terms_in_objects",
        ),
        (
            "BT /F1 11 Tf 72 700 Td <5A454252412D343431372D5155415254 5A> Tj ET",
            None,
            "no_terms_in_objects",
        ),
        ("BT /F1 11 Tf -900 700 Td (ZEBRA-4417-QUARTZ) Tj ET", None, "no_terms_in_page_text"),
        ("BT /F1 11 Tf 72 700 Td (public) Tj ET", "orphan", "no_terms_in_objects"),
        ("BT /F1 11 Tf 72 700 Td (public) Tj ET", "after_eof", "no_terms_in_raw_bytes"),
        ("BT /F1 11 Tf 72 700 Td (public) Tj ET", "utf16_title", "no_terms_in_objects"),
    ],
    ids=[
        "other-case-spaces",
        "no-dashes",
        "split-across-lines",
        "invisible-ocr-text",
        "tj-kerning-split",
        "hex-string",
        "off-the-page",
        "unreferenced-object",
        "bytes-after-eof",
        "utf16-metadata",
    ],
)
def test_every_spelling_and_hiding_place_is_found(
    ops: str, save: str | None, expected: str, tmp_path: Path
) -> None:
    path = tmp_path / "leak.pdf"
    saver = {"orphan": _orphan, "after_eof": _after_eof, "utf16_title": _utf16_title}
    _raw_pdf(path, ops, save=saver[save](path) if save else None)

    report = verify_redacted(path, [SECRET], [])

    assert expected in _failed(report)
    assert not _quotes_secret(report)


def test_a_clean_page_passes(tmp_path: Path) -> None:
    path = _raw_pdf(tmp_path / "clean.pdf", "BT /F1 11 Tf 72 700 Td (ZEBRA-4417 and QUARTZ) Tj ET")
    assert verify_redacted(path, [SECRET], []).passed


def test_label_text_is_the_only_text_allowed_in_a_box(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    box = pymupdf.Rect(100, 100, 250, 120)
    page.draw_rect(box, color=None, fill=(0, 0, 0))
    page.insert_textbox(box, "REDACTED", fontsize=10, color=(1, 1, 1), align=1)
    doc.save(tmp_path / "label.pdf")
    doc.close()
    boxes = [RedactionBox(0, tuple(box), "ID")]

    assert verify_redacted(tmp_path / "label.pdf", [], boxes, labels=["REDACTED"]).passed
    unlabelled = verify_redacted(tmp_path / "label.pdf", [], boxes)
    assert _failed(unlabelled) == {"no_text_in_boxes", "box_area_uniform"}


def test_what_does_not_open_fails_cleanly() -> None:
    report = verify_redacted(b"not a pdf at all", [SECRET], [])
    assert not report.passed
    assert [check.name for check in report.checks] == ["opens"]
    assert report.output_sha256


def test_a_box_on_a_missing_page_fails(make_pdf: Callable[..., Path]) -> None:
    path = make_pdf("one.pdf", ["one page"])
    report = verify_redacted(path, [], [RedactionBox(5, (0, 0, 10, 10))])
    assert {"no_text_in_boxes", "box_area_uniform"} <= _failed(report)


def test_report_json_has_counts_and_hashes_never_terms(
    make_pdf: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_pdf("doc.pdf", [f"Account {SECRET} closed"])
    report = export_redacted(source, tmp_path / "out.pdf", RedactionPlan(terms=(SECRET, "closed")))
    stored = json.loads((tmp_path / "out.redaction.json").read_text())

    assert stored == report.as_json()
    assert stored["passed"] is True
    assert (stored["pages"], stored["boxes"], stored["terms"]) == (1, 0, 2)
    assert len(stored["input_sha256"]) == len(stored["output_sha256"]) == 64
    assert [c["name"] for c in stored["checks"]] == list(CHECKS)
    assert "closed" not in json.dumps(stored)
    assert not _quotes_secret(report)


def test_the_verifier_shares_no_code_with_the_pipeline() -> None:
    """Independence: verify.py imports only the plan's value types from the redaction package."""
    tree = ast.parse(Path(verify_module.__file__).read_text())
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    ours = {name for name in imported if name.startswith("reviewer")}
    assert ours == {"reviewer.core.redaction.plan"}
