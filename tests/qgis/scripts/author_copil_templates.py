"""How resources/layouts/*.qpt were made: run once, then edit the templates in QGIS's layout designer.

    QT_QPA_PLATFORM=offscreen python3 tests/qgis/scripts/author_copil_templates.py [--copil-only]

The templates hold the look (positions, fonts, frames); plugin/layout/copil.py
fills their items by id (the ids are listed there). A3 is A4 scaled by √2,
its fonts by 1.25 (read from further away on a meeting-room wall).
"""
import sys
from pathlib import Path

from qgis.core import (QgsApplication, QgsLayoutItemLabel, QgsLayoutItemLegend, QgsLayoutItemManualTable,
                       QgsLayoutItemMap, QgsLayoutItemPage, QgsLayoutItemPicture, QgsLayoutItemScaleBar,
                       QgsLayoutMeasurement, QgsLayoutPoint, QgsLayoutSize, QgsLayoutFrame, QgsLegendStyle,
                       QgsPrintLayout, QgsProject, QgsReadWriteContext, QgsTextFormat, QgsUnitTypes,
                       QgsLayoutMultiFrame, QgsLayoutTableColumn, QgsTableCell, QgsScaleBarSettings,
                       QgsSymbolLayerUtils)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor, QFont

REPO = Path(__file__).resolve().parents[3]
LAYOUTS = REPO / "resources" / "layouts"
FONT = "DejaVu Sans"
PAPERS = {"a4": ("A4", 1.0, 1.0), "a3": ("A3", 2 ** 0.5, 1.25)}


