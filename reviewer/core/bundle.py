"""Submission bundles (``.rvbundle``): the work of one batch, signed by its annotator.

A bundle is a zip: ``manifest.json`` (who, which batch, counts, and every
other member with its size and SHA-256), ``manifest.sig`` (the Ed25519
signature of the manifest's exact bytes), ``annotations.jsonl`` (W3C Web
Annotations), ``judgements.jsonl`` (the annotator's judgements of compare
and review items), ``items.jsonl`` (status and time per item),
``events.jsonl`` (the audit trail), ``timesheet.csv`` (billed time
segments) and optionally ``redacted/<sha256>.pdf`` with
``redacted/<sha256>.verification.json``.

Signing the manifest covers everything: each member's hash is in it. The
same work exported twice is the same file, byte for byte: members are
written in a fixed order with fixed zip dates, the manifest's ``created``
is the time of the last change in the work (not the time of export), the
bundle id is derived from the content, and Ed25519 signatures are
deterministic.

Verification treats every byte as hostile (see ``safezip`` and
``strict_json``) and turns every problem into :class:`BundleRejected`.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
import urllib.parse
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer import __version__
from reviewer.core import annotations as annotation_store
from reviewer.core import batches, identity, judgements, strict_json, timesheet
from reviewer.core.errors import ReviewerError
from reviewer.core.interchange import to_w3c
from reviewer.core.safezip import ArchiveRejected, Limits, SafeArchive, shown_name, write_archive
from reviewer.core.schemas import problems as schema_problems

if TYPE_CHECKING:
    from reviewer.core.model import Annotation, Item
    from reviewer.core.store import Workspace

FORMAT = "reviewer-bundle"
VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
ANNOTATIONS = "annotations.jsonl"
JUDGEMENTS = "judgements.jsonl"
ITEMS = "items.jsonl"
EVENTS = "events.jsonl"
TIMESHEET = "timesheet.csv"
JSON_LINES = (ANNOTATIONS, JUDGEMENTS, ITEMS, EVENTS)
REQUIRED = (*JSON_LINES, TIMESHEET)
MEMBER_NAME = re.compile(
    r"(?:manifest\.json|manifest\.sig|annotations\.jsonl|judgements\.jsonl|items\.jsonl|"
    r"events\.jsonl|timesheet\.csv|redacted/[0-9a-f]{64}\.(?:pdf|verification\.json))"
)
LIMITS = Limits(max_members=2_000, max_member_size=1 << 30, max_total_size=8 << 30)
MAX_MANIFEST = 4 << 20
MAX_JSON_MEMBER = 512 << 20
SIGNATURE_SIZE = 64
#: Namespace of bundle ids: uuid5 of the batch, the key and the content digest.
BUNDLE_NAMESPACE = uuid.UUID("5d1f6a1e-8f0c-4c55-9b1e-6e2b0c1a7f42")
TIMESHEET_HEADER = ["item", "started_at", "ended_at", "seconds"]
JUDGEMENT_SCHEMA = "bundle-judgement.schema.json"


class BundleError(ReviewerError):
    """A bundle that cannot be made (no identity, unfinished work, unknown batch)."""


class UnfinishedWork(BundleError):
    """The batch still has items to do; export again with ``partial``."""

    def __init__(self, remaining: Sequence[Item]) -> None:
        self.remaining = list(remaining)
        shown = ", ".join(f"{i.local_id} ({i.status.replace('_', ' ')})" for i in remaining[:10])
        more = f" and {len(remaining) - 10} more" if len(remaining) > 10 else ""
        count = "1 item is" if len(remaining) == 1 else f"{len(remaining)} items are"
        super().__init__(
            f"{count} not finished: {shown}{more}; mark them done or "
            "skipped, or export a partial submission"
        )


class BundleRejected(ReviewerError):
    """A bundle that failed verification; ``reason`` says why in words."""

    def __init__(self, path: str | Path, reason: str, *, member: str | None = None) -> None:
        self.path = Path(path)
        self.reason = reason
        self.member = member
        where = f"{shown_name(member)}: " if member else ""  # hostile names: escaped
        super().__init__(f"{self.path.name}: {where}{reason}")


# -- export ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RedactedCopy:
    """A redacted PDF for a document of the batch, with its verification report."""

    document: str
    pdf: Path
    report: dict[str, Any]


def _lines(records: Sequence[dict[str, Any]]) -> bytes:
    return "".join(strict_json.dumps_line(r) + "\n" for r in records).encode("utf-8")


def batch_events(ws: Workspace, batch_id: str) -> list[dict[str, Any]]:
    """The audit trail of a batch: its import, item changes, every annotation change and
    every judgement change."""
    rows = ws.db.execute(
        "SELECT id, at, actor, kind, entity, entity_id, before, after FROM event WHERE "
        "(entity = 'batch' AND entity_id = ?) "
        "OR (entity = 'item' AND entity_id IN (SELECT id FROM item WHERE batch = ?)) "
        "OR (entity = 'annotation' AND entity_id IN (SELECT a.id FROM annotation a "
        "JOIN item i ON i.id = a.item WHERE i.batch = ?)) "
        "OR (entity = 'judgement' AND entity_id IN (SELECT j.id FROM judgement j "
        "JOIN item i ON i.id = j.item WHERE i.batch = ?)) ORDER BY id",
        [batch_id, batch_id, batch_id, batch_id],
    ).fetchall()
    return [
        {
            "id": r[0],
            "at": r[1],
            "actor": r[2],
            "kind": r[3],
            "entity": r[4],
            "entity_id": r[5],
            "before": None if r[6] is None else json.loads(r[6]),
            "after": None if r[7] is None else json.loads(r[7]),
        }
        for r in rows
    ]


def build_bundle(
    ws: Workspace,
    batch_id: str,
    *,
    partial: bool = False,
    redacted: Sequence[RedactedCopy] = (),
) -> tuple[dict[str, Any], list[tuple[str, bytes | Path, bool]]]:
    """The manifest and members of a batch's bundle (not signed, not written)."""
    batch = batches.require_batch(ws, batch_id)
    who = identity.load_identity(ws.paths.workspace)
    if who is None:
        raise BundleError(
            "set up your identity first (name, id and signing key): "
            "Work > Identity, or reviewer identity init --name NAME --id ID"
        )
    remaining = batches.unfinished(ws, batch_id)
    if remaining and not partial:
        raise UnfinishedWork(remaining)
    items = batches.items(ws, batch_id)
    documents = {d.sha256: d for d in ws.documents()}
    found = annotation_store.for_batch(ws, batch_id)
    annotations = [to_w3c(a, documents[a.document]) for a in found]
    segments = timesheet.segments(ws, batch_id)
    seconds = _seconds_by_item(segments)
    judgement_lines = _judgement_records(ws, batch_id, who.id, items, found, seconds)
    return assemble(
        batch_id=batch_id,
        batch_manifest_sha256=batch.manifest_sha256,
        batch_imported_at=batch.imported_at,
        who=who,
        items=items,
        annotations=annotations,
        judgements=judgement_lines,
        events=batch_events(ws, batch_id),
        segments=segments,
        redacted=redacted,
    )


