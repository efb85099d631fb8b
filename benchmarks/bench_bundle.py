"""Submission bundles: export and verify time for 10,000 annotations on 50 documents.

Setup, not timed: a fresh workspace in a temporary folder, an identity, 50
generated briefs of 3-6 pages (each with its own seed, so each has its own
SHA-256), a review batch of one item per document made with
``batch_file.create_batch`` and imported with ``batch_import.import_batch``,
10,000 annotations spread over the items (text selections of a few words,
selections over two lines and over two pages, areas; labels, severities and
comments of the ``legal-errors`` taxonomy) stored with
``annotations.add_many``, every item done, and a few work-time segments per
item.

Figures (target ≤ 2 s each; medians of 7 runs, after one warm-up):

* **export**: ``bundle.export_bundle`` as ``reviewer bundle export`` runs
  it (queries, W3C conversion, hashing, signing, the zip written and synced,
  the export event logged). Baseline: the same member bytes written with
  plain ``zipfile`` (JSON deflated, the signature stored), no hashing, no
  signing, no fsync.
* **verify**: ``bundle.verify_bundle`` with the signer's key, as
  ``reviewer bundle verify --pubkey`` runs it. Baseline: open the zip with
  plain ``zipfile``, read every member and SHA-256 it (the floor of any
  verification; the perf reference's ``verify_bundle`` also parsed JSON,
  reported here as detail).
* the same two with the 50 PDFs added as redacted copies (``RedactedCopy``;
  the generated PDFs stand in for redacted ones), stored as the app stores
  them. Reported without a target; the detail shows what deflating the
  PDFs would cost and save.

Detail rows split the export into its parts (building the members, signing,
writing the zip) and give a second verification floor: reading, hashing
and parsing every JSON line with plain ``json.loads``. Ours and the
baseline alternate run by run, so both see the same noise. ``--quick``
keeps the data (the target is about this size), does 5 runs instead of 7
and leaves out the redacted copies.

Run:  python benchmarks/bench_bundle.py [--quick]
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PROJECT, Recorder, setup_from

DOCUMENTS = 50
ANNOTATIONS = 10_000
TARGET_S = 2.0
RUNS_FULL = 7
RUNS_QUICK = 5
TAXONOMY = "legal-errors"
ANNOTATOR = ("Dana Whitfield", "dana.w")
COMMENTS = (
    "The brief gives the wrong filing date; the docket shows the motion was filed later.",
    "Misstates the holding: the court reserved the question rather than deciding it.",
    "This standard comes from another circuit and does not bind this court.",
    "The amount differs from the figure in the credit agreement schedule.",
    "Citation pin cite points to the dissent, not the majority opinion.",
    "Party name is wrong here; the guarantor, not the borrower, signed the notice.",
    "The quoted language does not appear in the cited statute.",
    "Deadline computed from the wrong trigger date under the local rules.",
)


# -- setup ----------------------------------------------------------------------------


def make_documents(folder: Path, count: int) -> list[Path]:
    from reviewer.core.samples import make_long_brief

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"brief_{n:02d}.pdf"
        make_long_brief(path, 3 + n % 4, seed=1000 + n)
        paths.append(path)
    return paths


class PageWords:
    """A page's extracted text (as the worker extracts it) and its words with offsets."""

    def __init__(self, page: Any) -> None:
        from reviewer.core.documents import TEXT_FLAGS

        self.number = page.number
        self.text = page.get_textpage(flags=TEXT_FLAGS).extractText()
        self.words: list[tuple[int, int, tuple[float, float, float, float], tuple[int, int]]] = []
        pos = 0
        for x0, y0, x1, y1, word, block, line, _ in page.get_text("words", flags=TEXT_FLAGS):
            start = self.text.find(word, pos)
            if start < 0:
                continue
            pos = start + len(word)
            self.words.append((start, pos, (x0, y0, x1, y1), (block, line)))


def _segment(page: PageWords, first: int, last: int) -> Any:
    from reviewer.core.anchors import box_to_quad
    from reviewer.core.model import TextSegment

    words = page.words[first : last + 1]
    boxes: list[list[float]] = []
    key = None
    for _, _, (x0, y0, x1, y1), line in words:
        if line != key:
            boxes.append([x0, y0, x1, y1])
            key = line
        else:
            b = boxes[-1]
            boxes[-1] = [min(b[0], x0), min(b[1], y0), max(b[2], x1), max(b[3], y1)]
    quads = tuple(box_to_quad((b[0], b[1], b[2], b[3])) for b in boxes)
    return TextSegment(page.number, words[0][0], words[-1][1], quads)


