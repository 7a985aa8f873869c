"""The plugin object: its menu, settings published to forms, and a clean unload."""
from qgis.core import QgsExpressionContextUtils
from qgis.PyQt.QtWidgets import QToolBar

from plugin.gui.settings_dialog import SettingsDialog
from plugin.settings import Settings


def menu_texts(iface):
    return [action.text() for action in iface.mainWindow().menuBar().actions() if action.isVisible()]


def test_the_menu_offers_the_store_commands(plugin, iface):
    assert "Résorption SIG" in menu_texts(iface)
    assert [a.text() for a in plugin.menu.actions() if a.text()][:3] == [
        "Nouveau stockage…", "Ouvrir un stockage…", "Paramètres…"]
    assert len(plugin.toolbar.actions()) >= 2


def test_settings_reach_the_forms_through_variables(plugin, qgis_new_project):
    dialog = SettingsDialog()
    dialog.login.setText("pref93.sig")
    dialog.showJustice.setChecked(True)
    dialog.settings().save()
    plugin._publish_settings()
    scope = QgsExpressionContextUtils.globalScope()
    assert scope.variable("resorption_login") == "pref93.sig"
    assert scope.variable("resorption_justice") == 1
    assert Settings.load().effective_login() == "pref93.sig"
    Settings().save()


def test_unload_removes_menu_toolbar_and_variables(iface):
    from plugin.main import ResorptionPlugin
    plugin = ResorptionPlugin(iface)
    plugin.initGui()
    plugin.unload()
    assert "Résorption SIG" not in menu_texts(iface)
    assert not [bar for bar in iface.mainWindow().findChildren(QToolBar)
                if bar.objectName() == "ResorptionSigToolbar" and bar.isVisible()]
    assert QgsExpressionContextUtils.globalScope().variable("resorption_login") is None
