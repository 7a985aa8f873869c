"""Data no real site has is refused by the store itself (issue 16): counts beyond any camp, digests
that are paths, references to nothing; a deleted terrain takes its phases along, history kept; an
older store gets these rules when it is upgraded."""
import contextlib
import sqlite3
from dataclasses import replace

import pytest

from plugin.model import schema, validation
from plugin.store import gpkg, open_store
from sync_helpers import add_site, new_uuid

HUGE = 2 ** 62


def write(location, sql, parameters=()):
    with contextlib.closing(gpkg.connect(location)) as connection:
        connection.execute(sql, parameters)


def read(location, sql, parameters=()):
    with contextlib.closing(gpkg.connect(location)) as connection:
        return connection.execute(sql, parameters).fetchall()


def test_a_population_of_2_to_the_62_is_refused_by_the_validator_and_the_store(new_store):
    row = {"insee_code": "93066", "departement": "93", "status": "open", "population_total": HUGE}
    assert "sites_population_total_max" in {p.code for p in validation.problems(schema.SITES, row)}
    with pytest.raises(sqlite3.IntegrityError, match="sites_population_total_max"):
        write(new_store.location, "INSERT INTO sites (insee_code, departement, population_total) "
                                  "VALUES ('93066', '93', ?)", (HUGE,))
    # the largest plausible figure still passes
    write(new_store.location, "INSERT INTO sites (insee_code, departement, population_total) VALUES ('93066', '93', ?)",
          (schema.COUNT_MAXIMUM,))


def test_every_count_of_every_table_is_bounded():
    counts = [(t.name, f.name) for t in schema.TABLES for f in t.fields if f.is_count and f.name != "size_bytes"]
    assert counts and all(schema.table(t).field(f).maximum == schema.COUNT_MAXIMUM for t, f in counts)


def test_a_site_without_departement_is_refused(new_store):
    with pytest.raises(sqlite3.IntegrityError, match="sites_departement_required"):
        write(new_store.location, "INSERT INTO sites (insee_code) VALUES ('93066')")


def test_a_digest_that_is_a_path_is_refused(new_store):
    with pytest.raises(sqlite3.IntegrityError, match="attachments_sha256_format"):
        write(new_store.location, 'INSERT INTO attachments (owner_table, owner_uuid, filename, sha256, size_bytes, '
                                  "content) VALUES ('sites', ?, 'x.pdf', ?, 3, x'616263')",
              (new_uuid(), "../rel/pwned" + "0" * 52))


def test_a_programme_cannot_name_a_site_that_does_not_exist(new_store):
    action = new_uuid()
    write(new_store.location, "INSERT INTO actions (uuid, name, started_at, goals, departement) "
                              "VALUES (?, 'MOUS', '2024-01-01', 'Accompagnement', '93')", (action,))
    with pytest.raises(sqlite3.IntegrityError, match="action_sites_site_uuid_exists"):
        write(new_store.location, "INSERT INTO action_sites (action_uuid, site_uuid) VALUES (?, ?)",
              (action, new_uuid()))
    assert read(new_store.location, "SELECT count(*) FROM action_sites") == [(0,)]
    with contextlib.closing(gpkg.connect(new_store.location)) as connection:
        site = add_site(connection, "Les Prés")
    write(new_store.location, "INSERT INTO action_sites (action_uuid, site_uuid) VALUES (?, ?)", (action, site))
    with pytest.raises(sqlite3.IntegrityError, match="action_sites_site_uuid_exists"):
        write(new_store.location, "UPDATE action_sites SET site_uuid = ?", (new_uuid(),))
    assert read(new_store.location, "SELECT site_uuid FROM action_sites") == [(site,)]


