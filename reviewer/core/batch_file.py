"""Task batches (``.rvbatch``): made by a team lead, opened by annotators.

A batch is a zip: ``manifest.json`` (every other member with its size and
SHA-256, the documents with their original names, the task), ``items.jsonl``
(one unit of work per line), ``taxonomy.json`` (the label set),
``instructions.md``, optionally ``citations.csv`` (the citations the lead
knows to be real, for checking the documents' citations) and the documents
as ``documents/<sha256>.<ext>``.
Documents are named by their hash so two files with the same name cannot
collide and a member name carries no path from the lead's machine.

Reading treats the file as hostile (``safezip``): only these member names,
every hash checked while streaming, strict JSON checked against the
schemas in ``resources/schemas``. Importing is split so the window can run
the slow parts off its thread: :func:`read_batch` (unpack and check, any
thread), validating the documents in a document worker (the caller), then
:func:`store_batch` (one transaction on the workspace's thread).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer import __version__
from reviewer.core import strict_json
from reviewer.core.batches import batch, item_id, require_batch
from reviewer.core.errors import ReviewerError
from reviewer.core.formats import MEDIA_TYPES
from reviewer.core.model import TASKS
from reviewer.core.safezip import ArchiveRejected, Limits, SafeArchive, shown_name, write_archive
from reviewer.core.schemas import problems as schema_problems
from reviewer.core.store import now
from reviewer.core.taxonomy import Taxonomy, TaxonomyError, load_taxonomy, to_json

if TYPE_CHECKING:
    from reviewer.core.store import Workspace

FORMAT = "reviewer-batch"
VERSION = 1
MANIFEST = "manifest.json"
ITEMS = "items.jsonl"
TAXONOMY = "taxonomy.json"
INSTRUCTIONS = "instructions.md"
CITATIONS = "citations.csv"
#: The header ``citations.csv`` must have, exactly.
CITATIONS_HEADER = ("citation", "case_name")
_EXTENSIONS = "|".join(sorted({k for k in MEDIA_TYPES if k.isalnum()}, key=len, reverse=True))
_MEMBER = re.compile(
    rf"(?:{re.escape(MANIFEST)}|{re.escape(ITEMS)}|{re.escape(TAXONOMY)}|"
    rf"{re.escape(INSTRUCTIONS)}|{re.escape(CITATIONS)}|documents/[0-9a-f]{{64}}\.(?:{_EXTENSIONS}))"
)
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: Caps on what a batch may hold, checked before anything is read.
LIMITS = Limits(max_members=5_010, max_member_size=1 << 30, max_total_size=16 << 30)
MAX_MANIFEST = 8 << 20
MAX_TEXT = 64 << 20
#: Known citations are a list, not a law library: 8 MiB is ~100,000 rows.
MAX_CITATIONS = 8 << 20
DRAFTS = (2, 3)


class BatchError(ReviewerError):
    """A batch that cannot be made or read; the message names the file and the reason."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")


@dataclass(frozen=True)
class SourceDocument:
    """A document going into a batch, already opened once (so it is readable)."""

    path: Path
    sha256: str
    page_count: int
    media_type: str

    @property
    def member(self) -> str:
        return f"documents/{self.sha256}.{_extension(self.path, self.media_type)}"


def _extension(path: Path, media_type: str) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in MEDIA_TYPES and suffix.isalnum():
        return suffix
    for name, known in MEDIA_TYPES.items():
        if known == media_type and name.isalnum():
            return name
    return "txt" if media_type.startswith("text/") else "pdf"


# -- known citations ------------------------------------------------------------------


