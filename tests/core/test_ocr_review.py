"""OCR review in the core: lines of real pages, corrected text, interchange, ``ocr-text``.

Page texts come from the real document worker (Tesseract for the generated
scan, MuPDF's text layer for a made PDF); annotations live in real
workspaces. Nothing is mocked.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from reviewer.cli_ocr import add_ocr_text_parser
from reviewer.core import annotations as store
from reviewer.core import interchange as ix
from reviewer.core.anchors import offset_selector
from reviewer.core.model import Annotation, PageText, Word
from reviewer.core.ocr_review import (
    CORRECTION,
    ILLEGIBLE,
    ILLEGIBLE_MARK,
    PAGE_BREAK,
    TAXONOMY,
    correct_page,
    corrected_pages,
    correction_change,
    format_pages,
    line_annotation,
    line_at,
    page_lines,
    write_pages,
)
from reviewer.core.paths import resolve
from reviewer.core.store import Workspace
from reviewer.core.taxonomy import builtin_taxonomy, builtin_taxonomy_of
from reviewer.core.worker import DocumentWorker

TIMEOUT = 120
TEXT_LINES = ["Docket No. 24-1138 (JMF)", "The Indenture Trustee shall pay", "within ten days."]


@pytest.fixture(scope="module")
def scan_layers(generated: dict[str, Path]) -> dict[int, PageText]:
    """The generated scan's first two pages as OCR reads them (in the worker)."""
    worker = DocumentWorker()
    try:
        worker.open(generated["scan"]).result(TIMEOUT)
        futures = {p: worker.words(p) for p in (0, 1)}
        return {p: f.result(TIMEOUT) for p, f in futures.items()}
    finally:
        worker.close()


@pytest.fixture
def scan(scan_layers: dict[int, PageText]) -> PageText:
    return scan_layers[0]


def _mark(layer: PageText, row: int, label: str, correction: str | None = None) -> Annotation:
    lines = page_lines(layer)
    return line_annotation(layer, lines[row], label, document="d" * 64, correction=correction)


def _later(a: Annotation, seconds: int) -> Annotation:
    stamp = f"2024-05-01T10:00:{seconds:02d}+00:00"
    return replace(a, created_at=stamp, updated_at=stamp)


# -- lines ---------------------------------------------------------------------------------


def test_lines_of_a_scanned_page(scan: PageText) -> None:
    assert scan.source == "ocr"
    lines = page_lines(scan)
    assert len(lines) > 10
    assert [line.index for line in lines] == list(range(len(lines)))
    # Every word is in exactly one line, in reading order, and lines follow the text.
    assert [w for line in lines for w in line.words] == scan.words
    starts = [line.start for line in lines]
    assert starts == sorted(starts)
    for line in lines:
        assert line.page == 0
        assert {(w.block, w.line) for w in line.words} == {
            (line.words[0].block, line.words[0].line)
        }
        assert line.text == scan.text[line.start : line.end]
        assert "\n" not in line.text
        assert line.text.split() == [w.text for w in line.words]
        x0, y0, x1, y1 = line.box
        for w in line.words:
            assert x0 <= w.x0 <= w.x1 <= x1
            assert y0 <= w.y0 <= w.y1 <= y1
            start, end = line.word_span(line.words.index(w))
            assert line.text[start:end] == w.text
    # With no marks the corrected text is the page text itself.
    assert correct_page(scan, []).text == scan.text


def test_lines_of_a_text_page_and_the_word_under_a_point(make_pdf, make_worker) -> None:
    worker = make_worker()
    worker.open(make_pdf("filing.pdf", TEXT_LINES)).result(TIMEOUT)
    layer = worker.words(0).result(TIMEOUT)
    assert layer.source == "text"
    lines = page_lines(layer)
    assert [line.text for line in lines] == TEXT_LINES
    trustee = lines[1].words[2]
    assert trustee.text == "Trustee"
    middle = ((trustee.x0 + trustee.x1) / 2, (trustee.y0 + trustee.y1) / 2)
    assert line_at(lines, *middle) == (1, 2)
    assert line_at(lines, 5.0, 5.0) is None  # the margin
    assert lines[1].word_at_offset(lines[1].text.index("Trustee") + 3) == 2
    # A cursor in edited text points at the word in the same place.
    assert lines[1].word_in("The Indenture Trustees shall pay", 16) == 2
    assert lines[1].word_in(lines[1].text, 0) == 0


# -- corrected text ---------------------------------------------------------------------------


