"""Make a lead's workspace with two annotators' merged submissions (for the frozen check).

Run with the development interpreter: ``python packaging/lead_workspace.py DIR``. The
frozen app then computes the agreement figures from DIR, which proves the statistics
library (krippendorff, numpy) travels in the build. Two sample documents, two
annotators who agree on one span and differ on another.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pymupdf

from reviewer.core import batches
from reviewer.core.batch_file import SourceDocument, create_batch, default_items
from reviewer.core.batch_import import import_batch
from reviewer.core.blobs import sha256_file
from reviewer.core.lead import merge, roster
from reviewer.core.paths import resolve
from reviewer.core.samples.team import SimulatedAnnotator, text_span, write_bundle
from reviewer.core.store import Workspace
from reviewer.core.taxonomy import builtin_taxonomy

SAMPLES = Path(__file__).resolve().parent.parent / "resources" / "samples"


def main(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    files = [SAMPLES / "credit_agreement.pdf", SAMPLES / "motion_ai_draft.pdf"]
    sources = []
    for f in files:
        with pymupdf.open(f) as opened:
            sources.append(SourceDocument(f, sha256_file(f), opened.page_count, "application/pdf"))
    batch_file = folder / "lead-check.rvbatch"
    create_batch(
        batch_file,
        name="Lead check",
        task="redact",
        taxonomy=builtin_taxonomy("pii"),
        instructions="Mark personal data.",
        documents=sources,
        items=default_items("redact", sources),
    )
    with Workspace.open(resolve(folder)) as ws:
        batch = batches.require_batch(ws, import_batch(ws, batch_file).batch_id)
        items = batches.items(ws, batch.id)
        documents = {d.sha256: d for d in ws.documents()}
        paths = []
        for name, label in (("ana", "PERSON"), ("ben", "ORG")):
            who = SimulatedAnnotator(name, name.title(), f"lead-check-{name}")
            roster.enrol(ws, who.public_key, who.name)
            spans = [
                text_span(i.documents[0], i.id, 0, 10, 20, "PERSON", key=f"{name}|a|{i.id}")
                for i in items
            ] + [text_span(items[0].documents[0], items[0].id, 0, 40, 50, label, key=name)]
            out = folder / f"{name}.rvbundle"
            write_bundle(
                out,
                annotator=who,
                batch=batch,
                items=items,
                documents=documents,
                annotations=spans,
            )
            paths.append(out)
        summary = merge.import_bundles(ws, paths)
    sys.stderr.write(summary.text() + "\n")
    return 0 if summary.count("imported") == 2 else 1


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
