"""The lead's agreement dashboard, fed a real report built with the real agreement code.

No workspace is needed: the spans, ratings and choices are written out here
and go through ``span_agreement``, ``categorical_agreement`` and
``position_bias`` as they would from imported submissions, so the figures the
dashboard shows are the ones the core computes.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QComboBox, QProgressBar

from reviewer.core.lead import agreement
from reviewer.core.lead.agreement import Choice, Span
from reviewer.core.lead.report import AgreementReport, f1_matrix
from reviewer.ui.lead.charts import BarChart, Heatmap
from reviewer.ui.lead.dashboard import ANNOTATOR_COLUMNS, AgreementDashboard


def _span(key: str, who: str, label: str, start: int, end: int, item: str = "i1") -> Span:
    return Span(key, who, "doc1", label, (0, start), (0, end), item=item)


def _report(choices: list[Choice] | None = None) -> AgreementReport:
    """Three annotators on one document; a and b agree exactly on PARTY, c only overlaps.

    Overlap matching: PARTY 3 matches in 3 pairs (F1 1.0); DATE only a-b (F1 2·1/4 = 0.5).
    Exact matching: PARTY only a-b (F1 2·1/6); DATE never (a starts at 20, b at 21).
    """
    spans = [
        _span("a1", "a", "PARTY", 0, 10),
        _span("b1", "b", "PARTY", 0, 10),
        _span("c1", "c", "PARTY", 2, 10),
        _span("a2", "a", "DATE", 20, 30),
        _span("b2", "b", "DATE", 21, 30),
    ]
    coverage = {who: frozenset({"doc1"}) for who in "abc"}
    pairs = agreement.span_agreement(spans, coverage)
    items = {who: {"i1": frozenset({"doc1"}), "i2": frozenset({"doc2"})} for who in "abc"}
    labels = {
        label: agreement.categorical_agreement(units)
        for label, units in agreement.label_presence(spans, items, ["DATE", "PARTY"]).items()
    }
    verdicts = agreement.categorical_agreement(
        {
            "i1": {"a": "accept", "b": "accept", "c": "reject"},
            "i2": {"a": "reject", "b": "reject", "c": "reject"},
        }
    )
    return AgreementReport(
        batch=None,
        annotators=("a", "b", "c"),
        documents=1,
        spans=len(spans),
        pairs=pairs,
        labels=labels,
        verdicts=verdicts,
        preferences=agreement.categorical_agreement({}),
        bias=agreement.position_bias(choices or []),
        seconds=0.25,
    )


def _rows(report: AgreementReport) -> list[dict[str, Any]]:
    """Rows shaped like ``core.lead.dashboard.annotator_rows``, with the report's mean F1."""
    rows = []
    for n, who in enumerate(report.annotators):
        hours = 1.5 * (n + 1)
        rows.append(
            {
                "annotator": who,
                "name": f"Annotator {who.upper()}",
                "submissions": 1,
                "items_done": 4 + n,
                "items_skipped": 0,
                "hours": hours,
                "items_per_hour": round((4 + n) / hours, 2),
                "mean_span_f1": round(report.mean_f1(who), 4),
                "mean_label_kappa": None,
                "gold_f1": None if who == "c" else 0.9,
                "suggestions": 10,
                "rejected_share": 0.2,
            }
        )
    return rows


PROGRESS = [
    {
        "batch": "b1",
        "name": "Loan memos",
        "task": "annotate",
        "items": 2,
        "submissions": 3,
        "annotators": {"a": 2, "b": 2, "c": 1},
        "partial": 1,
    }
]


@pytest.fixture
def dashboard(qtbot) -> AgreementDashboard:
    widget = AgreementDashboard()
    qtbot.addWidget(widget)
    choices = [Choice("a", f"q{i}", ("x", "y"), "x" if i < 3 else "y") for i in range(4)]
    report = _report(choices)
    widget.show_report(report, _rows(report), PROGRESS)
    widget.resize(1400, 1000)
    with qtbot.waitExposed(widget):
        widget.show()
    return widget


