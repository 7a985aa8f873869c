"""The sync defects of issue 16 against a shared PostGIS store (the scenarios: tests/unit/sync_scenarios.py)."""
import pytest

from sync_scenarios import SCENARIOS
from test_sync_postgis import copies  # noqa: F401  (Alice's, Bob's and Carol's copies of the 93)

pytestmark = pytest.mark.postgis


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.__name__)
def test_the_sync_defects_of_issue_16_stay_fixed(shared_uri, copies, capsys, scenario):
    scenario(shared_uri, copies, capsys)
