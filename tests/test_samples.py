"""The synthetic sample generator: realistic, truthful about its PII, reproducible.

The ground truth is what PII detection, OCR and citation checking are scored
against, so these tests check it against the PDFs themselves with real
PyMuPDF (no mocks): every listed value is on its page, the scan has no text
layer, identifiers are checksum-valid, and the shipped copy in
``resources/samples`` is exactly what the generator makes today.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest

from reviewer.core.resources import as_path
from reviewer.core.samples import (
    GROUND_TRUTH_FILE,
    PII_LABELS,
    RARE_TERM,
    SAMPLE_FILES,
    PiiTruth,
    SampleSet,
    generate_samples,
    load_ground_truth,
    make_long_brief,
    make_scanned,
    rare_term_pages,
)
from reviewer.core.samples.__main__ import main as samples_main

PAGE_RANGES = {
    "credit_agreement.pdf": (6, 10),
    "motion_ai_draft.pdf": (3, 5),
    "motion_draft_a.pdf": (2, 3),
    "motion_draft_b.pdf": (2, 3),
    "motion_draft_c.pdf": (2, 3),
    "scanned_letter.pdf": (1, 2),
}


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> SampleSet:
    return generate_samples(tmp_path_factory.mktemp("samples"))


def page_texts(path: Path) -> list[str]:
    with pymupdf.open(path) as doc:
        return [page.get_text() for page in doc]


def text_documents(samples: SampleSet) -> list:
    return [d for d in samples.documents if d.kind != "scanned_letter"]


# -- independent validators (deliberately not the generator's own helpers) ----
def aba_ok(number: str) -> bool:
    d = [int(c) for c in number]
    total = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]
    return len(d) == 9 and total % 10 == 0


def iban_ok(iban: str) -> bool:
    s = iban.replace(" ", "")
    moved = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number.replace(" ", "")][::-1]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


# -- files and ground truth ---------------------------------------------------
def test_generates_expected_files(samples: SampleSet) -> None:
    names = {p.name for p in samples.folder.iterdir()}
    assert names == {*SAMPLE_FILES, GROUND_TRUTH_FILE}
    assert [d.file for d in samples.documents] == list(SAMPLE_FILES)
    kinds = {d.file: d.kind for d in samples.documents}
    assert kinds == {
        "credit_agreement.pdf": "credit_agreement",
        "motion_ai_draft.pdf": "motion",
        "motion_draft_a.pdf": "draft",
        "motion_draft_b.pdf": "draft",
        "motion_draft_c.pdf": "draft",
        "scanned_letter.pdf": "scanned_letter",
    }
    for doc in samples.documents:
        with pymupdf.open(samples.path(doc)) as pdf:
            assert pdf.page_count == doc.pages
            low, high = PAGE_RANGES[doc.file]
            assert low <= doc.pages <= high, doc.file
            assert pdf.metadata["author"] == "reviewer sample generator"
            assert pdf.metadata["title"] == doc.title
            assert pdf.metadata["creationDate"] == pdf.metadata["modDate"] != ""


def test_ground_truth_round_trips(samples: SampleSet) -> None:
    assert load_ground_truth(samples.folder) == samples
    raw = (samples.folder / GROUND_TRUTH_FILE).read_text(encoding="utf-8")
    assert str(samples.folder) not in raw
    assert "\\" not in raw


def test_pii_labels_are_from_the_taxonomy(samples: SampleSet) -> None:
    for doc in samples.documents:
        assert doc.pii, doc.file
        assert {p.label for p in doc.pii} <= set(PII_LABELS)
    with pytest.raises(ValueError, match="unknown PII label"):
        PiiTruth(label="NAME", text="x", page=0)


def test_every_pii_text_is_found_on_its_page(samples: SampleSet) -> None:
    for doc in text_documents(samples):
        with pymupdf.open(samples.path(doc)) as pdf:
            for item in doc.pii:
                assert pdf[item.page].search_for(item.text), (doc.file, item)


def test_credit_agreement_carries_the_promised_pii(samples: SampleSet) -> None:
    doc = samples.document("credit_agreement.pdf")
    by_label: dict[str, set[str]] = {}
    for item in doc.pii:
        by_label.setdefault(item.label, set()).add(item.text)
    for label in ("PERSON", "ORG", "ADDRESS", "PHONE", "EMAIL", "SIGNATURE", "SSN", "TAX_ID",
                  "DATE_OF_BIRTH", "ROUTING_NUMBER", "BANK_ACCOUNT", "IBAN"):  # fmt: skip
        assert label in by_label, label
    assert "ACME Holdings, Inc." in by_label["ORG"]
    assert all(aba_ok(n) for n in by_label["ROUTING_NUMBER"])
    assert all(iban_ok(n) for n in by_label["IBAN"])
    for ssn in by_label["SSN"]:
        area, group, serial = re.fullmatch(r"(\d{3})-(\d{2})-(\d{4})", ssn).groups()
        assert area not in {"000", "666"}
        assert not area.startswith("9")
        assert group != "00"
        assert serial != "0000"
    assert all(re.fullmatch(r"\d{2}-\d{7}", ein) for ein in by_label["TAX_ID"])

    text = "\n".join(page_texts(samples.path(doc)))
    for term in ("“Borrower”", "“Applicable Margin”", "“Loan Documents”", "Chief Financial Officer",
                 "ACME HOLDINGS, INC.", "as the Borrower", "Pricing Level"):  # fmt: skip
        assert term in text, term
    cfo = next(p.text for p in doc.pii if p.label == "SIGNATURE")
    assert f"By: {cfo}" in " ".join(text.split())


def test_motion_cites_a_real_and_a_fabricated_case(samples: SampleSet) -> None:
    doc = samples.document("motion_ai_draft.pdf")
    real = {c.text for c in doc.citations if c.real}
    fake = {c.text for c in doc.citations if not c.real}
    assert any("550 U.S. 544" in c or "556 U.S. 662" in c for c in real)
    assert fake
    assert all("Thistlewood" in c for c in fake)
    flat = " ".join(" ".join(page_texts(samples.path(doc))).split())
    with pymupdf.open(samples.path(doc)) as pdf:
        for cite in doc.citations:
            assert cite.text in flat
            assert pdf[cite.page].search_for(cite.text), cite
    assert "JOHN DOE" in flat
    assert "ACME HOLDINGS, INC." in flat
    ecf = r"Case 2:24-cv-\d{5}-[A-Z]{3} Document \d+ Filed \d\d/\d\d/24 Page 1 of \d"
    assert re.search(ecf, flat)
    labels = {p.label for p in doc.pii}
    assert {"EMAIL", "PHONE", "OTHER", "SIGNATURE"} <= labels  # OTHER: the bar number


def test_drafts_are_two_versions_of_one_motion(samples: SampleSet) -> None:
    a = " ".join(page_texts(samples.path("motion_draft_a.pdf")))
    b = " ".join(page_texts(samples.path("motion_draft_b.pdf")))
    case_no = re.search(r"2:24-cv-\d{5}-[A-Z]{3}", a).group(0)
    assert case_no in b
    assert a != b
    # the arguments come in a different order
    order_a = [a.find(w) for w in ("Contract Claim", "Fraud Claim", "Unjust Enrichment Is")]
    assert order_a == sorted(order_a)
    assert -1 not in order_a
    assert b.find("Fail to Plead Fraud") < b.find("Breach of Contract Claim Fails")
    assert "[NTD" in b
    assert "[NTD" not in a


def test_draft_c_is_strong_on_third_circuit_law_with_two_planted_errors(
    samples: SampleSet,
) -> None:
    """Draft C: the same motion again, citing Third Circuit and Pennsylvania authority, but
    a Ninth Circuit case called binding and one case name on another case's citation."""
    from reviewer.core.samples._motion import DRAFT_C_FLAWS, MISMATCHED, VESS

    a = " ".join(page_texts(samples.path("motion_draft_a.pdf")))
    c = " ".join(" ".join(page_texts(samples.path("motion_draft_c.pdf"))).split())
    case_no = re.search(r"2:24-cv-\d{5}-[A-Z]{3}", a).group(0)
    assert case_no in c
    assert "ATTORNEY WORK PRODUCT / DRAFT" in c
    assert "DRAFT C" not in c  # the window names drafts by its own shuffled letters
    assert "[NTD" not in c
    assert "Thistlewood" not in c
    doc = samples.document("motion_draft_c.pdf")
    cited = {t.text: t.real for t in doc.citations}
    assert cited[MISMATCHED] is False  # the name of one case on the citation of another
    assert cited[VESS] is True  # a real case; the error is calling it binding here
    assert set(DRAFT_C_FLAWS) == {MISMATCHED, VESS}
    assert "9th Cir." in VESS
    assert "Binding precedent requires" in c
    third_circuit = [t for t, real in cited.items() if real and "(3d Cir." in t]
    assert len(third_circuit) >= 2
    assert any("550 U.S. 544" in t for t in cited)
    assert any("556 U.S. 662" in t for t in cited)
    with pymupdf.open(samples.path(doc)) as pdf:
        for cite in doc.citations:
            assert cite.text in c
            assert pdf[cite.page].search_for(cite.text), cite
    order = [c.find(w) for w in ("Contract Claim", "Fraud Claim", "Unjust Enrichment Is")]
    assert order == sorted(order)
    assert -1 not in order