def _table_text(view: QAbstractItemView) -> list[list[str]]:
    model = view.model()
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_summary_and_annotator_table_show_the_figures(dashboard: AgreementDashboard) -> None:
    assert dashboard.summary.text() == ("3 annotators · 1 document · 5 spans · computed in 0.25 s")
    table = dashboard.findChild(QAbstractItemView, "annotatorTable")
    headers = [
        table.model().headerData(c, Qt.Orientation.Horizontal)
        for c in range(table.model().columnCount())
    ]
    assert headers == [c.header for c in ANNOTATOR_COLUMNS]
    rows = {row[0]: dict(zip(headers, row, strict=True)) for row in _table_text(table)}
    assert set(rows) == {"a", "b", "c"}
    # a: overlap F1 1.0 with b, 2·1/3 with c -> mean 0.8333; c: 2/3 with both.
    assert rows["a"] == {
        "Annotator": "a",
        "Name": "Annotator A",
        "Items done": "4",
        "Hours": "1 h 30 min",
        "Items/hour": "2.7",
        "Span F1 (mean)": "0.83",
        "Label κ (mean)": "–",
        "F1 vs gold": "0.90",
        "Suggestions": "10",
        "Rejected share": "20 %",
    }
    assert rows["c"]["Span F1 (mean)"] == "0.67"
    assert rows["c"]["F1 vs gold"] == "–"
    assert rows["b"]["Hours"] == "3 h 00 min"
    right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    assert table.model().index(0, 2).data(Qt.ItemDataRole.TextAlignmentRole) == right


def test_annotator_table_sorts_by_number_not_text(dashboard: AgreementDashboard) -> None:
    table = dashboard.annotator_table
    gold = [c.key for c in ANNOTATOR_COLUMNS].index("gold_f1")
    table.sortByColumn(gold, Qt.SortOrder.AscendingOrder)
    assert _table_text(table)[0][0] == "c"  # no value sorts first
    done = [c.key for c in ANNOTATOR_COLUMNS].index("items_done")
    table.sortByColumn(done, Qt.SortOrder.DescendingOrder)
    assert [row[2] for row in _table_text(table)] == ["6", "5", "4"]


def test_exact_matching_redraws_the_charts_from_the_same_report(
    qtbot, dashboard: AgreementDashboard
) -> None:
    bars = dashboard.findChild(BarChart)
    assert bars.values() == pytest.approx({"DATE": 0.5, "PARTY": 1.0})
    assert "DATE 0.50" in bars.accessibleDescription()
    mode = dashboard.findChild(QComboBox, "matchingMode")
    mode.setFocus()
    qtbot.keyClicks(mode, "Exact")
    assert mode.currentText() == "Exact matching"
    assert bars.values() == pytest.approx({"DATE": 0.0, "PARTY": 1 / 3})
    heatmap = dashboard.findChild(Heatmap)
    assert heatmap.value("a", "b") == pytest.approx(0.5)  # 1 exact match of 2 + 2 spans
    assert heatmap.value("a", "c") == pytest.approx(0.0)
    mode.setCurrentIndex(0)
    assert bars.values() == pytest.approx({"DATE": 0.5, "PARTY": 1.0})


def test_heatmap_label_chooser_filters_the_matrix(dashboard: AgreementDashboard) -> None:
    chooser = dashboard.findChild(QComboBox, "heatmapLabel")
    assert [chooser.itemText(i) for i in range(chooser.count())] == ["All labels", "DATE", "PARTY"]
    chooser.setCurrentIndex(chooser.findText("DATE"))
    expected = f1_matrix(dashboard.report, label="DATE", mode="overlap")
    assert dashboard.heatmap.value("a", "b") == pytest.approx(expected[("a", "b")])
    assert dashboard.heatmap.value("a", "c") == pytest.approx(0.0)  # c marked no date
    assert "DATE" in dashboard.heatmap.title()