def check_citations_csv(text: str, source: str) -> int:
    """Check the text of a known-citations CSV; return its number of citations.

    UTF-8 CSV with exactly the header ``citation,case_name``, then one row of
    two fields per citation, the citation never empty (``case_name`` may be).
    A byte order mark is tolerated. Raises :class:`ReviewerError`
    ``"<source> line N: …"``. Parsing the citations themselves is
    ``reviewer.core.citations``' business; this is only the shape.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_CITATIONS:
        raise ReviewerError(f"{source}: larger than {MAX_CITATIONS >> 20} MiB")
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    rows = 0
    try:
        header = next(reader, None)
        if header is None:
            raise ReviewerError(f"{source}: empty; the first line must be citation,case_name")
        if tuple(header) != CITATIONS_HEADER:
            shown = ",".join(header)
            shown = shown if len(shown) <= 80 else shown[:80] + "…"
            raise ReviewerError(
                f"{source} line 1: the header must be citation,case_name, not {shown!r}"
            )
        for row in reader:
            line = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # a blank line
            if len(row) != len(CITATIONS_HEADER):
                raise ReviewerError(
                    f"{source} line {line}: {len(row)} fields, expected 2 (citation,case_name)"
                )
            if not row[0].strip():
                raise ReviewerError(f"{source} line {line}: the citation is empty")
            rows += 1
    except csv.Error as exc:
        raise ReviewerError(f"{source} line {reader.line_num}: not CSV ({exc})") from exc
    if rows == 0:
        raise ReviewerError(f"{source}: no citations after the header")
    return rows


def read_citations_file(path: Path) -> str:
    """The text of a lead's ``--citations`` file, size-capped, UTF-8 and checked."""
    path = Path(path)
    with open(path, "rb") as source:
        data = source.read(MAX_CITATIONS + 1)
    if len(data) > MAX_CITATIONS:
        raise ReviewerError(f"{path.name}: larger than {MAX_CITATIONS >> 20} MiB")
    text = decode_citations(data, path.name)
    check_citations_csv(text, path.name)
    return text


def decode_citations(data: bytes, source: str) -> str:
    """UTF-8 text without a byte order mark, or ReviewerError naming the line and byte."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ReviewerError(f"{source} line {line}: not UTF-8 text (byte {exc.start})") from exc


def known_citations(ws: Workspace, batch_id: str) -> str:
    """The ``citations.csv`` text a batch brought ('' when it brought none).

    Raises ``batches.ItemError`` for a batch that is not in the workspace.
    """
    row = ws.db.execute("SELECT known_citations FROM batch WHERE id = ?", [batch_id]).fetchone()
    if row is None:
        require_batch(ws, batch_id)  # raises, naming the batches there are
        return ""
    return str(row[0])


# -- making a batch -------------------------------------------------------------------


def default_items(task: str, documents: Sequence[SourceDocument]) -> list[dict[str, Any]]:
    """One item per document (per page for ``ocr``); one item of all drafts for ``compare``."""
    if task == "compare":
        if len(documents) not in DRAFTS:
            raise ReviewerError(
                f"a compare item takes 2 or 3 drafts, {len(documents)} documents were given: "
                "say which drafts go together with --items"
            )
        return [{"id": "1", "task": task, "documents": [d.sha256 for d in documents]}]
    found: list[dict[str, Any]] = []
    for doc in documents:
        if task == "ocr":
            for page in range(1, doc.page_count + 1):
                title = f"{doc.path.name}, page {page}"
                found.append(
                    {"task": task, "documents": [doc.sha256], "page": page, "title": title}
                )
        else:
            found.append({"task": task, "documents": [doc.sha256], "title": doc.path.name})
    for number, entry in enumerate(found, 1):
        entry["id"] = str(number)
    return found


def items_from_lines(
    text: str, source: str, task: str, documents: Sequence[SourceDocument]
) -> list[dict[str, Any]]:
    """The lead's ``--items`` file: documents named by file name or SHA-256."""
    by_name: dict[str, str] = {}
    for doc in documents:
        by_name[doc.path.name] = doc.sha256
        by_name[doc.sha256] = doc.sha256
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        where = f"{source} line {number}"
        try:
            entry = strict_json.loads(line)
        except strict_json.JsonRejected as exc:
            raise ReviewerError(f"{where}: {exc}") from exc
        if not isinstance(entry, dict):
            raise ReviewerError(f"{where}: expected a JSON object")
        entry = dict(entry)
        entry.setdefault("task", task)
        names = entry.get("documents")
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ReviewerError(f"{where}: 'documents' must list file names given with --docs")
        missing = [n for n in names if n not in by_name]
        if missing:
            raise ReviewerError(f"{where}: {', '.join(missing)} is not among the --docs files")
        entry["documents"] = [by_name[n] for n in names]
        found.append(entry)
    if not found:
        raise ReviewerError(f"{source}: no items")
    taken = {str(e["id"]) for e in found if "id" in e}
    for position, entry in enumerate(found, 1):  # no id: its position, or the next free number
        number = position
        while "id" not in entry:
            if str(number) not in taken:
                entry["id"] = str(number)
                taken.add(entry["id"])
            number += 1
    return found


