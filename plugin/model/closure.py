"""Closing a site: the closure's fields, and where the people went (the outcomes).

Until the store has a table for the outcomes (see the report of issue 3:
`site_closing_outcomes`), they are written at the end of `closing_context`
as one line a person reads and `parse_outcomes` reads back:
"Issues : Hébergement 12 pers. / 4 ménages ; Logement 3 pers. / 1 ménages".
No Qt, no QGIS here.
"""
import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Tuple

from . import vocabularies as voc
from .schema import SITES
from .validation import Problem, problems

CLOSING_SOLUTION = voc.vocabulary(
    "closing_solution",
    ("shelter", "Hébergement", "Shelter"),
    ("housing", "Logement", "Housing"),
    ("insertion_site", "Terrain d'insertion", "Insertion site"),
    ("return", "Retour au pays", "Return to the home country"),
    ("other_site", "Autre site ou réinstallation", "Another site or reinstallation"),
    ("other", "Autre", "Other"),
    ("unknown", "Inconnu", "Unknown"),
)

CLOSED_STATUSES = tuple(code for code in voc.SITE_STATUS.codes if code != "open")
OUTCOMES_PREFIX = "Issues : "
_OUTCOME = re.compile(r"^(?P<label>.+?) (?P<people>\d+|\?) pers\. / (?P<households>\d+|\?) ménages$")


@dataclass(frozen=True)
class Outcome:
    solution: str
    people: Optional[int] = None
    households: Optional[int] = None


@dataclass
class Closure:
    status: str
    closed_at: str
    closed_with_solutions: Optional[str] = None
    context: str = ""
    outcomes: List[Outcome] = field(default_factory=list)

    def closing_context(self) -> Optional[str]:
        """The text stored in `closing_context`: the context, then the outcomes line."""
        parts = [self.context.strip()] if self.context.strip() else []
        line = format_outcomes(self.outcomes)
        if line:
            parts.append(line)
        return "\n".join(parts) or None

    def values(self) -> Dict[str, object]:
        return {"status": self.status, "closed_at": self.closed_at,
                "closed_with_solutions": self.closed_with_solutions,
                "closing_context": self.closing_context()}


def _number(value: Optional[int]) -> str:
    return "?" if value is None else str(value)


def format_outcomes(outcomes: List[Outcome]) -> str:
    kept = [o for o in outcomes if o.people is not None or o.households is not None]
    if not kept:
        return ""
    return OUTCOMES_PREFIX + " ; ".join(
        "%s %s pers. / %s ménages" % (CLOSING_SOLUTION.label(o.solution), _number(o.people), _number(o.households))
        for o in kept)


def parse_outcomes(closing_context: Optional[str]) -> Tuple[str, List[Outcome]]:
    """(the context without the outcomes line, the outcomes) from a stored `closing_context`."""
    if not closing_context:
        return "", []
    lines = closing_context.split("\n")
    if not lines[-1].startswith(OUTCOMES_PREFIX):
        return closing_context, []
    outcomes = []
    for item in lines[-1][len(OUTCOMES_PREFIX):].split(" ; "):
        match = _OUTCOME.match(item.strip())
        code = CLOSING_SOLUTION.code_for_label(match.group("label")) if match else None
        if code is None:
            return closing_context, []
        people, households = match.group("people"), match.group("households")
        outcomes.append(Outcome(code, None if people == "?" else int(people),
                                None if households == "?" else int(households)))
    return "\n".join(lines[:-1]), outcomes


def closure_problems(site: Mapping[str, object], closure: Closure) -> List[Problem]:
    """What is wrong with closing `site` (a row in store form) this way, in the store's own words."""
    found: List[Problem] = []
    if closure.status not in CLOSED_STATUSES:
        found.append(Problem("closure_status", "status", "Choisissez la raison de la fermeture",
                             "Choose the reason for the closure"))
    people_before = site.get("population_total")
    for outcome in closure.outcomes:
        if outcome.people is not None and outcome.households is not None and outcome.households > outcome.people:
            found.append(Problem("closure_outcome_households", "outcomes",
                                 "%s : plus de ménages que de personnes" % CLOSING_SOLUTION.label(outcome.solution),
                                 "%s: more households than people" % CLOSING_SOLUTION.label_en(outcome.solution)))
    moved = sum(o.people for o in closure.outcomes if o.people is not None)
    if isinstance(people_before, int) and moved > people_before:
        found.append(Problem("closure_outcomes_le_people", "outcomes",
                             "Les issues comptent %d personnes, le site en comptait %d" % (moved, people_before),
                             "The outcomes count %d people, the site had %d" % (moved, people_before)))
    row = dict(site)
    # The outcomes line is not a context: a closure "other" needs the officer's own words.
    row.update(closure.values(), closing_context=closure.context.strip() or None)
    found.extend(problems(SITES, row))
    return found
