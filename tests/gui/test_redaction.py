"""Export a redacted copy from the window; warnings about bad redactions in a document."""

from __future__ import annotations

import json

import pymupdf
from PySide6.QtCore import Qt

from reviewer.core import annotations as stored
from reviewer.core.redaction.plan import RedactionOptions

LINES = (
    "Declaration of Jane Roe in support of the motion",
    "SSN: 123-45-6789",
    "Contact: jane.roe@example.com",
    "Nothing here is private at all.",
)
TIMEOUT = 60_000
EXPORT = (Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)


def test_accept_then_export_a_verified_redacted_copy(
    qtbot, make_window, make_pdf, workspace, dialogs, tmp_path
):
    window = make_window(make_pdf("declaration.pdf", list(LINES)))
    pane = window.current_pane()
    view, ctrl = pane.view, pane.annotations

    # Nothing accepted yet: the export says so and asks nothing else.
    qtbot.keyClick(window, *EXPORT)
    assert dialogs.infos[-1][0] == "Nothing to redact"

    assert pane.scan_for_pii()
    qtbot.waitUntil(lambda: not pane.scan.running, timeout=TIMEOUT)
    by_text = {a.selector.exact: a for a in ctrl.annotations()}
    ctrl.select(by_text["123-45-6789"].id)
    qtbot.keyClick(view, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: not pane.scan.running, timeout=TIMEOUT)  # propagation
    assert stored.get(workspace, by_text["123-45-6789"].id).state == "accepted"

    # Cancelled at the options: nothing written.
    target = tmp_path / "declaration-redacted.pdf"
    dialogs.redaction_options_given = [None]
    qtbot.keyClick(window, *EXPORT)
    assert not pane.export.running
    assert not target.exists()

    dialogs.redaction_options_given = [RedactionOptions(label_text="REDACTED")]
    dialogs.saves = [target]
    steps: list[tuple[int, int]] = []
    pane.export.progress.connect(lambda done, total: steps.append((done, total)))
    qtbot.keyClick(window, *EXPORT)
    assert pane.export.running
    assert pane.export_bar.isVisible()
    qtbot.waitUntil(lambda: not pane.export.running, timeout=TIMEOUT)
    assert not pane.export_bar.isVisible()
    assert steps, "the bar heard how far the export got"
    assert steps[-1][0] == steps[-1][1]
    assert dialogs.errors == []
    assert f"Saved {target.name}: verified" in window.statusBar().currentMessage()

    with pymupdf.open(target) as doc:
        text = doc[0].get_text()
    assert "123-45-6789" not in text
    assert "jane.roe@example.com" in text  # proposed, not accepted: kept
    assert "Nothing here is private at all." in text
    reports = list(tmp_path.glob("*.json"))
    assert len(reports) == 1
    assert "123-45-6789" not in reports[0].read_text(encoding="utf-8")
    assert json.loads(reports[0].read_text(encoding="utf-8"))


def test_cancel_leaves_the_target_as_it_was(
    qtbot, make_window, generated, workspace, dialogs, tmp_path
):
    window = make_window(generated["brief"])
    pane = window.current_pane()
    ctrl = pane.annotations
    # An accepted area over most of every page: enough work to cancel midway.
    for page in range(pane.session.page_count):
        assert ctrl.create_area(page, (60, 60, 540, 700), "PERSON") is not None
    target = tmp_path / "brief-redacted.pdf"
    target.write_bytes(b"the previous export")
    dialogs.redaction_options_given = [RedactionOptions(flatten=True, dpi=200)]
    dialogs.saves = [target]
    window.export_redacted()
    assert pane.export.running
    qtbot.mouseClick(pane.export_bar.cancel, Qt.MouseButton.LeftButton)
    assert not pane.export.running
    assert not pane.export_bar.isVisible()
    assert target.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir() if target.stem in p.name) == [target.name]


def test_bad_redactions_are_pointed_out_when_a_document_opens(qtbot, make_window, shared_pdfs):
    window = make_window(shared_pdfs / "xray__rectangles_yes.pdf")
    pane = window.current_pane()
    qtbot.waitUntil(pane.redaction_notice.isVisible, timeout=TIMEOUT)
    text = pane.redaction_notice.label.text()
    assert text.startswith("3 redactions in ")
    assert "page 1 (3)" in text
    assert "did not disclose all relevant medical history" not in text
    qtbot.mouseClick(pane.redaction_notice.action_button, Qt.MouseButton.LeftButton)
    assert pane.view.current_page == 0

    clean = make_window(shared_pdfs / "xray__rectangles_no.pdf").current_pane()
    qtbot.waitUntil(lambda: clean.session.sources is not None, timeout=TIMEOUT)
    qtbot.wait(500)  # the check runs after the sources; give it its turn
    assert not clean.redaction_notice.isVisible()
