"""What to redact and how: plain values the UI, the CLI and the worker all pass around.

Boxes are in MuPDF's *unrotated* page space (what ``add_redact_annot``
takes), not the display space the viewer uses, so the pipeline never has to
guess which rotation a caller meant.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.core.errors import ReviewerError

if TYPE_CHECKING:
    from reviewer.core.redaction.verify import VerificationReport

Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class RedactionBox:
    """One area to remove: every text glyph, image pixel and touched line art under it."""

    page: int  # 0-based
    rect: Rect  # PDF points, unrotated page space
    label: str = ""  # e.g. "SSN"; only used for the optional label text in the box


@dataclass(frozen=True)
class RedactionPlan:
    """Boxes drawn by a person, plus terms whose every occurrence must go."""

    boxes: tuple[RedactionBox, ...] = ()
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class RedactionOptions:
    """How the removed areas look in the output."""

    fill: tuple[float, float, float] = (0.0, 0.0, 0.0)
    label_text: str = ""  # e.g. "REDACTED — {label}"; "" puts no text in boxes
    flatten: bool = False  # redacted pages become images: no gap widths left to measure
    dpi: int = 150
    padding: float = 2.0  # pt around each box; at least 5 pt where line art is removed


class RedactionCancelled(ReviewerError):
    """The user cancelled an export; nothing was written."""

    def __init__(self) -> None:
        super().__init__("the redacted export was cancelled; nothing was written")

    def __reduce__(self) -> tuple[type, tuple[()]]:  # crosses the worker's pipe intact
        return (type(self), ())


class RedactionFailed(ReviewerError):
    """Verification found something left in the output, so no file was produced.

    ``report`` holds the checks (none of which quote the redacted text), so the
    UI can say which one failed.
    """

    def __init__(self, path: str | Path, report: VerificationReport) -> None:
        self.path = Path(path)
        self.report = report
        failed = ", ".join(check.name for check in report.checks if not check.passed)
        super().__init__(
            f"{self.path.name}: the redacted copy failed verification ({failed}); "
            "no file was written"
        )

    def __reduce__(self) -> tuple[type, tuple[Path, VerificationReport]]:
        return (type(self), (self.path, self.report))
