"""True redaction end to end: every planted copy goes, neighbours stay, each step is needed.

All files are real PDFs written to tmp_path; PyMuPDF is never mocked. The
"independent" searches here read the saved bytes with zlib and regular
expressions, sharing no code with the pipeline or with the verifier.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from collections.abc import Callable
from pathlib import Path

import pymupdf
import pytest

from reviewer.core.errors import DocumentError, PasswordRequired, ReviewerError
from reviewer.core.redaction.export import STEPS, export_redacted
from reviewer.core.redaction.fixtures import NEIGHBOURS, make_secret_pdf
from reviewer.core.redaction.plan import (
    RedactionBox,
    RedactionCancelled,
    RedactionFailed,
    RedactionOptions,
    RedactionPlan,
)
from reviewer.core.redaction.verify import CHECKS

SECRET = "ZEBRA-4417-QUARTZ"


@pytest.fixture
def planted(tmp_path: Path) -> tuple[Path, list[RedactionBox]]:
    """The fixture PDF with the secret everywhere, and the boxes over its visible places."""
    path = tmp_path / "planted.pdf"
    return path, make_secret_pdf(path, SECRET)


def _plan(boxes: list[RedactionBox]) -> RedactionPlan:
    return RedactionPlan(tuple(boxes), (SECRET,))


def _spellings(secret: str) -> list[bytes]:
    """Byte forms a reader of the raw file could find: case, separators, encodings, hex."""
    forms = {secret, secret.lower(), secret.replace("-", ""), secret.replace("-", " ")}
    found: set[bytes] = set()
    for form in forms:
        for encoding in ("latin-1", "utf-16-be", "utf-16-le"):
            found.add(form.encode(encoding))
        found.add(form.encode().hex().encode())
        found.add(form.encode().hex().upper().encode())
    return sorted(found)


def _raw_copies(data: bytes, secret: str) -> list[str]:
    """Where the secret appears in the raw file or in any stream inflated by hand."""
    spellings = _spellings(secret)
    where = [f"raw@{data.find(s)}" for s in spellings if s in data]
    for match in re.finditer(rb"stream\r?\n", data):
        try:
            inflated = zlib.decompressobj().decompress(data[match.end() :])
        except zlib.error:
            continue
        where += [f"stream@{match.start()}" for s in spellings if s in inflated]
    return where


def _words(path: Path) -> list[list[str]]:
    with pymupdf.open(path) as doc:
        return [[w[4] for w in page.get_text("words")] for page in doc]


def test_export_removes_every_planted_copy(
    planted: tuple[Path, list[RedactionBox]], tmp_path: Path
) -> None:
    source, boxes = planted
    before = source.read_bytes()
    assert _raw_copies(before, SECRET), "the fixture must really contain the secret"
    target = tmp_path / "out" / "redacted.pdf"
    target.parent.mkdir()

    report = export_redacted(source, target, _plan(boxes))

    assert report.passed, report.failed
    assert [c.name for c in report.checks] == list(CHECKS)
    data = target.read_bytes()
    assert _raw_copies(data, SECRET) == []
    assert data.count(b"%%EOF") == 1
    assert source.read_bytes() == before  # the original is never touched
    assert report.input_sha256 == hashlib.sha256(before).hexdigest()
    assert report.output_sha256 == hashlib.sha256(data).hexdigest()
    with pymupdf.open(target) as doc:
        assert doc.page_count == 4
        assert doc[1].rotation == 90
        assert not doc.is_encrypted
        for page in doc:
            flags = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_IGNORE_ACTUALTEXT
            assert "ZEBRA" not in page.get_text(flags=flags).upper()
            assert list(page.annot_xrefs()) == []
        assert doc.get_toc() == []
        assert doc.embfile_count() == 0
        assert not doc.is_form_pdf
        assert doc.get_page_labels() == []
        assert not doc.xref_xml_metadata()
    stored = (target.parent / "redacted.redaction.json").read_text()
    assert json.loads(stored)["passed"] is True
    assert "zebra" not in stored.lower()
    assert "4417" not in stored


def test_neighbour_words_survive(planted: tuple[Path, list[RedactionBox]], tmp_path: Path) -> None:
    source, boxes = planted
    target = tmp_path / "redacted.pdf"
    export_redacted(source, target, _plan(boxes))

    before, after = _words(source), _words(target)
    for page_before, page_after in zip(before, after, strict=True):
        for neighbour in NEIGHBOURS:
            assert page_after.count(neighbour) == page_before.count(neighbour) > 0
    assert "Public heading that must stay" in " ".join(after[0])
    assert "Page 3 keeps its own text" in " ".join(after[2])
    # Only the secret (and invisible copies of it) went: every other word is still there.
    kept = [w for page in before for w in page if "ZEBRA" not in w]
    assert kept == [w for page in after for w in page]


@pytest.mark.parametrize("step", STEPS)
def test_verification_fails_without_each_step(
    step: str, planted: tuple[Path, list[RedactionBox]], tmp_path: Path
) -> None:
    """Mutation test: a step the verifier cannot miss is a step the verifier checks."""
    source, boxes = planted
    target = tmp_path / "redacted.pdf"
    listing = sorted(p.name for p in tmp_path.iterdir())

    with pytest.raises(RedactionFailed) as failure:
        export_redacted(source, target, _plan(boxes), skip=frozenset({step}))

    failed = failure.value.report.failed
    assert failed, step
    assert {check.name for check in failed} <= set(CHECKS)
    assert "redacted.pdf" in str(failure.value)
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


def test_failed_verification_leaves_existing_target_untouched(
    planted: tuple[Path, list[RedactionBox]], tmp_path: Path
) -> None:
    source, boxes = planted
    target = tmp_path / "redacted.pdf"
    target.write_bytes(b"the previous, finished export")
    listing = sorted(p.name for p in tmp_path.iterdir())

    with pytest.raises(RedactionFailed) as failure:
        export_redacted(source, target, _plan(boxes), skip=frozenset({"metadata"}))

    assert target.read_bytes() == b"the previous, finished export"
    assert sorted(p.name for p in tmp_path.iterdir()) == listing  # no temp file, no report
    assert "no_metadata" in {check.name for check in failure.value.report.failed}
    assert "zebra" not in json.dumps(failure.value.report.as_json()).lower()


def test_flatten_leaves_no_text_layer_on_redacted_pages(
    make_pdf: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_pdf(
        "mixed.pdf",
        ["Keep-Left ZEBRA-4417-QUARTZ Keep-Right", "second line stays"],
        ["A page with no redaction keeps its text"],
    )
    with pymupdf.open(source) as doc:
        hit = doc[0].search_for(SECRET)[0]
    target = tmp_path / "flat.pdf"
    plan = RedactionPlan((RedactionBox(0, tuple(hit), "ID"),), (SECRET,))

    report = export_redacted(source, target, plan, RedactionOptions(flatten=True, dpi=100))

    assert report.passed, report.failed
    with pymupdf.open(target) as doc:
        assert doc[0].get_text() == ""
        assert len(doc[0].get_images()) == 1
        assert "keeps its text" in doc[1].get_text()  # pages without boxes stay text
        pix = doc[0].get_pixmap(dpi=100, clip=pymupdf.Rect(hit))
        assert pix.color_count() == 1


def test_flatten_with_labels_and_white_fill(
    planted: tuple[Path, list[RedactionBox]], tmp_path: Path
) -> None:
    source, boxes = planted
    options = RedactionOptions(fill=(1.0, 1.0, 1.0), label_text="X {label}", flatten=True, dpi=72)
    report = export_redacted(source, tmp_path / "flat.pdf", _plan(boxes), options)
    assert report.passed, report.failed
    with pymupdf.open(tmp_path / "flat.pdf") as doc:
        # The label is the only text on a flattened page.
        assert set(doc[0].get_text().split()) == {"X", "SECRET", "IMAGE", "ART"}


def test_labels_and_fill_colour(planted: tuple[Path, list[RedactionBox]], tmp_path: Path) -> None:
    source, boxes = planted
    target = tmp_path / "labelled.pdf"
    options = RedactionOptions(fill=(0.2, 0.4, 0.9), label_text="REDACTED — {label}")

    report = export_redacted(source, target, _plan(boxes), options)

    assert report.passed, report.failed
    with pymupdf.open(target) as doc:
        assert "REDACTED — SECRET" in doc[0].get_text()
        assert "REDACTED — SECRET" in doc[1].get_text()  # the rotated page
        corner = pymupdf.Rect(boxes[2].rect)
        corner = pymupdf.Rect(corner.x0 + 1, corner.y0 + 1, corner.x0 + 4, corner.y0 + 4)
        pix = doc[0].get_pixmap(clip=corner)
        pixel = pix.pixel(pix.width // 2, pix.height // 2)
        assert all(abs(a - b) <= 2 for a, b in zip(pixel, (51, 102, 230), strict=True))


def test_rotated_page_box_in_unrotated_space(make_pdf: Callable[..., Path], tmp_path: Path) -> None:
    source = make_pdf("rotated.pdf", ["Keep-Left 078-05-1120 Keep-Right", "the rest stays"])
    with pymupdf.open(source) as doc:
        doc[0].set_rotation(90)
        hit = doc[0].search_for("078-05-1120")[0]  # MuPDF reports unrotated coordinates
        doc.save(tmp_path / "rotated90.pdf")
    target = tmp_path / "out.pdf"

    report = export_redacted(
        tmp_path / "rotated90.pdf", target, RedactionPlan((RedactionBox(0, tuple(hit)),))
    )

    assert report.passed, report.failed
    assert _words(target) == [["Keep-Left", "Keep-Right", "the", "rest", "stays"]]
    with pymupdf.open(target) as doc:
        assert doc[0].rotation == 90


def test_term_variants_are_all_removed(make_pdf: Callable[..., Path], tmp_path: Path) -> None:
    source = make_pdf(
        "variants.pdf",
        [
            "SSN 078-05-1120 on file",
            "or 078 05 1120 spaced",
            "or 078051120 run together",
            "split 078-05-",
            "1120 across lines",
            "Jane Doe and JANE DOE and jane-doe",
        ],
    )
    target = tmp_path / "out.pdf"

    report = export_redacted(source, target, RedactionPlan(terms=("078-05-1120", "Jane Doe")))

    assert report.passed, report.failed
    text = " ".join(_words(target)[0])
    assert "1120" not in text
    assert "078" not in text
    assert "doe" not in text.lower()
    for word in ("SSN", "on", "file", "spaced", "run", "together", "split", "across", "and"):
        assert word in text.split()


def test_term_removal_spares_single_spaced_neighbour_lines(tmp_path: Path) -> None:
    """Glyph boxes of 11-pt lines 12 pt apart overlap; the lines above and below stay whole."""
    source = tmp_path / "tight.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    lines = ["above quick brown fox", "name Jane Roe appears", "below lazy dog jumps"]
    for i, line in enumerate(lines):
        page.insert_text((72, 100 + 12 * i), line, fontsize=11)
    doc.save(source)
    doc.close()

    report = export_redacted(source, tmp_path / "out.pdf", RedactionPlan(terms=("Jane Roe",)))

    assert report.passed, report.failed
    assert _words(tmp_path / "out.pdf") == [
        ["above", "quick", "brown", "fox", "name", "appears", "below", "lazy", "dog", "jumps"]
    ]


def test_text_placed_off_the_page_is_found_and_removed(tmp_path: Path) -> None:
    source = tmp_path / "offpage.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((-500, 100), f"hidden {SECRET}")
    page.insert_text((72, 100), "visible text")
    doc.save(source)
    doc.close()

    report = export_redacted(source, tmp_path / "out.pdf", RedactionPlan(terms=(SECRET,)))

    assert report.passed, report.failed
    assert _raw_copies((tmp_path / "out.pdf").read_bytes(), SECRET) == []
    assert _words(tmp_path / "out.pdf") == [["visible", "text"]]


def test_removal_that_creates_a_new_occurrence_is_searched_again(
    make_pdf: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_pdf("nested.pdf", ["code QQXQQXYZYZ end"])
    target = tmp_path / "out.pdf"

    report = export_redacted(source, target, RedactionPlan(terms=("QQXYZ",)))

    assert report.passed, report.failed
    assert "QQXYZ" not in "".join(_words(target)[0])


def test_hidden_layer_goes_visible_layer_stays(tmp_path: Path) -> None:
    source = tmp_path / "layers.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    shown = doc.add_ocg("Shown", on=True)
    hidden = doc.add_ocg("Hidden", on=False)
    page.insert_text((72, 100), "visible layer text", oc=shown)
    page.insert_text((72, 130), "hidden layer 078-05-1120", oc=hidden)
    page.insert_text((72, 160), "plain text")
    doc.save(source)
    doc.close()
    target = tmp_path / "out.pdf"

    report = export_redacted(source, target, RedactionPlan(terms=("078-05-1120",)))

    assert report.passed, report.failed
    assert _words(target) == [["visible", "layer", "text", "plain", "text"]]
    assert b"hidden layer" not in b"".join(
        zlib.decompress(m) for m in _flate_streams(target.read_bytes())
    )


def _flate_streams(data: bytes) -> list[bytes]:
    return [
        m.group(1)
        for m in re.finditer(rb"/FlateDecode.*?stream\r?\n(.*?)endstream", data, re.DOTALL)
        if m.group(1)[:1] == b"x"
    ]


def test_real_court_filing(shared_pdfs: Path, tmp_path: Path) -> None:
    source = shared_pdfs / "xray__rectangles_yes.pdf"
    with pymupdf.open(source) as doc:
        text = doc[0].get_text()
        name = doc[0].search_for("Schubert")[0]
    assert text.count("Schubert") >= 3
    target = tmp_path / "filing.pdf"
    plan = RedactionPlan((RedactionBox(0, tuple(name), "NAME"),), ("Schubert", "March 3, 2019"))

    report = export_redacted(source, target, plan, RedactionOptions(label_text="{label}"))

    assert report.passed, report.failed
    after = pymupdf.open(target)[0].get_text()
    assert "Schubert" not in after
    assert "March 3, 2019" not in after
    assert "Medical Examiner" in after  # the rest of the filing is still readable
    assert "’s" in after.split()  # "Schubert’s": the abutting glyphs are not part of the term
    assert _raw_copies(target.read_bytes(), "Schubert") == []


def test_encrypted_pdf_needs_its_password(shared_pdfs: Path, tmp_path: Path) -> None:
    source = shared_pdfs / "pdfminer__aes-256.pdf"
    target = tmp_path / "decrypted-redacted.pdf"
    plan = RedactionPlan(terms=("Secret",))

    with pytest.raises(PasswordRequired, match=r"aes-256\.pdf: .*needs a password"):
        export_redacted(source, target, plan)
    with pytest.raises(PasswordRequired, match="password is wrong"):
        export_redacted(source, target, plan, password="bar")
    assert not target.exists()

    report = export_redacted(source, target, plan, password="foo")

    assert report.passed, report.failed
    with pymupdf.open(target) as doc:
        assert not doc.needs_pass
        assert "Secret" not in doc[0].get_text()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"this is not a PDF at all\n" * 20, "not a PDF reviewer can redact"),
        (b"", "the file is empty"),
        (None, "does not exist"),
    ],
)
def test_unreadable_source_names_the_file(
    content: bytes | None, problem: str, tmp_path: Path
) -> None:
    source = tmp_path / "broken filing.pdf"
    if content is not None:
        source.write_bytes(content)

    with pytest.raises(DocumentError, match=f"broken filing.pdf: .*{problem}") as failure:
        export_redacted(source, tmp_path / "out.pdf", RedactionPlan(terms=("x",)))

    assert isinstance(failure.value, ReviewerError)
    assert not (tmp_path / "out.pdf").exists()


def test_truncated_pdf_is_repaired_then_verified(
    planted: tuple[Path, list[RedactionBox]], tmp_path: Path
) -> None:
    """MuPDF rebuilds a cut-off file; what it recovers goes through the same checks."""
    source, _ = planted
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(source.read_bytes()[: source.stat().st_size * 2 // 5])
    target = tmp_path / "out.pdf"

    report = export_redacted(cut, target, RedactionPlan(terms=(SECRET,)))

    assert report.passed, report.failed
    assert _raw_copies(target.read_bytes(), SECRET) == []


def test_progress_reaches_total_and_false_cancels(
    planted: tuple[Path, list[RedactionBox]], tmp_path: Path
) -> None:
    source, boxes = planted
    seen: list[tuple[int, int]] = []

    def record(done: int, total: int) -> bool:
        seen.append((done, total))
        return True

    export_redacted(source, tmp_path / "a.pdf", _plan(boxes), progress=record)
    assert seen[-1] == (len(STEPS) + 4, len(STEPS) + 4)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)

    with pytest.raises(RedactionCancelled):
        export_redacted(source, tmp_path / "b.pdf", _plan(boxes), progress=lambda d, t: d < 3)
    assert not (tmp_path / "b.pdf").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".b.pdf")]


def test_box_on_a_missing_page_is_refused(make_pdf: Callable[..., Path], tmp_path: Path) -> None:
    source = make_pdf("one.pdf", ["one page"])
    plan = RedactionPlan((RedactionBox(3, (10, 10, 50, 50)),))
    with pytest.raises(ReviewerError, match="page 4, but the document has 1 pages"):
        export_redacted(source, tmp_path / "out.pdf", plan)
    with pytest.raises(ValueError, match="unknown redaction steps"):
        export_redacted(source, tmp_path / "out.pdf", RedactionPlan(), skip=frozenset({"nope"}))
