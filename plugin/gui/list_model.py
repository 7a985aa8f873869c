"""The table model of a dock's list: cached rows, the filtered subset shown, sorting.

Filtering is done in one Python pass over the cached rows (plugin/layers/listing.py)
and the model shows the accepted ones: a keystroke over 10,000 sites stays far
below 100 ms, where a QSortFilterProxyModel would call back into Python once per row.
"""
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional

from qgis.PyQt.QtCore import QAbstractTableModel, QModelIndex, Qt

from ..layers.listing import Row

FID_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Column:
    header: str
    display: Callable[[Row], str]
    sort_key: Callable[[Row], object]
    align_right: bool = False
    width: int = 90


class RowsModel(QAbstractTableModel):
    def __init__(self, columns: List[Column], parent=None):
        super().__init__(parent)
        self.columns = columns
        self.rows: List[Row] = []
        self.shown: List[Row] = []
        self._accepted: Optional[List[bool]] = None
        self._sort = (0, Qt.SortOrder.AscendingOrder)
        self._position: Dict[int, int] = {}

    # --- content --------------------------------------------------------------------
    def set_rows(self, rows: List[Row], accepted: Optional[List[bool]] = None) -> None:
        self.beginResetModel()
        self.rows = rows
        self._accepted = accepted
        self._rebuild()
        self.endResetModel()

    def set_accepted(self, accepted: List[bool]) -> None:
        self.beginResetModel()
        self._accepted = accepted
        self._rebuild()
        self.endResetModel()

    def update_row(self, row: Row) -> None:
        """One feature changed: replace its row in place (no reset, the selection stays)."""
        for index, existing in enumerate(self.rows):
            if existing.fid == row.fid:
                self.rows[index] = row
                break
        position = self._position.get(row.fid)
        if position is not None:
            self.shown[position] = row
            self.dataChanged.emit(self.index(position, 0), self.index(position, len(self.columns) - 1))

    def _rebuild(self) -> None:
        if self._accepted is None or len(self._accepted) != len(self.rows):
            shown = list(self.rows)
        else:
            shown = [row for row, keep in zip(self.rows, self._accepted) if keep]
        column, order = self._sort
        key = self.columns[column].sort_key

        def unknown_last(row):
            value = key(row)
            return (value is None, value)
        shown.sort(key=unknown_last, reverse=order == Qt.SortOrder.DescendingOrder)
        self.shown = shown
        self._position = {row.fid: position for position, row in enumerate(shown)}

    def position_of(self, fid: int) -> Optional[int]:
        return self._position.get(fid)

    # --- Qt model -------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()):  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.shown)

    def columnCount(self, parent=QModelIndex()):  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.shown[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(row)
        if role == FID_ROLE:
            return row.fid
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 (Qt API)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        return None

    def sort(self, column, order=Qt.SortOrder.AscendingOrder):
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._rebuild()
        self.layoutChanged.emit()
