"""W3C Web Annotation export and import, on real annotations of the generated brief.

Annotations are made the way the viewer makes them (words from the document
worker, ``selection.PageSpan``, ``anchors.text_selector``/``area_selector``,
``annotations.add``), exported, and imported into a second, empty workspace.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from reviewer.core import annotations as store
from reviewer.core import interchange as ix
from reviewer.core.anchors import area_selector, text_selector
from reviewer.core.model import Annotation, Document, OpenedDocument, PageText, Selector
from reviewer.core.paths import resolve
from reviewer.core.selection import PageSpan
from reviewer.core.store import Workspace
from reviewer.core.worker import DocumentWorker

#: Quotes, a backslash, other scripts, a newline and U+2028 (JSON leaves it unescaped).
COMMENT = "Counsel wrote \"on a pro rata basis\" — § 7.11\\(b) (Zürich, 東京) 'q'\nnext\u2028line"
DUPLICATED = "The parties agree that New York law governs the Loan Documents"


# -- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def brief(generated: dict[str, Path]) -> Path:
    return generated["brief"]


@pytest.fixture(scope="module")
def brief_pages(brief: Path) -> tuple[OpenedDocument, dict[int, PageText]]:
    """The brief as the worker reads it: every page's text and words (worker closed after)."""
    worker = DocumentWorker()
    try:
        opened = worker.open(brief).result(60)
        futures = {p: worker.words(p) for p in range(opened.page_count)}
        return opened, {p: f.result(60) for p, f in futures.items()}
    finally:
        worker.close()


@pytest.fixture
def layers(brief_pages: tuple[OpenedDocument, dict[int, PageText]]) -> dict[int, PageText]:
    return brief_pages[1]


@pytest.fixture
def texts(layers: dict[int, PageText]) -> dict[int, str]:
    return {p: layer.text for p, layer in layers.items()}


def _add_brief(ws: Workspace, brief: Path, layers: dict[int, PageText]) -> Document:
    return ws.add_document(brief, page_count=len(layers), title="Long brief")


def _annotate(ws: Workspace, doc: Document, layers: dict[int, PageText]) -> list[Annotation]:
    """Five annotations the viewer's way (one deleted); returns the four live ones."""
    last = len(layers[4].words) - 1
    made = [
        Annotation(
            id=store.new_id(),
            document=doc.sha256,
            taxonomy="litigation",
            label="governing-law",
            selector=_text(layers, PageSpan(0, 11, 30)),
            comment=COMMENT,
            severity="high",
            subtype="choice-of-law",
            item="Q3",
        ),
        Annotation(
            id=store.new_id(),
            document=doc.sha256,
            taxonomy="unknown-taxonomy",
            label="exhibit",
            selector=area_selector(2, (100.0, 120.5, 300.25, 260.75), 0, 612.0, 792.0),
            state="proposed",
            origin="detector",
            author="signature-finder 1.2",
        ),
        Annotation(
            id=store.new_id(),
            document=doc.sha256,
            taxonomy="litigation",
            label="default-interest",
            selector=_text(layers, PageSpan(4, last - 4, last), PageSpan(5, 0, 12)),
            state="rejected",
        ),
        Annotation(
            id=store.new_id(),
            document=doc.sha256,
            taxonomy="litigation",
            label="to-delete",
            selector=_text(layers, PageSpan(3, 20, 25)),
        ),
        Annotation(
            id=store.new_id(),
            document=doc.sha256,
            taxonomy="litigation",
            label="make-whole",
            selector=_text(layers, PageSpan(7, 40, 44)),
            comment="",
        ),
    ]
    stored = [store.add(ws, a) for a in made]
    store.set_deleted(ws, stored[3].id, True)
    return store.for_document(ws, doc.sha256)


def _text(layers: dict[int, PageText], *spans: PageSpan) -> Selector:
    selector = text_selector(layers, list(spans))
    assert selector is not None
    return selector


@pytest.fixture
def annotated(
    workspace: Workspace, brief: Path, layers: dict[int, PageText]
) -> tuple[Workspace, Document, list[Annotation]]:
    doc = _add_brief(workspace, brief, layers)
    return workspace, doc, _annotate(workspace, doc, layers)


@pytest.fixture
def second(tmp_path: Path, brief: Path, layers: dict[int, PageText]) -> Iterator[Workspace]:
    """An empty second workspace (its own folder) that knows the brief."""
    ws = Workspace.open(resolve(tmp_path / "second"), actor="someone-else")
    _add_brief(ws, brief, layers)
    yield ws
    ws.close()


