"""The sync's promise as a stateful property against a shared GeoPackage (sync_machine.py)."""
import pytest
from hypothesis.stateful import run_state_machine_as_test

from sync_machine import GeoPackageBackend, machine_on, settings_for


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    return GeoPackageBackend(tmp_path_factory.mktemp("machine"))


def test_the_sync_keeps_its_promise_with_a_shared_geopackage(backend):
    run_state_machine_as_test(machine_on(backend), settings=settings_for(examples=30, steps=40))
