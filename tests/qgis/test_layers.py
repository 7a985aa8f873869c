"""Opening a store in QGIS: layers, aliases, widgets, defaults, constraints and rules at work."""
from qgis.core import (QgsAttributeEditorElement, QgsCoordinateReferenceSystem, QgsCoordinateTransform,
                       QgsFieldConstraints, QgsGeometry, QgsMapLayer, QgsMapRendererSequentialJob,
                       QgsMapSettings, QgsPointXY, QgsProject, QgsRectangle, QgsVectorLayerUtils)
from qgis.PyQt.QtCore import QSize

from plugin.layers import loader, styles
from plugin.model import schema


def new_site(layer, x, y, **values):
    feature = QgsVectorLayerUtils.createFeature(layer, QgsGeometry.fromPointXY(QgsPointXY(x, y)))
    for name, value in values.items():
        feature[name] = value
    return feature


def test_every_table_is_added_in_one_group(opened_store):
    store, layers = opened_store
    assert set(layers) == {t.name for t in schema.TABLES}
    group = QgsProject.instance().layerTreeRoot().findGroup(loader.group_name(store))
    assert group is not None
    assert [child.name() for child in group.children()][:3] == ["Sites — étiquettes", "Sites", "Terrains d'insertion"]
    assert loader.store_layers()[store.location]["sites"] is layers["sites"]


def test_fields_have_french_aliases_and_fitting_widgets(opened_store):
    _, layers = opened_store
    sites = layers["sites"]
    fields = sites.fields()
    assert sites.attributeAlias(fields.indexOf("population_minors")) == "Nombre de mineurs"
    status = sites.editorWidgetSetup(fields.indexOf("status"))
    assert status.type() == "ValueMap"
    assert {"Ouvert": "open"} in status.config()["map"]
    assert sites.editorWidgetSetup(fields.indexOf("built_at")).type() == "DateTime"
    assert sites.editorWidgetSetup(fields.indexOf("electricity_access")).config()["map"][0] == {"Oui": "true"}
    assert sites.editorWidgetSetup(fields.indexOf("comments")).config()["IsMultiline"] is True
    tabs = [tab.name() for tab in sites.editFormConfig().tabs()]
    assert tabs[:6] == ["Lieu", "Site", "Habitants", "Vie", "Justice", "Fermeture"]


def test_related_tables_are_edited_through_relation_editors(opened_store):
    _, layers = opened_store
    relations = QgsProject.instance().relationManager().referencedRelations(layers["insertion_sites"])
    assert {r.referencingLayer().customProperty(loader.TABLE_PROPERTY) for r in relations} == {
        "insertion_site_phases", "insertion_site_origins"}
    tab_names = [tab.name() for tab in layers["actions"].editFormConfig().tabs()]
    assert "Thématiques" in tab_names and "Financements" in tab_names
    # Where the people of a closed site went: the plugin's own table in the Fermeture tab (test_forms.py), no
    # relation editor of QGIS in the site's form.
    assert not [e for tab in layers["sites"].editFormConfig().tabs() for e in tab.children()
                if e.type() == QgsAttributeEditorElement.AttributeEditorType.AeTypeRelation]
    # In the related rows' forms, the parent is shown and picked by its name, not its uuid.
    origins = layers["insertion_site_origins"]
    for name in ("insertion_site_uuid", "site_uuid"):
        assert origins.editorWidgetSetup(origins.fields().indexOf(name)).type() == "RelationReference"


def test_free_text_fields_sit_under_the_personal_data_reminder(opened_store):
    _, layers = opened_store
    for tab in layers["sites"].editFormConfig().tabs():
        boxes = [e for e in tab.children() if e.type() == QgsAttributeEditorElement.AttributeEditorType.AeTypeContainer]
        free = {e.name() for box in boxes for e in box.children()}
        expected = {"Lieu": {"address", "address_details"}, "Site": {"reinstallation_comments", "comments"},
                    "Fermeture": {"closing_context"},
                    "Vie": {"water_access_type_details", "water_access_is_continuous_details",
                                          "water_access_is_unequal_details", "water_access_comments",
                                          "pest_animals_details"}}.get(tab.name(), set())
        assert free == expected, tab.name()
        assert all(box.name() == "Sans donnée personnelle : ni nom, ni naissance, ni nationalité" for box in boxes)


