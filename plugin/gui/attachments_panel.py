"""The "Pièces jointes" panel of a dock: the files of the selected site or terrain; add, open, remove."""
import html
import tempfile
from typing import Callable, Optional

from qgis.PyQt.QtCore import Qt, QUrl
from qgis.PyQt.QtGui import QDesktopServices
from qgis.PyQt.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QListWidget,
                                 QListWidgetItem, QMessageBox, QPushButton,
                                 QVBoxLayout, QWidget)

from ..i18n import message, tr
from ..layers.edits import login
from ..settings import Settings
from ..store import attachments
from ..store.base import StoreError

ATTACHMENT_ROLE = 0x0100 + 7


class AttachmentsPanel(QWidget):
    def __init__(self, owner_table: str, parent=None):
        super().__init__(parent)
        self.owner_table = owner_table
        self.location: Optional[str] = None
        self.owner_uuid: Optional[str] = None
        self.ask_files: Callable[[], list] = self._ask_files
        self.open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl
        self.confirm: Callable[[str], bool] = self._confirm
        self.show_message: Callable[[str], None] = self._warn
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        # Names come from other people through the sync: shown as typed, never read as HTML.
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.list = QListWidget()
        self.list.itemDoubleClicked.connect(lambda _item: self.open_selected())
        buttons = QHBoxLayout()
        self.add_button = QPushButton(tr("Ajouter…"))
        self.open_button = QPushButton(tr("Ouvrir"))
        self.remove_button = QPushButton(tr("Retirer"))
        self.add_button.clicked.connect(lambda: self.add_files())
        self.open_button.clicked.connect(lambda: self.open_selected())
        self.remove_button.clicked.connect(lambda: self.remove_selected())
        for button in (self.add_button, self.open_button, self.remove_button):
            buttons.addWidget(button)
        layout.addWidget(self.caption)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self.set_owner(None, None, "")

    def set_owner(self, location: Optional[str], owner_uuid: Optional[str], name: str) -> None:
        self.location, self.owner_uuid = location, owner_uuid
        enabled = bool(location and owner_uuid)
        for button in (self.add_button, self.open_button, self.remove_button):
            button.setEnabled(enabled)
        self.caption.setText(tr("Pièces jointes de « {0} »").format(name) if enabled
                             else tr("Sélectionnez un seul objet enregistré dans la liste."))
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        if not (self.location and self.owner_uuid):
            return
        for item in attachments.list_for(self.location, self.owner_table, self.owner_uuid):
            entry = QListWidgetItem("%s (%s)" % (item.filename, attachments.human_size(item.size_bytes)))
            entry.setData(ATTACHMENT_ROLE, item)
            # rich text whose every part is escaped: the author's login is anyone's text
            entry.setToolTip("<p>%s</p>" % html.escape(tr("Ajoutée le {0} par {1}").format(
                (item.added_at or "")[:10], item.added_by or "")))
            self.list.addItem(entry)

    def selected(self):
        item = self.list.currentItem()
        return item.data(ATTACHMENT_ROLE) if item is not None else None

    def add_files(self) -> int:
        """Store the chosen files; returns how many were added (duplicates and refusals are said)."""
        if not (self.location and self.owner_uuid):
            return 0
        limit = Settings.load().attachment_max_mb * 1024 * 1024
        added, notes = 0, []
        for path in self.ask_files():
            try:
                result = attachments.add(self.location, self.owner_table, self.owner_uuid, path, limit, login())
            except StoreError as error:
                notes.append(message(error))
                continue
            if result.already_there:
                notes.append(tr("« {0} » est déjà jointe (même contenu).").format(result.attachment.filename))
            else:
                added += 1
        self.refresh()
        if notes:
            self.show_message("\n".join(notes))
        return added

    def open_selected(self) -> Optional[str]:
        chosen = self.selected()
        if chosen is None:
            return None
        try:
            path = attachments.export(self.location, chosen, tempfile.gettempdir() + "/resorption_sig")
        except (StoreError, OSError) as error:
            self.show_message(message(error) if isinstance(error, StoreError) else str(error))
            return None
        self.open_url(QUrl.fromLocalFile(str(path)))
        return str(path)

    def remove_selected(self) -> bool:
        chosen = self.selected()
        if chosen is None or not self.confirm(tr("Retirer « {0} » ? Le fichier reste dans l'historique du stockage.")
                                              .format(chosen.filename)):
            return False
        try:
            attachments.remove(self.location, chosen.uuid)
        except StoreError as error:
            self.show_message(message(error))
            return False
        self.refresh()
        return True

    def _ask_files(self) -> list:
        paths, _ = QFileDialog.getOpenFileNames(self, tr("Joindre des fichiers"), "",
                                                tr("Documents et photos (*.pdf *.jpg *.jpeg *.png *.odt *.docx "
                                                   "*.xlsx *.ods);;Tous les fichiers (*)"))
        return paths

    def _box(self, icon, text: str, buttons) -> int:
        box = QMessageBox(icon, tr("Pièces jointes"), text, buttons, self)
        box.setTextFormat(Qt.TextFormat.PlainText)   # file names are shown as typed, never read as HTML
        return box.exec()

    def _confirm(self, text: str) -> bool:
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        return self._box(QMessageBox.Icon.Question, text, buttons) == QMessageBox.StandardButton.Yes

    def _warn(self, text: str) -> None:
        self._box(QMessageBox.Icon.Warning, text, QMessageBox.StandardButton.Ok)
