"""Strict JSON for text that comes from someone else, and canonical JSON for what we sign.

Task batches and submission bundles carry JSON (manifests, task lists) that
is hashed and signed, and every byte of them may be hostile. Two things
matter:

* every reader must see the *same* value: parsers disagree on which of two
  duplicate keys wins (Python keeps the last), and NaN/Infinity are not
  JSON at all, so a signed manifest could mean one thing here and another
  elsewhere. Both are refused, as are nesting deep enough to blow a stack
  and bytes that are not UTF-8;
* the same value must always become the same bytes, because those bytes are
  what gets hashed (:func:`dumps_canonical`).

:mod:`reviewer.core.interchange` reads annotation files through the same
:func:`loads` (with its historical leniency, see ``round_trip``).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Literal

#: What was wrong, for callers that word their own messages (interchange does).
Kind = Literal["encoding", "syntax", "duplicate-key", "number", "string", "too-deep"]

#: Characters JSON leaves unescaped that line-based tools (and str.splitlines) break at.
_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}

#: A JSON string, or an unterminated one running to the end. The closing quote is optional
#: so a match never fails once started: the scan stays linear on hostile text.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
#: An escape that can produce half of a surrogate pair (then possibly unpaired).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


class JsonRejected(ValueError):
    """JSON we refuse to read; ``str()`` is a sentence a person can act on.

    ``reason`` is the problem without position, ``kind`` its category, and
    ``line``/``column`` (1-based) are set for syntax errors.
    """

    def __init__(
        self,
        reason: str,
        *,
        kind: Kind,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.reason = reason
        self.kind = kind
        self.line = line
        self.column = column
        if line is not None:
            message = f"not JSON: {reason} at line {line} column {column}"
        else:
            message = reason
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        # keyword-only arguments: the default pickling (cls(*args)) would fail across processes
        return (_rebuild, (self.reason, self.kind, self.line, self.column))


def _rebuild(reason: str, kind: Kind, line: int | None, column: int | None) -> JsonRejected:
    return JsonRejected(reason, kind=kind, line=line, column=column)


def loads(
    data: bytes | str,
    *,
    max_depth: int | None = 32,
    round_trip: bool = True,
) -> Any:
    """Parse JSON that must mean the same thing to every reader, or raise :class:`JsonRejected`.

    Bytes must be UTF-8 (a leading byte order mark is skipped, since editors
    on Windows add one); a ``str`` is taken as is. ``max_depth`` counts
    nested arrays and objects and is checked *before* parsing, without
    recursion, so a 100,000-deep ``[[[…`` costs a quick scan instead of a
    ``RecursionError``; ``None`` leaves only the interpreter's recursion
    limit (still reported as :class:`JsonRejected`).

    With ``round_trip`` (the default) the value must also survive
    :func:`dumps_canonical`: numbers that overflow to infinity (``1e999``)
    and strings holding an unpaired surrogate (``"\\ud800"``, which is not
    text and cannot be written as UTF-8) are refused. Interchange turns it
    off because it checks numbers itself and always accepted both.
    """
    text = _text_of(data)
    if max_depth is not None and _deeper_than(text, max_depth):
        raise JsonRejected(f"nested deeper than {max_depth} levels", kind="too-deep")
    try:
        value = json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_constant=_no_constant,
            parse_float=_finite_float if round_trip else None,
        )
    except JsonRejected:
        raise
    except json.JSONDecodeError as exc:
        raise JsonRejected(exc.msg, kind="syntax", line=exc.lineno, column=exc.colno) from exc
    except RecursionError:
        raise JsonRejected("nested too deeply", kind="too-deep") from None
    except ValueError as exc:  # an integer longer than int() accepts (sys.int_info)
        raise JsonRejected(str(exc), kind="number") from exc
    if round_trip and _SURROGATE_ESCAPE.search(text):
        _refuse_unpaired_surrogates(value)
    return value


def dumps_canonical(value: Any) -> bytes:
    """The one byte sequence for ``value`` that is hashed and signed.

    Keys sorted (by code point), no white space, UTF-8 without escaping, and
    no NaN/Infinity, so equal values give equal bytes whatever order a dict
    was built in. This is our own canonical form, not RFC 8785: both ends
    are this program, and Python's float ``repr`` is already the shortest
    round-tripping form. Raises ``ValueError`` for NaN/Infinity or a string
    with an unpaired surrogate, ``TypeError`` for values JSON cannot hold.
    """
    text = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def dumps_line(value: Any) -> str:
    """One JSON Lines record (no newline added), one line whatever the strings contain."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return escape_line_breaks(text)


def escape_line_breaks(text: str) -> str:
    """Escape the characters that JSON allows raw in strings but line-based tools split at.

    Only valid on JSON text: outside strings these characters cannot occur.
    """
    for char, escaped in _LINE_BREAKS.items():
        text = text.replace(char, escaped)
    return text


def _text_of(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonRejected(f"not UTF-8 text (byte {exc.start})", kind="encoding") from None
    return text.removeprefix("\ufeff")


def _deeper_than(text: str, max_depth: int) -> bool:
    """Whether arrays/objects nest deeper than ``max_depth``, brackets in strings aside."""
    if text.count("[") + text.count("{") <= max_depth:
        return False  # the common case: no need to look at strings at all
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    depth = 0
    for char in brackets:
        if char in "[{":
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)  # in C; a duplicate shows as a shorter dict (measured 3x faster)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise JsonRejected(f"duplicate key {key!r}", kind="duplicate-key")
            seen.add(key)
    return out


def _no_constant(name: str) -> Any:
    raise JsonRejected(f"{name} is not a number JSON allows", kind="number")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise JsonRejected(f"the number {shown} is too large", kind="number")
    return value


def _refuse_unpaired_surrogates(value: Any) -> None:
    """Walk the parsed value (iteratively: it may be as deep as allowed) for unencodable text."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
            strings: Any = item.keys()
        elif isinstance(item, list):
            stack.extend(item)
            continue
        elif isinstance(item, str):
            strings = (item,)
        else:
            continue
        for string in strings:
            try:
                string.encode("utf-8")
            except UnicodeEncodeError:
                raise JsonRejected(
                    "a string holds an unpaired surrogate escape (not text)", kind="string"
                ) from None
