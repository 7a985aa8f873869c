"""Styles of the map layers (QML in resources/styles), applied when the layers are added."""
from qgis.core import QgsMapLayer, QgsVectorLayer

from ..assets import style_path
from ..model import schema
from ..store.base import StoreError

STYLE_CATEGORIES = QgsMapLayer.StyleCategories(QgsMapLayer.Symbology | QgsMapLayer.Labeling)


def apply_style(layer: QgsVectorLayer, name: str, categories=STYLE_CATEGORIES) -> None:
    """Load resources/styles/<name>.qml (symbology and labels only: forms stay as configured)."""
    message, ok = layer.loadNamedStyle(style_path(name + ".qml"), categories=categories)
    if not ok:
        raise StoreError("Le style %s n'a pas pu être appliqué : %s" % (name, message),
                         "The style %s could not be applied: %s" % (name, message))
    layer.triggerRepaint()


# The default style of each map table. The sites' one is categorized on one expression (faster to draw
# than rules); closed sites are its default category (value ''): a categorized renderer without one makes
# QGIS filter every feature by evaluating the whole expression once more (docs/benchmarks.md, issue 3).
DEFAULT_STYLES = {t.name: t.map_style for t in schema.TABLES if t.map_style}


def apply_default(layer: QgsVectorLayer, table_name: str) -> None:
    from ..settings import Settings
    from .site_styles import apply_dated_style
    apply_dated_style(layer, DEFAULT_STYLES[table_name], Settings.load().out_of_date_months)