def check_items(entries: Sequence[dict[str, Any]], pages: dict[str, int]) -> list[str]:
    """What is wrong with a batch's items: schema, ids, drafts per task, page numbers."""
    problems: list[str] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, 1):
        where = f"item {number}"
        shape = schema_problems("batch-item.schema.json", entry)
        if shape:
            problems.extend(f"{where}: {p}" for p in shape)
            continue
        if entry["id"] in seen:
            problems.append(f"{where}: the id {entry['id']!r} is used twice")
        seen.add(entry["id"])
        docs, task = entry["documents"], entry["task"]
        unknown = [d for d in docs if d not in pages]
        if unknown:
            problems.append(f"{where}: document {unknown[0][:12]}… is not in the batch")
            continue
        if len(set(docs)) != len(docs):
            problems.append(f"{where}: the same document is listed twice")
        if task == "compare" and len(docs) not in DRAFTS:
            problems.append(f"{where}: a compare item takes 2 or 3 drafts, not {len(docs)}")
        if task != "compare" and len(docs) != 1:
            problems.append(f"{where}: a {task} item works on one document, not {len(docs)}")
        page = entry.get("page")
        if task == "ocr" and page is None:
            problems.append(f"{where}: an ocr item needs a page number")
        if page is not None and not 1 <= page <= pages[docs[0]]:
            problems.append(f"{where}: page {page} is not in the document ({pages[docs[0]]} pages)")
    return problems


def create_batch(
    output: Path,
    *,
    name: str,
    task: str,
    taxonomy: Taxonomy,
    instructions: str,
    documents: Sequence[SourceDocument],
    items: Sequence[dict[str, Any]],
    batch_id: str | None = None,
    created: str | None = None,
    citations: str | None = None,
) -> dict[str, Any]:
    """Write an ``.rvbatch`` (atomically) and return its manifest.

    ``citations`` is the text of a known-citations CSV (:func:`check_citations_csv`),
    written as the member ``citations.csv``.
    """
    if task not in TASKS:
        raise ReviewerError(f"unknown task {task!r} (use {', '.join(TASKS)})")
    unique = {d.sha256: d for d in documents}
    if not items:
        raise ReviewerError("a batch with no items cannot be worked: give at least one item")
    problems = check_items(items, {sha: d.page_count for sha, d in unique.items()})
    if problems:
        raise ReviewerError("the items are not usable: " + "; ".join(problems[:5]))
    texts = {
        ITEMS: "".join(strict_json.dumps_line(dict(entry)) + "\n" for entry in items).encode(),
        TAXONOMY: json.dumps(to_json(taxonomy), indent=2, ensure_ascii=False).encode() + b"\n",
        INSTRUCTIONS: instructions.encode("utf-8"),
    }
    if citations is not None:
        check_citations_csv(citations, CITATIONS)
        texts[CITATIONS] = citations.removeprefix("\ufeff").encode("utf-8")
    members: list[dict[str, Any]] = [
        {"name": n, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for n, data in texts.items()
    ]
    for doc in unique.values():
        members.append({"name": doc.member, "size": doc.path.stat().st_size, "sha256": doc.sha256})
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "batch_id": batch_id or str(uuid.uuid4()),
        "name": name,
        "task": task,
        "created": created or now(),
        "generator": {"name": "reviewer", "version": __version__},
        "taxonomy_id": taxonomy.id,
        "documents": [
            {
                "sha256": d.sha256,
                "member": d.member,
                "name": d.path.name,
                "media_type": d.media_type,
            }
            for d in unique.values()
        ],
        "members": members,
    }
    shape = schema_problems("batch-manifest.schema.json", manifest)
    if shape:
        raise ReviewerError("the batch manifest would be invalid: " + "; ".join(shape))
    entries: list[tuple[str, bytes | Path, bool]] = [
        (MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode() + b"\n", True)
    ]
    entries += [(n, data, True) for n, data in texts.items()]
    # Documents are stored, not deflated: PDFs are compressed already (deflating
    # them saved ~2 % at 10x the time).
    entries += [(d.member, d.path, False) for d in unique.values()]
    write_archive(output, entries)
    return manifest


