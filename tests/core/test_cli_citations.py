"""``reviewer citations``, run as the command does: real files, a real document worker.

The sub-command is wired into ``reviewer.app`` separately; these tests build the
same argparse parser around :func:`add_citations_parser` and run it in-process
(the worker is still a process of its own), reading what it prints.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from reviewer.cli_citations import add_citations_parser, read_pages
from reviewer.core.worker import DocumentWorker

KEYS = ["page", "start", "end", "text", "issue", "reason"]
TWOMBLY = "Bell Atlantic Corp. v. Twombly, 550 U.S. 544, 570 (2007)."
VARGHESE = "Varghese v. China Southern Airlines Co., 925 F.3d 1339."


def citations(
    capsys: pytest.CaptureFixture[str], *argv: str | Path
) -> tuple[int, list[dict[str, Any]], str]:
    """Run ``reviewer citations ARGV``: exit code, JSON lines printed, stderr."""
    parser = argparse.ArgumentParser(prog="reviewer")
    add_citations_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["citations", *map(str, argv)])
    code = args.run(args)
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


@pytest.fixture
def brief(make_pdf: Callable[..., Path]) -> Path:
    return make_pdf(
        "AI draft brief.pdf",
        ["ARGUMENT", "A claim must be plausible.", TWOMBLY],
        ["Id. at 556. The same rule binds here.", VARGHESE, "Baz v. Qux, 100 F.3d 200 (1975)."],
    )


def test_a_pdf_gives_one_json_line_per_citation_and_issue(
    capsys: pytest.CaptureFixture[str], brief: Path, make_worker: Callable[..., DocumentWorker]
) -> None:
    code, lines, err = citations(capsys, brief)
    assert (code, err) == (0, "")
    assert all(list(line) == KEYS for line in lines)
    assert [(line["page"], line["text"], line["issue"]) for line in lines] == [
        (1, TWOMBLY.rstrip("."), None),
        (2, "Id. at 556", None),
        (2, VARGHESE.rstrip("."), None),
        (2, "Baz v. Qux, 100 F.3d 200 (1975)", None),
        (2, "Baz v. Qux, 100 F.3d 200 (1975)", "reporter_year"),
    ]
    assert lines[1]["reason"] == "“Id.” referring to 550 U.S. 544"
    # Offsets index the page's text as the worker extracts it (what annotations anchor on).
    worker = make_worker()
    worker.open(brief).result(60)
    texts = {p: worker.words(p).result(60).text for p in (0, 1)}
    for line in lines:
        assert texts[line["page"] - 1][line["start"] : line["end"]] == line["text"]


def test_the_known_list_flags_citations_it_does_not_hold(
    capsys: pytest.CaptureFixture[str], brief: Path, tmp_path: Path
) -> None:
    known = tmp_path / "checked.csv"
    known.write_text(
        "citation,case_name\n550 U.S. 544,Bell Atl. Corp. v. Twombly\n"
        "100 F.3d 200,Real Party v. Other Party\n",
        encoding="utf-8",
    )
    code, lines, err = citations(capsys, brief, "--known", known)
    assert (code, err) == (0, "")
    issues = [(line["page"], line["issue"]) for line in lines if line["issue"]]
    assert issues == [(2, "not_in_known_list"), (2, "known_name_mismatch"), (2, "reporter_year")]
    assert "(checked.csv)" in next(x["reason"] for x in lines if x["issue"] == "not_in_known_list")


def test_a_text_file_is_checked_page_by_page(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "draft.txt"
    path.write_text(f"Id. at 5.\n\n{TWOMBLY}\nSee 12 Xyz. Rptr. 45.\n", encoding="utf-8")
    code, lines, err = citations(capsys, path)
    assert (code, err) == (0, "")
    # PyMuPDF lays a text file out on pages, wrapping long lines.
    assert [(line["page"], " ".join(line["text"].split()), line["issue"]) for line in lines] == [
        (1, "Id. at 5", None),
        (1, "Id. at 5", "no_antecedent"),
        (1, TWOMBLY.rstrip("."), None),
        (1, "12 Xyz. Rptr. 45", None),
        (1, "12 Xyz. Rptr. 45", "unknown_reporter"),
    ]


def test_a_markdown_file_is_read_in_the_worker(tmp_path: Path) -> None:
    path = tmp_path / "draft.md"
    path.write_text(f"# Argument\n\n{VARGHESE}\n", encoding="utf-8")
    pages = read_pages(path)
    assert len(pages) == 1
    assert VARGHESE in " ".join(pages[0].split())


def test_a_corrupt_file_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "broken filing.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    code, lines, err = citations(capsys, path)
    assert (code, lines) == (2, [])
    assert err.startswith("reviewer citations: broken filing.pdf: ")
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_a_missing_file_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, lines, err = citations(capsys, tmp_path / "gone.txt")
    assert (code, lines) == (2, [])
    assert err.strip() == "reviewer citations: gone.txt: the file does not exist"


@pytest.fixture
def sealed_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "sealed.pdf"
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 100), TWOMBLY, fontsize=11)
    doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="o", user_pw="secret")
    doc.close()
    return path


def test_an_encrypted_pdf_without_its_password_exits_2(
    capsys: pytest.CaptureFixture[str], sealed_pdf: Path
) -> None:
    code, lines, err = citations(capsys, sealed_pdf)
    assert (code, lines) == (2, [])
    assert err.strip() == (
        "reviewer citations: sealed.pdf: the document is encrypted and needs a password "
        "(give it with --password)"
    )
    code, lines, err = citations(capsys, sealed_pdf, "--password", "wrong")
    assert (code, lines) == (2, [])
    assert err.strip() == "reviewer citations: sealed.pdf: the password is wrong"


def test_an_encrypted_pdf_is_read_with_its_password(
    capsys: pytest.CaptureFixture[str], sealed_pdf: Path
) -> None:
    code, lines, err = citations(capsys, sealed_pdf, "--password", "secret")
    assert (code, err) == (0, "")
    assert [line["text"] for line in lines] == [TWOMBLY.rstrip(".")]


def test_a_malformed_known_list_exits_2_naming_the_line(
    capsys: pytest.CaptureFixture[str], brief: Path, tmp_path: Path
) -> None:
    known = tmp_path / "checked.csv"
    known.write_text(
        "citation,case_name\n550 U.S. 544,Twombly\nnot a citation,Nobody\n", encoding="utf-8"
    )
    code, lines, err = citations(capsys, brief, "--known", known)
    assert (code, lines) == (2, [])
    assert err.strip() == (
        "reviewer citations: checked.csv: line 3: “not a citation” is not a case citation "
        "(volume, reporter, page)"
    )
    known.write_text("case,name\n", encoding="utf-8")
    code, lines, err = citations(capsys, brief, "--known", known)
    assert (code, lines) == (2, [])
    assert err.startswith("reviewer citations: checked.csv: line 1: expected the header")


def test_the_sample_draft_citing_a_real_page_under_another_name(
    capsys: pytest.CaptureFixture[str], generated: dict[str, Path], tmp_path: Path
) -> None:
    """Draft C of the sample motion puts Phillips v. County of Allegheny on Fowler's page."""
    known = tmp_path / "checked.csv"
    known.write_text(
        "citation,case_name\n"
        "550 U.S. 544,Bell Atlantic Corp. v. Twombly\n"
        "556 U.S. 662,Ashcroft v. Iqbal\n"
        "809 F.3d 780,Connelly v. Lane Construction Corp.\n"
        "605 F.3d 223,Mayer v. Belichick\n"
        "895 A.2d 1250,Wilson Area School District v. Skepton\n"
        "317 F.3d 1097,Vess v. Ciba-Geigy Corp. USA\n"
        "578 F.3d 203,Fowler v. UPMC Shadyside\n",
        encoding="utf-8",
    )
    code, lines, err = citations(
        capsys, generated["samples"] / "motion_draft_c.pdf", "--known", known
    )
    assert (code, err) == (0, "")
    assert len([line for line in lines if line["issue"] is None]) == 7
    problems = [line for line in lines if line["issue"]]
    assert [(p["issue"], " ".join(p["text"].split())) for p in problems] == [
        (
            "known_name_mismatch",
            "Phillips v. County of Allegheny, 578 F.3d 203, 210 (3d Cir. 2009)",
        )
    ]
    assert problems[0]["reason"] == (
        "578 F.3d 203 is “Phillips v. County of Allegheny” here, but “Fowler v. UPMC "
        "Shadyside” in checked.csv"
    )
