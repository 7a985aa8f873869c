"""The national platform's two site exports, « Sites existants » and « Sites fermés », laid out as
its code writes them (MTES-MCT/resorption-bidonvilles: utils/excel.ts, createExportSections.ts,
serializeExportProperties.ts), not as our importer expects them:

- rows 1-4: « SITUATION DES BIDONVILLES EXISTANTS » (rich text), the place, « Extraction de la
  plateforme Résorption bidonvilles », « à la date du JJ/MM/AAAA »; row 5 is empty, or holds the
  « ORIENTATION » super-section of the closed sites; row 6 the sections in capitals, merged; row 7
  the column titles, in the platform's order and spelling (typographic apostrophes included);
  data from row 8;
- every empty value is the text « NC » (grey italics); dates are Excel dates of the UTC instant of
  a French local time (exceljs), except « Date du diagnostic » and « Date du dernier message »
  (d/m/Y text); latitude and longitude are text; the département reads « 93 - Seine-Saint-Denis »;
- the platform's site id is only in the hyperlink of the « Adresse » cell (…/site/{id});
- under the data, a row of SUM formulas for the summed columns, with no label, and no cached value.

The owner columns are those of the serializer's « ownerType »/« owner » properties (the newest
sections call one « owners » property whose title the stored source does not show).

Run as a script to write both files (and their copies saved by LibreOffice) into a folder:
    .venv/bin/python tests/unit/platform_fixture.py OUT_DIR
"""
import datetime
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo

import openpyxl
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

WEBAPP_URL = "https://resorption-bidonvilles.beta.gouv.fr"
PARIS = ZoneInfo("Europe/Paris")
NC = "NC"
EXPORT_DAY = datetime.date(2026, 11, 30)

# (title, key, summed); key None: a column the fixture fills with NC.
Property = Tuple[str, Optional[str], bool]


def living_conditions() -> List[Property]:
    titles = (
        ("Alerte Canicule", "heatwave"), ("Statut de l'accès à l'électricité", "electricity_status"),
        ("Y a-t-il présence d’une installation électrique ?", "electricity"),
        ("Quelle est la source de l'accès à l'électricité ?", "electricity_types"),
        ("Des inégalités d’accès à l'électricité ont-elles été constatées ?", "electricity_unequal"),
        ("Statut de l'accès à l'eau", "water_status"),
        ("Comment les habitants ont-ils accès à l'eau ?", "water_type"),
        ("Précisions concernant les modalités d'accès à l'eau", "water_type_details"),
        ("Est-ce un point d'eau sur la voie publique ?", "water_public"),
        ("L'accès à l'eau est-il continu ?", "water_continuous"),
        ("Précisions concernant la discontinuité de l'accès à l'eau", "water_continuous_details"),
        ("Accès à l'eau sur site ?", "water_local"),
        ("Distance point d’eau / habitation la plus éloignée ?", "water_close"),
        ("Des inégalités d'accès à l'eau ont-elles été constatées ?", "water_unequal"),
        ("Précisions concernant les inégalités d'accès à l'eau", "water_unequal_details"),
        ("Existe-t-il des eaux stagnantes autour du point de distribution ?", "water_stagnant"),
        ("Informations complémentaires sur l'accès à l'eau", "water_comments"),
        ("Statut de l'accès aux sanitaires", "sanitary_status"),
        ("Constate-t-on des marques de défécation à l’air libre ?", "open_air_defecation"),
        ("Présence de toilettes fonctionnelles ?", "working_toilets"),
        ("Quels sont les types de toilettes installées ?", "toilet_types"),
        ("Les toilettes sont-elles à l’intérieur du site ?", "toilets_inside"),
        ("Ces toilettes sont-elles éclairées et verrouillables de l’intérieur ?", "toilets_lighted"),
        ("Y a-t-il un point de lavage des mains à proximité des toilettes ?", "hand_washing"),
        ("Statut de l'évacuation des déchets", "trash_status"),
        ("Constate-t-on une accumulation de déchets type ordures ménagères sur le site ou aux abords ?",
         "trash_piling"),
        ("Y a-t-il des dispositifs de ramassage des ordures ménagères à proximité immédiate ?", "trash_close"),
        ("Les dispositifs de ramassages des ordures sont-ils en bon état ?", "trash_safe"),
        ("La collecte des poubelles est-elle réalisée de manière régulière ?", "trash_regular"),
        ("Constate-t-on une accumulation de déchets type encombrants ?", "bulky_piling"),
        ("Statut de la présence de nuisibles", "pests_status"),
        ("Y a-t-il des nuisibles à proximité ?", "pests"),
        ("Précision concernant les nuisibles", "pests_details"),
        ("Statut du diagnostic prévention incendie", "fire_status"),
        ("Est-ce qu’un diagnostic prévention incendie par le SDIS a été réalisé ?", "fire_diagnostic"),
    )
    return [(title, key, False) for title, key in titles]


