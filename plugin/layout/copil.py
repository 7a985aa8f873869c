"""The COPIL print layout: a template filled from the sums engine, added to the project, exported to PDF.

Templates (resources/layouts/, edit them in QGIS's layout designer; the code
fills their items by id and never moves them):

* copil_a4.qpt, copil_a3.qpt (landscape) — the territory's page, also the
  page of the commune atlas:
    title, subtitle        labels: territory, dates
    map                    map: sites and terrains d'insertion in their styles, communes behind
    legend                 legend: the sites and terrains items present on the map
    scalebar, north_arrow  linked to `map`
    figures_table          frame of a manual table: the sums at the date, at the comparison
                           date and the change; movements between the dates; terrains d'insertion
    chart                  picture: sites and people per month over 24 months (SVG, chart.py)
    outcomes               label: where the people of the sites closed in the period went
    footer, confidential   labels: sources and date of extraction (and the note on reconstructed
                           figures); "Document de travail – ne pas diffuser"
* fiche_site_a4.qpt, fiche_site_a3.qpt — one page per site (site atlas):
    title, subtitle, map, scalebar, north_arrow, footer, confidential   as above
    site_identity, site_figures, site_conditions   labels (expressions, fiche.py)
    site_history           picture: the site's population per month over 24 months

The map shows the state at the map's date: the store's rows and their history
read through an SQL layer (the same state query as the sums engine), so the
points on the map are the sites counted in the table. These layers are added
to the project (not to the layer tree) and tagged with the layout's name;
rebuilding a layout of the same name replaces them.
"""
import json
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from qgis.core import (Qgis, QgsApplication, QgsCoordinateReferenceSystem, QgsCoordinateTransform,
                       QgsExpressionContextUtils, QgsFeedback, QgsFillSymbol, QgsLayoutExporter, QgsLayoutFrame,
                       QgsLayoutItemLabel, QgsLayoutItemLegend, QgsLayoutItemMap, QgsLayoutItemPicture,
                       QgsLayoutItemScaleBar, QgsLayoutObject, QgsLayoutTableColumn, QgsMapLayer,
                       QgsMapLayerLegendUtils,
                       QgsPalLayerSettings, QgsPrintLayout, QgsProject, QgsProperty, QgsReadWriteContext,
                       QgsRectangle, QgsSingleSymbolRenderer, QgsSymbolLayer, QgsSymbolLayerUtils,
                       QgsTableCell, QgsTask, QgsTextFormat, QgsUnitTypes, QgsVectorLayer,
                       QgsVectorLayerSimpleLabeling)
from qgis.PyQt.QtCore import QCoreApplication, Qt, QTimer
from qgis.PyQt.QtGui import QColor, QFont
from qgis.PyQt.QtXml import QDomDocument

from ..assets import COMMUNES_REFERENCE, LAYOUTS
from ..exchange.outputs import written_whole
from ..i18n import tr
from ..layers import styles
from ..model import schema
from ..model import sums as model
from ..model.territories import local_epsg
from ..store import sums_sql
from ..store.base import Store, StoreError
from . import chart, commune_labels, content, copil_dispositifs, fiche

LOG = logging.getLogger("resorption_sig")

LAYOUT_PROPERTY = "resorption/copil_layout"
# Layout variables of the atlases, suffixed with the commune's INSEE code or the site's uuid.
FIGURES_VARIABLE = "resorption_copil_figures_"
CHARTS_VARIABLE = "resorption_copil_chart_"
OUTCOMES_VARIABLE = "resorption_copil_outcomes_"
NORTH_ARROW_SVG = "arrows/NorthArrow_02.svg"
SECTION_BACKGROUND = QColor("#e6e6e6")
SITE_ATLAS_SCALE = 15000
COMMUNE_ATLAS_MARGIN = 0.12
MAP_MARGIN = 0.03

PAGE_ITEMS = ("title", "subtitle", "map", "legend", "scalebar", "north_arrow", "figures_table", "chart",
              "outcomes", "footer", "confidential")
