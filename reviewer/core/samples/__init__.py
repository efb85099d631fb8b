"""Synthetic legal and financial sample documents with known ground truth.

reviewer needs realistic material for its demo, its tests and its
benchmarks, but real contracts and court filings carry real people's data.
This package writes convincing fakes instead: a credit agreement, an
AI-drafted motion citing one fabricated case, three drafts of one motion for
comparison (each with its own planted errors) and an image-only scanned
letter, all with Faker-made personal data whose exact text and page are
recorded in ``ground_truth.json``. It
also makes long documents on demand for performance tests.

Everything is deterministic for a given seed. Pure Python + PyMuPDF + Faker;
never imports Qt (``reviewer.core`` is Qt-free by contract).

Regenerate the shipped copy with ``python -m reviewer.core.samples resources/samples``.
"""

from __future__ import annotations

from reviewer.core.samples.bulk import RARE_TERM, make_long_brief, make_scanned, rare_term_pages
from reviewer.core.samples.generate import DEFAULT_SEED, SAMPLE_FILES, generate_samples
from reviewer.core.samples.truth import (
    DOCUMENT_KINDS,
    GROUND_TRUTH_FILE,
    PII_LABELS,
    CitationTruth,
    PiiTruth,
    SampleDocument,
    SampleSet,
    load_ground_truth,
)

__all__ = [
    "DEFAULT_SEED",
    "DOCUMENT_KINDS",
    "GROUND_TRUTH_FILE",
    "PII_LABELS",
    "RARE_TERM",
    "SAMPLE_FILES",
    "CitationTruth",
    "PiiTruth",
    "SampleDocument",
    "SampleSet",
    "generate_samples",
    "load_ground_truth",
    "make_long_brief",
    "make_scanned",
    "rare_term_pages",
]
