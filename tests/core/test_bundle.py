"""Submission bundles (.rvbundle): a batch's work, exported, signed and verified."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from reviewer.core import annotations as store
from reviewer.core import batches, identity, judgements
from reviewer.core.batch_import import import_batch
from reviewer.core.blobs import sha256_file
from reviewer.core.bundle import (
    BundleError,
    BundleRejected,
    RedactedCopy,
    UnfinishedWork,
    export_bundle,
    verify_bundle,
)
from reviewer.core.identity import Identity
from reviewer.core.model import Annotation, Item, Selector, TextSegment
from reviewer.core.store import Workspace
from reviewer.core.timesheet import Segment, TimeLog

FIXED_MEMBERS = [
    "manifest.json",
    "manifest.sig",
    "annotations.jsonl",
    "events.jsonl",
    "items.jsonl",
    "judgements.jsonl",
    "timesheet.csv",
]


@dataclass
class Work:
    """A batch of two documents worked on: what the bundle must carry and leave out."""

    ws: Workspace
    who: Identity
    batch: str
    items: list[Item]
    kept: list[Annotation]  # live annotations on the batch's items
    deleted: Annotation  # on an item, then deleted
    outside: Annotation  # on a document that is not in the batch
    segments: list[Segment]


def _area(page: int, y: float) -> Selector:
    return Selector(kind="area", page=page, rect=(72.0, y, 300.0, y + 20.0))


def _annotation(doc: str, item: str | None, y: float, comment: str = "") -> Annotation:
    return Annotation(
        id=store.new_id(),
        document=doc,
        taxonomy="legal-errors",
        label="factual",
        selector=_area(0, y),
        comment=comment,
        severity="major",
        item=item,
    )


def _segment(item: str, start_s: int, seconds: float) -> Segment:
    start = datetime(2025, 3, 30, 9, 0, tzinfo=UTC) + timedelta(seconds=start_s)
    return Segment(
        item=item,
        started_at=start.isoformat(timespec="microseconds"),
        ended_at=(start + timedelta(seconds=seconds)).isoformat(timespec="microseconds"),
        seconds=seconds,
    )


@pytest.fixture
def work(workspace: Workspace, make_batch: Callable[..., Path], generated: dict[str, Path]) -> Work:
    samples = generated["samples"]
    files = [samples / "credit_agreement.pdf", samples / "motion_draft_a.pdf"]
    result = import_batch(workspace, make_batch(files, name="Bundle batch"))
    items = batches.items(workspace, result.batch_id)
    first_doc, second_doc = items[0].documents[0], items[1].documents[0]
    other = workspace.add_document(samples / "motion_draft_b.pdf", page_count=2)
    kept = [
        store.add(workspace, _annotation(first_doc, items[0].id, 100.0, "The rate is 5%, not 6%")),
        store.add(workspace, _annotation(second_doc, items[1].id, 200.0)),
    ]
    deleted = store.add(workspace, _annotation(first_doc, items[0].id, 300.0))
    store.set_deleted(workspace, deleted.id, True)
    outside = store.add(workspace, _annotation(other.sha256, None, 100.0, "not batch work"))
    segments = [_segment(items[0].id, 0, 95.5), _segment(items[1].id, 200, 42.25)]
    TimeLog(workspace).save(segments)
    batches.set_status(workspace, items[0].id, "done")
    who = identity.create_identity(
        workspace.paths.workspace, "Ana Ruiz", "ana.ruiz", created_at="2025-03-30T08:00:00Z"
    )
    return Work(workspace, who, result.batch_id, items, kept, deleted, outside, segments)


def _finish(work: Work) -> None:
    batches.set_status(work.ws, work.items[1].id, "skipped", reason="draft is illegible")


def _lines(archive: zipfile.ZipFile, name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in archive.read(name).decode().splitlines()]


def test_export_needs_an_identity(
    workspace: Workspace, make_batch: Callable[..., Path], generated: dict[str, Path], tmp_path
) -> None:
    """Without an identity nothing can be signed: BundleError saying how to set one up."""
    result = import_batch(workspace, make_batch([generated["samples"] / "motion_draft_a.pdf"]))
    [item] = batches.items(workspace, result.batch_id)
    batches.set_status(workspace, item.id, "done")
    target = tmp_path / "out.rvbundle"
    with pytest.raises(BundleError, match="set up your identity first"):
        export_bundle(workspace, result.batch_id, target)
    assert not target.exists()
    with pytest.raises(batches.ItemError, match="no batch 'nope'"):
        export_bundle(workspace, "nope", target)


def test_unfinished_work_is_refused_unless_partial(work: Work, tmp_path: Path) -> None:
    """An item still to do: UnfinishedWork lists it; partial=True exports and says partial."""
    target = tmp_path / "out.rvbundle"
    with pytest.raises(UnfinishedWork) as caught:
        export_bundle(work.ws, work.batch, target)
    assert [i.id for i in caught.value.remaining] == [work.items[1].id]
    assert "1 item is not finished: 2 (todo)" in str(caught.value)
    assert "partial" in str(caught.value)
    assert not target.exists()
    batches.start(work.ws, work.items[1].id)
    with pytest.raises(UnfinishedWork, match=r"2 \(in progress\)"):
        export_bundle(work.ws, work.batch, target)
    manifest = export_bundle(work.ws, work.batch, target, partial=True)
    assert manifest["partial"] is True
    assert manifest["counts"]["done"] == 1
    assert verify_bundle(target).manifest == manifest


def test_manifest_and_members(work: Work, tmp_path: Path) -> None:
    """The manifest names the batch, the annotator and the key, counts the work, and lists
    every member with the size and SHA-256 it has in the zip; the signature verifies."""
    _finish(work)
    target = tmp_path / "submission.rvbundle"
    manifest = export_bundle(work.ws, work.batch, target)
    batch = batches.require_batch(work.ws, work.batch)
    assert manifest["format"] == "reviewer-bundle"
    assert manifest["version"] == 1
    assert uuid.UUID(manifest["bundle_id"]).version == 5
    assert manifest["batch_id"] == work.batch
    assert manifest["batch_manifest_sha256"] == batch.manifest_sha256
    assert manifest["annotator"] == {"id": "ana.ruiz", "name": "Ana Ruiz"}
    assert manifest["key_id"] == work.who.key_id
    assert base64.b64decode(manifest["public_key"]) == work.who.public_key
    assert manifest["partial"] is False
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        events = _lines(archive, "events.jsonl")
        raw = archive.read("manifest.json")
        signature = archive.read("manifest.sig")
        actual = {n: archive.read(n) for n in names}
    assert manifest["created"] == max(e["at"] for e in events)
    assert manifest["counts"] == {
        "items": 2,
        "done": 1,
        "skipped": 1,
        "annotations": 2,
        "judgements": 0,
        "events": len(events),
        "active_seconds": 137.8,  # 95.5 + 42.25, to a tenth
    }
    assert names == FIXED_MEMBERS
    listed = {m["name"]: (m["size"], m["sha256"]) for m in manifest["members"]}
    assert list(listed) == names[2:]
    assert listed == {n: (len(actual[n]), hashlib.sha256(actual[n]).hexdigest()) for n in names[2:]}
    assert json.loads(raw) == manifest
    assert identity.verify_signature(work.who.public_key, signature, raw)
    assert actual["judgements.jsonl"] == b""
    items = [json.loads(line) for line in actual["items.jsonl"].decode().splitlines()]
    assert [(r["item"], r["status"], r["active_seconds"]) for r in items] == [
        (work.items[0].id, "done", 95.5),
        (work.items[1].id, "skipped", 42.2),
    ]
    assert items[1]["skip_reason"] == "draft is illegible"
    assert "skip_reason" not in items[0]


def test_annotations_events_and_timesheet_carry_exactly_the_batch_work(
    work: Work, tmp_path: Path
) -> None:
    """Live annotations of the batch's items only (each with reviewer:item); their events
    and the items' events; the saved time segments."""
    _finish(work)
    target = tmp_path / "submission.rvbundle"
    export_bundle(work.ws, work.batch, target)
    with zipfile.ZipFile(target) as archive:
        annotations = _lines(archive, "annotations.jsonl")
        events = _lines(archive, "events.jsonl")
        sheet = archive.read("timesheet.csv").decode()
    assert [a["id"] for a in annotations] == [f"urn:uuid:{a.id}" for a in work.kept]
    assert [a["reviewer:item"] for a in annotations] == [i.id for i in work.items]
    assert all(a["type"] == "Annotation" for a in annotations)
    bodies = [b["value"] for b in annotations[0]["body"]]
    assert bodies == ["factual", "The rate is 5%, not 6%"]
    assert annotations[0]["target"]["source"] == f"urn:sha256:{work.items[0].documents[0]}"

    seen = {(e["kind"], e["entity_id"]) for e in events}
    assert ("batch.imported", work.batch) in seen
    for kept in work.kept:
        assert ("annotation.created", kept.id) in seen
    assert ("annotation.created", work.deleted.id) in seen  # the audit trail keeps it
    assert ("annotation.deleted", work.deleted.id) in seen
    assert not any(e["entity_id"] == work.outside.id for e in events)
    assert ("item.status", work.items[0].id) in seen
    assert ("item.status", work.items[1].id) in seen
    time_events = [e for e in events if e["kind"] == "time.recorded"]
    assert [e["entity_id"] for e in time_events] == [i.id for i in work.items]
    assert {e["entity"] for e in events} == {"batch", "item", "annotation"}
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    assert all(e["entity"] != "document" for e in events)

    rows = list(csv.reader(io.StringIO(sheet)))
    assert rows == [
        ["item", "started_at", "ended_at", "seconds"],
        *[[s.item, s.started_at, s.ended_at, f"{s.seconds:.1f}"] for s in work.segments],
    ]