FICHE_ITEMS = ("title", "subtitle", "map", "scalebar", "north_arrow", "site_identity", "site_figures",
               "site_conditions", "site_history", "footer", "confidential")


def template_path(kind: str, paper: str) -> Path:
    return LAYOUTS / ("%s_%s.qpt" % (kind, paper.lower()))


def layout_name(request: content.Request, territory: str) -> str:
    """« COPIL – Seine-Saint-Denis – 06/12/2026 », « COPIL atlas des communes – Bobigny, Bondy (93) – … »."""
    kind = {"commune": " atlas des communes", "site": " fiches sites"}.get(request.atlas, "")
    place = territory.strip("– ") if request.communes else content.departement_name(request.departement)
    return "COPIL%s – %s – %s" % (kind, place, content.french_date(request.at))


# --- layers ----------------------------------------------------------------------------------------

def sql_literal(value) -> str:
    if isinstance(value, (int, float)):
        return repr(value)
    return "'%s'" % str(value).replace("'", "''")


def state_sql(table: schema.Table, at: str, departement: str, communes: Sequence[str]) -> str:
    """The open features of `table` at `at` in the territory: the sums engine's state query,
    its parameters written in (a layer's subset string takes no parameters; the values were
    validated by Request.checked)."""
    query = sums_sql.Query(sums_sql.SqliteDialect())
    state = query.state(table.name, ["geom"] + list(table.field_names), at, sums_sql.Territory(departement))
    state = re.sub(r":(\w+)", lambda match: sql_literal(query.parameters[match.group(1)]), state)
    conditions = ["\"status\" = 'open'"]
    if communes:
        conditions.append('"insee_code" IN (%s)' % ", ".join(sql_literal(c) for c in communes))
    return "SELECT * FROM (%s) AS state WHERE %s" % (state, " AND ".join(conditions))


def state_layer(store: Store, table: schema.Table, request: content.Request, name: str) -> QgsVectorLayer:
    if store.provider() != "ogr":
        raise StoreError("La carte COPIL se prépare depuis un stockage GeoPackage.",
                         "The COPIL map is prepared from a GeoPackage store.")
    # The geometry type is given: OGR cannot tell it from an empty result (no site at that date).
    source = "%s|layername=%s|geometrytype=%s|subset=%s" % (
        store.location, table.name, table.geometry.capitalize(),
        state_sql(table, request.at, request.departement, request.communes))
    layer = QgsVectorLayer(source, name, "ogr")
    if not layer.isValid():
        raise StoreError("La table %s du stockage ne s'ouvre pas à la date demandée." % table.name,
                         "The table %s of the store does not open at the requested date." % table.name)
    styles.apply_default(layer, table.name)
    if table.name == "sites":
        # On the map of the QGIS project the site labels are a layer of their own (layers/styles.py); a print
        # layout draws its layers once per page, so the fiches' large-scale maps carry them here.
        styles.apply_style(layer, "sites_labels", QgsMapLayer.StyleCategory.Labeling)
    return layer


def communes_layer(name: str, subset: str, labelled: bool) -> QgsVectorLayer:
    layer = QgsVectorLayer("%s|layername=communes" % COMMUNES_REFERENCE, name, "ogr")
    if not layer.isValid():
        raise StoreError("Le référentiel des communes manque (%s) : lancez « .ci/setup »." % COMMUNES_REFERENCE,
                         "The communes reference is missing (%s): run “.ci/setup”." % COMMUNES_REFERENCE)
    layer.setSubsetString(subset)
    symbol = QgsFillSymbol.createSimple({"color": "248,248,246,255", "outline_color": "150,150,150,255",
                                         "outline_width": "0.2"})
    # On a page of the commune atlas, that commune's boundary stands out.
    this_commune = "\"insee\" = attribute(@atlas_feature, 'insee')"
    outline = symbol.symbolLayer(0)
    outline.setDataDefinedProperty(QgsSymbolLayer.Property.PropertyStrokeColor, QgsProperty.fromExpression(
        "CASE WHEN %s THEN '40,40,40,255' ELSE '150,150,150,255' END" % this_commune))
    outline.setDataDefinedProperty(QgsSymbolLayer.Property.PropertyStrokeWidth, QgsProperty.fromExpression(
        "CASE WHEN %s THEN 0.7 ELSE 0.2 END" % this_commune))
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    if labelled:
        settings = QgsPalLayerSettings()
        settings.fieldName = "nom"
        text = QgsTextFormat()
        text.setFont(QFont("DejaVu Sans"))
        text.setSize(6.5)
        text.setSizeUnit(QgsUnitTypes.RenderUnit.RenderPoints)
        text.setColor(QColor("#707070"))
        settings.setFormat(text)
        settings.placement = QgsPalLayerSettings.Placement.OverPoint
        settings.priority = 2
        layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
        layer.setLabelsEnabled(True)
    return layer


