"""Redacted copies of a batch's ``redact`` items, for the submission bundle.

The bundle carries, for each ``redact`` item whose document has accepted PII
annotations, the truly redacted PDF and its verification report, made by
the same pipeline as File > Export redacted PDF (``redaction.export``), in a
worker process. A copy that fails its verification stops the export: a
submission never carries a redaction that looks finished and is not.

Split like the batch import: :func:`plan_copies` reads the workspace (its
own thread), :func:`make_copies` runs the redactions (any thread).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.core import annotations as annotation_store
from reviewer.core import batches
from reviewer.core.bundle import BundleError, RedactedCopy
from reviewer.core.model import Annotation
from reviewer.core.redaction.from_annotations import plan_from_annotations
from reviewer.core.redaction.plan import RedactionOptions, RedactionPlan
from reviewer.core.worker import run_once

if TYPE_CHECKING:
    from reviewer.core.store import Workspace

#: Redacting and verifying a long document takes minutes, not seconds.
TIMEOUT = 1800.0


@dataclass(frozen=True)
class CopyToMake:
    """One redacted copy to make: the document, its workspace copy, and what goes."""

    document: str
    name: str
    source: Path
    plan: RedactionPlan


def plan_copies(ws: Workspace, batch_id: str) -> list[CopyToMake]:
    """What the batch's redact items need (items with nothing accepted make no copy)."""
    by_item: dict[str, list[Annotation]] = {}
    for a in annotation_store.for_batch(ws, batch_id):
        by_item.setdefault(a.item or "", []).append(a)
    found = []
    for item in batches.items(ws, batch_id):
        if item.task != "redact" or item.status == "skipped":
            continue
        document = item.documents[0]
        plan = plan_from_annotations(a for a in by_item.get(item.id, []) if a.document == document)
        if not plan.boxes and not plan.terms:
            continue
        stored = ws.document(document)
        name = stored.original_name if stored is not None else document[:12]
        found.append(CopyToMake(document, name, ws.blob_path(document), plan))
    return found


def make_copies(
    planned: list[CopyToMake],
    scratch: Path,
    *,
    options: RedactionOptions | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> list[RedactedCopy]:
    """Redact and verify each planned copy into ``scratch`` (one worker process each)."""
    copies = []
    for todo in planned:
        if cancelled():
            raise BundleError("the export was cancelled")
        target = scratch / f"{todo.document}.pdf"
        report_file = scratch / f"{todo.document}.verification.json"
        outcome, report = run_once(
            lambda worker, t=todo, out=target, rep=report_file: worker.submit(
                "redact",
                t.source,
                out,
                t.plan,
                options or RedactionOptions(),
                None,
                rep,
                priority=-1,
            ),
            timeout=TIMEOUT,
        )
        if outcome != "passed":
            failed = ", ".join(c.name for c in report.checks if not c.passed)
            raise BundleError(
                f"the redacted copy of {todo.name} failed its verification ({failed}); "
                "the submission was not written"
            )
        copies.append(RedactedCopy(todo.document, target, report.as_json()))
    return copies