def _seconds_by_item(segments: Sequence[timesheet.Segment]) -> dict[str, float]:
    seconds: dict[str, float] = {}
    for s in segments:
        seconds[s.item] = seconds.get(s.item, 0.0) + s.seconds
    return seconds


def assemble(
    *,
    batch_id: str,
    batch_manifest_sha256: str,
    batch_imported_at: str,
    who: identity.Identity,
    items: Sequence[Item],
    annotations: Sequence[dict[str, Any]],
    judgements: Sequence[dict[str, Any]],
    events: Sequence[dict[str, Any]],
    segments: Sequence[timesheet.Segment],
    redacted: Sequence[RedactedCopy] = (),
) -> tuple[dict[str, Any], list[tuple[str, bytes | Path, bool]]]:
    """The manifest and members of a bundle from its records (no workspace needed).

    :func:`build_bundle` gathers the records from a workspace; simulated
    annotators (tests, benchmarks) give them directly, so both make the
    same file format through this one function.
    """
    seconds = _seconds_by_item(segments)
    remaining = [i for i in items if i.status not in ("done", "skipped")]
    item_lines = [_item_record(i, seconds.get(i.id, 0.0)) for i in items]
    contents: list[tuple[str, bytes | Path, bool]] = [
        (ANNOTATIONS, _lines(annotations), True),
        (EVENTS, _lines(events), True),
        (ITEMS, _lines(item_lines), True),
        (JUDGEMENTS, _lines(judgements), True),
        (TIMESHEET, timesheet.segments_csv(segments).encode("utf-8"), True),
    ]
    for copy in sorted(redacted, key=lambda c: c.document):
        # PDFs are stored: deflating them saved ~2 % at 10x the time here.
        contents.append((f"redacted/{copy.document}.pdf", copy.pdf, False))
        report = json.dumps(copy.report, indent=2, sort_keys=True).encode() + b"\n"
        contents.append((f"redacted/{copy.document}.verification.json", report, True))
    members = [_member(name, data) for name, data, _ in contents]
    digest = hashlib.sha256(strict_json.dumps_canonical(members)).hexdigest()
    # Time checkpoints write no event: a running stretch's end counts as a change too.
    last_change = max(
        [e["at"] for e in events] + [s.ended_at for s in segments] + [batch_imported_at]
    )
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "bundle_id": str(uuid.uuid5(BUNDLE_NAMESPACE, f"{batch_id}|{who.key_id}|{digest}")),
        "batch_id": batch_id,
        "batch_manifest_sha256": batch_manifest_sha256,
        "annotator": {"id": who.id, "name": who.name},
        "key_id": who.key_id,
        "public_key": base64.b64encode(who.public_key).decode("ascii"),
        "generator": {"name": "reviewer", "version": __version__},
        "created": last_change,
        "partial": bool(remaining),
        "counts": {
            "items": len(items),
            "done": sum(1 for i in items if i.status == "done"),
            "skipped": sum(1 for i in items if i.status == "skipped"),
            "annotations": len(annotations),
            "judgements": len(judgements),
            "events": len(events),
            "active_seconds": float(round(sum(seconds.values()), 1)),
        },
        "members": members,
    }
    return manifest, contents


