"""reviewer.core stays free of Qt and of the UI: checked by importing it, and by import-linter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]

IMPORT_ALL_OF_CORE = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys

    import reviewer.core

    names = ["reviewer.core"]
    for info in pkgutil.walk_packages(reviewer.core.__path__, "reviewer.core."):
        importlib.import_module(info.name)
        names.append(info.name)
    loaded = sorted(
        name for name in sys.modules
        if name.split(".")[0] == "PySide6"
        or name == "reviewer.ui" or name.startswith("reviewer.ui.")
        or name == "reviewer.app"
    )
    print(json.dumps({"imported": names, "forbidden": loaded}))
    """
)


def test_importing_all_of_core_loads_no_qt_or_ui(tmp_path: Path) -> None:
    """Every module under reviewer.core imports without pulling in PySide6 or reviewer.ui."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "REVIEWER_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL_OF_CORE],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["forbidden"] == []
    imported = set(report["imported"])
    expected = {
        f"reviewer.core.{name}"
        for name in (
            "blobs",
            "documents",
            "errors",
            "formats",
            "layout",
            "lock",
            "migrations",
            "model",
            "paths",
            "resources",
            "selection",
            "store",
            "worker",
            "samples",
        )
    }
    assert expected <= imported
    on_disk = {
        "reviewer.core."
        + p.relative_to(PROJECT / "reviewer" / "core").with_suffix("").as_posix().replace("/", ".")
        for p in (PROJECT / "reviewer" / "core").rglob("*.py")
        if p.name != "__init__.py"
    }
    assert on_disk <= imported  # the walk really reached every module file


def test_import_linter_contract_is_kept() -> None:
    """lint-imports (import-linter) passes with the project's contracts."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    assert lint_imports.is_file()
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "core never imports Qt or the UI KEPT" in result.stdout
    assert "0 broken" in result.stdout
