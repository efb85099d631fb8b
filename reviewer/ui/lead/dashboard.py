"""The lead's agreement dashboard: summary, charts, annotator table, bias and batch progress.

Every figure comes from ``core.lead.report`` and ``core.lead.dashboard``; this
module only lays them out. Switching between overlap and exact matching or
choosing a label for the heatmap redraws from the report already computed:
the span matching is the expensive part and both modes are in the report.
Only the Refresh button asks the window to compute again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.lead import report as reports
from reviewer.core.lead.agreement import ALL, PositionBias
from reviewer.core.lead.report import AgreementReport
from reviewer.core.timesheet import format_duration
from reviewer.ui.lead.charts import NO_VALUE, BarChart, Heatmap, format_figure

Index = QModelIndex | QPersistentModelIndex

#: The role the sorting proxy reads: the raw number (or None), so "10" sorts after "9".
SORT_ROLE = Qt.ItemDataRole.UserRole + 1

MODES = (("overlap", "Overlap matching"), ("exact", "Exact matching"))
ALL_LABELS = "All labels"
#: Indent of secondary lines under a heading, in pixels.
MARGIN_INDENT = 8


@dataclass(frozen=True)
class Column:
    """One column of a figures table: its header, the row key it shows, and how to write it."""

    header: str
    key: str
    kind: str  # "text", "count", "hours", "rate", "ratio" (0..1) or "share" (0..1 as %)
    tip: str = ""

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


def format_cell(value: Any, kind: str) -> str:
    """How a table shows a value of the given kind; None is the dash, never a made-up 0."""
    if value is None:
        return NO_VALUE
    if kind == "text":
        return str(value)
    if kind == "count":
        return str(int(value))
    if kind == "hours":
        return format_duration(float(value) * 3600)
    if kind == "rate":
        return f"{value:.1f}"
    if kind == "share":
        return f"{value * 100:.0f} %"
    return format_figure(float(value))


ANNOTATOR_COLUMNS = (
    Column("Annotator", "annotator", "text", "The annotator's id, as signed in their bundles"),
    Column("Name", "name", "text", "The name the annotator gave"),
    Column("Items done", "items_done", "count", "Items finished (skipped items not counted)"),
    Column("Hours", "hours", "hours", "Billed active time; idle time is never counted"),
    Column("Items/hour", "items_per_hour", "rate", "Items done per billed hour"),
    Column(
        "Span F1 (mean)",
        "mean_span_f1",
        "ratio",
        "Mean pairwise span F1 with every colleague, overlap matching, all labels",
    ),
    Column(
        "Label κ (mean)",
        "mean_label_kappa",
        "ratio",
        "Mean Cohen's kappa over item-level labels (whether the item got the label)",
    ),
    Column(
        "F1 vs gold",
        "gold_f1",
        "ratio",
        "Span F1 against the resolved spans, on documents where you decided something",
    ),
    Column("Suggestions", "suggestions", "count", "Machine suggestions the annotator was shown"),
    Column(
        "Rejected share",
        "rejected_share",
        "share",
        "Share of suggestions rejected; a very low share may mean they were accepted unread",
    ),
)

ITEM_COLUMNS = (
    Column("Question", "question", "text", "An item-level label, the verdict or the preference"),
    Column("α (alpha)", "alpha", "ratio", "Krippendorff's alpha (nominal) over all annotators"),
    Column("κ (mean)", "kappa", "ratio", "Mean of Cohen's kappa over the pairs where defined"),
    Column("Units", "units", "count", "Items rated by at least two annotators"),
)


def _column(key: str) -> int:
    return [c.key for c in ANNOTATOR_COLUMNS].index(key)


class FiguresModel(QAbstractTableModel):
    """Rows of figures (dicts) under fixed columns; numbers right-aligned, None as a dash."""

    def __init__(self, columns: Sequence[Column], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self._rows: list[Mapping[str, Any]] = []

    def set_rows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, index: int) -> Mapping[str, Any]:
        return self._rows[index]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tip or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        column = self.columns[index.column()]
        value = self._rows[index.row()].get(column.key)
        if role == Qt.ItemDataRole.DisplayRole:
            return format_cell(value, column.kind)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return "no value" if value is None else format_cell(value, column.kind)
        if role == SORT_ROLE:
            if value is None:
                return None
            return str(value).casefold() if column.kind == "text" else float(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and value is None and column.numeric:
            return f"{column.header}: no value"
        return None


class FiguresSortProxy(QSortFilterProxyModel):
    """Sorts by :data:`SORT_ROLE`; rows without a value sort before every number.

    Qt cannot order an empty QVariant against a double, so without this a
    column with gaps would sort unpredictably.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)

    def lessThan(self, left: Index, right: Index) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if a is None or b is None:
            return a is None and b is not None
        return a < b


