"""Spans that look like PII but are public references: citations, dockets, CM/ECF headers.

A reporter citation's digits are not an account number, "Bell Atl. Corp. v.
Twombly" in a citation is public authority rather than a party to redact,
and the "Case 2:15-cv-05642 Document 465 Filed 05/01/17 Page 3 of 20" line
that CM/ECF stamps on every page is the same on every copy of the filing.
The engine drops any suggestion that overlaps one of these spans.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

from reviewer.core.pii.base import Span, Suppressor

_H = r"[^\S\n]"  # horizontal white space


def _squash(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------------------
# Legal citations, found by eyecite (imported on first use: it takes ~0.3 s)

_eyecite_lock = threading.Lock()
_get_citations: Callable[[str], list[Any]] | None = None

#: How far before a citation its case name may start ("Bell Atl. Corp. v. Twombly, ").
_MAX_CASE_NAME = 160


def _eyecite() -> Callable[[str], list[Any]]:
    """``eyecite.get_citations``, imported once, with its overlap warnings kept off stderr."""
    global _get_citations
    if _get_citations is None:
        with _eyecite_lock:
            if _get_citations is None:
                # eyecite logs a warning for citations it cannot order; with no handler
                # configured Python would print each one to stderr.
                logging.getLogger("eyecite").addHandler(logging.NullHandler())
                from eyecite import get_citations

                _get_citations = get_citations
    return _get_citations


#: One abbreviation of a reporter's name: "F.", "Supp.", "3d", "App'x", "U. S.".
_REPORTER_UNIT = r"(?:[A-Z][A-Za-z'’]*\.|\d(?:d|st|nd|rd|th)\b|[A-Z][A-Za-z'’]+(?=\s))"
#: Where a citation may be: volume-reporter-page with a dotted abbreviation, a section
#: sign, "Id.", "supra", a Westlaw or Lexis number. eyecite reads only around these.
_CITATION_HINT_RE = re.compile(
    rf"(?P<volume>(?<![\w.])\d{{1,4}}\s(?:{_REPORTER_UNIT}\s{{0,3}}){{1,6}}(?:,?\s?at\s)?"
    rf"(?:\d{{1,5}}(?!\d)|_+))"
    r"|§|\b[Ii]d\.|\bsupra\b|\b\d{4}\s+(?:WL|U\.S\.\s+Dist\.\s+LEXIS|LEXIS)\s+\d+"
)
#: How much text around a hint eyecite reads: the case name before, the court and year after.
_BEFORE, _AFTER = 400, 250


def _citation_windows(text: str) -> list[tuple[int, int]]:
    """Stretches of ``text`` that may hold citations, merged where they overlap."""
    windows: list[list[int]] = []
    for m in _CITATION_HINT_RE.finditer(text):
        if m.group("volume") and "." not in m.group("volume"):
            continue  # "220 Filed 01": no reporter abbreviation
        start, end = max(0, m.start() - _BEFORE), min(len(text), m.end() + _AFTER)
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        else:
            windows.append([start, end])
    return [(a, b) for a, b in windows]


class CitationSuppressor:
    """Case and statute citations found by eyecite, with the case name when eyecite sees it.

    eyecite reads only the stretches around something citation-shaped: on a whole page it
    costs about 5 ms, on those stretches about 1.5 ms, and it finds the same citations.
    """

    name = "legal_citation"

    def spans(self, text: str) -> list[Span]:
        out: list[Span] = []
        for start, end in _citation_windows(text):
            if text[start:end].strip():  # eyecite refuses an empty text
                out.extend(_citation_spans(text, start, end))
        return out


def _citation_spans(text: str, offset: int, stop: int) -> Iterator[Span]:
    window = text[offset:stop]
    previous_end = 0
    for cite in _eyecite()(window):
        start, end = cite.span()
        if end <= start:
            continue
        kind = type(cite).__name__
        quoted = _squash(window[start:end])
        yield Span(offset + start, offset + end, f"legal citation ({kind}): {quoted}")
        full_start, full_end = _full_span(cite, start, end)
        name_start = max(full_start, previous_end, start - _MAX_CASE_NAME)
        if name_start < start:
            name = _squash(window[name_start:start]).rstrip(", ")
            yield Span(
                offset + name_start, offset + start, f"case name of a cited authority: {name}"
            )
        if end < full_end <= end + 80:  # pin cite, court and year: "(9th Cir. 2019)"
            yield Span(offset + end, offset + full_end, f"pin cite and court of {quoted}")
            end = full_end
        previous_end = end


def _full_span(cite: Any, start: int, end: int) -> tuple[int, int]:
    try:
        full_start, full_end = cite.full_span()
    except (AttributeError, TypeError, ValueError):
        return start, end
    if full_start is None or full_end is None:
        return start, end
    return int(full_start), int(full_end)


# ---------------------------------------------------------------------------
# Case names in running text: "Gabriel Techs. Corp. v. Qualcomm Inc." where eyecite
# cannot reach the reporter (pleading-paper line numbers, a citation on the next page).

_CASE_WORD = r"(?:[A-Z][\w'’&.\-]*|of|the|and|for|de|ex\s+rel\.|&)"
_CASE_SUFFIX = r",\s+(?:Inc|LLC|L\.L\.C|Corp|Co|Ltd|L\.P|LLP|N\.A|P\.C|PLC)\.?"
_CASE_SIDE = rf"[A-Z][\w'’&.\-]*(?:{_H}+{_CASE_WORD}|{_CASE_SUFFIX}){{0,8}}(?:,?{_H}+et{_H}+al\.?)?"
_CASE_NAME_RE = re.compile(
    rf"(?<![\w])(?P<left>{_CASE_SIDE}),?\s+v\.\s+(?P<right>{_CASE_SIDE})"
    rf"|(?<![\w])In{_H}+re{_H}+[A-Z][\w'’&.\-]*(?:{_H}+{_CASE_WORD}|{_CASE_SUFFIX}){{0,6}}"
)
#: A caption's role word before "v." makes the line a caption, whose parties are not cited.
_CAPTION_ROLE_RE = re.compile(
    r"\b(?:Plaintiffs?|Defendants?|Petitioners?|Respondents?|Appellants?|Appellees?|"
    r"Claimants?|Debtors?|Intervenors?|Movants?)\b",
    re.IGNORECASE,
)


class CaseNameSuppressor:
    """'Party v. Party' and 'In re X' in running text: the name of a cited case."""

    name = "case_name"

    def spans(self, text: str) -> list[Span]:
        out = []
        for m in _CASE_NAME_RE.finditer(text):
            if m.group("left") and _CAPTION_ROLE_RE.search(m.group()):
                continue  # "JOHN DOE, Plaintiff, v. ACME": a caption, not a citation
            out.append(Span(m.start(), m.end(), f"case name: {' '.join(m.group().split())}"))
        return out


# ---------------------------------------------------------------------------
# CM/ECF page headers, district and appellate

_CMECF_RE = re.compile(
    r"^[^\S\n]*(?:Case|CASE):?[^\S\n]+\d[\w:.\-]*[^\n]{0,80}?\b(?:Document|DktEntry|Doc\.?|ECF)"
    r"\b:?[^\n]{0,160}?\bPage(?:\s*ID)?\b[^\n]*$",
    re.MULTILINE,
)


class CmEcfHeaderSuppressor:
    """The header line CM/ECF stamps on each page of a filed document."""

    name = "cmecf_header"

    def spans(self, text: str) -> list[Span]:
        return [Span(m.start(), m.end(), "CM/ECF page header") for m in _CMECF_RE.finditer(text)]


# ---------------------------------------------------------------------------
# Docket and case numbers, ECF entries, statutes and rules

_DISTRICT_NO = (
    r"\d{1,2}:\d{2}-?(?:cv|cr|mc|md|bk|ap|mj|po|sw|ml|gj|CV|CR|MC|MD|BK|AP|MJ|PO|SW|ML|GJ)"
    r"-\d{2,6}(?:-[A-Za-z]{1,5})*(?:-\d{1,3})?"
)
#: "19-1234", never the start of a longer number ("415-555-1234" is a phone number).
_SHORT_NO = r"\d{2,4}-\d{1,7}(?!-?\d)(?:-[A-Za-z]{1,5})?(?:\s?\([A-Z]{2,5}\))?"
_NO_WORD = r"(?:Nos?|NOS?|Numbers?|NUMBERS?)\.?|#"
_DOCKET_RE = re.compile(
    rf"(?<![\w-])(?:(?:Case|CASE|Civil Action|CIVIL ACTION|Civ\.?\s?A\.?|Criminal|CRIMINAL|"
    rf"Docket|DOCKET|Appeal|APPEAL|Adv\.?\s?Pro\.?|Adversary Proceeding|Bankr\.?|Index)"
    rf"{_H}*(?:{_NO_WORD})?{_H}*:?{_H}*|(?:Nos?|NOS?)\.{_H}*)"
    rf"(?:{_DISTRICT_NO}|{_SHORT_NO})"
    rf"(?:{_H}*(?:,|&|and){_H}*(?:(?:Case{_H}+)?(?:{_NO_WORD}){_H}*)?(?:{_DISTRICT_NO}|{_SHORT_NO}))*"
    rf"|(?<![\w/-]){_DISTRICT_NO}(?![\w])"
)
_ECF_RE = re.compile(
    rf"(?<![\w])(?:ECF|Dkt|DKT|Doc|D\.{_H}?E|Docket{_H}+Entry|DktEntry|Entry{_H}+ID)"
    rf"\.?(?:{_H}*(?:Nos?|Numbers?)\.?)?{_H}*[:#]?{_H}*\d+(?:-\d+)?"
    rf"(?:{_H}*(?:,|&|and|at|-){_H}*\d+(?:-\d+)?)*"
)
#: "1983", "78j(b), 78t(a)", "101 et seq.": section numbers after "§" or a code's name.
_SECTION_NUMBERS = (
    rf"\d[\w.\-–()]*(?:{_H}*(?:,|-|–|to|and){_H}*(?:§§?{_H}*)?\d[\w.\-()]*|{_H}*et{_H}+seq\.?)*"
)
_STATUTE_RE = re.compile(
    rf"§§?{_H}*{_SECTION_NUMBERS}"
    rf"|(?<![\w])(?:Sections?|SECTIONS?|Secs?\.|Articles?|ARTICLES?|Rules?|RULES?|"
    rf"Regulations?|Reg\.|Clauses?|Paragraphs?|Para\.|Schedules?|Exhibits?)"
    rf"{_H}+\d+[A-Za-z]?(?:{_H}?[.\-]{_H}?\d+[A-Za-z]?)*(?:\([A-Za-z0-9]{{1,4}}\))*"
    rf"(?:{_H}*(?:,|and|or|through|to|-){_H}*\d+[A-Za-z]?(?:[.\-]\d+)*(?:\([A-Za-z0-9]{{1,4}}\))*)*"
    rf"|(?<![\w])\d+{_H}+(?:U\.{_H}?S\.{_H}?C\.|C\.{_H}?F\.{_H}?R\.|Stat\.|U\.{_H}?S\.{_H}?C\.{_H}?A\.)"
    rf"{_H}*(?:§§?{_H}*)?{_SECTION_NUMBERS}"
    rf"|(?<![\w])Fed\.{_H}?R\.{_H}?(?:Civ|Crim|App|Evid|Bankr)\.{_H}?(?:P\.{_H}?)?"
    rf"\d+(?:\([A-Za-z0-9]{{1,4}}\))*"
    rf"|(?<![\w])Pub\.{_H}?L\.{_H}?(?:No\.{_H}?)?\d+-\d+"
    rf"|(?<![\w])Rule{_H}+\d+[a-z]-\d+(?:\([a-z0-9]\))*"
)


def _regex_spans(pattern: re.Pattern[str], text: str, reason: str) -> Iterator[Span]:
    for m in pattern.finditer(text):
        if m.end() > m.start():
            yield Span(m.start(), m.end(), f"{reason}: {_squash(m.group())}")


#: A bare "No." after these words numbers an account or a document, not a case.
_NOT_A_CASE_RE = re.compile(
    r"\b(?:account|acct|loan|policy|card|routing|licen[cs]e|passport|phone|tel|fax|serial|"
    r"invoice|member|customer|social\s+security|tax|id|identification|reference|ref|"
    r"certificate|check|cheque|order|contract|claim)\.?\s*$",
    re.IGNORECASE,
)


class DocketSuppressor:
    """Case and docket numbers ("Case No. 5:17-cv-04992-BLF", "No. 19-1234") and ECF entries."""

    name = "docket_number"

    def spans(self, text: str) -> list[Span]:
        out = []
        pos = 0
        while m := _DOCKET_RE.search(text, pos):
            bare = m.group()[0] in "N#n"  # "No. 19-1234" with no "Case" before it
            if bare and _NOT_A_CASE_RE.search(text, max(0, m.start() - 30), m.start()):
                pos = m.start() + 3  # "Account No. 1234-5678" is PII, not a docket number
                continue
            out.append(Span(m.start(), m.end(), f"docket or case number: {_squash(m.group())}"))
            pos = m.end()
        out.extend(_regex_spans(_ECF_RE, text, "docket entry reference"))
        return out


class StatuteSuppressor:
    """Statute, section and rule references ("§ 1983", "Section 10(b)", "Rule 10b-5")."""

    name = "statute_reference"

    def spans(self, text: str) -> list[Span]:
        return list(_regex_spans(_STATUTE_RE, text, "statute or section reference"))


SUPPRESSORS: list[Suppressor] = [
    CitationSuppressor(),
    CaseNameSuppressor(),
    CmEcfHeaderSuppressor(),
    DocketSuppressor(),
    StatuteSuppressor(),
]
