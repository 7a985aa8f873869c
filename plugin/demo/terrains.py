"""The demo terrains d'insertion: a polygon around a point of a commune, its phases and the sites it houses."""
import datetime as dt
import math
import random
from collections import defaultdict
from typing import Dict, List, Tuple

from ..model import schema
from ..model import vocabularies as voc
from ..store.gpkg_geometry import polygon_blob
from . import calibration as cal
from .builder import Part
from .communes import Commune, Communes
from .draws import iso_day, quota, weighted, yes_no

METRES_PER_DEGREE = 111_320.0

PHASES = voc.INSERTION_SITE_PHASE.codes


def _terrain_ring(rng: random.Random, centre: Tuple[float, float]) -> List[Tuple[float, float]]:
    """A star-shaped (hence simple) polygon a few hundred metres across around `centre`."""
    x, y = centre
    half_width = rng.uniform(*cal.INSERTION_SITE_HALF_WIDTH_M)
    corners = rng.randint(4, 7)
    start = rng.uniform(0, 2 * math.pi)
    ring = []
    for index in range(corners):
        angle = start + 2 * math.pi * (index + rng.uniform(-0.25, 0.25)) / corners
        radius = half_width * rng.uniform(0.7, 1.0)
        ring.append((round(x + radius * math.cos(angle) / (METRES_PER_DEGREE * math.cos(math.radians(y))), 7),
                     round(y + radius * math.sin(angle) / METRES_PER_DEGREE, 7)))
    return ring + [ring[0]]


class TerrainRows(Part):
    """The terrains' rows, their phases and their origins."""

    def insertion_sites(self, communes: Communes, sites: List[Dict[str, object]],
                        actions: List[Dict[str, object]], count: int) -> int:
        rng = self.rng
        by_departement: Dict[str, List[Dict[str, object]]] = defaultdict(list)
        for site in sites:
            by_departement[site["departement"]].append(site)
        eti_actions: Dict[str, List[Dict[str, object]]] = defaultdict(list)
        for action in actions:
            if action["location_type"] == "eti":
                eti_actions[action["departement"]].append(action)
        departements = quota(rng, count, {d: len(s) for d, s in sorted(by_departement.items())})
        statuses = quota(rng, count, cal.INSERTION_SITE_STATUS_SHARES)
        for departement, status in zip(departements, statuses):
            commune, ring = self._terrain_place(communes, departement)
            self._terrain(ring, commune, status, by_departement[departement], eti_actions.get(departement, []))
        return count

    def _terrain_place(self, communes: Communes, departement: str):
        """A commune and a polygon whose centroid lies inside it (derivation uses the centroid)."""
        rng = self.rng
        while True:
            commune = communes.pick(rng, departement)
            geometry = communes.geometry(commune)
            for centre in communes.points_inside(rng, commune, 5):
                ring = _terrain_ring(rng, centre)
                if communes.contains(geometry, *communes.centroid(ring)):
                    return commune, ring

    def _terrain(self, ring, commune: Commune, status: str, nearby_sites, eti_actions) -> None:
        rng = self.rng
        latest = self.as_of - dt.timedelta(days=2)
        households = rng.randint(*cal.INSERTION_SITE_HOUSEHOLDS)
        values: Dict[str, object] = {
            "name": "%s de %s" % (rng.choice(cal.INSERTION_SITE_NAMES), commune.name),
            "address": "%s, %s" % (rng.choice(cal.STREETS), commune.name), "insee_code": commune.insee,
            "city_name": commune.name, "departement": commune.departement, "status": status,
            "land_owner_type": weighted(rng, {"public": 0.85, "private": 0.1, "unknown": 0.05}),
            "capacity_households": households, "capacity_people": households * rng.randint(3, 5),
        }
        done = {"project": rng.randint(0, 3), "preparing": rng.randint(3, 8)}.get(status, len(PHASES))
        first_phase = latest - dt.timedelta(days=rng.randint(400, 2000))
        phase_days = sorted(first_phase + dt.timedelta(days=rng.randint(0, (latest - first_phase).days))
                            for _ in range(done))
        if status in ("open", "closed"):
            opened = phase_days[-1]
            values["opened_at"] = iso_day(opened)
            values.update(water_access=1, electricity_access=int(rng.random() < 0.9), sanitary_access=1)
            if status == "open":
                occupied = rng.randint(households // 2, households)
                values.update(occupied_households=occupied,
                              occupied_people=min(values["capacity_people"], occupied * rng.randint(3, 5)))
            else:
                values.update(closed_at=iso_day(opened + dt.timedelta(days=rng.randint(0, (latest - opened).days))),
                              occupied_households=0, occupied_people=0)
        else:
            values.update(water_access=yes_no(rng, 0.3, 0.3), electricity_access=yes_no(rng, 0.3, 0.3),
                          sanitary_access=yes_no(rng, 0.3, 0.3))
        if eti_actions and status != "project":
            values["action_uuid"] = rng.choice(eti_actions)["uuid"]
        values.update(self.sync(phase_days[-1] if phase_days else latest, commune.departement))
        self.add(schema.INSERTION_SITES, values, polygon_blob(ring))
        for phase, day in zip(PHASES, phase_days + [None] * (len(PHASES) - done)):
            self._terrain_child(schema.INSERTION_SITE_PHASES, values, phase=phase,
                                completed_at=iso_day(day) if day else None)
        if status in ("open", "closed") and nearby_sites:
            housed = values["occupied_households"] or households
            origins = rng.sample(nearby_sites, min(len(nearby_sites), rng.randint(*cal.INSERTION_SITE_ORIGINS)))
            for origin in origins:
                share = max(0, housed // len(origins))
                self._terrain_child(schema.INSERTION_SITE_ORIGINS, values, site_uuid=origin["uuid"],
                                    households=share)

    def _terrain_child(self, table: schema.Table, terrain, **values) -> None:
        row = self.sync(self.as_of, terrain["departement"], terrain["created_by"])
        row.update(created_at=terrain["created_at"], updated_at=terrain["created_at"], **values)
        row["insertion_site_uuid"] = terrain["uuid"]
        self.add(table, row)
