"""Plain data that crosses layers: what the store holds and the UI shows.

Dataclasses only; no behaviour that needs a database, a document or Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    """A document in the workspace, identified by the SHA-256 of its bytes."""

    sha256: str
    title: str
    media_type: str
    page_count: int
    original_name: str
    original_path: str = ""
    added_at: str = ""
    last_opened_at: str = ""


@dataclass(frozen=True)
class Event:
    """One entry of the append-only change log (who, when, what, before, after)."""

    id: int
    at: str
    actor: str
    kind: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


@dataclass(frozen=True)
class PageInfo:
    """What ``reviewer info`` reports per page."""

    number: int
    width: float
    height: float
    has_text: bool
    images: int
    annotations: int


@dataclass(frozen=True)
class DocumentInfo:
    """Facts about a document file, gathered by the document worker."""

    path: str
    format: str
    media_type: str
    page_count: int
    encrypted: bool
    needs_password: bool
    title: str
    metadata: dict[str, str] = field(default_factory=dict)
    pages: list[PageInfo] = field(default_factory=list)
    has_annotations: bool = False
    has_forms: bool = False
    form_fields: int = 0
    embedded_files: int = 0
    has_javascript: bool = False
    sha256: str = ""


@dataclass(frozen=True)
class OpenedDocument:
    """What the viewer needs right after opening: page sizes in display space."""

    page_count: int
    page_sizes: list[tuple[float, float]]
    title: str
    format: str
    media_type: str
    needs_password: bool
    #: Each page's /Rotate (0, 90, 180, 270): anchors are stored unrotated.
    rotations: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Word:
    """One word with its box in display space, in MuPDF's reading order."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    block: int
    line: int
    #: Offsets of the word in its page's text (``PageText.text``); -1 if not found.
    start: int = -1
    end: int = -1


@dataclass(frozen=True)
class PageText:
    """A page's extracted text with its words, as the worker reads them."""

    page: int
    text: str
    words: list[Word]
    rotation: int
    width: float
    height: float
    #: "text" (the page's own text layer), "ocr" (recognised from its image),
    #: or "image" (a scan that could not be recognised: no words).
    source: str = "text"


Quad = tuple[float, float, float, float, float, float, float, float]
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class TextSegment:
    """The part of a text annotation on one page.

    ``start``/``end`` are offsets in that page's extracted text (the W3C
    ``TextPositionSelector``); ``quads`` are in PDF points of the unrotated
    page (what redaction needs), one per line, corners ul, ur, ll, lr.
    """

    page: int
    start: int
    end: int
    quads: tuple[Quad, ...]


@dataclass(frozen=True)
class Selector:
    """Where an annotation points, modelled on the W3C Web Annotation selectors.

    ``kind`` is ``"text"`` (one or more page segments plus the quoted text with
    its prefix and suffix, so the anchor survives re-extraction) or ``"area"``
    (a rectangle in PDF points on one page: scans, signatures, tables).
    """

    kind: str
    page: int
    segments: tuple[TextSegment, ...] = ()
    rect: Box | None = None
    exact: str = ""
    prefix: str = ""
    suffix: str = ""

    @property
    def pages(self) -> tuple[int, ...]:
        if self.kind == "area":
            return (self.page,)
        return tuple(sorted({s.page for s in self.segments}))


@dataclass(frozen=True)
class Annotation:
    """One mark made by a person (or proposed by a detector) on a document."""

    id: str
    document: str
    taxonomy: str
    label: str
    selector: Selector
    comment: str = ""
    severity: str | None = None
    subtype: str | None = None
    origin: str = "human"
    state: str = "accepted"
    author: str = ""
    created_at: str = ""
    updated_at: str = ""
    deleted: bool = False
    item: str | None = None
    #: For suggestions (origin ``suggested:<detector>``): the detector's score and reason.
    score: float | None = None
    reason: str = ""
    #: For OCR corrections: the corrected text (``selector.exact`` is what OCR read).
    correction: str | None = None


#: Fields a person can change after creating an annotation (each change is undoable).
EDITABLE_FIELDS = ("taxonomy", "label", "comment", "severity", "subtype", "state", "correction")


#: The kinds of work a batch item can be.
TASKS = ("review", "redact", "compare", "ocr")
#: An item's status in the work queue.
STATUSES = ("todo", "in_progress", "done", "skipped")


@dataclass(frozen=True)
class Batch:
    """A task batch as imported: what to do, with which labels, and how."""

    id: str
    name: str
    task: str
    taxonomy_id: str
    instructions: str
    manifest_sha256: str
    source_name: str
    created_at: str
    imported_at: str


@dataclass(frozen=True)
class Item:
    """One unit of work in a batch.

    ``id`` is ``"<batch id>/<local id>"`` (the batch's own item id is
    ``local_id``); ``documents`` are SHA-256 ids in the batch's order (one,
    or 2-3 drafts for ``compare``); ``page`` is set for ``ocr`` items.
    """

    id: str
    batch: str
    local_id: str
    position: int
    task: str
    title: str
    documents: tuple[str, ...]
    prompt: str = ""
    page: int | None = None
    status: str = "todo"
    skip_reason: str = ""
    updated_at: str = ""
    data: dict[str, Any] = field(default_factory=dict)
