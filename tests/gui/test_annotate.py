"""Annotating as a user does it: drag, press a label key, explain; checked in the store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from gestures import _centre, _drag_words, _select_line, _words_of_a_line
from PySide6.QtCore import Qt

from reviewer.core import annotations as stored
from reviewer.core.paths import resolve
from reviewer.core.store import Workspace


def test_drag_label_key_and_comment_are_stored(qtbot, make_window, generated, workspace):
    window = make_window(generated["brief"])
    pane = window.current_pane()
    view = pane.view
    pane.palette_.set_taxonomy("legal-errors")
    expected = _select_line(qtbot, window)
    key = pane.annotations.taxonomy.label("citation").shortcut
    qtbot.keyClicks(view, key)
    [annotation] = stored.for_document(workspace, pane.session.sha256)
    assert annotation.label == "citation"
    assert annotation.taxonomy == "legal-errors"
    assert annotation.selector.exact == expected
    assert annotation.selector.kind == "text"
    layer = pane.session.layer(0)
    segment = annotation.selector.segments[0]
    assert layer.text[segment.start : segment.end] == expected
    assert annotation.selector.prefix == layer.text[max(0, segment.start - 32) : segment.start]
    # A citation error needs an explanation: the comment box has the focus now.
    assert pane.panel.comment_edit.hasFocus()
    qtbot.keyClicks(pane.panel.comment_edit, "Hartwell v. Meridian does not exist.")
    qtbot.keyClick(pane.panel.comment_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert stored.get(workspace, annotation.id).comment == "Hartwell v. Meridian does not exist."
    assert view.hasFocus()
    kinds = [e.kind for e in workspace.events(entity="annotation")]
    assert kinds == ["annotation.created", "annotation.updated"]
    # The panel lists it, and the count says no explanation is missing any more.
    assert pane.panel.model.rowCount() == 1
    assert pane.panel.count.text() == "1 annotation"


def test_label_key_stores_the_selection_on_screen_not_an_earlier_one(
    qtbot, make_window, generated, workspace
):
    """A finished drag is anchored on release; a label key pressed while a new drag is
    still under way stores the new selection, not the anchor made for the old one."""
    window = make_window(generated["brief"])
    pane = window.current_pane()
    view = pane.view
    qtbot.waitUntil(lambda: view.session.layer(0) is not None)
    words, lines = _words_of_a_line(view, 0, 4)
    first, second = lines[1], lines[3]
    _drag_words(qtbot, view, 0, words[first[0]], words[first[2]])  # released: anchored
    viewport = view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=_centre(view, 0, words[second[0]]))
    qtbot.mouseMove(viewport, _centre(view, 0, words[second[1]]))  # still held
    qtbot.keyClicks(view, pane.annotations.taxonomy.label("PERSON").shortcut)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=_centre(view, 0, words[second[1]]))
    [annotation] = stored.for_document(workspace, pane.session.sha256)
    assert annotation.selector.exact == f"{words[second[0]].text} {words[second[1]].text}"
    # And a released drag stores exactly what it anchored.
    _drag_words(qtbot, view, 0, words[first[0]], words[first[2]])
    qtbot.keyClicks(view, pane.annotations.taxonomy.label("ORG").shortcut)
    org = [a for a in stored.for_document(workspace, pane.session.sha256) if a.label == "ORG"]
    assert [a.selector.exact for a in org] == [" ".join(words[i].text for i in first[:3])]


def test_area_on_a_scanned_page(qtbot, make_window, generated, workspace, shift_drag):
    window = make_window(generated["scan"])
    pane = window.current_pane()
    view = pane.view
    shift_drag(view, 0, (100, 120), (300, 200))
    assert view.pending_area() is not None
    qtbot.keyClicks(view, pane.annotations.taxonomy.label("SIGNATURE").shortcut)
    [annotation] = stored.for_document(workspace, pane.session.sha256)
    assert annotation.selector.kind == "area"
    assert annotation.label == "SIGNATURE"
    x0, y0, x1, y1 = annotation.selector.rect
    scale = view.layout_.scale
    tolerance = 1.5 / scale + 0.5  # one screen pixel, in points
    assert abs(x0 - 100) < tolerance
    assert abs(y0 - 120) < tolerance
    assert abs(y1 - 200) < tolerance
    assert x1 > x0 + 150


def test_undo_and_redo_every_kind_of_change(qtbot, make_window, generated, workspace):
    window = make_window(generated["brief"])
    pane = window.current_pane()
    view = pane.view
    ctrl = pane.annotations
    _select_line(qtbot, window)
    qtbot.keyClicks(view, ctrl.taxonomy.label("PERSON").shortcut)
    [created] = stored.for_document(workspace, pane.session.sha256)
    # Relabel: the annotation is selected, so a label key changes it.
    qtbot.keyClicks(view, ctrl.taxonomy.label("ORG").shortcut)
    assert stored.get(workspace, created.id).label == "ORG"
    # Comment through F2.
    qtbot.keyClick(view, Qt.Key.Key_F2)
    qtbot.keyClicks(pane.panel.comment_edit, "the bank")
    qtbot.keyClick(pane.panel.comment_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert stored.get(workspace, created.id).comment == "the bank"
    # Delete with the Del key.
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert stored.for_document(workspace, pane.session.sha256) == []
    undo = lambda: qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # noqa: E731
    redo = lambda: qtbot.keyClick(  # noqa: E731
        view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    undo()  # the delete
    assert stored.get(workspace, created.id).deleted is False
    assert pane.panel.model.rowCount() == 1
    undo()  # the comment
    assert stored.get(workspace, created.id).comment == ""
    undo()  # the relabel
    assert stored.get(workspace, created.id).label == "PERSON"
    undo()  # the creation
    assert stored.get(workspace, created.id).deleted is True
    assert pane.panel.model.rowCount() == 0
    assert not window.actions_["undo"].isEnabled()
    for _ in range(4):
        redo()
    final = stored.get(workspace, created.id)
    assert (final.label, final.comment, final.deleted) == ("ORG", "the bank", True)
    undo()
    assert stored.get(workspace, created.id).deleted is False
    # Every step went to the append-only log.
    kinds = [e.kind for e in workspace.events(entity_id=created.id)]
    assert kinds.count("annotation.created") == 1
    assert len(kinds) == 4 + 4 + 4 + 1  # changes, undos, redos, one more undo


def test_severity_from_the_panel_and_keyboard_navigation(qtbot, make_window, generated, workspace):
    window = make_window(generated["brief"])
    pane = window.current_pane()
    pane.palette_.set_taxonomy("legal-errors")
    view = pane.view
    _select_line(qtbot, window, line=1)
    qtbot.keyClicks(view, pane.annotations.taxonomy.label("factual").shortcut)
    qtbot.keyClick(pane.panel.comment_edit, Qt.Key.Key_Escape)
    _select_line(qtbot, window, line=4)
    qtbot.keyClicks(view, pane.annotations.taxonomy.label("tone").shortcut)
    qtbot.keyClick(pane.panel.comment_edit, Qt.Key.Key_Escape)
    first, second = stored.for_document(workspace, pane.session.sha256)
    assert pane.annotations.selected == second.id
    qtbot.keyClick(view, Qt.Key.Key_BracketLeft, Qt.KeyboardModifier.ControlModifier)
    assert pane.annotations.selected == first.id
    index = pane.panel.severity_edit.findData("major")
    pane.panel.severity_edit.setCurrentIndex(index)
    pane.panel.severity_edit.activated.emit(index)
    assert stored.get(workspace, first.id).severity == "major"
    assert pane.panel.count.text() == "2 annotations · 2 need an explanation"
    # Clicking a row in the list selects that annotation.
    row = pane.panel.proxy.mapFromSource(pane.panel.model.index(1, 0))
    rect = pane.panel.table.visualRect(row)
    qtbot.mouseClick(pane.panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert pane.annotations.selected == second.id


def test_filters_narrow_the_list(qtbot, make_window, generated, workspace):
    window = make_window(generated["brief"])
    pane = window.current_pane()
    view = pane.view
    for line, label in ((1, "PERSON"), (2, "EMAIL"), (3, "PERSON")):
        _select_line(qtbot, window, line=line)
        qtbot.keyClicks(view, pane.annotations.taxonomy.label(label).shortcut)
    assert pane.panel.proxy.rowCount() == 3
    combo = pane.panel.label_filter
    combo.setCurrentIndex(combo.findData("PERSON"))
    assert pane.panel.proxy.rowCount() == 2
    combo.setCurrentIndex(0)
    assert pane.panel.proxy.rowCount() == 3


def test_reopening_shows_exactly_what_was_there(qtbot, make_window, generated, workspace):
    window = make_window(generated["brief"])
    pane = window.current_pane()
    _select_line(qtbot, window)
    qtbot.keyClicks(pane.view, pane.annotations.taxonomy.label("EMAIL").shortcut)
    before = stored.for_document(workspace, pane.session.sha256)
    window.close()
    again = make_window(generated["brief"])
    pane = again.current_pane()
    assert pane.annotations.annotations() == before
    assert pane.panel.model.rowCount() == 1


KILL_SCRIPT = textwrap.dedent(
    """
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from pathlib import Path
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from reviewer.core.paths import resolve
    from reviewer.core.store import Workspace
    from reviewer.ui.main_window import MainWindow

    class Quiet:
        def error(self, *a): print("ERROR", a, flush=True)
        def info(self, *a): pass
        def password(self, *a): return None

    def main():
        app = QApplication([])
        ws = Workspace.open(resolve(sys.argv[2]))
        win = MainWindow(ws, dialogs=Quiet())
        win.resize(1200, 900)
        win.show()
        def label():
            pane = win.current_pane()
            view = pane.view
            layer = pane.session.layer(0)
            if layer is None:
                QTimer.singleShot(20, label)
                return
            w0, w1 = layer.words[3], layer.words[5]
            p0 = view.viewport_point(0, (w0.x0 + w0.x1) / 2, (w0.y0 + w0.y1) / 2)
            p1 = view.viewport_point(0, (w1.x0 + w1.x1) / 2, (w1.y0 + w1.y1) / 2)
            QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=p0)
            QTest.mouseMove(view.viewport(), p1)
            QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=p1)
            QTest.keyClicks(view, pane.annotations.taxonomy.label("PERSON").shortcut)
            model = pane.panel.model
            shown = [model.annotation(r).id for r in range(model.rowCount())]
            print("SHOWN", *shown, flush=True)
        win.documentShown.connect(lambda pane: QTimer.singleShot(0, label))
        win.open_paths([Path(sys.argv[1])])
        app.exec()

    if __name__ == "__main__":
        main()
    """
)


def test_kill_9_right_after_a_label_key_loses_nothing_shown(tmp_path, generated):
    """The panel shows an annotation only after its transaction committed (synchronous=FULL)."""
    script = tmp_path / "label_then_wait.py"
    script.write_text(KILL_SCRIPT, encoding="utf-8")
    home = tmp_path / "killed-home"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(generated["brief"]), str(home)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    shown: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("SHOWN"):
                shown = line.split()[1:]
                break
        os.kill(proc.pid, signal.SIGKILL)  # no chance to flush or close anything
    finally:
        proc.wait(10)
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
    assert len(shown) == 1, "the child never showed the annotation"
    # Kill the orphaned document worker of the child, then reopen the workspace.
    with Workspace.open(resolve(home)) as ws:
        assert ws.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        [doc] = ws.documents()
        assert [a.id for a in stored.for_document(ws, doc.sha256)] == shown
        assert stored.get(ws, shown[0]).label == "PERSON"


def test_text_files_are_annotated_by_character_offsets(qtbot, make_window, tmp_path, workspace):
    memo = tmp_path / "memo.txt"
    memo.write_text(
        "PRIVILEGED AND CONFIDENTIAL\n\nTo: Maria Okafor, General Counsel\n"
        "Re: settlement of Doe v. Acme Holdings\n",
        encoding="utf-8",
    )
    window = make_window(memo)
    pane = window.current_pane()
    view = pane.view
    qtbot.waitUntil(lambda: pane.session.layer(0) is not None)
    words = pane.session.layer(0).words
    first = next(w for w in words if w.text == "Maria")
    last = next(w for w in words if w.text == "Okafor,")
    _drag_words(qtbot, view, 0, first, last)
    qtbot.keyClicks(view, pane.annotations.taxonomy.label("PERSON").shortcut)
    [annotation] = stored.for_document(workspace, pane.session.sha256)
    segment = annotation.selector.segments[0]
    text = pane.session.layer(0).text
    assert text[segment.start : segment.end] == "Maria Okafor,"
    assert annotation.selector.exact == "Maria Okafor,"
    assert annotation.selector.prefix.endswith("To: ")


def test_a_refused_write_is_reported_and_nothing_claims_to_be_saved(
    qtbot, make_window, generated, workspace, dialogs
):
    window = make_window(generated["brief"])
    pane = window.current_pane()
    _select_line(qtbot, window)
    workspace.db.execute("PRAGMA query_only = ON")  # every write now fails, as on a full disk
    qtbot.keyClicks(pane.view, pane.annotations.taxonomy.label("PERSON").shortcut)
    workspace.db.execute("PRAGMA query_only = OFF")
    assert dialogs.errors
    title, text = dialogs.errors[-1]
    assert title == "Not saved"
    assert "Not saved" in text
    assert stored.for_document(workspace, pane.session.sha256) == []
    assert pane.panel.model.rowCount() == 0
    assert not window.actions_["undo"].isEnabled()
    # The selection is kept, so the user can simply press the key again.
    assert pane.view.pending_spans()
    qtbot.keyClicks(pane.view, pane.annotations.taxonomy.label("PERSON").shortcut)
    assert len(stored.for_document(workspace, pane.session.sha256)) == 1


def test_hovering_an_annotation_shows_its_label_and_comment(qtbot, make_window, generated):
    from PySide6.QtWidgets import QToolTip

    window = make_window(generated["brief"])
    pane = window.current_pane()
    view = pane.view
    pane.palette_.set_taxonomy("legal-errors")
    _select_line(qtbot, window)
    qtbot.keyClicks(view, pane.annotations.taxonomy.label("citation").shortcut)
    qtbot.keyClicks(pane.panel.comment_edit, "Pin cite <p. 12> is wrong")
    qtbot.keyClick(pane.panel.comment_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    words, lines = _words_of_a_line(view, 0, 4)
    inside = _centre(view, 0, words[lines[2][1]])
    qtbot.mouseMove(view.viewport(), inside)
    qtbot.waitUntil(QToolTip.isVisible)
    assert "Citation" in QToolTip.text()
    assert "Pin cite &lt;p. 12&gt; is wrong" in QToolTip.text()  # shown as text, not markup
    outside = _centre(view, 0, words[lines[4][0]])
    qtbot.mouseMove(view.viewport(), outside)
    qtbot.waitUntil(lambda: not QToolTip.isVisible())


def _many_annotations(workspace, sha256: str, pages: int, per_page: int) -> int:
    """Store ``pages * per_page`` small text annotations straight into the workspace."""
    from reviewer.core.model import Annotation, Selector, TextSegment

    with workspace.transaction():
        for page in range(pages):
            for k in range(per_page):
                y = 80.0 + 14.0 * k
                quad = (90.0, y, 150.0, y, 90.0, y + 10.0, 150.0, y + 10.0)
                selector = Selector(
                    "text", page, (TextSegment(page, k, k + 4, (quad,)),), exact="word"
                )
                label = ("PERSON", "ORG", "EMAIL")[k % 3]
                stored.add(workspace, Annotation(stored.new_id(), sha256, "pii", label, selector))
    return pages * per_page


def test_many_annotations_are_read_in_chunks_and_a_change_reads_the_rest_first(
    qtbot, make_window, generated, workspace, monkeypatch
):
    """A document with many annotations opens with the first chunk listed; the rest
    follow on later turns. Stepping back from the first annotation, or making a change,
    before then reads the rest at once: nothing is missed or listed twice."""
    from reviewer.ui.annotations import controller as controller_module

    window = make_window(generated["brief"])
    sha = window.current_pane().session.sha256
    window.close_tab(0)
    total = _many_annotations(workspace, sha, pages=12, per_page=25)
    monkeypatch.setattr(controller_module, "LOAD_CHUNK", 40)
    monkeypatch.setattr(controller_module, "LOAD_BUDGET_S", 0.0)  # one chunk per turn

    def reopen():
        window.close_tab(0)
        with qtbot.waitSignal(window.documentShown, timeout=20_000):
            window.open_paths([generated["brief"]])
        return window.current_pane()

    pane = reopen()
    ctrl, model = pane.annotations, pane.panel.model
    assert ctrl.loading
    assert model.rowCount() == 40
    assert pane.panel.count.text() == "Reading annotations…"
    assert {a.selector.page for a in ctrl.annotations()[:25]} == {0}
    qtbot.waitUntil(lambda: not ctrl.loading, timeout=10_000)
    expected = stored.for_document(workspace, sha)
    assert [model.annotation(r) for r in range(model.rowCount())] == expected
    assert pane.panel.count.text() == f"{total} annotations"
    assert pane.panel.label_filter.findData("EMAIL") > 0
    assert len(ctrl.on_page(11)) == 25

    # Previous from nothing selected is the document's last, not the last read so far.
    pane = reopen()
    assert pane.annotations.loading
    qtbot.keyClick(pane.view, Qt.Key.Key_BracketLeft, Qt.KeyboardModifier.ControlModifier)
    assert not pane.annotations.loading
    assert pane.annotations.selected == expected[-1].id

    # A change while chunks are due: the new row is listed once, among all the others.
    pane = reopen()
    ctrl, model = pane.annotations, pane.panel.model
    assert ctrl.loading
    created = ctrl.create_area(3, (100.0, 400.0, 300.0, 450.0), "SIGNATURE")
    assert created is not None
    rows = [model.annotation(r) for r in range(model.rowCount())]
    assert len(rows) == len({a.id for a in rows}) == total + 1
    assert rows == stored.for_document(workspace, sha)
    assert ctrl.facets().labels[("pii", "SIGNATURE")] == 1
    assert pane.panel.count.text() == f"{total + 1} annotations"
