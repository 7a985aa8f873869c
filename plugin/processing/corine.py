"""The Corine Land Cover nomenclature (3 levels, 44 classes at level 3), French and English labels.

Pure Python: the algorithms label land-use classes with it and aggregate a
level-3 code ("211") to its level 2 ("21") or level 1 ("2"). CLC layers keep
the code in a text or integer field (CODE_18, CODE_12...).
"""
from typing import Optional

# code: (French label, English label)
NOMENCLATURE = {
    "1": ("Territoires artificialisés", "Artificial surfaces"),
    "11": ("Zones urbanisées", "Urban fabric"),
    "111": ("Tissu urbain continu", "Continuous urban fabric"),
    "112": ("Tissu urbain discontinu", "Discontinuous urban fabric"),
    "12": ("Zones industrielles ou commerciales et réseaux de communication",
           "Industrial, commercial and transport units"),
    "121": ("Zones industrielles ou commerciales et installations publiques",
            "Industrial or commercial units"),
    "122": ("Réseaux routier et ferroviaire et espaces associés", "Road and rail networks and associated land"),
    "123": ("Zones portuaires", "Port areas"),
    "124": ("Aéroports", "Airports"),
    "13": ("Mines, décharges et chantiers", "Mine, dump and construction sites"),
    "131": ("Extraction de matériaux", "Mineral extraction sites"),
    "132": ("Décharges", "Dump sites"),
    "133": ("Chantiers", "Construction sites"),
    "14": ("Espaces verts artificialisés, non agricoles", "Artificial, non-agricultural vegetated areas"),
    "141": ("Espaces verts urbains", "Green urban areas"),
    "142": ("Équipements sportifs et de loisirs", "Sport and leisure facilities"),
    "2": ("Territoires agricoles", "Agricultural areas"),
    "21": ("Terres arables", "Arable land"),
    "211": ("Terres arables hors périmètres d'irrigation", "Non-irrigated arable land"),
    "212": ("Périmètres irrigués en permanence", "Permanently irrigated land"),
    "213": ("Rizières", "Rice fields"),
    "22": ("Cultures permanentes", "Permanent crops"),
    "221": ("Vignobles", "Vineyards"),
    "222": ("Vergers et petits fruits", "Fruit trees and berry plantations"),
    "223": ("Oliveraies", "Olive groves"),
    "23": ("Prairies", "Pastures"),
    "231": ("Prairies et autres surfaces toujours en herbe à usage agricole", "Pastures"),
    "24": ("Zones agricoles hétérogènes", "Heterogeneous agricultural areas"),
    "241": ("Cultures annuelles associées à des cultures permanentes",
            "Annual crops associated with permanent crops"),
    "242": ("Systèmes culturaux et parcellaires complexes", "Complex cultivation patterns"),
    "243": ("Surfaces essentiellement agricoles, interrompues par des espaces naturels importants",
            "Land principally occupied by agriculture, with significant areas of natural vegetation"),
    "244": ("Territoires agroforestiers", "Agro-forestry areas"),
    "3": ("Forêts et milieux semi-naturels", "Forest and semi-natural areas"),
    "31": ("Forêts", "Forests"),
    "311": ("Forêts de feuillus", "Broad-leaved forest"),
    "312": ("Forêts de conifères", "Coniferous forest"),
    "313": ("Forêts mélangées", "Mixed forest"),
    "32": ("Milieux à végétation arbustive et/ou herbacée", "Scrub and/or herbaceous vegetation associations"),
    "321": ("Pelouses et pâturages naturels", "Natural grasslands"),
    "322": ("Landes et broussailles", "Moors and heathland"),
    "323": ("Végétation sclérophylle", "Sclerophyllous vegetation"),
    "324": ("Forêt et végétation arbustive en mutation", "Transitional woodland-shrub"),
    "33": ("Espaces ouverts, sans ou avec peu de végétation", "Open spaces with little or no vegetation"),
    "331": ("Plages, dunes et sable", "Beaches, dunes, sands"),
    "332": ("Roches nues", "Bare rocks"),
    "333": ("Végétation clairsemée", "Sparsely vegetated areas"),
    "334": ("Zones incendiées", "Burnt areas"),
    "335": ("Glaciers et neiges éternelles", "Glaciers and perpetual snow"),
    "4": ("Zones humides", "Wetlands"),
    "41": ("Zones humides intérieures", "Inland wetlands"),
    "411": ("Marais intérieurs", "Inland marshes"),
    "412": ("Tourbières", "Peat bogs"),
    "42": ("Zones humides maritimes", "Coastal wetlands"),
    "421": ("Marais maritimes", "Salt marshes"),
    "422": ("Marais salants", "Salines"),
    "423": ("Zones intertidales", "Intertidal flats"),
    "5": ("Surfaces en eau", "Water bodies"),
    "51": ("Eaux continentales", "Inland waters"),
    "511": ("Cours et voies d'eau", "Water courses"),
    "512": ("Plans d'eau", "Water bodies"),
    "52": ("Eaux maritimes", "Marine waters"),
    "521": ("Lagunes littorales", "Coastal lagoons"),
    "522": ("Estuaires", "Estuaries"),
    "523": ("Mers et océans", "Sea and ocean"),
}


def class_code(value) -> Optional[str]:
    """A class value as text ('211' from 211, 211.0 or ' 211 '); None for empty values."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text or None


def at_level(code: Optional[str], level: int) -> Optional[str]:
    """The CLC code aggregated to level 1, 2 or 3; a code that is no CLC code is kept as it is."""
    if code is None or code not in NOMENCLATURE or len(code) <= level:
        return code
    return code[:level]


def label(code: Optional[str], english: bool = False) -> Optional[str]:
    labels = NOMENCLATURE.get(code) if code is not None else None
    if labels is None:
        return None
    return labels[1] if english else labels[0]


# The standard colours of the level-3 classes (red, green, blue), as the European Environment Agency maps them.
COLOURS = {
    "111": (230, 0, 77), "112": (255, 0, 0), "121": (204, 77, 242), "122": (204, 0, 0), "123": (230, 204, 204),
    "124": (230, 204, 230), "131": (166, 0, 204), "132": (166, 77, 0), "133": (255, 77, 255),
    "141": (255, 166, 255), "142": (255, 230, 255), "211": (255, 255, 168), "212": (255, 255, 0),
    "213": (230, 230, 0), "221": (230, 128, 0), "222": (242, 166, 77), "223": (230, 166, 0),
    "231": (230, 230, 77), "241": (255, 230, 166), "242": (255, 230, 77), "243": (230, 204, 77),
    "244": (242, 204, 166), "311": (128, 255, 0), "312": (0, 166, 0), "313": (77, 255, 0),
    "321": (204, 242, 77), "322": (166, 255, 128), "323": (166, 230, 77), "324": (166, 242, 0),
    "331": (230, 230, 230), "332": (204, 204, 204), "333": (204, 255, 204), "334": (0, 0, 0),
    "335": (166, 230, 204), "411": (166, 166, 255), "412": (77, 77, 255), "421": (204, 204, 255),
    "422": (230, 230, 255), "423": (166, 166, 230), "511": (0, 204, 242), "512": (128, 242, 230),
    "521": (0, 255, 166), "522": (166, 255, 230), "523": (230, 242, 255),
}


def colour(code: Optional[str]) -> Optional[tuple]:
    """The colour of a CLC class; a level-1 or level-2 class takes the colour of its first level-3 class."""
    if code is None or code not in NOMENCLATURE:
        return None
    return COLOURS[min(child for child in COLOURS if child.startswith(code))]
