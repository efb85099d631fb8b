"""The motion samples: an AI-written brief and three drafts of one motion.

The AI brief is the test bed for citation checking: it cites two real
Supreme Court cases correctly and one invented Court of Appeals case with an
invented quotation, in the confident register such drafts have. The three
drafts answer the same assignment with different wording and argument order
for the side-by-side comparison: A is short and clean; B is rougher, with
open placeholders and the invented case; C is the strongest on Third Circuit
law but treats a Ninth Circuit case as binding on a Pennsylvania federal
court and puts one case's name on another case's reporter citation
(:data:`DRAFT_C_FLAWS`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from reviewer.core.samples._fakes import Address, Cast, Person, long_date
from reviewer.core.samples._layout import (
    BASE_CSS,
    esc,
    finish,
    locate_citations,
    locate_pii,
    render_html,
    stamp,
)
from reviewer.core.samples.truth import SampleDocument

DEFENDANT = "ACME Holdings, Inc."
PLAINTIFF = "John Doe"
COURT = "UNITED STATES DISTRICT COURT<br/>FOR THE EASTERN DISTRICT OF PENNSYLVANIA"

# Real, correctly cited (volume, first page, pin cites and year checked).
TWOMBLY = "Bell Atlantic Corp. v. Twombly, 550 U.S. 544, 555 (2007)"
TWOMBLY_SHORT = "Twombly, 550 U.S. at 570"
IQBAL = "Ashcroft v. Iqbal, 556 U.S. 662, 678 (2009)"
IQBAL_SHORT = "Iqbal, 556 U.S. at 679"
# Invented. The parties' names are deliberately improbable so nobody mistakes
# this for a real decision; the reporter volume and year do not even agree.
FAKE_CASE = "Thistlewood v. Meridian Quarry Capital Partners, LLC, 612 F.3d 845, 851 (3d Cir. 2011)"
FAKE_SHORT = "Thistlewood, 612 F.3d at 852"
# Draft C: real Third Circuit and Pennsylvania authority, correctly cited ...
CONNELLY = "Connelly v. Lane Constr. Corp., 809 F.3d 780, 787 (3d Cir. 2016)"
MAYER = "Mayer v. Belichick, 605 F.3d 223, 230 (3d Cir. 2010)"
SKEPTON = "Wilson Area Sch. Dist. v. Skepton, 895 A.2d 1250, 1254 (Pa. 2006)"
# ... a real Ninth Circuit case, correctly cited but called binding in the
# Eastern District of Pennsylvania (only the Third Circuit and the Supreme
# Court bind it) ...
VESS = "Vess v. Ciba-Geigy Corp. USA, 317 F.3d 1097, 1106 (9th Cir. 2003)"
# ... and a real case's name on another real case's citation: 578 F.3d 203 is
# Fowler v. UPMC Shadyside (3d Cir. 2009); Phillips is 515 F.3d 224 (3d Cir. 2008).
MISMATCHED = "Phillips v. County of Allegheny, 578 F.3d 203, 210 (3d Cir. 2009)"

#: The errors planted in draft C, for tests and for a lead checking a reviewer's work
#: (ground_truth.json records the mismatched citation as not real; the Ninth
#: Circuit case is real, only wrongly treated as binding).
DRAFT_C_FLAWS: dict[str, str] = {
    VESS: "jurisdiction: a Ninth Circuit decision cited as binding precedent in the "
    "Eastern District of Pennsylvania",
    MISMATCHED: "citation: 578 F.3d 203 is Fowler v. UPMC Shadyside, not Phillips v. "
    "County of Allegheny (515 F.3d 224)",
}

MOTION_CSS = (
    BASE_CSS
    + """