# -- reading a batch --------------------------------------------------------------------


@dataclass
class BatchContent:
    """A batch that passed every check, its documents unpacked to ``scratch``."""

    path: Path
    manifest: dict[str, Any]
    manifest_sha256: str
    items: list[dict[str, Any]]
    taxonomy: Taxonomy
    taxonomy_json: dict[str, Any]
    instructions: str
    #: sha256 → unpacked file (hash checked).
    documents: dict[str, Path] = field(default_factory=dict)
    #: The text of ``citations.csv`` ('' when the batch has none), checked.
    citations: str = ""

    @property
    def batch_id(self) -> str:
        return str(self.manifest["batch_id"])

    def document_entry(self, sha256: str) -> dict[str, Any]:
        return next(d for d in self.manifest["documents"] if d["sha256"] == sha256)


def read_manifest(archive: SafeArchive, path: Path) -> tuple[dict[str, Any], bytes]:
    """The manifest, checked against its schema and against the archive's members."""
    raw = archive.read_unverified(MANIFEST, max_size=MAX_MANIFEST)
    try:
        manifest = strict_json.loads(raw)
    except strict_json.JsonRejected as exc:
        raise BatchError(path, f"{MANIFEST}: {exc}") from exc
    shape = schema_problems("batch-manifest.schema.json", manifest)
    if shape:
        raise BatchError(path, f"{MANIFEST} is not a batch manifest: " + "; ".join(shape))
    listed = [m["name"] for m in manifest["members"]]
    if len(set(listed)) != len(listed):
        raise BatchError(path, f"{MANIFEST} lists a member twice")
    present = set(archive.names()) - {MANIFEST}
    extra, missing = sorted(present - set(listed)), sorted(set(listed) - present)
    if extra:
        raise BatchError(path, f"{extra[0]} is in the file but not in the manifest")
    if missing:
        raise BatchError(path, f"{missing[0]} is listed in the manifest but missing")
    for required in (ITEMS, TAXONOMY, INSTRUCTIONS):
        if required not in present:
            raise BatchError(path, f"{required} is missing")
    docs = {d["member"]: d for d in manifest["documents"]}
    sizes = {m["name"]: m for m in manifest["members"]}
    for member, entry in docs.items():
        if member not in sizes or sizes[member]["sha256"] != entry["sha256"]:
            raise BatchError(path, f"{member} does not match the document it stands for")
        if member != f"documents/{entry['sha256']}.{member.rsplit('.', 1)[1]}":
            raise BatchError(path, f"{member} is not named by its SHA-256")
    undeclared = [n for n in present if n.startswith("documents/") and n not in docs]
    if undeclared:
        raise BatchError(path, f"{undeclared[0]} is not a listed document")
    return manifest, raw


