"""Importing a task batch: check the file, open every document, then store.

Split in two so the window can run the slow half off its thread:
:func:`prepare` (read and check every byte, unpack, open each document once
in a document worker: any thread) and ``batch_file.store_batch`` (one
transaction, on the thread that owns the workspace). :func:`import_batch`
runs both, for the command line.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.core.batch_file import (
    BatchContent,
    BatchError,
    ImportResult,
    OpenedInfo,
    read_batch,
    store_batch,
)
from reviewer.core.errors import PasswordRequired, ReviewerError
from reviewer.core.worker import DocumentWorker

if TYPE_CHECKING:
    from reviewer.core.store import Workspace

#: Seconds to wait for one document to open in the worker.
OPEN_TIMEOUT = 120.0


def open_documents(worker: DocumentWorker, content: BatchContent) -> dict[str, OpenedInfo]:
    """Open each unpacked document once: a batch with an unreadable one is not imported."""
    opened = {}
    for sha, file in content.documents.items():
        name = content.document_entry(sha)["name"]
        try:
            info = worker.open(file).result(OPEN_TIMEOUT)
        except PasswordRequired as exc:
            raise BatchError(
                content.path, f"{name} is encrypted; a batch must carry documents that open"
            ) from exc
        except ReviewerError as exc:
            raise BatchError(content.path, f"{name} cannot be opened: {exc}") from exc
        except TimeoutError as exc:
            raise BatchError(content.path, f"{name} did not open in time") from exc
        opened[sha] = OpenedInfo(info.page_count, info.title, info.media_type)
    return opened


def prepare(path: Path, scratch: Path) -> tuple[BatchContent, dict[str, OpenedInfo]]:
    """Everything before storing: safe on any thread (it touches no workspace)."""
    content = read_batch(path, scratch)
    worker = DocumentWorker(max_in_flight=1)
    try:
        return content, open_documents(worker, content)
    finally:
        worker.close()


def scratch_folder(cache: Path) -> Path:
    """A private folder for unpacked documents (removed after the import)."""
    cache.mkdir(parents=True, exist_ok=True, mode=0o700)
    return Path(tempfile.mkdtemp(prefix="batch-", dir=cache))


def import_batch(ws: Workspace, path: Path) -> ImportResult:
    """Read, check, open, store: the whole import in one call."""
    scratch = scratch_folder(ws.paths.cache)
    try:
        content, opened = prepare(path, scratch)
        return store_batch(ws, content, opened)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
