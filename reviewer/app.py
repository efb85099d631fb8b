"""Command-line entry point and GUI bootstrap.

Qt is imported lazily, inside the functions that need it, so that
``reviewer --version`` and the CLI sub-commands start fast and so that the
document worker process (which re-imports the main module when it is
spawned) never loads Qt.
"""

from __future__ import annotations

import argparse
import json
import logging
import logging.handlers
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from reviewer import __version__

SUBCOMMANDS = (
    "info",
    "demo",
    "annotations",
    "scan",
    "citations",
    "redact",
    "verify-redaction",
    "check-redactions",
    "identity",
    "batch",
    "bundle",
    "ocr-text",
    "lead",
)
SAMPLES = (
    "motion_ai_draft.pdf",
    "credit_agreement.pdf",
    "motion_draft_a.pdf",
    "motion_draft_b.pdf",
    "motion_draft_c.pdf",
    "scanned_letter.pdf",
)
#: A task batch of the sample motion and drafts, so the demo shows the work queue.
SAMPLE_BATCH = "sample_batch.rvbatch"
log = logging.getLogger("reviewer")


def gui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reviewer",
        description="Offline review workstation for legal and financial documents.",
        epilog="Sub-commands: 'reviewer demo' opens the bundled sample documents; "
        "'reviewer info FILE' describes a document as JSON; 'reviewer scan FILE' suggests "
        "PII; 'reviewer batch', 'reviewer bundle' and 'reviewer identity' handle task "
        "batches, signed submissions and your signing key. 'reviewer COMMAND --help' for more.",
    )
    parser.add_argument("--version", action="version", version=f"reviewer {__version__}")
    add_workspace_option(parser)
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="open a sample document offscreen, render a page, write and read the store, exit 0",
    )
    parser.add_argument(
        "--report-startup",
        action="store_true",
        help="print start-up timings as JSON once the first page is painted, then exit "
        "(used by the benchmarks)",
    )
    parser.add_argument(
        "files", nargs="*", type=Path, metavar="FILE", help="documents or task batches to open"
    )
    return parser


def command_parser() -> argparse.ArgumentParser:
    from reviewer import cli, cli_citations, cli_lead, cli_ocr, cli_redact, cli_work

    parser = argparse.ArgumentParser(prog="reviewer")
    sub = parser.add_subparsers(dest="command", required=True)
    cli.add_info_parser(sub)
    cli.add_annotations_parser(sub)
    cli.add_scan_parser(sub)
    cli_citations.add_citations_parser(sub)
    cli_redact.add_redaction_parsers(sub)
    cli_work.add_work_parsers(sub)
    cli_ocr.add_ocr_text_parser(sub)
    cli_lead.add_lead_parser(sub)
    demo = sub.add_parser("demo", help="open the bundled synthetic sample documents")
    add_workspace_option(demo)
    demo.set_defaults(run=run_demo)
    return parser


def add_workspace_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        help="keep the workspace in DIR (default: $REVIEWER_HOME, else the user data folder)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    multiprocessing.freeze_support()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        args = command_parser().parse_args(argv)
        return int(args.run(args))
    args = gui_parser().parse_args(argv)
    if args.smoke_test:
        return run_smoke_test(args.workspace)
    return run_gui(args.files, args.workspace, report_startup=args.report_startup)


def run_demo(args: argparse.Namespace) -> int:
    from reviewer.core.resources import resource

    folder = resource("samples")
    names = (*SAMPLES, SAMPLE_BATCH)
    files = [Path(str(folder / name)) for name in names if (folder / name).is_file()]
    if not files:
        print(
            "reviewer demo: the sample documents are missing from this installation",
            file=sys.stderr,
        )
        return 1
    return run_gui(files, args.workspace)


def setup_logging(logs: Path) -> None:
    """Log to a rotating file; never log document text (documents may be privileged)."""
    logs.mkdir(parents=True, exist_ok=True, mode=0o700)
    handler = logging.handlers.RotatingFileHandler(
        logs / "reviewer.log", maxBytes=2 * 2**20, backupCount=3, encoding="utf-8"
    )
    from reviewer.core.log_privacy import MaskingFormatter

    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("reviewer")
    root.setLevel(logging.INFO)
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        root.addHandler(handler)