body { font-size: 12pt; }
p.body { line-height: 2; text-indent: 36pt; margin: 0; }
p.block { margin: 0 36pt 12pt 36pt; line-height: 1.2; }
h3 { font-size: 12pt; margin: 10pt 0 4pt 0; }
h2 { font-size: 12pt; margin: 10pt 0 4pt 0; }
.caption td { padding: 0 6pt; }
"""
)

DRAFT_CSS = MOTION_CSS + "p.body { line-height: 1.5; }"


@dataclass(frozen=True)
class _Case:
    """The seeded facts every version of the motion shares."""

    case_no: str
    docket: int
    filed: dt.date
    attorney: Person
    bar_no: str
    firm: str
    firm_address: Address
    opposing: Person
    opposing_firm: str
    opposing_address: Address
    cfo: str
    agreement_date: dt.date
    bonus: int


def draw_case(cast: Cast, cfo: str, filed: dt.date) -> _Case:
    rng = cast.rng
    judge = "".join(rng.choice("ABCDEFGHJKLMNPRSTW") for _ in range(3))
    firm = cast.law_firm()
    city = ("Philadelphia", "PA", "191", "215")
    opposing_name = cast.surname()
    opposing_firm = f"The {opposing_name} Law Group, P.C."
    return _Case(
        case_no=f"2:{filed.year % 100:02d}-cv-{rng.randint(1000, 6999):05d}-{judge}",
        docket=rng.randint(9, 31),
        filed=filed,
        attorney=cast.person(firm.split()[0].lower() + "law.example.com", area="215"),
        bar_no=str(rng.randint(200000, 339999)),
        firm=firm,
        firm_address=cast.address(city),
        opposing=cast.person(f"{opposing_name.lower()}lawgroup.example.com", area="610"),
        opposing_firm=opposing_firm,
        opposing_address=cast.address(city),
        cfo=cfo,
        agreement_date=dt.date(filed.year - 2, rng.randint(1, 12), rng.randint(1, 28)),
        bonus=rng.choice((450, 600, 725, 850)) * 1000,
    )


def _cite(citation: str) -> str:
    """Italicize the case name of a citation, as briefs do; the text stays searchable."""
    name, rest = re.split(r", (?=\d)", citation, maxsplit=1)
    return f"<i>{esc(name)}</i>, {esc(rest)}"


def _caption(case: _Case, title: str) -> str:
    return f"""
<p class="center" style="font-weight:bold; margin-bottom:14pt">{COURT}</p>
<table class="caption" style="width:100%; margin-bottom:14pt">
<tr><td style="width:215pt; border-right:0.8pt solid black; border-bottom:0.8pt solid black;
padding-bottom:8pt">
{PLAINTIFF.upper()},<br/><br/>&#160;&#160;&#160;&#160;&#160;&#160;&#160;&#160;&#160;&#160;&#160;&#160;Plaintiff,<br/><br/>
&#160;&#160;&#160;&#160;&#160;&#160;v.<br/><br/>{esc(DEFENDANT.upper())},<br/><br/>
&#160;&#160;&#160;&#160;&#160;&#160;&#160;&#160;&#160;&#160;&#160;&#160;Defendant.</td>
<td style="padding-left:18pt"><br/><br/>Civil Action No.<br/><span
class="nowrap">{case.case_no}</span><br/><br/> <b>ORAL ARGUMENT REQUESTED</b></td></tr>
</table>
<p class="center" style="font-weight:bold; margin:0 24pt 12pt 24pt">{title}</p>
"""


def _signature(case: _Case, *, dated: bool = True) -> str:
    a = case.attorney
    date_line = f"Dated: {long_date(case.filed)}" if dated else "Dated: ____________, 2024"
    return f"""
<table style="width:100%; margin-top:14pt"><tr>
<td style="width:200pt">{date_line}</td>
<td>Respectfully submitted,<br/><br/><b>{esc(case.firm.upper())}</b><br/><br/> By: <u>/s/
{esc(a.name)}</u><br/> {esc(a.name)} (PA Bar No. {case.bar_no})<br/>
{esc(case.firm_address.street)}<br/>{esc(case.firm_address.city_line)}<br/> Telephone:
{a.phone}<br/>E-mail: {a.email}<br/><br/> <i>Counsel for Defendant {esc(DEFENDANT)}</i></td>
</tr></table>
"""


def _certificate(case: _Case) -> str:
    o = case.opposing
    return f"""
<h2 class="newpage" style="margin-top:0">CERTIFICATE OF SERVICE</h2>
<p class="body">I hereby certify that on {long_date(case.filed)}, I caused the foregoing Memorandum
of Law to be filed electronically with the Clerk of Court using the CM/ECF system, which will send
notification of such filing to all counsel of record, including:</p>
<p
class="block">{esc(o.name)}<br/>{esc(case.opposing_firm)}<br/>{esc(case.opposing_address.street)}<br/>
{esc(case.opposing_address.city_line)}<br/>{o.email}<br/><i>Counsel for Plaintiff</i></p>
<p class="right" style="margin-top:18pt">/s/
{esc(case.attorney.name)}<br/>{esc(case.attorney.name)}</p>
"""


def _ai_body(case: _Case) -> str:
    d = esc(DEFENDANT)
    return f"""