# -- helpers --------------------------------------------------------------------------


def _without_geometry(a: Annotation) -> Annotation:
    s = a.selector
    segments = tuple(replace(seg, quads=()) for seg in s.segments)
    return replace(a, selector=replace(s, segments=segments, rect=None))


def assert_same(a: Annotation, b: Annotation) -> None:
    """Identical in every field; quads and rectangles within 0.01 pt."""
    assert _without_geometry(a) == _without_geometry(b)
    assert (a.selector.rect is None) == (b.selector.rect is None)
    if a.selector.rect is not None and b.selector.rect is not None:
        assert all(
            math.isclose(x, y, abs_tol=0.01)
            for x, y in zip(a.selector.rect, b.selector.rect, strict=True)
        )
    for sa, sb in zip(a.selector.segments, b.selector.segments, strict=True):
        assert len(sa.quads) == len(sb.quads)
        for qa, qb in zip(sa.quads, sb.quads, strict=True):
            assert all(math.isclose(x, y, abs_tol=0.01) for x, y in zip(qa, qb, strict=True))


def _rows(ws: Workspace) -> int:
    return int(ws.db.execute("SELECT count(*) FROM annotation").fetchone()[0])


def _import(
    ws: Workspace, text: str, texts: dict[int, str], layers: dict[int, PageText]
) -> ix.ImportReport:
    doc = ws.documents()[0]
    return ix.import_annotations(
        ws, doc, ix.parse_annotations(text, origin="imported"), texts, layers
    )


def _tag(label: str = "quoted") -> dict[str, Any]:
    return {"type": "TextualBody", "purpose": "tagging", "value": label}


def _quote_item(exact: str, *, page: int | None = None, **context: str) -> dict[str, Any]:
    selectors: list[dict[str, Any]] = [{"type": "TextQuoteSelector", "exact": exact, **context}]
    if page is not None:
        selectors.append(
            {"type": "FragmentSelector", "conformsTo": ix.PDF_FRAGMENT, "value": f"page={page}"}
        )
    return {"type": "Annotation", "body": _tag(), "target": {"selector": selectors}}


def _jsonl(*items: Any) -> str:
    return "".join((i if isinstance(i, str) else json.dumps(i)) + "\n" for i in items)


def _occurrences(texts: dict[int, str], needle: str) -> list[tuple[int, int]]:
    found = []
    for page in sorted(texts):
        i = texts[page].find(needle)
        while i >= 0:
            found.append((page, i))
            i = texts[page].find(needle, i + 1)
    return found


# -- export ----------------------------------------------------------------------------


def test_export_shape(annotated: tuple[Workspace, Document, list[Annotation]]) -> None:
    """An AnnotationCollection in reading order; text, area and multi-page targets; no deleted."""
    ws, doc, live = annotated
    data = json.loads(ix.export_document(ws, doc.sha256, "w3c"))
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection"
    assert data["total"] == 4
    items = data["first"]["items"]
    assert data["first"]["type"] == "AnnotationPage"
    assert [i["id"] for i in items] == [f"urn:uuid:{a.id}" for a in live]
    assert "to-delete" not in json.dumps(items)

    text = items[0]
    assert text["type"] == "Annotation"
    assert text["motivation"] == "tagging"
    assert text["creator"] == {"type": "Person", "name": "local"}
    assert text["generator"]["name"] == "reviewer"
    assert (text["created"], text["modified"]) == (live[0].created_at, live[0].updated_at)
    assert text["reviewer:severity"] == "high"
    assert text["reviewer:subtype"] == "choice-of-law"
    assert text["reviewer:item"] == "Q3"
    tag, comment = text["body"]
    assert tag == {
        "type": "TextualBody",
        "purpose": "tagging",
        "value": "governing-law",
        "reviewer:taxonomy": "litigation",
    }
    assert comment["purpose"] == "commenting"
    assert comment["value"] == COMMENT
    target = text["target"]
    assert target["source"] == f"urn:sha256:{doc.sha256}"
    assert target["reviewer:name"] == doc.original_name
    by_type = {s["type"]: s for s in target["selector"]}
    seg = live[0].selector.segments[0]
    assert by_type["FragmentSelector"] == {
        "type": "FragmentSelector",
        "conformsTo": "http://tools.ietf.org/rfc/rfc3778",
        "value": "page=1",
    }
    assert by_type["TextPositionSelector"] == {
        "type": "TextPositionSelector",
        "start": seg.start,
        "end": seg.end,
    }
    quote = by_type["TextQuoteSelector"]
    assert quote["exact"] == live[0].selector.exact
    assert (quote["prefix"], quote["suffix"]) == (live[0].selector.prefix, live[0].selector.suffix)
    assert len(target["reviewer:quads"]) == len(seg.quads) == 2

    area = items[1]
    assert area["reviewer:state"] == "proposed"
    assert area["reviewer:origin"] == "detector"
    assert [b["purpose"] for b in area["body"]] == ["tagging"]  # no comment, no commenting body
    values = [s["value"] for s in area["target"]["selector"]]
    assert values == ["page=3", "xywh=pt:100.0,120.5,200.25,140.25"]
    assert area["target"]["selector"][1]["conformsTo"] == "http://www.w3.org/TR/media-frags/"

    multi = items[2]
    assert isinstance(multi["target"], list)
    assert [t["selector"][0]["value"] for t in multi["target"]] == ["page=5", "page=6"]
    quotes = [
        next(s for s in t["selector"] if s["type"] == "TextQuoteSelector")["exact"]
        for t in multi["target"]
    ]
    assert "\n".join(quotes) == live[2].selector.exact


