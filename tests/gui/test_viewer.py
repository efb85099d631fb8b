"""The viewer driven as a user drives it: keys, mouse, find bar; checked against the store."""

from __future__ import annotations

import os
import signal

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QWheelEvent
from PySide6.QtWidgets import QApplication

from reviewer.core.samples import rare_term_pages
from reviewer.core.store import Workspace

BRIEF_PAGES = 40


def test_opening_a_document_stores_it_and_shows_page_one(qtbot, make_window, generated, workspace):
    window = make_window(generated["brief"])
    view = window.current_view()
    assert view.session.page_count == BRIEF_PAGES
    assert view.current_page == 0
    assert view.verticalScrollBar().value() == 0
    assert window.status_page.text() == f"Page 1 of {BRIEF_PAGES}"
    stored = workspace.documents()
    assert [d.original_name for d in stored] == ["brief_40.pdf"]
    assert stored[0].page_count == BRIEF_PAGES
    assert workspace.blob_path(stored[0].sha256).read_bytes() == generated["brief"].read_bytes()
    assert [e.kind for e in workspace.events(entity="document")] == ["document.added"]


def test_end_key_scrolls_to_the_last_page_and_renders_it(
    qtbot, make_window, generated, wait_rendered
):
    window = make_window(generated["brief"])
    view = window.current_view()
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.current_page == BRIEF_PAGES - 1
    wait_rendered(window, BRIEF_PAGES - 1)
    assert window.status_page.text() == f"Page {BRIEF_PAGES} of {BRIEF_PAGES}"
    assert window.page_box.value() == BRIEF_PAGES
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.current_page == 0
    assert view.verticalScrollBar().value() == 0


def test_page_down_up_and_page_box_navigate(qtbot, make_window, generated, wait_rendered):
    window = make_window(generated["brief"])
    view = window.current_view()
    qtbot.keyClick(view, Qt.Key.Key_PageDown)
    qtbot.keyClick(view, Qt.Key.Key_PageDown)
    assert view.current_page == 2
    qtbot.keyClick(view, Qt.Key.Key_PageUp)
    assert view.current_page == 1
    window.page_box.selectAll()
    qtbot.keyClicks(window.page_box, "17")
    qtbot.keyClick(window.page_box, Qt.Key.Key_Return)
    assert view.current_page == 16
    wait_rendered(window, 16)


