"""The services on the COPIL map: a discreet layer of the services, the sites far from one category
(« Sites à plus de 2 km d'une école ») ringed on the map and counted in the legend."""
from dataclasses import dataclass
from typing import Optional

from qgis.core import (QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsFeature, QgsLayoutItemLegend,
                       QgsLayoutItemMap, QgsMarkerSymbol, QgsProject, QgsSingleSymbolRenderer, QgsVectorLayer)

from ..layers import styles
from ..model import services as model
from ..model.territories import local_epsg
from ..store.base import Store
from .copil import LAYOUT_PROPERTY, CopilLayout, item, sql_literal

# Discreet: smaller than the sites' symbols and partly transparent, under the sites.
SERVICE_SYMBOL_SCALE = 0.6
SERVICE_OPACITY = 0.75


@dataclass
class FarSites:
    category: str
    threshold_m: int
    far: int
    sites: int

    @property
    def label(self) -> str:
        return far_label(self.category, self.threshold_m)


def far_label(category: str, threshold_m: int) -> str:
    """« Sites à plus de 2 km d'une école »."""
    article = {"water": "d'un point d'eau", "food": "d'une aide alimentaire", "health": "d'un lieu de soins",
               "school": "d'une école", "legal_aid": "d'un accès aux droits", "domiciliation": "d'une domiciliation",
               "shelter": "d'un hébergement", "sanitary": "de sanitaires"}.get(category, "d'un service")
    distance = "%g km" % (threshold_m / 1000) if threshold_m >= 1000 else "%d m" % threshold_m
    return "Sites à plus de %s %s" % (distance.replace(".", ","), article)


def services_layer(store: Store, departement: str, name: str) -> QgsVectorLayer:
    source = "%s|layername=services|geometrytype=Point|subset=\"departement\" = %s" % (
        store.location, sql_literal(departement))
    layer = QgsVectorLayer(source, name, "ogr")
    styles.apply_default(layer, "services")
    for category in layer.renderer().categories() if hasattr(layer.renderer(), "categories") else ():
        category.symbol().setSize(category.symbol().size() * SERVICE_SYMBOL_SCALE)
    layer.setOpacity(SERVICE_OPACITY)
    return layer


def far_sites(sites: QgsVectorLayer, services: QgsVectorLayer, category: str, threshold_m: int, epsg: int,
              project: QgsProject):
    """The open sites of the map farther than the threshold from any service of the category: (features, all)."""
    crs = QgsCoordinateReferenceSystem("EPSG:%d" % epsg)

    def points(layer, keep=lambda f: True):
        transform = QgsCoordinateTransform(layer.crs(), crs, project)
        found = []
        for feature in layer.getFeatures():
            if keep(feature) and feature.hasGeometry():
                point = transform.transform(feature.geometry().asPoint())
                found.append((feature, (point.x(), point.y())))
        return found

    site_points = points(sites)
    service_points = [xy for _f, xy in points(services, lambda f: f["category"] == category)]
    distances = model.nearest([xy for _f, xy in site_points], service_points, 0).distances
    far = [f for (f, _xy), d in zip(site_points, distances) if d is None or d > threshold_m]
    return far, len(site_points)


def add_services(made: CopilLayout, store: Store, project: QgsProject, category: str = "school",
                 threshold_m: Optional[int] = None) -> FarSites:
    """Add the services (discreet) and the far sites (ringed) to the map and the legend."""
    request = made.content.request
    threshold_m = threshold_m or model.far_threshold(category)
    name = made.layout.name()
    services = services_layer(store, request.departement, "Services")
    far, total = far_sites(made.layers.sites, services, category, threshold_m, local_epsg(request.departement),
                           project)
    result = FarSites(category, threshold_m, len(far), total)
    ringed = QgsVectorLayer("Point?crs=%s" % made.layers.sites.crs().authid(), result.label, "memory")
    ringed.dataProvider().addFeatures([QgsFeature(f) for f in far])
    ringed.setRenderer(QgsSingleSymbolRenderer(QgsMarkerSymbol.createSimple({
        "name": "circle", "color": "0,0,0,0", "outline_color": "213,94,0,255", "outline_width": "0.7",
        "size": "5.5"})))
    for layer in (services, ringed):
        layer.setCustomProperty(LAYOUT_PROPERTY, name)
        project.addMapLayer(layer, False)
    map_item = item(made.layout, "map", QgsLayoutItemMap)
    layers = map_item.layers()
    at = layers.index(made.layers.sites) if made.layers.sites in layers else 0
    map_item.setLayers(layers[:at] + [ringed, layers[at], services] + layers[at + 1:])
    legend = made.layout.itemById("legend")
    if isinstance(legend, QgsLayoutItemLegend):
        root = legend.model().rootGroup()
        root.insertLayer(0, ringed).setName("%s (%d)" % (result.label, result.far))
        root.addLayer(services).setName("Services")
        legend.refresh()
    return result
