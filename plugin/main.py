"""The plugin object QGIS drives: initGui wires menus, toolbar and registrations; unload undoes them."""
from typing import List

from qgis.core import QgsApplication, QgsExpressionContextUtils
from qgis.PyQt.QtCore import QCoreApplication, QTranslator
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction, QMenu

from . import assets
from .gui import null_display, plugin_forms
from .i18n import language, tr
from .log import QgisLogging
from .layers import commune_functions, editing_session, expressions, local_time, pg_connections
from .settings import Settings
from .store import communes, use_qgis_connections

MENU_OBJECT_NAME = "ResorptionSigMenu"
GLOBAL_VARIABLES = ("resorption_login", "resorption_justice", "resorption_out_of_date_months",
                    "resorption_services_check_months")


class ResorptionPlugin:
    def __init__(self, iface):
        self.iface = iface
        self._forget()

    def _forget(self) -> None:
        """No reference to what initGui made (before it, and after unload)."""
        self.actions: List[QAction] = []
        self.menu = None
        self.toolbar = None
        self.translator = None
        self.store_actions = None
        self.processing_provider = None
        self.dock_manager = None
        self.synthesis = None
        self.copil_entry = None
        self.excel = None
        self.sync = None
        self.zone_set = False
        self.logging = None
        self.form_watcher = None

    # --- wiring --------------------------------------------------------------------
    def initProcessing(self):  # noqa: N802 (QGIS API: qgis_process calls it without initGui)
        if self.processing_provider is not None:
            return
        from .processing.provider import ResorptionProvider
        # Kept on self: without a Python reference the provider subclass is lost.
        self.processing_provider = ResorptionProvider()
        QgsApplication.processingRegistry().addProvider(self.processing_provider)

    def initGui(self):  # noqa: N802 (QGIS API)
        self.logging = QgisLogging()
        self.logging.start()
        self.zone_set = local_time.read_zone_once()
        self._install_translator()
        self._publish_settings()
        commune_functions.register()
        pg_connections.register()
        expressions.register_functions()
        editing_session.start()
        self.form_watcher = plugin_forms.FormWatcher()
        from .gui.copil_dialog import CopilMenuEntry
        from .gui.dock_manager import DockManager
        from .gui.excel_dialogs import ExcelManager
        from .gui.store_actions import StoreActions
        from .gui.sync_actions import SyncManager
        from .gui.synthesis_manager import SynthesisManager
        self.store_actions = StoreActions(self.iface)
        self.initProcessing()

        self.menu = QMenu(tr("Résorption SIG"), self.iface.mainWindow())
        self.menu.setObjectName(MENU_OBJECT_NAME)
        self.toolbar = self.iface.addToolBar(tr("Résorption SIG"))
        self.toolbar.setObjectName("ResorptionSigToolbar")
        self._add_action("new_store.svg", tr("Nouveau stockage…"),
                         lambda: self.store_actions.new_store(), tr("Créer un stockage vide : fichier GeoPackage ou base PostgreSQL (connexion QGIS)"))
        self._add_action("open_store.svg", tr("Ouvrir un stockage…"),
                         lambda: self.store_actions.open_store(), tr("Ajouter les couches d'un stockage au projet"))
        online_action = QAction(tr("Ouvrir une base PostgreSQL (en ligne)…"), self.iface.mainWindow())
        online_action.setToolTip(tr("Modifier directement le stockage partagé, sans copie de travail"))
        online_action.triggered.connect(lambda: self.store_actions.open_connection())
        self.menu.addAction(online_action)
        self.actions.append(online_action)

        self.dock_manager = DockManager(self.iface)
        self.dock_manager.create()
        self.menu.addSeparator()
        for action in self.dock_manager.actions:
            self.menu.addAction(action)
            self.toolbar.addAction(action)
        self.synthesis = SynthesisManager(self.iface)
        self.synthesis.create()
        for action in self.synthesis.actions:
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.copil_entry = CopilMenuEntry(self.iface)
        self.copil_entry.create(self.menu, self.toolbar)
        self.excel = ExcelManager()
        for action in self.excel.create(self.iface):
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.sync = SyncManager(self.iface)
        for action in self.sync.create():
            self.menu.addAction(action)
            self.toolbar.addAction(action)

        self.menu.addSeparator()
        access_action = QAction(tr("Droits d'accès (PostGIS)…"), self.iface.mainWindow())
        access_action.triggered.connect(self.edit_access)
        self.menu.addAction(access_action)
        self.actions.append(access_action)
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
        ours = {"resorption_login": settings.effective_login(),
                "resorption_justice": int(settings.show_justice),
                "resorption_out_of_date_months": settings.out_of_date_months,
                "resorption_services_check_months": settings.services_check_months}
        # One write of the global scope (each separate write saves QGIS's settings file).
        QgsExpressionContextUtils.setGlobalVariables(dict(self._other_global_variables(), **ours))

    @staticmethod
    def _other_global_variables() -> dict:
        scope = QgsExpressionContextUtils.globalScope()
        return {name: scope.variable(name) for name in scope.variableNames()
                if name not in GLOBAL_VARIABLES and not scope.isReadOnly(name)}

    def edit_settings(self) -> None:
        from .gui.settings_dialog import SettingsDialog
        dialog = SettingsDialog(self.iface.mainWindow())
        if dialog.exec():
            dialog.settings().save()
            self._publish_settings()

    def edit_access(self) -> None:
        from .gui.access_dialog import AccessDialog
        AccessDialog(self.iface).exec()

    # --- undoing -----------------------------------------------------------------------
    def unload(self):
        for manager in (self.sync, self.excel, self.copil_entry, self.synthesis, self.dock_manager):
            if manager is not None:
                manager.remove()
        if self.processing_provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.processing_provider)
        for action in self.actions:
            self.iface.removeToolBarIcon(action)
            action.deleteLater()
        if self.menu is not None:
            self.menu.menuAction().setVisible(False)
            self.iface.mainWindow().menuBar().removeAction(self.menu.menuAction())
            self.menu.deleteLater()
        if self.toolbar is not None:
            self.iface.mainWindow().removeToolBar(self.toolbar)
            self.toolbar.deleteLater()
        commune_functions.unregister()
        use_qgis_connections(None)
        expressions.unregister_functions()
        expressions.set_active_store(None)
        editing_session.stop()
        communes.close()
        QgsExpressionContextUtils.setGlobalVariables(self._other_global_variables())
        if self.translator is not None:
            QCoreApplication.removeTranslator(self.translator)
        local_time.restore(self.zone_set)
        if self.form_watcher is not None:
            self.form_watcher.stop()
        null_display.give_back()
        if self.logging is not None:
            self.logging.stop()
        self._forget()

