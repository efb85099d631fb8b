"""Feeds the billing rules (``core.timesheet.ActivityTracker``) from Qt and saves the time.

One application-wide event filter sees the person's inputs (keys, clicks,
wheel, touch, and mouse moves at most once a second: a moving mouse sends
hundreds of events a second and each would cost a Python call into the
tracker). ``applicationStateChanged`` says when the window is active. A
30 s timer checkpoints the running segment, so a crash loses at most 30 s.

Time is money here, so a store error never loses it: closed segments that
could not be saved stay in memory and are saved again at the next
checkpoint; ``failed`` tells the window once per run of failures.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication

from reviewer.core.errors import StoreError
from reviewer.core.store import Workspace
from reviewer.core.timesheet import DEFAULT_IDLE_LIMIT_S, ActivityTracker, Segment, TimeLog

CHECKPOINT_MS = 30_000
#: A mouse move counts as an input at most this often (seconds of the monotonic clock).
MOVE_THROTTLE_S = 1.0

_MOVE = QEvent.Type.MouseMove
_INPUTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        _MOVE,
    }
)


class ActivityMonitor(QObject):
    """Counts active time on the current item and records it in the workspace.

    Call :meth:`set_item` when the current item changes and :meth:`stop`
    when the window closes. The clocks can be injected for tests.
    """

    #: An item's recorded time changed (a segment closed, or a checkpoint): refresh views.
    recorded = Signal(str)
    #: Work time could not be saved (it is kept and retried); the message names the problem.
    failed = Signal(str)

    def __init__(
        self,
        workspace: Workspace,
        *,
        idle_limit: float = DEFAULT_IDLE_LIMIT_S,
        mono: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
        checkpoint_ms: int = CHECKPOINT_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        app = QCoreApplication.instance()
        if not isinstance(app, QGuiApplication):
            raise RuntimeError("ActivityMonitor needs a QGuiApplication")
        self._app = app
        self._mono = mono
        active = app.applicationState() == Qt.ApplicationState.ApplicationActive
        self.tracker = ActivityTracker(idle_limit=idle_limit, mono=mono, wall=wall, active=active)
        self.log = TimeLog(workspace)
        self._unsaved: list[Segment] = []
        self._failing = False
        self._checkpointed: Segment | None = None
        self._last_move = -float("inf")
        self._stopped = False
        app.installEventFilter(self)
        app.applicationStateChanged.connect(self.on_application_state)
        self._timer = QTimer(self)
        self._timer.setInterval(checkpoint_ms)
        self._timer.timeout.connect(self.checkpoint)
        self._timer.start()

    # -- what the window tells us --------------------------------------------------------

    def set_item(self, item_id: str | None) -> None:
        """The current item changed (None: no item, nothing counts)."""
        self._save(self.tracker.set_item(item_id))

    def set_idle_limit(self, seconds: float) -> None:
        self._save(self.tracker.set_idle_limit(seconds))

    def unsaved(self) -> list[Segment]:
        """Closed segments waiting for the store (after an error)."""
        return list(self._unsaved)

    def stop(self) -> bool:
        """Close the running segment and stop watching; True if all time is saved.

        Call when the window closes (idempotent).
        """
        if not self._stopped:
            self._stopped = True
            self._timer.stop()
            self._app.removeEventFilter(self)
            self._app.applicationStateChanged.disconnect(self.on_application_state)
            self._save(self.tracker.flush())
        return not self._unsaved

    # -- Qt ------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Note an input; never consume the event. Runs for every event of the app: keep cheap.

        Only spontaneous events count: they come from the person (or the
        window system), not from the app sending itself events.
        """
        kind = event.type()
        if kind in _INPUTS and event.spontaneous():
            if kind == _MOVE:
                t = self._mono()
                if t - self._last_move < MOVE_THROTTLE_S:
                    return False
                self._last_move = t
            closed = self.tracker.input()
            if closed:
                self._save(closed)
        return False

    @Slot(Qt.ApplicationState)
    def on_application_state(self, state: Qt.ApplicationState) -> None:
        """Active: counts as an input. Anything else: close the running segment."""
        active = state == Qt.ApplicationState.ApplicationActive
        self._save(self.tracker.set_active(active))

    @Slot()
    def checkpoint(self) -> None:
        """Retry unsaved segments, then write the running one (no event, see TimeLog)."""
        if self._unsaved and not self._save([]):
            return  # still failing: the checkpoint would fail the same way
        running = self.tracker.running()
        if running is None or running == self._checkpointed:
            return  # nothing new since the last one: spare the disk a synced write
        try:
            self.log.checkpoint(running)
        except (StoreError, sqlite3.Error) as exc:
            self._report(exc)
            return
        self._checkpointed = running
        self._failing = False
        self.recorded.emit(running.item)

    # -- saving --------------------------------------------------------------------------

    def _save(self, closed: list[Segment]) -> bool:
        """Save closed segments with any left from a failure; keep them all if it fails."""
        self._unsaved.extend(closed)
        if not self._unsaved:
            return True
        try:
            self.log.save(self._unsaved)
        except (StoreError, sqlite3.Error) as exc:
            self._report(exc)
            return False
        items = list(dict.fromkeys(s.item for s in self._unsaved))
        self._unsaved.clear()
        self._failing = False
        for item in items:
            self.recorded.emit(item)
        return True

    def _report(self, exc: Exception) -> None:
        if not self._failing:
            self._failing = True
            self.failed.emit(f"Work time is not saved yet (it will be retried): {exc}")
