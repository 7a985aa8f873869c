"""Dispositifs' indicators: the sums (flows summed, stocks at the period's end, missing months
apart), the store's rules on a month's values, the history of an entry."""
import contextlib
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugin.model import indicators as model
from plugin.store import gpkg
from plugin.store import indicators_sql as sql
from plugin.store.base import StoreError

KINDS = [model.Definition("u1", "people", "Personnes", None, None, None, "stock", "core"),
         model.Definition("u2", "housing_households", "Logement", None, "housing", None, "flow", "core")]


def action(uuid="A", started="2025-01-01", ended=None, topics=("housing",), operators=("Rives",), dep="93"):
    return model.Action(uuid, uuid, dep, started, ended, topics, operators)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.integers(0, 11), st.tuples(st.integers(0, 500), st.integers(0, 20)), max_size=12))
def test_flows_are_summed_stocks_read_at_the_end_and_missing_months_counted_apart(entries):
    months = ["2025-%02d" % (m + 1) for m in range(12)]
    values = [model.Value("A", code, months[m], v) for m, (people, housing) in entries.items()
              for code, v in (("people", people), ("housing_households", housing))]
    result = model.sum_indicators(KINDS, [action()], values, "2025-01", "2025-12", by="quarter")
    assert result["missing_months"] == 12 - len(entries)
    if entries:
        last = max(entries)
        assert result["total"] == {"people": entries[last][0],
                                   "housing_households": sum(h for _p, h in entries.values())}
    else:
        assert result["total"] == {}
    assert sum(g["missing_months"] for g in result["groups"]) == result["missing_months"]
    assert [g["key"] for g in result["groups"]] == ["2025-T1", "2025-T2", "2025-T3", "2025-T4"]


def test_groups_by_topic_count_a_dispositif_in_each_of_its_topics_and_months_before_its_start_are_not_missing():
    actions = [action("A", topics=("housing", "health")), action("B", started="2025-06-15", topics=("health",))]
    values = [model.Value("A", "people", "2025-12", 10), model.Value("B", "people", "2025-11", 4)]
    result = model.sum_indicators(KINDS, actions, values, "2025-01", "2025-12", by="topic")
    groups = {g["key"]: g for g in result["groups"]}
    assert groups["health"]["total"] == {"people": 14} and groups["housing"]["total"] == {"people": 10}
    assert groups["health"]["missing_months"] == 11 + 6
    assert result["missing_months"] == 11 + 6


def test_finances_sum_planned_and_spent_and_count_unknown_spending_apart():
    rows = [model.Finance("A", 2025, "dedie", 1000.0, 900.0), model.Finance("B", 2025, "dedie", 500.0, None),
            model.Finance("A", 2026, "europeen", 200.0, None)]
    by_year = model.sum_finances(rows, ("year",))
    assert by_year[0] == {"year": 2025, "planned": 1500.0, "spent": 900.0, "planned_unknown": 0, "spent_unknown": 1}
    assert [g["finance_type"] for g in model.sum_finances(rows, ("finance_type",))] == ["dedie", "europeen"]


@pytest.fixture
def dispositif(new_store):
    with contextlib.closing(new_store.connect()) as connection, gpkg.transaction(connection):
        connection.execute("INSERT INTO actions (uuid, name, started_at, goals, departement) VALUES "
                           "('A000000000000000000000000000000000aa', 'MOUS', '2025-01-01', 'Accompagner', '93')")
    return new_store, "A000000000000000000000000000000000aa"


def test_a_month_is_saved_together_in_an_order_the_sub_count_rule_accepts(dispositif):
    store, uuid = dispositif
    with contextlib.closing(store.connect()) as connection:
        sql.save_month_values(connection, uuid, {("people", "2025-03"): 10, ("women", "2025-03"): 8}, "alice")
        # both go down: the sub-count must be written first
        assert sql.save_month_values(connection, uuid, {("people", "2025-03"): 5, ("women", "2025-03"): 4},
                                     "bob", reason="saisie mensuelle") == 2
        grid = sql.grid(connection, uuid)
        assert grid[("people", "2025-03")].value == 5 and grid[("people", "2025-03")].updated_by == "bob"
        assert connection.execute("SELECT value, reason FROM indicator_values_history ORDER BY history_id").fetchall() \
            == [(8, "saisie mensuelle"), (10, "saisie mensuelle")]


def test_the_store_refuses_a_sub_count_above_its_total_and_writes_nothing_of_the_month(dispositif):
    store, uuid = dispositif
    with contextlib.closing(store.connect()) as connection:
        with pytest.raises(sqlite3.IntegrityError, match="indicator_values_subcount_le_total"):
            sql.save_month_values(connection, uuid, {("people", "2025-04"): 10, ("women", "2025-04"): 11,
                                                     ("households", "2025-04"): 3}, "alice")
        assert sql.grid(connection, uuid) == {}
        with pytest.raises(sqlite3.IntegrityError, match="indicator_values_value_min"):
            sql.save_month_values(connection, uuid, {("people", "2025-04"): -1}, "alice")


