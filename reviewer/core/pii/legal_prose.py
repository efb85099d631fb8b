"""Names, organisations and addresses in legal and financial prose, found by their cues.

Court filings and agreements announce who is who: a caption puts each party
before "Plaintiff," or "Defendant.", a signature block puts the signer after
"/s/", "By:" or "Name:", a preamble defines a party as ``Acme Corp. (the
"Borrower")``, an organisation ends in "Inc." or "LLP", an address is a
number, a street name and a street type. These detectors follow such cues
rather than guessing from capital letters, because legal text is full of
capitalised headings and defined terms ("ACCOUNTING AND OTHER TERMS", "the
Administrative Agent") that are not names; a role noun is never suggested.

Every pattern tolerates the token-spaced punctuation of extracted or
tokenised text ("AKAMAI TECHNOLOGIES , INC .", "By : / s / Jane Q . Roe") as
well as ordinary prose. A page is analysed once and each detector reports its
share of the result (:func:`_analyse` is cached), so a name found by a strong
cue can also be suggested where it recurs on the same page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from reviewer.core.pii.base import Detector, Suggestion, suggestion


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# ---------------------------------------------------------------------------
# Vocabulary

_U = "A-ZÀ-ÖØ-Þ"  # upper-case letters, Latin-1 included (ANGÉLICA, SOCIÉTÉ)
_L = "a-zß-öø-ÿ"
_H = r"[^\S\n]"  # horizontal white space, no-break space included
_Q_OPEN = "\"“”'‘"
_Q_CLOSE = "\"“”'’"

#: A capitalised word: Smith, McCray, DeAngelo, O'Brien, Smith-Jones.
_TITLE_WORD = rf"[{_U}](?:['’][{_U}])?[{_L}]+(?:[{_U}][{_L}]+)?(?:-[{_U}][{_L}]+)?"
#: A word in capitals: SMITH, O'CONNOR, ZEPEDA-RIVAS.
_UPPER_WORD = rf"[{_U}](?:['’][{_U}])?[{_U}]+(?:-[{_U}]+)?"
#: An initial, with its dot possibly spaced off ("E ."), or a bare middle initial.
_INITIAL = rf"[{_U}](?:{_H}?\.|(?={_H}+[{_U}][{_L}]))"
_WORD = rf"(?:{_TITLE_WORD}|{_UPPER_WORD})"
_TOKEN_RE = re.compile(rf"{_WORD}(?![\w])|{_INITIAL}")
#: A run of name-like tokens on one line, validated token by token afterwards.
_RUN = rf"(?:{_WORD}|{_INITIAL})(?:{_H}+(?:{_WORD}|{_INITIAL})){{0,6}}"
_GENERATION_RE = re.compile(rf"{_H}*,?{_H}*(?:Jr|Sr|JR|SR){_H}?\.?|{_H}+(?:II|III|IV)\b")

#: Words that end a name when they follow one on a form line ("Name: X Title: Y").
_FIELD_WORDS = _words(
    """title name by its date dated address fax tel telephone phone email e-mail mail
    attn attention re signature witness notary print printed sign signed mobile cell
    facsimile direct office ph web www"""
)

#: Defined roles of agreements and pleadings: never a name, whatever their case.
ROLE_WORDS = _words(
    """borrower borrowers lender lenders agent agents administrative collateral
    syndication documentation arranger arrangers guarantor guarantors company companies
    bank banks issuer issuers issuing purchaser purchasers seller sellers buyer buyers
    trustee trustees holder holders parent subsidiary subsidiaries licensor licensee
    landlord tenant employer employee employees executive party parties obligor obligors
    debtor debtors creditor creditors secured servicer depositor sponsor investor investors
    shareholder shareholders stockholder stockholders member members manager managers
    partner partners contractor consultant customer customers supplier vendor assignor
    assignee pledgor pledgee grantor grantee beneficiary appellant appellants appellee
    appellees petitioner petitioners respondent respondents claimant claimants plaintiff
    plaintiffs defendant defendants recipient discloser disclosing receiving lessee lessor
    mortgagor mortgagee indemnitee indemnitor owner operator user client provider
    distributor franchisor franchisee intervenor intervenors movant relator counsel
    attorney attorneys underwriter underwriters representative representatives participant
    participants affiliate affiliates person persons entity individual officer officers
    director directors committee guarantee co-borrower co-borrowers obligations loan loans
    note notes"""
)

#: Job titles: a name may stand next to one, but a title is not a name.
_TITLE_WORDS = _words(
    """president vice chairman chairwoman chairperson chair ceo cfo coo cto gc chief
    officer secretary treasurer controller director managing senior executive general
    legal authorized authorised signatory manager partner associate principal founder
    esq esquire counsel attorney judge justice clerk deputy assistant sole svp evp vp
    head member trustee administrator agent owner"""
)

#: Words that make a capitalised phrase an organisation rather than a person.
ORG_WORDS = _words(
    """bank banking company companies corporation corp inc incorporated llc llp lp ltd
    limited plc trust group holdings holding partners partnership capital fund funds
    association foundation university college school church chapel court courts
    district county city state states department agency office committee council
    commission board authority bureau services service technologies technology systems
    solutions international investments investment ventures venture lending finance
    financial mortgage assurance insurance housing communities community management
    securities union society institute hospital center centre industries enterprises
    resources energy properties property realty development networks communications
    media pharmaceuticals labs laboratories brothers associates consulting airlines
    motors electric healthcare health medical army navy force government republic
    national federal reserve commonwealth ministry administration clinic equity advisors
    advisers global america american bancorp fargo chase mutual credit savings federation
    alliance league network conference coalition project projects program programme
    initiative facility facilities division unit press news times journal magazine law
    firm pllc pc pa na gmbh ag sa nv bv sarl spa pty plaza tower building park mall
    airport station bridge hall museum library estate estates apartments logistics
    shipping transport trading exchange market markets software data digital studios
    entertainment pictures records foods food beverage oil gas petroleum mining steel
    chemical chemicals water power light utility utilities regional"""
)

#: Words of legal and financial drafting that start capitalised phrases and headings.
_DRAFTING_WORDS = _words(
    """agreement agreements section sections article articles exhibit exhibits schedule
    schedules annex appendix clause paragraph part item rule rules regulation title
    chapter act code statute order orders motion complaint amended second first third
    fourth amendment supplement supplemental plan class series tranche term terms
    event events default defaults date dates closing effective maturity period credit
    facility advance advances commitment commitments collateral security interest
    interests account accounts payment payments principal amount amounts rate rates
    notice notices document documents certificate financial statements statement report
    reports table contents introduction background parties jurisdiction venue prayer
    relief count counts claim claims cause causes action actions jury trial demanded
    granted denied dismissed case cases docket page pages filed entry redacted version
    sealed the this that these those each any all every such no not none and or of for
    to in on at by with from into under upon other others whereas now therefore
    witnesseth recitals definitions defined accounting representations warranties
    covenants conditions miscellaneous general provisions governing law waiver waivers
    sec gaap ucc usd id ibid see also cf supra infra et al v vs versus i ii iii iv vi
    vii viii ix x xi xii united kingdom district circuit supreme appeals appellate
    bankruptcy superior federal division northern southern eastern western central
    middle state county city island republic honorable hon mr mrs ms dr miss mx prof
    sir dame rev mister madam decl aff ex exh dep depo tr br mot opp compl mem supp
    transcript declaration affidavit deposition testimony memorandum brief opinion"""
)

#: Function words and verbs that open capitalised headings ("Defendants Are Subject To").
_COMMON_WORDS = _words(
    """a an as are is was were be been being has have had do does did would shall should
    might must can could further also only so if than then when where which who whom whose
    why how what there here its their his her our your my we they he she it you me us them
    but nor yet because before after during while until against between among about above
    below within without through over again once more most some such own same very just
    both either neither whether however including regarding concerning pursuant subject
    proper improper known unknown fails failed concealed"""
)

_DETERMINERS = _words("the this that these those each any all every such")

#: Geographic words that end place names ("George Town", "James River").
_GEO_WORDS = _words(
    """town river creek cliff cliffs flat flats lodge island islands lake lakes mountain
    mountains mount bay valley harbor harbour port county city village springs falls
    heights beach forest park ridge canyon point grove gardens hills meadows woods
    station airport base camp"""
)

#: First words of place names ("San Francisco", "New York", "Fort Bliss").
_PLACE_WORDS = _words(
    """san santa los las new fort saint st mount mt north south east west port lake
    el la le de des del bay beach city valley springs falls heights park"""
)

#: Particles of compound surnames ("San Pedro-Salcedo", "de la Cruz", "Van Buren"),
#: which are also first words of places: part of a name only inside one.
_SURNAME_PARTICLES = _words("san santa de del della la le van von der den da di du dos st saint")
_PARTICLE_CITIES = frozenset(
    """san francisco|san jose|san diego|san antonio|san mateo|san bernardino|san juan|
    santa monica|santa clara|santa barbara|santa ana|santa fe|santa rosa|santa cruz|
    st louis|st paul|saint louis|saint paul|des moines|del mar|la jolla|le mars""".replace("\n", "")
    .replace("    ", "")
    .split("|")
)

#: Surnames that are also everyday words: not propagated on their own ("Young", "Price").
_COMMON_SURNAME_WORDS = _words(
    """young price rich white black brown green gray grey long short little small large
    king queen bishop major moore best wise good hope love bell hall wall hill rose
    may march bill will mark cash law strong bank banks stock stocks ford power"""
)

_STATES = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
    "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "Florida": "FL", "Georgia": "GA",
    "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA",
    "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD",
    "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS",
    "Missouri": "MO", "Montana": "MT", "Nebraska": "NE", "Nevada": "NV",
    "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY",
    "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK",
    "Oregon": "OR", "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC",
    "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX", "Utah": "UT", "Vermont": "VT",
    "Virginia": "VA", "Washington": "WA", "West Virginia": "WV", "Wisconsin": "WI",
    "Wyoming": "WY", "District of Columbia": "DC", "Puerto Rico": "PR",
}  # fmt: skip
_STATE_WORDS = frozenset(w.lower() for name in _STATES for w in name.split())
_MONTHS = _words(
    """january february march april may june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday
    thursday friday saturday sunday"""
)

#: Never a word of a person's name.
_NOT_PERSON = ROLE_WORDS | ORG_WORDS | _DRAFTING_WORDS | _STATE_WORDS | _TITLE_WORDS | _COMMON_WORDS
#: ... nor, outside an explicit "Name:" field, these.
_NOT_PERSON_LOOSE = _NOT_PERSON | _FIELD_WORDS | _MONTHS | _PLACE_WORDS

#: Common US given names (Social Security name frequencies), without those that are
#: also ordinary words, places or legal terms ("Grace", "Chase", "Virginia", "Brady").
_GIVEN_NAMES = _words(
    """Aaron Abigail Adam Adrian Adriana Adrienne Aimee Alan Albert Alec Alejandra Alejandro
    Alex Alexa Alexander Alexandra Alexandria Alexis Alfred Alice Alicia Alisha Alison Allen
    Allison Alvin Alyssa Amanda Amy Ana Andre Andrea Andres Andrew Angela Angelica Angie Anita
    Ann Anna Anne Annette Anthony Antonio Ariana Ariel Arthur Ashlee Ashley Audrey Barbara
    Barry Becky Belinda Benjamin Bernard Beth Bethany Betty Beverly Bianca Billy Blake Bobby
    Bonnie Brad Bradley Brandi Brandon Brandy Breanna Brenda Brendan Brent Brett Brian Briana
    Brianna Bridget Brittany Brittney Bruce Bryan Bryce Caitlin Caitlyn Caleb Calvin Cameron
    Candace Candice Carl Carla Carlos Carly Carol Caroline Carolyn Carrie Casey Cassandra
    Cassie Catherine Cathy Cesar Chad Charlene Charles Charlotte Chelsea Chelsey Cheryl
    Cheyenne Chloe Chris Christie Christina Christine Christopher Christy Cindy Claire
    Clarence Claudia Clayton Clifford Cody Colin Colleen Collin Colton Connie Connor Corey
    Cory Courtney Craig Cristian Cristina Curtis Cynthia Daisy Dalton Damon Dan Dana Daniel
    Danielle Danny Darin Darius Darlene Darrell Darren Darryl Daryl Dave David Dean Deanna
    Debbie Deborah Debra Denise Dennis Derek Derrick Desiree Devin Dillon Dominic Dominique
    Donald Donna Doris Dorothy Douglas Duane Dustin Dwayne Dylan Eddie Edgar Eduardo Edward
    Edwin Eileen Elaine Elijah Elizabeth Ellen Emily Emma Eric Erica Erik Erika Erin Ernest
    Ethan Eugene Evan Evelyn Felicia Fernando Frances Francis Francisco Frank Franklin Fred
    Frederick Gabriel Gabriela Gabriella Gabrielle Gail Garrett Gary Gavin Geoffrey George
    Gerald Gilbert Gina Glenda Glenn Gloria Gordon Greg Gregg Gregory Gwendolyn Hailey Haley
    Hannah Harold Harry Hayden Hayley Heather Hector Heidi Helen Henry Herbert Howard Ian
    Isaac Isabel Isabella Isaiah Ivan Jack Jackie Jaclyn Jacob Jacqueline Jaime Jake James
    Jamie Jane Janet Janice Jared Jasmin Jasmine Jason Javier Jean Jeanette Jeanne Jeff
    Jeffery Jeffrey Jenna Jennifer Jenny Jeremiah Jeremy Jermaine Jerome Jerry Jesse Jessica
    Jill Jillian Jim Jimmy Joan Joann Joanna Joanne Jocelyn Jodi Jody Joe Joel John Johnathan
    Johnny Jon Jonathan Jonathon Jorge Jose Joseph Joshua Joyce Juan Judith Judy Julia Julian
    Julie Justin Kaitlin Kaitlyn Kara Karen Kari Karina Karl Karla Katelyn Katherine Kathleen
    Kathryn Kathy Katie Katrina Kayla Kaylee Keith Kelli Kellie Kelly Kelsey Kendra Kenneth
    Kerri Kerry Kevin Kiara Kim Kimberly Kirk Kirsten Krista Kristen Kristi Kristie Kristin
    Kristina Kristine Kristopher Kristy Krystal Kurt Kyle Kylie Lacey Larry Latasha Latoya
    Laura Lauren Laurie Lawrence Leah Leon Leonard Leroy Leslie Levi Linda Lindsay Lindsey
    Lisa Logan Lonnie Loretta Lori Lorraine Louis Lucas Luis Luke Lydia Lynn Mackenzie
    Madeline Makayla Malik Mallory Mandy Manuel Marc Marcia Marco Marcus Margaret Maria Mariah
    Marie Marilyn Mario Marisa Marissa Martha Martin Marvin Mary Mathew Matthew Maureen
    Maurice Maxwell Mckenzie Meagan Megan Meghan Melanie Melinda Melissa Melvin Meredith Mia
    Michael Michaela Micheal Michele Michelle Miguel Mikayla Mike Mindy Mitchell Molly Monica
    Monique Nancy Natalie Natasha Nathan Nathaniel Neil Nicholas Nichole Nicolas Nicole Nina
    Noah Norma Norman Olivia Omar Oscar Pam Pamela Patricia Patrick Patty Paul Paula Pedro
    Peggy Perry Peter Philip Phillip Phyllis Priscilla Rachael Rachel Ralph Randall Randy
    Raymond Rebecca Rebekah Regina Reginald Renee Rhonda Ricardo Richard Rick Rickey Ricky
    Riley Rita Robert Roberta Roberto Robyn Rodney Roger Ronald Ronnie Roy Ruben Russell
    Ruth Ryan Sabrina Sally Samantha Samuel Sandra Sara Sarah Scott Sean Selena Sergio Seth
    Shane Shannon Shari Sharon Shaun Shawn Shawna Sheena Sheila Shelia Shelley Shelly Sheri
    Sherri Sherry Sheryl Shirley Sonia Sonya Sophia Stacey Stacie Stacy Stanley Stefanie
    Stephanie Stephen Steve Steven Stuart Susan Suzanne Sylvia Tabitha Tamara Tami Tammie
    Tammy Tanya Tara Tasha Teresa Terrance Terrence Terri Terry Theodore Theresa Thomas
    Tiffany Tim Timothy Tina Todd Tom Tommy Toni Tony Tonya Tracey Traci Tracie Tracy Trevor
    Tricia Tristan Tyler Tyrone Valerie Vanessa Vernon Veronica Vicki Vickie Victor Vincent
    Walter Wanda Wayne Wendy Wesley Whitney William Willie Xavier Yesenia Yolanda Yvette
    Yvonne Zachary Zoe"""
)

# ---------------------------------------------------------------------------
# Corporate suffixes: what ends an organisation's name

_STRONG_SUFFIXES = (
    "Inc", "Incorporated", "Corp", "Corporation", "LLC", "L.L.C.", "Ltd", "Limited",
    "LLP", "L.L.P.", "L.P.", "LP", "N.A.", "PLC", "plc", "GmbH", "AG", "S.A.", "N.V.",
    "B.V.", "S.p.A.", "SpA", "Pty", "PLLC", "P.L.L.C.", "Co",
)  # fmt: skip
#: Suffixes that are also ordinary nouns ("the Bank", "Ratings Group"): a lower score.
_WEAK_SUFFIXES = (
    "Company", "Bank", "Bancorp", "Trust", "Partnership", "Holdings", "Group",
    "Association", "Foundation", "Partners", "Fund", "Authority",
)  # fmt: skip


#: Suffixes written with a full stop that belongs to the name: "Inc.", "Co.".
_ABBREVIATED = _words("inc corp co ltd pty")


def _suffix_alternation(words: tuple[str, ...]) -> str:
    """Each suffix in title case and capitals, its dots optionally spaced ("L . P .")."""
    forms: set[str] = set()
    for w in words:
        forms.update({w} if w in {"GmbH", "plc", "S.p.A.", "SpA"} else {w, w.upper()})
    dotted, plain = [], []
    for form in sorted(forms, key=len, reverse=True):
        if "." in form:
            letters = [re.escape(c) for c in form.replace(".", "")]
            dotted.append(rf"{_H}?\.{_H}?".join(letters))
        elif form.lower() in _ABBREVIATED:
            dotted.append(re.escape(form))
        else:
            plain.append(re.escape(form))  # "LLC." ends a sentence, not the name
    abbreviations = "|".join(dotted) or "(?!)"
    words = "|".join(plain) or "(?!)"
    return rf"(?:(?:{abbreviations})(?![\w])(?:{_H}?\.)?|(?:{words})(?![\w]))"


_STRONG_SUFFIX = _suffix_alternation(_STRONG_SUFFIXES)
_WEAK_SUFFIX = _suffix_alternation(_WEAK_SUFFIXES)
_ANY_SUFFIX = rf"(?:{_STRONG_SUFFIX}|{_WEAK_SUFFIX})"
_ENDS_IN_SUFFIX_RE = re.compile(rf"(?<![\w]){_ANY_SUFFIX}$")
_STRONG_SUFFIX_RE = re.compile(rf"(?<![\w]){_STRONG_SUFFIX}")
_SUFFIX_FOLLOWS_RE = re.compile(rf"{_H}*,?{_H}*{_ANY_SUFFIX}")

# ---------------------------------------------------------------------------
# Tokens and names


@dataclass(frozen=True)
class _Tok:
    start: int
    end: int
    text: str

    @property
    def key(self) -> str:
        return self.text.lower().rstrip(". ").replace("’", "'")

    @property
    def initial(self) -> bool:
        return len(self.text.rstrip(". ")) == 1


def _tokens(text: str, start: int, end: int) -> list[_Tok]:
    return [_Tok(m.start(), m.end(), m.group()) for m in _TOKEN_RE.finditer(text, start, end)]


_HONORIFIC_KEYS = _words("mr mrs ms miss mx dr prof sir dame")


def _person_span(
    text: str, start: int, end: int, *, stop: frozenset[str] = _NOT_PERSON, min_words: int = 2
) -> tuple[int, int] | None:
    """The person's name at the start of ``text[start:end]``, cut at a field word or role.

    Leading honorifics are skipped ("Mr . Michael Moretti"); the name needs
    ``min_words`` to four words (initials do not count) and may end in "Jr.".
    """
    toks = _tokens(text, start, end)
    while toks and toks[0].key in _HONORIFIC_KEYS:
        toks = toks[1:]
    kept: list[_Tok] = []
    for i, tok in enumerate(toks):
        particle = bool(kept) and tok.key in _SURNAME_PARTICLES
        if (tok.key in _FIELD_WORDS or tok.key in stop) and not (
            particle and _name_follows(toks, i + 1, stop)
        ):
            break  # "San" ends "Jane Roe" before "San Jose", not "Melanie San Pedro"
        if kept and text[kept[-1].end : tok.start].strip(" \t\u00a0."):
            break  # punctuation between two tokens: the name has ended
        kept.append(tok)
    while len(kept) > 1 and (kept[-1].initial or kept[-1].key in _SURNAME_PARTICLES):
        kept.pop()
    words = [t for t in kept if not t.initial]
    if not kept or (kept[0].initial and len(words) < 2):
        return None
    if not min_words <= len(words) <= 4:
        return None
    end = kept[-1].end
    generation = _GENERATION_RE.match(text, end)
    return kept[0].start, generation.end() if generation else end


def _name_follows(toks: list[_Tok], i: int, stop: frozenset[str]) -> bool:
    """Whether a name word (after any more particles) comes at ``toks[i]``: "de la Cruz",
    and not a city ("Jane Roe San Francisco" is a name and a place)."""
    if i < len(toks) and f"{toks[i - 1].key} {toks[i].key}" in _PARTICLE_CITIES:
        return False
    while i < len(toks) and toks[i].key in _SURNAME_PARTICLES:
        i += 1
    return i < len(toks) and toks[i].key not in stop and toks[i].key not in _FIELD_WORDS


def _is_org_phrase(phrase: str) -> bool:
    """Whether a capitalised phrase names an organisation (a suffix or an organisation word)."""
    if _ENDS_IN_SUFFIX_RE.search(phrase.rstrip(" ,")):
        return True
    return any(w.lower() in ORG_WORDS for w in re.findall(rf"[{_U}{_L}]+", phrase))


_JUDGE_BEFORE_RE = re.compile(r"(?:Judge|Justice|Hon\.|Honorable|Magistrate)\s*$", re.IGNORECASE)
_JUDGE_AFTER_RE = re.compile(
    rf"{_H}*,{_H}*(?:U\.{_H}?S\.{_H}*)?(?:[A-Z][a-z]+{_H}+)?(?:Judge|Justice|J\.)"
    rf"|{_H}*,{_H}*U\.S\.[DMB]\.J\."
)


def _judicial(text: str, start: int, end: int) -> bool:
    """Whether the name at ``text[start:end]`` is a judge's ("Hon. X", "X, District Judge")."""
    before = _JUDGE_BEFORE_RE.search(text, max(0, start - 14), start)
    return bool(before or _JUDGE_AFTER_RE.match(text, end))


