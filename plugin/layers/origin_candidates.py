"""The sites a terrain's households may come from: those of its département, nearest first."""
from dataclasses import dataclass
from typing import List, Optional

from qgis.core import (QgsDistanceArea, QgsExpression, QgsFeatureRequest, QgsGeometry, QgsProject,
                       QgsVectorLayer)

from ..i18n import tr


@dataclass(frozen=True)
class Candidate:
    uuid: str
    label: str
    metres: Optional[float]


def distance_text(metres: Optional[float]) -> str:
    if metres is None:
        return ""
    if metres < 1000:
        return tr("{0} m").format(int(round(metres, -1)))
    return tr("{0} km").format(("%.1f" % (metres / 1000)).replace(".", ","))


def origin_candidates(sites: QgsVectorLayer, departement: Optional[str],
                      terrain: Optional[QgsGeometry]) -> List[Candidate]:
    """The sites of `departement` (every site when it is unknown), nearest `terrain` first, then by name."""
    request = QgsFeatureRequest()
    if departement:
        request.setFilterExpression('"departement" = %s' % QgsExpression.quotedValue(departement))
    measure = QgsDistanceArea()
    measure.setSourceCrs(sites.crs(), QgsProject.instance().transformContext())
    measure.setEllipsoid("EPSG:7019")
    centre = terrain.centroid().asPoint() if terrain is not None and not terrain.isEmpty() else None
    found = []
    for feature in sites.getFeatures(request):
        geometry = feature.geometry()
        metres = measure.measureLine(centre, geometry.asPoint()) \
            if centre is not None and not geometry.isEmpty() else None
        name = feature["name"] or tr("(sans nom)")
        label = "%s — %s" % (name, feature["city_name"] or "")
        if metres is not None:
            label += " (%s)" % distance_text(metres)
        found.append(Candidate(feature["uuid"], label, metres))
    found.sort(key=lambda c: (c.metres is None, c.metres or 0, c.label.casefold()))
    return found
