"""Dock contents that scroll rather than push the main window past the bottom of a laptop's screen."""
from qgis.PyQt.QtWidgets import QFrame, QScrollArea, QWidget

# Narrower than this, the lists and filters of a dock are no longer readable: scroll sideways below it.
READABLE_WIDTH = 460


def scrollable(body: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(body)
    area.setMinimumWidth(min(body.minimumSizeHint().width(), READABLE_WIDTH))
    return area