# ---------------------------------------------------------------------------
# Organisations ending in a corporate suffix

_ORG_WORD = rf"(?:{_WORD}|[{_U}][{_U}{_L}]*[0-9][{_U}{_L}0-9]*|[0-9]+[{_U}][{_U}{_L}]*)"
_ORG_JOIN = (
    rf"(?:{_H}+|{_H}*\n{_H}*|{_H}?-{_H}?|{_H}*&{_H}*|"
    rf"{_H}+(?:and|of|for|the|de|du|des|la|AND|OF|FOR|THE){_H}+)"
)
_ORG_RE = re.compile(
    rf"(?<![\w&])(?P<name>{_ORG_WORD}(?:{_ORG_JOIN}{_ORG_WORD}){{0,7}}?)"
    rf"(?P<sep>{_H}?,?{_H}*\n?{_H}*)(?<![\w])(?P<suffix>{_ANY_SUFFIX})"
    rf"(?:{_H}?,?{_H}*(?<![\w]){_STRONG_SUFFIX})*"
)
#: Words that open a matched organisation but belong to the sentence ("The", "Borrower").
_ORG_LEADERS = (
    ROLE_WORDS | _FIELD_WORDS | _TITLE_WORDS | _COMMON_WORDS | _MONTHS | _DRAFTING_WORDS
) - _words("general national federal first united american central state trust")
_CONNECTOR_END_RE = re.compile(rf"{_H}(?:and|AND|of|OF|for|FOR|the|THE|&)\s*$")
_LAST_SUFFIX_RE = re.compile(rf"{_ANY_SUFFIX}$")
_GOVERNMENT_RE = re.compile(
    r"\b(?:United States|UNITED STATES|State of|STATE OF|Commonwealth|COMMONWEALTH|"
    r"People of|PEOPLE OF|County of|COUNTY OF|City of|CITY OF|Department|DEPARTMENT|"
    r"Court|COURT|Federal Reserve|FEDERAL RESERVE|Securities and Exchange|SECURITIES AND)\b"
)