def test_thumbnail_click_goes_to_that_page(qtbot, make_window, generated):
    window = make_window(generated["brief"])
    pane = window.current_pane()
    index = pane.thumbnails.model().index(3, 0)
    qtbot.waitUntil(lambda: pane.thumbnails.visualRect(index).height() > 0)
    rect = pane.thumbnails.visualRect(index)
    qtbot.mouseClick(pane.thumbnails.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert pane.view.current_page == 3
    # The sidebar's pictures are real renderings, fetched lazily.
    model = pane.thumbnails.model()
    qtbot.waitUntil(lambda: (0, model.scale) in pane.session.thumbnails, timeout=20_000)


def test_only_thumbnails_on_screen_are_drawn(qtbot, make_window, generated):
    """The sidebar lays out every page from its size; it draws only the ones shown."""
    window = make_window(generated["brief"])
    pane = window.current_pane()
    thumbnails, model = pane.thumbnails, pane.thumbnails.model()
    first = model.index(0, 0)
    assert thumbnails.visualRect(first).height() > 0
    shown = [
        row
        for row in range(model.rowCount())
        if thumbnails.viewport().rect().intersects(thumbnails.visualRect(model.index(row, 0)))
    ]
    assert 1 <= len(shown) < model.rowCount() // 2
    qtbot.waitUntil(
        lambda: all((row, model.scale) in pane.session.thumbnails for row in shown),
        timeout=20_000,
    )
    qtbot.wait(300)  # time for any request made for an unseen page to come back
    drawn = {p for p in range(model.rowCount()) if (p, model.scale) in pane.session.thumbnails}
    assert drawn <= set(range(max(shown) + 3))
    # Scrolling the sidebar to the end draws the last page's thumbnail.
    thumbnails.scrollToBottom()
    last = model.rowCount() - 1
    qtbot.waitUntil(lambda: (last, model.scale) in pane.session.thumbnails, timeout=20_000)


def test_zoom_keys_wheel_and_fit(qtbot, make_window, generated, wait_rendered):
    window = make_window(generated["brief"])
    view = window.current_view()
    qtbot.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == 1.0
    assert window.status_zoom.text() == "100 %"
    qtbot.keyClick(view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == 1.1
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == 0.9
    assert window.status_zoom.text() == "90 %"
    # Ctrl+wheel zooms around the pointer.
    centre = QPointF(view.viewport().width() / 2, view.viewport().height() / 2)
    wheel = QWheelEvent(
        centre,
        view.viewport().mapToGlobal(centre),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), wheel)
    assert view.zoom > 0.9
    # Fit width: the page fills the viewport's width but for the margins.
    qtbot.keyClick(view, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    box = view.layout_.page_box(0)
    assert abs(box.w - (view._usable_width() - 2 * view.layout_.margin)) < 1.0
    # Fit page: a whole page is visible.
    qtbot.keyClick(view, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert view.layout_.page_box(0).h <= view.viewport().height()
    wait_rendered(window)


def test_render_is_sharp_on_high_dpi(qtbot, make_window, generated):
    """Pages are rendered at zoom × device pixel ratio, so text is crisp on HiDPI screens."""
    window = make_window(generated["brief"])
    view = window.current_view()
    pixmap = view.session.cache.get((0, view._render_scale(0)))
    assert pixmap is not None
    expected_width = view.layout_.page_box(0).w * view.devicePixelRatioF()
    assert abs(pixmap.width() - expected_width) <= 2


def test_find_highlights_every_hit_and_steps_through_them(qtbot, make_window, generated):
    window = make_window(generated["brief"])
    view = window.current_view()
    expected_pages = rare_term_pages(BRIEF_PAGES)
    qtbot.keyClick(view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.find_bar.isVisible()
    assert window.find_bar.edit.hasFocus()
    qtbot.keyClicks(window.find_bar.edit, "xylophone HOLDINGS")
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Return)
    finder = window.current_pane().find
    qtbot.waitUntil(lambda: not finder.searching and len(finder.hits) == 3, timeout=20_000)
    assert [hit.page for hit in finder.hits] == list(expected_pages)
    qtbot.waitUntil(lambda: window.find_bar.count.text() == "1 of 3")
    assert view.current_page == expected_pages[0]
    qtbot.keyClick(view, Qt.Key.Key_F3)
    assert window.find_bar.count.text() == "2 of 3"
    assert view.current_page == expected_pages[1]
    qtbot.keyClick(view, Qt.Key.Key_F3)
    qtbot.keyClick(view, Qt.Key.Key_F3)  # wraps around
    assert window.find_bar.count.text() == "1 of 3"
    qtbot.keyClick(view, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert window.find_bar.count.text() == "3 of 3"
    assert view.current_page == expected_pages[2]
    # Escape closes the bar and clears the highlights.
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Escape)
    assert not window.find_bar.isVisible()
    assert finder.hits == []


def test_find_uses_the_text_index_once_built(qtbot, make_window, generated, workspace):
    window = make_window(generated["brief"])
    sha = window.current_pane().session.sha256
    qtbot.waitUntil(lambda: workspace.index_state(sha) == (BRIEF_PAGES, True), timeout=30_000)
    assert workspace.pages_containing(sha, "Xylophone Holdings") == list(
        rare_term_pages(BRIEF_PAGES)
    )
    finder = window.current_pane().find
    finder.search("no such phrase anywhere")
    qtbot.waitUntil(lambda: not finder.searching)
    assert finder.hits == []
    assert finder.status() == "No matches"


def _line_words(view, page: int, minimum: int):
    words = view.session.loaded_words()[page]
    lines: dict[tuple[int, int], list[int]] = {}
    for i, w in enumerate(words):
        lines.setdefault((w.block, w.line), []).append(i)
    return words, [ids for ids in lines.values() if len(ids) >= minimum]


def _centre(view, page: int, word) -> QPoint:
    return view.viewport_point(page, (word.x0 + word.x1) / 2, (word.y0 + word.y1) / 2)


def test_drag_selects_whole_words_and_ctrl_c_copies_them(qtbot, make_window, generated):
    window = make_window(generated["brief"])
    view = window.current_view()
    qtbot.waitUntil(lambda: 0 in view.session.loaded_words())
    words, lines = _line_words(view, 0, 6)
    ids = lines[1]
    first, last = words[ids[1]], words[ids[4]]
    viewport = view.viewport()
    # Start inside the first word, a little right of its left edge: selection snaps to words.
    start = view.viewport_point(0, first.x0 + 1.0, (first.y0 + first.y1) / 2)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, _centre(view, 0, words[ids[2]]))
    qtbot.mouseMove(viewport, _centre(view, 0, last))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=_centre(view, 0, last))
    expected = " ".join(words[i].text for i in ids[1:5])
    assert view.selected_text() == expected
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == expected
    # Marked sensitive for clipboard histories, and taken off the clipboard later.
    formats = QGuiApplication.clipboard().mimeData().formats()
    assert "x-kde-passwordManagerHint" in formats
    assert bytes(QGuiApplication.clipboard().mimeData().data("x-kde-passwordManagerHint")) == (
        b"secret"
    )
    view.clipboard.clear_after_ms = 50
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == "", timeout=5_000)
    # What the user copies elsewhere afterwards is left alone.
    view.clipboard.clear_after_ms = 60_000
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    QGuiApplication.clipboard().setText("the user's own text")
    assert not view.clipboard.clear()
    assert QGuiApplication.clipboard().text() == "the user's own text"


