"""Judgements of AI output: a compare item's choice and ratings, a review item's verdict.

The written reasoning is what a model learns from, so a compare judgement
is only complete when its rationale cites evidence: references such as
``[A1]`` in the text, each tied to a highlighted passage (an annotation) in
draft A. Drafts are shown in an order shuffled per reviewer (seeded by the
item and the annotator, so reopening the item shows the same order) and
the order is stored with the judgement, so a lead can measure how often
the first-shown draft wins.

One judgement per item and annotator, saved as the reviewer works; the
rules for "complete" live here (:func:`problems`), the window only shows
them. Judgements are plain frozen data: every change returns a new one and
:func:`save` stores it with an event, like annotations.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from reviewer.core.annotations import for_item, new_id
from reviewer.core.errors import ReviewerError
from reviewer.core.model import Annotation, Item
from reviewer.core.store import now

if TYPE_CHECKING:
    from reviewer.core.store import Workspace
    from reviewer.core.taxonomy import Taxonomy

#: An overall verdict on a review item, with the words the window shows.
VERDICTS = {
    "acceptable": "Acceptable",
    "needs_revision": "Needs revision",
    "unacceptable": "Unacceptable",
}
SCALE = (1, 7)
LETTERS = "ABC"
#: A reference to a cited passage in a rationale: draft letter and number.
REFERENCE = re.compile(r"\[([ABC])(\d{1,3})\]")


class JudgementError(ReviewerError):
    """A judgement change that cannot be made (unknown draft, rating off the scale)."""


@dataclass(frozen=True)
class Criterion:
    """One thing each draft is rated on (1-7)."""

    id: str
    name: str
    description: str = ""


DEFAULT_CRITERIA = (
    Criterion("accuracy", "Accuracy", "Facts and law stated correctly"),
    Criterion("jurisdiction", "Jurisdictional fit", "The right law, court and rules"),
    Criterion("procedure", "Procedure", "Posture, standards and deadlines right"),
    Criterion("tone", "Tone/register", "Fit for the audience and the court"),
    Criterion("citations", "Citations", "Authorities real, accurate and on point"),
)


@dataclass(frozen=True)
class Evidence:
    """A passage cited by the rationale: ``[A1]`` → annotation in draft A."""

    ref: str
    annotation: str
    document: str
    page: int
    quote: str
    label: str = ""


@dataclass(frozen=True)
class Judgement:
    """What one annotator decided about one item (a draft until the item is done)."""

    id: str
    item: str
    author: str
    kind: str  # "compare" or "review"
    #: Compare: the item's documents in the order this reviewer was shown them.
    order: tuple[str, ...] = ()
    choice: str | None = None
    #: Compare, optional: every draft from best to worst (its first is ``choice``).
    ranking: tuple[str, ...] = ()
    #: Compare: document → criterion id → rating on ``SCALE``.
    ratings: dict[str, dict[str, int]] = field(default_factory=dict)
    rationale: str = ""
    evidence: tuple[Evidence, ...] = ()
    #: Review: one of ``VERDICTS`` and a summary.
    verdict: str | None = None
    summary: str = ""
    created_at: str = ""
    updated_at: str = ""

    def letter(self, document: str) -> str:
        """The letter a draft was shown under ("A" for the first shown)."""
        return LETTERS[self.order.index(document)]

    def document_of(self, letter: str) -> str:
        return self.order[LETTERS.index(letter)]


# -- the item's setup ----------------------------------------------------------------


def criteria_for(item: Item) -> tuple[Criterion, ...]:
    """The batch's criteria for an item (``data.criteria``), else the defaults.

    Each entry is a name (``"Persuasiveness"``) or ``{"id", "name",
    "description"}``; a lead writes them in the batch's items file.
    """
    given = item.data.get("criteria") if isinstance(item.data, dict) else None
    if not isinstance(given, list) or not given:
        return DEFAULT_CRITERIA
    found: list[Criterion] = []
    for entry in given:
        if isinstance(entry, str) and entry.strip():
            name = entry.strip()
            found.append(Criterion(_slug(name), name))
        elif isinstance(entry, dict) and isinstance(entry.get("name"), str):
            name = entry["name"].strip()
            ident = entry.get("id") if isinstance(entry.get("id"), str) else _slug(name)
            text = entry.get("description")
            found.append(Criterion(ident, name, text if isinstance(text, str) else ""))
    ids = [c.id for c in found]
    if not found or len(set(ids)) != len(ids):
        return DEFAULT_CRITERIA
    return tuple(found)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "criterion"


def shown_order(item: Item, annotator: str) -> tuple[str, ...]:
    """The drafts in the order this annotator sees them: shuffled, the same every time.

    Seeded by item and annotator (not by the clock), so two annotators see
    different orders and reopening an item never reshuffles it.
    """
    seed = hashlib.sha256(f"{item.id}\n{annotator}".encode()).digest()
    order = list(item.documents)
    random.Random(seed).shuffle(order)
    return tuple(order)


# -- changes (pure) ------------------------------------------------------------------


def choose(j: Judgement, document: str | None) -> Judgement:
    """Pick the best draft; a ranking that disagrees is dropped."""
    if document is not None and document not in j.order:
        raise JudgementError("that document is not one of this item's drafts")
    ranking = j.ranking if j.ranking and j.ranking[0] == document else ()
    return replace(j, choice=document, ranking=ranking)


def rank(j: Judgement, ranking: Sequence[str]) -> Judgement:
    """Rank every draft, best first; the best becomes the choice."""
    if sorted(ranking) != sorted(j.order):
        raise JudgementError("a ranking lists every draft exactly once")
    return replace(j, ranking=tuple(ranking), choice=ranking[0])


def rate(j: Judgement, document: str, criterion: str, value: int | None) -> Judgement:
    """Rate a draft on one criterion (``None`` clears the rating)."""
    if document not in j.order:
        raise JudgementError("that document is not one of this item's drafts")
    ratings = {d: dict(r) for d, r in j.ratings.items()}
    row = ratings.setdefault(document, {})
    if value is None:
        row.pop(criterion, None)
    elif not SCALE[0] <= int(value) <= SCALE[1]:
        raise JudgementError(f"ratings go from {SCALE[0]} to {SCALE[1]}, not {value}")
    else:
        row[criterion] = int(value)
    return replace(j, ratings={d: r for d, r in ratings.items() if r})


def cite(j: Judgement, annotation: Annotation) -> tuple[Judgement, str]:
    """Link a highlighted passage; returns the judgement and the reference to insert.

    Citing the same passage again gives back its existing reference.
    """
    if annotation.document not in j.order:
        raise JudgementError("only passages in this item's drafts can be cited")
    for e in j.evidence:
        if e.annotation == annotation.id:
            return j, e.ref
    letter = j.letter(annotation.document)
    taken = {int(e.ref[1:]) for e in j.evidence if e.ref[0] == letter}
    number = 1
    while number in taken:
        number += 1
    ref = f"{letter}{number}"
    quote = annotation.selector.exact
    found = Evidence(
        ref=ref,
        annotation=annotation.id,
        document=annotation.document,
        page=annotation.selector.page,
        quote=quote,
        label=annotation.label,
    )
    return replace(j, evidence=(*j.evidence, found)), ref


def write_rationale(j: Judgement, text: str) -> Judgement:
    """Set the rationale; evidence whose reference was deleted from the text is dropped."""
    used = {f"{m.group(1)}{m.group(2)}" for m in REFERENCE.finditer(text)}
    return replace(j, rationale=text, evidence=tuple(e for e in j.evidence if e.ref in used))


def give_verdict(j: Judgement, verdict: str | None, summary: str | None = None) -> Judgement:
    if verdict is not None and verdict not in VERDICTS:
        raise JudgementError(f"unknown verdict {verdict!r}")
    return replace(j, verdict=verdict, summary=j.summary if summary is None else summary)


def is_empty(j: Judgement) -> bool:
    """Nothing decided yet (the item was only opened): such a judgement is not submitted."""
    return not (j.choice or j.ranking or j.ratings or j.rationale.strip() or j.evidence) and not (
        j.verdict or j.summary.strip()
    )


# -- what "complete" means -----------------------------------------------------------


def problems(
    j: Judgement | None,
    item: Item,
    *,
    live_annotations: Iterable[str] | None = None,
) -> list[str]:
    """What still keeps the item from being done, in words the reviewer acts on.

    ``live_annotations`` (ids of annotations not deleted), when given, makes
    a reference to a deleted passage a problem.
    """
    if item.task == "review":
        if j is None or j.verdict is None:
            return ["choose an overall verdict"]
        if not j.summary.strip():
            return ["write a summary of the verdict"]
        return []
    if item.task != "compare":
        return []
    if j is None:
        return ["pick the best draft", "rate the drafts", "write a rationale"]
    found: list[str] = []
    if j.choice is None:
        found.append("pick the best draft (or rank them all)")
    for criterion in criteria_for(item):
        missing = [j.letter(d) for d in j.order if criterion.id not in j.ratings.get(d, {})]
        if missing:
            plural = "s" if len(missing) > 1 else ""
            found.append(f"rate {criterion.name} for draft{plural} {', '.join(missing)}")
    if not j.rationale.strip():
        found.append("write a rationale")
    if not j.evidence:
        found.append("cite at least one highlighted passage in the rationale")
    known = {e.ref for e in j.evidence}
    for m in REFERENCE.finditer(j.rationale):
        ref = f"{m.group(1)}{m.group(2)}"
        if ref not in known:
            found.append(f"[{ref}] in the rationale refers to no passage")
    if live_annotations is not None:
        live = set(live_annotations)
        for e in j.evidence:
            if e.annotation not in live:
                found.append(f"the passage cited as [{e.ref}] was deleted")
    return found


def done_problems(
    ws: Workspace, item: Item, author: str, taxonomies: dict[str, Taxonomy]
) -> list[str]:
    """Everything that keeps ``item`` from being marked done by ``author``.

    The judgement's own problems, and accepted annotations of the item whose
    label requires a comment that is still empty (the taxonomy says so: the
    written reasoning is the point of the work).
    """
    rows = [a for a in for_item(ws, item.id) if a.state == "accepted"]
    found = problems(get(ws, item.id, author), item, live_annotations=[a.id for a in rows])
    missing = 0
    for a in rows:
        taxonomy = taxonomies.get(a.taxonomy)
        try:
            required = taxonomy is not None and taxonomy.label(a.label).comment_required
        except KeyError:
            required = False
        missing += bool(required and not a.comment.strip())
    if missing:
        found.append(
            f"explain {missing} annotation{'s' if missing > 1 else ''} (the label needs a comment)"
        )
    return found


# -- the store -----------------------------------------------------------------------

_COLUMNS = "id, item, author, kind, data, created_at, updated_at"
_DATA_FIELDS = (
    "order",
    "choice",
    "ranking",
    "ratings",
    "rationale",
    "evidence",
    "verdict",
    "summary",
)


def _data(j: Judgement) -> dict[str, Any]:
    whole = asdict(j)
    return {k: whole[k] for k in _DATA_FIELDS}


def _from_row(row: tuple[Any, ...]) -> Judgement:
    data = json.loads(row[4])
    return Judgement(
        id=row[0],
        item=row[1],
        author=row[2],
        kind=row[3],
        order=tuple(data.get("order", ())),
        choice=data.get("choice"),
        ranking=tuple(data.get("ranking", ())),
        ratings={d: dict(r) for d, r in data.get("ratings", {}).items()},
        rationale=data.get("rationale", ""),
        evidence=tuple(Evidence(**e) for e in data.get("evidence", ())),
        verdict=data.get("verdict"),
        summary=data.get("summary", ""),
        created_at=row[5],
        updated_at=row[6],
    )


def get(ws: Workspace, item_id: str, author: str) -> Judgement | None:
    row = ws.db.execute(
        f"SELECT {_COLUMNS} FROM judgement WHERE item = ? AND author = ?", [item_id, author]
    ).fetchone()
    return None if row is None else _from_row(row)


def for_batch(ws: Workspace, batch_id: str) -> list[Judgement]:
    """Every judgement on a batch's items, in queue order."""
    columns = ", ".join("j." + c.strip() for c in _COLUMNS.split(","))
    rows = ws.db.execute(
        f"SELECT {columns} FROM judgement j JOIN item i ON i.id = j.item "
        "WHERE i.batch = ? ORDER BY i.position, j.author",
        [batch_id],
    ).fetchall()
    return [_from_row(r) for r in rows]


