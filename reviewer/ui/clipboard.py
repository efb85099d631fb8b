"""Copying document text: marked sensitive for clipboard managers, and cleared after a while.

Text copied from a privileged document must not live on in a clipboard
history. The copy carries the hints that history tools honour — KDE's
``x-kde-passwordManagerHint``, Windows' ``ExcludeClipboardContentFromMonitorProcessing``
and ``CanIncludeInClipboardHistory`` = 0, macOS's
``org.nspasteboard.ConcealedType`` — and is cleared after
:data:`CLEAR_AFTER_MS` if it is still what we put there (something the user
copied since is left alone).
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QObject, QTimer
from PySide6.QtGui import QGuiApplication

CLEAR_AFTER_MS = 90_000

SENSITIVE_FORMATS = {
    "x-kde-passwordManagerHint": b"secret",
    'application/x-qt-windows-mime;value="ExcludeClipboardContentFromMonitorProcessing"': b"1",
    'application/x-qt-windows-mime;value="CanIncludeInClipboardHistory"': b"\x00\x00\x00\x00",
    'application/x-qt-windows-mime;value="CanUploadToCloudClipboard"': b"\x00\x00\x00\x00",
    "org.nspasteboard.ConcealedType": b"",
}


class SensitiveClipboard(QObject):
    """Puts text on the clipboard as sensitive and takes it off again later."""

    def __init__(self, parent: QObject | None = None, clear_after_ms: int = CLEAR_AFTER_MS) -> None:
        super().__init__(parent)
        self.clear_after_ms = clear_after_ms
        self._ours: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)

    def copy(self, text: str) -> None:
        data = QMimeData()
        data.setText(text)
        for kind, value in SENSITIVE_FORMATS.items():
            data.setData(kind, value)
        QGuiApplication.clipboard().setMimeData(data)
        self._ours = text
        self._timer.start(self.clear_after_ms)

    def clear(self) -> bool:
        """Empty the clipboard if it still holds what we copied; True if it did."""
        clipboard = QGuiApplication.clipboard()
        ours, self._ours = self._ours, None
        if ours is None or clipboard.text() != ours:
            return False
        clipboard.clear()
        return True
