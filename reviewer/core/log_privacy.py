"""A last line of defence for the log: personal data patterns masked before a line is written.

The log carries ids, counts and durations, never document or annotation text
(the code is written so). Still, an exception message can quote a value (a
parser error showing a line, an OS error showing a file name), so every
formatted line — traceback included — passes through :func:`mask` first:
US social security numbers, e-mail addresses, phone numbers and long digit
runs (card and account numbers) become ``[masked]``.
"""

from __future__ import annotations

import logging
import re

MASK = "[masked]"

_PATTERNS = (
    re.compile(r"\b\d{3}-\d{2}-\d{4}\b"),  # SSN
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail
    re.compile(r"(?<![\w.])\+?\(?\d{1,4}\)?(?:[ .-]?\(?\d{2,4}\)?){2,4}(?![\w.])"),  # phone
    re.compile(r"\b(?:\d[ -]?){12,18}\d\b"),  # card / account numbers
)


def mask(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return text


class MaskingFormatter(logging.Formatter):
    """A formatter whose every output line (message and traceback) is masked."""

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))
