"""Fake identities and identifiers for the sample documents.

Every value here is invented but *well-formed*: routing numbers pass the ABA
checksum, IBANs pass mod-97, SSNs avoid the never-issued ranges, phone numbers
use the 555-01xx block reserved for fiction and e-mail addresses live under
``example.com``. Detectors that validate checksums must therefore accept them,
while nothing can collide with a real person's data.

Faker is seeded per instance and every other random choice goes through one
``random.Random``, so a seed fully determines the output. Faker's date helpers
are avoided on purpose: they are relative to today and would drift.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass

from faker import Faker

# Real cities with their own area codes and ZIP prefixes, so an address reads
# like a real one; the street, the ZIP suffix and the number are invented.
City = tuple[str, str, str, str]  # name, state, ZIP prefix, area code
_CITIES: tuple[City, ...] = (
    ("New York", "NY", "100", "212"),
    ("Chicago", "IL", "606", "312"),
    ("Wilmington", "DE", "198", "302"),
    ("Philadelphia", "PA", "191", "215"),
    ("Charlotte", "NC", "282", "704"),
    ("Dallas", "TX", "752", "214"),
    ("San Francisco", "CA", "941", "415"),
    ("Boston", "MA", "021", "617"),
    ("Atlanta", "GA", "303", "404"),
    ("Minneapolis", "MN", "554", "612"),
)

_BANK_WORDS = (
    "Granite",
    "Harbor",
    "Keystone",
    "Summit",
    "Lakeshore",
    "Redwood",
    "Bluestone",
    "Ironbridge",
    "Northfield",
    "Clearwater",
    "Silverpine",
    "Oakmont",
)

# IRS campus prefixes that are actually assigned to EINs.
_EIN_PREFIXES = (10, 12, 20, 26, 27, 30, 32, 35, 36, 41, 45, 46, 47, 52, 54, 81, 84, 86, 88)

_OFFICE_STREETS = ("Street", "Avenue", "Plaza", "Boulevard", "Place")
_HOME_STREETS = ("Lane", "Court", "Drive", "Road", "Way", "Circle")

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(day: dt.date) -> str:
    """Format a date as a US legal document would: ``March 14, 2024``."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def aba_check_digit(first8: str) -> int:
    """Return the ninth digit that makes an ABA routing number valid."""
    weights = (3, 7, 1, 3, 7, 1, 3, 7)
    total = sum(int(d) * w for d, w in zip(first8, weights, strict=True))
    return (10 - total % 10) % 10


def aba_is_valid(number: str) -> bool:
    """True when a nine-digit routing number passes the 3-7-1 checksum."""
    if not re.fullmatch(r"\d{9}", number):
        return False
    weights = (3, 7, 1) * 3
    return sum(int(d) * w for d, w in zip(number, weights, strict=True)) % 10 == 0


def iban_is_valid(iban: str) -> bool:
    """True when an IBAN (spaces allowed) passes the ISO 13616 mod-97 test."""
    compact = iban.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def ssn_is_valid(ssn: str) -> bool:
    """True for a syntactically issuable SSN (SSA rules since 2011)."""
    match = re.fullmatch(r"(\d{3})-(\d{2})-(\d{4})", ssn)
    if not match:
        return False
    area, group, serial = match.groups()
    return area not in {"000", "666"} and area[0] != "9" and group != "00" and serial != "0000"


def luhn_is_valid(number: str) -> bool:
    """True when a card number (spaces allowed) passes the Luhn check."""
    digits = [int(d) for d in number.replace(" ", "")]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


@dataclass(frozen=True)
class Person:
    """A fake individual with the contact data a legal document would print."""

    name: str
    first: str
    last: str
    phone: str
    email: str


@dataclass(frozen=True)
class Address:
    """A one-line postal address; ``line`` is exactly what the PDF prints."""

    street: str
    city_line: str

    @property
    def line(self) -> str:
        return f"{self.street}, {self.city_line}"


