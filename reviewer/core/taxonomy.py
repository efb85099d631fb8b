"""Label taxonomies: the sets of labels annotators apply, kept as data.

A taxonomy is a JSON file (``resources/taxonomies/*.json``, or one a team
writes for itself) rather than code, so that reviewers can add or reword a
label without a new release, and so that export tools outside the app read
the same label ids the app writes. Because non-programmers edit these files,
loading is strict and every complaint names the file and the label it
concerns: ``legal-errors.json: labels "factual" and "citation" both use the
shortcut "F"``. A taxonomy that loads is safe to put in front of annotators.

``resources/taxonomies/taxonomy.schema.json`` describes the format (JSON
Schema, draft 2020-12) and is checked with ``jsonschema``; this module adds
the rules a schema cannot state, such as unique shortcut keys.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from reviewer.core.errors import ReviewerError
from reviewer.core.resources import read_text

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError

SCHEMA_FILE = "taxonomy.schema.json"
# The taxonomies that ship with the app, in the order the app offers them.
BUILTIN_FILES: tuple[str, ...] = (
    "pii.json",
    "legal-errors.json",
    "financial-errors.json",
    "ocr.json",
)

FieldType = Literal["text", "number", "date", "boolean", "choice"]

_MAX_PROBLEMS = 10  # a file that is wrong everywhere gets a readable message, not 200 lines


@dataclass(frozen=True)
class Severity:
    """One step of a taxonomy's severity scale (the scale runs least severe first)."""

    id: str
    name: str
    description: str


@dataclass(frozen=True)
class Subtype:
    """A finer kind of a label, e.g. "wrong pin cite" under "citation"."""

    id: str
    name: str
    description: str


@dataclass(frozen=True)
class AnnotationField:
    """An extra input an annotator fills in for every annotation of a taxonomy.

    ``choices`` is non-empty exactly when ``type`` is ``"choice"``.
    """

    id: str
    name: str
    description: str
    type: FieldType
    required: bool
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Label:
    """A label annotators apply to a passage.

    ``shortcut`` is one letter or digit, pressed without modifiers while the
    page view has focus; it is kept as written and matched ignoring case.
    ``description`` is the guidance shown to annotators.
    """

    id: str
    name: str
    colour: str
    shortcut: str
    description: str
    comment_required: bool
    subtypes: tuple[Subtype, ...] = ()

    def subtype(self, subtype_id: str) -> Subtype:
        """Return the subtype with this id; KeyError names the label and its subtypes."""
        for subtype in self.subtypes:
            if subtype.id == subtype_id:
                return subtype
        known = ", ".join(s.id for s in self.subtypes) or "none"
        raise KeyError(f'label "{self.id}" has no subtype "{subtype_id}" (its subtypes: {known})')


@dataclass(frozen=True)
class Taxonomy:
    """A validated set of labels, with an optional severity scale and extra fields.

    Build one with :func:`load_taxonomy`, which guarantees unique label ids
    and shortcut keys; the lookups below rely on that.
    """

    id: str
    name: str
    version: int
    description: str
    labels: tuple[Label, ...]
    severities: tuple[Severity, ...] = ()
    fields: tuple[AnnotationField, ...] = ()
    _by_id: dict[str, Label] = field(init=False, repr=False, compare=False)
    _by_key: dict[str, Label] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Lookups happen on every key press in the page view: index once.
        object.__setattr__(self, "_by_id", {label.id: label for label in self.labels})
        object.__setattr__(
            self, "_by_key", {label.shortcut.casefold(): label for label in self.labels}
        )

    @property
    def has_severity(self) -> bool:
        """Whether annotations in this taxonomy carry a severity."""
        return bool(self.severities)

    def label(self, label_id: str) -> Label:
        """Return the label with this id.

        Raises
        ------
        KeyError
            If there is no such label; the message names the taxonomy and its labels.
        """
        try:
            return self._by_id[label_id]
        except KeyError:
            known = ", ".join(self._by_id)
            raise KeyError(
                f'taxonomy "{self.id}" has no label "{label_id}" (its labels: {known})'
            ) from None

    def by_shortcut(self, key: str) -> Label | None:
        """Return the label whose shortcut is ``key`` (ignoring case), or None."""
        return self._by_key.get(key.casefold())

    def severity(self, severity_id: str) -> Severity:
        """Return the severity with this id; KeyError names the taxonomy and its scale."""
        for severity in self.severities:
            if severity.id == severity_id:
                return severity
        known = ", ".join(s.id for s in self.severities) or "none"
        raise KeyError(
            f'taxonomy "{self.id}" has no severity "{severity_id}" (its severities: {known})'
        )


