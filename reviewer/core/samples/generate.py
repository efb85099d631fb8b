"""Write the whole sample set: six PDFs and their ground truth.

One ``Cast`` (seeded Faker + ``random.Random``) is shared by all documents,
so the same company officers recur across them as they would in a real
matter, names never collide between documents, and one seed pins every byte
of text. The documents are built in a fixed order for the same reason.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reviewer.core.samples._credit import build_credit_agreement
from reviewer.core.samples._fakes import Cast
from reviewer.core.samples._letter import build_scanned_letter
from reviewer.core.samples._motion import build_ai_motion, build_draft, draw_case
from reviewer.core.samples.truth import SampleSet, write_ground_truth

DEFAULT_SEED = 20261124

SAMPLE_FILES: tuple[str, ...] = (
    "credit_agreement.pdf",
    "motion_ai_draft.pdf",
    "motion_draft_a.pdf",
    "motion_draft_b.pdf",
    "motion_draft_c.pdf",
    "scanned_letter.pdf",
)


def generate_samples(dest: Path, *, seed: int = DEFAULT_SEED) -> SampleSet:
    """Write the sample PDFs and ``ground_truth.json`` into ``dest`` and return the truth.

    The folder is created if needed; existing sample files are overwritten.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    cast = Cast(seed)
    rng = cast.rng
    closing = dt.date(2024, 3, rng.randint(4, 28))
    filed = dt.date(2024, rng.randint(8, 10), rng.randint(2, 27))
    letter_date = dt.date(2024, rng.randint(5, 7), rng.randint(1, 28))

    credit, cfo = build_credit_agreement(cast, dest, closing)
    case = draw_case(cast, cfo, filed)
    documents = (
        credit,
        build_ai_motion(case, dest, SAMPLE_FILES[1]),
        build_draft(case, dest, SAMPLE_FILES[2], "A"),
        build_draft(case, dest, SAMPLE_FILES[3], "B"),
        # Draft C draws nothing from the seeded generator, so adding it changed no
        # other document: it only reuses the case's facts.
        build_draft(case, dest, SAMPLE_FILES[4], "C"),
        build_scanned_letter(cast, dest, letter_date),
    )
    sample_set = SampleSet(folder=dest, seed=seed, documents=documents)
    write_ground_truth(sample_set)
    return sample_set