def _org_tokens(text: str, start: int, end: int) -> list[_Tok]:
    """The name's tokens without the sentence's words before it ("The", "Borrower", "By").

    A leading organisation word tied on by a connector stays ("Bank of America").
    """
    toks = _tokens(text, start, end)
    for i in range(len(toks) - 1, -1, -1):
        if toks[i].key in _DETERMINERS or toks[i].key in _COMMON_WORDS:
            toks = toks[i + 1 :]  # "Expenses The Company": the name starts after "The"
            break
    for i in range(1, len(toks)):
        joint = text[toks[i - 1].end : toks[i].start].strip().lower()
        if joint in {"of", "for"} and not any(t.key in ORG_WORDS for t in toks[:i]):
            toks = toks[i:]  # "Daniel Kroupa of Gordon Rees LLP": the firm starts after "of"
            break
        person = 2 <= i <= 3 and all(t.text.istitle() and t.key not in ORG_WORDS for t in toks[:i])
        if joint in {"and", "&"} and person:
            toks = toks[i:]  # "Rudolph Giuliani and Giuliani Partners LLC"
            break
    while toks and (toks[0].initial or toks[0].key in _ORG_LEADERS):
        tied = len(toks) > 1 and text[toks[0].end : toks[1].start].strip(" \t\n\u00a0")
        if tied and toks[0].key in ORG_WORDS:
            break
        toks = toks[1:]
    return toks


