"""Context for the map: the bundled communes as a light background (names at commune scale), an optional
web basemap, and a fitting project CRS."""
from typing import Iterable, List, Optional

from qgis.core import (QgsCoordinateReferenceSystem, QgsCoordinateTransform,
                       QgsFillSymbol, QgsPalLayerSettings, QgsProject, QgsRasterLayer,
                       QgsSingleSymbolRenderer, QgsTextBufferSettings, QgsTextFormat,
                       QgsVectorLayer, QgsVectorLayerSimpleLabeling)
from qgis.PyQt.QtGui import QColor, QFont

from ..assets import COMMUNES_REFERENCE
from ..i18n import tr
from ..model.territories import HEXAGONE, territory_at

COMMUNES_LAYER_PROPERTY = "resorption/background"
DEPARTEMENTS_PROPERTY = "resorption/background_departements"
BASEMAP_PROPERTY = "resorption/basemap"
# The most zoomed-out scale at which commune names show: a few communes on screen.
COMMUNE_NAMES_MINIMUM_SCALE = 80000

# Web basemaps an officer with internet may add (Settings.web_basemap); off by default.
BASEMAPS = {
    "plan_ign": ("Plan IGN", "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                 "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&FORMAT=image/png"
                 "&TILEMATRIXSET=PM&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}", 19),
    "osm": ("OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", 19),
}


def _communes_layer(project: QgsProject) -> Optional[QgsVectorLayer]:
    return next((layer for layer in project.mapLayers().values()
                 if layer.customProperty(COMMUNES_LAYER_PROPERTY) == "communes"), None)


def _subset(departements: List[str]) -> str:
    if not departements:
        return ""
    return '"departement" IN (%s)' % ", ".join("'%s'" % code.replace("'", "''") for code in departements)


def _names_labeling() -> QgsVectorLayerSimpleLabeling:
    settings = QgsPalLayerSettings()
    settings.fieldName = "nom"
    text = QgsTextFormat()
    text.setFont(QFont("DejaVu Sans"))
    text.setSize(8)
    text.setColor(QColor(110, 110, 110))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    buffer.setColor(QColor(255, 255, 255, 200))
    text.setBuffer(buffer)
    settings.setFormat(text)
    settings.scaleVisibility = True
    settings.minimumScale = COMMUNE_NAMES_MINIMUM_SCALE
    settings.maximumScale = 0
    return QgsVectorLayerSimpleLabeling(settings)


def add_communes(project: QgsProject, departements: Iterable[str] = ()) -> QgsVectorLayer:
    """The communes of `departements` (all of them if none) under the store's layers: grey outlines, no fill,
    their names at commune scale, read-only. One layer per project: a second store widens it."""
    wanted = sorted({code for code in departements if code})
    layer = _communes_layer(project)
    if layer is not None:
        shown = layer.customProperty(DEPARTEMENTS_PROPERTY) or []
        if shown and wanted and set(wanted) - set(shown):
            merged = sorted(set(shown) | set(wanted))
            layer.setSubsetString(_subset(merged))
            layer.setCustomProperty(DEPARTEMENTS_PROPERTY, merged)
        return layer
    layer = QgsVectorLayer("%s|layername=communes" % COMMUNES_REFERENCE, tr("Communes (référentiel)"), "ogr")
    layer.setSubsetString(_subset(wanted))
    layer.setReadOnly(True)
    layer.setCustomProperty(COMMUNES_LAYER_PROPERTY, "communes")
    layer.setCustomProperty(DEPARTEMENTS_PROPERTY, wanted)
    symbol = QgsFillSymbol.createSimple({"color": "0,0,0,0", "outline_color": "160,160,160,255",
                                         "outline_width": "0.15"})
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    layer.setLabeling(_names_labeling())
    layer.setLabelsEnabled(True)
    project.addMapLayer(layer, False)
    project.layerTreeRoot().addLayer(layer)
    return layer


def add_basemap(project: QgsProject, key: str) -> Optional[QgsRasterLayer]:
    """The web basemap `key` of BASEMAPS at the very bottom (once per project), or None when `key` is not one."""
    if key not in BASEMAPS:
        return None
    existing = next((layer for layer in project.mapLayers().values()
                     if layer.customProperty(BASEMAP_PROPERTY) == key), None)
    if existing is not None:
        return existing
    name, url, zmax = BASEMAPS[key]
    source = "type=xyz&url=%s&zmax=%d&zmin=0" % (url.replace("&", "%26").replace("=", "%3D"), zmax)
    layer = QgsRasterLayer(source, name, "wms")
    layer.setCustomProperty(BASEMAP_PROPERTY, key)
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
