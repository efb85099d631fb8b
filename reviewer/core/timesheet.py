"""Honest time tracking: what a contractor is paid for, and the timesheet that proves it.

Contractors bill by the hour and the submission carries the timesheet, so the
rules are strict and deliberately simple enough to explain to a client:

* time counts only while an item is current, the app's window is active,
  and the person is at the keyboard: two inputs (key, click, wheel, mouse
  move, touch; window activation counts as one) at most ``idle_limit``
  seconds apart count the time between them. A longer gap counts nothing at
  all: the person was away, and billing "the first two minutes of the
  absence" would be guessing;
* when the window loses focus or the current item changes, the time from
  the last input to that moment counts if it is within the limit, else
  nothing; while inactive nothing counts, whatever arrives;
* durations come from a monotonic clock, so an NTP correction or a DST
  change never bills (or loses) an hour. Stored timestamps are UTC wall
  time read when a segment starts plus the monotonic time elapsed since, so
  ``ended_at - started_at`` always equals ``seconds``.

:class:`ActivityTracker` is the rule set as a pure state machine (the Qt
side, ``reviewer.ui.activity``, only feeds it events). :class:`TimeLog`
writes its segments to the ``work_time`` table; the query functions build
the timesheet of a batch and its CSV exports.
"""

from __future__ import annotations

import csv
import io
import math
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from reviewer.core.errors import StoreError
from reviewer.core.store import Workspace

DEFAULT_IDLE_LIMIT_S = 120.0

#: First characters that make a spreadsheet read a cell as a formula (or strip it into one).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Segment:
    """One stretch of counted (billed) time on one item."""

    item: str
    started_at: str
    ended_at: str
    seconds: float


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    """The store's timestamp format (``store.now()``): UTC, microseconds, sortable as text."""
    if moment.tzinfo is None:  # an injected naive clock: it is meant as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class ActivityTracker:
    """The billing rules as a state machine: events in, closed :class:`Segment` s out.

    It never reads a clock on its own schedule, only when told of an event,
    so it can be driven by simulated clocks in tests and by Qt in the app.
    Every method returns the segments it closed (usually none); the caller
    persists them. Contiguous counted time is one segment, not one per input.
    """

    def __init__(
        self,
        *,
        idle_limit: float = DEFAULT_IDLE_LIMIT_S,
        mono: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = _utc_now,
        active: bool = False,
    ) -> None:
        self._mono = mono
        self._wall = wall
        self._limit = _checked_limit(idle_limit)
        self._active = active
        self._item: str | None = None
        # The open segment: monotonic start, wall start, monotonic time of the last input.
        self._start: float | None = None
        self._start_wall: datetime | None = None
        self._last = 0.0

    # -- state -------------------------------------------------------------------------

    @property
    def item(self) -> str | None:
        return self._item

    @property
    def active(self) -> bool:
        return self._active

    @property
    def idle_limit(self) -> float:
        return self._limit

    # -- events ------------------------------------------------------------------------

    def input(self) -> list[Segment]:
        """A keyboard/mouse input now. Extends the open segment, or starts one."""
        if self._item is None or not self._active:
            return []  # nothing counts without an item or while inactive
        t = self._mono()
        if self._start is None:
            self._open(t)
            return []
        if t - self._last <= self._limit:
            self._last = max(self._last, t)  # a clock that went back never shortens time
            return []
        closed = self._close(self._last)  # the whole gap was away: it counts nothing
        self._open(t)
        return closed

    def set_active(self, active: bool) -> list[Segment]:
        """The window became active (counts as an input) or inactive (closes the segment)."""
        if active:
            self._active = True
            return self.input()
        self._active = False
        return self._close_now()

    def set_item(self, item_id: str | None) -> list[Segment]:
        """Change the current item: closes the running segment; the new one starts at
        the next input (time spent choosing is not yet work on the new item)."""
        if item_id == self._item:
            return []
        closed = self._close_now()
        self._item = item_id
        return closed

    def set_idle_limit(self, seconds: float) -> list[Segment]:
        """Use a new idle limit for every gap judged from now on (the current one included)."""
        self._limit = _checked_limit(seconds)
        return []

    def flush(self) -> list[Segment]:
        """Close the running segment now (window closing); counting resumes at the next input."""
        return self._close_now()

    def running(self) -> Segment | None:
        """The open segment as far as it is certain: up to the last input.

        The time since the last input is not claimed yet (the next input may
        come after the idle limit, and then it counts nothing), so a
        checkpoint of this never bills more than the closed segment will.
        """
        if self._start is None or self._item is None or self._last <= self._start:
            return None
        return self._segment(self._last)

    # -- internals ---------------------------------------------------------------------

    def _open(self, t: float) -> None:
        self._start = t
        self._last = t
        self._start_wall = self._wall()

    def _close_now(self) -> list[Segment]:
        """Close at this moment: the trailing interval counts if within the limit."""
        if self._start is None:
            return []
        t = self._mono()
        end = t if 0 <= t - self._last <= self._limit else self._last
        return self._close(end)

    def _close(self, end: float) -> list[Segment]:
        segment = self._segment(end) if self._start is not None and end > self._start else None
        self._start = None
        self._start_wall = None
        return [] if segment is None else [segment]

    def _segment(self, end: float) -> Segment:
        assert self._start is not None
        assert self._start_wall is not None
        assert self._item is not None
        seconds = end - self._start
        return Segment(
            item=self._item,
            started_at=_iso(self._start_wall),
            ended_at=_iso(self._start_wall + timedelta(seconds=seconds)),
            seconds=seconds,
        )


