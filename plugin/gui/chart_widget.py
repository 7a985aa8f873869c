"""A small two-line chart (sites and people per month), drawn with QPainter: no plotting library."""
from typing import List, Optional, Sequence, Tuple

from qgis.PyQt.QtCore import QPointF, QRectF, QSize, Qt
from qgis.PyQt.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from qgis.PyQt.QtWidgets import QSizePolicy, QToolTip, QWidget

from ..i18n import tr

SITES_COLOUR = QColor("#c0392b")
PEOPLE_COLOUR = QColor("#2c6fb7")
MONTHS_FR = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


def nice_ceiling(value: float) -> int:
    """The smallest of 1, 2, 2.5, 5 × 10^n at or above `value` (an axis maximum that reads well)."""
    if value <= 0:
        return 1
    step = 1
    while step * 10 <= value:
        step *= 10
    for factor in (1, 2, 2.5, 5, 10):
        if step * factor >= value:
            return int(step * factor)
    return int(step * 10)


def month_label(instant: str) -> str:
    return "%s %s" % (MONTHS_FR[int(instant[5:7]) - 1], instant[2:4])


class MonthlyChart(QWidget):
    """Sites (left scale, red) and people (right scale, blue) at the end of each month."""

    MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 44, 52, 22, 22

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.setObjectName("ResorptionMonthlyChart")
        self.points: List[Tuple[str, int, int]] = []
        self.message = tr("Calcul en cours…")
        self.note = ""
        self.setMinimumHeight(150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(320, 170)

    def set_series(self, series: Sequence[dict]) -> None:
        """[{"at": instant, "sites": n, "population_total": n}, …], oldest first."""
        self.points = [(p["at"], int(p["sites"]), int(p["population_total"])) for p in series]
        self.message = "" if self.points else tr("Aucune donnée")
        self.update()

    def set_note(self, text: str) -> None:
        """A remark printed over the plot (reconstructed months)."""
        self.note = text
        self.update()

    def set_message(self, text: str) -> None:
        self.message = text
        self.update()

    def _plot_area(self) -> QRectF:
        return QRectF(self.MARGIN_LEFT, self.MARGIN_TOP, max(1, self.width() - self.MARGIN_LEFT - self.MARGIN_RIGHT),
                      max(1, self.height() - self.MARGIN_TOP - self.MARGIN_BOTTOM))

    def _x(self, area: QRectF, index: int) -> float:
        count = len(self.points)
        return area.left() + (area.width() * index / (count - 1) if count > 1 else area.width() / 2)

    def paintEvent(self, event):  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        small = QFont(self.font())
        small.setPointSizeF(max(6.5, small.pointSizeF() * 0.8))
        painter.setFont(small)
        text_colour = self.palette().text().color()
        if self.message or not self.points:
            painter.setPen(text_colour)
            painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignCenter), self.message or tr("Aucune donnée"))
            painter.end()
            return
        area = self._plot_area()
        top_sites = nice_ceiling(max(p[1] for p in self.points))
        top_people = nice_ceiling(max(p[2] for p in self.points))
        grid = QPen(QColor(0, 0, 0, 40))
        for step in range(5):
            y = area.bottom() - area.height() * step / 4
            painter.setPen(grid)
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.setPen(SITES_COLOUR)
            painter.drawText(QRectF(0, y - 8, area.left() - 4, 16),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                             "{:,}".format(round(top_sites * step / 4)).replace(",", "\u202f"))
            painter.setPen(PEOPLE_COLOUR)
            painter.drawText(QRectF(area.right() + 4, y - 8, self.MARGIN_RIGHT - 4, 16),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             "{:,}".format(round(top_people * step / 4)).replace(",", "\u202f"))
        painter.setPen(text_colour)
        every = max(1, len(self.points) // 4)
        for index in range(len(self.points) - 1, -1, -every):
            x = self._x(area, index)
            painter.drawText(QRectF(x - 30, area.bottom() + 2, 60, 16), int(Qt.AlignmentFlag.AlignHCenter),
                             month_label(self.points[index][0]))
        for column, top, colour in ((1, top_sites, SITES_COLOUR), (2, top_people, PEOPLE_COLOUR)):
            path = QPainterPath()
            for index, point in enumerate(self.points):
                position = QPointF(self._x(area, index), area.bottom() - area.height() * point[column] / top)
                if index == 0:
                    path.moveTo(position)
                else:
                    path.lineTo(position)
            painter.setPen(QPen(colour, 2))
            painter.drawPath(path)
        painter.setPen(SITES_COLOUR)
        painter.drawText(QRectF(area.left(), 2, area.width() / 2, 16), int(Qt.AlignmentFlag.AlignLeft),
                         tr("— Sites ouverts"))
        painter.setPen(PEOPLE_COLOUR)
        painter.drawText(QRectF(area.center().x(), 2, area.width() / 2, 16), int(Qt.AlignmentFlag.AlignRight),
                         tr("— Personnes"))
        if self.note:
            painter.setPen(QColor("#6b6b6b"))
            painter.drawText(QRectF(area.left() + 4, area.top() + 2, area.width() - 8, area.height() / 2),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap), self.note)
        painter.end()

    def mouseMoveEvent(self, event):  # noqa: N802 (Qt API)
        if not self.points:
            return
        area = self._plot_area()
        count = len(self.points)
        index = round((event.pos().x() - area.left()) / area.width() * (count - 1)) if count > 1 else 0
        at, sites, people = self.points[min(max(index, 0), count - 1)]
        QToolTip.showText(event.globalPos(), tr("{0} : {1} sites, {2} personnes").format(
            "%s/%s" % (at[5:7], at[0:4]), sites, people), self)
