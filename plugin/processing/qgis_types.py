"""Field and source types written the QGIS 4 way (QMetaType, Qgis.ProcessingSourceType), working from 3.22.

QgsField takes a QMetaType from QGIS 3.38 (QVariant.Type is gone with Qt 6); 3.22 only knows QVariant.Type,
whose values are the same numbers for these types. Qgis.ProcessingSourceType replaces the deprecated
QgsProcessing.Type* aliases from 3.36.
"""
from qgis.core import Qgis, QgsField, QgsProcessing
from qgis.PyQt.QtCore import QMetaType

STRING = QMetaType.Type.QString
INTEGER = QMetaType.Type.Int
DOUBLE = QMetaType.Type.Double
BOOLEAN = QMetaType.Type.Bool
DATE = QMetaType.Type.QDate
DATETIME = QMetaType.Type.QDateTime

_FIELDS_TAKE_METATYPE = Qgis.QGIS_VERSION_INT >= 33800


def new_field(name: str, meta_type: QMetaType.Type) -> QgsField:
    if _FIELDS_TAKE_METATYPE:
        return QgsField(name, meta_type)
    from qgis.PyQt.QtCore import QVariant   # QGIS < 3.38 (Qt 5 only)
    return QgsField(name, QVariant.Type(int(meta_type)))


if hasattr(Qgis, "ProcessingSourceType"):
    VECTOR_POINT = Qgis.ProcessingSourceType.VectorPoint
    VECTOR_LINE = Qgis.ProcessingSourceType.VectorLine
    VECTOR_POLYGON = Qgis.ProcessingSourceType.VectorPolygon
    VECTOR_ANY = Qgis.ProcessingSourceType.Vector
else:
    VECTOR_POINT = QgsProcessing.SourceType.TypeVectorPoint
    VECTOR_LINE = QgsProcessing.SourceType.TypeVectorLine
    VECTOR_POLYGON = QgsProcessing.SourceType.TypeVectorPolygon
    VECTOR_ANY = QgsProcessing.SourceType.TypeVector


def is_type(field: QgsField, meta_type: QMetaType.Type) -> bool:
    """Whether the field is of that type, whichever enum this QGIS answers with (same numbers)."""
    return int(field.type()) == int(meta_type)
