"""Where reviewer keeps its files, and how it finds its bundled resources."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import platformdirs
import pytest

from reviewer.core import resources
from reviewer.core.paths import APP_NAME, HOME_ENV, AppPaths, resolve

PROJECT = Path(__file__).resolve().parents[2]


def _under(paths: AppPaths, base: Path) -> None:
    assert paths.workspace == base
    assert paths.config == base / "config"
    assert paths.logs == base / "logs"
    assert paths.cache == base / "cache"
    assert paths.database == base / "workspace.sqlite"
    assert paths.blobs == base / "blobs"


def test_explicit_argument_beats_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """resolve(DIR) wins over REVIEWER_HOME; everything lives under DIR."""
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "from-env"))
    _under(resolve(tmp_path / "explicit"), (tmp_path / "explicit").resolve())
    _under(resolve(str(tmp_path / "as-text")), (tmp_path / "as-text").resolve())


def test_environment_beats_platform_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without an argument REVIEWER_HOME is used for all four folders."""
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "portable"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    _under(resolve(), (tmp_path / "portable").resolve())
    _under(resolve(None), (tmp_path / "portable").resolve())


def test_override_is_made_absolute_and_expands_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative override becomes absolute; '~' expands to the user's home."""
    monkeypatch.chdir(tmp_path)
    _under(resolve("relative/ws"), (tmp_path / "relative" / "ws").resolve())
    monkeypatch.setenv("HOME", str(tmp_path / "user-home"))
    _under(resolve("~/reviewer-ws"), (tmp_path / "user-home" / "reviewer-ws").resolve())


def test_platform_defaults_without_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No argument and no REVIEWER_HOME: platformdirs' folders (XDG on Linux)."""
    monkeypatch.delenv(HOME_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    paths = resolve()
    assert paths.workspace == Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    assert paths.config == Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    assert paths.logs == Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    assert paths.cache == Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    if sys.platform == "linux":  # the XDG variables apply
        assert paths.workspace == tmp_path / "data" / "reviewer"
        assert paths.config == tmp_path / "config" / "reviewer"
        assert paths.cache == tmp_path / "cache" / "reviewer"
    assert paths.database == paths.workspace / "workspace.sqlite"


def test_empty_environment_value_means_no_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """REVIEWER_HOME='' is ignored rather than meaning the current folder."""
    monkeypatch.setenv(HOME_ENV, "")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert resolve().workspace == Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def test_ensure_creates_private_folders(tmp_path: Path) -> None:
    """ensure() creates workspace, config, logs and cache with mode 0o700 and is repeatable."""
    paths = resolve(tmp_path / "new" / "home")
    assert paths.ensure() is paths
    for folder in (paths.workspace, paths.config, paths.logs, paths.cache):
        assert folder.is_dir()
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    paths.ensure()  # already there: no error
    assert sorted(p.name for p in paths.workspace.iterdir()) == ["cache", "config", "logs"]


def test_resource_root_is_the_checkout_folder() -> None:
    """From a checkout the resources folder beside the package is found."""
    root = resources.resource_root()
    assert Path(str(root)).resolve() == PROJECT / "resources"
    assert (root / "icons" / "reviewer.svg").is_file()
    assert resources.resource("icons", "reviewer.svg").is_file()


def test_read_text_and_bytes() -> None:
    """read_text/read_bytes return the file's content."""
    on_disk = (PROJECT / "resources" / "icons" / "reviewer.svg").read_bytes()
    assert resources.read_bytes("icons", "reviewer.svg") == on_disk
    text = resources.read_text("icons", "reviewer.svg")
    assert text == on_disk.decode("utf-8")
    assert "<svg" in text


def test_as_path_yields_a_real_file() -> None:
    """as_path gives a filesystem path with the resource's bytes."""
    with resources.as_path("icons", "reviewer.svg") as path:
        assert isinstance(path, Path)
        assert path.is_file()
        assert path.name == "reviewer.svg"
        assert path.read_bytes() == resources.read_bytes("icons", "reviewer.svg")


def test_missing_resource_raises() -> None:
    """Reading a resource that does not exist raises FileNotFoundError."""
    assert not resources.resource("icons", "no-such-icon.svg").is_file()
    with pytest.raises(FileNotFoundError):
        resources.read_text("icons", "no-such-icon.svg")