def _org_match(text: str, m: re.Match[str]) -> tuple[int, bool] | None:
    """Where the organisation of an ``_ORG_RE`` match starts and whether its suffix is strong."""
    toks = _org_tokens(text, m.start("name"), m.end("name"))
    if not toks:
        return None
    start = toks[0].start
    strong = bool(_STRONG_SUFFIX_RE.search(text, m.start("suffix"), m.end()))
    if not strong and "," in m.group("sep"):
        return None  # "Funding Date, Bank": a comma before a weak suffix makes a list
    if _CONNECTOR_END_RE.search(text, start, m.start("suffix")):
        return None  # "Lender and Bank": the suffix word is a role of its own
    if not strong and all(t.key in ORG_WORDS | _DRAFTING_WORDS | ROLE_WORDS for t in toks):
        return None  # "Security Trust", "Credit Company": generic words, not a name
    if _GOVERNMENT_RE.search(text, start, m.end()):
        return None  # a court or public body is public authority
    return start, strong


def _organisations(text: str) -> Iterator[Suggestion]:
    for m in _ORG_RE.finditer(text):
        found = _org_match(text, m)
        if not found:
            continue
        start, strong = found
        last = _LAST_SUFFIX_RE.search(text, m.start("suffix"), m.end())
        suffix = " ".join((last.group() if last else m.group("suffix")).split())
        reason = f"organisation name ending in '{suffix}'"
        score = 0.85 if strong else 0.7
        yield suggestion(text, start, m.end(), "ORG", score, "organisation", reason)


# ---------------------------------------------------------------------------
# Case captions: parties stacked before "Plaintiff," and after "v."

_CAPTION_ROLE = (
    r"(?:(?:Counter|Cross|Third[- ]Party)[- ]?)?"
    r"(?:Plaintiffs?|Defendants?|Petitioners?|Respondents?|Appellants?|Appellees?|"
    r"Claimants?|Intervenors?|Debtors?|Movants?|Relators?|Real Parties in Interest)"
)
#: A role on its own, after a comma or at a line start, closed by punctuation or "v.".
_CAPTION_ROLE_RE = re.compile(
    rf"(?:^|(?<=,)|(?<=\n)){_H}*(?:and{_H}+)?(?P<role>{_CAPTION_ROLE}"
    rf"(?:(?:{_H}*[-–,]{_H}*|{_H}+and{_H}+|\n{_H}*){_CAPTION_ROLE}){{0,3}})"
    rf"(?:{_H}*[.,;]{_H}*(?=\n|$)|{_H}*[.,;]?(?={_H}*(?:v\.|vs\.|-{_H}*against)))",
    re.IGNORECASE | re.MULTILINE,
)
_VERSUS_RE = re.compile(
    rf"(?:^|(?<=[,.]){_H}+|(?<={_H})){_H}*(?:v\.|vs\.?|versus|-?{_H}*against{_H}*-?)"
    rf"{_H}*(?=\n|$|{_H}*[{_U}])",
    re.IGNORECASE | re.MULTILINE,
)
_CAPTION_STOP_RE = re.compile(
    r"court|district of|division|circuit|\bno\.|\bcase\b|docket|\bhon\.|judge|"
    r"county of|state of|in the matter|in re\b|^\s*\W*\s*$|:|\bfiled\b|\b(?:19|20)\d\d\b",
    re.IGNORECASE,
)
_CAPTION_NOISE_RE = re.compile(
    rf"\bet{_H}+al{_H}?\.?|\b(?:individually|in (?:his|her|its|their)\b)[^\n]*"
    rf"|(?-i:\b(?:a|an){_H}+[a-z][^\n,]*)|\bd/b/a\b[^,\n]*",
    re.IGNORECASE,
)
_PARTY_SEPARATOR_RE = re.compile(r"[,;]|(?:^|\s)(?:and|AND)\s")
_PROSE_RE = re.compile(r"\b[a-z]{2,}\s+[a-z]{2,}\s+[a-z]{2,}\b")
_LONE_SUFFIX_RE = re.compile(rf"^(?:{_STRONG_SUFFIX}|[IVX]{{1,4}}|Jr\.?|Sr\.?|JR\.?|SR\.?)$")
_PUBLIC_PARTY_WORDS = _words("united government secretary governor")


def _captions(text: str) -> Iterator[Suggestion]:
    previous_end = 0
    for m in _CAPTION_ROLE_RE.finditer(text):
        block_end = m.start("role")
        while block_end > 0 and text[block_end - 1] in " \t\n\u00a0,":
            block_end -= 1
        versus = None
        for v in _VERSUS_RE.finditer(text, max(previous_end, block_end - 1500), block_end):
            versus = v
        if versus is not None:
            block_start = versus.end()
        elif previous_end and block_end - previous_end < 300:
            block_start = previous_end
        else:
            block_start = _caption_block_start(text, block_end)
        previous_end = m.end()
        role = m.group("role").split(",")[0].split("-")[0].strip().title()
        for s, e in _caption_parties(text, block_start, block_end):
            yield from _caption_party(text, s, e, f"party before '{role}' in a case caption")


def _caption_block_start(text: str, end: int) -> int:
    """Walk up from ``end`` over the caption's lines, stopping at a blank line or a header."""
    line_start = text.rfind("\n", 0, end) + 1
    start = line_start if text[line_start:end].strip(" \t\u00a0,") else end
    prev_end = line_start - 1
    for _ in range(30):
        if prev_end < 0:
            break
        prev_start = text.rfind("\n", 0, prev_end) + 1
        line = text[prev_start:prev_end]
        if not line.strip() or _CAPTION_STOP_RE.search(line) or _CAPTION_ROLE_RE.search(line):
            break
        start = prev_start
        prev_end = prev_start - 1
    return start


