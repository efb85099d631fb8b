"""`reviewer redact`, `verify-redaction` and `check-redactions` as scripts run them."""

from __future__ import annotations

import json
from pathlib import Path

import pymupdf
from test_cli import run_cli

LINES = [
    "Declaration of Jane Roe in support of the motion",
    "Her SSN is 123-45-6789 and her phone is (415) 555-0132.",
    "Nothing else on this line is private.",
]


def _text(pdf: Path) -> str:
    with pymupdf.open(pdf) as doc:
        return "".join(page.get_text() for page in doc)


def test_redact_terms_then_verify(make_pdf, tmp_path: Path, home: Path) -> None:
    source = make_pdf("declaration.pdf", LINES, LINES)
    terms = tmp_path / "terms.txt"
    terms.write_text("123-45-6789\nJane Roe\n\n", encoding="utf-8")
    out = tmp_path / "out" / "redacted.pdf"
    out.parent.mkdir()

    result = run_cli("redact", source, "-o", out, "--terms", terms, home=home)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["checks"]
    assert "123-45-6789" not in result.stdout
    assert "Jane Roe" not in result.stdout
    text = _text(out)
    assert "123-45-6789" not in text
    assert "Jane Roe" not in text
    assert "Nothing else on this line is private." in text  # no over-removal
    beside = sorted(p.name for p in out.parent.iterdir())
    assert beside[0] == "redacted.pdf"
    assert any(name.endswith(".json") for name in beside)  # the report, beside the output
    assert len(beside) == 2  # and no temporary file left

    verified = run_cli("verify-redaction", out, "--terms", terms, home=home)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    leaked = run_cli("verify-redaction", source, "--terms", terms, home=home)
    assert leaked.returncode == 1
    failed = [c for c in json.loads(leaked.stdout)["checks"] if not c["passed"]]
    assert failed
    assert "123-45-6789" not in leaked.stdout


def test_redact_areas_and_bad_areas(make_pdf, tmp_path: Path, home: Path) -> None:
    source = make_pdf("declaration.pdf", LINES)
    areas = tmp_path / "areas.json"
    # make_pdf writes line 2 at y = 120 (baseline), 11 pt type: cover it whole.
    areas.write_text(json.dumps([{"page": 1, "rect": [60, 109, 560, 124]}]), encoding="utf-8")
    out = tmp_path / "redacted.pdf"
    result = run_cli("redact", source, "-o", out, "--areas", areas, home=home)
    assert result.returncode == 0, result.stderr
    text = _text(out)
    assert "123-45-6789" not in text
    assert "Declaration of Jane Roe" in text

    areas.write_text(json.dumps([{"page": 0, "rect": [1, 2, 3, 4]}]), encoding="utf-8")
    bad = run_cli("redact", source, "-o", tmp_path / "x.pdf", "--areas", areas, home=home)
    assert bad.returncode == 2
    assert "areas.json: area 1: page must be a whole number from 1" in bad.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_redact_from_exported_annotations(make_pdf, tmp_path: Path, home: Path) -> None:
    """Import a quote, export it with its boxes, redact from that export."""
    source = make_pdf("declaration.pdf", LINES)
    quote = {
        "type": "Annotation",
        "body": {"type": "TextualBody", "purpose": "tagging", "value": "SSN"},
        "target": {"selector": {"type": "TextQuoteSelector", "exact": "123-45-6789"}},
    }
    proposed = {**quote, "reviewer:state": "proposed"}
    proposed["target"] = {"selector": {"type": "TextQuoteSelector", "exact": "(415) 555-0132"}}
    proposed["body"] = {"type": "TextualBody", "purpose": "tagging", "value": "PHONE"}
    given = tmp_path / "given.jsonl"
    given.write_text(json.dumps(quote) + "\n" + json.dumps(proposed) + "\n", encoding="utf-8")
    imported = run_cli("annotations", "import", source, given, home=home)
    assert imported.returncode == 0, imported.stderr
    exported = tmp_path / "exported.jsonl"
    result = run_cli(
        "annotations", "export", source, "--format", "jsonl", "-o", exported, home=home
    )
    assert result.returncode == 0, result.stderr

    out = tmp_path / "redacted.pdf"
    result = run_cli("redact", source, "-o", out, "--annotations", exported, home=home)
    assert result.returncode == 0, result.stderr
    text = _text(out)
    assert "123-45-6789" not in text
    assert "(415) 555-0132" in text  # only accepted annotations are redacted


def test_redact_refuses_bad_input_and_leaves_the_target(
    make_pdf, shared_pdfs: Path, tmp_path: Path, home: Path
) -> None:
    source = make_pdf("declaration.pdf", LINES)
    terms = tmp_path / "terms.txt"
    terms.write_text("Jane Roe\n", encoding="utf-8")
    nothing = run_cli("redact", source, "-o", tmp_path / "o.pdf", home=home)
    assert nothing.returncode == 2
    assert "nothing to redact" in nothing.stderr
    same = run_cli("redact", source, "-o", source, "--terms", terms, home=home)
    assert same.returncode == 2
    assert "must not be the input" in same.stderr

    target = tmp_path / "kept.pdf"
    target.write_bytes(b"an earlier export")
    locked = run_cli(
        "redact", shared_pdfs / "pdfminer__aes-256.pdf", "-o", target, "--terms", terms, home=home
    )
    assert locked.returncode == 2
    assert "pdfminer__aes-256.pdf" in locked.stderr
    assert "password" in locked.stderr
    assert target.read_bytes() == b"an earlier export"

    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(source.read_bytes()[:300])
    broken = run_cli("redact", corrupt, "-o", target, "--terms", terms, home=home)
    assert broken.returncode == 2
    assert "corrupt.pdf" in broken.stderr
    assert target.read_bytes() == b"an earlier export"


def test_check_redactions_finds_text_under_black_boxes(shared_pdfs: Path, home: Path) -> None:
    result = run_cli("check-redactions", shared_pdfs / "xray__rectangles_yes.pdf", home=home)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert len(found) == 3
    assert {f["page"] for f in found} == {1}
    assert all(set(f) == {"page", "rect", "kind", "preview"} for f in found)
    assert "did not disclose all relevant medical history" not in result.stdout  # masked

    clean = run_cli("check-redactions", shared_pdfs / "xray__rectangles_no.pdf", home=home)
    assert clean.returncode == 0, clean.stderr
    assert json.loads(clean.stdout) == []
