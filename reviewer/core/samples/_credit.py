"""The credit agreement sample: an excerpt of a US syndicated loan agreement.

It mixes the material a financial reviewer actually meets: defined terms in
quotes, a pricing grid, a notices clause with names and contact data in
running text, wire instructions with checksum-valid bank identifiers,
conformed signatures and a KYC schedule with a date of birth, SSN and EIN.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reviewer.core.samples._fakes import Address, Cast, Person, long_date
from reviewer.core.samples._layout import esc, finish, locate_pii, render_html, stamp
from reviewer.core.samples.truth import SampleDocument

BORROWER = "ACME Holdings, Inc."
FILE = "credit_agreement.pdf"
TITLE = (
    "Credit Agreement among ACME Holdings, Inc., the Lenders and the Administrative Agent (excerpt)"
)


class _Deal:
    """All seeded facts of the credit agreement, drawn once in a fixed order."""

    def __init__(self, cast: Cast, closing: dt.date) -> None:
        rng = cast.rng
        self.closing = closing
        self.maturity = closing.replace(year=closing.year + 5)
        self.amount = rng.choice((250, 300, 350, 400, 500)) * 1_000_000
        self.lc_sublimit = self.amount // 10
        self.swing_sublimit = self.amount // 20
        self.base_margin = rng.choice((1.250, 1.375, 1.500))
        self.agent_bank = cast.bank()
        self.arranger = cast.capital()
        self.borrower_city = cast.city()
        self.borrower_address = cast.address(self.borrower_city)
        self.cfo = cast.person("acmeholdings.example.com", area=self.borrower_city[3])
        self.gc = cast.person("acmeholdings.example.com", area=self.borrower_city[3])
        self.counsel_firm = cast.law_firm()
        counsel_domain = self.counsel_firm.split()[0].lower() + "law.example.com"
        counsel_city = cast.city()
        self.counsel_address = cast.address(counsel_city)
        self.counsel = cast.person(counsel_domain, area=counsel_city[3])
        agent_city = cast.city()
        self.agent_address = cast.address(agent_city)
        agent_domain = self.agent_bank.split()[0].lower() + "bank.example.com"
        self.agent_contact = cast.person(agent_domain, area=agent_city[3])
        self.agent_signer = cast.person(agent_domain, area=agent_city[3])
        self.lender_signer = cast.person("capital.example.com")
        self.routing = cast.routing_number()
        self.account = cast.account_number(10)
        self.iban = cast.iban_de()
        self.ein = cast.ein()
        self.cfo_dob = cast.dob()
        self.cfo_ssn = cast.ssn()
        self.cfo_passport = cast.passport()
        self.cfo_home = cast.address(self.borrower_city, office=False)
        parts = [rng.randint(1000, 9999) for _ in range(3)]
        self.doc_id = f"{parts[0]}-{parts[1]}-{parts[2]} v.{rng.randint(2, 9)}"  # iManage-style


def _money(amount: int) -> str:
    return f"${amount:,}"


def _cover(deal: _Deal) -> str:
    return f"""