def test_words_of_pages_scrolled_past_are_let_go_but_not_the_selections(
    qtbot, make_window, generated, monkeypatch
):
    """Only recently used pages keep their words; a selected page's words always stay."""
    from reviewer.ui import document_session

    monkeypatch.setattr(document_session, "MAX_WORD_PAGES", 4)
    window = make_window(generated["brief"])
    view = window.current_view()
    qtbot.waitUntil(lambda: 0 in view.session.loaded_words())
    words, lines = _line_words(view, 0, 3)
    ids = lines[0]
    viewport = view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=_centre(view, 0, words[ids[0]]))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=_centre(view, 0, words[ids[2]]))
    expected = " ".join(words[i].text for i in ids[:3])
    assert view.selected_text() == expected
    for page in range(1, 12):
        view.session.request_words(page)
        qtbot.waitUntil(lambda p=page: p in view.session.loaded_words())
    loaded = view.session.loaded_words()
    assert len(loaded) <= 4
    assert 0 in loaded  # the selection is on page 1
    assert 11 in loaded
    assert view.selected_text() == expected
    assert view.session.layer(3) is None  # let go; asking again brings it back
    view.session.request_words(3)
    qtbot.waitUntil(lambda: view.session.layer(3) is not None)


def test_drag_across_lines_keeps_line_breaks(qtbot, make_window, generated):
    window = make_window(generated["brief"])
    view = window.current_view()
    qtbot.waitUntil(lambda: 0 in view.session.loaded_words())
    words, lines = _line_words(view, 0, 3)
    a, b = lines[1], lines[2]
    start, end = words[a[-2]], words[b[1]]
    viewport = view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=_centre(view, 0, start))
    qtbot.mouseMove(viewport, _centre(view, 0, end))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=_centre(view, 0, end))
    expected = f"{words[a[-2]].text} {words[a[-1]].text}\n{words[b[0]].text} {words[b[1]].text}"
    assert view.selected_text() == expected
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert view.selected_text() == ""


def _counts(workspace: Workspace) -> tuple[int, int, list[str]]:
    blobs = sorted(p.name for p in workspace.paths.blobs.rglob("*") if p.is_file())
    return len(workspace.documents()), len(workspace.events()), blobs


