"""The sync defects of issue 16 against a shared GeoPackage (the scenarios: sync_scenarios.py)."""
import pytest

from sync_scenarios import SCENARIOS
from test_sync_gpkg import copies, shared, template  # noqa: F401  (the fixtures of the sync tests)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.__name__)
def test_the_sync_defects_of_issue_16_stay_fixed(shared, copies, capsys, scenario):
    scenario(shared, copies, capsys)
