"""Hostile PDFs: seeded mutants, hand-made bombs, and a probe that classifies what happens.

Why this module exists: issue 9 asks that a file which makes MuPDF crash,
hang or eat memory never takes the window down or loses work, and that every
failure reaches the user as a clear message naming the file. The test
(``tests/core/test_hostile_pdfs.py``) and the benchmark
(``benchmarks/hostile_pdfs.py``) both need the same mutations, the same
crafted files and the same verdicts, so they live here, in core (no Qt).

Everything is deterministic from a seed: a failure found by the benchmark is
reproduced with :func:`mutate` and the seed it printed. The probe does what
the window does with an untrusted file, through the same
:class:`~reviewer.core.worker.DocumentWorker`: open it, draw page 1 at the
smallest zoom, read page 1's text, each with a timeout. PyMuPDF is only
imported (lazily) to write the password-protected sample, never to probe.
"""

from __future__ import annotations

import random
import re
import sys
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from reviewer.core.errors import ReviewerError, WorkerCrashed
from reviewer.core.layout import MIN_ZOOM
from reviewer.core.worker import DocumentWorker

#: Outcomes of one probe. The first four are acceptable; ``untyped`` is a bug.
OK, TYPED, TIMEOUT, CRASH, UNTYPED = "ok", "typed_error", "timeout", "crash", "untyped"
KINDS = (OK, TYPED, TIMEOUT, CRASH, UNTYPED)

#: Seconds each request (open, draw, text) may take before it counts as a hang.
REQUEST_TIMEOUT = 20.0

Mutation = Callable[[bytearray, random.Random], str]


# -- mutations ------------------------------------------------------------------
#
# Each takes the file's bytes (changed in place) and a seeded generator, and
# returns a short description of what it did, so a report can say
# "truncate@5120" rather than only a seed.


def _span(data: bytearray, rng: random.Random, most: int) -> tuple[int, int]:
    start = rng.randrange(len(data))
    return start, min(len(data), start + rng.randint(1, most))


def flip_bytes(data: bytearray, rng: random.Random) -> str:
    """Flip random bits: damage anywhere, including inside compressed streams."""
    count = rng.randint(1, 32)
    for _ in range(count):
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    return f"flip{count}"


def truncate(data: bytearray, rng: random.Random) -> str:
    """Cut the file short: a download or copy that stopped (no xref, no trailer)."""
    at = rng.randrange(1, len(data))
    del data[at:]
    return f"truncate@{at}"


def delete_chunk(data: bytearray, rng: random.Random) -> str:
    start, end = _span(data, rng, 4096)
    del data[start:end]
    return f"delete{start}:{end}"


def duplicate_chunk(data: bytearray, rng: random.Random) -> str:
    """Repeat a chunk in place: every offset after it is wrong, objects appear twice."""
    start, end = _span(data, rng, 4096)
    data[end:end] = data[start:end]
    return f"duplicate{start}:{end}"


def zero_window(data: bytearray, rng: random.Random) -> str:
    start, end = _span(data, rng, 2048)
    data[start:end] = bytes(end - start)
    return f"zero{start}:{end}"


#: Numbers a reader trusts: stream lengths, xref offsets, object numbers, sizes.
_NUMBERS = re.compile(
    rb"(?:/Length|/Size|/Count|/W|/Index|/Prev|/N|/First|startxref|/Width|/Height)"
    rb"\s*\[?\s*(\d+)|(\d{10}) \d{5} [nf]|(\d+) \d+ (?:obj|R)"
)
_EVIL_NUMBERS = (0, 1, 2**31 - 1, 2**31, 2**32 + 7, 10**12, 99999999999999999999)


def renumber(data: bytearray, rng: random.Random) -> str:
    """Replace a length, offset, count or object number with a wrong (often absurd) one."""
    matches = list(_NUMBERS.finditer(data))
    if not matches:
        return insert_junk(data, rng)
    match = rng.choice(matches)
    group = next(g for g in (1, 2, 3) if match.group(g) is not None)
    start, end = match.span(group)
    old = int(data[start:end])
    new = rng.choice([*_EVIL_NUMBERS, old + rng.randint(-64, 64), rng.randrange(10**7)])
    text = str(max(new, 0)).encode()
    if group == 2:
        text = text[-10:].rjust(10, b"0")  # xref rows keep their fixed width
    data[start:end] = text
    return f"renumber@{start}:{old}->{text.decode()}"


_JUNK_TOKENS = (
    b"<<",
    b">>",
    b"[",
    b"]",
    b"(",
    b")",
    b"obj",
    b"endobj",
    b"stream\n",
    b"endstream",
    b"/Filter /FlateDecode",
    b"/Length 99999999",
    b"1 0 R",
    b"%%EOF",
    b"xref\n0 1\n",
    b"trailer",
)


