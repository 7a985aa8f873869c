"""The administrator's dialog of a shared PostGIS store's access rights: who reads and writes which
territories, with which role, with or without the justice permission. It only calls store.access_rights;
PostgreSQL decides whether the connected login may change them."""
from typing import List, Optional

from qgis.PyQt.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                                 QHBoxLayout, QLabel, QLineEdit, QPushButton, QTableWidget, QTableWidgetItem,
                                 QVBoxLayout)

from ..i18n import message, pick, tr
from ..layers import pg_connections
from ..model import access
from ..store import access_rights
from ..store.base import StoreError
from ..store.postgis import display_location

COLUMNS = ("login", "role", "territories", "justice", "granted_by")


class AccessDialog(QDialog):
    def __init__(self, iface, location: Optional[str] = None, parent=None):
        super().__init__(parent or iface.mainWindow())
        self.setWindowTitle(tr("Droits d'accès au stockage partagé"))
        self.resize(760, 520)
        self.connectionCombo = QComboBox(self)
        try:
            self.connectionCombo.addItems(pg_connections.connection_names())
        except StoreError:
            pass
        self.location = location
        refresh = QPushButton(tr("Afficher les droits"), self)
        refresh.clicked.connect(self.refresh)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels([tr("Login"), tr("Rôle"), tr("Territoires"), tr("Procédures"),
                                              tr("Accordé par")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.itemSelectionChanged.connect(self._show_selected)
        self.loginEdit = QLineEdit(self)
        self.loginEdit.setToolTip(tr("Un login PostgreSQL existant (créé par l'administrateur de la base, ou par "
                                     "« python3 -m plugin access … grant … --create-login »)."))
        self.roleCombo = QComboBox(self)
        for role in access.ROLES:
            self.roleCombo.addItem(pick(*access.ROLE_LABELS[role]), role)
        self.departementsEdit = QLineEdit(self)
        self.departementsEdit.setPlaceholderText(tr("ex. 93, 2A, 974"))
        self.regionCombo = QComboBox(self)
        self.regionCombo.addItem("—", None)
        for code, (name, _) in sorted(access.REGIONS.items(), key=lambda item: item[1][0]):
            self.regionCombo.addItem("%s (%s)" % (name, code), code)
        self.nationalCheck = QCheckBox(tr("Tout le territoire national"), self)
        self.justiceCheck = QCheckBox(tr("Lit les procédures et l'identité du propriétaire"), self)
        self.organisationEdit = QLineEdit(self)
        self.organisationEdit.setToolTip(tr("Pour un opérateur : l'identifiant (uuid) de sa structure."))
        grant = QPushButton(tr("Donner ces droits"), self)
        grant.clicked.connect(self.grant)
        revoke = QPushButton(tr("Retirer tous ses droits"), self)
        revoke.clicked.connect(self.revoke)
        self.statusLabel = QLabel(self)
        self.statusLabel.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        connection_label = QLabel(tr("Connexion PostgreSQL"), self)
        top.addWidget(connection_label)
        top.addWidget(self.connectionCombo, 1)
        top.addWidget(refresh)
        form = QFormLayout()
        form.addRow(tr("Login"), self.loginEdit)
        form.addRow(tr("Rôle"), self.roleCombo)
        form.addRow(tr("Départements"), self.departementsEdit)
        form.addRow(tr("Région"), self.regionCombo)
        form.addRow("", self.nationalCheck)
        form.addRow("", self.justiceCheck)
        form.addRow(tr("Structure (opérateur)"), self.organisationEdit)
        actions = QHBoxLayout()
        actions.addWidget(grant)
        actions.addWidget(revoke)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 3)
        layout.addLayout(form)
        layout.addLayout(actions)
        layout.addWidget(self.statusLabel)
        layout.addWidget(buttons)
        if location is not None:
            connection_label.setText(tr("Stockage : {0}").format(display_location(location)))
            self.connectionCombo.hide()
            self.refresh()

    def shared_location(self) -> str:
        return self.location or pg_connections.location_of(self.connectionCombo.currentText())

    def _say(self, text: str, error: bool = False) -> None:
        self.statusLabel.setStyleSheet("color: #b00020;" if error else "")
        self.statusLabel.setText(text)

    def refresh(self) -> List[dict]:
        try:
            self.grants = access_rights.rights(self.shared_location())
        except StoreError as error:
            self._say(message(error), True)
            return []
        self.table.setRowCount(len(self.grants))
        for row, grant in enumerate(self.grants):
            territories = tr("national") if grant["national"] else ", ".join(grant["departements"])
            if grant["region"] in access.REGIONS and not grant["national"]:
                territories = "%s : %s" % (access.REGIONS[grant["region"]][0], territories)
            values = (grant["login"], pick(*access.ROLE_LABELS[grant["role"]]), territories,
                      tr("oui") if grant["justice"] else tr("non"), grant["granted_by"])
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        return self.grants

    def _show_selected(self) -> None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        if len(rows) != 1:
            return
        grant = self.grants[rows.pop()]
        self.loginEdit.setText(grant["login"])
        self.roleCombo.setCurrentIndex(self.roleCombo.findData(grant["role"]))
        self.departementsEdit.setText(", ".join(grant["departements"]))
        self.regionCombo.setCurrentIndex(max(0, self.regionCombo.findData(grant["region"])))
        self.nationalCheck.setChecked(grant["national"])
        self.justiceCheck.setChecked(grant["justice"])
        self.organisationEdit.setText(grant["organisation_uuid"] or "")

    def grant(self) -> bool:
        login = self.loginEdit.text().strip()
        if not login:
            self._say(tr("Saisissez le login."), True)
            return False
        codes = [c.strip().upper() for c in self.departementsEdit.text().replace(";", ",").split(",") if c.strip()]
        region, national = self.regionCombo.currentData(), self.nationalCheck.isChecked()
        return self._change(lambda: access_rights.grant(self.shared_location(), access_rights.Grant(
            login, self.roleCombo.currentData(), access_rights.territories(codes, region, national), national,
            region, self.justiceCheck.isChecked(), self.organisationEdit.text().strip() or None)),
            tr("Droits de {0} enregistrés.").format(login))

    def revoke(self) -> bool:
        login = self.loginEdit.text().strip()
        return self._change(lambda: access_rights.revoke(self.shared_location(), login),
                            tr("Droits de {0} retirés.").format(login))

    def _change(self, change, done: str) -> bool:
        """Run the change; PostgreSQL's refusal (or a bad entry) is shown in the dialog."""
        try:
            change()
        except StoreError as error:
            self._say(message(error), True)
            return False
        self.refresh()
        self._say(done)
        return True
