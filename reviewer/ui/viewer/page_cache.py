"""A bounded cache of rendered pages, evicting the least recently used first."""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtGui import QPixmap

Key = tuple[int, float]  # (page, render scale)


class PageCache:
    """Rendered pages, paint-ready, within a byte budget (default 96 MiB).

    96 MiB holds ~28 text pages at 100 % on a 1x screen, ~7 on a 2x one: the
    visible pages and their neighbours with room to scroll back. A page that
    fell out comes back from the worker in a few milliseconds, while a
    256 MiB budget pushed a long scroll past 400 MB of memory.
    """

    def __init__(self, budget_bytes: int = 96 * 2**20) -> None:
        self.budget = budget_bytes
        self._items: OrderedDict[Key, QPixmap] = OrderedDict()
        self._bytes = 0

    def get(self, key: Key) -> QPixmap | None:
        image = self._items.get(key)
        if image is not None:
            self._items.move_to_end(key)
        return image

    def best_for(self, page: int) -> QPixmap | None:
        """Any rendering of ``page`` (the most recent), to show scaled while a sharper one comes."""
        for (p, _), image in reversed(self._items.items()):
            if p == page:
                return image
        return None

    def put(self, key: Key, image: QPixmap) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self._bytes -= _size(old)
        self._items[key] = image
        self._bytes += _size(image)
        while self._bytes > self.budget and len(self._items) > 1:
            _, evicted = self._items.popitem(last=False)
            self._bytes -= _size(evicted)

    def __contains__(self, key: Key) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def clear(self) -> None:
        self._items.clear()
        self._bytes = 0


def _size(pixmap: QPixmap) -> int:
    return pixmap.width() * pixmap.height() * max(1, pixmap.depth()) // 8
