"""The live annotations of one open document, indexed the ways the UI reads them.

Reading order (for the list and for next/previous), by page (for painting)
and counts (for the filters) are kept up to date one annotation at a time:
with thousands of annotations on a document, rebuilding any of them after a
key press was a visible pause. The index can also be filled in reading-order
chunks (:meth:`AnnotationIndex.extend`), so a document with many
annotations opens without holding the GUI thread for all of them at once.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable

from reviewer.core.anchors import sort_key
from reviewer.core.facets import Facets
from reviewer.core.model import Annotation

#: Reading position: page, top, left, then creation time and id to break ties.
Position = tuple[int, float, float, str, str]


def position(a: Annotation) -> Position:
    """Where ``a`` sorts in reading order; the store's ``ORDER BY`` gives the same."""
    return (*sort_key(a.selector), a.created_at, a.id)


class AnnotationIndex:
    """Live (not deleted) annotations by id, in reading order, by page, and counted."""

    def __init__(self) -> None:
        self._items: dict[str, Annotation] = {}
        self._ordered: list[Annotation] = []
        self._keys: list[Position] = []
        self._by_page: dict[int, list[Annotation]] = {}
        self.facets = Facets()

    def __len__(self) -> int:
        return len(self._ordered)

    def __contains__(self, annotation_id: object) -> bool:
        return annotation_id in self._items

    def get(self, annotation_id: str) -> Annotation | None:
        return self._items.get(annotation_id)

    def ordered(self) -> list[Annotation]:
        """A copy of the annotations in reading order."""
        return list(self._ordered)

    def keys(self) -> list[Position]:
        """A copy of their positions, matching :meth:`ordered` one for one."""
        return list(self._keys)

    def on_page(self, page: int) -> list[Annotation]:
        return self._by_page.get(page, [])

    # -- changing ---------------------------------------------------------------------

    def add(self, annotation: Annotation) -> int:
        """Insert one annotation at its reading position; returns that index."""
        key = position(annotation)
        at = bisect.bisect_left(self._keys, key)
        self._ordered.insert(at, annotation)
        self._keys.insert(at, key)
        self._index(annotation)
        return at

    def extend(self, annotations: Iterable[Annotation]) -> tuple[list[Annotation], list[Position]]:
        """Add annotations given in reading order (one chunk of a load).

        Those after everything already indexed are appended (the usual case:
        chunks arrive in order); any other is inserted at its place, and one
        already present is skipped. Returns the annotations that were added,
        with their positions.
        """
        added: list[Annotation] = []
        keys: list[Position] = []
        for annotation in annotations:
            if annotation.id in self._items or annotation.deleted:
                continue
            key = position(annotation)
            if not self._keys or key > self._keys[-1]:
                self._ordered.append(annotation)
                self._keys.append(key)
                self._index(annotation)
            else:
                self.add(annotation)
            added.append(annotation)
            keys.append(key)
        return added, keys

    def remove(self, annotation_id: str) -> Annotation | None:
        """Drop one annotation (O(log n + its pages), not O(n)); returns it if it was there."""
        annotation = self._items.pop(annotation_id, None)
        if annotation is None:
            return None
        at = bisect.bisect_left(self._keys, position(annotation))
        if at < len(self._keys) and self._ordered[at].id == annotation_id:
            del self._ordered[at]
            del self._keys[at]
        for page in annotation.selector.pages:
            items = self._by_page.get(page, [])
            self._by_page[page] = [a for a in items if a.id != annotation_id]
        self.facets.count(annotation, -1)
        return annotation

    def _index(self, annotation: Annotation) -> None:
        self._items[annotation.id] = annotation
        for page in annotation.selector.pages:
            self._by_page.setdefault(page, []).append(annotation)
        self.facets.count(annotation)

    # -- navigation ---------------------------------------------------------------------

    def step(
        self,
        from_id: str | None,
        forward: bool,
        matching: Callable[[Annotation], bool] | None = None,
    ) -> Annotation | None:
        """The next (or previous) annotation after ``from_id`` in reading order, wrapping;
        with ``matching``, the next one it accepts (None when it accepts none)."""
        n = len(self._ordered)
        current = self._items.get(from_id or "")
        if current is None:
            at = -1 if forward else n  # start before the first, or after the last
        else:
            at = bisect.bisect_left(self._keys, position(current))
        step = 1 if forward else -1
        for k in range(1, n + 1):
            candidate = self._ordered[(at + step * k) % n]
            if matching is None or matching(candidate):
                return candidate
        return None

    def neighbour(self, annotation_id: str) -> Annotation | None:
        """What to select once ``annotation_id`` is gone: the next one, else the previous."""
        current = self._items.get(annotation_id)
        if current is None or len(self._ordered) == 1:
            return None
        at = bisect.bisect_left(self._keys, position(current))
        return self._ordered[at + 1] if at + 1 < len(self._ordered) else self._ordered[at - 1]
