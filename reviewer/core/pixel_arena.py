"""Shared memory the document worker draws pages into and the GUI paints from.

Why: sending a rendered page over the pipe cost two copies of every pixel
and a conversion into Qt's pixel format on the GUI thread; measured here, a
text page took 1.6–2.2x as long as MuPDF needed to draw it. With an arena
both processes map, the worker draws straight into a block of it and the
GUI wraps the block in a ``QImage`` without copying: a page costs what MuPDF
costs plus two small messages. The pixels stay RGB888, as ``get_pixmap``
makes them: drawing into a 32-bit pixmap with alpha (Qt's native format)
made scanned pages 8–12 % slower to draw, while Qt paints an RGB888 image
only ~0.05 ms slower per page than a native one (both measured here).

Blocks are page-aligned and a freed block is reused before untouched memory
is carved: writing into fresh shared pages costs page faults (measured:
3.5 ms for a 3.5 MB page, ten times the copy itself), reusing one costs
nothing. Blocks are handed out by the client only, on one lock; the worker
process only writes into the block named in a request.

Memory safety: a ``QImage`` made from :meth:`PixelArena.view` keeps the
mapping alive (Python refuses to unmap memory that is still exported), so a
page image can never point into unmapped memory. Reusing a block whose
image is still painted would show the wrong page, which is why the GUI
frees a block only when it drops the image.
"""

from __future__ import annotations

import bisect
import contextlib
import threading
from multiprocessing import shared_memory

ALIGN = 4096


class PixelArena:
    """A best-fit allocator over one shared memory segment (client side)."""

    def __init__(self, size: int) -> None:
        size = _round_up(max(size, ALIGN))
        self._shm = shared_memory.SharedMemory(create=True, size=size)
        self.size = size
        self.name = self._shm.name
        self._lock = threading.Lock()
        # Free ranges as parallel sorted lists of (offset, length); ``_touched``
        # marks the end of memory ever handed out, so reuse is preferred.
        self._free_offsets: list[int] = [0]
        self._free_lengths: list[int] = [size]
        self._used: dict[int, int] = {}
        self._touched = 0
        self._closed = False

    # -- allocation ----------------------------------------------------------

    def allocate(self, nbytes: int) -> int | None:
        """Reserve ``nbytes``; the block's offset, or None when nothing fits.

        Among the free ranges that fit, the smallest one already touched is
        taken (an exact reuse of a freed page in the usual case); fresh
        memory only when no touched range fits.
        """
        need = _round_up(nbytes)
        with self._lock:
            if self._closed:
                return None
            fits = [
                (offset >= self._touched, length, i)
                for i, (offset, length) in enumerate(
                    zip(self._free_offsets, self._free_lengths, strict=True)
                )
                if length >= need
            ]
            if not fits:
                return None
            best = min(fits)[2]
            offset, length = self._free_offsets[best], self._free_lengths[best]
            if length == need:
                del self._free_offsets[best], self._free_lengths[best]
            else:
                self._free_offsets[best] = offset + need
                self._free_lengths[best] = length - need
            self._used[offset] = need
            self._touched = max(self._touched, offset + need)
            return offset

    def free(self, offset: int) -> None:
        """Give a block back (unknown offsets are ignored: freeing twice is harmless)."""
        with self._lock:
            length = self._used.pop(offset, None)
            if length is None:
                return
            i = bisect.bisect_left(self._free_offsets, offset)
            self._free_offsets.insert(i, offset)
            self._free_lengths.insert(i, length)
            # Merge with the next range, then with the previous one.
            if i + 1 < len(self._free_offsets) and offset + length == self._free_offsets[i + 1]:
                self._free_lengths[i] += self._free_lengths.pop(i + 1)
                del self._free_offsets[i + 1]
            if i > 0 and self._free_offsets[i - 1] + self._free_lengths[i - 1] == offset:
                self._free_lengths[i - 1] += self._free_lengths.pop(i)
                del self._free_offsets[i]

    def capacity(self, offset: int) -> int:
        """The usable size of a block handed out by :meth:`allocate`."""
        with self._lock:
            return self._used.get(offset, 0)

    @property
    def used_bytes(self) -> int:
        with self._lock:
            return sum(self._used.values())

    # -- access --------------------------------------------------------------

    def view(self, offset: int, nbytes: int) -> memoryview:
        """The bytes of a block (zero copy; keeps the mapping alive while it exists)."""
        return self._shm.buf[offset : offset + nbytes]

    def close(self) -> None:
        """Remove the segment's name now; its memory goes when the last view does."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._used.clear()
        with contextlib.suppress(FileNotFoundError):
            self._shm.unlink()
        _LINGERING.append(self._shm)
        _close_lingering()


#: Segments closed while an image still showed one of their pages: Python
#: refuses to unmap them then (and would complain from ``__del__``), so they
#: wait here and are unmapped at a later close, once their images are gone.
_LINGERING: list[shared_memory.SharedMemory] = []


def _close_lingering() -> None:
    for shm in list(_LINGERING):
        try:
            shm.close()
        except BufferError:
            continue
        _LINGERING.remove(shm)


def attach(name: str) -> shared_memory.SharedMemory:
    """Map the client's arena in the worker process."""
    return shared_memory.SharedMemory(name=name)


def _round_up(n: int) -> int:
    return -(-n // ALIGN) * ALIGN
