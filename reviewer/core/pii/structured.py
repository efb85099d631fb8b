"""Detectors for PII with a fixed shape: card, SSN, tax, bank and phone numbers, addresses, ids.

Each detector finds candidates with a regular expression compiled at import, checks them
with a real validator where one exists (Luhn, mod 97, the ABA checksum, SSA area rules,
libphonenumber) and reads the few words before a candidate ("SSN", "Account No.") because
digits alone rarely say what they are. Scores follow one scale so the engine's threshold
means the same for all of them: validated and in context about 0.95, validated alone
0.6-0.85, shape alone at most 0.4 (hidden unless ``--min-score`` is lowered). Numbers
that need context to mean anything (bank accounts, routing numbers, licences, passports,
dates of birth) are only suggested after their keyword, so docket, ECF, page and statute
numbers in court filings stay quiet.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.us import ein as std_ein
from stdnum.us import itin as std_itin
from stdnum.us import rtn as std_rtn
from stdnum.us import ssn as std_ssn

from reviewer.core.pii.base import Detector, Suggestion, suggestion

#: How far before a candidate (in characters) a context keyword may stand.
CONTEXT_WINDOW = 40

#: A candidate may not touch letters, digits or joining hyphens (parts of dockets, ids).
#: ``_FIRST_DIGIT`` matches a candidate's first digit and then looks behind it: a pattern
#: that starts with ``\d`` lets ``re`` skip ahead to digits, twice as fast as a lookbehind.
_FIRST_DIGIT = r"\d(?<![\w-]\d)"
_CLOSE = r"(?![\w-]|[.,]\d)"


def _last_keyword(pattern: re.Pattern[str], text: str, start: int, window: int) -> str | None:
    """The last context keyword in the ``window`` characters before ``start``, if any."""
    matches = list(pattern.finditer(text, max(0, start - window), start))
    return " ".join(matches[-1].group(0).split()) if matches else None


def _has_mask(text: str) -> bool:
    """Whether ``text`` may hold a masked number (XXX-XX-1234): most pages do not."""
    return any(mask in text for mask in ("XX", "xx", "**", "••", "##"))


def _after(keyword: str | None) -> str:
    return f" after '{keyword}'" if keyword else ""


def _best_per_region(found: Iterable[Suggestion]) -> list[Suggestion]:
    """Within one detector, keep the best of overlapping candidates (higher score, longer)."""
    kept: list[Suggestion] = []
    for s in sorted(found, key=lambda s: (-s.score, -(s.end - s.start), s.start)):
        if all(s.end <= k.start or k.end <= s.start for k in kept):
            kept.append(s)
    return sorted(kept, key=lambda s: s.start)


# --------------------------------------------------------------------------- payment cards

#: (brand, IIN prefix, allowed lengths), checked in order: the first brand that fits wins.
_CARD_BRANDS: tuple[tuple[str, re.Pattern[str], frozenset[int]], ...] = tuple(
    (brand, re.compile(prefix), frozenset(lengths))
    for brand, prefix, lengths in (
        ("American Express", r"3[47]", (15,)),
        ("Diners Club", r"3(?:0[0-59]|[689])", (14, 16, 17, 18, 19)),
        ("JCB", r"35", (16, 17, 18, 19)),
        ("JCB", r"(?:2131|1800)", (15,)),
        ("Visa", r"4", (13, 16, 19)),
        ("Mastercard", r"(?:5[1-5]|2(?:22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720))", (16,)),
        ("Mir", r"220[0-4]", (16, 17, 18, 19)),
        ("Discover", r"(?:6011|64[4-9]|65|622)", (16, 17, 18, 19)),
        ("UnionPay", r"62", (16, 17, 18, 19)),
        ("Maestro", r"(?:5[06-8]|6)", tuple(range(12, 20))),
    )
)

_CARD_RE = re.compile(
    r"\d(?<![\w.,/-]\d)(?:"
    r"\d{11,18}"
    r"|\d{3}(?P<s1>[ -])\d{4}(?P=s1)\d{4}(?P=s1)\d{1,4}(?:(?P=s1)\d{1,3})?"  # 4-4-4-4(-3)
    r"|\d{3}(?P<s2>[ -])\d{6}(?P=s2)\d{4,5}"  # Amex 4-6-5, Diners 4-6-4
    r")(?![\w/-]|[.,]\d)"
)
_MASKED_CARD_RE = re.compile(
    r"(?<![\w*•-])(?:[xX*•]{4}(?P<sep>[ -]?)){2}[xX*•]{4}(?P=sep)\d{4}" + r"(?![\w-]|[.,]\d)"
)
_CARD_CONTEXT = re.compile(
    r"(?i:\b(?:credit|debit|charge|payment|prepaid)\s+card|\bcard\b|\bcc\b|\bvisa\b|"
    r"\bmaster\s?card\b|\bamex\b|\bamerican\s+express\b|\bdiscover\b|\bjcb\b|\bdiners\b|"
    r"\bmaestro\b|\bunion\s?pay\b|\bcard\s*(?:number|no\.?|#))"
)
#: Long numbers that are not cards: the taxonomy's trap (loan, invoice, policy numbers).
_NOT_CARD_CONTEXT = re.compile(
    r"(?i:\b(?:loan|invoice|policy|order|tracking|claim|reference|ref|case|docket|serial|"
    r"patent|bates|isbn|confirmation|transaction|application|registration|no|doc|document|"
    r"ecf|dkt|id)\b)"
)


def _card_brand(digits: str) -> str | None:
    for brand, prefix, lengths in _CARD_BRANDS:
        if len(digits) in lengths and prefix.match(digits):
            return brand
    return None


class CreditCardDetector:
    """Payment card numbers: a known issuer prefix and length, and a valid Luhn check digit."""

    name = "credit_card"

    def find(self, text: str) -> list[Suggestion]:
        found = []
        for m in _CARD_RE.finditer(text):
            start, end = m.span()
            raw = m.group(0)
            digits = raw.replace(" ", "").replace("-", "")
            if not luhn.is_valid(digits) and (m.group("s1") or m.group("s2")):
                # "4111 1111 1111 1111 123": the last group may be a security code.
                cut = raw.rfind(m.group("s1") or m.group("s2"))
                raw, end = raw[:cut], start + cut
                digits = raw.replace(" ", "").replace("-", "")
            brand = _card_brand(digits)
            if brand is None or not luhn.is_valid(digits):
                continue
            keyword = _last_keyword(_CARD_CONTEXT, text, start, CONTEXT_WINDOW)
            other = _last_keyword(_NOT_CARD_CONTEXT, text, start, 25)
            reason = f"Luhn-valid {brand} card number"
            if keyword:
                score = 0.95
            elif len(digits) < 13:  # Maestro's 12 digits are too common to stand alone
                continue
            elif other:
                score, reason = 0.35, f"{reason}, but after '{other}'"
            else:
                score = 0.8
            found.append(
                suggestion(
                    text, start, end, "CREDIT_CARD", score, self.name, reason + _after(keyword)
                )
            )
        for m in _MASKED_CARD_RE.finditer(text) if _has_mask(text) else ():
            keyword = _last_keyword(_CARD_CONTEXT, text, m.start(), CONTEXT_WINDOW)
            reason = "masked card number, only the last four digits printed" + _after(keyword)
            score = 0.45 if keyword else 0.4
            found.append(suggestion(text, *m.span(), "CREDIT_CARD", score, self.name, reason))
        return found


# --------------------------------------------------------------- social security, ITIN, EIN

_SSN_LIKE_RE = re.compile(r"(" + _FIRST_DIGIT + r"\d{2})([- ]?)(\d{2})\2(\d{4})" + _CLOSE)
_MASKED_SSN_RE = re.compile(r"(?<![\w*•#-])[xX*•#]{3}([- ]?)[xX*•#]{2}\1\d{4}" + _CLOSE)
_SSN_CONTEXT = re.compile(
    r"\bSSN\b|\bSS\s?#|\bSS\s?No\b|(?i:\bsocial\s+security(?:\s+(?:number|no\b|#))?|\bssn\b)"
)
_ITIN_CONTEXT = re.compile(
    r"\b(?:ITIN|TIN)\b|(?i:\bindividual\s+taxpayer|\btaxpayer\s+identification|\btax\s+id)"
)
_EIN_RE = re.compile(r"(" + _FIRST_DIGIT + r"\d)(-?)(\d{7})" + _CLOSE)
_EIN_CONTEXT = re.compile(
    r"\b(?:F?EIN|TIN)\b|(?i:\bemployer\s+identification|\btax(?:payer)?\s+id(?:entification)?"
    r"|\bfederal\s+tax|\bein\b)"
)


class SsnDetector:
    """US Social Security numbers: SSA area/group/serial rules; unseparated only in context."""

    name = "ssn"

    def find(self, text: str) -> list[Suggestion]:
        found = []
        for m in _SSN_LIKE_RE.finditer(text):
            area, sep, group, serial = m.groups()
            if area[0] == "9" or area in ("000", "666") or group == "00" or serial == "0000":
                continue  # never issued (9xx is the ITIN range, handled as TAX_ID)
            if not std_ssn.is_valid(area + group + serial):
                continue  # a published or advertising number (078-05-1120)
            keyword = _last_keyword(_SSN_CONTEXT, text, m.start(), CONTEXT_WINDOW)
            if sep == "-":
                score = 0.95 if keyword else 0.75
            elif keyword:
                score = 0.9
            else:
                continue  # nine bare digits are anything: a routing, zip+4, Bates number
            reason = "SSN format, area not 000/666/9xx" + _after(keyword)
            found.append(suggestion(text, *m.span(), "SSN", score, self.name, reason))
        for m in _MASKED_SSN_RE.finditer(text) if _has_mask(text) else ():
            keyword = _last_keyword(_SSN_CONTEXT, text, m.start(), CONTEXT_WINDOW)
            score = 0.45 if keyword else 0.4
            reason = "masked SSN, only the last four digits printed" + _after(keyword)
            found.append(suggestion(text, *m.span(), "SSN", score, self.name, reason))
        return found


class TaxIdDetector:
    """ITINs (9xx-7x-xxxx, IRS group ranges) and EINs (dd-ddddddd, IRS campus prefixes).

    An EIN's shape collides with account, case and reference numbers, so without a keyword
    ("EIN", "Tax ID") it is only a hidden, low-score hint.
    """

    name = "tax_id"

    def find(self, text: str) -> list[Suggestion]:
        found = []
        for m in _SSN_LIKE_RE.finditer(text):
            if m.group(1)[0] != "9" or not std_itin.is_valid("".join(m.group(1, 3, 4))):
                continue
            keyword = _last_keyword(_ITIN_CONTEXT, text, m.start(), CONTEXT_WINDOW)
            if m.group(2) == "-":
                score = 0.95 if keyword else 0.8
            elif keyword:
                score = 0.9
            else:
                continue
            reason = "ITIN format, 9xx area with an IRS-issued group" + _after(keyword)
            found.append(suggestion(text, *m.span(), "TAX_ID", score, self.name, reason))
        for m in _EIN_RE.finditer(text):
            if not std_ein.is_valid(m.group(0)):
                continue
            keyword = _last_keyword(_EIN_CONTEXT, text, m.start(), CONTEXT_WINDOW)
            if keyword:
                score = 0.92 if m.group(2) else 0.85
            elif m.group(2):
                score = 0.35
            else:
                continue
            reason = "EIN format with an IRS campus prefix" + _after(keyword)
            found.append(suggestion(text, *m.span(), "TAX_ID", score, self.name, reason))
        return found


# ----------------------------------------------------------------- bank and routing numbers

_NINE_DIGITS_RE = re.compile(_FIRST_DIGIT + r"\d{8}" + _CLOSE)
_ROUTING_CONTEXT = re.compile(r"\b(?:ABA|RTN|R/T)\b|(?i:\brouting\b|\btransit\b)")
_ACCOUNT_WORD = re.compile(r"(?i:\b(?:account|acct|a/c)\b)")


class RoutingNumberDetector:
    """ABA routing numbers: nine digits with a valid checksum, right after a routing keyword."""

    name = "routing_number"

    def find(self, text: str) -> list[Suggestion]:
        found = []
        for m in _NINE_DIGITS_RE.finditer(text):
            if not std_rtn.is_valid(m.group(0)):
                continue
            window = max(0, m.start() - CONTEXT_WINDOW)
            keywords = list(_ROUTING_CONTEXT.finditer(text, window, m.start()))
            # "ABA 021000021, Account No. 123456780": the keyword nearest the number counts.
            if keywords and not _ACCOUNT_WORD.search(text, keywords[-1].end(), m.start()):
                keyword = " ".join(keywords[-1].group(0).split())
                reason = f"ABA routing checksum valid, after '{keyword}'"
                found.append(suggestion(text, *m.span(), "ROUTING_NUMBER", 0.95, self.name, reason))
        return found


#: Country code, check digits, then alphanumeric groups, printed compact or in fours.
_IBAN_RE = re.compile(
    r"(?i)\b[a-z]{2}\d{2}(?:[a-z0-9]{11,30}|(?: [a-z0-9]{4}){2,7}(?: [a-z0-9]{1,4})?)\b"
)
#: Two letters then two digits: a cheap test that skips most pages before the full pattern.
_IBAN_HINT_RE = re.compile(r"\d\d(?<=[A-Za-z]{2}\d\d)")
_IBAN_CONTEXT = re.compile(r"(?i:\biban\b)")


class IbanDetector:
    """IBANs: the country's length and structure, and the ISO 7064 mod-97 check digits."""

    name = "iban"

    def find(self, text: str) -> list[Suggestion]:
        if not _IBAN_HINT_RE.search(text):
            return []
        found = []
        for m in _IBAN_RE.finditer(text):
            start, raw = m.start(), m.group(0)
            # A printed IBAN can run into the next short word ("... 32 and"): drop groups.
            while not std_iban.is_valid(raw) and " " in raw:
                raw = raw[: raw.rfind(" ")]
            if len(raw.replace(" ", "")) < 15 or not std_iban.is_valid(raw):
                continue
            keyword = _last_keyword(_IBAN_CONTEXT, text, start, CONTEXT_WINDOW)
            reason = f"IBAN with valid mod-97 check digits ({raw[:2].upper()})" + _after(keyword)
            score = 0.98 if keyword else 0.9
            found.append(
                suggestion(text, start, start + len(raw), "IBAN", score, self.name, reason)
            )
        return found


