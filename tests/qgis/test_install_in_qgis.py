"""The plugin installs from its zip in the real QGIS, and loads and unloads ten times cleanly."""
import json

import pytest

from desktop import REPO, install_profile, run_qgis

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    root = tmp_path_factory.mktemp("qgis")
    installed = install_profile(root)
    assert (installed / "metadata.txt").is_file() and (installed / "resources/reference/communes.gpkg").is_file()
    out = root / "cycle.json"
    run = run_qgis(root, REPO / "tests/qgis/scripts/plugin_cycle.py", {"RESORPTION_CYCLE_OUT": str(out)})
    assert out.exists(), run.stdout[-2000:] + run.stderr[-2000:]
    return json.loads(out.read_text(encoding="utf-8"))


def test_loads_ten_times_without_error(cycle):
    assert "exception" not in cycle, cycle.get("exception")
    assert cycle["loaded"] == [True] * 10
    assert cycle["errors"] == []


def test_adds_its_menu_toolbar_and_functions(cycle):
    during = cycle["during"]
    assert "Résorption SIG" in during["menus"]
    assert "ResorptionSigToolbar" in during["toolbars"]
    assert "resorption_commune" in during["functions"]
    assert "resorption_login" in during["variables"]


def test_unload_leaves_nothing_behind(cycle):
    assert cycle["after"] == cycle["before"]
