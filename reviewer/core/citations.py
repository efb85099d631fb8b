"""The citation check: case citations in AI-written legal text that cannot be right.

An AI draft cites authorities that do not exist (Mata v. Avianca: "Varghese v.
China Southern Airlines Co., 925 F.3d 1339 (11th Cir. 2019)", a real-looking
citation to nothing). Nothing offline can prove a case exists, but much can be
proved impossible from the citation itself: a reporter nobody publishes, a
volume not printed yet, a year before the reporter began, a district court in
a reporter of appeals, an "Id." with nothing before it, one reporter page under
two case names. With a list of citations the firm has checked, anything else
is named, and so is a real page given under a made-up name.

eyecite finds the citations (offline, with reporters-db and courts-db data).
Case names, pin cites and the court-and-year parenthetical are read here, next
to each citation: eyecite's own guesses for those drift to a neighbouring
citation in dense text (measured: "Baz v. Qux, 100 F.3d 200 (1975)" got the
year and court of the next sentence's citation), and a wrong year or court
would be a false alarm a lawyer has to clear by hand.

Every rule here leans towards silence: an issue is reported only when the
citation as written cannot be right, so a lawyer can trust each one at a glance.
"""

from __future__ import annotations

import bisect
import csv
import io
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from reviewer.core.anchors import offset_selector
from reviewer.core.annotations import new_id, taken_spans
from reviewer.core.errors import ReviewerError
from reviewer.core.model import Annotation, PageText

#: Issue id → the short name a reviewer sees (ids are a contract: scripts match on them).
ISSUES: dict[str, str] = {
    "unknown_reporter": "Unknown reporter",
    "impossible_volume_page": "Impossible volume or page",
    "reporter_year": "Year outside the reporter's years",
    "court_mismatch": "Court does not fit the reporter",
    "no_antecedent": "Short form with nothing to refer to",
    "conflicting_names": "One citation, two case names",
    "not_in_known_list": "Not in the known citations",
    "known_name_mismatch": "Case name differs from the known citations",
}

#: The legal-errors taxonomy's citation subtype for each issue (None: no single one fits).
_SUBTYPES: dict[str, str | None] = {
    "unknown_reporter": "wrong_reporter",
    "impossible_volume_page": "wrong_reporter",
    "reporter_year": "wrong_reporter",
    "court_mismatch": "wrong_court",
    "no_antecedent": None,
    "conflicting_names": "fabricated_authority",
    "not_in_known_list": "fabricated_authority",
    "known_name_mismatch": "fabricated_authority",
}

ORIGIN = "suggested:citations"


@dataclass(frozen=True)
class Finding:
    """A citation found on a page, or one problem with it (``issue`` None: no problem)."""

    page: int  # 0-based
    start: int  # offsets in that page's text
    end: int
    text: str
    issue: str | None
    reason: str

    def as_json(self) -> dict[str, Any]:
        """The ``reviewer citations`` output line (a contract: the page is 1-based here)."""
        return {
            "page": self.page + 1,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "issue": self.issue,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class KnownCitations:
    """Citations someone has checked: normalised citation → the case names given for it."""

    source: str
    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, key: object) -> bool:
        return key in self.names


# ---------------------------------------------------------------------------
# Reference data (reporters-db, courts-db), loaded once on first use

_THIS_YEAR = date.today().year

#: Cite types whose volumes are bound books numbered from 1 and whose pages are pages
#: (not West/Lexis document numbers, year-numbered neutral cites or CCH paragraphs).
_PRINT_TYPES = frozenset({"federal", "state", "state_regional", "scotus_early"})

#: Highest volume that exists (with a margin), as of 2025, for the reporters cited most.
#: Closed series end where they ended; open ones get room for a few years of growth.
#: Any other bound reporter: West starts a new series before volume 1000.
_MAX_VOLUME: dict[str, int] = {
    "U.S.": 610,  # volume 600 appeared in 2024; 610 is years away
    "S. Ct.": 160,  # 145 in 2025
    "L. Ed.": 100,  # closed
    "L. Ed. 2d": 260,  # about 220 in 2025
    "F.": 300,  # closed
    "F.2d": 999,  # closed
    "F.3d": 999,  # closed
    "F.4th": 200,  # about 130 in 2025
    "F. Supp.": 999,  # closed
    "F. Supp. 2d": 999,  # closed
    "F. Supp. 3d": 900,  # about 780 in 2025
    "F. App'x": 900,  # closed in 2021, before volume 900
}
_MAX_PRINT_VOLUME = 999
_MAX_PAGE = 5000  # no bound reporter volume runs to 5,000 pages

#: reporters-db dates known to be wrong, where being wrong would raise a false alarm: the
#: first series of F. Supp. ran to 1998 (volume 999), not 1988; F.3d and F. App'x
#: closed in 2021 when F.4th began.
_DATE_FIXES: dict[str, tuple[int | None, int | None]] = {
    "F. Supp.": (1932, 1998),
    "F. Supp. 2d": (1998, 2014),
    "F.3d": (1993, 2021),
    "F. App'x": (2001, 2021),
}
#: Real reporters and codes cited in briefs that reporters-db does not list.
_EXTRA_KNOWN = (
    "FCC Rcd.",
    "F.C.C. Rcd.",
    "Cong. Rec.",
    "Fed. R. Civ. P.",
    "Fed. R. Crim. P.",
    "Fed. R. App. P.",
    "Fed. R. Evid.",
    "Op. O.L.C.",
)

_SCOTUS = frozenset({"U.S.", "S. Ct.", "L. Ed.", "L. Ed. 2d"})
_APPEALS_ONLY = frozenset({"F.3d", "F.4th", "F. App'x"})
_DISTRICT_ONLY = frozenset({"F. Supp.", "F. Supp. 2d", "F. Supp. 3d"})
#: District court opinions moved from F.2d to F. Supp. when it began (1932); a few
#: years of grace for the changeover.
_F2D_DISTRICT_UNTIL = 1939


