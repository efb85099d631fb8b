"""The merged view of one document: every annotator in a colour, disagreements, decisions.

Sits in the document tab's side column (as the OCR review does). Each
annotator's spans are a named mark layer on the page view (toggle each with
its check box); the disagreement being decided is a layer of its own. The
list steps through disagreements; the versions list below it shows what
each annotator marked there, and the buttons decide: accept one version,
merge several, give a version another label (edit), or reject. Decisions go
on the tab's undo stack, so Ctrl+Z in the window undoes them.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QUndoCommand
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.anchors import quad_to_box, to_display_space
from reviewer.core.errors import ReviewerError
from reviewer.core.lead import gold, merged
from reviewer.core.lead.disagreements import Disagreement
from reviewer.core.model import Box
from reviewer.ui.viewer.page_view import Hit

if TYPE_CHECKING:
    from reviewer.core.store import Workspace
    from reviewer.core.taxonomy import Taxonomy
    from reviewer.ui.document_pane import DocumentPane

#: Okabe-Ito: told apart by people with colour-blindness; names are always shown too.
ANNOTATOR_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#F0E442")
CURRENT_LAYER = "lead:current"
GOLD_LAYER = "lead:gold"
Index = QModelIndex | QPersistentModelIndex


def colour_of(position: int) -> QColor:
    return QColor(ANNOTATOR_COLOURS[position % len(ANNOTATOR_COLOURS)])


class DisagreementModel(QAbstractListModel):
    """The document's disagreements in reading order, each with its decision if made."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc: merged.MergedDocument | None = None

    def set_document(self, doc: merged.MergedDocument) -> None:
        self.beginResetModel()
        self.doc = doc
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.doc is None else len(self.doc.disagreements)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.doc is None or not index.isValid():
            return None
        d = self.doc.disagreements[index.row()]
        decision = self.doc.decided.get(d.id)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            done = "open" if decision is None else f"decided: {decision.decision}"
            label = f" {decision.label}" if decision is not None and decision.label else ""
            return f"{merged.describe(d)}  —  {done}{label}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(
                f"{s.annotator}: {s.label} “{self.doc.details[s.key].exact}”"
                for s in d.spans
                if s.key in self.doc.details
            )
        if role == Qt.ItemDataRole.ForegroundRole and decision is not None:
            return QColor("#5b6068")
        return None


class _DecideUndo(QUndoCommand):
    """A gold decision on the tab's undo stack; the first redo() is the apply already done."""

    def __init__(self, command: gold.Decide, panel: MergedPanel) -> None:
        super().__init__(f"Adjudicate ({command.gold.decision})")
        self.command = command
        self.panel = panel
        self._done = True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self.panel._run(self.command.apply)

    def undo(self) -> None:
        self.panel._run(self.command.revert)


