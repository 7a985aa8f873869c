"""Empty fields read as empty in the plugin's forms, not « NULL » (QGIS's text for a missing value).

QGIS's edit widgets ask QgsApplication for that text each time they show a value, so it is emptied
while one of the plugin's forms is open and given back when the last one closes (plugin_forms.py)."""
from typing import Callable, Optional

from qgis.core import QgsApplication

_saved: Optional[str] = None
_open = 0


def empty_while_open() -> Callable[..., None]:
    """Empty the missing-value text now; call the returned function (once) when the form closes."""
    global _saved, _open
    if _open == 0:
        _saved = QgsApplication.nullRepresentation()
        QgsApplication.setNullRepresentation("")
    _open += 1
    released = []

    def release(*_args) -> None:
        global _open
        if released:
            return
        released.append(True)
        _open -= 1
        if _open == 0 and _saved is not None:
            QgsApplication.setNullRepresentation(_saved)
    return release


def give_back() -> None:
    """When the plugin unloads: the user's text for a missing value, whatever form is still open."""
    global _open
    if _open and _saved is not None:
        QgsApplication.setNullRepresentation(_saved)
    _open = 0
