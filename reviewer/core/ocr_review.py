"""OCR review: a page's text line by line, its corrections, and the corrected text.

A reviewer reads a scanned page beside the text OCR made of it and fixes it
line by line. Each fix is an ordinary annotation of the ``ocr`` taxonomy, so
it is saved at once, undoable, in the event log and in submissions:

* ``correction``: anchored on the text OCR read (``selector.exact``, the
  *before*), with ``Annotation.correction`` holding what the page really says
  (the *after*). An empty correction removes a line that is only noise.
* ``illegible``: nobody can read that text; the corrected text shows
  :data:`ILLEGIBLE_MARK` in its place.

The panel makes whole-line marks (the line's full span); marks made on the
page over some words (a label key) apply to those words only. When marks
overlap, an illegible mark wins over a correction, then the newest mark wins.
Marks are placed on the page's current text by their offsets when the quote
is still there, else by their quote (as an import would), so corrected text
survives a page whose text came out slightly differently.

Pure Python: page texts and words come from the document worker
(:class:`~reviewer.core.model.PageText`); nothing here imports Qt or PyMuPDF.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from reviewer.core import annotations as store
from reviewer.core import strict_json
from reviewer.core.anchors import offset_selector
from reviewer.core.atomic import write_bytes
from reviewer.core.interchange import AnchorNotFound, ParsedTarget, resolve_anchor
from reviewer.core.model import Annotation, Box, PageText, Word
from reviewer.core.store import Workspace

TAXONOMY = "ocr"
CORRECTION = "correction"
ILLEGIBLE = "illegible"
#: What the corrected text shows for an illegible line (or the illegible words of one).
ILLEGIBLE_MARK = "[illegible]"
#: Pages of a plain-text export are separated by a form feed, as ``pdftotext`` does.
PAGE_BREAK = "\f"
#: Export formats: plain text, or one JSON object per page.
FORMATS = ("text", "jsonl")

Change = Literal["create", "update", "delete", "none"]


# -- lines ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OcrLine:
    """One line of a page's text: its words, its box and its span in the page text.

    ``index`` is the line's place on the page (0-based, reading order);
    ``box`` covers its words in display points; ``start``/``end`` are offsets
    in ``PageText.text`` (-1 when MuPDF gave its words no offsets: such a
    line cannot be anchored, so it cannot be corrected either).
    """

    page: int
    index: int
    text: str
    words: tuple[Word, ...]
    box: Box
    start: int
    end: int

    @property
    def anchored(self) -> bool:
        return self.start >= 0

    def word_span(self, word: int) -> tuple[int, int]:
        """Where word ``word`` of the line is in :attr:`text` (offsets in the line)."""
        w = self.words[word]
        if w.start < 0 or not self.anchored:
            return (-1, -1)
        return (w.start - self.start, w.end - self.start)

    def word_at(self, x: float, y: float, slack: float = 0.5) -> int | None:
        """The word whose box holds the point (display points), or None."""
        for i, w in enumerate(self.words):
            if w.x0 - slack <= x <= w.x1 + slack and w.y0 - slack <= y <= w.y1 + slack:
                return i
        return None

    def word_at_offset(self, offset: int) -> int | None:
        """The word at character ``offset`` of :attr:`text` (its end counts), or None."""
        for i in range(len(self.words)):
            start, end = self.word_span(i)
            if start <= offset <= end and start >= 0:
                return i
        return None

    def word_in(self, text: str, offset: int) -> int | None:
        """The word of this line that position ``offset`` of ``text`` stands for.

        ``text`` is the line as OCR read it, or as someone corrected it; in a
        correction the n-th word still stands for the n-th word on the page,
        which is the best a cursor in edited text can say.
        """
        if text == self.text:
            return self.word_at_offset(offset)
        for n, match in enumerate(re.finditer(r"\S+", text)):
            if match.start() <= offset <= match.end():
                return n if n < len(self.words) else None
        return None


def page_lines(layer: PageText) -> list[OcrLine]:
    """The page's lines in reading order: its words grouped by (block, line)."""
    groups: dict[tuple[int, int], list[Word]] = {}
    for word in layer.words:
        groups.setdefault((word.block, word.line), []).append(word)
    lines: list[OcrLine] = []
    for index, words in enumerate(groups.values()):
        placed = [w for w in words if w.start >= 0]
        box = (
            min(w.x0 for w in words),
            min(w.y0 for w in words),
            max(w.x1 for w in words),
            max(w.y1 for w in words),
        )
        if placed:
            start, end = min(w.start for w in placed), max(w.end for w in placed)
            text = layer.text[start:end]
        else:
            start = end = -1
            text = " ".join(w.text for w in words)
        lines.append(OcrLine(layer.page, index, text, tuple(words), box, start, end))
    return lines


