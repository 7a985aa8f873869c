"""The communes reference bundled with the plugin: which commune a point falls in, offline.

Built from the official communes (INSEE code, name, département, population,
boundaries in WGS 84) by `.ci/build.py assets`. Read through OGR, so it works
in QGIS, in the command line and in Processing alike.
"""
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

from ..assets import COMMUNES_REFERENCE
from .base import StoreError

LAYER = "communes"
DEPARTEMENTS_LAYER = "departements"


@dataclass(frozen=True)
class Commune:
    insee: str
    name: str
    departement: str
    population: Optional[int] = None


class CommunesReference:
    """Point-in-commune look-ups; one OGR dataset per thread (OGR handles are not shared)."""

    def __init__(self, path: Path = COMMUNES_REFERENCE):
        self.path = Path(path)
        if not self.path.is_file():
            raise StoreError(
                "Le référentiel des communes manque (%s) : lancez « .ci/setup »." % self.path,
                "The communes reference is missing (%s): run “.ci/setup”." % self.path)
        self._local = threading.local()

    def close(self) -> None:
        self._local = threading.local()

    def _layer(self):
        layer = getattr(self._local, "layer", None)
        if layer is None:
            from osgeo import ogr
            dataset = ogr.Open(str(self.path), 0)
            self._local.dataset = dataset
            layer = self._local.layer = dataset.GetLayerByName(LAYER)
        return layer

    def at(self, longitude: float, latitude: float) -> Optional[Commune]:
        """The commune containing the WGS 84 point, or None outside every commune."""
        from osgeo import ogr
        point = ogr.Geometry(ogr.wkbPoint)
        point.AddPoint_2D(float(longitude), float(latitude))
        layer = self._layer()
        layer.SetSpatialFilter(point)
        arrondissement = None
        try:
            for feature in layer:
                if feature.GetGeometryRef().Contains(point):
                    if feature.GetField("type") != "ARM":
                        return _commune(feature)
                    arrondissement = arrondissement or _commune(feature)
        finally:
            layer.SetSpatialFilter(None)
        # Paris, Lyon and Marseille: the commune, not its arrondissement, unless only that matches.
        return arrondissement

    def by_insee(self, insee: str) -> Optional[Commune]:
        """The commune (or municipal arrondissement) of this INSEE code."""
        layer = self._layer()
        layer.SetAttributeFilter("insee = '%s'" % insee.replace("'", ""))
        try:
            for feature in layer:
                return _commune(feature)
        finally:
            layer.SetAttributeFilter(None)
        return None

    def contains(self, insee: str, longitude: float, latitude: float) -> bool:
        """Whether the commune (or arrondissement) of this INSEE code contains the WGS 84 point."""
        from osgeo import ogr
        point = ogr.Geometry(ogr.wkbPoint)
        point.AddPoint_2D(float(longitude), float(latitude))
        layer = self._layer()
        layer.SetAttributeFilter("insee = '%s'" % insee.replace("'", ""))
        try:
            return any(feature.GetGeometryRef().Contains(point) for feature in layer)
        finally:
            layer.SetAttributeFilter(None)

    def of_departement(self, departement: str) -> List[Commune]:
        """The communes of a département (arrondissements excluded)."""
        layer = self._layer()
        layer.SetAttributeFilter("departement = '%s' AND type = 'COM'" % departement.replace("'", ""))
        try:
            return [_commune(feature) for feature in layer]
        finally:
            layer.SetAttributeFilter(None)

    def departement_names(self) -> Dict[str, str]:
        """{code: name} of every département (« 93 »: « Seine-Saint-Denis »)."""
        names = getattr(self._local, "departement_names", None)
        if names is None:
            self._layer()
            layer = self._local.dataset.GetLayerByName(DEPARTEMENTS_LAYER)
            if layer is None:
                raise StoreError("Le référentiel des communes n'a pas les départements (%s) : "
                                 "lancez « .ci/setup »." % self.path,
                                 "The communes reference lacks the départements (%s): run “.ci/setup”." % self.path)
            names = self._local.departement_names = {f.GetField("code"): f.GetField("nom") for f in layer}
        return names

    def departement_label(self, code: str) -> str:
        """« 93 – Seine-Saint-Denis », as territory lists show a département."""
        name = self.departement_names().get(code)
        return "%s – %s" % (code, name) if name else code


def _commune(feature) -> Commune:
    return Commune(feature.GetField("insee"), feature.GetField("nom"), feature.GetField("departement"),
                   feature.GetField("population"))


_shared: Optional[CommunesReference] = None


def reference() -> CommunesReference:
    """The bundled reference, opened once."""
    global _shared
    if _shared is None:
        _shared = CommunesReference()
    return _shared


def close() -> None:
    """Release the OGR handles before QGIS shuts GDAL down (else: a double free at exit)."""
    global _shared
    if _shared is not None:
        _shared.close()
        _shared = None
