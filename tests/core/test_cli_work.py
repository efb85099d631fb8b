"""``reviewer identity | batch | bundle`` run as a team lead's script would: subprocesses.

These names, flags and outputs are a contract (docs/USAGE.md). Each subprocess costs
about a second, so every test runs a whole sequence of commands.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reviewer.core import annotations as store
from reviewer.core import batches, identity
from reviewer.core.batch_file import known_citations, read_batch
from reviewer.core.batch_import import import_batch
from reviewer.core.blobs import sha256_file
from reviewer.core.interchange import PDF_FRAGMENT
from reviewer.core.paths import AppPaths
from reviewer.core.store import Workspace
from reviewer.core.taxonomy import builtin_taxonomy, to_json

MakeBatch = Callable[..., Path]
TIMESHEET_HEADER = "item,local_id,title,status,seconds,segments,first_start,last_end"


def run_cli(*args: str | Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "REVIEWER_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "reviewer", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=home.parent,
        check=False,
    )


def _ok_json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def _refused(result: subprocess.CompletedProcess[str], command: str, code: int) -> str:
    """A refusal: the exit code, nothing on stdout, one line on stderr naming the command."""
    assert result.returncode == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"reviewer {command}: ")
    return lines[0]


def _tag(label: str = "factual") -> dict[str, Any]:
    return {"type": "TextualBody", "purpose": "tagging", "value": label}


def _quote(exact: str, page: int | None = None) -> dict[str, Any]:
    selectors: list[dict[str, Any]] = [{"type": "TextQuoteSelector", "exact": exact}]
    if page is not None:
        selectors.append(
            {"type": "FragmentSelector", "conformsTo": PDF_FRAGMENT, "value": f"page={page}"}
        )
    return {"type": "Annotation", "body": [_tag()], "target": {"selector": selectors}}


@pytest.fixture
def drafts(tmp_path: Path, generated: dict[str, Path]) -> Path:
    """A folder of two drafts (and a file that is not a document), as a lead has them."""
    folder = tmp_path / "drafts"
    folder.mkdir()
    for name in ("motion_draft_a.pdf", "motion_draft_b.pdf"):
        shutil.copy(generated["samples"] / name, folder / name)
    (folder / "notes.json").write_text("{}", encoding="utf-8")  # not a document: left out
    return folder


@pytest.fixture
def instructions(tmp_path: Path) -> Path:
    path = tmp_path / "instructions.md"
    path.write_text("# Review\n\nMark every factual error.\n", encoding="utf-8")
    return path


def test_identity_init_show_export(home: Path, tmp_path: Path) -> None:
    """init prints the identity as JSON (and refuses a second one), show prints the same,
    export writes the public key as PEM."""
    made = _ok_json(
        run_cli("identity", "init", "--name", "Ana Ruiz", "--id", "ana.ruiz", home=home)
    )
    assert made["name"] == "Ana Ruiz"
    assert made["id"] == "ana.ruiz"
    assert len(made["key_id"]) == 32
    assert made["fingerprint"] == " ".join(made["key_id"][i : i + 4] for i in range(0, 32, 4))
    assert made["public_key"].startswith("-----BEGIN PUBLIC KEY-----")
    if os.name == "posix":
        assert (home / identity.KEY_FILE).stat().st_mode & 0o777 == 0o600

    again = run_cli("identity", "init", "--name", "Someone", "--id", "someone", home=home)
    assert "already exists" in _refused(again, "identity init", 2)

    assert _ok_json(run_cli("identity", "show", home=home)) == made

    key = tmp_path / "ana ruiz.pem"
    result = run_cli("identity", "export", "-o", key, home=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert made["fingerprint"] in result.stderr
    text = key.read_text(encoding="ascii")
    assert made["public_key"] in text
    assert "PRIVATE" not in text
    assert identity.key_id_of(identity.read_public_key(key)) == made["key_id"]


def test_batch_create_from_a_folder_files_or_an_items_file(
    home: Path, tmp_path: Path, drafts: Path, instructions: Path
) -> None:
    """--docs DIR (one item per document), --docs FILE FILE --task compare (one item), and
    --items by file name with a custom --taxonomy file; each prints a JSON summary."""
    review = tmp_path / "March review.rvbatch"
    summary = _ok_json(
        run_cli(
            "batch", "create", "--docs", drafts, "--task", "review", "--taxonomy",
            "legal-errors", "--instructions", instructions, "-o", review, home=home,
        )
    )  # fmt: skip
    content = read_batch(review, tmp_path / "scratch-1")
    assert summary == {
        "batch_id": content.batch_id,
        "name": "March review",
        "task": "review",
        "taxonomy": "legal-errors",
        "documents": 2,
        "items": 2,
        "citations": 0,
        "file": "March review.rvbatch",
    }
    assert [d["name"] for d in content.manifest["documents"]] == [
        "motion_draft_a.pdf",
        "motion_draft_b.pdf",
    ]
    assert content.instructions == instructions.read_text(encoding="utf-8")

    compare = tmp_path / "compare.rvbatch"
    files = [drafts / "motion_draft_a.pdf", drafts / "motion_draft_b.pdf"]
    summary = _ok_json(
        run_cli(
            "batch", "create", "--docs", *files, "--task", "compare", "--taxonomy",
            "legal-errors", "--instructions", instructions, "--name", "Drafts A and B",
            "-o", compare, home=home,
        )
    )  # fmt: skip
    assert (summary["name"], summary["task"], summary["items"]) == ("Drafts A and B", "compare", 1)
    [item] = read_batch(compare, tmp_path / "scratch-2").items
    assert item["documents"] == [sha256_file(f) for f in files]

    data = to_json(builtin_taxonomy("legal-errors"))
    data["id"] = "team-errors"
    data["name"] = "Our team's errors"
    custom = tmp_path / "taxonomies" / "team.json"
    custom.parent.mkdir()
    custom.write_text(json.dumps(data), encoding="utf-8")
    items = tmp_path / "items.jsonl"
    lines = [
        {"id": "q1", "documents": ["motion_draft_a.pdf", "motion_draft_b.pdf"], "prompt": "Diff"},
        {"id": "q2", "documents": ["motion_draft_b.pdf"], "task": "review"},
    ]
    items.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    custom_batch = tmp_path / "custom.rvbatch"
    summary = _ok_json(
        run_cli(
            "batch", "create", "--docs", drafts, "--task", "compare", "--items", items,
            "--taxonomy", custom, "--instructions", instructions, "-o", custom_batch,
            home=home,
        )
    )  # fmt: skip
    assert (summary["taxonomy"], summary["items"], summary["documents"]) == ("team-errors", 2, 2)
    content = read_batch(custom_batch, tmp_path / "scratch-3")
    assert content.taxonomy.name == "Our team's errors"
    assert [(i["id"], i["task"], len(i["documents"])) for i in content.items] == [
        ("q1", "compare", 2),
        ("q2", "review", 1),
    ]
    assert not (home / "workspace.sqlite").exists()  # making a batch needs no workspace


def test_batch_create_with_known_citations_round_trips(
    home: Path, app_paths: AppPaths, tmp_path: Path, drafts: Path, instructions: Path
) -> None:
    """--citations FILE.csv: counted in the summary, carried as citations.csv, stored on
    import; a malformed file (named with its line) or a missing one refuses the batch."""
    known = tmp_path / "known citations.csv"
    text = "citation,case_name\n550 U.S. 544,Bell Atlantic Corp. v. Twombly\n556 U.S. 662,Iqbal\n"
    known.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())  # as Excel saves it
    output = tmp_path / "cited.rvbatch"
    summary = _ok_json(
        run_cli(
            "batch", "create", "--docs", drafts, "--task", "compare", "--taxonomy",
            "legal-errors", "--instructions", instructions, "--citations", known,
            "-o", output, home=home,
        )
    )  # fmt: skip
    assert (summary["citations"], summary["items"], summary["documents"]) == (2, 1, 2)
    content = read_batch(output, tmp_path / "scratch")
    assert content.citations == text.replace("\n", "\r\n")
    imported = run_cli("batch", "import", output, home=home)
    assert imported.returncode == 0, imported.stderr
    with Workspace.open(app_paths) as ws:
        assert known_citations(ws, imported.stdout.strip()) == content.citations

    bad = tmp_path / "bad.csv"
    bad.write_text("citation,case_name\n550 U.S. 544,Twombly\n,Iqbal\n", encoding="utf-8")
    refused = tmp_path / "refused.rvbatch"
    for given, words in (
        (bad, "bad.csv line 3: the citation is empty"),
        (tmp_path / "nowhere.csv", "nowhere.csv"),
    ):
        result = run_cli(
            "batch", "create", "--docs", drafts, "--task", "compare", "--taxonomy",
            "legal-errors", "--instructions", instructions, "--citations", given,
            "-o", refused, home=home,
        )  # fmt: skip
        assert words in _refused(result, "batch create", 2)
    assert not refused.exists()


def test_batch_create_refuses_a_bad_taxonomy_or_a_corrupt_pdf(
    home: Path, tmp_path: Path, drafts: Path, instructions: Path
) -> None:
    """An unknown taxonomy id, or a PDF that cannot be opened: exit 2 naming it, no file."""
    output = tmp_path / "out.rvbatch"
    result = run_cli(
        "batch", "create", "--docs", drafts, "--task", "review", "--taxonomy", "no-such-labels",
        "--instructions", instructions, "-o", output, home=home,
    )  # fmt: skip
    assert "no-such-labels" in _refused(result, "batch create", 2)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "garbled exhibit.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    result = run_cli(
        "batch", "create", "--docs", broken, "--task", "review", "--taxonomy", "legal-errors",
        "--instructions", instructions, "-o", output, home=home,
    )  # fmt: skip
    assert "garbled exhibit.pdf" in _refused(result, "batch create", 2)
    assert not output.exists()


def test_a_corrupt_pdf_after_good_ones_is_still_one_line(
    home: Path, tmp_path: Path, drafts: Path, instructions: Path
) -> None:
    """A corrupt PDF sorted after readable ones: still exactly one line on stderr."""
    (drafts / "z garbled.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    result = run_cli(
        "batch", "create", "--docs", drafts, "--task", "review", "--taxonomy", "legal-errors",
        "--instructions", instructions, "-o", tmp_path / "out.rvbatch", home=home,
    )  # fmt: skip
    assert "z garbled.pdf" in _refused(result, "batch create", 2)


def test_import_annotate_export_verify_and_timesheet(
    home: Path,
    app_paths: AppPaths,
    tmp_path: Path,
    make_batch: MakeBatch,
    generated: dict[str, Path],
) -> None:
    """The annotator's round: import (twice), list, annotate a batch document, export
    (refused, then partial), verify with and without the key, timesheet."""
    samples = generated["samples"]
    draft = samples / "motion_draft_a.pdf"
    batch_file = make_batch([draft, samples / "credit_agreement.pdf"], name="Round batch")
    app_paths.ensure()
    who = identity.create_identity(app_paths.workspace, "Ana Ruiz", "ana.ruiz", created_at="now!x")
    key = tmp_path / "ana.pem"
    identity.export_public_key(who, key)
    stranger_folder = tmp_path / "stranger"
    stranger_folder.mkdir()
    stranger = identity.create_identity(stranger_folder, "Stranger", "x", created_at="now!x")
    stranger_key = tmp_path / "stranger.pem"
    identity.export_public_key(stranger, stranger_key)

    # batch import: the id alone on stdout, the same again for the same file
    first = run_cli("batch", "import", batch_file, home=home)
    assert first.returncode == 0, first.stderr
    batch_id = first.stdout.strip()
    assert first.stdout == batch_id + "\n"
    assert "imported: Round batch (2 items, 2 documents)" in first.stderr
    again = run_cli("batch", "import", batch_file, home=home)
    assert (again.returncode, again.stdout) == (0, first.stdout)
    assert "already imported" in again.stderr

    listed = run_cli("batch", "list", home=home)
    assert listed.returncode == 0, listed.stderr
    [row] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (row["batch_id"], row["name"], row["task"], row["taxonomy"]) == (
        batch_id,
        "Round batch",
        "review",
        "legal-errors",
    )
    assert row["progress"] == {"total": 2, "todo": 2, "in_progress": 0, "done": 0, "skipped": 0}

    # annotations imported onto a batch document belong to its item
    notes = tmp_path / "notes.jsonl"
    notes.write_text(json.dumps(_quote("Executive Retention Agreement")) + "\n", encoding="utf-8")
    summary = _ok_json(run_cli("annotations", "import", draft, notes, home=home))
    assert summary == {"stored": 1, "unchanged": 0, "rejected": []}
    with Workspace.open(app_paths) as ws:
        first_item, second_item = batches.items(ws, batch_id)
        [annotation] = store.for_document(ws, sha256_file(draft))
    assert first_item.documents == (sha256_file(draft),)
    assert annotation.item == first_item.id
    assert annotation.author == "ana.ruiz"  # the event log names the annotator

    # export: unfinished work refused by name, then a partial submission
    bundle = tmp_path / "submission.rvbundle"
    refused = run_cli("bundle", "export", "--batch", batch_id, "-o", bundle, home=home)
    line = _refused(refused, "bundle export", 1)
    assert "2 items are not finished: 1 (todo), 2 (todo)" in line
    assert not bundle.exists()
    exported = _ok_json(
        run_cli("bundle", "export", "--batch", batch_id, "-o", bundle, "--partial", home=home)
    )
    assert exported["batch_id"] == batch_id
    assert exported["partial"] is True
    assert exported["annotator"] == {"id": "ana.ruiz", "name": "Ana Ruiz"}
    assert exported["key_id"] == who.key_id
    assert exported["file"] == "submission.rvbundle"
    assert (exported["counts"]["items"], exported["counts"]["annotations"]) == (2, 1)

    # verify: intact; signed by the given key; not by a stranger's
    report = _ok_json(run_cli("bundle", "verify", bundle, home=home))
    assert report["ok"] is True
    assert report["bundle_id"] == exported["bundle_id"]
    assert report["signature"] == "valid"
    assert report["signer"] == "not checked"
    report = _ok_json(run_cli("bundle", "verify", bundle, "--pubkey", key, home=home))
    assert (report["ok"], report["signer"]) == (True, "matches the given key")
    wrong = run_cli("bundle", "verify", bundle, "--pubkey", stranger_key, home=home)
    assert wrong.returncode == 1
    report = json.loads(wrong.stdout)
    assert report["ok"] is False
    assert "not by the key given" in report["reason"]

    sheet = run_cli("batch", "timesheet", "--batch", batch_id, home=home)
    assert sheet.returncode == 0, sheet.stderr
    rows = sheet.stdout.splitlines()
    assert rows[0] == TIMESHEET_HEADER
    assert [r.split(",")[0] for r in rows[1:]] == [first_item.id, second_item.id]


def test_annotations_on_an_ocr_batch_go_to_the_item_of_their_page(
    home: Path,
    app_paths: AppPaths,
    tmp_path: Path,
    make_batch: MakeBatch,
    generated: dict[str, Path],
) -> None:
    """ocr items are per page: an annotation belongs to the item of the page it lands on,
    whether its page was given (FragmentSelector) or found from the quote alone."""
    brief = generated["brief"]
    with Workspace.open(app_paths) as ws:
        batch_id = import_batch(ws, make_batch([brief], task="ocr", name="Pages")).batch_id
    notes = tmp_path / "notes.jsonl"
    lines = [_quote("Page 3 of 40", page=3), _quote("Page 5 of 40")]
    notes.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    assert _ok_json(run_cli("annotations", "import", brief, notes, home=home))["stored"] == 2
    with Workspace.open(app_paths) as ws:
        found = store.for_document(ws, sha256_file(brief))
    assert {a.selector.page: a.item for a in found} == {
        2: f"{batch_id}/3",
        4: f"{batch_id}/5",
    }
