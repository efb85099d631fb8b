"""The Qt-free domain of reviewer: store, documents, search, samples.

Nothing below this package imports PySide6 or ``reviewer.ui``; an
import-linter contract in ``pyproject.toml`` and a test enforce it.
"""
