"""Entry script that PyInstaller freezes (see ``packaging/reviewer.spec``).

PyInstaller needs a script path, not a ``module:function`` entry point.
Freezing ``reviewer/app.py`` itself would run it as ``__main__`` and import it
a second time as ``reviewer.app``; this shim keeps one copy of the module.
``main()`` calls ``multiprocessing.freeze_support()`` first, so a spawned
PyMuPDF worker (which re-runs this executable) is diverted there before any
argument parsing or GUI start-up happens.
"""

from __future__ import annotations

from reviewer.app import main

if __name__ == "__main__":
    raise SystemExit(main())
