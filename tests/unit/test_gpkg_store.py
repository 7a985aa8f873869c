"""The GeoPackage store: its tables, the columns the store fills, history, opening and upgrading."""
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import replace

import pytest

from plugin import cli
from plugin.model import schema
from plugin.store import create_store, gpkg, open_store
from plugin.store.base import NotAStore, StoreError, StoreNeedsUpgrade, StoreTooNew

EXPECTED_TYPES = {
    schema.Kind.TEXT: "TEXT", schema.Kind.ENUM: "TEXT", schema.Kind.INTEGER: "INTEGER",
    schema.Kind.REAL: "REAL", schema.Kind.DATE: "DATE", schema.Kind.DATETIME: "DATETIME",
    schema.Kind.BOOLEAN: "BOOLEAN", schema.Kind.BLOB: "BLOB",
}
SCHEMA_MD_TABLES = {"sites", "insertion_sites", "insertion_site_phases", "insertion_site_origins", "actions",
                    "action_topics", "action_organisations", "action_finances", "action_sites",
                    "indicator_definitions", "indicator_values", "organisations", "attachments"}
# Added by the plugin (SCHEMA.md: "add fields where users need them"): where the people of a closed site went.
ADDED_TABLES = {"site_closing_outcomes", "services"}


def columns(connection, table):
    return {row[1]: row[2] for row in connection.execute('PRAGMA table_info("%s")' % table)}


def test_every_table_and_field_of_schema_md_exists_with_its_type(new_store):
    connection = new_store.connect()
    assert {t.name for t in schema.TABLES} == SCHEMA_MD_TABLES | ADDED_TABLES
    for table in schema.TABLES:
        found = columns(connection, table.name)
        for field in table.fields:
            assert found[field.name].startswith(EXPECTED_TYPES[field.kind]), (table.name, field.name)
        if table.geometry:
            assert found["geom"] == table.geometry
    sites = columns(connection, "sites")
    for name in ("population_minors_0_3", "population_minors_16_18", "water_access_has_stagnant_water",
                 "sanitary_access_hand_washing", "evacuation_order_at", "confirmed_at", "row_version"):
        assert name in sites


def test_the_core_indicators_are_there(new_store):
    codes = {row[0] for row in new_store.connect().execute("SELECT code FROM indicator_definitions")}
    assert {"people", "households", "women", "minors", "school_minors_enrolled"} <= codes


def test_nothing_in_the_schema_names_a_person():
    forbidden = ("first_name", "last_name", "firstname", "lastname", "birth", "nationality", "surname", "phone")
    for table in schema.TABLES:
        for field in table.fields:
            assert not any(word in field.name for word in forbidden), field.name


def test_a_row_from_another_tool_gets_its_uuid_version_and_authorship(new_store):
    connection = new_store.connect()
    connection.execute("INSERT INTO sites (departement, insee_code, population_total) VALUES ('93', '93066', 12)")
    uuid, version, created_at, created_by, updated_at = connection.execute(
        "SELECT uuid, row_version, created_at, created_by, updated_at FROM sites").fetchone()
    assert len(uuid) == 36 and uuid[14] == "4"
    assert version == 1
    assert created_at.endswith("Z") and updated_at == created_at
    assert created_by == schema.EXTERNAL_AUTHOR


def test_ogr2ogr_appends_rows_that_the_store_completes(new_store, tmp_path):
    source = tmp_path / "import.csv"
    source.write_text("departement,insee_code,name,population_total\n93,93066,Rue des Fleurs,25\n", encoding="utf-8")
    subprocess.run(["ogr2ogr", "-append", "-update", new_store.location, str(source), "-nln", "sites"],
                   check=True, capture_output=True)
    row = new_store.connect().execute("SELECT name, population_total, uuid, row_version FROM sites").fetchone()
    assert row[:2] == ("Rue des Fleurs", 25) and len(row[2]) == 36 and row[3] == 1


def test_ogr2ogr_cannot_bring_in_a_row_that_breaks_a_rule(new_store, tmp_path):
    source = tmp_path / "bad.csv"
    source.write_text("departement,insee_code,population_total,population_minors\n93,93066,5,9\n", encoding="utf-8")
    result = subprocess.run(["ogr2ogr", "-append", "-update", new_store.location, str(source), "-nln", "sites"],
                            capture_output=True, text=True)
    assert "sites_minors_le_people" in result.stderr
    assert new_store.connect().execute("SELECT count(*) FROM sites").fetchone()[0] == 0


