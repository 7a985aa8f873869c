"""Every rule of SCHEMA.md refuses a bad row, in the store and in the pure validator."""
import hashlib
import sqlite3

import pytest

from plugin.model import schema, validation
from plugin.model.rules import QGIS, SQLITE

GOOD_SITE = {"insee_code": "93066", "departement": "93", "status": "open", "population_total": 20,
             "population_couples": 5, "population_minors": 8, "minors_in_school": 4,
             "built_at": "2024-03-01", "declared_at": "2024-04-01"}
CLOSED = {"status": "closed_by_justice", "closed_at": "2025-01-10", "closed_with_solutions": "yes"}

# For each rule: the table and the changes that turn a good row into one the rule refuses.
BAD_ROWS = {
    "sites_insee_code_required": ("sites", {"insee_code": None}),
    "sites_insee_code_length": ("sites", {"insee_code": "9306"}),
    "sites_insee_code_format": ("sites", {"insee_code": "9X066"}),
    "sites_departement_length": ("sites", {"departement": "9"}),
    "sites_departement_format": ("sites", {"departement": "2C"}),
    "insertion_sites_insee_code_format": ("insertion_sites", {"insee_code": "ABCDE"}),
    "insertion_sites_departement_format": ("insertion_sites", {"departement": "979"}),
    "actions_departement_format": ("actions", {"departement": "A1"}),
    "services_insee_code_format": ("services", {"insee_code": "9306B"}),
    "services_departement_format": ("services", {"departement": "2C"}),
    "services_verified_future": ("services", {"verified_at": "2999-01-01"}),
    "services_category_required": ("services", {"category": None}),
    "services_category_code": ("services", {"category": "pharmacie"}),
    "sites_field_type_code": ("sites", {"field_type": "tent"}),
    "sites_owner_type_code": ("sites", {"owner_type": "mairie"}),
    "sites_status_required": ("sites", {"status": None}),
    "sites_status_code": ("sites", {"status": "ferme"}),
    "sites_closed_with_solutions_code": ("sites", dict(CLOSED, closed_with_solutions="peut-être")),
    "sites_resorption_target_min": ("sites", {"resorption_target": 1999}),
    "sites_resorption_target_max": ("sites", {"resorption_target": 2101}),
    "sites_resorption_target_type": ("sites", {"resorption_target": "2025b"}),
    "sites_population_total_type": ("sites", {"population_total": "vingt"}),
    "sites_cadastral_parcels_format": ("sites", {"cadastral_parcels": "93048000AB0123; x"}),
    "sites_built_before_declared": ("sites", {"built_at": "2024-05-01"}),
    "sites_built_at_future": ("sites", {"built_at": "2999-01-01", "declared_at": None}),
    "sites_declared_at_future": ("sites", {"declared_at": "2999-01-01"}),
    "sites_built_at_type": ("sites", {"built_at": "01/03/2024", "declared_at": None}),
    "sites_closed_at_iff_closed": ("sites", {"closed_at": "2025-01-01"}),
    "sites_closed_after_built": ("sites", dict(CLOSED, closed_at="2024-02-01")),
    "sites_closed_at_future": ("sites", dict(CLOSED, closed_at="2999-01-01")),
    "sites_closing_context_required": ("sites", dict(CLOSED, status="other")),
    "sites_solutions_empty_while_open": ("sites", {"closed_with_solutions": "no"}),
    "sites_open_has_people": ("sites", {"population_total": 0, "population_couples": 0,
                                        "population_minors": 0, "minors_in_school": 0}),
    "sites_households_le_people": ("sites", {"population_couples": 21}),
    "sites_minors_le_people": ("sites", {"population_minors": 21}),
    "sites_minor_bands_le_minors": ("sites", {"population_minors_0_3": 5, "population_minors_3_6": 4}),
    "sites_school_le_minors": ("sites", {"minors_in_school": 9}),
    "sites_females_le_people": ("sites", {"population_total_females": 21}),
    "sites_girls_le_minors": ("sites", {"population_minors_girls": 9}),
    "sites_census_future": ("sites", {"census_conducted_at": "2999-01-01"}),
    "sites_population_couples_min": ("sites", {"population_couples": -1}),
    "sites_caravans_min": ("sites", {"caravans": -3}),
    "sites_water_access_type_code": ("sites", {"water_access_type": "puits"}),
    "sites_electricity_access_type": ("sites", {"electricity_access": 2}),
    "sites_police_status_code": ("sites", {"police_status": "maybe"}),
    "insertion_sites_name_required": ("insertion_sites", {"name": ""}),
    "insertion_sites_households_le_capacity": ("insertion_sites", {"occupied_households": 11}),
    "insertion_sites_people_le_capacity": ("insertion_sites", {"occupied_people": 41}),
    "insertion_sites_closed_at_required": ("insertion_sites", {"status": "closed"}),
    "insertion_sites_closed_after_opened": ("insertion_sites", {"status": "closed", "closed_at": "2023-01-01"}),
    "insertion_sites_status_code": ("insertion_sites", {"status": "ouvert"}),
    "actions_name_required": ("actions", {"name": None}),
    "actions_goals_required": ("actions", {"goals": None}),
    "actions_started_at_required": ("actions", {"started_at": None}),
    "actions_departement_required": ("actions", {"departement": None}),
    "actions_ended_after_started": ("actions", {"ended_at": "2023-12-31"}),
    "actions_location_other_required": ("actions", {"location_type": "autre"}),
    "actions_location_type_code": ("actions", {"location_type": "ailleurs"}),
    "actions_reporting_frequency_code": ("actions", {"reporting_frequency": "weekly"}),
    "action_finances_amount_min": ("action_finances", {"amount": -10.0}),
    "action_finances_finance_type_code": ("action_finances", {"finance_type": "loto"}),
    "action_finances_year_min": ("action_finances", {"year": 1990}),
    "indicator_values_period_format": ("indicator_values", {"period": "2026-13"}),
    "indicator_values_value_min": ("indicator_values", {"value": -1}),
    "indicator_definitions_local_departement": ("indicator_definitions", {"local_departement": None}),
    "indicator_definitions_kind_code": ("indicator_definitions", {"kind": "average"}),
    "action_topics_topic_code": ("action_topics", {"topic": "music"}),
    "action_organisations_role_code": ("action_organisations", {"role": "sponsor"}),
    "insertion_site_phases_phase_code": ("insertion_site_phases", {"phase": "party"}),
    "insertion_site_phases_completed_future": ("insertion_site_phases", {"completed_at": "2999-01-01"}),
    "organisations_type_code": ("organisations", {"type": "person"}),
    "attachments_content_or_path": ("attachments", {"content": None}),
    "attachments_sha256_format": ("attachments", {"sha256": "../rel/pwned" + "0" * 52}),
    "attachments_sha256_of_content": ("attachments", {"sha256": "0" * 64}),
    "site_closing_outcomes_households_le_people": ("site_closing_outcomes", {"households": 13}),
    "site_closing_outcomes_solution_code": ("site_closing_outcomes", {"solution": "prison"}),
}

