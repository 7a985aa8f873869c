"""The settings dialog (forms/settings.ui): who records, what is shown, limits."""
from qgis.PyQt import uic
from qgis.PyQt.QtWidgets import QDialog

from ..assets import FORMS
from ..settings import Settings

FORM_CLASS, _ = uic.loadUiType(str(FORMS / "settings.ui"))


class SettingsDialog(QDialog, FORM_CLASS):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setupUi(self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        settings = Settings.load()
        self.login.setText(settings.login)
        self.outOfDateMonths.setValue(settings.out_of_date_months)
        self.attachmentMaxMb.setValue(settings.attachment_max_mb)
        self.showJustice.setChecked(settings.show_justice)

    def settings(self) -> Settings:
        settings = Settings.load()
        settings.login = self.login.text().strip()
        settings.out_of_date_months = self.outOfDateMonths.value()
        settings.attachment_max_mb = self.attachmentMaxMb.value()
        settings.show_justice = self.showJustice.isChecked()
        return settings