class TaxonomyError(ReviewerError):
    """A taxonomy file is unreadable or breaks the format; ``problems`` lists why.

    ``str(error)`` has one line per problem, each starting with the file name,
    so the UI can show it as is.
    """

    def __init__(self, origin: str, problems: Sequence[str]) -> None:
        self.origin = origin
        self.problems = tuple(problems)
        shown = list(self.problems[:_MAX_PROBLEMS])
        if len(self.problems) > _MAX_PROBLEMS:
            shown.append(f"… and {len(self.problems) - _MAX_PROBLEMS} more problems")
        prefix = f"{origin}: " if origin else ""
        super().__init__("\n".join(prefix + problem for problem in shown))


# --------------------------------------------------------------------- loading


def load_taxonomy(source: str | Path | Mapping[str, Any], *, origin: str = "") -> Taxonomy:
    """Read, validate and build a taxonomy.

    Parameters
    ----------
    source
        A path to a JSON file (``str`` is always taken as a path, never as
        JSON text), or the already-parsed JSON object.
    origin
        How error messages name the source. Defaults to the file's name, or to
        ``"taxonomy"`` for a mapping.

    Returns
    -------
    Taxonomy
        A taxonomy whose label ids and shortcut keys are unique.

    Raises
    ------
    TaxonomyError
        If the file cannot be read, is not JSON (the message gives the line
        and column), breaks the schema, or repeats a label id, a shortcut key
        (ignoring case), or a subtype, severity or field id. Each problem
        names the label it concerns.
    """
    if isinstance(source, Mapping):
        return _build(source, origin or "taxonomy")
    path = Path(source)
    origin = origin or path.name
    try:
        raw = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise TaxonomyError(origin, [f"cannot be read ({reason})"]) from error
    return _build(_parse(raw, origin), origin)


@cache
def _builtin() -> tuple[Taxonomy, ...]:
    taxonomies = []
    for name in BUILTIN_FILES:
        data = _parse(read_text("taxonomies", name).encode("utf-8"), name)
        taxonomy = _build(data, name)
        stem = name.removesuffix(".json")
        if taxonomy.id != stem:  # the file name is how people find a taxonomy's id
            raise TaxonomyError(name, [f'the id "{taxonomy.id}" must match the file name'])
        taxonomies.append(taxonomy)
    return tuple(taxonomies)


def builtin_taxonomies() -> dict[str, Taxonomy]:
    """Return the taxonomies that ship with the app, by id, in the order offered.

    Returns
    -------
    dict[str, Taxonomy]
        A new dict on every call (the parsed files are cached), so callers
        may change it freely.

    Raises
    ------
    TaxonomyError
        If a shipped file is broken; the tests make sure none is.
    """
    return {taxonomy.id: taxonomy for taxonomy in _builtin()}


def builtin_taxonomy_of(label_id: str) -> str:
    """Return the id of the one shipped taxonomy that has ``label_id``, else "".

    Other tools' pre-annotations name a label ("SSN") but rarely its
    taxonomy; without this they would show grey and unnamed in the app.
    A label id found in two shipped taxonomies stays unassigned rather
    than guessed.
    """
    owners = [t.id for t in _builtin() if label_id in t._by_id]
    return owners[0] if len(owners) == 1 else ""