def test_a_new_site_gets_its_uuid_author_and_commune(opened_store):
    _, layers = opened_store
    feature = new_site(layers["sites"], 2.4530, 48.9105)
    assert len(feature["uuid"]) == 36 and "{" not in feature["uuid"]
    assert feature["insee_code"] == "93008" and feature["departement"] == "93"
    assert feature["city_name"] == "Bobigny"
    assert feature["status"] == "open"
    assert feature["created_by"]


def test_a_point_in_corsica_and_one_overseas_get_their_departement(opened_store):
    _, layers = opened_store
    assert new_site(layers["sites"], 8.7386, 41.9192)["departement"] == "2A"
    assert new_site(layers["sites"], 55.4481, -20.8821)["departement"] == "974"


def test_a_point_outside_every_commune_leaves_the_fields_empty(opened_store):
    _, layers = opened_store
    feature = new_site(layers["sites"], -5.5, 46.5)
    assert feature["insee_code"] is None or str(feature["insee_code"]) == "NULL"


def test_layer_constraints_refuse_what_the_rules_refuse(opened_store):
    _, layers = opened_store
    sites = layers["sites"]
    feature = new_site(sites, 2.4530, 48.9105, population_total=10, population_minors=12)
    index = sites.fields().indexOf("population_minors")
    ok, errors = QgsVectorLayerUtils.validateAttribute(sites, feature, index,
                                                       QgsFieldConstraints.ConstraintStrength.ConstraintStrengthHard)
    assert not ok
    assert any("Le nombre de mineurs dépasse le nombre de personnes" in e for e in errors)
    feature["population_minors"] = 4
    assert QgsVectorLayerUtils.validateAttribute(sites, feature, index,
                                                 QgsFieldConstraints.ConstraintStrength.ConstraintStrengthHard)[0]


def test_saving_through_qgis_records_the_author_and_the_store_keeps_history(opened_store):
    store, layers = opened_store
    sites = layers["sites"]
    sites.startEditing()
    sites.addFeature(new_site(sites, 2.4530, 48.9105, name="Chemin des Vignes", population_total=30))
    assert sites.commitChanges(), sites.commitErrors()
    feature = next(sites.getFeatures())
    sites.startEditing()
    sites.changeAttributeValue(feature.id(), sites.fields().indexOf("population_total"), 35)
    assert sites.commitChanges(), sites.commitErrors()
    connection = store.connect()
    row = connection.execute("SELECT population_total, row_version, updated_by, created_by FROM sites").fetchone()
    assert row[:2] == (35, 2)
    assert row[2] == row[3] != schema.EXTERNAL_AUTHOR
    assert connection.execute("SELECT population_total, changed_by FROM sites_history").fetchone() == (30, row[2])


def test_the_store_refuses_a_bad_save_and_the_edit_buffer_keeps_it(opened_store):
    store, layers = opened_store
    sites = layers["sites"]
    sites.startEditing()
    bad = new_site(sites, 2.4530, 48.9105, built_at="2999-01-01")
    sites.addFeature(bad)
    assert not sites.commitChanges()
    assert any("sites_built_at_future" in error for error in sites.commitErrors())
    assert sites.isEditable() and sites.editBuffer().addedFeatures()
    sites.rollBack()
    assert store.connect().execute("SELECT count(*) FROM sites").fetchone()[0] == 0


def test_map_layers_get_their_styles(opened_store):
    _, layers = opened_store
    assert layers["sites"].renderer().type() == "categorizedSymbol"
    assert len(layers["sites"].renderer().categories()) >= 6
    assert not layers["sites"].labelsEnabled()  # on their own layer, see below
    symbol_layers = [layer.layerType() for layer in layers["insertion_sites"].renderer().symbol().symbolLayers()]
    assert "LinePatternFill" in symbol_layers


def labels_drawn(layers, labels, scale):
    """The label texts QGIS places when it draws the store's map at `scale` around Bobigny."""
    settings = QgsMapSettings()
    settings.setOutputSize(QSize(400, 300))
    settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:2154"))
    settings.setLayers([labels, layers["sites"]])
    centre = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), settings.destinationCrs(),
                                    QgsProject.instance()).transform(QgsPointXY(2.4530, 48.9105))
    half_width = scale * 400 * 0.0254 / 96 / 2  # metres for 400 px at 96 dpi
    settings.setExtent(QgsRectangle(centre.x() - half_width, centre.y() - half_width,
                                    centre.x() + half_width, centre.y() + half_width))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    return sorted(label.labelText for label in job.takeLabelingResults().allLabels())