JUSTICE = [(title, key, False) for title, key in (
    ("Dépôt de plainte par le propriétaire", "owner_complaint"),
    ("Existence d'une procédure judiciaire", "justice_procedure"),
    ("Décision de justice rendue", "justice_rendered"), ("Date de la décision", "justice_rendered_at"),
    ("Origine de la décision", "justice_rendered_by"), ("Appel en cours", "justice_challenged"),
    ("Arrêté d'évacuation en cours", "evacuation_order"), ("Date d'évacuation", "evacuation_at"),
    ("Qui a pris l'arrêté", "evacuation_order_by"), ("Date de l'arrêté", "evacuation_order_at"),
    ("Arrêté d'insalubrité RHI bidonville en cours", "insalubrity_order"),
    ("Affichage de l'arrêté d'insalubrité", "insalubrity_displayed"),
    ("Type d'arrêté d'insalubrité", "insalubrity_type"), ("Qui a pris l'arrêté d'insalubrité", "insalubrity_by"),
    ("Date d'arrêté d'insalubrité", "insalubrity_at"), ("Parcelles concernées", "insalubrity_parcels"),
    ("Concours de la force publique (CFP)", "police_status"), ("Date de la demande du CFP", "police_requested_at"),
    ("Date d'octroi du CFP", "police_granted_at"), ("Nom de l'étude d'huissiers", "bailiff"),
    ("Existence d'un contentieux", "litigation"))]

PEOPLE = [(title, key, key not in ("origins",)) for title, key in (
    ("Nombre de personnes", "people"), ("dont femmes et filles", "females"), ("Nombre de ménages", "households"),
    ("Nombre de mineurs", "minors"), ("dont filles", "girls"), ("0 à 3 ans", "m0_3"), ("3 à 6 ans", "m3_6"),
    ("6 à 12 ans", "m6_12"), ("12 à 16 ans", "m12_16"), ("16 à 18 ans", "m16_18"),
    ("Enfants inscrits dans un établissement scolaire", "in_school"), ("Nombre de caravanes", "caravans"),
    ("Nombre de cabanes", "huts"), ("Nombre de tentes", "tents"), ("Nombre de voitures dortoir", "cars"),
    ("Nombre de matelas", "mattresses"), ("Origines", "origins"))]

# The platform's closing solutions (closing_solutions table), in their order.
CLOSING_SOLUTIONS = ("Mise à l’abri temporaire (quelques jours ou semaines)",
                     "Hébergement ou logement adapté longue durée avec accompagnement, dont espace terrain "
                     "d’insertion",
                     "Logement", "Aucune", "Autre")