def start(ws: Workspace, item: Item, author: str) -> Judgement:
    """The annotator's judgement of ``item``, made (with its shuffled order) on first use."""
    if item.task not in ("compare", "review"):
        raise JudgementError(f"a {item.task} item takes no judgement")
    with ws.transaction():
        found = get(ws, item.id, author)
        if found is not None:
            return found
        stamp = now()
        made = Judgement(
            id=new_id(),
            item=item.id,
            author=author,
            kind=item.task,
            order=shown_order(item, author) if item.task == "compare" else (),
            created_at=stamp,
            updated_at=stamp,
        )
        data = _data(made)
        ws.db.execute(
            f"INSERT INTO judgement ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [made.id, made.item, author, made.kind, _dumps(data), stamp, stamp],
        )
        ws.log_event("judgement.created", "judgement", made.id, after={"item": item.id, **data})
    return made


def save(ws: Workspace, j: Judgement) -> Judgement:
    """Store a changed judgement; the event holds only the fields that changed."""
    with ws.transaction():
        row = ws.db.execute(f"SELECT {_COLUMNS} FROM judgement WHERE id = ?", [j.id]).fetchone()
        if row is None:
            raise JudgementError(f"no judgement {j.id}")
        stored = _from_row(row)
        if stored.order != j.order or stored.item != j.item or stored.author != j.author:
            raise JudgementError("the shown order, item and author of a judgement never change")
        old, new = _data(stored), _data(j)
        changed = [k for k in _DATA_FIELDS if old[k] != new[k]]
        if not changed:
            return stored
        stamp = now()
        ws.db.execute(
            "UPDATE judgement SET data = ?, updated_at = ? WHERE id = ?",
            [_dumps(new), stamp, j.id],
        )
        ws.log_event(
            "judgement.updated",
            "judgement",
            j.id,
            before={k: old[k] for k in changed},
            after={k: new[k] for k in changed},
            at=stamp,
        )
    return replace(j, created_at=stored.created_at, updated_at=stamp)


