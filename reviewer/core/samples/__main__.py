"""``python -m reviewer.core.samples DEST``: regenerate the shipped sample set.

Kept as a module entry (not a console script) because only developers need
it: the shipped ``resources/samples`` folder is rebuilt with it after the
generator changes, and a test checks the two never drift apart.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reviewer.core.samples.generate import DEFAULT_SEED, generate_samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reviewer.core.samples",
        description="Write the synthetic sample PDFs and ground_truth.json into DEST.",
    )
    parser.add_argument("dest", type=Path, help="folder to write into (created if missing)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="default: %(default)s")
    args = parser.parse_args(argv)
    sample_set = generate_samples(args.dest, seed=args.seed)
    for doc in sample_set.documents:
        size = sample_set.path(doc).stat().st_size
        line = f"{doc.file:24} {doc.pages:2} pages {size:>9,} bytes {len(doc.pii):3} PII items"
        sys.stdout.write(line + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
