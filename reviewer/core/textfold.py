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
    """``text`` lower-cased character by character, white space runs as one space, stripped.

    Page texts are folded on the GUI thread when they are indexed, so the
    usual case is done by ``str`` methods in C. That is what :func:`fold_char`
    gives character by character when ``lower()`` keeps the length (every
    character then became exactly one: none ever vanishes) and the text has
    no capital sigma (the one character CPython lowers by context: a final
    "Σ" becomes "ς", where on its own it becomes "σ").
    """
    low = text.lower()
    if len(low) == len(text) and "Σ" not in text:
        return " ".join(low.split())
    return _fold_by_char(text)


def _fold_by_char(text: str) -> str:
    out: list[str] = []
    for c in text:
        if c.isspace():
            if out and out[-1] != " ":
                out.append(" ")
            continue
        out.append(fold_char(c))
    return "".join(out).strip()