def _caption_parties(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Spans of the parties in one caption block, split at commas, semicolons and 'and'."""
    cleaned = _CAPTION_NOISE_RE.sub(lambda m: " " * len(m.group()), text[start:end])
    if _PROSE_RE.search(cleaned):
        return  # a sentence, not a stack of party names
    pieces: list[list[int]] = []
    cuts = [(0, 0), *((m.start(), m.end()) for m in _PARTY_SEPARATOR_RE.finditer(cleaned))]
    cuts.append((len(cleaned), len(cleaned)))
    for (_, s), (e, _) in pairwise(cuts):
        while s < e and cleaned[s].isspace():
            s += 1
        while e > s and cleaned[e - 1] in " \t\n\u00a0.":
            e -= 1
        if e <= s:
            continue
        piece = cleaned[s:e]
        if pieces and _LONE_SUFFIX_RE.match(piece):  # "HOLDINGS, INC." or "COMMUNITIES, II"
            pieces[-1][1] = e + (1 if cleaned[e : e + 1] == "." else 0)
            continue
        if cleaned[e : e + 1] == "." and _ENDS_IN_SUFFIX_RE.search(piece + "."):
            e += 1
        pieces.append([s, e])
    for s, e in pieces:
        yield start + s, start + e


def _caption_party(text: str, s: int, e: int, reason: str) -> Iterator[Suggestion]:
    """ORG for a party with a suffix or an organisation word, PERSON for a name-shaped one."""
    phrase = text[s:e]
    if re.search(r"(?:^|\s)[a-z]", phrase):
        return  # a lower-case word: prose, not a party name
    toks = _tokens(text, s, e)
    if _GOVERNMENT_RE.search(phrase) or any(t.key in _PUBLIC_PARTY_WORDS for t in toks):
        return  # the government is a party of public record
    if _is_org_phrase(phrase):
        if not all(t.key in ROLE_WORDS | _DRAFTING_WORDS | ORG_WORDS for t in toks):
            yield suggestion(text, s, e, "ORG", 0.85, "legal_caption", f"organisation {reason}")
        return
    span = _person_span(text, s, e, stop=_NOT_PERSON_LOOSE)
    if span and span[0] == s and span[1] >= e - 1:
        yield suggestion(text, s, span[1], "PERSON", 0.85, "legal_caption", f"name {reason}")


# ---------------------------------------------------------------------------
# Honorifics: "Mr. Smith", "Dr. Jane Roe", "Judge Alsup"

_HONORIFIC_RE = re.compile(
    rf"(?<![\w.])(?P<title>Mrs|Mr|Ms|Miss|Mx|Dr|Prof|MRS|MR|MS|DR|mrs|mr|ms|Judge|JUDGE|"
    rf"Justice|JUSTICE|Hon|HON|Honorable|HONORABLE|Honourable)(?:{_H}?\.)?{_H}+(?=[{_U}])"
)
_JUDICIAL_TITLES = _words("judge justice hon honorable honourable")
#: "3003 Tasman Dr." is a street, not a doctor.
_STREET_BEFORE_RE = re.compile(rf"\d+{_H}+(?:[{_U}][\w'’-]*{_H}+){{1,4}}$")


def _honorifics(text: str) -> Iterator[Suggestion]:
    for m in _HONORIFIC_RE.finditer(text):
        key = m.group("title").lower()
        title = " ".join(m.group().split())
        if key == "dr" and _STREET_BEFORE_RE.search(text, max(0, m.start() - 60), m.start()):
            continue
        end = text.find("\n", m.end())
        span = _person_span(text, m.end(), end if end >= 0 else len(text), min_words=1)
        if not span:
            continue
        if key in _JUDICIAL_TITLES:
            # A judge's name is public authority: kept below the default threshold.
            reason = f"judicial title '{title}' (a judge's name is usually public)"
            score = 0.45
        else:
            reason = f"honorific '{title}'"
            score = 0.85
        yield suggestion(text, span[0], span[1], "PERSON", score, "honorific", reason)


# ---------------------------------------------------------------------------
# Signature blocks and form fields: "/s/", "By:", "Name:", "Attention:", "c/o"

_COLON = rf"{_H}?\.?{_H}?\n?{_H}*:"
_FIELD_RE = re.compile(
    rf"(?P<slash>(?<![\w/])/{_H}?s{_H}?/{_H}*)"
    rf"|(?<![\w])(?P<by>By|BY){_H}?:{_H}*(?!\s*/{_H}?s{_H}?/)"
    rf"|(?<![\w])(?P<field>Name|NAME|Print Name|Printed Name|Attention|ATTENTION|Attn|ATTN"
    rf"|Signatory|Signed by|Contact|Contact Person|Recipient){_COLON}{_H}*\n?{_H}*"
    rf"|(?<![\w])(?P<co>c{_H}?/{_H}?o|C/O){_H}+"
)
#: A "By:" line belongs to a signature block when "Name:", "Title:" or "Its:" follows.
_SIGNATURE_FOLLOWS_RE = re.compile(
    rf"^[^\n]{{0,80}}\n?[^\n]{{0,80}}\b(?:Name|Title|Its|NAME|TITLE|ITS){_H}?:", re.MULTILINE
)


def _fields(text: str) -> Iterator[Suggestion]:
    for m in _FIELD_RE.finditer(text):
        pos = m.end()
        line_end = text.find("\n", pos)
        line_end = len(text) if line_end < 0 else line_end
        if m.group("slash"):
            reason, score = "after '/s/' in a signature block", 0.9
        elif m.group("by"):
            if not _SIGNATURE_FOLLOWS_RE.match(text, pos):
                continue  # "By: its General Partner" in prose
            reason, score = "after 'By:' in a signature block", 0.85
        elif m.group("co"):
            reason, score = "after 'c/o'", 0.75
        else:
            reason, score = f"after '{m.group('field').title()}:'", 0.85
        org = _ORG_RE.match(text, pos)
        if org and org.end() <= line_end and (m.group("co") or m.group("by")):
            found = _org_match(text, org)
            if found:
                yield suggestion(text, found[0], org.end(), "ORG", 0.8, "signature_block", reason)
            continue
        span = _person_span(text, pos, line_end, stop=_NOT_PERSON | _MONTHS)
        if span and not _is_org_phrase(text[span[0] : span[1]]):
            yield suggestion(text, span[0], span[1], "PERSON", score, "signature_block", reason)


# ---------------------------------------------------------------------------
# Job titles next to a name: "PRESIDENT John Smith", "Jane Roe, Chief Executive Officer"

_JOB = (
    r"(?:President|PRESIDENT|Chairman|CHAIRMAN|Chairwoman|Chief Executive Officer|"
    r"Chief Financial Officer|Chief Operating Officer|General Counsel|CEO|CFO|COO|"
    r"Managing Director|Managing Member|General Partner|Secretary|Treasurer|"
    r"Vice President|Senior Vice President|Executive Vice President|Director|Esquire|Esq\.?)"
)
_TITLE_BEFORE_RE = re.compile(
    rf"(?<![\w])(?P<job>{_JOB}){_H}*,?{_H}+(?:(?:who|which){_H}+is{_H}+)?(?=[{_U}])"
)
_TITLE_AFTER_RE = re.compile(
    rf"(?P<name>{_RUN}){_H}*,{_H}*(?:(?:its|the|our|and){_H}+)?(?P<job>{_JOB})(?![\w])"
)


def _job_titles(text: str) -> Iterator[Suggestion]:
    for m in _TITLE_BEFORE_RE.finditer(text):
        end = text.find("\n", m.end())
        span = _person_span(text, m.end(), end if end >= 0 else len(text), stop=_NOT_PERSON_LOOSE)
        if span and not _is_org_phrase(text[span[0] : span[1]]):
            reason = f"name after the title '{m.group('job')}'"
            yield suggestion(text, span[0], span[1], "PERSON", 0.7, "job_title", reason)
    for m in _TITLE_AFTER_RE.finditer(text):
        span = _trailing_person(text, _tokens(text, m.start("name"), m.end("name")))
        if span:
            job = m.group("job")
            label = "honorific 'Esq.'" if job.lower().startswith("esq") else f"title '{job}'"
            reason = f"name before the {label}"
            yield suggestion(text, span[0], span[1], "PERSON", 0.7, "job_title", reason)


def _trailing_person(text: str, toks: list[_Tok]) -> tuple[int, int] | None:
    """The longest name-shaped tail of ``toks`` ("... met Jane Roe, President" -> Jane Roe)."""
    for i in range(max(0, len(toks) - 5), len(toks) - 1):
        if toks[i].initial:
            continue
        span = _person_span(text, toks[i].start, toks[-1].end, stop=_NOT_PERSON_LOOSE)
        if span == (toks[i].start, toks[-1].end):
            return span
    return None


# ---------------------------------------------------------------------------
# A role followed by a name: "Plaintiff Colin Thomas", "Defendant-appellee Janet T. Mills"

_ROLE_THEN_NAME_RE = re.compile(
    rf"(?<![\w-])(?P<role>Plaintiffs?|Defendants?|Petitioners?|Respondents?|Appellants?|"
    rf"Appellees?|Debtors?|Guarantors?|Claimants?|Relators?|Intervenors?)"
    rf"(?:-(?:[Aa]ppellants?|[Aa]ppellees?|[Pp]etitioners?|[Rr]espondents?))?{_H}+(?=[{_U}])"
)


def _role_then_name(text: str) -> Iterator[Suggestion]:
    for m in _ROLE_THEN_NAME_RE.finditer(text):
        end = text.find("\n", m.end())
        span = _person_span(text, m.end(), end if end >= 0 else len(text), stop=_NOT_PERSON_LOOSE)
        if not span:
            continue
        after = text[span[1] : span[1] + 40]
        if _SUFFIX_FOLLOWS_RE.match(after) or _is_org_phrase(text[span[0] : span[1]]):
            continue  # an organisation: the organisation detector has it
        if re.match(rf"{_H}+[{_U}]", after):
            continue  # more capitalised words follow: a title-case heading, not a name
        wrapped = _NEXT_WORD_RE.match(after.lstrip(" \t\u00a0\n"))
        if wrapped and wrapped.group(1).lower().rstrip(".") in ORG_WORDS:
            continue  # "Petitioner Tarrant Regional Water\nDistrict"
        reason = f"named after the role '{m.group('role')}'"
        yield suggestion(text, span[0], span[1], "PERSON", 0.7, "role_name", reason)


# ---------------------------------------------------------------------------
# Defined parties: 'Acme Corp. (the "Borrower")', 'Colin Thomas ("Thomas" or "Plaintiff")'

_DEFINED_RE = re.compile(
    rf"\({_H}*(?:the|each|an?|hereinafter(?:{_H}+referred{_H}+to{_H}+as)?|herein|"
    rf"individually|collectively|together)?[^()\"“”\n]{{0,40}}?"
    rf"[{_Q_OPEN}]{_H}*(?P<term>[^\"“”()\n]{{1,60}}?){_H}*[{_Q_CLOSE}]"
    rf"(?P<more>(?:[^()]{{0,12}}?[{_Q_OPEN}]{_H}*[^\"“”()\n]{{1,60}}?{_H}*[{_Q_CLOSE}])*)"
)
_MORE_TERMS_RE = re.compile(r"[\"“”']\s*([^\"“”()]+?)\s*[\"“”']")
#: ', a Delaware corporation' between a party's name and its parenthetical.
_DESCRIPTOR_RE = re.compile(
    rf",?{_H}*(?:a|an){_H}+[^()\"“”]{{0,80}}?"
    rf"(?:corporation|company|partnership|association|bank|trust|entity|individual|"
    rf"organization|organisation|citizen|resident|firm|fund|society|limited|LLC)"
    rf"[^()\"“”]{{0,40}}?,?{_H}*$"
)
_TAIL_RUN_RE = re.compile(
    rf"(?:{_ORG_WORD}|{_INITIAL}|&|-)(?:(?:{_H}+|{_H}?-{_H}?|{_H}*&{_H}*|"
    rf"{_H}+(?:and|of|for|the|de|du|AND|OF|FOR|THE){_H}+|{_H}?,{_H}?)"
    rf"(?:{_ORG_WORD}|{_INITIAL}|{_ANY_SUFFIX})){{0,10}}(?:{_H}?\.)?$"
)


def _defined_parties(text: str) -> Iterator[tuple[Suggestion, list[str]]]:
    """Named parties before a defined-term parenthetical, with their quoted aliases."""
    for m in _DEFINED_RE.finditer(text):
        terms = [m.group("term"), *_MORE_TERMS_RE.findall(m.group("more"))]
        terms = [t.strip(" ,.") for t in terms if t.strip(" ,.")]
        end = m.start()
        while end > 0 and text[end - 1] in " \t\u00a0\n":
            end -= 1
        window_start = max(0, end - 250)
        window = text[window_start:end]
        descriptor = _DESCRIPTOR_RE.search(window)
        if descriptor and descriptor.start() > 0:
            window = window[: descriptor.start()]
        window = window.rstrip(' \t\u00a0\n,"“”')  # '"Acme Corp." (the "Borrower")'
        tail = _TAIL_RUN_RE.search(window)
        if tail:
            found = _party_from_tail(
                text, window_start + tail.start(), window_start + len(window), terms
            )
            if found:
                yield found


def _party_from_tail(
    text: str, s: int, e: int, terms: list[str]
) -> tuple[Suggestion, list[str]] | None:
    """The party named in ``text[s:e]`` just before its parenthetical, and its aliases."""
    toks = _tokens(text, s, e)
    role_terms = [t for t in terms if all(w.lower() in ROLE_WORDS for w in t.split())]
    aliases = [a for a in terms if a not in role_terms and _alias_of(a, toks)]
    if not role_terms and not aliases:
        return None  # 'Customs Enforcement ("ICE")': an abbreviation, not a party
    defined = f'(the "{role_terms[0] if role_terms else aliases[0]}")'
    for m in _ORG_RE.finditer(text, s, e):
        if m.end() < e - 1:
            continue
        found = _org_match(text, m)
        if not found:
            return None
        phrase = " ".join(text[found[0] : m.end()].split())
        reason = f'defined party: "{phrase}" {defined}'
        return suggestion(text, found[0], m.end(), "ORG", 0.85, "defined_party", reason), aliases
    for i in range(max(0, len(toks) - 5), len(toks)):
        if toks[i].initial:
            continue
        span = _person_span(text, toks[i].start, e, stop=_NOT_PERSON_LOOSE)
        if span and span[1] >= toks[-1].end:
            phrase = " ".join(text[span[0] : span[1]].split())
            if _is_org_phrase(phrase):
                return None
            reason = f'defined party: "{phrase}" {defined}'
            party = suggestion(text, span[0], span[1], "PERSON", 0.85, "defined_party", reason)
            return party, aliases
    return None


def _alias_of(alias: str, toks: list[_Tok]) -> bool:
    """Whether ``alias`` is made of the party's own words ("Scooper" of "Scooper Trooper")."""
    words = alias.lower().split()
    keys = {t.key for t in toks}
    return bool(words) and all(w in keys for w in words) and alias.lower() not in ROLE_WORDS


# ---------------------------------------------------------------------------
# Name lines of attorney blocks and letterheads: next to "SBN", an e-mail, an address

_NAME_LINE_RE = re.compile(
    rf"^{_H}*(?P<name>{_RUN})(?P<gen>{_H}*,?{_H}*(?:Jr|Sr|JR|SR)\.?|{_H}+(?:II|III|IV))?"
    rf"(?P<tail>{_H}*,?{_H}*(?:P\.C\.|Esq\.?|ESQ\.?|Esquire)?{_H}*\*?{_H}*"
    rf"(?:\([^()\n]{{0,40}}\))?{_H}*,?{_H}*\*?)$",
    re.MULTILINE,
)
_BAR_RE = re.compile(r"SBN|Bar\s*No|Bar\s*#|pro\s*hac\s*vice|Esq|Bar\s*Roll|State\s*Bar", re.I)
_EMAIL_LINE_RE = re.compile(r"^\s*(?:E-?mail\s*:\s*)?([\w.+-]+)@[\w-]+(?:\.[\w-]+)+\s*$", re.I)
_STREET_LINE_RE = re.compile(r"^\s*\d+[A-Za-z]?\s+[A-Za-z]")
_POSTCODE_LINE_RE = re.compile(
    r"(?:^|\s)(?:[A-Z]{2}\s+)?\d{5}(?:-\d{4})?\s*$|\b(?:Suite|Apt|Unit)\b", re.MULTILINE
)


def _name_lines(text: str) -> Iterator[Suggestion]:
    for m in _NAME_LINE_RE.finditer(text):
        s, e = m.start("name"), m.end("gen") if m.group("gen") else m.end("name")
        span = _person_span(text, s, m.end("name"), stop=_NOT_PERSON_LOOSE)
        if not span or span[0] != s or span[1] < m.end("name") - 1:
            continue
        if _is_org_phrase(text[s:e]):
            continue
        below = [ln for ln in text[m.end() + 1 : m.end() + 400].split("\n")[:8] if ln.strip()]
        reason = None
        if _BAR_RE.search(m.group("tail")):
            reason = "name with a bar number in an attorney block"
        elif below and (email := _EMAIL_LINE_RE.match(below[0])):
            if _email_matches(email.group(1), text[s:e]):
                reason = "name above its e-mail address in an attorney block"
        elif below and _STREET_LINE_RE.match(below[0]) and _postal(below[:4]):
            reason = "name line above a postal address"
        if reason:
            yield suggestion(text, s, e, "PERSON", 0.85, "attorney_block", reason)


def _postal(lines: list[str]) -> bool:
    """Whether the lines under a name read as a postal address (street type, unit or ZIP)."""
    return bool(_STREET_TYPE_RE.search(lines[0]) or _POSTCODE_LINE_RE.search("\n".join(lines)))


def _email_matches(local: str, name: str) -> bool:
    """Whether an e-mail's local part is made from the name (jwillian, genna.beier, RL)."""
    local = local.lower()
    words = [w.lower() for w in re.findall(rf"[{_U}{_L}]+", name)]
    if any(len(w) >= 3 and w in local for w in words):
        return True
    initials = "".join(w[0] for w in words)
    return bool(initials) and local in {initials, initials[0] + initials[-1]}


# ---------------------------------------------------------------------------
# Street addresses, P.O. boxes and "City, ST 12345"

_STREET_TYPES = (
    "Street", "St", "Avenue", "Ave", "Av", "Road", "Rd", "Drive", "Dr", "Boulevard", "Blvd",
    "Lane", "Ln", "Way", "Court", "Ct", "Place", "Pl", "Plaza", "Parkway", "Pkwy", "Highway",
    "Hwy", "Circle", "Cir", "Terrace", "Ter", "Square", "Sq", "Trail", "Trl", "Turnpike",
    "Tpke", "Expressway", "Expy", "Freeway", "Fwy", "Alley", "Row", "Crescent", "Close",
    "Center", "Centre", "Pike", "Loop", "Path", "Walk", "Rue", "Strasse", "Straße",
)  # fmt: skip
#: Street types that are also common nouns need a suite or a city to make an address.
_WEAK_STREET_TYPES = _words("court ct center centre dr")
_STREET_TYPE = (
    "(?:"
    + "|".join(sorted({f for t in _STREET_TYPES for f in (t, t.upper())}, key=len, reverse=True))
    + rf")(?![\w])(?:{_H}?\.)?"
)
_STREET_TYPE_RE = re.compile(rf"(?<![\w]){_STREET_TYPE}")
_STATE_NAME = "(?:" + "|".join(sorted(_STATES, key=len, reverse=True)) + ")"
_STATE = rf"(?:{_STATE_NAME}|{_STATE_NAME.upper()}|(?:{'|'.join(sorted(set(_STATES.values())))}))"
_ZIP = r"\d{5}(?:-\d{4})?(?!\d)"
_CITY = rf"{_WORD}(?:{_H}+{_WORD}){{0,2}}"
_CITY_STATE_ZIP = rf"{_CITY}{_H}?,{_H}*{_STATE}\.?{_H}*,?\s{{0,3}}{_ZIP}"
_UNIT = (
    rf"(?:Suite|SUITE|Ste|STE|Floor|FLOOR|Fl|Room|ROOM|Rm|Unit|UNIT|Apt|APT|No|#)"
    rf"(?:{_H}?\.)?\s{{0,3}}#?{_H}*\w+|\d+(?:st|nd|rd|th){_H}+(?:Floor|FLOOR|Fl\.?)|#{_H}?\d+\w*"
)
_STREET_NAME_WORD = rf"(?:{_WORD}|\d+(?:st|nd|rd|th)|[NSEW]\.?)"
_STREET_RE = re.compile(
    rf"(?<![\w$.,])\d{{1,6}}[A-Za-z]?(?:-\d{{1,5}})?{_H}+"
    rf"(?P<street>(?:{_STREET_NAME_WORD}{_H}+){{0,4}}?)(?P<type>{_STREET_TYPE}|Broadway|BROADWAY)"
    rf"(?P<unit>(?:{_H}*,?\s{{0,3}}(?:{_UNIT}))*)"
    rf"(?P<city>{_H}*,?\s{{0,3}}{_CITY_STATE_ZIP})?"
)
_LINE_ADDRESS_RE = re.compile(
    rf"^{_H}*(?P<num>\d{{1,6}}){_H}+(?:{_STREET_NAME_WORD}{_H}*){{1,4}}"
    rf"(?:{_H}*,?{_H}*(?:{_UNIT}))?{_H}*,?{_H}*\n{_H}*{_CITY_STATE_ZIP}",
    re.MULTILINE,
)
_PO_BOX_RE = re.compile(
    rf"(?<![\w])(?:P{_H}?\.?{_H}?O{_H}?\.?|Post{_H}+Office){_H}*Box{_H}+\d+"
    rf"(?:{_H}*,?\s{{0,3}}{_CITY_STATE_ZIP})?",
    re.IGNORECASE,
)
_CITY_ONLY_RE = re.compile(rf"(?<![\w]){_CITY_STATE_ZIP}")
_NOT_STREET = _words("district circuit supreme superior bankruptcy appeals claims tax")


def _addresses(text: str) -> Iterator[Suggestion]:
    for m in _STREET_RE.finditer(text):
        street, kind = m.group("street"), m.group("type").rstrip(" .").lower()
        if {w.lower() for w in re.findall(r"[A-Za-z]+", street)} & _NOT_STREET:
            continue  # "2 District Court"
        if not street.strip() and kind != "broadway":
            continue  # "12 Street" needs a street name
        if kind in _WEAK_STREET_TYPES and not (m.group("unit") or m.group("city")):
            continue
        reason = "street address (number + street name + street type"
        reason += " + city, state, ZIP)" if m.group("city") else ")"
        end = m.end()
        while text[end - 1] in " \t,\n":
            end -= 1
        yield suggestion(text, m.start(), end, "ADDRESS", 0.85, "street_address", reason)
    for m in _LINE_ADDRESS_RE.finditer(text):
        reason = "street line above 'City, ST ZIP'"
        yield suggestion(text, m.start("num"), m.end(), "ADDRESS", 0.8, "street_address", reason)
    for m in _PO_BOX_RE.finditer(text):
        yield suggestion(text, m.start(), m.end(), "ADDRESS", 0.85, "street_address", "P.O. box")
    for m in _CITY_ONLY_RE.finditer(text):
        toks = _tokens(text, m.start(), m.end())
        while toks and toks[0].key in _NOT_PERSON - _STATE_WORDS - _PLACE_WORDS:
            toks = toks[1:]  # "Office Boston, MA 02108": the city starts at "Boston"
        if toks:
            reason = "city, state and ZIP code"
            yield suggestion(
                text, toks[0].start, m.end(), "LOCATION", 0.6, "street_address", reason
            )


# ---------------------------------------------------------------------------
# Name shapes in running text: "Roger K. Gannam", "Chris Bicho"

_MIDDLE_INITIAL_RE = re.compile(
    rf"(?<![\w.])(?P<first>{_TITLE_WORD}|{_UPPER_WORD}){_H}+[{_U}](?P<dot>{_H}?\.)?{_H}+"
    rf"(?P<last>{_TITLE_WORD}|{_UPPER_WORD})(?![\w])"
)


def _middle_initials(text: str) -> Iterator[Suggestion]:
    for m in _MIDDLE_INITIAL_RE.finditer(text):
        first, last = m.group("first"), m.group("last")
        if first.lower() in _NOT_PERSON_LOOSE or last.lower() in _NOT_PERSON_LOOSE:
            continue
        if first.isupper() != last.isupper() or _judicial(text, m.start(), m.end()):
            continue
        if not m.group("dot") and (first.isupper() or _is_org_phrase(m.group())):
            continue  # a bare initial only in mixed case ("Elita B Desaulniers")
        generation = _GENERATION_RE.match(text, m.end())
        end = generation.end() if generation else m.end()
        score = 0.65 if m.group("dot") else 0.6
        reason = "first name, middle initial and surname"
        yield suggestion(text, m.start(), end, "PERSON", score, "name_shape", reason)


_GIVEN_RE = re.compile(
    rf"(?<![\w\-/.&])(?P<given>{_TITLE_WORD})(?:{_H}+[{_U}](?:{_H}?\.)?)?{_H}+"
    rf"(?P<sur>{_TITLE_WORD})(?![\w])"
)
_NEXT_WORD_RE = re.compile(rf"{_H}*,?{_H}*([{_U}][{_U}{_L}]+\.?)")
_PREVIOUS_WORD_RE = re.compile(rf"([{_U}][{_U}{_L}]*){_H}*$")


def _given_names(text: str) -> Iterator[Suggestion]:
    for m in _GIVEN_RE.finditer(text):
        if m.group("given") not in _GIVEN_NAMES:
            continue
        if m.group("sur").lower() in _NOT_PERSON_LOOSE | _GEO_WORDS:
            continue  # "George Town", "James River"
        if _judicial(text, m.start(), m.end()):
            continue  # a judge's name is public authority
        after = _NEXT_WORD_RE.match(text, m.end(), m.end() + 40)
        if after and (
            after.group(1).lower().rstrip(".") in ORG_WORDS | _PLACE_WORDS | ROLE_WORDS
            or _ENDS_IN_SUFFIX_RE.search(after.group(1))
        ):
            continue  # "Walter Reed Army", "Clark Realty Capital": an organisation's name
        before = _PREVIOUS_WORD_RE.search(text, max(0, m.start() - 30), m.start())
        if before and before.group(1).lower() in _PLACE_WORDS | ORG_WORDS:
            continue  # "Fort Riley"
        reason = "common given name followed by a capitalised surname"
        yield suggestion(text, m.start(), m.end(), "PERSON", 0.6, "given_name", reason)


# ---------------------------------------------------------------------------
# Self-introductions and letters: "My name is Jane Roe", "I, John Doe, declare", "Sincerely,"

_INTRO_RE = re.compile(
    rf"(?<![\w])(?P<cue>(?i:my{_H}+name{_H}+is|my{_H}+name's|name{_H}+is|i{_H}+am|i'm|i’m|"
    rf"this{_H}+is|call{_H}+me|named|dear|ask{_H}+for|speak{_H}+(?:to|with)|talk{_H}+to))"
    rf"{_H}+(?:(?i:mr|mrs|ms|dr)\.?{_H}+)?(?=[{_U}])"
    rf"|(?<![\w])(?P<declarant>I),{_H}+(?=[{_U}][^\n]{{2,60}}?,{_H}+(?:hereby|declare|do|being|"
    rf"certify|state|am|have))"
    rf"|(?P<closing>(?i:sincerely|regards|respectfully(?:{_H}+submitted)?|yours{_H}+truly)),?"
    rf"{_H}*\n\s*(?=[{_U}])"
)


def _introductions(text: str) -> Iterator[Suggestion]:
    for m in _INTRO_RE.finditer(text):
        end = text.find("\n", m.end())
        if m.group("declarant"):
            reason, score, words = "declarant: 'I, <name>, declare'", 0.85, 1
        elif m.group("closing"):
            closing = m.group("closing").split()[0].title()
            reason, score, words = f"name under the closing '{closing},'", 0.7, 2
        else:
            reason, score, words = f"after '{' '.join(m.group('cue').split()).lower()}'", 0.7, 1
        span = _person_span(
            text, m.end(), end if end >= 0 else len(text), stop=_NOT_PERSON_LOOSE, min_words=words
        )
        if not span or _is_org_phrase(text[span[0] : span[1]]):
            continue
        if _SUFFIX_FOLLOWS_RE.match(text, span[1]):
            continue  # "This is Acme, Inc."
        yield suggestion(text, span[0], span[1], "PERSON", score, "introduction", reason)


# ---------------------------------------------------------------------------
# Recurrences of what the cues found


def _repeats(
    text: str, found: list[Suggestion], aliases: list[tuple[str, Suggestion]]
) -> Iterator[Suggestion]:
    """Other occurrences on the page of names that strong cues found, and of defined aliases.

    A full name recurs in any case ("DANNY RAY" in the caption, "Danny Ray" in the text);
    a surname alone ("Ray") and an alias ("Scooper") recur as written.
    """
    wanted: dict[str, tuple[Suggestion, int]] = {}
    for s in found:
        if s.label != "PERSON" or s.score < 0.8:
            continue
        words = [t for t in _tokens(s.text, 0, len(s.text)) if not t.initial]
        if len(words) < 2:
            continue
        wanted.setdefault(" ".join(s.text.split()).lower(), (s, re.IGNORECASE))
        surname = words[-1].text
        if len(surname) >= 3 and surname.lower() not in _NOT_PERSON_LOOSE | _COMMON_SURNAME_WORDS:
            for form in (surname.title(), surname.upper()):
                wanted.setdefault(form, (s, 0))
    for alias, party in aliases:
        if len(alias) >= 3:
            wanted.setdefault(alias, (party, 0))
    covered = [(s.start, s.end) for s in found]
    for name, (source, flags) in wanted.items():
        pattern = r"\s+".join(re.escape(w) for w in name.split())
        quoted = " ".join(source.text.split())
        for m in re.finditer(rf"(?<![\w]){pattern}(?![\w])", text, flags):
            if any(a < m.end() and m.start() < b for a, b in covered):
                continue
            covered.append((m.start(), m.end()))
            reason = f'repeats "{quoted}" ({source.reason})'
            yield suggestion(text, m.start(), m.end(), source.label, 0.75, "repeated_name", reason)


# ---------------------------------------------------------------------------
# The detectors: one analysis per page, shared out by detector name

_RULES: tuple[Callable[[str], Iterator[Suggestion]], ...] = (
    _captions,
    _honorifics,
    _fields,
    _job_titles,
    _role_then_name,
    _name_lines,
    _organisations,
    _addresses,
    _middle_initials,
    _given_names,
    _introductions,
)


@lru_cache(maxsize=16)
def _analyse(text: str) -> tuple[Suggestion, ...]:
    """Every suggestion of this module for ``text``, computed once however many detectors ask."""
    found: list[Suggestion] = []
    for rule in _RULES:
        found.extend(rule(text))
    aliases: list[tuple[str, Suggestion]] = []
    for party, terms in _defined_parties(text):
        found.append(party)
        aliases.extend((alias, party) for alias in terms)
    found.extend(_repeats(text, found, aliases))
    return tuple(found)


@dataclass(frozen=True)
class _Share:
    """A detector that reports its share of the page analysis."""

    name: str
    description: str

    def find(self, text: str) -> list[Suggestion]:
        return [s for s in _analyse(text) if s.detector == self.name]


DETECTORS: list[Detector] = [
    _Share("legal_caption", "parties of a case caption"),
    _Share("honorific", "names after Mr., Ms., Dr., Judge, Hon."),
    _Share("signature_block", "names after /s/, By:, Name:, Attention:, c/o"),
    _Share("attorney_block", "name lines by a bar number, an e-mail or a postal address"),
    _Share("job_title", "names next to a job title (President, CEO, Esq.)"),
    _Share("role_name", "names after a party role (Plaintiff Jane Roe)"),
    _Share("defined_party", 'parties defined in a parenthetical (the "Borrower")'),
    _Share("organisation", "organisations ending in a corporate suffix"),
    _Share("street_address", "street addresses, P.O. boxes, city-state-ZIP"),
    _Share("name_shape", "First M. Last in running text"),
    _Share("given_name", "a common given name and a capitalised surname"),
    _Share("introduction", "names after 'my name is', 'Dear', 'I, <name>, declare'"),
    _Share("repeated_name", "other occurrences of a name or alias a cue found"),
]