<p class="right" style="font-size:9pt"><b>EXECUTION VERSION</b></p>
<div style="margin-top:110pt">
<h1 style="font-size:20pt; margin-bottom:18pt">CREDIT AGREEMENT</h1>
<p class="center">Dated as of {long_date(deal.closing)}</p>
<p class="center">among</p>
<p class="center"><b>{esc(BORROWER.upper())}</b>,<br/>as the Borrower,</p>
<p class="center"><b>THE LENDERS PARTY HERETO FROM TIME TO TIME</b>,</p>
<p class="center">and</p>
<p class="center"><b>{esc(deal.agent_bank.upper())}</b>,<br/> as Administrative Agent, Swing Line
Lender and L/C Issuer</p>
<p class="center" style="margin-top:36pt">{_money(deal.amount)}<br/> SENIOR SECURED REVOLVING
CREDIT FACILITY</p>
<p class="center" style="margin-top:36pt"><b>{esc(deal.agent_bank.upper())}</b><br/>and<br/>
<b>{esc(deal.arranger.upper())}</b>,<br/>as Joint Lead Arrangers and Joint Bookrunners</p>
</div>
"""


_TOC = (
    ("ARTICLE I", "DEFINITIONS AND ACCOUNTING TERMS", ""),
    ("1.01", "Defined Terms", "1"),
    ("1.02", "Other Interpretive Provisions", "38"),
    ("1.03", "Accounting Terms", "39"),
    ("ARTICLE II", "THE COMMITMENTS AND CREDIT EXTENSIONS", ""),
    ("2.01", "Revolving Loans", "41"),
    ("2.08", "Interest", "55"),
    ("2.09", "Fees", "56"),
    ("ARTICLE V", "REPRESENTATIONS AND WARRANTIES", ""),
    ("5.21", "Beneficial Ownership Certification", "84"),
    ("ARTICLE VII", "NEGATIVE COVENANTS", ""),
    ("7.11", "Financial Covenants", "101"),
    ("ARTICLE X", "MISCELLANEOUS", ""),
    ("10.02", "Notices; Effectiveness; Electronic Communication", "131"),
    ("10.14", "Governing Law; Jurisdiction; Etc.", "142"),
)

_SCHEDULES = (
    ("Schedule 2.01", "Commitments and Applicable Percentages"),
    ("Schedule 5.21", "Beneficial Ownership Certification"),
    ("Schedule 10.02", "Administrative Agent's Office; Certain Addresses for Notices"),
    ("Exhibit A", "Form of Committed Loan Notice"),
    ("Exhibit C", "Form of Compliance Certificate"),
)


def _toc() -> str:
    rows = []
    for number, heading, page in _TOC:
        if page:
            rows.append(
                f"<tr><td style='width:70pt'>Section {number}</td><td>{esc(heading)}</td>"
                f"<td class='right' style='width:40pt'>{page}</td></tr>"
            )
        else:
            rows.append(
                f"<tr><td colspan='3' style='padding-top:8pt'>"
                f"<b>{number}<br/>{heading}</b></td></tr>"
            )
    schedules = "".join(
        f"<tr><td style='width:90pt'>{a}</td><td>{esc(b)}</td></tr>" for a, b in _SCHEDULES
    )
    return f"""
<h2 class="newpage">TABLE OF CONTENTS</h2>
<p class="right" style="margin:0"><b>Page</b></p>
<table style="width:100%">{"".join(rows)}</table>
<h3 style="margin-top:14pt">SCHEDULES AND EXHIBITS</h3>
<table style="width:100%">{schedules}</table>
"""


def _grid(deal: _Deal) -> str:
    ratios = (
        "&lt; 1.50:1.00",
        "&#8805; 1.50:1.00 but &lt; 2.25:1.00",
        "&#8805; 2.25:1.00 but &lt; 3.00:1.00",
        "&#8805; 3.00:1.00 but &lt; 3.50:1.00",
        "&#8805; 3.50:1.00",
    )
    rows = []
    for level, ratio in enumerate(ratios):
        sofr = deal.base_margin + 0.25 * level
        fee = 0.150 + 0.025 * level
        rows.append(
            f"<tr><td class='center'>{('I', 'II', 'III', 'IV', 'V')[level]}</td><td>{ratio}</td>"
            f"<td class='right'>{fee:.3f}%</td><td class='right'>{sofr:.3f}%</td>"
            f"<td class='right'>{sofr - 1:.3f}%</td></tr>"
        )
    return f"""
