"""Checks on what ships: the desktop entry, the icons, the licence, the wheel.

These catch packaging mistakes that no unit test of the app would see: a
desktop entry that software centres reject, an SVG Qt cannot draw (QIcon then
shows nothing, silently), a wheel without its resources folder (the app then
works from a checkout and fails only once installed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RESOURCES = PROJECT_ROOT / "resources"
ICONS = RESOURCES / "icons"
SVG_FILES = sorted(ICONS.glob("*.svg"))
# What a wheel build must not see: VCS data, build output, caches, venvs.
_NOT_SOURCE = shutil.ignore_patterns(
    ".git", "build", "dist", ".venv", "*.egg-info", "__pycache__", ".*_cache"
)


def test_desktop_entry_validates() -> None:
    """desktop-file-validate must accept the entry without even a hint.

    A missing validator fails rather than skips: CI installs desktop-file-utils,
    so its absence means the check silently stopped running.
    """
    validator = shutil.which("desktop-file-validate")
    if validator is None:
        pytest.fail("desktop-file-validate not found; install desktop-file-utils")
    result = subprocess.run(
        [validator, str(RESOURCES / "reviewer.desktop")],
        capture_output=True,
        text=True,
        check=False,
    )
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, output
    assert output == ""


def test_icons_exist() -> None:
    """The app icon and the toolbar icons are where the desktop entry and UI look."""
    assert ICONS / "reviewer.svg" in SVG_FILES
    assert len(SVG_FILES) > 1


@pytest.mark.parametrize("svg", SVG_FILES, ids=lambda p: p.name)
def test_icon_renders_in_qt(qapp: object, svg: Path) -> None:
    """Every SVG parses in Qt's SVG renderer (SVG Tiny: no filters, no CSS tricks)."""
    from PySide6.QtSvg import QSvgRenderer

    text = svg.read_text(encoding="utf-8")
    # QIcon ignores currentColor and would draw the icon black on any theme.
    assert "currentColor" not in text
    renderer = QSvgRenderer(str(svg))
    assert renderer.isValid()
    assert not renderer.viewBoxF().isEmpty()


def test_every_action_icon_ships(qapp: object) -> None:
    """Each icon an action names exists; load_icon() would quietly show none."""
    from reviewer.ui.actions import ACTIONS

    missing = sorted(
        spec.icon for spec in ACTIONS if spec.icon and not (ICONS / f"{spec.icon}.svg").is_file()
    )
    assert missing == []


def test_licence_is_agpl3() -> None:
    """PyMuPDF is AGPL, so the app is too; the file and the metadata must agree."""
    lines = [
        line.strip()
        for line in (PROJECT_ROOT / "LICENSE").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert lines[0] == "GNU AFFERO GENERAL PUBLIC LICENSE"
    assert lines[1] == "Version 3, 19 November 2007"
    assert lines[-1] == "<https://www.gnu.org/licenses/>."

    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "AGPL-3.0-or-later"
    assert "LICENSE" in project["project"]["license-files"]


@pytest.mark.slow
def test_wheel_carries_resources(tmp_path: Path) -> None:
    """An installed wheel resolves resources inside itself, not from a checkout.

    The resources folder reaches the wheel only through the package-dir mapping
    in pyproject.toml; the editable install used for development never
    exercises that mapping, so build a real wheel and import it in isolation.
    """
    # Build from a copy: setuptools builds in-tree, leaving build/ and
    # *.egg-info in the checkout (and racing any other build running there).
    source = tmp_path / "source"
    shutil.copytree(PROJECT_ROOT, source, ignore=_NOT_SOURCE)
    wheel_dir = tmp_path / "wheel"
    site = tmp_path / "site"
    _run_pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(wheel_dir), str(source))
    wheels = list(wheel_dir.glob("reviewer-*.whl"))
    assert len(wheels) == 1, wheels
    _run_pip("install", "--no-deps", "--target", str(site), str(wheels[0]))

    check = textwrap.dedent(
        """
        import sys
        from pathlib import Path

        import reviewer
        from reviewer.core.resources import read_text, resource_root

        site = Path(sys.argv[1]).resolve()
        assert Path(reviewer.__file__).resolve().is_relative_to(site), reviewer.__file__
        root = Path(str(resource_root())).resolve()
        assert root.is_relative_to(site), root
        assert "<svg" in read_text("icons", "reviewer.svg")
        print(root)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    # cwd=tmp_path: with the checkout as cwd, "import reviewer" would find the
    # source tree and the test would prove nothing.
    result = subprocess.run(
        [sys.executable, "-c", check, str(site)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _run_pip(*args: str) -> None:
    """Run pip with this interpreter; on failure show pip's last lines.

    --no-build-isolation builds with the environment's setuptools, so an old
    setuptools there (PEP 639 licence metadata needs a recent one) shows up
    here as a metadata error rather than as a missing resource.
    """
    result = subprocess.run(
        [sys.executable, "-m", "pip", *args, "--disable-pip-version-check", "--no-input"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
        pytest.fail(f"pip {' '.join(args)} failed:\n{tail}")


def test_pyproject_lists_every_package() -> None:
    """The explicit package list (needed for the mapped resources folder) misses nothing."""
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(PROJECT_ROOT).parts)
        for init in (PROJECT_ROOT / "reviewer").rglob("__init__.py")
    }
    assert found | {"reviewer.resources"} == listed