def test_updates_and_deletes_keep_the_previous_version(new_store):
    connection = new_store.connect()
    connection.execute("INSERT INTO sites (departement, insee_code, population_total, created_by, updated_by) "
                       "VALUES ('93', '93066', 12, 'alice', 'alice')")
    connection.execute("UPDATE sites SET population_total = 15, row_version = row_version + 1, "
                       "updated_by = 'bob'")
    connection.execute("UPDATE sites SET population_total = 18")
    version, updated_by = connection.execute("SELECT row_version, updated_by FROM sites").fetchone()
    assert (version, updated_by) == (3, schema.EXTERNAL_AUTHOR)
    history = connection.execute(
        "SELECT population_total, row_version, changed_by, operation, valid_from <= valid_to "
        "FROM sites_history ORDER BY history_id").fetchall()
    assert history == [(12, 1, "bob", "update", 1), (15, 2, schema.EXTERNAL_AUTHOR, "update", 1)]
    connection.execute("DELETE FROM sites")
    assert connection.execute("SELECT population_total, operation FROM sites_history "
                              "ORDER BY history_id DESC").fetchone() == (18, "delete")


def test_an_update_that_changes_nothing_leaves_no_version(new_store):
    connection = new_store.connect()
    connection.execute("INSERT INTO sites (departement, insee_code, population_total) VALUES ('93', '93066', 12)")
    connection.execute("UPDATE sites SET population_total = 12")
    assert connection.execute("SELECT row_version FROM sites").fetchone()[0] == 1
    assert connection.execute("SELECT count(*) FROM sites_history").fetchone()[0] == 0


def test_the_uuid_of_a_feature_never_changes(new_store):
    connection = new_store.connect()
    connection.execute("INSERT INTO sites (departement, insee_code) VALUES ('93', '93066')")
    with pytest.raises(sqlite3.IntegrityError, match="uuid"):
        connection.execute("UPDATE sites SET uuid = '00000000-0000-4000-8000-000000000000'")


