"""The plugin object: its menu, settings published to forms, and a clean unload."""
import os

from qgis.core import QgsExpressionContextUtils
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtWidgets import QToolBar

from plugin.gui.settings_dialog import SettingsDialog
from plugin.settings import Settings


def menu_texts(iface):
    return [action.text() for action in iface.mainWindow().menuBar().actions() if action.isVisible()]


def test_the_menu_offers_the_store_commands(plugin, iface):
    assert "Résorption SIG" in menu_texts(iface)
    texts = [a.text() for a in plugin.menu.actions() if a.text()]
    for expected in ("Nouveau stockage…", "Ouvrir un stockage…", "Sites", "Terrains d'insertion", "Synthèse",
                     "Préparer la carte COPIL…", "Paramètres…"):
        assert expected in texts
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


def test_the_web_basemap_is_chosen_in_the_settings_off_by_default(qgis_new_project):
    dialog = SettingsDialog()
    choices = [dialog.webBasemap.itemText(i) for i in range(dialog.webBasemap.count())]
    assert choices == ["Aucun (hors ligne)", "Plan IGN", "OpenStreetMap"]
    assert dialog.webBasemap.currentIndex() == 0
    dialog.webBasemap.setCurrentIndex(2)
    dialog.settings().save()
    assert Settings.load().web_basemap == "osm"
    Settings().save()


def test_unload_removes_menu_toolbar_and_variables(iface, monkeypatch):
    from plugin.main import ResorptionPlugin
    monkeypatch.delenv("TZ", raising=False)
    plugin = ResorptionPlugin(iface)
    plugin.initGui()
    assert os.environ["TZ"] == ":/etc/localtime"  # the same zone, read once (faster dates)
    plugin.unload()
    assert "TZ" not in os.environ
    assert "Résorption SIG" not in menu_texts(iface)
    assert not [bar for bar in iface.mainWindow().findChildren(QToolBar)
                if bar.objectName() == "ResorptionSigToolbar" and bar.isVisible()]
    assert QgsExpressionContextUtils.globalScope().variable("resorption_login") is None


def test_an_english_qgis_shows_the_plugin_in_english(iface):
    from qgis.core import QgsSettings

    from plugin import i18n
    from plugin.main import ResorptionPlugin
    QgsSettings().setValue("locale/userLocale", "en_GB")
    i18n.language.cache_clear()
    plugin = ResorptionPlugin(iface)
    try:
        plugin._install_translator()
        assert plugin.translator is not None
        assert [i18n.tr(text) for text in ("Nouveau stockage…", "Ouvrir un stockage…", "Paramètres…")] == [
            "New store…", "Open a store…", "Settings…"]
    finally:
        QCoreApplication.removeTranslator(plugin.translator)
        QgsSettings().remove("locale/userLocale")
        i18n.language.cache_clear()


def test_the_plugin_s_log_reaches_qgis_s_log_panel_while_it_is_loaded(iface):
    import logging

    from qgis.core import QgsApplication

    from plugin.main import ResorptionPlugin
    received = []

    def keep(message, tag, level):
        received.append((tag, message, level))

    log = QgsApplication.messageLog()
    log.messageReceived.connect(keep)
    plugin = ResorptionPlugin(iface)
    plugin.initGui()
    try:
        try:
            raise ValueError("valeur illisible")
        except ValueError:
            logging.getLogger("resorption_sig").exception("La synchronisation a échoué")
        logging.getLogger("resorption_sig").info("Stockage ouvert")
    finally:
        plugin.unload()
    logging.getLogger("resorption_sig").error("après le déchargement")
    log.messageReceived.disconnect(keep)
    ours = [(message, level) for tag, message, level in received if tag == "Résorption SIG"]
    assert [message.splitlines()[0] for message, _ in ours] == ["La synchronisation a échoué", "Stockage ouvert"]
    assert "ValueError: valeur illisible" in ours[0][0]
    from qgis.core import Qgis
    assert [level for _, level in ours] == [Qgis.MessageLevel.Critical, Qgis.MessageLevel.Info]
    assert not logging.getLogger("resorption_sig").handlers
