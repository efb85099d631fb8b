"""The document worker: a child process owning PyMuPDF, driven through futures.

Real processes, real PDFs. Where a test needs requests to stay queued (to
cancel them, or to overtake them), it holds the worker's lock while it
submits, so the reader thread cannot hand the next request to the process in
between: the outcome does not depend on how fast the machine is. Crashes are
made deterministic the same way: the process is stopped (SIGSTOP) before a
request is sent, so it is certainly in flight when SIGKILL arrives.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from pathlib import Path
from typing import Any

import pytest

from reviewer.core.errors import DocumentError, PasswordRequired, WorkerCrashed
from reviewer.core.model import DocumentInfo, OpenedDocument, PageText, Word
from reviewer.core.worker import (
    BACKGROUND,
    MAX_RESTARTS,
    VISIBLE,
    DocumentWorker,
    RenderedPage,
    run_once,
)

SHARED_PDFS = Path(__file__).resolve().parents[3] / "shared" / "data" / "pdf"
ENCRYPTED = SHARED_PDFS / "pdfminer__aes-256.pdf"
BASE = SHARED_PDFS / "pdfminer__base.pdf"
OPINION = SHARED_PDFS / "doctor__ca1_00117684624.pdf"  # 17 pages
TIMEOUT = 60.0
MakeWorker = Callable[..., DocumentWorker]


def _crash_in_flight(worker: DocumentWorker, submit: Callable[[], Future[Any]]) -> Future[Any]:
    """Stop the process, send a request, then SIGKILL: the request is certainly in flight."""
    pid = worker.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    future = submit()
    os.kill(pid, signal.SIGKILL)
    return future


def test_requests_return_documented_types(
    make_worker: MakeWorker, generated: dict[str, Path]
) -> None:
    """open/render/words/text/search return OpenedDocument, RenderedPage, PageText, text, hits."""
    from reviewer.core.samples import rare_term_pages

    worker = make_worker()
    opened = worker.open(generated["brief"]).result(TIMEOUT)
    assert isinstance(opened, OpenedDocument)
    assert opened.page_count == 40
    assert opened.page_sizes == [(612.0, 792.0)] * 40
    assert opened.format == "pdf"
    assert opened.media_type == "application/pdf"
    assert opened.needs_password is False
    assert worker.alive

    page = worker.render(3, 1.5).result(TIMEOUT)
    assert isinstance(page, RenderedPage)
    assert (page.page, page.scale) == (3, 1.5)
    assert (page.width, page.height) == (918, 1188)
    assert page.stride == page.width * 3
    assert isinstance(page.pixels, bytearray)  # read straight into one buffer
    assert len(page.pixels) == page.stride * page.height
    assert set(page.pixels[: page.stride]) == {255}  # the top row is white paper
    assert min(page.pixels) < 64  # and there is dark ink somewhere

    layer = worker.words(0).result(TIMEOUT)
    assert isinstance(layer, PageText)
    assert (layer.page, layer.rotation, layer.width, layer.height) == (0, 0, 612.0, 792.0)
    assert "Case 1:23-cv-04567-RMB" in layer.text
    words = layer.words
    assert len(words) > 100
    assert all(layer.text[w.start : w.end] == w.text for w in words)
    assert all(isinstance(w, Word) for w in words)
    assert all(0 <= w.x0 < w.x1 <= 612 and 0 <= w.y0 < w.y1 <= 792 for w in words)
    assert words[0].text == "Case"

    texts = worker.text(range(3)).result(TIMEOUT)
    assert [p for p, _ in texts] == [0, 1, 2]
    assert all(isinstance(t, str) and "Case 1:23-cv-04567-RMB" in t for _, t in texts)

    hits = worker.search("Xylophone Holdings", list(range(40))).result(TIMEOUT)
    assert sorted(hits) == list(range(40))
    assert tuple(p for p in range(40) if hits[p]) == rare_term_pages(40)
    for page in rare_term_pages(40):
        assert len(hits[page]) == 1  # one hit per page, as one tuple of quads
        for quad in hits[page][0]:
            assert len(quad) == 8
            assert all(isinstance(v, float) for v in quad)


def test_errors_come_back_as_document_errors(make_worker: MakeWorker, tmp_path: Path) -> None:
    """A bad page number or unreadable file fails the future with DocumentError, not a crash."""
    worker = make_worker()
    with pytest.raises(DocumentError, match="the file does not exist"):
        worker.open(tmp_path / "missing.pdf").result(TIMEOUT)
    with pytest.raises(DocumentError, match="no document is open"):
        worker.render(0, 1.0).result(TIMEOUT)
    worker.open(BASE).result(TIMEOUT)
    with pytest.raises(DocumentError, match="page 6 could not be drawn") as caught:
        worker.render(5, 1.0).result(TIMEOUT)
    assert str(caught.value).startswith("pdfminer__base.pdf: ")
    assert worker.render(0, 0.5).result(TIMEOUT).width == 298  # still serving
    assert worker.restarts == 0


def test_queued_requests_can_be_cancelled(
    make_worker: MakeWorker, generated: dict[str, Path]
) -> None:
    """With one request in flight, queued ones can be cancelled and are never executed.

    One of the cancelled requests would switch the worker to a one-page PDF;
    the later render of page 3 only succeeds because it never ran.
    """
    worker = make_worker(max_in_flight=1)
    worker.open(generated["scan"]).result(TIMEOUT)
    with worker._lock:  # nothing is sent to the process until we let go
        slow = worker.render(0, 6.0)  # in flight at once: a large render of a scanned page
        switch = worker.submit("open", str(BASE), None, None, priority=VISIBLE)
        queued = [worker.render(page % 3, 0.2) for page in range(6)]
        assert not slow.cancel()  # already running in the process
        assert switch.cancel()
        cancelled = [queued[i].cancel() for i in (0, 2, 4)]
        after = worker.render(2, 0.3)
    assert cancelled == [True, True, True]
    assert switch.cancelled()

    big = slow.result(TIMEOUT)
    assert (big.width, big.height) == (3672, 4752)
    for i, future in enumerate(queued):
        if i % 2 == 0:
            assert future.cancelled()
            with pytest.raises(CancelledError):
                future.result(0)
        else:
            page = future.result(TIMEOUT)
            assert page.page == i % 3
            assert abs(page.width - 612 * 0.2) <= 1
    assert after.result(TIMEOUT).page == 2  # page 3 exists: the switch to BASE never ran
    assert worker.words(2).result(TIMEOUT).source == "ocr"  # still the scan: its text is OCR's


def test_visible_request_overtakes_background_work(
    make_worker: MakeWorker, generated: dict[str, Path]
) -> None:
    """A VISIBLE render submitted after 30 BACKGROUND text requests completes before them."""
    worker = make_worker(max_in_flight=2)
    worker.open(generated["brief"]).result(TIMEOUT)
    order: list[str] = []
    guard = threading.Lock()

    def record(name: str) -> Callable[[Future[Any]], None]:
        def done(_future: Future[Any]) -> None:
            with guard:
                order.append(name)

        return done

    with worker._lock:
        background = []
        for i in range(30):
            future = worker.text([i % 40, (i + 7) % 40], priority=BACKGROUND)
            future.add_done_callback(record(f"text{i}"))
            background.append(future)
        visible = worker.render(10, 1.0, priority=VISIBLE)
        visible.add_done_callback(record("visible"))
    assert visible.result(TIMEOUT).page == 10
    for future in background:
        assert len(future.result(TIMEOUT)) == 2
    assert len(order) == 31
    # Only the two requests already in flight can finish before it.
    assert order.index("visible") <= 2
    assert set(order[:3]) <= {"text0", "text1", "visible"}
    assert [n for n in order if n != "visible"] == [f"text{i}" for i in range(30)]


def test_crash_fails_request_then_worker_restarts(
    make_worker: MakeWorker, generated: dict[str, Path]
) -> None:
    """SIGKILL during a render: that request fails with WorkerCrashed naming the file and
    saying it was restarted; the document is reopened and the next render works."""
    brief = generated["brief"]
    worker = make_worker()
    worker.open(brief).result(TIMEOUT)
    first_pid = worker.pid
    victim = _crash_in_flight(worker, lambda: worker.render(4, 2.0))
    with pytest.raises(WorkerCrashed) as caught:
        victim.result(TIMEOUT)
    message = str(caught.value)
    assert message.startswith(f"{brief.name}: ")
    assert "crashed (signal 9)" in message
    assert "drawing page 5" in message
    assert message.endswith("it was restarted")

    page = worker.render(4, 1.0).result(TIMEOUT)
    assert (page.page, page.width, page.height) == (4, 612, 792)
    assert worker.restarts == 1
    assert worker.pid != first_pid
    assert worker.alive
    assert worker.last_crash == "crashed (signal 9)"
    assert len(worker.words(4).result(TIMEOUT).words) > 100


def test_too_many_crashes_give_up(make_worker: MakeWorker) -> None:
    """After MAX_RESTARTS restarts the next crash gives up: queued requests fail 'giving up'."""
    worker = make_worker(max_in_flight=1)
    worker.open(BASE).result(TIMEOUT)
    for expected in range(1, MAX_RESTARTS + 1):
        victim = _crash_in_flight(worker, lambda: worker.render(0, 1.0))
        with pytest.raises(WorkerCrashed, match="it was restarted"):
            victim.result(TIMEOUT)
        assert worker.render(0, 0.5).result(TIMEOUT).width == 298
        assert worker.restarts == expected

    pid = worker.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    with worker._lock:
        in_flight = worker.render(0, 1.0)
        queued = worker.render(0, 0.5)
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(WorkerCrashed):
        in_flight.result(TIMEOUT)
    with pytest.raises(WorkerCrashed, match="giving up") as caught:
        queued.result(TIMEOUT)
    assert str(caught.value).startswith("pdfminer__base.pdf: ")
    assert worker.restarts == MAX_RESTARTS
    assert not worker.alive


def _crash_once_too_often(worker: DocumentWorker) -> Future[Any]:
    """Crash the worker MAX_RESTARTS times (each restart proven by a render), then once more;
    the request that dies in that last crash."""
    for _ in range(MAX_RESTARTS):
        victim = _crash_in_flight(worker, lambda: worker.render(0, 1.0))
        with pytest.raises(WorkerCrashed):
            victim.result(TIMEOUT)
        worker.render(0, 0.5).result(TIMEOUT)
    return _crash_in_flight(worker, lambda: worker.render(0, 1.0))


def test_last_crash_does_not_claim_a_restart(make_worker: MakeWorker) -> None:
    """The request that dies in the crash that exhausts MAX_RESTARTS must not be told
    'it was restarted' — the worker gives up instead."""
    worker = make_worker()
    worker.open(BASE).result(TIMEOUT)
    victim = _crash_once_too_often(worker)
    with pytest.raises(WorkerCrashed) as caught:
        victim.result(TIMEOUT)
    assert "restarted" not in str(caught.value)
    assert "giving up" in str(caught.value)


def test_requests_after_giving_up_say_so(make_worker: MakeWorker) -> None:
    """Once the worker has given up, new requests fail with WorkerCrashed 'giving up',
    not with a bare 'the document was closed'."""
    worker = make_worker()
    worker.open(BASE).result(TIMEOUT)
    victim = _crash_once_too_often(worker)
    with pytest.raises(WorkerCrashed):
        victim.result(TIMEOUT)
    assert not worker.alive
    later = worker.render(0, 0.5)
    with pytest.raises(WorkerCrashed, match="giving up"):
        later.result(TIMEOUT)


def test_reopen_from_changes_what_a_restart_opens(make_worker: MakeWorker, tmp_path: Path) -> None:
    """After reopen_from(other), a crash reopens ``other``: its 17 pages become readable."""
    copy = tmp_path / "working copy.pdf"
    shutil.copyfile(BASE, copy)
    worker = make_worker()
    assert worker.open(copy).result(TIMEOUT).page_count == 1
    with pytest.raises(DocumentError, match="page 11 could not be drawn"):
        worker.render(10, 0.5).result(TIMEOUT)
    worker.reopen_from(OPINION)
    copy.unlink()  # the original is gone: only the reopen_from path can be opened
    victim = _crash_in_flight(worker, lambda: worker.render(0, 1.0))
    with pytest.raises(WorkerCrashed) as caught:
        victim.result(TIMEOUT)
    assert str(caught.value).startswith("working copy.pdf: ")
    page = worker.render(10, 0.5).result(TIMEOUT)
    assert (page.page, page.width, page.height) == (10, 306, 396)
    texts = worker.text([16]).result(TIMEOUT)
    assert texts[0][0] == 16
    assert texts[0][1].strip()
    assert worker.restarts == 1


def test_close_stops_process_and_ends_queued_futures(make_worker: MakeWorker) -> None:
    """close() on a hung worker kills it; in-flight futures fail, queued ones are cancelled."""
    worker = make_worker(max_in_flight=1)
    worker.open(BASE).result(TIMEOUT)
    pid = worker.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)  # a hung engine: it will not answer "quit" either
    with worker._lock:
        running = worker.render(0, 1.0)
        queued = [worker.render(0, 0.5), worker.words(0), worker.text([0])]
    worker.close(timeout=0.5)
    assert not worker.alive
    with pytest.raises(DocumentError, match="closed"):
        running.result(TIMEOUT)
    for future in queued:
        assert future.cancelled()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    after = worker.render(0, 1.0)
    with pytest.raises(DocumentError, match="closed"):
        after.result(0)


def test_close_idle_worker_quits_cleanly(make_worker: MakeWorker) -> None:
    """An idle worker exits on 'quit' with code 0; close() is idempotent."""
    worker = make_worker()
    worker.start()
    pid = worker.pid
    assert pid is not None
    assert worker.open(BASE).result(TIMEOUT).page_count == 1
    assert worker.pid == pid  # start() spawned it; open() reused it
    proc = worker._proc
    worker.close()
    assert not worker.alive
    assert proc.exitcode == 0
    worker.close()
    assert worker.restarts == 0


def test_run_once_info_with_and_without_password() -> None:
    """run_once returns DocumentInfo with the password and raises PasswordRequired without."""
    info = run_once(lambda worker: worker.info(ENCRYPTED, "foo"))
    assert isinstance(info, DocumentInfo)
    assert info.page_count == 1
    assert info.encrypted is True
    assert info.pages[0].has_text is True
    with pytest.raises(PasswordRequired) as caught:
        run_once(lambda worker: worker.info(ENCRYPTED, None))
    assert caught.value.wrong_password is False
    assert caught.value.path == ENCRYPTED
    with pytest.raises(PasswordRequired) as wrong:
        run_once(lambda worker: worker.info(ENCRYPTED, "bar"))
    assert wrong.value.wrong_password is True


def test_shared_render_draws_the_same_pixels_as_the_pipe(make_worker: MakeWorker) -> None:
    """A page drawn into shared memory equals the one sent over the pipe, clips included;
    releasing it gives the block back."""
    worker = make_worker(arena_bytes=32 * 2**20)
    worker.open(OPINION).result(TIMEOUT)
    assert worker.arena is not None
    for page, scale, clip in ((0, 1.0, None), (3, 2.0, None), (5, 1.5, (40, 60, 300, 400))):
        piped = worker.render(page, scale, clip=clip).result(TIMEOUT)
        shared = worker.render(page, scale, clip=clip, shared=True).result(TIMEOUT)
        assert not piped.shared
        assert shared.shared
        assert isinstance(shared.pixels, memoryview)
        assert (shared.width, shared.height, shared.stride) == (
            piped.width,
            piped.height,
            piped.stride,
        )
        assert worker.arena.used_bytes >= shared.stride * shared.height
        mine = bytes(shared.pixels)
        assert mine == bytes(piped.pixels), f"page {page + 1} at {scale}x differs"
        assert any(v < 128 for v in mine[::7]), "the page has dark (text) pixels"
        shared.release()
        shared.release()  # harmless twice
        assert worker.arena.used_bytes == 0


def test_shared_render_falls_back_to_the_pipe_when_the_arena_is_full(
    make_worker: MakeWorker,
) -> None:
    """No room in shared memory: the page still arrives, over the pipe."""
    worker = make_worker(arena_bytes=2 * 2**20)  # one 1x page (612x792x3 = 1.5 MB) fits
    worker.open(OPINION).result(TIMEOUT)
    first = worker.render(0, 1.0, shared=True).result(TIMEOUT)
    second = worker.render(1, 1.0, shared=True).result(TIMEOUT)
    big = worker.render(2, 3.0, shared=True).result(TIMEOUT)
    assert first.shared
    assert not second.shared
    assert not big.shared
    assert (big.width, big.height) == (1836, 2376)
    first.release()
    again = worker.render(1, 1.0, shared=True).result(TIMEOUT)
    assert again.shared
    assert bytes(again.pixels) == bytes(second.pixels)


def test_crash_gives_the_in_flight_block_back(make_worker: MakeWorker) -> None:
    """A shared render that dies with the worker does not leak its block."""
    worker = make_worker(arena_bytes=32 * 2**20)
    worker.open(OPINION).result(TIMEOUT)
    assert worker.arena is not None
    victim = _crash_in_flight(worker, lambda: worker.render(0, 2.0, shared=True))
    with pytest.raises(WorkerCrashed):
        victim.result(TIMEOUT)
    assert worker.arena.used_bytes == 0
    page = worker.render(0, 2.0, shared=True).result(TIMEOUT)  # the restarted worker maps it too
    assert page.shared
    page.release()


def test_client_process_never_loads_pymupdf_or_qt(tmp_path: Path) -> None:
    """A program that opens and renders through DocumentWorker never imports PyMuPDF or Qt."""
    script = tmp_path / "client.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys

            from reviewer.core.worker import DocumentWorker


            def main(pdf: str) -> None:
                worker = DocumentWorker()
                try:
                    opened = worker.open(pdf).result(60)
                    page = worker.render(0, 1.0).result(60)
                finally:
                    worker.close()
                print(opened.page_count, page.width, len(page.pixels) == page.stride * page.height)
                print("pymupdf" in sys.modules, "fitz" in sys.modules, "PySide6" in sys.modules)


            if __name__ == "__main__":
                main(sys.argv[1])
            """
        )
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, str(script), str(OPINION)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["17 612 True", "False False False"]
