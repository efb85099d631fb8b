"""How good and how fast our PII suggestions are, next to Microsoft Presidio in the same run.

What is measured (the issue's contract), always through
``reviewer.core.pii.engine.scan_text`` at ``DEFAULT_MIN_SCORE``, because
that is what the GUI's "Scan for PII" and ``reviewer scan`` call:

1. Precision, recall and F1 per label on two labelled sets in
   ``../shared/data/labeled`` (relative to the repository root):

   * ``presidio_synth_v2.public.json``: Presidio's own synthetic sentences
     (Faker templates). Its types are mapped to our ``pii`` taxonomy:
     PERSON→PERSON, ORGANIZATION→ORG, STREET_ADDRESS→ADDRESS, GPE→LOCATION,
     CREDIT_CARD, PHONE_NUMBER→PHONE, EMAIL_ADDRESS→EMAIL, IBAN_CODE→IBAN,
     IP_ADDRESS, US_SSN→SSN, US_DRIVER_LICENSE→DRIVER_LICENSE,
     DATE_TIME→DATE, AGE. TITLE, NRP, DOMAIN_NAME and ZIP_CODE have no
     counterpart: those gold spans are ignored, and a prediction that
     matches nothing but overlaps one of them is not counted at all (not
     a false positive), since the set says nothing about what should be
     there. Gold DATE_TIME includes birth dates, so a DATE_OF_BIRTH
     prediction is scored as DATE here.
   * ``sec_credit_agreements_FIN5.spans.jsonl``: real SEC-filed credit
     agreements, PER/ORG/LOC → PERSON/ORG/LOCATION. Only those three labels
     are scored (the corpus tags nothing else, so a phone or date
     suggestion there is neither right nor wrong); its LOC spans include
     street addresses and floors, so an ADDRESS prediction is scored as
     LOCATION; MISC spans are ignored like the types above. Spans flagged
     ``role_word`` (the corpus tags the role nouns Borrower/Lender as PER)
     are dropped from the gold: role nouns are not names, so a PERSON
     prediction on one is a false positive.

   Matching rule (overlap matching): a prediction matches a gold span of
   the same (mapped) label when their character ranges overlap by at least
   one character. Each gold span is matched at most once and each
   prediction at most once (greedily, predictions in order of their end
   offset, each taking the overlapping unmatched gold span that ends
   first). Matched = true positive; an unmatched gold span = false
   negative; an unmatched prediction = false positive (so a gold span
   found as two fragments counts one TP and one FP). F1 = 2TP/(2TP+FP+FN).

2. Suggestions per page on the real PDFs in ``../shared/data/pdf`` (court
   filings, judicial disclosures, a few forms), text layer by PyMuPDF page
   by page; encrypted and image-only files are skipped and named (the app
   reads scans with OCR; Tesseract's output is not part of this count).
   Every suggestion was judged right or false by a person, suggestion by
   suggestion, in ``filings_judged.jsonl`` (file, page, label, text,
   verdict, why); false ones per page are the figure, and any suggestion
   that file does not know (the engine changed since) counts as false.
   ``--dump-filings FILE`` writes the suggestions with context to judge
   them again; ``--show-filings`` lists them.

3. Throughput in pages per second on those pages, text extraction
   excluded: all texts are extracted first, then the whole set is scanned
   once as a warm-up and 7 times timed (3 with ``--quick``; ours and Presidio's
   alternately, so a noisy neighbour slows both alike), median taken, the
   process pinned to one CPU. Presidio's time is its bare
   ``AnalyzerEngine.analyze`` call. Target: ours/Presidio ≥ 3.

4. Targets, each printed met/NOT MET: for the structured identifiers (SSN,
   CREDIT_CARD, IBAN, EMAIL, IP_ADDRESS, PHONE) on the synthetic set, our
   F1 ≥ Presidio's and our precision ≥ 0.95; PERSON F1 on the SEC
   agreements ≥ 0.6; ≤ 1 false suggestion per page on the PDFs (as
   judged, unjudged ones counted false); throughput ratio ≥ 3.

Presidio (MIT) is the yardstick, never an app dependency. It is run with
its predefined *pattern* recognizers and its ``NoOpNlpEngine``: no spaCy
model is loaded or downloaded, so it finds no PERSON/ORG/LOCATION (those
come from its NER model), and context words in the text cannot raise its
scores (they need tokens). Its e-mail validator would fetch the public
suffix list over the network on first use; it is given tldextract's
bundled snapshot instead. Its results are mapped to our labels like the
gold above (types with no counterpart become OTHER) and, as ours are,
reduced to non-overlapping spans (higher score, then longer, then
earlier), at its own default threshold (0) unless ``--presidio-min-score``.
Without Presidio installed the script still prints our figures.

Install Presidio for this benchmark only:
    pip install -r benchmarks/requirements-pii-eval.txt

Run:  python benchmarks/pii_eval.py [--quick] [--show-filings]
Every row also goes to ``benchmarks/results/pii_eval.jsonl`` (as the other benchmarks do).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import types
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PROJECT, SHARED, Recorder

from reviewer.core.pii.base import Suggestion
from reviewer.core.pii.engine import DEFAULT_MIN_SCORE, scan_text

SCRIPT = "pii_eval"
STRUCTURED = ("SSN", "CREDIT_CARD", "IBAN", "EMAIL", "IP_ADDRESS", "PHONE")
TARGET_PRECISION = 0.95
TARGET_PERSON_F1_SEC = 0.6
TARGET_FALSE_PER_PAGE = 1.0
TARGET_SPEED_RATIO = 3.0

#: Presidio synthetic set's entity types → our taxonomy ids.
SYNTH_MAP = {
    "PERSON": "PERSON",
    "ORGANIZATION": "ORG",
    "STREET_ADDRESS": "ADDRESS",
    "GPE": "LOCATION",
    "CREDIT_CARD": "CREDIT_CARD",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP_ADDRESS",
    "US_SSN": "SSN",
    "US_DRIVER_LICENSE": "DRIVER_LICENSE",
    "DATE_TIME": "DATE",
    "AGE": "AGE",
}
SYNTH_IGNORED = {"TITLE", "NRP", "DOMAIN_NAME", "ZIP_CODE"}

#: Presidio's recognizer output types → ours: the gold mapping plus the types its other
#: predefined recognizers emit. Anything else (UUID, CRYPTO, UK_NHS, ...) becomes OTHER.
PRESIDIO_MAP = {
    **SYNTH_MAP,
    "LOCATION": "LOCATION",
    "URL": "URL",
    "US_BANK_NUMBER": "BANK_ACCOUNT",
    "US_ITIN": "TAX_ID",
    "US_PASSPORT": "PASSPORT",
    "ABA_ROUTING_NUMBER": "ROUTING_NUMBER",
}

#: The SEC corpus's labels → ours; MISC has no counterpart and is ignored.
SEC_MAP = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOCATION"}

#: Our taxonomy's order, for the tables (labels not listed sort after, by name).
LABEL_ORDER = (
    *("PERSON", "ORG", "ADDRESS", "LOCATION", "PHONE", "EMAIL", "SSN", "TAX_ID", "CREDIT_CARD"),
    *("BANK_ACCOUNT", "ROUTING_NUMBER", "IBAN", "DATE_OF_BIRTH", "DATE", "DRIVER_LICENSE"),
    *("PASSPORT", "IP_ADDRESS", "URL", "MEDICAL", "SIGNATURE", "AGE", "CONFIDENTIAL", "OTHER"),
)

Scanner = Callable[[str], list[Suggestion]]


# -- the labelled sets ----------------------------------------------------------------


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    label: str


@dataclass
class LabelledText:
    """One text with its gold spans, and the ranges whose predictions are not counted."""

    text: str
    gold: list[Gold]
    ignored: list[tuple[int, int]] = field(default_factory=list)
    role_words: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Corpus:
    """A labelled set and how predictions are read against it.

    ``scored`` (None = every label) limits which predicted labels count at
    all; ``fold`` renames predicted labels the corpus does not separate.
    """

    name: str
    texts: list[LabelledText]
    scored: frozenset[str] | None
    fold: dict[str, str]
    ignored_counts: Counter[str]


def load_synth(path: Path) -> Corpus:
    records = json.loads(path.read_text(encoding="utf-8"))
    texts, ignored_counts = [], Counter[str]()
    for r in records:
        item = LabelledText(r["full_text"], [])
        for s in r["spans"]:
            kind, start, end = s["entity_type"], s["start_position"], s["end_position"]
            if kind in SYNTH_MAP:
                item.gold.append(Gold(start, end, SYNTH_MAP[kind]))
            else:
                if kind not in SYNTH_IGNORED:
                    print(f"  note: unexpected entity type {kind} in {path.name}: ignored")
                item.ignored.append((start, end))
                ignored_counts[kind] += 1
        texts.append(item)
    return Corpus(
        f"{path.name} ({len(texts)} synthetic texts)",
        texts,
        None,
        {"DATE_OF_BIRTH": "DATE"},
        ignored_counts,
    )


def load_sec(path: Path) -> Corpus:
    texts, ignored_counts = [], Counter[str]()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        item = LabelledText(r["text"], [])
        for s in r["spans"]:
            if s.get("role_word"):
                item.role_words.append((s["start"], s["end"]))
                ignored_counts["role word (not gold)"] += 1
            elif s["label"] in SEC_MAP:
                item.gold.append(Gold(s["start"], s["end"], SEC_MAP[s["label"]]))
            else:
                item.ignored.append((s["start"], s["end"]))
                ignored_counts[s["label"]] += 1
        texts.append(item)
    chars = sum(len(t.text) for t in texts)
    return Corpus(
        f"{path.name} ({len(texts)} agreements, {chars:,} chars)",
        texts,
        frozenset(SEC_MAP.values()),
        {"ADDRESS": "LOCATION"},
        ignored_counts,
    )


# -- scoring --------------------------------------------------------------------------


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def gold(self) -> int:
        return self.tp + self.fn

    @property
    def predicted(self) -> int:
        return self.tp + self.fp

    @property
    def precision(self) -> float | None:
        return self.tp / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.gold if self.gold else None

    @property
    def f1(self) -> float | None:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else None


@dataclass
class Score:
    """Per-label counts of one engine on one corpus, plus where its false positives fell."""

    by_label: dict[str, Counts] = field(default_factory=dict)
    fp_on_role_words: int = 0
    not_counted: int = 0  # predictions overlapping only ignored spans
    seconds: float = 0.0

    def counts(self, label: str) -> Counts:
        return self.by_label.setdefault(label, Counts())

    def micro(self) -> Counts:
        total = Counts()
        for c in self.by_label.values():
            total.tp, total.fp, total.fn = total.tp + c.tp, total.fp + c.fp, total.fn + c.fn
        return total


def match(gold: Sequence[Gold], predicted: Sequence[Gold]) -> tuple[list[bool], list[bool]]:
    """Which gold spans and which predictions are matched, by the overlap rule above.

    Greedy by end offset: for intervals this pairs as many as any assignment
    can, and it never lets one long prediction claim several gold spans.
    """
    gold_hit = [False] * len(gold)
    pred_hit = [False] * len(predicted)
    gold_order = sorted(range(len(gold)), key=lambda i: (gold[i].end, gold[i].start))
    for p in sorted(range(len(predicted)), key=lambda i: (predicted[i].end, predicted[i].start)):
        pred = predicted[p]
        for g in gold_order:
            span = gold[g]
            if (
                not gold_hit[g]
                and span.label == pred.label
                and _overlaps(span.start, span.end, pred.start, pred.end)
            ):
                gold_hit[g] = pred_hit[p] = True
                break
    return gold_hit, pred_hit


def evaluate(corpus: Corpus, scan: Scanner) -> Score:
    score = Score()
    started = time.perf_counter()
    found = [scan(item.text) for item in corpus.texts]
    score.seconds = time.perf_counter() - started
    for item, suggestions in zip(corpus.texts, found, strict=True):
        predicted = [
            Gold(s.start, s.end, corpus.fold.get(s.label, s.label))
            for s in suggestions
            if corpus.scored is None or corpus.fold.get(s.label, s.label) in corpus.scored
        ]
        gold_hit, pred_hit = match(item.gold, predicted)
        for span, hit in zip(item.gold, gold_hit, strict=True):
            c = score.counts(span.label)
            c.tp, c.fn = c.tp + hit, c.fn + (not hit)
        for pred, hit in zip(predicted, pred_hit, strict=True):
            if hit:
                continue
            if any(_overlaps(pred.start, pred.end, a, b) for a, b in item.ignored):
                score.not_counted += 1
                continue
            score.counts(pred.label).fp += 1
            if any(_overlaps(pred.start, pred.end, a, b) for a, b in item.role_words):
                score.fp_on_role_words += 1
    return score


# -- the engines ----------------------------------------------------------------------


def ours(min_score: float) -> Scanner:
    def scan(text: str) -> list[Suggestion]:
        return scan_text(text, min_score=min_score)

    return scan


def non_overlapping(suggestions: Iterable[Suggestion]) -> list[Suggestion]:
    """The rule our engine applies: of overlapping spans keep higher score, longer, earlier."""
    ranked = sorted(suggestions, key=lambda s: (-s.score, -(s.end - s.start), s.start))
    kept: list[Suggestion] = []
    for s in ranked:
        if all(s.end <= k.start or k.end <= s.start for k in kept):
            kept.append(s)
    return sorted(kept, key=lambda s: (s.start, s.end))


class Presidio:
    """Presidio's AnalyzerEngine with pattern recognizers only and no NLP model."""

    def __init__(self, min_score: float) -> None:
        from importlib.metadata import version

        import tldextract
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import NoOpNlpEngine
        from presidio_analyzer.predefined_recognizers.generic import email_recognizer

        # The e-mail validator calls tldextract.extract, whose first use fetches the
        # public suffix list from the network; use the snapshot tldextract ships.
        offline = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
        email_recognizer.tldextract = types.SimpleNamespace(extract=offline)  # type: ignore[attr-defined]

        nlp = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "no_op"}])
        nlp.load()
        registry = RecognizerRegistry(supported_languages=["en"])
        registry.load_predefined_recognizers(nlp_engine=nlp, languages=["en"])
        self.engine = AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"])
        self.version = version("presidio-analyzer")
        self.min_score = min_score
        self.recognizers = sorted(type(r).__name__ for r in self.engine.get_recognizers("en"))

    def analyze(self, text: str) -> list[Any]:
        """The bare Presidio call: what is timed for throughput."""
        return self.engine.analyze(text=text, language="en", score_threshold=self.min_score)

    def __call__(self, text: str) -> list[Suggestion]:
        return non_overlapping(
            Suggestion(
                r.start,
                r.end,
                text[r.start : r.end],
                PRESIDIO_MAP.get(r.entity_type, "OTHER"),
                r.score,
                f"presidio:{r.entity_type}",
                (r.recognition_metadata or {}).get("recognizer_name", ""),
            )
            for r in self.analyze(text)
        )


