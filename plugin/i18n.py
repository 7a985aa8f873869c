"""Languages: French is the source, English the translation.

`tr()` translates the GUI's strings through Qt (i18n/*.ts, built to .qm);
`pick()` chooses between the French and English texts that the pure modules
declare side by side (labels, rule messages, store errors).
"""
import os
from functools import lru_cache

CONTEXT = "ResorptionSIG"


def tr(text: str, context: str = CONTEXT) -> str:
    from qgis.PyQt.QtCore import QCoreApplication
    return QCoreApplication.translate(context, text)


@lru_cache(maxsize=1)
def language() -> str:
    """'fr' or 'en': QGIS's user locale when QGIS runs, else the environment."""
    try:
        from qgis.core import QgsApplication, QgsSettings
        if QgsApplication.instance() is not None:
            locale = QgsSettings().value("locale/userLocale", "") or ""
            if locale:
                return "en" if locale.lower().startswith("en") else "fr"
    except ImportError:
        pass
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return "en" if value.lower().startswith("en") else "fr"
    return "fr"


def pick(french: str, english: str) -> str:
    return english if language() == "en" else french


def message(error) -> str:
    """The user's language version of a bilingual error (StoreError and kin)."""
    return pick(error.message, error.message_en)
