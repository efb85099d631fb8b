"""A bounded cache of rendered pages, evicting the least recently used first."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

Key = tuple[int, float]  # (page, render scale)


class _Sized(Protocol):
    def width(self) -> int: ...
    def height(self) -> int: ...
    def depth(self) -> int: ...


Image = TypeVar("Image", bound=_Sized)


class PageCache(Generic[Image]):
    """Rendered pages, paint-ready, within a byte budget (default 96 MiB).

    96 MiB holds ~28 text pages at 100 % on a 1x screen, ~7 on a 2x one: the
    visible pages and their neighbours with room to scroll back. A page that
    fell out comes back from the worker in a few milliseconds, while a
    256 MiB budget pushed a long scroll past 400 MB of memory.

    An entry may come with a ``release`` callback (pages drawn into the
    worker's shared memory): it runs when the entry leaves the cache, and
    only then, so shared memory is reused only once its image is gone.
    """

    def __init__(self, budget_bytes: int = 96 * 2**20) -> None:
        self.budget = budget_bytes
        self._items: OrderedDict[Key, tuple[Image, Callable[[], None] | None]] = OrderedDict()
        self._bytes = 0

    def get(self, key: Key) -> Image | None:
        entry = self._items.get(key)
        if entry is None:
            return None
        self._items.move_to_end(key)
        return entry[0]

    def best_for(self, page: int) -> Image | None:
        """Any rendering of ``page`` (the most recent), to show scaled while a sharper one comes."""
        for (p, _), (image, _release) in reversed(self._items.items()):
            if p == page:
                return image
        return None

    def put(self, key: Key, image: Image, release: Callable[[], None] | None = None) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self._drop(old)
        self._items[key] = (image, release)
        self._bytes += _size(image)
        while self._bytes > self.budget and len(self._items) > 1:
            _, evicted = self._items.popitem(last=False)
            self._drop(evicted)

    def __contains__(self, key: Key) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def clear(self) -> None:
        entries = list(self._items.values())
        self._items.clear()
        for entry in entries:
            self._drop(entry)
        self._bytes = 0

    def _drop(self, entry: tuple[Image, Callable[[], None] | None]) -> None:
        image, release = entry
        self._bytes -= _size(image)
        if release is not None:
            release()


def _size(image: _Sized) -> int:
    return image.width() * image.height() * max(1, image.depth()) // 8