<table class="grid" style="width:100%; margin: 4pt 0 9pt 0; font-size:10pt">
<tr><th style="width:42pt">Pricing Level</th><th>Consolidated Total Net Leverage Ratio</th> <th
style="width:64pt">Commitment Fee</th><th style="width:88pt">Term SOFR Loans and Letter of Credit
Fees</th> <th style="width:60pt">Base Rate Loans</th></tr>
{"".join(rows)}
</table>
"""


def _term(name: str, text: str) -> str:
    return f'<p style="text-indent:36pt">&#8220;<b>{esc(name)}</b>&#8221; {text}</p>'


def _definitions(deal: _Deal) -> str:
    agent = esc(deal.agent_bank)
    terms = [
        _term(
            "Administrative Agent",
            f"""means {agent}, in its capacity as administrative agent under any of the Loan
            Documents,
            or any successor administrative agent.""",
        ),
        _term(
            "Administrative Agent&#8217;s Office",
            """means the Administrative Agent&#8217;s address and, as appropriate, account as set
            forth on <u>Schedule 10.02</u>, or such other address or account as the Administrative
            Agent may from time to time notify to the Borrower and the Lenders.""",
        ),
        _term(
            "Affiliate",
            """means, with respect to a specified Person, another Person that directly, or
            indirectly through one or more intermediaries, Controls or is Controlled by or is under
            common Control with the Person specified.""",
        ),
        _term(
            "Applicable Margin",
            """means, from time to time, the following percentages per annum, based upon the
            Consolidated Total Net Leverage Ratio as set forth in the most recent Compliance
            Certificate received by the Administrative Agent pursuant to <u>Section 6.02(a)</u>:""",
        )
        + _grid(deal)
        + """<p>Any increase or decrease in the Applicable Margin resulting from a change in the
          Consolidated Total Net Leverage Ratio shall become effective as of the first Business
          Day immediately following the date a Compliance Certificate is delivered pursuant to
          <u>Section 6.02(a)</u>; <i>provided</i>, <i>however</i>, that if a Compliance
          Certificate is not delivered when due, then Pricing Level V shall apply as of the first
          Business Day after the date on which such Compliance Certificate was required to have
          been delivered.</p>""",
        _term(
            "Borrower",
            f"""has the meaning specified in the introductory paragraph hereto, and includes
            {esc(BORROWER)} and its permitted successors and assigns.""",
        ),
        _term(
            "Business Day",
            """means any day other than a Saturday, Sunday or other day on which commercial banks
            are authorized to close under the Laws of, or are in fact closed in, the state where the
            Administrative Agent&#8217;s Office is located; <i>provided</i> that, when used in
            connection with a Term SOFR Loan, the term &#8220;Business Day&#8221; shall also
            exclude any day that is not a U.S. Government Securities Business Day.""",
        ),
        _term(
            "Commitment",
            f"""means, as to each Lender, its obligation to make Revolving Loans to the Borrower
            and to
            purchase participations in L/C Obligations and Swing Line Loans in an aggregate
            principal amount at any one time outstanding not to exceed the amount set forth
            opposite such Lender&#8217;s name on <u>Schedule 2.01</u>. The aggregate Commitments of
            all Lenders on the Closing Date are {_money(deal.amount)}.""",
        ),
        _term(
            "Consolidated EBITDA",
            """means, for any period, for the Borrower and its Subsidiaries on a consolidated basis,
            an amount equal to Consolidated Net Income for such period <i>plus</i> (a) the
            following to the extent deducted in calculating such Consolidated Net Income: (i)
            Consolidated Interest Charges, (ii) the provision for federal, state, local and foreign
            income taxes payable, (iii) depreciation and amortization expense, and (iv) non-cash
            charges and losses (excluding any such non-cash charges or losses to the extent
            representing an accrual of or reserve for cash charges in any future period),
            <i>minus</i> (b) all non-cash items increasing Consolidated Net Income for such
            period.""",
        ),
        _term(
            "Consolidated Total Net Leverage Ratio",
            """means, as of any date of determination, the ratio of (a) Consolidated Funded
            Indebtedness as of such date, net of unrestricted cash and Cash Equivalents in an
            amount not to exceed $50,000,000, to (b) Consolidated EBITDA for the period of the four
            fiscal quarters most recently ended.""",
        ),
        _term(
            "Default",
            """means any event or condition that constitutes an Event of Default or that, with the
            giving of any notice, the passage of time, or both, would be an Event of Default.""",
        ),
        _term(
            "L/C Sublimit",
            f"""means an amount equal to the lesser of (a) {_money(deal.lc_sublimit)} and (b) the
            Aggregate Commitments. The L/C Sublimit is part of, and not in addition to, the
            Aggregate Commitments.""",
        ),
        _term(
            "Lender",
            """has the meaning specified in the introductory paragraph hereto and, unless the
            context requires otherwise, includes the Swing Line Lender.""",
        ),
        _term(
            "Loan Documents",
            """means this Agreement, each Note, each Issuer Document, the Guaranty, the Collateral
            Documents, each Fee Letter and any agreement creating or perfecting rights in Cash
            Collateral, in each case as amended, supplemented or otherwise modified from time to
            time.""",
        ),
        _term(
            "Maturity Date",
            f"""means {long_date(deal.maturity)}; <i>provided</i> that if such date is not a
            Business
            Day, the Maturity Date shall be the next preceding Business Day.""",
        ),
        _term(
            "Obligations",
            """means all advances to, and debts, liabilities, obligations, covenants and duties of,
            any Loan Party arising under any Loan Document or otherwise with respect to any Loan or
            Letter of Credit, whether direct or indirect, absolute or contingent, due or to become
            due, now existing or hereafter arising.""",
        ),
        _term(
            "SOFR",
            """means the secured overnight financing rate published by the Federal Reserve Bank of
            New York, as the administrator of the benchmark (or a successor administrator).""",
        ),
        _term(
            "Swing Line Sublimit",
            f"""means an amount equal to the lesser of (a) {_money(deal.swing_sublimit)} and (b) the
            Aggregate Commitments.""",
        ),
        _term(
            "Term SOFR",
            """means, for any Interest Period with respect to a Term SOFR Loan, the rate per annum
            equal to the Term SOFR Screen Rate two U.S. Government Securities Business Days prior
            to the commencement of such Interest Period with a term equivalent to such Interest
            Period; <i>provided</i> that if Term SOFR shall be less than 0.00%, such rate shall be
            deemed 0.00% for purposes of this Agreement.""",
        ),
    ]
    return f"""