def _judgement_records(
    ws: Workspace,
    batch_id: str,
    annotator: str,
    items: Sequence[Item],
    annotations: Sequence[Annotation],
    seconds: dict[str, float],
) -> list[dict[str, Any]]:
    """The signer's judgements of the batch's items, in queue order, as bundle lines.

    Judgements made under another name (before the identity was set up) are
    not the signer's and are left out, as the window leaves them out. A
    judgement citing a passage the bundle does not carry (deleted since)
    stops the export: the lead could not resolve the reference.
    """
    by_id = {i.id: i for i in items}
    carried = {a.id: a.document for a in annotations}
    mine = [
        j
        for j in judgements.for_batch(ws, batch_id)
        if j.author == annotator and not judgements.is_empty(j)  # opened, nothing decided
    ]
    problems = []
    for j in mine:
        for e in j.evidence:
            if carried.get(e.annotation) != e.document:
                problems.append(
                    f"item {by_id[j.item].local_id}: the rationale cites [{e.ref}], a passage "
                    "that was deleted (or is not part of this batch's work); restore it or "
                    f"take [{e.ref}] out of the rationale"
                )
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise BundleError("; ".join(problems[:3]) + more)
    return [judgements.record(j, by_id[j.item], seconds.get(j.item, 0.0)) for j in mine]


def _item_record(item: Item, seconds: float) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": item.local_id,
        "item": item.id,
        "task": item.task,
        "title": item.title,
        "documents": list(item.documents),
        "status": item.status,
        "updated": item.updated_at,
        "active_seconds": round(seconds, 1),
    }
    if item.skip_reason:
        record["skip_reason"] = item.skip_reason
    if item.page is not None:
        record["page"] = item.page + 1
    return record