def builtin_taxonomy(taxonomy_id: str) -> Taxonomy:
    """Return one shipped taxonomy.

    Parameters
    ----------
    taxonomy_id
        ``"pii"``, ``"legal-errors"`` or ``"financial-errors"``.

    Raises
    ------
    KeyError
        If no shipped taxonomy has that id; the message lists those that do.
    """
    taxonomies = builtin_taxonomies()
    try:
        return taxonomies[taxonomy_id]
    except KeyError:
        known = ", ".join(taxonomies)
        raise KeyError(f'no built-in taxonomy "{taxonomy_id}" (there are: {known})') from None


def to_json(taxonomy: Taxonomy) -> dict[str, Any]:
    """Return the JSON object for a taxonomy, in the file format.

    Parameters
    ----------
    taxonomy
        Any taxonomy; optional parts that are empty are left out, as the
        format requires.

    Returns
    -------
    dict
        Plain JSON data; ``load_taxonomy(to_json(t)) == t`` for every taxonomy
        ``load_taxonomy`` accepts.
    """

    def entry(item: Severity | Subtype) -> dict[str, Any]:
        return {"id": item.id, "name": item.name, "description": item.description}

    labels = []
    for label in taxonomy.labels:
        data: dict[str, Any] = {
            "id": label.id,
            "name": label.name,
            "colour": label.colour,
            "shortcut": label.shortcut,
            "description": label.description,
            "comment_required": label.comment_required,
        }
        if label.subtypes:
            data["subtypes"] = [entry(subtype) for subtype in label.subtypes]
        labels.append(data)
    result: dict[str, Any] = {
        "id": taxonomy.id,
        "name": taxonomy.name,
        "version": taxonomy.version,
        "description": taxonomy.description,
        "labels": labels,
    }
    if taxonomy.severities:
        result["severities"] = [entry(severity) for severity in taxonomy.severities]
    if taxonomy.fields:
        fields = []
        for item in taxonomy.fields:
            data = {
                "id": item.id,
                "name": item.name,
                "description": item.description,
                "type": item.type,
                "required": item.required,
            }
            if item.choices:
                data["choices"] = list(item.choices)
            fields.append(data)
        result["fields"] = fields
    return result


# ------------------------------------------------------------ parse and build


class _DuplicateKey(ValueError):
    pass


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json keeps the last of two equal keys without a word; in a hand-edited
    # file the first one is as likely to be the one that was meant.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            owner = dict(pairs).get("id")
            where = f' in the entry "{owner}"' if isinstance(owner, str) else ""
            raise _DuplicateKey(
                f'the field "{key}" appears twice{where}; JSON would keep only the last one'
            )
        result[key] = value
    return result


def _parse(raw: bytes, origin: str) -> Any:
    try:
        text = raw.decode("utf-8-sig")  # tolerate the BOM some Windows editors write
    except UnicodeDecodeError as error:
        raise TaxonomyError(
            origin, [f"is not UTF-8 text (byte {error.start + 1}); save it as UTF-8"]
        ) from error
    try:
        return json.loads(text, object_pairs_hook=_refuse_duplicate_keys)
    except json.JSONDecodeError as error:
        raise TaxonomyError(
            origin,
            [f"line {error.lineno}, column {error.colno}: not valid JSON ({error.msg})"],
        ) from error
    except _DuplicateKey as error:
        raise TaxonomyError(origin, [str(error)]) from error


