"""Helpers shared by the sync tests (GeoPackage and PostGIS)."""
import contextlib
from pathlib import Path
import struct
import uuid as uuid_module

from plugin.model import schema
from plugin.store import gpkg
from plugin.sync.values import edited_columns, gpkg_blob_of, normalised_wkb


def point(lon, lat):
    return gpkg_blob_of(struct.pack("<BIdd", 1, 1, lon, lat))


def polygon(lon, lat, size=0.001):
    ring = [(lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size), (lon, lat)]
    return gpkg_blob_of(struct.pack("<BII", 1, 3, 1) + struct.pack("<I", len(ring))
                        + b"".join(struct.pack("<dd", *p) for p in ring))


def new_uuid():
    return str(uuid_module.uuid4())


def add_site(connection, name, departement="93", insee="93066", population=10, lon=2.36, lat=48.93, **values):
    uuid = values.pop("uuid", new_uuid())
    row = dict(uuid=uuid, name=name, departement=departement, insee_code=insee, population_total=population,
               geom=point(lon, lat), **values)
    connection.execute("INSERT INTO sites (%s) VALUES (%s)" % (", ".join(row), ", ".join("?" for _ in row)),
                       list(row.values()))
    return uuid


def content(connection, table_name="sites", where="1 = 1"):
    """{uuid: {column: value}} over the edited columns, geometry normalised."""
    table = schema.table(table_name)
    kept = ["uuid"] + edited_columns(table)
    rows = {}
    for values in connection.execute('SELECT %s FROM "%s" WHERE %s' % (
            ", ".join('"%s"' % c for c in kept), table_name, where)):
        row = dict(zip(kept, values))
        if "geom" in row:
            row["geom"] = normalised_wkb(row["geom"])
        rows[row["uuid"]] = row
    return rows


def local(path):
    return contextlib.closing(gpkg.connect(str(path)))


def pending(path):
    with local(path) as connection:
        return (connection.execute("SELECT count(*) FROM rs_dirty").fetchone()[0],
                connection.execute("SELECT count(*) FROM rs_conflicts").fetchone()[0])



KILLED_SYNC = """
import sys
sys.path.insert(0, %r)
from plugin.sync import synchronise
synchronise(sys.argv[1], "killed")
"""


def killable_sync_script(folder: Path) -> Path:
    """A script running one sync of the copy given as argument, for a subprocess the test kills."""
    script = folder / "sync_once.py"
    script.write_text(KILLED_SYNC % str(Path(__file__).resolve().parents[2]))
    return script
