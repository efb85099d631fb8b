"""Canaries: a session on a document seeded with unique strings, then every file the app
wrote outside the workspace store is searched for them. Expected hits: none.

The workspace store itself (the database, its backups and the blob copy of the
document) holds the document's text by design: that is the user's work. Every
other file — logs, caches, temporary folders, configuration, the redacted
export and its report — must not.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from PySide6.QtCore import Qt

from reviewer.app import setup_logging
from reviewer.core import annotations as stored
from reviewer.core.redaction.plan import RedactionOptions

CANARY_SSN = "512-38-4471"
CANARY_NAME = "Quillon Vantapeer"
CANARY_MAIL = "qv.canary7731@example.org"
LINES = (
    f"Declaration of {CANARY_NAME}",
    f"SSN: {CANARY_SSN}",
    f"Contact: {CANARY_MAIL}",
    "Nothing here is private at all.",
)
TIMEOUT = 60_000
#: The store's own files: the user's work, where the document's text belongs.
STORE = ("workspace.sqlite", "workspace.sqlite-wal", "workspace.sqlite-shm")


def _variants(text: str) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le"), text.encode("utf-16-be")]


def _written_outside_the_store(home: Path, export_folder: Path) -> list[Path]:
    found = []
    for folder in (home, export_folder):
        for root, _dirs, files in os.walk(folder):
            rel = Path(root).relative_to(folder)
            if folder == home and rel.parts[:1] in (("blobs",), ("backups",)):
                continue
            for name in files:
                if folder == home and rel == Path() and name in STORE:
                    continue
                found.append(Path(root) / name)
    return found


def test_no_canary_outside_the_workspace_store(
    qtbot, make_window, make_pdf, workspace, dialogs, tmp_path, home
) -> None:
    source = make_pdf("canary declaration.pdf", list(LINES))
    exports = tmp_path / "exports"
    exports.mkdir()
    window = make_window(source)
    pane = window.current_pane()
    ctrl = pane.annotations
    assert pane.scan_for_pii()
    qtbot.waitUntil(lambda: not pane.scan.running, timeout=TIMEOUT)
    by_text = {a.selector.exact: a for a in ctrl.annotations()}
    for secret in (CANARY_SSN, CANARY_MAIL):
        ctrl.select(by_text[secret].id)
        qtbot.keyClick(pane.view, Qt.Key.Key_A)
        qtbot.waitUntil(lambda: not pane.scan.running, timeout=TIMEOUT)
    assert all(
        a.state == "accepted"
        for a in stored.for_document(workspace, pane.session.sha256)
        if a.selector.exact in (CANARY_SSN, CANARY_MAIL)
    )
    target = exports / "redacted.pdf"
    dialogs.redaction_options_given = [RedactionOptions(label_text="REDACTED")]
    dialogs.saves = [target]
    window.export_redacted()
    qtbot.waitUntil(lambda: not pane.export.running, timeout=TIMEOUT)
    assert target.exists(), dialogs.errors
    # A failure goes to the log with its traceback, the way a real one would.

    log = logging.getLogger("reviewer")
    earlier = [h for h in log.handlers if isinstance(h, logging.handlers.RotatingFileHandler)]
    for handler in earlier:  # setup_logging adds its file once per process
        log.removeHandler(handler)
    setup_logging(workspace.paths.logs)
    try:
        raise ValueError(f"could not parse {CANARY_SSN} near {CANARY_MAIL}")
    except ValueError:
        log.exception("scan failed on page %d", 1)
    for handler in log.handlers:
        handler.flush()
    window.close()

    files = _written_outside_the_store(home, exports)
    assert target in files
    assert any(p.suffix == ".log" for p in files)
    hits = []
    for path in files:
        data = path.read_bytes()
        for canary in (CANARY_SSN, CANARY_MAIL):
            if any(v in data for v in _variants(canary)):
                hits.append((path.relative_to(tmp_path), canary))
    assert hits == []
    for handler in list(log.handlers):
        if str(getattr(handler, "baseFilename", "")).startswith(str(home)):
            log.removeHandler(handler)
            handler.close()
    for handler in earlier:
        log.addHandler(handler)