def test_the_store_is_a_valid_geopackage(new_store):
    connection = new_store.connect()
    connection.execute("INSERT INTO sites (departement, insee_code, geom) VALUES ('93', '93066', ?)",
                       (point_blob(2.45, 48.91),))
    connection.close()
    validator = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"
    result = subprocess.run([sys.executable, validator, new_store.location], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    listing = subprocess.run(["ogrinfo", "-ro", "-al", "-so", new_store.location], capture_output=True,
                             text=True, check=True).stdout
    assert "Layer name: sites" in listing and "Geometry: Point" in listing and "Feature Count: 1" in listing


def point_blob(x, y):
    """A GeoPackage point as GDAL writes it (little-endian header, no envelope)."""
    import struct
    return b"GP\x00\x01" + struct.pack("<i", 4326) + struct.pack("<bIdd", 1, 1, x, y)


def test_plain_sqlite_writes_keep_the_spatial_index_in_step(new_store):
    connection = new_store.connect()
    connection.execute("INSERT INTO sites (departement, insee_code, geom) VALUES ('93', '93066', ?)",
                       (point_blob(2.45, 48.91),))
    assert connection.execute("SELECT minx, maxy FROM rtree_sites_geom").fetchone() == pytest.approx((2.45, 48.91))


def test_creating_over_an_existing_file_is_refused(new_store):
    with pytest.raises(StoreError, match="existe déjà"):
        create_store(new_store.location)


def test_a_foreign_geopackage_is_not_a_store(shared_communes):
    with pytest.raises(NotAStore, match="pas un stockage Résorption SIG"):
        open_store(str(shared_communes))


def test_a_text_file_is_not_a_geopackage(tmp_path):
    path = tmp_path / "notes.gpkg"
    path.write_text("bonjour")
    with pytest.raises(NotAStore, match="n'est pas un GeoPackage"):
        open_store(str(path))


def test_a_corrupted_store_is_reported_and_left_as_it_is(new_store, tmp_path):
    damaged = tmp_path / "damaged.gpkg"
    shutil.copy(new_store.location, damaged)
    data = bytearray(damaged.read_bytes())
    data[8192:20480] = b"\xff" * 12288
    damaged.write_bytes(bytes(data))
    before = damaged.read_bytes()
    with pytest.raises(StoreError, match="endommagé"):
        open_store(str(damaged))
    assert damaged.read_bytes() == before


def test_a_newer_store_is_refused(new_store):
    new_store.connect().execute("UPDATE rs_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreTooNew, match="version plus récente"):
        open_store(new_store.location)


@pytest.fixture
def immutable(new_store):
    """The store made read-only in a way root cannot write through either."""
    result = subprocess.run(["chattr", "+i", new_store.location], capture_output=True)
    if result.returncode != 0:
        pytest.skip("chattr +i is not supported here: %s" % result.stderr.decode().strip())
    yield new_store.location
    subprocess.run(["chattr", "-i", new_store.location], check=True)


def test_a_read_only_store_opens_read_only_and_cannot_be_upgraded(immutable):
    store = open_store(immutable)
    assert store.read_only and store.info().counts["indicator_definitions"] == 12
    with pytest.raises(StoreError, match="lecture seule"):
        store.upgrade()


def older_store(path):
    """A store as an older plugin made it: without some fields, at schema version 0."""
    tables = tuple(replace(t, fields=tuple(f for f in t.fields if f.name != "heatwave_status"))
                   if t.name == "sites" else t for t in schema.TABLES if t.name != "attachments")
    return gpkg.create(path, tables=tables, version=schema.SCHEMA_VERSION - 1)


def test_an_older_store_is_upgraded_only_when_asked(tmp_path):
    path = str(tmp_path / "old.gpkg")
    older_store(path).connect().execute(
        "INSERT INTO sites (departement, insee_code, population_total) VALUES ('93', '93066', 7)")
    with pytest.raises(StoreNeedsUpgrade):
        open_store(path)
    store = open_store(path, allow_upgrade=True)
    assert store.missing_parts() == ["sites.heatwave_status", "table attachments"]
    assert store.upgrade() == ["sites.heatwave_status", "table attachments"]
    reopened = open_store(path)
    assert reopened.version == schema.SCHEMA_VERSION
    connection = reopened.connect()
    connection.execute("UPDATE sites SET heatwave_status = 1")
    assert connection.execute("SELECT population_total, heatwave_status, row_version FROM sites").fetchone() == (
        7, 1, 2)
    assert connection.execute("SELECT heatwave_status FROM sites_history").fetchone() == (None,)


def test_a_failed_upgrade_changes_nothing(tmp_path, monkeypatch):
    path = str(tmp_path / "old.gpkg")
    older_store(path)
    before = open(path, "rb").read()
    store = open_store(path, allow_upgrade=True)
    monkeypatch.setattr(gpkg, "_recreate_triggers", lambda connection, role: connection.execute("SELECT nonsense"))
    with pytest.raises(sqlite3.OperationalError):
        store.upgrade()
    with pytest.raises(StoreNeedsUpgrade):
        open_store(path)
    assert "heatwave_status" not in columns(sqlite3.connect(path), "sites")
    assert len(open(path, "rb").read()) == len(before)


def test_cli_init_and_info(tmp_path, capsys):
    path = str(tmp_path / "cli.gpkg")
    assert cli.main(["init", path]) == 0
    assert "Stockage créé" in capsys.readouterr().out
    assert cli.main(["info", path, "--json"]) == 0
    assert '"indicator_definitions": 12' in capsys.readouterr().out


def test_cli_failures_say_why_and_write_nothing(tmp_path, capsys):
    missing_folder = tmp_path / "nowhere" / "store.gpkg"
    assert cli.main(["init", str(missing_folder)]) == cli.EXIT_ERROR
    assert "n'existe pas" in capsys.readouterr().err
    assert not missing_folder.parent.exists()
    assert cli.main(["info", str(tmp_path / "absent.gpkg")]) == cli.EXIT_ERROR
    assert "n'existe pas" in capsys.readouterr().err


def test_the_store_stamps_population_changes_only(new_store):
    connection = new_store.connect()
    connection.execute("INSERT INTO sites (departement, insee_code, name) VALUES ('93', '93066', 'Les Acacias')")
    assert connection.execute("SELECT population_updated_at FROM sites").fetchone() == (None,)
    connection.execute("UPDATE sites SET population_total = 30")
    stamped = connection.execute("SELECT population_updated_at, updated_at FROM sites").fetchone()
    assert stamped[0] is not None and stamped[0] == stamped[1]
    connection.execute("UPDATE sites SET name = 'Les Acacias Nord'")
    assert connection.execute("SELECT population_updated_at FROM sites").fetchone()[0] == stamped[0]


def test_changes_that_do_not_name_their_author_go_to_the_login_editing_in_qgis(new_store):
    connection = new_store.connect()
    connection.execute("INSERT INTO sites (departement, insee_code, geom, created_by, updated_by) "
                       "VALUES ('93', '93066', ?, 'a', 'a')",
                       (point_blob(2.45, 48.91),))
    gpkg.set_editing_login(new_store.location, "pref93.sig")
    connection.execute("UPDATE sites SET geom = ?", (point_blob(2.46, 48.92),))
    connection.execute("DELETE FROM sites")
    assert connection.execute("SELECT changed_by, operation FROM sites_history ORDER BY history_id").fetchall() == [
        ("pref93.sig", "update"), ("pref93.sig", "delete")]
    gpkg.set_editing_login(new_store.location, None)
    connection.execute("INSERT INTO sites (departement, insee_code) VALUES ('93', '93066')")
    assert connection.execute("SELECT created_by FROM sites").fetchone() == (schema.EXTERNAL_AUTHOR,)


def test_a_working_copy_is_not_upgraded_in_place(tmp_path):
    path = str(tmp_path / "old_copy.gpkg")
    older_store(path).connect().execute("UPDATE rs_meta SET value = 'working_copy' WHERE key = 'role'")
    with pytest.raises(StoreError, match="copie de travail"):
        open_store(path, allow_upgrade=True).upgrade()
    assert "heatwave_status" not in columns(sqlite3.connect(path), "sites")