def _build(data: Any, origin: str) -> Taxonomy:
    errors = sorted(_validator().iter_errors(data), key=_document_order(data))
    problems = _unique(_explain(error, data) for error in errors)
    if not problems:
        problems = _duplicates(data)
    if problems:
        raise TaxonomyError(origin, problems)

    def entries(items: Iterable[Mapping[str, Any]], cls: type[Any]) -> tuple[Any, ...]:
        return tuple(cls(item["id"], item["name"], item["description"]) for item in items)

    return Taxonomy(
        id=data["id"],
        name=data["name"],
        version=int(data["version"]),  # JSON Schema counts 2.0 as an integer
        description=data["description"],
        labels=tuple(
            Label(
                id=label["id"],
                name=label["name"],
                colour=label["colour"],
                shortcut=label["shortcut"],
                description=label["description"],
                comment_required=label["comment_required"],
                subtypes=entries(label.get("subtypes", ()), Subtype),
            )
            for label in data["labels"]
        ),
        severities=entries(data.get("severities", ()), Severity),
        fields=tuple(
            AnnotationField(
                id=item["id"],
                name=item["name"],
                description=item["description"],
                type=item["type"],
                required=item["required"],
                choices=tuple(item.get("choices", ())),
            )
            for item in data.get("fields", ())
        ),
    )


@cache
def _validator() -> Draft202012Validator:
    # Imported here: jsonschema costs ~60 ms to import, and only loading needs it.
    from jsonschema import Draft202012Validator

    schema = json.loads(read_text("taxonomies", SCHEMA_FILE))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


# ------------------------------------------------------- rules beyond the schema


def _position_pairs(ids: Sequence[str]) -> Iterator[tuple[str, int, int]]:
    """Yield (id, first position, repeated position), 1-based, for each repeat."""
    first: dict[str, int] = {}
    for index, item in enumerate(ids, start=1):
        if item in first:
            yield item, first[item], index
        else:
            first[item] = index


def _duplicates(data: Mapping[str, Any]) -> list[str]:
    labels = data["labels"]
    problems = [
        f'label "{label_id}" appears twice (labels {a} and {b}); label ids must be unique'
        for label_id, a, b in _position_pairs([label["id"] for label in labels])
    ]
    owner: dict[str, Mapping[str, Any]] = {}
    for label in labels:
        key = label["shortcut"].casefold()
        if key not in owner:
            owner[key] = label
            continue
        other = owner[key]
        problem = (
            f'labels "{other["id"]}" and "{label["id"]}" both use the shortcut '
            f'"{label["shortcut"].upper()}"'
        )
        if other["shortcut"] != label["shortcut"]:
            problem += f' ("{other["shortcut"]}" and "{label["shortcut"]}": case is ignored)'
        problems.append(problem)
    for label in labels:
        ids = [subtype["id"] for subtype in label.get("subtypes", ())]
        problems += [
            f'label "{label["id"]}" has the subtype "{subtype_id}" twice (subtypes {a} and {b})'
            for subtype_id, a, b in _position_pairs(ids)
        ]
    for kind, key in (("severity", "severities"), ("annotation field", "fields")):
        ids = [item["id"] for item in data.get(key, ())]
        problems += [
            f'{kind} "{item_id}" appears twice ({key} {a} and {b})'
            for item_id, a, b in _position_pairs(ids)
        ]
    return problems


# ----------------------------------------- jsonschema errors, told in plain words

_ENTITIES = {"labels": "label", "severities": "severity", "fields": "annotation field"}

_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}


def _document_order(root: Any) -> Callable[[ValidationError], list[int]]:
    """Sort key that puts problems in the order a person reads the file, top to bottom."""

    def key(error: ValidationError) -> list[int]:
        positions, node = [], root
        for part in error.absolute_path:
            if isinstance(node, Mapping):
                positions.append(list(node).index(part) if part in node else len(node))
            else:
                positions.append(part)
            node = node[part]
        return positions

    return key


def _quoted(value: Any) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:39] + "…"
        return f'"{shown}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if value is None:
        return "null"
    return str(value)


def _named(kind: str, items: Any, index: int) -> str:
    item = items[index] if isinstance(items, list) and index < len(items) else None
    if isinstance(item, Mapping) and isinstance(item.get("id"), str) and item["id"].strip():
        return f'{kind} "{item["id"]}"'
    return f"the {kind} at position {index + 1}"


