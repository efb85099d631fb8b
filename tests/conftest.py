"""Shared fixtures: offscreen Qt, an isolated home, real workspaces and real windows.

Nothing here mocks SQLite or PyMuPDF. Modal dialogs are the one thing
replaced (they would block a test), by a scripted stand-in that records what
the user would have seen.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication exists

import pytest

from reviewer.core.paths import AppPaths, resolve
from reviewer.core.store import Workspace
from reviewer.core.worker import DocumentWorker

SHARED_PDFS = Path(__file__).resolve().parents[2] / "shared" / "data" / "pdf"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own REVIEWER_HOME: the user's real workspace is never touched."""
    home = tmp_path / "home"
    monkeypatch.setenv("REVIEWER_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def _no_dangling_workers() -> Iterator[None]:
    """Fail a test that leaves a document worker process or reader thread running."""
    yield
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        children = multiprocessing.active_children()
        readers = [t for t in threading.enumerate() if t.name == "reviewer-pdf-reader"]
        if not children and not readers:
            return
        time.sleep(0.05)
    pytest.fail(f"test left workers running: processes={children} threads={readers}")


@pytest.fixture
def app_paths(_isolated_home: Path) -> AppPaths:
    return resolve()


@pytest.fixture
def workspace(app_paths: AppPaths) -> Iterator[Workspace]:
    ws = Workspace.open(app_paths)
    yield ws
    ws.close()


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Generated documents shared by the session (generation takes seconds)."""
    from reviewer.core.samples import generate_samples, make_long_brief, make_scanned

    folder = tmp_path_factory.mktemp("generated")
    brief = folder / "brief_40.pdf"
    make_long_brief(brief, 40)
    scan = folder / "scan_3.pdf"
    make_scanned(scan, 3)
    samples = folder / "samples"
    generate_samples(samples)
    return {"brief": brief, "scan": scan, "samples": samples}


@pytest.fixture
def corrupt_pdf(tmp_path: Path, generated: dict[str, Path]) -> Path:
    """A real PDF cut off after its first 40 % (as from an interrupted download)."""
    data = generated["brief"].read_bytes()
    path = tmp_path / "truncated filing.pdf"
    path.write_bytes(data[: len(data) * 2 // 5])
    return path


@dataclass
class ScriptedDialogs:
    """Stands in for modal dialogs: answers from a script, records what was shown."""

    passwords: list[str | None] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    pages: list[int | None] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    infos: list[tuple[str, str]] = field(default_factory=list)
    password_prompts: list[tuple[str, bool]] = field(default_factory=list)
    #: Answers to "Export redacted PDF": the options (None cancels), then the file.
    redaction_options_given: list[Any] = field(default_factory=list)
    saves: list[Path | None] = field(default_factory=list)
    #: Work queue answers: batch files to open, skip reasons (None cancels), "export a
    #: partial submission?" answers, identities (name, id) and idle limits.
    batches: list[Path | None] = field(default_factory=list)
    skip_reasons: list[str | None] = field(default_factory=list)
    partial_answers: list[bool] = field(default_factory=list)
    identities: list[tuple[str, str] | None] = field(default_factory=list)
    idle_limits: list[float | None] = field(default_factory=list)
    partial_asked: list[list[Any]] = field(default_factory=list)
    #: Lead answers: bundle files to import, (key file, name) to enrol, (format, file) to export.
    bundles: list[Path] = field(default_factory=list)
    keys: list[tuple[Path, str] | None] = field(default_factory=list)
    dataset_exports: list[tuple[str, Path] | None] = field(default_factory=list)

    def error(self, title: str, text: str) -> None:
        self.errors.append((title, text))

    def info(self, title: str, text: str) -> None:
        self.infos.append((title, text))

    def password(self, name: str, wrong: bool) -> str | None:
        self.password_prompts.append((name, wrong))
        return self.passwords.pop(0) if self.passwords else None

    def open_files(self, start: Path | None = None) -> list[Path]:
        files, self.files = self.files, []
        return files

    def page_number(self, current: int, count: int) -> int | None:
        return self.pages.pop(0) if self.pages else None

    def redaction_options(self, boxes: int, terms: int) -> Any:
        self.infos.append(("redaction options", f"{boxes} boxes, {terms} terms"))
        return self.redaction_options_given.pop(0) if self.redaction_options_given else None

    def save_redacted(self, suggested: Path) -> Path | None:
        return self.saves.pop(0) if self.saves else None

    def open_batch(self) -> Path | None:
        return self.batches.pop(0) if self.batches else None

    def skip_reason(self, title: str) -> str | None:
        return self.skip_reasons.pop(0) if self.skip_reasons else None

    def open_bundles(self) -> list[Path]:
        found, self.bundles = self.bundles, []
        return found

    def enrol_key(self) -> tuple[Path, str] | None:
        return self.keys.pop(0) if self.keys else None

    def dataset_export(self, suggested: Path) -> tuple[str, Path] | None:
        return self.dataset_exports.pop(0) if self.dataset_exports else None

    def confirm_partial(self, unfinished: list[Any]) -> bool:
        self.partial_asked.append(list(unfinished))
        return self.partial_answers.pop(0) if self.partial_answers else False

    def save_bundle(self, suggested: Path) -> Path | None:
        return self.saves.pop(0) if self.saves else None

    def save_csv(self, suggested: Path) -> Path | None:
        return self.saves.pop(0) if self.saves else None

    def save_public_key(self, suggested: Path) -> Path | None:
        return self.saves.pop(0) if self.saves else None

    def save_ocr_text(self, suggested: Path) -> Path | None:
        return self.saves.pop(0) if self.saves else None

    def identity(self, name: str, annotator_id: str) -> tuple[str, str] | None:
        return self.identities.pop(0) if self.identities else None

    def idle_limit(self, current: float) -> float | None:
        return self.idle_limits.pop(0) if self.idle_limits else None


@pytest.fixture
def dialogs() -> ScriptedDialogs:
    return ScriptedDialogs()


@pytest.fixture
def make_window(qtbot, workspace: Workspace, dialogs: ScriptedDialogs) -> Callable[..., object]:
    """Build a real, shown MainWindow; ``make_window(pdf)`` also opens a document and waits."""
    from reviewer.ui.main_window import MainWindow

    windows: list[MainWindow] = []

    def make(*files: Path, settings: object = None) -> MainWindow:
        window = MainWindow(workspace, dialogs=dialogs, settings=settings)  # type: ignore[arg-type]
        if settings is None:  # with settings, the remembered geometry wins
            window.resize(1200, 900)
        qtbot.addWidget(window)
        windows.append(window)
        with qtbot.waitExposed(window):
            window.show()
        with qtbot.waitActive(window):
            window.activateWindow()
        for path in files:
            with qtbot.waitSignal(window.documentShown, timeout=20_000):
                window.open_paths([path])
        if files:
            _wait_rendered(qtbot, window)
        return window

    yield make
    for window in windows:
        window.close()


@pytest.fixture
def wait_rendered(qtbot) -> Callable[..., None]:
    """``wait_rendered(window, page=None)``: wait for a sharp rendering of a page."""
    return lambda window, page=None: _wait_rendered(qtbot, window, page)


def _wait_rendered(qtbot, window: object, page: int | None = None) -> None:
    """Wait until the current view has a sharp rendering of ``page`` (default: current)."""
    view = window.current_view()  # type: ignore[attr-defined]

    def ready() -> bool:
        target = view.current_page if page is None else page
        return (target, view._render_scale(target)) in view.session.cache

    qtbot.waitUntil(ready, timeout=20_000)


@pytest.fixture
def shared_pdfs() -> Path:
    """The real documents in ../shared/data/pdf (court filings, scans, forms, encrypted)."""
    assert SHARED_PDFS.is_dir(), f"shared test data missing: {SHARED_PDFS}"
    return SHARED_PDFS


@pytest.fixture
def make_pdf(tmp_path: Path) -> Callable[..., Path]:
    """``make_pdf(name, [lines of page 1], [lines of page 2], ...)``: a small text PDF."""
    import pymupdf

    def make(name: str, *pages: list[str]) -> Path:
        path = tmp_path / name
        doc = pymupdf.open()
        for lines in pages:
            page = doc.new_page()
            for i, line in enumerate(lines):
                page.insert_text((72, 100 + 20 * i), line, fontsize=11)
        doc.save(path)
        doc.close()
        return path

    return make


@pytest.fixture
def home(_isolated_home: Path) -> Path:
    """The REVIEWER_HOME given to the subprocesses (the test's own isolated home)."""
    return _isolated_home


@pytest.fixture
def make_worker() -> Iterator[Callable[..., DocumentWorker]]:
    """Create workers that are closed when the test ends, whatever happens."""
    workers: list[DocumentWorker] = []

    def make(**kwargs: Any) -> DocumentWorker:
        worker = DocumentWorker(**kwargs)
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        pid = worker.pid
        if pid is not None:  # a failed test may leave the process stopped
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        worker.close()


@pytest.fixture
def shift_drag(qtbot) -> Callable[..., None]:
    """``shift_drag(view, page, (x0, y0), (x1, y1))``: draw an area as a user does (points)."""
    from PySide6.QtCore import Qt

    def drag(view: Any, page: int, start: tuple[float, float], end: tuple[float, float]) -> None:
        viewport = view.viewport()
        a, b = view.viewport_point(page, *start), view.viewport_point(page, *end)
        shift = Qt.KeyboardModifier.ShiftModifier
        qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, shift, a)
        qtbot.mouseMove(viewport, b)
        qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, shift, b)

    return drag