def test_deleting_a_terrain_deletes_its_phases_and_keeps_their_history(new_store):
    terrain = new_uuid()
    write(new_store.location, "INSERT INTO insertion_sites (uuid, name, departement) VALUES (?, 'Les Lilas', '93')",
          (terrain,))
    write(new_store.location, "INSERT INTO insertion_site_phases (insertion_site_uuid, phase) "
                              "VALUES (?, 'technical_diagnosis')", (terrain,))
    write(new_store.location, "DELETE FROM insertion_sites WHERE uuid = ?", (terrain,))
    assert read(new_store.location, "SELECT count(*) FROM insertion_site_phases") == [(0,)]
    assert read(new_store.location, "SELECT phase, operation FROM insertion_site_phases_history") == [
        ("technical_diagnosis", "delete")]


def test_deleting_a_programme_empties_the_terrains_that_named_it(new_store):
    action, terrain = new_uuid(), new_uuid()
    write(new_store.location, "INSERT INTO actions (uuid, name, started_at, goals, departement) "
                              "VALUES (?, 'MOUS', '2024-01-01', 'Accompagnement', '93')", (action,))
    write(new_store.location, "INSERT INTO insertion_sites (uuid, name, action_uuid) VALUES (?, 'Les Lilas', ?)",
          (terrain, action))
    write(new_store.location, "DELETE FROM actions WHERE uuid = ?", (action,))
    assert read(new_store.location, "SELECT action_uuid, row_version FROM insertion_sites") == [(None, 2)]
    assert read(new_store.location, "SELECT action_uuid FROM insertion_sites_history") == [(action,)]


def version_2_tables():
    """The declaration as version 2 had it: counts unbounded, any digest, a site without département."""
    def before(table):
        fields = tuple(replace(f, maximum=None) if f.is_count else
                       replace(f, required=False) if (table.name, f.name) == ("sites", "departement") else f
                       for f in table.fields)
        rules = tuple(r for r in table.rules if r.code != "attachments_sha256_format")
        return replace(table, fields=fields, rules=rules)
    return tuple(before(t) for t in schema.TABLES)


def test_a_version_2_store_gets_the_new_rules_when_upgraded(tmp_path):
    path = str(tmp_path / "v2.gpkg")
    gpkg.create(path, tables=version_2_tables(), version=2)
    with contextlib.closing(gpkg.connect(path)) as connection:
        # the relation triggers are the plugin's: remove them as version 2 had none
        for name, in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                        "AND (name LIKE '%\\_exists\\_%' ESCAPE '\\')").fetchall():
            connection.execute('DROP TRIGGER "%s"' % name)
        add_site(connection, "Avant", population=HUGE)
    open_store(path, allow_upgrade=True).upgrade()
    with pytest.raises(sqlite3.IntegrityError, match="sites_population_total_max"):
        write(path, "INSERT INTO sites (insee_code, departement, population_total) VALUES ('93066', '93', ?)", (HUGE,))
    with pytest.raises(sqlite3.IntegrityError, match="sites_departement_required"):
        write(path, "INSERT INTO sites (insee_code) VALUES ('93066')")
    with pytest.raises(sqlite3.IntegrityError, match="action_sites_site_uuid_exists"):
        write(path, "INSERT INTO action_sites (action_uuid, site_uuid) VALUES (?, ?)", (new_uuid(), new_uuid()))
    # the rows already there stay, as they were
    assert read(path, "SELECT name, population_total FROM sites") == [("Avant", HUGE)]


def test_huge_counts_kept_from_version_2_give_a_message_not_an_overflow(tmp_path, capsys):
    from plugin import cli
    path = str(tmp_path / "v2.gpkg")
    gpkg.create(path, tables=version_2_tables(), version=2)
    with contextlib.closing(gpkg.connect(path)) as connection:
        for name in ("Un", "Deux", "Trois"):
            add_site(connection, name, population=HUGE)
    assert cli.main(["upgrade", path]) == 0
    for command in (["sums", path], ["export", path, str(tmp_path / "export.xlsx")]):
        capsys.readouterr()
        assert cli.main(command) == 2
        assert "effectifs hors de toute mesure (au-delà de 100000)" in capsys.readouterr().err
    assert not (tmp_path / "export.xlsx").exists()
