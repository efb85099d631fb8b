"""How the GUI process runs Python's cyclic garbage collector.

Measured while scrolling a 1,000-page brief: full (generation 2)
collections ran every second or so, each walked ~72,000 live objects for
25–70 ms on the GUI thread, and found nothing to free (Qt owns the widget
trees; our data holds no reference cycles). Those pauses were the longest
stalls of the scroll. So, once the window exists:

- ``gc.freeze()`` moves everything made at start-up (modules, Qt wrappers,
  the taxonomies) out of the collector's sight for good;
- higher thresholds make young collections rarer and full ones much rarer.
  Reference counting still frees everything without cycles at once; the
  collector still runs, just not every second.
"""

from __future__ import annotations

import gc

#: (young, middle, old) collection thresholds; Python's default is (700, 10, 10).
THRESHOLDS = (10_000, 20, 100)

_applied = False


def apply() -> None:
    """Freeze start-up objects and raise the thresholds (once per process)."""
    global _applied
    if _applied:
        return
    _applied = True
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
