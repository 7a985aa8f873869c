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

from desktop import demo_store_93, report_screenshots, screenshot_arguments, shoot  # noqa: E402


def main():
    arguments, out = screenshot_arguments(with_store=True)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        store = arguments.store or demo_store_93(folder / "demo-93.gpkg")
        result = shoot(folder, HERE / "dispositifs_screenshots.py", store, out)
    report_screenshots(out / "errors.txt", result, out.glob("dispositifs_*.png"))


if __name__ == "__main__":
    main()
