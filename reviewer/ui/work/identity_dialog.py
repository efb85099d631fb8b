"""Ask for the annotator's name and id (the signing key is made from them once)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)


class IdentityDialog(QDialog):
    """Name and id; the key pair is created by the caller when this is accepted."""

    def __init__(self, name: str = "", annotator_id: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Your identity")
        intro = QLabel(
            "Your name and annotator id go into every submission you export, which is "
            "signed with a key made for you now and kept in your workspace. The team lead "
            "checks submissions against your public key.",
            self,
        )
        intro.setWordWrap(True)
        self.name = QLineEdit(name, self)
        self.name.setAccessibleName("Your name")
        self.name.setPlaceholderText("e.g. Ana Ruiz")
        self.annotator_id = QLineEdit(annotator_id, self)
        self.annotator_id.setAccessibleName("Your annotator id")
        self.annotator_id.setPlaceholderText("the id your team lead gave you, e.g. ana.ruiz")
        form = QFormLayout()
        form.addRow("&Name:", self.name)
        form.addRow("Annotator &id:", self.annotator_id)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addLayout(form)
        box.addWidget(buttons)
        self.resize(460, 200)

    def answer(self) -> tuple[str, str]:
        return self.name.text().strip(), self.annotator_id.text().strip()
