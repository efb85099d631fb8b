"""Names, organisations and addresses in legal prose: what is suggested, and what never is.

Every case is a real-looking string from a caption, an agreement or a
signature block, in ordinary prose and in the token-spaced form of
tokenised datasets ("AKAMAI TECHNOLOGIES , INC ."). The near misses matter
as much as the hits: a role noun, a capitalised heading, a street abbreviated
"Dr." or a base named after a person must not come back as a name.
"""

from __future__ import annotations

import pytest

from reviewer.core.pii.base import Suggestion
from reviewer.core.pii.engine import scan_text
from reviewer.core.pii.legal_prose import DETECTORS
from reviewer.core.taxonomy import builtin_taxonomy


def scan(text: str) -> list[Suggestion]:
    """What the legal-prose detectors suggest, after overlaps are resolved, no suppressors."""
    return scan_text(text, detectors=DETECTORS, suppressors=[])


def found(text: str, label: str | None = None) -> list[str]:
    return [s.text for s in scan(text) if label is None or s.label == label]


def test_every_detector_has_a_name_and_answers_with_pii_labels_and_reasons() -> None:
    text = (
        "JOHN DOE, Plaintiff, v. ACME HOLDINGS, INC., Defendant.\n"
        "Attn: Mr. Michael Moretti\n535 Fifth Avenue, 27th Floor, New York, New York 10017\n"
    )
    labels = {label.id for label in builtin_taxonomy("pii").labels}
    names = [d.name for d in DETECTORS]
    assert len(names) == len(set(names))
    suggestions = [s for d in DETECTORS for s in d.find(text)]
    assert {s.label for s in suggestions} >= {"PERSON", "ORG", "ADDRESS"}
    for s in suggestions:
        assert s.label in labels
        assert s.detector in names
        assert s.reason
        assert text[s.start : s.end] == s.text
        assert 0.5 <= s.score <= 1


# ---------------------------------------------------------------------------
# Captions


def test_a_one_line_caption_gives_the_person_and_the_company() -> None:
    suggestions = scan("JOHN DOE, Plaintiff, v. ACME HOLDINGS, INC., Defendant.")
    assert [(s.text, s.label) for s in suggestions] == [
        ("JOHN DOE", "PERSON"),
        ("ACME HOLDINGS, INC.", "ORG"),
    ]
    assert suggestions[0].reason == "name party before 'Plaintiff' in a case caption"


def test_a_stacked_caption_drops_et_al_and_the_official_capacity() -> None:
    caption = (
        "No. 20-1507\nCALVARY CHAPEL OF BANGOR,\nPlaintiff, Appellant,\nv.\n"
        "JANET T. MILLS, in her official capacity as Governor of the\nState of Maine,\n\n"
        "Defendant, Appellee.\n"
    )
    assert [(s.text, s.label) for s in scan(caption)] == [
        ("CALVARY CHAPEL OF BANGOR", "ORG"),
        ("JANET T. MILLS", "PERSON"),
    ]


def test_a_long_caption_splits_parties_at_commas_and_and() -> None:
    caption = (
        "SAN JOSE DIVISION\n\nMONTEREY BAY LAND, LLC, RILEY\nCOMMUNITIES LLC,\nPlaintiffs,\n"
        "vs.\nJEFFERIES & COMPANY, INC., DANNY RAY, and\nCHETAN MARFATIA,\nDefendants.\n"
    )
    assert found(caption, "PERSON") == ["DANNY RAY", "CHETAN MARFATIA"]
    assert found(caption, "ORG") == [
        "MONTEREY BAY LAND, LLC",
        "RILEY\nCOMMUNITIES LLC",
        "JEFFERIES & COMPANY, INC.",
    ]