def test_corrections_illegible_lines_and_removed_lines(scan: PageText) -> None:
    lines = page_lines(scan)
    fix = _mark(scan, 1, CORRECTION, correction="CORRECTED LINE TWO")
    noise = _mark(scan, 2, CORRECTION, correction="")
    smudge = _mark(scan, 3, ILLEGIBLE)
    assert (fix.taxonomy, fix.selector.exact, fix.correction) == (
        TAXONOMY,
        lines[1].text,
        "CORRECTED LINE TWO",
    )
    assert fix.selector.segments[0].quads  # anchored with quads, like any text annotation
    assert smudge.correction is None
    page = correct_page(scan, [fix, noise, smudge])

    expected = [line.text for line in lines]
    expected[1] = "CORRECTED LINE TWO"
    expected[3] = ILLEGIBLE_MARK
    del expected[2]
    assert page.text.splitlines() == expected
    assert page.text.endswith(scan.text[lines[-1].end :])
    states = page.lines
    assert (states[1].correction, states[1].text, states[1].edited) == (
        fix,
        "CORRECTED LINE TWO",
        "CORRECTED LINE TWO",
    )
    assert states[2].removed
    assert states[3].illegible == smudge
    assert states[3].edited == lines[3].text  # what the reviewer edits: corrections only
    assert not states[0].changed

    record = page.to_json()
    assert record["page"] == 1
    assert record["text"] == page.text
    assert [
        (c["line"], c["before"], c["after"], c["illegible"]) for c in record["corrections"]
    ] == [
        (2, lines[1].text, "CORRECTED LINE TWO", False),
        (3, lines[2].text, "", False),
        (4, lines[3].text, ILLEGIBLE_MARK, True),
    ]
    assert record["corrections"][0]["annotations"] == [fix.id]


def test_illegible_wins_then_the_newest_mark(scan: PageText) -> None:
    lines = page_lines(scan)
    older = _later(_mark(scan, 4, CORRECTION, correction="older"), 1)
    newer = _later(_mark(scan, 4, CORRECTION, correction="newer"), 2)
    assert correct_page(scan, [newer, older]).lines[4].text == "newer"
    assert correct_page(scan, [newer, older]).lines[4].corrections == (newer, older)
    smudge = _later(_mark(scan, 4, ILLEGIBLE), 0)
    both = correct_page(scan, [older, smudge, newer]).lines[4]
    assert (both.text, both.edited) == (ILLEGIBLE_MARK, "newer")

    # Words marked on the page (not the whole line) change only those words.
    words = lines[5].words
    word = offset_selector(scan, words[1].start, words[1].end)
    partial = Annotation(store.new_id(), "d" * 64, TAXONOMY, ILLEGIBLE, word)
    state = correct_page(scan, [partial]).lines[5]
    assert state.partly_illegible
    assert state.illegible is None
    assert state.text == lines[5].text.replace(words[1].text, ILLEGIBLE_MARK, 1)

    # Deleted, rejected and foreign annotations, and corrections with no text, change nothing.
    ignored = [
        replace(newer, deleted=True),
        replace(newer, state="rejected"),
        replace(newer, taxonomy="pii", label="PERSON"),
        replace(newer, correction=None),
    ]
    assert correct_page(scan, ignored).text == scan.text


def test_marks_follow_their_quote_and_report_what_is_gone(scan: PageText) -> None:
    lines = page_lines(scan)
    fix = _mark(scan, 6, CORRECTION, correction="fixed")
    segment = fix.selector.segments[0]
    moved = replace(
        fix,
        selector=replace(
            fix.selector, segments=(replace(segment, start=segment.start + 3, end=segment.end + 3),)
        ),
    )
    assert correct_page(scan, [moved]).lines[6].text == "fixed"  # found by its quote
    gone = replace(fix, selector=replace(fix.selector, exact="text that is not on this page"))
    page = correct_page(scan, [gone])
    assert page.unplaced == (gone,)
    assert page.text == scan.text
    assert page.lines[6].text == lines[6].text


def test_what_an_edit_does() -> None:
    words = [
        Word(0, 0, 10, 10, "alpha", 0, 0, 0, 5),
        Word(12, 0, 20, 10, "beta", 0, 0, 6, 10),
        Word(0, 12, 10, 22, "gamma", 0, 1, 11, 16),
    ]
    layer = PageText(0, "alpha beta\ngamma", words, 0, 100.0, 100.0)
    plain = correct_page(layer, []).lines[0]
    assert correction_change(plain, "alpha beta") == "none"
    assert correction_change(plain, "alpha bet") == "create"
    fix = line_annotation(layer, page_lines(layer)[0], CORRECTION, document="d", correction="x")
    fixed = correct_page(layer, [fix]).lines[0]
    assert correction_change(fixed, "x") == "none"
    assert correction_change(fixed, "y") == "update"
    assert correction_change(fixed, "alpha beta") == "delete"
    with pytest.raises(ValueError, match="needs its corrected text"):
        line_annotation(layer, page_lines(layer)[0], CORRECTION, document="d")


