"""The PII engine's glue: overlaps, suppression, propagation, proposals, and ``reviewer scan``.

The detectors themselves have their own tests; these check what every
suggestion goes through before a user or a script sees it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pymupdf
import pytest
from test_cli import run_cli  # the same subprocess runner as the other CLI tests

from reviewer.core.model import Annotation, Selector, TextSegment
from reviewer.core.pii.base import Span, Suggestion, suggestion
from reviewer.core.pii.engine import resolve_overlaps, scan_text
from reviewer.core.pii.propagate import known_values
from reviewer.core.pii.proposals import proposals


@pytest.fixture
def run_reviewer(_isolated_home: Path):
    return lambda *args: run_cli(*args, home=_isolated_home)


class _Pattern:
    """A real detector of one regex (what a detector does, minus the validation)."""

    def __init__(self, name: str, pattern: str, label: str, score: float) -> None:
        self.name, self.pattern, self.label, self.score = name, re.compile(pattern), label, score

    def find(self, text: str) -> list[Suggestion]:
        return [
            suggestion(text, m.start(), m.end(), self.label, self.score, self.name, "pattern")
            for m in self.pattern.finditer(text)
        ]


class _Citations:
    name = "citations"

    def spans(self, text: str) -> list[Span]:
        return [Span(m.start(), m.end(), "citation") for m in re.finditer(r"\d+ U\.S\. \d+", text)]


def test_overlaps_keep_the_better_suggestion_and_suppressed_spans_drop_out() -> None:
    text = "Account 550 U.S. 544 and 12345678, call 555-0100"
    digits = _Pattern("digits", r"\d{3,}", "BANK_ACCOUNT", 0.6)
    phone = _Pattern("phone", r"\d{3}-\d{4}", "PHONE", 0.9)
    weak = _Pattern("weak", r"call", "OTHER", 0.2)
    found = scan_text(text, detectors=[digits, phone, weak], suppressors=[_Citations()])
    assert [(s.label, s.text) for s in found] == [
        ("BANK_ACCOUNT", "12345678"),
        ("PHONE", "555-0100"),
    ]
    lowered = scan_text(text, min_score=0.1, detectors=[weak], suppressors=[])
    assert [s.text for s in lowered] == ["call"]


def test_resolve_overlaps_prefers_score_then_length() -> None:
    t = "John Q. Doe"
    a = suggestion(t, 0, 11, "PERSON", 0.8, "x", "")
    b = suggestion(t, 8, 11, "PERSON", 0.8, "y", "")
    c = suggestion(t, 5, 7, "OTHER", 0.9, "z", "")
    assert resolve_overlaps([b, a]) == [a]
    assert set(resolve_overlaps([a, b, c])) == {c, b}  # c wins over a; b overlaps only a


def test_propagation_finds_variants_on_word_boundaries() -> None:
    text = (
        "John Q. Doe sued. Mr. Doe's claim; DOE testified; Doeskin boots; "
        "SSN 123 45 6789 and 123-45-6789 but not 1123-45-67890."
    )
    found = known_values(text, [("PERSON", "John  Q. Doe"), ("SSN", "123-45-6789")])
    texts = sorted((s.text, s.reason) for s in resolve_overlaps(found))
    assert ("John Q. Doe", "same as accepted 'John Q. Doe'") in texts
    assert [t for t, _ in texts].count("Doe") == 1
    assert ("DOE", "surname of accepted 'John Q. Doe'") in texts
    assert ("123 45 6789", "same number as accepted '123-45-6789'") in texts
    assert ("123-45-6789", "same number as accepted '123-45-6789'") in texts
    assert not any("Doeskin" in t or "1123" in t for t, _ in texts)


def _annotation(page: int, start: int, end: int, state: str) -> Annotation:
    seg = TextSegment(page, start, end, ())
    return Annotation("a" * 8, "d" * 64, "pii", "SSN", Selector("text", page, (seg,)), state=state)


def test_proposals_skip_what_the_document_already_answers(tmp_path: Path) -> None:
    from reviewer.core.pii.pages import PageSuggestion

    def found(page: int, start: int, end: int) -> PageSuggestion:
        s = Suggestion(start, end, "x" * (end - start), "SSN", 0.9, "ssn", "SSN format")
        return PageSuggestion(page, s, Selector("text", page, (TextSegment(page, start, end, ()),)))

    existing = [_annotation(0, 10, 21, "rejected"), _annotation(1, 0, 5, "accepted")]
    deleted = Annotation(
        "b" * 8,
        "d" * 64,
        "pii",
        "SSN",
        Selector("text", 2, (TextSegment(2, 0, 9, ()),)),
        deleted=True,
    )
    new = proposals(
        [found(0, 12, 20), found(1, 3, 9), found(2, 0, 9), found(2, 0, 9), found(0, 30, 41)],
        [*existing, deleted],
        document="d" * 64,
        author="me",
    )
    assert [(a.selector.page, a.selector.segments[0].start) for a in new] == [(2, 0), (0, 30)]
    assert all(a.state == "proposed" and a.origin == "suggested:ssn" for a in new)
    assert new[0].reason == "SSN format"
    assert new[0].score == 0.9


def test_reviewer_scan_prints_the_contract_fields(run_reviewer, make_pdf) -> None:
    pdf = make_pdf(
        "letter.pdf", ["Dear Sir,", "write to jane.roe@example.com"], ["SSN: 123-45-6789"]
    )
    result = run_reviewer("scan", pdf)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    by_label = {r["label"]: r for r in rows}
    email, ssn = by_label["EMAIL"], by_label["SSN"]
    assert set(email) == {
        "file",
        "page",
        "start",
        "end",
        "text",
        "label",
        "score",
        "detector",
        "reason",
        "quads",
    }
    assert (email["page"], email["text"], ssn["page"], ssn["text"]) == (
        1,
        "jane.roe@example.com",
        2,
        "123-45-6789",
    )
    page_text = pymupdf.open(pdf)[1].get_text()
    assert page_text[ssn["start"] : ssn["end"]] == "123-45-6789"
    x0, y0, *_rest = ssn["quads"][0]
    assert 60 < x0 < 200
    assert 80 < y0 < 110
    assert ssn["reason"]
    assert 0.5 <= ssn["score"] <= 1

    table = run_reviewer("scan", pdf, "--format", "table")
    assert table.returncode == 0
    assert table.stdout.splitlines()[0].split()[:3] == ["FILE", "PAGE", "START"]
    strict = run_reviewer("scan", pdf, "--min-score", "1.01")
    assert strict.returncode == 0
    assert strict.stdout == ""


def test_reviewer_scan_text_jsonl_reports_bad_lines_and_scans_the_rest(
    run_reviewer, tmp_path: Path
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"id": "a1", "text": "mail jane.roe@example.com now"}\n'
        "not json\n"
        '{"id": 7, "text": "nothing\u2028here"}\n'
        '{"id": "x", "body": "no text field"}\n',
        encoding="utf-8",
    )
    result = run_reviewer("scan", "--text-jsonl", source)
    assert result.returncode == 2
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows == [
        {
            "id": "a1",
            "start": 5,
            "end": 25,
            "text": "jane.roe@example.com",
            "label": "EMAIL",
            "score": rows[0]["score"],
            "detector": rows[0]["detector"],
            "reason": rows[0]["reason"],
        }
    ]
    # Exactly lines 2 and 4: the U+2028 inside line 3's text does not end that line.
    assert re.findall(r"in\.jsonl line (\d+)", result.stderr) == ["2", "4"]


def test_reviewer_scan_names_a_corrupt_file(run_reviewer, tmp_path: Path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n garbage")
    result = run_reviewer("scan", bad)
    assert result.returncode == 2
    assert "broken.pdf" in result.stderr
