"""Structured PII detectors on real strings: what they find, and the near-misses they leave.

Every detector is checked on true cases and on the look-alikes a legal or financial
document is full of (docket, ECF, page and statute numbers, dates, money), because a
suggestion an annotator has to reject costs as much time as a miss.
"""

from __future__ import annotations

import json

import pytest

from reviewer.core.pii.base import Detector
from reviewer.core.pii.engine import DEFAULT_MIN_SCORE, scan_text
from reviewer.core.pii.structured import (
    DETECTORS,
    BankAccountDetector,
    CreditCardDetector,
    DateOfBirthDetector,
    DriverLicenseDetector,
    EmailDetector,
    IbanDetector,
    IpAddressDetector,
    PassportDetector,
    PhoneDetector,
    RoutingNumberDetector,
    SsnDetector,
    TaxIdDetector,
    UrlDetector,
)
from reviewer.core.resources import read_text


def shown(detector: Detector, text: str) -> list[tuple[str, str]]:
    """(label, text) of what the engine would show by default, in reading order."""
    return [(s.label, s.text) for s in detector.find(text) if s.score >= DEFAULT_MIN_SCORE]


def scores(detector: Detector, text: str) -> list[tuple[str, float]]:
    return [(s.text, s.score) for s in detector.find(text)]


def reasons(detector: Detector, text: str) -> list[str]:
    return [s.reason for s in detector.find(text)]


# A court filing's header, footer and citations: nothing here is personal data.
FILING_NOISE = (
    "Case 5:17-cv-04992-BLF   Document 220   Filed 01/16/19   Page 3 of 87\n"
    "Case: 20-16276, 08/05/2020, ID: 11778722, DktEntry: 19, Page 1 of 15\n"
    "Case 2:15-cv-05642-CAS-JC Document 465 Filed 04/10/18 Page 2 of 12 Page ID #:12345\n"
    "See ECF No. 123 at 4; Docket No. 4155551234; Dkt. 88-1.\n"
    "42 U.S.C. § 1983; 15 U.S.C. §§ 78j(b), 78t(a); 17 C.F.R. § 240.10b-5.\n"
    "Damages of $1,234,567.89 and $4,155,551,234 were claimed on 2019-01-16.\n"
    "Michael P. Esser (SBN 268634); State Bar No. 123456789.\n"
    "Commission File Number 001-12345; Registration No. 333-123456; CUSIP 037833100.\n"
    "U.S. Patent No. 7,123,456; Bates PLTF0001234567.\n"
    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n"
)


# ----------------------------------------------------------------------------- the module


def test_detectors_have_unique_names_and_taxonomy_labels() -> None:
    pii_ids = {label["id"] for label in json.loads(read_text("taxonomies", "pii.json"))["labels"]}
    names = [d.name for d in DETECTORS]
    assert len(names) == len(set(names))
    sample = (
        "SSN: 123-45-6789, card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, "
        "Tel. (202) 456-1111, jane.roe@example.com, 192.0.2.17, https://example.com/jane, "
        "EIN 91-1144442, ABA 021000021, Account No. 12345678, DOB: 04/03/1971, "
        "DL# D1234567, Passport No. 123456789"
    )
    labels = {s.label for d in DETECTORS for s in d.find(sample)}
    assert labels <= pii_ids
    assert len(labels) == 13


def test_no_detector_suggests_anything_in_filing_noise() -> None:
    assert scan_text(FILING_NOISE, detectors=DETECTORS, suppressors=[]) == []


def test_every_suggestion_quotes_its_text_and_gives_a_reason() -> None:
    text = "Card 4111-1111-1111-1111; SSN 123-45-6789; call me at (202) 456-1111."
    for s in scan_text(text, detectors=DETECTORS, suppressors=[]):
        assert text[s.start : s.end] == s.text
        assert s.reason
        assert 0.0 <= s.score <= 1.0


# ------------------------------------------------------------------------------- cards