#: "Account", "Acct", "A/C" or "Loan", then "No." or ":", then the number. The pattern
#: starts with a plain character set (then looks behind it) so ``re`` can skip ahead fast.
_ACCOUNT_RE = re.compile(
    r"(?P<key>[AaLl](?<![A-Za-z][AaLl])(?i:ccount|cct|/c|oan)\.?"
    r"(?i:\s*(?:number|num|nbr|no\.?|#)|\s*:))"
    r"\s*(?:(?i:is|was)\s+)?[:#.]?\s*"
    r"(?P<id>(?:[xX*•]{2,}[- ]?)*\d{2,}(?:[- ]\d{2,})*)" + _CLOSE
)
#: The kind of account, when a word before the keyword names it ("Checking Account No.").
_ACCOUNT_KIND_RE = re.compile(
    r"(?i:\b(?:bank|checking|savings|deposit|brokerage|loan|credit|escrow)\s+)$"
)


class BankAccountDetector:
    """Bank and loan account numbers, only after an account keyword ("Account No.", "Acct #").

    The keyword is required because account numbers have no format of their own; it also
    keeps case, docket, ECF, page and bar numbers out, since none of them follow it.
    """

    name = "bank_account"

    def find(self, text: str) -> list[Suggestion]:
        found = []
        for m in _ACCOUNT_RE.finditer(text):
            ident = m.group("id")
            digits = sum(c.isdigit() for c in ident)
            masked = not ident[0].isdigit()
            if digits > 20 or digits < (3 if masked else 6):
                continue
            kind = _ACCOUNT_KIND_RE.search(text, max(0, m.start() - 12), m.start())
            keyword = " ".join(((kind.group(0) if kind else "") + m.group("key")).split())
            if masked:
                score, reason = 0.8, f"masked account number after '{keyword}'"
            else:
                score, reason = 0.9, f"after '{keyword}'"
            found.append(suggestion(text, *m.span("id"), "BANK_ACCOUNT", score, self.name, reason))
        return found


