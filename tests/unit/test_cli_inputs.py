"""Inputs that crashed, hid a password or destroyed a store on the command line (issue 16): each now
gets a clear message, a non-zero exit, and nothing written."""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from plugin import cli
from plugin.store.gpkg import connect
from sync_helpers import add_site

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "s3cret w0rd"


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture
def store(new_store):
    connection = connect(new_store.location)
    add_site(connection, "Les Prés", population=40)
    connection.close()
    return new_store.location


def test_export_refuses_to_write_over_its_store(store, capsys):
    before = digest(store)
    code, said = run(capsys, "export", store, store)
    assert code == 2 and "aussi un fichier lu par la commande" in said
    assert digest(store) == before
    code, said = run(capsys, "info", store)
    assert code == 0 and "sites" in said


def test_export_refuses_the_same_file_under_another_name(store, tmp_path, capsys):
    link = tmp_path / "lien.xlsx"
    os.symlink(store, link)
    before = digest(store)
    assert run(capsys, "export", store, link)[0] == 2
    assert digest(store) == before


def test_report_refuses_to_write_over_its_store(store, tmp_path, capsys):
    named_like_a_pdf = tmp_path / "stockage.pdf"
    shutil.copy(store, named_like_a_pdf)
    before = digest(named_like_a_pdf)
    code, said = run(capsys, "report", named_like_a_pdf, named_like_a_pdf, "--departement", "93")
    assert code == 2 and "aussi un fichier lu par la commande" in said
    assert digest(named_like_a_pdf) == before


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31", "1899-12-31T23:00"])
def test_sums_at_a_date_out_of_range_gives_a_message(store, capsys, date):
    code, said = run(capsys, "sums", store, "--at", date)
    assert code == 2 and "Date hors limites" in said and date in said


def test_sums_and_checkout_refuse_an_unknown_departement(store, tmp_path, capsys):
    code, said = run(capsys, "sums", store, "--departement", "99")
    assert code == 2 and "Département inconnu : « 99 »" in said
    copy = tmp_path / "copie.gpkg"
    code, said = run(capsys, "checkout", store, copy, "--departement", "93", "--departement", "99")
    assert code == 2 and "Département inconnu : « 99 »" in said
    assert not copy.exists()


@pytest.mark.parametrize("location", [
    "host=127.0.0.1 port=1 dbname=rs user=agent password='%s'" % PASSWORD,
    "host=127.0.0.1 port=1 password='%s' dbname" % PASSWORD,          # libpq quotes what it cannot parse
    "postgresql://agent:%s@127.0.0.1:1/rs" % PASSWORD.replace(" ", "@"),  # a raw @ in the password
])
def test_a_connection_string_is_recognised_and_its_password_never_printed(location, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for command in ("init", "info", "sums", "upgrade"):
        code, said = run(capsys, command, location)
        assert code == 2
        assert "Connexion impossible" in said or "invalid dsn" in said
        for piece in ("s3cret", "w0rd"):
            assert piece not in said, said
    assert list(tmp_path.iterdir()) == []   # no GeoPackage named after the connection string


def test_a_read_only_shared_geopackage_gives_a_message(store):
    """As the issue's user: not root, the shared file not writable for them."""
    if os.geteuid() != 0:
        pytest.skip("needs root to run the sync as another user")
    with tempfile.TemporaryDirectory() as where:   # outside pytest's folders, which only root may enter
        check_read_only_shared(store, Path(where))


def check_read_only_shared(store, folder):
    shared = folder / "partage.gpkg"
    shutil.copy(store, shared)
    copy = folder / "copie.gpkg"
    subprocess.run([sys.executable, "-m", "plugin", "checkout", str(shared), str(copy), "--departement", "93"],
                   cwd=REPO, check=True, capture_output=True)
    connection = connect(str(copy))
    connection.execute("UPDATE sites SET huts = 3")
    connection.close()
    os.chmod(folder, 0o777)
    os.chmod(copy, 0o666)
    os.chmod(shared, 0o444)
    before = digest(shared)
    done = subprocess.run(["runuser", "-u", "nobody", "--", sys.executable, "-m", "plugin", "sync", str(copy)],
                          cwd=REPO, capture_output=True, text=True, env=dict(os.environ, LANG="fr_FR.UTF-8"))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "lecture seule" in done.stderr
    assert digest(shared) == before