def load_presidio(min_score: float) -> Presidio | None:
    try:
        return Presidio(min_score)
    except ImportError as e:
        print(
            f"Presidio is missing ({e}); only our figures are shown. Install it for this "
            "benchmark only: pip install -r benchmarks/requirements-pii-eval.txt"
        )
        return None


# -- the PDFs -------------------------------------------------------------------------


@dataclass
class Pdf:
    name: str
    pages: list[str]


def read_pdfs(folder: Path) -> tuple[list[Pdf], list[str]]:
    """Every PDF's page texts, and why any file was left out (encrypted, image-only)."""
    import pymupdf

    used, skipped = [], []
    for path in sorted(folder.glob("*.pdf")):
        try:
            with pymupdf.open(path) as doc:
                if doc.needs_pass:
                    skipped.append(f"{path.name}: encrypted")
                    continue
                pages = [page.get_text("text") for page in doc]
        except Exception as e:  # noqa: BLE001 - a broken file is reported, not fatal
            skipped.append(f"{path.name}: cannot be read ({e})")
            continue
        if not any(p.strip() for p in pages):
            skipped.append(f"{path.name}: image-only ({len(pages)} p, no text layer)")
            continue
        used.append(Pdf(path.name, pages))
    return used, skipped


def scan_pdfs(pdfs: Sequence[Pdf], scan: Scanner) -> list[list[list[Suggestion]]]:
    return [[scan(page) for page in pdf.pages] for pdf in pdfs]