def test_card_numbers_with_luhn_and_brand() -> None:
    det = CreditCardDetector()
    assert shown(det, "Visa 4111 1111 1111 1111 exp 12/27") == [
        ("CREDIT_CARD", "4111 1111 1111 1111")
    ]
    assert shown(det, "Amex 3782-822463-10005.") == [("CREDIT_CARD", "3782-822463-10005")]
    assert shown(det, "paid with 5555555555554444") == [("CREDIT_CARD", "5555555555554444")]
    assert reasons(det, "card 4111111111111111") == ["Luhn-valid Visa card number after 'card'"]
    assert reasons(det, "paid 6011111111111117") == ["Luhn-valid Discover card number"]


def test_card_with_security_code_after_it_keeps_only_the_card() -> None:
    det = CreditCardDetector()
    assert shown(det, "card 4111 1111 1111 1111 123") == [("CREDIT_CARD", "4111 1111 1111 1111")]


def test_card_context_raises_the_score() -> None:
    det = CreditCardDetector()
    assert scores(det, "credit card: 4111111111111111") == [("4111111111111111", 0.95)]
    assert scores(det, "number 4111111111111111") == [("4111111111111111", 0.8)]


def test_twelve_digit_maestro_only_with_card_context() -> None:
    det = CreditCardDetector()
    assert shown(det, "What is the limit for card 503802053770?") == [
        ("CREDIT_CARD", "503802053770")
    ]
    assert shown(det, "Order 503802053770 shipped") == []


@pytest.mark.parametrize(
    "text",
    [
        "card 4111 1111 1111 1112",  # fails Luhn
        "card 1234567890123456",  # no issuer, fails Luhn
        "card 0000000000000000",  # Luhn-valid, but no issuer starts with 0
        "card 41111111111111111111111",  # too long
        "card 4111-1111 1111-1111",  # mixed separators
        "Page ID #:4111111111111111-2",  # glued to a docket suffix
        "$4,111,111,111,111,111",  # money
    ],
)
def test_card_near_misses(text: str) -> None:
    assert shown(CreditCardDetector(), text) == []


def test_long_reference_numbers_are_hidden_even_when_luhn_valid() -> None:
    det = CreditCardDetector()
    assert shown(det, "Invoice No. 4111111111111111 and Doc. 5555555555554444") == []
    assert [s for _, s in scores(det, "Invoice No. 4111111111111111")] == [0.35]


def test_masked_card_is_a_hidden_hint() -> None:
    det = CreditCardDetector()
    assert scores(det, "Visa card XXXX-XXXX-XXXX-4242") == [("XXXX-XXXX-XXXX-4242", 0.45)]
    assert shown(det, "Visa card XXXX-XXXX-XXXX-4242") == []


# --------------------------------------------------------------------------- SSN and TIN


def test_ssn_dashed_with_and_without_context() -> None:
    det = SsnDetector()
    assert shown(det, "SSN: 123-45-6789") == [("SSN", "123-45-6789")]
    assert scores(det, "His social security number is 853-37-1694") == [("853-37-1694", 0.95)]
    assert scores(det, "ref 853-37-1694") == [("853-37-1694", 0.75)]
    assert reasons(det, "SSN: 123-45-6789") == ["SSN format, area not 000/666/9xx after 'SSN'"]


def test_ssn_spaced_or_plain_needs_context() -> None:
    det = SsnDetector()
    assert shown(det, "Social Security No. 123 45 6789") == [("SSN", "123 45 6789")]
    assert shown(det, "SSN 123456789") == [("SSN", "123456789")]
    assert shown(det, "Bates 123456789 and 123 45 6789") == []


@pytest.mark.parametrize(
    "text",
    [
        "SSN: 000-12-3456",  # area 000
        "SSN: 666-12-3456",  # area 666
        "SSN: 987-65-4321",  # 9xx is never an SSN
        "SSN: 123-00-4567",  # group 00
        "SSN: 123-45-0000",  # serial 0000
        "SSN: 078-05-1120",  # the Woolworth wallet card
        "SSN: 123-45-67890",  # too long
        "SSN: 1123-45-6789",  # too long
        "SSN: 123-45 6789",  # mixed separators
        "Case 2:23-45-6789",  # part of a docket-like id
    ],
)
def test_ssn_near_misses(text: str) -> None:
    assert shown(SsnDetector(), text) == []


