"""Typed user settings, kept in ``<config>/settings.json``.

Settings are read at start-up, so a damaged or hand-edited file must never
stop the app: each field that is missing, of the wrong type or out of range
falls back to its default on its own, and the rest of the file still
applies. Writing is atomic (a temporary file in the same folder, fsync,
``os.replace``) so a crash or a full disk leaves the old file whole, and
keys this version does not know (written by a newer version) are kept.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from reviewer.core.atomic import write_bytes
from reviewer.core.paths import AppPaths

SETTINGS_FILE = "settings.json"
SCHEMA_VERSION = 1

#: Shorter than this and reading a page without touching anything is "idle";
#: longer than an hour and an absence would be billed.
IDLE_LIMIT_RANGE = (15.0, 3600.0)


@dataclass(frozen=True)
class Settings:
    """What the user can change. Add a field here, then its check in ``_FIELDS``."""

    schema_version: int = SCHEMA_VERSION
    idle_limit_s: float = 120.0


def settings_path(paths: AppPaths) -> Path:
    return paths.config / SETTINGS_FILE


def load_settings(paths: AppPaths) -> Settings:
    """The saved settings; defaults for anything missing or invalid. Never raises."""
    data = _read_json(settings_path(paths))
    if data is None:
        return Settings()
    values: dict[str, Any] = {}
    for name, check in _FIELDS.items():
        value = check(data.get(name))
        if value is not None:
            values[name] = value
    return Settings(**values)


def save_settings(paths: AppPaths, settings: Settings) -> None:
    """Write the settings atomically. Raises OSError (the caller tells the user).

    Keys this version does not know are carried over, so running an older
    version does not erase a newer version's settings.
    """
    path = settings_path(paths)
    data = _read_json(path) or {}
    data.update(asdict(settings))
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_bytes(path, text.encode("utf-8"))


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None  # missing, unreadable or not JSON: defaults
    return data if isinstance(data, dict) else None


def _number(value: object) -> float | None:
    """A finite int or float (JSON true/false are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _schema_version(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return None
    return value


def _idle_limit(value: object) -> float | None:
    number = _number(value)
    low, high = IDLE_LIMIT_RANGE
    return number if number is not None and low <= number <= high else None


#: Each field's check: the valid value, or None for "use the default".
_FIELDS = {
    "schema_version": _schema_version,
    "idle_limit_s": _idle_limit,
}