def test_clicking_a_heatmap_cell_emits_its_pair(qtbot, dashboard: AgreementDashboard) -> None:
    heatmap = dashboard.heatmap
    dashboard.scroll.ensureWidgetVisible(heatmap)
    with qtbot.waitSignal(dashboard.pairClicked) as blocker:
        qtbot.mouseClick(
            heatmap, Qt.MouseButton.LeftButton, pos=heatmap.cell_rect("b", "c").center()
        )
    assert blocker.args == ["b", "c"]
    # The diagonal is no pair: clicking it says nothing.
    with qtbot.assertNotEmitted(heatmap.pairClicked):
        qtbot.mouseClick(
            heatmap, Qt.MouseButton.LeftButton, pos=heatmap.cell_rect("a", "a").center()
        )
    # The keyboard reaches the same cells: arrows move, Enter activates.
    heatmap.setFocus()
    qtbot.keyClick(heatmap, Qt.Key.Key_Down)
    with qtbot.waitSignal(heatmap.pairClicked) as blocker:
        qtbot.keyClick(heatmap, Qt.Key.Key_Return)
    assert blocker.args == ["b", "a"]
    assert heatmap.cell_tooltip("a", "b") == "a × b: F1 1.00"


def test_item_agreement_bias_and_progress(qtbot, dashboard: AgreementDashboard) -> None:
    table = dashboard.findChild(QAbstractItemView, "itemAgreementTable")
    rows = {row[0]: row[1:] for row in _table_text(table)}
    assert list(rows) == ["DATE", "PARTY", "Verdicts", "Preferences"]
    report = dashboard.report
    verdict_kappas = [k for _n, k in report.verdicts.pairs.values() if k is not None]
    assert rows["Verdicts"] == [
        f"{report.verdicts.alpha:.2f}",
        f"{sum(verdict_kappas) / len(verdict_kappas):.2f}",
        "2",
    ]
    assert rows["Preferences"] == ["–", "–", "0"]

    a = report.bias["a"]
    text = dashboard.bias.text()
    assert f"a: first-shown draft won 75 % of 4 choices (chance 50 %, p = {a.p_value:.2f})" in text
    assert text.startswith("All annotators: first-shown draft won 75 % of 4 choices")
    bars = dashboard.findChildren(QProgressBar)
    assert [b.format() for b in bars] == [
        "2 of 2 items finished",
        "2 of 2 items finished",
        "1 of 2 items finished",
    ]

    # A report without compare choices says so; a second report replaces the first.
    report = _report()
    dashboard.show_report(report, _rows(report), [])
    assert dashboard.bias.text() == "No compare items judged yet."
    qtbot.waitUntil(lambda: not dashboard.findChildren(QProgressBar))


def test_refresh_asks_the_window(qtbot, dashboard: AgreementDashboard) -> None:
    button = dashboard.findChild(QAbstractButton, "refreshDashboard")
    with qtbot.waitSignal(dashboard.refreshRequested):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_every_control_has_an_accessible_name(dashboard: AgreementDashboard) -> None:
    controls = [
        *dashboard.findChildren(QAbstractButton),
        *dashboard.findChildren(QComboBox),
        *dashboard.findChildren(QAbstractItemView),
        *dashboard.findChildren(QProgressBar),
        *dashboard.findChildren(BarChart),
        *dashboard.findChildren(Heatmap),
    ]
    assert len(controls) >= 8
    unnamed = [f"{type(w).__name__} {w.objectName()!r}" for w in controls if not w.accessibleName()]
    assert unnamed == []
    # Painted charts repeat their figures as text for screen readers.
    assert "a and b 1.00" in dashboard.heatmap.accessibleDescription()


def test_empty_charts_say_so(qtbot) -> None:
    bars = BarChart()
    qtbot.addWidget(bars)
    bars.set_data("F1", {"PARTY": None, "DATE": 0.5}, counts={"DATE": 4})
    assert bars.bar_tooltip("DATE") == "DATE: 0.50 (n = 4)"
    assert bars.bar_tooltip("PARTY") == "PARTY: –"
    assert bars.description() == "F1: PARTY no value; DATE 0.50 (n = 4)."
    taller = bars.sizeHint().height()
    bars.set_data("F1", {"PARTY": 1.0})
    assert bars.sizeHint().height() < taller  # grows with the number of bars
    heatmap = Heatmap()
    qtbot.addWidget(heatmap)
    heatmap.set_data("F1", ["a"], {})
    assert "no pairs" in heatmap.accessibleDescription()