<p class="newpage" style="text-indent:36pt">This CREDIT AGREEMENT (this
&#8220;<b>Agreement</b>&#8221;) is entered into as of {long_date(deal.closing)}, among
{esc(BORROWER.upper())}, a Delaware corporation (the &#8220;<b>Borrower</b>&#8221;), each lender
from time to time party hereto (collectively, the &#8220;<b>Lenders</b>&#8221; and individually, a
&#8220;<b>Lender</b>&#8221;), and {agent}, as Administrative Agent, Swing Line Lender and L/C
Issuer.</p>
<h3 class="center">PRELIMINARY STATEMENTS:</h3>
<p style="text-indent:36pt">The Borrower has requested that the Lenders provide a revolving credit
facility in an aggregate principal amount of {_money(deal.amount)}, and the Lenders are willing to
do so on the terms and conditions set forth herein. In consideration of the mutual covenants and
agreements herein contained, the parties hereto covenant and agree as follows:</p>
<h2>ARTICLE I<br/>DEFINITIONS AND ACCOUNTING TERMS</h2>
<p><b>1.01&#160;&#160;Defined Terms.</b> As used in this Agreement, the following terms shall have
the meanings set forth below:</p>
{"".join(terms)}
"""


def _contact(person: Person, title: str) -> str:
    return (
        f"Attention: {esc(person.name)}, {title}; Telephone: {person.phone}; E-mail: {person.email}"
    )


def _notices(deal: _Deal) -> str:
    b, c, a = deal.borrower_address, deal.counsel_address, deal.agent_address
    return f"""
<p class="center" style="margin-top:10pt">*&#160;&#160;&#160;*&#160;&#160;&#160;*</p>
<p class="center"><i>[Articles II through IX and Sections 10.01 omitted from this excerpt]</i></p>
<h2>ARTICLE X<br/>MISCELLANEOUS</h2>
<p><b>10.02&#160;&#160;Notices; Effectiveness; Electronic Communication.</b></p>
<p style="text-indent:36pt">(a)&#160;&#160;<u>Notices Generally</u>. Except in the case of notices
and other communications expressly permitted to be given by telephone, all notices and other
communications provided for herein shall be in writing and shall be delivered by hand or overnight
courier service, mailed by certified or registered mail or sent by e-mail, and all notices and
other communications expressly permitted hereunder to be given by telephone shall be made to the
applicable telephone number, as follows:</p>
<p style="margin-left:36pt">(i)&#160;&#160;if to the Borrower, to {esc(BORROWER)}, {esc(b.line)};
{_contact(deal.cfo, "Chief Financial Officer")}; with a copy to {esc(deal.gc.name)}, General
Counsel (E-mail: {deal.gc.email}); and with a copy (which shall not constitute notice) to
{esc(deal.counsel_firm)}, {esc(c.line)}; Attention: {esc(deal.counsel.name)}; Telephone:
{deal.counsel.phone}; E-mail: {deal.counsel.email};</p>
<p style="margin-left:36pt">(ii)&#160;&#160;if to the Administrative Agent, the L/C Issuer or the
Swing Line Lender, to {esc(deal.agent_bank)}, Agency Management Services, {esc(a.line)};
{_contact(deal.agent_contact, "Vice President")}; and</p>
<p style="margin-left:36pt">(iii)&#160;&#160;if to any other Lender, to the address, telephone
number or e-mail address specified in its Administrative Questionnaire.</p>
<p style="text-indent:36pt">Notices sent by hand or overnight courier service, or mailed by
certified or registered mail, shall be deemed to have been given when received; notices sent by
e-mail shall be deemed to have been given when sent (except that, if not given during normal
business hours for the recipient, shall be deemed to have been given at the opening of business on
the next Business Day for the recipient).</p>
<p class="center" style="margin-top:12pt"><i>[Signature Pages Follow]</i></p>
"""


def _signature(entity: str, capacity: str, signer: Person, title: str) -> str:
    return f"""
<div style="margin-left:216pt; margin-top:22pt">
<p style="margin:0"><b>{esc(entity.upper())}</b>,<br/>{capacity}</p>
<p style="margin:14pt 0 0 0">By:&#160;&#160;<u>/s/
{esc(signer.name)}&#160;&#160;&#160;&#160;&#160;&#160;&#160;&#160;</u></p>
<p style="margin:0">Name: {esc(signer.name)}<br/>Title: {title}</p>
</div>
"""


def _signatures(deal: _Deal) -> str:
    agent_capacity = "as Administrative Agent, Swing Line Lender, L/C Issuer and a Lender"
    blocks = (
        _signature(BORROWER, "as the Borrower", deal.cfo, "Chief Financial Officer")
        + _signature(deal.agent_bank, agent_capacity, deal.agent_signer, "Managing Director")
        + _signature(deal.arranger, "as a Lender", deal.lender_signer, "Authorized Signatory")
    )
    return f"""
<p class="newpage" style="text-indent:36pt">IN WITNESS WHEREOF, the parties hereto have caused this
Agreement to be duly executed as of the date first above written.</p>
{blocks}
<p class="center" style="margin-top:40pt; font-size:9pt"><i>[Signature Page to Credit Agreement
&#8211; {esc(BORROWER)}]</i></p>
"""


def _row(key: str, value: str) -> str:
    return f"<tr><td style='width:170pt'>{key}</td><td>{value}</td></tr>"


def _schedule_notices(deal: _Deal) -> str:
    a: Address = deal.agent_address
    return f"""
<h2 class="newpage">SCHEDULE 10.02<br/>ADMINISTRATIVE AGENT&#8217;S OFFICE; CERTAIN ADDRESSES FOR
NOTICES</h2>
<h3>ADMINISTRATIVE AGENT&#8217;S OFFICE (for payments and Requests for Credit Extensions):</h3>
<table class="grid" style="width:100%">
{_row("Bank Name", esc(deal.agent_bank))}
{_row("Address", esc(a.line))}
{_row("ABA Routing No.", deal.routing)}
{_row("Account No.", deal.account)}
{_row("Account Name", "Agency Services Clearing Account")}
{_row("Reference", "ACME Holdings &#8211; Revolving Credit Facility")}
{_row("Attention", f"{esc(deal.agent_contact.name)}, Vice President, Agency Management")}
</table>
<h3>PAYMENTS IN EURO (Alternative Currency Loans):</h3>
<table class="grid" style="width:100%">
{_row("Correspondent Bank", "Agency correspondent, Frankfurt am Main")}
{_row("IBAN", deal.iban)}
{_row("Account Name", esc(deal.agent_bank) + " &#8211; Loan Agency EUR")}
</table>
<p style="margin-top:10pt">Payment instructions may be changed only by a written notice delivered
by an officer of the Administrative Agent and confirmed by a telephone call-back to a number
previously on file. Any instruction received solely by e-mail shall be disregarded.</p>
"""


def _schedule_kyc(deal: _Deal) -> str:
    b, home = deal.borrower_address, deal.cfo_home
    return f"""
<h2 class="newpage">SCHEDULE 5.21<br/>BENEFICIAL OWNERSHIP CERTIFICATION</h2>
<p>The information below is provided pursuant to 31 C.F.R. &#167;&#160;1010.230 and is certified by
the undersigned officer of the Borrower to be true, correct and complete as of the Closing
Date.</p>
<h3>I.&#160;&#160;LEGAL ENTITY</h3>
<table class="grid" style="width:100%">
{_row("Legal name", esc(BORROWER))}
{_row("Jurisdiction of organization", "Delaware")}
{_row("Employer Identification No. (EIN)", deal.ein)}
{_row("Principal place of business", esc(b.line))}
</table>
<h3>II.&#160;&#160;CONTROL PRONG (individual with significant responsibility)</h3>
<table class="grid" style="width:100%">
{_row("Name", esc(deal.cfo.name))}
{_row("Title", "Chief Financial Officer")}
{_row("Date of birth", deal.cfo_dob.strftime("%m/%d/%Y"))}
{_row("Residential address", esc(home.line))}
{_row("Social Security No.", deal.cfo_ssn)}
{_row("U.S. Passport No.", deal.cfo_passport)}
</table>
<h3>III.&#160;&#160;OWNERSHIP PRONG</h3>
<p>No individual owns, directly or indirectly, 25% or more of the equity interests of the
Borrower.</p>
<p style="margin-top:12pt">Certified by: {esc(deal.cfo.name)}, Chief Financial Officer, on
{long_date(deal.closing)}.</p>
"""


def build_credit_agreement(cast: Cast, dest: Path, closing: dt.date) -> tuple[SampleDocument, str]:
    """Write ``credit_agreement.pdf`` into ``dest``; return its ground truth and the CFO's name.

    The CFO reappears in the motion, as the same officer would in a real matter.
    """
    deal = _Deal(cast, closing)
    html = (
        _cover(deal)
        + _toc()
        + _definitions(deal)
        + _notices(deal)
        + _signatures(deal)
        + _schedule_notices(deal)
        + _schedule_kyc(deal)
    )
    doc = render_html(html)

    def footer(index: int, _count: int) -> str | None:
        if index == 0:
            return None
        return "i" if index == 1 else str(index - 1)

    stamp(doc, footer=footer, footer_left=lambda i, _n: deal.doc_id if i else None)

    people = (
        deal.cfo,
        deal.gc,
        deal.counsel,
        deal.agent_contact,
        deal.agent_signer,
        deal.lender_signer,
    )
    items: list[tuple[str, str]] = [
        ("ORG", BORROWER),
        ("ORG", deal.agent_bank),
        ("ORG", deal.arranger),
        ("ORG", deal.counsel_firm),
        ("DATE", long_date(deal.closing)),
    ]
    for person in people:
        items.append(("PERSON", person.name))
    for person in (deal.cfo, deal.gc, deal.counsel, deal.agent_contact):
        items.append(("EMAIL", person.email))
    for person in (deal.cfo, deal.counsel, deal.agent_contact):
        items.append(("PHONE", person.phone))
    for person in (deal.cfo, deal.agent_signer, deal.lender_signer):
        items.append(("SIGNATURE", f"/s/ {person.name}"))
    for address in (deal.borrower_address, deal.counsel_address, deal.agent_address, deal.cfo_home):
        items.append(("ADDRESS", address.line))
    items += [
        ("ROUTING_NUMBER", deal.routing),
        ("BANK_ACCOUNT", deal.account),
        ("IBAN", deal.iban),
        ("TAX_ID", deal.ein),
        ("DATE_OF_BIRTH", deal.cfo_dob.strftime("%m/%d/%Y")),
        ("SSN", deal.cfo_ssn),
        ("PASSPORT", deal.cfo_passport),
    ]
    pii = locate_pii(doc, items)
    pages = finish(doc, dest / FILE, TITLE)
    document = SampleDocument(file=FILE, title=TITLE, kind="credit_agreement", pages=pages, pii=pii)
    return document, deal.cfo.name
