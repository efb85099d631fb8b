"""Reviewing OCR in the window: an ocr item shows its page's lines beside the page image.

Everything goes through the real MainWindow, a real batch file, the real
document worker with Tesseract and a real workspace: edits are typed into
the table's editor, the illegible switch is clicked, the mouse hovers words.
"""

from __future__ import annotations

import html
import json

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit

from reviewer.core import annotations as stored
from reviewer.core import batches
from reviewer.core.ocr_review import ILLEGIBLE_MARK, PAGE_BREAK
from reviewer.ui.ocr_review import CORRECTED, ILLEGIBLE_COLUMN, LINE_LAYER, OCR, WORD_LAYER

TIMEOUT = 60_000


def _open_first_item(qtbot, window, dialogs, batch_file):
    dialogs.batches.append(batch_file)
    window.actions_["open_batch"].trigger()
    qtbot.waitUntil(lambda: window.work_panel.model.rowCount() > 0, timeout=30_000)
    qtbot.waitUntil(lambda: window.current_pane() is not None, timeout=30_000)
    pane = window.current_pane()
    qtbot.waitUntil(lambda: getattr(pane, "ocr_review", None) is not None, timeout=TIMEOUT)
    panel = pane.ocr_review
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=TIMEOUT)
    return pane, panel


def _type_correction(qtbot, panel, row: int, text: str) -> None:
    """Double-click the corrected text of ``row``, type over it, press Enter."""
    table = panel.table
    table.scrollTo(panel.model.index(row, CORRECTED))
    rect = table.visualRect(panel.model.index(row, CORRECTED))
    # A double-click is a click and then a second press (QTest sends only the latter).
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit))
    editor = QApplication.focusWidget()
    assert editor.text() == panel.corrected.lines[row].edited  # starts from the current text
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # Qt commits and closes the editor on the next turn of the event loop.
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState)


def _click_illegible(qtbot, panel, row: int) -> None:
    index = panel.model.index(row, ILLEGIBLE_COLUMN)
    panel.table.scrollTo(index)
    rect = panel.table.visualRect(index)
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _marks(workspace, sha: str, label: str):
    return [a for a in stored.for_document(workspace, sha) if a.label == label]


