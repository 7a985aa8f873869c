"""The Processing provider "Résorption SIG": registered by the plugin at start, removed at unload."""
import os

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..assets import icon_path
from .candidate_terrains import CandidateTerrains
from .commune_density import CommuneDensity
from .neighbour_departements import NeighbourDepartements
from .services_distance import ServicesDistance
from .sites_landuse import SitesLandUse

ICON = "resorption.svg"


class ResorptionProvider(QgsProcessingProvider):

    def id(self):
        return "resorption"

    def name(self):
        return "Résorption SIG"

    def longName(self):
        return self.name()

    def icon(self):
        path = icon_path(ICON)
        # A missing icon must not keep the algorithms out of the toolbox.
        return QIcon(path) if os.path.isfile(path) else QgsProcessingProvider.icon(self)

    def svgIconPath(self):
        path = icon_path(ICON)
        return path if os.path.isfile(path) else QgsProcessingProvider.svgIconPath(self)

    def loadAlgorithms(self):
        for algorithm in (SitesLandUse(), CandidateTerrains(), CommuneDensity(), NeighbourDepartements(),
                          ServicesDistance()):
            self.addAlgorithm(algorithm)
