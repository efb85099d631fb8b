"""Task batches (.rvbatch): made from real PDFs, read back, and imported into a workspace."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from reviewer.core import batches
from reviewer.core.batch_file import (
    MAX_CITATIONS,
    BatchError,
    SourceDocument,
    check_citations_csv,
    create_batch,
    default_items,
    items_from_lines,
    known_citations,
    read_batch,
    read_citations_file,
)
from reviewer.core.batch_import import import_batch
from reviewer.core.blobs import sha256_file
from reviewer.core.errors import ReviewerError
from reviewer.core.store import Workspace
from reviewer.core.taxonomy import builtin_taxonomy

CREATED = "2025-03-01T09:00:00.000000+00:00"
ENCRYPTED = "pdfminer__aes-256.pdf"
TEXT_MEMBERS = ["manifest.json", "items.jsonl", "taxonomy.json", "instructions.md"]


def _source(path: Path, pages: int | None = None) -> SourceDocument:
    if pages is None:
        with pymupdf.open(path) as doc:
            pages = doc.page_count
    return SourceDocument(path, sha256_file(path), pages, "application/pdf")


@pytest.fixture
def docs(generated: dict[str, Path]) -> dict[str, SourceDocument]:
    """The sample documents (and the 40-page brief) by file name, as a lead would give them."""
    samples = generated["samples"]
    names = ["credit_agreement.pdf", "motion_draft_a.pdf", "motion_draft_b.pdf"]
    found = {n: _source(samples / n) for n in [*names, "scanned_letter.pdf"]}
    found["brief_40.pdf"] = _source(generated["brief"])
    return found


def _create(
    output: Path,
    documents: list[SourceDocument],
    *,
    task: str = "review",
    items: list[dict[str, Any]] | None = None,
    batch_id: str | None = "batch-1",
    instructions: str = "# Instructions\n\nMark every factual error.\n",
    name: str = "March review",
    citations: str | None = None,
) -> dict[str, Any]:
    return create_batch(
        output,
        name=name,
        task=task,
        taxonomy=builtin_taxonomy("legal-errors"),
        instructions=instructions,
        documents=documents,
        items=items if items is not None else default_items(task, documents),
        batch_id=batch_id,
        created=CREATED,
        citations=citations,
    )


def _counts(ws: Workspace) -> dict[str, int]:
    tables = ("batch", "item", "item_document", "document", "event")
    return {t: ws.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def _blobs(ws: Workspace) -> list[Path]:
    root = ws.paths.blobs
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# -- making and reading -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "names", "expected_items"),
    [
        ("review", ["credit_agreement.pdf", "motion_draft_a.pdf"], 2),
        ("redact", ["scanned_letter.pdf"], 1),
        ("compare", ["motion_draft_a.pdf", "motion_draft_b.pdf"], 1),
        ("compare", ["motion_draft_a.pdf", "motion_draft_b.pdf", "credit_agreement.pdf"], 1),
        ("ocr", ["brief_40.pdf"], 40),
    ],
    ids=["review", "redact", "compare-2", "compare-3", "ocr"],
)
def test_create_then_read_round_trips(
    tmp_path: Path,
    docs: dict[str, SourceDocument],
    task: str,
    names: list[str],
    expected_items: int,
) -> None:
    """What create_batch writes, read_batch reads back: manifest, items, taxonomy, documents."""
    sources = [docs[n] for n in names]
    path = tmp_path / "round.rvbatch"
    manifest = _create(path, sources, task=task)
    content = read_batch(path, tmp_path / "scratch")
    assert content.manifest == manifest
    assert content.batch_id == "batch-1"
    assert manifest["format"] == "reviewer-batch"
    assert manifest["version"] == 1
    assert (manifest["name"], manifest["task"], manifest["created"]) == (
        "March review",
        task,
        CREATED,
    )
    assert manifest["taxonomy_id"] == "legal-errors" == content.taxonomy.id
    assert content.instructions == "# Instructions\n\nMark every factual error.\n"
    assert [d["name"] for d in manifest["documents"]] == names
    assert [d["sha256"] for d in manifest["documents"]] == [s.sha256 for s in sources]
    assert len(content.items) == expected_items
    assert content.items == default_items(task, sources)
    assert {item["task"] for item in content.items} == {task}
    for source in sources:  # unpacked, hash checked, byte for byte
        assert content.documents[source.sha256].read_bytes() == source.path.read_bytes()
    if task == "compare":
        assert content.items[0]["documents"] == [s.sha256 for s in sources]
    elif task == "ocr":
        assert [i["page"] for i in content.items] == list(range(1, 41))
        assert content.items[0]["title"] == "brief_40.pdf, page 1"
        assert {i["documents"][0] for i in content.items} == {sources[0].sha256}
    else:
        assert [i["documents"] for i in content.items] == [[s.sha256] for s in sources]
        assert [i["title"] for i in content.items] == names
    assert [i["id"] for i in content.items] == [str(n) for n in range(1, expected_items + 1)]


@pytest.mark.parametrize("count", [1, 4])
def test_default_compare_items_need_two_or_three_drafts(
    docs: dict[str, SourceDocument], count: int
) -> None:
    """A compare batch of 1 or 4 documents cannot guess which drafts go together."""
    sources = list(docs.values())[:count]
    with pytest.raises(ReviewerError, match=f"2 or 3 drafts, {count} documents were given"):
        default_items("compare", sources)


def test_items_from_lines_by_file_name_and_sha256(
    tmp_path: Path, docs: dict[str, SourceDocument]
) -> None:
    """Documents named by file name or SHA-256; ids, tasks, prompts and data kept."""
    a, b = docs["motion_draft_a.pdf"], docs["motion_draft_b.pdf"]
    lines = "\n".join(
        [
            json.dumps(
                {"id": "q1", "documents": ["motion_draft_a.pdf", b.sha256], "prompt": "Diff?"}
            ),
            "",  # blank lines are skipped
            json.dumps({"documents": "motion_draft_b.pdf", "task": "review", "data": {"k": 1}}),
        ]
    )
    items = items_from_lines(lines, "items.jsonl", "compare", [a, b])
    assert items == [
        {"id": "q1", "task": "compare", "documents": [a.sha256, b.sha256], "prompt": "Diff?"},
        {"id": "2", "task": "review", "documents": [b.sha256], "data": {"k": 1}},
    ]
    path = tmp_path / "mixed.rvbatch"
    _create(path, [a, b], task="compare", items=items)
    assert read_batch(path, tmp_path / "scratch").items == items


def test_items_from_lines_refuses_unknown_names_and_bad_lines(
    docs: dict[str, SourceDocument],
) -> None:
    """An unknown file name is named with its line; malformed lines and empty files refused."""
    sources = [docs["motion_draft_a.pdf"]]
    line = json.dumps({"documents": ["motion_draft_a.pdf", "exhibit C.pdf"]})
    with pytest.raises(ReviewerError, match=r"items\.jsonl line 2: exhibit C\.pdf is not among"):
        items_from_lines("\n" + line, "items.jsonl", "review", sources)
    with pytest.raises(ReviewerError, match=r"items\.jsonl line 1"):
        items_from_lines("{not json", "items.jsonl", "review", sources)
    with pytest.raises(ReviewerError, match=r"line 1: expected a JSON object"):
        items_from_lines("[1, 2]", "items.jsonl", "review", sources)
    with pytest.raises(ReviewerError, match=r"line 1: 'documents' must list file names"):
        items_from_lines('{"documents": [1]}', "items.jsonl", "review", sources)
    with pytest.raises(ReviewerError, match=r"line 1"):  # duplicate keys are malformed
        items_from_lines('{"id": "a", "id": "b", "documents": []}', "i.jsonl", "review", sources)
    with pytest.raises(ReviewerError, match=r"items\.jsonl: no items"):
        items_from_lines("\n\n", "items.jsonl", "review", sources)


def test_duplicate_ids_and_pages_out_of_range_are_refused(
    tmp_path: Path, docs: dict[str, SourceDocument]
) -> None:
    """create_batch checks the items: an id used twice, a page past the end, wrong draft counts."""
    credit = docs["credit_agreement.pdf"]  # 8 pages
    a, b = docs["motion_draft_a.pdf"], docs["motion_draft_b.pdf"]
    path = tmp_path / "bad.rvbatch"
    lines = '{"id": "x", "documents": ["credit_agreement.pdf"]}\n' * 2
    items = items_from_lines(lines, "items.jsonl", "review", [credit])
    with pytest.raises(ReviewerError, match="the id 'x' is used twice"):
        _create(path, [credit], items=items)
    page = items_from_lines(
        '{"documents": ["credit_agreement.pdf"], "page": 9}', "items.jsonl", "ocr", [credit]
    )
    with pytest.raises(ReviewerError, match=r"page 9 is not in the document \(8 pages\)"):
        _create(path, [credit], task="ocr", items=page)
    no_page = [{"id": "1", "task": "ocr", "documents": [credit.sha256]}]
    with pytest.raises(ReviewerError, match="an ocr item needs a page number"):
        _create(path, [credit], task="ocr", items=no_page)
    one_draft = [{"id": "1", "task": "compare", "documents": [a.sha256]}]
    with pytest.raises(ReviewerError, match="a compare item takes 2 or 3 drafts, not 1"):
        _create(path, [a, b], task="compare", items=one_draft)
    two_docs = [{"id": "1", "task": "review", "documents": [a.sha256, b.sha256]}]
    with pytest.raises(ReviewerError, match="a review item works on one document, not 2"):
        _create(path, [a, b], items=two_docs)
    with pytest.raises(ReviewerError, match="unknown task"):
        _create(path, [a], task="translate", items=[])
    assert not path.exists()
    assert list(tmp_path.glob(".*.tmp")) == []


def test_a_batch_without_items_is_not_written(
    tmp_path: Path, docs: dict[str, SourceDocument]
) -> None:
    """The writer refuses what its own reader would refuse: a batch with no items."""
    path = tmp_path / "empty.rvbatch"
    with pytest.raises(ReviewerError, match="no items"):
        _create(path, [docs["motion_draft_a.pdf"]], items=[])
    assert not path.exists()


def test_manifest_lists_exactly_the_members_of_the_zip(
    tmp_path: Path, docs: dict[str, SourceDocument]
) -> None:
    """Every member but the manifest is listed with its true size and SHA-256, and no other."""
    sources = [docs["credit_agreement.pdf"], docs["scanned_letter.pdf"]]
    path = tmp_path / "listed.rvbatch"
    manifest = _create(path, sources)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        actual = {
            n: (len(data := archive.read(n)), hashlib.sha256(data).hexdigest()) for n in names
        }
        methods = {i.filename: i.compress_type for i in archive.infolist()}
        assert json.loads(archive.read("manifest.json")) == manifest
    listed = {m["name"]: (m["size"], m["sha256"]) for m in manifest["members"]}
    assert len(listed) == len(manifest["members"])
    assert sorted(listed) == sorted(set(names) - {"manifest.json"})
    assert len(names) == len(set(names))
    assert {n: actual[n] for n in listed} == listed
    members = [f"documents/{s.sha256}.pdf" for s in sources]
    assert names == [*TEXT_MEMBERS, *members]
    assert [d["member"] for d in manifest["documents"]] == members
    # Documents are stored (PDFs are compressed already); the text members are deflated.
    assert {n: methods[n] for n in members} == dict.fromkeys(members, zipfile.ZIP_STORED)
    assert {n: methods[n] for n in TEXT_MEMBERS} == dict.fromkeys(
        TEXT_MEMBERS, zipfile.ZIP_DEFLATED
    )


def test_same_inputs_give_the_same_bytes(tmp_path: Path, docs: dict[str, SourceDocument]) -> None:
    """A fixed batch id and creation time make the file reproducible, byte for byte."""
    sources = [docs["motion_draft_a.pdf"], docs["motion_draft_b.pdf"]]
    first, second = tmp_path / "one.rvbatch", tmp_path / "two.rvbatch"
    _create(first, sources, task="compare")
    _create(second, sources, task="compare")
    assert first.read_bytes() == second.read_bytes()
    third = tmp_path / "three.rvbatch"
    _create(third, sources, task="compare", batch_id=None)  # a fresh uuid4
    assert third.read_bytes() != first.read_bytes()


# -- importing ---------------------------------------------------------------------------


def test_import_stores_batch_items_documents_and_one_event(
    tmp_path: Path, docs: dict[str, SourceDocument], workspace: Workspace
) -> None:
    """One import: the batch, its items (todo), item_document rows, blobs, one event."""
    credit, letter = docs["credit_agreement.pdf"], docs["scanned_letter.pdf"]
    items = items_from_lines(
        "\n".join(
            [
                json.dumps({"id": "a", "documents": ["credit_agreement.pdf"], "prompt": "Check"}),
                json.dumps({"id": "b", "documents": ["scanned_letter.pdf"], "data": {"n": 2}}),
            ]
        ),
        "items.jsonl",
        "review",
        [credit, letter],
    )
    path = tmp_path / "import me.rvbatch"
    _create(path, [credit, letter], items=items)
    result = import_batch(workspace, path)
    assert result.as_json() == {
        "batch_id": "batch-1",
        "name": "March review",
        "status": "imported",
        "items": 2,
        "documents": 2,
    }
    [stored] = batches.batches(workspace)
    assert (stored.id, stored.name, stored.task, stored.taxonomy_id) == (
        "batch-1",
        "March review",
        "review",
        "legal-errors",
    )
    assert stored.source_name == "import me.rvbatch"
    assert stored.created_at == CREATED
    assert stored.instructions.startswith("# Instructions")
    assert batches.batch_taxonomy(workspace, "batch-1").id == "legal-errors"
    found = batches.items(workspace, "batch-1")
    assert [i.id for i in found] == ["batch-1/a", "batch-1/b"]
    assert [i.status for i in found] == ["todo", "todo"]
    assert [i.documents for i in found] == [(credit.sha256,), (letter.sha256,)]
    assert [i.title for i in found] == ["credit_agreement.pdf", "scanned_letter.pdf"]
    assert (found[0].prompt, found[1].data) == ("Check", {"n": 2})
    assert [i.page for i in found] == [None, None]
    rows = workspace.db.execute("SELECT item, doc FROM item_document ORDER BY item").fetchall()
    assert rows == [("batch-1/a", credit.sha256), ("batch-1/b", letter.sha256)]
    for source in (credit, letter):
        document = workspace.document(source.sha256)
        assert document is not None
        assert document.original_name == source.path.name
        assert document.original_path == ""  # no path from the lead's machine
        assert document.page_count == source.page_count
        assert workspace.blob_path(source.sha256).read_bytes() == source.path.read_bytes()
    [event] = workspace.events(entity="batch")
    assert (event.kind, event.entity_id) == ("batch.imported", "batch-1")
    assert event.after is not None
    assert (event.after["items"], event.after["documents"]) == (2, 2)
    with zipfile.ZipFile(path) as archive:
        raw_manifest = archive.read("manifest.json")
    assert event.after["manifest_sha256"] == hashlib.sha256(raw_manifest).hexdigest()
    assert stored.manifest_sha256 == event.after["manifest_sha256"]
    assert not list(workspace.paths.cache.glob("batch-*"))  # the scratch folder is gone


def test_ocr_items_are_stored_per_page(
    tmp_path: Path, docs: dict[str, SourceDocument], workspace: Workspace
) -> None:
    """An ocr batch of the 40-page brief: 40 items, pages stored 0-based, one document row."""
    brief = docs["brief_40.pdf"]
    path = tmp_path / "ocr.rvbatch"
    _create(path, [brief], task="ocr")
    assert import_batch(workspace, path).items == 40
    found = batches.items(workspace, "batch-1")
    assert [i.page for i in found] == list(range(40))
    assert found[2].title == "brief_40.pdf, page 3"
    assert _counts(workspace)["item_document"] == 40
    assert len(workspace.documents()) == 1


def test_importing_the_same_file_again_changes_nothing(
    tmp_path: Path, docs: dict[str, SourceDocument], workspace: Workspace
) -> None:
    """The second import reports 'unchanged' and adds no row and no event."""
    path = tmp_path / "twice.rvbatch"
    _create(path, [docs["motion_draft_a.pdf"], docs["motion_draft_b.pdf"]], task="compare")
    assert import_batch(workspace, path).status == "imported"
    before = _counts(workspace)
    again = import_batch(workspace, path)
    assert again.status == "unchanged"
    assert (again.batch_id, again.items, again.documents) == ("batch-1", 1, 2)
    assert _counts(workspace) == before
    [item] = batches.items(workspace, "batch-1")
    assert item.title == "motion_draft_a.pdf vs motion_draft_b.pdf"


def test_a_different_file_reusing_the_batch_id_is_refused(
    tmp_path: Path, docs: dict[str, SourceDocument], workspace: Workspace
) -> None:
    """Same batch id, other content: BatchError 'different batch', nothing stored."""
    first = tmp_path / "first.rvbatch"
    _create(first, [docs["motion_draft_a.pdf"]])
    import_batch(workspace, first)
    before, blobs = _counts(workspace), _blobs(workspace)
    second = tmp_path / "second.rvbatch"
    _create(second, [docs["motion_draft_a.pdf"], docs["credit_agreement.pdf"]])
    with pytest.raises(BatchError, match="different batch") as caught:
        import_batch(workspace, second)
    assert str(caught.value).startswith("second.rvbatch: ")
    assert "first.rvbatch" in str(caught.value)
    assert _counts(workspace) == before
    assert _blobs(workspace) == blobs
    assert workspace.document(docs["credit_agreement.pdf"].sha256) is None
    assert [i.id for i in batches.items(workspace, "batch-1")] == ["batch-1/1"]


def test_a_batch_with_an_encrypted_document_stores_nothing(
    tmp_path: Path, docs: dict[str, SourceDocument], workspace: Workspace, shared_pdfs: Path
) -> None:
    """An encrypted PDF in a batch: BatchError naming it; no batch, item, document or blob."""
    encrypted = _source(shared_pdfs / ENCRYPTED, pages=1)
    path = tmp_path / "locked.rvbatch"
    _create(path, [docs["credit_agreement.pdf"], encrypted])
    before = _counts(workspace)
    with pytest.raises(BatchError, match=f"{ENCRYPTED} is encrypted") as caught:
        import_batch(workspace, path)
    assert str(caught.value).startswith("locked.rvbatch: ")
    assert _counts(workspace) == before
    assert workspace.documents() == []
    assert _blobs(workspace) == []
    assert not list(workspace.paths.cache.glob("batch-*"))


def test_a_batch_with_a_corrupt_pdf_stores_nothing(
    tmp_path: Path, docs: dict[str, SourceDocument], workspace: Workspace
) -> None:
    """A PDF that cannot be opened: BatchError naming it 'cannot be opened'; nothing stored."""
    corrupt = tmp_path / "garbled exhibit.pdf"
    corrupt.write_bytes(b"%PDF-1.7\n" + os.urandom(4096))
    path = tmp_path / "damaged.rvbatch"
    _create(path, [docs["motion_draft_a.pdf"], _source(corrupt, pages=1)])
    before = _counts(workspace)
    with pytest.raises(BatchError, match=r"garbled exhibit\.pdf cannot be opened"):
        import_batch(workspace, path)
    assert _counts(workspace) == before
    assert _blobs(workspace) == []


def test_lines_without_an_id_never_take_one_given_elsewhere(
    docs: dict[str, SourceDocument],
) -> None:
    """A line without an id gets its position unless a later line already uses it."""
    a = docs["motion_draft_a.pdf"]
    lines = "\n".join(
        json.dumps(entry)
        for entry in (
            {"documents": ["motion_draft_a.pdf"]},
            {"documents": ["motion_draft_a.pdf"]},
            {"id": "2", "documents": ["motion_draft_a.pdf"]},
        )
    )
    items = items_from_lines(lines, "items.jsonl", "review", [a])
    assert [i["id"] for i in items] == ["1", "3", "2"]


# -- known citations ------------------------------------------------------------------------

CITATIONS = (
    "citation,case_name\n"
    "550 U.S. 544,Bell Atlantic Corp. v. Twombly\n"
    '556 U.S. 662,"Ashcroft v. Iqbal"\n'
    "\n"  # blank lines are skipped
    "578 F.3d 203,\n"  # a case name is optional
)


def _rewritten(path: Path, target: Path, name: str, data: bytes) -> Path:
    """The batch with member ``name`` set to ``data`` and the manifest listing it truthfully."""
    with zipfile.ZipFile(path) as archive:
        members = {i.filename: archive.read(i) for i in archive.infolist()}
    manifest = json.loads(members["manifest.json"])
    listed = [m for m in manifest["members"] if m["name"] != name]
    manifest["members"] = [
        *listed,
        {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()},
    ]
    members[name] = data
    members["manifest.json"] = json.dumps(manifest, indent=2).encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for member, content in members.items():
            out.writestr(member, content)
    return target


def test_known_citations_travel_with_the_batch(
    tmp_path: Path, docs: dict[str, SourceDocument], workspace: Workspace
) -> None:
    """citations.csv: listed with its hash after the instructions, read back as given (a
    byte order mark dropped), stored in the workspace; a batch without one stores ''."""
    sources = [docs["motion_draft_a.pdf"], docs["motion_draft_b.pdf"]]
    path = tmp_path / "cited.rvbatch"
    manifest = _create(path, sources, task="compare", citations="\ufeff" + CITATIONS)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        data = archive.read("citations.csv")
    assert names[:5] == [*TEXT_MEMBERS, "citations.csv"]
    assert data == CITATIONS.encode()
    listed = {m["name"]: m for m in manifest["members"]}
    assert listed["citations.csv"] == {
        "name": "citations.csv",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    content = read_batch(path, tmp_path / "scratch")
    assert content.citations == CITATIONS
    assert import_batch(workspace, path).status == "imported"
    assert known_citations(workspace, "batch-1") == CITATIONS

    plain = tmp_path / "plain.rvbatch"
    _create(plain, sources, task="compare", batch_id="batch-2")
    with zipfile.ZipFile(plain) as archive:
        assert "citations.csv" not in archive.namelist()
    assert read_batch(plain, tmp_path / "scratch-2").citations == ""
    import_batch(workspace, plain)
    assert known_citations(workspace, "batch-2") == ""
    with pytest.raises(batches.ItemError, match="no batch 'batch-3'"):
        known_citations(workspace, "batch-3")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "known.csv: empty"),
        ("cite,name\n550 U.S. 544,Twombly\n", "known.csv line 1: the header must be"),
        ("citation,case_name\n", "known.csv: no citations after the header"),
        ("citation,case_name\n550 U.S. 544,Twombly\n,Iqbal\n", "known.csv line 3: the citation"),
        ("citation,case_name\n550 U.S. 544\n", "known.csv line 2: 1 fields, expected 2"),
        ("citation,case_name\na,b,c\n", "known.csv line 2: 3 fields"),
        ('citation,case_name\n"550 U.S." 544,x\n', "known.csv line 2: not CSV"),
    ],
    ids=["empty", "header", "no rows", "empty citation", "one field", "three fields", "quote"],
)
def test_malformed_citations_are_refused_naming_the_line(
    tmp_path: Path, docs: dict[str, SourceDocument], text: str, problem: str
) -> None:
    """check_citations_csv names the file and the line; create_batch refuses and writes nothing."""
    with pytest.raises(ReviewerError) as caught:
        check_citations_csv(text, "known.csv")
    assert str(caught.value).startswith(problem)
    path = tmp_path / "bad.rvbatch"
    with pytest.raises(ReviewerError, match=r"citations\.csv"):
        _create(path, [docs["motion_draft_a.pdf"]], citations=text)
    assert not path.exists()


def test_read_citations_file_caps_size_and_needs_utf8(tmp_path: Path) -> None:
    """The lead's file: a BOM is fine; not UTF-8, too large or malformed: refused by name."""
    good = tmp_path / "known.csv"
    good.write_bytes(b"\xef\xbb\xbf" + CITATIONS.encode())
    assert read_citations_file(good) == CITATIONS
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"citation,case_name\n1 A.2d 1,Caf\xe9 v. Bar\n")
    with pytest.raises(ReviewerError, match=r"latin\.csv line 2: not UTF-8 text \(byte 31\)"):
        read_citations_file(latin)
    huge = tmp_path / "huge.csv"
    row = b"550 U.S. 544,Bell Atlantic Corp. v. Twombly\n"
    huge.write_bytes(b"citation,case_name\n" + row * (MAX_CITATIONS // len(row) + 1))
    with pytest.raises(ReviewerError, match=r"huge\.csv: larger than 8 MiB"):
        read_citations_file(huge)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            b"citation,case_name\n550 U.S. 544,x\n ,y\n",
            "citations.csv line 3: the citation is empty",
        ),
        (b"case,name\n550 U.S. 544,x\n", "citations.csv line 1: the header must be"),
        (b"citation,case_name\n1 A.2d 1,Caf\xe9\n", "citations.csv line 2: not UTF-8 text"),
    ],
    ids=["empty citation", "header", "not UTF-8"],
)
def test_a_batch_with_malformed_citations_is_not_imported(
    tmp_path: Path,
    docs: dict[str, SourceDocument],
    workspace: Workspace,
    data: bytes,
    reason: str,
) -> None:
    """A hand-made batch whose (truthfully listed) citations.csv is malformed: BatchError
    naming the batch, the member and the line; nothing stored."""
    good = tmp_path / "good.rvbatch"
    _create(good, [docs["motion_draft_a.pdf"]], citations=CITATIONS)
    bad = _rewritten(good, tmp_path / "bad.rvbatch", "citations.csv", data)
    with pytest.raises(BatchError) as caught:
        read_batch(bad, tmp_path / "scratch")
    assert caught.value.reason.startswith(reason)
    assert str(caught.value).startswith("bad.rvbatch: citations.csv")
    before = _counts(workspace)
    with pytest.raises(BatchError, match=r"citations\.csv"):
        import_batch(workspace, bad)
    assert _counts(workspace) == before


def test_an_unlisted_citations_member_is_refused(
    tmp_path: Path, docs: dict[str, SourceDocument]
) -> None:
    """citations.csv slipped into a batch without the manifest listing it: refused."""
    good = tmp_path / "good.rvbatch"
    _create(good, [docs["motion_draft_a.pdf"]])
    smuggled = tmp_path / "smuggled.rvbatch"
    with zipfile.ZipFile(good) as archive, zipfile.ZipFile(smuggled, "w") as out:
        for info in archive.infolist():
            out.writestr(info, archive.read(info))
        out.writestr("citations.csv", CITATIONS)
    with pytest.raises(BatchError, match=r"citations\.csv is in the file but not in the manifest"):
        read_batch(smuggled, tmp_path / "scratch")
