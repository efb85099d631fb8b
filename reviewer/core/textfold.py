"""One rule for "the same text" in search: case folded, white space collapsed.

The text index and the character-level page search both use :func:`fold`,
so a phrase the index says is on a page is always found there, whatever its
script ("SOCIÉTÉ" and "société" match in both), and a phrase broken over
two lines matches as one.
"""

from __future__ import annotations


def fold_char(c: str) -> str:
    """Lower-case one character, keeping it one character (so offsets stay aligned)."""
    low = c.lower()
    return low if len(low) == 1 else c


def fold(text: str) -> str:
    out: list[str] = []
    for c in text:
        if c.isspace():
            if out and out[-1] != " ":
                out.append(" ")
            continue
        out.append(fold_char(c))
    return "".join(out).strip()
