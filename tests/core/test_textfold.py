"""The fast path of ``fold`` must give exactly the character-by-character rule.

The text index folds whole pages with ``fold`` while the in-page search
folds character by character with ``fold_char``; if the two ever differ, a
phrase the index reports on a page is not found there.
"""

from __future__ import annotations

import random

import pytest

from reviewer.core.textfold import _fold_by_char, fold, fold_char

TRICKY = [
    "ΟΔΟΣ ΣΟΦΟΚΛΕΟΥΣ Σ.",  # capital sigma: str.lower() makes a final one "ς"
    "İstanbul DİYARBAKIR",  # "İ".lower() is two characters
    "STRASSE ẞ ß",
    "Plaintiff\u00a0JOHN\u2003DOE\u2028v.\x1c ACME",  # no-break, em, line separators
    "\t  Case 1:19-cv-01234  \n\n Document 12 \r\n",
    "SOCIÉTÉ GÉNÉRALE ǅ ǈ Ω K Å",
    "",
    "   ",
]


@pytest.mark.parametrize("text", TRICKY)
def test_fold_matches_the_character_rule_on_tricky_text(text: str) -> None:
    assert fold(text) == _fold_by_char(text)


def test_fold_matches_the_character_rule_on_random_text() -> None:
    rng = random.Random(20261124)
    alphabet = [chr(c) for c in range(0x20, 0x3000) if not 0xD800 <= c < 0xE000]
    alphabet += [" ", "\n", "\t", "\u00a0", "\u2029", "Σ", "İ"] * 40
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert fold(text) == _fold_by_char(text), ascii(text)


def test_capital_sigma_folds_as_one_character_not_by_context() -> None:
    """The in-page search folds "Σ" alone (to "σ"); the index must not write "ς"."""
    assert fold("ΟΔΟΣ") == "".join(fold_char(c) for c in "ΟΔΟΣ") == "οδοσ"