def make_selector(rng: random.Random, pages: Sequence[PageWords]) -> Any:
    """A text selection (one line, two lines, or across two pages) or an area."""
    from reviewer.core.anchors import CONTEXT
    from reviewer.core.model import Selector

    roll = rng.random()
    page = rng.choice(pages)
    if roll < 0.10:
        x, y = rng.uniform(72, 400), rng.uniform(72, 600)
        rect = (round(x, 2), round(y, 2), round(x + rng.uniform(40, 140), 2), round(y + 30, 2))
        return Selector(kind="area", page=page.number, rect=rect)
    if roll < 0.15 and page.number + 1 < len(pages):
        nxt = pages[page.number + 1]
        first = _segment(page, len(page.words) - rng.randint(2, 6), len(page.words) - 1)
        second = _segment(nxt, 0, rng.randint(1, 5))
        quotes = [page.text[first.start : first.end], nxt.text[second.start : second.end]]
        return Selector(
            kind="text",
            page=page.number,
            segments=(first, second),
            exact="\n".join(quotes),
            prefix=page.text[max(0, first.start - CONTEXT) : first.start],
            suffix=nxt.text[second.end : second.end + CONTEXT],
        )
    length = rng.randint(10, 24) if roll < 0.30 else rng.randint(1, 6)  # two lines, or a few words
    first = rng.randrange(0, max(1, len(page.words) - length))
    seg = _segment(page, first, min(len(page.words) - 1, first + length - 1))
    return Selector(
        kind="text",
        page=page.number,
        segments=(seg,),
        exact=page.text[seg.start : seg.end],
        prefix=page.text[max(0, seg.start - CONTEXT) : seg.start],
        suffix=page.text[seg.end : seg.end + CONTEXT],
    )


def build_workspace(root: Path, documents: int, annotations: int) -> dict[str, Any]:
    """Everything the timed part needs: the open workspace, the batch, the PDFs."""
    import pymupdf

    from reviewer.core import annotations as store
    from reviewer.core import batches, identity
    from reviewer.core.batch_file import SourceDocument, create_batch, default_items
    from reviewer.core.batch_import import import_batch
    from reviewer.core.blobs import sha256_file
    from reviewer.core.model import Annotation
    from reviewer.core.paths import resolve
    from reviewer.core.store import Workspace, now
    from reviewer.core.taxonomy import builtin_taxonomy
    from reviewer.core.timesheet import Segment, TimeLog

    started = time.perf_counter()
    pdfs = make_documents(root / "docs", documents)
    paths = resolve(root / "workspace")
    ws = Workspace.open(paths, actor=ANNOTATOR[1])
    identity.create_identity(paths.workspace, *ANNOTATOR, created_at=now())
    taxonomy = builtin_taxonomy(TAXONOMY)
    sources, page_words = [], {}
    for pdf in pdfs:
        sha = sha256_file(pdf)
        with pymupdf.open(pdf) as doc:
            sources.append(SourceDocument(pdf, sha, doc.page_count, "application/pdf"))
            page_words[sha] = [PageWords(page) for page in doc]
    if len({s.sha256 for s in sources}) != len(sources):
        raise SystemExit("generated documents are not all distinct")
    batch_path = root / "bench.rvbatch"
    create_batch(
        batch_path,
        name="Bundle benchmark",
        task="review",
        taxonomy=taxonomy,
        instructions="# Review\n\nMark every legal error and say why.\n",
        documents=sources,
        items=default_items("review", sources),
    )
    batch_id = import_batch(ws, batch_path).batch_id
    items = batches.items(ws, batch_id)

    rng = random.Random(20260501)
    labels = [label.id for label in taxonomy.labels]
    severities = [s.id for s in taxonomy.severities]
    made = []
    for n in range(annotations):
        item = items[n % len(items)]
        sha = item.documents[0]
        made.append(
            Annotation(
                id=store.new_id(),
                document=sha,
                taxonomy=TAXONOMY,
                label=rng.choice(labels),
                selector=make_selector(rng, page_words[sha]),
                comment=rng.choice(COMMENTS) if rng.random() < 0.9 else "",
                severity=rng.choice(severities) if severities else None,
                item=item.id,
            )
        )
    for chunk in range(0, len(made), 1000):  # a scan's worth at a time, as the window does
        store.add_many(ws, made[chunk : chunk + 1000])

    log = TimeLog(ws)
    clock = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    for item in items:
        segments = []
        for _ in range(3):
            seconds = rng.uniform(30, 600)
            end = clock + timedelta(seconds=seconds)
            segments.append(Segment(item.id, clock.isoformat(), end.isoformat(), seconds))
            clock = end + timedelta(seconds=rng.uniform(5, 120))
        log.save(segments)
        batches.set_status(ws, item.id, "done")
    return {
        "ws": ws,
        "batch_id": batch_id,
        "pdfs": {s.sha256: s.path for s in sources},
        "key": identity.load_identity(paths.workspace).public_key,  # type: ignore[union-attr]
        "setup_s": time.perf_counter() - started,
    }


