"""The services of a store, read by SQL (GeoPackage or PostGIS) for the command line."""
from datetime import date
from typing import Dict, List, Optional, Sequence

from ..model import schema
from ..model import services as model
from ..model.rules import quoted
from .history import geometry_wkt, readable
from .sums_sql import EVERYWHERE, Query, Territory, connection_of, dialect_of, where

LISTED = ("uuid", "category", "name", "organisation", "address", "insee_code", "city_name", "departement",
          "contact", "access_conditions", "opening_hours", "languages", "free_of_charge", "source", "source_id",
          "verified_at")


def services(source, category: Optional[str] = None, to_check: bool = False, check_months: int =
             model.DEFAULT_CHECK_MONTHS, today: Optional[date] = None) -> List[Dict[str, object]]:
    """The services (of one category), each with `to_check` and its point as WKT; to check first."""
    cutoff = model.check_cutoff(today or date.today(), check_months)
    with connection_of(source) as connection:
        dialect = dialect_of(connection)
        query = Query(dialect)
        geometry = 'ST_AsText("geom")' if dialect.name == "postgres" else '"geom"'
        sql = "SELECT %s, %s FROM %s" % (", ".join(quoted(c) for c in LISTED), geometry,
                                         quoted(schema.SERVICES.name))
        if category:
            sql += ' WHERE "category" = %s' % query.bind("category", category)
        names, found = dialect.run(connection, sql, query.parameters)
    rows = []
    for record in found:
        row = {c: readable(c, v) for c, v in zip(LISTED, record[:-1])}
        point = record[-1]
        row["geometry"] = point if point is None or isinstance(point, str) else geometry_wkt(point)
        row["to_check"] = model.is_to_check(row["verified_at"], cutoff)
        rows.append(row)
    if to_check:
        return model.to_check_first(rows, cutoff)
    return sorted(rows, key=lambda r: (not r["to_check"], str(r["verified_at"] or ""), str(r["name"] or "")))


def far_sites(source, categories: Sequence[str] = ("school", "water"),
              territory: Territory = EVERYWHERE) -> List[Dict[str, object]]:
    """The summary rows (model.summary) of the open sites of the territory: how many lie farther than the
    category's threshold from any of its services; a category with no service at all is left out."""
    with connection_of(source) as connection:
        dialect = dialect_of(connection)
        query = Query(dialect)
        x, y = ('ST_X("geom")', 'ST_Y("geom")') if dialect.name == "postgres" else \
            ('ST_MinX("geom")', 'ST_MinY("geom")')
        conditions = ['"status" = %s' % query.bind("status", "open"), '"geom" IS NOT NULL']
        conditions += query.territory(territory, schema.SITES.name, current=True)
        _names, sites = dialect.run(connection, "SELECT %s, %s FROM %s%s" % (
            x, y, quoted(schema.SITES.name), where(conditions)), query.parameters)
        query = Query(dialect)
        _names, services = dialect.run(connection, 'SELECT "category", %s, %s FROM %s WHERE "geom" IS NOT NULL '
                                       'AND "category" IN (%s)' % (
                                           x, y, quoted(schema.SERVICES.name),
                                           ", ".join(query.bind("c%d" % i, c) for i, c in enumerate(categories))),
                                       query.parameters)
    site_points = [(lon, lat) for lon, lat in sites if lon is not None]
    by_category = {category: [(lon, lat) for c, lon, lat in services if c == category and lon is not None]
                   for category in categories}
    return model.summary({category: model.nearest_lonlat(site_points, points)
                          for category, points in by_category.items() if points})
