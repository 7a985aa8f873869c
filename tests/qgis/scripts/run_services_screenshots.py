"""Screenshots of the services (issue 17) from the real QGIS under Xvfb at 1366×768, into docs/img/.

    .venv/bin/python tests/qgis/scripts/run_services_screenshots.py

A demo store of the Seine-Saint-Denis (seed 2026); a list of schools laid out as the « Annuaire de
l'éducation » publishes it and an association's list of water points and food aid (CSV, seeded positions
in the 93) are imported through the dialog; the COPIL PDF is rendered with pdftoppm.
"""
import random
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE.parent))

from desktop import demo_store_93, report_screenshots, screenshot_arguments, shoot  # noqa: E402

# Around Saint-Denis, Bobigny and Montreuil (WGS 84): where the demo sites are.
AREA = (2.33, 48.86, 2.58, 48.96)


def lists(folder: Path):
    rng = random.Random(17)

    def position():
        return "%.5f" % rng.uniform(AREA[1], AREA[3]), "%.5f" % rng.uniform(AREA[0], AREA[2])

    schools = ["Identifiant_de_l_etablissement;Nom_etablissement;Type_etablissement;Statut_public_prive;Adresse_1;"
               "Code_postal;Nom_commune;Telephone;latitude;longitude;etat"]
    for index in range(12):
        latitude, longitude = position()
        schools.append("09301%02dZ;Ecole primaire n° %d;Ecole;Public;%d rue de l'École;93000;;01490000%02d;%s;%s;OUVERT"
                       % (index, index + 1, index + 3, index, latitude, longitude))
    others = ["Nom,Type,Horaires,Langues,lon,lat"]
    for index in range(10):
        latitude, longitude = position()
        kind = ("Point d'eau", "Alimentation", "Sanitaires", "Santé")[index % 4]
        others.append("%s %d,%s,lundi-vendredi 9h-17h,roumain; français,%s,%s" % (kind, index + 1, kind, longitude,
                                                                                  latitude))
    (folder / "fr-en-annuaire-education.csv").write_text("\n".join(schools) + "\n", encoding="utf-8")
    (folder / "services_association.csv").write_text("\n".join(others) + "\n", encoding="utf-8")


def main():
    _, out = screenshot_arguments()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        store = demo_store_93(folder / "demo-93.gpkg")
        lists(folder)
        result = shoot(folder, HERE / "services_screenshots.py", store, out, RESORPTION_FOLDER=str(folder))
        pdf = folder / "copil_services.pdf"
        if pdf.exists():
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(out / "services_copil")],
                           check=True)
    report_screenshots(out / "errors.txt", result, out.glob("services_*.png"))


if __name__ == "__main__":
    main()
