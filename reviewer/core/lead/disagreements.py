"""Where annotators differ on one document, for the lead to step through and adjudicate.

Spans are grouped into clusters: connected components of the overlap graph
(any label), so a passage one annotator marked as a PERSON and another as an
ORG, or marked a word longer, ends up in one place to decide. A cluster where
every annotator who finished the document has exactly one span, all with the
same label and extent, is agreement and is not shown.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reviewer.core.lead.agreement import (
    Box,
    Position,
    Span,
    boxes_close,
    boxes_intersect,
    normalized_box,
)

KINDS = ("missing", "label", "extent")


@dataclass(frozen=True, slots=True)
class Disagreement:
    """One cluster of spans on which the annotators who finished the document differ.

    ``kinds`` says how: "missing" (an annotator has no span in the cluster,
    listed in ``missing``), "label" (two or more labels) and "extent" (two or
    more different ranges or rectangles). ``start``/``end`` are the cluster's
    union extent, for scrolling the viewer to it.
    """

    document: str
    start: Position
    end: Position
    spans: tuple[Span, ...]  # sorted by (start, end, annotator, key)
    kinds: frozenset[str]
    missing: tuple[str, ...]

    @property
    def id(self) -> str:
        """Stable across runs and imports: derived from the document and the spans' keys only."""
        text = "\n".join([self.document, *sorted(s.key for s in self.spans)])
        return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]

    @property
    def page(self) -> int:
        return self.start[0]


def _text_clusters(spans: Sequence[Span]) -> list[list[Span]]:
    """Overlap components of text spans by one sweep in (start, end) order.

    A span joins the current cluster iff it starts before the cluster's
    furthest end. For a non-empty span that is exactly "overlaps the span
    holding that end"; an empty span (start == end) sorts before every longer
    span starting at the same position, so it joins only when a span starting
    strictly earlier covers it — the overlap rule again.
    """
    clusters: list[list[Span]] = []
    reach: Position | None = None
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        if reach is not None and s.start < reach:
            clusters[-1].append(s)
            reach = max(reach, s.end)
        else:
            clusters.append([s])
            reach = s.end
    return clusters


def _area_clusters(spans: Sequence[Span]) -> list[list[Span]]:
    """Components of areas whose rectangles intersect on the same page (union-find).

    Per page, rectangles are swept by left edge and only compared with those
    whose right edge is still beyond it, so distant boxes are never compared.
    """
    parent = list(range(len(spans)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_page: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(spans):
        by_page[s.start[0]].append(i)
    for indices in by_page.values():
        boxes = {i: _box(spans[i]) for i in indices}
        active: list[int] = []
        for i in sorted(indices, key=lambda i: boxes[i][0]):
            left = boxes[i][0]
            active = [j for j in active if boxes[j][2] > left]
            for j in active:
                if boxes_intersect(boxes[i], boxes[j]):
                    parent[find(i)] = find(j)
            active.append(i)
    groups: dict[int, list[Span]] = defaultdict(list)
    for i, s in enumerate(spans):
        groups[find(i)].append(s)
    return list(groups.values())


def _box(s: Span) -> Box:
    """The span's rectangle with x0 <= x1 and y0 <= y1 (only called for areas)."""
    return normalized_box(s.box or (0.0, 0.0, 0.0, 0.0))


def _extents_differ(cluster: Sequence[Span]) -> bool:
    """Whether the cluster holds two different extents under the exact rule.

    Text: two distinct (start, end). Areas: two rectangles more than 2 points
    apart on some coordinate (the 2-point rule is not transitive, so every pair
    is checked; clusters are small).
    """
    if cluster[0].box is None:
        return len({(s.start, s.end) for s in cluster}) > 1
    boxes = [_box(s) for s in cluster]
    return any(
        not boxes_close(boxes[i], boxes[j])
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
    )


def _judge(document: str, cluster: list[Span], covering: Sequence[str]) -> Disagreement | None:
    per_annotator = Counter(s.annotator for s in cluster)
    missing = tuple(a for a in covering if not per_annotator[a])
    kinds: set[str] = set()
    if missing:
        kinds.add("missing")
    if len({s.label for s in cluster}) > 1:
        kinds.add("label")
    if _extents_differ(cluster):
        kinds.add("extent")
    if not kinds and any(per_annotator[a] != 1 for a in covering):
        # Someone marked the same passage twice, identically: a one-to-one
        # matching leaves one of those spans unmatched, like a missed span.
        kinds.add("missing")
    if not kinds:
        return None
    ordered = tuple(sorted(cluster, key=lambda s: (s.start, s.end, s.annotator, s.key)))
    return Disagreement(
        document=document,
        start=min(s.start for s in cluster),
        end=max(s.end for s in cluster),
        spans=ordered,
        kinds=frozenset(kinds),
        missing=missing,
    )


def disagreements(spans: Iterable[Span], covered_by: Sequence[str]) -> list[Disagreement]:
    """The disagreements on ONE document, sorted by (start, end) (areas: top, then left).

    ``spans`` are all spans on the document; ``covered_by`` the annotators who
    finished it. Spans of anyone else are ignored (an unfinished document is
    not an opinion). With fewer than two covering annotators there is nothing
    to compare, so there are no disagreements. Text spans and areas never
    share a cluster.
    """
    covering = tuple(sorted(set(covered_by)))
    counted = [s for s in spans if s.annotator in covering]
    documents = {s.document for s in counted}
    if len(documents) > 1:
        raise ValueError(f"disagreements are per document, got {len(documents)}")
    if len(covering) < 2 or not counted:
        return []
    document = documents.pop()
    clusters = _text_clusters([s for s in counted if s.box is None])
    clusters += _area_clusters([s for s in counted if s.box is not None])
    found = [d for c in clusters if (d := _judge(document, c, covering)) is not None]
    found.sort(key=_order)
    return found


def _order(d: Disagreement) -> tuple[Position, Position, float, float, str]:
    """(start, end), then top and left for areas (which all start at their page), then id."""
    boxes = [_box(s) for s in d.spans if s.box is not None]
    top = min((b[1] for b in boxes), default=0.0)
    left = min((b[0] for b in boxes), default=0.0)
    return (d.start, d.end, top, left, d.id)


def summary(found: Iterable[Disagreement]) -> dict[str, int]:
    """How many disagreements show each kind (one may count under several), all kinds listed."""
    counts = dict.fromkeys(KINDS, 0)
    for d in found:
        for kind in d.kinds:
            counts[kind] += 1
    return counts
