"""The sync defects of issue 16 against a shared PostGIS store (the scenarios: tests/unit/sync_scenarios.py)."""
import pytest

import sync_scenarios as scenario
from plugin.sync import checkout
from test_sync_postgis import seed

pytestmark = pytest.mark.postgis


@pytest.fixture
def copies(shared_uri, tmp_path):
    """Alice's, Bob's and Carol's copies of the 93."""
    seed(shared_uri)
    paths = [str(tmp_path / ("%s.gpkg" % name)) for name in ("alice", "bob", "carol")]
    for path, name in zip(paths, ("alice", "bob", "carol")):
        checkout(shared_uri, path, ["93"], name)
    return paths


def test_a_pending_conflict_survives_a_third_colleagues_change(shared_uri, copies, capsys):
    scenario.a_pending_conflict_survives_a_third_change(shared_uri, *copies, capsys)


def test_a_decision_taken_late_is_asked_against_the_latest_value(shared_uri, copies, capsys):
    scenario.a_resolution_one_round_late_still_sees_the_latest_value(shared_uri, *copies, capsys)


def test_a_field_changed_back_to_its_value_is_no_change(shared_uri, copies, capsys):
    scenario.a_field_changed_back_is_no_change(shared_uri, *copies[:2], capsys)


@pytest.mark.parametrize("choice", ["mine", "theirs"])
def test_a_site_moved_out_of_the_copy_while_edited_is_a_conflict_resolved_either_way(shared_uri, copies, capsys,
                                                                                      choice):
    scenario.moved_out_while_edited(shared_uri, *copies[:2], capsys, choice)


def test_each_change_keeps_its_author_in_the_history(shared_uri, copies, capsys):
    scenario.each_change_keeps_its_author(shared_uri, *copies[:2], capsys)
