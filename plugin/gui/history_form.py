"""The "Historique" tab of the sites' and insertion sites' forms.

A QGIS 3.22 form cannot hold a Python widget, but it can hold an HTML element
whose script evaluates expressions: the tab shows the HTML that the expression
function resorption_history_html(layer id, uuid) writes (the versions, newest
first: when, who, old → new). Restoring a version stays in the history panel.
"""
import html
from typing import Optional

from qgis.core import (QgsAttributeEditorContainer,
                       QgsAttributeEditorHtmlElement, QgsExpression,
                       QgsProject, QgsVectorLayer)
from qgis.utils import qgsfunction

from ..i18n import tr
from ..layers import loader
from ..model import schema
from ..model.rules import quoted
from ..settings import Settings
from ..store import history as store_history
from ..store.sums_sql import connection_of
from .activity_panel import OPERATIONS, local_time
from .history_panel import moved_text, value_text
from .labels import GEOMETRY, field_label
from .store_access import READ_ERRORS, LayerStore, failure_text

FUNCTION_NAME = "resorption_history_html"
# The stored name of the tab's HTML element: the same in every language, how remove() finds the tab again
# (the tab's caption is translated).
TAB_NAME = "Historique"
GROUP = "Résorption SIG"
SCRIPT = '<script>document.write(expression.evaluate("%s(@layer_id, \\"uuid\\")"));</script>' % FUNCTION_NAME
MOST_VERSIONS = 30


def history_html(layer: Optional[QgsVectorLayer], uuid: Optional[str]) -> str:
    """The versions of the feature as a small HTML page, in French labels."""
    not_yet = "<p>%s</p>" % html.escape(tr("Pas encore d'historique : enregistrez d'abord l'objet."))
    if layer is None or not uuid or not isinstance(uuid, str):
        return not_yet
    table = schema.table(layer.customProperty(loader.TABLE_PROPERTY))
    source = LayerStore(layer.customProperty(loader.STORE_PROPERTY))
    try:
        with connection_of(source) as connection:
            if not connection.execute('SELECT 1 FROM %s WHERE "uuid" = ?' % quoted(table.name), (uuid,)).fetchone():
                return not_yet
            entries = store_history.history(connection, table.name, uuid, Settings.load().show_justice)
    except READ_ERRORS as error:
        return "<p>%s</p>" % html.escape(failure_text(error))
    lines = ["<style>body{font-family:sans-serif;font-size:9pt} td{padding:1px 6px;vertical-align:top}"
             " .v{font-weight:bold;background:#eee} .o{color:#888}</style>",
             "<p>%s</p>" % html.escape(tr("{0} versions, de la plus récente à la plus ancienne. Pour revenir à une "
                                          "version : action « Historique » (menu Actions).").format(len(entries))),
             "<table>"]
    for entry in entries[:MOST_VERSIONS]:
        lines.append("<tr class='v'><td>%s</td><td>%s — %s</td></tr>" % (
            html.escape(local_time(entry["valid_from"])), html.escape(entry["changed_by"] or ""),
            html.escape(tr(OPERATIONS.get(entry["operation"], entry["operation"])))))
        if entry["operation"] == "create":
            continue
        for name, (old, new) in entry["changes"].items():
            change = moved_text(old, new) if name == GEOMETRY else "%s → %s" % (
                value_text(table, name, old), value_text(table, name, new))
            lines.append("<tr><td class='o'>%s</td><td>%s</td></tr>" % (
                html.escape(field_label(table.name, name)), html.escape(change)))
    lines.append("</table>")
    return "".join(lines)


@qgsfunction(args="auto", group=GROUP, register=False, handlesnull=True)
def resorption_history_html(layer_id, uuid, feature, parent):
    """<h3>resorption_history_html(layer_id, uuid)</h3>
    Les versions d'un site ou d'un terrain d'insertion (la plus récente d'abord : quand, qui, ancienne →
    nouvelle valeur), en HTML : ce qu'affiche l'onglet « Historique » du formulaire."""
    return history_html(QgsProject.instance().mapLayer(layer_id or ""), uuid)


def register() -> None:
    if not QgsExpression.isFunctionName(FUNCTION_NAME):
        QgsExpression.registerFunction(resorption_history_html)


def unregister() -> None:
    QgsExpression.unregisterFunction(FUNCTION_NAME)


def is_history_tab(tab) -> bool:
    return tab.name() == TAB_NAME or any(child.name() == TAB_NAME for child in tab.children())


def has_tab(layer: QgsVectorLayer) -> bool:
    return any(is_history_tab(tab) for tab in layer.editFormConfig().tabs())


def add_tab(layer: QgsVectorLayer) -> None:
    """The tab, last, in a form with tabs (the sites' and insertion sites' forms)."""
    form = layer.editFormConfig()
    if has_tab(layer) or not form.tabs():
        return
    root = form.invisibleRootContainer()
    container = QgsAttributeEditorContainer(tr("Historique"), root)
    container.setIsGroupBox(False)
    element = QgsAttributeEditorHtmlElement(TAB_NAME, container)
    element.setHtmlCode(SCRIPT)
    element.setShowLabel(False)
    container.addChildElement(element)
    form.addTab(container)
    layer.setEditFormConfig(form)


def remove_tab(layer: QgsVectorLayer) -> None:
    form = layer.editFormConfig()
    if not has_tab(layer):
        return
    root = form.invisibleRootContainer()
    kept = [tab.clone(root) for tab in form.tabs() if not is_history_tab(tab)]
    form.clearTabs()
    for tab in kept:
        form.addTab(tab)
    layer.setEditFormConfig(form)
