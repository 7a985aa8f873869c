"""The default map styles as readers see them: the Sites legend class of each site, and Sites vs Terrains
d'insertion kept apart for colour-blind readers and in greyscale (issue 3)."""
import contextlib
from datetime import date

import pytest
from qgis.core import QgsGeometry, QgsPointXY, QgsProject, QgsRenderContext, QgsVectorLayerUtils
from qgis.PyQt.QtCore import QSize

import colour_vision
from plugin.layers import edits
from plugin.layers.styles import apply_dated_style
from plugin.store.gpkg import connect

BOBIGNY = (2.4530, 48.9105)
TODAY = date(2026, 11, 23)

# Mean colours of the two layers must differ by ΔE*ab ≥ 20 for every reader: about ten times the
# just-noticeable difference (≈ 2.3), twice the ΔE ≈ 10 below which small map symbols start being
# confused. In greyscale only lightness is left: ΔL* ≥ 20, a fifth of the black-to-white range,
# a step that survives an office printer's dot gain.
LEAST_DELTA_E = 20.0
LEAST_GREY_STEP = 20.0


def add_site(layer, **values):
    feature = QgsVectorLayerUtils.createFeature(layer, QgsGeometry.fromPointXY(QgsPointXY(*BOBIGNY)), {},
                                                layer.createExpressionContext())
    for name, value in values.items():
        feature[name] = value
    assert layer.addFeature(feature)


def legend_entry(layer, name):
    """The legend label and the symbol the map draws for the site called `name` (edit buffer included)."""
    feature = next(layer.getFeatures("\"name\" = '%s'" % name))
    renderer = layer.renderer().clone()
    context = QgsRenderContext()
    context.setExpressionContext(layer.createExpressionContext())
    context.expressionContext().setFeature(feature)
    renderer.startRender(context, layer.fields())
    labels = {item.ruleKey(): item.label() for item in renderer.legendSymbolItems()}
    keys = renderer.legendKeysForFeature(feature, context)
    symbol = renderer.symbolForFeature(feature, context).clone()
    renderer.stopRender(context)
    assert len(keys) == 1, keys
    return labels[keys.pop()], symbol


def test_each_site_gets_its_legend_class_and_a_confirmation_in_the_edit_buffer_counts(opened_store):
    store, layers = opened_store
    sites = layers["sites"]
    sites.startEditing()
    add_site(sites, name="Ancien", population_total=12)
    add_site(sites, name="Récent", population_total=12)
    add_site(sites, name="Inconnu", population_total=None)
    add_site(sites, name="Fermé", status="resorbed", closed_at="2025-01-10", population_total=30)
    assert sites.commitChanges(), sites.commitErrors()
    with contextlib.closing(connect(store.location)) as connection:
        connection.execute("UPDATE sites SET updated_at = '2025-01-01T00:00:00.000Z' "
                           "WHERE name IN ('Ancien', 'Fermé')")
    sites.reload()
    apply_dated_style(sites, "sites_categorized", 6, today=TODAY)

    assert legend_entry(sites, "Ancien")[0] == "Ouvert, 10 à 49 personnes — à mettre à jour"
    assert legend_entry(sites, "Récent")[0] == "Ouvert, 10 à 49 personnes"
    assert legend_entry(sites, "Inconnu")[0] == "Ouvert, population inconnue"
    label, symbol = legend_entry(sites, "Fermé")
    outline = symbol.symbolLayer(0).strokeColor()
    assert label == "Site fermé"
    assert symbol.symbolLayer(0).color().alpha() == 0 and outline.red() == outline.green() == outline.blue()

    edits.confirm_unchanged(sites, [next(sites.getFeatures("\"name\" = 'Ancien'")).id()])
    assert legend_entry(sites, "Ancien")[0] == "Ouvert, 10 à 49 personnes"
    sites.rollBack()
    assert legend_entry(sites, "Ancien")[0] == "Ouvert, 10 à 49 personnes — à mettre à jour"


@pytest.fixture
def demo_layers(qgis_new_project, tmp_path):
    yield colour_vision.demo_layers(str(tmp_path))
    QgsProject.instance().removeAllMapLayers()


def test_sites_and_terrains_stay_apart_for_colour_blind_readers_and_in_greyscale(demo_layers):
    sites, terrains = demo_layers["sites"], demo_layers["insertion_sites"]
    size = QSize(300, 300)
    for extent in (colour_vision.render_extent([sites, terrains]), colour_vision.around(terrains, 1500)):
        sites_colour, sites_pixels = colour_vision.layer_colour(colour_vision.render([sites], extent, size, False))
        terrains_colour, terrains_pixels = colour_vision.layer_colour(
            colour_vision.render([terrains], extent, size, False))
        assert sites_pixels > 100 and terrains_pixels > 50
        seen = colour_vision.differences(sites_colour, terrains_colour)
        too_close = {view: round(delta_e, 1) for view, (delta_e, _) in seen.items() if delta_e < LEAST_DELTA_E}
        assert too_close == {}
        assert seen[colour_vision.GREYSCALE][1] >= LEAST_GREY_STEP, seen[colour_vision.GREYSCALE]