def _checked_limit(seconds: float) -> float:
    value = float(seconds)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"the idle limit must be a positive number of seconds, not {seconds!r}")
    return value


# -- persistence -----------------------------------------------------------------------


class TimeLog:
    """Writes billed time to ``work_time``.

    A segment is identified by (item, started_at), which the
    ``work_time_item`` index covers: a checkpoint of the running segment
    inserts its row once and then updates it as it grows, and saving the
    closed segment replaces that row. Looking the row up in the table rather
    than remembering it means a TimeLog created after a store error (or a
    restart) still finds it, so time is never counted twice.
    """

    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace

    def save(self, segments: Iterable[Segment]) -> None:
        """Record closed segments in one transaction, each with a ``time.recorded`` event.

        Raises StoreError if nothing could be saved (the caller keeps the segments).
        """
        segments = list(segments)
        if not segments:
            return
        try:
            with self.ws.transaction():
                for segment in segments:
                    row = self._upsert(segment)
                    self.ws.log_event(
                        "time.recorded",
                        "item",
                        segment.item,
                        after={
                            "work_time": row,
                            "started_at": segment.started_at,
                            "ended_at": segment.ended_at,
                            "seconds": round(segment.seconds, 3),
                        },
                    )
        except sqlite3.Error as exc:
            raise StoreError(f"could not record work time: {exc}") from exc

    def checkpoint(self, running: Segment | None) -> None:
        """Write the running segment so a crash loses at most one checkpoint interval.

        No event: one every 30 s would swamp the log; the closing ``save`` logs it.
        """
        if running is None:
            return
        try:
            with self.ws.transaction():
                self._upsert(running)
        except sqlite3.Error as exc:
            raise StoreError(f"could not record work time: {exc}") from exc

    def _upsert(self, segment: Segment) -> int:
        conn = self.ws.db.conn
        found = conn.execute(
            "SELECT id FROM work_time WHERE item = ? AND started_at = ? ORDER BY id LIMIT 1",
            [segment.item, segment.started_at],
        ).fetchone()
        if found is not None:
            conn.execute(
                "UPDATE work_time SET ended_at = ?, seconds = ? WHERE id = ?",
                [segment.ended_at, segment.seconds, found[0]],
            )
            return int(found[0])
        cursor = conn.execute(
            "INSERT INTO work_time (item, started_at, ended_at, seconds) VALUES (?, ?, ?, ?)",
            [segment.item, segment.started_at, segment.ended_at, segment.seconds],
        )
        return int(cursor.lastrowid or 0)


