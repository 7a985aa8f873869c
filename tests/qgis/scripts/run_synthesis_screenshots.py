"""Screenshots of the "Synthèse" dock and the history panel from the real QGIS under Xvfb, into docs/img/.

    .venv/bin/python tests/qgis/scripts/run_synthesis_screenshots.py [--store demo.gpkg]

Without --store, a demo store of the Seine-Saint-Denis is generated (seed 2026) with
24 months of history, so that the chart and the comparison have something to show.
"""
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from desktop import (LAPTOP_SCREEN, demo_store_93, install_profile, report_screenshots, run_qgis,  # noqa: E402
                     screenshot_arguments)


def main():
    arguments, out = screenshot_arguments(with_store=True)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        store = arguments.store or demo_store_93(folder / "demo-93.gpkg", "--history-months", "24")
        install_profile(folder / "profiles", enabled=True)
        result = run_qgis(folder / "profiles", HERE / "synthesis_screenshots.py",
                          {"RESORPTION_DEMO_STORE": store, "RESORPTION_SHOTS": str(out), "LANG": "fr_FR.UTF-8"},
                          timeout=300, screen=LAPTOP_SCREEN)
    report_screenshots(out / "synthesis_errors.txt", result, [
        path for pattern in ("synthese*.png", "historique*.png", "formulaire_site_historique.png")
        for path in out.glob(pattern)])


if __name__ == "__main__":
    main()
