"""One item's judgement while the reviewer works on it: change, save, report problems.

Every change goes through a pure function of ``core.judgements`` and is
stored at once, except typing in the rationale or summary, which is stored
after a short pause (and always before the item is marked done, another
item is opened or the window closes), so the event log gets one entry per
burst of typing rather than one per key.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from reviewer.core import judgements
from reviewer.core.errors import ReviewerError
from reviewer.core.judgements import Judgement
from reviewer.core.model import Annotation, Item
from reviewer.core.store import Workspace

#: How long typing may pause before the text is stored.
TYPING_PAUSE_MS = 600


class JudgementController(QObject):
    """The current judgement of one item by the workspace's annotator."""

    #: The judgement changed (Judgement); the views redraw from it.
    changed = Signal(object)
    #: Storing failed: a message to show ("Not saved: …").
    failed = Signal(str)

    def __init__(self, workspace: Workspace, item: Item, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.item = item
        self.criteria = judgements.criteria_for(item)
        self.judgement: Judgement = judgements.start(workspace, item, workspace.actor)
        self._saved = self.judgement
        self._timer = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)
        self._timer.timeout.connect(self.flush)
        self.live: Callable[[], list[str]] | None = None  # ids of the item's live annotations

    # -- reading ---------------------------------------------------------------------

    def problems(self) -> list[str]:
        live = None if self.live is None else self.live()
        return judgements.problems(self.judgement, self.item, live_annotations=live)

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    # -- changes ---------------------------------------------------------------------

    def choose(self, document: str | None) -> None:
        self._change(lambda j: judgements.choose(j, document))

    def rank(self, ranking: list[str]) -> None:
        self._change(lambda j: judgements.rank(j, ranking))

    def rate(self, document: str, criterion: str, value: int | None) -> None:
        self._change(lambda j: judgements.rate(j, document, criterion, value))

    def cite(self, annotation: Annotation) -> str | None:
        """Link a passage; returns the reference to put in the rationale (None on failure)."""
        try:
            updated, ref = judgements.cite(self.judgement, annotation)
        except ReviewerError as exc:
            self.failed.emit(str(exc))
            return None
        self.judgement = updated  # stored with the text that carries the reference
        self._timer.start()
        self.changed.emit(self.judgement)
        return ref

    def write_rationale(self, text: str) -> None:
        self._change(lambda j: judgements.write_rationale(j, text), later=True)

    def give_verdict(self, verdict: str | None) -> None:
        self._change(lambda j: judgements.give_verdict(j, verdict))

    def write_summary(self, text: str) -> None:
        self._change(lambda j: judgements.give_verdict(j, j.verdict, text), later=True)

    def _change(self, change: Callable[[Judgement], Judgement], *, later: bool = False) -> None:
        try:
            updated = change(self.judgement)
        except ReviewerError as exc:
            self.failed.emit(str(exc))
            return
        if updated == self.judgement:
            return
        self.judgement = updated
        if later:
            self._timer.start()
        else:
            self.flush()
        self.changed.emit(self.judgement)

    def reload(self) -> None:
        """Read the judgement again (its author changed when the identity was set up)."""
        self.flush()
        found = judgements.get(self.workspace, self.item.id, self.workspace.actor)
        if found is None:
            found = judgements.start(self.workspace, self.item, self.workspace.actor)
        self.judgement = self._saved = found
        self.changed.emit(found)

    def flush(self) -> bool:
        """Store what changed since the last save; False (and ``failed``) if the store refused."""
        self._timer.stop()
        if self.judgement == self._saved:
            return True
        try:
            self._saved = judgements.save(self.workspace, self.judgement)
        except (ReviewerError, sqlite3.Error) as exc:
            # The change stays in memory and is tried again with the next one.
            self.failed.emit(f"the judgement was not saved: {exc}")
            return False
        self.judgement = self._saved
        return True
