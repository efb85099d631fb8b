"""Scanning for PII and reviewing the suggestions by keyboard, checked in the store."""

from __future__ import annotations

from PySide6.QtCore import Qt

from reviewer.core import annotations as stored

LINES = (
    "Declaration of Jane Roe in support of the motion",
    "Contact: jane.roe@example.com",
    "SSN: 123-45-6789",
    "Card on file: 4111 1111 1111 1111",
    "Case No. 2:15-cv-05642, Document 465, ECF No. 12",
)


def _by_state(workspace, sha: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for a in stored.for_document(workspace, sha):
        out.setdefault(a.state, []).append(a.selector.exact)
    return out


def test_scan_accept_reject_by_keyboard_and_rescan_keeps_rejections(
    qtbot, make_window, workspace, make_pdf
):
    window = make_window(make_pdf("declaration.pdf", list(LINES)))
    pane = window.current_pane()
    sha = pane.session.sha256
    view = pane.view
    view.setFocus()

    qtbot.keyClick(
        window,
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert pane.scan.running
    qtbot.waitUntil(lambda: not pane.scan.running, timeout=30_000)
    proposed = stored.for_document(workspace, sha)
    found = {(a.label, a.selector.exact) for a in proposed}
    assert ("EMAIL", "jane.roe@example.com") in found
    assert ("SSN", "123-45-6789") in found
    assert ("CREDIT_CARD", "4111 1111 1111 1111") in found
    assert all(a.state == "proposed" and a.origin.startswith("suggested:") for a in proposed)
    assert all(a.reason and a.score is not None for a in proposed)
    assert not any("05642" in text or "465" in text for _, text in found)
    assert pane.annotations.selected == proposed[0].id  # the first one is ready to review

    # F8 wraps to the first suggestion; A accepts it and moves on; X rejects the next.
    qtbot.keyClick(view, Qt.Key.Key_F8)
    first = pane.annotations.selected
    qtbot.keyClick(view, Qt.Key.Key_A)
    assert stored.get(workspace, first).state == "accepted"
    second = pane.annotations.selected
    assert second != first
    qtbot.keyClick(view, Qt.Key.Key_X)
    rejected = stored.get(workspace, second)
    assert rejected.state == "rejected"
    assert rejected.label != "ADDRESS"  # A and X judged suggestions; they did not relabel
    qtbot.waitUntil(lambda: not pane.scan.running, timeout=30_000)  # propagation after accept

    # A rescan proposes nothing already answered: no duplicate, the rejection stands.
    before = _by_state(workspace, sha)
    qtbot.keyClick(
        window,
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: not pane.scan.running, timeout=30_000)
    after = _by_state(workspace, sha)
    assert after == before
    assert stored.get(workspace, second).state == "rejected"

    # Undo takes back the rejection like any other change.
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored.get(workspace, second).state == "proposed"


def test_cancel_stores_nothing(qtbot, make_window, workspace, make_pdf):
    window = make_window(make_pdf("declaration.pdf", list(LINES)))
    pane = window.current_pane()
    assert pane.scan_for_pii()
    assert pane.scan_bar.isVisible()
    assert pane.scan_bar.label.text() == "Scanning page 1 of 1"
    qtbot.mouseClick(pane.scan_bar.cancel, Qt.MouseButton.LeftButton)
    assert not pane.scan.running
    assert not pane.scan_bar.isVisible()
    qtbot.wait(500)  # a page the worker had already started answers: it is dropped
    assert stored.for_document(workspace, pane.session.sha256) == []


def test_values_accepted_during_a_propagation_are_looked_for_after_it(
    qtbot, make_window, workspace, make_pdf
):
    """A pressed on two suggestions in a row: the second value's other occurrences are
    proposed too, once the first value's search ends."""
    lines = [*LINES, "Her number, 123 45 6789, appears again here."]
    window = make_window(make_pdf("declaration.pdf", lines))
    pane = window.current_pane()
    ctrl, view = pane.annotations, pane.view
    assert pane.scan_for_pii()
    qtbot.waitUntil(lambda: not pane.scan.running, timeout=30_000)
    by_text = {a.selector.exact: a for a in ctrl.annotations()}
    assert "123 45 6789" not in by_text  # no context on that line: not suggested on its own

    ctrl.select(by_text["jane.roe@example.com"].id)
    qtbot.keyClick(view, Qt.Key.Key_A)
    assert pane.scan.running  # looking for the e-mail elsewhere
    ctrl.select(by_text["123-45-6789"].id)
    qtbot.keyClick(view, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: not pane.scan.running, timeout=30_000)
    qtbot.waitUntil(
        lambda: any(a.selector.exact == "123 45 6789" for a in ctrl.annotations()), timeout=30_000
    )
    [again] = [a for a in ctrl.annotations() if a.selector.exact == "123 45 6789"]
    assert (again.label, again.state) == ("SSN", "proposed")
    assert again.reason == "same number as accepted '123-45-6789'"
    assert stored.get(workspace, again.id) == again
