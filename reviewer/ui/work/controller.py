"""The work queue's state: which batch, which item, and the actions on them.

Every rule lives in core (``batches``, ``batch_import``, ``bundle``,
``identity``); this object calls it, runs the slow part of an import off the
GUI thread, and tells the views what changed. Opening an item's documents
is the window's job (it owns the tabs): :attr:`openRequested` asks for it.
"""

from __future__ import annotations

import shutil
import sqlite3
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from reviewer.core import batches, identity, judgements
from reviewer.core.batch_file import ImportResult, store_batch
from reviewer.core.batch_import import prepare, scratch_folder
from reviewer.core.bundle import RedactedCopy, export_bundle, verify_report
from reviewer.core.bundle_redactions import make_copies, plan_copies
from reviewer.core.errors import ReviewerError
from reviewer.core.model import Batch, Item
from reviewer.core.store import Workspace, now
from reviewer.core.taxonomy import Taxonomy, builtin_taxonomies
from reviewer.ui.bridge import Relay, run_in_pool


class WorkDialogs(Protocol):
    def error(self, title: str, text: str) -> None: ...
    def info(self, title: str, text: str) -> None: ...
    def skip_reason(self, title: str) -> str | None: ...
    def confirm_partial(self, unfinished: list[Item]) -> bool: ...
    def save_bundle(self, suggested: Path) -> Path | None: ...
    def identity(self, name: str, annotator_id: str) -> tuple[str, str] | None: ...


