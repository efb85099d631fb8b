"""A lead's workspace with a batch and simulated annotators who submit bundles.

Shared by the lead tests (core, command line and window): the batch is a real
``.rvbatch`` imported for real; each annotator's bundle is signed with a real
key and verified on import like any other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reviewer.core import batches
from reviewer.core.batch_import import import_batch
from reviewer.core.model import Annotation, Batch, Document, Item
from reviewer.core.samples.team import SimulatedAnnotator, stable_id, text_span, write_bundle
from reviewer.core.store import Workspace

#: Page text of the two documents: names and numbers at known offsets.
PAGES = {
    "memo.pdf": [
        "Memo from Alice Carter to Bob Diaz about account 4111 1111 1111 1111.",
        "Call Alice Carter at 555-0100 before Friday.",
    ],
    "letter.pdf": ["Dear Erin Foster, your SSN 123-45-6789 is on file."],
}


@dataclass
class Team:
    """The lead's workspace, the batch, and three annotators with their key files."""

    ws: Workspace
    folder: Path
    batch: Batch
    items: list[Item]
    documents: dict[str, Document]
    annotators: dict[str, SimulatedAnnotator]
    keys: dict[str, Path] = field(default_factory=dict)

    def doc(self, name: str) -> str:
        return next(d.sha256 for d in self.documents.values() if d.original_name == name)

    def item_of(self, name: str) -> Item:
        sha = self.doc(name)
        return next(i for i in self.items if sha in i.documents)

    def span(self, name: str, start: int, end: int, label: str, **kw: Any) -> Annotation:
        item = self.item_of(name)
        return text_span(self.doc(name), item.id, 0, start, end, label, **kw)

    def submit(
        self,
        who: str,
        annotations: Sequence[Annotation],
        *,
        judgements: Sequence[dict[str, Any]] = (),
        status: str = "done",
        items: Sequence[Item] | None = None,
        name: str | None = None,
    ) -> Path:
        output = self.folder / (name or f"{who}.rvbundle")
        write_bundle(
            output,
            annotator=self.annotators[who],
            batch=self.batch,
            items=list(items if items is not None else self.items),
            documents=self.documents,
            annotations=[_own(a, who) for a in annotations],
            judgements=judgements,
            status=status,
        )
        return output


def _own(a: Annotation, who: str) -> Annotation:
    """The annotator's own copy of a span: a distinct id per annotator."""
    return replace(a, id=stable_id(f"{who}|{a.id}"))


def make_team(
    ws: Workspace,
    folder: Path,
    make_pdf: Callable[..., Path],
    make_batch: Callable[..., Path],
    *,
    names: Sequence[str] = ("ana", "ben", "cy"),
    task: str = "redact",
    taxonomy: str = "pii",
) -> Team:
    files = [make_pdf(name, *[[line] for line in lines]) for name, lines in PAGES.items()]
    result = import_batch(ws, make_batch(files, task=task, taxonomy=taxonomy, name="PII batch"))
    batch = batches.require_batch(ws, result.batch_id)
    items = batches.items(ws, batch.id)
    documents = {d.sha256: d for d in ws.documents()}
    annotators = {n: SimulatedAnnotator(n, n.capitalize() + " Tester", f"seed-{n}") for n in names}
    folder.mkdir(parents=True, exist_ok=True)
    team = Team(ws, folder, batch, items, documents, annotators)
    for n, who in annotators.items():
        team.keys[n] = who.write_public_key(folder / f"{n}.pem")
    return team