# --------------------------------------------------------------------------------- phones

#: Digits a few separators apart, on one line or wrapped after "(302)" or "302-": ten
#: or more (a US number with its area code, the least the matcher accepts without "+"),
#: or seven or more after "+". libphonenumber's matcher only reads the text around these
#: runs, which keeps pages without one (most of a brief, pleading-paper line numbers) fast.
_PHONE_SEP = r"(?:[ \t().+-]{0,3}|[).-][ \t]*\r?\n[ \t]*\(?)"
_PHONE_HINT_RE = re.compile(
    r"(?<!\w)(?:\+[ \t(]*\d(?:" + _PHONE_SEP + r"\d){6,}|\(?\d(?:" + _PHONE_SEP + r"\d){9,})"
)
#: Characters of text read around a hint: a "+1 " before it, an extension after it.
_PHONE_MARGIN = 12
_US_FORMATTED_RE = re.compile(
    r"(?:\+?1[-. ]?)?(?:\(\d{3}\)[-. ]?|\d{3}[-. ])\d{3}[-. ]\d{4}"
    r"(?:\s*(?:x|ext\.?|extension)\s*\d{1,6})?",
    re.IGNORECASE,
)
_PHONE_WORDS = (
    r"(?i:\b(?:tele?phone|phone|tele?|mobile|cell(?:ular)?(?:\s+phone)?|fax|facsimile|ph|"
    r"whatsapp)\b\.?(?:\s*(?:number|num|no\.?|#))?"
    r"|\b(?:office|home|work|main|direct|desk|mob|cell|contact)\s*:"
    r"|\b(?:call|text|reach)(?:\s+(?:me|us|him|her|them))?\s+(?:at|on)\b)"
)
_PHONE_CONTEXT = re.compile(_PHONE_WORDS)
#: Any run of digits shaped like a phone number; only kept right after a phone keyword,
#: for what libphonenumber cannot validate (foreign numbers without a country code,
#: fictional exchanges).
_PHONE_SHAPED_RE = re.compile(
    r"(?P<main>(?:\+|\(\d{1,5}\)|" + _FIRST_DIGIT + r")(?:[ .-]?(?:\(\d{1,5}\)|\d)){3,17})"
    r"(?:\s*(?i:x|ext\.?)\s*\d{1,6})?" + _CLOSE
)
_PHONE_KEYWORD_BEFORE_RE = re.compile(r"(?P<key>" + _PHONE_WORDS + r")\s*(?:(?i:is)\s+)?[:.]?\s*$")
_DATE_SHAPED_RE = re.compile(r"\d{4}[-. ]\d{1,2}[-. ]\d{1,2}|\d{1,2}[-. ]\d{1,2}[-. ]\d{2,4}")
#: Words after which a digit run is an identifier, not a phone number.
_NOT_PHONE_CONTEXT = re.compile(
    r"(?i:\b(?:no|case|docket|dkt|ecf|document|doc|page|id|bates|account|acct|invoice|serial|"
    r"patent|order|claim|policy|loan|routing|aba|ssn|ein)\b\.?\s*[:#]?\s*$|#\s*:?\s*$)"
)


