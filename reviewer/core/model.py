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