def test_site_labels_show_at_large_scales_only_and_follow_saved_edits(opened_store):
    _, layers = opened_store
    labels = next(layer for layer in QgsProject.instance().mapLayers().values()
                  if layer.customProperty(styles.LABELS_OF_PROPERTY) == "sites")
    sites = layers["sites"]
    sites.startEditing()
    sites.addFeature(new_site(sites, 2.4530, 48.9105, name="Le Pont", population_total=40))
    assert sites.commitChanges(), sites.commitErrors()
    assert labels.readOnly() and not labels.flags() & QgsMapLayer.LayerFlag.Identifiable
    assert labels_drawn(layers, labels, 20000) == ["Le Pont\n40 pers."]
    assert labels_drawn(layers, labels, 250000) == []  # a département: points only, nothing prepared
    sites.startEditing()
    sites.changeAttributeValue(next(sites.getFeatures()).id(), sites.fields().indexOf("population_total"), None)
    assert sites.commitChanges()
    assert labels_drawn(layers, labels, 20000) == ["Le Pont\npopulation n.c."]


def test_a_new_project_is_set_in_lambert_93(opened_store):
    assert QgsProject.instance().crs().authid() == "EPSG:2154"


def test_the_communes_background_sits_under_the_store(opened_store):
    from plugin.layers.background import add_communes
    layer = add_communes(QgsProject.instance())
    assert layer.isValid() and layer.featureCount() > 34000 and layer.readOnly()
    assert QgsProject.instance().layerTreeRoot().children()[-1].layer() is layer


def test_opening_a_store_adds_the_communes_of_its_departements_with_their_names(new_store, qgis_new_project):
    from plugin.layers import background, commune_functions
    commune_functions.register()
    sites = loader.load_store(new_store, QgsProject.instance())["sites"]
    assert not [layer for layer in QgsProject.instance().mapLayers().values()
                if layer.customProperty(background.COMMUNES_LAYER_PROPERTY)]   # no site: no département yet
    sites.startEditing()
    for x, y in ((2.4530, 48.9105), (5.3800, 43.2960)):     # Bobigny (93), Marseille (13)
        assert sites.addFeature(new_site(sites, x, y))
    assert sites.commitChanges()
    QgsProject.instance().removeAllMapLayers()
    loader.load_store(new_store, QgsProject.instance())
    communes = [layer for layer in QgsProject.instance().mapLayers().values()
                if layer.customProperty(background.COMMUNES_LAYER_PROPERTY)]
    assert len(communes) == 1
    layer = communes[0]
    assert {f["departement"] for f in layer.getFeatures()} == {"13", "93"}
    assert "La Courneuve" in {f["nom"] for f in layer.getFeatures()}
    assert QgsProject.instance().layerTreeRoot().children()[-1].layer() is layer   # under the store
    names = layer.labeling().settings()
    assert layer.labelsEnabled() and names.fieldName == "nom" and names.scaleVisibility
    assert names.minimumScale >= 50000   # shown at commune scale, not over the whole département
    commune_functions.unregister()


def test_the_web_basemap_is_off_by_default_and_added_when_chosen(new_store, qgis_new_project):
    from plugin.layers import background
    from plugin.settings import Settings
    rasters = lambda: [layer for layer in QgsProject.instance().mapLayers().values()  # noqa: E731
                       if layer.customProperty(background.BASEMAP_PROPERTY)]
    assert Settings().web_basemap == ""
    loader.load_store(new_store, QgsProject.instance())
    assert rasters() == []
    layer = background.add_basemap(QgsProject.instance(), "plan_ign")
    assert rasters() == [layer] and layer.providerType() == "wms" and "type=xyz" in layer.source()
    assert "PLANIGNV2" in layer.source() and layer.name() == "Plan IGN"
    assert QgsProject.instance().layerTreeRoot().children()[-1].layer() is layer


def test_related_rows_are_named_by_their_values_not_their_uuid(opened_store):
    _, layers = opened_store
    assert layers["sites"].displayExpression() == '"name"'
    assert "represent_value(\"phase\")" in layers["insertion_site_phases"].displayExpression()
    assert "finance_type" in layers["action_finances"].displayExpression()