def _locate(path: list[Any], root: Any) -> tuple[str | None, list[Any]]:
    """Split a JSON path into who it concerns and which field of theirs.

    ``["labels", 4, "subtypes", 1, "id"]`` becomes
    ``('subtype "wrong_court" of label "citation"', ["id"])``.
    """
    if len(path) >= 2 and path[0] in _ENTITIES and isinstance(path[1], int):
        items = root.get(path[0]) if isinstance(root, Mapping) else None
        subject = _named(_ENTITIES[path[0]], items, path[1])
        rest = path[2:]
        if len(rest) >= 2 and rest[0] == "subtypes" and isinstance(rest[1], int):
            label = items[path[1]]
            subject = f"{_named('subtype', label.get('subtypes'), rest[1])} of {subject}"
            rest = rest[2:]
        return subject, rest
    return None, path


def _field_phrase(rest: list[Any]) -> str:
    names = [part for part in rest if isinstance(part, str)]
    text = f'the field "{names[-1]}"' if names else "the value"
    if rest and isinstance(rest[-1], int):
        text = f"item {rest[-1] + 1} of {text}"
    return text


def _pattern_rule(subject: str | None, rest: list[Any]) -> str:
    key = rest[-1] if rest else None
    if key == "colour":
        return 'must be a colour written #rrggbb, such as "#1f77b4"'
    if key == "shortcut":
        return "must be a single letter or digit (it is pressed without modifiers)"
    if key == "id" and subject is None:
        return (
            'must be lower-case letters and digits joined by single hyphens, such as "legal-errors"'
        )
    if key == "id":
        return (
            "must start with a letter and hold only letters, digits and underscores, "
            'such as "wrong_court"'
        )
    return "must not be blank"


def _explain(error: ValidationError, root: Any) -> str:
    """Turn one jsonschema error into a sentence that names the label concerned."""
    path = list(error.absolute_path)
    subject, rest = _locate(path, root)
    whole = subject or "the taxonomy"  # for problems with an object as a whole
    part = _field_phrase(rest)
    prefix = f"{subject}: " if subject else ""
    keyword, expected, instance = error.validator, error.validator_value, error.instance

    if keyword == "required":
        missing = [name for name in expected if name not in instance]
        listed = " and ".join(f'"{name}"' for name in missing)
        return f"{whole} is missing the field{'s' if len(missing) > 1 else ''} {listed}"
    if keyword == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        problems = []
        for name in instance:
            if name in allowed:
                continue
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f'did you mean "{close[0]}"?' if close else f"allowed: {', '.join(allowed)}"
            problems.append(f'{whole} has an unknown field "{name}" ({hint})')
        return "; ".join(problems)
    if keyword == "type":
        wanted = _TYPE_NAMES.get(expected, expected)
        if not path:
            return f"the file must hold one JSON object (the taxonomy), not {_quoted(instance)}"
        if not rest:
            return f"{whole} must be {wanted}, not {_quoted(instance)}"
        return f"{prefix}{part} must be {wanted}, not {_quoted(instance)}"
    if keyword == "pattern":
        rule = _pattern_rule(subject, rest)
        shown = "" if rule == "must not be blank" else f", not {_quoted(instance)}"
        return f"{prefix}{part} {rule}{shown}"
    if keyword == "minItems":
        if path == ["labels"]:
            return 'the field "labels" is empty; a taxonomy needs at least one label'
        return f"{prefix}{part} is an empty list; leave the field out instead"
    if keyword == "maxLength":
        return f"{prefix}{part} must be at most {expected} characters long"
    if keyword == "minimum":
        return f"{prefix}{part} must be {expected} or more, not {_quoted(instance)}"
    if keyword == "enum":
        options = ", ".join(_quoted(option) for option in expected)
        return f"{prefix}{part} must be one of {options}, not {_quoted(instance)}"
    if keyword == "uniqueItems":
        return f"{prefix}{part} lists the same entry twice"
    if keyword == "not" and expected == {"required": ["choices"]}:
        return f'{whole} has "choices" but only fields of type "choice" may have them'
    location = f"{prefix}{part}" if rest else whole
    return f"{location}: {error.message}"
