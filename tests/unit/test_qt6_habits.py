"""The Python code is written the QGIS 4 / Qt 6 way while it runs on QGIS 3.22: Qt through qgis.PyQt, field types
through plugin/processing/qgis_types.py, no QgsProcessing.Type* aliases, exec() rather than exec_(), and enum
members reached through their enum (Qt.AlignmentFlag.AlignLeft, not Qt.AlignLeft), the only spelling PyQt6 knows.
Read from the source with `ast`: no QGIS needed."""
import ast
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("plugin", "tests", "bench", ".ci")
# The one place that still names the Qt 5 spellings, for QGIS < 3.36 / 3.38.
COMPATIBILITY = {"plugin/processing/qgis_types.py"}

# For each class checked, the capitalised names it may be followed by: its enum types (Class.Enum.Member is the
# scoped spelling), nested classes and constants. Any other `Class.Name` is an unscoped enum member.
# A new enum type used in the code goes here.
ENUM_TYPES: Dict[str, Set[str]] = {
    "Qt": {"AlignmentFlag", "ApplicationAttribute", "AspectRatioMode", "BrushStyle", "CaseSensitivity", "CheckState",
           "ContextMenuPolicy", "Corner", "CursorShape", "DateFormat", "DayOfWeek", "DockWidgetArea", "Edge",
           "FocusPolicy", "FocusReason", "GlobalColor", "ItemDataRole", "ItemFlag", "ItemSelectionMode", "Key",
           "KeyboardModifier", "LayoutDirection", "MatchFlag", "MouseButton", "Orientation", "PenCapStyle",
           "PenJoinStyle", "PenStyle", "ScrollBarPolicy", "SortOrder", "TextElideMode", "TextFlag", "TextFormat",
           "TextInteractionFlag", "TimeSpec", "ToolButtonStyle", "TransformationMode", "WidgetAttribute",
           "WindowModality", "WindowState", "WindowType"},
    "Qgis": {"MessageLevel", "ProcessingSourceType", "TextRenderFormat", "WkbType", "GeometryType", "DistanceUnit",
             "LayoutUnit", "RenderUnit", "FeatureRequestFlag", "ProcessingNumberParameterType",
             "ProcessingFieldParameterDataType", "QGIS_VERSION", "QGIS_VERSION_INT", "QGIS_RELEASE_NAME",
             "QGIS_DEV_VERSION"},
    "QAbstractItemView": {"EditTrigger", "SelectionBehavior", "SelectionMode", "ScrollHint", "ScrollMode"},
    "QTableWidget": {"EditTrigger", "SelectionBehavior", "SelectionMode", "ScrollHint", "ScrollMode"},
    "QHeaderView": {"ResizeMode"},
    "QDialogButtonBox": {"StandardButton", "ButtonRole"},
    "QMessageBox": {"StandardButton", "ButtonRole", "Icon"},
    "QSizePolicy": {"Policy", "ControlType"},
    "QComboBox": {"InsertPolicy", "SizeAdjustPolicy"},
    "QLineEdit": {"EchoMode"},
    "QFrame": {"Shape", "Shadow"},
    "QFormLayout": {"RowWrapPolicy", "FieldGrowthPolicy", "ItemRole"},
    "QPainter": {"RenderHint"},
    "QImage": {"Format"},
    "QItemSelectionModel": {"SelectionFlag"},
    "QEvent": {"Type"},
    "QEventLoop": {"ProcessEventsFlag"},
    "QSettings": {"Format", "Scope", "Status"},
    "QMetaType": {"Type"},
    "QgsWkbTypes": {"Type", "GeometryType"},
    "QgsFeatureSink": {"Flag", "SinkFlag"},
    "QgsFeatureRequest": {"Flag", "FilterType", "InvalidGeometryCheck", "OrderBy", "OrderByClause"},
    "QgsProcessingFeatureSource": {"Flag"},
    "QgsProcessingParameterNumber": {"Type"},
    "QgsProcessingParameterField": {"DataType"},
    "QgsProcessingParameterDateTime": {"Type"},
    "QgsProcessingParameterDefinition": {"Flag"},
    "QgsMapLayer": {"StyleCategory", "LayerFlag", "PropertyType", "ReadFlag"},
    "QgsTask": {"Flag", "TaskStatus", "SubTaskDependency"},
    "QgsUnitTypes": {"DistanceUnit", "LayoutUnit", "RenderUnit", "AreaUnit", "UnitType"},
    "QgsFileWidget": {"StorageMode", "RelativeStorage"},
    "QgsLayoutExporter": {"ExportResult", "PdfExportSettings", "ImageExportSettings", "SvgExportSettings"},
    "QgsLayoutItemMap": {"AtlasScalingMode", "MapItemFlag"},
    "QgsLayoutItemPicture": {"Format", "NorthMode", "ResizeMode"},
    "QgsLayoutItemPage": {"Orientation"},
    "QgsLayoutObject": {"DataDefinedProperty"},
    "QgsLayoutTable": {"WrapBehavior", "HeaderMode", "EmptyTableMode"},
    "QgsLayoutMultiFrame": {"ResizeMode"},
    "QgsLegendStyle": {"Style", "Side"},
    "QgsPalLayerSettings": {"Property", "Placement"},
    "QgsSymbolLayer": {"Property"},
    "QgsSpatialIndex": {"Flag"},
    "QgsProperty": {"Type"},
    "QgsFieldConstraints": {"Constraint", "ConstraintOrigin", "ConstraintStrength"},
    "QgsFields": {"FieldOrigin"},
    "QgsAttributeEditorElement": {"AttributeEditorType"},
    "QgsAttributeEditorContext": {"Mode", "RelationMode", "FormMode"},
    "QgsAction": {"ActionType"},
    "QgsMapLayerProxyModel": {"Filter"},
    "QgsDataSourceUri": {"SslMode"},
    "QgsRelation": {"RelationStrength", "RelationType"},
    "QgsEditFormConfig": {"EditorLayout", "FeatureFormSuppress", "PythonInitCodeSource"},
    "QgsRubberBand": {"IconType"},
    "QgsScaleBarSettings": {"SegmentSizeMode"},
    "QgsVectorLayerDirector": {"Direction"},
    "QgsAggregateCalculator": {"Aggregate", "AggregateParameters"},
    "QgsRenderContext": {"Flag", "TextRenderFormat"},
}

