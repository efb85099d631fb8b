"""Scanned pages read with Tesseract: text, words where the scan shows them, and no OCR.

Real Tesseract, real scans: the US Supreme Court slip opinion scanned without
a text layer (its born-digital twin is the reference text) and the bundled
scanned letter, whose PII positions on the page are known.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pymupdf
import pytest
from test_cli import run_cli

from reviewer.core.ocr import OcrImage, TextSources, describe_pages, no_ocr_message
from reviewer.core.worker import DocumentWorker

MakeWorker = Callable[..., DocumentWorker]

TIMEOUT = 120


@pytest.fixture(autouse=True)
def tesseract() -> str:
    """Tesseract with English data must be installed (``bash packaging/dev test`` does it)."""
    try:
        folder = pymupdf.get_tessdata()
    except RuntimeError as exc:
        pytest.fail(f"Tesseract is needed for the OCR tests (apt-get install tesseract-ocr): {exc}")
    assert (Path(folder) / "eng.traineddata").exists(), f"no English data in {folder}"
    return str(folder)


@pytest.fixture
def no_tesseract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine where Tesseract has no language data: the worker inherits this."""
    empty = tmp_path / "tessdata"
    empty.mkdir()
    monkeypatch.setenv("TESSDATA_PREFIX", str(empty))


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]{3,}", text.lower())


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Intersection over the smaller of two boxes (x0, y0, x1, y1)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / smaller


def _bbox(quads: list[list[float]] | tuple[tuple[float, ...], ...]) -> tuple[float, ...]:
    xs = [q[i] for q in quads for i in (0, 2, 4, 6)]
    ys = [q[i] for q in quads for i in (1, 3, 5, 7)]
    return (min(xs), min(ys), max(xs), max(ys))


def _truth(samples: Path) -> list[dict]:
    truth = json.loads((samples / "ground_truth.json").read_text())
    [letter] = [d for d in truth["documents"] if d["file"] == "scanned_letter.pdf"]
    return letter["pii"]


def test_a_scan_reads_like_its_born_digital_twin(make_worker: MakeWorker, shared_pdfs: Path):
    worker = make_worker()
    worker.open(shared_pdfs / "doctor__image-pdf.pdf").result(TIMEOUT)
    sources = worker.sources().result(TIMEOUT)
    assert sources == TextSources(2, (0, 1), True, "")

    layer = worker.words(0).result(TIMEOUT)
    assert layer.source == "ocr"
    assert all(layer.text[w.start : w.end] == w.text for w in layer.words)
    assert all(0 <= w.x0 < w.x1 <= 612 and 0 <= w.y0 < w.y1 <= 792 for w in layer.words)

    reference = pymupdf.open(shared_pdfs / "doctor__vector-pdf.pdf")
    expected = set(_words(reference[0].get_text()))
    reference.close()
    found = set(_words(layer.text))
    assert len(expected & found) / len(expected) >= 0.9  # Tesseract reads nine words in ten

    # The same text feeds the search index and the search boxes.
    [(page, text)] = worker.text([0]).result(TIMEOUT)
    assert (page, text) == (0, layer.text)
    hits = worker.search("regional water", [0, 1]).result(TIMEOUT)
    assert hits[0], "in the syllabus"
    assert hits[1], "in the running head of page 2"


def test_pages_are_drawn_while_tesseract_reads(make_worker: MakeWorker, shared_pdfs: Path):
    """Recognition runs in its own process: the worker draws pages meanwhile."""
    worker = make_worker(max_in_flight=2)
    worker.open(shared_pdfs / "doctor__image-pdf.pdf").result(TIMEOUT)
    order: list[str] = []
    words = worker.words(0)
    words.add_done_callback(lambda _f: order.append("words"))
    drawn = [worker.render(p % 2, 0.5 + p / 10) for p in range(4)]
    for future in drawn:
        future.add_done_callback(lambda _f: order.append("render"))
    assert words.result(TIMEOUT).source == "ocr"
    assert all(f.result(TIMEOUT).width > 0 for f in drawn)
    assert order == ["render"] * 4 + ["words"]


def test_ocr_suggestions_sit_where_the_scan_shows_them(generated: dict[str, Path], home: Path):
    """`reviewer scan` on the scanned letter: PII found in OCR text, boxed on the image."""
    samples = generated["samples"]
    result = run_cli("scan", samples / "scanned_letter.pdf", home=home)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    places: dict[tuple[int, str], list[tuple[float, ...]]] = {}
    for truth in _truth(samples):
        places.setdefault((truth["page"] + 1, truth["text"]), []).append(tuple(truth["rect"]))
    checked = 0
    for row in rows:  # each value found is boxed where the scan shows it
        known = places.get((row["page"], row["text"]))
        if known:
            best = max(_overlap(_bbox(row["quads"]), rect) for rect in known)
            assert best > 0.6, (row, known)
            checked += 1
    assert checked >= 6
    [phone] = [r for r in rows if r["text"] == "(617) 555-0189"]
    assert (phone["page"], phone["label"]) == (1, "PHONE")


