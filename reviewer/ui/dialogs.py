"""Modal questions and messages, behind one small object the window is given.

Tests hand the window a scripted stand-in (modal dialogs would block them),
as Spyder does; the app uses :class:`Dialogs`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QWidget,
)

if TYPE_CHECKING:
    from reviewer.core.redaction.plan import RedactionOptions

OPEN_FILTER = (
    "Documents (*.pdf *.xps *.oxps *.epub *.fb2 *.cbz *.txt *.md *.png *.jpg *.jpeg *.tif "
    "*.tiff *.bmp *.gif);;PDF (*.pdf);;All files (*)"
)


class Dialogs:
    """The real, modal dialogs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def error(self, title: str, text: str) -> None:
        QMessageBox.warning(self.parent, title, text)

    def info(self, title: str, text: str) -> None:
        QMessageBox.information(self.parent, title, text)

    def password(self, name: str, wrong: bool) -> str | None:
        prompt = (
            f"The password for {name} is wrong. Try again:"
            if wrong
            else f"{name} is protected. Enter its password:"
        )
        text, ok = QInputDialog.getText(
            self.parent, "Password required", prompt, QLineEdit.EchoMode.Password
        )
        return text if ok else None

    def open_files(self, start: Path | None = None) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(
            self.parent, "Open documents", str(start or Path.home()), OPEN_FILTER
        )
        return [Path(n) for n in names]

    def page_number(self, current: int, count: int) -> int | None:
        value, ok = QInputDialog.getInt(
            self.parent, "Go to page", f"Page (1–{count}):", current, 1, count
        )
        return value if ok else None

    def redaction_options(self, boxes: int, terms: int) -> RedactionOptions | None:
        from reviewer.ui.redact_dialog import RedactOptionsDialog

        dialog = RedactOptionsDialog(boxes, terms, self.parent)
        return dialog.options() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def save_redacted(self, suggested: Path) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            self.parent, "Save the redacted PDF as", str(suggested), "PDF (*.pdf)"
        )
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")