def _region_of(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.region_code_for_number(number) or "international"


class PhoneDetector:
    """Telephone and fax numbers that libphonenumber validates, plus any after "Phone:".

    A valid number needs typical phone formatting ((415) 555-0100, 415-555-0100, +44 ...)
    or a phone keyword: a bare ten-digit run is as likely an id, so alone it stays hidden.
    """

    name = "phone"

    def find(self, text: str) -> list[Suggestion]:
        found = []
        for start, end, raw, number in _valid_phone_numbers(text):
            keyword = _last_keyword(_PHONE_CONTEXT, text, start, 30)
            formatted = raw.startswith("+") or _US_FORMATTED_RE.fullmatch(raw) is not None
            reason = f"valid {_region_of(number)} phone number" + _after(keyword)
            if keyword:
                score = 0.95 if formatted else 0.85
            elif _NOT_PHONE_CONTEXT.search(text, max(0, start - 20), start):
                continue
            else:
                score = 0.8 if formatted else 0.3
            found.append(suggestion(text, start, end, "PHONE", score, self.name, reason))
        found.extend(self._after_keyword(text, found))
        return _best_per_region(found)

    def _after_keyword(self, text: str, known: list[Suggestion]) -> Iterator[Suggestion]:
        for m in _PHONE_SHAPED_RE.finditer(text):
            start, end = m.span()
            if any(k.start < end and start < k.end for k in known):
                continue
            raw = m.group(0)
            digits = sum(c.isdigit() for c in m.group("main"))  # the extension aside
            if not 7 <= digits <= 15 or _DATE_SHAPED_RE.fullmatch(raw):
                continue
            before = _PHONE_KEYWORD_BEFORE_RE.search(text, max(0, start - 30), start)
            if before is None:
                continue
            keyword = " ".join(before.group("key").split())
            number = _parse_phone(raw)
            if number is not None:
                reason = f"valid {_region_of(number)} phone number after '{keyword}'"
                yield suggestion(text, start, end, "PHONE", 0.9, self.name, reason)
            else:
                reason = f"phone-number format after '{keyword}'"
                yield suggestion(text, start, end, "PHONE", 0.7, self.name, reason)


def _valid_phone_numbers(
    text: str,
) -> Iterator[tuple[int, int, str, phonenumbers.PhoneNumber]]:
    """What libphonenumber's matcher (US default region, VALID leniency) finds in ``text``."""
    windows: list[list[int]] = []
    for m in _PHONE_HINT_RE.finditer(text):
        start, end = max(0, m.start() - _PHONE_MARGIN), m.end() + _PHONE_MARGIN
        if windows and start <= windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    for start, end in windows:
        # The matcher stops at line breaks; a number wrapped in the PDF's text is still one.
        window = text[start:end].replace("\r", " ").replace("\n", " ")
        for m in PhoneNumberMatcher(window, "US", leniency=Leniency.VALID):
            yield start + m.start, start + m.end, m.raw_string, m.number


def _parse_phone(raw: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(raw, None if raw.startswith("+") else "US")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


# ------------------------------------------------------------------ e-mail, IP address, URL

# One space either side of "@" is allowed: OCR reads "name @firm.com" often.
_EMAIL_RE = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?"
    r"\x20?@\x20?(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])"
)


class EmailDetector:
    """E-mail addresses: a local part, "@", a dotted domain and an alphabetic top-level domain."""

    name = "email"

    def find(self, text: str) -> list[Suggestion]:
        if "@" not in text:
            return []
        return [
            suggestion(text, *m.span(), "EMAIL", 0.95, self.name, "e-mail address (name@domain)")
            if " " not in m.group()
            else suggestion(
                text,
                *m.span(),
                "EMAIL",
                0.85,
                self.name,
                "e-mail address, spaced at '@' as OCR reads it",
            )
            for m in _EMAIL_RE.finditer(text)
        ]


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4_HINT_RE = re.compile(r"\d\.\d{1,3}\.\d{1,3}\.\d")
_IPV4_RE = re.compile(r"(?<![\w.])" + _OCTET + r"(?:\." + _OCTET + r"){3}(?![\w]|\.\d)")
_IPV6_RE = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{1,4})?(?::[0-9A-Fa-f]{0,4}){2,7}"
    r"(?:(?<=:)\d{1,3}(?:\.\d{1,3}){3})?(?![\w:]|\.\d)"
)
_IPV6_HINT_RE = re.compile(r"::|[0-9A-Fa-f]:[0-9A-Fa-f]{1,4}:")
_IP_CONTEXT = re.compile(r"\bIP(?:v[46])?\b|(?i:\b(?:address|host|server|logged|login|ip)\b)")
#: Before a dotted number these make it a version, section or rule number.
_NOT_IP_CONTEXT = re.compile(
    r"(?i:\b(?:v|ver|version|release|build|section|sec|rule|clause|para|paragraph|art|"
    r"article|chapter|ch|no|§)\b\.?\s*$|§\s*$|\bv$)"
)