def run_gui(
    files: Sequence[Path],
    workspace_dir: str | None,
    *,
    report_startup: bool = False,
    smoke: bool = False,
) -> int:
    """Start the window, open ``files``, run the event loop."""
    started = time.perf_counter()
    from reviewer.core.paths import resolve
    from reviewer.core.worker import DocumentWorker

    # Start the document worker first: its process start overlaps Qt's.
    spare = DocumentWorker.for_viewer().start() if files else None
    paths = resolve(workspace_dir)

    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from reviewer.core.errors import ReviewerError
    from reviewer.core.store import Workspace
    from reviewer.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("reviewer")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("reviewer")
    quiet = smoke or report_startup

    def ask(question: str) -> bool:
        if quiet:
            return False
        answer = QMessageBox.question(None, "The workspace is damaged", question)
        return answer == QMessageBox.StandardButton.Yes

    try:
        recover_if_damaged(paths, ask)
        workspace = Workspace.open(paths, actor=actor_for(paths))
    except ReviewerError as exc:
        if spare is not None:
            spare.close()
        print(f"reviewer: {exc}", file=sys.stderr)
        if not smoke and not report_startup:
            QMessageBox.critical(None, "Cannot open the workspace", str(exc))
        return 2
    setup_logging(paths.logs)
    install_excepthook()
    settings = QSettings(str(paths.config / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(workspace, settings=None if smoke or report_startup else settings)
    window.opener.adopt(spare)
    result = {"code": 0}

    if smoke or report_startup:
        stages = {"window_ms": round((time.perf_counter() - started) * 1000, 1)}

        def on_first(pane: object) -> None:
            view = window.current_view()

            def painted(page: int) -> None:
                if page != 0 or view is None:
                    return
                view.session.pageRendered.disconnect(painted)
                window.grab()  # force a complete paint of the window
                stages["first_page_ms"] = round((time.perf_counter() - started) * 1000, 1)
                if smoke:
                    result["code"] = smoke_checks(window, workspace, stages)
                print(json.dumps(stages), flush=True)
                app.quit()

            if view is not None:
                view.session.pageRendered.connect(painted)

        def failed(name: str, problem: str) -> None:
            print(f"reviewer: {name}: {problem}", file=sys.stderr)
            result["code"] = 1
            app.quit()

        window.documentShown.connect(on_first)
        window.opener.failed.connect(failed)
        QTimer.singleShot(60_000, lambda: (result.update(code=1), app.quit()))
        window.dialogs.error = lambda title, text: failed(title, text)  # type: ignore[method-assign]

    if not quiet:
        from reviewer.ui.backups import BackupScheduler

        BackupScheduler(paths.database, window)
    window.show()
    if not smoke and not report_startup and window.work.identity() is None:
        # First run: name and id first, so the work and its submissions carry them.
        QTimer.singleShot(0, window.work.ask_identity)
    window.open_paths(list(files))
    try:
        code = app.exec()
    finally:
        window.close()
        workspace.close()
    return result["code"] or code


def recover_if_damaged(paths: object, ask: Callable[[str], bool]) -> None:
    """Check the workspace before opening it; offer the newest good backup if it is damaged.

    Raises ReviewerError (shown to the user) when it is damaged and not restored. The
    workspace's lock is held meanwhile, so a running window's file is never replaced.
    """
    from reviewer.core import backup
    from reviewer.core.errors import ReviewerError
    from reviewer.core.lock import WorkspaceLock
    from reviewer.core.paths import AppPaths

    assert isinstance(paths, AppPaths)
    health = backup.check(paths.database)
    if health.ok:
        return
    name = paths.database.name
    if health.backup is None:
        raise ReviewerError(
            f"{name} is damaged ({health.problem}) and there is no good backup in "
            f"{backup.folder_of(paths.database)}; the file is left as it is"
        )
    made = datetime.fromtimestamp(health.backup.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    question = (
        f"{name} is damaged ({health.problem}).\n\nRestore the newest good backup, made "
        f"{made}? Work done since then is not in it. The damaged file is kept beside it."
    )
    if not ask(question):
        raise ReviewerError(f"{name} is damaged ({health.problem}); not restored")
    lock = WorkspaceLock(paths.workspace)
    lock.acquire()
    try:
        aside = backup.restore(paths.database, health.backup)
    finally:
        lock.release()
    logging.getLogger("reviewer").warning(
        "workspace restored from a backup; the damaged file was kept as %s", aside.name
    )


def smoke_checks(window: object, workspace: object, stages: dict[str, float]) -> int:
    """After the first page is painted: the store must hold the document and its event."""
    from reviewer.core.store import Workspace

    assert isinstance(workspace, Workspace)
    docs = workspace.documents()
    added = workspace.events(entity="document")
    ok = bool(docs) and bool(added) and docs[0].page_count > 0
    with workspace.transaction():
        workspace.log_event("smoke.checked", "workspace", "smoke", after={"ok": ok})
    ok = ok and workspace.events(entity="workspace")[-1].after == {"ok": True}
    stages.update({"documents": len(docs), "pages": docs[0].page_count if docs else 0, "ok": ok})
    return 0 if ok else 1


def run_smoke_test(workspace_dir: str | None) -> int:
    """``reviewer --smoke-test``: offscreen, sample document, a rendered page, the store."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from reviewer.core.resources import resource

    sample = resource("samples", SAMPLES[0])
    if not sample.is_file():
        print("reviewer: smoke test: the sample documents are missing", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="reviewer-smoke-") as tmp:
        code = run_gui([Path(str(sample))], workspace_dir or tmp, smoke=True)
    print("smoke test passed" if code == 0 else "smoke test FAILED", file=sys.stderr)
    return code


def local_user() -> str:
    """Who is annotating, until an identity is set up: the operating system's user name."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "local"


def actor_for(paths: object) -> str:
    """Who the event log names: the annotator id once an identity is set up."""
    from reviewer.core.errors import ReviewerError
    from reviewer.core.identity import load_identity
    from reviewer.core.paths import AppPaths

    assert isinstance(paths, AppPaths)
    try:
        found = load_identity(paths.workspace)
    except ReviewerError:  # a broken identity must not stop the app opening; export says why
        found = None
    return found.id if found is not None else local_user()


def install_excepthook() -> None:
    """Log unexpected errors and tell the user, instead of dying mid-work."""
    previous = sys.excepthook

    def hook(kind, value, tb) -> None:
        log.error("unexpected error", exc_info=(kind, value, tb))
        previous(kind, value, tb)
        try:
            from PySide6.QtWidgets import QApplication, QMessageBox

            if (
                QApplication.instance() is not None
                and os.environ.get("QT_QPA_PLATFORM") != "offscreen"
            ):
                QMessageBox.critical(
                    None,
                    "Unexpected error",
                    f"{kind.__name__}: {value}\n\nYour work up to the last change is saved.",
                )
        except Exception:  # noqa: BLE001 - the hook must never raise
            pass

    sys.excepthook = hook