UUID_A = "0b7e7f5e-1c4d-4a5b-9c8d-111111111111"
UUID_B = "0b7e7f5e-1c4d-4a5b-9c8d-222222222222"
GOOD_ROWS = {
    "sites": GOOD_SITE,
    "insertion_sites": {"name": "Terrain des Lilas", "status": "open", "capacity_households": 10,
                        "capacity_people": 40, "occupied_households": 8, "occupied_people": 30,
                        "opened_at": "2024-01-15"},
    "actions": {"name": "MOUS 93", "started_at": "2024-01-01", "goals": "Accompagnement global",
                "departement": "93", "location_type": "sur_site", "reporting_frequency": "monthly"},
    "action_finances": {"action_uuid": UUID_A, "year": 2025, "finance_type": "dedie", "amount": 1000.0},
    "indicator_values": {"action_uuid": UUID_A, "indicator_uuid": UUID_B, "period": "2026-03", "value": 3},
    "action_topics": {"action_uuid": UUID_A, "topic": "health"},
    "action_organisations": {"action_uuid": UUID_A, "organisation_uuid": UUID_B, "role": "pilot"},
    "insertion_site_phases": {"insertion_site_uuid": UUID_A, "phase": "technical_diagnosis",
                              "completed_at": "2024-01-01"},
    "site_closing_outcomes": {"site_uuid": UUID_A, "solution": "shelter", "people": 12, "households": 4},
    "indicator_definitions": {"code": "mediation_93", "label": "Médiations", "scope": "local", "kind": "flow",
                              "local_departement": "93"},
    "organisations": {"name": "Association Rives", "type": "association", "departement": "93"},
    "services": {"category": "water", "name": "Fontaine du square", "insee_code": "93066", "departement": "93",
                 "verified_at": "2024-05-02"},
    "attachments": {"owner_table": "sites", "owner_uuid": UUID_A, "filename": "plan.pdf",
                    "sha256": hashlib.sha256(b"abc").hexdigest(), "size_bytes": 3, "content": b"abc"},
}


def bad_row(code):
    table_name, changes = BAD_ROWS[code]
    return table_name, dict(GOOD_ROWS[table_name], **changes)


def insert_parents(connection):
    """The rows the good rows refer to (UUID_A: a site, a terrain, a programme; UUID_B: an
    organisation, an indicator). The programme started long ago: a funding year too small for
    the field's own rule is not also outside the programme's dates."""
    for table_name, row in (
            ("sites", dict(GOOD_SITE, uuid=UUID_A)),
            ("insertion_sites", dict(GOOD_ROWS["insertion_sites"], uuid=UUID_A)),
            ("actions", dict(GOOD_ROWS["actions"], uuid=UUID_A, started_at="1980-01-01")),
            ("organisations", dict(GOOD_ROWS["organisations"], uuid=UUID_B)),
            ("indicator_definitions", {"uuid": UUID_B, "code": "test", "label": "Test", "scope": "local",
                                       "local_departement": "93"})):
        insert(connection, table_name, row)


