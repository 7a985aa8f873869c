"""What every store (GeoPackage, PostGIS) offers, and the errors it reports."""
from dataclasses import dataclass
from typing import Dict, Optional


class StoreError(Exception):
    """A failure the user must read: French message first, English beside it."""

    def __init__(self, message: str, message_en: str):
        super().__init__("%s / %s" % (message, message_en))
        self.message = message
        self.message_en = message_en


class NotAStore(StoreError):
    pass


class StoreNeedsUpgrade(StoreError):
    def __init__(self, found: int, expected: int):
        super().__init__(
            "Ce stockage est au schéma version %d ; le plugin utilise la version %d. "
            "Il doit être mis à jour avant usage." % (found, expected),
            "This store has schema version %d; the plugin uses version %d. "
            "It must be upgraded first." % (found, expected))
        self.found = found
        self.expected = expected


class StoreTooNew(StoreError):
    def __init__(self, found: int, expected: int):
        super().__init__(
            "Ce stockage a été créé par une version plus récente du plugin (schéma %d > %d). "
            "Mettez à jour le plugin Résorption SIG." % (found, expected),
            "This store was made by a newer version of the plugin (schema %d > %d). "
            "Update the Résorption SIG plugin." % (found, expected))


@dataclass
class StoreInfo:
    location: str
    kind: str
    schema_version: int
    role: str
    read_only: bool
    counts: Dict[str, int]


class Store:
    """A place where the data model lives: a GeoPackage file or a PostGIS schema."""

    kind = "abstract"
    location: str = ""
    read_only: bool = False

    def info(self) -> StoreInfo:
        raise NotImplementedError

    def layer_source(self, table: str) -> str:
        """The data source string QGIS or OGR open for `table`."""
        raise NotImplementedError

    def provider(self) -> str:
        raise NotImplementedError

    def meta(self, key: str) -> Optional[str]:
        raise NotImplementedError
