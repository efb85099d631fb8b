"""PII suggestions: detectors that propose annotations with a stated reason.

No Qt, no network, no model download: everything a detector needs ships with
the app. ``engine.scan_text`` is the one entry point; the GUI, the CLI and
the evaluation benchmark all call it.
"""