def sections(closed: bool) -> List[Tuple[str, list]]:
    """createExportSections with every option (address details, owner, living conditions,
    demographics, justice, actors, comments, resorption phases): (title, properties) or, for the
    Orientation block, (title, [(sub-title, properties)…])."""
    location = [("Département", "departement", False), ("Commune", "city", False), ("Code INSEE", "citycode", False),
                ("EPCI", "epci", False), ("Adresse", "address", False), ("Appellation du site", "name", False)]
    if not closed:
        location.append(("Informations d'accès", "address_details", False))
    location += [("Latitude", "latitude", False), ("Longitude", "longitude", False)]
    site = [("Type de site", "field_type", False), ("Date d'installation", "built_at", False),
            ("Date de signalement", "declared_at", False),
            ("S'agit-il d'une réinstallation ?", "reinstallation", False),
            ("Précisions sur la réinstallation", "reinstallation_comments", False),
            ("Le site fait-il l’objet d’une action ?", "has_action", False),
            ("Le site fait-il l’objet d’une action financée RB l’année d’extraction ?", "has_financed_action", False),
            ("Site avec objectif de résorption ?", "resorption_target", False)]
    if closed:
        site += [("Date de fermeture", "closed_at", False), ("Résorbé", "resorbed", False),
                 ("Cause de la fermeture", "status", False), ("Contexte de la fermeture", "closing_context", False)]
    site += [("Type de propriétaire", "owner_type", False), ("Identité du propriétaire", "owner", False)]
    diagnostic = [("Date du diagnostic", "census_at", False), ("Service en charge du diagnostic", "census_by", False)]
    if not closed:
        diagnostic.insert(0, ("Statut du diagnostic social", "census_status", False))
    result = [("Localisation", location), ("Site", site), ("Habitants", PEOPLE),
              ("Conditions de vie", living_conditions()), ("Diagnostic", diagnostic),
              ("Procédure judiciaire ou administrative", JUSTICE),
              ("Intervenants", [("Intervenants (à la date de l'export)", "actors", False),
                                ("Intervenant de ma structure", "my_organisation", True)])]
    if not closed:
        result.append(("Phases de résorption", [("Phases préparatoires à la résorption", "phases", False)]))
    else:
        result.append(("Orientation", [(label.split(" (")[0], [
            ("Nombre de personnes", "outcome%d_people" % number, True),
            ("Nombre de ménages", "outcome%d_households" % number, True),
            ("Message", "outcome%d_message" % number, True)]) for number, label in enumerate(CLOSING_SOLUTIONS, 1)]))
    result += [("Commentaires", [("Commentaires", "comments", False), ("Date du dernier message", "last_comment", False)]),
               ("Mise à jour", [("Site mis à jour le", "updated_at", False)])]
    return result


def columns(closed: bool) -> List[Tuple[str, Optional[str], bool]]:
    """(title, key, summed) in sheet order."""
    flat = []
    for title, content in sections(closed):
        if title == "Orientation":
            for _, properties in content:
                flat.extend(properties)
        else:
            flat.extend(content)
    return flat


# --- the sites -------------------------------------------------------------------------

def paris(year, month, day, hour=0, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute)


def base_site(site_id: int, **values) -> Dict[str, object]:
    site = {"id": site_id, "departement": "93 - Seine-Saint-Denis", "epci": "Métropole du Grand Paris",
            "electricity_status": "inconnu", "water_status": "inconnu", "sanitary_status": "inconnu",
            "trash_status": "inconnu", "pests_status": "inconnu", "fire_status": "inconnu",
            "has_action": "non", "has_financed_action": "non", "my_organisation": "Non",
            "census_status": "Inconnu", "police_status": "Inconnu", "field_type": "Inconnu",
            "owner_type": "Inconnu"}
    site.update(values)
    return site