def test_the_same_work_gives_the_same_file_and_a_change_a_new_id(
    work: Work, tmp_path: Path
) -> None:
    """Two exports of unchanged work are byte-identical; editing a comment changes the id."""
    _finish(work)
    first, second, third = (tmp_path / f"{n}.rvbundle" for n in ("one", "two", "three"))
    manifest = export_bundle(work.ws, work.batch, first)
    assert export_bundle(work.ws, work.batch, second) == manifest
    assert first.read_bytes() == second.read_bytes()
    exported = work.ws.events(entity="bundle")
    assert [e.kind for e in exported] == ["bundle.exported"] * 2  # logged, not bundled
    store.update(work.ws, work.kept[1].id, {"comment": "Wrong party named"})
    changed = export_bundle(work.ws, work.batch, third)
    assert changed["bundle_id"] != manifest["bundle_id"]
    assert changed["created"] > manifest["created"]
    assert third.read_bytes() != first.read_bytes()


def test_verify_checks_the_signer_only_when_asked(work: Work, tmp_path: Path) -> None:
    """verify_bundle passes on its own and with the annotator's key; another key fails."""
    _finish(work)
    target = tmp_path / "submission.rvbundle"
    manifest = export_bundle(work.ws, work.batch, target)
    plain = verify_bundle(target)
    assert plain.manifest == manifest
    assert plain.signer_checked is False
    assert len(plain.records["annotations.jsonl"]) == 2
    assert len(plain.timesheet) == 2
    checked = verify_bundle(target, public_key=work.who.public_key)
    assert checked.signer_checked is True
    other_folder = tmp_path / "lead"
    other_folder.mkdir()
    other = identity.create_identity(other_folder, "Lee Lead", "lee", created_at="x" * 10)
    with pytest.raises(BundleRejected, match="not by the key given") as caught:
        verify_bundle(target, public_key=other.public_key)
    assert work.who.key_id in str(caught.value)
    assert other.key_id in str(caught.value)


