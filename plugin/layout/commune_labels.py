"""Where the communes' names go on a COPIL map: inside their commune, off every site symbol.

QGIS's label engine treats the site symbols as a cost, not a wall, and drops the
names it cannot place: on a busy département page, the communes with sites lost
their names or had them printed across symbols. Here each name gets a position
chosen on a grid inside its commune, as far as possible from every symbol (their
discs at the map's scale) and from the names already placed; the communes with
sites are placed first and shown, the others only where they fit.
"""
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from qgis.core import (QgsCoordinateTransform, QgsExpressionContext, QgsExpressionContextUtils, QgsFeatureRequest, QgsGeometry, QgsPalLayerSettings,
                       QgsPointXY, QgsProject, QgsProperty, QgsRectangle, QgsRenderContext,
                       QgsVectorLayer, QgsVectorLayerSimpleLabeling)

FONT_PT = 6.5
PT_MM = 0.3528
CHAR_WIDTH = 0.58           # of the font size, DejaVu Sans on average
LINE_HEIGHT = 1.25
GRID = 14                   # candidates per side of the commune's bounding box
MARGIN_MM = 0.6             # between a name and a symbol
FALLBACK_SYMBOL_MM = 4.0


@dataclass
class Placed:
    insee: str
    name: str
    box: QgsRectangle          # map CRS, metres
    clearance: float            # metres to the nearest symbol (negative: overlaps one)


def label_box(centre: QgsPointXY, text: str, metres_per_mm: float) -> QgsRectangle:
    half_width = len(text) * CHAR_WIDTH * FONT_PT * PT_MM * metres_per_mm / 2
    half_height = FONT_PT * PT_MM * LINE_HEIGHT * metres_per_mm / 2
    return QgsRectangle(centre.x() - half_width, centre.y() - half_height,
                        centre.x() + half_width, centre.y() + half_height)


def box_distance(box: QgsRectangle, x: float, y: float) -> float:
    dx = max(box.xMinimum() - x, 0.0, x - box.xMaximum())
    dy = max(box.yMinimum() - y, 0.0, y - box.yMaximum())
    return (dx * dx + dy * dy) ** 0.5


def boxes_apart(a: QgsRectangle, b: QgsRectangle) -> float:
    dx = max(a.xMinimum() - b.xMaximum(), b.xMinimum() - a.xMaximum(), 0.0)
    dy = max(a.yMinimum() - b.yMaximum(), b.yMinimum() - a.yMaximum(), 0.0)
    return max(dx, dy) if dx == 0.0 or dy == 0.0 else (dx * dx + dy * dy) ** 0.5


def symbol_discs(sites: QgsVectorLayer, transform: QgsCoordinateTransform, metres_per_mm: float
                 ) -> List[Tuple[float, float, float]]:
    """(x, y, radius) in the map CRS of every site symbol, its size read from the layer's renderer."""
    renderer = sites.renderer().clone()
    context = QgsRenderContext()
    context.setExpressionContext(QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(sites)))
    renderer.startRender(context, sites.fields())
    discs = []
    for feature in sites.getFeatures():
        if not feature.hasGeometry():
            continue
        context.expressionContext().setFeature(feature)
        symbol = renderer.symbolForFeature(feature, context)
        size = symbol.size() if symbol is not None and hasattr(symbol, "size") else FALLBACK_SYMBOL_MM
        point = transform.transform(feature.geometry().asPoint())
        discs.append((point.x(), point.y(), (size / 2 + MARGIN_MM) * metres_per_mm))
    renderer.stopRender(context)
    return discs


