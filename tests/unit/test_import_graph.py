"""The layering of plugin/, read from the imports of its source (top-level and inside functions alike):
no import circle inside layers/, the stores below the QGIS glue and the docks, the domain without Qt or QGIS."""
import ast
from pathlib import Path
from typing import Dict, List, Set

PLUGIN = Path(__file__).resolve().parents[2] / "plugin"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PLUGIN.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(path: Path) -> Set[str]:
    """Every dotted name the file imports: `from .x import y` gives both `plugin.<pkg>.x` and `plugin.<pkg>.x.y`."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names.add(module)
            names.update(module + "." + alias.name for alias in node.names)
    return names


def import_graph() -> Dict[str, Set[str]]:
    """{module: the names it imports}, for every module of plugin/."""
    return {module_name(path): imported_names(path) for path in PLUGIN.rglob("*.py")}


def inside(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def cycles(graph: Dict[str, Set[str]], package: str) -> List[List[str]]:
    """The import circles among the modules of `package` (strongly connected parts of more than one module)."""
    edges = {module: sorted(n for n in names if n in graph and n != module and inside(n, package))
             for module, names in graph.items() if inside(module, package)}
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    found: List[List[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in edges[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            part = stack[stack.index(module):]
            del stack[stack.index(module):]
            if len(part) > 1:
                found.append(sorted(part))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def imports_of(graph: Dict[str, Set[str]], package: str, forbidden: List[str]) -> List[str]:
    return sorted("%s imports %s" % (module, name) for module, names in graph.items() if inside(module, package)
                  for name in names if any(inside(name, f) for f in forbidden))


def test_the_graph_sees_imports_of_every_form():
    graph = import_graph()
    # `from . import x`, `from .x import y`, `from ..x import y` and an import inside a function.
    assert "plugin.layers.forms" in graph["plugin.layers.loader"]
    assert "plugin.model.schema" in graph["plugin.layers.loader"]
    assert "plugin.settings" in graph["plugin.layers.loader"]
    assert "qgis.core" in graph["plugin.layers.loader"]
    assert "plugin.layers.loader imports qgis.core" in imports_of(graph, "plugin.layers", ["qgis"])
    assert cycles({"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}, "a.w": {"a.x"}}, "a") == [["a.x", "a.y", "a.z"]]


def test_no_import_circle_in_layers():
    assert cycles(import_graph(), "plugin.layers") == []


def test_stores_do_not_import_the_qgis_glue_nor_the_docks():
    assert imports_of(import_graph(), "plugin.store", ["plugin.layers", "plugin.gui"]) == []


def test_the_domain_imports_neither_qt_nor_qgis():
    assert imports_of(import_graph(), "plugin.model", ["qgis", "PyQt5", "PyQt6", "sip", "plugin.layers",
                                                       "plugin.gui"]) == []