@dataclass
class ReportLayers:
    sites: QgsVectorLayer
    insertion_sites: QgsVectorLayer
    communes: QgsVectorLayer
    coverage: Optional[QgsVectorLayer] = None


def make_layers(store: Store, request: content.Request, communes_with_sites: Sequence[str],
                project: QgsProject, name: str) -> ReportLayers:
    """The layers of the layout, each handed to the project (tagged with the layout's name) as soon
    as it is made: the project owns them, and removes them all if one fails."""
    date = content.french_date(request.at)

    def owned(layer: QgsVectorLayer) -> QgsVectorLayer:
        layer.setCustomProperty(LAYOUT_PROPERTY, name)
        project.addMapLayer(layer, False)
        return layer

    try:
        layers = ReportLayers(
            owned(state_layer(store, schema.SITES, request, "Sites au %s" % date)),
            owned(state_layer(store, schema.INSERTION_SITES, request, "Terrains d'insertion au %s" % date)),
            owned(communes_layer("Communes", '"departement" = %s' % sql_literal(request.departement),
                                 labelled=request.atlas != "site")))
        if request.atlas == "commune":
            chosen = ", ".join(sql_literal(c) for c in communes_with_sites) or "''"
            layers.coverage = owned(communes_layer("Communes ayant des sites au %s" % date,
                                                   '"insee" IN (%s)' % chosen, labelled=False))
        elif request.atlas == "site":
            layers.coverage = layers.sites
    except StoreError:
        remove_layout(project, name)
        raise
    return layers


def remove_layout(project: QgsProject, name: str) -> None:
    """The layout of that name and the layers made for it."""
    manager = project.layoutManager()
    old = manager.layoutByName(name)
    if old is not None:
        manager.removeLayout(old)
    tagged = [layer.id() for layer in project.mapLayers().values() if layer.customProperty(LAYOUT_PROPERTY) == name]
    if tagged:
        project.removeMapLayers(tagged)


# --- the layout ------------------------------------------------------------------------------------

def load_template(project: QgsProject, kind: str, paper: str) -> QgsPrintLayout:
    path = template_path(kind, paper)
    document = QDomDocument()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise StoreError("Modèle de mise en page introuvable : %s" % path,
                         "Layout template not found: %s" % path) from None
    document.setContent(text)
    layout = QgsPrintLayout(project)
    _, ok = layout.loadFromTemplate(document, QgsReadWriteContext())
    if not ok:
        raise StoreError("Modèle de mise en page illisible : %s" % path, "Unreadable layout template: %s" % path)
    return layout


def item(layout: QgsPrintLayout, item_id: str, kind):
    found = layout.itemById(item_id)
    if not isinstance(found, kind):
        raise StoreError("Le modèle de mise en page n'a pas d'élément « %s »." % item_id,
                         "The layout template has no “%s” item." % item_id)
    return found


def set_label(layout: QgsPrintLayout, item_id: str, text: str) -> None:
    item(layout, item_id, QgsLayoutItemLabel).setText(text)


def item_size_mm(layout_item) -> tuple:
    rect = layout_item.rect()
    return rect.width(), rect.height()