class MergedPanel(QWidget):
    """Annotator toggles, the disagreement list, the versions and the decision buttons."""

    decided = Signal(object)  # the Gold stored (or None after undo/redo)
    failed = Signal(str)

    def __init__(
        self,
        workspace: Workspace,
        pane: DocumentPane,
        taxonomies: dict[str, Taxonomy],
        decided_by: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent or pane)
        self.setObjectName("mergedPanel")
        self.workspace = workspace
        self.pane = pane
        self.taxonomies = taxonomies
        self.decided_by = decided_by
        self.doc: merged.MergedDocument | None = None
        self.hidden: set[str] = set()

        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.toggles = QWidget(self)
        self.toggle_box = QVBoxLayout(self.toggles)
        self.toggle_box.setContentsMargins(0, 0, 0, 0)
        self.toggle_box.setSpacing(2)
        self.model = DisagreementModel(self)
        self.list = QListView(self)
        self.list.setObjectName("disagreementList")
        self.list.setAccessibleName("Disagreements")
        self.list.setModel(self.model)
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setMinimumHeight(180)
        self.list.selectionModel().currentChanged.connect(lambda current, _: self._show(current))
        self.versions = QListWidget(self)
        self.versions.setObjectName("versionList")
        self.versions.setAccessibleName("Versions of the selected disagreement")
        self.versions.setWordWrap(True)
        self.label_box = QComboBox(self)
        self.label_box.setObjectName("goldLabel")
        self.label_box.setAccessibleName("Label to give (edit and merge)")
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for decision, text, tip in (
            ("accept", "&Accept", "Keep the checked version as gold"),
            ("merge", "&Merge", "Keep the union of the checked versions under the label"),
            ("edit", "&Edit label", "Keep the checked version's extent under the label chosen"),
            ("reject", "Re&ject", "Nothing here is to be marked"),
        ):
            button = QPushButton(text, self)
            button.setObjectName(f"decide_{decision}")
            button.setAccessibleName(text.replace("&", ""))
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, d=decision: self.decide_checked(d))
            self.buttons[decision] = button
            row.addWidget(button)
        self.status = QLabel(self)
        self.status.setWordWrap(True)

        box = QVBoxLayout(self)
        box.setContentsMargins(6, 6, 6, 6)
        box.addWidget(self.title)
        box.addWidget(self.toggles)
        box.addWidget(QLabel("<b>Disagreements</b>", self))
        box.addWidget(self.list, 2)
        box.addWidget(QLabel("<b>Versions</b> (check the ones to keep)", self))
        box.addWidget(self.versions, 1)
        label_row = QHBoxLayout()
        label_row.addWidget(QLabel("Label:", self))
        label_row.addWidget(self.label_box, 1)
        box.addLayout(label_row)
        box.addLayout(row)
        box.addWidget(self.status)

    # -- loading and drawing ----------------------------------------------------------

    def reload(self) -> None:
        """Read the document's merged state again (after an import or a decision)."""
        current = self.current()
        self.doc = merged.load(self.workspace, self.pane.session.sha256)
        self.model.set_document(self.doc)
        self._build_toggles()
        self._fill_labels()
        doc = self.doc
        self.title.setText(
            f"<b>{len(doc.annotators)} annotators</b> · {len(doc.disagreements)} "
            f"disagreements, {doc.open_count()} open"
            if doc.annotators
            else "No submission covers this document yet: import bundles (Lead menu)."
        )
        self._paint_annotators()
        self._paint_gold()
        ids = [d.id for d in doc.disagreements]
        row = ids.index(current.id) if current is not None and current.id in ids else 0
        if ids:
            self.list.setCurrentIndex(self.model.index(row))
        else:
            self._show(QModelIndex())

    def _build_toggles(self) -> None:
        while self.toggle_box.count():
            widget = self.toggle_box.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        assert self.doc is not None
        counts = {a: len(s) for a, s in self.doc.by_annotator().items()}
        for n, who in enumerate(self.doc.annotators):
            check = QCheckBox(f"{who} ({counts.get(who, 0)} spans)", self.toggles)
            check.setObjectName(f"show_{who}")
            check.setAccessibleName(f"Show {who}'s annotations")
            colour = colour_of(n).name()
            check.setStyleSheet(
                f"QCheckBox::indicator:checked {{ background: {colour}; border: 1px solid #333; }}"
                f"QCheckBox {{ border-left: 6px solid {colour}; padding-left: 4px; }}"
            )
            check.setChecked(who not in self.hidden)
            check.toggled.connect(lambda on, w=who: self.set_visible(w, on))
            self.toggle_box.addWidget(check)

    def _fill_labels(self) -> None:
        assert self.doc is not None
        used = {s.label for s in self.doc.spans}
        taxonomies = {d.taxonomy for d in self.doc.details.values()}
        labels: list[tuple[str, str]] = []
        for taxonomy_id in sorted(taxonomies):
            taxonomy = self.taxonomies.get(taxonomy_id)
            if taxonomy is not None:
                labels += [(label.id, label.name) for label in taxonomy.labels]
        known = {lid for lid, _ in labels}
        labels += [(lid, lid) for lid in sorted(used - known)]
        self.label_box.clear()
        for lid, name in labels:
            self.label_box.addItem(f"{name} ({lid})" if name != lid else lid, lid)

    def set_visible(self, annotator: str, visible: bool) -> None:
        if visible:
            self.hidden.discard(annotator)
        else:
            self.hidden.add(annotator)
        self._paint_annotators()

    def _boxes(self, keys: list[str]) -> dict[int, list[Box]]:
        assert self.doc is not None
        found: dict[int, list[Box]] = {}
        for key in keys:
            detail = self.doc.details.get(key)
            if detail is None:
                continue
            span = detail.span
            if span.box is not None:
                found.setdefault(span.start[0], []).append(self._display(span.start[0], span.box))
                continue
            for page, quads in detail.quads.items():
                for quad in quads:
                    box = quad_to_box(tuple(quad))  # type: ignore[arg-type]
                    found.setdefault(int(page), []).append(self._display(int(page), box))
        return found

    def _display(self, page: int, box: Box) -> Box:
        session = self.pane.session
        if page >= len(session.page_sizes):
            return box
        w, h = session.page_sizes[page]
        rotations = session.opened.rotations
        return to_display_space(box, rotations[page] if page < len(rotations) else 0, w, h)

    def _paint_annotators(self) -> None:
        assert self.doc is not None
        view = self.pane.view
        for n, who in enumerate(self.doc.annotators):
            keys = [s.key for s in self.doc.spans if s.annotator == who]
            colour = colour_of(n)
            colour.setAlpha(70)
            view.set_marks(f"lead:{who}", {} if who in self.hidden else self._boxes(keys), colour)

    def _paint_gold(self) -> None:
        assert self.doc is not None
        boxes: dict[int, list[Box]] = {}
        for g in self.doc.decided.values():
            for page, quads in g.quads.items():
                for quad in quads:
                    box = self._display(int(page), quad_to_box(tuple(quad)))  # type: ignore[arg-type]
                    boxes.setdefault(int(page), []).append(box)
            if g.box is not None:
                boxes.setdefault(g.start[0], []).append(self._display(g.start[0], g.box))  # type: ignore[arg-type]
        self.pane.view.set_marks(GOLD_LAYER, boxes, QColor(30, 30, 30, 45))

    # -- stepping ---------------------------------------------------------------------------

    def current(self) -> Disagreement | None:
        index = self.list.currentIndex()
        if self.doc is None or not index.isValid():
            return None
        return self.doc.disagreements[index.row()]

    def step(self, forward: bool) -> Disagreement | None:
        """The next (or previous) open disagreement, wrapping; decided ones are passed over."""
        if self.doc is None or not self.doc.disagreements:
            return None
        count = len(self.doc.disagreements)
        row = self.list.currentIndex().row()
        for n in range(1, count + 1):
            candidate = (row + (n if forward else -n)) % count
            if self.doc.disagreements[candidate].id not in self.doc.decided:
                self.list.setCurrentIndex(self.model.index(candidate))
                return self.doc.disagreements[candidate]
        return None

    def _show(self, index: Index) -> None:
        self.versions.clear()
        d = None if self.doc is None or not index.isValid() else self.doc.disagreements[index.row()]
        for button in self.buttons.values():
            button.setEnabled(d is not None)
        if d is None or self.doc is None:
            self.pane.view.set_marks(CURRENT_LAYER, {}, QColor())
            self.status.setText("No disagreement selected." if self.doc else "")
            return
        positions = {who: n for n, who in enumerate(self.doc.annotators)}
        for s in d.spans:
            detail = self.doc.details.get(s.key)
            text = f"{s.annotator}: {s.label} “{detail.exact if detail else ''}”"
            if detail is not None and detail.comment:
                text += f" — {detail.comment}"
            item = QListWidgetItem(text, self.versions)
            item.setData(Qt.ItemDataRole.UserRole, s.key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            colour = colour_of(positions.get(s.annotator, 0))
            colour.setAlpha(60)
            item.setBackground(colour)
        for who in d.missing:
            item = QListWidgetItem(f"{who}: (no mark here)", self.versions)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        if self.versions.count():
            first = self.versions.item(0)
            first.setCheckState(Qt.CheckState.Checked)
            index_of = self.label_box.findData(d.spans[0].label)
            if index_of >= 0:
                self.label_box.setCurrentIndex(index_of)
        boxes = self._boxes([s.key for s in d.spans])
        self.pane.view.set_marks(CURRENT_LAYER, boxes, QColor(220, 30, 30, 40))
        decision = self.doc.decided.get(d.id)
        self.status.setText(
            "Open: decide with Accept, Merge, Edit label or Reject."
            if decision is None
            else f"Decided: {decision.decision}"
            + (f" as {decision.label}" if decision.label else "")
            + f" by {decision.decided_by} at {decision.decided_at[:16].replace('T', ' ')}."
        )
        page = d.page
        if boxes.get(page):
            x0, y0, x1, y1 = boxes[page][0]
            self.pane.view.show_hit(Hit(page, ((x0, y0, x1, y0, x0, y1, x1, y1),)))
            self.pane.view._current_hit = None
        else:
            self.pane.view.go_to_page(page)

    # -- deciding ---------------------------------------------------------------------------

    def checked_keys(self) -> list[str]:
        keys = []
        for row in range(self.versions.count()):
            item = self.versions.item(row)
            key = item.data(Qt.ItemDataRole.UserRole)
            if key and item.checkState() == Qt.CheckState.Checked:
                keys.append(key)
        return keys

    def set_checked(self, keys: list[str]) -> None:
        for row in range(self.versions.count()):
            item = self.versions.item(row)
            key = item.data(Qt.ItemDataRole.UserRole)
            if key:
                on = key in keys
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def decide_checked(self, decision: str) -> gold.Gold | None:
        """Decide the selected disagreement from the checked versions and the label box."""
        d = self.current()
        if d is None or self.doc is None:
            return None
        chosen = [] if decision == "reject" else self.checked_keys()
        label = self.label_box.currentData() if decision in ("edit", "merge") else None
        try:
            made = gold.make(
                d,
                decision,
                self.doc.details,
                chosen=chosen,
                label=label,
                decided_by=self.decided_by,
                batch=self.doc.batch,
            )
        except gold.GoldError as exc:
            self.status.setText(f"Not decided: {exc}.")
            return None
        command = gold.Decide(made)
        if not self._run(command.apply):
            return None
        self.pane.annotations.undo_stack.push(_DecideUndo(command, self))
        self.decided.emit(made)
        self.step(True)
        return made

    def _run(self, step: Any) -> bool:
        try:
            step(self.workspace)
        except (ReviewerError, sqlite3.Error, OSError) as exc:
            self.failed.emit(f"Not saved: {exc}")
            self.status.setText(f"Not saved: {exc}")
            return False
        self.reload()
        return True

    def close_view(self) -> None:
        """Take the lead's layers off the page view."""
        if self.doc is not None:
            for who in self.doc.annotators:
                self.pane.view.set_marks(f"lead:{who}", {}, QColor())
        self.pane.view.set_marks(CURRENT_LAYER, {}, QColor())
        self.pane.view.set_marks(GOLD_LAYER, {}, QColor())
