"""Closing a site: the closure's fields, and where the people went (the outcomes).

The outcomes are rows of `site_closing_outcomes` (one per closing solution);
the closure's own fields are on the site. No Qt, no QGIS here.
"""
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Mapping, Optional

from . import vocabularies as voc
from .schema import SITES
from .validation import Problem, problems

CLOSING_SOLUTION = voc.CLOSING_SOLUTION
CLOSED_STATUSES = tuple(code for code in voc.SITE_STATUS.codes if code != "open")


@dataclass(frozen=True)
class Outcome:
    solution: str
    people: Optional[int] = None
    households: Optional[int] = None

    @property
    def known(self) -> bool:
        return self.people is not None or self.households is not None


@dataclass
class Closure:
    status: str
    closed_at: str
    closed_with_solutions: Optional[str] = None
    context: str = ""
    outcomes: List[Outcome] = field(default_factory=list)

    def values(self) -> Dict[str, object]:
        """The site's closure fields, in store form."""
        return {"status": self.status, "closed_at": self.closed_at,
                "closed_with_solutions": self.closed_with_solutions,
                "closing_context": self.context.strip() or None}

    def outcome_rows(self) -> List[Dict[str, object]]:
        return outcome_rows(self.outcomes)


def outcome_rows(outcomes: Iterable[Outcome]) -> List[Dict[str, object]]:
    """The `site_closing_outcomes` rows to keep: the solutions with a known figure."""
    return [{"solution": o.solution, "people": o.people, "households": o.households} for o in outcomes if o.known]


def outcomes_from_rows(rows: Iterable[Mapping[str, object]]) -> List[Outcome]:
    return [Outcome(row["solution"], row.get("people"), row.get("households")) for row in rows]


def closure_problems(site: Mapping[str, object], closure: Closure) -> List[Problem]:
    """What is wrong with closing `site` (a row in store form) this way, in the store's own words."""
    found: List[Problem] = []
    if closure.status not in CLOSED_STATUSES:
        found.append(Problem("closure_status", "status", "Choisissez la raison de la fermeture",
                             "Choose the reason for the closure"))
    found.extend(outcome_problems(site.get("population_total"), closure.outcomes))
    found.extend(problems(SITES, dict(site, **closure.values())))
    return found


def outcome_problems(people_before: object, outcomes: Iterable[Outcome]) -> List[Problem]:
    """What is wrong with where the people went, for a site that counted `people_before` people."""
    found: List[Problem] = []
    outcomes = list(outcomes)
    for outcome in outcomes:
        if outcome.people is not None and outcome.households is not None and outcome.households > outcome.people:
            found.append(Problem("closure_outcome_households", "outcomes",
                                 "%s : plus de ménages que de personnes" % CLOSING_SOLUTION.label(outcome.solution),
                                 "%s: more households than people" % CLOSING_SOLUTION.label_en(outcome.solution)))
    moved = sum(o.people for o in outcomes if o.people is not None)
    if isinstance(people_before, int) and moved > people_before:
        found.append(Problem("closure_outcomes_le_people", "outcomes",
                             "Les issues comptent %d personnes, le site en comptait %d" % (moved, people_before),
                             "The outcomes count %d people, the site had %d" % (moved, people_before)))
    return found
