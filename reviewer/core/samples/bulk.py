"""Long documents for tests and benchmarks: a 1,000-page brief, a 200-page scan.

Search, thumbnails, OCR and the page cache all need big inputs, but shipping
them would bloat the repository; these functions make them on demand in
seconds. The brief carries a rare term on exactly three known pages so a
search benchmark can check it found them all and nothing else.
"""

from __future__ import annotations

import random
from pathlib import Path

import pymupdf

from reviewer.core.samples._layout import BODY, LETTER, MARGIN, LayoutError, finish, stamp_line
from reviewer.core.samples._scan import Scanner

RARE_TERM = "Xylophone Holdings"
_RARE_FRACTIONS = (0.136, 0.511, 0.997)

# One sentence per paragraph of this block; line breaks inside a sentence are ignored.
_SENTENCE_BLOCK = """
The Court accepts the well-pleaded factual allegations of the complaint as true for purposes of
this motion.

Plaintiff does not dispute that the notice required by Section 10.02 was delivered on the date
stated in the record.

Defendant's reading of the indenture would render the phrase "on a pro rata basis" mere
surplusage.

The parties agree that New York law governs the Loan Documents and the claims asserted here.

Where the language of a contract is clear and unambiguous, its meaning is a question of law for
the court.

Nothing in the record suggests that the Administrative Agent acted outside the authority
conferred on it.

The Trustee's expert calculated the Consolidated Total Net Leverage Ratio at 4.35:1.00 as of the
test date.

That figure exceeds the maximum permitted ratio and, if accurate, constitutes an Event of
Default.

The Borrower responds that the add-backs for restructuring charges were expressly permitted by
the definition of Consolidated EBITDA.

The Court need not resolve that dispute to decide the narrower question presented by the present
motion.

Section 7.11 requires compliance with the financial covenant as of the last day of each fiscal
quarter.

The amendment executed in the third quarter did not purport to waive any Default then existing.

Courts read a contract as a whole to give effect to the parties' intent as expressed in the
words they chose.

The deposition testimony on this point is, at best, equivocal and does not create a genuine
dispute of material fact.

Moreover, the Lenders' reservation of rights letters put the Borrower on notice of the alleged
breach.

The course of dealing between the parties cannot vary the unambiguous terms of an integrated
agreement.

Plaintiffs seek damages measured by the difference between the contract rate and the default
rate of interest.

The default rate, by its terms, applies only upon written notice from the Required Lenders.

No such notice was given before the maturity date, and the claim for default interest therefore
fails.

The remaining claims turn on disputed questions of fact that are not suitable for summary
disposition.

Exhibit 14 is a true and correct copy of the compliance certificate delivered for the relevant
fiscal quarter.

The certificate was signed by the Chief Financial Officer and attached the required supporting
schedules.

Defendants' motion in limine to exclude the supplemental expert report is addressed in a
separate order.

For the reasons stated above, the motion is granted in part and denied in part.

The indenture trustee was entitled to rely on the officer's certificate absent actual knowledge
of its falsity.

Payment of the make-whole amount was triggered by the optional redemption and not by
acceleration.

The record reflects at least three wire transfers to affiliated entities during the look-back
period.

Each transfer was approved by the board of directors and disclosed in the quarterly financial
statements.

The Court declines to consider arguments raised for the first time in a reply brief.

Accordingly, the Court turns to the question whether the guaranty was supported by reasonably
equivalent value.
"""
_SENTENCES: tuple[str, ...] = tuple(
    " ".join(chunk.split()) for chunk in _SENTENCE_BLOCK.split("\n\n") if chunk.strip()
)
_RARE_SENTENCE = (
    f"The subsequent transfer of the collateral to {RARE_TERM} was never disclosed to the Lenders."
)
_INDENT = "\xa0" * 8  # no-break spaces: justification cannot stretch a fixed indent
_HEADINGS = ("DISCUSSION", "BACKGROUND", "ARGUMENT", "STANDARD OF REVIEW", "ANALYSIS")