OPEN_SITES = [
    base_site(
        1201, city="La Courneuve", citycode="93027", address="12 rue de la Convention", name="Les Tilleuls",
        address_details="Portail vert côté canal", latitude="48.9284", longitude="2.3963", field_type="Terrain",
        built_at=paris(2023, 3, 1), declared_at=paris(2023, 4, 15), reinstallation="oui",
        reinstallation_comments="Après l'évacuation du terrain voisin", has_action="oui", resorption_target=2027,
        owner_type="Public", people=47, females=22, households=12, minors=18, girls=9, m0_3=3, m3_6=4, m6_12=6,
        m12_16=3, m16_18=2, in_school=11, caravans=4, huts=9, tents=2, cars=1, mattresses=30,
        origins="Ressortissants européens;Ressortissants français", heatwave="non", electricity_status="à améliorer",
        electricity="oui", electricity_types="Groupe électrogène\nRaccordement au réseau urbain",
        electricity_unequal="oui", water_status="bon", water_type="Robinet connecté au réseau d'eau",
        water_type_details="Robinet posé par la commune", water_public="non", water_continuous="non",
        water_continuous_details="Coupé la nuit", water_local="oui", water_close="oui", water_unequal="non",
        water_stagnant="non", water_comments="Compteur au nom de la commune", open_air_defecation="oui",
        working_toilets="oui", toilet_types="Toilettes chimiques\nToilettes sèches installées par un "
        "prestataire/association", toilets_inside="oui", toilets_lighted="non", hand_washing="non",
        trash_piling="oui", trash_close="oui", trash_safe="non", trash_regular="oui", bulky_piling="oui",
        pests="oui", pests_details="Rats près des caravanes", fire_diagnostic="non", census_status="Réalisé",
        census_at="12/05/2024", census_by="Association Coup de main", owner_complaint="oui",
        justice_procedure="oui", justice_rendered="oui", justice_rendered_at=paris(2024, 9, 10),
        justice_rendered_by="Tribunal judiciaire de Bobigny", justice_challenged="non", evacuation_order="oui",
        evacuation_at=paris(2026, 12, 15), evacuation_order_by="Préfet de la Seine-Saint-Denis",
        evacuation_order_at=paris(2026, 10, 2), insalubrity_order="non", police_status="Demandé",
        police_requested_at=paris(2026, 10, 20), bailiff="SCP Martin & Durand", litigation="non",
        actors="- Jeanne MARTIN, Association Coup de main (Santé, Scolarisation)\n- Paul DURAND, Mairie de La "
        "Courneuve (Accès aux droits)", my_organisation="Oui",
        phases="- Diagnostic social : réalisé le 12/05/2024\n- Comité de pilotage : en cours",
        comments="28/10/2026 à 10:12 - Jeanne MARTIN\nVisite avec la PMI", last_comment="28/10/2026",
        updated_at=paris(2026, 10, 28, 10, 12)),
    # Nothing known but its place: every other cell is NC.
    base_site(1202, city="Saint-Denis", citycode="93066", address="Quai du canal", latitude="48.9242",
              longitude="2.3601", updated_at=paris(2026, 6, 3, 16, 40)),
    base_site(
        1203, city="Montreuil", citycode="93048", address="3 rue de Paris", name="Rue de Paris",
        latitude="48.8566", longitude="2.4369", field_type="Immeuble bâti", built_at=paris(2025, 1, 6),
        declared_at=paris(2025, 1, 20), reinstallation="non", owner_type="Privé", people=9, households=3,
        minors=2, origins="Ressortissants extracommunautaires", heatwave="oui", electricity="non",
        water_type="Fontaine publique", census_status="Prévu", police_status="Non demandé",
        updated_at=paris(2026, 11, 2, 9, 5)),
    base_site(
        1204, city="Aubervilliers", citycode="93001", address="Rue du Landy", name="Le Landy",
        latitude="48.9128", longitude="2.3742", field_type="Terrain", built_at=paris(2024, 7, 1),
        declared_at=paris(2024, 7, 3), people=23, households=6, minors=7, girls=4, m6_12=3,
        water_type="Borne incendie", census_status="Non prévu", police_status="Obtenu",
        police_requested_at=paris(2025, 2, 1), police_granted_at=paris(2025, 3, 4),
        updated_at=paris(2026, 9, 14, 18, 30)),
]

CLOSED_SITES = [
    base_site(
        1101, city="Bobigny", citycode="93008", address="Chemin des Vignes", name="Les Vignes",
        latitude="48.9066", longitude="2.4397", field_type="Terrain", built_at=paris(2022, 5, 10),
        declared_at=paris(2022, 6, 1), closed_at=paris(2026, 9, 30), resorbed="Oui",
        status="Résorption progressive du site", people=21, households=6, minors=8,
        outcome1_people=5, outcome1_households=2, outcome2_people=4, outcome2_households=1,
        outcome2_message="Terrain d'insertion de Bobigny", outcome3_people=12, outcome3_households=3,
        updated_at=paris(2026, 9, 30, 17, 45)),
    base_site(
        1102, city="Saint-Ouen-sur-Seine", citycode="93070", address="Rue Ardoin", name="Ardoin",
        latitude="48.9168", longitude="2.3346", built_at=paris(2021, 11, 2), declared_at=paris(2021, 11, 20),
        closed_at=paris(2025, 6, 12), resorbed="Non", status="Décision de justice suite à une plainte du propriétaire",
        people=30, households=8, owner_complaint="oui", justice_procedure="oui",
        updated_at=paris(2025, 6, 12, 11, 0)),
    base_site(
        1103, city="Bondy", citycode="93010", address="Canal de l'Ourcq", name="Ourcq",
        latitude="48.9015", longitude="2.4836", built_at=paris(2024, 2, 1), closed_at=paris(2026, 3, 1),
        resorbed="Non", status="Autre", closing_context="Incendie, départ des familles", people=6, households=2,
        outcome4_people=6, outcome4_households=2, outcome4_message="Sans solution",
        updated_at=paris(2026, 3, 2, 8, 15)),
]


# --- writing as exceljs does ------------------------------------------------------------

BLACK = PatternFill("solid", fgColor="FF000000")
GREY = PatternFill("solid", fgColor="FFBDBDBD")
XPALE_GREY = PatternFill("solid", fgColor="FFF3F3F3")


