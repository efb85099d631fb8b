"""Mouse gestures on the page view that several GUI tests share (imported by module name:
pytest puts this folder on sys.path for its test modules)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt


def _words_of_a_line(view, page: int, minimum: int):
    words = view.session.loaded_words()[page]
    lines: dict[tuple[int, int], list[int]] = {}
    for i, w in enumerate(words):
        lines.setdefault((w.block, w.line), []).append(i)
    return words, [ids for ids in lines.values() if len(ids) >= minimum]


def _centre(view, page: int, word) -> QPoint:
    return view.viewport_point(page, (word.x0 + word.x1) / 2, (word.y0 + word.y1) / 2)


def _drag_words(qtbot, view, page: int, first, last) -> None:
    viewport = view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=_centre(view, page, first))
    qtbot.mouseMove(viewport, _centre(view, page, last))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=_centre(view, page, last))


def _select_line(qtbot, window, line: int = 2, count: int = 3):
    view = window.current_view()
    qtbot.waitUntil(lambda: view.session.layer(0) is not None)
    words, lines = _words_of_a_line(view, 0, count + 1)
    ids = lines[line]
    _drag_words(qtbot, view, 0, words[ids[0]], words[ids[count - 1]])
    return " ".join(words[i].text for i in ids[:count])