def line_at(lines: Sequence[OcrLine], x: float, y: float) -> tuple[int, int] | None:
    """(line, word) under a point of the page in display points, or None."""
    for line in lines:
        x0, y0, x1, y1 = line.box
        if x0 - 1 <= x <= x1 + 1 and y0 - 1 <= y <= y1 + 1:
            word = line.word_at(x, y)
            if word is not None:
                return line.index, word
    return None


# -- marks -----------------------------------------------------------------------------


def is_mark(annotation: Annotation) -> bool:
    """A live, accepted correction (with its text) or illegible mark on text."""
    a = annotation
    if a.deleted or a.state != "accepted" or a.taxonomy != TAXONOMY or a.selector.kind != "text":
        return False
    if a.label == CORRECTION:
        return a.correction is not None
    return a.label == ILLEGIBLE


def place(layer: PageText, annotation: Annotation) -> tuple[int, int] | None:
    """Where a mark applies in the page's current text: (start, end), or None.

    Its offsets are kept when the quote is still there; otherwise the quote
    is looked for on the page (the occurrence whose context matches best).
    """
    selector = annotation.selector
    segments = [s for s in selector.segments if s.page == layer.page]
    if not segments:
        return None
    if len(selector.segments) > 1:  # across pages: the quote is split, trust the offsets
        seg = segments[0]
        return (seg.start, seg.end) if 0 <= seg.start < seg.end <= len(layer.text) else None
    seg = segments[0]
    if not selector.exact:
        return None
    target = ParsedTarget(
        page=layer.page,
        exact=selector.exact,
        prefix=selector.prefix,
        suffix=selector.suffix,
        start=seg.start,
        end=seg.end,
    )
    try:
        found = resolve_anchor({layer.page: layer.text}, target)
    except AnchorNotFound:
        return None
    return (found.start, found.end) if found.end > found.start else None


@dataclass(frozen=True)
class _Placed:
    annotation: Annotation
    start: int
    end: int


def _winners(placed: Iterable[_Placed]) -> list[_Placed]:
    """Marks that apply: illegible before corrections, then newest first; no overlaps."""
    ordered = sorted(
        placed,
        key=lambda p: (p.annotation.updated_at, p.annotation.created_at, p.annotation.id),
        reverse=True,
    )
    ordered.sort(key=lambda p: p.annotation.label != ILLEGIBLE)  # stable: newest first stays
    taken: list[_Placed] = []
    for p in ordered:
        if all(p.end <= t.start or t.end <= p.start for t in taken):
            taken.append(p)
    return taken


def _apply(line: OcrLine, marks: Sequence[_Placed]) -> tuple[str, tuple[Annotation, ...]]:
    """The line with ``marks`` applied, and the marks that touched it."""
    edits: list[tuple[int, int, str, Annotation]] = []
    for p in marks:
        if p.end <= line.start or p.start >= line.end:
            continue
        start, end = max(p.start, line.start), min(p.end, line.end)
        if p.annotation.label == ILLEGIBLE:
            replacement = ILLEGIBLE_MARK
        else:  # a correction that began on an earlier line was written there in full
            replacement = (p.annotation.correction or "") if p.start >= line.start else ""
        edits.append((start - line.start, end - line.start, replacement, p.annotation))
    if not edits:
        return line.text, ()
    edits.sort(key=lambda e: e[0])
    out, at = [], 0
    for start, end, replacement, _ in edits:
        out.append(line.text[at:start])
        out.append(replacement)
        at = end
    out.append(line.text[at:])
    return "".join(out), tuple(e[3] for e in edits)