def _table(
    name: str, accessible: str, model: FiguresModel, stretch: int, parent: QWidget
) -> QTableView:
    """A read-only, sortable table that is as tall as its rows (the page scrolls, not it).

    Column ``stretch`` (a text column) takes the spare width, so numbers stay next
    to their neighbours instead of drifting to the far right edge.
    """
    view = QTableView(parent)
    view.setObjectName(name)
    proxy = FiguresSortProxy(view)
    proxy.setSourceModel(model)
    view.setModel(proxy)
    # No sort column at first: the rows keep the order they were given in (the core's).
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSortingEnabled(True)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustIgnored)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setSortIndicatorShown(True)
    view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    _name_parts(view, accessible)
    return view


def _name_parts(view: QTableView, name: str) -> None:
    """Name the table's own parts too: a screen reader announces them by themselves."""
    view.setAccessibleName(name)
    view.horizontalHeader().setAccessibleName(f"{name}: column headers")
    view.verticalHeader().setAccessibleName(f"{name}: row headers")
    for corner in view.findChildren(QAbstractButton):  # Qt's "select all" corner button
        corner.setAccessibleName(f"{name}: select all")


def _name_combo(combo: QComboBox, name: str) -> None:
    """The combo box and its drop-down list, which assistive tools reach separately."""
    combo.setAccessibleName(name)
    combo.view().setAccessibleName(f"{name}: choices")


def _fit(view: QTableView) -> None:
    """Make the table exactly as tall as its rows and at least as wide as its columns."""
    view.resizeColumnsToContents()
    header = view.horizontalHeader()
    rows = view.model().rowCount()
    frame = 2 * view.frameWidth()
    body = view.verticalHeader().defaultSectionSize() * max(rows, 1)
    view.setFixedHeight(header.sizeHint().height() + body + frame)
    # The stretched column's width is whatever is left, so measure what every column needs.
    width = sum(
        max(header.sectionSizeHint(i), view.sizeHintForColumn(i)) for i in range(header.count())
    )
    view.setMinimumWidth(width + frame)


def bias_text(bias: PositionBias) -> str:
    """One sentence on a position-bias figure, e.g. "first-shown draft won 62 % of 21 choices…"."""
    if not bias.choices or bias.first_share is None:
        return "no compare items judged yet"
    noun = "choice" if bias.choices == 1 else "choices"
    return (
        f"first-shown draft won {bias.first_share * 100:.0f} % of {bias.choices} {noun} "
        f"(chance {bias.expected_first * 100:.0f} %, p = {format_p(bias.p_value)})"
    )


