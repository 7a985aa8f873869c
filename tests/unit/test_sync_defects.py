"""The sync defects of issue 16 against a shared GeoPackage (the scenarios: sync_scenarios.py)."""
import shutil

import pytest

import sync_scenarios as scenario
from plugin.store import create_store
from plugin.sync import checkout
from sync_helpers import add_site, local, new_uuid

NAMES = ("alice", "bob", "carol")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    store = create_store(str(folder / "shared.gpkg"))
    with local(store.location) as connection:
        add_site(connection, "Les Prés", uuid=scenario.SITE_1, population=40)
    for name in NAMES:
        checkout(store.location, str(folder / ("%s.gpkg" % name)), ["93"], name)
    return folder


@pytest.fixture
def store(template, tmp_path):
    """The shared GeoPackage and the copies of Alice, Bob and Carol."""
    for path in template.iterdir():
        shutil.copy(path, tmp_path / path.name)
    shared = str(tmp_path / "shared.gpkg")
    paths = [str(tmp_path / ("%s.gpkg" % name)) for name in NAMES]
    for path in paths:
        with local(path) as connection:
            connection.execute("UPDATE rs_sync_state SET shared = ?, client_id = ?", (shared, new_uuid()))
    return shared, paths


def test_a_pending_conflict_survives_a_third_colleagues_change(store, capsys):
    scenario.a_pending_conflict_survives_a_third_change(store[0], *store[1], capsys)


def test_a_decision_taken_late_is_asked_against_the_latest_value(store, capsys):
    scenario.a_resolution_one_round_late_still_sees_the_latest_value(store[0], *store[1], capsys)


def test_a_field_changed_back_to_its_value_is_no_change(store, capsys):
    scenario.a_field_changed_back_is_no_change(store[0], *store[1][:2], capsys)


@pytest.mark.parametrize("choice", ["mine", "theirs"])
def test_a_site_moved_out_of_the_copy_while_edited_is_a_conflict_resolved_either_way(store, capsys, choice):
    scenario.moved_out_while_edited(store[0], *store[1][:2], capsys, choice)


def test_each_change_keeps_its_author_in_the_history(store, capsys):
    scenario.each_change_keeps_its_author(store[0], *store[1][:2], capsys)
