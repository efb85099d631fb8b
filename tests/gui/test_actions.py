"""The action table: unique shortcuts, documented commands, the shortcut help."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from reviewer.ui.actions import ACTIONS, key_sequences

DOCS = Path(__file__).resolve().parents[2] / "docs" / "USAGE.md"


def _title(spec_title: str) -> str:
    return spec_title.replace("&", "").rstrip("…")


def test_no_shortcut_is_used_twice(qapp) -> None:
    seen: dict[str, str] = {}
    for spec in ACTIONS:
        for sequence in key_sequences(spec):
            key = sequence.toString(QKeySequence.SequenceFormat.PortableText)
            assert key not in seen, f"{key} is bound to both {seen[key]} and {spec.id}"
            seen[key] = spec.id


def test_every_action_is_documented_with_its_keys(qapp) -> None:
    text = DOCS.read_text(encoding="utf-8")
    rows = {
        cells[0].strip(): cells[1]
        for line in text.splitlines()
        if line.startswith("| ") and len(cells := line.strip("|").split("|")) >= 3
    }
    for spec in ACTIONS:
        title = _title(spec.title)
        assert title in rows, f"docs/USAGE.md does not list the command {title!r}"
        for sequence in spec.shortcuts:
            if isinstance(sequence, str):
                assert sequence in rows[title], f"{title}: {sequence} missing in docs/USAGE.md"


def test_every_cli_command_is_documented() -> None:
    from reviewer.app import SUBCOMMANDS, gui_parser

    text = DOCS.read_text(encoding="utf-8")
    for command in SUBCOMMANDS:
        assert re.search(rf"`reviewer {command}\b", text), f"reviewer {command} is undocumented"
    for action in gui_parser()._actions:
        for flag in action.option_strings:
            if flag.startswith("--") and flag != "--help":
                assert flag in text, f"{flag} is undocumented"


def test_shortcut_help_lists_every_action_and_filters(qtbot, make_window) -> None:
    window = make_window()
    qtbot.keyClick(window, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    dialog = window._shortcuts
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.proxy.rowCount() == len(ACTIONS)
    qtbot.keyClicks(dialog.filter, "zoom")  # titles and help texts both match
    titles = {dialog.proxy.index(r, 0).data() for r in range(dialog.proxy.rowCount())}
    assert titles == {"Zoom in", "Zoom out", "Fit width", "Fit page"}
    dialog.filter.clear()
    qtbot.keyClicks(dialog.filter, "zoom in")
    titles = {dialog.proxy.index(r, 0).data() for r in range(dialog.proxy.rowCount())}
    assert titles == {"Zoom in"}
    dialog.filter.clear()
    qtbot.keyClicks(dialog.filter, "F3")
    titles = {dialog.proxy.index(r, 0).data() for r in range(dialog.proxy.rowCount())}
    assert titles == {"Find next", "Find previous"}


def test_document_actions_are_disabled_without_a_document(qtbot, make_window) -> None:
    window = make_window()
    enabled = {spec.id: window.actions_[spec.id].isEnabled() for spec in ACTIONS}
    assert enabled["open"]
    assert enabled["shortcuts"]
    assert not enabled["zoom_in"]
    assert not enabled["find"]
    assert window.empty.isVisible()


def test_about_names_licences_and_workspace(qtbot, make_window, dialogs, workspace) -> None:
    window = make_window()
    window.actions_["about"].trigger()
    title, text = dialogs.infos[-1]
    assert title == "About reviewer"
    assert "AGPL" in text
    assert "LGPL" in text
    assert str(workspace.paths.workspace) in text
