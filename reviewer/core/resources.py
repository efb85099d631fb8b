"""One resolver for the files in the top-level ``resources/`` folder.

The folder is mapped into the package as ``reviewer/resources`` when a wheel
or a frozen build is made (see ``pyproject.toml`` and
``packaging/reviewer.spec``). From a plain checkout or an editable install it
sits beside the package. Every caller goes through :func:`resource_root` so
the three cases behave the same.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path


@cache
def resource_root() -> Traversable:
    """Return the folder holding icons, taxonomies and other runtime data."""
    packaged = resources.files("reviewer") / "resources"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "resources"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        "reviewer's resources folder is missing from this installation; reinstall the app"
    )


def resource(*parts: str) -> Traversable:
    """Return one resource, e.g. ``resource("icons", "reviewer.svg")``."""
    node = resource_root()
    for part in parts:
        node = node / part
    return node


def read_text(*parts: str) -> str:
    return resource(*parts).read_text(encoding="utf-8")


def read_bytes(*parts: str) -> bytes:
    return resource(*parts).read_bytes()


@contextlib.contextmanager
def as_path(*parts: str) -> Iterator[Path]:
    """Yield a real filesystem path for a resource (extracted if it lives in a zip)."""
    with resources.as_file(resource(*parts)) as path:
        yield Path(path)
