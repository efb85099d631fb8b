"""Public references that must never be suggested as PII: citations, dockets, CM/ECF headers.

The citation suppressor runs the real eyecite; the others are checked on the
headers and references of real filings. Each kind has its near miss: an
account number written like a docket number, a phone number after "No.", a
name after a statute, a caption whose "v." is not a citation.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from reviewer.core.pii.base import Span
from reviewer.core.pii.engine import scan_text
from reviewer.core.pii.legal_prose import DETECTORS
from reviewer.core.pii.suppress import (
    SUPPRESSORS,
    CaseNameSuppressor,
    CitationSuppressor,
    CmEcfHeaderSuppressor,
    DocketSuppressor,
    StatuteSuppressor,
)


def covered(spans: list[Span], text: str) -> list[str]:
    return [text[s.start : s.end] for s in sorted(spans, key=lambda s: (s.start, s.end))]


def is_suppressed(text: str, part: str) -> bool:
    """Whether every character of ``part`` (first occurrence) lies in a suppressed span."""
    start = text.index(part)
    spans = [s for sup in SUPPRESSORS for s in sup.spans(text)]
    return all(any(s.start <= i < s.end for s in spans) for i in range(start, start + len(part)))


def test_suppressors_have_distinct_names_and_give_reasons() -> None:
    names = [s.name for s in SUPPRESSORS]
    assert len(names) == len(set(names))
    text = "See 42 U.S.C. § 1983; Case No. 5:17-cv-04992-BLF, ECF No. 12."
    spans = [s for sup in SUPPRESSORS for s in sup.spans(text)]
    assert spans
    assert all(s.reason and 0 <= s.start < s.end <= len(text) for s in spans)


# ---------------------------------------------------------------------------
# Citations (eyecite)


def test_a_case_citation_covers_reporter_case_name_and_pin_cite() -> None:
    text = "As held in Bell Atl. Corp. v. Twombly, 550 U.S. 544, 570 (2007), a claim must"
    spans = CitationSuppressor().spans(text)
    assert "550 U.S. 544" in covered(spans, text)
    assert is_suppressed(text, "Bell Atl. Corp. v. Twombly, 550 U.S. 544, 570 (2007)")
    assert not is_suppressed(text, "a claim must")
    reasons = {s.reason for s in spans}
    assert "legal citation (FullCaseCitation): 550 U.S. 544" in reasons


def test_statutes_short_forms_and_westlaw_numbers_are_citations() -> None:
    text = (
        "under 42 U.S.C. § 1983. Twombly, 550 U.S. at 556. Id. at 5. See Zepeda Rivas v. "
        "Jennings, No. 20-cv-02731-VC, 2020 WL 2059848, at *3 (N.D. Cal. Apr. 29, 2020)."
    )
    for part in ("42 U.S.C. § 1983", "550 U.S. at 556", "2020 WL 2059848", "Zepeda Rivas"):
        assert is_suppressed(text, part), part


def test_a_citation_broken_across_lines_is_still_found() -> None:
    text = "See, e.g., Calvary Chapel, 459 F. \nSupp. 3d at 277 (describing the orders)."
    assert is_suppressed(text, "459 F. \nSupp. 3d at 277")


def test_text_without_a_citation_is_not_given_to_eyecite() -> None:
    header = "Case 5:17-cv-04992-BLF   Document 220   Filed 01/16/19   Page 1 of 87"
    assert CitationSuppressor().spans("Jane Roe lives at 12 Main Street.") == []
    assert CitationSuppressor().spans(header) == []
    assert CitationSuppressor().spans("") == []


def test_case_names_in_citations_are_public_authority_not_suggestions() -> None:
    text = (
        "Plaintiff relies on Janet T. Mills v. Acme Holdings, Inc., 459 F. Supp. 3d 273, "
        "283 (D. Me. 2020), and on Gabriel Techs. Corp. v. Qualcomm Inc.,\n12\n"
    )
    assert scan_text(text, detectors=DETECTORS) == []
    # the same names outside a citation are suggested
    names = scan_text("Janet T. Mills signed for Acme Holdings, Inc.", detectors=DETECTORS)
    assert [s.text for s in names] == ["Janet T. Mills", "Acme Holdings, Inc."]


def test_eyecite_is_imported_only_when_a_citation_is_looked_for() -> None:
    code = (
        "import sys\n"
        "from reviewer.core.pii import suppress\n"
        "assert 'eyecite' not in sys.modules\n"
        "suppress.CitationSuppressor().spans('no citation here')\n"
        "assert 'eyecite' not in sys.modules\n"
        "suppress.CitationSuppressor().spans('See 550 U.S. 544 (2007).')\n"
        "assert 'eyecite' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# ---------------------------------------------------------------------------
# Case names outside eyecite's reach, and captions that are not citations


def test_case_names_in_running_text() -> None:
    text = "pending decision in Hernandez Roman, et al. v. Wolf, et al., Case No. 20-55436"
    spans = CaseNameSuppressor().spans(text)
    assert covered(spans, text) == ["Hernandez Roman, et al. v. Wolf, et al."]
    text = "as in In re Apple Inc. Sec. Litig., the court held"
    assert covered(CaseNameSuppressor().spans(text), text) == ["In re Apple Inc. Sec. Litig."]


def test_a_caption_is_not_a_case_name() -> None:
    caption = "JOHN DOE, Plaintiff, v. ACME HOLDINGS, INC., Defendant."
    assert CaseNameSuppressor().spans(caption) == []
    assert [s.text for s in scan_text(caption, detectors=DETECTORS)] == [
        "JOHN DOE",
        "ACME HOLDINGS, INC.",
    ]


# ---------------------------------------------------------------------------
# CM/ECF headers


@pytest.mark.parametrize(
    "header",
    [
        "Case 2:15-cv-05642-CAS-JC Document 465 Filed 05/01/17 Page 3 of 20 Page ID #:1234",
        "Case 5:17-cv-04992-BLF   Document 220   Filed 01/16/19   Page 1 of 87",
        "Case: 20-16276, 08/05/2020, ID: 11778722, DktEntry: 19, Page 1 of 15",
        "Case: 20-1507     Document: 00117684624     Page: 1      Date Filed: 12/22/2020      "
        "Entry ID: 6390389",
    ],
)
def test_the_whole_cm_ecf_header_line_is_suppressed(header: str) -> None:
    text = f"the last line of the page.\n{header}\nNext page"
    assert covered(CmEcfHeaderSuppressor().spans(text), text) == [header]


def test_a_sentence_about_a_case_is_not_a_header() -> None:
    text = "Case law on this point is thin; the document at page 4 says otherwise."
    assert CmEcfHeaderSuppressor().spans(text) == []


# ---------------------------------------------------------------------------
# Docket and ECF numbers


@pytest.mark.parametrize(
    "reference",
    [
        "No. 19-1234",
        "No. 20-16276",
        "Case No. 5:17-cv-04992-BLF",
        "CASE NO. 5:17-cv-04992",
        "1:21-cr-00123",
        "Case Nos. 20-55436, 20-55662",
        "Civil Action No. 3:19-cv-00227-HRH",
    ],
)
def test_docket_numbers(reference: str) -> None:
    text = f"See {reference} (filed last year)."
    assert covered(DocketSuppressor().spans(text), text) == [reference]


@pytest.mark.parametrize(
    "reference", ["ECF No. 12", "Dkt. 45", "ECF 405-23", "Docket Entry No. 20"]
)
def test_docket_entry_references(reference: str) -> None:
    text = f"as shown at {reference}, the court"
    assert covered(DocketSuppressor().spans(text), text) == [reference]


def test_account_and_phone_numbers_are_not_docket_numbers() -> None:
    text = "Account No. 1234-5678, Policy No. 99-123456, and No. 415-555-1234 or #555-1234"
    assert DocketSuppressor().spans(text) == []


# ---------------------------------------------------------------------------
# Statutes, sections and rules


@pytest.mark.parametrize(
    "reference",
    [
        "§ 1983",
        "15 U.S.C. §§ 78j(b), 78t(a)",
        "17 U.S.C. § 101 et seq.",
        "Section 10(b)",
        "Rule 10b-5",
        "Fed. R. Civ. P. 12(b)(6)",
        "Section 2 . 1 . 1",
        "Pub. L. No. 111-203",
    ],
)
def test_statute_and_section_references(reference: str) -> None:
    text = f"pursuant to {reference} of the law"
    assert covered(StatuteSuppressor().spans(text), text) == [reference]


def test_a_name_after_a_statute_is_not_swallowed() -> None:
    text = "under § 1983 and Jane Roe's claim under Section 5 of the Act"
    assert covered(StatuteSuppressor().spans(text), text) == ["§ 1983", "Section 5"]