def time_scans(
    pages: Sequence[str], scans: dict[str, Callable[[str], Any]], repeats: int
) -> dict[str, list[float]]:
    """Seconds per full pass over ``pages`` for each scanner: one warm-up, then interleaved."""
    for scan in scans.values():
        for page in pages:
            scan(page)
    seconds: dict[str, list[float]] = {name: [] for name in scans}
    for _ in range(repeats):
        for name, scan in scans.items():
            started = time.perf_counter()
            for page in pages:
                scan(page)
            seconds[name].append(time.perf_counter() - started)
    return seconds


def one_thread_per_library() -> None:
    """Keep the numeric libraries Presidio pulls in (spaCy → numpy) to one thread.

    Must run before Presidio is imported: they read these variables at import.
    """
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


def pin_to_one_cpu() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


# -- printing -------------------------------------------------------------------------


def _label_key(label: str) -> tuple[int, str]:
    return (LABEL_ORDER.index(label) if label in LABEL_ORDER else len(LABEL_ORDER), label)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _cells(c: Counts | None) -> str:
    if c is None:
        return f"{'':>5} {'':>5} {'':>5} {'':>5}"
    return f"{c.predicted:>5} {_pct(c.precision):>5} {_pct(c.recall):>5} {_pct(c.f1):>5}"


