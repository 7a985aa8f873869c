"""The nine preparatory phases of a terrain d'insertion, in order, and the warnings about their dates.

No Qt, no QGIS here.
"""
from typing import List, Mapping, Optional

from .vocabularies import INSERTION_SITE_PHASE

PHASES = INSERTION_SITE_PHASE.codes


def order_warnings(completed: Mapping[str, Optional[str]]) -> List[str]:
    """French warnings for phases completed before a previous phase, or while a previous one is not.

    `completed`: phase code → completion date 'YYYY-MM-DD' (None or absent: not completed)."""
    warnings = []
    latest_code, latest_date = None, None
    for position, code in enumerate(PHASES):
        done = completed.get(code)
        if not done:
            continue
        missing = [c for c in PHASES[:position] if not completed.get(c)]
        if missing:
            warnings.append("« %s » est réalisée alors que « %s » ne l'est pas" % (
                INSERTION_SITE_PHASE.label(code), INSERTION_SITE_PHASE.label(missing[-1])))
        if latest_date is not None and done < latest_date:
            warnings.append("« %s » (%s) est réalisée avant « %s » (%s)" % (
                INSERTION_SITE_PHASE.label(code), done, INSERTION_SITE_PHASE.label(latest_code), latest_date))
        if latest_date is None or done >= latest_date:
            latest_code, latest_date = code, done
    return warnings


def progress(completed: Mapping[str, Optional[str]]) -> int:
    """How many phases are completed (0 to 9)."""
    return sum(1 for code in PHASES if completed.get(code))
