"""Scanned pages in the app: OCR words to select, find and scan; without OCR, one notice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

from reviewer.core import annotations as stored

TIMEOUT = 60_000


def _truth_rects(samples: Path, text: str) -> list[tuple[float, ...]]:
    truth = json.loads((samples / "ground_truth.json").read_text())
    [letter] = [d for d in truth["documents"] if d["file"] == "scanned_letter.pdf"]
    return [tuple(p["rect"]) for p in letter["pii"] if p["text"] == text and p["page"] == 0]


def _centre(view, word) -> QPoint:
    return view.viewport_point(0, (word.x0 + word.x1) / 2, (word.y0 + word.y1) / 2)


def _inside(rect: tuple[float, ...], box: tuple[float, ...], slack: float = 4.0) -> bool:
    return (
        rect[0] - slack <= box[0]
        and rect[1] - slack <= box[1]
        and box[2] <= rect[2] + slack
        and box[3] <= rect[3] + slack
    )


def test_ocr_words_are_selected_found_and_scanned(qtbot, make_window, generated, workspace):
    samples = generated["samples"]
    window = make_window(samples / "scanned_letter.pdf")
    pane = window.current_pane()
    view, session = pane.view, pane.session
    qtbot.waitUntil(lambda: session.layer(0) is not None, timeout=TIMEOUT)
    layer = session.layer(0)
    assert layer.source == "ocr"

    # Select the phone number by dragging over the recognised words; press PHONE's key.
    first = next(w for w in layer.words if w.text == "(617)")
    last = next(w for w in layer.words if w.text == "555-0189")
    viewport = view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=_centre(view, first))
    qtbot.mouseMove(viewport, _centre(view, last))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=_centre(view, last))
    qtbot.keyClicks(view, pane.annotations.taxonomy.label("PHONE").shortcut)
    [marked] = stored.for_document(workspace, session.sha256)
    assert (marked.label, marked.selector.exact) == ("PHONE", "(617) 555-0189")
    [(x0, y0, x1, y1)] = [
        (min(q[0::2]), min(q[1::2]), max(q[0::2]), max(q[1::2]))
        for seg in marked.selector.segments
        for q in seg.quads
    ]
    [where] = _truth_rects(samples, "(617) 555-0189")
    assert _inside(where, (x0, y0, x1, y1))  # the box covers the number on the image

    # Find searches the recognised text of both pages.
    qtbot.keyClick(view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.find_bar.edit, "Johnston Way")
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.find_bar.count.text() == "1 of 2", timeout=TIMEOUT)
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Escape)

    # Scan for PII reads the same words; A accepts the first suggestion.
    view.setFocus()
    qtbot.keyClick(
        window,
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: not pane.scan.running, timeout=TIMEOUT)
    found = {(a.label, a.selector.exact) for a in stored.for_document(workspace, session.sha256)}
    assert ("ADDRESS", "2602 Johnston Way\nNew York, NY 10028") in found
    assert ("BANK_ACCOUNT", "4050 6759 4314 8940") in found
    assert ("PERSON", "Joseph Cox") in found
    qtbot.keyClick(view, Qt.Key.Key_F8)  # the phone number is still selected: go to the next
    selected = pane.annotations.selected
    assert stored.get(workspace, selected).state == "proposed"
    qtbot.keyClick(view, Qt.Key.Key_A)
    assert stored.get(workspace, selected).state == "accepted"
    assert not pane.notice.isVisible()


def test_without_ocr_the_app_says_so_once(
    qtbot, make_window, generated, shared_pdfs, workspace, tmp_path, monkeypatch, shift_drag
):
    empty = tmp_path / "tessdata"
    empty.mkdir()
    monkeypatch.setenv("TESSDATA_PREFIX", str(empty))  # Tesseract without language data
    window = make_window(generated["samples"] / "scanned_letter.pdf")
    pane = window.current_pane()
    qtbot.waitUntil(pane.notice.isVisible, timeout=TIMEOUT)
    text = pane.notice.label.text()
    assert "scanned_letter.pdf" in text or pane.session.title in text
    assert "pages 1–2 are scanned images" in text
    assert "no data for the language eng" in text
    assert "marking areas still works" in text

    # Area marking works on the scan: shift-drag, then a label key.
    view = pane.view
    shift_drag(view, 0, (80, 80), (300, 110))
    qtbot.keyClicks(view, pane.annotations.taxonomy.label("ORG").shortcut)
    [area] = stored.for_document(workspace, pane.session.sha256)
    assert (area.selector.kind, area.label) == ("area", "ORG")
    assert pane.session.layer(0) is None or pane.session.layer(0).words == []

    qtbot.mouseClick(pane.notice.close_button, Qt.MouseButton.LeftButton)
    assert not pane.notice.isVisible()

    # A second scanned document in the same run: not said again.
    with qtbot.waitSignal(window.documentShown, timeout=TIMEOUT):
        window.open_paths([shared_pdfs / "disclosure__2011-Alito-J3.pdf"])
    second = window.current_pane()
    assert second is not pane
    qtbot.waitUntil(lambda: second.session.sources is not None, timeout=TIMEOUT)
    assert second.session.sources.unreadable_pages == tuple(range(8))
    assert not second.notice.isVisible()


@pytest.mark.parametrize("name", ["doctor__ca9_19.pdf"])
def test_born_digital_documents_show_no_notice(qtbot, make_window, shared_pdfs, name):
    window = make_window(shared_pdfs / name)
    pane = window.current_pane()
    qtbot.waitUntil(lambda: pane.session.sources is not None, timeout=TIMEOUT)
    assert pane.session.sources.image_pages == ()
    assert not pane.notice.isVisible()