def _member(name: str, data: bytes | Path) -> dict[str, Any]:
    if isinstance(data, Path):
        digest, size = hashlib.sha256(), 0
        with open(data, "rb") as source:
            while chunk := source.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
        return {"name": name, "size": size, "sha256": digest.hexdigest()}
    return {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def export_bundle(
    ws: Workspace,
    batch_id: str,
    output: Path,
    *,
    partial: bool = False,
    redacted: Sequence[RedactedCopy] = (),
) -> dict[str, Any]:
    """Write the signed bundle of a batch to ``output`` (atomically) and return its manifest."""
    manifest, contents = build_bundle(ws, batch_id, partial=partial, redacted=redacted)
    write_signed(
        Path(output), manifest, contents, lambda raw: identity.sign(ws.paths.workspace, raw)
    )
    _log_export(ws, manifest, Path(output))
    return manifest


def write_signed(
    output: Path,
    manifest: dict[str, Any],
    contents: Sequence[tuple[str, bytes | Path, bool]],
    sign: Callable[[bytes], bytes],
) -> None:
    """Sign the manifest's canonical bytes and write the bundle (atomically)."""
    raw = strict_json.dumps_canonical(manifest)
    write_archive(output, [(MANIFEST, raw, True), (SIGNATURE, sign(raw), False), *contents])


def _log_export(ws: Workspace, manifest: dict[str, Any], output: Path) -> None:
    """Record the export (not part of the bundle: it happens after the work it carries)."""
    with ws.transaction():
        ws.log_event(
            "bundle.exported",
            "bundle",
            manifest["bundle_id"],
            after={
                "batch": manifest["batch_id"],
                "partial": manifest["partial"],
                "counts": manifest["counts"],
                "file": output.name,
            },
        )


# -- verification -----------------------------------------------------------------------


@dataclass
class VerifiedBundle:
    """A bundle that passed every check: its manifest and its JSON members, parsed."""

    path: Path
    manifest: dict[str, Any]
    manifest_sha256: str
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    timesheet: list[dict[str, str]] = field(default_factory=list)
    signer_checked: bool = False
    #: Member → the line number (1-based, blank lines counted) of each record.
    line_numbers: dict[str, list[int]] = field(default_factory=dict, repr=False, compare=False)
    #: Member → each record's line as it was read (a lead stores annotations verbatim).
    lines: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)


def verify_bundle(path: Path, *, public_key: bytes | None = None) -> VerifiedBundle:
    """Check a bundle completely; raise :class:`BundleRejected` naming the first problem.

    Order: the zip's structure (names, links, sizes) before reading anything;
    the manifest's shape and its member list against the archive; the
    signature over the manifest; then every member streamed with a cap and
    its hash checked; then each member's content parsed strictly.
    """
    path = Path(path)
    try:
        with SafeArchive.open(path, limits=LIMITS, allowed=MEMBER_NAME.fullmatch) as archive:
            return _verify(path, archive, public_key)
    except ArchiveRejected as exc:
        raise BundleRejected(path, exc.reason, member=exc.member) from exc


def signed_manifest(path: Path) -> tuple[dict[str, Any], str]:
    """The manifest and its SHA-256, once its shape and signature are checked; members unread.

    Enough to recognise a bundle already imported (its manifest hash covers
    every member), without reading the rest: a lead re-importing a folder.
    """
    path = Path(path)
    try:
        with SafeArchive.open(path, limits=LIMITS, allowed=MEMBER_NAME.fullmatch) as archive:
            manifest, raw = _signed_manifest(path, archive)
    except ArchiveRejected as exc:
        raise BundleRejected(path, exc.reason, member=exc.member) from exc
    return manifest, hashlib.sha256(raw).hexdigest()


