"""Annotations in and out as W3C Web Annotations (JSON-LD or JSON Lines).

Export writes what other tools understand and reads back, losslessly, what
reviewer itself wrote; import accepts files from other tools too, re-anchors
every quote in the document's own text, and stores nothing it cannot place.

The mapping (also described in ``docs/USAGE.md``):

* one ``Annotation`` per reviewer annotation, ``id`` ``urn:uuid:<id>``,
  ``motivation`` ``tagging`` (every annotation classifies a passage with a
  label), ``created``/``modified``, ``creator`` (the author) and ``generator``;
* ``body``: a ``TextualBody`` with ``purpose`` ``tagging`` whose ``value`` is
  the label id, a ``TextualBody`` with ``purpose`` ``commenting`` when the
  annotation has a comment, and a ``TextualBody`` with ``purpose`` ``editing``
  holding the corrected text of an OCR correction (the quote is what OCR read);
* ``target``: a ``SpecificResource`` whose ``source`` is ``urn:sha256:<sha>``
  of the document, one per page of a text annotation (a list when there are
  several), with a ``FragmentSelector`` ``page=N`` (RFC 3778, 1-based), a
  ``TextQuoteSelector`` and a ``TextPositionSelector`` (offsets in that page's
  extracted text); an area target has the page fragment and a media-fragment
  ``xywh=pt:x,y,w,h`` in PDF points.

Extension properties are all prefixed ``reviewer:`` (listed in
:data:`EXTENSION_KEYS`); a JSON-LD processor reads them as IRIs of the
``reviewer:`` scheme and other tools ignore them.

Nothing here imports Qt or PyMuPDF: page texts and words come from a
:class:`~reviewer.core.worker.DocumentWorker` (see :class:`WorkerPages`).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from reviewer import __version__
from reviewer.core import annotations as store
from reviewer.core import strict_json
from reviewer.core.anchors import CONTEXT, quad_to_box, quads_for
from reviewer.core.errors import ReviewerError
from reviewer.core.model import (
    Annotation,
    Box,
    Document,
    PageText,
    Quad,
    Selector,
    TextSegment,
)
from reviewer.core.store import Workspace
from reviewer.core.strict_json import JsonRejected
from reviewer.core.taxonomy import builtin_taxonomy_of

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
PDF_FRAGMENT = "http://tools.ietf.org/rfc/rfc3778"
MEDIA_FRAGMENT = "http://www.w3.org/TR/media-frags/"

#: Extension properties and where they sit in an exported annotation.
EXTENSION_KEYS = {
    "reviewer:taxonomy": "tagging body: id of the taxonomy the label belongs to",
    "reviewer:severity": "annotation: severity, when set",
    "reviewer:subtype": "annotation: subtype, when set",
    "reviewer:state": "annotation: proposed, accepted or rejected",
    "reviewer:origin": "annotation: who or what made it (human, a detector, imported…)",
    "reviewer:item": "annotation: the review item it belongs to, when set",
    "reviewer:score": "annotation: a suggestion's detector score (0-1), when set",
    "reviewer:reason": "annotation: why a suggestion was proposed, when set",
    "reviewer:version": "generator: the reviewer version that wrote the file",
    "reviewer:name": "target: the document's original file name",
    "reviewer:quads": "target: one quad per line in PDF points (ul, ur, ll, lr corners)",
}

FORMATS = ("w3c", "jsonl")
#: W3C selectors that say nothing reviewer can use (web pages, SVG): skipped on import.
IGNORED_SELECTORS = {
    "CssSelector",
    "XPathSelector",
    "RangeSelector",
    "SvgSelector",
    "DataPositionSelector",
}
STATES = ("proposed", "accepted", "rejected")
#: Extension quads within this many points of the words' own boxes are kept as given.
QUAD_TOLERANCE = 1.0
#: Two anchors whose coordinates differ by less than this are the same (points).
SAME_POINT = 0.01
_MAX_LABEL = 200
_QUOTE_SHOWN = 40
_CONTEXT_SCORED = 256


class InterchangeError(ReviewerError):
    """Input that is not a usable annotation file; ``problems`` lists every bad line or item."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems = list(problems)
        shown = "; ".join(f"{where}: {reason}" for where, reason in self.problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{count} {noun}, nothing imported: {shown}")


class AnchorNotFound(ReviewerError):
    """A target that cannot be placed in this document (its quote is not there, …)."""


# -- export --------------------------------------------------------------------


def to_w3c(annotation: Annotation, document: Document) -> dict[str, Any]:
    """One annotation as a W3C Web Annotation (a JSON-ready dict)."""
    a = annotation
    out: dict[str, Any] = {
        "@context": W3C_CONTEXT,
        "id": _export_id(a.id),
        "type": "Annotation",
        "motivation": "tagging",
        "created": a.created_at,
        "modified": a.updated_at,
    }
    if a.author:
        out["creator"] = {"type": "Person", "name": a.author}
    out["generator"] = _generator()
    out["reviewer:state"] = a.state
    out["reviewer:origin"] = a.origin
    for key, value in (
        ("reviewer:severity", a.severity),
        ("reviewer:subtype", a.subtype),
        ("reviewer:item", a.item),
        ("reviewer:score", a.score),
        ("reviewer:reason", a.reason or None),
    ):
        if value is not None:
            out[key] = value
    body: list[dict[str, Any]] = [
        {
            "type": "TextualBody",
            "purpose": "tagging",
            "value": a.label,
            "reviewer:taxonomy": a.taxonomy,
        }
    ]
    if a.comment:
        body.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "value": a.comment,
                "format": "text/plain",
            }
        )
    if a.correction is not None:
        body.append(
            {
                "type": "TextualBody",
                "purpose": "editing",
                "value": a.correction,
                "format": "text/plain",
            }
        )
    out["body"] = body
    targets = _targets(a.selector, document)
    out["target"] = targets[0] if len(targets) == 1 else targets
    return out


