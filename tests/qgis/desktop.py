"""Run the real QGIS desktop under Xvfb with the plugin installed from its zip, as a user would."""
import argparse
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def install_profile(root: Path, enabled: bool = False) -> Path:
    """Build the zip and install it in a QGIS profiles folder; returns the installed plugin folder."""
    subprocess.run([sys.executable, str(REPO / ".ci" / "build.py"), "profile", str(root)] + (["on"] if enabled else []),
                   capture_output=True, text=True, check=True)
    return root / "profiles" / "default" / "python" / "plugins" / "resorption_sig"


# The screen of most préfecture laptops.
LAPTOP_SCREEN = "1366x768x24"


def run_qgis(profiles: Path, script: Path, env_extra: dict, timeout: int = 240,
             screen: str = "1600x1000x24") -> subprocess.CompletedProcess:
    env = dict(os.environ, **env_extra)
    env.pop("QT_QPA_PLATFORM", None)
    # The scripts share tests/qgis/scripts/in_qgis.py.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "tests" / "qgis" / "scripts"),
                                                      env.get("PYTHONPATH")]))
    command = ["qgis", "--profiles-path", str(profiles), "--nologo", "--noversioncheck", "--code", str(script)]
    if not env.get("DISPLAY"):
        command = ["xvfb-run", "-a", "-s", "-screen 0 " + screen] + command
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)


def shoot(folder: Path, script: Path, store: str, out: Path, **env) -> subprocess.CompletedProcess:
    """Run a screenshot script in the real QGIS at a laptop's screen size, the plugin installed in a profile
    under `folder`, on `store`, its shots written to `out` (more variables for the script in `env`)."""
    install_profile(folder / "profiles", enabled=True)
    return run_qgis(folder / "profiles", script, dict(env, RESORPTION_DEMO_STORE=store, RESORPTION_SHOTS=str(out),
                                                      LANG="fr_FR.UTF-8"), timeout=300, screen=LAPTOP_SCREEN)


def demo_store_93(path: Path, *options: str) -> str:
    """The demo data of the Seine-Saint-Denis (seed 2026) in a new store at `path`, as the screenshots show it."""
    subprocess.run([sys.executable, "-m", "plugin", "demo", str(path), "--departement", "93", "--seed", "2026"]
                   + list(options), cwd=str(REPO), check=True, capture_output=True)
    return str(path)


def screenshot_arguments(with_store: bool = False):
    """(arguments, output folder) of a screenshot runner: --out (docs/img), and --store when it takes one."""
    parser = argparse.ArgumentParser()
    if with_store:
        parser.add_argument("--store")
    parser.add_argument("--out", default=str(REPO / "docs" / "img"))
    arguments = parser.parse_args()
    out = Path(arguments.out)
    out.mkdir(parents=True, exist_ok=True)
    return arguments, out


def report_screenshots(report: Path, result: subprocess.CompletedProcess, shots) -> None:
    """After a screenshot script: its errors (and QGIS's last output) and exit 1, or the shots made."""
    errors = report.read_text(encoding="utf-8") if report.exists() else "no run"
    report.unlink(missing_ok=True)
    if errors.strip():
        print(errors, result.stderr[-3000:], sep="\n")
        sys.exit(1)
    print("\n".join(sorted(path.name for path in shots)))