def test_export_jsonl_is_one_annotation_per_line(
    annotated: tuple[Workspace, Document, list[Annotation]],
) -> None:
    ws, doc, live = annotated
    lines = ix.export_document(ws, doc.sha256, "jsonl").splitlines()
    assert len(lines) == len(live)
    for line, a in zip(lines, live, strict=True):
        item = json.loads(line)
        assert item["@context"] == "http://www.w3.org/ns/anno.jsonld"
        assert item["id"] == f"urn:uuid:{a.id}"


# -- round trip ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["w3c", "jsonl"])
def test_round_trip_into_an_empty_workspace(
    fmt: str,
    annotated: tuple[Workspace, Document, list[Annotation]],
    second: Workspace,
    texts: dict[int, str],
    layers: dict[int, PageText],
) -> None:
    """Every field survives: ids, labels, comments, selectors, quads, author, times."""
    ws, doc, live = annotated
    exported = ix.export_document(ws, doc.sha256, fmt)
    report = _import(second, exported, texts, layers)
    assert report.summary() == {"stored": 4, "unchanged": 0, "rejected": []}
    imported = store.for_document(second, doc.sha256)
    assert [a.id for a in imported] == [a.id for a in live]
    for original, copy in zip(live, imported, strict=True):
        assert_same(original, copy)
    assert [e.kind for e in second.events(entity="annotation")] == ["annotation.created"] * 4
    assert ix.export_document(second, doc.sha256, fmt) == exported  # and back out, unchanged

    # Importing the same file again changes nothing: no rows, no events.
    rows, events = _rows(second), len(second.events())
    again = _import(second, exported, texts, layers)
    assert again.summary() == {"stored": 0, "unchanged": 4, "rejected": []}
    assert (_rows(second), len(second.events())) == (rows, events)


def test_reimport_into_the_same_workspace_is_a_no_op(
    annotated: tuple[Workspace, Document, list[Annotation]],
    texts: dict[int, str],
    layers: dict[int, PageText],
) -> None:
    """Even the deleted annotation's row is not resurrected or duplicated."""
    ws, doc, _ = annotated
    rows, events = _rows(ws), len(ws.events())
    report = _import(ws, ix.export_document(ws, doc.sha256), texts, layers)
    assert report.summary() == {"stored": 0, "unchanged": 4, "rejected": []}
    assert (_rows(ws), len(ws.events())) == (rows, events)


@pytest.mark.parametrize("shape", ["collection", "page", "array", "jsonl", "one"])
def test_accepts_every_container(
    shape: str,
    annotated: tuple[Workspace, Document, list[Annotation]],
    second: Workspace,
    texts: dict[int, str],
    layers: dict[int, PageText],
) -> None:
    ws, doc, live = annotated
    collection = json.loads(ix.export_document(ws, doc.sha256))
    page = {"@context": collection["@context"], **collection["first"]}
    items = page["items"]
    text = {
        "collection": json.dumps(collection, indent=2),
        "page": json.dumps(page),
        "array": json.dumps(items, indent=1),
        "jsonl": "\n" + _jsonl(*items) + "\n\n",
        "one": json.dumps(items[0], indent=2),
    }[shape]
    parsed = ix.parse_annotations(text, origin="imported")
    expected = 1 if shape == "one" else 4
    assert len(parsed) == expected
    report = ix.import_annotations(second, second.documents()[0], parsed, texts, layers)
    assert len(report.stored) == expected
    for original, copy in zip(live, store.for_document(second, doc.sha256), strict=False):
        assert_same(original, copy)


