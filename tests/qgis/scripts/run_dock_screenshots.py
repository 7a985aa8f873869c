"""Screenshots of the docks, forms and styles from the real QGIS under Xvfb, into docs/img/.

    .venv/bin/python tests/qgis/scripts/run_dock_screenshots.py [--store demo.gpkg]

Without --store, a demo store of the Seine-Saint-Denis is generated (seed 2026),
with a few attachments, phases and origins so that every tab has content.
"""
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE.parent))

from desktop import demo_store_93, report_screenshots, screenshot_arguments, shoot  # noqa: E402


def demo_store(folder: Path) -> str:
    from plugin.store import attachments, open_store
    import contextlib
    from plugin.store.gpkg import connect
    store = open_store(demo_store_93(folder / "demo-93.gpkg"))
    with contextlib.closing(connect(store.location)) as connection:
        terrain = connection.execute("SELECT uuid FROM insertion_sites ORDER BY name LIMIT 1").fetchone()[0]
    for name, content in (("plan de masse.pdf", b"%PDF-1.4 plan"), ("arrêté d'ouverture.pdf", b"%PDF-1.4 arrete"),
                          ("photo entrée.jpg", b"\xff\xd8\xff photo")):
        sample = folder / name
        sample.write_bytes(content * 500)
        attachments.add(store.location, "insertion_sites", terrain, str(sample), 20 * 1024 * 1024, "ddets93")
    return store.location


def main():
    arguments, out = screenshot_arguments(with_store=True)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        store = arguments.store or demo_store(folder)
        result = shoot(folder, HERE / "dock_screenshots.py", store, out)
    report_screenshots(out / "errors.txt", result, out.glob("*.png"))


if __name__ == "__main__":
    main()
