"""One tab: thumbnails, the page view, and the annotation column (labels + list)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from reviewer.core.model import Annotation
from reviewer.core.taxonomy import Taxonomy
from reviewer.ui.annotations.controller import AnnotationController
from reviewer.ui.annotations.palette import LabelPalette
from reviewer.ui.annotations.panel import AnnotationPanel
from reviewer.ui.citation_check import CitationCheck
from reviewer.ui.document_session import DocumentSession
from reviewer.ui.find_bar import FindController
from reviewer.ui.notice_bar import NoticeBar
from reviewer.ui.ocr_review import OcrReviewPanel
from reviewer.ui.pii_scan import PiiScan, ScanBar
from reviewer.ui.redact_export import ExportBar, RedactExport
from reviewer.ui.review.judgement_controller import JudgementController
from reviewer.ui.review.prompt_box import PromptBox
from reviewer.ui.review.verdict_form import VerdictForm
from reviewer.ui.viewer.page_view import PageView
from reviewer.ui.viewer.thumbnails import THUMB_WIDTH, ThumbnailList

DEFAULT_TAXONOMY = "pii"


class DocumentPane(QWidget):
    """Everything shown for one open document."""

    def __init__(
        self,
        session: DocumentSession,
        taxonomies: dict[str, Taxonomy],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        first = taxonomies.get(DEFAULT_TAXONOMY) or next(iter(taxonomies.values()))
        self.annotations = AnnotationController(session, first, self)
        self.view = PageView(session, self)
        self.view.set_annotations(self.annotations)
        self.thumbnails = ThumbnailList(session, self)
        self.find = FindController(self.view, self)
        self.palette_ = LabelPalette(taxonomies, self)
        self.palette_.set_taxonomy(first.id)
        self.panel = AnnotationPanel(self.annotations, self)
        self.scan = PiiScan(self.annotations, self)
        self.scan_bar = ScanBar(self.scan, self)
        self.notice = NoticeBar(self)
        self.redaction_notice = NoticeBar(self)
        self.export = RedactExport(self.annotations, self)
        self.export_bar = ExportBar(self.export, self)
        self.verdict_form: VerdictForm | None = None  # review items (show_review)
        self.ocr_review: OcrReviewPanel | None = None  # ocr items (show_ocr_review)
        self.citations = CitationCheck(self.annotations, self)
        self.citation_bar = ScanBar(self.citations, self, "Checking citations: page")  # type: ignore[arg-type]
        self.citation_bar.cancel.setAccessibleName("Cancel the citation check")

        side = QSplitter(Qt.Orientation.Vertical, self)
        side.addWidget(self.palette_)
        side.addWidget(self.panel)
        side.setStretchFactor(1, 1)
        side.setSizes([240, 600])
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.thumbnails)
        splitter.addWidget(self.view)
        splitter.addWidget(side)
        splitter.setStretchFactor(1, 1)
        splitter.setCollapsible(1, False)
        splitter.setSizes([THUMB_WIDTH + 44, 10_000, 380])
        self.side = side
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.redaction_notice)
        box.addWidget(self.notice)
        box.addWidget(self.scan_bar)
        box.addWidget(self.citation_bar)
        box.addWidget(self.export_bar)
        box.addWidget(splitter, 1)  # the bars above take only the height they need

        self.view.currentPageChanged.connect(self.thumbnails.set_current_page)
        self.thumbnails.clicked.connect(lambda index: self.view.go_to_page(index.row()))
        self.thumbnails.activated.connect(lambda index: self.view.go_to_page(index.row()))
        self.thumbnails.set_current_page(0)
        self.palette_.labelChosen.connect(self._apply_label)
        self.palette_.taxonomyChosen.connect(
            lambda taxonomy_id: self.annotations.set_taxonomy(taxonomies[taxonomy_id])
        )
        self.panel.backToPage.connect(lambda: self.view.setFocus())
        self.view.labelApplied.connect(self._after_label)
        self.annotations.accepted.connect(self.mark_every_occurrence)
        self.scan.failed.connect(self.annotations.failed)

    def _apply_label(self, label_id: str) -> None:
        created = self.view.apply_label(label_id)
        self.view.setFocus()
        self._after_label(created)

    def _after_label(self, created: object) -> None:
        """A new annotation whose label needs an explanation takes the user to the comment."""
        if created is not None and self.annotations.needs_comment(created):  # type: ignore[arg-type]
            self.panel.focus_comment()

    def scan_for_pii(self) -> bool:
        return self.scan.start(what="Scan for PII")

    def mark_every_occurrence(self, annotation: Annotation | None = None) -> bool:
        """Propose every other occurrence (and variant) of an annotation's text.

        Runs after a suggestion is accepted, and on demand for the selected
        annotation; a scan already running is left to finish.
        """
        annotation = annotation or self.annotations.get(self.annotations.selected or "")
        if annotation is None or annotation.selector.kind != "text":
            return False
        known = [(annotation.label, annotation.selector.exact)]
        name = self.annotations.label_name(annotation)
        return self.scan.start(detect=False, known=known, what=f"Every occurrence ({name})")

    def show_review(self, controller: JudgementController, prompt: str) -> VerdictForm:
        """A review item: its prompt above the output, the verdict under the annotations."""
        if self.verdict_form is None:
            if prompt:
                self.layout().insertWidget(0, PromptBox(prompt, parent=self))
            self.verdict_form = VerdictForm(controller, self)
            self.side.addWidget(self.verdict_form)
            self.side.setStretchFactor(self.side.indexOf(self.verdict_form), 0)
        return self.verdict_form

    def show_ocr_review(self, page: int) -> OcrReviewPanel:
        """Show the OCR review of ``page`` beside the page view (the panel is made once).

        It goes in the side column above the annotation list, which widens so
        a line and its correction can be read side by side; the ``ocr`` labels
        (correction, illegible) become the tab's labels when they are offered.
        """
        panel = self.ocr_review
        if panel is None:
            panel = OcrReviewPanel(self.annotations, self.view, self)
            self.ocr_review = panel
            self.side.insertWidget(1, panel)
            self.side.setStretchFactor(1, 3)
            self.side.setStretchFactor(2, 1)
            self.side.setSizes([110, 620, 200])
            columns = self.side.parentWidget()
            if isinstance(columns, QSplitter):  # the page and its text share the width
                columns.setStretchFactor(2, 1)
                thumbs, *_ = sizes = columns.sizes()
                rest = max(0, (sum(sizes) or self.width()) - thumbs)
                side = min(640, max(400, rest * 47 // 100))
                columns.setSizes([thumbs, max(240, rest - side), side])
        if "ocr" in self.palette_.taxonomies:
            self.palette_.set_taxonomy("ocr")
        panel.set_page(page)
        return panel

    def show_merged(self, panel: QWidget) -> None:
        """The lead's merged view goes in the side column above the annotation list."""
        self.side.insertWidget(1, panel)
        self.side.setStretchFactor(1, 3)
        self.side.setSizes([70, 760, 110])
        columns = self.side.parentWidget()
        if isinstance(columns, QSplitter):
            thumbs, *_ = sizes = columns.sizes()
            rest = max(0, (sum(sizes) or self.width()) - thumbs)
            side = min(560, max(380, rest * 40 // 100))
            columns.setSizes([thumbs, max(240, rest - side), side])

    def close_document(self) -> None:
        self.scan.cancel()
        self.citations.cancel()
        self.export.cancel()
        self.find.close()
        self.session.close()