def print_table(corpus: Corpus, our: Score, theirs: Score | None) -> None:
    labels = set(our.by_label) | (set(theirs.by_label) if theirs else set())
    head = f"  {'label':<15} {'gold':>5} | ours  {'pred':>5} {'P':>5} {'R':>5} {'F1':>5}"
    if theirs:
        head += f" | Presidio {'pred':>5} {'P':>5} {'R':>5} {'F1':>5}"
    print(head)
    print("  " + "-" * (len(head) - 2))
    rows = [
        (label, our.by_label.get(label), theirs.by_label.get(label) if theirs else None)
        for label in sorted(labels, key=_label_key)
    ]
    rows.append(("all (micro)", our.micro(), theirs.micro() if theirs else None))
    for label, mine, other in rows:
        gold = (mine or other or Counts()).gold
        line = f"  {label:<15} {gold:>5} | {'':4}  {_cells(mine)}"
        if theirs:
            line += f" | {'':8} {_cells(other)}"
        print(line)
    ignored = ", ".join(f"{k} {v}" for k, v in sorted(corpus.ignored_counts.items()))
    print(f"  not scored: {ignored or 'nothing'}")
    for name, score in (("ours", our), ("Presidio", theirs)):
        if score is None:
            continue
        extra = (
            f"; false positives on role words: {score.fp_on_role_words}" if corpus.scored else ""
        )
        print(
            f"  {name}: {score.not_counted} predictions fell on ignored spans only{extra}; "
            f"scan took {score.seconds:.2f} s"
        )