def territory_extent(layer: QgsVectorLayer, crs: QgsCoordinateReferenceSystem, project: QgsProject) -> QgsRectangle:
    extent = QgsCoordinateTransform(layer.crs(), crs, project).transformBoundingBox(layer.extent())
    extent.grow(max(extent.width(), extent.height()) * MAP_MARGIN)
    return extent


def fitted(extent: QgsRectangle, width: float, height: float) -> QgsRectangle:
    """`extent` grown to the item's proportions, centred (the template's own extent may be empty,
    so QgsLayoutItemMap.zoomToExtent cannot take its proportions from it)."""
    centre = extent.center()
    map_width = max(extent.width(), extent.height() * width / height)
    map_height = map_width * height / width
    return QgsRectangle(centre.x() - map_width / 2, centre.y() - map_height / 2,
                        centre.x() + map_width / 2, centre.y() + map_height / 2)


def configure_map(layout: QgsPrintLayout, layers: ReportLayers, request: content.Request,
                  project: QgsProject) -> QgsLayoutItemMap:
    map_item = item(layout, "map", QgsLayoutItemMap)
    crs = QgsCoordinateReferenceSystem("EPSG:%d" % local_epsg(request.departement))
    map_item.setCrs(crs)
    map_item.setLayers([layers.sites, layers.insertion_sites, layers.communes])
    map_item.setKeepLayerSet(True)
    map_item.setExtent(fitted(territory_extent(layers.communes, crs, project), *item_size_mm(map_item)))
    for linked_id in ("scalebar", "north_arrow"):
        linked = layout.itemById(linked_id)
        if linked is not None:
            linked.setLinkedMap(map_item)
    arrow = layout.itemById("north_arrow")
    if isinstance(arrow, QgsLayoutItemPicture):
        arrow.setPicturePath(QgsSymbolLayerUtils.svgSymbolNameToPath(NORTH_ARROW_SVG, project.pathResolver()))
    bar = layout.itemById("scalebar")
    if isinstance(bar, QgsLayoutItemScaleBar):
        bar.update()
    return map_item


# The sites style's rule labels, as the COPIL legend shows them (only open sites are on the map).
SITE_LEGEND_LABELS = {
    "Ouvert, population inconnue": "Population inconnue",
    "Ouvert, moins de 10 personnes": "Moins de 10 personnes",
    "Ouvert, 10 à 49 personnes": "10 à 49 personnes",
    "Ouvert, 50 à 99 personnes": "50 à 99 personnes",
    "Ouvert, 100 personnes et plus": "100 personnes et plus",
    "À mettre à jour (ni modifié ni confirmé depuis 6 mois)": "À mettre à jour (6 mois sans nouvelles)",
}


def shorten_site_legend(legend: QgsLayoutItemLegend, node) -> None:
    """Short labels, and no entry for closed sites (the map shows none)."""
    model = legend.model()
    nodes = model.layerOriginalLegendNodes(node)
    kept = []
    for index, legend_node in enumerate(nodes):
        text = legend_node.data(Qt.ItemDataRole.DisplayRole)
        if text in SITE_LEGEND_LABELS:
            QgsMapLayerLegendUtils.setLegendNodeUserLabel(node, index, SITE_LEGEND_LABELS[text])
            kept.append(index)
    QgsMapLayerLegendUtils.setLegendNodeOrder(node, kept)
    model.refreshLayerLegend(node)


def configure_legend(layout: QgsPrintLayout, layers: ReportLayers, date: str) -> None:
    legend = item(layout, "legend", QgsLayoutItemLegend)
    # Off: the legend keeps its own tree (a copy of the project's), which then holds only these layers.
    legend.setAutoUpdateModel(False)
    root = legend.model().rootGroup()
    root.removeAllChildren()
    sites = root.addLayer(layers.sites)
    sites.setName("Sites ouverts au %s" % date)
    insertion = root.addLayer(layers.insertion_sites)
    insertion.setName("Terrains d'insertion ouverts")
    shorten_site_legend(legend, sites)
    legend.setLinkedMap(item(layout, "map", QgsLayoutItemMap))
    legend.setLegendFilterByMapEnabled(True)
    legend.refresh()