def utc_serial_moment(local: datetime.datetime) -> datetime.datetime:
    """exceljs stores a JS Date as the Excel serial of its UTC instant."""
    return local.replace(tzinfo=PARIS).astimezone(datetime.timezone.utc).replace(tzinfo=None)


def write_export(path, sites: Sequence[Dict[str, object]], closed: bool, place: str = "Seine-Saint-Denis",
                 day: datetime.date = EXPORT_DAY):
    title = "fermés" if closed else "existants"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sites %s" % title
    bold = InlineFont(b=True, rFont="Arial", sz=10)
    sheet["A1"] = CellRichText(TextBlock(bold, "SITUATION DES BIDONVILLES"), TextBlock(bold, " " + title.upper()))
    sheet["A2"] = place
    sheet["A2"].font = Font(name="Arial", size=14, bold=True)
    sheet["A3"] = "Extraction de la plateforme Résorption bidonvilles"
    sheet["A4"] = "à la date du %s" % day.strftime("%d/%m/%Y")
    for reference in ("A3", "A4"):
        sheet[reference].font = Font(name="Arial", size=10, bold=True)
    column = 1
    for section, content in sections(closed):
        if section == "Orientation":
            start = column
            for sub_title, properties in content:
                _section_title(sheet, 6, column, len(properties), sub_title, size=10)
                column = _properties(sheet, column, properties, sites)
            _section_title(sheet, 5, start, column - start, section, size=14)
        else:
            _section_title(sheet, 6, column, len(content), section, size=14)
            column = _properties(sheet, column, content, sites)
    sheet.freeze_panes = "A8"
    sheet.auto_filter.ref = "A7:%s%d" % (get_column_letter(column - 1), 7 + len(sites))
    book.save(str(path))
    return path


def _section_title(sheet, row: int, column: int, length: int, title: str, size: int) -> None:
    if length > 1:
        sheet.merge_cells(start_row=row, start_column=column, end_row=row, end_column=column + length - 1)
    cell = sheet.cell(row=row, column=column, value=title.upper())
    cell.font = Font(name="Arial", size=size, bold=True, color="FFFFFFFF")
    cell.fill = BLACK
    cell.alignment = Alignment(vertical="center", wrap_text=True)


def _properties(sheet, column: int, properties, sites) -> int:
    for title, key, summed in properties:
        letter = get_column_letter(column)
        header = sheet.cell(row=7, column=column, value=title)
        header.font = Font(name="Arial", size=10, bold=True)
        header.fill = GREY
        header.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for number, site in enumerate(sites):
            cell = sheet.cell(row=8 + number, column=column)
            value = site.get(key) if key else None
            if value is None or value == "":
                cell.value = NC
                cell.font = Font(name="Arial", size=10, italic=True, color="FF999999")
            elif isinstance(value, datetime.datetime):
                cell.value = utc_serial_moment(value)
                cell.number_format = "mm-dd-yy"
            else:
                cell.value = value
                cell.font = Font(name="Arial", size=10)
            if key == "address":
                cell.hyperlink = "%s/site/%d" % (WEBAPP_URL, site["id"])
                cell.font = Font(name="Arial", size=10, bold=True, underline="single", color="FF0020F8")
            cell.alignment = Alignment(horizontal="left" if key in ("departement", "city", "citycode", "epci",
                                                                    "address") else "center",
                                       vertical="center", wrap_text=True)
            if number % 2:
                cell.fill = XPALE_GREY
        if summed:
            sheet.cell(row=8 + len(sites), column=column,
                       value="=SUM(%s8:%s%d)" % (letter, letter, 7 + len(sites)))
        column += 1
    return column


def saved_by_libreoffice(path: Path, folder: Path) -> Path:
    """The file opened and saved again by LibreOffice (headless): formulas get cached values."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["soffice", "-env:UserInstallation=file://%s" % (folder / "profile"), "--headless",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(folder), str(path)],
                   check=True, capture_output=True, timeout=180)
    return folder / path.name


def write_both(folder: Path, open_sites=OPEN_SITES, closed_sites=CLOSED_SITES) -> Tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return (write_export(folder / "sites-existants.xlsx", open_sites, closed=False),
            write_export(folder / "sites-fermes.xlsx", closed_sites, closed=True))


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    written = write_both(out)
    if shutil.which("soffice"):
        for path in written:
            saved_by_libreoffice(path, out / "libreoffice")
    print("\n".join(str(p) for p in written))
