"""Billing rules with simulated clocks, and the time log against a real workspace."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from reviewer.core.errors import StoreError
from reviewer.core.paths import AppPaths
from reviewer.core.store import Workspace
from reviewer.core.timesheet import (
    DEFAULT_IDLE_LIMIT_S,
    ActivityTracker,
    Segment,
    TimeLog,
    TimesheetRow,
    format_duration,
    segments,
    segments_csv,
    timesheet,
    timesheet_csv,
)

A, B = "b1/a", "b1/b"


class Clock:
    """A monotonic clock the test advances, and a wall clock that can be set wrong."""

    def __init__(self) -> None:
        self.t = 5_000.0  # monotonic clocks start anywhere
        self.wall_start = datetime(2025, 3, 30, 0, 59, 0, tzinfo=UTC)
        self.wall_error = timedelta(0)

    def mono(self) -> float:
        return self.t

    def wall(self) -> datetime:
        return self.wall_start + timedelta(seconds=self.t - 5_000.0) + self.wall_error

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _tracker(clock: Clock, item: str | None = A, **kwargs: float) -> ActivityTracker:
    tracker = ActivityTracker(mono=clock.mono, wall=clock.wall, **kwargs)
    tracker.set_item(item)
    return tracker


def _work(tracker: ActivityTracker, clock: Clock, seconds: float, step: float = 10.0) -> list:
    """An input every ``step`` seconds for ``seconds`` (the first input comes after ``step``)."""
    closed = []
    for _ in range(round(seconds / step)):
        clock.advance(step)
        closed += tracker.input()
    return closed


def _total(segs: list[Segment]) -> float:
    return sum(s.seconds for s in segs)


def _elapsed(segment: Segment) -> float:
    start = datetime.fromisoformat(segment.started_at)
    return (datetime.fromisoformat(segment.ended_at) - start).total_seconds()


# -- the rules ------------------------------------------------------------------------


def test_steady_work_for_five_minutes_is_one_segment_of_300_s(clock: Clock) -> None:
    tracker = _tracker(clock)
    assert tracker.set_active(True) == []  # activation is the first input
    closed = _work(tracker, clock, 300)
    assert closed == []
    closed = tracker.flush()
    assert len(closed) == 1
    assert closed[0].item == A
    assert closed[0].seconds == pytest.approx(300.0)
    assert _elapsed(closed[0]) == pytest.approx(300.0)
    assert closed[0].started_at == "2025-03-30T00:59:00.000000+00:00"


def test_a_silence_longer_than_the_limit_counts_nothing_at_all(clock: Clock) -> None:
    tracker = _tracker(clock)
    tracker.set_active(True)
    closed = _work(tracker, clock, 120)
    clock.advance(180)  # away for three minutes
    closed += tracker.input()
    closed += _work(tracker, clock, 120)
    closed += tracker.flush()
    assert [s.seconds for s in closed] == pytest.approx([120.0, 120.0])


def test_a_gap_within_the_limit_counts(clock: Clock) -> None:
    tracker = _tracker(clock)
    tracker.set_active(True)
    _work(tracker, clock, 60)
    clock.advance(90)  # reading a page
    tracker.input()
    _work(tracker, clock, 60)
    closed = tracker.flush()
    assert len(closed) == 1
    assert closed[0].seconds == pytest.approx(210.0)


def test_a_gap_of_exactly_the_limit_counts(clock: Clock) -> None:
    tracker = _tracker(clock)
    tracker.set_active(True)
    clock.advance(DEFAULT_IDLE_LIMIT_S)
    tracker.input()
    assert _total(tracker.flush()) == pytest.approx(DEFAULT_IDLE_LIMIT_S)


def test_deactivation_counts_the_trailing_minute_then_nothing(clock: Clock) -> None:
    tracker = _tracker(clock)
    tracker.set_active(True)
    _work(tracker, clock, 100)
    clock.advance(60)
    closed = tracker.set_active(False)
    assert [s.seconds for s in closed] == pytest.approx([160.0])
    for _ in range(10):  # inputs cannot reach an inactive window, but if they did…
        clock.advance(10)
        assert tracker.input() == []
    assert tracker.running() is None
    assert tracker.flush() == []
    assert tracker.set_active(False) == []


def test_deactivation_after_a_long_silence_counts_only_up_to_the_last_input(clock: Clock) -> None:
    tracker = _tracker(clock)
    tracker.set_active(True)
    _work(tracker, clock, 50)
    clock.advance(600)  # went home, then the screen locked
    assert [s.seconds for s in tracker.set_active(False)] == pytest.approx([50.0])


def test_reactivation_counts_as_an_input(clock: Clock) -> None:
    tracker = _tracker(clock)
    tracker.set_active(True)
    _work(tracker, clock, 30)
    tracker.set_active(False)
    clock.advance(300)  # in another application
    tracker.set_active(True)
    clock.advance(20)
    tracker.input()
    assert [s.seconds for s in tracker.flush()] == pytest.approx([20.0])


def test_switching_items_splits_the_time(clock: Clock) -> None:
    tracker = _tracker(clock)
    tracker.set_active(True)
    _work(tracker, clock, 50)
    clock.advance(5)
    closed = tracker.set_item(B)  # closes A at this moment, trailing 5 s included
    assert [(s.item, s.seconds) for s in closed] == [(A, pytest.approx(55.0))]
    clock.advance(3)  # choosing is not yet work on B: it starts at the next input
    tracker.input()
    _work(tracker, clock, 40)
    closed = tracker.flush()
    assert [(s.item, s.seconds) for s in closed] == [(B, pytest.approx(40.0))]
    assert tracker.set_item(B) == []  # the same item again changes nothing


def test_no_item_no_time(clock: Clock) -> None:
    tracker = _tracker(clock, item=None)
    tracker.set_active(True)
    assert _work(tracker, clock, 100) == []
    assert tracker.flush() == []
    tracker.set_item(A)
    _work(tracker, clock, 20)
    assert [s.seconds for s in tracker.set_item(None)] == pytest.approx([10.0])
    assert _work(tracker, clock, 100) == []


def test_a_lower_idle_limit_applies_to_the_next_gap(clock: Clock) -> None:
    tracker = _tracker(clock, idle_limit=120.0)
    tracker.set_active(True)
    _work(tracker, clock, 30)
    clock.advance(60)
    tracker.input()  # 60 s within 120: counted
    assert tracker.set_idle_limit(30.0) == []
    assert tracker.idle_limit == 30.0
    clock.advance(60)
    closed = tracker.input()  # 60 s over 30: the whole gap is lost
    assert [s.seconds for s in closed] == pytest.approx([90.0])
    clock.advance(25)
    tracker.input()
    assert [s.seconds for s in tracker.flush()] == pytest.approx([25.0])


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf")])
def test_an_idle_limit_must_be_a_positive_number(clock: Clock, bad: float) -> None:
    tracker = _tracker(clock)
    with pytest.raises(ValueError, match="idle limit"):
        tracker.set_idle_limit(bad)
    with pytest.raises(ValueError, match="idle limit"):
        ActivityTracker(idle_limit=bad)


def test_the_wall_clock_jumping_back_an_hour_bills_nothing_extra(clock: Clock) -> None:
    tracker = _tracker(clock)
    tracker.set_active(True)
    _work(tracker, clock, 60)
    clock.wall_error = timedelta(hours=-1)  # NTP correction or leaving summer time
    _work(tracker, clock, 60)
    first = tracker.flush()
    assert [s.seconds for s in first] == pytest.approx([120.0])
    assert _elapsed(first[0]) == pytest.approx(120.0)  # timestamps stay consistent
    # The next segment starts from the (now wrong) wall clock but is billed by elapsed time.
    tracker.input()
    _work(tracker, clock, 60)
    second = tracker.flush()
    assert [s.seconds for s in second] == pytest.approx([60.0])
    assert second[0].started_at < first[0].started_at
    assert _elapsed(second[0]) == pytest.approx(60.0)


def test_the_wall_clock_jumping_forward_bills_nothing_extra(clock: Clock) -> None:
    tracker = _tracker(clock)
    tracker.set_active(True)
    _work(tracker, clock, 30)
    clock.wall_error = timedelta(hours=1)
    clock.advance(1)
    tracker.input()
    assert [s.seconds for s in tracker.flush()] == pytest.approx([31.0])


def test_running_reports_only_time_up_to_the_last_input(clock: Clock) -> None:
    tracker = _tracker(clock)
    assert tracker.running() is None
    tracker.set_active(True)
    assert tracker.running() is None  # started, nothing counted yet
    _work(tracker, clock, 40)
    clock.advance(25)  # not yet known whether this counts
    running = tracker.running()
    assert running is not None
    assert running.item == A
    assert running.seconds == pytest.approx(40.0)
    assert _elapsed(running) == pytest.approx(40.0)
    closed = tracker.flush()
    assert closed[0].started_at == running.started_at
    assert closed[0].seconds == pytest.approx(65.0)


# -- the store -------------------------------------------------------------------------


def _add_batch(ws: Workspace, batch: str, items: list[tuple[str, int, str, str]]) -> None:
    """A batch and its items as the batch import would write them (m006 columns)."""
    stamp = "2025-03-01T00:00:00.000000+00:00"
    with ws.transaction():
        ws.db.execute(
            "INSERT INTO batch (id, name, task, taxonomy_id, taxonomy, manifest, "
            "manifest_sha256, source_name, created_at, imported_at) "
            "VALUES (?, ?, 'review', 'pii', '{}', '{}', ?, 'manifest.json', ?, ?)",
            [batch, f"Batch {batch}", "0" * 64, stamp, stamp],
        )
        for local_id, position, title, status in items:
            ws.db.execute(
                "INSERT INTO item (id, batch, local_id, position, task, title, documents, "
                "status, updated_at) VALUES (?, ?, ?, ?, 'review', ?, '[]', ?, ?)",
                [f"{batch}/{local_id}", batch, local_id, position, title, status, stamp],
            )


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    _add_batch(
        workspace,
        "b1",
        [
            ("a", 0, "Lease", "done"),
            ("b", 1, '=HYPERLINK("x")', "in_progress"),
            ("c", 2, "", "todo"),
        ],
    )
    _add_batch(workspace, "b2", [("a", 0, "Other batch", "todo")])
    return workspace


def _rows(ws: Workspace) -> list[tuple]:
    return ws.db.execute(
        "SELECT item, started_at, ended_at, seconds FROM work_time ORDER BY id"
    ).fetchall()


def _time_events(ws: Workspace) -> list:
    return [e for e in ws.events(entity="item") if e.kind == "time.recorded"]


def _seg(item: str, start_s: int, seconds: float) -> Segment:
    start = datetime(2025, 3, 30, 9, 0, tzinfo=UTC) + timedelta(seconds=start_s)
    return Segment(
        item=item,
        started_at=start.isoformat(timespec="microseconds"),
        ended_at=(start + timedelta(seconds=seconds)).isoformat(timespec="microseconds"),
        seconds=seconds,
    )


def test_save_writes_closed_segments_each_with_an_event(ws: Workspace) -> None:
    log = TimeLog(ws)
    log.save([_seg(A, 0, 30.0), _seg(B, 60, 12.5)])
    assert [(r[0], r[3]) for r in _rows(ws)] == [(A, 30.0), (B, 12.5)]
    events = _time_events(ws)
    assert [(e.entity_id, e.after["seconds"]) for e in events] == [(A, 30.0), (B, 12.5)]
    log.save([])  # nothing to do, no empty transaction error


def test_checkpoints_update_one_row_and_the_close_replaces_it(ws: Workspace, clock: Clock) -> None:
    tracker = _tracker(clock)
    log = TimeLog(ws)
    tracker.set_active(True)
    log.checkpoint(tracker.running())  # nothing counted yet: nothing written
    assert _rows(ws) == []
    for _ in range(3):  # three 30 s checkpoints
        _work(tracker, clock, 30)
        log.checkpoint(tracker.running())
    rows = _rows(ws)
    assert len(rows) == 1
    assert rows[0][3] == pytest.approx(90.0)
    assert _time_events(ws) == []  # no event per checkpoint
    clock.advance(7)
    log.save(tracker.set_active(False))
    rows = _rows(ws)
    assert len(rows) == 1
    assert rows[0][3] == pytest.approx(97.0)
    assert len(_time_events(ws)) == 1


def test_a_checkpoint_survives_a_crash_and_is_not_counted_twice(
    app_paths: AppPaths, clock: Clock
) -> None:
    first = Workspace.open(app_paths)
    _add_batch(first, "b1", [("a", 0, "Lease", "todo")])
    tracker = _tracker(clock)
    tracker.set_active(True)
    _work(tracker, clock, 60)
    TimeLog(first).checkpoint(tracker.running())
    first.close()  # the process dies here: no save of the closing segment

    again = Workspace.open(app_paths)
    try:
        assert [(r[0], r[3]) for r in _rows(again)] == [(A, pytest.approx(60.0))]
        # A fresh TimeLog (a restart, or a reopened workspace after an error) that later
        # saves the same segment closing replaces the checkpointed row.
        _work(tracker, clock, 30)
        TimeLog(again).save(tracker.flush())
        rows = _rows(again)
        assert [(r[0], r[3]) for r in rows] == [(A, pytest.approx(90.0))]
        assert len(_time_events(again)) == 1
    finally:
        again.close()


def test_a_failed_save_writes_nothing_and_says_why(ws: Workspace) -> None:
    log = TimeLog(ws)
    with pytest.raises(StoreError, match="work time"):
        log.save([_seg(A, 0, 10.0), _seg("b1/no-such-item", 20, 5.0)])
    assert _rows(ws) == []
    assert _time_events(ws) == []


def test_timesheet_lists_every_item_in_batch_order(ws: Workspace) -> None:
    log = TimeLog(ws)
    log.save([_seg(B, 0, 30.0), _seg(A, 100, 20.0), _seg(B, 200, 15.25), _seg("b2/a", 5, 99.0)])
    rows = timesheet(ws, "b1")
    assert [r.local_id for r in rows] == ["a", "b", "c"]
    a, b, c = rows
    assert (a.seconds, a.segments, a.status, a.title) == (20.0, 1, "done", "Lease")
    assert a.first_start == _seg(A, 100, 20.0).started_at
    assert (b.seconds, b.segments) == (pytest.approx(45.25), 2)
    assert b.first_start == _seg(B, 0, 0).started_at
    assert b.last_end == _seg(B, 200, 15.25).ended_at
    assert c == TimesheetRow("b1/c", "c", "", "todo", 0.0, 0, None, None)
    assert timesheet(ws, "no-such-batch") == []
    assert [s.item for s in segments(ws, "b1")] == [B, A, B]  # in the order worked
    assert segments(ws, "b2") == [_seg("b2/a", 5, 99.0)]


def _parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_timesheet_csv(ws: Workspace) -> None:
    TimeLog(ws).save([_seg(A, 0, 30.04), _seg(B, 60, 12.36)])
    text = timesheet_csv(timesheet(ws, "b1"))
    assert "\r" not in text
    assert text.endswith("\n")
    table = _parse(text)
    assert table[0] == [
        "item",
        "local_id",
        "title",
        "status",
        "seconds",
        "segments",
        "first_start",
        "last_end",
    ]
    assert table[1][:6] == ["b1/a", "a", "Lease", "done", "30.0", "1"]
    assert table[2][2] == '\'=HYPERLINK("x")'  # stays text in a spreadsheet
    assert table[2][4] == "12.4"
    assert table[3] == ["b1/c", "c", "", "todo", "0.0", "0", "", ""]
    assert text.encode("utf-8")  # plain str, written by the caller as UTF-8


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\nx"),  # the guard, and a CR the csv module would not quote
        ("a\r\nb", "a\nb"),
        ("b1/é", "b1/é"),
        ("a=b", "a=b"),
    ],
)
def test_segments_csv_guards_against_formula_injection(item: str, expected: str) -> None:
    segment = Segment(item, "2025-03-30T09:00:00.000000+00:00", "2025-03-30T09:01:00+00:00", 60.0)
    table = _parse(segments_csv([segment]))
    assert table[0] == ["item", "started_at", "ended_at", "seconds"]
    assert table[1] == [expected, segment.started_at, segment.ended_at, "60.0"]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (0.4, "0 s"),
        (59, "59 s"),
        (252, "4 min 12 s"),
        (65, "1 min 05 s"),
        (3600, "1 h 00 min"),
        (3900, "1 h 05 min"),
        (36_000 + 59, "10 h 00 min"),
        (-5, "0 s"),
        (float("nan"), "0 s"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_the_event_says_which_row_and_how_long(ws: Workspace) -> None:
    TimeLog(ws).save([_seg(A, 0, 1.5)])
    (event,) = _time_events(ws)
    row_id = ws.db.execute("SELECT id FROM work_time").fetchone()[0]
    assert (event.entity, event.entity_id) == ("item", A)
    assert event.after == {
        "work_time": row_id,
        "started_at": _seg(A, 0, 1.5).started_at,
        "ended_at": _seg(A, 0, 1.5).ended_at,
        "seconds": 1.5,
    }