def read_batch(path: Path, scratch: Path) -> BatchContent:
    """Check every byte of a batch and unpack its documents into ``scratch``.

    Raises :class:`BatchError` naming the file and the reason; nothing in the
    workspace is touched.
    """
    path = Path(path)
    try:
        with SafeArchive.open(path, limits=LIMITS, allowed=_MEMBER.fullmatch) as archive:
            manifest, raw = read_manifest(archive, path)
            sizes = {m["name"]: m for m in manifest["members"]}

            def text(name: str) -> str:
                entry = sizes[name]
                data = archive.read(name, sha256=entry["sha256"], size=entry["size"])
                try:
                    return data.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise BatchError(path, f"{name} is not UTF-8 text (byte {exc.start})") from exc

            if max(sizes[n]["size"] for n in (ITEMS, TAXONOMY, INSTRUCTIONS)) > MAX_TEXT:
                raise BatchError(path, "the items, taxonomy or instructions are too large")
            taxonomy_json = _parse_json(path, TAXONOMY, text(TAXONOMY))
            try:
                taxonomy = load_taxonomy(taxonomy_json, origin=f"{path.name}: {TAXONOMY}")
            except TaxonomyError as exc:
                raise BatchError(path, str(exc)) from exc
            if taxonomy.id != manifest["taxonomy_id"]:
                raise BatchError(path, f"{TAXONOMY} is not the taxonomy the manifest names")
            entries = _parse_items(path, text(ITEMS))
            instructions = text(INSTRUCTIONS)
            citations = ""
            if CITATIONS in sizes:
                if sizes[CITATIONS]["size"] > MAX_CITATIONS:
                    raise BatchError(path, f"{CITATIONS} is larger than {MAX_CITATIONS >> 20} MiB")
                entry = sizes[CITATIONS]
                data = archive.read(CITATIONS, sha256=entry["sha256"], size=entry["size"])
                try:
                    citations = decode_citations(data, CITATIONS)
                    check_citations_csv(citations, CITATIONS)
                except ReviewerError as exc:
                    raise BatchError(path, str(exc)) from exc
            pages = {d["sha256"]: 10**9 for d in manifest["documents"]}  # counted on import
            problems = check_items(entries, pages)
            if problems:
                raise BatchError(path, "; ".join(problems[:5]))
            content = BatchContent(
                path=path,
                manifest=manifest,
                manifest_sha256=hashlib.sha256(raw).hexdigest(),
                items=entries,
                taxonomy=taxonomy,
                taxonomy_json=taxonomy_json,
                instructions=instructions,
                citations=citations,
            )
            scratch.mkdir(parents=True, exist_ok=True, mode=0o700)
            for doc in manifest["documents"]:
                target = scratch / doc["member"].rsplit("/", 1)[1]
                entry = sizes[doc["member"]]
                with open(target, "wb") as out:
                    archive.copy_to(doc["member"], out, sha256=entry["sha256"], size=entry["size"])
                content.documents[doc["sha256"]] = target
            return content
    except ArchiveRejected as exc:
        raise BatchError(
            path, exc.reason if exc.member is None else f"{shown_name(exc.member)}: {exc.reason}"
        ) from exc


def _parse_json(path: Path, name: str, text: str) -> dict[str, Any]:
    try:
        data = strict_json.loads(text)
    except strict_json.JsonRejected as exc:
        raise BatchError(path, f"{name}: {exc}") from exc
    if not isinstance(data, dict):
        raise BatchError(path, f"{name}: expected a JSON object")
    return data


def _parse_items(path: Path, text: str) -> list[dict[str, Any]]:
    entries = [
        _parse_json(path, f"{ITEMS} line {number}", line)
        for number, line in enumerate(text.split("\n"), 1)
        if line.strip()
    ]
    if not entries:
        raise BatchError(path, f"{ITEMS} has no items")
    return entries


@dataclass(frozen=True)
class OpenedInfo:
    """What opening a batch document in the worker told us."""

    page_count: int
    title: str
    media_type: str


@dataclass(frozen=True)
class ImportResult:
    """What importing a batch did: ``imported`` or ``unchanged`` (the same file again)."""

    batch_id: str
    name: str
    status: str
    items: int
    documents: int

    def as_json(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "name": self.name,
            "status": self.status,
            "items": self.items,
            "documents": self.documents,
        }