def test_a_class_plaintiff_with_a_compound_surname() -> None:
    """From a real filing: "individually, and on behalf of all others" spans two lines."""
    caption = (
        "MELANIE G. SAN PEDRO-SALCEDO, \nindividually, and on behalf of all others similarly "
        "\nsituated, \nPlaintiff,  \nv.  \nNESTLÉ USA, INC., a \nDelaware corporation, "
        "\nDefendants. \n"
    )
    assert [(s.text, s.label) for s in scan(caption)] == [
        ("MELANIE G. SAN PEDRO-SALCEDO", "PERSON"),
        ("NESTLÉ USA, INC.", "ORG"),
    ]
    # A particle joins a surname, never a name to the city after it.
    assert found("By: /s/ Maria Van Buren\nTitle: CEO", "PERSON") == ["Maria Van Buren"]
    assert found("Jane Q. Roe San Francisco office", "PERSON") == ["Jane Q. Roe"]


def test_a_heading_named_after_a_role_is_not_a_caption() -> None:
    text = "located at Travis Air Force Base, Solano County, California.\nDefendants\n55.\n"
    assert scan(text) == []


def test_the_united_states_as_a_party_is_public_record() -> None:
    assert found("UNITED STATES OF AMERICA,\nPlaintiff,\nv.\nJOHN DOE,\nDefendant.\n") == [
        "JOHN DOE"
    ]


# ---------------------------------------------------------------------------
# Honorifics


def test_honorifics_mark_the_name_that_follows_without_the_title() -> None:
    suggestions = scan("Please ask Mr. Smith and Dr. Jane Q. Roe.")
    assert [(s.text, s.reason) for s in suggestions] == [
        ("Smith", "honorific 'Mr.'"),
        ("Jane Q. Roe", "honorific 'Dr.'"),
    ]


def test_a_street_abbreviated_dr_is_not_a_doctor() -> None:
    assert found("3003 Tasman Dr. Santa Clara", "PERSON") == []


def test_a_judge_is_public_authority_shown_only_below_the_default_threshold() -> None:
    text = "before the Honorable Edward J. Davila, U.S.D.J., in Courtroom 4"
    assert scan(text) == []
    (judge,) = scan_text(text, detectors=DETECTORS, suppressors=[], min_score=0.4)
    assert judge.text == "Edward J. Davila"
    assert judge.reason == "judicial title 'Honorable' (a judge's name is usually public)"


# ---------------------------------------------------------------------------
# Signature blocks and form fields


def test_signature_blocks_in_prose_and_in_token_spaced_text() -> None:
    prose = "BORROWER:\nAcme Corp.\nBy: /s/ Paul Sagan\nName: Paul Sagan\nTitle: CFO\n"
    spaced = "By : / s / Chen Shuning Name : Chen Shuning Title : Chairman Borrower"
    assert found(prose, "PERSON") == ["Paul Sagan", "Paul Sagan"]
    assert found(spaced, "PERSON") == ["Chen Shuning", "Chen Shuning"]
    assert {s.reason for s in scan(spaced)} == {
        "after '/s/' in a signature block",
        "after 'Name:'",
    }


def test_by_needs_a_signature_block_and_a_name_not_a_role() -> None:
    assert found("By: Jane Roe\nTitle: Managing Member\n") == ["Jane Roe"]
    assert found("By: its General Partner, which shall act for it.") == []
    assert found("Attention: General Counsel\nAttention: Legal Department") == []


def test_notice_addresses_and_titles() -> None:
    text = (
        "Attention: Mary Jones\nc/o Jane Roe\nAttn .\n: Sidney X . Huang Address : 3F\n"
        "PRESIDENT John Smith\nKey Person is the Chief Executive Officer, who is Jonathan Medved."
    )
    assert found(text, "PERSON") == [
        "Mary Jones",
        "Jane Roe",
        "Sidney X . Huang",
        "John Smith",
        "Jonathan Medved",
    ]


def test_attorney_block_names_by_bar_number_e_mail_and_address() -> None:
    block = (
        "Michael P. Esser (SBN 268634)\nKIRKLAND & ELLIS LLP\n555 California Street\n"
        "San Francisco, CA 94104\n\nSEAN RIORDAN\nsriordan@aclunc.org\n"
        "OFFICE OF THE PUBLIC DEFENDER\nSAN FRANCISCO\n555 Seventh Street\n"
        "San Francisco, CA 94103\nAttorneys for Plaintiffs\n"
    )
    assert found(block, "PERSON") == ["Michael P. Esser", "SEAN RIORDAN"]
    assert found(block, "ORG") == ["KIRKLAND & ELLIS LLP"]
    assert found(block, "ADDRESS") == [
        "555 California Street\nSan Francisco, CA 94104",
        "555 Seventh Street\nSan Francisco, CA 94103",
    ]


