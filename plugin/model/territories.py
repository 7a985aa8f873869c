"""Which local projected CRS measures lengths, areas and buffers for a feature (SCHEMA.md).

Geometries are stored in WGS 84; distances are computed in the projected CRS
of the feature's territory. The territory comes from the département code when
it is known, else from the point's position (longitude, latitude in WGS 84).
A point outside every French territory falls back to its UTM zone, so that a
distance is still in metres and still right.
"""
from dataclasses import dataclass
from typing import Optional, Tuple


@dataclass(frozen=True)
class Territory:
    code: str
    name: str
    name_en: str
    epsg: int
    # Generous WGS 84 boxes (lon_min, lat_min, lon_max, lat_max): coasts and islets included.
    boxes: Tuple[Tuple[float, float, float, float], ...]

    def contains(self, longitude: float, latitude: float) -> bool:
        return any(lon_min <= longitude <= lon_max and lat_min <= latitude <= lat_max
                   for lon_min, lat_min, lon_max, lat_max in self.boxes)


HEXAGONE = Territory("hexagone", "Hexagone et Corse", "Mainland France and Corsica", 2154,
                     ((-5.8, 41.2, 10.0, 51.3),))
ANTILLES = Territory("antilles", "Guadeloupe et Martinique", "Guadeloupe and Martinique", 5490,
                     ((-61.95, 15.75, -60.95, 16.6),      # Guadeloupe
                      (-61.3, 14.35, -60.75, 14.95),      # Martinique
                      (-63.2, 17.8, -62.7, 18.2)))        # Saint-Martin, Saint-Barthélemy
GUYANE = Territory("guyane", "Guyane", "French Guiana", 2972, ((-54.7, 2.0, -51.5, 6.0),))
REUNION = Territory("reunion", "La Réunion", "Réunion", 2975, ((55.15, -21.45, 55.9, -20.8),))
MAYOTTE = Territory("mayotte", "Mayotte", "Mayotte", 4471, ((44.9, -13.1, 45.35, -12.55),))

TERRITORIES = (HEXAGONE, ANTILLES, GUYANE, REUNION, MAYOTTE)

_OVERSEAS_BY_DEPARTEMENT = {
    "971": ANTILLES, "972": ANTILLES, "977": ANTILLES, "978": ANTILLES,
    "973": GUYANE, "974": REUNION, "976": MAYOTTE,
}


def normalise_departement(code) -> Optional[str]:
    """'93', '2A', '974' from what a layer holds ('93', 93, ' 2a ', '01', 1); None if it is no département."""
    if code is None:
        return None
    text = str(code).strip().upper()
    if text.endswith(".0"):                 # a département read from a numeric field
        text = text[:-2]
    if text.isdigit() and len(text) == 1:
        text = "0" + text
    if len(text) == 2 and (text.isdigit() or text in ("2A", "2B")) and text != "00":
        return text
    if len(text) == 3 and text.startswith("97") and text[2] in "12345678":
        return text
    return None


def territory_of_departement(code) -> Optional[Territory]:
    departement = normalise_departement(code)
    if departement is None or departement == "975":    # Saint-Pierre-et-Miquelon: no CRS of ours
        return None
    return _OVERSEAS_BY_DEPARTEMENT.get(departement, HEXAGONE)


def territory_at(longitude: float, latitude: float) -> Optional[Territory]:
    for territory in TERRITORIES:
        if territory.contains(longitude, latitude):
            return territory
    return None


def utm_epsg(longitude: float, latitude: float) -> int:
    """The WGS 84 UTM zone of a point (EPSG:326xx north, 327xx south)."""
    zone = int((max(-180.0, min(179.999999, longitude)) + 180.0) // 6.0) + 1
    return (32600 if latitude >= 0 else 32700) + zone


def local_epsg(departement=None, longitude: Optional[float] = None,
               latitude: Optional[float] = None) -> int:
    """The EPSG code to measure in: by département, else by position, else the UTM zone.

    Raises ValueError when neither a département nor a position is given.
    """
    territory = territory_of_departement(departement)
    if territory is not None:
        return territory.epsg
    if longitude is None or latitude is None:
        raise ValueError("no département and no position")
    territory = territory_at(longitude, latitude)
    if territory is not None:
        return territory.epsg
    return utm_epsg(longitude, latitude)


DEPARTEMENT_NAMES = {
    "01": "Ain", "02": "Aisne", "03": "Allier", "04": "Alpes-de-Haute-Provence", "05": "Hautes-Alpes",
    "06": "Alpes-Maritimes", "07": "Ardèche", "08": "Ardennes", "09": "Ariège", "10": "Aube", "11": "Aude",
    "12": "Aveyron", "13": "Bouches-du-Rhône", "14": "Calvados", "15": "Cantal", "16": "Charente",
    "17": "Charente-Maritime", "18": "Cher", "19": "Corrèze", "2A": "Corse-du-Sud", "2B": "Haute-Corse",
    "21": "Côte-d'Or", "22": "Côtes-d'Armor", "23": "Creuse", "24": "Dordogne", "25": "Doubs", "26": "Drôme",
    "27": "Eure", "28": "Eure-et-Loir", "29": "Finistère", "30": "Gard", "31": "Haute-Garonne", "32": "Gers",
    "33": "Gironde", "34": "Hérault", "35": "Ille-et-Vilaine", "36": "Indre", "37": "Indre-et-Loire",
    "38": "Isère", "39": "Jura", "40": "Landes", "41": "Loir-et-Cher", "42": "Loire", "43": "Haute-Loire",
    "44": "Loire-Atlantique", "45": "Loiret", "46": "Lot", "47": "Lot-et-Garonne", "48": "Lozère",
    "49": "Maine-et-Loire", "50": "Manche", "51": "Marne", "52": "Haute-Marne", "53": "Mayenne",
    "54": "Meurthe-et-Moselle", "55": "Meuse", "56": "Morbihan", "57": "Moselle", "58": "Nièvre", "59": "Nord",
    "60": "Oise", "61": "Orne", "62": "Pas-de-Calais", "63": "Puy-de-Dôme", "64": "Pyrénées-Atlantiques",
    "65": "Hautes-Pyrénées", "66": "Pyrénées-Orientales", "67": "Bas-Rhin", "68": "Haut-Rhin", "69": "Rhône",
    "70": "Haute-Saône", "71": "Saône-et-Loire", "72": "Sarthe", "73": "Savoie", "74": "Haute-Savoie",
    "75": "Paris", "76": "Seine-Maritime", "77": "Seine-et-Marne", "78": "Yvelines", "79": "Deux-Sèvres",
    "80": "Somme", "81": "Tarn", "82": "Tarn-et-Garonne", "83": "Var", "84": "Vaucluse", "85": "Vendée",
    "86": "Vienne", "87": "Haute-Vienne", "88": "Vosges", "89": "Yonne", "90": "Territoire de Belfort",
    "91": "Essonne", "92": "Hauts-de-Seine", "93": "Seine-Saint-Denis", "94": "Val-de-Marne", "95": "Val-d'Oise",
    "971": "Guadeloupe", "972": "Martinique", "973": "Guyane", "974": "La Réunion",
    "975": "Saint-Pierre-et-Miquelon", "976": "Mayotte", "977": "Saint-Barthélemy", "978": "Saint-Martin",
}


def departement_name(code) -> Optional[str]:
    """'Seine-Saint-Denis' for '93' (names are the same in English); None for an unknown code."""
    return DEPARTEMENT_NAMES.get(normalise_departement(code))
