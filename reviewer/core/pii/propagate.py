"""Every other occurrence of what an annotator accepted, and its variants.

Once a person accepts "John Q. Doe" or an account number, the same person or
number elsewhere in the document is proposed too, however it is written:
another case, other spacing or dashes, the surname alone, a possessive.
Matching is on word boundaries, so "Doe" does not match "Doeskin".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from reviewer.core.pii.base import Suggestion, suggestion

#: Labels whose values are names: the surname alone is a variant.
NAME_LABELS = frozenset({"PERSON"})
#: Titles and initials are not surnames, and a surname this short matches too much.
_NOT_SURNAMES = frozenset({"jr", "sr", "ii", "iii", "iv", "esq", "md", "phd"})
_MIN_SURNAME = 3
_DIGIT = re.compile(r"\d")


def known_values(text: str, known: Iterable[tuple[str, str]]) -> list[Suggestion]:
    """Occurrences in ``text`` of accepted ``(label, exact)`` values and their variants."""
    found: list[Suggestion] = []
    for label, exact in known:
        value = " ".join(exact.split())
        if not value:
            continue
        for pattern, score, reason in _patterns(label, value):
            for m in pattern.finditer(text):
                found.append(
                    suggestion(text, m.start(), m.end(), label, score, "propagation", reason)
                )
    return found


def _patterns(label: str, value: str) -> list[tuple[re.Pattern[str], float, str]]:
    digits = "".join(_DIGIT.findall(value))
    if len(digits) >= 4 and len(digits) >= len(value.replace(" ", "")) // 2:
        # A number: the same digits with any spaces, dashes or dots between them.
        body = r"[\s.\-]?".join(digits)
        pattern = re.compile(rf"(?<![\w-]){body}(?![\w-])")
        return [(pattern, 0.95, f"same number as accepted '{value}'")]
    words = value.split(" ")
    flexible = r"\s+".join(re.escape(w) for w in words)
    out = [
        (
            re.compile(rf"(?<!\w){flexible}(?!\w)", re.IGNORECASE),
            0.95,
            f"same as accepted '{value}'",
        )
    ]
    if label in NAME_LABELS and len(words) >= 2:
        surname = words[-1].strip(".,")
        if surname.lower() in _NOT_SURNAMES and len(words) >= 3:
            surname = words[-2].strip(".,")
        if len(surname) >= _MIN_SURNAME and surname.lower() not in _NOT_SURNAMES:
            # Capitalised only (a surname in running text), possessive allowed.
            pattern = re.compile(rf"(?<!\w){re.escape(surname)}(?=(?:['’]s)?(?!\w))")
            out.append((pattern, 0.8, f"surname of accepted '{value}'"))
            upper = re.compile(rf"(?<!\w){re.escape(surname.upper())}(?=(?:['’]S)?(?!\w))")
            out.append((upper, 0.8, f"surname of accepted '{value}'"))
    return out
