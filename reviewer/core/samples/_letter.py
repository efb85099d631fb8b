"""The scanned demand letter: an image-only PDF with known PII positions.

Reviewers meet faxed and copied letters with no text layer; OCR and PII
detection must cope with them. The letter is laid out as text first, the PII
rectangles are measured on that text page, and then the page is "scanned";
the scan's point mapping carries each rectangle over, so the ground truth has
exact positions although the final PDF contains no text at all.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pymupdf

from reviewer.core.samples._fakes import Cast, long_date
from reviewer.core.samples._layout import BASE_CSS, LayoutError, esc, finish, render_html
from reviewer.core.samples._scan import Scanner, map_rect
from reviewer.core.samples.truth import PiiTruth, SampleDocument

FILE = "scanned_letter.pdf"
TITLE = "Demand Letter re Account in Default (scanned copy)"

LETTER_CSS = (
    BASE_CSS
    + """
body { font-size: 11.5pt; }
p { margin: 0 0 9pt 0; }
.head { text-align: center; margin: 0; }
.coupon td { border: 0.8pt dashed black; padding: 8pt; }
"""
)


def _nw(text: str) -> str:
    """Keep a PII value on one line so it is one rectangle on the scan."""
    return f'<span class="nowrap">{esc(text)}</span>'


def build_scanned_letter(cast: Cast, dest: Path, date: dt.date) -> SampleDocument:
    """Write ``scanned_letter.pdf`` (two image-only pages) and return its ground truth."""
    rng = cast.rng
    firm = f"{cast.surname()}, {cast.surname()} & Associates, P.C."
    firm_city = cast.city()
    firm_address = cast.address(firm_city)
    signer = cast.person(firm.split(",")[0].lower() + "legal.example.com", area=firm_city[3])
    creditor = cast.bank()
    recipient = cast.person("mail.example.com", middle=False)
    home = cast.address(office=False)
    card = cast.card_number()
    balance = f"${rng.randint(4_000, 60_000):,}.{rng.randint(0, 99):02d}"
    when = long_date(date)

    html = f"""