Finding = Tuple[str, int, str]


def sources() -> Iterator[Tuple[str, ast.AST]]:
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            yield name, ast.parse(path.read_text(encoding="utf-8"), name)


def dotted(node: ast.Attribute) -> str:
    """`Qt.AlignLeft` for the node of `Qt.AlignLeft`; '' when it does not start with a plain name."""
    parts = [node.attr]
    while isinstance(node.value, ast.Attribute):
        node = node.value
        parts.append(node.attr)
    return ".".join([node.value.id] + parts[::-1]) if isinstance(node.value, ast.Name) else ""


def old_spellings(name: str, tree: ast.AST) -> List[Finding]:
    found: List[Finding] = []
    calls = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(name, node.lineno, alias.name) for alias in node.names if alias.name.split(".")[0]
                      in ("PyQt5", "PyQt6")]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("PyQt5", "PyQt6"):
            found.append((name, node.lineno, "from " + node.module))
        elif isinstance(node, ast.Attribute):
            if node.attr == "exec_":
                found.append((name, node.lineno, ".exec_"))
            if not isinstance(node.value, ast.Name):
                continue
            owner, member = node.value.id, node.attr
            spelled = owner + "." + member
            if owner == "QVariant" and member[:1].isupper() and name not in COMPATIBILITY:
                found.append((name, node.lineno, spelled))
            elif owner == "QgsProcessing" and member.startswith(("Type", "SourceType")) and name not in COMPATIBILITY:
                found.append((name, node.lineno, spelled))
            elif owner in ENUM_TYPES and member[:1].isupper() and member not in ENUM_TYPES[owner]:
                found.append((name, node.lineno, spelled))
            elif owner == "Qt" and member[:1].islower() and id(node) not in calls:
                found.append((name, node.lineno, spelled))   # Qt.red: a GlobalColor
    return found


def test_the_code_uses_qgis4_spellings():
    found = sorted(f for name, tree in sources() for f in old_spellings(name, tree))
    assert found == [], "Qt 5 spellings (use the scoped enum, qgis_types, exec()):\n" + "\n".join(
        "%s:%d: %s" % f for f in found)


def spellings_in(code: str) -> List[str]:
    return [spelled for _, _, spelled in old_spellings("plugin/x.py", ast.parse(code))]


def test_the_check_tells_old_spellings_from_scoped_ones():
    assert spellings_in("from PyQt5.QtCore import Qt\nimport PyQt5.QtGui") == ["from PyQt5.QtCore", "PyQt5.QtGui"]
    assert spellings_in("dialog.exec_()\ndialog.exec()") == [".exec_"]
    assert spellings_in("QgsField('n', QVariant.Int)\nisinstance(v, QVariant)") == ["QVariant.Int"]
    assert spellings_in("[QgsProcessing.TypeVectorPoint, QgsProcessing.SourceType.TypeVector]") == [
        "QgsProcessing.TypeVectorPoint", "QgsProcessing.SourceType"]
    old = ("QgsWkbTypes.Point, QgsFeatureSink.FastInsert, Qt.AlignLeft | Qt.AlignVCenter, QMessageBox.Yes, Qt.red, "
           "QgsMapLayer.Symbology, Qgis.Warning")
    assert sorted(spellings_in(old)) == sorted(
        ["QgsWkbTypes.Point", "QgsFeatureSink.FastInsert", "Qt.AlignLeft", "Qt.AlignVCenter", "QMessageBox.Yes",
         "Qt.red", "QgsMapLayer.Symbology", "Qgis.Warning"])
    scoped = ("QgsWkbTypes.Type.Point, QgsWkbTypes.GeometryType.PointGeometry, QgsFeatureSink.Flag.FastInsert, "
              "Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, QMessageBox.StandardButton.Yes, "
              "Qt.GlobalColor.red, QgsMapLayer.StyleCategory.Symbology, Qgis.MessageLevel.Warning, "
              "Qgis.QGIS_VERSION_INT, QgsLayoutExporter.PdfExportSettings(), Qt.mightBeRichText('x'), "
              "QgsWkbTypes.geometryType(t), QgsProcessingParameterNumber.Type.Double, UnknownClass.Member")
    assert spellings_in(scoped) == []


def test_only_the_compatibility_module_names_the_qt5_types():
    code = "QVariant.Type(int(t))\nQgsProcessing.SourceType.TypeVectorPoint"
    assert old_spellings("plugin/processing/qgis_types.py", ast.parse(code)) == []
    assert len(old_spellings("plugin/processing/other.py", ast.parse(code))) == 2
