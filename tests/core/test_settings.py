"""User settings: defaults, a round trip, and files that must not stop the app."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reviewer.core.paths import AppPaths
from reviewer.core.settings import Settings, load_settings, save_settings, settings_path


def _write(paths: AppPaths, text: str | bytes) -> Path:
    path = settings_path(paths)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_no_file_gives_the_defaults(app_paths: AppPaths) -> None:
    assert not settings_path(app_paths).exists()
    settings = load_settings(app_paths)
    assert settings == Settings()
    assert (settings.schema_version, settings.idle_limit_s) == (1, 120.0)
    assert settings_path(app_paths) == app_paths.config / "settings.json"


def test_round_trip(app_paths: AppPaths) -> None:
    save_settings(app_paths, Settings(idle_limit_s=300.0))
    assert load_settings(app_paths) == Settings(idle_limit_s=300.0)
    data = json.loads(settings_path(app_paths).read_text(encoding="utf-8"))
    assert data == {"schema_version": 1, "idle_limit_s": 300.0}
    # Atomic writes leave no temporary file behind.
    assert [p.name for p in settings_path(app_paths).parent.iterdir()] == ["settings.json"]


def test_saving_again_replaces_the_file_and_keeps_unknown_keys(app_paths: AppPaths) -> None:
    _write(app_paths, json.dumps({"idle_limit_s": 60, "theme": "dark", "schema_version": 1}))
    save_settings(app_paths, Settings(idle_limit_s=90.0))
    data = json.loads(settings_path(app_paths).read_text(encoding="utf-8"))
    assert data == {"schema_version": 1, "idle_limit_s": 90.0, "theme": "dark"}


def test_a_failed_save_leaves_the_old_file_whole(
    app_paths: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_settings(app_paths, Settings(idle_limit_s=60.0))

    def full_disk(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match="No space left"):
        save_settings(app_paths, Settings(idle_limit_s=90.0))
    monkeypatch.undo()
    assert load_settings(app_paths).idle_limit_s == 60.0
    assert [p.name for p in settings_path(app_paths).parent.iterdir()] == ["settings.json"]


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{",
        "not json at all",
        "[1, 2, 3]",
        "null",
        b"\xff\xfe\x00garbage",
    ],
)
def test_a_corrupt_file_gives_the_defaults(app_paths: AppPaths, content: str | bytes) -> None:
    _write(app_paths, content)
    assert load_settings(app_paths) == Settings()


def test_a_folder_in_place_of_the_file_gives_the_defaults(app_paths: AppPaths) -> None:
    settings_path(app_paths).mkdir(parents=True)
    assert load_settings(app_paths) == Settings()


@pytest.mark.parametrize(
    "value",
    [14.9, 3600.5, 0, -120, "120", True, None, [120], 1e400],
)
def test_an_out_of_range_or_wrong_value_falls_back_to_its_default(
    app_paths: AppPaths, value: object
) -> None:
    raw = json.dumps({"schema_version": 1, "idle_limit_s": value})
    _write(app_paths, raw.replace("Infinity", "1e400"))
    assert load_settings(app_paths).idle_limit_s == 120.0


def test_nan_is_not_a_limit(app_paths: AppPaths) -> None:
    _write(app_paths, '{"idle_limit_s": NaN}')
    assert load_settings(app_paths).idle_limit_s == 120.0


@pytest.mark.parametrize("value", [15, 15.0, 600, 3600])
def test_the_range_is_inclusive(app_paths: AppPaths, value: float) -> None:
    _write(app_paths, json.dumps({"idle_limit_s": value}))
    assert load_settings(app_paths).idle_limit_s == float(value)


def test_one_bad_field_does_not_spoil_the_others(app_paths: AppPaths) -> None:
    _write(app_paths, json.dumps({"schema_version": "one", "idle_limit_s": 45}))
    assert load_settings(app_paths) == Settings(schema_version=1, idle_limit_s=45.0)