def insert_junk(data: bytearray, rng: random.Random) -> str:
    """Insert random bytes, or PDF syntax in a wrong place (nesting, unbalanced tokens)."""
    at = rng.randrange(len(data) + 1)
    if rng.random() < 0.5:
        junk = rng.randbytes(rng.randint(1, 512))
    else:
        junk = b" ".join(rng.choice(_JUNK_TOKENS) for _ in range(rng.randint(1, 400)))
    data[at:at] = junk
    return f"junk@{at}+{len(junk)}"


MUTATIONS: tuple[Mutation, ...] = (
    flip_bytes,
    truncate,
    delete_chunk,
    duplicate_chunk,
    zero_window,
    renumber,
    insert_junk,
)


def mutate(original: bytes, seed: int) -> tuple[bytes, str]:
    """One to three mutations of ``original`` chosen by ``seed``; (bytes, what was done)."""
    rng = random.Random(seed)
    data = bytearray(original)
    done = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        if not data:
            break
        done.append(rng.choice(MUTATIONS)(data, rng))
    return bytes(data), "+".join(done)


def mutant_seed(run_seed: int, index: int) -> int:
    """The seed of mutant ``index`` of a run: printed with failures to reproduce them."""
    return run_seed * 1_000_003 + index


@dataclass(frozen=True)
class Mutant:
    source: Path
    seed: int
    path: Path
    what: str


def write_mutants(sources: list[Path], count: int, run_seed: int, folder: Path) -> Iterable[Mutant]:
    """Write ``count`` mutants, round-robin over ``sources``, one at a time (lazily)."""
    originals: dict[Path, bytes] = {}
    for index in range(count):
        source = sources[index % len(sources)]
        if source not in originals:
            originals[source] = source.read_bytes()
        seed = mutant_seed(run_seed, index)
        data, what = mutate(originals[source], seed)
        path = folder / f"{source.stem}__m{seed}.pdf"
        path.write_bytes(data)
        yield Mutant(source, seed, path, what)


# -- crafted files ----------------------------------------------------------------


def pdf_from_objects(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF with a correct xref table from object bodies (object n is ``objects[n-1]``)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\n" % (len(objects) + 1, root)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def zero_bomb(size: int) -> bytes:
    """zlib data that inflates to ``size`` zero bytes (a multiple of 1 MiB), about 1/1000 of it.

    Built without compressing ``size`` bytes: after a full flush deflate
    starts afresh, so every 1 MiB of zeros compresses to the same block, and
    the block is repeated. Only the Adler-32 checksum needs the whole length.
    """
    chunk = bytes(2**20)
    blocks, rest = divmod(size, len(chunk))
    if rest or blocks == 0:
        raise ValueError("size must be a positive multiple of 1 MiB")
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    tail = deflate.flush(zlib.Z_FINISH)
    checksum = 1
    for _ in range(blocks):
        checksum = zlib.adler32(chunk, checksum)
    return b"\x78\xda" + block * blocks + tail + checksum.to_bytes(4, "big")


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def _page_pdf(
    media_box: bytes, content: bytes, resources: bytes = b"", extra: tuple[bytes, ...] = ()
) -> bytes:
    """A one-page PDF: objects 1-4 are catalog, pages, page, content; ``extra`` from 5 on."""
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [%s] /Contents 4 0 R /Resources << %s >> >>"
    return pdf_from_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            page % (media_box, resources),
            content,
            *extra,
        ]
    )


_FONT = b"/Font << /F1 5 0 R >>"
_HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def content_bomb(size: int = 2**30) -> bytes:
    """A page whose content stream (FlateDecode) inflates to ``size`` bytes of zeros."""
    return _page_pdf(b"0 0 612 792", _stream(b"/Filter /FlateDecode", zero_bomb(size)))


def image_bomb(side: int = 32768) -> bytes:
    """A page drawing one ``side`` x ``side`` RGB image whose stream inflates to all of it.

    At the default side that is 3 GiB of pixels, more than a worker may hold.
    """
    image = _stream(
        b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
        b"/BitsPerComponent 8 /Filter /FlateDecode" % (side, side),
        zero_bomb(side * side * 3),
    )
    draw = _stream(b"", b"q 612 0 0 792 0 0 cm /Im1 Do Q")
    return _page_pdf(b"0 0 612 792", draw, b"/XObject << /Im1 5 0 R >>", (image,))


def declared_image(width: int = 10**6, height: int = 10**6) -> bytes:
    """A page drawing an image that declares an enormous size but carries 16 bytes."""
    image = _stream(
        b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
        b"/BitsPerComponent 8" % (width, height),
        bytes(16),
    )
    draw = _stream(b"", b"q 612 0 0 792 0 0 cm /Im1 Do Q")
    return _page_pdf(b"0 0 612 792", draw, b"/XObject << /Im1 5 0 R >>", (image,))


def huge_page(side: int = 14400) -> bytes:
    """One page ``side`` points square (14400 is the largest the PDF spec allows), with text."""
    text = b"BT /F1 400 Tf 100 %d Td (A page two hundred inches wide) Tj ET" % (side - 600)
    return _page_pdf(b"0 0 %d %d" % (side, side), _stream(b"", text), _FONT, (_HELVETICA,))