def test_a_name_above_an_e_mail_that_is_not_theirs_is_left_alone() -> None:
    assert found("SAN JOSE DIVISION\ninfo@example.com\n", "PERSON") == []


# ---------------------------------------------------------------------------
# Defined parties and organisations


@pytest.mark.parametrize(
    ("text", "party", "label"),
    [
        ('"Acme Corp." (the "Borrower") shall repay', "Acme Corp.", "ORG"),
        ('ACME CORP. ("Borrower") shall repay', "ACME CORP.", "ORG"),
        ('between SILICON VALLEY BANK (" Bank "), a California', "SILICON VALLEY BANK", "ORG"),
        (
            'and AKAMAI TECHNOLOGIES , INC . (" Borrower "), whose',
            "AKAMAI TECHNOLOGIES , INC .",
            "ORG",
        ),
        ('Acme Corp., a Delaware corporation (the "Borrower")', "Acme Corp.", "ORG"),
        ("( 2 ) Bing Yu (“ Borrower ”), a citizen of China", "Bing Yu", "PERSON"),
        ('and Jane Q. Roe (the "Guarantor").', "Jane Q. Roe", "PERSON"),
    ],
)
def test_the_party_before_a_defined_term_is_named_and_the_role_is_not(
    text: str, party: str, label: str
) -> None:
    suggestions = scan(text)
    assert [(s.text, s.label) for s in suggestions] == [(party, label)]
    assert suggestions[0].reason.startswith("defined party:")


def test_the_defined_party_reason_quotes_the_party_and_its_role() -> None:
    (party,) = [s for s in scan('"Acme Corp." (the "Borrower")') if s.detector == "defined_party"]
    assert party.reason == 'defined party: "Acme Corp." (the "Borrower")'


def test_a_short_name_defined_for_a_party_is_followed_through_the_page() -> None:
    text = (
        "Plaintiff Colin Thomas (“Thomas” or “Plaintiff”) sues Scooper Trooper, LLC "
        "(“Scooper” or “Defendant”). Scooper copied the photograph Thomas took."
    )
    assert [(s.text, s.label) for s in scan(text)] == [
        ("Colin Thomas", "PERSON"),
        ("Thomas", "PERSON"),  # the short name itself, in the parenthetical
        ("Scooper Trooper, LLC", "ORG"),
        ("Scooper", "ORG"),
        ("Scooper", "ORG"),
        ("Thomas", "PERSON"),
    ]


def test_role_nouns_and_abbreviations_in_parentheticals_are_never_names() -> None:
    assert scan('each Lender (the "Administrative Agent") and the Company') == []
    assert scan("U.S. Immigration and Customs Enforcement (“ICE”) detained him.") == []
    assert scan('the Lenders (each a "Lender" and together the "Lenders")') == []


@pytest.mark.parametrize(
    "org",
    [
        "AKAMAI TECHNOLOGIES , INC .",
        "Lenovo - AsiaInfo Technologies , Inc .",
        "Shanghai Solutions Software Co ., Ltd .",
        "Riemer & Braunstein LLP",
        "Clark Realty Capital, L.L.C.",
        "Jefferies Group LLC",
    ],
)
def test_organisations_end_in_a_corporate_suffix_however_spaced(org: str) -> None:
    assert found(f"Payment is due to {org} on demand.") == [org]


def test_words_that_are_not_a_name_do_not_become_an_organisation() -> None:
    assert scan("the Funding Date, Bank will lend; the Lender and Bank agree") == []
    assert scan("Expenses The Company shall pay all costs") == []
    assert found("The Company and Acme Holdings LLC agree") == ["Acme Holdings LLC"]