def test_masked_ssn_is_a_hidden_hint() -> None:
    det = SsnDetector()
    assert scores(det, "SSN: xxx-xx-4423") == [("xxx-xx-4423", 0.45)]
    assert scores(det, "***-**-1234") == [("***-**-1234", 0.4)]
    assert shown(det, "SSN: ***-**-1234") == []


def test_itin_is_a_tax_id() -> None:
    det = TaxIdDetector()
    assert shown(det, "ITIN: 912-70-1234") == [("TAX_ID", "912-70-1234")]
    assert scores(det, "ITIN: 912-70-1234") == [("912-70-1234", 0.95)]
    assert shown(det, "ITIN 912 70 1234") == [("TAX_ID", "912 70 1234")]
    assert shown(det, "912-45-1234 and 912701234") == []  # group 45 is not issued; bare
    assert shown(SsnDetector(), "ITIN: 912-70-1234") == []


def test_ein_needs_context_to_be_shown() -> None:
    det = TaxIdDetector()
    assert shown(det, "EIN: 91-1144442") == [("TAX_ID", "91-1144442")]
    assert shown(det, "Employer Identification No. 911144442") == [("TAX_ID", "911144442")]
    assert reasons(det, "Tax ID 91-1144442") == [
        "EIN format with an IRS campus prefix after 'Tax ID'"
    ]
    assert scores(det, "Case No. 91-1144442") == [("91-1144442", 0.35)]
    assert shown(det, "EIN: 07-1144442") == []  # no IRS campus issues prefix 07
    assert shown(det, "EIN: 91-11444423") == []  # too long


# ----------------------------------------------------------------------- bank numbers


def test_routing_number_needs_checksum_and_context() -> None:
    det = RoutingNumberDetector()
    assert shown(det, "ABA Routing No. 021000021") == [("ROUTING_NUMBER", "021000021")]
    assert reasons(det, "routing number: 021000021") == [
        "ABA routing checksum valid, after 'routing'"
    ]
    assert shown(det, "Routing No. 021000022") == []  # checksum fails
    assert shown(det, "CUSIP 021000021") == []  # no routing keyword
    assert shown(det, "routing number: 0210000210") == []  # ten digits
    # The keyword nearest the number says what it is.
    text = "ABA Routing No.\n086769860\nAccount No.\n021000021"
    assert shown(det, text) == [("ROUTING_NUMBER", "086769860")]


def test_iban_compact_spaced_and_lowercase() -> None:
    det = IbanDetector()
    assert shown(det, "IBAN GB82 WEST 1234 5698 7654 32 and more") == [
        ("IBAN", "GB82 WEST 1234 5698 7654 32")
    ]
    assert shown(det, "pay DE89370400440532013000.") == [("IBAN", "DE89370400440532013000")]
    assert shown(det, "my iban is gb82west12345698765432") == [("IBAN", "gb82west12345698765432")]
    assert reasons(det, "IBAN: DE89 3704 0044 0532 0130 00") == [
        "IBAN with valid mod-97 check digits (DE) after 'IBAN'"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "IBAN GB82 WEST 1234 5698 7654 33",  # check digits fail
        "IBAN GB82 WEST 1234 5698 7654",  # too short for GB
        "IBAN XX82 WEST 1234 5698 7654 32",  # no such country
        "Form DE89 and section AB12 3456",
    ],
)
def test_iban_near_misses(text: str) -> None:
    assert shown(IbanDetector(), text) == []


