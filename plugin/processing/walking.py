"""Walking distances along a road layer the user provides (QGIS network analysis), in a local CRS."""
import math
from typing import List, Optional, Sequence, Tuple

from qgis.analysis import (QgsGraphAnalyzer, QgsGraphBuilder, QgsNetworkDistanceStrategy,
                           QgsVectorLayerDirector)
from qgis.core import QgsPointXY

Point = Tuple[float, float]


class WalkingNetwork:
    """The roads as a graph in `crs` (metres); both directions walkable."""

    def __init__(self, roads, crs, context, feedback):
        self.roads = roads
        self.crs = crs
        self.context = context
        self.feedback = feedback

    def nearest_walks(self, sites: Sequence[Point], services: Sequence[Point]) -> List[Optional[float]]:
        """For each site, the shortest walk (m) to any of `services`: to the network, along it, and from it
        to the service; None when no service is reachable."""
        if not sites or not services:
            return [None] * len(sites)
        director = QgsVectorLayerDirector(self.roads, -1, "", "", "", QgsVectorLayerDirector.Direction.DirectionBoth)
        director.addStrategy(QgsNetworkDistanceStrategy())
        builder = QgsGraphBuilder(self.crs, True, 0.5)
        wanted = [QgsPointXY(x, y) for x, y in list(sites) + list(services)]
        tied = director.makeGraph(builder, wanted, self.feedback)
        graph = builder.graph()
        vertices = [graph.findVertex(point) for point in tied]
        approach = [math.hypot(p.x() - t.x(), p.y() - t.y()) for p, t in zip(wanted, tied)]
        count = len(sites)
        service_vertices = list(zip(vertices[count:], approach[count:]))
        walks: List[Optional[float]] = []
        for index in range(count):
            if self.feedback.isCanceled() or vertices[index] < 0:
                walks.append(None)
                continue
            _tree, costs = QgsGraphAnalyzer.dijkstra(graph, vertices[index], 0)
            best = min((costs[vertex] + end for vertex, end in service_vertices
                        if vertex >= 0 and costs[vertex] != math.inf and costs[vertex] < 1e300), default=None)
            walks.append(round(best + approach[index], 1) if best is not None else None)
        return walks
