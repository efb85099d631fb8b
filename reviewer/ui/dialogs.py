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
    from reviewer.core.model import Item
    from reviewer.core.redaction.plan import RedactionOptions

OPEN_FILTER = (
    "Documents and task batches (*.pdf *.xps *.oxps *.epub *.fb2 *.cbz *.txt *.md *.png *.jpg "
    "*.jpeg *.tif *.tiff *.bmp *.gif *.rvbatch);;"
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

    def open_batch(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            self.parent, "Open a task batch", str(Path.home()), "Task batches (*.rvbatch)"
        )
        return Path(name) if name else None

    def open_bundles(self) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(
            self.parent,
            "Import submissions",
            str(Path.home()),
            "Submission bundles (*.rvbundle)",
        )
        return [Path(n) for n in names]

    def enrol_key(self) -> tuple[Path, str] | None:
        """An annotator's public key file and the name to enrol it under."""
        name, _ = QFileDialog.getOpenFileName(
            self.parent, "Enrol an annotator's public key", str(Path.home()), "Keys (*.pem)"
        )
        if not name:
            return None
        who, ok = QInputDialog.getText(
            self.parent, "Enrol key", f"Name of the annotator who owns {Path(name).name}:"
        )
        return (Path(name), who) if ok and who.strip() else None

    def dataset_export(self, suggested: Path) -> tuple[str, Path] | None:
        """The export format (from the file type chosen) and the file."""
        kinds = {
            "PII spans per document (*.jsonl)": "pii-spans",
            "Error annotations with comments (*.jsonl)": "errors",
            "Preference pairs for reward models (*.jsonl)": "preferences",
            "W3C Web Annotations (*.jsonl)": "w3c",
        }
        name, chosen = QFileDialog.getSaveFileName(
            self.parent, "Export the dataset as", str(suggested), ";;".join(kinds)
        )
        if not name:
            return None
        path = Path(name)
        return kinds.get(chosen, "pii-spans"), path if path.suffix else path.with_suffix(".jsonl")

    def skip_reason(self, title: str) -> str | None:
        text, ok = QInputDialog.getText(
            self.parent,
            "Skip item",
            f"Why is “{title}” skipped? The team lead reads this.",
        )
        return text if ok else None

    def confirm_partial(self, unfinished: list[Item]) -> bool:
        shown = "\n".join(
            f"• {i.title or i.local_id} ({i.status.replace('_', ' ')})" for i in unfinished[:12]
        )
        more = f"\n… and {len(unfinished) - 12} more" if len(unfinished) > 12 else ""
        answer = QMessageBox.question(
            self.parent,
            "Unfinished items",
            f"{len(unfinished)} items are not done or skipped:\n\n{shown}{more}\n\n"
            "Export a partial submission anyway?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def save_bundle(self, suggested: Path) -> Path | None:
        return self._save_as("Save the submission as", suggested, "Submission (*.rvbundle)")

    def save_csv(self, suggested: Path) -> Path | None:
        return self._save_as("Export the timesheet as", suggested, "CSV (*.csv)")

    def save_public_key(self, suggested: Path) -> Path | None:
        return self._save_as("Export your public key as", suggested, "Public key (*.pem)")

    def save_ocr_text(self, suggested: Path) -> Path | None:
        """Plain text, or JSON Lines with every correction when the name ends in .jsonl."""
        name, chosen = QFileDialog.getSaveFileName(
            self.parent,
            "Export the corrected text as",
            str(suggested),
            "Plain text (*.txt);;JSON Lines with corrections (*.jsonl)",
        )
        if not name:
            return None
        path = Path(name)
        if not path.suffix:
            path = path.with_suffix(".jsonl" if "jsonl" in chosen else ".txt")
        return path

    def _save_as(self, title: str, suggested: Path, kind: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self.parent, title, str(suggested), kind)
        if not name:
            return None
        path = Path(name)
        if path.suffix.lower() != suggested.suffix:
            path = path.with_suffix(suggested.suffix)
        return path

    def identity(self, name: str, annotator_id: str) -> tuple[str, str] | None:
        from reviewer.ui.work.identity_dialog import IdentityDialog

        dialog = IdentityDialog(name, annotator_id, self.parent)
        return dialog.answer() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def idle_limit(self, current: float) -> float | None:
        value, ok = QInputDialog.getInt(
            self.parent,
            "Idle limit",
            "Stop counting time after this many seconds without keyboard or mouse input:",
            int(current),
            15,
            3600,
        )
        return float(value) if ok else None