@dataclass(frozen=True)
class _Edition:
    """One edition of a reporter (F.3d of the Federal Reporter), as reporters-db describes it."""

    name: str  # "F.3d"
    full_name: str  # "Federal Reporter"
    cite_type: str
    start: int | None  # first and last year of publication (None: unknown, or still going)
    end: int | None


@dataclass(frozen=True)
class _Court:
    kind: str  # "appeals", "district", "bankruptcy", "state" or "" (not classified)
    state: str = ""  # the state abbreviation of a state court ("Cal.")


class _Data:
    """Tables built from reporters-db and courts-db (about 0.1 s, once)."""

    def __init__(self) -> None:
        import reporters_db
        from courts_db import courts

        self.editions: dict[str, list[_Edition]] = {}  # squashed written form → editions
        self.known: set[str] = set()  # squashed names of every reporter, code and journal
        for key, reporters in reporters_db.REPORTERS.items():
            for reporter in reporters:
                variations = reporter.get("variations", {})
                for name, dates in reporter["editions"].items():
                    edition = _edition(
                        name,
                        reporter.get("name", key),
                        reporter.get("cite_type", ""),
                        dates.get("start"),
                        dates.get("end"),
                    )
                    forms = {name, *(v for v, canon in variations.items() if canon == name)}
                    for form in forms:
                        self.editions.setdefault(_squash_reporter(form), []).append(edition)
                self.known.add(_squash_reporter(key))
        for table in (reporters_db.LAWS, reporters_db.JOURNALS):
            for key, entries in table.items():
                self.known.add(_squash_reporter(key))
                for entry in entries:
                    self.known.update(_squash_reporter(v) for v in entry.get("variations", []))
        self.known.update(self.editions)
        self.known.update(_squash_reporter(name) for name in _EXTRA_KNOWN)
        self.abbreviations: dict[str, frozenset[str]] = {
            abbr.lower(): frozenset(re.sub(r"\W", "", w).lower() for w in words)
            for abbr, words in reporters_db.CASE_NAME_ABBREVIATIONS.items()
            if words
        }
        self.states = sorted(reporters_db.STATE_ABBREVIATIONS, key=len, reverse=True)
        self.court_systems: dict[str, set[str]] = {}
        for court in courts:
            cite = _squash_court(court.get("citation_string") or "")
            if cite:
                self.court_systems.setdefault(cite, set()).add(court.get("system") or "")

    def state_of(self, text: str) -> str:
        """The state abbreviation ``text`` begins with ("Cal. Rptr. 3d" → "Cal."), or ""."""
        for abbr in self.states:
            if text.startswith(abbr) and not text[len(abbr) : len(abbr) + 1].islower():
                return abbr
        return ""


_data_lock = threading.Lock()
_data_cache: _Data | None = None


def _data() -> _Data:
    global _data_cache
    if _data_cache is None:
        with _data_lock:
            if _data_cache is None:
                _data_cache = _Data()
    return _data_cache


def _edition(name: str, full_name: str, cite_type: str, start: Any, end: Any) -> _Edition:
    first, last = _DATE_FIXES.get(name, (_year(start), _year(end)))
    return _Edition(name, full_name, cite_type, first, last)


def _year(value: Any) -> int | None:
    if value is None:
        return None
    year = getattr(value, "year", None)
    if isinstance(year, int):
        return year
    m = re.match(r"\d{4}", str(value))
    return int(m.group()) if m else None


def _squash_reporter(text: str) -> str:
    """One form per reporter: "F. 3d" is "F.3d", "F.Supp. 2d" is "F. Supp. 2d"."""
    return re.sub(r"\s+", "", text).replace("’", "'").lower()


def _squash_court(text: str) -> str:
    return re.sub(r"[^\w]", "", text).lower()


_CIRCUIT_RE = re.compile(
    r"^(?:1st|2d|2nd|3d|3rd|[4-9]th|1[01]th|D\.\s?C\.|Fed\.)\s+Cir\.?(?:\s+Unit\s+[AB])?$"
)
_DISTRICT_RE = re.compile(r"^(?:[NSEWMC]\.\s?)?D\.\s?[A-Z]")
_BANKRUPTCY_RE = re.compile(r"^Bankr\.|\bB\.\s?A\.\s?P\.|\bBAP\b")


def _classify_court(court: str) -> _Court:
    """What kind of court a parenthetical names; "" when it is not sure.

    Circuits and bankruptcy courts are known by their shape ("2d Cir.", "Bankr. D.
    Del."); a district court by its shape *and* courts-db knowing it as federal (so
    "D.C." - the D.C. Court of Appeals - is not one); a state court only when
    courts-db knows the name as a state court and it begins with a state's
    abbreviation.
    """
    court = " ".join(court.split())
    if not court:
        return _Court("")
    if _CIRCUIT_RE.match(court):
        return _Court("appeals")
    if _BANKRUPTCY_RE.search(court):
        return _Court("bankruptcy")
    data = _data()
    systems = data.court_systems.get(_squash_court(court), set())
    if _DISTRICT_RE.match(court) and "federal" in systems:
        return _Court("district")
    state = data.state_of(court)
    if systems == {"state"} and state:
        return _Court("state", state)
    return _Court("")


# ---------------------------------------------------------------------------
# Finding citations and reading what surrounds them


@dataclass
class _Cite:
    """One citation in the document's text (offsets into the joined pages)."""

    kind: str  # "full", "short", "id", "supra", "law", "journal", "other"
    start: int  # the span a reviewer sees: case name to parenthetical
    end: int
    core: tuple[int, int]  # "550 U.S. 544"
    volume: str = ""
    reporter: str = ""  # as written
    page: str = ""
    editions: tuple[_Edition, ...] = ()
    known_reporter: bool = True
    name: str = ""  # case name (full), antecedent word (short, supra)
    pin: str = ""
    court: str = ""
    year: int | None = None
    by_eyecite: bool = True
    quoted: bool = False  # inside "(citing ...)" or "(quoting ...)": its source's citation
    quote: str = ""  # the citation's own words ("42 U.S.C. § 1983", "Dkt. 12")
    issues: list[tuple[str, str]] = field(default_factory=list)
    refers_to: _Cite | None = None

    @property
    def canonical(self) -> str:
        """The reporter's standard abbreviation when every candidate edition agrees."""
        names = {e.name for e in self.editions}
        return names.pop() if len(names) == 1 else self.reporter

    @property
    def label(self) -> str:
        if self.volume and self.reporter and self.page:
            return f"{self.volume} {self.canonical} {self.page}"
        return self.quote

    @property
    def key(self) -> str:
        return _citation_key(self.volume, self.canonical, self.page)