#: Every suggestion on the PDFs, judged by a person: right (real personal or
#: party data of that label) or false. Keyed by file, page, label and text.
JUDGED_FILINGS = Path(__file__).with_name("filings_judged.jsonl")


@dataclass
class Judged:
    true: int = 0
    false: int = 0
    unjudged: int = 0


def judge_filings(pdfs: list[Any], found: list[list[list[Suggestion]]], source: Path) -> Judged:
    """Count our PDF suggestions the hand judgement calls right or false.

    A suggestion the file does not know (the engine changed since it was
    judged) is counted as false: the figure never flatters.
    """
    verdicts: dict[tuple[str, int, str, str], bool] = {}
    if source.exists():
        for line in source.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                verdicts[(row["file"], row["page"], row["label"], row["text"])] = row["false"]
    judged = Judged()
    for pdf, per_page in zip(pdfs, found, strict=True):
        for number, suggestions in enumerate(per_page, 1):
            for s in suggestions:
                verdict = verdicts.get((pdf.name, number, s.label, s.text))
                if verdict is None:
                    judged.unjudged += 1
                elif verdict:
                    judged.false += 1
                else:
                    judged.true += 1
    return judged


def _context(text: str, s: Suggestion, width: int = 32) -> str:
    before = text[max(0, s.start - width) : s.start]
    after = text[s.end : s.end + width]
    return " ".join(f"{before}[{s.text}]{after}".split())


