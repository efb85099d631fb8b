"""File formats reviewer opens, by name and media type (no PyMuPDF import here).

The GUI process uses this to reopen stored blobs, which are named by hash and
so have no extension to tell their format.
"""

from __future__ import annotations

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xps": "application/vnd.ms-xpsdocument",
    "oxps": "application/oxps",
    "epub": "application/epub+zip",
    "fb2": "application/x-fictionbook+xml",
    "cbz": "application/vnd.comicbook+zip",
    "mobi": "application/x-mobipocket-ebook",
    "txt": "text/plain",
    "text": "text/plain",
    "md": "text/markdown",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "bmp": "image/bmp",
    "gif": "image/gif",
    "svg": "image/svg+xml",
}
TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".csv", ".log"}


def filetype_for(media_type: str) -> str | None:
    """The PyMuPDF ``filetype`` for a stored media type (blobs have no extension)."""
    if media_type.startswith("text/"):
        return "txt"
    for name, known in MEDIA_TYPES.items():
        if known == media_type:
            return name
    return None