class IpAddressDetector:
    """IPv4 addresses (each octet at most 255) and IPv6 addresses that ``ipaddress`` accepts."""

    name = "ip_address"

    def find(self, text: str) -> list[Suggestion]:
        found = []
        if _IPV4_HINT_RE.search(text):
            for m in _IPV4_RE.finditer(text):
                keyword = _last_keyword(_IP_CONTEXT, text, m.start(), CONTEXT_WINDOW)
                octets = m.group(0).split(".")
                if _NOT_IP_CONTEXT.search(text, max(0, m.start() - 12), m.start()):
                    score, reason = 0.2, "IPv4 shape, but after a version or section word"
                elif all(len(o) == 1 for o in octets) and not keyword:
                    score, reason = 0.4, "IPv4 shape, but could be a clause number"
                else:
                    score = 0.95 if keyword else 0.85
                    reason = "IPv4 address, every octet 0-255" + _after(keyword)
                found.append(suggestion(text, *m.span(), "IP_ADDRESS", score, self.name, reason))
        if _IPV6_HINT_RE.search(text):
            for m in _IPV6_RE.finditer(text):
                raw = m.group(0)
                if sum(c.isalnum() for c in raw) < 4:
                    continue
                try:
                    ipaddress.IPv6Address(raw)
                except ValueError:
                    continue
                keyword = _last_keyword(_IP_CONTEXT, text, m.start(), CONTEXT_WINDOW)
                score = 0.95 if keyword else 0.85
                reason = "valid IPv6 address" + _after(keyword)
                found.append(suggestion(text, *m.span(), "IP_ADDRESS", score, self.name, reason))
        return _best_per_region(found)  # an IPv6 address may end in an IPv4 one


