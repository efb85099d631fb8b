"""Time tracking as a user produces it: real key presses and clicks on a shown window.

The monotonic clock is fake and advanced by the test between inputs, so
"ten seconds later" takes no time; the seconds are checked in ``work_time``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout, QWidget

from reviewer.core.store import Workspace
from reviewer.ui.activity import ActivityMonitor

A, B, LATE = "b1/a", "b1/b", "b1/late"
ACTIVE = Qt.ApplicationState.ApplicationActive
INACTIVE = Qt.ApplicationState.ApplicationInactive


class Clock:
    def __init__(self) -> None:
        self.t = 100.0
        self.wall_start = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)

    def mono(self) -> float:
        return self.t

    def wall(self) -> datetime:
        return self.wall_start + timedelta(seconds=self.t)

    def advance(self, seconds: float) -> None:
        self.t += seconds


def _add_item(ws: Workspace, local_id: str, position: int) -> None:
    stamp = "2025-06-01T00:00:00.000000+00:00"
    with ws.transaction():
        ws.db.execute(
            "INSERT INTO item (id, batch, local_id, position, task, documents, updated_at) "
            "VALUES (?, 'b1', ?, ?, 'review', '[]', ?)",
            [f"b1/{local_id}", local_id, position, stamp],
        )


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    stamp = "2025-06-01T00:00:00.000000+00:00"
    with workspace.transaction():
        workspace.db.execute(
            "INSERT INTO batch (id, name, task, taxonomy_id, taxonomy, manifest, "
            "manifest_sha256, source_name, created_at, imported_at) "
            "VALUES ('b1', 'Batch 1', 'review', 'pii', '{}', '{}', ?, 'm.json', ?, ?)",
            ["0" * 64, stamp, stamp],
        )
    _add_item(workspace, "a", 0)
    _add_item(workspace, "b", 1)
    return workspace


@pytest.fixture
def clock() -> Clock:
    return Clock()


class Form(QWidget):
    """A small real window: a text field and a button."""

    def __init__(self) -> None:
        super().__init__()
        self.field = QLineEdit(self)
        self.button = QPushButton("Done", self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.field)
        layout.addWidget(self.button)
        self.resize(300, 120)


@pytest.fixture
def form(qtbot) -> Form:
    window = Form()
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):
        window.show()
    with qtbot.waitActive(window):
        window.activateWindow()
    window.field.setFocus()
    return window


@pytest.fixture
def make_monitor(ws: Workspace, clock: Clock) -> Iterator[Callable[..., ActivityMonitor]]:
    monitors: list[ActivityMonitor] = []

    def make(**kwargs: object) -> ActivityMonitor:
        kwargs.setdefault("checkpoint_ms", 3_600_000)  # tests call checkpoint() themselves
        monitor = ActivityMonitor(ws, mono=clock.mono, wall=clock.wall, **kwargs)  # type: ignore[arg-type]
        monitors.append(monitor)
        return monitor

    yield make
    for monitor in monitors:
        monitor.stop()
        monitor.deleteLater()


@pytest.fixture
def monitor(make_monitor: Callable[..., ActivityMonitor], form: Form) -> ActivityMonitor:
    made = make_monitor()
    # The offscreen platform has no application states of its own: Qt derives
    # "active" from the focused window, which the form fixture activated.
    assert made.tracker.active
    return made


def _rows(ws: Workspace) -> list[tuple[str, float]]:
    rows = ws.db.execute("SELECT item, seconds FROM work_time ORDER BY id").fetchall()
    return [(r[0], pytest.approx(r[1])) for r in rows]


def _time_events(ws: Workspace) -> int:
    return sum(e.kind == "time.recorded" for e in ws.events(entity="item"))


def _type(qtbot, form: Form, clock: Clock, seconds: float, step: float = 10.0) -> None:
    """A key press every ``step`` seconds, alternating with clicks on the text field."""
    for i in range(round(seconds / step)):
        clock.advance(step)
        if i % 2:
            qtbot.mouseClick(form.field, Qt.MouseButton.LeftButton)
        else:
            qtbot.keyClick(form.field, Qt.Key.Key_X)


def test_keys_and_clicks_count_and_a_long_silence_does_not(
    qtbot, ws: Workspace, form: Form, monitor: ActivityMonitor, clock: Clock
) -> None:
    monitor.set_item(A)
    qtbot.keyClick(form.field, Qt.Key.Key_X)  # the first input starts the count
    _type(qtbot, form, clock, 60)
    clock.advance(200)  # away from the desk
    qtbot.keyClick(form.field, Qt.Key.Key_X)
    _type(qtbot, form, clock, 30)
    assert monitor.stop()
    assert _rows(ws) == [(A, 60.0), (A, 30.0)]
    assert _time_events(ws) == 2
    assert form.field.text().startswith("xxx")  # the filter swallowed nothing


def test_the_trailing_interval_counts_when_the_window_closes(
    qtbot, ws: Workspace, form: Form, monitor: ActivityMonitor, clock: Clock
) -> None:
    monitor.set_item(A)
    qtbot.keyClick(form.field, Qt.Key.Key_X)
    _type(qtbot, form, clock, 20)
    clock.advance(45)
    monitor.stop()
    assert _rows(ws) == [(A, 65.0)]


def test_deactivation_stops_the_count(
    qtbot, ws: Workspace, form: Form, monitor: ActivityMonitor, clock: Clock
) -> None:
    monitor.set_item(A)
    qtbot.keyClick(form.field, Qt.Key.Key_X)
    _type(qtbot, form, clock, 40)
    clock.advance(60)
    # The offscreen platform cannot make the application inactive (hiding the
    # window leaves it "active"), so the test calls the slot that
    # QGuiApplication.applicationStateChanged is connected to.
    monitor.on_application_state(INACTIVE)
    assert _rows(ws) == [(A, 100.0)]
    _type(qtbot, form, clock, 50)  # events the offscreen platform still delivers
    assert monitor.tracker.running() is None
    clock.advance(300)
    monitor.on_application_state(ACTIVE)  # coming back counts as an input
    _type(qtbot, form, clock, 20)
    monitor.stop()
    assert _rows(ws) == [(A, 100.0), (A, 20.0)]


def test_switching_items_splits_time_and_reports_it(
    qtbot, ws: Workspace, form: Form, monitor: ActivityMonitor, clock: Clock
) -> None:
    seen: list[str] = []
    monitor.recorded.connect(seen.append)
    monitor.set_item(A)
    qtbot.keyClick(form.field, Qt.Key.Key_X)
    _type(qtbot, form, clock, 30)
    clock.advance(4)
    monitor.set_item(B)
    assert seen == [A]
    clock.advance(2)
    qtbot.mouseClick(form.button, Qt.MouseButton.LeftButton)
    _type(qtbot, form, clock, 20)
    monitor.set_item(None)
    _type(qtbot, form, clock, 50)  # no current item: nothing counts
    monitor.stop()
    assert _rows(ws) == [(A, 34.0), (B, 20.0)]
    assert seen == [A, B]


def test_mouse_moves_count_at_most_once_a_second(
    qtbot, ws: Workspace, form: Form, monitor: ActivityMonitor, clock: Clock
) -> None:
    calls = 0
    feed = monitor.tracker.input

    def counting_input() -> list:
        nonlocal calls
        calls += 1
        return feed()

    monitor.tracker.input = counting_input  # type: ignore[method-assign]
    monitor.set_item(A)
    for x in range(10, 60, 5):  # ten moves in the same second (each reaches two receivers)
        qtbot.mouseMove(form, QPoint(x, 20))
    assert calls == 1
    clock.advance(1.0)
    qtbot.mouseMove(form, QPoint(70, 30))
    assert calls == 2
    for _ in range(12):  # moving steadily for a minute
        clock.advance(5)
        qtbot.mouseMove(form, QPoint(20 + _ * 3, 40))
    monitor.stop()
    assert _rows(ws) == [(A, 61.0)]


def test_events_the_app_sends_itself_do_not_count(
    qtbot, ws: Workspace, form: Form, monitor: ActivityMonitor, clock: Clock
) -> None:
    monitor.set_item(A)
    qtbot.keyClick(form.field, Qt.Key.Key_X)
    for _ in range(5):
        clock.advance(100)
        press = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Y, Qt.KeyboardModifier.NoModifier, "y")
        QCoreApplication.sendEvent(form.field, press)
    clock.advance(10)
    qtbot.keyClick(form.field, Qt.Key.Key_X)
    monitor.stop()
    assert _rows(ws) == []  # 510 s since the last real input: the person was away
    assert form.field.text() == "xyyyyyx"


def test_checkpoints_keep_one_row_without_events(
    qtbot, ws: Workspace, form: Form, monitor: ActivityMonitor, clock: Clock
) -> None:
    monitor.set_item(A)
    qtbot.keyClick(form.field, Qt.Key.Key_X)
    for expected in (30.0, 60.0, 90.0):
        _type(qtbot, form, clock, 30)
        monitor.checkpoint()  # what the 30 s timer calls
        assert _rows(ws) == [(A, expected)]
    assert _time_events(ws) == 0
    clock.advance(12)
    monitor.stop()
    assert _rows(ws) == [(A, 102.0)]
    assert _time_events(ws) == 1


def test_the_timer_checkpoints(
    qtbot,
    ws: Workspace,
    form: Form,
    make_monitor: Callable[..., ActivityMonitor],
    clock: Clock,
) -> None:
    monitor = make_monitor(checkpoint_ms=20)
    monitor.set_item(A)
    qtbot.keyClick(form.field, Qt.Key.Key_X)
    _type(qtbot, form, clock, 20)
    with qtbot.waitSignal(monitor.recorded, timeout=5_000) as blocker:
        pass
    assert blocker.args == [A]
    assert _rows(ws) == [(A, 20.0)]


def test_a_store_error_keeps_the_time_and_retries(
    qtbot, ws: Workspace, form: Form, monitor: ActivityMonitor, clock: Clock
) -> None:
    failures: list[str] = []
    monitor.failed.connect(failures.append)
    monitor.set_item(LATE)  # its row is not in the workspace yet: every write fails
    qtbot.keyClick(form.field, Qt.Key.Key_X)
    _type(qtbot, form, clock, 20)
    monitor.checkpoint()
    assert len(failures) == 1
    assert "work time" in failures[0]
    monitor.set_item(A)  # closes LATE's segment: saving it fails again
    qtbot.keyClick(form.field, Qt.Key.Key_X)
    _type(qtbot, form, clock, 10)
    monitor.set_item(B)  # A's segment waits behind it, in the same transaction
    assert len(failures) == 1  # said once, not at every attempt
    assert [(s.item, s.seconds) for s in monitor.unsaved()] == [(LATE, 20.0), (A, 10.0)]
    assert _rows(ws) == []

    _add_item(ws, "late", 2)  # the store accepts it again
    monitor.checkpoint()
    assert monitor.unsaved() == []
    assert _rows(ws) == [(LATE, 20.0), (A, 10.0)]
    assert monitor.stop()


def test_stop_is_idempotent_and_stops_counting(
    qtbot, ws: Workspace, form: Form, monitor: ActivityMonitor, clock: Clock
) -> None:
    monitor.set_item(A)
    qtbot.keyClick(form.field, Qt.Key.Key_X)
    _type(qtbot, form, clock, 10)
    assert monitor.stop()
    _type(qtbot, form, clock, 30)
    assert monitor.stop()
    monitor.checkpoint()
    assert _rows(ws) == [(A, 10.0)]


def test_the_application_state_signal_reaches_the_tracker(
    qtbot, qapp, ws: Workspace, form: Form, monitor: ActivityMonitor, clock: Clock
) -> None:
    monitor.set_item(A)
    qtbot.keyClick(form.field, Qt.Key.Key_X)
    _type(qtbot, form, clock, 20)
    clock.advance(5)
    # Emitted by hand (the offscreen platform never leaves the active state) to
    # check the connection itself; Qt's own state is not changed by this.
    qapp.applicationStateChanged.emit(INACTIVE)
    assert not monitor.tracker.active
    assert _rows(ws) == [(A, 25.0)]
    qapp.applicationStateChanged.emit(ACTIVE)
    assert monitor.tracker.active


def test_an_unchanged_running_segment_is_not_written_again(
    qtbot, ws: Workspace, form: Form, monitor: ActivityMonitor, clock: Clock
) -> None:
    seen: list[str] = []
    monitor.recorded.connect(seen.append)
    monitor.set_item(A)
    qtbot.keyClick(form.field, Qt.Key.Key_X)
    _type(qtbot, form, clock, 10)
    monitor.checkpoint()
    clock.advance(30)  # reading, no input: the running segment has not grown
    monitor.checkpoint()
    assert seen == [A]
    assert _rows(ws) == [(A, 10.0)]