def test_corrupt_file_shows_an_error_naming_it_and_stores_nothing(
    qtbot, make_window, generated, dialogs, tmp_path, workspace, wait_rendered
):
    window = make_window(generated["brief"])
    before = _counts(workspace)
    bad = tmp_path / "Exhibit 12 (damaged).pdf"
    bad.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    with qtbot.waitSignal(window.opener.failed, timeout=20_000):
        window.open_paths([bad])
    assert len(dialogs.errors) == 1
    title, text = dialogs.errors[0]
    assert title == "Cannot open document"
    assert "Exhibit 12 (damaged).pdf" in text
    assert _counts(workspace) == before
    # The app keeps running: the open document still works.
    assert window.tabs.count() == 1
    qtbot.keyClick(window.current_view(), Qt.Key.Key_End)
    wait_rendered(window, BRIEF_PAGES - 1)


def test_not_a_document_and_missing_file_are_reported(qtbot, make_window, dialogs, tmp_path):
    window = make_window()
    notes = tmp_path / "notes.pdf"
    notes.write_text("this is not a PDF at all", encoding="utf-8")
    with qtbot.waitSignal(window.opener.failed, timeout=20_000):
        window.open_paths([notes])
    with qtbot.waitSignal(window.opener.failed, timeout=20_000):
        window.open_paths([tmp_path / "gone.pdf"])
    assert "notes.pdf" in dialogs.errors[0][1]
    assert "gone.pdf" in dialogs.errors[1][1]
    assert "does not exist" in dialogs.errors[1][1]
    assert window.tabs.count() == 0
    assert window.empty.isVisible()


def test_encrypted_pdf_asks_again_after_a_wrong_password(
    qtbot, make_window, dialogs, workspace, shared_pdfs, wait_rendered
):
    window = make_window()
    dialogs.passwords = ["not it", "foo"]
    with qtbot.waitSignal(window.documentShown, timeout=20_000):
        window.open_paths([shared_pdfs / "pdfminer__aes-256.pdf"])
    assert dialogs.password_prompts == [
        ("pdfminer__aes-256.pdf", False),
        ("pdfminer__aes-256.pdf", True),
    ]
    wait_rendered(window)
    assert [d.original_name for d in workspace.documents()] == ["pdfminer__aes-256.pdf"]


def test_cancelled_password_stores_nothing(qtbot, make_window, dialogs, workspace, shared_pdfs):
    window = make_window()
    dialogs.passwords = [None]
    with qtbot.waitSignal(window.opener.failed, timeout=20_000):
        window.open_paths([shared_pdfs / "pdfminer__aes-256.pdf"])
    assert workspace.documents() == []
    assert dialogs.errors == []  # the user chose to cancel: no error dialog
    assert window.tabs.count() == 0


def test_scanned_pdf_text_file_and_image_open(
    qtbot, make_window, generated, tmp_path, wait_rendered
):
    text = tmp_path / "memo.txt"
    text.write_text("PRIVILEGED & CONFIDENTIAL\n\nMemo to file re: settlement.\n", "utf-8")
    window = make_window(generated["scan"], text)
    assert window.tabs.count() == 2
    assert window.current_pane().session.page_count >= 1
    window.tabs.setCurrentIndex(0)
    wait_rendered(window)
    assert window.current_pane().session.page_count == 3


