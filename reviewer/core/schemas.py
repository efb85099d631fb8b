"""JSON Schemas of the files that travel (``resources/schemas``), checked with jsonschema.

The schemas are the documentation a team lead's scripts can use too; the
app checks every manifest and item against the same files it ships, so the
documentation cannot drift from what is enforced.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from reviewer.core.resources import read_text

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

#: Problems reported per document: one bad manifest should not print a thousand lines.
MAX_PROBLEMS = 5


@cache
def validator(name: str) -> Draft202012Validator:
    # Imported here: jsonschema costs ~60 ms to import, and only reading files needs it.
    from jsonschema import Draft202012Validator

    schema = json.loads(read_text("schemas", name))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def problems(name: str, data: Any) -> list[str]:
    """Where ``data`` breaks schema ``name``: "field.path: message", at most a few."""
    found = []
    for error in validator(name).iter_errors(data):
        where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        message = error.message if len(error.message) <= 200 else error.message[:200] + "…"
        found.append(f"{where}: {message}")
        if len(found) >= MAX_PROBLEMS:
            break
    return found
