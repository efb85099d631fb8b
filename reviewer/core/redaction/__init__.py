"""True redaction: remove what is under the boxes, scrub what hides elsewhere, prove it.

``plan`` says what to remove, ``export`` removes it and writes the file only
once ``verify`` (which shares no text-finding code with ``export``) finds
nothing left. ``fixtures`` plants a secret everywhere a PDF can hide one, so
tests can show that every copy goes.
"""