@dataclass(frozen=True)
class LineState:
    """One line as reviewed.

    ``text`` is what the corrected page says for the line (illegible marks
    applied; "" when the line was removed); ``edited`` is the line with its
    corrections only (what the reviewer edits). ``corrections`` and
    ``illegibles`` are the whole-line marks the panel changes, newest first
    (one each, unless an import brought more).
    """

    line: OcrLine
    text: str
    edited: str
    corrections: tuple[Annotation, ...] = ()
    illegibles: tuple[Annotation, ...] = ()
    #: Some words (not the whole line) are marked illegible.
    partly_illegible: bool = False
    #: The marks that changed the line's text.
    marks: tuple[Annotation, ...] = ()

    @property
    def correction(self) -> Annotation | None:
        """The line's whole-line correction (the newest, if several)."""
        return self.corrections[0] if self.corrections else None

    @property
    def illegible(self) -> Annotation | None:
        """The line's whole-line illegible mark (the newest, if several)."""
        return self.illegibles[0] if self.illegibles else None

    @property
    def changed(self) -> bool:
        return bool(self.marks)

    @property
    def removed(self) -> bool:
        """Corrected to nothing: the line is left out of the corrected text."""
        return bool(self.marks) and not self.text.strip()


@dataclass(frozen=True)
class CorrectedPage:
    """A page's corrected text and what changed it (``page`` is 0-based)."""

    page: int
    text: str
    lines: tuple[LineState, ...]
    source: str = "text"
    #: Marks whose text is no longer on the page (not applied).
    unplaced: tuple[Annotation, ...] = field(default_factory=tuple)

    @property
    def changed_lines(self) -> list[LineState]:
        return [s for s in self.lines if s.changed]

    def to_json(self) -> dict[str, Any]:
        """The JSON Lines record: ``page`` is 1-based, as people and batch files count."""
        return {
            "page": self.page + 1,
            "text": self.text,
            "corrections": [
                {
                    "line": s.line.index + 1,
                    "before": s.line.text,
                    "after": s.text,
                    "illegible": s.illegible is not None or s.partly_illegible,
                    "annotations": [a.id for a in s.marks],
                }
                for s in self.changed_lines
            ],
            "unplaced": [a.id for a in self.unplaced],
        }


def correct_page(
    layer: PageText,
    annotations: Iterable[Annotation],
    lines: Sequence[OcrLine] | None = None,
) -> CorrectedPage:
    """The corrected text of a page from its live annotations (others are ignored)."""
    lines = page_lines(layer) if lines is None else lines
    placed: list[_Placed] = []
    unplaced: list[Annotation] = []
    for a in annotations:
        if not is_mark(a) or layer.page not in a.selector.pages:
            continue
        span = place(layer, a)
        if span is None:
            unplaced.append(a)
        else:
            placed.append(_Placed(a, *span))
    every = _winners(placed)
    corrections = _winners(p for p in placed if p.annotation.label == CORRECTION)
    states: list[LineState] = []
    for line in lines:
        if not line.anchored:
            states.append(LineState(line, line.text, line.text))
            continue
        text, marks = _apply(line, every)
        edited, _ = _apply(line, corrections)
        whole = [p.annotation for p in placed if (p.start, p.end) == (line.start, line.end)]
        newest = sorted(whole, key=lambda a: (a.updated_at, a.created_at, a.id), reverse=True)
        partly = any(
            p.annotation.label == ILLEGIBLE and p.start < line.end and p.end > line.start
            for p in placed
        )
        illegibles = tuple(a for a in newest if a.label == ILLEGIBLE)
        states.append(
            LineState(
                line,
                text,
                edited,
                corrections=tuple(a for a in newest if a.label == CORRECTION),
                illegibles=illegibles,
                partly_illegible=partly and not illegibles,
                marks=marks,
            )
        )
    return CorrectedPage(
        layer.page, _page_text(layer.text, states), tuple(states), layer.source, tuple(unplaced)
    )