@pytest.fixture
def make_batch(tmp_path: Path) -> Callable[..., Path]:
    """Write a real ``.rvbatch`` of the given documents (page counts read with PyMuPDF)."""
    import pymupdf

    from reviewer.core.batch_file import SourceDocument, create_batch, default_items
    from reviewer.core.blobs import sha256_file
    from reviewer.core.formats import MEDIA_TYPES
    from reviewer.core.taxonomy import builtin_taxonomy

    def make(
        files: list[Path],
        *,
        task: str = "review",
        taxonomy: str = "legal-errors",
        items: list[dict[str, Any]] | None = None,
        name: str = "Test batch",
        instructions: str = "# Instructions\n\nMark every **factual** error.\n",
        output: Path | None = None,
    ) -> Path:
        docs = []
        for file in files:
            with pymupdf.open(file) as opened:
                pages = opened.page_count
            media = MEDIA_TYPES.get(Path(file).suffix.lstrip(".").lower(), "application/pdf")
            docs.append(SourceDocument(Path(file), sha256_file(file), pages, media))
        target = output or tmp_path / f"{name.replace(' ', '_')}.rvbatch"
        create_batch(
            target,
            name=name,
            task=task,
            taxonomy=builtin_taxonomy(taxonomy),
            instructions=instructions,
            documents=docs,
            items=items if items is not None else default_items(task, docs),
        )
        return target

    return make


