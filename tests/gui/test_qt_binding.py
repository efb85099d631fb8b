"""Guards against a Qt-binding defect that would crash the app mid-work.

PySide6-Essentials 6.12.0 returns True from ``Signal.emit`` and None from
``QTimer.start`` without taking a reference. On CPython 3.11 each call lowers
the singleton's refcount, and after a few thousand scroll steps the
interpreter aborts ("Fatal Python error: none_dealloc"). pyproject.toml keeps
that version out; this test fails if an upgrade brings the defect back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer, Signal


class _Probe(QObject):
    ping = Signal(int)


def test_signals_and_timers_keep_their_references(qapp) -> None:
    probe = _Probe()
    probe.ping.connect(lambda _value: None)
    timer = QTimer()
    true_before = sys.getrefcount(True)
    for _ in range(500):
        probe.ping.emit(1)
    none_before = sys.getrefcount(None)
    for _ in range(500):
        timer.start(1000)
    timer.stop()
    # Other code may take or drop a few references meanwhile; a leak is one per call.
    assert true_before - sys.getrefcount(True) < 50
    assert none_before - sys.getrefcount(None) < 50
