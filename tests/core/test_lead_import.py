"""The lead's import: enrolment, verification, idempotence, tampering, quarantine."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from lead_team import Team, make_team

from reviewer.core.lead import merge, roster
from reviewer.core.store import Workspace


@pytest.fixture
def team(
    workspace: Workspace,
    tmp_path: Path,
    make_pdf: Callable[..., Path],
    make_batch: Callable[..., Path],
) -> Team:
    return make_team(workspace, tmp_path / "team", make_pdf, make_batch)


def _counts(ws: Workspace) -> dict[str, int]:
    tables = ("submission", "submitted_annotation", "submitted_item", "submitted_judgement")
    return {t: ws.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def _enrol_all(team: Team) -> None:
    for name, path in team.keys.items():
        roster.enrol_file(team.ws, path, team.annotators[name].name)


def test_enrol_is_idempotent_and_refuses_a_second_name(team: Team) -> None:
    key, changed = roster.enrol_file(team.ws, team.keys["ana"], "Ana Tester")
    assert changed
    assert roster.enrol_file(team.ws, team.keys["ana"], "Ana  Tester")[1] is False
    with pytest.raises(roster.RosterError, match="already enrolled as 'Ana Tester'"):
        roster.enrol_file(team.ws, team.keys["ana"], "Somebody Else")
    assert [k.key_id for k in roster.keys(team.ws)] == [key.key_id]
    assert [e.kind for e in team.ws.events(entity="enrolled_key")] == ["key.enrolled"]


def test_enrol_refuses_a_file_that_is_not_a_key(team: Team, tmp_path: Path) -> None:
    bad = tmp_path / "notes.pem"
    bad.write_text("not a key")
    with pytest.raises(roster.RosterError, match=r"notes\.pem: not a PEM public key"):
        roster.enrol_file(team.ws, bad, "Somebody")


def test_import_merges_each_bundle_once(team: Team) -> None:
    _enrol_all(team)
    a = team.submit("ana", [team.span("memo.pdf", 10, 22, "PERSON")])
    b = team.submit(
        "ben",
        [team.span("memo.pdf", 10, 22, "PERSON"), team.span("letter.pdf", 5, 15, "PERSON")],
    )
    summary = merge.import_bundles(team.ws, [a, b])
    assert [o.status for o in summary.outcomes] == ["imported", "imported"]
    assert [o.annotations for o in summary.outcomes] == [1, 2]
    first = _counts(team.ws)
    assert first == {
        "submission": 2,
        "submitted_annotation": 3,
        "submitted_item": 4,
        "submitted_judgement": 0,
    }
    again = merge.import_bundles(team.ws, [a, b])
    assert [o.status for o in again.outcomes] == ["unchanged", "unchanged"]
    assert _counts(team.ws) == first
    kinds = [e.kind for e in team.ws.events(entity="submission")]
    assert kinds == ["bundle.imported", "bundle.imported"]
    row = team.ws.db.execute(
        "SELECT label, page_start, start, page_end, end, kind FROM submitted_annotation "
        "JOIN submission ON submission.id = submitted_annotation.submission "
        "WHERE annotator = 'ana'"
    ).fetchone()
    assert row == ("PERSON", 0, 10, 0, 22, "text")


def test_a_folder_is_imported_in_name_order(team: Team) -> None:
    _enrol_all(team)
    team.submit("ben", [team.span("memo.pdf", 1, 5, "PERSON")])
    team.submit("ana", [team.span("memo.pdf", 1, 5, "PERSON")])
    (team.folder / "notes.txt").write_text("not a bundle")
    summary = merge.import_bundles(team.ws, merge.bundle_files([team.folder]))
    assert [o.file for o in summary.outcomes] == ["ana.rvbundle", "ben.rvbundle"]


def test_unknown_and_revoked_keys_are_quarantined_not_merged(team: Team) -> None:
    roster.enrol_file(team.ws, team.keys["ana"], "Ana Tester")
    roster.enrol_file(team.ws, team.keys["ben"], "Ben Tester")
    roster.revoke(team.ws, "Ben Tester")
    cy = team.submit("cy", [team.span("memo.pdf", 1, 5, "PERSON")])
    ben = team.submit("ben", [team.span("memo.pdf", 1, 5, "PERSON")])
    summary = merge.import_bundles(team.ws, [cy, ben])
    assert [o.status for o in summary.outcomes] == ["quarantined", "quarantined"]
    assert "not enrolled" in summary.outcomes[0].reason
    assert "(Ben Tester), revoked on" in summary.outcomes[1].reason
    assert _counts(team.ws)["submitted_annotation"] == 0
    assert [q["file"] for q in merge.quarantined(team.ws)] == ["cy.rvbundle", "ben.rvbundle"]
    # Once cy's key is enrolled, the same file merges and leaves quarantine.
    roster.enrol_file(team.ws, team.keys["cy"], "Cy Tester")
    assert merge.import_one(team.ws, cy).status == "imported"
    assert [q["file"] for q in merge.quarantined(team.ws)] == ["ben.rvbundle"]
    with pytest.raises(roster.RosterError, match="revoked"):
        roster.enrol_file(team.ws, team.keys["ben"], "Ben Tester")


def test_a_tampered_bundle_is_rejected_and_changes_nothing(team: Team, tmp_path: Path) -> None:
    _enrol_all(team)
    good = team.submit("ana", [team.span("memo.pdf", 10, 22, "PERSON")])
    tampered = tmp_path / "tampered.rvbundle"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "annotations.jsonl":
                data = data.replace(b'"PERSON"', b'"PERS0N"')  # same size
            dst.writestr(info, data)
    summary = merge.import_bundles(team.ws, [tampered])
    assert summary.outcomes[0].status == "rejected"
    assert summary.outcomes[0].reason.startswith("annotations.jsonl: ")
    assert "SHA-256" in summary.outcomes[0].reason
    assert _counts(team.ws)["submission"] == 0


def test_a_different_bundle_reusing_a_bundle_id_is_rejected(team: Team) -> None:
    """Re-signed with the same key but different content under the old id: tampering."""
    from reviewer.core import bundle as fmt

    _enrol_all(team)
    first = team.submit("ana", [team.span("memo.pdf", 10, 22, "PERSON")])
    assert merge.import_one(team.ws, first).status == "imported"
    second = team.submit("ana", [team.span("memo.pdf", 10, 30, "PERSON")], name="again.rvbundle")
    with zipfile.ZipFile(first) as archive:
        old_id = json.loads(archive.read("manifest.json"))["bundle_id"]
    forged = team.folder / "forged.rvbundle"
    with zipfile.ZipFile(second) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        contents = [
            (n, archive.read(n), True)
            for n in archive.namelist()
            if n not in ("manifest.json", "manifest.sig")
        ]
    manifest["bundle_id"] = old_id
    fmt.write_signed(forged, manifest, contents, team.annotators["ana"].private_key.sign)
    outcome = merge.import_one(team.ws, forged)
    assert outcome.status == "rejected"
    assert f"reuses bundle id {old_id}" in outcome.reason
    assert "tampering" in outcome.reason
    assert _counts(team.ws)["submission"] == 1


def test_a_bundle_of_a_batch_not_here_is_rejected(
    team: Team, tmp_path: Path, make_pdf: Callable[..., Path], make_batch: Callable[..., Path]
) -> None:
    """The lead's merged view needs the batch's documents: import the batch first."""
    from reviewer.core.paths import resolve

    with Workspace.open(resolve(tmp_path / "elsewhere")) as other_ws:
        other = make_team(other_ws, tmp_path / "other", make_pdf, make_batch)
        path = other.submit("ana", [other.span("memo.pdf", 1, 5, "PERSON")])
    _enrol_all(team)
    outcome = merge.import_one(team.ws, path)
    assert outcome.status == "rejected"
    assert f"belongs to batch {other.batch.id}, which is not in this workspace" in outcome.reason
    assert "import its task batch (.rvbatch) first" in outcome.reason
    assert _counts(team.ws)["submission"] == 0


def test_a_newer_submission_supersedes_the_older(team: Team) -> None:
    _enrol_all(team)
    partial = team.submit(
        "ana", [team.span("memo.pdf", 1, 5, "PERSON")], status="in_progress", name="p.rvbundle"
    )
    final = team.submit(
        "ana",
        [team.span("memo.pdf", 1, 5, "PERSON"), team.span("memo.pdf", 30, 40, "PERSON")],
        name="f.rvbundle",
    )
    merge.import_bundles(team.ws, [partial, final])
    current = merge.current_submissions(team.ws)
    assert [(s.annotator, s.source_name) for s in current] == [("ana", "f.rvbundle")]


def test_cancel_stops_between_bundles(team: Team) -> None:
    _enrol_all(team)
    paths = [team.submit(n, [team.span("memo.pdf", 1, 5, "PERSON")]) for n in ("ana", "ben")]
    seen: list[tuple[int, int, str]] = []
    summary = merge.import_bundles(
        team.ws,
        paths,
        progress=lambda done, total, name: seen.append((done, total, name)),
        cancelled=lambda: len(seen) >= 1,
    )
    assert summary.cancelled
    assert [o.file for o in summary.outcomes] == ["ana.rvbundle"]
    assert _counts(team.ws)["submission"] == 1
    assert "cancelled" in summary.text()


def test_a_locked_workspace_fails_the_bundle_and_keeps_it_for_later(team: Team) -> None:
    """Another writer holds the database: the bundle is reported failed, nothing half-stored,
    and the same file imports once the lock is gone."""
    import sqlite3

    _enrol_all(team)
    path = team.submit("ana", [team.span("memo.pdf", 10, 22, "PERSON")])
    team.ws.db.conn.execute("PRAGMA busy_timeout = 100")
    other = sqlite3.connect(team.ws.paths.database)
    try:
        other.execute("BEGIN IMMEDIATE")
        outcome = merge.import_one(team.ws, path)
    finally:
        other.rollback()
        other.close()
    assert outcome.status == "failed"
    assert "not saved" in outcome.reason
    assert "busy" in outcome.reason
    assert _counts(team.ws)["submission"] == 0
    assert merge.import_one(team.ws, path).status == "imported"
    assert _counts(team.ws)["submitted_annotation"] == 1


def test_a_full_disk_fails_the_bundle_and_damages_nothing(team: Team) -> None:
    """SQLite's own "database or disk is full" (its page limit reached): the bundle is
    reported failed, nothing of it is stored, the workspace stays sound, and the same
    file imports once there is room."""
    _enrol_all(team)
    spans = [team.span("memo.pdf", n * 3, n * 3 + 2, "PERSON", key=f"s{n}") for n in range(400)]
    path = team.submit("ana", spans)
    pages = team.ws.db.execute("PRAGMA page_count").fetchone()[0]
    team.ws.db.execute(f"PRAGMA max_page_count = {pages}")
    outcome = merge.import_one(team.ws, path)
    assert outcome.status == "failed"
    assert "full" in outcome.reason
    assert _counts(team.ws)["submission"] == 0
    assert team.ws.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    team.ws.db.execute("PRAGMA max_page_count = 1073741823")
    assert merge.import_one(team.ws, path).status == "imported"
    assert _counts(team.ws)["submitted_annotation"] == 400