def test_a_scan_stored_sideways_is_read_as_shown(
    make_worker: MakeWorker, generated: dict[str, Path], tmp_path: Path
):
    """A scanner that stores the image sideways and sets /Rotate: Tesseract gets the page
    as shown, and the words come back where they are shown."""
    source = generated["samples"] / "scanned_letter.pdf"
    sideways = tmp_path / "sideways.pdf"
    original = pymupdf.open(source)
    pix = original[0].get_pixmap(dpi=150)
    doc = pymupdf.open()
    page = doc.new_page(width=792, height=612)
    page.insert_image(page.rect, pixmap=pix, rotate=90)
    page.set_rotation(90)
    doc.save(sideways)
    doc.close()
    original.close()

    upright = make_worker()
    upright.open(source).result(TIMEOUT)
    turned = make_worker()
    turned.open(sideways).result(TIMEOUT)
    plain = upright.words(0).result(TIMEOUT)
    shown = turned.words(0).result(TIMEOUT)
    assert (shown.source, shown.rotation) == ("ocr", 90)
    assert "(617) 555-0189" in shown.text
    [word] = [w for w in plain.words if w.text == "555-0189"]
    [again] = [w for w in shown.words if w.text == "555-0189"]
    assert (
        _overlap((word.x0, word.y0, word.x1, word.y1), (again.x0, again.y0, again.x1, again.y1))
        > 0.7
    )


def test_without_tesseract_scans_have_no_text_and_say_why(
    no_tesseract: None, make_worker: MakeWorker, shared_pdfs: Path, home: Path
):
    worker = make_worker()
    worker.open(shared_pdfs / "disclosure__2011-Alito-J3.pdf").result(TIMEOUT)
    sources = worker.sources().result(TIMEOUT)
    assert sources.image_pages == tuple(range(8))
    assert not sources.ocr_available
    assert "no data for the language eng" in sources.ocr_problem
    layer = worker.words(0).result(TIMEOUT)
    assert (layer.source, layer.words) == ("image", [])
    assert worker.render(0, 0.5).result(TIMEOUT).width > 0  # the page is still shown

    result = run_cli("scan", shared_pdfs / "disclosure__2011-Alito-J3.pdf", home=home)
    assert result.returncode == 0
    assert result.stdout == ""
    [warning] = result.stderr.splitlines()
    assert "disclosure__2011-Alito-J3.pdf: pages 1–8 are scanned images" in warning
    assert "apt-get install tesseract-ocr" in warning


def test_born_digital_pages_are_never_ocrd(make_worker: MakeWorker, shared_pdfs: Path):
    """A court filing with a text layer, and a scan with a stamped header, keep their text."""
    worker = make_worker()
    worker.open(shared_pdfs / "xray__gov.uscourts.cand.288207.440.0.pdf").result(TIMEOUT)
    sources = worker.sources().result(TIMEOUT)
    assert sources.image_pages == ()
    assert worker.words(0).result(TIMEOUT).source == "text"


def test_a_failed_recognition_fails_the_request_not_the_worker(
    make_worker: MakeWorker, shared_pdfs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Language data that is there but unreadable: a clear error; the document stays open."""
    broken = tmp_path / "tessdata"
    broken.mkdir()
    (broken / "eng.traineddata").write_bytes(b"not a model")
    monkeypatch.setenv("TESSDATA_PREFIX", str(broken))
    worker = make_worker()
    worker.open(shared_pdfs / "doctor__image-pdf.pdf").result(TIMEOUT)
    failed = worker.words(0)
    with pytest.raises(Exception, match="page 1 could not be recognised"):
        failed.result(TIMEOUT)
    assert worker.render(1, 0.5).result(TIMEOUT).page == 1


def test_messages_name_the_pages() -> None:
    assert describe_pages([0]) == "page 1"
    assert describe_pages([0, 1, 2, 3]) == "pages 1–4"
    assert describe_pages([0, 3, 5, 6, 7]) == "pages 1, 4 and 6–8"
    message = no_ocr_message("scan.pdf", TextSources(3, (2,), False, "Tesseract is not installed"))
    assert message.startswith("scan.pdf: page 3 is a scanned image with no text")
    assert "Tesseract is not installed" in message
    assert "marking areas still works" in message


def test_ocr_image_carries_grey_pixels() -> None:
    """The OCR process takes grey rows; a wrong size is an error, not a crash."""
    from reviewer.core.ocr import recognise_pixels

    with pytest.raises((ValueError, RuntimeError)):
        recognise_pixels(OcrImage(0, 100, 100, 300, b"\xff" * 10), "eng", pymupdf.get_tessdata())


def test_the_most_urgent_page_is_recognised_next(make_pdf, tesseract: str) -> None:
    """A page the user waits for overtakes pages queued for the background index."""
    from reviewer.core.ocr import OcrEngine

    path = make_pdf("lines.pdf", *[[f"Line of page {n} for the reader"] for n in range(4)])
    doc = pymupdf.open(path)
    images = []
    for page in doc:
        pix = page.get_pixmap(dpi=150, colorspace=pymupdf.csGRAY, alpha=False)
        images.append(OcrImage(page.number, pix.width, pix.height, 150, bytes(pix.samples)))
    doc.close()
    engine = OcrEngine()
    try:
        done: list[int] = []
        futures = []
        for image, priority in zip(images, (4, 4, 4, 0), strict=True):
            future = engine.recognise(image, tesseract, priority)
            future.add_done_callback(lambda _f, p=image.page: done.append(p))
            futures.append(future)
        texts = [pymupdf.open("pdf", f.result(TIMEOUT))[0].get_text() for f in futures]
    finally:
        engine.close()
    assert done == [0, 3, 1, 2]  # page 1 was already being read; page 4 jumps the queue
    assert all(f"page {n}" in text for n, text in enumerate(texts))