def _signed_manifest(path: Path, archive: SafeArchive) -> tuple[dict[str, Any], bytes]:
    names = set(archive.names())
    for required in (MANIFEST, SIGNATURE):
        if required not in names:
            raise BundleRejected(path, f"{required} is missing: this is not a signed bundle")
    raw = archive.read_unverified(MANIFEST, max_size=MAX_MANIFEST)
    try:
        manifest = strict_json.loads(raw)
    except strict_json.JsonRejected as exc:
        raise BundleRejected(path, str(exc), member=MANIFEST) from exc
    shape = schema_problems("bundle-manifest.schema.json", manifest)
    if shape:
        raise BundleRejected(path, "not a bundle manifest: " + "; ".join(shape), member=MANIFEST)
    signature = archive.read_unverified(SIGNATURE, max_size=SIGNATURE_SIZE)
    if len(signature) != SIGNATURE_SIZE:
        raise BundleRejected(path, "the signature is not 64 bytes", member=SIGNATURE)
    listed = [m["name"] for m in manifest["members"]]
    if len(set(listed)) != len(listed):
        raise BundleRejected(path, "the manifest lists a member twice (duplicate)")
    bad = [n for n in listed if n in (MANIFEST, SIGNATURE) or not MEMBER_NAME.fullmatch(n)]
    if bad:
        raise BundleRejected(path, f"the manifest lists a member that is not allowed: {bad[0]!r}")
    present = names - {MANIFEST, SIGNATURE}
    extra, missing = sorted(present - set(listed)), sorted(set(listed) - present)
    if extra:
        raise BundleRejected(path, "in the file but not in the signed manifest", member=extra[0])
    if missing:
        raise BundleRejected(path, "listed in the manifest but missing", member=missing[0])
    for required in REQUIRED:
        if required not in present:
            raise BundleRejected(path, "required member is missing", member=required)
    key = base64.b64decode(manifest["public_key"])
    if identity.key_id_of(key) != manifest["key_id"]:
        raise BundleRejected(path, "the key id does not belong to the public key")
    if not identity.verify_signature(key, signature, raw):
        raise BundleRejected(
            path, "the signature does not match the manifest (altered after signing?)"
        )
    return manifest, raw


def _verify(path: Path, archive: SafeArchive, public_key: bytes | None) -> VerifiedBundle:
    manifest, raw = _signed_manifest(path, archive)
    key = base64.b64decode(manifest["public_key"])
    if public_key is not None and public_key != key:
        raise BundleRejected(
            path,
            f"signed by key {manifest['key_id']}, not by the key given "
            f"({identity.key_id_of(public_key)})",
        )
    result = VerifiedBundle(
        path=path,
        manifest=manifest,
        manifest_sha256=hashlib.sha256(raw).hexdigest(),
        signer_checked=public_key is not None,
    )
    for entry in manifest["members"]:
        name = entry["name"]
        if name.endswith(".pdf"):
            archive.copy_to(name, _Discard(), sha256=entry["sha256"], size=entry["size"])
            continue
        if entry["size"] > MAX_JSON_MEMBER:
            raise BundleRejected(path, "too large to read", member=name)
        data = archive.read(name, sha256=entry["sha256"], size=entry["size"])
        _check_content(path, name, data, result)
    _check_counts(path, manifest, result)
    _check_judgements(path, manifest, result)
    return result


class _Discard(io.RawIOBase):
    """A sink for members whose hash is checked but whose bytes are not needed."""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return len(data)


def _check_content(path: Path, name: str, data: bytes, result: VerifiedBundle) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleRejected(path, f"not UTF-8 text (byte {exc.start})", member=name) from exc
    if name == TIMESHEET:
        result.timesheet = _parse_timesheet(path, text)
        return
    if name.endswith(".verification.json"):
        try:
            strict_json.loads(text)
        except strict_json.JsonRejected as exc:
            raise BundleRejected(path, str(exc), member=name) from exc
        return
    records, numbers, raw = [], [], []
    for number, line in enumerate(text.split("\n"), 1):
        if not line:
            continue
        try:
            record = strict_json.loads(line)
        except strict_json.JsonRejected as exc:
            raise BundleRejected(path, f"line {number}: {exc}", member=name) from exc
        if not isinstance(record, dict):
            raise BundleRejected(path, f"line {number}: not a JSON object", member=name)
        if name == JUDGEMENTS:
            shape = schema_problems(JUDGEMENT_SCHEMA, record)
            if shape:
                raise BundleRejected(
                    path, f"line {number}: not a judgement: " + "; ".join(shape), member=name
                )
        records.append(record)
        numbers.append(number)
        raw.append(line)
    result.records[name] = records
    result.line_numbers[name] = numbers
    result.lines[name] = raw


