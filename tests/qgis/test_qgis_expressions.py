"""What the plugin hands QGIS parses on the running QGIS (3.22 is the oldest supported: no BETWEEN there),
and the demo data, valid by construction, passes every hard constraint of the forms."""
from pathlib import Path

import pytest
from qgis.core import (QgsExpression, QgsFieldConstraints, QgsProject, QgsVectorLayerUtils)

from expression_inventory import layer_expressions, layout_expressions
from plugin.assets import style_path
from plugin.layers import commune_functions, editing_session, expressions, loader, styles
from plugin.layout import content, copil
from test_copil import store  # noqa: F401 (the 93 demo store, a fixture)

STYLES = Path(style_path("sites_categorized.qml")).parent


@pytest.fixture
def demo_layers(store, qgis_new_project):
    commune_functions.register()
    expressions.register_functions()
    editing_session.start()
    layers = loader.load_store(store, QgsProject.instance())
    yield layers
    QgsProject.instance().removeAllMapLayers()
    QgsProject.instance().relationManager().clear()
    QgsProject.instance().layoutManager().clear()
    editing_session.stop()
    expressions.unregister_functions()
    commune_functions.unregister()


def unparsed(entries):
    failures = []
    for where, text in entries:
        expression = QgsExpression(text)
        if expression.hasParserError():
            failures.append("%s: %s → %s" % (where, text, expression.parserErrorString()))
    return failures


def test_every_expression_of_the_store_layers_parses(demo_layers):
    project_layers = QgsProject.instance().mapLayers().values()
    entries = [entry for layer in project_layers if layer.type() == layer.VectorLayer
               for entry in layer_expressions(layer)]
    for kind in ("constraint", "default", "display", "style", "labels", "visibility"):
        assert any(" %s" % kind in where for where, _ in entries), kind
    assert len(entries) > 200
    assert unparsed(entries) == []


@pytest.mark.parametrize("table, style", [("sites", path.stem) for path in STYLES.glob("sites_*.qml")]
                         + [("insertion_sites", path.stem) for path in STYLES.glob("insertion_sites*.qml")])
def test_every_style_a_user_can_choose_parses(demo_layers, table, style):
    layer = demo_layers[table]
    styles.apply_dated_style(layer, style, 12)
    entries = list(layer_expressions(layer))
    assert any(" style" in where or " labels" in where for where, _ in entries)
    assert unparsed(entries) == []


@pytest.mark.parametrize("atlas", [None, "commune", "site"])
def test_every_expression_of_the_copil_layouts_parses(store, demo_layers, atlas):
    request = content.Request(departement="93", at=content.model.parse_instant("2026-10-31"),
                              compare=content.model.parse_instant("2026-01-01"), atlas=atlas)
    made = copil.build(store, request, QgsProject.instance())
    entries = list(layout_expressions(made.layout))
    for layer in QgsProject.instance().mapLayers().values():
        if layer.customProperty(copil.LAYOUT_PROPERTY) == made.layout.name():
            entries += list(layer_expressions(layer))
    assert any(" style" in where for where, _ in entries)
    # The commune atlas's table reads each commune's figures through expressions.
    assert any(" cell" in where for where, _ in entries) == (atlas == "commune")
    assert unparsed(entries) == []


def test_every_demo_site_and_terrain_passes_every_hard_constraint(demo_layers):
    for table in ("sites", "insertion_sites", "insertion_site_phases", "insertion_site_origins",
                  "site_closing_outcomes"):
        layer = demo_layers[table]
        features = list(layer.getFeatures())
        assert features or table == "site_closing_outcomes", table
        for feature in features:
            for index in range(layer.fields().count()):
                ok, errors = QgsVectorLayerUtils.validateAttribute(
                    layer, feature, index, QgsFieldConstraints.ConstraintStrength.ConstraintStrengthHard,
                    QgsFieldConstraints.ConstraintOrigin.ConstraintOriginNotSet)
                assert ok, (table, layer.fields()[index].name(), feature[index], errors)
