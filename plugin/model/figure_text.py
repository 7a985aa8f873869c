"""How a figure is printed, in every output: an unknown never reads as 0.

A sum over known values is unknown (« n.c. ») when every site of the set has the value
unknown, and partial (« dont N sites non renseignés ») when some have. No Qt, no QGIS.
"""
from typing import Mapping, Optional

from . import sums as model

NOT_KNOWN = "n.c."
NOT_KNOWN_EN = "n/a"
NBSP = "\u00a0"


def set_size_name(name: str) -> str:
    """The count of the set a figure is computed over."""
    return "insertion_sites" if name in model.INSERTION_NAMES else "sites"


def known_value(block: Mapping[str, object], name: str) -> Optional[object]:
    """The figure `name` of `block`, or None when every site of a non-empty set has it unknown."""
    figure = model.FIGURES_BY_NAME.get(name)
    unknowns = figure.unknowns if figure is not None else None
    if unknowns is not None and block.get(unknowns) and block[unknowns] == block.get(set_size_name(name)):
        return None
    return block[name]


def unknown_count(block: Mapping[str, object], name: str) -> int:
    """How many sites of the set have the value of `name` unknown (0 for a figure with no unknowns)."""
    figure = model.FIGURES_BY_NAME.get(name)
    if figure is None or figure.unknowns is None:
        return 0
    return int(block.get(figure.unknowns) or 0)


def partial_note(block: Mapping[str, object], name: str, english: bool = False) -> str:
    """« dont N sites non renseignés » when the sum leaves out some sites (and not all)."""
    missing = unknown_count(block, name)
    if not missing or known_value(block, name) is None:
        return ""
    if english:
        return "of which %d site%s not filled in" % (missing, "" if missing == 1 else "s")
    return "dont %d site%s non renseigné%s" % (missing, "" if missing == 1 else "s", "" if missing == 1 else "s")


def number(value: Optional[object], english: bool = False, separator: str = NBSP) -> str:
    """A count with grouped digits; None as « n.c. »."""
    if value is None:
        return NOT_KNOWN_EN if english else NOT_KNOWN
    return "{:,}".format(int(value)).replace(",", "," if english else separator)


def figure_text(block: Mapping[str, object], name: str, english: bool = False) -> str:
    """The figure as a sentence prints it: « 2 385 (dont 14 sites non renseignés) », « n.c. »."""
    text = number(known_value(block, name), english)
    note = partial_note(block, name, english)
    return "%s (%s)" % (text, note) if note else text
