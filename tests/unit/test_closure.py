"""Closing a site: the closure's fields, its outcome rows, and the rules of a closure."""
from plugin.model.closure import Closure, Outcome, closure_problems

SITE = {"uuid": "0b6f5f0e-8a8e-4a53-9a2c-6f1d1c9b0e11", "insee_code": "93066", "departement": "93", "status": "open",
        "built_at": "2024-05-01", "population_total": 40}


def test_the_closure_keeps_its_context_apart_from_the_outcome_rows():
    closure = Closure("resorbed", "2026-03-02", "yes", " Accompagnement par le GIP ",
                      [Outcome("shelter", 12, 4), Outcome("housing", 3, None), Outcome("return", None, None)])
    assert closure.values() == {"status": "resorbed", "closed_at": "2026-03-02", "closed_with_solutions": "yes",
                                "closing_context": "Accompagnement par le GIP"}
    assert closure.outcome_rows() == [{"solution": "shelter", "people": 12, "households": 4},
                                      {"solution": "housing", "people": 3, "households": None}]


def test_a_valid_closure_has_no_problem():
    assert closure_problems(SITE, Closure("resorbed", "2026-03-02", "yes", "", [Outcome("shelter", 30, 9)])) == []


def test_a_closure_before_the_installation_is_refused():
    found = closure_problems(SITE, Closure("closed_by_justice", "2024-01-01", "no"))
    assert [p.message for p in found] == ["La date de fermeture ne peut pas précéder la date d'installation"]


def test_other_needs_a_context_and_outcomes_cannot_exceed_the_people():
    found = closure_problems(SITE, Closure("other", "2026-03-02", "unknown", "",
                                           [Outcome("shelter", 30, 40), Outcome("housing", 20, 5)]))
    messages = [p.message for p in found]
    assert "Hébergement : plus de ménages que de personnes" in messages
    assert "Les issues comptent 50 personnes, le site en comptait 40" in messages
    assert "Précisez le contexte de la fermeture (statut « Autre »)" in messages
    assert [p.message for p in closure_problems(SITE, Closure("open", "2026-03-02"))][0] == \
        "Choisissez la raison de la fermeture"


def test_a_phase_completed_before_the_previous_one_gives_a_warning():
    from plugin.model.phases import order_warnings, progress
    completed = {"sociological_diagnosis": "2025-03-01", "technical_diagnosis": "2025-02-01",
                 "political_validation": "2025-04-01"}
    assert order_warnings(completed) == [
        "« Diagnostic technique » (2025-02-01) est réalisée avant « Diagnostic sociologique » (2025-03-01)",
        "« Validation politique » est réalisée alors que « Évaluation sociale » ne l'est pas"]
    assert progress(completed) == 3
    assert order_warnings({"sociological_diagnosis": "2025-03-01", "technical_diagnosis": "2025-03-02"}) == []
