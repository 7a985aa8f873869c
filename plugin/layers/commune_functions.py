"""Expression functions deriving the commune of a geometry from the bundled reference.

Default values of insee_code, city_name and departement call them, so a site
placed or moved on the map gets its commune, offline.
"""
from qgis.core import Qgis, QgsExpression, QgsGeometry, QgsMessageLog, QgsWkbTypes
from qgis.utils import qgsfunction

from ..i18n import tr
from ..store.base import StoreError
from ..store.communes import reference

GROUP = "Résorption SIG"
ATTRIBUTES = {"insee": "insee", "name": "name", "departement": "departement"}


def commune_of(geometry: QgsGeometry):
    """The commune of a point, or of a polygon's inner point; None outside every commune."""
    if geometry is None or geometry.isNull() or geometry.isEmpty():
        return None
    point = geometry if geometry.type() == QgsWkbTypes.GeometryType.PointGeometry else geometry.pointOnSurface()
    location = point.asPoint()
    try:
        return reference().at(location.x(), location.y())
    except StoreError as error:
        QgsMessageLog.logMessage(error.message, GROUP, Qgis.MessageLevel.Critical)
        return None


@qgsfunction(args=2, group=GROUP, register=False, usesgeometry=False, referenced_columns=[])
def resorption_commune(values, feature, parent):
    """<h3>resorption_commune(géométrie, attribut)</h3>
    Commune (référentiel intégré au plugin) où se trouve un point, ou le point intérieur d'un polygone.
    <p>attribut : 'insee' (code INSEE), 'name' (nom) ou 'departement' (code du département).
    Renvoie NULL hors de toute commune.</p>
    <h4>Exemple</h4><code>resorption_commune($geometry, 'insee')</code> → '93066'"""
    geometry, attribute = values
    if attribute not in ATTRIBUTES:
        parent.setEvalErrorString(tr("Attribut inconnu : {0} (insee, name ou departement)").format(attribute))
        return None
    commune = commune_of(geometry)
    return None if commune is None else getattr(commune, ATTRIBUTES[attribute])


def register() -> None:
    QgsExpression.registerFunction(resorption_commune)


def unregister() -> None:
    QgsExpression.unregisterFunction(resorption_commune.name())
