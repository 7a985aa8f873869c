"""Names of the tables and fields as the interface shows them, in the user's language."""
from ..i18n import pick, tr
from ..model import schema

GEOMETRY = "geom"


def table_label(table_name: str) -> str:
    try:
        table = schema.table(table_name)
    except KeyError:
        return table_name
    return pick(table.label, table.label_en)


def field_label(table_name: str, field_name: str) -> str:
    """The field's label; the geometry is « Position / contour »; a name the schema does not know is shown
    as it is."""
    if field_name == GEOMETRY:
        return tr("Position / contour")
    try:
        field = schema.table(table_name).field(field_name)
    except KeyError:
        return field_name
    return pick(field.label, field.label_en)
