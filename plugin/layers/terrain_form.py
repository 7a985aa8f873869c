"""The occupancy rate of a terrain d'insertion, shown in the "Capacité et occupation" tab of its form.

A virtual (expression) field: computed by QGIS from the two counts, never stored.
"""
from qgis.core import QgsAttributeEditorField, QgsVectorLayer

from ..i18n import pick
from ..model.schema import Tab
from ..processing.qgis_types import INTEGER, new_field
from .forms import tab_caption

OCCUPANCY_FIELD = "occupancy_rate"
OCCUPANCY_EXPRESSION = ('CASE WHEN "capacity_households" > 0 AND "occupied_households" IS NOT NULL '
                        'THEN round(100.0 * "occupied_households" / "capacity_households") END')


def add_occupancy_rate(layer: QgsVectorLayer) -> None:
    """Add the field and its place in the form, once."""
    if layer.fields().indexOf(OCCUPANCY_FIELD) >= 0:
        return
    layer.addExpressionField(OCCUPANCY_EXPRESSION, new_field(OCCUPANCY_FIELD, INTEGER))
    index = layer.fields().indexOf(OCCUPANCY_FIELD)
    layer.setFieldAlias(index, pick("Taux d'occupation (ménages, %)", "Occupancy rate (households, %)"))
    form = layer.editFormConfig()
    form.setReadOnly(index, True)
    for container in form.tabs():
        if container.name() == tab_caption(Tab.CAPACITY):
            container.addChildElement(QgsAttributeEditorField(OCCUPANCY_FIELD, index, container))
    layer.setEditFormConfig(form)
