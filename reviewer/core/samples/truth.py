"""Ground truth for the sample documents, as frozen dataclasses and JSON.

The generator knows exactly which fake personal data it printed and where,
and which citations are real. Writing that down next to the PDFs lets the
tests and benchmarks score detectors (PII, fabricated citations, OCR) against
facts instead of eyeballing; ``load_ground_truth`` reads it back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GROUND_TRUTH_FILE = "ground_truth.json"

# The PII label ids shared with the redaction taxonomy; the generator refuses
# any other label so the ground truth never drifts from the app's vocabulary.
PII_LABELS: tuple[str, ...] = (
    "PERSON", "ORG", "ADDRESS", "LOCATION", "PHONE", "EMAIL", "SSN", "TAX_ID",
    "CREDIT_CARD", "BANK_ACCOUNT", "ROUTING_NUMBER", "IBAN", "DATE_OF_BIRTH", "DATE",
    "DRIVER_LICENSE", "PASSPORT", "IP_ADDRESS", "URL", "MEDICAL", "SIGNATURE", "AGE",
    "CONFIDENTIAL", "OTHER",
)  # fmt: skip

DOCUMENT_KINDS: tuple[str, ...] = ("credit_agreement", "motion", "draft", "scanned_letter")

Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class PiiTruth:
    """One piece of fake personal data on one page (0-based).

    ``rect`` (PDF points, x0 y0 x1 y1) is only given for image-only pages,
    where there is no text layer to search.
    """

    label: str
    text: str
    page: int
    rect: Rect | None = None

    def __post_init__(self) -> None:
        if self.label not in PII_LABELS:
            raise ValueError(f"unknown PII label {self.label!r}")


@dataclass(frozen=True)
class CitationTruth:
    """A case citation as printed, and whether the case actually exists."""

    text: str
    page: int
    real: bool


@dataclass(frozen=True)
class SampleDocument:
    """One generated PDF and everything known about its content."""

    file: str
    title: str
    kind: str
    pages: int
    pii: tuple[PiiTruth, ...] = ()
    citations: tuple[CitationTruth, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in DOCUMENT_KINDS:
            raise ValueError(f"unknown document kind {self.kind!r}")


@dataclass(frozen=True)
class SampleSet:
    """The documents of one generated sample folder.

    ``folder`` is where the files are now; it is not stored in the JSON so a
    sample folder can be moved or shipped inside the app.
    """

    folder: Path
    seed: int
    documents: tuple[SampleDocument, ...]

    def document(self, file: str) -> SampleDocument:
        for doc in self.documents:
            if doc.file == file:
                return doc
        raise KeyError(file)

    def path(self, document: SampleDocument | str) -> Path:
        name = document if isinstance(document, str) else document.file
        return self.folder / name

    def to_json(self) -> str:
        """Serialize deterministically (stable key order, rounded rectangles)."""
        return json.dumps(_set_to_dict(self), indent=2, ensure_ascii=False) + "\n"


def _pii_to_dict(item: PiiTruth) -> dict[str, Any]:
    out: dict[str, Any] = {"label": item.label, "text": item.text, "page": item.page}
    if item.rect is not None:
        out["rect"] = [round(v, 2) for v in item.rect]
    return out


def _set_to_dict(sample_set: SampleSet) -> dict[str, Any]:
    return {
        "generator": "reviewer.core.samples",
        "seed": sample_set.seed,
        "synthetic": True,
        "documents": [
            {
                "file": doc.file,
                "title": doc.title,
                "kind": doc.kind,
                "pages": doc.pages,
                "pii": [_pii_to_dict(p) for p in doc.pii],
                "citations": [
                    {"text": c.text, "page": c.page, "real": c.real} for c in doc.citations
                ],
            }
            for doc in sample_set.documents
        ],
    }


def write_ground_truth(sample_set: SampleSet) -> Path:
    path = sample_set.folder / GROUND_TRUTH_FILE
    path.write_text(sample_set.to_json(), encoding="utf-8", newline="\n")
    return path


def _rect(values: list[float] | None) -> Rect | None:
    if values is None:
        return None
    x0, y0, x1, y1 = (float(v) for v in values)
    return (x0, y0, x1, y1)


def load_ground_truth(folder: Path) -> SampleSet:
    """Read ``ground_truth.json`` from a sample folder written by the generator."""
    folder = Path(folder)
    data = json.loads((folder / GROUND_TRUTH_FILE).read_text(encoding="utf-8"))
    documents = tuple(
        SampleDocument(
            file=d["file"],
            title=d["title"],
            kind=d["kind"],
            pages=int(d["pages"]),
            pii=tuple(
                PiiTruth(
                    label=p["label"],
                    text=p["text"],
                    page=int(p["page"]),
                    rect=_rect(p.get("rect")),
                )
                for p in d.get("pii", ())
            ),
            citations=tuple(
                CitationTruth(text=c["text"], page=int(c["page"]), real=bool(c["real"]))
                for c in d.get("citations", ())
            ),
        )
        for d in data["documents"]
    )
    return SampleSet(folder=folder, seed=int(data["seed"]), documents=documents)
