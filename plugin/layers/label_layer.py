"""The labels of the sites (name, people), on a layer of their own shown only at large scales.

Labels on the Sites layer itself cost even when their scale range hides them:
QGIS prepares every feature for the labeling engine (symbol bounds, class
expression evaluated again) before it checks the scale, which made the default
style of 100,000 sites 40 % slower at full extent (docs/benchmarks.md, issue 3).
A layer hidden by its own scale range is not drawn at all. It reads the saved
rows of the same table, read-only, and is repainted whenever Sites is.
"""
from qgis.core import QgsMapLayer, QgsVectorLayer

from ..i18n import tr
from .styles import apply_style

# The most zoomed-out scale (1:60,000) at which site labels show: a commune, a few streets.
LABELS_MINIMUM_SCALE = 60000
LABELS_OF_PROPERTY = "resorption/labels_of"


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