def insert(connection, table_name, row):
    columns = ", ".join('"%s"' % c for c in row)
    connection.execute('INSERT INTO "%s" (%s) VALUES (%s)' % (table_name, columns, ", ".join("?" * len(row))),
                       list(row.values()))


def test_every_rule_has_a_bad_row_case():
    """The cases below cover every cross-field rule and a sample of each per-field kind."""
    declared = {rule.code for table in schema.TABLES for rule in table.rules if not rule.across_rows}
    assert declared - set(BAD_ROWS) == set()


@pytest.mark.parametrize("table_name", sorted(GOOD_ROWS))
def test_good_rows_pass_the_validator_and_the_store(table_name, new_store):
    assert validation.problems(schema.table(table_name), GOOD_ROWS[table_name]) == []
    connection = new_store.connect()
    insert_parents(connection)
    insert(connection, table_name, GOOD_ROWS[table_name])
    assert connection.execute('SELECT count(*) FROM "%s"' % table_name).fetchone()[0] >= 1


@pytest.mark.parametrize("code", sorted(BAD_ROWS))
def test_the_validator_names_the_broken_rule(code):
    table_name, row = bad_row(code)
    found = {problem.code for problem in validation.problems(schema.table(table_name), row)}
    assert code in found


@pytest.mark.parametrize("code", sorted(BAD_ROWS))
def test_the_store_refuses_the_row_and_says_why(code, new_store):
    table_name, row = bad_row(code)
    connection = new_store.connect()
    insert_parents(connection)
    before = connection.execute('SELECT count(*) FROM "%s"' % table_name).fetchone()[0]
    with pytest.raises(sqlite3.IntegrityError) as refused:
        insert(connection, table_name, row)
    assert connection.execute('SELECT count(*) FROM "%s"' % table_name).fetchone()[0] == before
    rule = next(r for r in schema.table(table_name).all_rules() if r.code == code)
    if rule.deterministic:
        assert "CHECK constraint failed" in str(refused.value)
    assert any(r.code in str(refused.value) for r in schema.table(table_name).all_rules())


def test_a_bad_update_is_refused_and_the_row_is_unchanged(new_store):
    connection = new_store.connect()
    insert(connection, "sites", GOOD_SITE)
    with pytest.raises(sqlite3.IntegrityError, match="Le nombre de mineurs dépasse le nombre de personnes"):
        connection.execute('UPDATE sites SET population_minors = 50')
    assert connection.execute("SELECT population_minors, row_version FROM sites").fetchone() == (8, 1)
    assert connection.execute("SELECT count(*) FROM sites_history").fetchone()[0] == 0


def test_rules_render_for_qgis_without_sqlite_functions():
    for table in schema.TABLES:
        for rule in table.all_rules():
            expression = rule.expression(QGIS)
            if expression is None:
                assert rule.expression(SQLITE) is not None
                continue
            assert "date('now')" not in expression and " GLOB " not in expression, rule.code


def an_action(connection, started_at="2024-03-01", ended_at="2025-06-30"):
    insert(connection, "actions", dict(GOOD_ROWS["actions"], uuid=UUID_A, started_at=started_at,
                                       ended_at=ended_at))


def test_a_funding_year_outside_the_programme_is_refused(new_store):
    connection = new_store.connect()
    an_action(connection)
    insert(connection, "action_finances", dict(GOOD_ROWS["action_finances"], year=2025))
    with pytest.raises(sqlite3.IntegrityError, match="action_finances_year_within_action"):
        insert(connection, "action_finances", dict(GOOD_ROWS["action_finances"], year=2026, finance_type="prive"))
    with pytest.raises(sqlite3.IntegrityError, match="hors des dates du dispositif"):
        connection.execute("UPDATE action_finances SET year = 2023")
    assert connection.execute("SELECT year FROM action_finances").fetchall() == [(2025,)]


def indicator(connection, code):
    return connection.execute("SELECT uuid FROM indicator_definitions WHERE code = ?", (code,)).fetchone()[0]


def test_a_sub_count_never_exceeds_its_total_in_the_store(new_store):
    connection = new_store.connect()
    an_action(connection)
    people, women = indicator(connection, "people"), indicator(connection, "women")
    value = {"action_uuid": UUID_A, "period": "2025-03"}
    insert(connection, "indicator_values", dict(value, indicator_uuid=people, value=10))
    insert(connection, "indicator_values", dict(value, indicator_uuid=women, value=6))
    with pytest.raises(sqlite3.IntegrityError, match="indicator_values_subcount_le_total"):
        connection.execute("UPDATE indicator_values SET value = 11 WHERE indicator_uuid = ?", (women,))
    with pytest.raises(sqlite3.IntegrityError, match="sous-total dépasse son total"):
        connection.execute("UPDATE indicator_values SET value = 5 WHERE indicator_uuid = ?", (people,))
    insert(connection, "indicator_values", dict(value, period="2025-04", indicator_uuid=women, value=12))
    assert connection.execute("SELECT count(*) FROM indicator_values").fetchone()[0] == 3
