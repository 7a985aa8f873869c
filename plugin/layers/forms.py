"""Configure a QGIS layer from the schema: aliases, edit widgets, defaults, constraints, tabs.

Everything here follows from plugin/model/schema.py, so the forms, the store
and the imports apply the same rules with the same messages.
"""
from typing import Dict, List, Tuple

from qgis.core import (QgsAttributeEditorContainer, QgsAttributeEditorField,
                       QgsAttributeEditorRelation,
                       QgsDefaultValue, QgsEditFormConfig, QgsEditorWidgetSetup,
                       QgsExpression, QgsFieldConstraints, QgsOptionalExpression,
                       QgsRelation, QgsVectorLayer)

from ..i18n import pick, tr
from ..model import vocabularies
from ..model.rules import QGIS
from ..model.schema import TAB_CAPTIONS, Field, Kind, Tab, Table

# QGIS's value for NULL in a value map (QgsValueMapFieldFormatter::NULL_VALUE).
VALUE_MAP_NULL = "{2839923C-8B7D-419E-B84B-CA2FE9B80EC7}"

LOGIN_EXPRESSION = "coalesce(@resorption_login, @user_account_name)"
JUSTICE_VARIABLE = "resorption_justice"
READ_ONLY_FIELDS = ("uuid", "row_version", "created_at", "created_by", "updated_at", "updated_by",
                    "platform_id", "platform_updated_at",
                    "population_updated_at", "confirmed_at", "added_at", "added_by", "sha256", "size_bytes")
RELATION_EDITOR = "relation_editor"
DERIVED_FROM_GEOMETRY = {"insee_code": "insee", "city_name": "name", "departement": "departement"}


def label(field: Field) -> str:
    return pick(field.label, field.label_en)


def tab_caption(tab: Tab) -> str:
    return pick(*TAB_CAPTIONS[tab])


def yes_no_map(with_unknown: bool = True) -> List[Dict[str, str]]:
    entries = [{pick("Oui", "Yes"): "true"}, {pick("Non", "No"): "false"}]
    if with_unknown:
        entries.append({pick("(inconnu)", "(unknown)"): VALUE_MAP_NULL})
    return entries


def widget_for(field: Field) -> QgsEditorWidgetSetup:
    if field.kind is Kind.ENUM:
        entries = [{pick(term.label, term.label_en): term.code} for term in field.vocabulary.terms]
        if not field.required:
            entries.append({pick("(inconnu)", "(unknown)"): VALUE_MAP_NULL})
        return QgsEditorWidgetSetup("ValueMap", {"map": entries})
    if field.kind is Kind.BOOLEAN:
        # Tri-state on purpose: "unknown" is not "no" (3.22's check box cannot show NULL).
        return QgsEditorWidgetSetup("ValueMap", {"map": yes_no_map()})
    if field.kind is Kind.DATE:
        return QgsEditorWidgetSetup("DateTime", {"field_format": "yyyy-MM-dd", "display_format": "dd/MM/yyyy",
                                                 "calendar_popup": True, "allow_null": True})
    if field.kind is Kind.DATETIME:
        return QgsEditorWidgetSetup("DateTime", {"display_format": "dd/MM/yyyy HH:mm", "calendar_popup": True,
                                                 "allow_null": True})
    if field.kind is Kind.INTEGER:
        return QgsEditorWidgetSetup("Range", {
            "Min": field.minimum if field.minimum is not None else -2147483647,
            "Max": field.maximum if field.maximum is not None else 2147483647,
            "Step": 1, "AllowNull": True, "Style": "SpinBox"})
    if field.kind is Kind.BLOB:
        return QgsEditorWidgetSetup("Binary", {})
    if field.free_text:
        return QgsEditorWidgetSetup("TextEdit", {"IsMultiline": True, "UseHtml": False})
    return QgsEditorWidgetSetup("TextEdit", {"IsMultiline": False, "UseHtml": False})


def default_for(field: Field, table: Table):
    """A QgsDefaultValue, or None: the store fills the clock columns itself."""
    if field.name == "uuid":
        return QgsDefaultValue("uuid('WithoutBraces')")
    if field.name in ("created_by", "added_by"):
        return QgsDefaultValue(LOGIN_EXPRESSION)
    if field.name == "updated_by":
        return QgsDefaultValue(LOGIN_EXPRESSION, True)
    if field.name in DERIVED_FROM_GEOMETRY and table.geometry:
        return QgsDefaultValue("coalesce(resorption_commune($geometry, '%s'), \"%s\")" % (
            DERIVED_FROM_GEOMETRY[field.name], field.name), True)
    if field.default is not None:
        return QgsDefaultValue(QgsExpression.quotedValue(field.default))
    return None


