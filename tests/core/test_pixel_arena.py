"""The shared pixel arena's allocator: reuse first, merge on free, None when full."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reviewer.core.pixel_arena import ALIGN, PixelArena


@pytest.fixture
def arena() -> Iterator[PixelArena]:
    arena = PixelArena(16 * ALIGN)
    yield arena
    arena.close()


def test_blocks_are_page_aligned_and_do_not_overlap(arena: PixelArena) -> None:
    a = arena.allocate(100)
    b = arena.allocate(ALIGN + 1)
    c = arena.allocate(ALIGN)
    assert (a, b, c) == (0, ALIGN, 3 * ALIGN)
    assert [arena.capacity(x) for x in (a, b, c)] == [ALIGN, 2 * ALIGN, ALIGN]
    assert arena.used_bytes == 4 * ALIGN


def test_a_freed_block_is_reused_before_fresh_memory(arena: PixelArena) -> None:
    """Fresh shared pages cost page faults: a freed block of the right size comes first."""
    blocks = [arena.allocate(2 * ALIGN) for _ in range(4)]
    arena.free(blocks[1])
    assert arena.allocate(2 * ALIGN) == blocks[1]
    arena.free(blocks[2])
    # A smaller request still takes the touched hole, not the untouched tail.
    assert arena.allocate(ALIGN) == blocks[2]


def test_neighbouring_free_blocks_merge(arena: PixelArena) -> None:
    a, b, c = (arena.allocate(4 * ALIGN) for _ in range(3))
    rest = arena.allocate(4 * ALIGN)
    assert rest is not None
    assert arena.allocate(ALIGN) is None  # full
    arena.free(a)
    arena.free(c)
    assert arena.allocate(8 * ALIGN) is None  # two holes of 4, not one of 8
    arena.free(b)
    assert arena.allocate(12 * ALIGN) == a  # a, b and c merged


def test_freeing_twice_or_unknown_offsets_is_harmless(arena: PixelArena) -> None:
    a = arena.allocate(ALIGN)
    assert a is not None
    arena.free(a)
    arena.free(a)
    arena.free(12345)
    assert arena.used_bytes == 0
    assert arena.allocate(16 * ALIGN) == 0


def test_views_write_and_read_shared_bytes(arena: PixelArena) -> None:
    a = arena.allocate(10)
    assert a is not None
    view = arena.view(a, 10)
    view[:] = b"0123456789"
    assert bytes(arena.view(a, 10)) == b"0123456789"
    view.release()


def test_close_with_a_live_view_keeps_the_memory_readable() -> None:
    """An image still showing a page keeps its pixels mapped after the arena closes."""
    arena = PixelArena(ALIGN)
    a = arena.allocate(4)
    assert a is not None
    view = arena.view(a, 4)
    view[:] = b"page"
    arena.close()
    assert bytes(view) == b"page"
    assert arena.allocate(4) is None  # closed: nothing more is handed out
    view.release()
