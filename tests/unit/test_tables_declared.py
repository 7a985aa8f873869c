"""What a table declares (map style, attachments, dock) is the one source of the lists that follow from it,
and the map styles' categories are the vocabulary's codes and labels."""
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from plugin.model import schema
from plugin.store import attachments
from plugin.sync import scope

REPO = Path(__file__).resolve().parents[2]
STYLES = REPO / "resources" / "styles"


def test_attachment_owners_are_the_tables_that_declare_attachments():
    declared = tuple(t.name for t in schema.TABLES if t.attachments)
    assert declared == ("sites", "insertion_sites", "actions", "services")
    assert schema.ATTACHMENT_OWNER_TABLE.codes == attachments.OWNER_TABLES == scope.ATTACHMENT_OWNERS == declared
    assert schema.table("attachments").field("owner_table").vocabulary.label("insertion_sites") == \
        "Terrain d'insertion"


def test_declared_styles_and_docks_exist():
    for table in schema.TABLES:
        if table.map_style:
            assert (STYLES / (table.map_style + ".qml")).is_file(), table.name
            assert table.geometry, table.name
        if table.dock:
            module, name = table.dock.rsplit(".", 1)
            assert "class %s(" % name in (REPO / "plugin" / "gui" / (module + ".py")).read_text(), table.name


def _table_of(style: Path):
    """The table a style is for: the longest table name its file name starts with."""
    names = [t.name for t in schema.TABLES if style.stem.startswith(t.name)]
    return schema.table(max(names, key=len)) if names else None


def test_categories_of_the_map_styles_are_the_vocabulary():
    checked = []
    for style in sorted(STYLES.glob("*.qml")):
        renderer = ElementTree.parse(style).getroot().find(".//renderer-v2")
        table = _table_of(style)
        if renderer is None or renderer.get("type") != "categorizedSymbol" or table is None \
                or renderer.get("attr") not in table.field_names:
            continue  # categories of an expression, not of a field
        vocabulary = table.field(renderer.get("attr")).vocabulary
        categories = [(c.get("value"), c.get("label")) for c in renderer.iter("category")]
        assert [value for value, _ in categories] == list(vocabulary.codes), style.name
        for value, label in categories:  # the legend may add a precision in brackets
            assert label == vocabulary.label(value) or label.startswith(vocabulary.label(value) + " ("), (
                style.name, value, label)
        checked.append(style.stem)
    assert {"sites_by_status", "sites_by_closure", "insertion_sites_by_status"} <= set(checked)