def test_where_names_lines_and_items() -> None:
    bad = {
        "type": "Annotation",
        "target": {"selector": {"type": "TextQuoteSelector", "exact": "x"}},
    }
    page = {"type": "AnnotationPage", "items": [bad]}
    collection = {"type": "AnnotationCollection", "first": page}
    for text, where in [
        (json.dumps(page), "items[0]"),
        (json.dumps(collection), "first.items[0]"),
        (json.dumps([bad]), "[0]"),
        ("\n" + json.dumps(bad), "line 2"),
    ]:
        with pytest.raises(ix.InterchangeError) as err:
            ix.parse_annotations(text, origin="imported")
        ((found, reason),) = err.value.problems
        assert found == where
        assert "no tagging body" in reason


# -- anchoring other tools' annotations -----------------------------------------------------


def _unique_line(texts: dict[int, str], min_page: int) -> tuple[int, str]:
    everything = "\n".join(texts[p] for p in sorted(texts))
    for page in sorted(texts):
        if page < min_page:
            continue
        for line in texts[page].split("\n"):
            line = line.strip()
            if len(line) > 50 and everything.count(line) == 1:
                return page, line
    raise AssertionError("the brief has no unique line")


def test_quote_only_is_found_on_its_page_with_a_real_worker(
    workspace: Workspace, brief: Path, layers: dict[int, PageText], texts: dict[int, str]
) -> None:
    """A bare TextQuoteSelector (no page, no position) is found; words come from the worker."""
    page, line = _unique_line(texts, min_page=6)
    doc = _add_brief(workspace, brief, layers)
    parsed = ix.parse_annotations(_jsonl(_quote_item(line)), origin="imported")
    worker = DocumentWorker()
    try:
        worker.open(brief).result(60)
        pages = ix.WorkerPages(worker, doc.page_count)
        pages.prefetch(ix.pages_needed(parsed, doc.page_count))
        report = ix.import_annotations(workspace, doc, parsed, pages.texts, pages.layers)
    finally:
        worker.close()
    assert report.summary()["stored"] == 1
    (a,) = store.for_document(workspace, doc.sha256)
    start = texts[page].index(line)
    assert a.selector.page == page
    assert (a.selector.segments[0].start, a.selector.segments[0].end) == (start, start + len(line))
    assert a.selector.exact == line
    assert a.selector.prefix == texts[page][max(0, start - 32) : start]  # context filled in
    assert a.selector.segments[0].quads == ix.quads_for(layers[page], start, start + len(line))
    assert a.selector.segments[0].quads
    assert (a.origin, a.state, a.taxonomy, a.author) == ("imported", "accepted", "", "local")


def test_prefix_and_suffix_choose_between_two_occurrences(
    texts: dict[int, str], layers: dict[int, PageText]
) -> None:
    found = _occurrences(texts, DUPLICATED)
    assert len(found) >= 2
    page, start = found[1]
    end = start + len(DUPLICATED)
    text = texts[page]
    context = {"prefix": text[start - 20 : start], "suffix": text[end : end + 20]}
    assert _occurrences(texts, context["prefix"] + DUPLICATED + context["suffix"]) == [
        (page, start - 20)
    ]
    target = ix.ParsedTarget(exact=DUPLICATED, **context)
    assert ix.resolve_anchor(texts, target) == ix.ResolvedAnchor(page, start, end, relocated=True)
    # without context the first occurrence wins; a page fragment restricts the search
    first = ix.resolve_anchor(texts, ix.ParsedTarget(exact=DUPLICATED))
    assert (first.page, first.start) == found[0]
    on_page = ix.resolve_anchor(texts, ix.ParsedTarget(exact=DUPLICATED, page=found[1][0]))
    assert on_page.page == found[1][0]


def test_stale_position_falls_back_to_the_quote(texts: dict[int, str]) -> None:
    """A position whose text is not the quote (another extraction) is searched near it."""
    found = _occurrences(texts, DUPLICATED)
    page, start = found[0]
    moved = ix.ParsedTarget(exact=DUPLICATED, page=page, start=start + 3, end=start + 3 + 10)
    got = ix.resolve_anchor(texts, moved)
    assert (got.page, got.start, got.relocated) == (page, start, True)
    exact = ix.ParsedTarget(exact=DUPLICATED, page=page, start=start, end=start + len(DUPLICATED))
    assert not ix.resolve_anchor(texts, exact).relocated