def test_drop_files_onto_the_window_opens_them(qtbot, make_window, generated):
    from PySide6.QtCore import QMimeData, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    window = make_window()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(generated["scan"]))])
    pos = QPointF(300, 300)
    enter = QDragEnterEvent(
        pos.toPoint(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        pos,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.documentShown, timeout=20_000):
        QApplication.sendEvent(window, drop)
    assert window.current_pane().session.title == "scan_3.pdf"


def test_recent_files_reopen_from_the_workspace_copy_after_the_original_moved(
    qtbot, make_window, generated, tmp_path, wait_rendered
):
    original = tmp_path / "Credit Agreement.pdf"
    original.write_bytes(generated["brief"].read_bytes())
    first = make_window(original)
    first.close()
    original.unlink()  # the user moved or deleted the file
    window = make_window()
    window.recent_menu.aboutToShow.emit()
    entries = [a for a in window.recent_menu.actions() if "Credit Agreement.pdf" in a.text()]
    assert len(entries) == 1
    with qtbot.waitSignal(window.documentShown, timeout=20_000):
        entries[0].trigger()
    wait_rendered(window)
    assert window.current_pane().session.page_count == BRIEF_PAGES


def test_window_geometry_is_remembered(qtbot, make_window, tmp_path):
    from PySide6.QtCore import QSettings

    ini = str(tmp_path / "window.ini")
    window = make_window(settings=QSettings(ini, QSettings.Format.IniFormat))
    window.resize(700, 500)  # fits the offscreen screen, which restoreGeometry clamps to
    window.close()
    again = make_window(settings=QSettings(ini, QSettings.Format.IniFormat))
    assert (again.width(), again.height()) == (700, 500)


def test_close_tab_stops_its_worker(qtbot, make_window, generated):
    window = make_window(generated["brief"])
    worker = window.current_pane().session.worker
    assert worker.alive
    qtbot.keyClick(window.current_view(), Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.count() == 0
    assert not worker.alive
    assert not window.actions_["zoom_in"].isEnabled()


def test_pages_are_painted_from_shared_memory_and_give_it_back(
    qtbot, make_window, generated, wait_rendered
):
    """Viewer pages are drawn into the worker's shared arena; a page evicted from the
    cache returns its block, and closing the tab returns all of them."""
    window = make_window(generated["brief"])
    view = window.current_view()
    session = view.session
    arena = session.worker.arena
    assert arena is not None
    wait_rendered(window, 0)
    page_bytes = session.cache.size_bytes // len(session.cache)
    session.cache.budget = 3 * page_bytes  # force evictions while paging down
    for _ in range(12):
        qtbot.keyClick(view, Qt.Key.Key_PageDown)
        wait_rendered(window)
    assert len(session.cache) <= 3
    in_flight = 2 * (page_bytes + 2**20)  # two renders sent, each block a bit over a page
    assert arena.used_bytes <= session.cache.size_bytes + in_flight
    # The page on screen is really painted from those pixels: dark text on white.
    shot = view.viewport().grab().toImage()
    box = view.layout_.page_box(view.current_page)
    ox, oy = view._origin()
    dark = sum(
        1
        for x in range(int(box.x - ox) + 60, int(box.x - ox + box.w) - 60, 3)
        for y in range(max(0, int(box.y - oy) + 60), min(shot.height(), int(box.y - oy + box.h)), 5)
        if shot.pixelColor(x, y).lightness() < 100
    )
    assert dark > 50
    qtbot.keyClick(view, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.count() == 0
    assert arena.used_bytes == 0


def test_a_crashed_worker_is_restarted_and_the_page_drawn(
    qtbot, make_window, generated, wait_rendered
):
    import os
    import signal

    window = make_window(generated["brief"])
    view = window.current_view()
    worker = view.session.worker
    os.kill(worker.pid, signal.SIGKILL)
    qtbot.keyClick(view, Qt.Key.Key_End)
    wait_rendered(window, BRIEF_PAGES - 1)
    assert worker.restarts == 1


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="POSIX signals")
def test_a_file_that_hangs_the_engine_is_reported_and_its_worker_stopped(
    qtbot, make_window, dialogs, make_pdf
):
    """The document engine stops answering mid-open (as MuPDF looping on a crafted file
    would): the window says which file, stops that worker, and stays usable."""
    memo = make_pdf("stalls the engine.pdf", ["Nothing unusual here."])
    window = make_window()
    window.opener.open_timeout_ms = 1_500
    window.opener.warm_up()
    spare = window.opener._spare
    assert spare is not None
    qtbot.waitUntil(lambda: spare.pid is not None, timeout=10_000)
    os.kill(spare.pid, signal.SIGSTOP)  # the engine hangs; the GUI process does not
    window.open_paths([memo])
    qtbot.waitUntil(lambda: bool(dialogs.errors), timeout=20_000)
    title, text = dialogs.errors[-1]
    assert title == "Cannot open document"
    assert "stalls the engine.pdf: did not open within 1 s" in text
    assert window.opener.pending == 0
    assert window.current_pane() is None
    qtbot.wait(300)
    assert len(dialogs.errors) == 1  # the stopped worker's late failure is not shown again
    with qtbot.waitSignal(window.documentShown, timeout=20_000):
        window.open_paths([memo])  # a fresh worker opens the same file