_URL_RE = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'`{}|\\^\[\]]+")
_URL_TRAILING = ".,;:!?'\"’”"
#: Hosts of public sources (agencies, courts, law and reference sites): the taxonomy says
#: their links need no label, so they are only hidden hints.
_PUBLIC_HOSTS = (
    "gov",
    "mil",
    "law.cornell.edu",
    "westlaw.com",
    "lexis.com",
    "justia.com",
    "courtlistener.com",
    "wikipedia.org",
    "merriam-webster.com",
    "britannica.com",
)
_HOST_RE = re.compile(r"(?i)^(?:https?://)?([^/?#:]+)")


def _is_public_source(url: str) -> bool:
    host = _HOST_RE.match(url)
    name = host.group(1).lower() if host else ""
    return any(name == h or name.endswith("." + h) for h in _PUBLIC_HOSTS)


class UrlDetector:
    """Web addresses starting with http://, https:// or www.; public-source links score low."""

    name = "url"

    def find(self, text: str) -> list[Suggestion]:
        lowered = text.lower()
        if "http" not in lowered and "www." not in lowered:
            return []
        found = []
        for m in _URL_RE.finditer(text):
            start, url = m.start(), m.group(0)
            while url and (
                url[-1] in _URL_TRAILING or (url[-1] == ")" and url.count("(") < url.count(")"))
            ):
                url = url[:-1]
            if len(url) < 8 or "." not in url.split("//")[-1].strip("."):
                continue
            if _is_public_source(url):
                score, reason = 0.3, "web address of a public source (government, court, reference)"
            else:
                score, reason = 0.75, "web address (http/https/www)"
            found.append(suggestion(text, start, start + len(url), "URL", score, self.name, reason))
        return found