def test_layout_is_a_legal_document(samples: SampleSet) -> None:
    for doc in text_documents(samples):
        with pymupdf.open(samples.path(doc)) as pdf:
            fonts = {f[3] for page in pdf for f in page.get_fonts()}
            assert any("Nimbus Roman" in name or "Times" in name for name in fonts), fonts
            for page in pdf:
                assert page.rect == pymupdf.paper_rect("letter")
                for block in page.get_text("dict")["blocks"]:
                    for line in block.get("lines", ()):
                        for span in line["spans"]:
                            if not span["text"].strip():
                                continue
                            # nothing outside the 1-inch side margins or off the page
                            bbox = pymupdf.Rect(span["bbox"])
                            assert bbox in pymupdf.Rect(71, 20, 541, 780), (doc.file, span["text"])
            assert pdf[-1].get_text().strip(), "last page must not be empty"


def test_scanned_letter_is_image_only(samples: SampleSet) -> None:
    doc = samples.document("scanned_letter.pdf")
    with pymupdf.open(samples.path(doc)) as pdf:
        for page in pdf:
            assert page.get_text() == ""
            assert len(page.get_images()) == 1
            assert page.get_image_rects(page.get_images()[0][0])[0] == page.rect
        for item in doc.pii:
            rect = pymupdf.Rect(item.rect)
            page = pdf[item.page]
            assert rect in page.rect, item
            assert 4 < rect.height < 40, item
            assert rect.width > 10, item
            # the rectangle really holds ink, not empty paper
            pix = page.get_pixmap(clip=rect, dpi=100, colorspace=pymupdf.csGRAY)
            assert min(pix.samples) < 110, item
    labels = {p.label for p in doc.pii}
    assert {"PERSON", "ADDRESS", "CREDIT_CARD", "SIGNATURE", "DATE"} <= labels
    assert all(luhn_ok(p.text) for p in doc.pii if p.label == "CREDIT_CARD")