@dataclass(frozen=True)
class SmallWork:
    """A closed workspace holding a small worked batch, ready to export as a bundle."""

    root: Path
    paths: AppPaths
    batch_id: str
    documents: tuple[str, ...]


@pytest.fixture(scope="session")
def small_work(tmp_path_factory: pytest.TempPathFactory) -> SmallWork:
    """An identity and a 2-item batch (done, skipped) with 2 annotations and 60 s of time.

    Bundle tests export it (a few KB) and mutate the result; built once per run.
    """
    import pymupdf

    from reviewer.core import annotations, batches, identity
    from reviewer.core.batch_file import SourceDocument, create_batch, default_items
    from reviewer.core.batch_import import import_batch
    from reviewer.core.blobs import sha256_file
    from reviewer.core.model import Annotation, Selector
    from reviewer.core.taxonomy import builtin_taxonomy
    from reviewer.core.timesheet import Segment, TimeLog

    root = tmp_path_factory.mktemp("small-work")
    files = []
    for n in (1, 2):
        with pymupdf.open() as doc:
            page = doc.new_page(width=300, height=300)
            page.insert_text((30, 60), f"Filing {n}: the lender shall pay.", fontsize=11)
            doc.save(root / f"filing {n}.pdf", garbage=4, deflate=True)
        files.append(root / f"filing {n}.pdf")
    docs = [SourceDocument(f, sha256_file(f), 1, "application/pdf") for f in files]
    batch_file = root / "small.rvbatch"
    create_batch(
        batch_file,
        name="Small batch",
        task="review",
        taxonomy=builtin_taxonomy("legal-errors"),
        instructions="# Instructions\n\nMark every **factual** error.\n",
        documents=docs,
        items=default_items("review", docs),
        batch_id="small-batch-1",
        created="2024-05-01T08:00:00+00:00",
    )
    paths = resolve(root / "workspace")
    with Workspace.open(paths) as ws:
        identity.create_identity(
            paths.workspace, "Ana Ruiz", "ana.ruiz", created_at="2024-05-01T09:00:00+00:00"
        )
        batch_id = import_batch(ws, batch_file).batch_id
        first, second = batches.items(ws, batch_id)
        for n, item in enumerate((first, second)):
            selector = Selector(kind="area", page=0, rect=(40.0, 60.0 + n, 220.0, 90.0))
            annotations.add(
                ws,
                Annotation(
                    annotations.new_id(),
                    item.documents[0],
                    "legal-errors",
                    "factual",
                    selector,
                    comment=f"wrong amount {n}",
                    item=item.id,
                ),
            )
        batches.set_status(ws, first.id, "done")
        batches.set_status(ws, second.id, "skipped", reason="the scan is unreadable")
        start, end = "2024-05-01T09:00:00.000000+00:00", "2024-05-01T09:01:00.000000+00:00"
        TimeLog(ws).save([Segment(first.id, start, end, 60.0)])
    return SmallWork(root, paths, batch_id, tuple(d.sha256 for d in docs))
