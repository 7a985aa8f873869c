"""How a store's layers look: the QML styles of resources/styles, their out-of-date cutoff, the sites' labels layer.

A cutoff is written into a style as a literal date: `now() - to_interval(…)` in a
rule is evaluated for every feature, and made the default rule-based style of
100,000 sites ten times slower than a single symbol (docs/benchmarks.md, issue 3).

The sites' labels are on a layer of their own, shown only at large scales. Labels
on the Sites layer itself cost even when their scale range hides them: QGIS
prepares every feature for the labeling engine (symbol bounds, class expression
evaluated again) before it checks the scale, which made the default style of
100,000 sites 40 % slower at full extent (docs/benchmarks.md, issue 3). A layer
hidden by its own scale range is not drawn at all. It reads the saved rows of the
same table, read-only, and is repainted whenever Sites is.
"""
from datetime import date
from pathlib import Path
from typing import Optional

from qgis.core import QgsMapLayer, QgsVectorLayer
from qgis.PyQt.QtXml import QDomDocument

from ..assets import style_path
from ..i18n import tr
from ..model import schema
from ..store.base import StoreError
from .listing import months_before

STYLE_CATEGORIES = QgsMapLayer.StyleCategory.Symbology | QgsMapLayer.StyleCategory.Labeling
CUTOFF_PLACEHOLDER = "{out_of_date_before}"

# The default style of each map table. The sites' one is categorized on one expression (faster to draw
# than rules); closed sites are its default category (value ''): a categorized renderer without one makes
# QGIS filter every feature by evaluating the whole expression once more (docs/benchmarks.md, issue 3).
DEFAULT_STYLES = {t.name: t.map_style for t in schema.TABLES if t.map_style}

# The most zoomed-out scale (1:60,000) at which site labels show: a commune, a few streets.
LABELS_MINIMUM_SCALE = 60000
LABELS_OF_PROPERTY = "resorption/labels_of"


def apply_style(layer: QgsVectorLayer, name: str, categories=STYLE_CATEGORIES) -> None:
    """Load resources/styles/<name>.qml (symbology and labels only: forms stay as configured)."""
    message, ok = layer.loadNamedStyle(style_path(name + ".qml"), categories=categories)
    if not ok:
        _refused(name, message)
    layer.triggerRepaint()


def apply_dated_style(layer: QgsVectorLayer, name: str, out_of_date_months: int,
                      today: Optional[date] = None) -> None:
    """Apply resources/styles/<name>.qml, its out-of-date placeholder replaced by the cutoff date."""
    text = Path(style_path(name + ".qml")).read_text(encoding="utf-8")
    if CUTOFF_PLACEHOLDER not in text:
        apply_style(layer, name)
        return
    cutoff = months_before(today or date.today(), out_of_date_months).isoformat()
    document = QDomDocument()
    document.setContent(text.replace(CUTOFF_PLACEHOLDER, cutoff))
    ok, message = layer.importNamedStyle(document, STYLE_CATEGORIES)
    if not ok:
        _refused(name, message)
    layer.triggerRepaint()


def _refused(name: str, message: str) -> None:
    raise StoreError("Le style %s n'a pas pu être appliqué : %s" % (name, message),
                     "The style %s could not be applied: %s" % (name, message))


def apply_default(layer: QgsVectorLayer, table_name: str) -> None:
    from ..settings import Settings
    apply_dated_style(layer, DEFAULT_STYLES[table_name], Settings.load().out_of_date_months)


def label_layer(sites: QgsVectorLayer, store_property: str) -> QgsVectorLayer:
    """A labels-only companion of `sites` (same source), not yet in the project."""
    layer = QgsVectorLayer(sites.source(), tr("Sites — étiquettes"), sites.providerType())
    layer.setCustomProperty(LABELS_OF_PROPERTY, "sites")
    layer.setCustomProperty(store_property, sites.customProperty(store_property))
    layer.setReadOnly(True)
    layer.setFlags(layer.flags() & ~QgsMapLayer.LayerFlag.Identifiable & ~QgsMapLayer.LayerFlag.Searchable)
    apply_style(layer, "sites_labels")
    layer.setScaleBasedVisibility(True)
    layer.setMinimumScale(LABELS_MINIMUM_SCALE)
    layer.setMaximumScale(0)
    sites.repaintRequested.connect(layer.triggerRepaint)
    return layer