def table_of(layout: QgsPrintLayout):
    frame = item(layout, "figures_table", QgsLayoutFrame)
    return frame.multiFrame()


def fill_table(layout: QgsPrintLayout, header: content.Row, rows: List[content.Row],
               cell_expression=None) -> None:
    """Header and rows; with `cell_expression(row, column)`, the cells are QGIS expressions
    (the commune atlas: each page reads its commune's figures)."""
    table = table_of(layout)
    columns = []
    for index, title in enumerate((header.label, header.at, header.compare, header.change)):
        column = QgsLayoutTableColumn(title)
        column.setHAlignment(Qt.AlignmentFlag.AlignLeft if index == 0 else Qt.AlignmentFlag.AlignRight)
        columns.append(column)
    table.setHeaders(columns)
    bold = QgsTextFormat(table.contentTextFormat())
    font = bold.font()
    font.setBold(True)
    bold.setFont(font)
    contents = []
    for row_index, row in enumerate(rows):
        cells = []
        for column_index, text in enumerate((row.label, row.at, row.compare, row.change)):
            cell = QgsTableCell(text)
            if cell_expression is not None and column_index > 0 and not row.section:
                cell.setContent(QgsProperty.fromExpression(cell_expression(row_index, column_index)))
            cell.setHorizontalAlignment(Qt.AlignmentFlag.AlignLeft if column_index == 0
                                        else Qt.AlignmentFlag.AlignRight)
            if row.section:
                cell.setBackgroundColor(SECTION_BACKGROUND)
                cell.setTextFormat(bold)
            cells.append(cell)
        contents.append(cells)
    table.setTableContents(contents)
    table.refresh()


def set_picture(layout: QgsPrintLayout, item_id: str, svg_text: str) -> None:
    picture = item(layout, item_id, QgsLayoutItemPicture)
    picture.setPicturePath(chart.as_picture_source(svg_text), QgsLayoutItemPicture.Format.FormatSVG)


def set_picture_expression(layout: QgsPrintLayout, item_id: str, expression: str) -> None:
    picture = item(layout, item_id, QgsLayoutItemPicture)
    picture.setMode(QgsLayoutItemPicture.Format.FormatSVG)
    # Outside an atlas page (the designer, the layout's first refresh) there is no feature to read.
    guarded = "if(@atlas_feature IS NULL, '', %s)" % expression
    picture.dataDefinedProperties().setProperty(QgsLayoutObject.DataDefinedProperty.PictureSource,
                                                QgsProperty.fromExpression(guarded))
    picture.refreshDataDefinedProperty(QgsLayoutObject.DataDefinedProperty.PictureSource)


def chart_font(paper: str) -> float:
    return 7.0 * (1.25 if paper == "A3" else 1.0)


@dataclass
class CopilLayout:
    layout: QgsPrintLayout
    content: content.Content
    layers: ReportLayers
    pages: int                      # pages of the PDF (atlas features, or the layout's pages)
    atlas_keys: List[str] = field(default_factory=list)   # INSEE codes or site uuids, in page order


def commune_names(departement: str) -> Dict[str, str]:
    """{insee: name} of the département, read through QGIS (an osgeo handle kept by the communes
    look-up would outlive QGIS's GDAL at the exit of the command line)."""
    layer = communes_layer("communes", '"departement" = %s' % sql_literal(departement), labelled=False)
    return {feature["insee"]: feature["nom"] for feature in layer.getFeatures()}


