"""Deliver results of background work to the GUI thread.

Worker futures complete on a reader thread; Qt widgets may only be touched
on the GUI thread. A :class:`Relay` lives on the GUI thread and re-emits each
completed future through a queued signal, so callbacks always run there and
exceptions are never lost on the way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal, Slot


class Relay(QObject):
    """Runs ``callback(future)`` on this object's (GUI) thread once ``future`` is done."""

    _done = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._alive = True

    def when_done(self, future: Future[Any], callback: Callable[[Future[Any]], None]) -> None:
        future.add_done_callback(lambda f: self._emit(callback, f))

    def stop(self) -> None:
        """Drop deliveries from now on (the receiver is going away)."""
        self._alive = False

    def _emit(self, callback: Callable[[Future[Any]], None], future: Future[Any]) -> None:
        if self._alive:
            # RuntimeError: the relay was deleted while the worker finished.
            with contextlib.suppress(RuntimeError):
                self._done.emit(callback, future)

    @Slot(object, object)
    def _deliver(self, callback: Callable[[Future[Any]], None], future: Future[Any]) -> None:
        if self._alive and not future.cancelled():
            callback(future)


def run_in_pool(fn: Callable[[], Any], pool: QThreadPool | None = None) -> Future[Any]:
    """Run ``fn`` on a QThreadPool thread (file I/O, hashing); its result arrives as a future."""
    future: Future[Any] = Future()

    def job() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(fn())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller via the future
            future.set_exception(exc)

    (pool or QThreadPool.globalInstance()).start(job)
    return future