def place(communes: Sequence[Tuple[str, str, QgsGeometry]], discs: Sequence[Tuple[float, float, float]],
          metres_per_mm: float, first: Sequence[str], extent: QgsRectangle) -> List[Placed]:
    """A position for each commune's name (map CRS): on a grid inside the commune and within the
    map's `extent`, the one farthest from the symbols and from the names placed before it (the
    communes of `first` are placed first)."""
    ordered = sorted(communes, key=lambda c: (c[0] not in first, c[1]))
    placed: List[Placed] = []
    for insee, name, polygon in ordered:
        bounds = polygon.boundingBox()
        best: Optional[Tuple[float, QgsRectangle]] = None
        for i in range(GRID):
            for j in range(GRID):
                centre = QgsPointXY(bounds.xMinimum() + bounds.width() * (i + 0.5) / GRID,
                                    bounds.yMinimum() + bounds.height() * (j + 0.5) / GRID)
                if not polygon.contains(centre):
                    continue
                box = label_box(centre, name, metres_per_mm)
                if not extent.contains(box):
                    continue
                clearance = min([box_distance(box, x, y) - r for x, y, r in discs] or [float("inf")])
                clearance = min([clearance] + [boxes_apart(box, other.box) for other in placed])
                if best is None or clearance > best[0]:
                    best = (clearance, box)
        if best is None:        # a sliver narrower than the grid: its centroid
            centre = polygon.centroid().asPoint()
            box = label_box(centre, name, metres_per_mm)
            best = (min([box_distance(box, x, y) - r for x, y, r in discs] or [float("inf")]), box)
        placed.append(Placed(insee, name, best[1], best[0]))
    return placed


def apply(communes_layer: QgsVectorLayer, sites: QgsVectorLayer, map_crs, scale: float, extent: QgsRectangle,
          with_sites: Sequence[str], project: QgsProject) -> List[Placed]:
    """Place the names of `communes_layer` for a map at `scale` in `map_crs`: data-defined positions
    (in the layer's CRS), the communes with sites shown wherever they land, the others only where
    they fit."""
    metres_per_mm = scale / 1000.0
    to_map = QgsCoordinateTransform(communes_layer.crs(), map_crs, project)
    communes = []
    request = QgsFeatureRequest().setSubsetOfAttributes(["insee", "nom"], communes_layer.fields())
    for feature in communes_layer.getFeatures(request):
        geometry = QgsGeometry(feature.geometry())
        geometry.transform(to_map)
        communes.append((feature["insee"], feature["nom"], geometry))
    discs = symbol_discs(sites, QgsCoordinateTransform(sites.crs(), map_crs, project), metres_per_mm)
    placed = place(communes, discs, metres_per_mm, with_sites, extent)
    to_layer = QgsCoordinateTransform(map_crs, communes_layer.crs(), project)
    positions: Dict[str, Tuple[float, float, bool]] = {}
    for label in placed:
        centre = to_layer.transform(label.box.center())
        positions[label.insee] = (centre.x(), centre.y(), label.insee in with_sites or label.clearance >= 0)
    settings = QgsPalLayerSettings(communes_layer.labeling().settings())
    properties = settings.dataDefinedProperties()
    for key, index in ((QgsPalLayerSettings.Property.PositionX, 0), (QgsPalLayerSettings.Property.PositionY, 1)):
        properties.setProperty(key, QgsProperty.fromExpression(case_of(positions, index)))
    properties.setProperty(QgsPalLayerSettings.Property.Show, QgsProperty.fromExpression(case_of(positions, 2)))
    properties.setProperty(QgsPalLayerSettings.Property.Hali, QgsProperty.fromValue("Center"))
    properties.setProperty(QgsPalLayerSettings.Property.Vali, QgsProperty.fromValue("Half"))
    # The positions above keep the names apart and off the symbols: the engine draws them all.
    settings.displayAll = True
    communes_layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    return placed


def case_of(values: Dict[str, tuple], index: int, otherwise: str = "NULL") -> str:
    """An expression giving values["insee"][index] (numbers or booleans), `otherwise` for the others."""
    def literal(value):
        if isinstance(value, bool):
            return "true" if value else "false"
        return repr(float(value))
    pairs = ", ".join("'%s', %s" % (insee.replace("'", "''"), literal(value[index]))
                      for insee, value in values.items())
    return "coalesce(map_get(map(%s), \"insee\"), %s)" % (pairs, otherwise) if pairs else otherwise