# --------------------------------------------------------------- date of birth, ID documents

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DOB_RE = re.compile(
    r"(?P<key>(?i:\bdate\s+of\s+birth|\bbirth\s*date|\bbirthday|\bD\.?O\.?B\b\.?|"
    r"\bborn(?:\s+on)?))"
    r"\s*(?:(?i:is|was|of)\s+)?[:\-–]?\s*"
    r"(?P<date>(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}"
    r"|(?i:" + _MONTH + r")\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?i:" + _MONTH + r"),?\s+\d{4}))(?!\d)"
)


def _plausible_numeric_date(date: str) -> bool:
    """Numeric dates must have a month and day in range in at least one of the usual orders."""
    parts = [int(p) for p in re.split(r"[/.-]", date) if p.isdigit()]
    if len(parts) != 3:
        return True  # a month-name date
    first, second, third = parts
    if first > 31:  # ISO year-month-day
        return 1 <= second <= 12 and 1 <= third <= 31
    return (1 <= first <= 12 and 1 <= second <= 31) or (1 <= second <= 12 and 1 <= first <= 31)


class DateOfBirthDetector:
    """Dates of birth: a date only counts right after "Date of Birth", "DOB" or "born"."""

    name = "date_of_birth"

    def find(self, text: str) -> list[Suggestion]:
        lowered = text.lower()
        if not any(word in lowered for word in ("birth", "dob", "d.o.b", "born")):
            return []
        found = []
        for m in _DOB_RE.finditer(text):
            if not _plausible_numeric_date(m.group("date")):
                continue
            reason = f"date after '{' '.join(m.group('key').split())}'"
            found.append(suggestion(text, *m.span("date"), "DATE_OF_BIRTH", 0.9, self.name, reason))
        return found


