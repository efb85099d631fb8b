"""Working a task batch in the window: open, annotate an item, done, next, skip, submit."""

from __future__ import annotations

import json
import zipfile

from gestures import _select_line
from PySide6.QtCore import Qt

from reviewer.core import annotations as stored
from reviewer.core import batches
from reviewer.core.bundle import verify_bundle


def _import(qtbot, window, dialogs, batch_file):
    dialogs.batches.append(batch_file)
    window.actions_["open_batch"].trigger()
    qtbot.waitUntil(lambda: window.work_panel.model.rowCount() > 0, timeout=30_000)
    qtbot.waitUntil(lambda: window.current_pane() is not None, timeout=30_000)


def test_work_a_batch_in_the_window_and_submit_it(
    qtbot, make_window, make_batch, generated, workspace, dialogs, tmp_path
):
    samples = generated["samples"]
    batch_file = make_batch([generated["brief"], samples / "credit_agreement.pdf"])
    window = make_window()
    assert not window.work_dock.isVisible()  # no batch yet: no queue in the way
    _import(qtbot, window, dialogs, batch_file)
    assert window.work_dock.isVisible()
    [batch] = batches.batches(workspace)
    first, second = batches.items(workspace, batch.id)
    panel = window.work_panel
    assert "factual" in panel.instructions.toPlainText()
    # The first item opened by itself and is in progress.
    pane = window.current_pane()
    assert pane.session.sha256 == first.documents[0]
    assert pane.annotations.item == first.id
    assert batches.item(workspace, first.id).status == "in_progress"
    assert pane.annotations.taxonomy.id == "legal-errors"

    # Annotate: drag over words, press a label key. The annotation belongs to the item.
    _select_line(qtbot, window)
    qtbot.keyClicks(pane.view, pane.annotations.taxonomy.label("factual").shortcut)
    [annotation] = stored.for_document(workspace, first.documents[0])
    assert annotation.item == first.id

    # Done is refused while the annotation is unexplained and the verdict missing.
    qtbot.mouseClick(panel.buttons["done"], Qt.MouseButton.LeftButton)
    assert batches.item(workspace, first.id).status == "in_progress"
    title, text = dialogs.errors[-1]
    assert title == "Not done yet"
    assert "choose an overall verdict" in text
    assert "explain 1 annotation" in text
    qtbot.keyClicks(pane.panel.comment_edit, "The amount is wrong.")
    qtbot.keyClick(pane.panel.comment_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    form = pane.verdict_form
    qtbot.mouseClick(form.buttons["needs_revision"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(form.summary.viewport(), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(form.summary, "One wrong amount.")

    # Done, then Next: the second item's document opens, bound to it.
    qtbot.mouseClick(panel.buttons["done"], Qt.MouseButton.LeftButton)
    assert batches.item(workspace, first.id).status == "done"
    assert "1 of 2 done" in panel.progress.format()
    qtbot.mouseClick(panel.buttons["next"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            window.current_pane() is not None
            and window.current_pane().session.sha256 == second.documents[0]
        ),
        timeout=30_000,
    )
    assert window.current_pane().annotations.item == second.id
    assert batches.item(workspace, second.id).status == "in_progress"

    # Export asks about the unfinished item; refusing writes nothing.
    target = tmp_path / "submission.rvbundle"
    dialogs.identities.append(("Ana Ruiz", "ana.ruiz"))
    dialogs.partial_answers.append(False)
    window.actions_["export_bundle"].trigger()
    assert [i.id for i in dialogs.partial_asked[0]] == [second.id]
    assert not target.exists()

    # Skip needs a reason; then the batch is finished and exports without asking.
    window.actions_["skip_item"].trigger()  # cancelled (no reason given): still in progress
    assert batches.item(workspace, second.id).status == "in_progress"
    dialogs.skip_reasons.append("The scan of page 3 is unreadable")
    window.actions_["skip_item"].trigger()
    skipped = batches.item(workspace, second.id)
    assert (skipped.status, skipped.skip_reason) == ("skipped", "The scan of page 3 is unreadable")
    dialogs.saves.append(target)
    window.actions_["export_bundle"].trigger()
    assert len(dialogs.partial_asked) == 1
    assert dialogs.infos[-1][0] == "Submission saved"

    verified = verify_bundle(target)
    manifest = verified.manifest
    assert manifest["annotator"] == {"id": "ana.ruiz", "name": "Ana Ruiz"}
    assert manifest["partial"] is False
    assert manifest["counts"]["annotations"] == 1
    # The verdict given before the identity existed became the signer's, and travels.
    [judged] = verified.records["judgements.jsonl"]
    assert (judged["annotator"], judged["item"]) == ("ana.ruiz", first.local_id)
    assert (judged["verdict"], judged["summary"]) == ("needs_revision", "One wrong amount.")
    [record] = verified.records["annotations.jsonl"]
    assert record["reviewer:item"] == first.id
    statuses = {r["item"]: r["status"] for r in verified.records["items.jsonl"]}
    assert statuses == {first.id: "done", second.id: "skipped"}
    with zipfile.ZipFile(target) as archive:
        items = [json.loads(line) for line in archive.read("items.jsonl").splitlines()]
    assert items[1]["skip_reason"] == "The scan of page 3 is unreadable"


def test_a_damaged_batch_is_refused_by_name_and_changes_nothing(
    qtbot, make_window, make_batch, generated, workspace, dialogs, tmp_path
):
    good = make_batch([generated["brief"]])
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0xFF  # a flipped bit inside the document's bytes
    bad = tmp_path / "damaged.rvbatch"
    bad.write_bytes(bytes(data))
    window = make_window()
    dialogs.batches.append(bad)
    window.actions_["open_batch"].trigger()
    qtbot.waitUntil(lambda: bool(dialogs.errors), timeout=30_000)
    title, text = dialogs.errors[0]
    assert title == "Batch not imported"
    assert "damaged.rvbatch" in text
    assert batches.batches(workspace) == []
    assert workspace.documents() == []


def test_a_redact_batch_submits_a_verified_redacted_copy(
    qtbot, make_window, make_batch, generated, workspace, dialogs, tmp_path
):
    """Accepted PII on a redact item's document: the submission carries the redacted PDF,
    made off the GUI thread and verified, with its verification report."""
    from reviewer.core.identity import create_identity

    create_identity(workspace.paths.workspace, "Ana Ruiz", "ana.ruiz", created_at="now")
    batch_file = make_batch([generated["samples"] / "credit_agreement.pdf"], task="redact")
    window = make_window()
    _import(qtbot, window, dialogs, batch_file)
    pane = window.current_pane()
    [item] = batches.items(workspace, batches.batches(workspace)[0].id)
    pane.palette_.set_taxonomy("pii")
    _select_line(qtbot, window)
    qtbot.keyClicks(pane.view, pane.annotations.taxonomy.label("PERSON").shortcut)
    [annotation] = stored.for_document(workspace, item.documents[0])
    assert (annotation.item, annotation.state) == (item.id, "accepted")
    qtbot.mouseClick(window.work_panel.buttons["done"], Qt.MouseButton.LeftButton)
    target = tmp_path / "redacted.rvbundle"
    dialogs.saves.append(target)
    window.actions_["export_bundle"].trigger()
    qtbot.waitUntil(lambda: bool(dialogs.infos) or bool(dialogs.errors), timeout=120_000)
    assert not dialogs.errors
    assert "1 redacted copy" in dialogs.infos[-1][1]
    verified = verify_bundle(target)
    names = [m["name"] for m in verified.manifest["members"]]
    sha = item.documents[0]
    assert f"redacted/{sha}.pdf" in names
    assert f"redacted/{sha}.verification.json" in names
    with zipfile.ZipFile(target) as archive:
        assert archive.getinfo(f"redacted/{sha}.pdf").compress_type == zipfile.ZIP_STORED
        report = json.loads(archive.read(f"redacted/{sha}.verification.json"))
        redacted = archive.read(f"redacted/{sha}.pdf")
    assert report["passed"] is True
    assert annotation.selector.exact.encode() not in redacted
