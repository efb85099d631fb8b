"""Where two drafts differ, word by word, as boxes to highlight on their pages.

Drafts of one motion share most of their words; what a reviewer wants to
see is what one says that the other does not. Words are compared after
folding case and trimming punctuation (so a moved comma or a capital at a
new sentence start is not a difference), with ``difflib`` (no junk
heuristic: legal prose repeats "the" and "Plaintiff" on purpose). Boxes of
neighbouring changed words on one line are merged so the highlight reads
as phrases, not confetti.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from reviewer.core.model import Box, Word

#: Page → boxes in display points.
PageBoxes = dict[int, list[Box]]
_PUNCT = ".,;:!?()[]{}\"'“”‘’—–-§¶*"


@dataclass(frozen=True)
class DraftDiff:
    """The words only in the left draft and only in the right one."""

    left: PageBoxes
    right: PageBoxes
    left_words: int
    right_words: int
    #: Share of words the drafts have in common (0-1), for a one-line summary.
    similarity: float


def _token(word: Word) -> str:
    return word.text.strip(_PUNCT).casefold()


def _flatten(pages: Sequence[Sequence[Word]]) -> list[tuple[int, Word]]:
    out: list[tuple[int, Word]] = []
    for page, words in enumerate(pages):
        out.extend((page, w) for w in words if _token(w))
    return out


def diff_drafts(left: Sequence[Sequence[Word]], right: Sequence[Sequence[Word]]) -> DraftDiff:
    """Compare two drafts given as their pages' words (in reading order)."""
    a, b = _flatten(left), _flatten(right)
    matcher = difflib.SequenceMatcher(
        None, [_token(w) for _, w in a], [_token(w) for _, w in b], autojunk=False
    )
    only_a: list[tuple[int, Word]] = []
    only_b: list[tuple[int, Word]] = []
    for tag, i0, i1, j0, j1 in matcher.get_opcodes():
        if tag != "equal":
            only_a.extend(a[i0:i1])
            only_b.extend(b[j0:j1])
    return DraftDiff(
        left=_merged(only_a),
        right=_merged(only_b),
        left_words=len(only_a),
        right_words=len(only_b),
        similarity=round(matcher.ratio(), 3),
    )


def _merged(words: list[tuple[int, Word]]) -> PageBoxes:
    """One box per run of changed words on the same line (gaps under a word's height)."""
    boxes: PageBoxes = {}
    run: list[float] | None = None
    key: tuple[int, int, int] | None = None
    page_of_run = 0
    for page, w in words:
        here = (page, w.block, w.line)
        gap = 0.0 if run is None else w.x0 - run[2]
        if run is not None and here == key and 0 <= gap < (w.y1 - w.y0) * 1.5:
            run[2], run[1], run[3] = w.x1, min(run[1], w.y0), max(run[3], w.y1)
            continue
        if run is not None:
            boxes.setdefault(page_of_run, []).append((run[0], run[1], run[2], run[3]))
        run, key, page_of_run = [w.x0, w.y0, w.x1, w.y1], here, page
    if run is not None:
        boxes.setdefault(page_of_run, []).append((run[0], run[1], run[2], run[3]))
    return boxes
