"""The expression functions of the "Résorption SIG" group, as a label or a layout evaluates them."""
import pytest
from qgis.core import QgsExpression, QgsExpressionContext

from plugin.layers import expressions


@pytest.fixture
def functions(new_store):
    connection = new_store.connect()
    # The resorbed site was recorded on its closing day: before, it is reconstructed from its dates.
    for insee, departement, population, status, built_at, closed_at, solutions, recorded in (
            ("93066", "93", 40, "open", None, None, None, "2025-06-01"),
            ("93048", "93", None, "open", None, None, None, "2025-06-01"),
            ("75056", "75", 12, "open", None, None, None, "2025-06-01"),
            ("93066", "93", 25, "resorbed", "2025-06-15", "2026-01-15", "yes", "2026-01-15")):
        connection.execute(
            "INSERT INTO sites (insee_code, departement, population_total, status, built_at, closed_at, "
            "closed_with_solutions, origin_european, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
            (insee, departement, population, status, built_at, closed_at, solutions, recorded + "T10:00:00.000Z",
             recorded + "T10:00:00.000Z"))
    connection.execute("INSERT INTO insertion_sites (name, status, departement, capacity_people, occupied_people) "
                       "VALUES ('T1', 'open', '93', 50, 40)")
    connection.close()
    expressions.register_functions()
    expressions.set_active_store(new_store)
    yield new_store
    expressions.set_active_store(None)
    expressions.unregister_functions()


def evaluate(text):
    expression = QgsExpression(text)
    assert not expression.hasParserError(), expression.parserErrorString()
    value = expression.evaluate(QgsExpressionContext())
    return value, expression.evalErrorString()


def test_the_functions_are_listed_in_their_group_with_french_help(functions):
    for name in ("resorption_sum", "resorption_text", "resorption_between", "resorption_insertion",
                 "resorption_label"):
        index = QgsExpression.functionIndex(name)
        assert index >= 0, name
        function = QgsExpression.Functions()[index]
        assert function.group() == "Résorption SIG"
        assert "Exemple" in function.helpText() and "Syntaxe" in function.helpText()


def test_sums_of_a_departement_now_and_at_a_date(functions):
    assert evaluate("resorption_sum('population_total', 'departement', '93')") == (40, "")
    assert evaluate("resorption_sum('sites_unknown_population', 'departement', '93')") == (1, "")
    assert evaluate("resorption_sum('sites', 'all', NULL)") == (3, "")
    assert evaluate("resorption_sum('sites', 'departement', '93', '2025-05-31')") == (0, "")
    assert evaluate("resorption_sum('population_total', 'insee_code', '93066', to_date('2025-12-01'), 'all')"
                    ) == (65, "")
    assert evaluate("resorption_sum('sites_eu_only_10_plus', 'all', NULL)") == (2, "")


def test_an_unknown_figure_is_never_0_in_a_label(functions):
    # 93048's only site has no population: unknown, not 0; 93's sum leaves one site out and says so.
    assert evaluate("resorption_sum('population_total', 'insee_code', '93048')") == (None, "")
    assert evaluate("resorption_text('population_total', 'insee_code', '93048')") == ("n.c.", "")
    assert evaluate("resorption_text('population_total', 'departement', '93')") == (
        "40 (dont 1 site non renseigné)", "")
    assert evaluate("resorption_text('sites', 'departement', '93')") == ("2", "")


def test_movements_between_two_dates_and_insertion_sites(functions):
    assert evaluate("resorption_between('resorbed', 'departement', '93', '2025-12-31', '2026-06-30')") == (1, "")
    assert evaluate("resorption_between('population_resorbed', 'all', NULL, '2025-12-31', '2026-06-30')") == (25, "")
    assert evaluate("resorption_between('closed', 'all', NULL, '2026-01-15', '2026-06-30')") == (0, "")
    assert evaluate("resorption_insertion('occupancy_rate', 'departement', '93')") == (0.8, "")
    assert evaluate("resorption_label('population_total')") == ("Personnes", "")


def test_a_mistake_is_an_evaluation_error_in_french(functions):
    value, error = evaluate("resorption_sum('people', 'departement', '93')")
    assert value is None and "Chiffre inconnu" in error
    value, error = evaluate("resorption_sum('sites', 'region', '11')")
    assert "Territoire inconnu" in error
    value, error = evaluate("resorption_sum('sites', 'all', NULL, '31/12/2025')")
    assert "Date invalide" in error
    expressions.set_active_store(None)
    value, error = evaluate("resorption_sum('sites', 'all', NULL)")
    assert "Aucun stockage" in error


def test_unregistering_removes_the_functions(functions):
    expressions.unregister_functions()
    assert QgsExpression.functionIndex("resorption_sum") < 0
