"""The lead in the window: import by keyboard, step through disagreements, adjudicate,
undo, export, and the dashboard; what the store holds is checked after each step."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from lead_team import Team, make_team
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QPushButton, QTableView

from reviewer.core.lead import roster
from reviewer.core.store import Workspace

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


@pytest.fixture
def team(
    workspace: Workspace,
    tmp_path: Path,
    make_pdf: Callable[..., Path],
    make_batch: Callable[..., Path],
) -> tuple[Team, list[Path]]:
    team = make_team(workspace, tmp_path / "team", make_pdf, make_batch)
    for name in ("ana", "ben", "cy"):
        roster.enrol_file(workspace, team.keys[name], team.annotators[name].name)
    plan = {
        "ana": [team.span("letter.pdf", 5, 15, "PERSON", exact="Erin Foster")],
        "ben": [team.span("letter.pdf", 5, 15, "ORG", exact="Erin Foster")],
        "cy": [
            team.span("letter.pdf", 5, 15, "PERSON", exact="Erin Foster"),
            team.span("letter.pdf", 27, 38, "SSN", exact="123-45-6789"),
        ],
    }
    return team, [team.submit(who, spans) for who, spans in plan.items()]


def _gold(ws: Workspace) -> list[tuple[str, str, int]]:
    return ws.db.execute("SELECT decision, label, deleted FROM gold ORDER BY decided_at").fetchall()


def _check_version(qtbot, panel, annotator: str) -> None:
    """Check the version of ``annotator`` (and only it) with the keyboard: select, Space."""
    versions = panel.versions
    for row in range(versions.count()):
        item = versions.item(row)
        if item.checkState() == Qt.CheckState.Checked:
            versions.setCurrentRow(row)
            qtbot.keyClick(versions, Qt.Key.Key_Space)
    row = next(
        r for r in range(versions.count()) if versions.item(r).text().startswith(f"{annotator}:")
    )
    versions.setFocus()
    versions.setCurrentRow(row)
    qtbot.keyClick(versions, Qt.Key.Key_Space)
    assert versions.item(row).checkState() == Qt.CheckState.Checked


def test_import_step_adjudicate_undo_export(
    qtbot, make_window, dialogs, team, tmp_path: Path
) -> None:
    team_, bundles = team
    ws = team_.ws
    window = make_window()
    dialogs.bundles = bundles
    qtbot.keyClick(window, Qt.Key.Key_I, CTRL_SHIFT)
    qtbot.waitUntil(lambda: bool(dialogs.infos), timeout=30_000)
    assert dialogs.infos[-1][0] == "Submissions imported"
    assert dialogs.infos[-1][1].startswith("3 imported")
    assert ws.db.execute("SELECT count(*) FROM submission").fetchone()[0] == 3

    letter = team_.folder.parent / "letter.pdf"
    with qtbot.waitSignal(window.documentShown, timeout=20_000):
        window.open_paths([letter])
    qtbot.keyClick(window, Qt.Key.Key_J, CTRL_SHIFT)
    panel = window.lead.panel_of(window.current_pane())
    assert panel is not None
    assert panel.isVisible()
    assert panel.model.rowCount() == 2
    # Each annotator's layer is on the page, in their own colour.
    assert set(panel.doc.annotators) == {"ana", "ben", "cy"}
    assert window.current_view().marks("lead:cy")
    # Hiding an annotator takes their layer off.
    toggle = panel.toggles.findChild(QCheckBox, "show_ben")
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert not window.current_view().marks("lead:ben")
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert window.current_view().marks("lead:ben")

    first = panel.current()
    assert first is not None
    assert first.kinds == frozenset({"label"})
    _check_version(qtbot, panel, "ana")
    qtbot.mouseClick(panel.buttons["accept"], Qt.MouseButton.LeftButton)
    assert _gold(ws) == [("accept", "PERSON", 0)]
    # The view moved on to the next open disagreement: cy's SSN nobody else marked.
    second = panel.current()
    assert second is not None
    assert second.missing == ("ana", "ben")
    qtbot.keyClick(window, Qt.Key.Key_R, CTRL_ALT)
    assert [g[:2] for g in _gold(ws)] == [("accept", "PERSON"), ("reject", "")]
    assert panel.doc.open_count() == 0

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _gold(ws)[1][2] == 1  # the rejection is undone (flagged, kept for the log)
    assert panel.doc.open_count() == 1
    kinds = [e.kind for e in ws.events(entity="gold")]
    assert kinds == ["gold.decided", "gold.decided", "gold.undone"]

    target = tmp_path / "gold.jsonl"
    dialogs.dataset_exports = [("pii-spans", target)]
    qtbot.keyClick(window, Qt.Key.Key_X, CTRL_SHIFT)
    assert dialogs.infos[-1][0] == "Dataset exported", dialogs.errors
    records = {r["name"]: r for r in map(json.loads, target.read_text().splitlines())}
    spans = records["letter.pdf"]["spans"]
    assert [(s["label"], s["source"], s["decision"]) for s in spans] == [
        ("PERSON", "gold", "accept")
    ]
    assert records["letter.pdf"]["undecided"] == 1
    assert (tmp_path / "gold.annotators.csv").read_text().startswith("annotator,name,")

    qtbot.keyClick(window, Qt.Key.Key_B, CTRL_SHIFT)
    qtbot.waitUntil(lambda: window.lead._computing is None, timeout=30_000)
    board = window.lead.dashboard
    assert board is not None
    assert window.tabs.currentWidget() is board
    table = board.findChild(QTableView, "annotatorTable")
    model = table.model()
    names = {model.index(r, 0).data() for r in range(model.rowCount())}
    assert names == {"ana", "ben", "cy"}


def test_a_tampered_and_an_unknown_bundle_are_reported(
    qtbot, make_window, dialogs, team, tmp_path: Path
) -> None:
    team_, bundles = team
    roster.revoke(team_.ws, "Cy Tester")
    damaged = tmp_path / "damaged.rvbundle"
    damaged.write_bytes(bundles[0].read_bytes()[:-200])
    window = make_window()
    window.open_paths([damaged, bundles[2]])  # as if dropped on the window
    qtbot.waitUntil(lambda: bool(dialogs.errors), timeout=30_000)
    title, text = dialogs.errors[-1]
    assert title == "Some submissions were not merged"
    assert "damaged.rvbundle: rejected" in text
    assert "cy.rvbundle: quarantined" in text
    assert team_.ws.db.execute("SELECT count(*) FROM submission").fetchone()[0] == 0


def test_cancel_stops_the_import_and_keeps_what_was_stored(
    qtbot, make_window, dialogs, team
) -> None:
    team_, bundles = team
    window = make_window()
    importer = window.lead.importer

    def on_progress(done: int, total: int, name: str) -> None:
        if name == bundles[1].name:  # the first bundle is stored, the second is verifying
            importer.progress.findChild(QPushButton).click()  # the dialog's Cancel button

    importer.progressed.connect(on_progress)
    window.lead.import_files(bundles)
    qtbot.waitUntil(lambda: not importer.running, timeout=30_000)
    count = team_.ws.db.execute("SELECT count(*) FROM submission").fetchone()[0]
    assert count == 1
    assert "cancelled before the rest" in dialogs.infos[-1][1]
