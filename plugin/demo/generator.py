"""Fill a store with the demo data set: sites, terrains d'insertion, dispositifs.

Seeded and reproducible: the same seed and the same `as_of` date give the
same rows, byte for byte (uuids included: they come from the seeded random
generator, so no row is left for the store's triggers to fill). Sites are
points drawn inside real communes of the bundled reference, so their commune
and département are right by construction; every row satisfies the rules the
store enforces (calibration.py says which figures and which assumptions).

Rows are written through sqlite3 as GeoPackage geometry blobs, in one
transaction: a failure leaves the store as it was.
"""
import contextlib
import datetime as dt
import time
from dataclasses import dataclass
from typing import Dict, List, Optional

from ..model import schema
from ..model.rules import quoted
from ..model.schema import history_of
from ..store import gpkg
from ..store.base import StoreError
from ..store.gpkg_geometry import blob_point  # noqa: F401 (read back by the tests of the demo data)
from ..store.sqlite_ddl import GEOMETRY_COLUMN
from . import calibration as cal
from .builder import Builder
from .communes import Communes, departement_site_count
from .dispositifs import DispositifRows
from .sites import SiteRows, plan_sites
from .terrains import TerrainRows


@dataclass(frozen=True)
class Summary:
    sites: int
    open_sites: int
    people: int
    insertion_sites: int
    actions: int
    organisations: int
    history_rows: int
    seconds: float


def generate(store, sites: Optional[int] = None, departement: Optional[str] = None,
             seed: int = cal.DEFAULT_SEED, history_months: int = 0, as_of: Optional[dt.date] = None) -> Summary:
    """Fill `store` (a GeoPackage store with no site yet) with the demo data set.

    sites: number of site rows (open and closed); default: the calibrated
    national size (NATIONAL_SITES), or the département's share of it.
    departement: only that département (e.g. "93", "2A", "974").
    history_months: write monthly past versions of every site over that many
    months into sites_history. as_of: the day the data set describes (today).
    """
    started = time.perf_counter()
    as_of = as_of or dt.datetime.now(dt.timezone.utc).date()
    if sites is not None and sites < 1:
        raise StoreError("Le nombre de sites doit être au moins 1.", "The number of sites must be at least 1.")
    if history_months < 0:
        raise StoreError("La durée d'historique ne peut pas être négative.",
                         "The history length cannot be negative.")
    communes = Communes()
    if departement is not None:
        departement = departement.upper()
        if departement not in communes.by_departement:
            raise StoreError("Département inconnu : %s (ex. 93, 2A, 974)." % departement,
                             "Unknown département: %s (e.g. 93, 2A, 974)." % departement)
    if store.read_only:
        raise StoreError("Le stockage %s est en lecture seule." % store.location,
                         "The store %s is read-only." % store.location)
    _refuse_filled(store)
    count = sites or (departement_site_count(communes, departement) if departement else cal.NATIONAL_SITES)
    with contextlib.closing(store.connect()) as connection:
        indicator_uuids = dict(connection.execute('SELECT "code", "uuid" FROM "indicator_definitions"'))
    builder = Builder(seed, as_of, history_months, indicator_uuids)
    plans = plan_sites(builder.rng, communes, count, departement)
    described = SiteRows(builder).sites(plans)
    actions = DispositifRows(builder).actions(described, min(cal.MAX_ACTIONS, max(cal.MIN_ACTIONS,
                                                                  round(count * cal.ACTIONS_PER_SITE))))
    terrains = TerrainRows(builder).insertion_sites(communes, described, actions, min(
        cal.MAX_INSERTION_SITES, max(1, round(count * cal.INSERTION_SITES_PER_SITE))))
    _write(store, builder.rows)
    open_sites = [site for site in described if site["status"] == "open"]
    return Summary(sites=len(described), open_sites=len(open_sites),
                   people=sum(site["population_total"] or 0 for site in open_sites),
                   insertion_sites=terrains, actions=len(actions),
                   organisations=len(builder.rows["organisations"]), history_rows=builder.history_rows,
                   seconds=time.perf_counter() - started)


def _refuse_filled(store, connection=None) -> None:
    with contextlib.ExitStack() as stack:
        if connection is None:
            connection = stack.enter_context(contextlib.closing(store.connect()))
        if connection.execute('SELECT 1 FROM "sites" LIMIT 1').fetchone():
            raise StoreError(
                "Le stockage %s contient déjà des sites : les données de démonstration vont dans un stockage vide."
                % store.location,
                "The store %s already has sites: demo data goes into an empty store." % store.location)


def _write(store, rows: Dict[str, List[tuple]]) -> None:
    """Every table in one transaction: all the rows, or none."""
    tables = [(table, table.name) for table in schema.parents_first()] + [(schema.SITES, history_of("sites"))]
    with contextlib.closing(store.connect()) as connection, gpkg.transaction(connection):
        _refuse_filled(store, connection)
        for table, name in tables:
            if not rows.get(name):
                continue
            columns = ([GEOMETRY_COLUMN] if table.geometry else []) + list(table.field_names)
            if name != table.name:
                columns += ["valid_from", "valid_to", "changed_by", "operation", "reason"]
            connection.executemany("INSERT INTO %s (%s) VALUES (%s)" % (
                quoted(name), ", ".join(quoted(c) for c in columns), ", ".join("?" * len(columns))), rows[name])
