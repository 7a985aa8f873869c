"""Screenshots of the « Dispositifs » dock from the real QGIS under Xvfb at 1366×768, into docs/img/.

    .venv/bin/python tests/qgis/scripts/run_dispositifs_screenshots.py [--store demo.gpkg]

Without --store, the demo store of the Seine-Saint-Denis is generated (seed 2026).
"""
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE.parent))

from desktop import (LAPTOP_SCREEN, demo_store_93, install_profile, report_screenshots, run_qgis,  # noqa: E402
                     screenshot_arguments)


def main():
    arguments, out = screenshot_arguments(with_store=True)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        store = arguments.store or demo_store_93(folder / "demo-93.gpkg")
        install_profile(folder / "profiles", enabled=True)
        result = run_qgis(folder / "profiles", HERE / "dispositifs_screenshots.py",
                          {"RESORPTION_DEMO_STORE": store, "RESORPTION_SHOTS": str(out), "LANG": "fr_FR.UTF-8"},
                          timeout=300, screen=LAPTOP_SCREEN)
    report_screenshots(out / "errors.txt", result, out.glob("dispositifs_*.png"))


if __name__ == "__main__":
    main()