def format_p(p: float | None) -> str:
    """A p-value to two decimals, with more only when two would read as 0."""
    if p is None:
        return NO_VALUE
    if p >= 0.01:
        return f"{p:.2f}"
    if p >= 0.001:
        return f"{p:.3f}"
    return "< 0.001"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class AgreementDashboard(QWidget):
    """The agreement figures of one report, laid out to be read top to bottom.

    The window computes the report and the rows (``core.lead.report.compute``,
    ``core.lead.dashboard.annotator_rows`` and ``batch_progress``) and hands
    them to :meth:`show_report`; Refresh only asks it to do so again.
    """

    #: The lead asked for the figures to be computed again.
    refreshRequested = Signal()
    #: A heatmap cell was clicked: the two annotators of the pair.
    pairClicked = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: AgreementReport | None = None

        page = QWidget()
        page.setObjectName("dashboardPage")
        self.summary = QLabel("No agreement figures yet: import submissions first.", self)
        self.summary.setObjectName("dashboardSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.matching = QComboBox(self)
        self.matching.setObjectName("matchingMode")
        _name_combo(self.matching, "Span matching")
        self.matching.setToolTip(
            "Overlap: spans that share any text count as agreeing. "
            "Exact: only spans with the same start and end."
        )
        for mode, text in MODES:
            self.matching.addItem(text, mode)
        self.refresh = QPushButton("Refresh", self)
        self.refresh.setObjectName("refreshDashboard")
        self.refresh.setAccessibleName("Refresh agreement figures")
        self.refresh.setToolTip("Compute the figures again from the imported submissions")
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.matching)
        top.addWidget(self.refresh)

        # -- charts ----------------------------------------------------------------------
        self.bars = BarChart(page)
        self.bars.setObjectName("f1ByLabel")
        self.heatmap = Heatmap(page)
        self.heatmap.setObjectName("f1Heatmap")
        self.heatmap_label = QComboBox(page)
        self.heatmap_label.setObjectName("heatmapLabel")
        _name_combo(self.heatmap_label, "Label shown in the heatmap")
        self.heatmap_label.addItem(ALL_LABELS, ALL)
        chooser = QLabel("&Label:", page)
        chooser.setBuddy(self.heatmap_label)
        heat_box = QWidget(page)
        heat_layout = QVBoxLayout(heat_box)
        heat_layout.setContentsMargins(0, 0, 0, 0)
        choose_row = QHBoxLayout()
        choose_row.setContentsMargins(MARGIN_INDENT, 0, 0, 0)
        choose_row.addWidget(chooser)
        choose_row.addWidget(self.heatmap_label)
        choose_row.addStretch(1)
        heat_layout.addLayout(choose_row)
        heat_layout.addWidget(self.heatmap)
        heat_layout.addStretch(1)
        bar_box = QWidget(page)
        bar_layout = QVBoxLayout(bar_box)
        bar_layout.setContentsMargins(0, 0, 0, 0)
        bar_layout.addWidget(self.bars)
        bar_layout.addStretch(1)
        self.charts = QSplitter(Qt.Orientation.Horizontal, page)
        self.charts.setObjectName("dashboardCharts")
        self.charts.setChildrenCollapsible(False)
        self.charts.addWidget(bar_box)
        self.charts.addWidget(heat_box)
        self.charts.setStretchFactor(0, 1)
        self.charts.setStretchFactor(1, 1)

        # -- tables ----------------------------------------------------------------------
        self.annotator_model = FiguresModel(ANNOTATOR_COLUMNS, self)
        self.annotator_table = _table(
            "annotatorTable", "Figures per annotator", self.annotator_model, _column("name"), page
        )
        self.item_model = FiguresModel(ITEM_COLUMNS, self)
        self.item_table = _table(
            "itemAgreementTable", "Item-level agreement per question", self.item_model, 0, page
        )
        annotators_box = QGroupBox("Annotators", page)
        QVBoxLayout(annotators_box).addWidget(self.annotator_table)
        items_box = QGroupBox("Item-level agreement", page)
        items_layout = QVBoxLayout(items_box)
        items_layout.addWidget(self.item_table)

        # -- position bias and batch progress --------------------------------------------
        self.bias = QLabel("No compare items judged yet.", page)
        self.bias.setObjectName("positionBias")
        self.bias.setAccessibleName("Position bias")
        self.bias.setWordWrap(True)
        self.bias.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.bias.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bias.setToolTip(
            "How often the draft shown first was chosen, against the share a reviewer "
            "who ignores position would give it. A small p means the gap is unlikely by chance."
        )
        bias_box = QGroupBox("Position bias (compare items)", page)
        bias_layout = QVBoxLayout(bias_box)
        bias_layout.addWidget(self.bias)
        bias_layout.addStretch(1)
        self.progress_box = QGroupBox("Batch progress", page)
        self.progress_layout = QVBoxLayout(self.progress_box)
        self.progress_body: QWidget | None = None
        self.progress_bars: dict[tuple[str, str], QProgressBar] = {}

        lower = QHBoxLayout()
        lower.addWidget(items_box, 1)
        lower.addWidget(bias_box, 1)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(10)
        layout.addWidget(self.charts)
        layout.addWidget(annotators_box)
        layout.addLayout(lower)
        layout.addWidget(self.progress_box)
        layout.addStretch(1)

        self.scroll = QScrollArea(self)
        self.scroll.setObjectName("dashboardScroll")
        self.scroll.setAccessibleName("Agreement dashboard")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(page)
        # The summary and the controls stay above the scrolling page: always in reach.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        top.setContentsMargins(8, 8, 8, 0)
        outer.addLayout(top)
        outer.addWidget(self.scroll, 1)

        self.matching.currentIndexChanged.connect(self._redraw_charts)
        self.heatmap_label.currentIndexChanged.connect(self._redraw_heatmap)
        self.refresh.clicked.connect(lambda: self.refreshRequested.emit())
        self.heatmap.pairClicked.connect(self.pairClicked)
        self._show_progress([])
        self._redraw_charts()

    # -- showing ---------------------------------------------------------------------

    def show_report(
        self,
        report: AgreementReport,
        rows: list[dict[str, Any]],
        progress: list[dict[str, Any]],
    ) -> None:
        """Show a freshly computed report, the per-annotator rows and the batches' progress."""
        self.report = report
        self.summary.setText(
            " · ".join(
                (
                    _plural(len(report.annotators), "annotator"),
                    _plural(report.documents, "document"),
                    _plural(report.spans, "span"),
                    f"computed in {report.seconds:.2f} s",
                )
            )
        )
        self._fill_label_chooser(report)
        self._redraw_charts()
        self.annotator_model.set_rows(rows)
        _fit(self.annotator_table)
        self.item_model.set_rows(self._item_rows(report))
        _fit(self.item_table)
        self._show_bias(report.bias)
        self._show_progress(progress)

    def mode(self) -> str:
        """The matching the charts show: "overlap" or "exact"."""
        return str(self.matching.currentData())

    def _fill_label_chooser(self, report: AgreementReport) -> None:
        """ "All labels" and each label a pair compared; keeps the choice if it still exists."""
        chosen = self.heatmap_label.currentData()
        labels = sorted(
            {label for p in report.pairs for label in (*p.overlap, *p.exact) if label != ALL}
        )
        self.heatmap_label.blockSignals(True)
        self.heatmap_label.clear()
        self.heatmap_label.addItem(ALL_LABELS, ALL)
        for label in labels:
            self.heatmap_label.addItem(label, label)
        self.heatmap_label.setCurrentIndex(max(self.heatmap_label.findData(chosen), 0))
        self.heatmap_label.blockSignals(False)

    def _redraw_charts(self) -> None:
        mode = self.mode()
        caption = dict(MODES)[mode].lower()
        values = {} if self.report is None else reports.f1_by_label(self.report, mode=mode)
        self.bars.set_data(f"Span F1 by label — {caption}", values)
        self._redraw_heatmap()

    def _redraw_heatmap(self) -> None:
        mode = self.mode()
        label = self.heatmap_label.currentData() or ALL
        shown = ALL_LABELS.lower() if label == ALL else label
        title = f"Span F1 between annotators — {shown}, {dict(MODES)[mode].lower()}"
        if self.report is None:
            self.heatmap.set_data(title, [], {})
            return
        matrix = reports.f1_matrix(self.report, label=label, mode=mode)
        self.heatmap.set_data(title, self.report.annotators, matrix)

    @staticmethod
    def _item_rows(report: AgreementReport) -> list[dict[str, Any]]:
        questions = [*sorted(report.labels.items()), ("Verdicts", report.verdicts)]
        questions.append(("Preferences", report.preferences))
        return [
            {"question": name, "alpha": c.alpha, "kappa": c.mean_kappa, "units": c.units}
            for name, c in questions
        ]

    def _show_bias(self, bias: Mapping[str, PositionBias]) -> None:
        overall = bias.get(ALL)
        if overall is None or not overall.choices:
            self.bias.setText("No compare items judged yet.")
            return
        lines = [f"All annotators: {bias_text(overall)}"]
        lines += [f"{who}: {bias_text(b)}" for who, b in sorted(bias.items()) if who != ALL]
        self.bias.setText("\n".join(lines))

    def _show_progress(self, progress: Sequence[Mapping[str, Any]]) -> None:
        """Rebuild the progress section: a heading per batch, a bar per annotator."""
        if self.progress_body is not None:
            self.progress_layout.removeWidget(self.progress_body)
            self.progress_body.hide()  # deleteLater waits for the event loop; a grab would not
            self.progress_body.deleteLater()
        self.progress_bars = {}
        body = QWidget(self.progress_box)
        grid = QGridLayout(body)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setColumnStretch(1, 1)
        row = 0
        if not progress:
            grid.addWidget(QLabel("No task batches yet.", body), row, 0, 1, 2)
        for batch in progress:
            items = int(batch["items"])
            details = [_plural(items, "item"), _plural(int(batch["submissions"]), "submission")]
            if batch.get("partial"):
                details.append(f"{batch['partial']} partial")
            # Batch names are typed by people: escaped so they are never read as markup.
            title = f"<b>{escape(str(batch['name']))}</b> ({escape(str(batch['task']))})"
            heading = QLabel(f"{title} — " + ", ".join(details), body)
            heading.setTextFormat(Qt.TextFormat.RichText)
            grid.addWidget(heading, row, 0, 1, 2)
            row += 1
            finished: Mapping[str, int] = batch.get("annotators") or {}
            if not finished:
                grid.addWidget(QLabel("No submissions yet.", body), row, 0, 1, 2)
                row += 1
            for annotator, done in finished.items():
                name = QLabel(annotator, body)
                name.setIndent(MARGIN_INDENT)
                bar = QProgressBar(body)
                bar.setRange(0, max(items, done, 1))
                bar.setValue(done)
                bar.setFormat(f"{done} of {items} items finished")
                bar.setAccessibleName(f"{batch['name']}: {annotator}")
                bar.setAccessibleDescription(f"{annotator} finished {done} of {items} items")
                name.setBuddy(bar)
                grid.addWidget(name, row, 0)
                grid.addWidget(bar, row, 1)
                self.progress_bars[(str(batch["batch"]), annotator)] = bar
                row += 1
        self.progress_layout.addWidget(body)
        self.progress_body = body