def test_headings_in_capitals_are_not_names() -> None:
    text = (
        "1 ACCOUNTING AND OTHER TERMS\nAccounting terms not defined in this Agreement "
        "will be construed following GAAP .\n2 LOAN AND TERMS OF PAYMENT\n"
        "SECOND AMENDED COMPLAINT\nUNITED STATES DISTRICT COURT\nDefendants Are Subject "
        "To Personal Jurisdiction\n"
    )
    assert scan(text) == []


# ---------------------------------------------------------------------------
# Addresses


@pytest.mark.parametrize(
    "address",
    [
        "3003 Tasman Drive , Santa Clara , California 95054",
        "201 Broadway , 4th Floor , Cambridge , Massachusetts 02139",
        "40 William St ., Ste .\n350 , Wellesley , Massachusetts 02481",
        "1939 Harrison Street, Suite 420\nOakland, CA 94612",
        "300 North LaSalle\nChicago, IL 60654",
        "P.O. Box 2681",
    ],
)
def test_street_addresses_from_number_to_zip(address: str) -> None:
    suggestions = scan(f"whose address is:\n{address}\nprovides")
    assert [(s.text, s.label) for s in suggestions] == [(address, "ADDRESS")]


def test_numbers_before_capitalised_words_are_not_addresses() -> None:
    assert scan("filed in the 2 District Court and 12 Street") == []
    assert found("Washington, DC 20006", "LOCATION") == ["Washington, DC 20006"]


# ---------------------------------------------------------------------------
# Names in running text


def test_first_name_middle_initial_surname() -> None:
    text = "Roger K. Gannam, with whom Mathew D. Staver was on brief, argued."
    assert found(text, "PERSON") == ["Roger K. Gannam", "Mathew D. Staver"]


def test_words_shaped_like_an_initial_are_not_names() -> None:
    assert scan("See Exhibit A. Form of Note and Schedule B. Lenders") == []


def test_a_common_given_name_and_a_surname() -> None:
    assert found("In June 2005, Chris Bicho told Denise Hubley.") == [
        "Chris Bicho",
        "Denise Hubley",
    ]


def test_places_and_organisations_named_after_people_are_not_people() -> None:
    text = "Travis Air Force Base, Fort Riley, George Town, the James River and Walter Reed Army"
    assert scan(text) == []


def test_judges_are_not_picked_up_as_plain_names() -> None:
    assert scan("before Hon. Nancy Torresen, U.S. District Judge") == []
    assert scan("Nancy Torresen, U.S. District Judge, presiding") == []
    assert scan("SELYA, Circuit Judge. Roger K. Gannam, Circuit Judge, dissenting") == []


def test_self_introductions_declarations_and_letters() -> None:
    text = "My name is Aantje Mourik.\nI, Judah Lakin, declare as follows.\nSincerely,\nRichard Roe"
    assert found(text, "PERSON") == ["Aantje Mourik", "Judah Lakin", "Richard Roe"]


def test_a_name_found_by_a_cue_is_found_again_on_the_page() -> None:
    text = (
        "Worksoft , Zhang Jilun and Shi Rongbin have signed the contract .\n"
        "If to Airland : Attn .\n: Zhang Jilun Address : Rm . 701\n"
        "By : / s / Shi Rongbin Name : Shi Rongbin Title : Director\n"
    )
    suggestions = scan(text)
    assert [s.text for s in suggestions] == [
        "Zhang Jilun",
        "Shi Rongbin",
        "Zhang Jilun",
        "Shi Rongbin",
        "Shi Rongbin",
    ]
    assert suggestions[0].detector == "repeated_name"
    assert suggestions[0].reason == "repeats \"Zhang Jilun\" (after 'Attn:')"


def test_a_surname_alone_repeats_a_name_a_strong_cue_found() -> None:
    text = "DANNY RAY,\nDefendant.\n\nRay held himself out as an adviser; Mr. Young agreed."
    assert found(text, "PERSON") == ["DANNY RAY", "Ray", "Young"]
