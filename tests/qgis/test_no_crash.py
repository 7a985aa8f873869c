"""The officer's daily path in the real QGIS at 1366×768, with no crash (issue 12): a site placed and saved
through its form, the form QGIS opens itself (identify), a population edited, a site closed with where its people
went and corrected in the form's Fermeture tab, a terrain drawn with the mouse and saved through the form QGIS
opens, the nearest site linked as its origin, a version restored, the COPIL map prepared twice for the same
territory in the layout designer and as a PDF, the settings dialog saved, the plugin unloaded and reloaded, then
QGIS quit: no error logged, no question left, exit code 0."""
import datetime
import json

import pytest

from desktop import LAPTOP_SCREEN, REPO, demo_store_93, install_profile, run_qgis

pytestmark = pytest.mark.slow


def test_the_daily_path_then_copil_twice_settings_reload_and_quit_exit_cleanly(tmp_path):
    profiles = tmp_path / "qgis"
    install_profile(profiles, enabled=True)
    store = demo_store_93(tmp_path / "demo.gpkg", "--sites", "40")
    out = tmp_path / "steps.json"
    run = run_qgis(profiles, REPO / "tests/qgis/scripts/daily_path.py",
                   {"RESORPTION_CRASH_OUT": str(out), "RESORPTION_STORE": store}, timeout=300,
                   screen=LAPTOP_SCREEN)
    assert out.exists(), run.stderr[-3000:]
    steps = json.loads(out.read_text(encoding="utf-8"))
    today = datetime.date.today().strftime("%d/%m/%Y")
    assert "exception" not in steps, steps["exception"]
    view = next(step for step in steps["steps"] if step.startswith("window:"))
    steps["steps"].remove(view)
    # The window keeps the laptop's width; the Synthèse's main figures read beside the list, unscrolled.
    assert view.startswith("window: 1366 px wide;"), view
    assert all(figure in view for figure in ("Sites ouverts", "Personnes", "Ménages", "Mineurs")), view
    assert steps["steps"][:15] == [
        "store opened", "new site form shows NULL: False", "new site saved: True",
        "identify form shows NULL: False", "population saved: True", "closure problems: ",
        "site closed: True, saved: True", "outcomes saved from the closing tab: True, [(8, 2), (10, NULL)]",
        "drawn terrain form shows NULL: False", "terrain saved: True",
        "nearest origin offered: Terrain des Lilas — Bobigny (350 m) (of 41)", "origin linked: True, 1",
        "version restored: True, saved: True", "unsaved edits: []",
        "designer 0: Mise en page « COPIL – Seine-Saint-Denis – %s » ouverte dans le composeur (1 page(s))." % today]
    assert [step.split(":")[0] for step in steps["steps"]][15:20] == [
        "designer 1", "pdf 0", "pdf 1", "settings dialog", "reloaded"]
    assert not [step for step in steps["steps"] if step.startswith("asked on quitting")]
    assert "pdf 1: True" in steps["steps"] and "reloaded: True" in steps["steps"]
    assert steps["errors"] == []
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
