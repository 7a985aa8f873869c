"""Add a store's tables to the QGIS project, configured from the schema.

Layers carry custom properties (the table name and the store location) so
that the docks, and a project reopened later, find their store again.
"""
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from qgis.core import (QgsLayerTreeGroup, QgsProject, QgsRelation,
                       QgsVectorLayer)

from ..i18n import pick, tr
from ..model import schema
from ..store.base import Store, StoreError
from . import background, forms, pg_connections, styles
from .layer_properties import STORE_PROPERTY, TABLE_PROPERTY

MAP_TABLES = tuple(t.name for t in schema.TABLES if t.map_style)


def group_name(store: Store) -> str:
    return "Résorption SIG — %s" % Path(store.location).stem


def layer_source(store: Store, table: schema.Table) -> str:
    """The store's source for the table; a shared store on a QGIS connection through that connection."""
    connection = pg_connections.name_of(store.location) if store.provider() == pg_connections.PROVIDER else None
    if connection:
        return pg_connections.layer_source(connection, *store.layer_relation(table.name))
    return store.layer_source(table.name)


def make_layer(store: Store, table: schema.Table) -> QgsVectorLayer:
    layer = QgsVectorLayer(layer_source(store, table), pick(table.label, table.label_en), store.provider())
    if not layer.isValid():
        raise StoreError("La table %s du stockage ne s'ouvre pas dans QGIS." % table.name,
                         "The table %s of the store does not open in QGIS." % table.name)
    layer.setCustomProperty(TABLE_PROPERTY, table.name)
    layer.setCustomProperty(STORE_PROPERTY, store.location)
    if store.read_only:
        layer.setReadOnly(True)
    return layer


def child_relations(layers: Dict[str, QgsVectorLayer]) -> Dict[str, List[Tuple[QgsRelation, schema.Table]]]:
    """One relation per reference field (child.field → parent.uuid) with its child table, by parent table."""
    by_parent: Dict[str, List[Tuple[QgsRelation, schema.Table]]] = {}
    for table in schema.TABLES:
        for field in table.fields:
            if not field.references or table.name not in layers or field.references not in layers:
                continue
            relation = QgsRelation()
            relation.setId("resorption_%s_%s" % (table.name, field.name))
            relation.setName(pick(table.label, table.label_en))
            relation.setReferencingLayer(layers[table.name].id())
            relation.setReferencedLayer(layers[field.references].id())
            relation.addFieldPair(field.name, "uuid")
            owned = table.parent and table.parent[1] == field.name
            relation.setStrength(QgsRelation.RelationStrength.Composition if owned
                                 else QgsRelation.RelationStrength.Association)
            if relation.isValid():
                by_parent.setdefault(field.references, []).append((relation, table))
    return by_parent


def load_store(store: Store, project: Optional[QgsProject] = None) -> Dict[str, QgsVectorLayer]:
    """Add every table of the store to the project in one group; returns the layers by table name."""
    project = project or QgsProject.instance()
    new_project = not project.mapLayers()
    layers = {table.name: make_layer(store, table) for table in schema.TABLES}
    if new_project:
        # Before the layers go in: QGIS would otherwise take the first layer's WGS 84.
        background.suggest_crs(project, layers["sites"])
    project.addMapLayers(list(layers.values()), False)
    root = project.layerTreeRoot()
    group = root.insertGroup(0, group_name(store))
    for name in MAP_TABLES:
        group.addLayer(layers[name])
    tables_group: QgsLayerTreeGroup = group.addGroup(tr("Tables"))
    for table in schema.TABLES:
        if table.name not in MAP_TABLES:
            tables_group.addLayer(layers[table.name])
    tables_group.setExpanded(False)
    # Relations resolve their layers through the project: build them once the layers are in it.
    relations = child_relations(layers)
    manager = project.relationManager()
    for relation_list in relations.values():
        for relation, _child in relation_list:
            manager.addRelation(relation)
    for table in schema.TABLES:
        shown = relations.get(table.name, [])
        if table.name == "sites":
            # Origins and action links refer to sites too: those are edited from their own side.
            shown = [(relation, child) for relation, child in shown if child.parent == ("sites", "site_uuid")]
        forms.configure(layers[table.name], table, shown)
        if table.name in MAP_TABLES:
            styles.apply_default(layers[table.name], table.name)
    for relation_list in relations.values():
        for relation, child in relation_list:
            forms.show_referenced_by_name(relation, child)
    labels = styles.label_layer(layers["sites"], STORE_PROPERTY)
    project.addMapLayer(labels, False)
    group.insertLayer(0, labels)
    add_context(project, layers)
    return layers


def add_context(project: QgsProject, layers: Dict[str, QgsVectorLayer]) -> None:
    """Under the store: the communes of its départements, and the web basemap if the settings ask for one."""
    from ..settings import Settings
    departements = set()
    for name in MAP_TABLES:
        index = layers[name].fields().indexOf("departement")
        if index >= 0:
            departements |= {value for value in layers[name].uniqueValues(index) if value}
    if departements:
        background.add_communes(project, departements)
    background.add_basemap(project, Settings.load().web_basemap)


def store_layers(project: Optional[QgsProject] = None) -> Dict[str, Dict[str, QgsVectorLayer]]:
    """Layers of the project that belong to a store: {store location: {table: layer}}."""
    project = project or QgsProject.instance()
    found: Dict[str, Dict[str, QgsVectorLayer]] = {}
    for layer in project.mapLayers().values():
        table = layer.customProperty(TABLE_PROPERTY)
        location = layer.customProperty(STORE_PROPERTY)
        if table and location:
            found.setdefault(location, {})[table] = layer
    return found