def test_the_ocr_taxonomy_ships_with_the_app() -> None:
    ocr = builtin_taxonomy("ocr")
    assert [label.id for label in ocr.labels] == [CORRECTION, ILLEGIBLE]
    assert ocr.by_shortcut("c") is ocr.label(CORRECTION)
    assert ocr.by_shortcut("i") is ocr.label(ILLEGIBLE)
    assert builtin_taxonomy_of("illegible") == "ocr"


# -- stored documents: export and interchange -------------------------------------------------


def _store_scan(ws: Workspace, scan_file: Path) -> str:
    return ws.add_document(scan_file, page_count=3, title="Scan").sha256


def test_corrected_pages_of_a_stored_document(
    workspace: Workspace, generated: dict[str, Path], scan_layers: dict[int, PageText], tmp_path
) -> None:
    sha = _store_scan(workspace, generated["scan"])
    first, second = scan_layers[0], scan_layers[1]
    fix = replace(_mark(first, 0, CORRECTION, correction="Page one, line one"), document=sha)
    smudge = replace(_mark(second, 2, ILLEGIBLE), document=sha)
    store.add(workspace, fix)
    store.add(workspace, smudge)
    gone = store.add(
        workspace,
        replace(_mark(first, 1, CORRECTION, correction="no"), id=store.new_id(), document=sha),
    )
    store.set_deleted(workspace, gone.id, True)
    pages = corrected_pages(workspace, sha, [first, second])
    assert pages[0].text.splitlines()[0] == "Page one, line one"
    assert (
        pages[0].text.splitlines()[1] == page_lines(first)[1].text
    )  # the deleted one is not applied
    assert pages[1].text.splitlines()[2] == ILLEGIBLE_MARK

    text = format_pages(pages, "text")
    assert text.count(PAGE_BREAK) == 1
    one, two = text.split(PAGE_BREAK)
    assert one == pages[0].text.rstrip("\n") + "\n"
    assert two == pages[1].text.rstrip("\n") + "\n"
    target = tmp_path / "corrected.jsonl"
    write_pages(target, pages)
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r["page"] for r in records] == [1, 2]
    assert records[0]["corrections"][0]["after"] == "Page one, line one"
    assert records[1]["corrections"][0]["after"] == ILLEGIBLE_MARK
    with pytest.raises(ValueError, match="unknown format"):
        format_pages(pages, "pdf")


@pytest.mark.parametrize("fmt", ["w3c", "jsonl"])
def test_a_correction_travels_as_an_editing_body(
    fmt: str,
    workspace: Workspace,
    generated: dict[str, Path],
    scan_layers: dict[int, PageText],
    tmp_path: Path,
) -> None:
    sha = _store_scan(workspace, generated["scan"])
    layer = scan_layers[0]
    fix = store.add(
        workspace,
        replace(_mark(layer, 1, CORRECTION, correction="Ünïcode — fixed\tline"), document=sha),
    )
    smudge = store.add(workspace, replace(_mark(layer, 2, ILLEGIBLE), document=sha))
    exported = ix.export_document(workspace, sha, fmt)
    items = (
        json.loads(exported)["first"]["items"]
        if fmt == "w3c"
        else [json.loads(line) for line in exported.splitlines()]
    )
    by_id = {item["id"]: item for item in items}
    bodies = by_id[f"urn:uuid:{fix.id}"]["body"]
    assert {
        "type": "TextualBody",
        "purpose": "editing",
        "value": "Ünïcode — fixed\tline",
        "format": "text/plain",
    } in bodies
    assert [b["purpose"] for b in by_id[f"urn:uuid:{smudge.id}"]["body"]] == ["tagging"]

    texts = {p: layer.text for p, layer in scan_layers.items()}
    with Workspace.open(resolve(tmp_path / "second"), actor="someone-else") as second:
        _store_scan(second, generated["scan"])
        document = second.documents()[0]
        parsed = ix.parse_annotations(exported, origin="imported")
        report = ix.import_annotations(second, document, parsed, texts, scan_layers)
        assert report.summary() == {"stored": 2, "unchanged": 0, "rejected": []}
        copy = store.get(second, fix.id)
        assert copy is not None
        assert (copy.correction, copy.selector.exact) == (fix.correction, fix.selector.exact)
        assert store.get(second, smudge.id).correction is None
        assert ix.export_document(second, sha, fmt) == exported
        again = ix.import_annotations(second, document, parsed, texts, scan_layers)
        assert again.summary() == {"stored": 0, "unchanged": 2, "rejected": []}
        # The same id with another corrected text is other content: refused, not overwritten.
        changed = exported.replace("Ünïcode — fixed\\tline", "something else")
        assert changed != exported
        refused = ix.import_annotations(
            second, document, ix.parse_annotations(changed, origin="imported"), texts, scan_layers
        )
        assert len(refused.rejected) == 1
        assert store.get(second, fix.id).correction == fix.correction


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ([{"purpose": "editing", "value": 3}], "the editing body's value"),
        (
            [{"purpose": "editing", "value": "a"}, {"purpose": "editing", "value": "b"}],
            "more than one editing body",
        ),
    ],
)
def test_bad_editing_bodies_are_refused(body: list[dict[str, object]], reason: str) -> None:
    item = {
        "type": "Annotation",
        "body": [{"type": "TextualBody", "purpose": "tagging", "value": "correction"}, *body],
        "target": {"selector": {"type": "TextQuoteSelector", "exact": "x"}},
    }
    with pytest.raises(ix.InterchangeError, match=reason):
        ix.parse_annotations(json.dumps(item), origin="imported")


