"""Screenshots of the synchronisation from the real QGIS under Xvfb, into docs/img/sync_*.png.

    .venv/bin/python tests/qgis/scripts/run_sync_screenshots.py [--out docs/img]

The scenario, made with the command line as an officer would: a shared GeoPackage
store with the demo data of the Seine-Saint-Denis (seed 2026), two working copies
of the 93 (alice's a.gpkg, bob's b.gpkg), the same site edited in both (number of
people 38 → 40 in a, 45 in b; a comment in both), another site edited in b only, and b
synchronised first. sync_screenshots.py then works on a.gpkg inside QGIS.
"""
import contextlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE.parent))

from desktop import LAPTOP_SCREEN, install_profile, report_screenshots, run_qgis, screenshot_arguments  # noqa: E402

CONFLICTING_SITE = ("Campement du Port", "Pantin")
OTHER_SITE = ("Bidonville des Peupliers", "Aubervilliers")
ERRORS = "sync_errors.txt"  # not errors.txt: the other screenshot scripts may run at the same time


def cli(*arguments) -> str:
    return subprocess.run([sys.executable, "-m", "plugin"] + [str(a) for a in arguments], cwd=str(REPO),
                          check=True, capture_output=True, text=True).stdout


def edit_site(copy: Path, site: tuple, **values) -> None:
    """An edit saved in the copy outside QGIS (its triggers record it, as for an edit made in QGIS)."""
    from plugin.store.gpkg import connect, transaction
    with contextlib.closing(connect(str(copy))) as connection, transaction(connection):
        assignments = ", ".join('"%s" = ?' % field for field in values)
        changed = connection.execute('UPDATE sites SET %s WHERE name = ? AND city_name = ?' % assignments,
                                     list(values.values()) + list(site)).rowcount
    if changed != 1:
        raise SystemExit("%s: %d sites named %s in %s" % ((copy, changed) + site))


def scenario(folder: Path) -> dict:
    shared, mine, theirs = folder / "partage" / "sites-partages.gpkg", folder / "a.gpkg", folder / "b.gpkg"
    shared.parent.mkdir()
    cli("init", shared)
    cli("demo", shared, "--departement", "93", "--seed", "2026")
    cli("checkout", shared, mine, "--departement", "93", "--user", "alice")
    cli("checkout", shared, theirs, "--departement", "93", "--user", "bob")
    edit_site(mine, CONFLICTING_SITE, population_total=40, comments="Visite du 12/11 : 40 pers.")
    edit_site(theirs, CONFLICTING_SITE, population_total=45, comments="Recensé le 14/11 : 45 pers.")
    edit_site(theirs, OTHER_SITE, caravans=6)
    cli("sync", theirs, "--user", "bob")
    return {"RESORPTION_SHARED_STORE": str(shared), "RESORPTION_WORKING_COPY": str(mine),
            "RESORPTION_NEW_COPY": str(folder / "copie-93.gpkg")}


def main():
    _, out = screenshot_arguments()
    (out / ERRORS).unlink(missing_ok=True)
    # A fixed folder: the paths shown in the checkout dialog stay the same from one run to the next.
    folder = Path(tempfile.gettempdir()) / "resorption-synchronisation"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    try:
        paths = scenario(folder)
        install_profile(folder / "profiles", enabled=True)
        result = run_qgis(folder / "profiles", HERE / "sync_screenshots.py",
                          dict(paths, RESORPTION_SHOTS=str(out), RESORPTION_ERRORS=ERRORS, LANG="fr_FR.UTF-8"),
                          timeout=300, screen=LAPTOP_SCREEN)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report_screenshots(out / ERRORS, result, out.glob("sync_*.png"))


if __name__ == "__main__":
    main()
