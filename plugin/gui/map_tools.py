"""Map tools of the docks: a click gives a point in the layer's CRS to a callback."""
from typing import Callable

from qgis.core import QgsCoordinateTransform, QgsPointXY, QgsProject, QgsVectorLayer
from qgis.gui import QgsMapCanvas, QgsMapToolEmitPoint
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QCursor


class PointTool(QgsMapToolEmitPoint):
    """One click → `on_point(point in the layer's CRS)`; Échap gives the previous tool back."""

    def __init__(self, canvas: QgsMapCanvas, layer_getter: Callable[[], QgsVectorLayer],
                 on_point: Callable[[QgsPointXY], None]):
        super().__init__(canvas)
        self._layer = layer_getter
        self._on_point = on_point
        self.setCursor(QCursor(Qt.CursorShape.CrossCursor))
        self.canvasClicked.connect(self._clicked)

    def to_layer(self, point: QgsPointXY) -> QgsPointXY:
        layer = self._layer()
        transform = QgsCoordinateTransform(self.canvas().mapSettings().destinationCrs(), layer.crs(),
                                           QgsProject.instance())
        return transform.transform(point)

    def _clicked(self, point: QgsPointXY, button) -> None:
        if button == Qt.MouseButton.LeftButton and self._layer() is not None:
            self._on_point(self.to_layer(point))

    def keyPressEvent(self, event):  # noqa: N802 (Qt API)
        if event.key() == Qt.Key.Key_Escape:
            self.canvas().unsetMapTool(self)
        else:
            super().keyPressEvent(event)