def export_document(ws: Workspace, sha256: str, fmt: str = "w3c") -> str:
    """A document's live annotations in reading order: an AnnotationCollection or JSON Lines."""
    if fmt not in FORMATS:
        raise ReviewerError(f"unknown export format {fmt!r} (use {' or '.join(FORMATS)})")
    document = ws.document(sha256)
    if document is None:
        raise ReviewerError(f"the document {sha256} is not in the workspace")
    items = [to_w3c(a, document) for a in store.for_document(ws, sha256)]
    if fmt == "jsonl":
        return "".join(strict_json.dumps_line(item) + "\n" for item in items)
    for item in items:  # the collection's context applies to what it contains
        del item["@context"]
    source = f"urn:sha256:{sha256}"
    collection = {
        "@context": W3C_CONTEXT,
        "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, source)}",
        "type": "AnnotationCollection",
        "label": f"Annotations on {document.original_name}",
        "total": len(items),
        "generator": _generator(),
        "first": {
            "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, source + '#page=1')}",
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        },
    }
    return _dumps(collection, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _dumps(value: Any, **options: Any) -> str:
    """JSON text with U+2028 and friends escaped, like the JSON Lines export."""
    return strict_json.escape_line_breaks(json.dumps(value, **options))


def _generator() -> dict[str, Any]:
    return {"type": "Software", "name": "reviewer", "reviewer:version": __version__}


def _export_id(annotation_id: str) -> str:
    try:
        uuid.UUID(annotation_id)
    except ValueError:
        return "urn:reviewer:id:" + urllib.parse.quote(annotation_id, safe="")
    return f"urn:uuid:{annotation_id}"


def _page_fragment(page: int) -> dict[str, Any]:
    return {"type": "FragmentSelector", "conformsTo": PDF_FRAGMENT, "value": f"page={page + 1}"}


def _num(value: float) -> float:
    rounded = round(float(value), 3)
    return 0.0 if rounded == 0 else rounded  # no "-0.0"


def _targets(selector: Selector, document: Document) -> list[dict[str, Any]]:
    base = {
        "type": "SpecificResource",
        "source": f"urn:sha256:{document.sha256}",
        "reviewer:name": document.original_name,
    }
    if selector.kind == "area":
        selectors = [_page_fragment(selector.page)]
        if selector.rect is not None:
            x0, y0, x1, y1 = selector.rect
            xywh = ",".join(str(_num(v)) for v in (x0, y0, x1 - x0, y1 - y0))
            selectors.append(
                {
                    "type": "FragmentSelector",
                    "conformsTo": MEDIA_FRAGMENT,
                    "value": f"xywh=pt:{xywh}",
                }
            )
        return [{**base, "selector": selectors}]
    segments = selector.segments
    if not segments:
        quote = {
            "type": "TextQuoteSelector",
            "exact": selector.exact,
            "prefix": selector.prefix,
            "suffix": selector.suffix,
        }
        return [{**base, "selector": [_page_fragment(selector.page), quote]}]
    quotes = _split_quote(selector.exact, segments)
    targets = []
    last = len(segments) - 1
    for i, seg in enumerate(segments):
        selectors: list[dict[str, Any]] = [_page_fragment(seg.page)]
        if quotes is not None or i == 0:
            quote: dict[str, Any] = {
                "type": "TextQuoteSelector",
                "exact": selector.exact if quotes is None else quotes[i],
            }
            if i == 0:
                quote["prefix"] = selector.prefix
            if i == last:
                quote["suffix"] = selector.suffix
            selectors.append(quote)
        selectors.append({"type": "TextPositionSelector", "start": seg.start, "end": seg.end})
        target = {**base, "selector": selectors}
        target["reviewer:quads"] = [[_num(v) for v in q] for q in seg.quads]
        targets.append(target)
    return targets


def _split_quote(exact: str, segments: Sequence[TextSegment]) -> list[str] | None:
    """Each segment's own quote: ``exact`` is their texts joined by newlines (see anchors)."""
    lengths = [seg.end - seg.start for seg in segments]
    if any(n <= 0 for n in lengths) or sum(lengths) + len(lengths) - 1 != len(exact):
        return None
    parts, pos = [], 0
    for n in lengths:
        parts.append(exact[pos : pos + n])
        pos += n + 1
    return parts


# -- parsing ----------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedTarget:
    """What one target says about its place (pages 0-based, offsets in that page's text)."""

    page: int | None = None
    exact: str | None = None
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None
    quads: tuple[Quad, ...] | None = None
    rect: Box | None = None
    source: str | None = None


@dataclass(frozen=True)
class ParsedAnnotation:
    """One annotation read from a file, checked for shape but not yet placed in a document."""

    where: str
    id: str | None
    taxonomy: str
    label: str
    kind: str
    targets: tuple[ParsedTarget, ...]
    comment: str = ""
    severity: str | None = None
    subtype: str | None = None
    state: str = "accepted"
    origin: str = "human"
    item: str | None = None
    author: str = ""
    created_at: str = ""
    updated_at: str = ""
    score: float | None = None
    reason: str = ""
    #: An OCR correction's corrected text (the ``editing`` body), None when there is none.
    correction: str | None = None


class _Bad(Exception):
    """One reason an item is malformed (internal)."""


def _loads(text: str) -> Any:
    """Strict JSON (no duplicate keys, NaN or Infinity), as lenient as interchange always was.

    No depth limit of our own (only the recursion limit), and numbers that
    overflow or unpaired surrogates pass: the item checks report those.
    """
    return strict_json.loads(text, max_depth=None, round_trip=False)


def _json_problem(exc: JsonRejected) -> str:
    if exc.kind == "syntax":
        return f"not JSON ({exc.reason} at line {exc.line} column {exc.column})"
    if exc.kind == "too-deep":
        return "not JSON this program accepts (nested too deeply)"
    return f"not JSON this program accepts ({exc.reason})"


def parse_annotations(text: str, *, origin: str) -> list[ParsedAnnotation]:
    """Read annotations from an AnnotationPage, an AnnotationCollection, a JSON array or JSON Lines.

    ``origin`` is the provenance given to annotations that do not carry a
    ``reviewer:origin`` of their own (reviewer's own exports always do).
    Raises :class:`InterchangeError` listing every malformed line or item.
    """
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return []
    try:
        data = _loads(text)
    except JsonRejected as exc:
        if _looks_like_one_document(text):
            raise InterchangeError([("file", _json_problem(exc))]) from None
        return _parse_lines(text, origin)
    raw = _items_of(data, _single_line(text))
    problems: list[tuple[str, str]] = []
    parsed: list[ParsedAnnotation] = []
    for where, item in raw:
        try:
            parsed.append(_parse_item(item, where, origin))
        except _Bad as exc:
            problems.append((where, str(exc)))
    if problems:
        raise InterchangeError(problems)
    return parsed


def _looks_like_one_document(text: str) -> bool:
    """A pretty-printed object or any array: report its error once, not line by line."""
    stripped = text.lstrip()
    if stripped.startswith("["):
        return True
    return stripped.split("\n", 1)[0].strip() == "{"


def _parse_lines(text: str, origin: str) -> list[ParsedAnnotation]:
    problems: list[tuple[str, str]] = []
    parsed: list[ParsedAnnotation] = []
    # split on "\n" only: str.splitlines() would also cut at U+2028 and friends,
    # which JSON allows unescaped inside strings (and our export writes as is)
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            item = _loads(line)
        except JsonRejected as exc:
            reason = _json_problem(exc)
            if exc.kind == "syntax":
                reason = f"not JSON ({exc.reason} at column {exc.column})"
            problems.append((where, reason))
            continue
        try:
            parsed.append(_parse_item(item, where, origin))
        except _Bad as exc:
            problems.append((where, str(exc)))
    if problems:
        raise InterchangeError(problems)
    return parsed


def _types(obj: Mapping[str, Any]) -> list[str]:
    kind = obj.get("type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [k for k in kind if isinstance(k, str)]
    return []


def _single_line(text: str) -> str:
    """How to name a lone annotation: ``line N`` if the file is one line of JSON."""
    lines = text.split("\n")
    filled = [i for i, line in enumerate(lines, start=1) if line.strip()]
    return f"line {filled[0]}" if len(filled) == 1 else "annotation"


def _items_of(data: Any, lone: str) -> list[tuple[str, Any]]:
    if isinstance(data, list):
        return [(f"[{i}]", item) for i, item in enumerate(data)]
    if not isinstance(data, dict):
        raise InterchangeError([("file", "not an annotation file: expected an object or an array")])
    types = _types(data)
    if "AnnotationCollection" in types or "AnnotationPage" in types:
        out: list[tuple[str, Any]] = []
        path = ""
        node: Any = data
        if "AnnotationCollection" in types and "items" not in data:
            node = data.get("first")
            path = "first."
            if node is None:
                return []
            if not isinstance(node, dict):
                raise InterchangeError(
                    [("first", "the collection's first page is not embedded in the file")]
                )
        seen = 0
        while isinstance(node, dict):
            items = node.get("items", [])
            if not isinstance(items, list):
                raise InterchangeError([(f"{path}items", "not an array")])
            out.extend((f"{path}items[{i}]", item) for i, item in enumerate(items))
            node, path = node.get("next"), f"{path}next."
            seen += 1
            if seen > 10_000:
                raise InterchangeError([(path, "too many pages")])
        return out
    return [(lone, data)]


def parse_item(
    item: Any, where: str, default_origin: str, *, text_checked: bool = False
) -> ParsedAnnotation:
    """One decoded annotation object checked for shape; :class:`InterchangeError` if malformed.

    The lead's bundle import reads ``annotations.jsonl`` with the same rules
    as ``reviewer annotations import``; ``text_checked`` says the object came
    from ``strict_json.loads`` with ``round_trip``, which already refused
    unpaired surrogates (encoding it again to look for them took a third of
    the time of a bundle's import).
    """
    try:
        return _parse_item(item, where, default_origin, text_checked=text_checked)
    except _Bad as exc:
        raise InterchangeError(str(exc)) from None


def _parse_item(
    item: Any, where: str, default_origin: str, *, text_checked: bool = False
) -> ParsedAnnotation:
    if not isinstance(item, dict):
        raise _Bad("not an object")
    try:
        if not text_checked:
            json.dumps(item, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise _Bad("contains text that is not valid Unicode (a lone surrogate)") from None
    types = _types(item)
    if "type" in item and "Annotation" not in types:
        raise _Bad(f"type is {str(item['type'])[:60]!r}, not 'Annotation'")
    taxonomy, label, comment = _bodies(item)
    correction = _correction(item)
    targets, kind = _parse_targets(item.get("target"))
    origin = _opt_text(item, "reviewer:origin") or default_origin
    state = _opt_text(item, "reviewer:state") or "accepted"
    if state not in STATES:
        raise _Bad(f"reviewer:state must be one of {', '.join(STATES)}, not {state!r}")
    created = _timestamp(item, "created")
    modified = _timestamp(item, "modified") or created
    return ParsedAnnotation(
        where=where,
        id=_import_id(item.get("id")),
        taxonomy=taxonomy,
        label=label,
        kind=kind,
        targets=targets,
        comment=comment,
        severity=_opt_text(item, "reviewer:severity"),
        subtype=_opt_text(item, "reviewer:subtype"),
        state=state,
        origin=origin,
        item=_opt_text(item, "reviewer:item"),
        author=_author(item.get("creator")),
        created_at=created,
        updated_at=modified,
        score=_opt_score(item),
        reason=_opt_text(item, "reviewer:reason") or "",
        correction=correction,
    )


def _opt_score(obj: Mapping[str, Any]) -> float | None:
    value = obj.get("reviewer:score")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise _Bad("reviewer:score is not a number from 0 to 1")
    return float(value)


def _opt_text(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Bad(f"{key} is not text")
    if len(value) > _MAX_LABEL:
        raise _Bad(f"{key} is longer than {_MAX_LABEL} characters")
    return value


def _timestamp(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Bad(f"{key} is not a date-time")
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        raise _Bad(f"{key} is not an ISO 8601 date-time: {value[:40]!r}") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC).isoformat(timespec="microseconds")


def _import_id(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise _Bad("id is not text")
    if value.lower().startswith("urn:uuid:"):
        raw = value[len("urn:uuid:") :]
        try:
            uuid.UUID(raw)
        except ValueError:
            raise _Bad(f"id {value[:60]!r} is not a valid urn:uuid") from None
        return raw
    if value.startswith("urn:reviewer:id:"):
        raw = urllib.parse.unquote(value[len("urn:reviewer:id:") :])
        if raw and raw.isprintable() and len(raw) <= _MAX_LABEL:
            return raw
        raise _Bad("id is not a valid urn:reviewer:id")
    # Another tool's IRI: a stable id of our own, so importing twice finds it again.
    return str(uuid.uuid5(uuid.NAMESPACE_URL, value))


def _author(creator: Any) -> str:
    if isinstance(creator, list):
        creator = next((c for c in creator if isinstance(c, dict)), None)
    if isinstance(creator, dict):
        for key in ("name", "nickname"):
            value = creator.get(key)
            if isinstance(value, str) and value.strip():
                if len(value) > _MAX_LABEL:
                    raise _Bad(f"creator {key} is longer than {_MAX_LABEL} characters")
                return value
    return ""


def _purposes(body: Mapping[str, Any]) -> list[str]:
    purpose = body.get("purpose")
    if isinstance(purpose, str):
        return [purpose]
    if isinstance(purpose, list):
        return [p for p in purpose if isinstance(p, str)]
    return []


def _bodies(item: Mapping[str, Any]) -> tuple[str, str, str]:
    """(taxonomy, label, comment) from the bodies."""
    raw = item.get("body", [])
    bodies = raw if isinstance(raw, list) else [raw]
    objects = []
    for i, body in enumerate(bodies):
        if isinstance(body, dict):
            objects.append(body)
        elif not isinstance(body, str):  # a string body is an IRI: nothing we can use
            raise _Bad(f"body {i} is not an object")
    tagging = [b for b in objects if "tagging" in _purposes(b)]
    if not tagging and item.get("motivation") == "tagging":
        tagging = [b for b in objects if not _purposes(b)][:1]
    if not tagging:
        raise _Bad("no tagging body (a TextualBody with purpose 'tagging' holding the label)")
    if len(tagging) > 1:
        raise _Bad("more than one tagging body")
    tag = tagging[0]
    if "type" in tag and "TextualBody" not in _types(tag):
        raise _Bad("the tagging body is not a TextualBody")
    label = tag.get("value")
    if label is None or (isinstance(label, str) and not label.strip()):
        raise _Bad("label missing (the tagging body has no value)")
    if not isinstance(label, str):
        raise _Bad("label is not text")
    if len(label) > _MAX_LABEL:
        raise _Bad(f"label is longer than {_MAX_LABEL} characters")
    taxonomy = _opt_text(tag, "reviewer:taxonomy") or ""
    comments = []
    for body in objects:
        if "commenting" in _purposes(body) and body is not tag:
            value = body.get("value", "")
            if not isinstance(value, str):
                raise _Bad("a commenting body's value is not text")
            comments.append(value)
    value = item.get("bodyValue")
    if value is not None:
        if not isinstance(value, str):
            raise _Bad("bodyValue is not text")
        comments.append(value)
    return taxonomy, label, "\n\n".join(c for c in comments if c)


def _correction(item: Mapping[str, Any]) -> str | None:
    """The corrected text of an OCR correction: the one ``editing`` body's value, if any."""
    raw = item.get("body", [])
    bodies = [b for b in (raw if isinstance(raw, list) else [raw]) if isinstance(b, dict)]
    editing = [b for b in bodies if "editing" in _purposes(b) and "tagging" not in _purposes(b)]
    if not editing:
        return None
    if len(editing) > 1:
        raise _Bad("more than one editing body (the corrected text)")
    value = editing[0].get("value")
    if not isinstance(value, str):
        raise _Bad("the editing body's value (the corrected text) is not text")
    return value


def _flatten(selector: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if not isinstance(selector, dict):
        raise _Bad("a selector is not an object")
    if depth > 8:
        raise _Bad("selectors are refined too deeply")
    yield selector
    refined = selector.get("refinedBy")
    if refined is not None:
        for inner in refined if isinstance(refined, list) else [refined]:
            yield from _flatten(inner, depth + 1)


def _parse_targets(raw: Any) -> tuple[tuple[ParsedTarget, ...], str]:
    if raw is None:
        raise _Bad("no target")
    targets = raw if isinstance(raw, list) else [raw]
    if not targets:
        raise _Bad("no target")
    parsed = []
    for i, target in enumerate(targets):
        where = "target" if len(targets) == 1 else f"target {i}"
        if isinstance(target, str):
            raise _Bad(f"{where} has no selector (only the document is named)")
        if not isinstance(target, dict):
            raise _Bad(f"{where} is not an object")
        try:
            parsed.append(_parse_target(target))
        except _Bad as exc:
            raise _Bad(f"{where}: {exc}") from None
    areas = [t for t in parsed if t.rect is not None]
    if areas:
        if len(parsed) > 1:
            raise _Bad("an area annotation has exactly one target")
        return tuple(parsed), "area"
    return tuple(parsed), "text"


def _parse_target(target: Mapping[str, Any]) -> ParsedTarget:
    source = target.get("source")
    if isinstance(source, dict):  # an External Web Resource object names itself by id
        source = source.get("id")
    if source is not None and not isinstance(source, str):
        raise _Bad("source is not an IRI")
    raw = target.get("selector")
    if raw is None:
        raise _Bad("no selector")
    selectors = [s for top in (raw if isinstance(raw, list) else [raw]) for s in _flatten(top)]
    page: int | None = None
    exact: str | None = None
    prefix = suffix = ""
    start = end = None
    rect: Box | None = None
    for sel in selectors:
        types = _types(sel)
        if "FragmentSelector" in types:
            value = sel.get("value")
            if not isinstance(value, str):
                raise _Bad("FragmentSelector has no value")
            conforms = sel.get("conformsTo")
            value = value.removeprefix("#")
            if conforms == MEDIA_FRAGMENT or (conforms is None and value.startswith("xywh=")):
                if rect is not None:
                    raise _Bad("two rectangles")
                rect = _xywh(value)
            elif conforms == PDF_FRAGMENT or (conforms is None and "page=" in value):
                found = _pdf_page(value)
                if page is not None and found != page:
                    raise _Bad("two different pages")
                page = found
            else:
                shown = str(conforms)[:60]
                raise _Bad(f"FragmentSelector conforming to {shown!r} is not supported")
        elif "TextQuoteSelector" in types:
            if exact is not None:
                raise _Bad("two TextQuoteSelectors")
            exact = sel.get("exact")
            if not isinstance(exact, str) or not exact.strip():
                raise _Bad("TextQuoteSelector has no exact text")
            prefix, suffix = sel.get("prefix", ""), sel.get("suffix", "")
            if not isinstance(prefix, str) or not isinstance(suffix, str):
                raise _Bad("TextQuoteSelector prefix or suffix is not text")
        elif "TextPositionSelector" in types:
            if start is not None:
                raise _Bad("two TextPositionSelectors")
            start, end = sel.get("start"), sel.get("end")
            if not _is_int(start) or not _is_int(end):
                raise _Bad("TextPositionSelector start and end must be integers")
            if not 0 <= start < end:
                raise _Bad("TextPositionSelector needs 0 <= start < end")
        elif not set(types) & IGNORED_SELECTORS:
            shown = sel.get("type")
            raise _Bad(f"selector of unknown type {str(shown)[:60]!r}")
    quads = _quads(target.get("reviewer:quads"))
    if rect is not None:
        if exact is not None or start is not None:
            raise _Bad("mixes a rectangle with text selectors")
        if page is None:
            raise _Bad("a rectangle needs a page (FragmentSelector page=N)")
    elif exact is None and start is None:
        raise _Bad(
            "no usable selector (a TextQuoteSelector, or a TextPositionSelector with a page)"
        )
    elif exact is None and page is None:
        raise _Bad("a TextPositionSelector without a quote needs a page (FragmentSelector page=N)")
    return ParsedTarget(
        page=page,
        exact=exact,
        prefix=prefix,
        suffix=suffix,
        start=start,
        end=end,
        quads=quads,
        rect=rect,
        source=source,
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _pdf_page(value: str) -> int:
    params = dict(p.partition("=")[::2] for p in value.split("&"))
    raw = params.get("page")
    if raw is None:
        raise _Bad(f"FragmentSelector {value[:40]!r} names no page")
    if not re.fullmatch(r"[0-9]{1,9}", raw.strip()):
        raise _Bad(f"page is not an integer: {raw[:20]!r}")
    page = int(raw)
    if page < 1:
        raise _Bad("page numbers start at 1")
    return page - 1


def _xywh(value: str) -> Box:
    body = value[len("xywh=") :] if value.startswith("xywh=") else ""
    unit, _, numbers = body.rpartition(":")
    if unit not in ("", "pt", "pixel"):
        raise _Bad(f"xywh unit {unit!r} is not supported (use pt: PDF points)")
    parts = numbers.split(",")
    try:
        x, y, w, h = (float(p) for p in parts)
    except ValueError:
        raise _Bad(f"xywh must be four numbers: {value[:60]!r}") from None
    if not all(math.isfinite(v) for v in (x, y, w, h)) or w <= 0 or h <= 0:
        raise _Bad("xywh needs finite numbers and a positive width and height")
    return (x, y, x + w, y + h)


def _quads(raw: Any) -> tuple[Quad, ...] | None:
    if raw is None:
        return None
    bad = _Bad("reviewer:quads must be a list of lists of 8 numbers")
    if not isinstance(raw, list) or len(raw) > 10_000:
        raise bad
    out = []
    for quad in raw:
        if not isinstance(quad, list) or len(quad) != 8:
            raise bad
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in quad):
            raise bad
        values = tuple(float(v) for v in quad)
        if not all(math.isfinite(v) for v in values):
            raise bad
        out.append(values)
    return tuple(out)  # type: ignore[arg-type]


# -- anchoring ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedAnchor:
    """Where a target lands: page, offsets in that page's text, and whether it moved."""

    page: int
    start: int
    end: int
    relocated: bool = False


def resolve_anchor(
    page_texts: Mapping[int, str], target: ParsedTarget, *, trust_position: bool = True
) -> ResolvedAnchor:
    """Place a text target in the page texts, or raise :class:`AnchorNotFound` saying why.

    A position is used when the text there equals the quote (or, with no
    quote, when ``trust_position``: the file was made on this very document).
    Otherwise the quote is searched, on its page if a FragmentSelector gives
    one, else on every page in order; an occurrence whose surroundings match
    the prefix and suffix is preferred, then the one nearest the given
    position, then the first. White space differences are forgiven only when
    the quote is not found as is.
    """
    if target.page is not None:
        if target.page not in page_texts:
            raise AnchorNotFound(f"page {target.page + 1} is not in the document")
        pages: Iterable[int] = [target.page]
    else:
        pages = sorted(page_texts)
    if target.start is not None and target.end is not None and target.page is not None:
        text = page_texts[target.page]
        if target.end <= len(text):
            if target.exact is None:
                if trust_position:
                    return ResolvedAnchor(target.page, target.start, target.end)
                raise AnchorNotFound(
                    "a position without a quote, made on another document, cannot be placed"
                )
            if text[target.start : target.end] == target.exact:
                return ResolvedAnchor(target.page, target.start, target.end)
        elif target.exact is None:
            raise AnchorNotFound(
                f"position {target.start}-{target.end} is beyond the end of page "
                f"{target.page + 1} ({len(text)} characters)"
            )
    if target.exact is None:
        raise AnchorNotFound("neither a quote nor a position on a page to place it by")
    hint = (target.page, target.start) if target.start is not None else None
    found = _search(page_texts, pages, target, hint, _exact_matches)
    if found is None:
        found = _search(page_texts, pages, target, hint, _loose_matches)
    if found is None:
        shown = target.exact[:_QUOTE_SHOWN] + ("…" if len(target.exact) > _QUOTE_SHOWN else "")
        where = "in the document" if target.page is None else f"on page {target.page + 1}"
        raise AnchorNotFound(f"quote {shown!r} not found {where}")
    page, start, end = found
    moved = hint is None or (page, start) != hint
    return ResolvedAnchor(page, start, end, relocated=moved)


def _exact_matches(text: str, quote: str) -> Iterator[tuple[int, int]]:
    i = text.find(quote)
    while i >= 0:
        yield i, i + len(quote)
        i = text.find(quote, i + 1)


def _loose_matches(text: str, quote: str) -> Iterator[tuple[int, int]]:
    words = quote.split()
    if not words:
        return
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    for m in pattern.finditer(text):
        yield m.start(), m.end()


def _common_suffix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _search(
    page_texts: Mapping[int, str],
    pages: Iterable[int],
    target: ParsedTarget,
    hint: tuple[int | None, int | None] | None,
    matches: Callable[[str, str], Iterator[tuple[int, int]]],
) -> tuple[int, int, int] | None:
    """The best occurrence of the quote: most context matching, nearest the hint, first."""
    assert target.exact is not None
    # Context beyond this cannot tell occurrences apart any better, and a huge
    # prefix times a frequent quote would make a hostile file slow.
    prefix, suffix = target.prefix[-_CONTEXT_SCORED:], target.suffix[:_CONTEXT_SCORED]
    hint_page, hint_start = hint if hint is not None else (None, None)
    best: tuple[tuple[int, int, int, int], tuple[int, int, int]] | None = None
    for page in pages:
        text = page_texts[page]
        for start, end in matches(text, target.exact):
            score = _common_suffix(text[max(0, start - len(prefix)) : start], prefix)
            score += _common_prefix(text[end : end + len(suffix)], suffix)
            near = hint_page == page and hint_start is not None
            distance = abs(start - hint_start) if hint_start is not None and near else 1 << 30
            key = (-score, distance, page, start)
            if best is None or key < best[0]:
                best = (key, (page, start, end))
    return None if best is None else best[1]


def _quads_agree(given: Sequence[Quad], computed: Sequence[Quad]) -> bool:
    if len(given) != len(computed):
        return False
    for g, c in zip(given, computed, strict=True):
        gb, cb = quad_to_box(g), quad_to_box(c)
        if any(abs(x - y) > QUAD_TOLERANCE for x, y in zip(gb, cb, strict=True)):
            return False
    return True


# -- import -----------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did: annotations stored, already present, and rejected (where, why)."""

    stored: list[Annotation] = field(default_factory=list)
    unchanged: list[Annotation] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "stored": len(self.stored),
            "unchanged": len(self.unchanged),
            "rejected": [{"where": w, "reason": r} for w, r in self.rejected],
        }


def import_annotations(
    ws: Workspace,
    document: Document,
    parsed: Sequence[ParsedAnnotation],
    page_texts: Mapping[int, str],
    layers: Mapping[int, PageText],
    *,
    item_for_page: Callable[[int], str | None] | None = None,
) -> ImportReport:
    """Place and store parsed annotations on ``document`` in one transaction.

    ``item_for_page`` gives the batch item an annotation belongs to, from the
    page it was placed on (a quote-only annotation has no page until placed).

    ``page_texts`` maps every page (0-based) to its extracted text and
    ``layers`` gives a page's words (both may fetch lazily, see
    :class:`WorkerPages`). An annotation already present with the same
    content (matched by id, else by label, quote, start and page) is left as
    it is, so importing a file twice changes nothing; one whose id is taken
    by different content is rejected, never overwritten.
    """
    report = ImportReport()
    ready: list[tuple[str, Annotation]] = []
    for p in parsed:
        try:
            placed = _place(document, p, page_texts, layers)
            if item_for_page is not None:
                placed = dataclasses.replace(placed, item=item_for_page(placed.selector.page))
            ready.append((p.where, placed))
        except AnchorNotFound as exc:
            report.rejected.append((p.where, str(exc)))
    if not ready:
        return report
    with ws.transaction():
        by_key: dict[tuple[Any, ...], list[Annotation]] = {}
        for a in store.for_document(ws, document.sha256, include_deleted=True):
            by_key.setdefault(_key(a), []).append(a)
        for where, candidate in ready:
            existing = store.get(ws, candidate.id)
            if existing is not None:
                if existing.document != document.sha256:
                    report.rejected.append(
                        (where, f"id {candidate.id} is already used on another document")
                    )
                elif same_content(existing, candidate):
                    report.unchanged.append(existing)
                else:
                    report.rejected.append(
                        (
                            where,
                            f"an annotation with id {candidate.id} already exists with "
                            "different content; it was not overwritten",
                        )
                    )
                continue
            twin = next(
                (a for a in by_key.get(_key(candidate), []) if same_content(a, candidate)), None
            )
            if twin is not None:
                report.unchanged.append(twin)
                continue
            stored = store.add(ws, candidate)
            by_key.setdefault(_key(stored), []).append(stored)
            report.stored.append(stored)
    order = {p.where: i for i, p in enumerate(parsed)}  # rejections in file order
    report.rejected.sort(key=lambda r: order.get(r[0], len(order)))
    return report


def _key(a: Annotation) -> tuple[Any, ...]:
    s = a.selector
    if s.kind == "area":
        rect = tuple(round(v, 1) for v in s.rect) if s.rect else None
        return (a.label, "area", s.page, rect)
    start = s.segments[0].start if s.segments else -1
    return (a.label, s.exact, s.page, start)


def same_content(a: Annotation, b: Annotation) -> bool:
    """Same document, classification, comment, state and anchor (coordinates within 0.01 pt)."""
    fields = (
        "document",
        "taxonomy",
        "label",
        "comment",
        "severity",
        "subtype",
        "state",
        "origin",
        "item",
        "score",
        "reason",
        "correction",
    )
    if any(getattr(a, f) != getattr(b, f) for f in fields):
        return False
    sa, sb = a.selector, b.selector
    if (sa.kind, sa.page, sa.exact, sa.prefix, sa.suffix) != (
        sb.kind,
        sb.page,
        sb.exact,
        sb.prefix,
        sb.suffix,
    ):
        return False
    if (sa.rect is None) != (sb.rect is None):
        return False
    if sa.rect is not None and sb.rect is not None and not _close(sa.rect, sb.rect):
        return False
    if len(sa.segments) != len(sb.segments):
        return False
    for x, y in zip(sa.segments, sb.segments, strict=True):
        if (x.page, x.start, x.end, len(x.quads)) != (y.page, y.start, y.end, len(y.quads)):
            return False
        if not all(_close(q, r) for q, r in zip(x.quads, y.quads, strict=True)):
            return False
    return True


def _close(a: Sequence[float], b: Sequence[float]) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= SAME_POINT for x, y in zip(a, b, strict=True))


def _place(
    document: Document,
    p: ParsedAnnotation,
    page_texts: Mapping[int, str],
    layers: Mapping[int, PageText],
) -> Annotation:
    """The annotation ``p`` describes, anchored in this document (or AnchorNotFound)."""
    for t in p.targets:
        if t.page is not None and not 0 <= t.page < document.page_count:
            raise AnchorNotFound(
                f"page {t.page + 1} is not in the document (it has {document.page_count} pages)"
            )
    own = f"urn:sha256:{document.sha256}"
    if p.kind == "area":
        t = p.targets[0]
        assert t.page is not None
        assert t.rect is not None
        if t.source is not None and t.source.startswith("urn:sha256:") and t.source != own:
            raise AnchorNotFound("an area made on another document cannot be placed on this one")
        _check_on_page(t.rect, t.page, layers)
        selector = Selector(kind="area", page=t.page, rect=t.rect)
    else:
        selector = _text_selector(p, own, page_texts, layers)
    return Annotation(
        id=p.id or store.new_id(),
        document=document.sha256,
        taxonomy=p.taxonomy or builtin_taxonomy_of(p.label),
        label=p.label,
        selector=selector,
        comment=p.comment,
        severity=p.severity,
        subtype=p.subtype,
        origin=p.origin,
        state=p.state,
        author=p.author,
        created_at=p.created_at,
        updated_at=p.updated_at,
        item=p.item,
        score=p.score,
        reason=p.reason,
        correction=p.correction,
    )


def _check_on_page(rect: Box, page: int, layers: Mapping[int, PageText]) -> None:
    try:
        layer = layers[page]
    except KeyError:
        return
    width, height = layer.width, layer.height
    if layer.rotation % 180 == 90:  # rect is in unrotated PDF space
        width, height = height, width
    x0, y0, x1, y1 = rect
    slack = 1.0
    if x1 < -slack or y1 < -slack or x0 > width + slack or y0 > height + slack:
        raise AnchorNotFound(f"the rectangle lies outside page {page + 1}")


def _text_selector(
    p: ParsedAnnotation,
    own: str,
    page_texts: Mapping[int, str],
    layers: Mapping[int, PageText],
) -> Selector:
    segments: list[TextSegment] = []
    quotes: list[str] = []
    prefix = suffix = ""
    for i, t in enumerate(p.targets):
        same_document = (
            t.source is None or not t.source.startswith("urn:sha256:") or (t.source == own)
        )
        try:
            anchor = resolve_anchor(page_texts, t, trust_position=same_document)
        except AnchorNotFound as exc:
            if len(p.targets) > 1:
                raise AnchorNotFound(f"target {i}: {exc}") from None
            raise
        if segments and anchor.page <= segments[-1].page:
            raise AnchorNotFound("the targets are not on successive pages in reading order")
        text = page_texts[anchor.page]
        try:
            layer = layers[anchor.page]
        except KeyError:
            raise AnchorNotFound(f"the words of page {anchor.page + 1} are not available") from None
        computed = quads_for(layer, anchor.start, anchor.end)
        if not computed:
            raise AnchorNotFound(f"the quoted text has no words on page {anchor.page + 1}")
        quads = computed
        if (
            t.quads is not None
            and same_document
            and not anchor.relocated
            and _quads_agree(t.quads, computed)
        ):
            quads = t.quads
        if not segments:
            prefix = text[max(0, anchor.start - CONTEXT) : anchor.start]
        suffix = text[anchor.end : anchor.end + CONTEXT]
        segments.append(TextSegment(anchor.page, anchor.start, anchor.end, quads))
        quotes.append(text[anchor.start : anchor.end])
    return Selector(
        kind="text",
        page=segments[0].page,
        segments=tuple(segments),
        exact="\n".join(quotes),
        prefix=prefix,
        suffix=suffix,
    )


# -- page texts and words from a worker -------------------------------------------------


class _Pages(Mapping[int, Any]):
    def __init__(self, owner: WorkerPages, text_only: bool) -> None:
        self._owner = owner
        self._text_only = text_only

    def __getitem__(self, page: int) -> Any:
        layer = self._owner.layer(page)
        return layer.text if self._text_only else layer

    def __contains__(self, page: object) -> bool:
        return isinstance(page, int) and 0 <= page < self._owner.page_count

    def __iter__(self) -> Iterator[int]:
        return iter(range(self._owner.page_count))

    def __len__(self) -> int:
        return self._owner.page_count


class WorkerPages:
    """Page texts and words of a worker's open document, fetched once each, on demand.

    ``texts`` and ``layers`` are the two mappings :func:`import_annotations`
    takes; :meth:`prefetch` asks for pages ahead so the worker reads them
    while earlier ones are being matched.
    """

    def __init__(self, worker: Any, page_count: int, *, timeout: float = 120.0) -> None:
        self.worker = worker
        self.page_count = page_count
        self.timeout = timeout
        self._futures: dict[int, Future[Any]] = {}
        self.texts: Mapping[int, str] = _Pages(self, text_only=True)
        self.layers: Mapping[int, PageText] = _Pages(self, text_only=False)

    def prefetch(self, pages: Iterable[int]) -> None:
        for page in pages:
            if 0 <= page < self.page_count and page not in self._futures:
                self._futures[page] = self.worker.words(page)

    def layer(self, page: int) -> PageText:
        if not (isinstance(page, int) and 0 <= page < self.page_count):
            raise KeyError(page)
        self.prefetch([page])
        return self._futures[page].result(self.timeout)  # type: ignore[no-any-return]


def pages_needed(parsed: Sequence[ParsedAnnotation], page_count: int) -> list[int]:
    """The pages an import will read: those named, or all when a quote has no page."""
    pages: set[int] = set()
    for p in parsed:
        for t in p.targets:
            if t.page is None:
                return list(range(page_count))
            pages.add(t.page)
    return sorted(pg for pg in pages if 0 <= pg < page_count)