def test_quote_with_other_white_space_is_found(texts: dict[int, str]) -> None:
    """Another tool's quote joins lines with a space where the page text has a newline."""
    page, start = 0, texts[0].index("here. The\nCourt")
    target = ix.ParsedTarget(exact="here.  The Court accepts", page=page)
    got = ix.resolve_anchor(texts, target)
    assert texts[page][got.start : got.end] == "here. The\nCourt accepts"
    assert got.start == start


def test_missing_quote_is_reported_and_the_others_stored(
    workspace: Workspace, brief: Path, texts: dict[int, str], layers: dict[int, PageText]
) -> None:
    _add_brief(workspace, brief, layers)
    _, line = _unique_line(texts, min_page=0)
    holding = {p for p, _ in _occurrences(texts, DUPLICATED)}
    lacking = next(p for p in sorted(texts) if p not in holding)
    text = _jsonl(
        _quote_item(line),
        _quote_item("Nothing like this is in the brief."),
        _quote_item(DUPLICATED, page=min(holding) + 1),
        _quote_item(DUPLICATED, page=lacking + 1),
    )
    report = _import(workspace, text, texts, layers)
    assert len(report.stored) == 2
    assert report.rejected == [
        ("line 2", "quote 'Nothing like this is in the brief.' not found in the document"),
        ("line 4", f"quote {DUPLICATED[:40] + '…'!r} not found on page {lacking + 1}"),
    ]
    assert len(store.for_document(workspace, workspace.documents()[0].sha256)) == 2


def test_pages_outside_the_document_are_rejected(
    workspace: Workspace, brief: Path, texts: dict[int, str], layers: dict[int, PageText]
) -> None:
    _add_brief(workspace, brief, layers)
    report = _import(workspace, _jsonl(_quote_item("Plaintiffs", page=41)), texts, layers)
    assert report.rejected == [("line 1", "page 41 is not in the document (it has 40 pages)")]
    assert report.stored == []


def test_position_only_from_this_document(
    annotated: tuple[Workspace, Document, list[Annotation]],
    second: Workspace,
    texts: dict[int, str],
    layers: dict[int, PageText],
) -> None:
    """Positions without a quote are trusted only for the same document (by SHA-256)."""
    _, doc, _ = annotated
    start, end = layers[1].words[12].start, layers[1].words[14].end
    fragment = {"type": "FragmentSelector", "conformsTo": ix.PDF_FRAGMENT, "value": "page=2"}
    position = {"type": "TextPositionSelector", "start": start, "end": end}

    def item(source: str) -> dict[str, Any]:
        return {"body": _tag(), "target": {"source": source, "selector": [fragment, position]}}

    text = _jsonl(item(f"urn:sha256:{doc.sha256}"), item("urn:sha256:" + "0" * 64))
    report = _import(second, text, texts, layers)
    assert len(report.stored) == 1
    assert report.stored[0].selector.exact == texts[1][start:end]
    assert report.stored[0].selector.segments[0].quads == ix.quads_for(layers[1], start, end)
    assert report.rejected == [
        ("line 2", "a position without a quote, made on another document, cannot be placed")
    ]


def test_same_id_with_other_content_is_not_overwritten(
    annotated: tuple[Workspace, Document, list[Annotation]],
    texts: dict[int, str],
    layers: dict[int, PageText],
) -> None:
    ws, doc, live = annotated
    item = json.loads(ix.export_document(ws, doc.sha256, "jsonl").splitlines()[0])
    item["body"][0]["value"] = "another-label"
    report = _import(ws, _jsonl(item, _quote_item("Absent from the brief.")), texts, layers)
    assert report.stored == []
    assert [w for w, _ in report.rejected] == ["line 1", "line 2"]  # in file order
    assert "already exists with different content" in report.rejected[0][1]
    assert store.get(ws, live[0].id) == live[0]


def test_foreign_ids_are_stable_so_reimport_is_idempotent(
    workspace: Workspace, brief: Path, texts: dict[int, str], layers: dict[int, PageText]
) -> None:
    """Another tool's ids (URLs) and missing ids both re-import as 'unchanged'."""
    _add_brief(workspace, brief, layers)
    _, line = _unique_line(texts, min_page=3)
    with_url = {**_quote_item(line), "id": "https://example.org/anno/1"}
    without = _quote_item(DUPLICATED, page=1)
    text = _jsonl(with_url, without)
    first = _import(workspace, text, texts, layers)
    assert len(first.stored) == 2
    events = len(workspace.events())
    second = _import(workspace, text, texts, layers)
    assert second.summary() == {"stored": 0, "unchanged": 2, "rejected": []}
    assert len(workspace.events()) == events