def fill_layout(store: Store, request: content.Request, data: content.Content, layers: ReportLayers,
                with_sites: List[str], project: QgsProject, name: str):
    """The template loaded and filled: (layout, atlas keys)."""
    layout = load_template(project, "fiche_site" if request.atlas == "site" else "copil", request.paper)
    layout.setName(name)
    map_item = configure_map(layout, layers, request, project)
    if request.atlas != "site":
        commune_labels.apply(layers.communes, layers.sites, map_item.crs(), map_item.scale(), map_item.extent(),
                             with_sites, project)
    set_label(layout, "footer", data.footer + ("\n" + data.note[0].upper() + data.note[1:] + "." if data.note else ""))
    set_label(layout, "confidential", content.CONFIDENTIAL)
    if request.atlas == "site":
        keys = fill_site_atlas(layout, store, request, layers, map_item)
    else:
        set_label(layout, "title", data.title)
        set_label(layout, "subtitle", data.subtitle)
        set_label(layout, "outcomes", data.outcomes)
        configure_legend(layout, layers, content.french_date(request.at))
        fill_table(layout, data.header, data.rows)
        width, height = item_size_mm(item(layout, "chart", QgsLayoutItemPicture))
        set_picture(layout, "chart", chart.monthly_chart(data.series, width, height, chart_font(request.paper),
                                                         data.note))
        keys = fill_commune_atlas(layout, store, request, layers, map_item, data, with_sites) \
            if request.atlas == "commune" else []
        if request.dispositifs and not request.atlas:
            copil_dispositifs.add_page(layout, copil_dispositifs.gather(store, request.departement, request.at,
                                                                        request.compare), data.territory, request.paper)
    if request.atlas and not keys:
        raise StoreError("Aucun site ouvert au %s sur ce territoire : l'atlas serait vide."
                         % content.french_date(request.at),
                         "No open site on %s in this territory: the atlas would be empty."
                         % content.french_date(request.at))
    return layout, keys


def build(store: Store, request: content.Request, project: Optional[QgsProject] = None,
          stamp: Optional[str] = None) -> CopilLayout:
    """The COPIL layout for `request` (checked here), added to the project's layout manager."""
    project = project or QgsProject.instance()
    request = request.checked()
    names = commune_names(request.departement)
    if not names:
        raise StoreError("Département inconnu : « %s » (aucune commune dans le référentiel)" % request.departement,
                         "Unknown département: “%s” (no municipality in the reference)" % request.departement)
    data = content.gather(store, request, names, stamp)
    with sums_sql.connection_of(store) as connection:
        with_sites = content.communes_with_sites(connection, request)
    name = layout_name(request, data.territory)
    remove_layout(project, name)
    layers = make_layers(store, request, with_sites, project, name)
    try:
        layout, keys = fill_layout(store, request, data, layers, with_sites, project, name)
    except StoreError:
        remove_layout(project, name)    # nothing half-made stays in the project
        raise
    project.layoutManager().addLayout(layout)
    pages = len(keys) if request.atlas else layout.pageCollection().pageCount()
    return CopilLayout(layout, data, layers, pages, keys)


def enable_atlas(layout: QgsPrintLayout, coverage: QgsVectorLayer, sort_field: str, page_name: str) -> None:
    atlas = layout.atlas()
    atlas.setCoverageLayer(coverage)
    atlas.setHideCoverage(False)
    atlas.setSortFeatures(True)
    atlas.setSortExpression(sort_field)
    atlas.setPageNameExpression(page_name)
    atlas.setEnabled(True)


