"""The citation check on AI-written legal text: real eyecite, reporters-db and courts-db.

Each issue has a citation that must be flagged and a correct one that must not
be: a lawyer stops trusting a checker that cries wolf. The fabricated examples
are the kind AI drafts produce, starting with Mata v. Avianca's "Varghese v.
China Southern Airlines Co., 925 F.3d 1339 (11th Cir. 2019)", a well-formed
citation to a case that does not exist.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer.core.citations import (
    ISSUES,
    Finding,
    KnownCitations,
    check_pages,
    check_text,
    citation_proposals,
    load_known,
    parse_known,
    same_case_name,
)
from reviewer.core.errors import ReviewerError
from reviewer.core.model import Annotation, Selector, TextSegment
from reviewer.core.worker import DocumentWorker

TWOMBLY = "Bell Atlantic Corp. v. Twombly, 550 U.S. 544, 570 (2007)"
IQBAL = "Ashcroft v. Iqbal, 556 U.S. 662, 678 (2009)"
VARGHESE = "Varghese v. China Southern Airlines Co., 925 F.3d 1339 (11th Cir. 2019)"

KNOWN_CSV = (
    "citation,case_name\n"
    "550 U.S. 544,Bell Atlantic Corp. v. Twombly\n"
    '556 U.S. 662,"Ashcroft v. Iqbal"\n'
    "925 F. 3d 1339,Varghese v. China Southern Airlines Co.\n"
)


def flagged(findings: list[Finding], issue: str) -> list[str]:
    """The texts flagged with ``issue``, each with its white space squashed."""
    return [" ".join(f.text.split()) for f in findings if f.issue == issue]


def reasons(findings: list[Finding], issue: str) -> list[str]:
    return [f.reason for f in findings if f.issue == issue]


def found(findings: list[Finding]) -> list[str]:
    return [" ".join(f.text.split()) for f in findings if f.issue is None]


# ---------------------------------------------------------------------------
# Extraction and the output contract


def test_full_short_id_and_supra_citations_are_found_with_what_they_refer_to() -> None:
    text = (
        f"A claim must be plausible. {TWOMBLY}. The court need not accept legal "
        f"conclusions. {IQBAL}. Id. at 679. See Twombly, 550 U.S. at 556; Iqbal, supra, "
        "at 680. Under 42 U.S.C. § 1983, nothing more is needed."
    )
    findings = check_text(text)
    assert [f for f in findings if f.issue] == []
    assert found(findings) == [
        TWOMBLY,
        IQBAL,
        "Id. at 679",
        "Twombly, 550 U.S. at 556",
        "Iqbal, supra, at 680",
        "42 U.S.C. § 1983",
    ]
    by_text = {f.text: f.reason for f in findings}
    assert "550 U.S. 544" in by_text[TWOMBLY]
    assert "Bell Atlantic Corp. v. Twombly" in by_text[TWOMBLY]
    assert by_text["Id. at 679"] == "“Id.” referring to 556 U.S. 662"
    assert by_text["Twombly, 550 U.S. at 556"] == "short form of 550 U.S. 544"
    assert by_text["Iqbal, supra, at 680"] == "“supra” referring to 556 U.S. 662"
    for f in findings:
        assert text[f.start : f.end] == f.text


def test_parallel_citations_share_the_case_name_and_the_parenthetical() -> None:
    text = (
        "Bell Atl. Corp. v. Twombly, 550 U.S. 544, 127 S. Ct. 1955, 167 L. Ed. 2d 929 "
        "(2007); see id. at 570."
    )
    findings = check_text(text)
    assert [f.issue for f in findings] == [None, None, None, None]
    whole = text[: text.index(" (2007)") + len(" (2007)")]
    assert found(findings) == [whole, whole, whole, "id. at 570"]


def test_finding_json_is_the_documented_contract() -> None:
    finding = check_text(f"Id. at 5. {TWOMBLY}.")[0]
    assert finding.as_json() == {
        "page": 1,
        "start": 0,
        "end": 8,
        "text": "Id. at 5",
        "issue": None,
        "reason": "“Id.”",
    }
    assert list(finding.as_json()) == ["page", "start", "end", "text", "issue", "reason"]


def test_issue_ids_have_human_names() -> None:
    assert set(ISSUES) == {
        "unknown_reporter",
        "impossible_volume_page",
        "reporter_year",
        "court_mismatch",
        "no_antecedent",
        "conflicting_names",
        "not_in_known_list",
        "known_name_mismatch",
    }
    assert all(name and name[0].isupper() for name in ISSUES.values())


def test_text_without_citations_finds_nothing() -> None:
    assert check_text("") == []
    assert check_text("Jane Roe paid 12 dollars on 12 Jan. 2020 at 5 Main St. 10") == []
    assert check_pages([]) == []


# ---------------------------------------------------------------------------
# unknown_reporter


def test_a_reporter_nobody_publishes_is_flagged() -> None:
    findings = check_text("See Doe v. Roe, 12 Xyz. Rptr. 45, 47 (1999) (en banc).")
    assert flagged(findings, "unknown_reporter") == ["Doe v. Roe, 12 Xyz. Rptr. 45, 47 (1999)"]
    assert "“Xyz. Rptr.”" in reasons(findings, "unknown_reporter")[0]


def test_known_reporters_codes_and_prose_are_not_unknown_reporters() -> None:
    text = (
        "Smith v. Jones, 925 F. 3d 1339 (11th Cir. 2019); 85 Fed. Reg. 12345 (Mar. 3, "
        "2020); In re Rules Implementing the TCPA, 30 FCC Rcd. 7961, 8015 (2015); 100 Harv. "
        "L. Rev. 123 (1987). Under the 1999 Agreement. 11 The KPMG Report. 2015 was paid "
        "on 12 Jan. 2020; see 2 Tr. 45 and Dkt. 12 at 5."
    )
    findings = check_text(text)
    assert flagged(findings, "unknown_reporter") == []
    assert "Smith v. Jones, 925 F. 3d 1339 (11th Cir. 2019)" in found(findings)


# ---------------------------------------------------------------------------
# impossible_volume_page


@pytest.mark.parametrize(
    ("citation", "why"),
    [
        ("Foo v. Bar, 999 U.S. 1 (2020)", "U.S. has no volume 999"),
        ("Smith v. Jones, 0 F.3d 12 (2d Cir. 2001)", "volume 0 does not exist"),
        ("Smith v. Jones, 12 F.3d 0 (2d Cir. 1994)", "page 0 does not exist"),
        ("Doe v. Poe, 12 F.3d 7000 (2d Cir. 1994)", "page 7000 is beyond any bound volume"),
        ("Zed v. Ace, 1200 F. Supp. 5 (D. Mass. 1990)", "F. Supp. has no volume 1200"),
        ("Roe v. Wade, 410 U.S. 113, 100 (1973)", "the pin cite 100 comes before"),
    ],
)
def test_impossible_volumes_and_pages_are_flagged(citation: str, why: str) -> None:
    findings = check_text(f"See {citation}.")
    assert flagged(findings, "impossible_volume_page") == [citation]
    assert why in reasons(findings, "impossible_volume_page")[0]


def test_a_short_form_pin_cite_before_the_first_page_is_flagged() -> None:
    findings = check_text(f"{TWOMBLY}. Later: Twombly, 550 U.S. at 540; Twombly, 550 U.S. at 556.")
    assert flagged(findings, "impossible_volume_page") == ["Twombly, 550 U.S. at 540"]


def test_real_volumes_pages_and_document_numbers_are_possible() -> None:
    text = (
        f"{TWOMBLY}; {IQBAL}; Roe v. Wade, 410 U.S. 113, 153 (1973); Zepeda Rivas v. "
        "Jennings, No. 20-cv-02731-VC, 2020 WL 2059848, at *3 (N.D. Cal. Apr. 29, 2020); "
        "Tanner v. Ace, 2020 U.S. Dist. LEXIS 123456 (S.D.N.Y. 2020); Lee v. Kim, 602 U.S. "
        "1 (2024)."
    )
    findings = check_text(text)
    assert flagged(findings, "impossible_volume_page") == []
    assert len(found(findings)) == 6


# ---------------------------------------------------------------------------
# reporter_year


def test_a_year_outside_the_reporters_years_is_flagged() -> None:
    text = (
        "Baz v. Qux, 100 F.3d 200 (1975). Ung v. Universal Acceptance Corp., 249 F. Supp. 2d "
        "985 (D. Minn. 2017). Doe v. Future, 12 F.4th 34 (9th Cir. 2999)."
    )
    findings = check_text(text)
    assert flagged(findings, "reporter_year") == [
        "Baz v. Qux, 100 F.3d 200 (1975)",
        "Ung v. Universal Acceptance Corp., 249 F. Supp. 2d 985 (D. Minn. 2017)",
        "Doe v. Future, 12 F.4th 34 (9th Cir. 2999)",
    ]
    first = reasons(findings, "reporter_year")[0]
    assert first == "100 F.3d 200 (1975): F.3d (Federal Reporter) covers 1993–2021, not 1975"


def test_years_the_reporter_covers_are_not_flagged() -> None:
    # reporters-db ends the first F. Supp. in 1988; it ran to 1998, and a case decided in
    # December 1992 can be printed in the first volume of F.3d (1993).
    text = (
        f"{VARGHESE}. First Pac. Networks, Inc. v. Atl. Mut. Ins. Co., 891 F. Supp. 510, "
        "513-14 (N.D. Cal. 1995). Early v. Bird, 1 F.3d 1 (1st Cir. 1992)."
    )
    assert flagged(check_text(text), "reporter_year") == []


# ---------------------------------------------------------------------------
# court_mismatch


@pytest.mark.parametrize(
    ("citation", "why"),
    [
        ("Smith v. Jones, 123 F. Supp. 2d 456 (2d Cir. 2001)", "reports federal district"),
        ("Zed v. Y, 100 F.3d 200, 210 (S.D.N.Y. 1999)", "reports federal courts of appeals"),
        ("Foo v. Bar, 500 U.S. 1 (9th Cir. 1991)", "reports only Supreme Court"),
        ("Jones v. State, 100 A.2d 200 (2d Cir. 1953)", "A.2d is a state reporter"),
        ("Doe v. Corp., 100 F.3d 200 (Cal. 1996)", "Cal. is a state court"),
        ("People v. Smith, 100 Cal. App. 4th 200 (Tex. App. 2002)", "reports Cal. courts only"),
    ],
)
def test_a_court_the_reporter_does_not_print_is_flagged(citation: str, why: str) -> None:
    findings = check_text(f"See {citation}.")
    assert flagged(findings, "court_mismatch") == [citation]
    assert why in reasons(findings, "court_mismatch")[0]


def test_courts_the_reporter_prints_are_not_flagged() -> None:
    text = (
        f"{VARGHESE}; {TWOMBLY}; Petersen v. Iran Air, 905 F. Supp. 2d 121 (D.D.C. 2012); "
        "Wilson Area Sch. Dist. v. Skepton, 895 A.2d 1250, 1254 (Pa. 2006); In re Ace, 500 "
        "B.R. 100 (Bankr. S.D.N.Y. 2013); Amgen v. Sandoz, 923 F.3d 1023 (Fed. Cir. 2019); "
        "People v. Smith, 100 Cal. App. 4th 200 (Cal. Ct. App. 2002); Kim v. Lee, 150 "
        "F. Supp. 3d 1 (D.C. Cir. 2015) (appeal pending)."
    )
    findings = check_text(text)
    # The last one is the single mismatch: F. Supp. 3d does not print the D.C. Circuit.
    assert flagged(findings, "court_mismatch") == ["Kim v. Lee, 150 F. Supp. 3d 1 (D.C. Cir. 2015)"]


# ---------------------------------------------------------------------------
# no_antecedent


def test_id_short_forms_and_supra_with_nothing_before_them_are_flagged() -> None:
    text = (
        "Id. at 5. The standard is plausibility. Twombly, 550 U.S. at 570. "
        f"{IQBAL}. Smith, supra, at 12."
    )
    findings = check_text(text)
    assert flagged(findings, "no_antecedent") == [
        "Id. at 5",
        "Twombly, 550 U.S. at 570",
        "Smith, supra, at 12",
    ]
    assert "no full citation to volume 550 of U.S." in reasons(findings, "no_antecedent")[1]


def test_id_short_forms_and_supra_after_their_citation_are_not_flagged() -> None:
    text = (
        f"{IQBAL} (quoting Twombly, 550 U.S. at 570). {TWOMBLY}. Id. at 556. Twombly, 550 "
        "U.S. at 557. Iqbal, supra, at 679. The order was stayed. Hernandez Roman, Case No. "
        "20-55662, Docket Entry No. 5. Id. Docket Entry No. 9."
    )
    findings = check_text(text)
    assert flagged(findings, "no_antecedent") == []
    assert "“Id.” referring to the record (Docket Entry)" in [f.reason for f in findings]


# ---------------------------------------------------------------------------
# conflicting_names


def test_one_citation_under_two_case_names_is_flagged_at_both() -> None:
    text = f"{VARGHESE}. Later the brief cites Vargas v. Delta Air Lines, Inc., 925 F.3d 1339."
    findings = check_text(text)
    assert flagged(findings, "conflicting_names") == [
        VARGHESE,
        "Vargas v. Delta Air Lines, Inc., 925 F.3d 1339",
    ]
    assert (
        "“Vargas v. Delta Air Lines, Inc.” on page 1" in reasons(findings, "conflicting_names")[0]
    )


def test_one_citation_under_one_name_written_two_ways_is_not_flagged() -> None:
    text = (
        f"{TWOMBLY}. Bell Atl. Corp. v. Twombly, 550 U.S. 544, 556 (2007). Bell Atlantic "
        "Corporation vs. Twombly et al., 550 U.S. 544."
    )
    assert flagged(check_text(text), "conflicting_names") == []


# ---------------------------------------------------------------------------
# The known-citations list


def test_a_citation_missing_from_the_known_list_is_flagged() -> None:
    known = parse_known(KNOWN_CSV, "known.csv")
    text = f"{TWOMBLY}. {IQBAL}. Mata v. Avianca, Inc., 678 F. Supp. 3d 443 (S.D.N.Y. 2023)."
    findings = check_text(text, known)
    assert flagged(findings, "not_in_known_list") == [
        "Mata v. Avianca, Inc., 678 F. Supp. 3d 443 (S.D.N.Y. 2023)"
    ]
    assert reasons(findings, "not_in_known_list") == [
        "678 F. Supp. 3d 443 is not in the known citations (known.csv)"
    ]


def test_a_real_reporter_page_under_a_made_up_name_is_flagged() -> None:
    known = parse_known(KNOWN_CSV, "known.csv")
    text = (
        "Bell Atlantic Corp. v. Smithfield, 550 U.S. 544, 570 (2007). Bell Atl. Corp. v. "
        "Twombly, 550 U.S. 544 (2007). Varghese v. China S. Airlines Co., Ltd., 925 F.3d "
        "1339 (11th Cir. 2019)."
    )
    findings = check_text(text, known)
    assert flagged(findings, "known_name_mismatch") == [
        "Bell Atlantic Corp. v. Smithfield, 550 U.S. 544, 570 (2007)"
    ]
    assert reasons(findings, "known_name_mismatch") == [
        "550 U.S. 544 is “Bell Atlantic Corp. v. Smithfield” here, but “Bell Atlantic Corp. v. "
        "Twombly” in known.csv"
    ]
    assert flagged(findings, "not_in_known_list") == []


def test_without_a_known_list_nothing_is_reported_missing() -> None:
    findings = check_text(f"{VARGHESE}.")
    assert flagged(findings, "not_in_known_list") == []
    assert flagged(findings, "known_name_mismatch") == []


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Bell Atl. Corp. v. Twombly", "Bell Atlantic Corp. v. Twombly", True),
        ("Bell Atlantic Corp. vs. Twombly et al.", "BELL ATLANTIC CORPORATION v. TWOMBLY", True),
        (
            "Varghese v. China S. Airlines Co.",
            "Varghese v. China Southern Airlines Co., Ltd.",
            True,
        ),
        (
            "Int'l Bhd. of Teamsters v. U.S.",
            "International Brotherhood of Teamsters v. United States",
            True,
        ),
        ("Johnson & Johnson v. Doe", "Johnson and Johnson, Inc. v. Doe", True),
        ("Bell Atlantic Corp. v. Smithfield", "Bell Atlantic Corp. v. Twombly", False),
        ("Smith v. Jones", "Smithfield v. Jones", False),
        ("Ashcroft v. Iqbal", "Iqbal v. Ashcroft", False),
    ],
)
def test_case_names_are_compared_leniently_but_not_loosely(a: str, b: str, same: bool) -> None:
    assert same_case_name(a, b) is same
    assert same_case_name(b, a) is same


def test_the_known_list_needs_its_header() -> None:
    with pytest.raises(ReviewerError, match=r"^list\.csv: line 1: expected the header"):
        parse_known("cite,name\n550 U.S. 544,Twombly\n", "list.csv")
    with pytest.raises(ReviewerError, match=r"^list\.csv: line 1: expected the header"):
        parse_known("\n\n", "list.csv")


def test_an_empty_or_unreadable_citation_names_its_line() -> None:
    with pytest.raises(ReviewerError, match=r"^list\.csv: line 3: the citation is empty"):
        parse_known("citation,case_name\n550 U.S. 544,Twombly\n,Iqbal\n", "list.csv")
    with pytest.raises(ReviewerError, match=r"^list\.csv: line 2: “Twombly” is not a case"):
        parse_known("citation,case_name\nTwombly,Bell Atlantic Corp. v. Twombly\n", "list.csv")


def test_the_known_list_forgives_spacing_blank_lines_and_unquoted_commas(tmp_path: Path) -> None:
    path = tmp_path / "known.csv"
    path.write_text(
        "\ufeffCitation , Case_Name\n\n"
        "925 F. 3d 1339,Varghese v. China Southern Airlines Co., Ltd.\n"
        "550 U.S. 544,\n",
        encoding="utf-8",
    )
    known = load_known(path)
    assert isinstance(known, KnownCitations)
    assert len(known) == 2
    assert known.source == "known.csv"
    assert known.names["925 f.3d 1339"] == ("Varghese v. China Southern Airlines Co., Ltd.",)
    assert known.names["550 u.s. 544"] == ()
    findings = check_text(f"{VARGHESE}. Bell v. Anyone, 550 U.S. 544 (2007).", known)
    assert [f.issue for f in findings] == [None, None]


def test_an_unreadable_known_list_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ReviewerError, match=r"^missing\.csv: "):
        load_known(tmp_path / "missing.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"citation,case_name\n550 U.S. 544,Caf\xe9 v. Bar\n")
    with pytest.raises(ReviewerError, match=r"^latin\.csv: not UTF-8"):
        load_known(latin)


# ---------------------------------------------------------------------------
# Pages


def test_pages_are_read_as_one_text_with_offsets_per_page() -> None:
    first = f"ARGUMENT\nA claim must be plausible. {TWOMBLY}.\n"
    second = "Page 2\nId. at 556. And see Twombly, 550 U.S. at 557.\n"
    findings = check_pages([first, second])
    assert [f.issue for f in findings] == [None, None, None]
    assert [(f.page, f.text) for f in findings] == [
        (0, TWOMBLY),
        (1, "Id. at 556"),
        (1, "Twombly, 550 U.S. at 557"),
    ]
    for f in findings:
        page = (first, second)[f.page]
        assert page[f.start : f.end] == f.text
    assert findings[1].as_json()["page"] == 2
    assert findings == sorted(findings, key=lambda f: (f.page, f.start))
    # Read alone, page 2 has nothing for its "Id." to refer to.
    assert flagged(check_pages([second]), "no_antecedent") == [
        "Id. at 556",
        "Twombly, 550 U.S. at 557",
    ]


def test_a_citation_broken_across_lines_is_found_and_quoted_as_written() -> None:
    text = "See Fideicomiso De La Tierra v. Fortuño, 582 F.3d \n131, 133 (1st Cir. 2009). Id."
    findings = check_text(text)
    assert [f.issue for f in findings] == [None, None]
    assert (
        findings[0].text
        == "Fideicomiso De La Tierra v. Fortuño, 582 F.3d \n131, 133 (1st Cir. 2009)"
    )


def test_check_text_is_one_page() -> None:
    text = f"{VARGHESE}. Id. at 1345."
    assert check_text(text) == check_pages([text])


# ---------------------------------------------------------------------------
# Proposed annotations


@pytest.fixture
def citation_pdf(make_pdf: Callable[..., Path]) -> Path:
    return make_pdf(
        "draft.pdf",
        [
            "The standard is settled.",
            "Bell Atlantic Corp. v. Twombly, 550 U.S. 544 (2007).",
            "Baz v. Qux, 100 F.3d 200, 150 (1975).",
            "Foo v. Bar, 999 U.S. 1 (2020).",
        ],
        ["Id. at 5. But see Smith, 12 F.3d at 40.", "Doe v. Roe, 12 Xyz. Rptr. 45 (1999)."],
    )


def _layers(worker: DocumentWorker, path: Path) -> dict[int, object]:
    opened = worker.open(path).result(60)
    return {p: worker.words(p).result(60) for p in range(opened.page_count)}


def test_findings_become_proposals_that_skip_annotated_spans(
    make_worker: Callable[..., DocumentWorker], citation_pdf: Path
) -> None:
    layers = _layers(make_worker(), citation_pdf)
    findings = check_pages([layers[p].text for p in sorted(layers)])  # type: ignore[attr-defined]
    foo = next(f for f in findings if f.issue == "impossible_volume_page" and "999" in f.text)
    existing = [
        Annotation(
            "a1",
            "doc",
            "legal-errors",
            "citation",
            Selector(
                kind="text",
                page=foo.page,
                segments=(TextSegment(foo.page, foo.start + 3, foo.end - 3, ()),),
            ),
            state="rejected",
        )
    ]
    proposals = citation_proposals(
        findings,
        layers,
        existing,
        document="doc",
        author="ana",  # type: ignore[arg-type]
    )
    assert [p.selector.exact for p in proposals] == [
        "Baz v. Qux, 100 F.3d 200, 150 (1975)",
        "Smith, 12 F.3d at 40",
        "Doe v. Roe, 12 Xyz. Rptr. 45 (1999)",
    ]
    baz, smith, doe = proposals
    assert [p.selector.page for p in proposals] == [0, 1, 1]
    assert baz.reason == (
        "Impossible volume or page: 100 F.3d 200: the pin cite 150 comes before the first page "
        "200; Year outside the reporter's years: 100 F.3d 200 (1975): F.3d (Federal Reporter) "
        "covers 1993–2021, not 1975"
    )
    assert doe.reason.startswith("Unknown reporter: “Xyz. Rptr.”")
    assert smith.reason.startswith("Short form with nothing to refer to: 12 F.3d at 40 ")
    assert smith.subtype is None
    for p in (baz, doe):
        assert (p.state, p.origin, p.author, p.document) == (
            "proposed",
            "suggested:citations",
            "ana",
            "doc",
        )
        assert (p.taxonomy, p.label, p.subtype) == ("legal-errors", "citation", "wrong_reporter")
    assert all(p.selector.segments[0].quads for p in proposals)  # anchored on the words
    # The same findings again: those proposed already are not proposed twice.
    again = citation_proposals(findings, layers, proposals, document="doc", author="ana")  # type: ignore[arg-type]
    assert [p.selector.exact for p in again] == ["Foo v. Bar, 999 U.S. 1 (2020)"]
    deleted = [a.__class__(**{**a.__dict__, "deleted": True}) for a in [*existing, *proposals]]
    assert len(citation_proposals(findings, layers, deleted, document="d", author="a")) == 4  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Layers


def test_the_check_loads_no_qt_no_pymupdf_and_eyecite_only_when_used() -> None:
    code = (
        "import sys\n"
        "import reviewer.core.citations as c\n"
        "before = 'eyecite' in sys.modules\n"
        "c.check_text('Ashcroft v. Iqbal, 556 U.S. 662 (2009).')\n"
        "heavy = [m for m in ('PySide6', 'pymupdf', 'fitz') if m in sys.modules]\n"
        "print(before, 'eyecite' in sys.modules, heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == "False True []"
