"""Every user command, declared once: id, title, shortcut, menu, help text.

The table builds the menus and toolbar, the Help > Keyboard shortcuts list,
and the test that no shortcut is used twice and every action is documented.
Handlers are looked up by id on the object that owns them, so this module
holds no behaviour.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QWidget

from reviewer.core.resources import as_path, resource

Shortcut = QKeySequence.StandardKey | str


@dataclass(frozen=True)
class ActionSpec:
    id: str
    title: str
    menu: str
    help: str
    shortcuts: tuple[Shortcut, ...] = ()
    icon: str = ""
    checkable: bool = False
    needs_document: bool = True
    toolbar: bool = False


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "open",
        "&Open…",
        "&File",
        "Open a PDF, XPS, EPUB, image or text file.",
        (QKeySequence.StandardKey.Open,),
        "open",
        needs_document=False,
        toolbar=True,
    ),
    ActionSpec(
        "close",
        "&Close document",
        "&File",
        "Close the current document.",
        (QKeySequence.StandardKey.Close,),
    ),
    ActionSpec(
        "export_redacted",
        "Export &redacted PDF…",
        "&File",
        "Save a copy with the accepted personal data removed for good, verified before it "
        "is saved.",
        ("Ctrl+Shift+E",),
        "redact",
        toolbar=True,
    ),
    ActionSpec(
        "quit",
        "&Quit",
        "&File",
        "Quit reviewer (your work is already saved).",
        (QKeySequence.StandardKey.Quit,),
        needs_document=False,
    ),
    ActionSpec(
        "undo",
        "&Undo",
        "&Edit",
        "Undo the last change to annotations.",
        (QKeySequence.StandardKey.Undo,),
    ),
    ActionSpec("redo", "&Redo", "&Edit", "Redo what was undone.", ("Ctrl+Shift+Z", "Ctrl+Y")),
    ActionSpec(
        "copy", "&Copy", "&Edit", "Copy the selected text.", (QKeySequence.StandardKey.Copy,)
    ),
    ActionSpec(
        "find",
        "&Find…",
        "&Edit",
        "Find text in the document; every match is highlighted.",
        (QKeySequence.StandardKey.Find,),
        "find",
        toolbar=True,
    ),
    ActionSpec("find_next", "Find &next", "&Edit", "Go to the next match.", ("F3",)),
    ActionSpec(
        "find_previous", "Find &previous", "&Edit", "Go to the previous match.", ("Shift+F3",)
    ),
    ActionSpec(
        "zoom_in",
        "Zoom &in",
        "&View",
        "Make pages larger.",
        (QKeySequence.StandardKey.ZoomIn, "Ctrl+="),
        "zoom-in",
        toolbar=True,
    ),
    ActionSpec(
        "zoom_out",
        "Zoom &out",
        "&View",
        "Make pages smaller.",
        (QKeySequence.StandardKey.ZoomOut,),
        "zoom-out",
        toolbar=True,
    ),
    ActionSpec(
        "zoom_actual", "&Actual size", "&View", "Show pages at 100 % (paper size).", ("Ctrl+0",)
    ),
    ActionSpec(
        "fit_width",
        "Fit &width",
        "&View",
        "Zoom so the page fills the window's width.",
        ("Ctrl+1",),
        "fit-width",
        toolbar=True,
    ),
    ActionSpec(
        "fit_page",
        "Fit &page",
        "&View",
        "Zoom so a whole page is visible.",
        ("Ctrl+2",),
        "fit-page",
        toolbar=True,
    ),
    ActionSpec(
        "thumbnails",
        "&Thumbnails",
        "&View",
        "Show or hide the page thumbnails.",
        ("F9",),
        "thumbnails",
        checkable=True,
        needs_document=False,
    ),
    ActionSpec(
        "previous_page",
        "&Previous page",
        "&Go",
        "Go to the previous page.",
        ("PgUp",),
        "previous",
        toolbar=True,
    ),
    ActionSpec(
        "next_page", "&Next page", "&Go", "Go to the next page.", ("PgDown",), "next", toolbar=True
    ),
    ActionSpec("first_page", "&First page", "&Go", "Go to the first page.", ("Home", "Ctrl+Home")),
    ActionSpec("last_page", "&Last page", "&Go", "Go to the last page.", ("End", "Ctrl+End")),
    ActionSpec(
        "go_to_page", "&Go to page…", "&Go", "Type a page number to jump to it.", ("Ctrl+G",)
    ),
    ActionSpec(
        "next_annotation",
        "&Next annotation",
        "&Annotate",
        "Select the next annotation in reading order.",
        ("Ctrl+]",),
    ),
    ActionSpec(
        "previous_annotation",
        "P&revious annotation",
        "&Annotate",
        "Select the previous annotation in reading order.",
        ("Ctrl+[",),
    ),
    ActionSpec(
        "edit_comment",
        "Edit &comment",
        "&Annotate",
        "Write or change the selected annotation's explanation (Ctrl+Enter to finish).",
        ("F2",),
    ),
    ActionSpec(
        "delete_annotation",
        "&Delete annotation",
        "&Annotate",
        "Delete the selected annotation (Undo brings it back).",
        ("Del",),
    ),
    ActionSpec(
        "scan_pii",
        "&Scan for PII",
        "&Annotate",
        "Suggest personal data on every page (in the background; Cancel stops it).",
        ("Ctrl+Shift+P",),
    ),
    ActionSpec(
        "next_suggestion",
        "Next s&uggestion",
        "&Annotate",
        "Select the next suggestion to review: A accepts it, X rejects it.",
        ("F8",),
    ),
    ActionSpec(
        "previous_suggestion",
        "Previous su&ggestion",
        "&Annotate",
        "Select the previous suggestion to review.",
        ("Shift+F8",),
    ),
    ActionSpec(
        "accept_suggestion",
        "&Accept suggestion",
        "&Annotate",
        "Accept the selected suggestion (key A when a suggestion is selected).",
    ),
    ActionSpec(
        "reject_suggestion",
        "&Reject suggestion",
        "&Annotate",
        "Reject the selected suggestion; a rescan will not propose it again "
        "(key X when a suggestion is selected).",
    ),
    ActionSpec(
        "accept_all_label",
        "Accept all of this &label",
        "&Annotate",
        "Accept every suggestion with the selected suggestion's label.",
        ("Ctrl+Shift+A",),
    ),
    ActionSpec(
        "mark_every_occurrence",
        "Mark every &occurrence",
        "&Annotate",
        "Propose every other occurrence and variant of the selected annotation's text.",
        ("Ctrl+Shift+M",),
    ),
    ActionSpec(
        "check_citations",
        "Check &citations",
        "&Annotate",
        "Find the legal citations in the document and propose a citation issue wherever one "
        "looks wrong: unknown reporter, impossible volume or page, a year or court the "
        "reporter does not cover, Id. with nothing before it, a case name that does not "
        "match (offline).",
        ("Ctrl+Shift+K",),
    ),
    ActionSpec(
        "sync_scroll",
        "S&ynchronized scrolling",
        "&View",
        "Scroll every draft of a compare item together.",
        ("Ctrl+Shift+Y",),
    ),
    ActionSpec(
        "show_differences",
        "Show &differences",
        "&View",
        "Highlight the words one draft of a compare item has and the other does not.",
        ("Ctrl+Shift+F",),
    ),
    ActionSpec(
        "cite_passage",
        "Cite selected &passage",
        "&Work",
        "Insert a reference to the selected highlighted passage into the compare rationale "
        "(or turn on Cite passage and click passages).",
        ("Ctrl+Shift+R",),
    ),
    ActionSpec(
        "open_batch",
        "Open task &batch…",
        "&Work",
        "Import a task batch (.rvbatch) and show its work queue.",
        ("Ctrl+Shift+O",),
        needs_document=False,
    ),
    ActionSpec(
        "work_queue",
        "Work &queue",
        "&Work",
        "Show or hide the work queue and the batch's instructions.",
        ("Ctrl+Shift+L",),
        checkable=True,
        needs_document=False,
    ),
    ActionSpec(
        "next_item",
        "&Next item",
        "&Work",
        "Open the next item of the batch.",
        ("Alt+PgDown",),
        needs_document=False,
    ),
    ActionSpec(
        "previous_item",
        "&Previous item",
        "&Work",
        "Open the previous item of the batch.",
        ("Alt+PgUp",),
        needs_document=False,
    ),
    ActionSpec(
        "mark_done",
        "Mark item &done",
        "&Work",
        "Mark the current item done.",
        ("Ctrl+Shift+D",),
        needs_document=False,
    ),
    ActionSpec(
        "skip_item",
        "S&kip item…",
        "&Work",
        "Skip the current item and say why (the team lead reads the reason).",
        needs_document=False,
    ),
    ActionSpec(
        "timesheet",
        "&Timesheet…",
        "&Work",
        "Active time per item of the batch; export it as CSV.",
        needs_document=False,
    ),
    ActionSpec(
        "export_bundle",
        "&Export submission…",
        "&Work",
        "Save the batch's work as a signed submission bundle (.rvbundle), checked after writing.",
        ("Ctrl+Shift+S",),
        needs_document=False,
    ),
    ActionSpec(
        "identity",
        "&Identity…",
        "&Work",
        "Your name, annotator id and signing key; export the public key for your team lead.",
        needs_document=False,
    ),
    ActionSpec(
        "idle_limit",
        "Id&le limit…",
        "&Work",
        "How long without keyboard or mouse input before time stops counting.",
        needs_document=False,
    ),
    ActionSpec(
        "enrol_key",
        "&Enrol annotator key…",
        "&Lead",
        "Enrol an annotator's public key: only bundles signed by enrolled keys are merged.",
        needs_document=False,
    ),
    ActionSpec(
        "import_bundles",
        "&Import submissions…",
        "&Lead",
        "Verify and merge annotators' submission bundles (.rvbundle); dropping them on the "
        "window does the same.",
        ("Ctrl+Shift+I",),
        needs_document=False,
    ),
    ActionSpec(
        "merged_view",
        "&Merged view",
        "&Lead",
        "Show every annotator's marks on this document in their own colour, with the places "
        "where they disagree.",
        ("Ctrl+Shift+J",),
        checkable=True,
    ),
    ActionSpec(
        "next_disagreement",
        "&Next open disagreement",
        "&Lead",
        "Go to the next disagreement not decided yet.",
        ("Ctrl+Alt+Down",),
    ),
    ActionSpec(
        "previous_disagreement",
        "&Previous open disagreement",
        "&Lead",
        "Go to the previous disagreement not decided yet.",
        ("Ctrl+Alt+Up",),
    ),
    ActionSpec(
        "accept_version",
        "&Accept version",
        "&Lead",
        "Keep the checked annotator's version of this disagreement as gold.",
        ("Ctrl+Alt+A",),
    ),
    ActionSpec(
        "merge_versions",
        "Mer&ge versions",
        "&Lead",
        "Keep the union of the checked versions, under the label chosen, as gold.",
        ("Ctrl+Alt+M",),
    ),
    ActionSpec(
        "edit_version",
        "&Edit label of version",
        "&Lead",
        "Keep the checked version's extent under the label chosen in the merged view.",
        ("Ctrl+Alt+E",),
    ),
    ActionSpec(
        "reject_disagreement",
        "&Reject (nothing to mark)",
        "&Lead",
        "Decide that nothing here is to be marked.",
        ("Ctrl+Alt+R",),
    ),
    ActionSpec(
        "agreement_dashboard",
        "Agreement &dashboard",
        "&Lead",
        "Agreement between annotators (span F1, kappa, alpha, position bias), items per hour, "
        "agreement with gold and batch progress.",
        ("Ctrl+Shift+B",),
        needs_document=False,
    ),
    ActionSpec(
        "export_dataset",
        "E&xport dataset…",
        "&Lead",
        "Write the adjudicated dataset as JSON Lines (PII spans, errors, preference pairs or "
        "W3C annotations) with a CSV summary per annotator.",
        ("Ctrl+Shift+X",),
        needs_document=False,
    ),
    ActionSpec(
        "shortcuts",
        "&Keyboard shortcuts",
        "&Help",
        "List every command and its keys.",
        ("Ctrl+/",),
        needs_document=False,
    ),
    ActionSpec(
        "about",
        "&About reviewer",
        "&Help",
        "Version, licences and where your work is kept.",
        needs_document=False,
    ),
)

MENU_ORDER = ("&File", "&Edit", "&View", "&Go", "&Annotate", "&Work", "&Lead", "&Help")


def key_sequences(spec: ActionSpec) -> list[QKeySequence]:
    out: list[QKeySequence] = []
    for shortcut in spec.shortcuts:
        if isinstance(shortcut, str):
            out.append(QKeySequence(shortcut))
        else:
            out.extend(QKeySequence.keyBindings(shortcut))
    return out


def shortcut_text(spec: ActionSpec) -> str:
    return ", ".join(
        s.toString(QKeySequence.SequenceFormat.NativeText) for s in key_sequences(spec)
    )


def load_icon(name: str) -> QIcon:
    if not name:
        return QIcon()
    node = resource("icons", f"{name}.svg")
    if not node.is_file():
        return QIcon()
    with as_path("icons", f"{name}.svg") as path:
        return QIcon(str(path))


def build_actions(
    parent: QWidget, handlers: Mapping[str, Callable[[], object]]
) -> dict[str, QAction]:
    """Create one QAction per spec, connected to ``handlers[id]``."""
    actions: dict[str, QAction] = {}
    for spec in ACTIONS:
        action = QAction(load_icon(spec.icon), spec.title, parent)
        action.setObjectName(f"action_{spec.id}")
        action.setShortcuts(key_sequences(spec))
        action.setStatusTip(spec.help)
        action.setToolTip(
            f"{spec.title.replace('&', '').rstrip('…')} ({shortcut_text(spec)})"
            if spec.shortcuts
            else spec.title.replace("&", "")
        )
        action.setCheckable(spec.checkable)
        handler = handlers.get(spec.id)
        if handler is None:
            raise KeyError(f"no handler for action {spec.id!r}")
        action.triggered.connect(lambda _checked=False, h=handler: h())
        parent.addAction(action)
        actions[spec.id] = action
    return actions
