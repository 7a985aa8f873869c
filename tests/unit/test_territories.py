"""The local projected CRS of each territory (SCHEMA.md), by département and by position."""
import pytest

from plugin.model.territories import (local_epsg, normalise_departement, territory_at,
                                      territory_of_departement, utm_epsg)


@pytest.mark.parametrize("departement, epsg", [
    ("93", 2154), ("2A", 2154), ("2B", 2154), ("01", 2154), ("971", 5490), ("972", 5490),
    ("973", 2972), ("974", 2975), ("976", 4471), ("977", 5490),
])
def test_departement_decides_the_crs(departement, epsg):
    assert local_epsg(departement) == epsg


@pytest.mark.parametrize("place, lon, lat, epsg", [
    ("Saint-Denis (93)", 2.3574, 48.9362, 2154),
    ("Ajaccio", 8.7369, 41.9192, 2154),
    ("Bastia", 9.4509, 42.6977, 2154),
    ("Pointe-à-Pitre", -61.5331, 16.2411, 5490),
    ("Fort-de-France", -61.0594, 14.6161, 5490),
    ("Cayenne", -52.3350, 4.9372, 2972),
    ("Saint-Laurent-du-Maroni", -54.0316, 5.4989, 2972),
    ("Saint-Denis (974)", 55.4481, -20.8789, 2975),
    ("Mamoudzou", 45.2279, -12.7806, 4471),
])
def test_position_decides_the_crs_without_departement(place, lon, lat, epsg):
    assert local_epsg(None, lon, lat) == epsg, place


def test_departement_wins_over_position():
    # A site keyed in 974 but placed by mistake in Paris is still measured in the Réunion CRS.
    assert local_epsg("974", 2.35, 48.85) == 2975


def test_outside_france_falls_back_to_utm():
    assert local_epsg(None, 13.4, 52.5) == 32633            # Berlin
    assert local_epsg(None, -56.17, 46.78) == 32621         # Saint-Pierre-et-Miquelon
    assert local_epsg("975", -56.17, 46.78) == 32621
    assert utm_epsg(-70.0, -33.0) == 32719


def test_unknown_departement_falls_back_to_position():
    assert local_epsg("XX", -52.33, 4.94) == 2972
    assert territory_of_departement("") is None
    with pytest.raises(ValueError):
        local_epsg(None)


@pytest.mark.parametrize("raw, code", [
    ("93", "93"), (93, "93"), (1, "01"), ("1", "01"), (" 2a ", "2A"), ("974", "974"),
    (974.0, "974"), ("00", None), ("979", None), ("ABC", None), (None, None),
])
def test_normalise_departement(raw, code):
    assert normalise_departement(raw) == code


def test_territory_names_are_bilingual():
    territory = territory_at(45.2279, -12.7806)
    assert (territory.name, territory.name_en, territory.epsg) == ("Mayotte", "Mayotte", 4471)
    assert territory_at(0.0, 0.0) is None


def test_departement_names():
    from plugin.model.territories import DEPARTEMENT_NAMES, departement_name
    assert len(DEPARTEMENT_NAMES) == 96 + 8          # 96 in the Hexagone and Corse, 971–978
    assert (departement_name("93"), departement_name(2), departement_name("2a")) == (
        "Seine-Saint-Denis", "Aisne", "Corse-du-Sud")
    assert departement_name("974") == "La Réunion" and departement_name("20") is None