#: An identifier after a document keyword: letters and digits, possibly with inner hyphens.
_DOC_ID = r"(?P<id>[A-Za-z0-9](?:[A-Za-z0-9-]{2,18})[A-Za-z0-9])" + _CLOSE
_DL_RE = re.compile(
    r"(?P<key>(?i:\b(?:driver'?s?|driving|operator'?s?)\s+licen[cs]e)"
    r"(?i:\s*(?:number|num|nbr|no\.?|#|id))?"
    r"|\b(?:DL|CDL|D\.L\.)\s*(?:(?i:number|num|no\.?)|#|:))"
    r"\s*(?:(?i:is)\s+)?[:#.]?\s*" + _DOC_ID
)
_PASSPORT_RE = re.compile(
    r"(?P<key>(?i:\bpassport)(?i:\s*(?:number|num|nbr|no\.?|#|id))?)"
    r"\s*(?:(?i:is)\s+)?[:#.]?\s*" + _DOC_ID
)
#: The two 44-character lines at the foot of a passport's data page (ICAO 9303 TD3).
_MRZ_RE = re.compile(r"(?m)^P[A-Z<][A-Z<]{3}[A-Z<]{39}[ \t]*\r?\n(?P<line2>[A-Z0-9<]{44})$")
_MRZ_WEIGHTS = (7, 3, 1)


def _mrz_check_digit(field: str) -> str:
    values = (int(c) if c.isdigit() else (0 if c == "<" else ord(c) - ord("A") + 10) for c in field)
    return str(sum(v * _MRZ_WEIGHTS[i % 3] for i, v in enumerate(values)) % 10)


def _looks_like_id(ident: str) -> bool:
    """Enough digits to be a document number, and not a year, date or money amount."""
    digits = sum(c.isdigit() for c in ident)
    return digits >= 4 and len(ident) >= 5


class DriverLicenseDetector:
    """Driver's licence numbers, only right after "Driver's License No.", "DL#" and the like."""

    name = "driver_license"

    def find(self, text: str) -> list[Suggestion]:
        lowered = text.lower()
        keywords = ("driv" in lowered, "operator" in lowered, "DL" in text, "D.L." in text)
        if not any(keywords):
            return []
        found = []
        for m in _DL_RE.finditer(text):
            if not _looks_like_id(m.group("id")):
                continue
            reason = f"after '{' '.join(m.group('key').split())}'"
            found.append(suggestion(text, *m.span("id"), "DRIVER_LICENSE", 0.9, self.name, reason))
        return found


class PassportDetector:
    """Passport numbers after "Passport No." and the machine-readable zone of a passport page."""

    name = "passport"

    def find(self, text: str) -> list[Suggestion]:
        if "passport" not in text.lower() and "P<" not in text:
            return []
        found = []
        for m in _PASSPORT_RE.finditer(text):
            if not _looks_like_id(m.group("id")):
                continue
            reason = f"after '{' '.join(m.group('key').split())}'"
            found.append(suggestion(text, *m.span("id"), "PASSPORT", 0.9, self.name, reason))
        for m in _MRZ_RE.finditer(text):
            line2 = m.group("line2")
            if _mrz_check_digit(line2[:9]) == line2[9]:
                reason = "passport machine-readable zone, number check digit valid"
                found.append(suggestion(text, *m.span(), "PASSPORT", 0.95, self.name, reason))
        return found


DETECTORS: list[Detector] = [
    CreditCardDetector(),
    SsnDetector(),
    TaxIdDetector(),
    RoutingNumberDetector(),
    IbanDetector(),
    BankAccountDetector(),
    PhoneDetector(),
    EmailDetector(),
    IpAddressDetector(),
    UrlDetector(),
    DateOfBirthDetector(),
    DriverLicenseDetector(),
    PassportDetector(),
]