# -- reviewer ocr-text -------------------------------------------------------------------------


def _cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="reviewer")
    add_ocr_text_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["ocr-text", *argv])
    return int(args.run(args))


def test_cli_ocr_text_exports_the_corrected_text(
    generated: dict[str, Path],
    scan_layers: dict[int, PageText],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Run as the command line runs it: its own worker (OCR included) and the workspace."""
    with Workspace.open(resolve()) as ws:
        sha = _store_scan(ws, generated["scan"])
        second = scan_layers[1]
        store.add(
            ws, replace(_mark(second, 0, CORRECTION, correction="Second page, fixed"), document=sha)
        )
        store.add(ws, replace(_mark(second, 1, ILLEGIBLE), document=sha))
    started = time.monotonic()
    out = tmp_path / "page 2.txt"
    assert _cli(sha[:12], "--page", "2", "-o", str(out)) == 0
    text = out.read_text(encoding="utf-8")
    assert PAGE_BREAK not in text
    lines = text.splitlines()
    assert lines[:2] == ["Second page, fixed", ILLEGIBLE_MARK]
    assert lines[2:] == [line.text for line in page_lines(second)[2:]]

    records = tmp_path / "all.jsonl"
    assert _cli(str(generated["scan"]), "-o", str(records)) == 0  # by file: the same document
    pages = [json.loads(line) for line in records.read_text(encoding="utf-8").splitlines()]
    assert [p["page"] for p in pages] == [1, 2, 3]
    assert pages[0]["text"] == scan_layers[0].text
    assert pages[1]["text"].splitlines()[:2] == ["Second page, fixed", ILLEGIBLE_MARK]
    assert pages[1]["corrections"][0]["before"] == page_lines(second)[0].text
    assert time.monotonic() - started < 240

    capsys.readouterr()
    assert _cli(sha, "--page", "4") == 2
    assert "page 4 is not in" in capsys.readouterr().err
    assert _cli("0123456789abcdef") == 2
    assert (
        "no document in the workspace has the SHA-256 0123456789abcdef" in capsys.readouterr().err
    )
    assert _cli("not-a-document") == 2
    assert "neither a file nor the SHA-256" in capsys.readouterr().err


def test_cli_ocr_text_writes_to_stdout(
    make_pdf: Callable[..., Path], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    pdf = make_pdf("filing.pdf", TEXT_LINES)
    worker = DocumentWorker()
    try:
        worker.open(pdf).result(TIMEOUT)
        layer = worker.words(0).result(TIMEOUT)
    finally:
        worker.close()
    with Workspace.open(resolve()) as ws:
        sha = ws.add_document(pdf, page_count=1).sha256
        store.add(
            ws,
            replace(
                _mark(layer, 0, CORRECTION, correction="Docket No. 24-1138 (JMF) [sic]"),
                document=sha,
            ),
        )
    capfd.readouterr()
    assert _cli(sha, "--format", "text") == 0
    assert capfd.readouterr().out.splitlines() == [
        "Docket No. 24-1138 (JMF) [sic]",
        *TEXT_LINES[1:],
    ]