def _page_text(text: str, states: Sequence[LineState]) -> str:
    """The page text with each line replaced by its corrected text (removed lines left out)."""
    anchored = sorted((s for s in states if s.line.anchored), key=lambda s: s.line.start)
    if not anchored:
        return text
    out = [text[: anchored[0].line.start]]
    kept: list[tuple[str, str]] = []
    for i, state in enumerate(anchored):
        after = anchored[i + 1].line.start if i + 1 < len(anchored) else len(text)
        if not state.removed:
            kept.append((state.text, text[state.line.end : after]))
    for i, (line_text, gap) in enumerate(kept):
        out.append(line_text)
        out.append(gap if i + 1 < len(kept) else text[anchored[-1].line.end :])
    return "".join(out)


# -- changes the panel makes -------------------------------------------------------------


def line_annotation(
    layer: PageText,
    line: OcrLine,
    label: str,
    *,
    document: str,
    correction: str | None = None,
    item: str | None = None,
    author: str = "",
) -> Annotation:
    """A new whole-line mark: a correction to ``correction``, or an illegible line."""
    if not line.anchored:
        raise ValueError(f"line {line.index + 1} has no place in the page text")
    if label not in (CORRECTION, ILLEGIBLE):
        raise ValueError(f"not an OCR review label: {label!r}")
    if label == CORRECTION and correction is None:
        raise ValueError("a correction needs its corrected text")
    return Annotation(
        id=store.new_id(),
        document=document,
        taxonomy=TAXONOMY,
        label=label,
        selector=offset_selector(layer, line.start, line.end),
        correction=correction if label == CORRECTION else None,
        item=item,
        author=author,
    )


def correction_change(state: LineState, text: str) -> Change:
    """What typing ``text`` as a line's corrected text does to its whole-line correction.

    Nothing when it is what the line already says; back to what OCR read
    deletes the correction; otherwise the correction is updated, or made.
    """
    if text == state.edited:
        return "none"
    if state.correction is None:
        return "create"
    if text == state.line.text:
        return "delete"
    return "update"


# -- corrected text of stored documents ---------------------------------------------------


def corrected_pages(ws: Workspace, sha256: str, layers: Iterable[PageText]) -> list[CorrectedPage]:
    """The corrected text of the given pages of a stored document (one read of its marks)."""
    marks = [a for a in store.for_document(ws, sha256) if is_mark(a)]
    by_page: dict[int, list[Annotation]] = {}
    for a in marks:
        for page in a.selector.pages:
            by_page.setdefault(page, []).append(a)
    return [correct_page(layer, by_page.get(layer.page, ())) for layer in layers]


def format_pages(pages: Sequence[CorrectedPage], fmt: str = "text") -> str:
    """Corrected pages as plain text (pages separated by form feeds) or JSON Lines."""
    if fmt == "jsonl":
        return "".join(strict_json.dumps_line(p.to_json()) + "\n" for p in pages)
    if fmt != "text":
        raise ValueError(f"unknown format {fmt!r} (use {' or '.join(FORMATS)})")
    return PAGE_BREAK.join(p.text.rstrip("\n") + "\n" for p in pages)


def format_for(path: Path) -> str:
    """The export format a file name asks for: ``.jsonl`` → JSON Lines, else plain text."""
    return "jsonl" if Path(path).suffix.lower() == ".jsonl" else "text"


def write_pages(path: Path, pages: Sequence[CorrectedPage], fmt: str | None = None) -> None:
    """Write corrected pages to ``path`` atomically (the old file or the new, never half)."""
    write_bytes(Path(path), format_pages(pages, fmt or format_for(path)).encode("utf-8"))
