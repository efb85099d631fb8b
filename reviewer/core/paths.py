"""Where reviewer keeps its files.

One module owns every location so that tests and portable installs can move
all of them at once: ``REVIEWER_HOME`` (or ``--workspace DIR``) puts the
workspace, configuration, logs and caches under one folder; otherwise the
platform's conventional folders from :mod:`platformdirs` are used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "reviewer"
HOME_ENV = "REVIEWER_HOME"


@dataclass(frozen=True)
class AppPaths:
    """Resolved folders for one run of the app."""

    workspace: Path
    config: Path
    logs: Path
    cache: Path

    @property
    def database(self) -> Path:
        return self.workspace / "workspace.sqlite"

    @property
    def blobs(self) -> Path:
        return self.workspace / "blobs"

    def ensure(self) -> AppPaths:
        """Create every folder (private to the user: documents may be privileged)."""
        for folder in (self.workspace, self.config, self.logs, self.cache):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self


def resolve(workspace: str | os.PathLike[str] | None = None) -> AppPaths:
    """Return the paths for this run.

    Precedence: an explicit ``workspace`` argument, then ``REVIEWER_HOME``,
    then the platform defaults. With an override everything lives below that
    one folder, so a test or a USB-stick install never touches the user's
    real workspace.
    """
    root = workspace if workspace is not None else os.environ.get(HOME_ENV)
    if root:
        base = Path(root).expanduser().resolve()
        return AppPaths(
            workspace=base,
            config=base / "config",
            logs=base / "logs",
            cache=base / "cache",
        )
    return AppPaths(
        workspace=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        config=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        logs=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        cache=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
    )