def test_a_value_changed_in_the_store_since_it_was_read_refuses_the_write(dispositif):
    store, uuid = dispositif
    with contextlib.closing(store.connect()) as connection:
        sql.save_month_values(connection, uuid, {("people", "2025-05"): 10}, "alice")
        with pytest.raises(StoreError, match="changé dans le stockage"):
            sql.save_month_values(connection, uuid, {("people", "2025-05"): 12}, "bob",
                                  expected={("people", "2025-05"): None})
        assert sql.grid(connection, uuid)[("people", "2025-05")].value == 10


def test_local_indicators_belong_to_a_departement(dispositif):
    store, _uuid = dispositif
    with contextlib.closing(store.connect()) as connection:
        sql.add_local_indicator(connection, "mediation_93", "Médiations scolaires", "93", kind="flow", login="alice")
        with pytest.raises(sqlite3.IntegrityError, match="indicator_definitions_local_departement"):
            sql.add_local_indicator(connection, "mediation_xx", "Médiations", None)
        assert "mediation_93" in {d.code for d in sql.definitions(connection, "93")}
        assert "mediation_93" not in {d.code for d in sql.definitions(connection, "94")}
        kinds = {d.code: d.kind for d in sql.definitions(connection)}
        assert kinds["housing_households"] == "flow" and kinds["people"] == "stock"


def test_the_demo_dispositifs_have_tags_operators_finances_and_two_years_of_values_some_late(new_store):
    import datetime as dt
    from plugin.demo.generator import generate
    generate(new_store, sites=400, seed=5)
    today = dt.date.today()
    with contextlib.closing(new_store.connect()) as connection:
        found = sql.actions(connection)
        values = sql.values(connection)
        entered_by = dict(connection.execute("SELECT a.uuid, o.name FROM actions a JOIN organisations o "
                                             "ON o.uuid = a.values_entered_by"))
        financed = {row[0] for row in connection.execute("SELECT action_uuid FROM action_finances")}
    assert len(found) >= 10
    for action in found:
        assert 2 <= len(action.topics) <= 4 and 1 <= len(action.operators) <= 3
        assert entered_by[action.uuid] in action.operators and action.uuid in financed
    months = {v.period for v in values}
    assert len(months) == 24 and max(months) == model.previous_month(today)
    late = [a for a in found if a.ended_at is None and model.missing_months(
        a, {v.period for v in values if v.action_uuid == a.uuid}, today)[-1:] == [model.previous_month(today)]]
    assert 0 < len(late) < len(found)


def test_a_declaration_with_two_tags_two_operators_places_and_finances_is_saved_and_modified(new_store):
    from plugin.demo.generator import generate
    from plugin.store import actions_sql
    generate(new_store, departement="93", seed=2)
    with contextlib.closing(new_store.connect()) as connection:
        organisations = actions_sql.organisation_choices(connection, "93")
        associations = [o[0] for o in organisations if o[2] == "association"][:2]
        pilot = next(o[0] for o in organisations if o[2] == "prefecture")
        sites = actions_sql.place_names(connection, "sites", "93")[:2]
        terrains = actions_sql.place_names(connection, "insertion_sites", "93")[:1]
        declaration = actions_sql.Declaration(values={
            "name": "MOUS Bobigny", "started_at": "2025-01-01", "goals": "Accès au logement", "departement": "93",
            "location_type": "sur_site", "reporting_frequency": "monthly", "values_entered_by": associations[0]},
            topics=["housing", "rights"], organisations=[(pilot, "pilot")] + [(a, "operator") for a in associations],
            sites=[s[0] for s in sites], terrains=[t[0] for t in terrains],
            finances=[actions_sql.FinanceLine(2025, "dedie", 120000.0, 98000.0)])
        uuid = actions_sql.save(connection, declaration, "agent.ddets")
        saved = actions_sql.load(connection, uuid)
        assert saved.topics == ["housing", "rights"] and len(saved.organisations) == 3
        assert saved.sites == declaration.sites and saved.terrains == declaration.terrains
        listed = sql.actions(connection, uuids=[uuid])[0]
        assert len(listed.operators) == 2 and listed.topics == ("housing", "rights")
        saved.topics = ["housing", "rights", "work"]
        saved.finances.append(actions_sql.FinanceLine(2026, "europeen", 50000.0, None))
        saved.finances[0].real_amount = 99000.0
        saved.values["goals"] = "Accès au logement et à l'emploi"
        actions_sql.save(connection, saved, "agent.prefecture")
        again = actions_sql.load(connection, uuid)
        assert again.topics == ["housing", "rights", "work"] and again.finances[0].real_amount == 99000.0
        assert connection.execute("SELECT goals, changed_by FROM actions_history WHERE uuid = ?", (uuid,)).fetchall() \
            == [("Accès au logement", "agent.prefecture")]
        with pytest.raises(sqlite3.IntegrityError, match="action_finances_year_within_action"):
            saved.finances.append(actions_sql.FinanceLine(2019, "prive", 1.0, None))
            actions_sql.save(connection, saved, "agent.ddets")
        assert len(actions_sql.load(connection, uuid).finances) == 2