def _by_label(found: Iterable[Suggestion]) -> str:
    counts = Counter(s.label for s in found)
    return (
        ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: _label_key(kv[0])))
        or "none"
    )


# -- main -----------------------------------------------------------------------------


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="3 timed passes instead of 7 (the sets are small)"
    )
    parser.add_argument(
        "--show-filings", action="store_true", help="list every suggestion on the PDFs"
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=SHARED / "data",
        help="the shared data folder (default: ../shared/data from the repository root)",
    )
    parser.add_argument(
        "--dump-filings",
        type=Path,
        metavar="FILE",
        help="write every suggestion on the PDFs as JSON Lines (to judge them by hand)",
    )
    parser.add_argument("--min-score", type=float, default=DEFAULT_MIN_SCORE)
    parser.add_argument(
        "--presidio-min-score",
        type=float,
        default=0.0,
        help="Presidio's score threshold (default 0: AnalyzerEngine's own default)",
    )
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 7
    rec = Recorder(SCRIPT)
    shown_data = os.path.relpath(args.data, PROJECT)

    print(
        f"PII evaluation ({'quick' if args.quick else 'full'}): our engine at min_score "
        f"{args.min_score}, data from {shown_data}"
    )
    one_thread_per_library()
    presidio = load_presidio(args.presidio_min_score)
    mine = ours(args.min_score)
    if presidio:
        print(
            f"Presidio {presidio.version}: {len(presidio.recognizers)} pattern recognizers, "
            f"NoOpNlpEngine (no spaCy model), score threshold {presidio.min_score}"
        )
        print("  recognizers: " + ", ".join(presidio.recognizers))
    rec.raw(
        {
            "kind": "setup",
            "min_score": args.min_score,
            "presidio": presidio.version if presidio else None,
            "presidio_min_score": args.presidio_min_score,
            "presidio_recognizers": presidio.recognizers if presidio else None,
        }
    )

    # -- 1. the labelled sets ------------------------------------------------------------
    labelled = args.data / "labeled"
    corpora = {
        "synth": load_synth(labelled / "presidio_synth_v2.public.json"),
        "sec": load_sec(labelled / "sec_credit_agreements_FIN5.spans.jsonl"),
    }
    scores: dict[str, tuple[Score, Score | None]] = {}
    for key, corpus in corpora.items():
        our = evaluate(corpus, mine)
        theirs = evaluate(corpus, presidio) if presidio else None
        scores[key] = (our, theirs)
        print(f"\n== {corpus.name}")
        print_table(corpus, our, theirs)
        for engine, score in (("ours", our), ("presidio", theirs)):
            if score is None:
                continue
            for label, c in score.by_label.items():
                rec.raw(
                    {
                        "kind": "metric",
                        "corpus": key,
                        "engine": engine,
                        "label": label,
                        "tp": c.tp,
                        "fp": c.fp,
                        "fn": c.fn,
                        "precision": c.precision,
                        "recall": c.recall,
                        "f1": c.f1,
                    }
                )

    # -- 2. the PDFs ---------------------------------------------------------------------
    pdfs, skipped = read_pdfs(args.data / "pdf")
    pages = [page for pdf in pdfs for page in pdf.pages]
    print(f"\n== real PDFs in {shown_data}/pdf: {len(pdfs)} files, {len(pages)} pages")
    for why in skipped:
        print(f"  skipped {why}")
    our_found = scan_pdfs(pdfs, mine)
    their_found = scan_pdfs(pdfs, presidio) if presidio else None
    head = f"  {'file':<42} {'pages':>5} | {'ours':>5} {'/page':>6}"
    if presidio:
        head += f" | {'Presidio':>8} {'/page':>6}"
    print(head)
    print("  " + "-" * (len(head) - 2))
    for i, pdf in enumerate(pdfs):
        n_ours, n_pages = sum(len(p) for p in our_found[i]), len(pdf.pages)
        line = f"  {pdf.name[:42]:<42} {n_pages:>5} | {n_ours:>5} {n_ours / n_pages:>6.2f}"
        row: dict[str, Any] = {"kind": "pdf", "file": pdf.name, "pages": len(pdf.pages)}
        row["ours"] = dict(Counter(s.label for p in our_found[i] for s in p))
        if their_found is not None:
            n_theirs = sum(len(p) for p in their_found[i])
            line += f" | {n_theirs:>8} {n_theirs / len(pdf.pages):>6.2f}"
            row["presidio"] = dict(Counter(s.label for p in their_found[i] for s in p))
        print(line)
        print(f"  {'':<4}ours:     {_by_label(s for p in our_found[i] for s in p)}")
        if their_found is not None:
            print(f"  {'':<4}Presidio: {_by_label(s for p in their_found[i] for s in p)}")
        rec.raw(row)
    our_total = sum(len(p) for pdf in our_found for p in pdf)
    their_total = sum(len(p) for pdf in their_found for p in pdf) if their_found else 0
    per_page = our_total / len(pages) if pages else 0.0
    their_per_page = their_total / len(pages) if pages and their_found is not None else None
    print(f"  all: ours {our_total} ({per_page:.2f}/page)", end="")
    if their_found is not None and their_per_page is not None:
        # Kept spans are resolved by score first, so filtering them afterwards is exact.
        confident = sum(s.score >= 0.5 for pdf in their_found for p in pdf for s in p)
        print(
            f", Presidio {their_total} ({their_per_page:.2f}/page; "
            f"{confident / len(pages):.2f}/page of them score ≥ 0.5)"
        )
    else:
        print()
    judged = judge_filings(pdfs, our_found, JUDGED_FILINGS)
    print(
        f"  judged by hand ({JUDGED_FILINGS.name}): {judged.false} false, {judged.true} right, "
        f"{judged.unjudged} not judged (counted false) = "
        f"{(judged.false + judged.unjudged) / len(pages):.2f} false/page"
    )
    if args.dump_filings:
        with args.dump_filings.open("w", encoding="utf-8") as out:
            for pdf, per_page_found in zip(pdfs, our_found, strict=True):
                for number, (text, suggestions) in enumerate(
                    zip(pdf.pages, per_page_found, strict=True), 1
                ):
                    for s in suggestions:
                        row = {"file": pdf.name, "page": number, "label": s.label}
                        row |= {"text": s.text, "score": s.score, "detector": s.detector}
                        row |= {"reason": s.reason, "context": _context(text, s, 80)}
                        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    if args.show_filings:
        for name, found in (("ours", our_found), ("Presidio", their_found)):
            if found is None:
                continue
            print(f"\n-- every suggestion on the PDFs: {name}")
            for pdf, per_page_found in zip(pdfs, found, strict=True):
                for number, (text, suggestions) in enumerate(
                    zip(pdf.pages, per_page_found, strict=True), 1
                ):
                    for s in suggestions:
                        print(
                            f"  {pdf.name[:30]:<30} p{number:<3} {s.label:<14} {s.score:4.2f} "
                            f"{s.detector[:24]:<24} {_context(text, s)}  ({s.reason})"
                        )

    # -- 3. throughput -------------------------------------------------------------------
    pinned = pin_to_one_cpu()
    scanners: dict[str, Callable[[str], Any]] = {"ours": mine}
    if presidio:
        scanners["presidio"] = presidio.analyze
    seconds = time_scans(pages, scanners, repeats)
    speed = {name: len(pages) / statistics.median(s) for name, s in seconds.items()}
    print(f"\n== throughput on {len(pages)} pages ({pinned}; 1 warm-up + {repeats} passes, median)")
    for name, runs in seconds.items():
        print(
            f"  {name:<9} {speed[name]:>8.1f} pages/s   passes: "
            + " ".join(f"{s:.3f}" for s in runs)
            + " s"
        )
        rec.raw({"kind": "throughput", "engine": name, "pages": len(pages), "seconds": runs})

    # -- 4. targets ----------------------------------------------------------------------
    print("\n== targets")
    synth_ours, synth_theirs = scores["synth"]
    for label in STRUCTURED:
        c = synth_ours.counts(label)
        other = synth_theirs.counts(label) if synth_theirs else None
        if not c.gold:  # nothing to find: F1 says nothing (cannot happen on the full set)
            print(f"  {label}: no gold span in the synthetic set, not judged")
            continue
        f1, their_f1 = c.f1 or 0.0, (other.f1 or 0.0) if other else None
        rec.figure(
            f"{label} F1, synthetic",
            100 * f1,
            None if their_f1 is None else 100 * their_f1,
            "%",
            "≥ Presidio's",
            None if their_f1 is None else f1 >= their_f1,
            baseline_label="Presidio",
        )
        precision = c.precision
        rec.figure(
            f"{label} precision, synthetic" + (" (none found)" if precision is None else ""),
            100 * (precision or 0.0),
            None if other is None or other.precision is None else 100 * other.precision,
            "%",
            f"≥ {100 * TARGET_PRECISION:.0f} %",
            precision is not None and precision >= TARGET_PRECISION,
            baseline_label="Presidio",
        )
    sec_ours, sec_theirs = scores["sec"]
    person_f1 = sec_ours.counts("PERSON").f1 or 0.0
    rec.figure(
        "PERSON F1, SEC agreements",
        100 * person_f1,
        None if sec_theirs is None else 100 * (sec_theirs.counts("PERSON").f1 or 0.0),
        "%",
        f"≥ {100 * TARGET_PERSON_F1_SEC:.0f} %",
        person_f1 >= TARGET_PERSON_F1_SEC,
        baseline_label="Presidio",
    )
    rec.figure(
        "PDF suggestions/page (all, right or not)",
        per_page,
        their_per_page,
        "/page",
        "",
        None,
        baseline_label="Presidio",
    )
    false_per_page = (judged.false + judged.unjudged) / len(pages)
    rec.figure(
        "PDF false suggestions/page (judged)",
        false_per_page,
        None,
        "/page",
        f"≤ {TARGET_FALSE_PER_PAGE:.0f} false/page",
        false_per_page <= TARGET_FALSE_PER_PAGE,
    )
    if presidio:
        ratio = speed["ours"] / speed["presidio"]
        rec.figure(
            "scan throughput, PDF pages",
            speed["ours"],
            speed["presidio"],
            "pages/s",
            f"ours/Presidio ≥ {TARGET_SPEED_RATIO:.0f}",
            ratio >= TARGET_SPEED_RATIO,
            baseline_label="Presidio",
        )
    else:
        rec.figure("scan throughput, PDF pages", speed["ours"], None, "pages/s", "ratio ≥ 3", None)
        print("  (Presidio missing: the Presidio comparisons are not judged)")
    print(f"\nrows recorded in {os.path.relpath(rec.path, PROJECT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
