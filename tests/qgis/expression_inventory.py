"""Every QGIS expression the plugin hands QGIS, read back from the layers and layouts as QGIS holds them."""
import re
from typing import Iterator, Tuple

from qgis.core import (QgsAttributeEditorContainer, QgsCategorizedSymbolRenderer, QgsFields,
                       QgsGraduatedSymbolRenderer, QgsHeatmapRenderer, QgsLayoutFrame, QgsLayoutItemLabel, QgsLayoutItemManualTable,
                       QgsProperty, QgsPropertyCollection, QgsRenderContext,
                       QgsRuleBasedLabeling, QgsRuleBasedRenderer, QgsVectorLayer, QgsVectorLayerSimpleLabeling)

# An entry: (where, expression text).
Entry = Tuple[str, str]
TEMPLATE = re.compile(r"\[%(.*?)%\]", re.S)


def properties(where: str, collection: QgsPropertyCollection) -> Iterator[Entry]:
    for key in collection.propertyKeys():
        prop = collection.property(key)
        if prop.propertyType() == QgsProperty.Type.ExpressionBasedProperty:
            yield "%s property %s" % (where, key), prop.expressionString()


def symbols(where: str, symbol) -> Iterator[Entry]:
    if symbol is None:
        return
    yield from properties(where + " symbol", symbol.dataDefinedProperties())
    for index, symbol_layer in enumerate(symbol.symbolLayers()):
        yield from properties("%s symbol layer %d" % (where, index), symbol_layer.dataDefinedProperties())
        yield from symbols("%s sub-symbol %d" % (where, index), symbol_layer.subSymbol())


def renderer_expressions(where: str, renderer) -> Iterator[Entry]:
    if isinstance(renderer, (QgsCategorizedSymbolRenderer, QgsGraduatedSymbolRenderer)):
        yield where + " class", renderer.classAttribute()
        items = renderer.categories() if isinstance(renderer, QgsCategorizedSymbolRenderer) else renderer.ranges()
        for item in items:
            yield from symbols(where + " class " + item.label(), item.symbol())
    elif isinstance(renderer, QgsRuleBasedRenderer):
        for rule in renderer.rootRule().descendants():
            if rule.filterExpression():
                yield where + " rule " + rule.label(), rule.filterExpression()
            yield from symbols(where + " rule " + rule.label(), rule.symbol())
    elif isinstance(renderer, QgsHeatmapRenderer):
        yield where + " weight", renderer.weightExpression()
    else:
        for symbol in renderer.symbols(QgsRenderContext()):
            yield from symbols(where, symbol)


def label_settings(where: str, settings) -> Iterator[Entry]:
    if settings.isExpression:
        yield where + " text", settings.fieldName
    yield from properties(where, settings.dataDefinedProperties())


def labeling_expressions(where: str, labeling) -> Iterator[Entry]:
    if isinstance(labeling, QgsVectorLayerSimpleLabeling):
        yield from label_settings(where, labeling.settings())
    elif isinstance(labeling, QgsRuleBasedLabeling):
        for rule in labeling.rootRule().descendants():
            if rule.filterExpression():
                yield where + " rule", rule.filterExpression()
            if rule.settings():
                yield from label_settings(where + " rule", rule.settings())


def containers(where: str, container) -> Iterator[Entry]:
    for child in container.children():
        if isinstance(child, QgsAttributeEditorContainer):
            visibility = child.visibilityExpression()
            if visibility.enabled():
                yield "%s tab %s visibility" % (where, child.name()), visibility.data().expression()
            yield from containers(where, child)


def layer_expressions(layer: QgsVectorLayer) -> Iterator[Entry]:
    where = layer.name()
    fields = layer.fields()
    for index, field in enumerate(fields):
        constraint = layer.constraintExpression(index)
        if constraint:
            yield "%s.%s constraint" % (where, field.name()), constraint
        default = layer.defaultValueDefinition(index).expression()
        if default:
            yield "%s.%s default" % (where, field.name()), default
        if fields.fieldOrigin(index) == QgsFields.FieldOrigin.OriginExpression:
            yield "%s.%s virtual field" % (where, field.name()), layer.expressionField(index)
    if layer.displayExpression():
        yield where + " display", layer.displayExpression()
    if layer.subsetString() and layer.providerType() == "memory":
        yield where + " filter", layer.subsetString()
    if layer.renderer():
        yield from renderer_expressions(where + " style", layer.renderer())
    if layer.labeling():
        yield from labeling_expressions(where + " labels", layer.labeling())
    yield from containers(where, layer.editFormConfig().invisibleRootContainer())


def layout_expressions(layout) -> Iterator[Entry]:
    where = layout.name()
    atlas = layout.atlas()
    if atlas.enabled():
        for name, text in (("sort", atlas.sortExpression()), ("page name", atlas.pageNameExpression()),
                           ("filter", atlas.filterExpression())):
            if text:
                yield "%s atlas %s" % (where, name), text
    for item in layout.items():
        if not hasattr(item, "dataDefinedProperties"):
            continue
        name = "%s item %s" % (where, item.id() or type(item).__name__)
        yield from properties(name, item.dataDefinedProperties())
        if isinstance(item, QgsLayoutItemLabel):
            for match in TEMPLATE.finditer(item.text()):
                yield name + " text", match.group(1)
        if isinstance(item, QgsLayoutFrame) and isinstance(item.multiFrame(), QgsLayoutItemManualTable):
            for row in item.multiFrame().tableContents():
                for cell in row:
                    content = cell.content()
                    if (isinstance(content, QgsProperty)
                            and content.propertyType() == QgsProperty.Type.ExpressionBasedProperty):
                        yield name + " cell", content.expressionString()
