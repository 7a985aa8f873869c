"""Where the plugin's files are, whether it runs from the repository or from an installed zip."""
from pathlib import Path

PLUGIN_ROOT = Path(__file__).resolve().parent.parent
RESOURCES = PLUGIN_ROOT / "resources"
STYLES = RESOURCES / "styles"
LAYOUTS = RESOURCES / "layouts"
ICONS = RESOURCES / "icons"
FORMS = PLUGIN_ROOT / "forms"
I18N = PLUGIN_ROOT / "i18n"

# Built from the shared communes GeoPackage by `.ci/build.py assets` (not committed).
COMMUNES_REFERENCE = RESOURCES / "reference" / "communes.gpkg"


def icon_path(name: str) -> str:
    return str(ICONS / name)


def style_path(name: str) -> str:
    return str(STYLES / name)
