"""Edits of the services layer: « Confirmer sans changement » records today's verification."""
from datetime import date
from typing import List, Optional

from qgis.core import QgsVectorLayer

from ..i18n import pick
from .edits import change


def confirm_verified(layer: QgsVectorLayer, fids: List[int], today: Optional[date] = None) -> None:
    """The service was checked and nothing changed: verified_at = today (one undoable command each)."""
    day = (today or date.today()).isoformat()
    for fid in fids:
        change(layer, fid, {"verified_at": day}, pick("Confirmer sans changement", "Confirm unchanged"))
