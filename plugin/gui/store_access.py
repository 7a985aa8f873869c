"""The store behind a project's layers, for reading figures and history from the panels.

The layers come from a store that was checked when it was opened ("Ouvrir un
stockage…": integrity check, schema version); opening it again with
open_store() would repeat the integrity check, seconds on a large file, at
every refresh. The panels only need connections: this is all they get.
"""
import os
import re
import sqlite3
from dataclasses import dataclass

from ..i18n import message, pick, tr
from ..store.base import StoreError
from ..store.gpkg import connect
from ..store.indicators_sql import refused_by_store


@dataclass(frozen=True)
class LayerStore:
    """Connections to the GeoPackage at `location` (what sums_sql and history call `source`)."""
    location: str

    @property
    def read_only(self) -> bool:
        return not os.access(self.location, os.W_OK)

    def connect(self) -> sqlite3.Connection:
        return connect(self.location, read_only=self.read_only)


READ_ERRORS = (StoreError, sqlite3.Error, OSError)


def failure_text(error: Exception) -> str:
    """What the panel says when the store cannot be read (moved file, lock held too long, damage), or
    refuses a write."""
    if isinstance(error, StoreError):
        return message(error)
    if refused_by_store(error):
        return refusal_text(error)
    return tr("Lecture du stockage impossible : {0}").format(error)


def refusal_text(error: Exception) -> str:
    """A write the store's rules refused, in the rule's own words (the user's language when it gives both)."""
    said = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if " / " in said:
        french, english = said.rsplit(" / ", 1)
        # SQLite says "CHECK constraint failed: <rule_name>: <French> / <English>".
        said = pick(re.sub(r"^.*?\b[a-z][a-z0-9]*_[a-z0-9_]+: ", "", french), english)
    return tr("Refusé par le stockage, rien n'a été écrit : {0}").format(said)


def notify(iface, text: str, level=None, seconds: int = 5) -> None:
    """A message in QGIS's message bar, titled with the plugin's name."""
    from qgis.core import Qgis
    iface.messageBar().pushMessage(tr("Résorption SIG"), text, level if level is not None else Qgis.MessageLevel.Info,
                                   seconds)