def test_a_label_without_taxonomy_joins_the_shipped_taxonomy_that_has_it(
    workspace: Workspace, brief: Path, texts: dict[int, str], layers: dict[int, PageText]
) -> None:
    """Pre-annotations from other tools name "SSN", not "pii"; unknown labels stay unassigned."""
    _add_brief(workspace, brief, layers)
    _, line = _unique_line(texts, min_page=3)
    ssn = {**_quote_item(line), "body": _tag("SSN")}
    legal = {**_quote_item(DUPLICATED, page=1), "body": _tag("citation")}
    own = {**_quote_item(DUPLICATED, page=1), "body": _tag("made-up-label")}
    report = _import(workspace, _jsonl(ssn, legal, own), texts, layers)
    assert [(a.taxonomy, a.label) for a in report.stored] == [
        ("pii", "SSN"),
        ("legal-errors", "citation"),
        ("", "made-up-label"),
    ]


# -- malformed input ----------------------------------------------------------------------


def test_two_malformed_lines_report_both_and_store_nothing(
    workspace: Workspace, brief: Path, texts: dict[int, str], layers: dict[int, PageText]
) -> None:
    _add_brief(workspace, brief, layers)
    good = _quote_item(DUPLICATED)
    text = _jsonl(good, "{not json", good, {"type": "Annotation", "body": [], "target": "x"})
    with pytest.raises(ix.InterchangeError) as err:
        ix.parse_annotations(text, origin="imported")
    assert [w for w, _ in err.value.problems] == ["line 2", "line 4"]
    assert err.value.problems[0][1].startswith("not JSON")
    assert "no tagging body" in err.value.problems[1][1]
    assert "line 2" in str(err.value)
    assert "line 4" in str(err.value)
    assert _rows(workspace) == 0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"type": "Annotation", "type": "Annotation"}', "duplicate key 'type'"),
        ('[{"body": {"purpose": "tagging", "value": "a", "value": "b"}}]', "duplicate key"),
        ('{"reviewer:quads": [[NaN, 0, 0, 0, 0, 0, 0, 0]]}', "NaN"),
        ('{"reviewer:quads": [[Infinity, 0, 0, 0, 0, 0, 0, 0]]}', "Infinity"),
        ('{"reviewer:quads": -Infinity}', "-Infinity"),
        ("[" * 100_000, "nested too deeply"),
        ("[1, 2", "not JSON"),
    ],
)
def test_hostile_json_is_refused(text: str, reason: str) -> None:
    with pytest.raises(ix.InterchangeError) as err:
        ix.parse_annotations(text, origin="imported")
    assert len(err.value.problems) == 1
    assert reason in err.value.problems[0][1]


def _item(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": "Annotation",
        "body": [_tag("label")],
        "target": {
            "selector": [
                {"type": "FragmentSelector", "conformsTo": ix.PDF_FRAGMENT, "value": "page=1"},
                {"type": "TextQuoteSelector", "exact": "Case"},
            ]
        },
    }
    base.update(changes)
    return base


