"""Judging AI output in the window: a compare item end to end, synchronized scrolling,
the diff highlight, and a review item with error annotations and a verdict."""

from __future__ import annotations

from gestures import _drag_words, _words_of_a_line
from PySide6.QtCore import QPoint, Qt

from reviewer.core import annotations as stored
from reviewer.core import batches, judgements
from reviewer.core.blobs import sha256_file
from reviewer.core.bundle import verify_bundle
from reviewer.ui.review.compare_tab import DIFF_LAYER, CompareTab
from reviewer.ui.review.prompt_box import PromptBox

PROMPT = "Draft a memorandum in support of a Rule 12(b)(6) motion to dismiss (E.D. Pa.)."


def _draft(make_pdf, name: str, variant: str):
    """Eight pages of motion-like text; the variant changes one word on every page."""
    pages = []
    for page in range(8):
        lines = [
            f"Page {page + 1}. The complaint fails to state a claim for relief.",
            f"Plaintiff pleads only {variant} conclusions that the Court need not accept.",
            "Bell Atlantic Corp. v. Twombly, 550 U.S. 544, 570 (2007).",
        ]
        lines += [f"Line {n}: the retention agreement governs the bonus." for n in range(30)]
        pages.append(lines)
    return make_pdf(name, *pages)


def _compare_batch(make_batch, make_pdf):
    files = [_draft(make_pdf, f"draft_{v}.pdf", v) for v in ("bare", "threadbare", "vague")]
    items = [
        {
            "id": "drafts",
            "task": "compare",
            "title": "Three drafts of the motion",
            "prompt": PROMPT,
            "documents": [sha256_file(f) for f in files],
        }
    ]
    return make_batch(files, task="compare", items=items), files


def _open_compare(qtbot, window, dialogs, batch_file) -> CompareTab:
    dialogs.batches.append(batch_file)
    window.actions_["open_batch"].trigger()
    qtbot.waitUntil(lambda: isinstance(window.tabs.currentWidget(), CompareTab), timeout=30_000)
    compare = window.tabs.currentWidget()
    qtbot.waitUntil(lambda: len(compare.panes) == 3, timeout=30_000)
    for pane in compare.panes:
        qtbot.waitUntil(lambda p=pane: p.session.layer(0) is not None, timeout=30_000)
    return compare