def apply_fields(layer: QgsVectorLayer, table: Table) -> None:
    fields = layer.fields()
    form = layer.editFormConfig()
    rules_by_field: Dict[str, list] = {}
    for rule in table.all_rules():
        if rule.expression(QGIS) is not None:
            rules_by_field.setdefault(rule.fields[0], []).append(rule)
    for field in table.fields:
        index = fields.indexOf(field.name)
        if index < 0:
            continue
        layer.setFieldAlias(index, label(field))
        layer.setEditorWidgetSetup(index, widget_for(field))
        default = default_for(field, table)
        if default is not None:
            layer.setDefaultValueDefinition(index, default)
        if field.name in READ_ONLY_FIELDS:
            form.setReadOnly(index, True)
        if field.required:
            layer.setFieldConstraint(index, QgsFieldConstraints.Constraint.ConstraintNotNull,
                                     QgsFieldConstraints.ConstraintStrength.ConstraintStrengthHard)
        if field.unique:
            layer.setFieldConstraint(index, QgsFieldConstraints.Constraint.ConstraintUnique,
                                     QgsFieldConstraints.ConstraintStrength.ConstraintStrengthHard)
        rules = rules_by_field.get(field.name, [])
        if rules:
            expression = " AND ".join("(%s)" % rule.expression(QGIS) for rule in rules)
            description = " ; ".join(pick(rule.message, rule.message_en) for rule in rules)
            layer.setConstraintExpression(index, expression, description)
            layer.setFieldConstraint(index, QgsFieldConstraints.Constraint.ConstraintExpression,
                                     QgsFieldConstraints.ConstraintStrength.ConstraintStrengthHard)
    fid = fields.indexOf("fid")
    if fid >= 0:
        layer.setEditorWidgetSetup(fid, QgsEditorWidgetSetup("Hidden", {}))
    layer.setEditFormConfig(form)


def free_text_group(parent: QgsAttributeEditorContainer) -> QgsAttributeEditorContainer:
    """The free-text fields of a tab, in a group box whose title is the data-protection reminder
    (an HTML element would take half the form's height in QGIS 3.22)."""
    group = QgsAttributeEditorContainer(tr("Sans donnée personnelle : ni nom, ni naissance, ni nationalité"),
                                        parent)
    group.setIsGroupBox(True)
    return group


def relation_editor(relation: QgsRelation, parent: QgsAttributeEditorContainer) -> QgsAttributeEditorRelation:
    """QGIS's relation editor, named: without a widget type QGIS logs "Failed to create relation widget"
    on every form it opens."""
    element = QgsAttributeEditorRelation(relation, parent)
    element.setRelationWidgetTypeId(RELATION_EDITOR)
    return element


def apply_form_layout(layer: QgsVectorLayer, table: Table, relations: List[Tuple[QgsRelation, Table]]) -> None:
    """Tabs in the order of the Tab enum; the justice tab shows only when the user's settings allow it.
    Related rows are in a tab of their own (QGIS's relation editor), unless their table names a tab of the
    parent's form (`parent_tab`), where the plugin puts its own table (gui/plugin_forms.py)."""
    form = layer.editFormConfig()
    form.clearTabs()
    form.setLayout(QgsEditFormConfig.EditorLayout.TabLayout)
    root = form.invisibleRootContainer()
    fields = layer.fields()
    for tab in Tab:
        members = [f for f in table.fields if f.tab is tab and fields.indexOf(f.name) >= 0]
        if not members:
            continue
        container = QgsAttributeEditorContainer(tab_caption(tab), root)
        container.setIsGroupBox(False)  # a tab (containers default to group boxes)
        if tab is Tab.JUSTICE:
            container.setVisibilityExpression(QgsOptionalExpression(
                QgsExpression("coalesce(@%s, 0) = 1" % JUSTICE_VARIABLE)))
        for field in members:
            if not field.free_text:
                container.addChildElement(QgsAttributeEditorField(field.name, fields.indexOf(field.name), container))
        free = [f for f in members if f.free_text]
        if free:
            group = free_text_group(container)
            for field in free:
                group.addChildElement(QgsAttributeEditorField(field.name, fields.indexOf(field.name), group))
            container.addChildElement(group)
        root.addChildElement(container)
    for relation in [r for r, child in relations if child.parent_tab is None]:
        container = QgsAttributeEditorContainer(relation.name(), root)
        container.setIsGroupBox(False)
        container.addChildElement(relation_editor(relation, container))
        root.addChildElement(container)
    layer.setEditFormConfig(form)


def display_expression(table: Table) -> str:
    """How a row is named in lists and relation editors: its name, else its first coded value(s)."""
    for name in ("name", "filename", "label", "period"):
        if name in table.field_names:
            return '"%s"' % name
    coded = [f.name for f in table.fields if f.kind in (Kind.ENUM, Kind.INTEGER) and not f.system][:2]
    return " || ' – ' || ".join("coalesce(represent_value(\"%s\"), '')" % name for name in coded) or '"uuid"'


def show_referenced_by_name(relation: QgsRelation, child: Table) -> None:
    """A reference field (a parent's uuid) shown and picked by the parent's name, not its uuid."""
    layer = relation.referencingLayer()
    field_name = next(iter(relation.fieldPairs()))
    layer.setEditorWidgetSetup(layer.fields().indexOf(field_name), QgsEditorWidgetSetup("RelationReference", {
        "Relation": relation.id(), "AllowNULL": not child.field(field_name).required, "ShowForm": False,
        "ShowOpenFormButton": False, "MapIdentification": False, "OrderByValue": True}))


def configure(layer: QgsVectorLayer, table: Table, child_relations: List[Tuple[QgsRelation, Table]]) -> None:
    layer.setDisplayExpression(display_expression(table))
    apply_fields(layer, table)
    apply_form_layout(layer, table, child_relations)


def vocabulary_label(vocabulary: vocabularies.Vocabulary, code) -> str:
    return pick(vocabulary.label(code) or "", vocabulary.label_en(code) or "")