def test_a_geopackage_of_version_2_gets_the_indicator_kinds(tmp_path):
    from plugin import cli
    from plugin.store import create_store, open_store
    path = create_store(str(tmp_path / "v2.gpkg")).location
    with contextlib.closing(gpkg.connect(path)) as connection:  # what version 2 looked like
        for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
                                          "'indicator_definitions'").fetchall():
            connection.execute('DROP TRIGGER "%s"' % name)
        create = connection.execute("SELECT sql FROM sqlite_master WHERE name = 'indicator_definitions'").fetchone()[0]
        lines = create.split("\n")
        items = [line.rstrip(",") for line in lines[1:-1] if not (
            line.strip().startswith("CONSTRAINT") and ("kind" in line or "local_departement" in line))]
        connection.execute("PRAGMA writable_schema = ON")
        connection.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'indicator_definitions'",
                           ("\n".join([lines[0], ",\n".join(items), lines[-1]]),))
    with contextlib.closing(gpkg.connect(path)) as connection:
        for column in ("label_en", "kind", "local_departement"):
            for table in ("indicator_definitions", "indicator_definitions_history"):
                connection.execute('ALTER TABLE "%s" DROP COLUMN "%s"' % (table, column))
        connection.execute("UPDATE rs_meta SET value = '2' WHERE key = 'schema_version'")
    assert cli.main(["upgrade", path]) == 0
    with contextlib.closing(open_store(path).connect()) as connection:
        kinds = {d.code: (d.kind, d.label_en) for d in sql.definitions(connection)}
        assert kinds["housing_households"] == ("flow", "Access to housing (households)")
        assert connection.execute("SELECT count(*) FROM indicator_definitions_history WHERE changed_by = "
                                  "'resorption_sig'").fetchone()[0] == len(kinds)


CODES = ("people", "women", "households", "housing_households", "shelter_people")


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B"]), st.sampled_from(CODES), st.integers(0, 23),
                          st.one_of(st.none(), st.integers(0, 30))), max_size=40),
       st.sampled_from([None, "topic", "operator", "action", "departement"]),
       st.sampled_from(["monthly", "quarterly"]))
def test_the_store_summing_a_period_gives_the_figures_of_every_value_read(entries, by, frequency):
    """The store's aggregates (one pass, sum and latest value per dispositif and indicator) against the
    reference that reads every value."""
    import tempfile
    from plugin.store import create_store
    with tempfile.TemporaryDirectory() as folder:
        store = create_store(folder + "/s.gpkg")
        uuids = {"A": "a0000000-0000-4000-8000-0000000000aa", "B": "b0000000-0000-4000-8000-0000000000bb"}
        with contextlib.closing(store.connect()) as connection, gpkg.transaction(connection):
            for key, uuid in uuids.items():
                connection.execute("INSERT INTO actions (uuid, name, started_at, goals, departement, "
                                   "reporting_frequency) VALUES (?, ?, ?, 'x', ?, ?)",
                                   (uuid, key, "2024-01-01" if key == "A" else "2024-07-10",
                                    "93" if key == "A" else "94", frequency))
                connection.execute("INSERT INTO action_topics (action_uuid, topic) VALUES (?, 'housing')", (uuid,))
            connection.execute("INSERT INTO action_topics (action_uuid, topic) VALUES (?, 'health')", (uuids["A"],))
        seen = {}
        for key, code, month, value in entries:  # sub-counts below their totals: people = 100 always
            seen[(key, code, model.add_months("2024-01", month))] = value
        with contextlib.closing(store.connect()) as connection:
            for key, uuid in uuids.items():
                changes = {(c, m): (100 if c in ("people", "households") and v is not None else v)
                           for (k, c, m), v in seen.items() if k == key}
                changes = {k: v for k, v in changes.items() if v is not None}
                sql.save_month_values(connection, uuid, changes, "test")
            # a row without a value still marks its month as entered
            connection.execute("INSERT INTO indicator_values (action_uuid, indicator_uuid, period) SELECT ?, uuid, "
                               "'2024-03' FROM indicator_definitions WHERE code = 'minors'", (uuids["A"],))
            actions = sql.actions(connection)
            reference = model.sum_indicators(sql.definitions(connection), actions, sql.values(connection),
                                             "2024-02", "2025-11", by)
            # longer than the months a bit mask holds: the entered months are read apart
            longer = model.sum_indicators(sql.definitions(connection), actions, sql.values(connection),
                                          "2020-01", "2025-11", by)
        assert sql.indicator_sums(store, first="2024-02", last="2025-11", by=by) == reference
        assert sql.indicator_sums(store, first="2020-01", last="2025-11", by=by) == longer
