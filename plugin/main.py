"""The plugin object QGIS drives: initGui wires menus, toolbar and registrations; unload undoes them."""
from typing import List

from qgis.core import QgsExpressionContextUtils
from qgis.PyQt.QtCore import QCoreApplication, QTranslator
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction, QMenu

from . import assets
from .i18n import language, tr
from .layers import commune_functions
from .settings import Settings

MENU_OBJECT_NAME = "ResorptionSigMenu"
GLOBAL_VARIABLES = ("resorption_login", "resorption_justice", "resorption_out_of_date_months")


class ResorptionPlugin:
    def __init__(self, iface):
        self.iface = iface
        self.actions: List[QAction] = []
        self.menu = None
        self.toolbar = None
        self.translator = None
        self.store_actions = None

    # --- wiring --------------------------------------------------------------------
    def initGui(self):  # noqa: N802 (QGIS API)
        self._install_translator()
        self._publish_settings()
        commune_functions.register()
        from .gui.store_actions import StoreActions
        self.store_actions = StoreActions(self.iface)

        self.menu = QMenu(tr("Résorption SIG"), self.iface.mainWindow())
        self.menu.setObjectName(MENU_OBJECT_NAME)
        self.toolbar = self.iface.addToolBar(tr("Résorption SIG"))
        self.toolbar.setObjectName("ResorptionSigToolbar")
        self._add_action("new_store.svg", tr("Nouveau stockage…"),
                         lambda: self.store_actions.new_store(), tr("Créer un stockage GeoPackage vide"))
        self._add_action("open_store.svg", tr("Ouvrir un stockage…"),
                         lambda: self.store_actions.open_store(), tr("Ajouter les couches d'un stockage au projet"))
        self.menu.addSeparator()
        settings_action = QAction(tr("Paramètres…"), self.iface.mainWindow())
        settings_action.triggered.connect(self.edit_settings)
        self.menu.addAction(settings_action)
        self.actions.append(settings_action)
        menu_bar = self.iface.mainWindow().menuBar()
        menu_bar.insertMenu(self.iface.firstRightStandardMenu().menuAction(), self.menu)

    def _add_action(self, icon: str, text: str, callback, tip: str) -> QAction:
        action = QAction(QIcon(assets.icon_path(icon)), text, self.iface.mainWindow())
        action.setToolTip(tip)
        action.triggered.connect(callback)
        self.menu.addAction(action)
        self.toolbar.addAction(action)
        self.actions.append(action)
        return action

    def _install_translator(self) -> None:
        qm = assets.I18N / ("resorption_sig_%s.qm" % language())
        if qm.exists():
            self.translator = QTranslator()
            if self.translator.load(str(qm)):
                QCoreApplication.installTranslator(self.translator)

    def _publish_settings(self) -> None:
        """Expression variables the forms and styles read (login, justice tab, out-of-date delay)."""
        settings = Settings.load()
        QgsExpressionContextUtils.setGlobalVariable("resorption_login", settings.effective_login())
        QgsExpressionContextUtils.setGlobalVariable("resorption_justice", int(settings.show_justice))
        QgsExpressionContextUtils.setGlobalVariable("resorption_out_of_date_months", settings.out_of_date_months)

    def edit_settings(self) -> None:
        from .gui.settings_dialog import SettingsDialog
        dialog = SettingsDialog(self.iface.mainWindow())
        if dialog.exec():
            dialog.settings().save()
            self._publish_settings()

    # --- undoing -----------------------------------------------------------------------
    def unload(self):
        for action in self.actions:
            self.iface.removeToolBarIcon(action)
            action.deleteLater()
        self.actions = []
        if self.menu is not None:
            self.menu.menuAction().setVisible(False)
            self.iface.mainWindow().menuBar().removeAction(self.menu.menuAction())
            self.menu.deleteLater()
            self.menu = None
        if self.toolbar is not None:
            self.iface.mainWindow().removeToolBar(self.toolbar)
            self.toolbar.deleteLater()
            self.toolbar = None
        commune_functions.unregister()
        for name in GLOBAL_VARIABLES:
            QgsExpressionContextUtils.removeGlobalVariable(name)
        if self.translator is not None:
            QCoreApplication.removeTranslator(self.translator)
            self.translator = None
        self.store_actions = None

