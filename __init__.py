"""QGIS entry point of Résorption SIG: classFactory only, importing the plugin lazily."""


def classFactory(iface):  # noqa: N802 (name required by QGIS)
    from .plugin.main import ResorptionPlugin
    return ResorptionPlugin(iface)