def test_verify_rejects_a_member_changed_after_signing(work: Work, tmp_path: Path) -> None:
    """Rewriting one member (here a comment in annotations.jsonl) breaks its listed hash."""
    _finish(work)
    target = tmp_path / "submission.rvbundle"
    export_bundle(work.ws, work.batch, target)
    tampered = tmp_path / "tampered.rvbundle"
    with zipfile.ZipFile(target) as source, zipfile.ZipFile(tampered, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "annotations.jsonl":
                data = data.replace(b"not 6%", b"not 7%")
            out.writestr(info, data)
    with pytest.raises(BundleRejected) as caught:
        verify_bundle(tampered)
    assert caught.value.member == "annotations.jsonl"


def test_redacted_copies_are_stored_uncompressed_with_their_reports(
    work: Work, tmp_path: Path, generated: dict[str, Path]
) -> None:
    """A redacted PDF goes in as redacted/<sha>.pdf (stored) with its report (deflated)."""
    _finish(work)
    doc = work.items[0].documents[0]
    pdf = generated["samples"] / "scanned_letter.pdf"  # stands in for the redacted output
    report = {"passed": True, "checks": [{"name": "text", "ok": True}]}
    target = tmp_path / "redacted.rvbundle"
    manifest = export_bundle(work.ws, work.batch, target, redacted=[RedactedCopy(doc, pdf, report)])
    pdf_member, report_member = f"redacted/{doc}.pdf", f"redacted/{doc}.verification.json"
    with zipfile.ZipFile(target) as archive:
        infos = {i.filename: i for i in archive.infolist()}
        assert archive.read(pdf_member) == pdf.read_bytes()
        assert json.loads(archive.read(report_member)) == report
    assert list(infos)[-2:] == [pdf_member, report_member]
    assert infos[pdf_member].compress_type == zipfile.ZIP_STORED
    assert infos[report_member].compress_type == zipfile.ZIP_DEFLATED
    listed = {m["name"]: m for m in manifest["members"]}
    assert listed[pdf_member]["sha256"] == sha256_file(pdf)
    assert listed[pdf_member]["size"] == pdf.stat().st_size
    assert verify_bundle(target, public_key=work.who.public_key).manifest == manifest


# -- judgements ---------------------------------------------------------------------------


@dataclass
class Judged:
    """A compare item (drafts A, B, C) and a review item, judged and done."""

    ws: Workspace
    who: Identity
    batch: str
    compare: Item
    review: Item
    cited: Annotation  # a passage in draft C, cited in the rationale
    drafts: dict[str, str]  # file name -> sha256


def _passage(doc: str, item: str, page: int, exact: str) -> Annotation:
    quad = (72.0, 300.0, 300.0, 300.0, 72.0, 314.0, 300.0, 314.0)
    selector = Selector(
        kind="text",
        page=page,
        segments=(TextSegment(page, 100, 100 + len(exact), (quad,)),),
        exact=exact,
    )
    return Annotation(
        id=store.new_id(),
        document=doc,
        taxonomy="legal-errors",
        label="jurisdictional",
        selector=selector,
        comment="A Ninth Circuit case does not bind the E.D. Pa.",
        severity="major",
        item=item,
    )


@pytest.fixture
def judged(
    workspace: Workspace, make_batch: Callable[..., Path], generated: dict[str, Path]
) -> Judged:
    samples = generated["samples"]
    names = ["motion_draft_a.pdf", "motion_draft_b.pdf", "motion_draft_c.pdf"]
    drafts = {n: sha256_file(samples / n) for n in names}
    motion = sha256_file(samples / "motion_ai_draft.pdf")
    items = [
        {"id": "drafts", "task": "compare", "documents": list(drafts.values())},
        {"id": "motion", "task": "review", "documents": [motion]},
    ]
    files = [samples / n for n in [*names, "motion_ai_draft.pdf"]]
    result = import_batch(workspace, make_batch(files, task="compare", items=items))
    compare, review = batches.items(workspace, result.batch_id)
    who = identity.create_identity(
        workspace.paths.workspace, "Ana Ruiz", "ana.ruiz", created_at="2025-03-30T08:00:00Z"
    )
    draft_c = drafts["motion_draft_c.pdf"]
    cited = store.add(workspace, _passage(draft_c, compare.id, 1, "Binding precedent requires"))
    store.add(workspace, _passage(drafts["motion_draft_a.pdf"], compare.id, 0, "Rule"))

    j = judgements.start(workspace, compare, who.id)
    j = judgements.choose(j, drafts["motion_draft_a.pdf"])
    for n, doc in enumerate(j.order):
        for criterion in judgements.criteria_for(compare):
            j = judgements.rate(j, doc, criterion.id, 3 + n)
    j, ref = judgements.cite(j, cited)
    j = judgements.write_rationale(j, f"C treats a Ninth Circuit case as binding [{ref}].")
    judgements.save(workspace, j)
    verdict = judgements.start(workspace, review, who.id)
    verdict = judgements.give_verdict(verdict, "unacceptable", "Cites an invented case.")
    judgements.save(workspace, verdict)
    # Made under another name (before the identity existed): not the signer's work.
    judgements.start(workspace, review, "local-user")

    TimeLog(workspace).save([_segment(compare.id, 0, 321.04), _segment(review.id, 400, 12.0)])
    for item in (compare, review):
        batches.set_status(workspace, item.id, "done")
    return Judged(workspace, who, result.batch_id, compare, review, cited, drafts)


def test_judgements_travel_in_the_bundle(judged: Judged, tmp_path: Path) -> None:
    """The signer's judgements, in queue order, as judgements.record writes them: choice,
    ratings, shown order and letters, evidence resolving to a carried annotation, the
    item's active seconds; counted in the manifest; the bundle verifies."""
    target = tmp_path / "judged.rvbundle"
    manifest = export_bundle(judged.ws, judged.batch, target)
    verified = verify_bundle(target, public_key=judged.who.public_key)
    assert verified.manifest == manifest
    with zipfile.ZipFile(target) as archive:
        lines = _lines(archive, "judgements.jsonl")
        annotations = _lines(archive, "annotations.jsonl")
        items = _lines(archive, "items.jsonl")
        events = _lines(archive, "events.jsonl")
    assert verified.records["judgements.jsonl"] == lines
    assert manifest["counts"]["judgements"] == len(lines) == 2
    compare, review = lines
    assert (compare["item"], compare["task"], compare["annotator"]) == (
        "drafts",
        "compare",
        "ana.ruiz",
    )
    order = judgements.shown_order(judged.compare, "ana.ruiz")
    assert compare["shown_order"] == list(order)
    assert sorted(order) == sorted(judged.drafts.values())
    assert compare["drafts"] == dict(zip("ABC", order, strict=True))
    assert compare["choice"] == judged.drafts["motion_draft_a.pdf"]
    assert compare["ranking"] == []
    assert compare["criteria"] == ["accuracy", "jurisdiction", "procedure", "tone", "citations"]
    assert compare["ratings"] == {
        doc: dict.fromkeys(sorted(compare["criteria"]), 3 + n) for n, doc in enumerate(order)
    }
    letter = "ABC"[order.index(judged.drafts["motion_draft_c.pdf"])]
    assert compare["evidence"] == [
        {
            "ref": f"{letter}1",
            "annotation": judged.cited.id,
            "document": judged.drafts["motion_draft_c.pdf"],
            "page": 2,
            "quote": "Binding precedent requires",
            "label": "jurisdictional",
        }
    ]
    assert compare["rationale"] == f"C treats a Ninth Circuit case as binding [{letter}1]."
    # the reference resolves: an annotation the bundle carries, on that draft
    [carried] = [a for a in annotations if a["id"] == f"urn:uuid:{judged.cited.id}"]
    assert carried["target"]["source"] == f"urn:sha256:{judged.drafts['motion_draft_c.pdf']}"
    seconds = {i["id"]: i["active_seconds"] for i in items}
    assert compare["active_seconds"] == seconds["drafts"] == 321.0
    assert (review["item"], review["task"], review["verdict"]) == (
        "motion",
        "review",
        "unacceptable",
    )
    assert review["summary"] == "Cites an invented case."
    assert review["documents"] == list(judged.review.documents)
    assert review["active_seconds"] == seconds["motion"] == 12.0
    kinds = [(e["kind"], e["entity"]) for e in events if e["entity"] == "judgement"]
    assert ("judgement.created", "judgement") in kinds
    assert ("judgement.updated", "judgement") in kinds
    assert manifest["created"] == max(e["at"] for e in events)
    # exported twice, unchanged: the same bytes
    again = tmp_path / "again.rvbundle"
    assert export_bundle(judged.ws, judged.batch, again) == manifest
    assert again.read_bytes() == target.read_bytes()


def test_a_changed_judgement_changes_the_bundle(judged: Judged, tmp_path: Path) -> None:
    first, second = tmp_path / "one.rvbundle", tmp_path / "two.rvbundle"
    manifest = export_bundle(judged.ws, judged.batch, first)
    j = judgements.get(judged.ws, judged.review.id, judged.who.id)
    assert j is not None
    judgements.save(judged.ws, judgements.give_verdict(j, "needs_revision"))
    changed = export_bundle(judged.ws, judged.batch, second)
    assert changed["bundle_id"] != manifest["bundle_id"]
    assert changed["created"] > manifest["created"]
    with zipfile.ZipFile(second) as archive:
        assert _lines(archive, "judgements.jsonl")[1]["verdict"] == "needs_revision"


def test_a_rationale_citing_a_deleted_passage_stops_the_export(
    judged: Judged, tmp_path: Path
) -> None:
    """The lead could not resolve the reference: the export says which and how to fix it."""
    target = tmp_path / "out.rvbundle"
    store.set_deleted(judged.ws, judged.cited.id, True)
    with pytest.raises(
        BundleError, match=r"item drafts: the rationale cites \[[ABC]1\], a passage"
    ):
        export_bundle(judged.ws, judged.batch, target)
    assert not target.exists()
    store.set_deleted(judged.ws, judged.cited.id, False)
    export_bundle(judged.ws, judged.batch, target)
    assert verify_bundle(target).manifest["counts"]["judgements"] == 2
