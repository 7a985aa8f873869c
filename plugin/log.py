"""The plugin's one logger, and what shows its records in QGIS's Log panel (tab « Résorption SIG »).

Modules log through logging.getLogger(NAME); main.py shows the records in QGIS while the plugin is loaded.
"""
import logging
from typing import Optional

NAME = "resorption_sig"
TAB = "Résorption SIG"
LOG = logging.getLogger(NAME)


class MessageLogHandler(logging.Handler):
    """Writes each record, its traceback included, to QGIS's Log panel at the matching level."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        from qgis.core import Qgis, QgsMessageLog
        if record.levelno >= logging.ERROR:
            level = Qgis.MessageLevel.Critical
        elif record.levelno >= logging.WARNING:
            level = Qgis.MessageLevel.Warning
        else:
            level = Qgis.MessageLevel.Info
        try:
            QgsMessageLog.logMessage(self.format(record), TAB, level)
        except Exception:  # noqa: BLE001 (logging must never raise)
            self.handleError(record)


class QgisLogging:
    """`start()` shows the logger's records in QGIS (INFO and above); `stop()` undoes exactly that."""

    def __init__(self):
        self.handler: Optional[MessageLogHandler] = None
        self._level = logging.NOTSET

    def start(self) -> None:
        self.handler = MessageLogHandler()
        self._level = LOG.level
        LOG.addHandler(self.handler)
        if LOG.getEffectiveLevel() > logging.INFO:
            LOG.setLevel(logging.INFO)

    def stop(self) -> None:
        if self.handler is not None:
            LOG.removeHandler(self.handler)
            LOG.setLevel(self._level)
            self.handler = None