def _selectors(*selectors: dict[str, Any]) -> dict[str, Any]:
    return {"selector": list(selectors)}


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ([1, 2], "not an object"),
        ("text", "not an object"),
        (_item(type="AnnotationPage"), "not 'Annotation'"),
        (_item(body={"type": "TextualBody", "value": "x"}), "no tagging body"),
        (_item(body=[{"purpose": "tagging"}]), "label missing"),
        (_item(body=[{"purpose": "tagging", "value": 3}]), "label is not text"),
        (_item(body=[_tag("a"), _tag("b")]), "more than one tagging body"),
        (_item(target={"selector": {"type": "MagicSelector", "value": "p"}}), "unknown type"),
        (_item(target={"selector": {"type": "CssSelector", "value": "p"}}), "no usable selector"),
        (
            _item(target=_selectors({"type": "FragmentSelector", "value": "page=two"})),
            "page is not an integer",
        ),
        (_item(target=_selectors({"type": "FragmentSelector", "value": "page=0"})), "start at 1"),
        (
            _item(target=_selectors({"type": "TextPositionSelector", "start": 5, "end": 2})),
            "0 <= start < end",
        ),
        (
            _item(target=_selectors({"type": "TextPositionSelector", "start": 1.5, "end": 2})),
            "must be integers",
        ),
        (_item(target="urn:sha256:abc"), "has no selector"),
        (_item(target=None), "no target"),
        (_item(target=_selectors({"type": "TextQuoteSelector", "exact": " "})), "no exact text"),
        (_item(**{"reviewer:state": "maybe"}), "reviewer:state must be one of"),
        (_item(created="yesterday"), "created is not an ISO 8601 date-time"),
        (_item(id="urn:uuid:not-a-uuid"), "not a valid urn:uuid"),
        (
            _item(target={**_item()["target"], "reviewer:quads": [[1, 2, 3]]}),
            "reviewer:quads must be a list of lists of 8 numbers",
        ),
        (_item(comment="\ud800"), "lone surrogate"),
        (
            _item(
                target=_selectors(
                    {
                        "type": "FragmentSelector",
                        "conformsTo": ix.MEDIA_FRAGMENT,
                        "value": "xywh=percent:1,2,3,4",
                    }
                )
            ),
            "unit 'percent'",
        ),
        (
            _item(
                target=[
                    _selectors(
                        {"type": "FragmentSelector", "value": "page=1"},
                        {"type": "FragmentSelector", "value": "xywh=pt:1,2,3,4"},
                    ),
                    _selectors({"type": "TextQuoteSelector", "exact": "x"}),
                ]
            ),
            "exactly one target",
        ),
    ],
)
def test_malformed_items_say_why(item: Any, reason: str) -> None:
    with pytest.raises(ix.InterchangeError) as err:
        ix.parse_annotations(json.dumps([_item(), item]), origin="imported")
    assert len(err.value.problems) == 1
    where, why = err.value.problems[0]
    assert where == "[1]"
    assert reason in why


def test_empty_input_is_no_annotations() -> None:
    assert ix.parse_annotations("", origin="imported") == []
    assert ix.parse_annotations('{"type": "AnnotationPage", "items": []}', origin="x") == []


def test_other_tools_shapes_are_understood() -> None:
    """refinedBy, a single selector object, bodyValue as comment, motivation tagging."""
    item = {
        "@context": ["http://www.w3.org/ns/anno.jsonld"],
        "type": ["Annotation"],
        "motivation": "tagging",
        "body": [{"type": "TextualBody", "value": "risk"}],
        "bodyValue": "a note",
        "creator": [{"type": "Person", "nickname": "ana"}],
        "created": "2024-03-01T10:00:00Z",
        "target": {
            "source": "https://example.org/brief.pdf",
            "selector": {
                "type": "FragmentSelector",
                "value": "#page=3",
                "refinedBy": {"type": "TextQuoteSelector", "exact": "Plaintiffs"},
            },
        },
    }
    (p,) = ix.parse_annotations(json.dumps(item, indent=2), origin="hypothesis")
    assert (p.label, p.comment, p.author, p.origin) == ("risk", "a note", "ana", "hypothesis")
    assert p.created_at == p.updated_at == "2024-03-01T10:00:00.000000+00:00"
    assert p.targets[0].page == 2
    assert p.targets[0].exact == "Plaintiffs"
    assert p.where == "annotation"


def test_hypothesis_style_targets_are_understood() -> None:
    """Selectors reviewer cannot use (RangeSelector, XPath…) are skipped, not fatal."""
    item = {
        "type": "Annotation",
        "body": [_tag("risk")],
        "target": [
            {
                "source": {"id": "https://example.org/brief.pdf"},
                "selector": [
                    {"type": "RangeSelector", "startSelector": {"type": "XPathSelector"}},
                    {"type": "TextPositionSelector", "start": 1200, "end": 1210},
                    {"type": "TextQuoteSelector", "exact": "Plaintiffs", "prefix": "ment. "},
                ],
            }
        ],
    }
    (p,) = ix.parse_annotations(json.dumps([item]), origin="imported")
    t = p.targets[0]
    assert (t.source, t.page, t.exact, t.prefix, t.start) == (
        "https://example.org/brief.pdf",
        None,
        "Plaintiffs",
        "ment. ",
        1200,
    )


# -- the command line -------------------------------------------------------------------------


@pytest.fixture
def home(_isolated_home: Path) -> Path:
    """The REVIEWER_HOME given to the subprocesses (the test's own isolated home)."""
    return _isolated_home


def run_cli(*args: str | Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "REVIEWER_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "reviewer", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env=env,
        cwd=home.parent,
        check=False,
    )


