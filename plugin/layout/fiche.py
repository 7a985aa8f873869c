"""The "fiche site" page of the site atlas: label texts (QGIS expression templates) and population history.

The labels are evaluated by QGIS for each site of the atlas (its state at the
map's date), so their texts here are templates with [% … %] expressions,
written from the schema's French labels and vocabularies. No Qt, no QGIS.
"""
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from ..model import schema
from ..model import sums as model
from ..model.figure_text import NOT_KNOWN
from ..model.schema import Kind
from ..store import sums_sql

UNKNOWN = "inconnu"

FIGURE_FIELDS = ("population_total", "population_couples", "population_minors", "minors_in_school",
                 "population_total_females")
HABITAT_FIELDS = ("caravans", "huts", "tents", "cars", "mattresses")
CONDITION_FIELDS = ("water_access_type", "water_access_is_continuous", "water_access_is_local",
                    "water_access_is_close", "electricity_access", "sanitary_access_working_toilets",
                    "sanitary_access_open_air_defecation", "sanitary_access_hand_washing",
                    "trash_evacuation_is_regular", "trash_is_piling", "pest_animals", "fire_prevention",
                    "heatwave_status")
IDENTITY_FIELDS = ("field_type", "owner_type", "built_at", "declared_at", "census_status",
                   "population_updated_at", "updated_at")
ORIGIN_LABELS = (("origin_french", "français"), ("origin_european", "européens"),
                 ("origin_extra_eu", "extracommunautaires"))


def literal(text: str) -> str:
    return "'%s'" % text.replace("'", "''")


def value_expression(field: schema.Field) -> str:
    """A QGIS expression showing the field's value in French ('inconnu' when empty; a count, 'n.c.')."""
    column = '"%s"' % field.name
    if field.kind is Kind.BOOLEAN:
        return "CASE WHEN %s = 1 THEN 'oui' WHEN %s = 0 THEN 'non' ELSE %s END" % (column, column, literal(UNKNOWN))
    if field.vocabulary is not None:
        cases = " ".join("WHEN %s = %s THEN %s" % (column, literal(t.code), literal(t.label))
                         for t in field.vocabulary.terms)
        return "CASE %s ELSE %s END" % (cases, literal(UNKNOWN))
    if field.kind is Kind.DATE:
        return "coalesce(format_date(to_date(%s), 'dd/MM/yyyy'), %s)" % (column, literal(UNKNOWN))
    if field.kind is Kind.DATETIME:
        return "coalesce(format_date(to_datetime(%s), 'dd/MM/yyyy'), %s)" % (column, literal(UNKNOWN))
    if field.kind is Kind.INTEGER:
        return "coalesce(to_string(%s), %s)" % (column, literal(NOT_KNOWN))
    return "coalesce(to_string(%s), %s)" % (column, literal(UNKNOWN))


def line(name: str, indent: str = "") -> str:
    field = schema.SITES.field(name)
    return "%s%s : [%% %s %%]" % (indent, field.label, value_expression(field))


def origins_expression() -> str:
    parts = " || ".join("CASE WHEN \"%s\" = 1 THEN ', %s' ELSE '' END" % (name, label) for name, label in ORIGIN_LABELS)
    return "coalesce(nullif(substr(%s, 3), ''), %s)" % (parts, literal(UNKNOWN))


def figures_text() -> str:
    lines = ["Habitants"] + [line(name, "  ") for name in FIGURE_FIELDS]
    lines.append("  Ressortissants : [%% %s %%]" % origins_expression())
    lines += ["", "Habitat"] + [line(name, "  ") for name in HABITAT_FIELDS]
    return "\n".join(lines)


def conditions_text() -> str:
    water = CONDITION_FIELDS[:4]
    lines = ["Conditions de vie", line(water[0], "  ")]
    lines += [line(name, "    ") for name in water[1:]]
    lines += [line(name, "  ") for name in CONDITION_FIELDS[4:]]
    return "\n".join(lines)


def identity_text() -> str:
    return "\n".join(["Le site", "  Adresse : [% coalesce(\"address\", 'inconnue') %]"]
                     + [line(name, "  ") for name in IDENTITY_FIELDS])


def title_text() -> str:
    return "[% coalesce(\"name\", 'Site sans nom') %] – [% \"city_name\" %] ([% \"insee_code\" %])"


def population_history(versions: Sequence[Mapping], ends: Sequence[str]) -> List[Tuple[str, Optional[int]]]:
    """(month end, people on the site then) for each instant of `ends`; None when the site was
    not open then or its population unknown. `versions`: valid_from, valid_to, status, population_total."""
    points = []
    for end in ends:
        valid = model.state_at(versions, end)
        state = valid[-1] if valid else None
        open_then = state is not None and state.get("status") == model.OPEN
        points.append((end, state.get("population_total") if open_then else None))
    return points


def site_versions(connection, uuids: Sequence[str]) -> Dict[str, List[Dict[str, object]]]:
    """Every version of these sites (history, then the current row), by uuid."""
    result: Dict[str, List[Dict[str, object]]] = {uuid: [] for uuid in uuids}
    if not uuids:
        return result
    dialect = sums_sql.dialect_of(connection)
    condition, encode = dialect.in_list("uuid", dialect.param("uuids"))
    dates = ", ".join('"%s"' % name for name in DATES)
    sql = ('SELECT "uuid", "valid_from", "valid_to", "status", "population_total", %s FROM "sites_history" '
           'WHERE %s UNION ALL SELECT "uuid", "updated_at", NULL, "status", "population_total", %s '
           'FROM "sites" WHERE %s ORDER BY 1, 2' % (dates, condition, dates, condition))
    _, rows = dialect.run(connection, sql, {"uuids": encode(list(uuids))})
    for uuid, valid_from, valid_to, status, population, *days in rows:
        version = {"uuid": uuid, "valid_from": instant_text(valid_from), "valid_to": instant_text(valid_to),
                   "status": status, "population_total": population}
        version.update((name, day if day is None or isinstance(day, str) else day.isoformat())
                       for name, day in zip(DATES, days))
        result[uuid].append(version)
    return result


# The dates the state before the first version is reconstructed from (model.reconstructed).
DATES = ("built_at", "declared_at", "closed_at")


def instant_text(value) -> Optional[str]:
    """An instant as the model compares them (PostgreSQL gives datetimes, SQLite ISO text)."""
    if value is None or isinstance(value, str):
        return value
    return model.format_instant(value)