# -- reproducibility ----------------------------------------------------------
def test_same_seed_same_text_and_truth(samples: SampleSet, tmp_path: Path) -> None:
    again = generate_samples(tmp_path)
    assert again.to_json() == samples.to_json()
    for name in SAMPLE_FILES:
        assert page_texts(again.folder / name) == page_texts(samples.folder / name), name


def test_other_seed_other_people(samples: SampleSet, tmp_path: Path) -> None:
    other = generate_samples(tmp_path, seed=samples.seed + 1)

    def people(s: SampleSet) -> set[str]:
        return {p.text for d in s.documents for p in d.pii if p.label == "PERSON"} - {"John Doe"}

    assert people(other).isdisjoint(people(samples))


def test_shipped_samples_match_the_generator(samples: SampleSet) -> None:
    with as_path("samples") as shipped:
        assert (shipped / GROUND_TRUTH_FILE).read_text(encoding="utf-8") == samples.to_json()
        for name in SAMPLE_FILES:
            assert page_texts(shipped / name) == page_texts(samples.folder / name), (
                f"{name} drifted: run `python -m reviewer.core.samples resources/samples`"
            )
        assert (shipped / "README.md").is_file()
        total = sum(p.stat().st_size for p in shipped.iterdir())
        assert total < 1_500_000