# -- raw baselines --------------------------------------------------------------------


def raw_write(target: Path, entries: Sequence[tuple[str, bytes | Path, bool]]) -> None:
    """Plain zipfile: the same member bytes, JSON deflated (level 6), no hashing or signing."""
    with zipfile.ZipFile(target, "w") as archive:
        for name, content, compress in entries:
            method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            if isinstance(content, Path):
                archive.write(content, name, compress_type=method, compresslevel=6)
            else:
                archive.writestr(name, content, compress_type=method, compresslevel=6)


def raw_read(source: Path, *, parse: bool = False) -> int:
    """Plain zipfile: read every member back and SHA-256 it (optionally parse the JSON)."""
    records = 0
    with zipfile.ZipFile(source) as archive:
        for info in archive.infolist():
            digest = hashlib.sha256()
            parts = []
            with archive.open(info) as member:
                while chunk := member.read(1 << 20):
                    digest.update(chunk)
                    if parse:
                        parts.append(chunk)
            digest.hexdigest()
            if parse and info.filename.endswith(".jsonl"):
                records += sum(1 for line in b"".join(parts).splitlines() if json.loads(line))
    return records


# -- measuring --------------------------------------------------------------------------


def alternate(
    runs: int, ours: Callable[[], object], raw: Callable[[], object]
) -> tuple[list[float], list[float]]:
    """Seconds of each, alternating run by run after one untimed warm-up of both."""
    ours()
    raw()
    ours_s, raw_s = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        ours()
        ours_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        raw()
        raw_s.append(time.perf_counter() - t0)
    return ours_s, raw_s


def _ms(samples: Sequence[float]) -> list[float]:
    return [1000 * s for s in samples]


def report_pair(
    rec: Recorder,
    figure: str,
    ours_s: list[float],
    raw_s: list[float],
    label: str,
    *,
    judged: bool,
) -> None:
    rec.timing(f"ours: {figure}", _ms(ours_s))
    rec.timing(f"baseline: {label}", _ms(raw_s))
    ours_ms, raw_ms = 1000 * statistics.median(ours_s), 1000 * statistics.median(raw_s)
    rec.figure(
        figure,
        ours_ms,
        raw_ms,
        "ms",
        f"≤ {TARGET_S * 1000:.0f} ms" if judged else "reported (no target)",
        ours_ms <= TARGET_S * 1000 if judged else None,
        baseline_label=label,
    )


