"""The plugin's settings, declared once with their defaults, read through QgsSettings."""
import getpass
from dataclasses import dataclass, fields

from .model.sums import DEFAULT_OUT_OF_DATE_MONTHS

GROUP = "resorption_sig"


@dataclass
class Settings:
    login: str = ""
    show_justice: bool = False
    out_of_date_months: int = DEFAULT_OUT_OF_DATE_MONTHS
    # A service not verified for this long is « à vérifier ».
    services_check_months: int = 6
    attachment_max_mb: int = 20
    last_store: str = ""
    # "" (none: offline), or a key of layers.background.BASEMAPS added under a store's layers.
    web_basemap: str = ""

    @classmethod
    def load(cls) -> "Settings":
        from qgis.core import QgsSettings
        stored = QgsSettings()
        values = {}
        for item in fields(cls):
            default = item.default
            values[item.name] = stored.value("%s/%s" % (GROUP, item.name), default, type=type(default))
        return cls(**values)

    def save(self) -> None:
        from qgis.core import QgsSettings
        stored = QgsSettings()
        for item in fields(self):
            stored.setValue("%s/%s" % (GROUP, item.name), getattr(self, item.name))

    def effective_login(self) -> str:
        """Who the edits are recorded as: the login set in the settings, else the session's user."""
        return self.login.strip() or getpass.getuser()