# -- queries and exports ---------------------------------------------------------------


@dataclass(frozen=True)
class TimesheetRow:
    """One item's billed time in a batch (items never worked on have 0 and no dates)."""

    item: str
    local_id: str
    title: str
    status: str
    seconds: float
    segments: int
    first_start: str | None
    last_end: str | None


def timesheet(ws: Workspace, batch_id: str) -> list[TimesheetRow]:
    """Every item of the batch in batch order, with its active time."""
    rows = ws.db.execute(
        "SELECT i.id, i.local_id, i.title, i.status, COALESCE(SUM(w.seconds), 0), "
        "COUNT(w.id), MIN(w.started_at), MAX(w.ended_at) "
        "FROM item i LEFT JOIN work_time w ON w.item = i.id "
        "WHERE i.batch = ? GROUP BY i.id ORDER BY i.position, i.id",
        [batch_id],
    ).fetchall()
    return [
        TimesheetRow(
            item=r[0],
            local_id=r[1],
            title=r[2],
            status=r[3],
            seconds=float(r[4]),
            segments=int(r[5]),
            first_start=r[6],
            last_end=r[7],
        )
        for r in rows
    ]


def segments(ws: Workspace, batch_id: str) -> list[Segment]:
    """Every segment of the batch's items, in the order they were worked."""
    rows = ws.db.execute(
        "SELECT w.item, w.started_at, w.ended_at, w.seconds "
        "FROM work_time w JOIN item i ON i.id = w.item "
        "WHERE i.batch = ? ORDER BY w.started_at, w.id",
        [batch_id],
    ).fetchall()
    return [Segment(item=r[0], started_at=r[1], ended_at=r[2], seconds=float(r[3])) for r in rows]


def timesheet_csv(rows: Iterable[TimesheetRow]) -> str:
    """The timesheet as CSV text (write it as UTF-8)."""
    header = [
        "item",
        "local_id",
        "title",
        "status",
        "seconds",
        "segments",
        "first_start",
        "last_end",
    ]
    body = (
        [
            _cell(r.item),
            _cell(r.local_id),
            _cell(r.title),
            _cell(r.status),
            f"{r.seconds:.1f}",
            str(r.segments),
            _cell(r.first_start or ""),
            _cell(r.last_end or ""),
        ]
        for r in rows
    )
    return _csv(header, body)


def segments_csv(segments: Iterable[Segment]) -> str:
    """Every segment as CSV text (write it as UTF-8)."""
    header = ["item", "started_at", "ended_at", "seconds"]
    body = (
        [_cell(s.item), _cell(s.started_at), _cell(s.ended_at), f"{s.seconds:.1f}"]
        for s in segments
    )
    return _csv(header, body)


def _csv(header: list[str], body: Iterable[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue()


def _cell(text: str) -> str:
    """Neutralise text a spreadsheet would run as a formula (CSV injection).

    Titles and ids come from the batch manifest, which the contractor did
    not write: "=HYPERLINK(...)" in a title must stay text when the client
    opens the timesheet. A leading apostrophe is what spreadsheets hide.
    A carriage return becomes a line feed: with LF line endings the csv module
    does not quote a field for a bare CR, and the row would split in two.
    """
    if text.startswith(_FORMULA_STARTS):
        text = "'" + text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def format_duration(seconds: float) -> str:
    """A duration for people: "1 h 05 min", "4 min 12 s", "0 s" (whole seconds, rounded)."""
    total = max(0, round(seconds)) if math.isfinite(seconds) else 0
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"