def existing_import(ws: Workspace, content: BatchContent) -> ImportResult | None:
    """The same batch imported before (a no-op), or a refusal if the id is reused."""
    known = batch(ws, content.batch_id)
    if known is None:
        return None
    if known.manifest_sha256 != content.manifest_sha256:
        raise BatchError(
            content.path,
            f"a different batch with the id {content.batch_id} was imported before "
            f"({known.source_name}); refusing to mix them",
        )
    return ImportResult(
        content.batch_id, known.name, "unchanged", len(content.items), len(content.documents)
    )


def store_batch(
    ws: Workspace, content: BatchContent, opened: dict[str, OpenedInfo]
) -> ImportResult:
    """Record a checked batch in one transaction (documents, batch, items, event).

    ``opened`` holds every document as the document worker opened it, so a
    batch with an unreadable document stores nothing.
    """
    previous = existing_import(ws, content)
    if previous is not None:
        return previous
    manifest = content.manifest
    missing = [sha for sha in content.documents if sha not in opened]
    if missing:
        raise BatchError(content.path, f"document {missing[0][:12]}… was not opened")
    for number, entry in enumerate(content.items, 1):
        page = entry.get("page")
        doc = entry["documents"][0]
        if page is not None and page > opened[doc].page_count:
            raise BatchError(
                content.path,
                f"item {number}: page {page} is not in the document "
                f"({opened[doc].page_count} pages)",
            )
    for sha, file in content.documents.items():  # copied before the write lock is taken
        ws.blobs.put_file(file, sha)
    stamp = now()
    with ws.transaction():
        for sha, file in content.documents.items():
            info, entry = opened[sha], content.document_entry(sha)
            ws.add_document(
                file,
                page_count=info.page_count,
                title=info.title or Path(entry["name"]).stem,
                media_type=entry["media_type"] or info.media_type,
                sha256=sha,
                original_name=entry["name"],
            )
        ws.db["batch"].insert(
            {
                "id": content.batch_id,
                "name": manifest["name"],
                "task": manifest["task"],
                "taxonomy_id": content.taxonomy.id,
                "taxonomy": json.dumps(content.taxonomy_json, ensure_ascii=False),
                "instructions": content.instructions,
                "known_citations": content.citations,
                "manifest": json.dumps(manifest, ensure_ascii=False),
                "manifest_sha256": content.manifest_sha256,
                "source_name": content.path.name,
                "created_at": manifest["created"],
                "imported_at": stamp,
            }
        )
        for position, entry in enumerate(content.items):
            uid = item_id(content.batch_id, entry["id"])
            ws.db["item"].insert(
                {
                    "id": uid,
                    "batch": content.batch_id,
                    "local_id": entry["id"],
                    "position": position,
                    "task": entry["task"],
                    "title": entry.get("title") or _default_title(entry, content),
                    "prompt": entry.get("prompt", ""),
                    "documents": json.dumps(entry["documents"]),
                    "page": None if entry.get("page") is None else entry["page"] - 1,
                    "data": json.dumps(entry.get("data", {}), ensure_ascii=False),
                    "status": "todo",
                    "skip_reason": "",
                    "updated_at": stamp,
                }
            )
            for doc in entry["documents"]:
                ws.db.execute(
                    "INSERT OR IGNORE INTO item_document (item, doc) VALUES (?, ?)", [uid, doc]
                )
        ws.log_event(
            "batch.imported",
            "batch",
            content.batch_id,
            after={
                "name": manifest["name"],
                "manifest_sha256": content.manifest_sha256,
                "items": len(content.items),
                "documents": len(content.documents),
            },
            at=stamp,
        )
    return ImportResult(
        content.batch_id, manifest["name"], "imported", len(content.items), len(content.documents)
    )


def _default_title(entry: dict[str, Any], content: BatchContent) -> str:
    names = [content.document_entry(sha)["name"] for sha in entry["documents"]]
    if entry["task"] == "compare":
        return " vs ".join(names)
    page = entry.get("page")
    return names[0] if page is None else f"{names[0]}, page {page}"
