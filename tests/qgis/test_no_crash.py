"""The daily path and no crash in the real QGIS (issue 12): a site placed and saved through its form, the form
QGIS opens itself, a population edited, a site closed with its outcomes, a version restored, the COPIL map
prepared twice for the same territory in the layout
designer and as a PDF, the settings dialog saved, the plugin unloaded and reloaded, then QGIS quit."""
import json
import re

import pytest

from desktop import LAPTOP_SCREEN, REPO, demo_store_93, install_profile, run_qgis

pytestmark = pytest.mark.slow


def test_daily_path_copil_twice_settings_reload_and_quit_exit_cleanly(tmp_path):
    profiles = tmp_path / "qgis"
    install_profile(profiles, enabled=True)
    store = demo_store_93(tmp_path / "demo.gpkg", "--sites", "40")
    out = tmp_path / "steps.json"
    run = run_qgis(profiles, REPO / "tests/qgis/scripts/copil_twice.py",
                   {"RESORPTION_CRASH_OUT": str(out), "RESORPTION_STORE": store}, timeout=300,
                   screen=LAPTOP_SCREEN)
    assert out.exists(), run.stderr[-3000:]
    steps = json.loads(out.read_text(encoding="utf-8"))
    assert "exception" not in steps, steps["exception"]
    assert steps["steps"][:8] == [
        "store opened", "new site form shows NULL: False", "new site saved: True",
        "identify form shows NULL: False", "population saved: True", "closure problems: ",
        "site closed: True, saved: True", "version restored: True"]
    assert [step.split(":")[0] for step in steps["steps"]][8:14] == [
        "designer 0", "designer 1", "pdf 0", "pdf 1", "settings dialog", "reloaded"]
    assert re.match(r"designer 1: Mise en page « COPIL – Seine-Saint-Denis – \d\d/\d\d/\d{4} » ouverte",
                    steps["steps"][9])
    assert "pdf 1: True" in steps["steps"] and "reloaded: True" in steps["steps"]
    assert steps["errors"] == []
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
