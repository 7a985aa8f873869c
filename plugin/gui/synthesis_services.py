"""The Synthèse dock's line on the services: the open sites far from a school, from a water point."""
from typing import Dict

from ..i18n import tr

FAR_CATEGORIES = ("school", "water")


def far_sites_text(row: Dict[str, object]) -> str:
    """« Sites à plus de 2 km d'une école : 3 sur 40 » (the threshold is the model's, per category)."""
    distance = "%g km" % (row["threshold_m"] / 1000) if row["threshold_m"] >= 1000 else "%d m" % row["threshold_m"]
    templates = {"school": tr("Sites à plus de {0} d'une école : {1} sur {2}"),
                 "water": tr("Sites à plus de {0} d'un point d'eau : {1} sur {2}")}
    return templates[row["category"]].format(distance.replace(".", ","), row["sites_far"], row["sites"])