def adopt(ws: Workspace, old_author: str, new_author: str) -> int:
    """Judgements made before the identity existed become the new identity's.

    Work done under the computer's user name before the annotator set up
    their identity is theirs: without this, the submission (signed as the
    identity) would leave it out and the window would show it as undone.
    An item the identity has already judged keeps that judgement.
    """
    if old_author == new_author:
        return 0
    with ws.transaction():
        rows = ws.db.execute(
            "SELECT id FROM judgement WHERE author = ? AND item NOT IN "
            "(SELECT item FROM judgement WHERE author = ?)",
            [old_author, new_author],
        ).fetchall()
        stamp = now()
        for (judgement_id,) in rows:
            ws.db.execute(
                "UPDATE judgement SET author = ?, updated_at = ? WHERE id = ?",
                [new_author, stamp, judgement_id],
            )
            ws.log_event(
                "judgement.adopted",
                "judgement",
                judgement_id,
                before={"author": old_author},
                after={"author": new_author},
                at=stamp,
            )
    return len(rows)


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# -- what travels in a bundle --------------------------------------------------------


def record(j: Judgement, item: Item, seconds: float) -> dict[str, Any]:
    """One line of ``judgements.jsonl`` (docs/formats.md): self-contained for a lead.

    Drafts are named by SHA-256; ``shown_order`` and ``drafts`` (letter →
    document) let a lead resolve ``[A1]`` references and measure position bias.
    """
    out: dict[str, Any] = {
        "id": j.id,
        "item": item.local_id,
        "task": j.kind,
        "annotator": j.author,
        "created": j.created_at,
        "updated": j.updated_at,
        "active_seconds": round(seconds, 1),
    }
    if j.kind == "review":
        out["documents"] = list(item.documents)
        out["verdict"] = j.verdict
        out["summary"] = j.summary
        return out
    out["shown_order"] = list(j.order)
    out["drafts"] = {LETTERS[i]: d for i, d in enumerate(j.order)}
    out["choice"] = j.choice
    out["ranking"] = list(j.ranking)
    out["criteria"] = [c.id for c in criteria_for(item)]
    out["ratings"] = {d: dict(sorted(r.items())) for d, r in sorted(j.ratings.items())}
    out["rationale"] = j.rationale
    out["evidence"] = [
        {
            "ref": e.ref,
            "annotation": e.annotation,
            "document": e.document,
            "page": e.page + 1,
            "quote": e.quote,
            "label": e.label,
        }
        for e in j.evidence
    ]
    return out
