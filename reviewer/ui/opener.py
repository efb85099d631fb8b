"""Opening a document: worker, password, workspace copy, session.

Nothing is stored until the worker has opened the file successfully, so a
corrupt, truncated or encrypted file that the user gives up on leaves the
workspace exactly as it was. A warm spare worker process is kept ready so
opening a document does not wait for a process to start.
"""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from reviewer.core.errors import PasswordRequired, ReviewerError
from reviewer.core.formats import filetype_for
from reviewer.core.model import Document, OpenedDocument
from reviewer.core.store import Workspace
from reviewer.core.worker import DocumentWorker
from reviewer.ui.bridge import Relay, run_in_pool
from reviewer.ui.document_session import DocumentSession


class Asker(Protocol):
    def error(self, title: str, text: str) -> None: ...
    def password(self, name: str, wrong: bool) -> str | None: ...


OPEN_TIMEOUT_MS = 60_000


class DocumentOpener(QObject):
    """Opens files and stored documents, emitting a ready :class:`DocumentSession`."""

    opened = Signal(object)  # DocumentSession
    failed = Signal(str, str)  # file name, problem

    def __init__(self, workspace: Workspace, dialogs: Asker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.dialogs = dialogs
        self._relay = Relay(self)
        self._spare: DocumentWorker | None = None
        self._busy: set[DocumentWorker] = set()
        #: How long an open may take before the file is called hung (scans open fast;
        #: OCR comes later, per page).
        self.open_timeout_ms = OPEN_TIMEOUT_MS
        self._hung: set[int] = set()  # futures of opens already reported as hung

    def warm_up(self) -> None:
        """Start a spare worker now so the next open is quick."""
        if self._spare is None:
            self._spare = DocumentWorker.for_viewer().start()

    def adopt(self, worker: DocumentWorker | None) -> None:
        """Use a worker started earlier (by the app, before Qt) as the spare."""
        if worker is not None:
            if self._spare is not None:
                self._spare.close()
            self._spare = worker

    def shutdown(self) -> None:
        self._relay.stop()
        for worker in [*self._busy, *([self._spare] if self._spare else [])]:
            worker.close()
        self._busy.clear()
        self._spare = None

    @property
    def pending(self) -> int:
        """How many opens are still in progress."""
        return len(self._busy)

    def open_file(self, path: Path) -> None:
        """Open a file from disk (File > Open, drag and drop, command line)."""
        self._attempt(self._take_worker(), Path(path), None, None, None)

    def open_stored(self, document: Document) -> None:
        """Open a document from the workspace copy (Recent files)."""
        blob = self.workspace.blob_path(document.sha256)
        self._attempt(self._take_worker(), blob, None, filetype_for(document.media_type), document)

    # -- steps ------------------------------------------------------------------

    def _take_worker(self) -> DocumentWorker:
        worker, self._spare = self._spare, None
        worker = worker or DocumentWorker.for_viewer().start()
        self._busy.add(worker)
        return worker

    def _attempt(
        self,
        worker: DocumentWorker,
        path: Path,
        password: str | None,
        filetype: str | None,
        stored: Document | None,
    ) -> None:
        future = worker.open(path, password, filetype)
        self._relay.when_done(
            future, lambda f: self._on_opened(worker, path, password, filetype, stored, f)
        )
        name = stored.original_name if stored else path.name
        QTimer.singleShot(self.open_timeout_ms, lambda: self._check_hung(worker, name, future))

    def _check_hung(self, worker: DocumentWorker, name: str, future: Future[Any]) -> None:
        """A file that makes the document engine hang: say so and stop its worker.

        The worker is a process of its own, so the window never hung; without
        this the user would wait for a tab that never comes.
        """
        if future.done() or worker not in self._busy:
            return
        self._hung.add(id(future))
        worker.close(timeout=0.2)  # a hung engine will not answer "quit": kill it at once
        seconds = self.open_timeout_ms // 1000
        self._give_up(
            worker,
            name,
            f"{name}: did not open within {seconds} s; the file may be damaged or built to "
            "stall the document engine. Nothing was changed.",
            show=True,
        )

    def _on_opened(
        self,
        worker: DocumentWorker,
        path: Path,
        password: str | None,
        filetype: str | None,
        stored: Document | None,
        future: Future[Any],
    ) -> None:
        if id(future) in self._hung:  # already reported; its worker was stopped
            self._hung.discard(id(future))
            return
        error = future.exception()
        name = stored.original_name if stored else path.name
        if isinstance(error, PasswordRequired):
            answer = self.dialogs.password(name, error.wrong_password)
            if answer is None:
                self._give_up(worker, name, "no password was given")
                return
            self._attempt(worker, path, answer, filetype, stored)
            return
        if error is not None:
            self._give_up(worker, name, str(error), show=True)
            return
        opened: OpenedDocument = future.result()
        if stored is not None:
            self.workspace.touch_document(stored.sha256)
            self._ready(worker, opened, stored)
            return
        # Copy into the blob store off the GUI thread (hashing a large scan takes a while).
        copy = run_in_pool(lambda: self.workspace.blobs.put_file(path))
        self._relay.when_done(copy, lambda f: self._on_copied(worker, path, opened, f))

    def _on_copied(
        self, worker: DocumentWorker, path: Path, opened: OpenedDocument, future: Future[Any]
    ) -> None:
        error = future.exception()
        try:
            if error is not None:
                raise error
            document = self.workspace.add_document(
                path,
                page_count=opened.page_count,
                title=opened.title,
                media_type=opened.media_type,
                sha256=future.result(),
            )
        except (ReviewerError, OSError) as exc:
            problem = getattr(exc, "strerror", None) or str(exc)
            self._give_up(
                worker, path.name, f"could not be saved to the workspace: {problem}", True
            )
            return
        worker.reopen_from(
            self.workspace.blob_path(document.sha256), filetype_for(opened.media_type)
        )
        self._ready(worker, opened, document)

    def _ready(self, worker: DocumentWorker, opened: OpenedDocument, document: Document) -> None:
        self._busy.discard(worker)
        session = DocumentSession(worker, opened, document, self.workspace)
        self.opened.emit(session)
        self.warm_up()

    def _give_up(self, worker: DocumentWorker, name: str, problem: str, show: bool = False) -> None:
        self._busy.discard(worker)
        worker.close()
        if show:
            self.dialogs.error(
                "Cannot open document", problem if name in problem else f"{name}: {problem}"
            )
        self.failed.emit(name, problem)
