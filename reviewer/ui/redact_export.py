"""Export a redacted PDF of the open document, verified, in the background.

The export runs in a worker process of its own, on the workspace's copy of
the document, so the document's worker goes on drawing pages meanwhile and
Cancel can stop MuPDF wherever it is (the process is ended; the target is
only ever replaced by a verified file, so nothing half-written is left).
"""

from __future__ import annotations

import contextlib
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from reviewer.core.redaction.from_annotations import plan_from_annotations
from reviewer.core.redaction.plan import RedactionOptions, RedactionPlan
from reviewer.core.worker import DocumentWorker
from reviewer.ui.annotations.controller import AnnotationController
from reviewer.ui.bridge import Relay


def suggested_target(controller: AnnotationController) -> Path:
    """``<name>-redacted.pdf`` beside the original, else in the home folder."""
    document = controller.session.document
    original = Path(document.original_path) if document.original_path else None
    stem = Path(document.original_name or "document").stem
    folder = original.parent if original is not None and original.parent.is_dir() else Path.home()
    return folder / f"{stem}-redacted.pdf"


KINDS = {
    "text_under_box": "text under a box drawn over it",
    "black_highlight": "text under a highlight or box annotation",
    "unapplied_redaction": "a redaction mark never applied",
    "image_over_text": "text under a dark image",
}


def bad_redaction_message(name: str, found: list[Any]) -> str:
    """ "3 redactions in NAME look bad: ... page 1 (2), page 16 (1)." (pages from 1)."""
    pages: dict[int, int] = {}
    for s in found:
        pages[s.page] = pages.get(s.page, 0) + 1
    where = ", ".join(f"page {p + 1} ({n})" for p, n in sorted(pages.items())[:12])
    kinds = sorted({KINDS.get(s.kind, s.kind) for s in found})
    many = len(found) != 1
    return (
        f"{len(found)} redaction{'s' if many else ''} in {name} "
        f"look{'' if many else 's'} bad — {', '.join(kinds)}: anyone can copy the hidden "
        f"text out. Where: {where}{'…' if len(pages) > 12 else ''}. Do not rely on "
        f"{'them' if many else 'it'}: mark that text for redaction and export a redacted copy."
    )


class RedactExport(QObject):
    """One export of one document at a time."""

    started = Signal()
    progress = Signal(int, int)  # steps done, steps in all (pages and scrubbing steps)
    _progressed = Signal(object, int, int)  # from the worker's reader thread
    finished = Signal(object, str)  # VerificationReport, the target's path
    failed = Signal(str)
    stopped = Signal()  # finished, failed or cancelled: the bar hides

    def __init__(self, controller: AnnotationController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._worker: DocumentWorker | None = None
        self._target: Path | None = None
        self._relay = Relay(self)
        self._progressed.connect(self._on_progress)  # queued: arrives on the GUI thread

    @property
    def running(self) -> bool:
        return self._worker is not None

    def plan(self) -> RedactionPlan:
        """What would be redacted now: the accepted PII annotations and areas."""
        self.controller.finish_loading()
        return plan_from_annotations(self.controller.annotations())

    def start(self, target: Path, options: RedactionOptions) -> bool:
        """Redact into ``target``; False if an export runs already or there is nothing to do."""
        plan = self.plan()
        if self.running or not (plan.boxes or plan.terms):
            return False
        session = self.controller.session
        source = session.workspace.blob_path(session.sha256)
        worker = DocumentWorker(max_in_flight=1, name=session.title)
        self._worker, self._target = worker, target
        future = worker.submit(
            "redact",
            source,
            target,
            plan,
            options,
            session.worker.password,
            None,
            priority=-1,
            on_progress=lambda done, total, w=worker: self._progressed.emit(w, done, total),
        )
        self._relay.when_done(future, lambda f, w=worker: self._on_done(w, f))
        self.started.emit()
        return True

    def cancel(self) -> None:
        """Stop the export; the target keeps whatever it held before.

        Ending the process may leave the export's temporary file beside the
        target (``.NAME.*.tmp``, never the target itself): it is removed.
        """
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.close(timeout=0.5)
            if self._target is not None:
                for temp in self._target.parent.glob(f".{self._target.name}.*.tmp"):
                    with contextlib.suppress(OSError):
                        temp.unlink()
            self.stopped.emit()

    def _on_progress(self, worker: object, done: int, total: int) -> None:
        if worker is self._worker:
            self.progress.emit(done, total)

    def _on_done(self, worker: DocumentWorker, future: Future[Any]) -> None:
        if worker is not self._worker:
            return  # cancelled
        self._worker = None
        worker.close()
        self.stopped.emit()
        target = self._target or Path()
        exc = future.exception()
        if exc is not None:
            self.failed.emit(f"The redacted PDF was not written: {exc}")
            return
        outcome, report = future.result()
        if outcome != "passed":
            failed = [c for c in report.checks if not c.passed]
            lines = "\n".join(
                f"• {c.name}: {c.detail}" + (f" (pages {_pages(c.pages)})" if c.pages else "")
                for c in failed
            )
            self.failed.emit(
                f"Verification of the redacted PDF failed, so {target.name} was not written "
                f"(anything already there is unchanged):\n{lines}"
            )
            return
        self.finished.emit(report, str(target))


def _pages(pages: tuple[int, ...]) -> str:
    return ", ".join(str(p + 1) for p in pages[:10]) + ("…" if len(pages) > 10 else "")


class ExportBar(QWidget):
    """ "Redacting and verifying…" with a busy bar and Cancel, shown while an export runs."""

    def __init__(self, export: RedactExport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("Redacting and verifying…", self)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)  # busy until the first step is reported
        self.bar.setAccessibleName("Redaction progress")
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(12)
        self.cancel = QPushButton("Cancel", self)
        self.cancel.setAccessibleName("Cancel the redaction")
        self.cancel.clicked.connect(export.cancel)
        box = QHBoxLayout(self)
        box.setContentsMargins(6, 2, 6, 2)
        box.addWidget(self.label)
        box.addWidget(self.bar, 1)
        box.addWidget(self.cancel)
        export.started.connect(self._on_started)
        export.progress.connect(self._on_progress)
        export.stopped.connect(self.hide)
        self.hide()

    def _on_started(self) -> None:
        self.label.setText("Redacting…")
        self.bar.setRange(0, 0)
        self.show()

    def _on_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)
        self.label.setText(
            f"Redacting: step {min(done + 1, total)} of {total}"
            if done < total
            else "Verifying the redacted copy…"
        )