class Author:
    def __init__(self, project, paper, scale, font_scale):
        self.layout = QgsPrintLayout(project)
        self.layout.initializeDefaults()
        page = self.layout.pageCollection().page(0)
        page.setPageSize(paper, QgsLayoutItemPage.Orientation.Landscape)
        self.scale, self.font_scale = scale, font_scale

    def place(self, item, item_id, x, y, width, height):
        item.setId(item_id)
        if item.scene() is None:    # a table's frame is already in the layout
            self.layout.addLayoutItem(item)
        item.attemptMove(QgsLayoutPoint(x * self.scale, y * self.scale, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
        item.attemptResize(QgsLayoutSize(width * self.scale, height * self.scale, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
        return item

    def text_format(self, size, bold=False, colour="#222222"):
        text = QgsTextFormat()
        font = QFont(FONT)
        font.setBold(bold)
        text.setFont(font)
        text.setSize(size * self.font_scale)
        text.setSizeUnit(QgsUnitTypes.RenderUnit.RenderPoints)
        text.setColor(QColor(colour))
        return text

    def label(self, item_id, text, x, y, width, height, size, bold=False, align=Qt.AlignmentFlag.AlignLeft, colour="#222222"):
        label = QgsLayoutItemLabel(self.layout)
        label.setText(text)
        font = QFont(FONT)
        font.setPointSizeF(size * self.font_scale)
        font.setBold(bold)
        label.setFont(font)
        label.setFontColor(QColor(colour))
        label.setHAlign(align)
        label.setVAlign(Qt.AlignmentFlag.AlignTop)
        label.setMarginX(0)
        label.setMarginY(0)
        return self.place(label, item_id, x, y, width, height)

    def map(self, x, y, width, height):
        item = QgsLayoutItemMap(self.layout)
        item.setFrameEnabled(True)
        item.setFrameStrokeWidth(QgsLayoutMeasurement(0.3, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
        return self.place(item, "map", x, y, width, height)

    def north_arrow(self, map_item, x, y, size):
        arrow = QgsLayoutItemPicture(self.layout)
        arrow.setPicturePath(QgsSymbolLayerUtils.svgSymbolNameToPath("arrows/NorthArrow_02.svg",
                                                                     QgsProject.instance().pathResolver()))
        arrow.setLinkedMap(map_item)
        arrow.setNorthMode(QgsLayoutItemPicture.NorthMode.GridNorth)
        return self.place(arrow, "north_arrow", x, y, size, size)

    def scale_bar(self, map_item, x, y, width, height):
        bar = QgsLayoutItemScaleBar(self.layout)
        bar.setStyle("Single Box")
        bar.setLinkedMap(map_item)
        bar.setUnits(QgsUnitTypes.DistanceUnit.DistanceKilometers)
        bar.setUnitLabel("km")
        bar.setMapUnitsPerScaleBarUnit(1)
        bar.setNumberOfSegmentsLeft(0)
        bar.setNumberOfSegments(2)
        bar.setSegmentSizeMode(QgsScaleBarSettings.SegmentSizeMode.SegmentSizeFitWidth)
        bar.setMinimumBarWidth(25 * self.scale)
        bar.setMaximumBarWidth(width * self.scale * 0.8)
        bar.setHeight(2 * self.scale)
        bar.setTextFormat(self.text_format(7))
        return self.place(bar, "scalebar", x, y, width, height)

    def legend(self, x, y, width, height, columns):
        legend = QgsLayoutItemLegend(self.layout)
        legend.setTitle("Légende")
        legend.setColumnCount(columns)
        legend.setSplitLayer(True)
        legend.setEqualColumnWidth(True)
        legend.setResizeToContents(False)
        legend.setSymbolWidth(4 * self.scale)
        legend.setSymbolHeight(3.5 * self.scale)
        legend.setFrameEnabled(False)
        for style, size, bold in ((QgsLegendStyle.Style.Title, 8, True), (QgsLegendStyle.Style.Group, 7.5, True),
                                  (QgsLegendStyle.Style.Subgroup, 7.5, True), (QgsLegendStyle.Style.SymbolLabel, 7, False)):
            font = QFont(FONT)
            font.setPointSizeF(size * self.font_scale)
            font.setBold(bold)
            legend.setStyleFont(style, font)
        return self.place(legend, "legend", x, y, width, height)

    def table(self, item_id, x, y, width, height, column_widths):
        table = QgsLayoutItemManualTable.create(self.layout)
        self.layout.addMultiFrame(table)
        frame = QgsLayoutFrame(self.layout, table)
        table.addFrame(frame)
        self.place(frame, item_id, x, y, width, height)
        table.setResizeMode(QgsLayoutMultiFrame.ResizeMode.UseExistingFrames)
        table.setHeaderTextFormat(self.text_format(7.5, bold=True))
        table.setContentTextFormat(self.text_format(7.5))
        table.setCellMargin(0.9 * self.scale)
        table.setGridStrokeWidth(0.15)
        table.setGridColor(QColor("#9a9a9a"))
        table.setHorizontalGrid(True)
        table.setVerticalGrid(False)
        table.setIncludeTableHeader(True)
        table.setColumnWidths([w * self.scale for w in column_widths])
        headers = []
        for index, title in enumerate(["", "au JJ/MM/AAAA", "au JJ/MM/AAAA", "Évolution"][:len(column_widths)]):
            column = QgsLayoutTableColumn(title)
            column.setHAlignment(Qt.AlignmentFlag.AlignLeft if index == 0 else Qt.AlignmentFlag.AlignRight)
            headers.append(column)
        table.setHeaders(headers)
        table.setTableContents([[QgsTableCell("")] * len(column_widths)])
        return frame

    def picture(self, item_id, x, y, width, height):
        picture = QgsLayoutItemPicture(self.layout)
        picture.setResizeMode(QgsLayoutItemPicture.ResizeMode.Zoom)
        return self.place(picture, item_id, x, y, width, height)

    def footer(self, height=6):
        self.label("footer", "Sources : … Extraction le …", 8, 206 - height, 215, height, 6.5, colour="#444444")
        self.label("confidential", "Document de travail – ne pas diffuser", 226, 200, 63, 6, 7.5, bold=True,
                   align=Qt.AlignmentFlag.AlignRight, colour="#a01010")

    def save(self, name):
        self.layout.setName(name)
        path = LAYOUTS / name
        if not self.layout.saveAsTemplate(str(path), QgsReadWriteContext()):
            raise SystemExit("could not write %s" % path)
        print("written", path)


def copil(project, key, paper, scale, font_scale):
    author = Author(project, paper, scale, font_scale)
    author.label("title", "Sites et terrains d'insertion …", 8, 6, 281, 8, 15, bold=True)
    author.label("subtitle", "Situation au …, comparée au …", 8, 14.5, 281, 6, 9.5, colour="#444444")
    map_item = author.map(8, 22, 166, 130)
    author.scale_bar(map_item, 8, 153, 70, 10)
    author.north_arrow(map_item, 163, 153, 10)
    author.label("outcomes", "Où sont allées les personnes des sites fermés sur la période", 8, 165, 166, 30, 6.5)
    author.table("figures_table", 180, 22, 109, 104, (49, 19, 19, 16))
    author.picture("chart", 180, 127, 109, 38)
    author.legend(180, 166, 109, 29, 2)
    author.footer(height=9)
    author.save("copil_%s.qpt" % key)


def site_fiche(project, key, paper, scale, font_scale):
    author = Author(project, paper, scale, font_scale)
    author.label("title", "Nom du site – Commune", 8, 6, 281, 8, 15, bold=True)
    author.label("subtitle", "Situation au …", 8, 14.5, 281, 6, 9.5, colour="#444444")
    map_item = author.map(8, 22, 130, 118)
    author.scale_bar(map_item, 8, 142, 60, 10)
    author.north_arrow(map_item, 127, 142, 11)
    author.label("site_identity", "Site", 8, 156, 130, 41, 7.5)
    author.label("site_figures", "Habitants", 144, 22, 70, 80, 7.5)
    author.label("site_conditions", "Conditions de vie", 219, 22, 70, 80, 7.5)
    author.picture("site_history", 144, 106, 145, 88)
    author.footer()
    author.save("fiche_site_%s.qpt" % key)


def main():
    app = QgsApplication([], False)
    app.initQgis()
    project = QgsProject.instance()
    LAYOUTS.mkdir(parents=True, exist_ok=True)
    for key, (paper, scale, font_scale) in PAPERS.items():
        copil(project, key, paper, scale, font_scale)
        if "--copil-only" not in sys.argv:
            site_fiche(project, key, paper, scale, font_scale)
    app.exitQgis()


if __name__ == "__main__":
    sys.exit(main())