@pytest.fixture
def cli_workspace(tmp_path: Path, brief: Path, layers: dict[int, PageText]) -> Path:
    """A workspace folder on disk holding the annotated brief (closed: the CLI takes the lock)."""
    folder = tmp_path / "cli-ws"
    with Workspace.open(resolve(folder)) as ws:
        _annotate(ws, _add_brief(ws, brief, layers), layers)
    return folder


def _one_line(result: subprocess.CompletedProcess[str], command: str, name: str) -> str:
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"reviewer annotations {command}: {name}")
    return lines[0]


def test_cli_export_to_stdout_and_file(
    cli_workspace: Path, brief: Path, tmp_path: Path, home: Path
) -> None:
    result = run_cli("annotations", "export", brief, "--workspace", cli_workspace, home=home)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["type"] == "AnnotationCollection"
    assert data["total"] == 4

    out = tmp_path / "out" / "brief annotations.jsonl"
    out.parent.mkdir()
    result = run_cli(
        "annotations",
        "export",
        brief,
        "--format",
        "jsonl",
        "-o",
        out,
        "--workspace",
        cli_workspace,
        home=home,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4
    assert json.loads(lines[0])["body"][1]["value"] == COMMENT
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no temp file left

    missing = tmp_path / "no such folder" / "x.json"
    result = run_cli(
        "annotations",
        "export",
        brief,
        "-o",
        missing,
        "--workspace",
        cli_workspace,
        home=home,
    )
    assert result.returncode == 2
    _one_line(result, "export", "x.json")


def test_cli_import_exit_codes(
    cli_workspace: Path, brief: Path, tmp_path: Path, home: Path
) -> None:
    exported = tmp_path / "exported.json"
    result = run_cli(
        "annotations",
        "export",
        brief,
        "-o",
        exported,
        "--workspace",
        cli_workspace,
        home=home,
    )
    assert result.returncode == 0, result.stderr
    target = tmp_path / "target-ws"

    def import_(doc: Path, file: Path) -> subprocess.CompletedProcess[str]:
        return run_cli("annotations", "import", doc, file, "--workspace", target, home=home)

    # 0: all stored into an empty workspace (the document is added), then all unchanged
    result = import_(brief, exported)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"stored": 4, "unchanged": 0, "rejected": []}
    result = import_(brief, exported)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"stored": 0, "unchanged": 4, "rejected": []}

    # 1: a quote that is not in the document is reported, the others stored
    partly = tmp_path / "partly.jsonl"
    partly.write_text(
        _jsonl(_quote_item(DUPLICATED), _quote_item("Nowhere in this brief.")), encoding="utf-8"
    )
    result = import_(brief, partly)
    assert result.returncode == 1, result.stderr
    summary = json.loads(result.stdout)
    assert summary["stored"] == 1
    assert [r["where"] for r in summary["rejected"]] == ["line 2"]
    assert "not found" in summary["rejected"][0]["reason"]

    # 2: malformed input (nothing stored), a document that cannot be opened
    malformed = tmp_path / "malformed.jsonl"
    malformed.write_text(_jsonl(_quote_item("Case"), "[1]", "nope"), encoding="utf-8")
    result = import_(brief, malformed)
    assert result.returncode == 2
    line = _one_line(result, "import", "malformed.jsonl")
    assert "line 2" in line
    assert "line 3" in line
    assert [r["where"] for r in json.loads(result.stdout)["rejected"]] == ["line 2", "line 3"]
    not_a_pdf = tmp_path / "not a document.pdf"
    not_a_pdf.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    result = import_(not_a_pdf, exported)
    assert result.returncode == 2
    assert result.stdout == ""
    _one_line(result, "import", not_a_pdf.name)
    result = import_(brief, tmp_path / "missing.json")
    assert result.returncode == 2
    _one_line(result, "import", "missing.json")

    with Workspace.open(resolve(target)) as ws:
        (doc,) = ws.documents()  # the corrupt file was not added
        assert len(store.for_document(ws, doc.sha256)) == 5


def test_jsonl_lines_split_only_at_newlines() -> None:
    """Another tool's JSON Lines may hold U+2028 raw inside a string: still one record."""
    item = {**_quote_item("Case"), "bodyValue": "one\u2028two\u0085three"}
    text = _jsonl(json.dumps(item, ensure_ascii=False), json.dumps(item, ensure_ascii=False))
    parsed = ix.parse_annotations(text, origin="imported")
    assert [p.comment for p in parsed] == ["one\u2028two\u0085three"] * 2