def _mark(qtbot, pane, line: int, comment: str):
    """Drag over three words of a line, press F (factual), explain it; returns the annotation."""
    view = pane.view
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    words, lines = _words_of_a_line(view, 0, 4)
    ids = lines[line]
    _drag_words(qtbot, view, 0, words[ids[0]], words[ids[2]])
    qtbot.keyClicks(view, "F")
    assert pane.panel.comment_edit.hasFocus()
    qtbot.keyClicks(pane.panel.comment_edit, comment)
    qtbot.keyClick(pane.panel.comment_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    return pane.annotations.get(pane.annotations.selected)


def _click_passage(qtbot, pane, annotation) -> None:
    view = pane.view
    quad = annotation.selector.segments[0].quads[0]
    point = view.viewport_point(
        annotation.selector.page, (quad[0] + quad[2]) / 2, (quad[1] + quad[5]) / 2
    )
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_complete_a_compare_item_end_to_end(
    qtbot, make_window, make_batch, make_pdf, workspace, dialogs, tmp_path
):
    """Pick, rate, a rationale with two evidence links, done: one judgement in the store."""
    batch_file, _files = _compare_batch(make_batch, make_pdf)
    window = make_window()
    compare = _open_compare(qtbot, window, dialogs, batch_file)
    [item] = batches.items(workspace, batches.batches(workspace)[0].id)
    order = judgements.shown_order(item, workspace.actor)
    # The drafts are shown in the reviewer's shuffled order, as Draft A/B/C, no file names.
    assert [p.session.sha256 for p in compare.panes] == list(order)
    assert "Draft A" in compare.columns[0].header.text()
    assert "draft_" not in compare.columns[0].header.text()
    assert PROMPT in compare.prompt.text.toPlainText()

    pane_a, pane_b, _pane_c = compare.panes
    first = _mark(qtbot, pane_a, 1, "States the Twombly standard correctly.")
    second = _mark(qtbot, pane_b, 1, "Misstates the pleading standard.")
    assert (first.item, second.item) == (item.id, item.id)

    form = compare.form
    qtbot.mouseClick(form.choice_buttons[order[0]], Qt.MouseButton.LeftButton)
    for (document, _criterion), combo in form.rating_boxes.items():
        combo.setFocus()
        qtbot.keyClicks(combo, "6" if document == order[0] else "3")
    # Done is refused while the rationale is missing, and says what is needed.
    qtbot.mouseClick(window.work_panel.buttons["done"], Qt.MouseButton.LeftButton)
    assert dialogs.errors[-1][0] == "Not done yet"
    assert "write a rationale" in dialogs.errors[-1][1]
    assert batches.item(workspace, item.id).status == "in_progress"

    qtbot.mouseClick(form.rationale.viewport(), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(form.rationale, "A applies the plausibility standard correctly")
    qtbot.mouseClick(form.cite_button, Qt.MouseButton.LeftButton)
    assert form.cite_button.isChecked()
    _click_passage(qtbot, pane_a, first)
    qtbot.keyClicks(form.rationale, " while B misstates it")
    _click_passage(qtbot, pane_b, second)
    qtbot.keyClicks(form.rationale, ".")
    assert form.rationale.toPlainText() == (
        "A applies the plausibility standard correctly [A1] while B misstates it [B1]."
    )
    assert form.evidence.count() == 2

    qtbot.mouseClick(window.work_panel.buttons["done"], Qt.MouseButton.LeftButton)
    assert batches.item(workspace, item.id).status == "done"
    j = judgements.get(workspace, item.id, workspace.actor)
    assert j.order == order
    assert j.choice == order[0]
    assert j.ratings[order[0]] == {c.id: 6 for c in judgements.DEFAULT_CRITERIA}
    assert j.ratings[order[2]] == {c.id: 3 for c in judgements.DEFAULT_CRITERIA}
    assert j.rationale.endswith("[B1].")
    assert [(e.ref, e.annotation, e.document) for e in j.evidence] == [
        ("A1", first.id, order[0]),
        ("B1", second.id, order[1]),
    ]
    assert j.evidence[0].quote == first.selector.exact
    # Every save is in the event log.
    kinds = [e.kind for e in workspace.events(entity="judgement", entity_id=j.id)]
    assert kinds[0] == "judgement.created"
    assert kinds.count("judgement.updated") >= 3

    # The submission carries the judgement: shuffled order, choice, ratings, evidence links.
    target = tmp_path / "compare.rvbundle"
    dialogs.identities.append(("Ana Ruiz", "ana.ruiz"))
    dialogs.saves.append(target)
    window.actions_["export_bundle"].trigger()
    assert dialogs.infos[-1][0] == "Submission saved"
    verified = verify_bundle(target)
    [record] = verified.records["judgements.jsonl"]
    assert record["annotator"] == "ana.ruiz"
    assert record["shown_order"] == list(order)
    assert record["drafts"] == {"A": order[0], "B": order[1], "C": order[2]}
    assert record["choice"] == order[0]
    assert record["ratings"][order[1]]["accuracy"] == 3
    assert record["rationale"] == j.rationale
    assert [(e["ref"], e["annotation"], e["page"]) for e in record["evidence"]] == [
        ("A1", first.id, 1),
        ("B1", second.id, 1),
    ]
    carried = {a["id"].removeprefix("urn:uuid:") for a in verified.records["annotations.jsonl"]}
    assert {first.id, second.id} <= carried


def test_synchronized_scrolling_moves_every_draft_and_can_be_turned_off(
    qtbot, make_window, make_batch, make_pdf, dialogs
):
    batch_file, _files = _compare_batch(make_batch, make_pdf)
    window = make_window()
    compare = _open_compare(qtbot, window, dialogs, batch_file)
    views = [p.view for p in compare.panes]
    qtbot.mouseClick(views[0].viewport(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    for _ in range(3):
        qtbot.keyClick(views[0], Qt.Key.Key_PageDown)
    bars = [v.verticalScrollBar() for v in views]
    assert bars[0].value() > 0
    fractions = [b.value() / b.maximum() for b in bars]
    assert all(abs(f - fractions[0]) < 0.02 for f in fractions)

    window.actions_["sync_scroll"].trigger()  # off
    assert not compare.sync.isChecked()
    before = [b.value() for b in bars]
    qtbot.keyClick(views[0], Qt.Key.Key_PageDown)
    assert bars[0].value() > before[0]
    assert [b.value() for b in bars[1:]] == before[1:]


def test_differences_are_highlighted_between_two_drafts(
    qtbot, make_window, make_batch, make_pdf, dialogs
):
    batch_file, _files = _compare_batch(make_batch, make_pdf)
    window = make_window()
    compare = _open_compare(qtbot, window, dialogs, batch_file)
    qtbot.mouseClick(compare.diff, Qt.MouseButton.LeftButton)
    a, b, c = compare.panes
    qtbot.waitUntil(lambda: bool(a.view.marks(DIFF_LAYER)), timeout=30_000)
    # Each page differs by one word ("bare" / "threadbare" / "vague"), nothing else.
    for pane in (a, b):
        marks = pane.view.marks(DIFF_LAYER)
        assert sorted(marks) == list(range(8))
        assert all(len(boxes) == 1 for boxes in marks.values())
    assert c.view.marks(DIFF_LAYER) == {}
    assert "8 words only in A, 8 only in B" in compare.diff_summary.text()
    compare.pair.setCurrentIndex(2)  # B ↔ C
    assert a.view.marks(DIFF_LAYER) == {}
    qtbot.waitUntil(lambda: bool(c.view.marks(DIFF_LAYER)), timeout=30_000)
    window.actions_["show_differences"].trigger()  # off
    assert all(not p.view.marks(DIFF_LAYER) for p in (a, b, c))


def test_review_item_with_error_annotations_and_a_verdict(
    qtbot, make_window, make_batch, generated, workspace, dialogs
):
    brief = generated["brief"]
    items = [
        {
            "id": "brief",
            "task": "review",
            "title": "AI-drafted brief",
            "prompt": PROMPT,
            "documents": [sha256_file(brief)],
        }
    ]
    batch_file = make_batch([brief], items=items)
    window = make_window()
    dialogs.batches.append(batch_file)
    window.actions_["open_batch"].trigger()
    qtbot.waitUntil(lambda: window.current_pane() is not None, timeout=30_000)
    pane = window.current_pane()
    [item] = batches.items(workspace, batches.batches(workspace)[0].id)
    qtbot.waitUntil(lambda: pane.session.layer(0) is not None, timeout=30_000)
    form = pane.verdict_form
    prompt = pane.findChild(PromptBox)
    assert PROMPT in prompt.text.toPlainText()

    annotation = _mark(qtbot, pane, 2, "The cited case does not exist.")
    assert annotation.item == item.id
    qtbot.mouseClick(window.work_panel.buttons["done"], Qt.MouseButton.LeftButton)
    assert "choose an overall verdict" in dialogs.errors[-1][1]
    qtbot.mouseClick(form.buttons["unacceptable"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(form.summary.viewport(), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(form.summary, "Relies on a fabricated case.")
    qtbot.mouseClick(window.work_panel.buttons["done"], Qt.MouseButton.LeftButton)
    assert batches.item(workspace, item.id).status == "done"
    j = judgements.get(workspace, item.id, workspace.actor)
    assert (j.verdict, j.summary) == ("unacceptable", "Relies on a fabricated case.")
    [kept] = stored.for_item(workspace, item.id)
    assert (kept.label, kept.comment) == ("factual", "The cited case does not exist.")


def test_check_citations_proposes_issues_with_the_batch_known_list(
    qtbot, make_window, workspace, dialogs
):
    """The sample batch ships known citations: the fabricated case in the AI draft is
    proposed as a citation error with its reason, and A accepts it."""
    from reviewer.core.resources import as_path

    window = make_window()
    with as_path("samples", "sample_batch.rvbatch") as sample:
        dialogs.batches.append(sample)
        window.actions_["open_batch"].trigger()
        qtbot.waitUntil(lambda: window.current_pane() is not None, timeout=30_000)
    pane = window.current_pane()
    [item, _compare] = batches.items(workspace, batches.batches(workspace)[0].id)
    window.actions_["check_citations"].trigger()
    qtbot.waitUntil(lambda: "Citations:" in window.statusBar().currentMessage(), timeout=60_000)
    proposed = [a for a in stored.for_item(workspace, item.id) if a.state == "proposed"]
    assert proposed, window.statusBar().currentMessage()
    assert {(a.taxonomy, a.label, a.origin) for a in proposed} == {
        ("legal-errors", "citation", "suggested:citations")
    }
    fabricated = [a for a in proposed if "Thistlewood" in a.selector.exact]
    assert fabricated
    assert "citations.csv" in fabricated[0].reason
    # Real citations on the known list are not proposed.
    assert not [
        a for a in proposed if "Twombly" in a.selector.exact and "550 U.S. 544" in a.selector.exact
    ]
    # Reviewed like any suggestion: the first is selected, A accepts it.
    selected = pane.annotations.selected
    assert selected in {a.id for a in proposed}
    qtbot.keyClick(pane.view, Qt.Key.Key_A)
    assert stored.get(workspace, selected).state == "accepted"
    # Checking again proposes nothing twice.
    before = len(stored.for_item(workspace, item.id))
    window.statusBar().clearMessage()
    window.actions_["check_citations"].trigger()
    qtbot.waitUntil(lambda: "Citations:" in window.statusBar().currentMessage(), timeout=60_000)
    assert len(stored.for_item(workspace, item.id)) == before


def test_review_item_on_a_markdown_answer(
    qtbot, make_window, make_batch, workspace, dialogs, tmp_path
):
    """AI output as a Markdown file: shown under its prompt, annotated by offsets, judged."""
    answer = tmp_path / "answer.md"
    answer.write_text(
        "# Memorandum\n\n"
        "The statute of limitations for breach of contract in Pennsylvania is two years.\n"
        "Under Rule 12(b)(6) the court accepts every legal conclusion as true.\n"
        "See Bell Atlantic Corp. v. Twombly, 550 U.S. 544 (2007).\n",
        encoding="utf-8",
    )
    items = [
        {
            "id": "md",
            "task": "review",
            "title": "Model answer",
            "prompt": "What is the limitation period for a contract claim in Pennsylvania?",
            "documents": [sha256_file(answer)],
        }
    ]
    window = make_window()
    dialogs.batches.append(make_batch([answer], items=items))
    window.actions_["open_batch"].trigger()
    qtbot.waitUntil(lambda: window.current_pane() is not None, timeout=30_000)
    pane = window.current_pane()
    qtbot.waitUntil(lambda: pane.session.layer(0) is not None, timeout=30_000)
    assert "limitation period" in pane.findChild(PromptBox).text.toPlainText()
    annotation = _mark(qtbot, pane, 1, "Four years: 42 Pa. C.S. § 5525.")
    [item] = batches.items(workspace, batches.batches(workspace)[0].id)
    assert annotation.item == item.id
    assert annotation.selector.exact in pane.session.layer(0).text
    qtbot.mouseClick(pane.verdict_form.buttons["needs_revision"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(pane.verdict_form.summary.viewport(), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(pane.verdict_form.summary, "Wrong limitation period.")
    window.actions_["mark_done"].trigger()
    assert batches.item(workspace, item.id).status == "done"