def _citation_key(volume: str, reporter: str, page: str) -> str:
    """The form known-list entries and repeated citations are matched on."""
    vol = str(int(volume)) if volume.isdigit() else volume.strip()
    pg = str(int(page)) if page.isdigit() else re.sub(r"\s+", "", page)
    return f"{vol} {_squash_reporter(reporter)} {pg}"


def _editions_of(cite: Any) -> tuple[_Edition, ...]:
    guess = getattr(cite, "edition_guess", None)
    editions = [guess] if guess is not None else list(getattr(cite, "all_editions", None) or ())
    out = []
    for e in editions:
        reporter = getattr(e, "reporter", None)
        out.append(
            _edition(
                str(getattr(e, "short_name", "")),
                str(getattr(reporter, "name", "")),
                str(getattr(reporter, "cite_type", "")),
                getattr(e, "start", None),
                getattr(e, "end", None),
            )
        )
    return tuple(out)


_KINDS = {
    "FullCaseCitation": "full",
    "ShortCaseCitation": "short",
    "IdCitation": "id",
    "SupraCitation": "supra",
    "FullLawCitation": "law",
    "FullJournalCitation": "journal",
    "ReferenceCitation": "reference",
    "UnknownCitation": "other",
}


def _eyecite_cites(text: str) -> list[_Cite]:
    from reviewer.core.pii.suppress import _eyecite  # imported once, warnings kept quiet

    if not text.strip():
        return []  # eyecite refuses an empty text
    out = []
    for cite in _eyecite()(text):
        start, end = cite.span()
        if end <= start:
            continue
        kind = _KINDS.get(type(cite).__name__, "other")
        groups = getattr(cite, "groups", None) or {}
        out.append(
            _Cite(
                kind,
                start,
                end,
                (start, end),
                volume=str(groups.get("volume") or ""),
                reporter=str(groups.get("reporter") or ""),
                page=str(groups.get("page") or ""),
                editions=_editions_of(cite) if kind in ("full", "short") else (),
            )
        )
    return out


