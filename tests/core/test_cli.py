"""The command line, run as a user would: ``python -m reviewer ...`` in a subprocess."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import reviewer

SHARED_PDFS = Path(__file__).resolve().parents[3] / "shared" / "data" / "pdf"
ALL_PDFS = sorted(SHARED_PDFS.glob("*.pdf"))
ENCRYPTED = SHARED_PDFS / "pdfminer__aes-256.pdf"
TEXT_PDF = SHARED_PDFS / "doctor__ca1_00117684624.pdf"
INFO_KEYS = {
    "path",
    "format",
    "page_count",
    "encrypted",
    "pages",
    "has_annotations",
    "has_forms",
    "form_fields",
    "embedded_files",
    "has_javascript",
    "sha256",
    "pages_with_text",
}


def run_cli(
    *args: str | Path, home: Path, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "REVIEWER_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "reviewer", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd or home.parent,
        check=False,
    )


@pytest.fixture(scope="module")
def every_info(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[Path, subprocess.CompletedProcess[str]]:
    """``reviewer info`` on every shared PDF, four subprocesses at a time."""
    home = tmp_path_factory.mktemp("cli-home")

    def info(path: Path) -> subprocess.CompletedProcess[str]:
        extra = ["--password", "foo"] if path == ENCRYPTED else []
        return run_cli("info", path, *extra, home=home)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(ALL_PDFS, pool.map(info, ALL_PDFS), strict=True))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_info(data: dict[str, Any], path: Path) -> None:
    assert set(data) >= INFO_KEYS
    assert data["path"] == str(path)
    assert data["format"] == "pdf"
    assert data["page_count"] == len(data["pages"]) > 0
    assert [p["number"] for p in data["pages"]] == list(range(1, data["page_count"] + 1))
    assert all(isinstance(p["has_text"], bool) for p in data["pages"])
    assert data["pages_with_text"] == sum(p["has_text"] for p in data["pages"])
    assert len(data["sha256"]) == 64
    assert set(data["sha256"]) <= set("0123456789abcdef")
    assert data["sha256"] == _sha256(path)
    assert isinstance(data["has_annotations"], bool)
    assert isinstance(data["has_forms"], bool)
    assert isinstance(data["form_fields"], int)
    assert isinstance(data["embedded_files"], int)
    assert isinstance(data["has_javascript"], bool)


def _one_line_error(result: subprocess.CompletedProcess[str], name: str) -> str:
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"reviewer info: {name}: ")
    return lines[0]


def test_version(home: Path) -> None:
    """--version prints 'reviewer <version>' and exits 0."""
    result = run_cli("--version", home=home)
    assert result.returncode == 0
    assert result.stdout.strip() == f"reviewer {reviewer.__version__}"
    assert result.stderr == ""


def test_info_on_text_pdf(home: Path) -> None:
    """info prints JSON with every documented key; a 17-page opinion has text on every page."""
    result = run_cli("info", TEXT_PDF, home=home)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    _check_info(data, TEXT_PDF)
    assert data["page_count"] == 17
    assert data["pages_with_text"] == 17
    assert data["encrypted"] is False
    assert (data["has_annotations"], data["has_forms"], data["form_fields"]) == (False, False, 0)
    assert data["embedded_files"] == 0
    assert data["has_javascript"] is False
    assert result.stderr == ""


def test_info_encrypted_without_password(home: Path) -> None:
    """An encrypted PDF without --password exits 2 and says to give it with --password."""
    result = run_cli("info", ENCRYPTED, home=home)
    line = _one_line_error(result, "pdfminer__aes-256.pdf")
    assert "--password" in line
    assert "needs a password" in line


def test_info_encrypted_with_password(home: Path) -> None:
    """--password foo opens it: exit 0, encrypted true, its one page has text."""
    result = run_cli("info", ENCRYPTED, "--password", "foo", home=home)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    _check_info(data, ENCRYPTED)
    assert data["encrypted"] is True
    assert data["page_count"] == 1
    assert data["pages_with_text"] == 1


def test_info_encrypted_wrong_password(home: Path) -> None:
    """A wrong password exits 2 with 'password is wrong' (and no --password hint)."""
    result = run_cli("info", ENCRYPTED, "--password", "bar", home=home)
    line = _one_line_error(result, "pdfminer__aes-256.pdf")
    assert line == "reviewer info: pdfminer__aes-256.pdf: the password is wrong"


def test_info_missing_file(home: Path, tmp_path: Path) -> None:
    """A missing file exits 2 with one line naming it."""
    result = run_cli("info", tmp_path / "no such filing.pdf", home=home)
    line = _one_line_error(result, "no such filing.pdf")
    assert line.endswith("the file does not exist")


def test_info_random_bytes(home: Path, tmp_path: Path) -> None:
    """Random bytes named .pdf exit 2 with one line naming the file."""
    path = tmp_path / "garbled exhibit.pdf"
    path.write_bytes(b"\x00\xff" + os.urandom(4094))
    result = run_cli("info", path, home=home)
    line = _one_line_error(result, "garbled exhibit.pdf")
    assert "damaged" in line


def test_info_on_a_folder_names_it(home: Path, tmp_path: Path) -> None:
    """'reviewer info .' inside a folder says which folder it refused (not an empty name)."""
    folder = tmp_path / "Exhibits"
    folder.mkdir()
    result = run_cli("info", ".", home=home, cwd=folder)
    line = _one_line_error(result, "Exhibits")
    assert "folder" in line


def test_info_does_not_touch_the_workspace(home: Path) -> None:
    """info reads a file without creating a workspace database."""
    result = run_cli("info", TEXT_PDF, home=home)
    assert result.returncode == 0
    assert not (home / "workspace.sqlite").exists()


@pytest.mark.parametrize("path", ALL_PDFS, ids=[p.name for p in ALL_PDFS])
def test_info_on_every_shared_pdf(
    every_info: dict[Path, subprocess.CompletedProcess[str]], path: Path
) -> None:
    """info succeeds on every shared PDF (password foo for the encrypted one)."""
    result = every_info[path]
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    _check_info(json.loads(result.stdout), path)
