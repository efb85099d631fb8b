"""Hostile PDFs (issue 9, point 5): a file that breaks MuPDF must never break the app.

Every file goes through a real document worker the way the window opens an
untrusted file (``hostile.Prober``: open, draw page 1 at the smallest zoom,
read page 1's text, each with a timeout). An outcome is acceptable when it is
``ok``, a typed error naming the file, a crash reported as WorkerCrashed
naming the file, or a timeout after which the worker is killed; anything
else (``untyped``) fails. The crafted cases (truncated, corrupt, encrypted,
decompression bombs, huge pages) are asserted one by one; then a seeded
subset of mutants of ``../shared/data/pdf`` (150; ``REVIEWER_MUTANTS=1000``
for a longer run, ``REVIEWER_MUTANT_SEED`` to change the draw). The full
count with a report line is ``benchmarks/hostile_pdfs.py``.
"""

from __future__ import annotations

import os
import signal
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer.core.errors import DocumentError, PasswordRequired, WorkerCrashed
from reviewer.core.samples import hostile
from reviewer.core.worker import MEMORY_ENV, WORKER_MEMORY_MB, DocumentWorker

SHARED_PDFS = Path(__file__).resolve().parents[3] / "shared" / "data" / "pdf"
MUTANTS = int(os.environ.get("REVIEWER_MUTANTS") or 150)
MUTANT_SEED = int(os.environ.get("REVIEWER_MUTANT_SEED") or 1)
#: How much the test process (standing in for the GUI) may grow while a bomb is handled.
PARENT_BUDGET_MB = 300.0
TIMEOUT = hostile.REQUEST_TIMEOUT
ACCEPTABLE = {hostile.OK, hostile.TYPED, hostile.TIMEOUT, hostile.CRASH}
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux rlimits")