def test_account_numbers_after_an_account_keyword() -> None:
    det = BankAccountDetector()
    assert shown(det, "Account No. 4532137631") == [("BANK_ACCOUNT", "4532137631")]
    assert shown(det, "Acct #: 0012-3456-78") == [("BANK_ACCOUNT", "0012-3456-78")]
    assert shown(det, "the loan number is 2019-123456.") == [("BANK_ACCOUNT", "2019-123456")]
    assert shown(det, "Account No.\n4532137631") == [("BANK_ACCOUNT", "4532137631")]
    assert reasons(det, "Checking Account Number: 987654321") == ["after 'Checking Account Number'"]
    assert scores(det, "Acct #: XXXX-XXXX-1234") == [("XXXX-XXXX-1234", 0.8)]


@pytest.mark.parametrize(
    "text",
    [
        "Case No. 2:15-cv-05642",
        "Docket No. 123456789",
        "Document 465",
        "Page ID #:123456",
        "ECF No. 12",
        "State Bar No. 268634",
        "42 U.S.C. § 1983",
        "account number 12",  # too short for an account
        "the account number of the debtor, Case No. 123456789",
        "Account No. 2:15-cv-05642",
        "Account: 2019 annual report",
    ],
)
def test_account_near_misses(text: str) -> None:
    assert shown(BankAccountDetector(), text) == []


# ------------------------------------------------------------------------------- phones


def test_formatted_us_numbers_are_found_without_context() -> None:
    det = PhoneDetector()
    assert shown(det, "They're not answering at 202-456-1111.") == [("PHONE", "202-456-1111")]
    assert shown(det, "Center at 1-888-735-3470 today") == [("PHONE", "1-888-735-3470")]
    assert reasons(det, "ring (202) 456-1111") == ["valid US phone number"]


def test_phone_keyword_raises_the_score_and_names_itself() -> None:
    det = PhoneDetector()
    text = "Telephone: (415) 439-1400\nFacsimile: (415) 439-1500"
    assert shown(det, text) == [("PHONE", "(415) 439-1400"), ("PHONE", "(415) 439-1500")]
    assert reasons(det, text) == [
        "valid US phone number after 'Telephone'",
        "valid US phone number after 'Facsimile'",
    ]


def test_international_and_wrapped_numbers() -> None:
    det = PhoneDetector()
    assert shown(det, "London office +44 20 7946 0958.") == [("PHONE", "+44 20 7946 0958")]
    assert reasons(det, "+44 20 7946 0958") == ["valid GB phone number"]
    assert shown(det, "Telephone: (302)\n555-0171; E-mail") == [("PHONE", "(302)\n555-0171")]


def test_numbers_libphonenumber_cannot_validate_need_a_phone_keyword() -> None:
    det = PhoneDetector()
    assert shown(det, "Phone: 0490 75 40 81") == [("PHONE", "0490 75 40 81")]
    assert reasons(det, "Mobile: 03.93.92.16.85") == ["phone-number format after 'Mobile'"]
    assert shown(det, "Fax: 259.735.7502x459") == [("PHONE", "259.735.7502x459")]
    assert shown(det, "Phone: (06530) 45638") == [("PHONE", "(06530) 45638")]
    assert shown(det, "Phone: 001-661-425-6732x6784") == [("PHONE", "001-661-425-6732x6784")]
    assert shown(det, "reference 0490 75 40 81") == []


def test_bare_ten_digits_need_a_phone_keyword() -> None:
    det = PhoneDetector()
    assert shown(det, "Fax: 9498777106") == [("PHONE", "9498777106")]
    assert shown(det, "transfer 4155551234 units") == []
    assert shown(det, "Page ID #:4155551234") == []


@pytest.mark.parametrize(
    "text",
    [
        "Case 5:17-cv-04992-BLF Document 220 Filed 01/16/19 Page 3 of 87",
        "Case: 20-16276, 08/05/2020, ID: 11778722, DktEntry: 19",
        "Docket No. (202) 456-1111",
        "$2,024,561,111 in damages",
        "Phone: 2019-01-16",  # a date after the keyword
        "Phone: 12345",  # too short
        "Tel Aviv 6473925",
    ],
)
def test_phone_near_misses(text: str) -> None:
    assert shown(PhoneDetector(), text) == []


# ------------------------------------------------------------------ e-mail, IP and URLs