def _parse_timesheet(path: Path, text: str) -> list[dict[str, str]]:
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise BundleRejected(path, f"not CSV: {exc}", member=TIMESHEET) from exc
    if not rows or rows[0] != TIMESHEET_HEADER:
        raise BundleRejected(
            path, "the header is not " + ",".join(TIMESHEET_HEADER), member=TIMESHEET
        )
    found = []
    for number, row in enumerate(rows[1:], 2):
        if len(row) != len(TIMESHEET_HEADER):
            raise BundleRejected(path, f"line {number} has {len(row)} fields", member=TIMESHEET)
        try:
            seconds = float(row[3])
        except ValueError:
            seconds = -1.0
        if not 0 <= seconds < 1e7:
            raise BundleRejected(path, f"line {number}: bad seconds {row[3]!r}", member=TIMESHEET)
        found.append(dict(zip(TIMESHEET_HEADER, row, strict=True)))
    return found


def _check_counts(path: Path, manifest: dict[str, Any], result: VerifiedBundle) -> None:
    counts = manifest["counts"]
    for key, name in (
        ("annotations", ANNOTATIONS),
        ("events", EVENTS),
        ("items", ITEMS),
        ("judgements", JUDGEMENTS),
    ):
        if len(result.records.get(name, [])) != counts[key]:
            raise BundleRejected(
                path, "holds a different number of records than the manifest says", member=name
            )
    if any(r.get("type") != "Annotation" for r in result.records.get(ANNOTATIONS, [])):
        raise BundleRejected(path, "a record is not a W3C Annotation", member=ANNOTATIONS)
    statuses = [r.get("status") for r in result.records.get(ITEMS, [])]
    if statuses.count("done") != counts["done"] or statuses.count("skipped") != counts["skipped"]:
        raise BundleRejected(path, "item statuses differ from the manifest's counts", member=ITEMS)
    names = {m["name"] for m in manifest["members"]}
    for name in names:
        if name.startswith("redacted/"):
            stem = name.removesuffix(".pdf").removesuffix(".verification.json")
            if {f"{stem}.pdf", f"{stem}.verification.json"} - names:
                raise BundleRejected(
                    path, "a redacted copy without its verification report", member=name
                )


def _annotation_key(exported: Any) -> str | None:
    """The workspace id of an annotation from its ``annotations.jsonl`` id (``to_w3c``)."""
    if not isinstance(exported, str):
        return None
    if exported.startswith("urn:uuid:"):
        return exported.removeprefix("urn:uuid:")
    if exported.startswith("urn:reviewer:id:"):
        return urllib.parse.unquote(exported.removeprefix("urn:reviewer:id:"))
    return None


def _target_documents(annotation: dict[str, Any]) -> set[str]:
    """The SHA-256 of every document an exported annotation targets."""
    targets = annotation.get("target")
    found = set()
    for target in targets if isinstance(targets, list) else [targets]:
        source = target.get("source") if isinstance(target, dict) else None
        if isinstance(source, str) and source.startswith("urn:sha256:"):
            found.add(source.removeprefix("urn:sha256:"))
    return found


def _check_judgements(path: Path, manifest: dict[str, Any], result: VerifiedBundle) -> None:
    """Each judgement (already valid against its schema) against the rest of the bundle.

    Its annotator is the signer; its item is in ``items.jsonl`` with the same
    task; a compare judgement's drafts are that item's drafts (``shown_order``
    a permutation of them, ``drafts`` its letters, ``choice``, ``ranking``
    and rated drafts among them) and each piece of evidence is an annotation
    of ``annotations.jsonl`` on the same draft, under that draft's letter;
    ids, items and references appear once.
    """
    lines = result.records.get(JUDGEMENTS, [])
    if not lines:
        return
    items: dict[str, dict[str, Any]] = {}
    for record in result.records.get(ITEMS, []):
        if isinstance(record.get("id"), str):
            items.setdefault(record["id"], record)
    carried: dict[str, set[str]] = {}
    for record in result.records.get(ANNOTATIONS, []):
        key = _annotation_key(record.get("id"))
        if key is not None:
            carried.setdefault(key, set()).update(_target_documents(record))
    signer = manifest["annotator"]["id"]
    numbers = result.line_numbers.get(JUDGEMENTS) or list(range(1, len(lines) + 1))
    ids: set[str] = set()
    judged: set[str] = set()
    for number, j in zip(numbers, lines, strict=True):

        def reject(reason: str, number: int = number) -> BundleRejected:
            return BundleRejected(path, f"line {number}: {reason}", member=JUDGEMENTS)

        if j["annotator"] != signer:
            raise reject(f"the annotator {j['annotator']!r} is not the one who signed ({signer!r})")
        if j["id"] in ids:
            raise reject(f"the judgement id {j['id']!r} appears twice")
        ids.add(j["id"])
        item = items.get(j["item"])
        if item is None:
            raise reject(f"the item {j['item']!r} is not in items.jsonl")
        if j["item"] in judged:
            raise reject(f"a second judgement of item {j['item']!r}")
        judged.add(j["item"])
        if item.get("task") != j["task"]:
            raise reject(f"a {j['task']} judgement of a {_shown(item.get('task'))} item")
        documents = item.get("documents")
        if not isinstance(documents, list) or not all(isinstance(d, str) for d in documents):
            raise reject(f"the item {j['item']!r} has no list of documents in items.jsonl")
        if j["task"] == "review":
            if j["documents"] != documents:
                raise reject("documents differ from the item's in items.jsonl")
            continue
        _check_compare(j, documents, carried, reject)


