"""Styles whose QML carries the out-of-date cutoff as a placeholder, filled with a date when applied.

A literal date keeps rendering fast: `now() - to_interval(…)` in a rule is evaluated
for every feature, and made the default rule-based style of 100,000 sites ten times
slower than a single symbol (docs/benchmarks.md, issue 3).
"""
from datetime import date
from pathlib import Path
from typing import Optional

from qgis.core import QgsVectorLayer
from qgis.PyQt.QtXml import QDomDocument

from ..assets import style_path
from ..store.base import StoreError
from .listing import months_before
from .styles import STYLE_CATEGORIES, apply_style

CUTOFF_PLACEHOLDER = "{out_of_date_before}"


def apply_dated_style(layer: QgsVectorLayer, name: str, out_of_date_months: int,
                      today: Optional[date] = None) -> None:
    """Apply resources/styles/<name>.qml, its out-of-date placeholder replaced by the cutoff date."""
    text = Path(style_path(name + ".qml")).read_text(encoding="utf-8")
    if CUTOFF_PLACEHOLDER not in text:
        apply_style(layer, name)
        return
    cutoff = months_before(today or date.today(), out_of_date_months).isoformat()
    document = QDomDocument()
    document.setContent(text.replace(CUTOFF_PLACEHOLDER, cutoff))
    ok, message = layer.importNamedStyle(document, STYLE_CATEGORIES)
    if not ok:
        raise StoreError("Le style %s n'a pas pu être appliqué : %s" % (name, message),
                         "The style %s could not be applied: %s" % (name, message))
    layer.triggerRepaint()