def rare_term_pages(pages: int) -> tuple[int, int, int]:
    """The three 0-based pages that carry the rare term in a brief of ``pages`` pages.

    They sit at 13.6%, 51.1% and 99.7% of the document: early, middle and the
    last pages, so a search benchmark sees hits spread over the whole file.
    """
    if pages < 3:
        raise ValueError("a long brief needs at least three pages for its rare-term pages")
    first = int(_RARE_FRACTIONS[0] * pages)
    second = max(int(_RARE_FRACTIONS[1] * pages), first + 1)
    third = max(min(int(_RARE_FRACTIONS[2] * pages), pages - 1), second + 1)
    return (first, second, third)


def _page_text(rng: random.Random, *, target: int = 3000, rare: bool = False) -> str:
    """About ``target`` characters of brief-like prose in indented paragraphs."""
    paragraphs: list[str] = []
    length = 0
    while length < target:
        count = rng.randint(3, 6)
        sentences = rng.sample(_SENTENCES, count)
        paragraph = _INDENT + " ".join(sentences)
        paragraphs.append(paragraph)
        length += len(paragraph) + 1
    if rare:
        # opening a paragraph, the term cannot be split over two lines: one hit, one rectangle
        middle = len(paragraphs) // 2
        paragraphs[middle] = _INDENT + _RARE_SENTENCE + " " + paragraphs[middle].lstrip("\xa0")
    return "\n".join(paragraphs)


def make_long_brief(path: Path, pages: int, *, seed: int = 1234) -> None:
    """Write a ``pages``-page text brief (about 3,000 characters per page) to ``path``.

    Uses Base-14 Times through ``insert_textbox``: nothing to embed and no HTML
    layout, so 1,000 pages take a few seconds.
    """
    rng = random.Random(seed)
    rare = set(rare_term_pages(pages))
    doc = pymupdf.open()
    text_rect = pymupdf.Rect(BODY.x0, BODY.y0, BODY.x1, BODY.y1)
    for index in range(pages):
        page = doc.new_page(width=LETTER.width, height=LETTER.height)
        header = f"Case 1:23-cv-04567-RMB     Document 88     Filed 09/01/23     Page {index + 1}"
        stamp_line(page, f"{header} of {pages}", 0.55 * MARGIN)
        body = _page_text(rng, rare=index in rare)
        if index % 7 == 0:
            body = f"{rng.choice(_HEADINGS)}\n{body}"
        spare = page.insert_textbox(
            text_rect, body, fontname="tiro", fontsize=11, align=pymupdf.TEXT_ALIGN_JUSTIFY
        )
        if spare < 0:
            raise LayoutError(f"long brief page {index + 1} overflows by {-spare:.1f} pt")
        stamp_line(page, str(index + 1), LETTER.height - 0.5 * MARGIN, size=10)
    finish(doc, path, f"Long brief ({pages} pages)", "Synthetic brief for tests and benchmarks")


def make_scanned(path: Path, pages: int, *, dpi: int = 150, seed: int = 42) -> None:
    """Write ``pages`` image-only pages, like a copier scan of a document production.

    Each page is a different text page rasterized to a grey, slightly skewed
    JPEG with paper grain; there is no text layer, so only OCR can read it.
    """
    rng = random.Random(seed)
    scanner = Scanner(rng, dpi=dpi, quality=50)
    scratch = pymupdf.open()
    out = pymupdf.open()
    text_rect = pymupdf.Rect(BODY.x0, BODY.y0 + 10, BODY.x1, BODY.y1)
    for index in range(pages):
        page = scratch.new_page(width=LETTER.width, height=LETTER.height)
        spare = page.insert_textbox(
            text_rect,
            _page_text(rng, target=2400),
            fontname="tiro",
            fontsize=11,
            align=pymupdf.TEXT_ALIGN_JUSTIFY,
        )
        if spare < 0:
            raise LayoutError(f"scanned page {index + 1} overflows by {-spare:.1f} pt")
        stamp_line(
            page,
            f"CONFIDENTIAL  ACME-{index + 1:07d}",
            LETTER.height - 0.5 * MARGIN,
            size=9,
            align="right",
        )
        scanner.scan(page, out)
    scratch.close()
    finish(out, path, f"Scanned production ({pages} pages)", "Synthetic image-only scan")
