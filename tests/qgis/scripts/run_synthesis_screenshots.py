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

from desktop import demo_store_93, report_screenshots, screenshot_arguments, shoot  # noqa: E402


def main():
    arguments, out = screenshot_arguments(with_store=True)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        store = arguments.store or demo_store_93(folder / "demo-93.gpkg", "--history-months", "24")
        result = shoot(folder, HERE / "synthesis_screenshots.py", store, out)
    report_screenshots(out / "synthesis_errors.txt", result, [
        path for pattern in ("synthese*.png", "historique*.png", "formulaire_site_historique.png")
        for path in out.glob(pattern)])


if __name__ == "__main__":
    main()