def _check_compare(
    j: dict[str, Any],
    documents: list[Any],
    carried: dict[str, set[str]],
    reject: Callable[[str], BundleRejected],
) -> None:
    """A compare judgement against its item's drafts and the carried annotations."""
    order = j["shown_order"]
    if sorted(order) != sorted(documents) or len(order) != len(documents):
        raise reject("shown_order is not a permutation of the item's documents")
    if j["drafts"] != {judgements.LETTERS[i]: d for i, d in enumerate(order)}:
        raise reject("drafts does not give each letter the draft shown under it")
    if j["choice"] is not None and j["choice"] not in order:
        raise reject("choice is not one of the item's documents")
    if j["ranking"]:
        if sorted(j["ranking"]) != sorted(order):
            raise reject("ranking does not list every one of the item's documents once")
        if j["choice"] != j["ranking"][0]:
            raise reject("choice is not the first of the ranking")
    stray = [d for d in j["ratings"] if d not in order]
    if stray:
        raise reject(f"ratings of {stray[0][:12]}…, which is not one of the item's documents")
    refs: set[str] = set()
    for e in j["evidence"]:
        where = f"evidence [{e['ref']}]"
        if e["ref"] in refs:
            raise reject(f"{where} appears twice")
        refs.add(e["ref"])
        if e["document"] not in order:
            raise reject(f"{where}: the document is not one of the item's")
        if j["drafts"].get(e["ref"][0]) != e["document"]:
            raise reject(f"{where}: the document is not draft {e['ref'][0]}")
        on = carried.get(e["annotation"])
        if on is None:
            raise reject(
                f"{where}: annotation {_shown(e['annotation'])} is not in annotations.jsonl"
            )
        if e["document"] not in on:
            raise reject(f"{where}: annotation {_shown(e['annotation'])} is on another document")


def _shown(value: Any) -> str:
    """A value from the bundle, quoted for a message: escaped (``repr``) and cut short."""
    text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


def verify_report(path: Path, *, public_key: bytes | None = None) -> dict[str, Any]:
    """``reviewer bundle verify`` output: a JSON-ready report, never an exception."""
    report: dict[str, Any] = {"file": Path(path).name, "ok": False}
    try:
        verified = verify_bundle(path, public_key=public_key)
    except BundleRejected as exc:
        report.update({"reason": exc.reason, "member": exc.member, "message": str(exc)})
        return report
    m = verified.manifest
    report.update(
        {
            "ok": True,
            "format": m["format"],
            "version": m["version"],
            "bundle_id": m["bundle_id"],
            "batch_id": m["batch_id"],
            "annotator": m["annotator"],
            "key_id": m["key_id"],
            "signature": "valid",
            "signer": "matches the given key" if verified.signer_checked else "not checked",
            "created": m["created"],
            "partial": m["partial"],
            "counts": m["counts"],
            "members": len(m["members"]),
            "manifest_sha256": verified.manifest_sha256,
        }
    )
    return report