def fill_commune_atlas(layout: QgsPrintLayout, store: Store, request: content.Request, layers: ReportLayers,
                       map_item: QgsLayoutItemMap, data: content.Content, communes: List[str]) -> List[str]:
    """One page per commune having sites: title, map, table and chart of that commune."""
    figures, charts, outcomes = {}, {}, {}
    width, height = item_size_mm(item(layout, "chart", QgsLayoutItemPicture))
    with sums_sql.connection_of(store) as connection:
        blocks = content.commune_blocks(connection, request)
        for insee in communes:
            place = sums_sql.Territory(request.departement, insee)
            commune_figures = content.territory_figures(connection, request, [insee], blocks)
            rows = commune_figures.rows(request.at, request.compare)
            figures[insee] = {"%d.%d" % (r, c): text for r, row in enumerate(rows)
                              for c, text in enumerate((row.label, row.at, row.compare, row.change))}
            series = sums_sql.monthly_series(connection, request.at, content.SERIES_MONTHS, place)
            charts[insee] = chart.as_picture_source(chart.monthly_chart(series, width, height,
                                                                        chart_font(request.paper), data.note))
            outcomes[insee] = content.outcomes_text(sums_sql.outcomes_between(connection, request.compare,
                                                                              request.at, place))
    # One variable per commune (small): each cell reads its page's commune only.
    for insee in communes:
        QgsExpressionContextUtils.setLayoutVariable(layout, FIGURES_VARIABLE + insee,
                                                    json.dumps(figures[insee], ensure_ascii=False))
        QgsExpressionContextUtils.setLayoutVariable(layout, CHARTS_VARIABLE + insee, charts[insee])
        QgsExpressionContextUtils.setLayoutVariable(layout, OUTCOMES_VARIABLE + insee, outcomes[insee])
    key = "attribute(@atlas_feature, 'insee')"
    set_label(layout, "outcomes", "[%% var('%s' || %s) %%]" % (OUTCOMES_VARIABLE, key))
    fill_table(layout, data.header, data.rows, lambda r, c: "map_get(json_to_map(var('%s' || %s)), '%d.%d')"
               % (FIGURES_VARIABLE, key, r, c))
    set_picture_expression(layout, "chart", "var('%s' || %s)" % (CHARTS_VARIABLE, key))
    set_label(layout, "title", "Sites et terrains d'insertion – [% \"nom\" %] ([% \"insee\" %])")
    enable_atlas(layout, layers.coverage, '"insee"', '"nom"')
    map_item.setAtlasDriven(True)
    map_item.setAtlasScalingMode(QgsLayoutItemMap.AtlasScalingMode.Auto)
    map_item.setAtlasMargin(COMMUNE_ATLAS_MARGIN)
    return communes


def fill_site_atlas(layout: QgsPrintLayout, store: Store, request: content.Request, layers: ReportLayers,
                    map_item: QgsLayoutItemMap) -> List[str]:
    """One "fiche site" per open site at the date: identity, figures, living conditions, history."""
    set_label(layout, "title", fiche.title_text())
    set_label(layout, "subtitle", "Situation au %s – sites ouverts à la date" % content.french_date(request.at))
    set_label(layout, "site_identity", fiche.identity_text())
    set_label(layout, "site_figures", fiche.figures_text())
    set_label(layout, "site_conditions", fiche.conditions_text())
    features = sorted(((f["city_name"] or "", f["name"] or "", f["uuid"]) for f in layers.sites.getFeatures()))
    uuids = [uuid for _, _, uuid in features]
    width, height = item_size_mm(item(layout, "site_history", QgsLayoutItemPicture))
    ends = model.month_ends(request.at, content.SERIES_MONTHS)
    with sums_sql.connection_of(store) as connection:
        versions = fiche.site_versions(connection, uuids)
    charts = {uuid: chart.as_picture_source(chart.population_chart(
        fiche.population_history(versions[uuid], ends), width, height, chart_font(request.paper)))
        for uuid in uuids}
    for uuid, source in charts.items():
        QgsExpressionContextUtils.setLayoutVariable(layout, CHARTS_VARIABLE + uuid, source)
    set_picture_expression(layout, "site_history", "var('%s' || attribute(@atlas_feature, 'uuid'))" % CHARTS_VARIABLE)
    enable_atlas(layout, layers.coverage, "coalesce(\"city_name\", '') || ' ' || coalesce(\"name\", '') || \"uuid\"",
                 "coalesce(\"name\", \"uuid\")")
    map_item.setAtlasDriven(True)
    map_item.setAtlasScalingMode(QgsLayoutItemMap.AtlasScalingMode.Fixed)
    map_item.setScale(SITE_ATLAS_SCALE)
    return uuids


# --- export ------------------------------------------------------------------------------------------

