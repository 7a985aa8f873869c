#!/usr/bin/env python3
"""Build what the plugin needs but git does not keep, and the installable zip.

  assets  the communes reference (from ../shared/data/communes.gpkg) and the .qm
          translations (from i18n/*.ts); skipped when up to date
  zip [DIR]         assets, then DIR/resorption_sig-<version>.zip with what pb_tool.cfg lists
  ts                i18n/resorption_sig_en.ts updated from the tr() calls and the .ui files
                    (existing translations kept, new strings marked unfinished)
  profile DIR [on]  the zip, installed in the QGIS profiles folder DIR (profile "default") as
                    "Installer depuis un ZIP" does; "on" enables it at start-up; prints the zip
"""
import configparser
import contextlib
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PLUGIN_NAME = "resorption_sig"
SHARED_COMMUNES = REPO.parent / "shared" / "data" / "communes.gpkg"
REFERENCE = REPO / "resources" / "reference" / "communes.gpkg"


def reference_layers(path: Path) -> set:
    with contextlib.closing(sqlite3.connect(str(path))) as connection:
        return {name for (name,) in connection.execute("SELECT table_name FROM gpkg_contents")}


def build_reference() -> None:
    if REFERENCE.exists() and REFERENCE.stat().st_mtime >= SHARED_COMMUNES.stat().st_mtime \
            and {"communes", "departements"} <= reference_layers(REFERENCE):
        return
    if not SHARED_COMMUNES.exists():
        sys.exit("build: %s is missing" % SHARED_COMMUNES)
    REFERENCE.parent.mkdir(parents=True, exist_ok=True)
    partial = REFERENCE.with_suffix(".partial.gpkg")
    partial.unlink(missing_ok=True)
    subprocess.run(["ogr2ogr", "-f", "GPKG", str(partial), str(SHARED_COMMUNES), "communes",
                    "-nln", "communes", "-select", "insee,nom,type,departement,population",
                    "-lco", "SPATIAL_INDEX=YES", "-gt", "65536"], check=True)
    subprocess.run(["ogrinfo", "-q", str(partial), "-sql",
                    "CREATE INDEX communes_insee ON communes (insee)"], check=True)
    subprocess.run(["ogrinfo", "-q", str(partial), "-sql",
                    "CREATE INDEX communes_departement ON communes (departement)"], check=True)
    # The départements' names, for the territory lists (« 93 – Seine-Saint-Denis »).
    subprocess.run(["ogr2ogr", "-update", "-f", "GPKG", str(partial), str(SHARED_COMMUNES), "departements",
                    "-nln", "departements", "-select", "code,nom", "-nlt", "NONE"], check=True)
    partial.replace(REFERENCE)
    print("build: communes reference written to %s" % REFERENCE.relative_to(REPO))


def build_translations() -> None:
    lrelease = shutil.which("lrelease")
    for source in sorted((REPO / "i18n").glob("*.ts")):
        target = source.with_suffix(".qm")
        if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
            continue
        if lrelease is None:
            sys.exit("build: lrelease is missing (Debian package qttools5-dev-tools)")
        subprocess.run([lrelease, "-silent", str(source), "-qm", str(target)], check=True)


def plugin_files():
    config = configparser.ConfigParser()
    config.read(REPO / "pb_tool.cfg")
    files = config["files"]
    for name in files.get("python_files", "").split() + files.get("extras", "").split():
        yield REPO / name
    for folder in files.get("extra_dirs", "").split():
        for path in sorted((REPO / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith(
                    (".pyc", ".ts", ".partial.gpkg")):
                yield path


def build_zip(output_dir: Path) -> Path:
    metadata = configparser.ConfigParser()
    metadata.read(REPO / "metadata.txt", encoding="utf-8")
    version = metadata["general"]["version"]
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / ("%s-%s.zip" % (PLUGIN_NAME, version))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in plugin_files():
            archive.write(path, Path(PLUGIN_NAME) / path.relative_to(REPO))
    return target


TS_FILE = REPO / "i18n" / "resorption_sig_en.ts"
CODE_CONTEXT = "ResorptionSIG"


def source_strings():
    """(context, text) of every tr("…") in plugin/ and every <string> of forms/*.ui."""
    import ast
    import xml.etree.ElementTree as ElementTree
    found = []
    for path in sorted((REPO / "plugin").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "tr"
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.append((CODE_CONTEXT, node.args[0].value))
    for path in sorted((REPO / "forms").glob("*.ui")):
        tree = ElementTree.parse(path)
        context = tree.find("class").text
        for element in tree.iter("string"):
            if element.text and element.get("notr") != "true":
                found.append((context, element.text))
    return list(dict.fromkeys(found))


def update_ts() -> int:
    """Rewrite the .ts with the current strings; returns how many lack a translation."""
    import xml.etree.ElementTree as ElementTree
    known = {}
    if TS_FILE.exists():
        for context in ElementTree.parse(TS_FILE).getroot().iter("context"):
            name = context.find("name").text
            for message in context.iter("message"):
                translation = message.find("translation")
                if translation is not None and translation.text and translation.get("type") != "unfinished":
                    known[(name, message.find("source").text)] = translation.text
    root = ElementTree.Element("TS", version="2.1", language="en", sourcelanguage="fr")
    missing = 0
    by_context = {}
    for context, text in source_strings():
        by_context.setdefault(context, []).append(text)
    for context, texts in by_context.items():
        element = ElementTree.SubElement(root, "context")
        ElementTree.SubElement(element, "name").text = context
        for text in texts:
            message = ElementTree.SubElement(element, "message")
            ElementTree.SubElement(message, "source").text = text
            translation = ElementTree.SubElement(message, "translation")
            if (context, text) in known:
                translation.text = known[(context, text)]
            else:
                translation.set("type", "unfinished")
                missing += 1
    ElementTree.indent(root)
    TS_FILE.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n'
                       + ElementTree.tostring(root, encoding="unicode") + "\n", encoding="utf-8")
    return missing


def install_profile(root: Path, archive: Path, enabled: bool) -> None:
    profile = root / "profiles" / "default"
    plugins = profile / "python" / "plugins"
    shutil.rmtree(plugins / PLUGIN_NAME, ignore_errors=True)
    plugins.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(plugins)
    settings = profile / "QGIS" / "QGIS3.ini"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text("[PythonPlugins]\n%s=%s\n\n[locale]\noverrideFlag=true\nuserLocale=fr\n\n"
                        "[qgis]\ncheckVersion=false\n" % (PLUGIN_NAME, str(enabled).lower()), encoding="utf-8")


def main(argv) -> None:
    command = argv[1] if len(argv) > 1 else "assets"
    if command == "ts":
        print("build: %d string(s) to translate in %s" % (update_ts(), TS_FILE.relative_to(REPO)))
        return
    build_reference()
    build_translations()
    if command == "zip":
        output = Path(argv[2]) if len(argv) > 2 else REPO / "dist"
        print(build_zip(output))
    elif command == "profile" and len(argv) > 2:
        root = Path(argv[2])
        archive = build_zip(root / "dist")
        install_profile(root, archive, enabled=len(argv) > 3 and argv[3] == "on")
        print(archive)
    elif command != "assets":
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
