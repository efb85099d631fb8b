"""Label taxonomies: the shipped files, and how a broken file is explained.

Everything runs against the real files in resources/taxonomies and real
files written to a temporary folder; nothing is mocked. Error messages are
checked word for word where a person will read them, because a taxonomy is
edited by reviewers, not programmers.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from reviewer.core.errors import ReviewerError
from reviewer.core.resources import read_text
from reviewer.core.samples.truth import PII_LABELS
from reviewer.core.taxonomy import (
    BUILTIN_FILES,
    SCHEMA_FILE,
    Label,
    Taxonomy,
    TaxonomyError,
    builtin_taxonomies,
    builtin_taxonomy,
    load_taxonomy,
    to_json,
)

# Read by export and redaction tools outside the app: never rename one.
PII_IDS = {
    "PERSON", "ORG", "ADDRESS", "LOCATION", "PHONE", "EMAIL", "SSN", "TAX_ID",
    "CREDIT_CARD", "BANK_ACCOUNT", "ROUTING_NUMBER", "IBAN", "DATE_OF_BIRTH", "DATE",
    "DRIVER_LICENSE", "PASSPORT", "IP_ADDRESS", "URL", "MEDICAL", "SIGNATURE", "AGE",
    "CONFIDENTIAL", "OTHER",
}  # fmt: skip
SEVERITY_IDS = ("minor", "major", "critical")


def shipped(name: str) -> dict[str, Any]:
    """A fresh, editable copy of a shipped taxonomy file."""
    return json.loads(read_text("taxonomies", name))


def write(folder: Path, name: str, data: Any) -> Path:
    path = folder / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def rejection(source: Any, **kwargs: str) -> TaxonomyError:
    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(source, **kwargs)
    return caught.value


def label_entry(data: dict[str, Any], label_id: str) -> dict[str, Any]:
    return next(label for label in data["labels"] if label["id"] == label_id)


def lab(colour: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour written #rrggbb."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def colour_distance(a: str, b: str) -> float:
    """CIE76 ΔE: about 2.3 is just noticeable; 25+ reads as a different colour."""
    return float(sum((p - q) ** 2 for p, q in zip(lab(a), lab(b), strict=True)) ** 0.5)


# ------------------------------------------------------------------ the schema


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = json.loads(read_text("taxonomies", SCHEMA_FILE))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_object_in_the_schema_forbids_extra_properties() -> None:
    schema = json.loads(read_text("taxonomies", SCHEMA_FILE))
    objects = [schema, *(d for d in schema["$defs"].values() if d.get("type") == "object")]
    assert len(objects) == 4  # taxonomy, entry (subtype/severity), label, field
    for definition in objects:
        assert definition["additionalProperties"] is False


@pytest.mark.parametrize("name", BUILTIN_FILES)
def test_shipped_files_pass_the_schema_on_their_own(name: str) -> None:
    """Outside tools validate with the schema alone; the files must pass there too."""
    schema = json.loads(read_text("taxonomies", SCHEMA_FILE))
    jsonschema.Draft202012Validator(schema).validate(shipped(name))


# ---------------------------------------------------------- the shipped files


def test_builtin_taxonomies_load_in_order() -> None:
    taxonomies = builtin_taxonomies()
    assert list(taxonomies) == ["pii", "legal-errors", "financial-errors", "ocr"]
    for taxonomy_id, taxonomy in taxonomies.items():
        assert isinstance(taxonomy, Taxonomy)
        assert taxonomy.id == taxonomy_id
        assert taxonomy.version >= 1
        assert builtin_taxonomy(taxonomy_id) == taxonomy


def test_builtin_taxonomies_hands_out_copies() -> None:
    builtin_taxonomies().clear()
    assert len(builtin_taxonomies()) == 4


def test_unknown_builtin_taxonomy_names_the_ones_that_exist() -> None:
    with pytest.raises(KeyError, match='no built-in taxonomy "gdpr"') as caught:
        builtin_taxonomy("gdpr")
    assert "pii, legal-errors, financial-errors" in str(caught.value)


def test_pii_has_exactly_the_agreed_label_ids() -> None:
    pii = builtin_taxonomy("pii")
    ids = [label.id for label in pii.labels]
    assert len(ids) == 23
    assert set(ids) == PII_IDS
    # The sample generator writes ground truth with these ids: they must agree.
    assert set(ids) == set(PII_LABELS)


def test_pii_requires_a_comment_only_for_other_and_confidential() -> None:
    pii = builtin_taxonomy("pii")
    assert {label.id for label in pii.labels if label.comment_required} == {
        "OTHER",
        "CONFIDENTIAL",
    }
    assert not pii.has_severity
    assert pii.severities == ()


@pytest.mark.parametrize("taxonomy_id", ["pii", "legal-errors", "financial-errors", "ocr"])
def test_shortcuts_are_single_unique_keys(taxonomy_id: str) -> None:
    taxonomy = builtin_taxonomy(taxonomy_id)
    keys = [label.shortcut for label in taxonomy.labels]
    for key in keys:
        assert len(key) == 1
        assert key.isascii()
        assert key.isalnum()
    assert len({key.casefold() for key in keys}) == len(keys)
    for label in taxonomy.labels:
        assert taxonomy.by_shortcut(label.shortcut.lower()) is label
        assert taxonomy.by_shortcut(label.shortcut.upper()) is label


@pytest.mark.parametrize("taxonomy_id", ["pii", "legal-errors", "financial-errors", "ocr"])
def test_colours_are_distinct_and_show_on_white(taxonomy_id: str) -> None:
    """Overlays are translucent on white pages: each colour must stand out, from
    white and from every other label, most of all from its neighbour in the list."""
    colours = [label.colour for label in builtin_taxonomy(taxonomy_id).labels]
    assert len({c.lower() for c in colours}) == len(colours)
    for colour in colours:
        lightness = lab(colour)[0]
        assert 30 <= lightness <= 75, colour
    for a, b in itertools.combinations(colours, 2):
        assert colour_distance(a, b) >= 25, (a, b)
    for a, b in itertools.pairwise(colours):
        assert colour_distance(a, b) >= 40, (a, b)


@pytest.mark.parametrize("taxonomy_id", ["pii", "legal-errors", "financial-errors", "ocr"])
def test_every_label_carries_real_guidance(taxonomy_id: str) -> None:
    for label in builtin_taxonomy(taxonomy_id).labels:
        assert len(label.description) >= 80, label.id
        assert label.description.rstrip().endswith("."), label.id
        assert label.name.strip() == label.name, label.id


def test_legal_errors() -> None:
    legal = builtin_taxonomy("legal-errors")
    assert [label.id for label in legal.labels] == [
        "factual",
        "jurisdictional",
        "procedural",
        "tone",
        "citation",
    ]
    assert legal.label("tone").name == "Tone / register"
    subtypes = {subtype.id for subtype in legal.label("citation").subtypes}
    assert {
        "fabricated_authority",
        "wrong_pin_cite",
        "misstated_holding",
        "wrong_court",
        "superseded_law",
    } <= subtypes
    assert legal.label("citation").subtype("wrong_court").name == "Wrong court"
    assert "Mata v. Avianca" in legal.label("citation").description
    assert tuple(severity.id for severity in legal.severities) == SEVERITY_IDS
    assert legal.has_severity
    assert all(label.comment_required for label in legal.labels)


def test_financial_errors() -> None:
    financial = builtin_taxonomy("financial-errors")
    assert [label.id for label in financial.labels] == [
        "numeric",
        "period",
        "missing_disclosure",
        "compliance",
        "misclassified",
    ]
    assert tuple(severity.id for severity in financial.severities) == SEVERITY_IDS
    assert all(label.comment_required for label in financial.labels)
    assert financial.severity("critical").name == "Critical"


# -------------------------------------------------------------------- lookups


def test_by_shortcut_ignores_case_and_returns_none_for_a_free_key() -> None:
    legal = builtin_taxonomy("legal-errors")
    assert legal.by_shortcut("f") is legal.by_shortcut("F") is legal.label("factual")
    assert legal.by_shortcut("c") is legal.label("citation")
    assert legal.by_shortcut("x") is None
    assert legal.by_shortcut("") is None
    pii = builtin_taxonomy("pii")
    assert pii.by_shortcut("e") is pii.label("EMAIL")


def test_unknown_label_severity_or_subtype_is_a_clear_key_error() -> None:
    legal = builtin_taxonomy("legal-errors")
    with pytest.raises(KeyError, match='taxonomy "legal-errors" has no label "typo"') as caught:
        legal.label("typo")
    assert "factual, jurisdictional, procedural, tone, citation" in str(caught.value)
    with pytest.raises(KeyError, match='has no severity "fatal"'):
        legal.severity("fatal")
    with pytest.raises(KeyError, match=r'label "factual" has no subtype "x" .*none'):
        legal.label("factual").subtype("x")


def test_taxonomies_are_immutable_and_hashable() -> None:
    pii = builtin_taxonomy("pii")
    with pytest.raises(dataclasses.FrozenInstanceError):
        pii.name = "renamed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        pii.labels[0].colour = "#000000"  # type: ignore[misc]
    assert len({pii, builtin_taxonomy("pii"), builtin_taxonomy("legal-errors")}) == 2


# ------------------------------------------------------------------ to_json


@pytest.mark.parametrize("taxonomy_id", ["pii", "legal-errors", "financial-errors", "ocr"])
def test_to_json_round_trips(taxonomy_id: str, tmp_path: Path) -> None:
    taxonomy = builtin_taxonomy(taxonomy_id)
    data = to_json(taxonomy)
    assert load_taxonomy(data) == taxonomy
    # ...and through a real file, as a user exporting and re-importing would.
    assert load_taxonomy(write(tmp_path, "copy.json", data)) == taxonomy
    shipped_data = shipped(f"{taxonomy_id}.json")
    shipped_data.pop("$schema")
    assert data == shipped_data


def test_to_json_round_trips_fields_and_leaves_out_empty_parts() -> None:
    data = {
        "id": "contract-review",
        "name": "Contract review",
        "version": 3,
        "description": "Clauses to look at again.",
        "labels": [
            {
                "id": "risk",
                "name": "Risk",
                "colour": "#AA3377",
                "shortcut": "r",
                "description": "A clause that shifts risk onto the client.",
                "comment_required": False,
            }
        ],
        "fields": [
            {
                "id": "owner",
                "name": "Owner",
                "description": "Who follows this up.",
                "type": "choice",
                "required": True,
                "choices": ["Legal", "Finance"],
            },
            {
                "id": "due",
                "name": "Due",
                "description": "When it must be settled.",
                "type": "date",
                "required": False,
            },
        ],
    }
    taxonomy = load_taxonomy(data)
    assert taxonomy.fields[0].choices == ("Legal", "Finance")
    assert taxonomy.fields[1].choices == ()
    assert taxonomy.by_shortcut("R") is taxonomy.label("risk")
    assert not taxonomy.has_severity
    assert to_json(taxonomy) == data
    assert load_taxonomy(to_json(taxonomy)) == taxonomy


# ------------------------------------------------- rules a schema cannot state


def test_duplicate_shortcut_names_both_labels_and_the_key(tmp_path: Path) -> None:
    data = shipped("legal-errors.json")
    label_entry(data, "citation")["shortcut"] = "F"
    error = rejection(write(tmp_path, "legal-errors.json", data))
    assert (
        str(error) == 'legal-errors.json: labels "factual" and "citation" both use the shortcut "F"'
    )
    assert isinstance(error, ReviewerError)
    assert error.origin == "legal-errors.json"


def test_duplicate_shortcut_ignores_case(tmp_path: Path) -> None:
    data = shipped("legal-errors.json")
    label_entry(data, "tone")["shortcut"] = "p"
    assert str(rejection(write(tmp_path, "mine.json", data))) == (
        'mine.json: labels "procedural" and "tone" both use the shortcut "P" '
        '("P" and "p": case is ignored)'
    )


def test_duplicate_label_ids_are_rejected(tmp_path: Path) -> None:
    data = shipped("pii.json")
    data["labels"][4]["id"] = "PERSON"
    assert str(rejection(write(tmp_path, "pii.json", data))) == (
        'pii.json: label "PERSON" appears twice (labels 1 and 5); label ids must be unique'
    )


def test_duplicate_subtype_and_severity_ids_are_rejected() -> None:
    data = shipped("legal-errors.json")
    label_entry(data, "citation")["subtypes"][3]["id"] = "wrong_pin_cite"
    data["severities"][2]["id"] = "major"
    assert rejection(data, origin="legal-errors.json").problems == (
        'label "citation" has the subtype "wrong_pin_cite" twice (subtypes 2 and 4)',
        'severity "major" appears twice (severities 2 and 3)',
    )


# --------------------------------------------------- schema errors, in words


def test_missing_field_names_the_label_and_the_field(tmp_path: Path) -> None:
    data = shipped("legal-errors.json")
    del label_entry(data, "citation")["colour"]
    error = rejection(write(tmp_path, "mine.json", data))
    assert str(error) == 'mine.json: label "citation" is missing the field "colour"'


def test_several_missing_fields_are_told_at_once() -> None:
    data = shipped("legal-errors.json")
    del data["labels"][1]["colour"]
    del data["labels"][1]["shortcut"]
    assert rejection(data, origin="x.json").problems == (
        'label "jurisdictional" is missing the fields "colour" and "shortcut"',
    )


def test_a_label_without_an_id_is_named_by_its_position() -> None:
    data = shipped("financial-errors.json")
    del data["labels"][1]["id"]
    assert str(rejection(data)) == 'taxonomy: the label at position 2 is missing the field "id"'


def test_missing_field_of_a_subtype_names_subtype_and_label() -> None:
    data = shipped("legal-errors.json")
    del label_entry(data, "citation")["subtypes"][3]["description"]
    assert rejection(data).problems == (
        'subtype "wrong_court" of label "citation" is missing the field "description"',
    )


def test_bad_colour_is_rejected() -> None:
    data = shipped("legal-errors.json")
    label_entry(data, "tone")["colour"] = "purple"
    assert rejection(data, origin="legal-errors.json").problems == (
        'label "tone": the field "colour" must be a colour written #rrggbb, such as "#1f77b4", '
        'not "purple"',
    )
    label_entry(data, "tone")["colour"] = "#12345"
    assert 'not "#12345"' in str(rejection(data))


@pytest.mark.parametrize("key", ["Ctrl+F", "FF", "", "?", " ", "é"])
def test_shortcut_must_be_one_letter_or_digit(key: str) -> None:
    data = shipped("legal-errors.json")
    label_entry(data, "factual")["shortcut"] = key
    assert rejection(data).problems == (
        'label "factual": the field "shortcut" must be a single letter or digit '
        f'(it is pressed without modifiers), not "{key}"',
    )


def test_extra_property_is_rejected_with_a_suggestion() -> None:
    data = shipped("legal-errors.json")
    factual = label_entry(data, "factual")
    factual["color"] = factual.pop("colour")
    assert rejection(data, origin="mine.json").problems == (
        'label "factual" has an unknown field "color" (did you mean "colour"?)',
        'label "factual" is missing the field "colour"',
    )


def test_extra_top_level_property_lists_what_is_allowed() -> None:
    data = shipped("pii.json")
    data["author"] = "me"
    (problem,) = rejection(data).problems
    assert problem.startswith('the taxonomy has an unknown field "author" (allowed: $schema, id,')


def test_empty_labels_list_is_rejected(tmp_path: Path) -> None:
    data = shipped("financial-errors.json")
    data["labels"] = []
    assert str(rejection(write(tmp_path, "empty.json", data))) == (
        'empty.json: the field "labels" is empty; a taxonomy needs at least one label'
    )


def test_empty_optional_lists_must_be_left_out() -> None:
    data = shipped("legal-errors.json")
    data["severities"] = []
    label_entry(data, "citation")["subtypes"] = []
    assert rejection(data).problems == (
        'label "citation": the field "subtypes" is an empty list; leave the field out instead',
        'the field "severities" is an empty list; leave the field out instead',
    )


def test_wrong_types_are_named_in_words() -> None:
    data = shipped("legal-errors.json")
    data["version"] = "1"
    label_entry(data, "procedural")["comment_required"] = "yes"
    data["severities"][0] = "minor"
    assert rejection(data).problems == (
        'the field "version" must be a whole number, not "1"',
        'label "procedural": the field "comment_required" must be true or false, not "yes"',
        'the severity at position 1 must be an object, not "minor"',
    )


def test_version_must_be_a_positive_whole_number() -> None:
    data = shipped("pii.json")
    data["version"] = 0
    assert rejection(data).problems == ('the field "version" must be 1 or more, not 0',)
    data["version"] = True
    assert rejection(data).problems == ('the field "version" must be a whole number, not true',)


def test_ids_must_have_the_documented_form() -> None:
    data = shipped("legal-errors.json")
    data["id"] = "Legal Errors"
    label_entry(data, "tone")["id"] = "tone of voice"
    assert rejection(data).problems == (
        'the field "id" must be lower-case letters and digits joined by single hyphens, '
        'such as "legal-errors", not "Legal Errors"',
        'label "tone of voice": the field "id" must start with a letter and hold only '
        'letters, digits and underscores, such as "wrong_court", not "tone of voice"',
    )


def test_blank_name_is_rejected() -> None:
    data = shipped("pii.json")
    label_entry(data, "AGE")["name"] = "   "
    assert rejection(data).problems == ('label "AGE": the field "name" must not be blank',)


def test_choice_fields_need_choices_and_others_must_not_have_them() -> None:
    base = to_json(builtin_taxonomy("financial-errors"))
    entry = {"name": "Amount", "description": "The corrected amount.", "required": False}
    data = {
        **base,
        "fields": [
            {"id": "expected", **entry, "type": "choice"},
            {"id": "amount", **entry, "type": "number", "choices": ["1"]},
            {"id": "unit", **entry, "type": "currency"},
        ],
    }
    assert rejection(data).problems == (
        'annotation field "expected" is missing the field "choices"',
        'annotation field "amount" has "choices" but only fields of type "choice" may have them',
        'annotation field "unit": the field "type" must be one of "text", "number", "date", '
        '"boolean", "choice", not "currency"',
    )


def test_a_file_that_is_not_an_object_is_rejected(tmp_path: Path) -> None:
    assert str(rejection(write(tmp_path, "list.json", ["PERSON"]))) == (
        "list.json: the file must hold one JSON object (the taxonomy), not a list"
    )


# --------------------------------------------------------- unreadable files


def test_invalid_json_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "id": "broken",\n  "name": "Broken",\n  "version": 1,\n}\n')
    error = rejection(path)
    assert str(error).startswith("broken.json: line 5, column 1: not valid JSON (")
    assert error.origin == "broken.json"


def test_missing_file_says_it_cannot_be_read(tmp_path: Path) -> None:
    error = rejection(tmp_path / "absent.json")
    assert str(error).startswith("absent.json: cannot be read (")
    assert rejection(str(tmp_path / "absent.json"), origin="team taxonomy").origin == (
        "team taxonomy"
    )


def test_file_that_is_not_utf8_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"name": "Données"}'.encode("latin-1"))
    assert str(rejection(path)) == "latin1.json: is not UTF-8 text (byte 15); save it as UTF-8"


def test_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + read_text("taxonomies", "pii.json").encode("utf-8"))
    assert load_taxonomy(path) == builtin_taxonomy("pii")


def test_a_key_given_twice_is_rejected(tmp_path: Path) -> None:
    text = read_text("taxonomies", "legal-errors.json").replace(
        '"shortcut": "T",', '"shortcut": "T",\n      "shortcut": "F",'
    )
    path = tmp_path / "twice.json"
    path.write_text(text, encoding="utf-8")
    assert str(rejection(path)) == (
        'twice.json: the field "shortcut" appears twice in the entry "tone"; '
        "JSON would keep only the last one"
    )


def test_labels_are_plain_data() -> None:
    label = builtin_taxonomy("pii").label("IBAN")
    assert label == Label(
        id="IBAN",
        name=label.name,
        colour=label.colour,
        shortcut="I",
        description=label.description,
        comment_required=False,
    )