class Cast:
    """Seeded source of every invented name, number and address in one sample set.

    Names are unique within a cast, so a ground-truth item never matches a
    different person by accident.
    """

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.faker = Faker("en_US")
        self.faker.seed_instance(seed)
        self._used_names: set[str] = set()
        self._used_phones: set[str] = set()

    # -- people and places -------------------------------------------------
    def city(self) -> City:
        return self.rng.choice(_CITIES)

    def address(self, city: City | None = None, *, office: bool = True) -> Address:
        name, state, zip3, _area = city or self.city()
        kinds = _OFFICE_STREETS if office else _HOME_STREETS
        street = f"{self.rng.randint(10, 2999)} {self.faker.last_name()} {self.rng.choice(kinds)}"
        if office:
            floor = self.rng.randint(4, 40)
            street += self.rng.choice((f", Suite {floor}00", f", {_ordinal(floor)} Floor"))
        zipcode = f"{zip3}{self.rng.randint(1, 99):02d}"
        return Address(street=street, city_line=f"{name}, {state} {zipcode}")

    def phone(self, area: str | None = None) -> str:
        while True:
            number = f"({area or self.city()[3]}) 555-01{self.rng.randint(0, 99):02d}"
            if number not in self._used_phones:
                self._used_phones.add(number)
                return number

    def person(self, domain: str, *, area: str | None = None, middle: bool = True) -> Person:
        while True:
            first, last = self.faker.first_name(), self.faker.last_name()
            initial = ""
            if middle and self.rng.random() < 0.6:
                initial = f" {self.rng.choice('ABCDEFGHJKLMNPRSTW')}."
            name = f"{first}{initial} {last}"
            surnames = {n.split()[-1] for n in self._used_names}
            if name not in self._used_names and last not in surnames:
                break
        self._used_names.add(name)
        local = f"{first[0]}{last}" if self.rng.random() < 0.5 else f"{first}.{last}"
        email = re.sub(r"[^a-z.]", "", local.lower()) + f"@{domain}"
        return Person(name=name, first=first, last=last, phone=self.phone(area), email=email)

    def surname(self) -> str:
        while True:
            last = self.faker.last_name()
            if last not in {n.split()[-1] for n in self._used_names}:
                self._used_names.add(f"_ {last}")
                return last

    def law_firm(self) -> str:
        first, second = self.surname(), self.surname()
        return f"{first} & {second} LLP"

    def bank(self) -> str:
        a, b = self.rng.sample(_BANK_WORDS, 2)
        return f"{a} {b} Bank, N.A."

    def capital(self) -> str:
        return f"{self.surname()} Capital Partners LLC"

    # -- identifiers -------------------------------------------------------
    def dob(self) -> dt.date:
        start = dt.date(1958, 1, 1).toordinal()
        return dt.date.fromordinal(start + self.rng.randint(0, 22 * 365))

    def ssn(self) -> str:
        while True:
            area = self.rng.randint(1, 899)
            if area != 666:
                break
        return f"{area:03d}-{self.rng.randint(1, 99):02d}-{self.rng.randint(1, 9999):04d}"

    def ein(self) -> str:
        return f"{self.rng.choice(_EIN_PREFIXES)}-{self.rng.randint(1000000, 9999999)}"

    def routing_number(self) -> str:
        first8 = f"{self.rng.randint(1, 12):02d}" + "".join(
            str(self.rng.randint(0, 9)) for _ in range(6)
        )
        return first8 + str(aba_check_digit(first8))

    def account_number(self, digits: int = 10) -> str:
        return str(self.rng.randint(1, 9)) + "".join(
            str(self.rng.randint(0, 9)) for _ in range(digits - 1)
        )

    def iban_de(self) -> str:
        """A German IBAN (18-digit BBAN), grouped in fours as printed on paper."""
        bban = "".join(str(self.rng.randint(0, 9)) for _ in range(18))
        remainder = int(bban + "131400") % 97  # "DE00" with letters as 13, 14
        compact = f"DE{98 - remainder:02d}{bban}"
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))

    def passport(self) -> str:
        return str(self.rng.randint(5, 6)) + "".join(str(self.rng.randint(0, 9)) for _ in range(8))

    def card_number(self) -> str:
        """A 16-digit Visa-style number that passes Luhn, grouped in fours."""
        body = "4" + "".join(str(self.rng.randint(0, 9)) for _ in range(14))
        for check in range(10):
            if luhn_is_valid(body + str(check)):
                full = body + str(check)
                return " ".join(full[i : i + 4] for i in range(0, 16, 4))
        raise AssertionError("unreachable: one Luhn digit always fits")
