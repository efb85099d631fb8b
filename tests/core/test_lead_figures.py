"""Agreement, adjudication and exports over bundles of simulated annotators with known
disagreements; every figure checked against values worked out by hand below."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from lead_team import Team, make_team

from reviewer.core.lead import dataset, gold, merge, merged, report, roster, submitted
from reviewer.core.lead.disagreements import disagreements
from reviewer.core.samples.team import compare_record
from reviewer.core.store import Workspace

# The scenario (PII labels; offsets on page 1 of each document):
#   ana: memo [10,22) PERSON, memo [27,36) PERSON, letter [5,15) PERSON
#   ben: memo [10,22) PERSON, memo [27,33) PERSON (shorter), letter [5,15) ORG (other label)
#   cy:  memo [10,22) PERSON, (nothing at 27),      letter [5,15) PERSON, letter [27,38) SSN
# Everyone finished both items.
#
# Span F1 over all labels (F1 = 2tp / (|A| + |B|), 3 spans each):
#   ana/ben exact: tp 1 (memo 10-22)                    -> 2/6 = 0.3333
#   ana/ben overlap: tp 2 (+ memo 27-36 ~ 27-33)        -> 4/6 = 0.6667
#   ana/cy exact and overlap: tp 2 (memo 10-22, letter PERSON) -> 0.6667
#   ben/cy exact and overlap: tp 1 (memo 10-22)         -> 0.3333
# PERSON only, ana/ben exact: ana has 3, ben 2, tp 1 -> P 1/2, R 1/3, F1 2/5 = 0.4


def _spans(team: Team) -> dict[str, list]:
    return {
        "ana": [
            team.span("memo.pdf", 10, 22, "PERSON"),
            team.span("memo.pdf", 27, 36, "PERSON"),
            team.span("letter.pdf", 5, 15, "PERSON"),
        ],
        "ben": [
            team.span("memo.pdf", 10, 22, "PERSON"),
            team.span("memo.pdf", 27, 33, "PERSON"),
            team.span("letter.pdf", 5, 15, "ORG"),
        ],
        "cy": [
            team.span("memo.pdf", 10, 22, "PERSON"),
            team.span("letter.pdf", 5, 15, "PERSON"),
            team.span("letter.pdf", 27, 38, "SSN"),
        ],
    }


@pytest.fixture
def team(
    workspace: Workspace,
    tmp_path: Path,
    make_pdf: Callable[..., Path],
    make_batch: Callable[..., Path],
) -> Team:
    team = make_team(workspace, tmp_path / "team", make_pdf, make_batch)
    for name, path in team.keys.items():
        roster.enrol_file(workspace, path, team.annotators[name].name)
    paths = [team.submit(who, spans) for who, spans in _spans(team).items()]
    summary = merge.import_bundles(workspace, paths)
    assert summary.count("imported") == 3
    return team


def _pair(r: report.AgreementReport, a: str, b: str):
    return next(p for p in r.pairs if (p.a, p.b) == (a, b))


def test_pairwise_span_f1_matches_the_hand_figures(team: Team) -> None:
    r = report.compute(team.ws, team.batch.id)
    assert r.annotators == ("ana", "ben", "cy")
    assert r.spans == 9
    ab, ac, bc = _pair(r, "ana", "ben"), _pair(r, "ana", "cy"), _pair(r, "ben", "cy")
    assert ab.exact["*"].f1 == pytest.approx(1 / 3)
    assert ab.overlap["*"].f1 == pytest.approx(2 / 3)
    assert ac.exact["*"].f1 == pytest.approx(2 / 3)
    assert ac.overlap["*"].f1 == pytest.approx(2 / 3)
    assert bc.exact["*"].f1 == pytest.approx(1 / 3)
    assert bc.overlap["*"].f1 == pytest.approx(1 / 3)
    person = ab.exact["PERSON"]
    assert (person.precision, person.recall, person.f1) == pytest.approx((1 / 2, 1 / 3, 2 / 5))


def test_item_level_label_kappa_and_alpha_by_hand(team: Team) -> None:
    """Whether each annotator used PERSON on each item (m = memo, l = letter):

    ana m yes, l yes; ben m yes, l no; cy m yes, l yes.
    kappa(ana, ben): po = 1/2; ana says yes 2/2, ben 1/2 -> pe = 1*1/2 + 0*1/2 = 1/2;
    kappa = (1/2 - 1/2) / (1 - 1/2) = 0. kappa(ana, cy): po = 1, pe = 1 -> 1.0 by convention.
    alpha: coincidences o(yes,yes) = 3 (unit m) + 1 (unit l), o(yes,no) = o(no,yes) = 1;
    n = 6, n_yes = 5, n_no = 1: alpha = 1 - (n - 1) * 2 / (2 * 5 * 1) = 1 - 1 = 0.
    """
    r = report.compute(team.ws, team.batch.id)
    person = r.labels["PERSON"]
    assert person.units == 2
    assert person.pairs[("ana", "ben")] == (2, pytest.approx(0.0))
    assert person.pairs[("ana", "cy")] == (2, pytest.approx(1.0))
    assert person.alpha == pytest.approx(0.0)


def test_disagreements_of_each_kind(team: Team) -> None:
    where = submitted.scope(team.ws, team.batch.id)
    memo, letter = team.doc("memo.pdf"), team.doc("letter.pdf")
    everyone = ["ana", "ben", "cy"]
    on_memo = disagreements(submitted.spans(team.ws, where, document=memo), everyone)
    # memo 10-22 agreed by all three; 27-36 vs 27-33 with cy missing.
    assert [(d.start, d.end, sorted(d.kinds), d.missing) for d in on_memo] == [
        ((0, 27), (0, 36), ["extent", "missing"], ("cy",))
    ]
    on_letter = disagreements(submitted.spans(team.ws, where, document=letter), everyone)
    assert [(d.start, sorted(d.kinds), d.missing) for d in on_letter] == [
        ((0, 5), ["label"], ()),
        ((0, 27), ["missing"], ("ana", "ben")),
    ]


def _details(team: Team, where: submitted.Scope, document: str) -> dict[str, gold.SpanDetail]:
    return merged.load(team.ws, document, where).details


def test_adjudication_is_gold_with_provenance_undo_and_events(team: Team) -> None:
    where = submitted.scope(team.ws, team.batch.id)
    letter = team.doc("letter.pdf")
    label_clash, ssn = disagreements(
        submitted.spans(team.ws, where, document=letter), ["ana", "ben", "cy"]
    )
    details = _details(team, where, letter)
    person = next(s.key for s in label_clash.spans if s.label == "PERSON")
    decision = gold.make(
        label_clash, "accept", details, chosen=[person], decided_by="lead", batch=team.batch.id
    )
    command = gold.decide(team.ws, decision)
    stored = gold.get(team.ws, decision.id)
    assert stored is not None
    assert (stored.decision, stored.label, stored.start, stored.end) == (
        "accept",
        "PERSON",
        (0, 5),
        (0, 15),
    )
    assert stored.annotators == ("ana", "ben", "cy")
    assert set(stored.sources) == {s.key for s in label_clash.spans}
    assert stored.decided_by == "lead"
    gold.decide(team.ws, gold.make(ssn, "reject", details, decided_by="lead"))
    resolved = dataset.document_spans(team.ws, where, letter)
    assert resolved.open == []
    assert [(e["label"], e["source"]) for e in resolved.spans] == [("PERSON", "gold")]
    command.revert(team.ws)
    assert gold.get(team.ws, decision.id).deleted
    assert [d.id for d in dataset.document_spans(team.ws, where, letter).open] == [label_clash.id]
    command.apply(team.ws)
    assert not gold.get(team.ws, decision.id).deleted
    kinds = [e.kind for e in team.ws.events(entity="gold")]
    assert kinds == ["gold.decided", "gold.decided", "gold.undone", "gold.restored"]


def test_deciding_again_replaces_and_undo_brings_the_first_back(team: Team) -> None:
    where = submitted.scope(team.ws, team.batch.id)
    letter = team.doc("letter.pdf")
    clash = disagreements(submitted.spans(team.ws, where, document=letter), ["ana", "ben", "cy"])[0]
    details = _details(team, where, letter)
    keys = [s.key for s in clash.spans]
    first = gold.decide(
        team.ws, gold.make(clash, "edit", details, chosen=keys[:1], label="SSN", decided_by="lead")
    )
    second = gold.decide(
        team.ws, gold.make(clash, "merge", details, chosen=keys, label="PERSON", decided_by="lead")
    )
    assert [g.decision for g in gold.decided(team.ws, [clash.id]).values()] == ["merge"]
    second.revert(team.ws)
    assert gold.decided(team.ws, [clash.id])[clash.id].id == first.gold.id
    with pytest.raises(gold.GoldError, match="different labels"):
        gold.make(clash, "merge", details, chosen=keys, decided_by="lead")


def test_exports_and_annotator_summary(team: Team, tmp_path: Path, home: Path) -> None:
    where = submitted.scope(team.ws, team.batch.id)
    lines, result = dataset.export_lines(team.ws, "pii-spans", where)
    records = [json.loads(line) for line in lines]
    memo = next(r for r in records if r["name"] == "memo.pdf")
    assert [(s["start"], s["end"], s["source"], s["annotators"]) for s in memo["spans"]] == [
        (10, 22, "agreed", ["ana", "ben", "cy"])
    ]
    assert result.undecided == 3
    w3c_lines, _ = dataset.export_lines(team.ws, "w3c", where)
    assert len(w3c_lines) == 9
    assert all(json.loads(line)["type"] == "Annotation" for line in w3c_lines)


def test_preferences_and_position_bias(
    workspace: Workspace,
    tmp_path: Path,
    make_pdf: Callable[..., Path],
    make_batch: Callable[..., Path],
) -> None:
    """Two compare items of two drafts, three annotators; the first-shown draft wins 4 of 6:
    first_share = 4/6, chance 1/2."""
    from reviewer.core import batches
    from reviewer.core.batch_import import import_batch
    from reviewer.core.blobs import sha256_file
    from reviewer.core.samples.team import SimulatedAnnotator, write_bundle

    drafts = [make_pdf(f"d{n}.pdf", [f"Draft {n} of the motion."]) for n in range(4)]
    shas = [sha256_file(d) for d in drafts]
    items = [
        {"id": "q1", "task": "compare", "documents": shas[:2], "prompt": "Draft a motion."},
        {"id": "q2", "task": "compare", "documents": shas[2:], "prompt": "Draft a reply."},
    ]
    path = make_batch(drafts, task="compare", items=items, name="Compare batch")
    batch = batches.require_batch(workspace, import_batch(workspace, path).batch_id)
    q1, q2 = batches.items(workspace, batch.id)
    documents = {d.sha256: d for d in workspace.documents()}
    #        q1 shown, q1 choice          q2 shown,    q2 choice
    plan = {
        "ana": ((shas[0], shas[1]), shas[0], (shas[2], shas[3]), shas[2]),  # first, first
        "ben": ((shas[1], shas[0]), shas[1], (shas[3], shas[2]), shas[2]),  # first, second
        "cy": ((shas[0], shas[1]), shas[0], (shas[2], shas[3]), shas[3]),  # first, second
    }
    paths = []
    for name, (s1, c1, s2, c2) in plan.items():
        who = SimulatedAnnotator(name, name.title(), f"seed-{name}")
        roster.enrol(workspace, who.public_key, who.name)
        out = tmp_path / f"{name}.rvbundle"
        write_bundle(
            out,
            annotator=who,
            batch=batch,
            items=[q1, q2],
            documents=documents,
            annotations=[],
            judgements=[compare_record(q1, who, s1, c1), compare_record(q2, who, s2, c2)],
        )
        paths.append(out)
    assert merge.import_bundles(workspace, paths).count("imported") == 3
    r = report.compute(workspace, batch.id)
    everyone = r.bias["*"]
    assert everyone.choices == 6
    assert everyone.wins_by_position == (4, 2)
    assert everyone.first_share == pytest.approx(4 / 6)
    assert everyone.expected_first == pytest.approx(0.5)
    # Chosen drafts: q1 ana d0, ben d1, cy d0; q2 ana d2, ben d2, cy d3.
    # kappa(ana, ben): po = 1/2 (q2); ana picks d0, d2 and ben d1, d2 once each, so
    # pe = (1/2)(1/2) for d2 only = 1/4; kappa = (1/2 - 1/4) / (3/4) = 1/3.
    # kappa(ana, cy): po = 1/2; pe = (1/2)(1/2) for d0 = 1/4 -> 1/3 as well.
    assert r.preferences.units == 2
    assert r.preferences.pairs[("ana", "ben")] == (2, pytest.approx(1 / 3))
    assert r.preferences.pairs[("ana", "cy")] == (2, pytest.approx(1 / 3))
    where = submitted.scope(workspace, batch.id)
    texts = {sha: [f"text of {sha[:6]}"] for sha in shas}
    lines, _ = dataset.export_lines(workspace, "preferences", where, texts.__getitem__)
    pairs = [json.loads(line) for line in lines]
    assert len(pairs) == 6
    first = next(p for p in pairs if p["annotator"] == "cy" and p["item"] == "q2")
    assert first["prompt"] == "Draft a reply."
    assert first["chosen"] == f"text of {shas[3][:6]}"
    assert first["rejected"] == f"text of {shas[2][:6]}"
    assert set(first) >= {"prompt", "chosen", "rejected", "rationale", "evidence", "annotator"}


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reviewer", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**__import__("os").environ, "REVIEWER_HOME": str(home)},
        check=False,
    )


def test_command_line_enrol_import_agreement_export(
    tmp_path: Path, make_pdf: Callable[..., Path], make_batch: Callable[..., Path], home: Path
) -> None:
    """The contract: names, flags and output fields other tools depend on."""
    from reviewer.core.paths import resolve

    with Workspace.open(resolve(home)) as ws:
        team = make_team(ws, tmp_path / "team", make_pdf, make_batch)
        paths = [team.submit(who, spans) for who, spans in _spans(team).items()]
    for name in ("ana", "ben"):
        done = _cli(home, "lead", "enrol", str(team.keys[name]), "--name", name.title())
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["enrolled"] is True
    imported = _cli(home, "lead", "import", str(team.folder))
    assert imported.returncode == 1  # cy is not enrolled: quarantined
    summary = json.loads(imported.stdout)
    assert (summary["imported"], summary["quarantined"]) == (2, 1)
    assert "cy.rvbundle: quarantined: signed by key" in imported.stderr
    again = _cli(home, "lead", "import", *map(str, paths[:2]))
    assert again.returncode == 0
    assert json.loads(again.stdout)["unchanged"] == 2
    figures = _cli(home, "lead", "agreement", "--batch", team.batch.id, "--json")
    assert figures.returncode == 0, figures.stderr
    data = json.loads(figures.stdout)
    pair = data["span_agreement"][0]
    assert (pair["a"], pair["b"]) == ("ana", "ben")
    assert pair["labels"]["*"]["exact"]["f1"] == pytest.approx(0.3333)
    assert pair["labels"]["*"]["overlap"]["f1"] == pytest.approx(0.6667)
    assert set(data["item_labels"]["PERSON"]) >= {"alpha", "pairs", "units"}
    assert "kappa" in data["item_labels"]["PERSON"]["pairs"][0]
    # ana's mean over her pairs (only ben is enrolled besides her): exact 1/3, overlap 2/3.
    assert data["span_f1_by_annotator"]["ana"] == {"exact": 0.3333, "overlap": 0.6667}
    out = tmp_path / "spans.jsonl"
    exported = _cli(home, "lead", "export", "--format", "pii-spans", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["lines"] == 2
    rows = list(csv.DictReader(io.StringIO((tmp_path / "spans.annotators.csv").read_text())))
    assert [r["annotator"] for r in rows] == ["ana", "ben"]
    assert rows[0]["items_done"] == "2"
    unknown = _cli(home, "lead", "agreement", "--batch", "nope", "--json")
    assert unknown.returncode == 1
    assert "no batch 'nope'" in unknown.stderr
