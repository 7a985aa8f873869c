"""Where the people of the sites closed between two dates went, by closing solution (SCHEMA.md, derived figures:
"people who left sites, by closing outcome"); closed sites without recorded outcomes are counted apart."""
import contextlib
import json

from plugin import cli
from plugin.model import sums as model
from plugin.store import gpkg, sums_sql
from sync_helpers import add_site, new_uuid

# name, département, status, closed_at, people, outcomes (solution, people, households)
SITES = (
    ("Les Prés", "93", "resorbed", "2026-02-01", 20, (("shelter", 12, 4), ("housing", 3, None))),
    ("La Gare", "93", "closed_by_justice", "2026-03-01", 7, ()),
    ("Le Canal", "13", "resorbed", "2026-04-10", 9, (("shelter", 9, 3),)),
    ("L'Ancien", "93", "resorbed", "2024-01-01", 30, (("housing", 30, 10),)),
    ("Le Pont", "93", "open", None, 15, ()),
)


def fill(connection):
    for name, departement, status, closed_at, people, outcomes in SITES:
        uuid = add_site(connection, name, departement=departement, insee="93066" if departement == "93" else "13055",
                        population=people, status=status, closed_at=closed_at, built_at="2023-05-01")
        for solution, moved, households in outcomes:
            connection.execute("INSERT INTO site_closing_outcomes (uuid, site_uuid, solution, people, households) "
                               "VALUES (?, ?, ?, ?, ?)", (new_uuid(), uuid, solution, moved, households))


def expected_since_2026(end):
    return {"start": "2026-01-01", "end": end,
            "outcomes": [{"solution": "shelter", "sites": 2, "people": 21, "households": 7, "people_unknown": 0,
                          "households_unknown": 0},
                         {"solution": "housing", "sites": 1, "people": 3, "households": 0, "people_unknown": 0,
                          "households_unknown": 1}],
            "not_recorded": {"sites": 1, "population_total": 7}}


def test_outcomes_of_the_sites_closed_in_the_window(new_store):
    with contextlib.closing(gpkg.connect(new_store.location)) as connection:
        fill(connection)
    now = model.now_instant()
    assert sums_sql.outcomes_between(new_store, "2026-01-01", now) == expected_since_2026(now)
    in_93 = sums_sql.outcomes_between(new_store, "2026-01-01", now, sums_sql.Territory(departement="93"))
    assert [(o["solution"], o["people"]) for o in in_93["outcomes"]] == [("shelter", 12), ("housing", 3)]


def test_the_command_gives_the_outcomes_with_the_comparison(new_store, capsys):
    with contextlib.closing(gpkg.connect(new_store.location)) as connection:
        fill(connection)
    assert cli.main(["sums", new_store.location, "--compare", "2026-01-01", "--json"]) == 0
    outcomes = json.loads(capsys.readouterr().out)["outcomes"]
    assert outcomes["outcomes"] == expected_since_2026(None)["outcomes"]
    assert outcomes["not_recorded"] == {"sites": 1, "population_total": 7}
    assert cli.main(["sums", new_store.location, "--compare", "2026-01-01"]) == 0
    assert "sites fermés sans devenir renseigné : 1 (7 personnes)" in capsys.readouterr().out
