"""The demo dispositifs (actions): their organisations, topics, sites, finances and monthly indicator values."""
import datetime as dt
from collections import defaultdict
from typing import Dict, List, Optional, Sequence

from ..model import schema
from ..model import vocabularies as voc
from . import calibration as cal
from .builder import Part
from .draws import add_months, iso_day, quota, weighted


class DispositifRows(Part):
    """The dispositifs' rows and those of their children."""

    def organisations(self, departements: Sequence[str]) -> Dict[str, Dict[str, List[str]]]:
        """Per département: uuids of the préfecture, the DDETS and a few associations."""
        rng = self.rng
        found: Dict[str, Dict[str, List[str]]] = {}
        start = self.as_of - dt.timedelta(days=round(365.25 * cal.ACTION_AGE_YEARS[1]) + 30)  # before any action
        for departement in departements:
            name = cal.departement_name(departement)
            kinds: Dict[str, List[str]] = defaultdict(list)
            associations = rng.sample(cal.ASSOCIATION_NAMES, rng.randint(*cal.ASSOCIATIONS_PER_DEPARTEMENT))
            named = [("prefecture", "Préfecture %s" % name), ("ddets", "DDETS %s" % name)] + [
                ("association", "%s (%s)" % (association, departement)) for association in associations]
            for kind, label in named:
                values = self.sync(start, departement)
                values.update(name=label, type=kind, departement=departement)
                self.add(schema.ORGANISATIONS, values)
                kinds[kind].append(values["uuid"])
            found[departement] = kinds
        return found

    def actions(self, sites: List[Dict[str, object]], count: int) -> List[Dict[str, object]]:
        rng = self.rng
        by_departement: Dict[str, List[Dict[str, object]]] = defaultdict(list)
        for site in sites:
            by_departement[site["departement"]].append(site)
        shares = {d: len(s) for d, s in sorted(by_departement.items())}
        departements = quota(rng, count, shares)
        organisations = self.organisations(sorted(set(departements)))
        locations = quota(rng, count, cal.ACTION_LOCATION_SHARES)
        indicators = self.builder.indicator_uuids
        actions = []
        for departement, location in zip(departements, locations):
            candidates = by_departement[departement]
            worked_on = rng.sample(candidates, min(len(candidates), rng.randint(*cal.ACTION_SITES)))
            started = self.as_of - dt.timedelta(days=round(365.25 * rng.uniform(*cal.ACTION_AGE_YEARS)))
            ended = None
            if rng.random() < cal.ACTION_ENDED_PROBABILITY:
                ended = started + dt.timedelta(days=rng.randint(365, 4 * 365))
            action = self.sync(started, departement)
            action.update(name="%s – %s" % (rng.choice(cal.ACTION_NAMES[location]), worked_on[0]["city_name"]),
                          started_at=iso_day(started), ended_at=iso_day(ended) if ended else None,
                          goals=rng.choice(cal.ACTION_GOALS), departement=departement, location_type=location,
                          location_other=rng.choice(cal.ACTION_LOCATION_OTHER) if location == "autre" else None,
                          reporting_frequency=weighted(rng, cal.REPORTING_FREQUENCY_SHARES))
            associations = organisations[departement]["association"]
            operators = rng.sample(associations, min(len(associations), rng.randint(*cal.ACTION_OPERATORS)))
            action["values_entered_by"] = operators[0]
            self.add(schema.ACTIONS, action)
            self._action_children(action, started, ended, worked_on, organisations[departement], operators,
                                  indicators)
            actions.append(action)
        return actions

    def _child(self, table: schema.Table, action, created: dt.date, **values) -> None:
        row = self.sync(created, action["departement"], action["created_by"])
        row.update(values, action_uuid=action["uuid"])
        self.add(table, row)

    def _action_children(self, action, started: dt.date, ended: Optional[dt.date], worked_on, organisations,
                         operators: Sequence[str], indicators: Dict[str, str]) -> None:
        rng = self.rng
        usual = cal.ACTION_TOPICS_BY_LOCATION[action["location_type"]]
        count = min(len(usual), rng.randint(*cal.ACTION_TOPICS_PER_ACTION))
        # The first usual tag always, then others of the place's usual ones.
        for topic in (usual[0],) + tuple(rng.sample(usual[1:], count - 1)):
            self._child(schema.ACTION_TOPICS, action, started, topic=topic)
        pilot = rng.choice(organisations["prefecture"] + organisations["ddets"])
        self._child(schema.ACTION_ORGANISATIONS, action, started, organisation_uuid=pilot, role="pilot")
        for operator in operators:
            self._child(schema.ACTION_ORGANISATIONS, action, started, organisation_uuid=operator, role="operator")
        for site in worked_on:
            self._child(schema.ACTION_SITES, action, started, site_uuid=site["uuid"])
        last_year = min(ended.year if ended else self.as_of.year, self.as_of.year)
        for year in range(started.year, last_year + 1):
            for finance_type in rng.sample(voc.FINANCE_TYPE.codes, rng.randint(*cal.FINANCE_TYPES_PER_YEAR)):
                amount = round(rng.uniform(*cal.FINANCE_AMOUNT_EUR), -2)
                spent = round(amount * rng.uniform(0.7, 1.05), -2) if year < self.as_of.year else None
                self._child(schema.ACTION_FINANCES, action, max(started, dt.date(year, 1, 1)), year=year,
                            finance_type=finance_type, amount=float(amount),
                            real_amount=float(spent) if spent is not None else None)
        self._indicator_values(action, started, ended, indicators)

    def _indicator_values(self, action, started: dt.date, ended: Optional[dt.date],
                          indicators: Dict[str, str]) -> None:
        rng = self.rng
        step = {"monthly": 1, "quarterly": 3, "yearly": 12}[action["reporting_frequency"]]
        last = add_months(self.as_of.replace(day=1), -1)
        if ended and ended < last:
            last = ended.replace(day=1)
        first = max(started.replace(day=1), add_months(self.as_of.replace(day=1), -cal.INDICATOR_MONTHS))
        if rng.random() < cal.INDICATOR_LATE_PROBABILITY and not ended:
            last = add_months(last, -step * rng.randint(1, 2))  # the operator has not sent the last ones yet
        people = rng.randint(10, 150)
        month = first
        while month <= last:
            if (month.month % step) == 0 or step == 1:
                people = max(1, people + rng.randint(-5, 8))
                for code, value in self._indicator_set(people).items():
                    self._child(schema.INDICATOR_VALUES, action, add_months(month, 1) + dt.timedelta(days=4),
                                indicator_uuid=indicators[code], period=month.strftime("%Y-%m"), value=value)
            month = add_months(month, 1)

    def _indicator_set(self, people: int) -> Dict[str, int]:
        rng = self.rng
        households = max(1, round(people / rng.uniform(3, 5)))
        minors = round(people * rng.uniform(0.3, 0.5))
        eligible = round(minors * rng.uniform(0.6, 0.8))
        return {
            "people": people, "households": households, "women": round(people * rng.uniform(0.4, 0.55)),
            "minors": minors, "health_people": round(people * rng.uniform(0.2, 0.8)),
            "work_people": round((people - minors) * rng.uniform(0.05, 0.4)),
            "shelter_people": round(people * rng.uniform(0, 0.2)),
            "shelter_households": round(households * rng.uniform(0, 0.2)),
            "housing_people": round(people * rng.uniform(0, 0.15)),
            "housing_households": round(households * rng.uniform(0, 0.15)),
            "school_minors_eligible": eligible, "school_minors_enrolled": round(eligible * rng.uniform(0.5, 1.0)),
        }
