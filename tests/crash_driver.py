"""Crash safety: the real data layer, killed with SIGKILL at random moments.

Two halves share this file (the tests and ``benchmarks/reliability.py`` use both):

* the **driver**, run as a subprocess::

      python -u tests/crash_driver.py WORKSPACE_DIR MODE SEED [TARGET [SOURCE START]]

  It opens the workspace with the real store (``Workspace.open``: the lock,
  WAL, ``synchronous=FULL``), prints ``ready`` and loops until it is killed.
  Before each call into the data layer it prints ``try <op> <ids> <json>``,
  and after the call has returned ``ack <op> <ids> <json>`` (flushed, one
  ``write`` each, so a line is in the pipe whole or not at all). MODE is

  - ``edits``: random annotation edits through the undoable commands the
    window uses (add, edit the comment, delete, restore, and a group edit of
    several annotations in one transaction); the JSON is the list of the
    states the ids must have (``comment`` token, ``pad`` length, ``deleted``).
  - ``bundle``: add an annotation to an item of the batch, then
    ``export_bundle(..., partial=True)`` to TARGET, again and again; the ack
    carries the SHA-256 of the file written.
  - ``pdf``: ``export_redacted`` of SOURCE to TARGET, again and again, each
    export with a different label (``v<START+n>``) in its box, so that every
    export gives different bytes; the ack carries the version and SHA-256.

* the **parent** (:func:`sqlite_rounds`, :func:`export_rounds`): prepares a
  workspace, starts the driver, kills it with SIGKILL after a random delay,
  reopens the workspace (the OS lock must be gone), runs
  ``PRAGMA integrity_check`` and compares what the store or the target
  holds with what was acknowledged; then starts the next round on the same
  workspace, so damage would accumulate.

Only ``reviewer.core`` is imported by the driver (no Qt): its start-up is
most of a round. The file's name does not start with ``test_``, so pytest
does not collect it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DRIVER = Path(__file__).resolve()
#: A driver that is never killed stops by itself after this long (a parent bug, not a hang).
DRIVER_LIFETIME = 120.0
#: How long the parent waits for ``ready`` (Python start-up and ``Workspace.open``).
STARTUP_TIMEOUT = 30.0
#: The term the PDF export removes; the parent checks that no output contains it.
SECRET = "Quentin Zabriskie"
PAGES = 2

State = dict[str, Any]


# -- shared by both halves ------------------------------------------------------------


def comment_text(token: str, pad: int) -> str:
    """The comment stored for a state: its token, then ``pad`` characters derived from it.

    The padding differs from token to token, so a row made of two writes
    (a torn page) cannot pass for either; large pads spill onto overflow pages.
    """
    filler = hashlib.sha256(token.encode()).hexdigest()
    return f"{token}|" + (filler * (pad // len(filler) + 1))[:pad]


def state_of(comment: str, deleted: bool) -> State:
    """The state a stored row is in (``comment`` None when the text is not one we wrote)."""
    token, _, rest = comment.partition("|")
    if comment_text(token, len(rest)) != comment:
        return {"comment": None, "pad": -1, "deleted": bool(deleted)}
    return {"comment": token, "pad": len(rest), "deleted": bool(deleted)}


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# -- the driver (subprocess) ----------------------------------------------------------


def _say(*parts: object) -> None:
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")
    sys.stdout.flush()


def _compact(data: object) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def _drive_edits(ws: Any, rng: random.Random, seed: int, deadline: float) -> None:
    from reviewer.core import annotations as store
    from reviewer.core.commands import (
        CommandGroup,
        CreateAnnotation,
        DeleteAnnotation,
        EditAnnotation,
    )
    from reviewer.core.model import Annotation, Selector

    doc = ws.documents()[0].sha256
    known = {
        a.id: state_of(a.comment, a.deleted)
        for a in store.for_document(ws, doc, include_deleted=True)
    }
    counter = 0

    def fresh(deleted: bool) -> State:
        nonlocal counter
        counter += 1
        pad = rng.randrange(3000, 9000) if rng.random() < 0.15 else rng.randrange(0, 200)
        return {"comment": f"s{seed}.{counter}", "pad": pad, "deleted": deleted}

    def text(state: State) -> str:
        return comment_text(state["comment"], state["pad"])

    _say("ready")
    while time.monotonic() < deadline:
        live = [i for i, s in known.items() if not s["deleted"]]
        gone = [i for i, s in known.items() if s["deleted"]]
        roll = rng.random()
        if len(known) < 3 or roll < 0.3:
            op, ids, states = "add", [store.new_id()], [fresh(False)]
            y = rng.uniform(20.0, 700.0)
            rect = (40.0, y, rng.uniform(60.0, 500.0), y + 12.0)
            annotation = Annotation(
                ids[0],
                doc,
                "pii",
                "PERSON",
                Selector(kind="area", page=rng.randrange(PAGES), rect=rect),
                comment=text(states[0]),
            )
            command: Any = CreateAnnotation(annotation)
        elif roll < 0.6:
            target = rng.choice(list(known))
            op, ids, states = "edit", [target], [fresh(known[target]["deleted"])]
            command = EditAnnotation(target, {"comment": text(states[0])})
        elif roll < 0.75 and live:
            target = rng.choice(live)
            op, ids, states = "delete", [target], [{**known[target], "deleted": True}]
            command = DeleteAnnotation(target)
        elif roll < 0.85 and gone:
            target = rng.choice(gone)
            op, ids, states = "restore", [target], [{**known[target], "deleted": False}]
            command = None  # undoing a delete: DeleteAnnotation.revert
        else:
            ids = rng.sample(list(known), rng.randint(2, min(4, len(known))))
            op, states = "group", [fresh(known[i]["deleted"]) for i in ids]
            command = CommandGroup(
                [EditAnnotation(i, {"comment": text(s)}) for i, s in zip(ids, states, strict=True)]
            )
        _say("try", op, ",".join(ids), _compact(states))
        if command is None:
            DeleteAnnotation(ids[0]).revert(ws)
        else:
            command.apply(ws)
        _say("ack", op, ",".join(ids), _compact(states))
        known.update(zip(ids, states, strict=True))


def _drive_bundle(ws: Any, rng: random.Random, seed: int, target: Path, deadline: float) -> None:
    from reviewer.core import annotations as store
    from reviewer.core import batches
    from reviewer.core.bundle import export_bundle
    from reviewer.core.model import Annotation, Selector

    batch_id = batches.batches(ws)[0].id
    items = batches.items(ws, batch_id)
    counter = 0
    _say("ready")
    while time.monotonic() < deadline:
        counter += 1
        item = rng.choice(items)
        y = rng.uniform(20.0, 250.0)
        annotation = Annotation(
            store.new_id(),
            item.documents[0],
            "legal-errors",
            "factual",
            Selector(kind="area", page=0, rect=(30.0, y, 250.0, y + 12.0)),
            comment=f"s{seed}.{counter}",
            item=item.id,
        )
        store.add(ws, annotation)
        _say("ack", "add", annotation.id, "{}")
        _say("try", "export", "-", "{}")
        manifest = export_bundle(ws, batch_id, target, partial=True)
        counts = {"annotations": manifest["counts"]["annotations"], "sha256": sha256_of(target)}
        _say("ack", "export", "-", _compact(counts))


def _drive_pdf(source: Path, target: Path, start: int, deadline: float) -> None:
    from reviewer.core.redaction.export import export_redacted
    from reviewer.core.redaction.plan import RedactionBox, RedactionOptions, RedactionPlan

    version = start
    _say("ready")
    while time.monotonic() < deadline:
        version += 1
        plan = RedactionPlan(
            boxes=(RedactionBox(0, (60.0, 180.0, 300.0, 210.0), label=f"v{version}"),),
            terms=(SECRET,),
        )
        _say("try", "export", "-", _compact({"version": version}))
        export_redacted(source, target, plan, RedactionOptions(label_text="{label}"))
        _say("ack", "export", "-", _compact({"version": version, "sha256": sha256_of(target)}))


def main(argv: list[str]) -> int:
    from reviewer.core.paths import resolve
    from reviewer.core.store import Workspace

    folder, mode, seed = Path(argv[0]), argv[1], int(argv[2])
    rng = random.Random(seed)
    deadline = time.monotonic() + DRIVER_LIFETIME
    if mode == "pdf":
        _drive_pdf(Path(argv[4]), Path(argv[3]), int(argv[5]), deadline)
        return 1
    with Workspace.open(resolve(folder), actor="crash-driver") as ws:
        if mode == "edits":
            _drive_edits(ws, rng, seed, deadline)
        elif mode == "bundle":
            _drive_bundle(ws, rng, seed, Path(argv[3]), deadline)
        else:
            raise SystemExit(f"unknown mode {mode!r}")
    return 1  # reaching the deadline means nobody killed us


# -- the parent: preparing, killing, checking -----------------------------------------


class DriverError(RuntimeError):
    """The driver did not behave (it crashed by itself or never became ready)."""


@dataclass
class Round:
    """What one driver run printed before it was killed."""

    lines: list[tuple[str, str, list[str], Any]]
    ready: bool

    @property
    def in_flight(self) -> tuple[str, list[str], Any] | None:
        """The call that had started and not returned when the kill came, if any."""
        if self.lines and self.lines[-1][0] == "try":
            _, op, ids, data = self.lines[-1]
            return op, ids, data
        return None

    def acks(self, op: str | None = None) -> list[tuple[str, list[str], Any]]:
        return [(o, i, d) for k, o, i, d in self.lines if k == "ack" and op in (None, o)]


def run_round(
    folder: Path,
    mode: str,
    seed: int,
    delay: float,
    *extra: str,
    before_ready: bool = False,
    env: Mapping[str, str] | None = None,
) -> Round:
    """Start the driver, SIGKILL it ``delay`` s after ``ready`` (or after start), reap it.

    ``before_ready`` counts the delay from the start of the process instead,
    so that some kills land in Python's start-up or in ``Workspace.open``.
    """
    command = [sys.executable, "-u", str(DRIVER), str(folder), mode, str(seed), *extra]
    lines: list[tuple[str, str, list[str], Any]] = []
    ready = threading.Event()
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=errors, env=None if env is None else dict(env)
        )
        assert proc.stdout is not None

        def read() -> None:
            for raw in proc.stdout:  # type: ignore[union-attr]
                if not raw.endswith(b"\n"):
                    break  # cut off by the kill: never acknowledged
                text = raw.decode("utf-8").rstrip("\n")
                if text == "ready":
                    ready.set()
                    continue
                kind, op, ids, data = text.split(" ", 3)
                lines.append((kind, op, ids.split(","), json.loads(data)))

        reader = threading.Thread(target=read, name="crash-driver-reader", daemon=True)
        reader.start()
        try:
            if before_ready or ready.wait(STARTUP_TIMEOUT):
                time.sleep(delay)
            exited = proc.poll()
        finally:
            proc.kill()  # SIGKILL on POSIX
            proc.wait()
            reader.join()
            proc.stdout.close()
        if exited is not None or not (before_ready or ready.is_set()):
            errors.seek(0)
            tail = errors.read().decode("utf-8", "replace")[-3000:]
            problem = "exited by itself" if exited is not None else "never became ready"
            raise DriverError(f"crash driver ({mode}) {problem}: {tail}")
    return Round(lines, ready.is_set())


def _write_pdf(path: Path, pages: list[list[str]]) -> Path:
    import pymupdf

    with pymupdf.open() as doc:
        for lines in pages:
            page = doc.new_page(width=400, height=400)
            for n, line in enumerate(lines):
                page.insert_text((40, 60 + 30 * n), line, fontsize=11)
        doc.save(path, garbage=4, deflate=True)
    return path


def _open_checked(folder: Path) -> tuple[Any, str | None]:
    """Reopen the workspace as the app does; (workspace or None, problem or None)."""
    from reviewer.core.errors import ReviewerError
    from reviewer.core.paths import resolve
    from reviewer.core.store import Workspace

    try:
        ws = Workspace.open(resolve(folder), actor="crash-check")
    except ReviewerError as exc:
        return None, f"the workspace does not open after the kill: {exc}"
    result = [tuple(r) for r in ws.db.execute("PRAGMA integrity_check").fetchall()]
    if result != [("ok",)]:
        return ws, f"PRAGMA integrity_check: {result[:5]}"
    return ws, None


# -- SQLite: annotation edits ------------------------------------------------------------


@dataclass
class SqliteFigures:
    kills: int = 0
    startup_kills: int = 0  # killed before ``ready``: in start-up or Workspace.open
    in_flight: int = 0  # killed while a call into the store had not returned
    acked: int = 0
    lost: int = 0
    partial: int = 0
    integrity_fail: int = 0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"SQLITE kills={self.kills} acked={self.acked} lost={self.lost} "
            f"partial={self.partial} integrity_fail={self.integrity_fail} "
            f"in_flight={self.in_flight} startup_kills={self.startup_kills}"
        )


def prepare_edits_workspace(root: Path) -> Path:
    """A workspace folder under ``root`` holding one small PDF (no annotations yet)."""
    from reviewer.core.paths import resolve
    from reviewer.core.store import Workspace

    root.mkdir(parents=True, exist_ok=True)
    pdf = _write_pdf(root / "filing.pdf", [["Page one of the filing."], ["Page two."]])
    folder = root / "edits-workspace"
    with Workspace.open(resolve(folder)) as ws:
        ws.add_document(pdf, page_count=PAGES)
    return folder


def _stored_states(ws: Any) -> tuple[dict[str, State], dict[str, State | None]]:
    """Each annotation's state from its row, and as its event log replays it.

    The replay is None for an annotation whose first event is not its creation.
    """
    from reviewer.core import annotations as store

    doc = ws.documents()[0].sha256
    rows = {
        a.id: state_of(a.comment, a.deleted)
        for a in store.for_document(ws, doc, include_deleted=True)
    }
    replay: dict[str, dict[str, Any] | None] = {}
    for event in ws.events(entity="annotation"):
        after = event.after or {}
        if event.kind == "annotation.created":
            replay[event.entity_id] = {"text": after["comment"], "deleted": bool(after["deleted"])}
        elif replay.get(event.entity_id) is None:
            replay[event.entity_id] = None
        elif event.kind == "annotation.updated" and "comment" in after:
            replay[event.entity_id]["text"] = after["comment"]  # type: ignore[index]
        elif event.kind in ("annotation.deleted", "annotation.restored"):
            replay[event.entity_id]["deleted"] = bool(after["deleted"])  # type: ignore[index]
    logged = {
        i: None if r is None else state_of(r["text"], r["deleted"]) for i, r in replay.items()
    }
    return rows, logged


def _check_edits(
    folder: Path,
    round_: Round,
    expected: dict[str, State],
    history: dict[str, list[State]],
    figures: SqliteFigures,
    number: int,
) -> None:
    ws, problem = _open_checked(folder)
    if problem is not None:
        figures.integrity_fail += 1
        figures.problems.append(f"kill {number}: {problem}")
    if ws is None:
        return
    with ws:
        rows, logged = _stored_states(ws)
    flight = round_.in_flight
    trying: dict[str, State] = {}
    if flight is not None:
        figures.in_flight += 1
        trying = dict(zip(flight[1], flight[2], strict=True))
    applied: list[bool] = []

    def report(kind: str, text: str) -> None:
        setattr(figures, kind, getattr(figures, kind) + 1)
        figures.problems.append(f"kill {number}: {kind}: {text}")

    for annotation_id in sorted(set(expected) | set(rows) | set(trying)):
        row = rows.get(annotation_id)
        want = expected.get(annotation_id)
        if row is None:
            if want is not None:
                report("lost", f"acknowledged annotation {annotation_id} {want} is missing")
            continue
        if annotation_id in trying:
            applied.append(row == trying[annotation_id])
        if row not in (want, trying.get(annotation_id)):
            if want is None and annotation_id not in trying:
                report("partial", f"annotation {annotation_id} was never written: {row}")
            elif row in history.get(annotation_id, []):
                report("lost", f"{annotation_id} went back to {row}; acknowledged {want}")
            else:
                report(
                    "partial",
                    f"{annotation_id} holds {row}; acked {want}, in flight "
                    f"{trying.get(annotation_id)}",
                )
        if logged.get(annotation_id) != row:
            report(
                "partial",
                f"{annotation_id}: the event log replays to {logged.get(annotation_id)}, "
                f"the row holds {row}",
            )
    if flight is not None and flight[0] == "group" and any(applied) and not all(applied):
        report("partial", f"half of a group edit was saved: {flight[1]} applied {applied}")
    # What the store holds now is what the next round starts from.
    expected.clear()
    expected.update(rows)
    for annotation_id, state in rows.items():
        history.setdefault(annotation_id, []).append(state)


def sqlite_rounds(
    root: Path,
    kills: int,
    *,
    seed: int = 1,
    max_delay: float = 0.35,
    env: Mapping[str, str] | None = None,
    progress: Any = None,
) -> SqliteFigures:
    """``kills`` rounds of random annotation edits, each ended by SIGKILL, on one workspace."""
    folder = prepare_edits_workspace(root)
    rng = random.Random(seed)
    figures = SqliteFigures()
    expected: dict[str, State] = {}
    history: dict[str, list[State]] = {}
    for number in range(1, kills + 1):
        early = rng.random() < 0.1
        delay = rng.uniform(0.0, 0.3) if early else rng.uniform(0.0, max_delay)
        round_ = run_round(
            folder, "edits", seed * 100_000 + number, delay, before_ready=early, env=env
        )
        figures.kills += 1
        figures.startup_kills += not round_.ready
        for _, ids, states in round_.acks():
            figures.acked += 1
            for annotation_id, state in zip(ids, states, strict=True):
                expected[annotation_id] = state
                history.setdefault(annotation_id, []).append(state)
        _check_edits(folder, round_, expected, history, figures, number)
        if progress is not None:
            progress(figures)
    return figures


# -- exports: submission bundle and redacted PDF -------------------------------------------


@dataclass
class ExportFigures:
    what: str
    kills: int = 0
    exports: int = 0  # exports acknowledged (complete files written and verified by the writer)
    in_flight: int = 0  # killed while an export had started and not returned
    old: int = 0  # the target held the file from before (the last one acknowledged)
    new: int = 0  # the target held the complete export that was in flight
    absent: int = 0  # no export had finished yet, and there was no file
    partial: int = 0  # anything else: a file that fails verification, or a vanished one
    temp_left: int = 0  # hidden temporary files beside the target now (kills during a write)
    integrity_fail: int = 0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"EXPORT {self.what} kills={self.kills} exports={self.exports} "
            f"old={self.old} new={self.new} "
            f"absent={self.absent} partial={self.partial} in_flight={self.in_flight} "
            f"temp_left={self.temp_left} integrity_fail={self.integrity_fail}"
        )


def prepare_bundle_workspace(root: Path) -> Path:
    """A workspace with an identity and an imported 2-item review batch (as users get one)."""
    from reviewer.core import identity
    from reviewer.core.batch_file import SourceDocument, create_batch, default_items
    from reviewer.core.batch_import import import_batch
    from reviewer.core.blobs import sha256_file
    from reviewer.core.paths import resolve
    from reviewer.core.store import Workspace
    from reviewer.core.taxonomy import builtin_taxonomy

    root.mkdir(parents=True, exist_ok=True)
    files = [
        _write_pdf(root / f"filing {n}.pdf", [[f"Filing {n}: the lender shall pay."]])
        for n in (1, 2)
    ]
    docs = [SourceDocument(f, sha256_file(f), 1, "application/pdf") for f in files]
    batch_file = root / "crash.rvbatch"
    create_batch(
        batch_file,
        name="Crash batch",
        task="review",
        taxonomy=builtin_taxonomy("legal-errors"),
        instructions="# Instructions\n\nMark every **factual** error.\n",
        documents=docs,
        items=default_items("review", docs),
        batch_id="crash-batch-1",
        created="2024-05-01T08:00:00+00:00",
    )
    folder = root / "bundle-workspace"
    with Workspace.open(resolve(folder)) as ws:
        identity.create_identity(
            folder, "Crash Test", "crash.test", created_at="2024-05-01T09:00:00+00:00"
        )
        import_batch(ws, batch_file)
    return folder


def _bundle_problem(path: Path) -> str | None:
    from reviewer.core.bundle import BundleRejected, verify_bundle

    try:
        verify_bundle(path)
    except BundleRejected as exc:
        return str(exc)
    return None


def _pdf_version(path: Path) -> tuple[int | None, str | None]:
    """The export version a redacted copy carries, or the reason it is not a verified copy."""
    import pymupdf

    try:
        with pymupdf.open(path) as doc:
            if doc.page_count != PAGES:
                return None, f"{doc.page_count} pages, not {PAGES}"
            text = "".join(page.get_text() for page in doc)
    except (RuntimeError, ValueError) as exc:
        return None, f"does not open: {exc}"
    if SECRET.lower() in " ".join(text.split()).lower():
        return None, "the redacted term is still in the text"
    found = re.findall(r"\bv(\d+)\b", text)
    if len(found) != 1:
        return None, f"label versions found: {found}"
    return int(found[0]), None


def export_rounds(
    root: Path,
    what: str,
    kills: int,
    *,
    seed: int = 1,
    max_delay: float = 1.0,
    env: Mapping[str, str] | None = None,
    progress: Any = None,
) -> ExportFigures:
    """``kills`` rounds of exports to one target (``what``: bundle or pdf), each ended by SIGKILL.

    After each kill the target must hold the last acknowledged file (old),
    the complete, verified export that was in flight (new), or be absent
    when no export has finished yet; anything else counts as partial.
    """
    root.mkdir(parents=True, exist_ok=True)
    out = root / "out"
    out.mkdir(exist_ok=True)
    if what == "bundle":
        folder = prepare_bundle_workspace(root / "bundle")
        target = out / "submission.rvbundle"
        source = None
    elif what == "pdf":
        folder = root
        source = _write_pdf(
            root / "letter.pdf",
            [
                [f"Dear {SECRET},", "your account number is on file.", "Kind regards"],
                [f"Copy to {SECRET} and the bank."],
            ],
        )
        target = out / "letter redacted.pdf"
    else:
        raise ValueError(f"unknown export {what!r}")
    rng = random.Random(seed)
    figures = ExportFigures(what)
    previous: str | None = None  # SHA-256 of the target after the last round (None: absent)
    for number in range(1, kills + 1):
        extra = [str(target)]
        if source is not None:
            extra += [str(source), str(number * 100_000)]
        round_ = run_round(
            folder, what, seed * 100_000 + number, rng.uniform(0.0, max_delay), *extra, env=env
        )
        figures.kills += 1
        exports = round_.acks("export")
        figures.exports += len(exports)
        if exports:
            previous = exports[-1][2]["sha256"]
        flight = round_.in_flight
        flying = flight is not None and flight[0] == "export"
        figures.in_flight += flying
        kind, problem = _classify(what, target, previous, flight if flying else None)
        setattr(figures, kind, getattr(figures, kind) + 1)
        if problem is not None:
            figures.problems.append(f"kill {number}: {problem}")
        previous = sha256_of(target) if target.exists() else None
        if what == "bundle":
            ws, trouble = _open_checked(folder)
            if ws is not None:
                ws.close()
            if trouble is not None:
                figures.integrity_fail += 1
                figures.problems.append(f"kill {number}: {trouble}")
        figures.temp_left = len(temp_files(target))
        if progress is not None:
            progress(figures)
    return figures


def temp_files(target: Path) -> list[Path]:
    """Hidden temporary files beside ``target`` (``.NAME.*.tmp``), as the writers name them."""
    return sorted(target.parent.glob(f".{target.name}.*.tmp")) + sorted(
        target.parent.glob(f".{target.with_suffix('.redaction.json').name}.*.tmp")
    )


def _classify(
    what: str, target: Path, previous: str | None, flight: tuple[str, list[str], Any] | None
) -> tuple[str, str | None]:
    if not target.exists():
        if previous is None:
            return "absent", None
        return "partial", f"{target.name} vanished (it held a complete export)"
    digest = sha256_of(target)
    if what == "bundle":
        problem = _bundle_problem(target)
        version = None
    else:
        version, problem = _pdf_version(target)
    if problem is not None:
        return "partial", f"{target.name} ({target.stat().st_size} bytes): {problem}"
    if digest == previous:
        return "old", None
    if flight is None:
        return "partial", f"{target.name} is verified but neither old nor in flight"
    if what == "pdf" and version != flight[2]["version"]:
        return "partial", f"{target.name} is version {version}, in flight {flight[2]}"
    return "new", None


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError, KeyboardInterrupt):
        sys.exit(main(sys.argv[1:]))
