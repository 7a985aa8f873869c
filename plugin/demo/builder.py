"""The rows of the demo data set, table by table, as its parts (sites, dispositifs, terrains) add them."""
import datetime as dt
import random
from collections import defaultdict
from typing import Dict, List, Optional

from ..model import schema
from .draws import authors_of, new_uuid, timestamp


class Builder:
    """The seeded generator and the rows of every table, with the bookkeeping columns each row starts with."""

    def __init__(self, seed: int, as_of: dt.date, history_months: int, indicator_uuids: Dict[str, str]):
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.history_months = history_months
        self.indicator_uuids = indicator_uuids
        self.rows: Dict[str, List[tuple]] = defaultdict(list)
        self.history_rows = 0
        # Its own sequence, so that adding outcomes left every other generated figure as it was.
        self.outcomes_rng = random.Random("%d-outcomes" % seed)

    def sync(self, created_day: dt.date, departement: str, author: Optional[str] = None,
             rng: Optional[random.Random] = None):
        rng = rng or self.rng
        stamp = timestamp(rng, min(created_day, self.as_of - dt.timedelta(days=1)))
        login = author or rng.choice(authors_of(departement))
        return {"uuid": new_uuid(rng), "row_version": 1, "created_at": stamp, "created_by": login,
                "updated_at": stamp, "updated_by": login}

    def add(self, table: schema.Table, values: Dict[str, object], geometry: Optional[bytes] = None) -> None:
        row = tuple(values.get(name) for name in table.field_names)
        self.rows[table.name].append(((geometry,) + row) if table.geometry else row)


class Part:
    """One part of the data set (sites, dispositifs, terrains): its draws come from the builder's generator,
    in the order the parts are called, so that a seed gives the same rows."""

    def __init__(self, builder: Builder):
        self.builder = builder
        self.rng = builder.rng
        self.as_of = builder.as_of
        self.sync = builder.sync
        self.add = builder.add