def small_text_pdf(text: str = "hostile PDF sample") -> bytes:
    body = b"BT /F1 24 Tf 72 700 Td (%s) Tj ET" % text.encode("ascii")
    return _page_pdf(b"0 0 612 792", _stream(b"", body), _FONT, (_HELVETICA,))


def encrypted_pdf(target: Path, user_password: str = "hostile", owner: str = "owner") -> Path:
    """``target`` written by PyMuPDF with AES-256 and a user password (imports PyMuPDF)."""
    import pymupdf

    source = pymupdf.open("pdf", small_text_pdf("secret text"))
    try:
        source.save(
            target,
            encryption=pymupdf.PDF_ENCRYPT_AES_256,
            user_pw=user_password,
            owner_pw=owner,
        )
    finally:
        source.close()
    return target


def write_crafted(
    folder: Path,
    base: Path,
    aes: Path | None = None,
    *,
    content_size: int = 2**30,
    image_side: int = 32768,
) -> dict[str, Path]:
    """The hand-made hostile files, by case name; ``base`` is a small healthy PDF to damage.

    ``content_size`` is what the content-stream bomb inflates to (1 GiB), and
    ``image_side`` sizes the image bomb (side x side RGB pixels; 32768 is 3 GiB).
    """
    healthy = base.read_bytes()
    files: dict[str, bytes] = {
        "truncated_half": healthy[: len(healthy) // 2],
        "truncated_header": healthy[:20],
        "corrupt_header": b"%QDF-9.9\n\x00\x00garbage" + healthy[9:],
        "no_pdf_at_all": random.Random(9).randbytes(50_000),
        "empty": b"",
        "content_bomb": content_bomb(content_size),
        "image_bomb": image_bomb(image_side),
        "declared_image_1e6": declared_image(),
        "huge_page_14400": huge_page(),
        "giant_page_200000": huge_page(200_000),
    }
    paths = {}
    for name, data in files.items():
        path = folder / f"{name}.pdf"
        path.write_bytes(data)
        paths[name] = path
    paths["encrypted_user_password"] = encrypted_pdf(folder / "encrypted_user_password.pdf")
    if aes is not None:
        paths["encrypted_aes256"] = aes
    return paths


# -- the probe ----------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What happened to one file: its kind (see ``KINDS``), the message, and how long."""

    label: str
    path: Path
    kind: str
    message: str
    seconds: float
    step: str  # "open", "render", "text" or "done"


class Prober:
    """Opens untrusted files in a document worker exactly as the window would.

    By default every file gets a worker process of its own, as in the app
    (one worker per document): no file is judged by a worker that another
    file damaged, and no per-document state (the OCR results a worker keeps
    for restarts) carries over. ``fresh_each=False`` reuses a healthy worker
    from file to file, for quick runs without OCR; after a timeout, a crash
    or an untyped failure the worker is always closed (killed if need be).
    Always :meth:`close` a prober (or use it as a context manager).
    """

    def __init__(self, timeout: float = REQUEST_TIMEOUT, *, fresh_each: bool = True) -> None:
        self.timeout = timeout
        self.fresh_each = fresh_each
        self._worker: DocumentWorker | None = None
        self.workers_started = 0

    def __enter__(self) -> Prober:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def worker(self) -> DocumentWorker:
        """The worker the next probe uses, started now if the last one was closed."""
        if self._worker is None:
            self._worker = DocumentWorker.for_viewer().start()
            self.workers_started += 1
        return self._worker

    def probe(self, path: Path, label: str = "") -> Outcome:
        """Open ``path``, draw page 1 at the smallest zoom, read its text; classify the outcome."""
        worker = self.worker()
        started = time.monotonic()
        step = "open"

        def finish(kind: str, message: str) -> Outcome:
            if self.fresh_each or kind in (TIMEOUT, CRASH, UNTYPED):
                self.close()  # killed if it hangs: the next file gets a fresh process
            seconds = time.monotonic() - started
            return Outcome(label or path.name, path, kind, message, seconds, step)

        try:
            worker.open(path).result(self.timeout)
            step = "render"
            page = worker.render(0, MIN_ZOOM, shared=True).result(self.timeout)
            page.release()
            step = "text"
            worker.text([0]).result(self.timeout)
            step = "done"
        except TimeoutError:
            return finish(TIMEOUT, f"no answer within {self.timeout:g} s")
        except WorkerCrashed as exc:
            return finish(CRASH if path.name in str(exc) else UNTYPED, str(exc))
        except ReviewerError as exc:
            return finish(TYPED if path.name in str(exc) else UNTYPED, str(exc))
        except Exception as exc:  # noqa: BLE001 - the very thing being counted
            return finish(UNTYPED, f"{type(exc).__name__}: {exc}")
        return finish(OK, "")


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    import resource  # not on Windows, where nothing calls this

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10