@pytest.fixture(scope="module")
def crafted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The hand-made hostile files, written once. The bombs inflate to 512 MiB (content) and
    768 MiB (image) here, 1 GiB and 3 GiB in the benchmark: the same code paths, a quarter of
    the CPU time, and no risk of a slow shared machine turning them into timeouts."""
    folder = tmp_path_factory.mktemp("hostile")
    base = folder / "healthy.pdf"
    base.write_bytes(hostile.small_text_pdf("a healthy page to damage"))
    return hostile.write_crafted(folder, base, content_size=2**29, image_side=16384)


@pytest.fixture
def prober() -> Iterator[hostile.Prober]:
    with hostile.Prober() as probing:
        yield probing


@pytest.fixture
def shared_folder() -> Path:
    if not SHARED_PDFS.is_dir():
        pytest.skip(f"shared test data missing: {SHARED_PDFS.name}")
    return SHARED_PDFS


def _acceptable(outcome: hostile.Outcome) -> None:
    assert outcome.kind in ACCEPTABLE, f"{outcome.label}: {outcome.kind}: {outcome.message}"
    if outcome.kind in (hostile.TYPED, hostile.CRASH):
        assert outcome.path.name in outcome.message


# -- crafted files ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "step"),
    [("truncated_header", "open"), ("no_pdf_at_all", "open"), ("empty", "open")],
)
def test_unreadable_files_fail_typed_at_open(
    prober: hostile.Prober, crafted: dict[str, Path], case: str, step: str
) -> None:
    """A file cut to its first 20 bytes, random bytes, an empty file: a typed error naming it."""
    outcome = prober.probe(crafted[case])
    assert (outcome.kind, outcome.step) == (hostile.TYPED, step), outcome
    assert f"{case}.pdf" in outcome.message


@pytest.mark.parametrize(
    "case",
    ["truncated_half", "corrupt_header", "declared_image_1e6", "huge_page_14400"],
)
def test_damaged_and_oversized_files_open_or_fail_typed(
    prober: hostile.Prober, crafted: dict[str, Path], case: str
) -> None:
    """MuPDF repairs what it can; what it cannot becomes a typed error, never a hang."""
    outcome = prober.probe(crafted[case])
    assert outcome.kind in (hostile.OK, hostile.TYPED), outcome
    _acceptable(outcome)


def test_a_page_larger_than_any_pixmap_is_a_typed_error(
    prober: hostile.Prober, crafted: dict[str, Path]
) -> None:
    """200,000 points square is 20,000 px even at the smallest zoom: MuPDF refuses, we say so."""
    outcome = prober.probe(crafted["giant_page_200000"])
    assert (outcome.kind, outcome.step) == (hostile.TYPED, "render"), outcome
    assert "giant_page_200000.pdf: page 1 could not be drawn" in outcome.message


@pytest.mark.parametrize("case", ["content_bomb", "image_bomb"])
def test_decompression_bombs_finish_in_time_without_growing_the_parent(
    prober: hostile.Prober, crafted: dict[str, Path], case: str
) -> None:
    """512 MiB of inflated content stream / 768 MiB of inflated image: done or typed in time."""
    before = hostile.peak_rss_mb()
    outcome = prober.probe(crafted[case])
    assert outcome.kind in (hostile.OK, hostile.TYPED), outcome
    _acceptable(outcome)
    assert hostile.peak_rss_mb() - before < PARENT_BUDGET_MB


def test_encrypted_files_ask_for_a_password_naming_the_file(
    crafted: dict[str, Path], shared_folder: Path
) -> None:
    """AES-256 from pdfminer and a PyMuPDF-written user password: PasswordRequired, then the
    right password opens it and the wrong one says so."""
    worker = DocumentWorker().start()
    try:
        for path in (shared_folder / "pdfminer__aes-256.pdf", crafted["encrypted_user_password"]):
            with pytest.raises(PasswordRequired) as caught:
                worker.open(path).result(TIMEOUT)
            assert caught.value.wrong_password is False
            assert path.name in str(caught.value)
        locked = crafted["encrypted_user_password"]
        with pytest.raises(PasswordRequired) as caught:
            worker.open(locked, "not it").result(TIMEOUT)
        assert caught.value.wrong_password is True
        assert locked.name in str(caught.value)
        worker.open(locked, "hostile").result(TIMEOUT)
        assert "secret text" in worker.text([0]).result(TIMEOUT)[0][1]
    finally:
        worker.close()


# -- the worker's limits -------------------------------------------------------------


@linux_only
def test_worker_process_is_memory_capped_and_the_parent_is_not(
    monkeypatch: pytest.MonkeyPatch, shared_folder: Path
) -> None:
    """RLIMIT_AS is set in the worker (2 GiB, or $REVIEWER_WORKER_MEMORY_MB), never here."""
    import resource

    mine = resource.getrlimit(resource.RLIMIT_AS)
    for env, megabytes in (("", WORKER_MEMORY_MB), ("700", 700)):
        monkeypatch.setenv(MEMORY_ENV, env)
        worker = DocumentWorker().start()
        try:
            worker.open(shared_folder / "pdfminer__base.pdf").result(TIMEOUT)  # the cap is set
            assert worker.pid is not None
            limit = resource.prlimit(worker.pid, resource.RLIMIT_AS)
            assert limit == (megabytes * 2**20, megabytes * 2**20)
        finally:
            worker.close()
    assert resource.getrlimit(resource.RLIMIT_AS) == mine


@linux_only
def test_an_allocation_over_the_cap_is_a_typed_error_and_the_worker_goes_on(
    monkeypatch: pytest.MonkeyPatch, crafted: dict[str, Path]
) -> None:
    """A 14,400 pt page at 100 % is a 622 MB pixmap: over a 400 MB cap, MuPDF's malloc fails,
    the request fails naming the file, and the same worker still draws the page small."""
    monkeypatch.setenv(MEMORY_ENV, "400")
    path = crafted["huge_page_14400"]
    before = hostile.peak_rss_mb()
    worker = DocumentWorker().start()
    try:
        worker.open(path).result(TIMEOUT)
        with pytest.raises(DocumentError) as caught:
            worker.render(0, 1.0).result(TIMEOUT)
        assert path.name in str(caught.value)
        small = worker.render(0, 0.1).result(TIMEOUT)
        assert (small.width, small.height) == (1440, 1440)
        assert worker.restarts == 0
    finally:
        worker.close()
    assert hostile.peak_rss_mb() - before < PARENT_BUDGET_MB


def test_a_crash_while_opening_names_the_file_being_opened(shared_folder: Path) -> None:
    """The worker dies while opening B after A: WorkerCrashed names B, not A nor "document"."""
    first, second = shared_folder / "pdfminer__base.pdf", shared_folder / "doctor__ca9_19.pdf"
    worker = DocumentWorker().start()
    try:
        for path in (first, second):
            pid = worker.pid
            assert pid is not None
            os.kill(pid, signal.SIGSTOP)  # stopped first, so the open is surely in flight
            future = worker.open(path)
            os.kill(pid, signal.SIGKILL)
            with pytest.raises(WorkerCrashed) as caught:
                future.result(TIMEOUT)
            assert str(caught.value).startswith(f"{path.name}: ")
            worker.open(first).result(TIMEOUT)  # and the next open works
    finally:
        worker.close()


def test_a_hang_is_a_timeout_and_the_next_file_gets_a_fresh_worker(
    shared_folder: Path,
) -> None:
    """A worker that stops answering is reported as a timeout and killed; the next file is
    opened by a new process."""
    with hostile.Prober(timeout=1.0) as prober:
        hung = prober.worker()
        assert hung.pid is not None
        os.kill(hung.pid, signal.SIGSTOP)
        outcome = prober.probe(shared_folder / "pdfminer__base.pdf")
        assert (outcome.kind, outcome.step) == (hostile.TIMEOUT, "open")
        assert not hung.alive
        prober.timeout = TIMEOUT
        assert prober.probe(shared_folder / "pdfminer__base.pdf").kind == hostile.OK
        assert prober.workers_started == 2


# -- mutants ---------------------------------------------------------------------------


def test_mutations_are_deterministic_from_the_seed() -> None:
    original = hostile.small_text_pdf("the same page every time") * 3
    assert hostile.mutate(original, 1234) == hostile.mutate(original, 1234)
    assert len({hostile.mutate(original, seed)[0] for seed in range(40)}) > 30


def test_seeded_mutants_of_every_shared_pdf_fail_only_typed(
    prober: hostile.Prober,
    shared_folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """150 mutants round-robin over the 25 shared PDFs, each in a worker of its own: no
    untyped failure, no parent growth. OCR is off here (Tesseract finds no language data):
    recognising every mutated scan would double the suite's CPU time; the benchmark runs it."""
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path / "no-tessdata"))
    sources = sorted(shared_folder.glob("*.pdf"))
    assert sources
    before = hostile.peak_rss_mb()
    counts: Counter[str] = Counter()
    bad = []
    for mutant in hostile.write_mutants(sources, MUTANTS, MUTANT_SEED, tmp_path):
        outcome = prober.probe(mutant.path)
        counts[outcome.kind] += 1
        if outcome.kind not in ACCEPTABLE or (
            outcome.kind in (hostile.TYPED, hostile.CRASH)
            and mutant.path.name not in outcome.message
        ):
            bad.append(f"seed={mutant.seed} {mutant.what} at {outcome.step}: {outcome.message}")
        mutant.path.unlink()
    assert sum(counts.values()) == MUTANTS
    assert not bad, f"{counts}: " + "; ".join(bad[:5])
    assert counts[hostile.OK] > 0  # most mutants still open ...
    assert counts[hostile.TYPED] > 0  # ... and the others really are damaged
    assert hostile.peak_rss_mb() - before < PARENT_BUDGET_MB
