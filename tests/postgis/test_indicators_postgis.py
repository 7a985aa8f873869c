"""Indicator values in the shared PostGIS store: the sub-count rule (judged at commit, so a month
whose total and sub-count both go down is accepted), the history reason, the sums."""
import contextlib

import pytest

from plugin.model import indicators as model
from plugin.store import indicators_sql as sql

psycopg2 = pytest.importorskip("psycopg2")
ACTION = "A000000000000000000000000000000000aa"


@pytest.fixture
def connection(shared_uri):
    with contextlib.closing(psycopg2.connect(shared_uri)) as connection:
        with connection, connection.cursor() as cursor:
            cursor.execute("INSERT INTO actions (uuid, name, started_at, goals, departement) VALUES "
                           "(%s, 'MOUS', '2025-01-01', 'Accompagner', '93')", (ACTION,))
            cursor.execute("INSERT INTO action_topics (action_uuid, topic) VALUES (%s, 'housing')", (ACTION,))
        yield connection


def test_the_sub_count_rule_holds_on_postgis_and_is_judged_when_the_month_is_complete(connection):
    sql.save_month_values(connection, ACTION, {("people", "2025-03"): 10, ("women", "2025-03"): 8}, "alice")
    sql.save_month_values(connection, ACTION, {("people", "2025-03"): 5, ("women", "2025-03"): 4}, "bob",
                          reason="import: mars.xlsx")
    with pytest.raises(psycopg2.Error, match="indicator_values_subcount_le_total"):
        sql.save_month_values(connection, ACTION, {("women", "2025-03"): 6}, "bob")
    with pytest.raises(psycopg2.Error, match="indicator_values_subcount_le_total"):
        with connection, connection.cursor() as cursor:  # a plain SQL writer is held to it too
            cursor.execute("UPDATE indicator_values SET value = 1 WHERE value = 5")
    assert {k: c.value for k, c in sql.grid(connection, ACTION).items()} == {("people", "2025-03"): 5,
                                                                            ("women", "2025-03"): 4}
    with connection.cursor() as cursor:
        cursor.execute("SELECT value, reason, changed_by FROM indicator_values_history ORDER BY history_id")
        assert sorted(cursor.fetchall()) == [(8, "import: mars.xlsx", "bob"), (10, "import: mars.xlsx", "bob")]


def test_sums_by_topic_read_from_postgis(connection):
    sql.save_month_values(connection, ACTION, {("people", "2025-02"): 7, ("housing_households", "2025-02"): 1,
                                               ("housing_households", "2025-03"): 2}, "alice")
    actions = sql.actions(connection, departement="93", topic="housing", at="2025-06-01")
    values = sql.values(connection, [a.uuid for a in actions], "2025-01", "2025-12")
    result = model.sum_indicators(sql.definitions(connection), actions, values, "2025-01", "2025-12", by="topic")
    assert result["total"] == {"people": 7, "housing_households": 3}
    assert result["groups"][0]["key"] == "housing" and result["missing_months"] == 10