def pdf_settings() -> QgsLayoutExporter.PdfExportSettings:
    settings = QgsLayoutExporter.PdfExportSettings()
    # Real text in the PDF: searchable, copyable, and what the tests read back.
    settings.textRenderFormat = Qgis.TextRenderFormat.AlwaysText
    settings.forceVectorOutput = True
    settings.rasterizeWholeImage = False
    settings.dpi = 300
    return settings


def export_pdf(layout: QgsPrintLayout, path: str, feedback: Optional[QgsFeedback] = None) -> None:
    """The layout (every atlas page when it has an atlas) to one PDF; StoreError on failure,
    and no partial file left behind."""
    target = Path(path)
    with written_whole(str(target)) as temporary:   # an earlier PDF of that name stays until the new one is whole
        _export_pdf(layout, temporary, target, feedback)
    LOG.info("COPIL PDF written: %s", target)


def _export_pdf(layout: QgsPrintLayout, temporary: str, target: Path, feedback: Optional[QgsFeedback]) -> None:
    if layout.atlas().enabled():
        result, error = QgsLayoutExporter.exportToPdf(layout.atlas(), temporary, pdf_settings(), feedback)
    else:
        result = QgsLayoutExporter(layout).exportToPdf(temporary, pdf_settings())
        error = ""
    if feedback is not None and feedback.isCanceled():
        raise StoreError("Export du PDF annulé.", "PDF export cancelled.")
    if result != QgsLayoutExporter.ExportResult.Success:
        export = QgsLayoutExporter.ExportResult
        reason = {export.FileError: ("impossible d'écrire le fichier", "the file cannot be written"),
                  export.PrintError: ("erreur d'impression", "printing error"),
                  export.MemoryError: ("mémoire insuffisante", "out of memory"),
                  export.IteratorError: ("atlas vide ou illisible", "empty or unreadable atlas"),
                  }.get(result, (error or "erreur inconnue", error or "unknown error"))
        raise StoreError("Le PDF %s n'a pas pu être créé : %s." % (target, reason[0]),
                         "The PDF %s could not be made: %s." % (target, reason[1]))


class CopilExportTask(QgsTask):
    """Exports a COPIL layout to PDF, its progress and cancel button in QGIS's task manager.

    QGIS draws layouts in the GUI thread only (its own "export layout to PDF" algorithms are
    flagged NoThreading), so the export runs there, on a copy of the layout taken at start
    (the user may go on editing it), handing the event loop back at each page so that the
    window stays responsive; the task's own thread only waits for it. `finished_with(ok,
    path, error)` is called in the GUI thread at the end."""

    def __init__(self, layout: QgsPrintLayout, path: str, finished_with=None):
        super().__init__(tr("Export du PDF COPIL : {0}").format(Path(path).name), QgsTask.Flag.CanCancel)
        self.layout_copy = layout.clone()
        self.path = path
        self.finished_with = finished_with
        self.error: Optional[StoreError] = None
        self.feedback = QgsFeedback()
        self.feedback.progressChanged.connect(self._progressed)
        self._exported = threading.Event()
        self._succeeded = False

    def start(self) -> None:
        """Queue the task and the export (from the GUI thread)."""
        QgsApplication.taskManager().addTask(self)
        QTimer.singleShot(0, self.export)

    def export(self) -> None:
        try:
            export_pdf(self.layout_copy, self.path, self.feedback)
            self._succeeded = True
        except StoreError as error:
            self.error = error
        except Exception as error:  # reported to the user, never lost in the event loop
            LOG.exception("COPIL PDF export failed")
            self.error = StoreError("Le PDF n'a pas pu être créé : %s" % error,
                                    "The PDF could not be made: %s" % error)
        finally:
            self._exported.set()

    def _progressed(self, value: float) -> None:
        self.setProgress(value)
        QCoreApplication.processEvents()

    def run(self) -> bool:
        self._exported.wait()
        return self._succeeded

    def cancel(self) -> None:
        self.feedback.cancel()
        super().cancel()

    def finished(self, result: bool) -> None:
        if self.finished_with is not None:
            self.finished_with(result, self.path, self.error)
