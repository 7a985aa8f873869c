"""Context for the map: the bundled communes as a light background, and a fitting project CRS."""
from qgis.core import (QgsCoordinateReferenceSystem, QgsCoordinateTransform,
                       QgsFillSymbol, QgsProject, QgsSingleSymbolRenderer,
                       QgsVectorLayer)

from ..assets import COMMUNES_REFERENCE
from ..i18n import tr
from ..model.territories import HEXAGONE, territory_at

COMMUNES_LAYER_PROPERTY = "resorption/background"


def add_communes(project: QgsProject) -> QgsVectorLayer:
    """The communes reference under the store's layers: grey outlines, no fill, read-only."""
    layer = QgsVectorLayer("%s|layername=communes" % COMMUNES_REFERENCE, tr("Communes (référentiel)"), "ogr")
    layer.setReadOnly(True)
    layer.setCustomProperty(COMMUNES_LAYER_PROPERTY, "communes")
    symbol = QgsFillSymbol.createSimple({"color": "0,0,0,0", "outline_color": "160,160,160,255",
                                         "outline_width": "0.15"})
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    project.addMapLayer(layer, False)
    project.layerTreeRoot().addLayer(layer)
    return layer


def suggest_crs(project: QgsProject, sites: QgsVectorLayer) -> None:
    """A new project gets the local projected CRS of where the sites are (Lambert-93 by default)."""
    epsg = HEXAGONE.epsg
    if sites.featureCount() > 0:
        to_wgs84 = QgsCoordinateTransform(sites.crs(), QgsCoordinateReferenceSystem("EPSG:4326"), project)
        centre = to_wgs84.transform(sites.extent().center())
        territory = territory_at(centre.x(), centre.y())
        epsg = territory.epsg if territory else epsg
    project.setCrs(QgsCoordinateReferenceSystem("EPSG:%d" % epsg))