def test_email_addresses() -> None:
    det = EmailDetector()
    assert shown(det, "Email:  michael.esser@kirkland.com \n") == [
        ("EMAIL", "michael.esser@kirkland.com")
    ]
    assert shown(det, "write to jane+law@mail.example.co.uk.") == [
        ("EMAIL", "jane+law@mail.example.co.uk")
    ]
    assert reasons(det, "a@example.org") == ["e-mail address (name@domain)"]
    # OCR puts a space beside "@" (the bundled scanned letter reads so).
    assert shown(det, "+ lacey.lawrence @martinlegal.example.com\n") == [
        ("EMAIL", "lacey.lawrence @martinlegal.example.com")
    ]
    assert reasons(det, "jo @ firm.com") == ["e-mail address, spaced at '@' as OCR reads it"]


@pytest.mark.parametrize(
    "text",
    [
        "jane@localhost",
        "follow @handle",
        "name@domain.c0m",
        "user@site.123",
        "a@b",
        "@",
        "meet @ 5.30pm",
        "jane  @example.com",
        "jane@\nexample.com",
    ],
)
def test_email_near_misses(text: str) -> None:
    assert shown(EmailDetector(), text) == []


def test_ip_addresses() -> None:
    det = IpAddressDetector()
    assert shown(det, "keep getting address 41.173.96.26 blocked") == [
        ("IP_ADDRESS", "41.173.96.26")
    ]
    assert shown(det, "logged in from 2001:db8::1.") == [("IP_ADDRESS", "2001:db8::1")]
    assert shown(det, "host 6e40:4041:c617:e898:c11:40d2:c669:2eb4 up") == [
        ("IP_ADDRESS", "6e40:4041:c617:e898:c11:40d2:c669:2eb4")
    ]
    assert shown(det, "mapped ::ffff:192.0.2.1 here") == [("IP_ADDRESS", "::ffff:192.0.2.1")]
    assert reasons(det, "IP 192.0.2.17") == ["IPv4 address, every octet 0-255 after 'IP'"]


@pytest.mark.parametrize(
    "text",
    [
        "256.1.1.1",  # octet out of range
        "version 1.2.3",  # three parts
        "Section 1.2.3.4 of the Agreement",  # clause number
        "see 1.2.3.4.5",  # five parts
        "version 10.0.1.2",
        "filed 01.16.2019",
        "192.168.001.001",  # leading zeros
        "at 12:30:45",  # a time, not IPv6
        "MAC 00:1A:2B:3C:4D:5E",
    ],
)
def test_ip_near_misses(text: str) -> None:
    assert shown(IpAddressDetector(), text) == []


def test_urls() -> None:
    det = UrlDetector()
    assert shown(det, "Just posted a photo https://www.ArtistMovie.se/.") == [
        ("URL", "https://www.ArtistMovie.se/")
    ]
    assert shown(det, "(see www.giftsurplus.com)") == [("URL", "www.giftsurplus.com")]
    assert shown(det, "at http://tinyurl.com/y77ocpjh, then") == [
        ("URL", "http://tinyurl.com/y77ocpjh")
    ]
    assert shown(det, "https://example.org/wiki/Foo_(bar)") == [
        ("URL", "https://example.org/wiki/Foo_(bar)")
    ]


def test_url_near_misses() -> None:
    det = UrlDetector()
    assert shown(det, "example.com and jane@example.com and http:// and www.") == []
    # A court's or an agency's own page is a public source, not personal data.
    assert scores(det, "https://www.ftc.gov/legal-library") == [
        ("https://www.ftc.gov/legal-library", 0.3)
    ]
    assert scores(det, "https://en.wikipedia.org/wiki/Tort.") == [
        ("https://en.wikipedia.org/wiki/Tort", 0.3)
    ]
    assert shown(det, "https://notgov.example.com/x and https://gov.example.com/") == [
        ("URL", "https://notgov.example.com/x"),
        ("URL", "https://gov.example.com/"),
    ]


# -------------------------------------------------------------- date of birth, ID documents