#: Something shaped like "volume Reporter. page" ("12 Xyz. Rptr. 45"): a dotted, capitalised
#: abbreviation of one to six words (ordinal series such as "3d" included) between numbers.
_REPORTER_WORD = r"(?:[A-Z][A-Za-z.'’&]*(?:\d(?:d|st|nd|rd|th)\.?)?|\d(?:d|st|nd|rd|th)\.?|&)"
_SHAPE_RE = re.compile(
    rf"(?<![\w.§/:,-])(?P<volume>\d{{1,5}}) "
    rf"(?P<reporter>{_REPORTER_WORD}(?: {_REPORTER_WORD}){{0,5}}?)"
    r" (?P<page>\d{1,6})(?![\w/:-]|\.\d)"
)
#: One word of a reporter's abbreviation: short ("Rptr.", "Supp."), initials ("F.C.C."),
#: capitals ("WL"), a series ("3d", "F.4th") - never a whole word such as "Agreement.".
_ABBREVIATION_WORD_RE = re.compile(
    r"[A-Z][a-z]{0,4}\.?|(?:[A-Z]\.)+(?:\d(?:d|st|nd|rd|th))?|[A-Z]{1,5}|"
    r"[A-Z][a-z]*['’][a-z]+\.?|[A-Z]\.?\d(?:d|st|nd|rd|th)|\d(?:d|st|nd|rd|th)\.?|&"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Record and date words before a number are not reporters ("12 Jan. 2020", "2 Tr. 45").
_NOT_REPORTERS = _words(
    "jan. feb. mar. apr. may jun. jul. aug. sep. sept. oct. nov. dec. no. nos. vol. vols. "
    "p. pp. para. paras. fig. figs. ex. exh. exs. tab. tr. dkt. doc. ecf art. arts. sec. "
    "secs. ch. chs. pt. pts. cl. st. ave. rd. blvd. ste. fl. rm. apt. mr. ms. mrs. dr. "
    "inc. co. corp. ltd. app. j.a. r. e.r. s.e.r. compl. decl. dep. mot. br. hr'g a.m. p.m."
)


def _shape_cites(text: str, taken: Sequence[tuple[int, int]]) -> list[_Cite]:
    """Citation-shaped text eyecite did not read: unknown reporters, volume 0 and the like."""
    data = _data()
    out = []
    for m in _SHAPE_RE.finditer(text):
        reporter = m.group("reporter")
        words = reporter.split()
        if "." not in reporter or words[0].lower() in _NOT_REPORTERS:
            continue
        if not all(_ABBREVIATION_WORD_RE.fullmatch(w) for w in words):
            continue
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        squashed = _squash_reporter(reporter)
        known = squashed in data.known
        if not known and any(w.lower() in _NOT_REPORTERS for w in words):
            continue  # "5 Main St. 10": an address, not "Main St." the reporter
        editions = tuple(data.editions.get(squashed, ()))
        out.append(
            _Cite(
                "full",
                m.start(),
                m.end(),
                (m.start(), m.end()),
                volume=m.group("volume"),
                reporter=" ".join(reporter.split()),
                page=m.group("page"),
                editions=editions,
                known_reporter=known,
                by_eyecite=False,
            )
        )
    return out


# Pin cites after a citation: ", 570", ", 570-71", ", at *3", ", 570 n.4" - never the
# volume of a parallel citation (", 127 S. Ct. 1955").
_PINS_RE = re.compile(
    r"(?:,?\s*(?:at\s+)?\*?(?P<pin>\d+)(?!\s*[A-Z\d])(?:\s*[-–—]\s*\*?\d+)?"
    r"(?:\s*nn?\.\s*\d+(?:\s*[-–]\s*\d+)?)?)*"
)
_FIRST_PIN_RE = re.compile(r"\s*,?\s*(?:at\s+)?\*?(\d+)")
_PAREN_RE = re.compile(r"\s*\((?P<inside>[^()]{0,120})\)")
_COURT_YEAR_RE = re.compile(
    r"^(?P<court>.*?)[\s,]*(?:(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|"
    r"July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
    r"\s+\d{1,2},?\s*)?(?P<year>\d{4})$"
)


def _read_tail(text: str, pos: int, stop: int) -> tuple[int, str, str, int | None, int]:
    """After a citation: (end of pin cites, first pin, court, year, end of parenthetical)."""
    pins = _PINS_RE.match(text, pos, stop)
    pins_end = pins.end() if pins and pins.end() > pos else pos
    first = _FIRST_PIN_RE.match(text, pos, pins_end) if pins_end > pos else None
    pin = first.group(1) if first else ""
    paren = _PAREN_RE.match(text, pins_end, stop)
    if paren:
        m = _COURT_YEAR_RE.match(" ".join(paren.group("inside").split()))
        if m:
            court = m.group("court").strip(" ,")
            return pins_end, pin, court, int(m.group("year")), paren.end()
    return pins_end, pin, "", None, pins_end


# Case names: walk back from the citation over the words a case name is made of.
_CONNECTORS = _words(
    "of the and for de del la le du von van der ex rel. et al. al v. vs. vs v re on upon to & d/b/a"
)
_SIGNALS = _words(
    "see see, cf. cf., accord accord, but compare contra also e.g. e.g., in under as "
    "following citing quoting and thus here moreover similarly likewise indeed further "
    "finally therefore because while although since after before unlike like with per "
    "generally applying according relying discussing accordingly hence however notably "
    "specifically nevertheless then when where whereas only even for"
)
_SUFFIXES = _words(
    "inc. inc ltd. ltd llc l.l.c. co. corp. l.p. lp llp n.a. p.c. plc s.a. ag gmbh et"
)
_PARTY_WORD_RE = re.compile(r"[\w'’&.\-/]+,?")
_MAX_NAME_WORDS = 16


def _all_capitals(word: str) -> bool:
    letters = [ch for ch in word if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters) and word.lower() not in ("v.",)


def _abbreviation_like(word: str) -> bool:
    """Whether a word's period is an abbreviation's ("Corp.", "Atl.", "U.S.", "Ass'n").

    Such words end with a period without ending a sentence.
    """
    core = word.rstrip(",")
    if core.lower() in _data().abbreviations or core.lower() in _SUFFIXES:
        return True
    if re.fullmatch(r"[A-Z]{3,}\.", core):
        return False  # "...under the TCPA. See Satterfield": acronyms take no period
    if re.fullmatch(r"(?:[A-Z]\.)+", core) or "'" in core or "’" in core:
        return True
    return len(core.rstrip(".")) <= 4


def _case_name_before(text: str, pos: int, floor: int) -> tuple[int, str] | None:
    """The case name ending just before ``pos`` ("Bell Atl. Corp. v. Twombly, "), if any."""
    window = text[max(floor, pos - 240) : pos]
    offset = pos - len(window)
    # "Zepeda Rivas v. Jennings, No. 20-cv-02731-VC, 2020 WL 2059848": skip the docket number.
    comma = re.search(
        r"(?:,\s*(?:Case\s+|Civil\s+Action\s+|Civ\.\s+)?Nos?\.\s*[\w:.\-]+"
        r"(?:\s*(?:,|&|and)\s*[\w:.\-]*\d[\w:.\-]*)*)?,\s*$",
        window,
    )
    if not comma:
        return None
    words = list(re.finditer(r"\S+", window[: comma.start()]))
    taken: list[re.Match[str]] = []
    for w in reversed(words):
        word = w.group()
        lowered = word.lower()
        if len(taken) >= _MAX_NAME_WORDS:
            break
        party_word = _PARTY_WORD_RE.fullmatch(word) and (word[0].isupper() or word[0].isdigit())
        if lowered not in _CONNECTORS and not party_word:
            break
        if word.rstrip(",").isdigit():
            break  # a pleading paper's line number
        if word.endswith(".") and word[0].isupper() and not _abbreviation_like(word):
            break  # "...the Court. Smith v. Jones": the previous sentence ends here
        if word.endswith(","):
            after = taken[-1].group().lower().rstrip(",") if taken else ""
            if after not in _SUFFIXES and lowered.rstrip(",") not in _SIGNALS:
                break
        taken.append(w)
    taken.reverse()
    # A running header in capitals before the name ("DEFENDANTS' OPPOSITION ... Glasser v.").
    capitals = 0
    while capitals < len(taken) and _all_capitals(taken[capitals].group()):
        capitals += 1
    if capitals >= 2 and capitals < len(taken) and not _all_capitals(taken[capitals].group()):
        del taken[:capitals]
    while taken:
        first = taken[0].group()
        lowered = first.lower().rstrip(",")
        nxt = taken[1].group().lower() if len(taken) > 1 else ""
        if first[0].islower() or (lowered in _SIGNALS and not (lowered == "in" and nxt == "re")):
            taken.pop(0)
        else:
            break
    names = [w.group().lower().rstrip(",") for w in taken]
    versus = [i for i, n in enumerate(names) if n in ("v.", "vs.", "vs", "v")]
    leads = (("in", "re"), ("ex", "parte"), ("matter", "of"), ("estate", "of"))
    if not (any(0 < i < len(names) - 1 for i in versus) or tuple(names[:2]) in leads):
        return None
    start = offset + taken[0].start()
    return start, " ".join(text[start : offset + taken[-1].end()].split())


_ANTECEDENT_RE = re.compile(r"([A-Z][\w'’.&\-]*(?:\s+[A-Z][\w'’.&\-]*){0,3}),?\s*$")


def _antecedent_before(text: str, pos: int, floor: int) -> tuple[int, str] | None:
    """The name a short form or supra leans on: "Twombly, 550 U.S. at 570", "Iqbal, supra"."""
    window = text[max(floor, pos - 80) : pos]
    m = _ANTECEDENT_RE.search(window)
    if not m or not window[m.end(1) :].strip(" \n\t").startswith(","):
        return None
    start, name = m.start(1), m.group(1)
    while (first := re.match(r"(\S+)\s+", name)) and first.group(1).lower() in _SIGNALS:
        start, name = start + first.end(), name[first.end() :]
    return pos - len(window) + start, name


#: References to the record, which an "Id." may follow ("Docket Entry No. 5. ... Id.").
_RECORD_RE = re.compile(
    r"\b(?:Case|Docket|Civil Action|Appeal) No\.|\bDocket Entr(?:y|ies)\b|\bDkt\. (?:No\. )?\d|"
    r"\bECF No\.|\bDoc\. No\.|\bExhibit \w|\bExh?\. \w|\b(?:E\.R\.|ER|SER|J\.A\.) \d|"
    r"\bTr\. \d|\bDecl\. "
)
_QUOTED_RE = re.compile(r"\((?:citing|quoting|cited in|cited with approval in|internal)\b")


def _collapse(text: str) -> tuple[str, list[int]]:
    """``text`` with each run of white space made one space, and where each character was.

    eyecite reads "582 F.3d 131" but not "582 F.3d \n131" (a line break in a PDF).
    """
    parts: list[str] = []
    where: list[int] = []
    for m in re.finditer(r"\s+|\S+", text):
        if m.group()[0].isspace():
            parts.append(" ")
            where.append(m.start())
        else:
            parts.append(m.group())
            where.extend(range(m.start(), m.end()))
    where.append(len(text))
    return "".join(parts), where


def _find(text: str) -> list[_Cite]:
    """Every citation in ``text`` in order, with its name, pin cite, court and year."""
    cites = _eyecite_cites(text)
    cites += _shape_cites(text, [c.core for c in cites])
    cores = [c.core for c in cites]
    for m in _RECORD_RE.finditer(text):
        if not any(a < m.end() and m.start() < b for a, b in cores):
            cites.append(_Cite("record", m.start(), m.end(), (m.start(), m.end())))
    cites.sort(key=lambda c: c.core)
    for cite in cites:
        cite.quote = text[cite.core[0] : cite.core[1]]
    starts = [c.core[0] for c in cites]
    previous_end = 0
    i = 0
    while i < len(cites):
        cite = cites[i]
        stop = starts[i + 1] if i + 1 < len(cites) else len(text)
        if cite.kind != "full":
            _read_other(text, cite, previous_end, stop)
            if cite.kind != "record":  # "Doe v. Roe, Case No. 1:20-cv-1, 2021 WL 5" is one cite
                previous_end = cite.end
            i += 1
            continue
        # A full citation and its parallel citations ("550 U.S. 544, 127 S. Ct. 1955 (2007)")
        # share one case name and one parenthetical.
        group = [cite]
        while True:
            last = group[-1]
            nxt = i + len(group)
            stop = starts[nxt] if nxt < len(cites) else len(text)
            pins_end, pin, court, year, end = _read_tail(text, last.core[1], stop)
            last.pin = pin
            following = cites[nxt] if nxt < len(cites) else None
            if (
                following is not None
                and following.kind == "full"
                and re.fullmatch(r"\s*,\s*", text[pins_end : following.core[0]])
            ):
                group.append(following)
                continue
            break
        named = _case_name_before(text, cite.core[0], previous_end)
        start = named[0] if named else cite.core[0]
        for member in group:
            member.start, member.end = start, end
            member.court, member.year = court, year
            member.name = named[1] if named else ""
        previous_end = end
        i += len(group)
    return cites


def _read_other(text: str, cite: _Cite, floor: int, stop: int) -> None:
    before = text[max(0, cite.core[0] - 300) : cite.core[0]]
    opening = before.rfind("(")
    cite.quoted = opening > before.rfind(")") and bool(_QUOTED_RE.match(before, opening))
    if cite.kind == "short":
        cite.pin = cite.page
        named = _antecedent_before(text, cite.core[0], floor)
        if named:
            cite.start, cite.name = named
    elif cite.kind == "supra":
        named = _antecedent_before(text, cite.core[0], floor)
        if named:
            cite.start, cite.name = named
        pins_end, _pin, _court, _year, _end = _read_tail(text, cite.core[1], stop)
        cite.end = max(cite.end, pins_end)


# ---------------------------------------------------------------------------
# Case names compared leniently

_STOP_WORDS = _words(
    "the of and a an for inc incorporated corp corporation co company ltd limited llc lp llp "
    "plc na pc sa ag gmbh et al"
)


@dataclass(frozen=True)
class _Word:
    """One word of a party's name: the full words it may stand for, and its abbreviation."""

    forms: frozenset[str]
    abbreviation: str = ""  # the letters as written, when written abbreviated ("atl")


def _party_words(party: str) -> list[_Word]:
    """Normalised words of one party; Bluebook abbreviations ("Atl.") know their full words."""
    data = _data()
    words = []
    for raw in re.findall(r"[^\W_]+(?:'[^\W_]+)*\.?", party.replace("’", "'")):
        lowered = raw.lower()
        letters = re.sub(r"\W", "", lowered)
        expanded = data.abbreviations.get(lowered)
        if expanded is not None:
            word = _Word(expanded, letters)
        elif raw.endswith(".") or "'" in raw:
            word = _Word(frozenset({letters}), letters)
        else:
            word = _Word(frozenset({letters}))
        if not word.forms & _STOP_WORDS:
            words.append(word)
    return words


def _parties(name: str) -> list[list[_Word]]:
    name = re.sub(r"\bU\.\s?S\.(?!\s?C)", "United States", name)
    name = re.sub(r"^\s*(?:In\s+re|Ex\s+parte|In\s+the\s+Matter\s+of|Matter\s+of)\s+", "", name)
    name = name.replace("&", " and ")
    sides = re.split(r"\s+v(?:s)?\.?\s+", name, maxsplit=1, flags=re.IGNORECASE)
    return [_party_words(side) for side in sides]


def _abbreviates(short: str, long: str) -> bool:
    """Whether ``short`` abbreviates ``long``: its first letter, then the rest in order.

    "atl" for "atlantic", "intl" for "international".
    """
    if not short or len(short) >= len(long) or short[0] != long[0]:
        return False
    rest = iter(long[1:])
    return all(ch in rest for ch in short[1:])


def _word_matches(a: _Word, b: _Word) -> bool:
    if a.forms & b.forms:
        return True
    # Only a word written abbreviated stands for a longer one: "Smith" never matches
    # "Smithfield", "Atl." matches "Atlantic".
    return any(_abbreviates(a.abbreviation, f) for f in b.forms) or any(
        _abbreviates(b.abbreviation, f) for f in a.forms
    )


def _party_matches(a: list[_Word], b: list[_Word]) -> bool:
    if not a or not b:
        return not a and not b
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    return all(_word_matches(x, y) for x, y in zip(shorter, longer, strict=False))


def same_case_name(a: str, b: str) -> bool:
    """Whether two case names name the same case, leniently.

    Case, punctuation, "v."/"vs.", "&"/"and", corporate words ("Inc.", "Corp.", "Co.")
    and Bluebook abbreviations ("Atl." for "Atlantic") do not matter, and one party
    may be a shortened form of the other ("China S. Airlines" / "China Southern
    Airlines Co., Ltd."). Both parties must match when both names give two.
    """
    pa, pb = _parties(a), _parties(b)
    if len(pa) == 2 and len(pb) == 2:
        return _party_matches(pa[0], pb[0]) and _party_matches(pa[1], pb[1])
    single, other = (pa, pb) if len(pa) == 1 else (pb, pa)
    return any(_party_matches(single[0], party) for party in other)


# ---------------------------------------------------------------------------
# The checks


def _check_full(cite: _Cite) -> None:
    label = cite.label
    if not cite.by_eyecite and not cite.known_reporter:
        cite.issues.append(
            (
                "unknown_reporter",
                f"“{cite.reporter}” in {label} is not a reporter, code or journal "
                "abbreviation known to reporters-db",
            )
        )
    _check_numbers(cite)
    _check_year(cite)
    _check_court(cite)


def _as_int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _check_numbers(cite: _Cite) -> None:
    volume, page, pin = _as_int(cite.volume), _as_int(cite.page), _as_int(cite.pin)
    types = {e.cite_type for e in cite.editions}
    printed = bool(types) and types <= _PRINT_TYPES
    label, reporter = cite.label, cite.canonical
    problems = []
    if volume == 0:
        problems.append("volume 0 does not exist")
    if page == 0:
        problems.append("page 0 does not exist")
    ceiling = _MAX_VOLUME.get(reporter)
    year_like = volume is not None and 1750 <= volume <= _THIS_YEAR + 1
    if volume is not None and ceiling is not None and volume > ceiling:
        problems.append(f"{reporter} has no volume {volume} (its volumes run to about {ceiling})")
    elif printed and volume is not None and volume > _MAX_PRINT_VOLUME and not year_like:
        problems.append(f"no volume {volume} of {reporter} exists (series end before 1000)")
    if printed and page is not None and page > _MAX_PAGE:
        problems.append(f"page {page} is beyond any bound volume (under {_MAX_PAGE} pages)")
    if printed and page and pin is not None and pin < page:
        problems.append(f"the pin cite {pin} comes before the first page {page}")
    for problem in problems:
        cite.issues.append(("impossible_volume_page", f"{label}: {problem}"))


def _check_year(cite: _Cite) -> None:
    year = cite.year
    if year is None:
        return
    if year > _THIS_YEAR + 1:
        cite.issues.append(("reporter_year", f"{cite.label} ({year}): {year} has not come yet"))
        return
    if not cite.editions:
        return

    def fits(e: _Edition) -> bool:
        # A case decided late in the year before a series began can be printed in it, and
        # reporters-db's dates are to the year at best: one year of grace at either end.
        return (e.start is None or year >= e.start - 1) and (e.end is None or year <= e.end + 1)

    if any(fits(e) for e in cite.editions):
        return
    e = cite.editions[0]
    span = f"{e.start or '?'}–{e.end or 'today'}"
    cite.issues.append(
        (
            "reporter_year",
            f"{cite.label} ({year}): {e.name} ({e.full_name}) covers {span}, not {year}",
        )
    )


def _check_court(cite: _Cite) -> None:
    court, names = cite.court, {e.name for e in cite.editions}
    if not court or len(names) != 1:
        return
    reporter = names.pop()
    kind = _classify_court(court)
    cite_type = cite.editions[0].cite_type
    federal = kind.kind in ("appeals", "district", "bankruptcy")
    reason = ""
    if reporter in _SCOTUS and kind.kind:
        reason = f"{reporter} reports only Supreme Court decisions, not the {court}"
    elif reporter in _APPEALS_ONLY and kind.kind in ("district", "bankruptcy"):
        reason = f"{reporter} reports federal courts of appeals, not a district court ({court})"
    elif (
        reporter == "F.2d"
        and kind.kind in ("district", "bankruptcy")
        and cite.year is not None
        and cite.year > _F2D_DISTRICT_UNTIL
    ):
        reason = f"district court decisions ({court}) of {cite.year} are in F. Supp., not F.2d"
    elif reporter in _DISTRICT_ONLY and kind.kind == "appeals":
        reason = f"{reporter} reports federal district courts, not the {court}"
    elif cite_type == "federal" and kind.kind == "state":
        reason = f"{reporter} is a federal reporter, but {court} is a state court"
    elif cite_type in ("state", "state_regional") and federal:
        reason = f"{reporter} is a state reporter, but {court} is a federal court"
    elif cite_type == "state" and kind.kind == "state":
        state = _data().state_of(reporter)
        if state and state != kind.state:
            reason = f"{reporter} reports {state} courts only, not {court}"
    if reason:
        cite.issues.append(("court_mismatch", f"{cite.label}: {reason}"))


def _check_references(cites: Sequence[_Cite]) -> None:
    """Id., short forms and supra: each must have something before it to refer to."""
    seen: list[_Cite] = []
    for cite in cites:
        if cite.kind == "id":
            previous = seen[-1] if seen else None
            while previous is not None and previous.kind in ("id", "short", "supra"):
                if previous.refers_to is None:
                    break
                previous = previous.refers_to  # "Id." after a short form: the case it names
            if previous is not None and previous.kind == "id":
                previous = None  # after an "Id." that itself refers to nothing
            cite.refers_to = previous
            if previous is None:
                cite.issues.append(
                    ("no_antecedent", "“Id.” with no citation before it for it to refer to")
                )
        elif cite.kind == "short":
            _check_short(cite, seen)
        elif cite.kind == "supra":
            _check_supra(cite, seen)
        seen.append(cite)


def _check_short(cite: _Cite, seen: Sequence[_Cite]) -> None:
    reporter = _squash_reporter(cite.canonical)
    matches = [
        c
        for c in seen
        if c.kind == "full"
        and _as_int(c.volume) == _as_int(cite.volume)
        and _squash_reporter(c.canonical) == reporter
    ]
    short = f"{cite.volume} {cite.canonical} at {cite.pin}"
    if not matches and not cite.quoted:
        cite.issues.append(
            (
                "no_antecedent",
                f"{short} is a short form, but no full citation to volume {cite.volume} "
                f"of {cite.canonical} comes before it",
            )
        )
        return
    if not matches:
        return
    pin = _as_int(cite.pin)
    pages = [(page, c) for c in matches if (page := _as_int(c.page)) is not None]
    before = [(page, c) for page, c in pages if pin is not None and page <= pin]
    if pages and pin is not None and not before and cite.canonical in _printed_names(matches):
        first, full = min(pages, key=lambda item: item[0])
        cite.issues.append(
            (
                "impossible_volume_page",
                f"{short}: the pin cite {pin} comes before the first page {first} of {full.label}",
            )
        )
    # The full citation whose first page is the nearest before the pin cite.
    cite.refers_to = max(before, key=lambda item: item[0])[1] if before else matches[-1]


def _printed_names(cites: Iterable[_Cite]) -> set[str]:
    return {
        c.canonical
        for c in cites
        if c.editions and all(e.cite_type in _PRINT_TYPES for e in c.editions)
    }


def _check_supra(cite: _Cite, seen: Sequence[_Cite]) -> None:
    earlier = [c for c in seen if c.kind in ("full", "journal", "law")]
    if cite.quoted:
        return
    if not earlier:
        cite.issues.append(
            ("no_antecedent", "“supra” with no full citation before it for it to refer to")
        )
        return
    if not cite.name:
        return
    wanted = _party_words(cite.name)
    for c in reversed(earlier):
        if c.kind != "full" or not c.name:
            continue
        words = [w for party in _parties(c.name) for w in party]
        if wanted and all(any(_word_matches(w, x) for x in words) for w in wanted):
            cite.refers_to = c
            return
    if all(c.kind == "full" and c.name for c in earlier):
        cite.issues.append(
            (
                "no_antecedent",
                f"“{cite.name}, supra” names no case cited in full before it",
            )
        )


def _check_names(cites: Sequence[_Cite], pages: _Pages) -> None:
    """One reporter page given under two case names: at most one of them is right."""
    by_key: dict[str, list[_Cite]] = {}
    for c in cites:
        if c.kind == "full" and c.name and c.volume and c.page:
            by_key.setdefault(c.key, []).append(c)
    for group in by_key.values():
        for cite in group:
            others = [o for o in group if o is not cite and not same_case_name(o.name, cite.name)]
            if not others:
                continue
            where = "; ".join(f"“{o.name}” on page {pages.locate(o.start)[0] + 1}" for o in others)
            cite.issues.append(
                (
                    "conflicting_names",
                    f"{cite.label} is cited here as “{cite.name}” but elsewhere as {where}",
                )
            )


def _check_known(cites: Sequence[_Cite], known: KnownCitations) -> None:
    for c in cites:
        if c.kind != "full" or not c.volume or not c.page:
            continue
        names = known.names.get(c.key)
        if names is None:
            cite_text = f"{c.label}"
            c.issues.append(
                ("not_in_known_list", f"{cite_text} is not in the known citations ({known.source})")
            )
        elif c.name and any(names) and not any(same_case_name(c.name, n) for n in names if n):
            given = " / ".join(f"“{n}”" for n in names if n)
            c.issues.append(
                (
                    "known_name_mismatch",
                    f"{c.label} is “{c.name}” here, but {given} in {known.source}",
                )
            )


# ---------------------------------------------------------------------------
# Pages


class _Pages:
    """The pages joined into one text, and offsets mapped back to (page, offset)."""

    def __init__(self, pages: Sequence[str]) -> None:
        self.pages = list(pages)
        self.starts: list[int] = []
        pos = 0
        for text in self.pages:
            self.starts.append(pos)
            pos += len(text) + 1
        self.text = "\n".join(self.pages)

    def locate(self, offset: int) -> tuple[int, int]:
        page = max(0, bisect.bisect_right(self.starts, offset) - 1)
        return page, offset - self.starts[page]

    def finding(self, start: int, end: int, issue: str | None, reason: str) -> Finding:
        page, local = self.locate(start)
        length = len(self.pages[page])
        local_end = min(length, end - self.starts[page])
        text = self.pages[page][local:local_end]
        return Finding(page, local, local_end, text, issue, reason)


def _describe(cite: _Cite) -> str:
    """What a citation is, for the line that reports it found."""
    if cite.kind == "full":
        what = "case citation" if cite.by_eyecite or cite.known_reporter else "citation-shaped"
        parts = [p for p in (cite.name, cite.court, str(cite.year or "")) if p]
        full = {e.full_name for e in cite.editions}
        reporter = f", {full.pop()}" if len(full) == 1 else ""
        return f"{what}: {cite.label}{reporter}" + (f" ({', '.join(parts)})" if parts else "")
    target = cite.refers_to
    if cite.kind == "short":
        return f"short form of {target.label}" if target else "short form"
    if cite.kind == "id":
        if target is not None and target.kind == "record":
            return f"“Id.” referring to the record ({target.label})"
        return f"“Id.” referring to {target.label}" if target else "“Id.”"
    if cite.kind == "supra":
        return f"“supra” referring to {target.label}" if target else "“supra”"
    return {"law": "statute or regulation", "journal": "journal article"}.get(cite.kind, "citation")


def check_pages(pages: Sequence[str], known: KnownCitations | None = None) -> list[Finding]:
    """Citations and their problems in one document's pages, sorted by (page, start).

    The pages are read as one text, so an "Id." at the top of a page refers to the
    citation at the bottom of the one before. There is one finding per citation
    (issue None) and one more per problem.
    """
    joined = _Pages(pages)
    text, where = _collapse(joined.text)
    cites = _find(text)
    for cite in cites:  # back to offsets in the pages as given
        cite.start, cite.end = where[cite.start], where[cite.end - 1] + 1
    for cite in cites:
        if cite.kind == "full":
            _check_full(cite)
    _check_references(cites)
    _check_names(cites, joined)
    if known is not None:
        _check_known(cites, known)
    findings = []
    for cite in cites:
        if cite.kind in ("other", "reference", "record"):
            continue
        findings.append(joined.finding(cite.start, cite.end, None, _describe(cite)))
        findings.extend(joined.finding(cite.start, cite.end, i, r) for i, r in cite.issues)
    findings.sort(key=lambda f: (f.page, f.start, f.issue is not None, f.issue or "", f.end))
    return findings


def check_text(text: str, known: KnownCitations | None = None) -> list[Finding]:
    """:func:`check_pages` for a text that is one page."""
    return check_pages([text], known)


# ---------------------------------------------------------------------------
# Known citations


def parse_known(text: str, source: str) -> KnownCitations:
    """Read a known-citations CSV: the header ``citation,case_name``, then one per row.

    A case name with unquoted commas ("China Southern Airlines Co., Ltd.") is taken
    whole. Raises :class:`ReviewerError` naming ``source`` and the line for a missing
    header, an empty citation or one that is not a case citation.
    """
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    names: dict[str, list[str]] = {}
    header_seen = False
    try:
        for row in rows:
            line = rows.line_num
            if not any(cell.strip() for cell in row):
                continue
            if not header_seen:
                got = [cell.strip().lower() for cell in row]
                if got[:2] != ["citation", "case_name"]:
                    found = ",".join(row)[:60]
                    raise ReviewerError(
                        f"{source}: line {line}: expected the header “citation,case_name”, "
                        f"found “{found}”"
                    )
                header_seen = True
                continue
            citation = row[0].strip()
            name = ", ".join(cell.strip() for cell in row[1:] if cell.strip())
            if not citation:
                raise ReviewerError(f"{source}: line {line}: the citation is empty")
            key = _known_key(citation)
            if key is None:
                raise ReviewerError(
                    f"{source}: line {line}: “{citation}” is not a case citation "
                    "(volume, reporter, page)"
                )
            names.setdefault(key, [])
            if name and name not in names[key]:
                names[key].append(name)
    except csv.Error as exc:
        raise ReviewerError(f"{source}: line {rows.line_num}: {exc}") from exc
    if not header_seen:
        raise ReviewerError(f"{source}: line 1: expected the header “citation,case_name”")
    return KnownCitations(source, {k: tuple(v) for k, v in names.items()})


def _known_key(citation: str) -> str | None:
    cites = [c for c in _eyecite_cites(citation) if c.kind == "full" and c.volume and c.page]
    if len(cites) != 1:
        return None
    return cites[0].key


def load_known(path: str | Path) -> KnownCitations:
    """:func:`parse_known` on a UTF-8 file (errors name the file)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReviewerError(f"{path.name}: not UTF-8 text (byte {exc.start})") from exc
    except OSError as exc:
        raise ReviewerError(f"{path.name}: {exc.strerror or exc}") from exc
    return parse_known(text, path.name)


# ---------------------------------------------------------------------------
# Proposed annotations


def citation_proposals(
    findings: Iterable[Finding],
    layers: Mapping[int, PageText],
    existing: Sequence[Annotation],
    *,
    document: str,
    author: str,
    taxonomy: str = "legal-errors",
    label: str = "citation",
) -> list[Annotation]:
    """Proposed annotations for the findings with an issue, one per citation span.

    Issues on overlapping spans become one proposal (reasons joined by "; "), and
    a span the document already annotates - accepted, proposed or rejected - is left
    alone, as for PII suggestions: a rejected proposal must not come back.
    """
    taken = taken_spans(existing)
    merged: dict[int, list[list[Any]]] = {}  # page → [start, end, reasons, subtypes]
    for f in sorted(findings, key=lambda f: (f.page, f.start, f.end)):
        if f.issue is None or f.page not in layers:
            continue
        reason = f"{ISSUES.get(f.issue, f.issue)}: {f.reason}"
        spans = merged.setdefault(f.page, [])
        if spans and f.start < spans[-1][1]:
            last = spans[-1]
            last[1] = max(last[1], f.end)
            if reason not in last[2]:
                last[2].append(reason)
            last[3].add(_SUBTYPES.get(f.issue))
        else:
            spans.append([f.start, f.end, [reason], {_SUBTYPES.get(f.issue)}])
    out = []
    for page, spans in sorted(merged.items()):
        layer = layers[page]
        for start, end, reasons, subtypes in spans:
            if any(a < end and start < b for a, b in taken.get(page, [])):
                continue
            subtype = subtypes.pop() if len(subtypes) == 1 else None
            out.append(
                Annotation(
                    id=new_id(),
                    document=document,
                    taxonomy=taxonomy,
                    label=label,
                    selector=offset_selector(layer, start, end),
                    subtype=subtype if (taxonomy, label) == ("legal-errors", "citation") else None,
                    origin=ORIGIN,
                    state="proposed",
                    author=author,
                    reason="; ".join(reasons),
                )
            )
    return out


__all__ = [
    "ISSUES",
    "Finding",
    "KnownCitations",
    "check_pages",
    "check_text",
    "citation_proposals",
    "load_known",
    "parse_known",
    "same_case_name",
]