<h2>I.&#160;&#160;PRELIMINARY STATEMENT</h2>
<p class="body">Defendant {d} (&#8220;ACME&#8221; or &#8220;Defendant&#8221;) respectfully submits
this Memorandum of Law in support of its Motion to Dismiss the Complaint filed by Plaintiff
{PLAINTIFF} (&#8220;Plaintiff&#8221;) pursuant to Federal Rule of Civil Procedure 12(b)(6). It is
important to note at the outset that the Complaint, while lengthy, rests on a fundamental
misreading of the parties&#8217; written agreement. Plaintiff seeks a discretionary retention bonus
of ${case.bonus:,} that, by the plain terms of the agreement he signed, was never earned. In short,
the Complaint fails to state a claim upon which relief can be granted and should be dismissed in
its entirety.</p>
<h2>II.&#160;&#160;STATEMENT OF ALLEGED FACTS</h2>
<p class="body">Plaintiff is a former regional sales director of ACME. On
{long_date(case.agreement_date)}, Plaintiff and ACME entered into an Executive Retention Agreement
(the &#8220;Retention Agreement&#8221;), which provided for a bonus payable only if Plaintiff
remained employed through the closing of a refinancing transaction. Compl.
&#182;&#182;&#160;14&#8211;19. Plaintiff resigned before that closing. <i>Id.</i> &#182;&#160;27.
He nevertheless alleges that ACME&#8217;s Chief Financial Officer, {esc(case.cfo)}, orally assured
him that the bonus was &#8220;locked in,&#8221; and he asserts claims for breach of contract,
fraudulent inducement and unjust enrichment. <i>Id.</i> &#182;&#182;&#160;31&#8211;58.</p>
<h2>III.&#160;&#160;LEGAL STANDARD</h2>
<p class="body">To survive a motion to dismiss, a complaint must contain sufficient factual matter,
accepted as true, to &#8220;state a claim to relief that is plausible on its face.&#8221;
{_cite(IQBAL)} (quoting {_cite(TWOMBLY_SHORT)}). &#8220;Factual allegations must be enough to raise
a right to relief above the speculative level.&#8221; {_cite(TWOMBLY)}. Moreover, determining
whether a complaint states a plausible claim is &#8220;a context-specific task that requires the
reviewing court to draw on its judicial experience and common sense.&#8221; {_cite(IQBAL_SHORT)}.
Threadbare recitals of the elements of a cause of action do not suffice.</p>
<h2>IV.&#160;&#160;ARGUMENT</h2>
<h3>A.&#160;&#160;The Breach of Contract Claim Fails Because the Bonus Was Expressly Conditioned on
Continued Employment.</h3>
<p class="body">It is well-established that where a written agreement unambiguously conditions
payment on a future event, no claim for breach lies when that event does not occur. The Third
Circuit has squarely so held, explaining that &#8220;a retention payment conditioned on continued
service is not a wage earned but a promise contingent, and a plaintiff who departs before the
condition is satisfied cannot recover on the contract as a matter of law.&#8221;
{_cite(FAKE_CASE)}. Notably, the court in that case affirmed dismissal at the pleading stage,
reasoning that &#8220;no amount of discovery can supply a condition the parties did not
write.&#8221; {_cite(FAKE_SHORT)}. The same result follows here: Plaintiff concedes that he
resigned before the refinancing closed. Compl. &#182;&#160;27.</p>
<h3>B.&#160;&#160;The Fraudulent Inducement Claim Is Not Pleaded With Particularity.</h3>
<p class="body">Furthermore, Rule 9(b) requires a plaintiff alleging fraud to &#8220;state with
particularity the circumstances constituting fraud.&#8221; Fed. R. Civ. P. 9(b). The Complaint does
not identify when the alleged assurance was made, where, or in what words. It simply asserts that
{esc(case.cfo)} made it &#8220;on several occasions.&#8221; Compl. &#182;&#160;33. Such conclusory
allegations are precisely the kind of &#8220;labels and conclusions&#8221; that the Supreme Court
has held insufficient.
{_cite(TWOMBLY_SHORT)}. In addition, the alleged oral assurance contradicts the integrated written
agreement and cannot support justifiable reliance.</p>
<h3>C.&#160;&#160;The Unjust Enrichment Claim Is Barred by the Express Contract.</h3>
<p class="body">Finally, it is a settled principle of Pennsylvania law that a claim for unjust
enrichment is unavailable where the relationship between the parties is governed by an express
written contract. Because Plaintiff himself pleads that the Retention Agreement governs the bonus,
Compl. &#182;&#160;15, his quasi-contract theory fails as a matter of law.</p>
<h2>V.&#160;&#160;CONCLUSION</h2>
<p class="body">In conclusion, for all of the foregoing reasons, ACME respectfully requests that
the Court grant its Motion and dismiss the Complaint in its entirety with prejudice, as any
amendment would be futile.</p>
"""


def _draft_a_body(case: _Case) -> str:
    d = esc(DEFENDANT)
    return f"""
<p class="body">Defendant {d} (&#8220;ACME&#8221;) moves to dismiss the Complaint under Rule
12(b)(6). Plaintiff {PLAINTIFF} left ACME before the refinancing closed, and the Executive
Retention Agreement he signed on {long_date(case.agreement_date)} paid a ${case.bonus:,} bonus only
to an executive still employed at closing. Each of his three claims fails on the face of the
pleading.</p>
<h2>LEGAL STANDARD</h2>
<p class="body">A complaint must plead facts that make a claim plausible, not merely conceivable.
{_cite(TWOMBLY)}; {_cite(IQBAL)}. Legal conclusions are not entitled to the assumption of
truth.</p>
<h2>ARGUMENT</h2>
<h3>I.&#160;&#160;The Contract Claim Fails: the Bonus Condition Never Occurred.</h3>
<p class="body">The Retention Agreement makes continued employment through closing an express
condition of payment (Compl. Ex. A &#167;&#160;2(b)). Plaintiff pleads that he resigned first
(Compl. &#182;&#160;27). A condition precedent that fails discharges the promisor&#8217;s duty to
pay.</p>
<h3>II.&#160;&#160;The Fraud Claim Lacks the Particularity Rule 9(b) Requires.</h3>
<p class="body">Plaintiff does not say when, where or how {esc(case.cfo)} supposedly promised that
the bonus was &#8220;locked in.&#8221; Without the who, what, when and where, the claim cannot
proceed.</p>
<h3>III.&#160;&#160;Unjust Enrichment Is Unavailable Where an Express Contract Governs.</h3>
<p class="body">Plaintiff pleads that the Retention Agreement governs the bonus (Compl.
&#182;&#160;15). That concession defeats a quasi-contract theory.</p>
<h2>CONCLUSION</h2>
<p class="body">The Court should dismiss the Complaint with prejudice.</p>
"""


def _draft_b_body(case: _Case) -> str:
    d = esc(DEFENDANT)
    return f"""
<p class="body">Defendant {d} respectfully moves to dismiss plaintiff {PLAINTIFF}&#8217;s Complaint
for failure to state a claim. [NTD: confirm date of resignation with client &#8212; Compl. says
March, HR file says April.] Plaintiff&#8217;s claims all arise out of a retention bonus that he did
not earn because he quit before the refinancing closed.</p>
<h2>STANDARD OF REVIEW</h2>
<p class="body">To survive, a complaint needs enough facts to state a claim that is plausible on
its face.
{_cite(TWOMBLY_SHORT)}. The court does not accept legal conclusions as true. {_cite(IQBAL)}.</p>
<h2>ARGUMENT</h2>
<h3>I.&#160;&#160;Plaintiff Fails to Plead Fraud With Particularity.</h3>
<p class="body">Plaintiff alleges that {esc(case.cfo)} told him that the bonus was &#8220;locked
in&#8221; but he never says when or where this happened, and never says what exactly was said. This
is exactly the type of pleading that Rule 9(b) forbids. [CITE 3d Cir. case on 9(b) &#8212;
who/what/when] Also the statement contradicts the written agreement which has an integration
clause.</p>
<h3>II.&#160;&#160;No Unjust Enrichment Where There Is a Contract.</h3>
<p class="body">Because there is a written contract (plaintiff admits this, Compl. &#182;&#160;15)
there can be no unjust enrichment claim. [add PA Superior Court cite]</p>
<h3>III.&#160;&#160;The Breach of Contract Claim Fails.</h3>
<p class="body">The agreement dated {long_date(case.agreement_date)} says the ${case.bonus:,} bonus
is only payable if plaintiff is still employed at closing. He wasn&#8217;t. Courts routinely
dismiss such claims. {_cite(FAKE_CASE)}. [NTD: could not pull this case on Westlaw &#8212; verify
before filing!!]</p>
<h2>CONCLUSION</h2>
<p class="body">For these reasons the motion should be granted and the Complaint dismissed.</p>
"""


def _draft_c_body(case: _Case) -> str:
    d = esc(DEFENDANT)
    return f"""
<p class="body">Defendant {d} (&#8220;ACME&#8221;) submits this memorandum in support of its
motion to dismiss the Complaint of Plaintiff {PLAINTIFF} under Federal Rule of Civil Procedure
12(b)(6). The Executive Retention Agreement of {long_date(case.agreement_date)} promised a
${case.bonus:,} bonus to an executive who remained employed through the closing of ACME&#8217;s
refinancing. Plaintiff resigned before the closing. Compl. &#182;&#160;27. The contract claim
therefore fails on the pleading itself, and neither of the other two claims can rescue it.</p>
<h2>LEGAL STANDARD</h2>
<p class="body">&#8220;Factual allegations must be enough to raise a right to relief above the
speculative level.&#8221; {_cite(TWOMBLY)}. A claim is plausible only when the pleaded facts allow
the court to draw the reasonable inference that the defendant is liable for the misconduct
alleged. {_cite(IQBAL)}. In this Circuit the analysis proceeds in three steps: the court notes
the elements of the claim, sets aside allegations that are no more than conclusions, and asks
whether the well-pleaded facts plausibly give rise to an entitlement to relief.
{_cite(CONNELLY)}. The court separates the factual and legal elements of a claim, accepting the
well-pleaded facts as true but disregarding legal conclusions. {_cite(MISMATCHED)}. Because
Plaintiff&#8217;s claims are based on the Retention Agreement, the Court may consider it without
converting the motion into one for summary judgment. {_cite(MAYER)}.</p>
<h2>ARGUMENT</h2>
<h3>I.&#160;&#160;The Contract Claim Fails Because the Condition of Payment Never Occurred.</h3>
<p class="body">The Retention Agreement conditions payment on continued employment through the
closing (Compl. Ex. A &#167;&#160;2(b)), and Plaintiff pleads that he resigned before it (Compl.
&#182;&#160;27). Under Pennsylvania law, which governs the agreement, a duty conditioned on an
event that does not occur never becomes due. The Complaint pleads the failure of the condition
itself.</p>
<h3>II.&#160;&#160;The Fraud Claim Is Not Pleaded With Particularity.</h3>
<p class="body">Rule 9(b) requires a plaintiff to &#8220;state with particularity the
circumstances constituting fraud.&#8221; Fed. R. Civ. P. 9(b). Binding precedent requires the
complaint to set out &#8220;the who, what, when, where, and how of the misconduct
charged.&#8221; {_cite(VESS)}. Plaintiff alleges only that {esc(case.cfo)} called the bonus
&#8220;locked in&#8221; on unspecified &#8220;several occasions.&#8221; Compl. &#182;&#160;33. That
falls well short of the standard this Court must apply.</p>
<h3>III.&#160;&#160;Unjust Enrichment Is Barred by the Express Contract.</h3>
<p class="body">Under Pennsylvania law, unjust enrichment is &#8220;inapplicable when the
relationship between parties is founded upon a written agreement or express contract.&#8221;
{_cite(SKEPTON)}. Plaintiff pleads that the Retention Agreement governs the bonus. Compl.
&#182;&#160;15.</p>
<h2>CONCLUSION</h2>
<p class="body">The Court should dismiss the Complaint with prejudice.</p>
"""


TITLE_AI = "Memorandum of Law in Support of Defendant's Motion to Dismiss"
CAPTION_TITLE = (
    "DEFENDANT ACME HOLDINGS, INC.&#8217;S MEMORANDUM OF LAW IN SUPPORT OF ITS MOTION TO DISMISS "
    "PLAINTIFF&#8217;S COMPLAINT PURSUANT TO FEDERAL RULE OF CIVIL PROCEDURE 12(b)(6)"
)


def _pii_items(case: _Case, *, certificate: bool) -> list[tuple[str, str]]:
    a = case.attorney
    items = [
        ("PERSON", PLAINTIFF),
        ("ORG", DEFENDANT),
        ("PERSON", case.cfo),
        ("PERSON", a.name),
        ("SIGNATURE", f"/s/ {a.name}"),
        ("OTHER", case.bar_no),
        ("ORG", case.firm),
        ("ADDRESS", case.firm_address.street),
        ("ADDRESS", case.firm_address.city_line),
        ("PHONE", a.phone),
        ("EMAIL", a.email),
    ]
    if certificate:
        items += [
            ("PERSON", case.opposing.name),
            ("ORG", case.opposing_firm),
            ("ADDRESS", case.opposing_address.street),
            ("ADDRESS", case.opposing_address.city_line),
            ("EMAIL", case.opposing.email),
            ("DATE", long_date(case.filed)),
        ]
    return items


def build_ai_motion(case: _Case, dest: Path, file: str) -> SampleDocument:
    """The filed AI-drafted memorandum, with a CM/ECF header on every page."""
    html = _caption(case, CAPTION_TITLE) + _ai_body(case) + _signature(case) + _certificate(case)
    doc = render_html(html, MOTION_CSS)
    filed = case.filed.strftime("%m/%d/%y")
    stamp(
        doc,
        header=lambda i, n: (
            f"Case {case.case_no}     Document {case.docket}     Filed {filed}     "
            f"Page {i + 1} of {n}"
        ),
        footer=lambda i, _n: str(i + 1),
    )
    pii = locate_pii(doc, _pii_items(case, certificate=True))
    cites = locate_citations(
        doc,
        [
            (TWOMBLY, True),
            (TWOMBLY_SHORT, True),
            (IQBAL, True),
            (IQBAL_SHORT, True),
            (FAKE_CASE, False),
            (FAKE_SHORT, False),
        ],
    )
    pages = finish(doc, dest / file, TITLE_AI)
    return SampleDocument(
        file=file, title=TITLE_AI, kind="motion", pages=pages, pii=pii, citations=cites
    )


#: Per draft: its body, the title on its first page, and the citations it prints (real?).
_DRAFTS = {
    "A": (
        _draft_a_body,
        "MEMORANDUM OF LAW IN SUPPORT OF DEFENDANT&#8217;S MOTION TO DISMISS THE COMPLAINT",
        ((TWOMBLY, True), (IQBAL, True)),
    ),
    "B": (
        _draft_b_body,
        "DEFENDANT&#8217;S BRIEF IN SUPPORT OF MOTION TO DISMISS",
        ((TWOMBLY_SHORT, True), (IQBAL, True), (FAKE_CASE, False)),
    ),
    "C": (
        _draft_c_body,
        "MEMORANDUM IN SUPPORT OF DEFENDANT ACME HOLDINGS, INC.&#8217;S MOTION TO DISMISS",
        (
            (TWOMBLY, True),
            (IQBAL, True),
            (CONNELLY, True),
            (MISMATCHED, False),
            (MAYER, True),
            (VESS, True),
            (SKEPTON, True),
        ),
    ),
}
DRAFT_VARIANTS = tuple(_DRAFTS)


def build_draft(case: _Case, dest: Path, file: str, variant: str) -> SampleDocument:
    """One of the unfiled drafts (``DRAFT_VARIANTS``) of the same motion, marked privileged."""
    body, title_html, cited = _DRAFTS[variant]
    html = _caption(case, title_html) + body(case) + _signature(case, dated=False)
    doc = render_html(html, DRAFT_CSS)
    # No letter on the page: the window shows drafts as A/B/C in an order of its own.
    legend = "PRIVILEGED & CONFIDENTIAL  /  ATTORNEY WORK PRODUCT  /  DRAFT"
    stamp(doc, header=lambda _i, _n: legend, footer=lambda i, _n: str(i + 1), header_size=9.0)
    items = [("CONFIDENTIAL", "PRIVILEGED & CONFIDENTIAL"), *_pii_items(case, certificate=False)]
    pii = locate_pii(doc, items)
    cites = locate_citations(doc, cited)
    title = f"Motion to Dismiss \u2013 Draft {variant}"
    pages = finish(doc, dest / file, title)
    return SampleDocument(
        file=file, title=title, kind="draft", pages=pages, pii=pii, citations=cites
    )