def test_dates_of_birth_after_their_keyword() -> None:
    det = DateOfBirthDetector()
    assert shown(det, "Date of Birth: 04/03/1971") == [("DATE_OF_BIRTH", "04/03/1971")]
    assert shown(det, "DOB 1971-03-04;") == [("DATE_OF_BIRTH", "1971-03-04")]
    assert shown(det, "she was born on 4 March 1971 in Ohio") == [("DATE_OF_BIRTH", "4 March 1971")]
    assert shown(det, "Birth date: Mar. 4, 1971") == [("DATE_OF_BIRTH", "Mar. 4, 1971")]
    assert reasons(det, "Date of Birth: 04/03/1971") == ["date after 'Date of Birth'"]


@pytest.mark.parametrize(
    "text",
    [
        "Filed 01/16/19",
        "dated March 4, 1971",
        "Date of Birth: 13/25/1980",  # no such month or day
        "Date of Birth: [REDACTED]",
        "costs borne on 04/03/1971",
        "born in Ohio on a farm",
    ],
)
def test_date_of_birth_near_misses(text: str) -> None:
    assert shown(DateOfBirthDetector(), text) == []


def test_driver_licence_numbers_after_their_keyword() -> None:
    det = DriverLicenseDetector()
    assert shown(det, "my driver's license number is 2270-66-1551") == [
        ("DRIVER_LICENSE", "2270-66-1551")
    ]
    assert shown(det, "Driver's License No. F162823540116.") == [
        ("DRIVER_LICENSE", "F162823540116")
    ]
    assert shown(det, "DL# D1234567") == [("DRIVER_LICENSE", "D1234567")]
    assert reasons(det, "DL# D1234567") == ["after 'DL#'"]


@pytest.mark.parametrize(
    "text",
    [
        "his driver's license was suspended in 2019",
        "driver's license 2019",
        "Driver's License No. 3",
        "DL 1234567",  # bare "DL" is too ambiguous without No./#/:
        "Document 465 Filed 04/10/18",
        "Licensed driver since 12345678",
    ],
)
def test_driver_licence_near_misses(text: str) -> None:
    assert shown(DriverLicenseDetector(), text) == []


def test_passport_numbers_and_the_machine_readable_zone() -> None:
    det = PassportDetector()
    assert shown(det, "U.S. Passport No.\n604665859") == [("PASSPORT", "604665859")]
    assert shown(det, "passport number: C03005988") == [("PASSPORT", "C03005988")]
    mrz = (
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
    )
    assert shown(det, mrz) == [("PASSPORT", mrz)]
    broken = mrz.replace("L898902C36", "L898902C37")  # wrong check digit
    assert shown(det, broken) == []


@pytest.mark.parametrize(
    "text",
    ["Passport Act of 1926", "passport in 2019", "Passport No. 12", "passport office, Room 4"],
)
def test_passport_near_misses(text: str) -> None:
    assert shown(PassportDetector(), text) == []


# ---------------------------------------------------------------------- through the engine


def test_engine_keeps_the_best_label_for_a_number() -> None:
    text = "Credit card account number 4111111111111111; ABA routing 021000021"
    found = [(s.label, s.text) for s in scan_text(text, detectors=DETECTORS, suppressors=[])]
    assert found == [("CREDIT_CARD", "4111111111111111"), ("ROUTING_NUMBER", "021000021")]


def test_a_signature_block() -> None:
    block = (
        "Michael P. Esser (SBN 268634)\nKIRKLAND & ELLIS LLP\n555 California Street\n"
        "San Francisco, CA 94104\nTelephone: (415) 439-1400\nFacsimile: (415) 439-1500\n"
        "Email:  michael.esser@kirkland.com\n"
        "Case 5:17-cv-04992-BLF   Document 220   Filed 01/16/19   Page 1 of 87\n"
    )
    found = [(s.label, s.text) for s in scan_text(block, detectors=DETECTORS, suppressors=[])]
    assert found == [
        ("PHONE", "(415) 439-1400"),
        ("PHONE", "(415) 439-1500"),
        ("EMAIL", "michael.esser@kirkland.com"),
    ]