def test_cli_writes_the_samples(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert samples_main([str(tmp_path / "out"), "--seed", "7"]) == 0
    assert load_ground_truth(tmp_path / "out").seed == 7
    assert "credit_agreement.pdf" in capsys.readouterr().out


def test_samples_never_import_qt() -> None:
    code = (
        "import sys, reviewer.core.samples, reviewer.core.samples.__main__; "
        "sys.exit(any(m.split('.')[0] == 'PySide6' for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# -- long documents -----------------------------------------------------------
def test_rare_term_pages() -> None:
    assert rare_term_pages(1000) == (136, 511, 997)
    assert rare_term_pages(30) == (4, 15, 29)
    for pages in range(3, 120):
        first, second, third = rare_term_pages(pages)
        assert 0 <= first < second < third < pages
    with pytest.raises(ValueError, match="three pages"):
        rare_term_pages(2)


def test_long_brief(tmp_path: Path) -> None:
    path = tmp_path / "brief.pdf"
    make_long_brief(path, 30)
    with pymupdf.open(path) as pdf:
        assert pdf.page_count == 30
        hits = {page.number: len(page.search_for(RARE_TERM)) for page in pdf}
        assert {n for n, count in hits.items() if count} == set(rare_term_pages(30))
        assert all(hits[n] == 1 for n in rare_term_pages(30))  # one hit, never split over lines
        for page in pdf:
            text = page.get_text()
            assert 2500 <= len(text) <= 4500
            assert f"Page {page.number + 1} of 30" in text
            assert text.rstrip().endswith(str(page.number + 1))  # footer page number
        assert {f[3] for f in pdf[0].get_fonts()} == {"Times-Roman"}


def test_long_brief_is_deterministic(tmp_path: Path) -> None:
    make_long_brief(tmp_path / "a.pdf", 4, seed=5)
    make_long_brief(tmp_path / "b.pdf", 4, seed=5)
    assert page_texts(tmp_path / "a.pdf") == page_texts(tmp_path / "b.pdf")


def test_make_scanned(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    make_scanned(path, 3)
    with pymupdf.open(path) as pdf:
        assert pdf.page_count == 3
        for page in pdf:
            assert page.get_text() == ""
            images = page.get_images()
            assert len(images) == 1
            assert images[0][-1] == "DCTDecode"


def test_sample_batch_carries_the_shipped_documents() -> None:
    """The demo batch must hold the very PDFs the demo opens (same SHA-256), else the
    demo shows each document twice; remake it as resources/samples/README.md says."""
    import hashlib
    import json
    import zipfile

    with as_path("samples") as shipped, zipfile.ZipFile(shipped / "sample_batch.rvbatch") as z:
        manifest = json.loads(z.read("manifest.json"))
        for doc in manifest["documents"]:
            on_disk = hashlib.sha256((shipped / doc["name"]).read_bytes()).hexdigest()
            assert doc["sha256"] == on_disk, f"{doc['name']} changed: remake the sample batch"


def test_sample_batch_is_made_from_tests_data(tmp_path: Path) -> None:
    """The shipped batch passes every import check and carries exactly what
    tests/data/sample_batch holds: the instructions, the known citations, a review item of
    the AI motion and a compare item of drafts A, B and C (remake it as the README says)."""
    import json

    from reviewer.core.batch_file import read_batch

    data = Path(__file__).parent / "data" / "sample_batch"
    with as_path("samples") as shipped:
        content = read_batch(shipped / "sample_batch.rvbatch", tmp_path / "scratch")
        names = {d["sha256"]: d["name"] for d in content.manifest["documents"]}
    assert content.instructions == (data / "instructions.md").read_text(encoding="utf-8")
    assert content.citations == (data / "citations.csv").read_text(encoding="utf-8")
    assert "550 U.S. 544" in content.citations
    assert "556 U.S. 662" in content.citations
    assert "Thistlewood" not in content.citations  # fabricated: never a known citation
    given = [json.loads(line) for line in (data / "items.jsonl").read_text().splitlines()]
    assert [(i["id"], i["task"]) for i in content.items] == [(i["id"], i["task"]) for i in given]
    assert [[names[d] for d in i["documents"]] for i in content.items] == [
        ["motion_ai_draft.pdf"],
        ["motion_draft_a.pdf", "motion_draft_b.pdf", "motion_draft_c.pdf"],
    ]