<p class="head" style="font-size:17pt; font-weight:bold; letter-spacing:1pt;
margin-bottom:3pt">{esc(firm.upper())}</p>
<p class="head" style="font-size:9pt; margin-bottom:2pt">ATTORNEYS AT LAW</p>
<p class="head"
style="font-size:9.5pt">{_nw(firm_address.street)}&#160;&#160;&#183;&#160;&#160;{_nw(firm_address.city_line)}</p>
<p class="head" style="font-size:9.5pt; border-bottom:1pt solid black; padding-bottom:6pt;
margin-bottom:18pt"> Tel. {_nw(signer.phone)}&#160;&#160;&#183;&#160;&#160;{_nw(signer.email)}</p>
<p>{_nw(when)}</p>
<p style="font-size:10pt"><b>VIA CERTIFIED MAIL, RETURN RECEIPT REQUESTED<br/>AND FIRST-CLASS U.S.
MAIL</b></p>
<p>{_nw(recipient.name)}<br/>{_nw(home.street)}<br/>{_nw(home.city_line)}</p>
<table style="margin: 4pt 0 10pt 36pt"><tr><td style="width:40pt"><b>Re:</b></td>
<td><b>Demand for Payment</b><br/>Creditor: {_nw(creditor)}<br/>Account No.: {_nw(card)}<br/>
Balance Due: {balance}</td></tr></table>
<p>Dear {_nw(recipient.name)}:</p>
<p>This firm represents {_nw(creditor)} (&#8220;Creditor&#8221;) in connection with the account
referenced above. According to Creditor&#8217;s records, the account is in default and the
outstanding balance of {balance} remains unpaid despite prior written requests for payment.</p>
<p>Demand is hereby made for payment of the full balance within thirty (30) days of the date of
this letter. Payment may be made by certified check or money order payable to Creditor and
delivered to this office, referencing the account number above.</p>
<p>If payment is not received within that time, Creditor has authorized this office to pursue all
available remedies, which may include filing suit, without further notice to you. Please review the
enclosed Validation Notice, which describes your rights.</p>
<p style="font-size:10pt"><i>This communication is from a debt collector. This is an attempt to
collect a debt, and any information obtained will be used for that purpose.</i></p>
<p style="margin-top:6pt">Very truly yours,</p>
<p style="margin:0">{esc(firm.upper())}</p>
<p style="margin-top:44pt">{_nw(signer.name)}, Esq.</p>
<p style="font-size:10pt">Enclosure<br/>cc: {_nw(creditor)} (Attn: Recoveries Department)</p>

<h2 class="newpage">VALIDATION NOTICE</h2>
<p>{_nw(firm)} is a debt collector. We are trying to collect a debt that you owe to
{_nw(creditor)}. We will use any information you give us to help collect the debt.</p>
<table class="grid" style="width:100%; margin-bottom:12pt">
<tr><td style="width:170pt">Consumer</td><td>{_nw(recipient.name)}</td></tr>
<tr><td>Account No.</td><td>{_nw(card)}</td></tr>
<tr><td>Amount owed as of {_nw(when)}</td><td>{balance}</td></tr>
</table>
<p><b>How can you dispute the debt?</b> Call or write to us by the thirtieth day after you receive
this notice to dispute all or part of the debt. If you do not, we will assume that our information
is correct. If you write to us by that date, we must stop collection on any amount you dispute
until we send you information that shows you owe the debt.</p>
<p><b>What else can you do?</b> Write to ask for the name and address of the original creditor, if
different from the current creditor. Go to www.cfpb.gov/debt-collection to learn more about your
rights under federal law. Contact us about your payment options.</p>
<table class="coupon" style="width:100%; margin-top:24pt"><tr><td> <b>PAYMENT COUPON</b> &#8212;
detach and return with your payment<br/><br/> Name: {_nw(recipient.name)}<br/>Address:
{_nw(home.street)}, {_nw(home.city_line)}<br/> Account No.: {_nw(card)}<br/>Amount enclosed:
$______________<br/><br/> Mail to: {_nw(firm)}, {_nw(firm_address.street)},
{_nw(firm_address.city_line)} </td></tr></table>
"""
    text_doc = render_html(html, LETTER_CSS)
    if text_doc.page_count != 2:
        raise LayoutError(f"the demand letter should fill two pages, not {text_doc.page_count}")

    items = [
        ("ORG", firm), ("ADDRESS", firm_address.street), ("ADDRESS", firm_address.city_line),
        ("PHONE", signer.phone), ("EMAIL", signer.email), ("DATE", when),
        ("PERSON", recipient.name), ("ADDRESS", home.street), ("ADDRESS", home.city_line),
        ("ORG", creditor), ("CREDIT_CARD", card), ("PERSON", signer.name),
    ]  # fmt: skip
    located: list[tuple[int, str, str, pymupdf.Rect]] = []
    for index, page in enumerate(text_doc):
        for label, text in items:
            # every value sits in a no-wrap span, so each hit is one whole occurrence
            located.extend((index, label, text, rect) for rect in page.search_for(text))
    # The handwritten signature: a few strokes between the closing and the typed name.
    anchor = text_doc[0].search_for("Very truly yours,")[0]
    firm_line = text_doc[0].search_for(firm.upper())[-1]
    signature = _draw_signature(text_doc[0], pymupdf.Point(anchor.x0 + 4, firm_line.y1 + 6), rng)
    located.append((0, "SIGNATURE", signer.name, signature))

    out = pymupdf.open()
    scanner = Scanner(rng, dpi=150, quality=50)
    angles = (0.4, -0.3)  # degrees: a hand-fed copier never feeds straight
    mappings = [scanner.scan(page, out, angle=a) for page, a in zip(text_doc, angles, strict=True)]
    pii = tuple(
        PiiTruth(label=label, text=text, page=index, rect=map_rect(rect, mappings[index]))
        for index, label, text, rect in sorted(located, key=lambda t: (t[0], t[3].y0, t[3].x0))
    )
    pages = finish(out, dest / FILE, TITLE)
    text_doc.close()
    return SampleDocument(file=FILE, title=TITLE, kind="scanned_letter", pages=pages, pii=pii)


def _draw_signature(page: pymupdf.Page, start: pymupdf.Point, rng: random.Random) -> pymupdf.Rect:
    """Scribble a cursive-looking signature; return the area it covers."""
    shape = page.new_shape()
    x, y = start.x + 6, start.y + 20
    current = pymupdf.Point(x, y)
    for stroke in range(9):
        width = rng.uniform(9, 16)
        loop = stroke in (0, 4) or rng.random() < 0.25
        rise = rng.uniform(12, 20) if loop else rng.uniform(3, 9)
        target = pymupdf.Point(current.x + width, y + rng.uniform(-2, 3))
        # a loop: the first control point runs ahead and up, the second comes back
        c1 = pymupdf.Point(current.x + width * (1.6 if loop else 0.4), current.y - rise)
        c2 = pymupdf.Point(current.x - width * (0.4 if loop else -0.5), target.y - rise * 0.6)
        shape.draw_bezier(current, c1, c2, target)
        current = target
    shape.draw_bezier(
        current,
        pymupdf.Point(current.x + 18, current.y + 6),
        pymupdf.Point(current.x + 4, current.y + 10),
        pymupdf.Point(x - 4, y + 7),
    )
    shape.finish(color=(0.05, 0.05, 0.2), width=1.1, closePath=False)
    area = pymupdf.Rect(shape.rect)  # commit() resets it
    shape.commit()
    return area