def breakdown(rec: Recorder, env: dict[str, Any], out: Path, runs: int) -> None:
    """Where the export's time goes: build (queries, W3C, hashing), sign, write the zip."""
    from reviewer.core import identity, strict_json
    from reviewer.core.bundle import MANIFEST, SIGNATURE, build_bundle
    from reviewer.core.safezip import write_archive

    ws, batch_id = env["ws"], env["batch_id"]
    build, sign, write = [], [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        manifest, contents = build_bundle(ws, batch_id)
        raw = strict_json.dumps_canonical(manifest)
        t1 = time.perf_counter()
        signature = identity.sign(ws.paths.workspace, raw)
        t2 = time.perf_counter()
        write_archive(out, [(MANIFEST, raw, True), (SIGNATURE, signature, False), *contents])
        t3 = time.perf_counter()
        build.append(t1 - t0)
        sign.append(t2 - t1)
        write.append(t3 - t2)
    rec.timing("export part: build_bundle + canonical manifest", _ms(build))
    rec.timing("export part: load key + Ed25519 sign", _ms(sign))
    rec.timing("export part: write_archive (deflate, fsync, rename)", _ms(write))


def measure(rec: Recorder, env: dict[str, Any], tmp: Path, runs: int, *, redacted: bool) -> None:
    from reviewer.core import identity, strict_json
    from reviewer.core.bundle import (
        MANIFEST,
        SIGNATURE,
        RedactedCopy,
        build_bundle,
        export_bundle,
        verify_bundle,
    )

    ws, batch_id, key = env["ws"], env["batch_id"], env["key"]
    copies = (
        [
            RedactedCopy(sha, pdf, {"passed": True, "checks": [], "document": sha})
            for sha, pdf in env["pdfs"].items()
        ]
        if redacted
        else []
    )
    tag = " + 50 redacted PDFs" if redacted else ""
    ours_path = tmp / f"ours{'-redacted' if redacted else ''}.rvbundle"
    raw_path = tmp / f"raw{'-redacted' if redacted else ''}.zip"

    # The member bytes the baseline writes: exactly what export_bundle writes.
    manifest, contents = build_bundle(ws, batch_id, redacted=copies)
    raw_manifest = strict_json.dumps_canonical(manifest)
    entries = [
        (MANIFEST, raw_manifest, True),
        (SIGNATURE, identity.sign(ws.paths.workspace, raw_manifest), False),
        *contents,
    ]
    digests: set[str] = set()

    def ours_export() -> None:
        export_bundle(ws, batch_id, ours_path, redacted=copies)
        digests.add(hashlib.sha256(ours_path.read_bytes()).hexdigest())

    export_s, write_s = alternate(runs, ours_export, lambda: raw_write(raw_path, entries))
    counts = manifest["counts"]
    size = {m["name"]: m["size"] for m in manifest["members"]}
    rec.note(
        f"bundle{tag}",
        members=len(manifest["members"]) + 2,
        annotations=counts["annotations"],
        events=counts["events"],
        items=counts["items"],
        annotations_mib=round(size["annotations.jsonl"] / 2**20, 2),
        events_mib=round(size["events.jsonl"] / 2**20, 2),
        zip_kib=round(ours_path.stat().st_size / 1024, 1),
        raw_zip_kib=round(raw_path.stat().st_size / 1024, 1),
        same_bytes_every_export=len(digests) == 1,
    )
    report_pair(
        rec,
        f"bundle export, {counts['annotations']:,} annotations{tag}",
        export_s,
        write_s,
        "plain zipfile write",
        judged=not redacted,
    )

    def ours_verify() -> None:
        verify_bundle(ours_path, public_key=key)

    verify_s, read_s = alternate(runs, ours_verify, lambda: raw_read(ours_path))
    report_pair(
        rec,
        f"bundle verify, {counts['annotations']:,} annotations{tag}",
        verify_s,
        read_s,
        "plain zipfile read + sha256",
        judged=not redacted,
    )
    parse_s = []
    for _ in range(runs):
        t0 = time.perf_counter()
        raw_read(ours_path, parse=True)
        parse_s.append(time.perf_counter() - t0)
    rec.timing(f"baseline: read + sha256 + json.loads every line{tag}", _ms(parse_s))

    if redacted:
        deflated = tmp / "raw-deflated.zip"
        pdf_entries = [(n, c, True) for n, c, _ in entries]
        stored_s, deflate_s = alternate(
            runs, lambda: raw_write(raw_path, entries), lambda: raw_write(deflated, pdf_entries)
        )
        pdf_bytes = sum(v for k, v in size.items() if k.endswith(".pdf"))
        rec.note(
            "redacted PDFs: stored vs deflated (plain zipfile)",
            pdfs_mib=round(pdf_bytes / 2**20, 2),
            stored_ms=round(1000 * statistics.median(stored_s), 1),
            deflated_ms=round(1000 * statistics.median(deflate_s), 1),
            stored_kib=round(raw_path.stat().st_size / 1024, 1),
            deflated_kib=round(deflated.stat().st_size / 1024, 1),
        )


def main() -> int:
    setup = setup_from(sys.argv[1:])
    rec = Recorder("bench_bundle")
    runs = RUNS_QUICK if setup.quick else RUNS_FULL
    with tempfile.TemporaryDirectory(prefix="reviewer-bench-") as name:
        tmp = Path(name)
        env = build_workspace(tmp, DOCUMENTS, ANNOTATIONS)
        try:
            rec.note(
                "setup (not timed)",
                documents=DOCUMENTS,
                annotations=ANNOTATIONS,
                runs=runs,
                seconds=round(env["setup_s"], 1),
            )
            measure(rec, env, tmp, runs, redacted=False)
            breakdown(rec, env, tmp / "parts.rvbundle", runs)
            if not setup.quick:
                measure(rec, env, tmp, runs, redacted=True)
        finally:
            env["ws"].close()
    print(f"\nrows recorded in {os.path.relpath(rec.path, PROJECT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
