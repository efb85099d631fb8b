"""Simulated annotators: signed submission bundles written without a workspace.

The lead's import, agreement and exports need many contractors' bundles
with known disagreements; making each through a workspace of its own
(import the batch, open every document, annotate, export) takes seconds per
bundle. These annotators write the same format through the same function
(:func:`reviewer.core.bundle.assemble`) and sign with real Ed25519 keys, so
what the lead reads is checked exactly as a real submission is.

Keys are derived from a seed: the same annotator signs the same way in every
run, so bundles are reproducible.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from reviewer.core import bundle, identity
from reviewer.core.interchange import to_w3c
from reviewer.core.model import Annotation, Batch, Document, Item, Selector, TextSegment
from reviewer.core.timesheet import Segment


@dataclass(frozen=True)
class SimulatedAnnotator:
    """A contractor with a name, an id and a signing key derived from ``seed``."""

    id: str
    name: str
    seed: str

    @property
    def private_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(self.seed.encode()).digest())

    @property
    def public_key(self) -> bytes:
        return self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def identity(self) -> identity.Identity:
        key = self.public_key
        return identity.Identity(
            self.name, self.id, identity.key_id_of(key), key, "2026-01-05T09:00:00+00:00"
        )

    def write_public_key(self, path: Path) -> Path:
        """The key file ``reviewer identity export`` would write."""
        identity.export_public_key(self.identity, path)
        return path


def text_span(
    document: str,
    item: str,
    page: int,
    start: int,
    end: int,
    label: str,
    *,
    taxonomy: str = "pii",
    exact: str = "",
    quad: tuple[float, float, float, float] = (72.0, 90.0, 200.0, 104.0),
    comment: str = "",
    state: str = "accepted",
    origin: str = "human",
    key: str = "",
) -> Annotation:
    """A text annotation on one page at the given offsets (``key`` seeds a stable id)."""
    x0, y0, x1, y1 = quad
    selector = Selector(
        kind="text",
        page=page,
        segments=(TextSegment(page, start, end, ((x0, y0, x1, y0, x0, y1, x1, y1),)),),
        exact=exact or f"text {start}-{end}",
    )
    seed = key or f"{document}|{page}|{start}|{end}|{label}"
    return Annotation(
        id=stable_id(seed),
        document=document,
        taxonomy=taxonomy,
        label=label,
        selector=selector,
        comment=comment,
        origin=origin,
        state=state,
        item=item,
        created_at="2026-01-06T10:00:00+00:00",
        updated_at="2026-01-06T10:00:00+00:00",
    )


def stable_id(seed: str) -> str:
    """A version-4-shaped UUID derived from ``seed`` (the same seed, the same id)."""
    digest = bytearray(hashlib.sha256(seed.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x40
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def write_bundle(
    output: Path,
    *,
    annotator: SimulatedAnnotator,
    batch: Batch,
    items: Sequence[Item],
    documents: Mapping[str, Document],
    annotations: Sequence[Annotation],
    judgements: Sequence[dict[str, Any]] = (),
    segments: Sequence[Segment] = (),
    status: str = "done",
) -> dict[str, Any]:
    """Write ``annotator``'s signed bundle of ``batch``; every item gets ``status``."""
    who = annotator.identity
    worked = [replace(i, status=status, updated_at="2026-01-06T11:00:00+00:00") for i in items]
    mine = [replace(a, author=who.id) for a in annotations]
    events = [
        {
            "id": n + 1,
            "at": a.created_at,
            "actor": who.id,
            "kind": "annotation.created",
            "entity": "annotation",
            "entity_id": a.id,
            "before": None,
            "after": {"label": a.label, "page": a.selector.page, "exact": a.selector.exact},
        }
        for n, a in enumerate(mine)
    ]
    manifest, contents = bundle.assemble(
        batch_id=batch.id,
        batch_manifest_sha256=batch.manifest_sha256,
        batch_imported_at=batch.imported_at,
        who=who,
        items=worked,
        annotations=[to_w3c(a, documents[a.document]) for a in mine],
        judgements=judgements,
        events=events,
        segments=segments,
    )
    bundle.write_signed(Path(output), manifest, contents, annotator.private_key.sign)
    return manifest


def compare_record(
    item: Item,
    annotator: SimulatedAnnotator,
    shown: Sequence[str],
    choice: str,
    *,
    rationale: str = "Draft cites the controlling rule correctly.",
) -> dict[str, Any]:
    """A finished compare judgement as ``judgements.jsonl`` carries it (no ratings, no evidence)."""
    letters = "ABC"
    return {
        "id": stable_id(f"judgement|{item.id}|{annotator.id}"),
        "item": item.local_id,
        "task": "compare",
        "annotator": annotator.id,
        "created": "2026-01-06T10:00:00+00:00",
        "updated": "2026-01-06T10:05:00+00:00",
        "active_seconds": 300.0,
        "shown_order": list(shown),
        "drafts": {letters[i]: d for i, d in enumerate(shown)},
        "choice": choice,
        "ranking": [],
        "criteria": [],
        "ratings": {},
        "rationale": rationale,
        "evidence": [],
    }


def review_record(
    item: Item, annotator: SimulatedAnnotator, verdict: str, summary: str = "Checked."
) -> dict[str, Any]:
    """A finished review judgement (overall verdict and summary)."""
    return {
        "id": stable_id(f"judgement|{item.id}|{annotator.id}"),
        "item": item.local_id,
        "task": "review",
        "annotator": annotator.id,
        "created": "2026-01-06T10:00:00+00:00",
        "updated": "2026-01-06T10:05:00+00:00",
        "active_seconds": 300.0,
        "documents": list(item.documents),
        "verdict": verdict,
        "summary": summary,
    }
