"""Date fields as officers read dates: day/month/year, with a calendar."""
from qgis.PyQt.QtCore import QDate
from qgis.PyQt.QtWidgets import QDateEdit, QWidget


def date_edit(day: QDate, parent: QWidget = None, name: str = "") -> QDateEdit:
    edit = QDateEdit(day, parent)
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    return edit