def test_correct_lines_mark_illegible_hover_and_export(
    qtbot, make_window, make_batch, generated, workspace, dialogs, tmp_path
):
    batch_file = make_batch([generated["scan"]], task="ocr", taxonomy="ocr")
    window = make_window()
    pane, panel = _open_first_item(qtbot, window, dialogs, batch_file)
    [batch] = batches.batches(workspace)
    first = batches.items(workspace, batch.id)[0]
    assert (first.task, first.page, pane.annotations.item) == ("ocr", 0, first.id)
    assert panel.page == 0
    assert pane.annotations.taxonomy.id == "ocr"  # the palette offers correction/illegible
    assert panel.layer.source == "ocr"
    sha = pane.session.sha256
    lines = panel.lines
    assert [line.index for line in lines] == list(range(len(lines)))
    assert panel.model.rowCount() == len(lines) > 5
    # The table shows what OCR read, line by line, as in the page text.
    for row, line in enumerate(lines):
        assert panel.model.index(row, OCR).data() == line.text
        assert panel.layer.text[line.start : line.end] == line.text
    wordy = [i for i, line in enumerate(lines) if len(line.words) >= 4]
    row, other, third = wordy[0], wordy[1], wordy[2]
    before = lines[row].text
    after = before.upper() if before.upper() != before else before + " (sic)"

    # Type a correction: stored at once as an annotation with before and after.
    _type_correction(qtbot, panel, row, after)
    [correction] = _marks(workspace, sha, "correction")
    assert (correction.taxonomy, correction.selector.exact, correction.correction) == (
        "ocr",
        before,
        after,
    )
    assert correction.item == first.id
    segment = correction.selector.segments[0]
    assert (segment.page, segment.start, segment.end) == (0, lines[row].start, lines[row].end)
    assert panel.model.index(row, CORRECTED).data() == after
    assert [e.kind for e in workspace.events(entity_id=correction.id)] == ["annotation.created"]

    # Editing it again updates the same annotation (no second one), and logs before/after.
    again = after + " ok"
    _type_correction(qtbot, panel, row, again)
    [updated] = _marks(workspace, sha, "correction")
    assert (updated.id, updated.correction) == (correction.id, again)
    last = workspace.events(entity_id=correction.id)[-1]
    assert (last.kind, last.before, last.after) == (
        "annotation.updated",
        {"correction": after},
        {"correction": again},
    )

    # Click the illegible switch of another line: an illegible annotation on its text.
    _click_illegible(qtbot, panel, other)
    [illegible] = _marks(workspace, sha, "illegible")
    assert illegible.selector.exact == lines[other].text
    assert panel.model.index(other, ILLEGIBLE_COLUMN).data(Qt.ItemDataRole.CheckStateRole) == (
        Qt.CheckState.Checked
    )
    assert panel.model.index(other, CORRECTED).data() == ILLEGIBLE_MARK

    # Ctrl+Z undoes the last change (the illegible mark); the correction stays.
    qtbot.keyClick(panel.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _marks(workspace, sha, "illegible") == []
    assert stored.get(workspace, illegible.id).deleted
    assert panel.model.index(other, ILLEGIBLE_COLUMN).data(Qt.ItemDataRole.CheckStateRole) == (
        Qt.CheckState.Unchecked
    )
    assert [a.correction for a in _marks(workspace, sha, "correction")] == [again]

    # Space switches the current line illegible from the keyboard.
    panel.table.setFocus()
    panel.table.setCurrentIndex(panel.model.index(third, OCR))
    qtbot.keyClick(panel.table, Qt.Key.Key_Space)
    [keyed] = _marks(workspace, sha, "illegible")
    assert keyed.selector.exact == lines[third].text

    # Hover a word on the page: its line is selected here, the word marked on the page.
    view = pane.view
    target_row = next(
        i
        for i, line in enumerate(lines)
        if i not in (row, third) and len(line.words) >= 3 and line.words[1].start >= 0
    )
    word = lines[target_row].words[1]
    spot = view.viewport_point(0, (word.x0 + word.x1) / 2, (word.y0 + word.y1) / 2)
    assert view.viewport().rect().contains(spot)
    qtbot.mouseMove(view.viewport(), spot)
    qtbot.waitUntil(lambda: panel.table.currentIndex().row() == target_row)
    assert view.marks(WORD_LAYER) == {0: [(word.x0, word.y0, word.x1, word.y1)]}
    assert view.marks(LINE_LAYER) == {0: [lines[target_row].box]}
    assert panel.model.hover == (target_row, 1)
    assert f">{html.escape(word.text)}</b>" in panel.word.text()  # in bold in the panel

    # Hover the start of a line in the panel: that line and its first word on the page.
    short = next(
        i
        for i, line in enumerate(lines)
        if i != target_row and len(line.words) >= 2 and len(line.text) < 20
    )
    index = panel.model.index(short, OCR)
    panel.table.scrollTo(index)
    rect = panel.table.visualRect(index)
    qtbot.mouseMove(panel.table.viewport(), QPoint(rect.x() + 6, rect.center().y()))
    first_word = lines[short].words[0]
    qtbot.waitUntil(lambda: view.marks(LINE_LAYER) == {0: [lines[short].box]})
    assert view.marks(WORD_LAYER) == {
        0: [(first_word.x0, first_word.y0, first_word.x1, first_word.y1)]
    }

    # Export the corrected text of the page (the file dialog answers with a path).
    target = tmp_path / "page 1 corrected.txt"
    asked = []
    panel.choose_export_path = lambda suggested: asked.append(suggested) or target
    qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    [suggested] = asked
    assert suggested.suffix == ".txt"
    text = target.read_text(encoding="utf-8")
    assert PAGE_BREAK not in text  # one page
    exported = text.splitlines()
    assert again in exported
    assert before not in exported
    assert exported.count(ILLEGIBLE_MARK) == 1
    assert lines[third].text not in exported
    assert len(exported) == len(lines)

    # JSON Lines: the page and every correction with its before and after.
    records = panel.export_corrected_text(tmp_path / "page 1.jsonl")
    [record] = [json.loads(x) for x in records.read_text(encoding="utf-8").splitlines()]
    assert record["page"] == 1
    assert record["text"].rstrip("\n") + "\n" == text
    changes = {c["line"]: c for c in record["corrections"]}
    assert changes[row + 1]["before"] == before
    assert changes[row + 1]["after"] == again
    assert changes[third + 1]["after"] == ILLEGIBLE_MARK
    assert changes[third + 1]["illegible"] is True

    # Typing back what OCR read removes the correction; Delete does too, and Ctrl+Z undoes.
    _type_correction(qtbot, panel, row, before)
    assert _marks(workspace, sha, "correction") == []
    qtbot.keyClick(panel.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [a.correction for a in _marks(workspace, sha, "correction")] == [again]
    panel.table.setCurrentIndex(panel.model.index(row, OCR))
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    assert _marks(workspace, sha, "correction") == []
    assert panel.model.index(row, CORRECTED).data() == before


def test_next_item_moves_the_review_to_its_page(
    qtbot, make_window, make_batch, generated, workspace, dialogs
):
    batch_file = make_batch([generated["scan"]], task="ocr", taxonomy="ocr")
    window = make_window()
    pane, panel = _open_first_item(qtbot, window, dialogs, batch_file)
    [batch] = batches.batches(workspace)
    second = batches.items(workspace, batch.id)[1]
    work = window.work_panel
    qtbot.mouseClick(work.buttons["done"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(work.buttons["next"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pane.annotations.item == second.id, timeout=TIMEOUT)
    assert window.current_pane() is pane  # the same document: the tab is reused
    assert pane.ocr_review is panel
    qtbot.waitUntil(lambda: panel.page == 1 and panel.layer is not None, timeout=TIMEOUT)
    assert panel.layer.page == 1
    assert panel.lines[0].page == 1
    # A correction now belongs to the second item and to page 2.
    _click_illegible(qtbot, panel, 0)
    [mark] = _marks(workspace, pane.session.sha256, "illegible")
    assert (mark.item, mark.selector.page) == (second.id, 1)
