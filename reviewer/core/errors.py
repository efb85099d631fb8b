"""Errors the user can act on.

Each carries the file it concerns and a sentence a person can read; the UI
shows ``str(error)`` as is and the CLI prints it to stderr.
"""

from __future__ import annotations

from pathlib import Path


class ReviewerError(Exception):
    """Base class: a problem we expected and can explain."""


class DocumentError(ReviewerError):
    """A document could not be opened or read."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        # "." and ".." have no name of their own: use the folder they stand for.
        name = self.path.name or self.path.resolve().name or str(self.path)
        super().__init__(f"{name}: {problem}")


class PasswordRequired(DocumentError):
    """The document is encrypted and needs a password (or the one given was wrong)."""

    def __init__(self, path: str | Path, *, wrong_password: bool) -> None:
        self.wrong_password = wrong_password
        problem = (
            "the password is wrong"
            if wrong_password
            else "the document is encrypted and needs a password"
        )
        super().__init__(path, problem)


class WorkerCrashed(DocumentError):
    """The document worker process died (MuPDF can crash on hostile files)."""


class StoreError(ReviewerError):
    """The workspace database could not be opened or written."""


class WorkspaceLocked(StoreError):
    """Another running reviewer already owns this workspace."""