class WorkController(QObject):
    """Batches, the current item, and what can be done with them."""

    batchesChanged = Signal()
    #: The batch shown in the queue changed (batch id or None).
    batchChanged = Signal(object)
    #: An item's status changed (Item).
    itemChanged = Signal(object)
    #: The window should show this item's documents (Item).
    openRequested = Signal(object)
    #: A batch import finished (ImportResult).
    imported = Signal(object)
    #: A line for the status bar about background work ("" clears it).
    status = Signal(str)
    #: An item is about to be checked for done: views store what is typed but not saved (Item).
    storePending = Signal(object)
    #: An identity is about to be made (views store pending typing) / was made (its id).
    identityChanging = Signal()
    identityChanged = Signal(str)

    def __init__(self, workspace: Workspace, dialogs: WorkDialogs, parent: QObject | None = None):
        super().__init__(parent)
        self.workspace = workspace
        self.dialogs = dialogs
        self.batch_id: str | None = None
        self.current: Item | None = None
        self._relay = Relay(self)
        self._importing: set[Path] = set()
        known = batches.batches(workspace)
        if known:
            self.batch_id = known[0].id

    # -- batches ---------------------------------------------------------------------

    def batches(self) -> list[Batch]:
        return batches.batches(self.workspace)

    def batch(self) -> Batch | None:
        return None if self.batch_id is None else batches.batch(self.workspace, self.batch_id)

    def items(self) -> list[Item]:
        return [] if self.batch_id is None else batches.items(self.workspace, self.batch_id)

    def progress(self) -> batches.Progress | None:
        return None if self.batch_id is None else batches.progress(self.workspace, self.batch_id)

    def taxonomy(self, batch_id: str) -> Taxonomy | None:
        try:
            return batches.batch_taxonomy(self.workspace, batch_id)
        except ReviewerError:
            return None

    def set_batch(self, batch_id: str | None) -> None:
        if batch_id == self.batch_id:
            return
        self.batch_id = batch_id
        self.batchChanged.emit(batch_id)

    def import_batch(self, path: Path) -> Future[Any] | None:
        """Read and check the file and open its documents off the GUI thread, then store."""
        path = Path(path)
        if path in self._importing:
            return None
        self._importing.add(path)
        self.status.emit(f"Importing {path.name}…")
        scratch = scratch_folder(self.workspace.paths.cache)
        future = run_in_pool(lambda: prepare(path, scratch))
        self._relay.when_done(future, lambda done: self._store(path, scratch, done))
        return future

    def _store(self, path: Path, scratch: Path, done: Future[Any]) -> None:
        try:
            content, opened = done.result()
            result: ImportResult = store_batch(self.workspace, content, opened)
        except (ReviewerError, OSError, sqlite3.Error) as exc:
            self.dialogs.error("Batch not imported", _message(exc, path))
            return
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
            self._importing.discard(path)
            self.status.emit("")
        self.batchesChanged.emit()
        self.batch_id = None
        self.set_batch(result.batch_id)
        self.imported.emit(result)
        first = next((i for i in self.items() if i.status in ("todo", "in_progress")), None)
        if first is not None:
            self.open_item(first)

    # -- items -----------------------------------------------------------------------

    def open_item(self, item: Item) -> None:
        """Make ``item`` current (to do → in progress) and ask for its documents."""
        if item.batch != self.batch_id:
            self.set_batch(item.batch)
        try:
            item = batches.start(self.workspace, item.id)
        except ReviewerError as exc:
            self.dialogs.error("Not saved", str(exc))
            return
        self.current = item
        self.itemChanged.emit(item)
        self.openRequested.emit(item)

    def step(self, forward: bool) -> bool:
        """Open the next (previous) item of the batch; False at either end."""
        if self.current is None:
            listed = self.items()
            if not listed:
                return False
            self.open_item(listed[0] if forward else listed[-1])
            return True
        found = batches.neighbour(self.workspace, self.current.id, forward)
        if found is None:
            return False
        self.open_item(found)
        return True

    def mark_done(self, item: Item | None = None) -> bool:
        """Done, unless the item's judgement or explanations are incomplete (then say what)."""
        target = item or self.current
        if target is None:
            return False
        self.storePending.emit(target)  # typing not yet stored (rationale, summary) is stored now
        try:
            missing = judgements.done_problems(
                self.workspace, target, self.workspace.actor, self.taxonomies(target.batch)
            )
        except (ReviewerError, sqlite3.Error) as exc:
            self.dialogs.error("Not saved", _message(exc))
            return False
        if missing:
            self.dialogs.error(
                "Not done yet",
                f"{target.title}: before this item is done, " + "; ".join(missing) + ".",
            )
            return False
        return self._set_status(target, "done")

    def taxonomies(self, batch_id: str) -> dict[str, Taxonomy]:
        """The label sets an item's annotations may use: the built-in ones and the batch's."""
        found = dict(builtin_taxonomies())
        own = self.taxonomy(batch_id)
        if own is not None:
            found[own.id] = own
        return found

    def skip(self, item: Item | None = None) -> bool:
        target = item or self.current
        if target is None:
            return False
        reason = self.dialogs.skip_reason(target.title)
        if reason is None:
            return False
        return self._set_status(target, "skipped", reason)

    def _set_status(self, item: Item | None, status: str, reason: str = "") -> bool:
        if item is None:
            return False
        try:
            updated = batches.set_status(self.workspace, item.id, status, reason=reason)
        except (ReviewerError, sqlite3.Error) as exc:
            self.dialogs.error("Not saved", _message(exc))
            return False
        if self.current is not None and self.current.id == updated.id:
            self.current = updated
        self.itemChanged.emit(updated)
        return True

    def follow_document(self, item_id: str | None) -> None:
        """The window switched to a document: its item becomes the current one."""
        if item_id is None:
            return
        found = batches.item(self.workspace, item_id)
        if found is not None and (self.current is None or self.current.id != found.id):
            self.current = found
            if found.batch != self.batch_id:
                self.set_batch(found.batch)
            self.itemChanged.emit(found)

    # -- identity and submission ------------------------------------------------------

    def identity(self) -> identity.Identity | None:
        try:
            return identity.load_identity(self.workspace.paths.workspace)
        except ReviewerError as exc:
            self.dialogs.error("Identity", str(exc))
            return None

    def ask_identity(self) -> identity.Identity | None:
        """Ask for a name and id and make the signing key (first run, or before a submission)."""
        answer = self.dialogs.identity("", "")
        while answer is not None:
            try:
                made = identity.create_identity(
                    self.workspace.paths.workspace, answer[0], answer[1], created_at=now()
                )
            except ReviewerError as exc:
                self.dialogs.error("Identity not saved", str(exc))
                answer = self.dialogs.identity(*answer)
                continue
            except OSError as exc:
                self.dialogs.error("Identity not saved", f"cannot write the key: {exc}")
                return None
            # Judgements made before the identity existed are the annotator's own:
            # typing not yet stored is stored first, then they change hands.
            self.identityChanging.emit()
            before, self.workspace.actor = self.workspace.actor, made.id
            try:
                judgements.adopt(self.workspace, before, made.id)
            except (ReviewerError, sqlite3.Error) as exc:
                self.dialogs.error("Not saved", _message(exc))
            self.identityChanged.emit(made.id)
            self.dialogs.info(
                "Identity saved",
                f"{made.name} ({made.id}). Your submissions are signed with the key "
                f"{made.fingerprint}. Send the team lead your public key "
                "(Work > Identity > Export public key).",
            )
            return made
        return None

    def export_submission(self) -> Path | None:
        """Ask about unfinished items and where to save; write, verify and report."""
        batch = self.batch()
        if batch is None:
            self.dialogs.error("Nothing to export", "Open a task batch first.")
            return None
        if self.identity() is None and self.ask_identity() is None:
            return None
        remaining = batches.unfinished(self.workspace, batch.id)
        if remaining and not self.dialogs.confirm_partial(remaining):
            return None
        suggested = Path.home() / f"{_safe_name(batch.name)}.rvbundle"
        target = self.dialogs.save_bundle(suggested)
        if target is None:
            return None
        planned = plan_copies(self.workspace, batch.id)
        if not planned:
            return self._write(batch.id, target, bool(remaining), [])
        # Redact items: their redacted copies are made (and verified) in worker
        # processes off the GUI thread; the bundle is written when they are done.
        scratch = scratch_folder(self.workspace.paths.cache)
        self.status.emit(f"Making {len(planned)} redacted copies for the submission…")
        future = run_in_pool(lambda: make_copies(planned, scratch))
        self._relay.when_done(
            future,
            lambda done: self._after_copies(batch.id, target, bool(remaining), scratch, done),
        )
        return None

    def _after_copies(
        self, batch_id: str, target: Path, partial: bool, scratch: Path, done: Future[Any]
    ) -> None:
        try:
            copies = done.result()
            self._write(batch_id, target, partial, copies)
        except (ReviewerError, OSError, TimeoutError) as exc:
            self.dialogs.error("Submission not exported", _message(exc, target))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
            self.status.emit("")

    def _write(
        self, batch_id: str, target: Path, partial: bool, copies: list[RedactedCopy]
    ) -> Path | None:
        try:
            manifest = export_bundle(
                self.workspace, batch_id, target, partial=partial, redacted=copies
            )
        except (ReviewerError, OSError, sqlite3.Error) as exc:
            self.dialogs.error("Submission not exported", _message(exc, target))
            return None
        report = verify_report(target)
        if not report["ok"]:
            self.dialogs.error("Submission failed its check", report["message"])
            return None
        counts = manifest["counts"]
        extra = ""
        if copies:
            extra = ", 1 redacted copy" if len(copies) == 1 else f", {len(copies)} redacted copies"
        partial_text = " (partial)" if manifest["partial"] else ""
        self.dialogs.info(
            "Submission saved",
            f"{target.name}{partial_text}: {counts['done']} of {counts['items']} items done, "
            f"{counts['skipped']} skipped, {counts['annotations']} annotations{extra}. "
            f"Signed as {manifest['annotator']['name']} and checked.",
        )
        return target


def _safe_name(name: str) -> str:
    kept = "".join(c if c.isalnum() or c in "-_ ." else "_" for c in name).strip(" .")
    return kept or "submission"


def _message(exc: BaseException, path: Path | None = None) -> str:
    if isinstance(exc, ReviewerError):
        return str(exc)
    if isinstance(exc, OSError):
        name = path.name if path is not None else "the file"
        return f"{name}: {exc.strerror or exc}"
    return f"the workspace could not be written, nothing was changed: {exc}"
