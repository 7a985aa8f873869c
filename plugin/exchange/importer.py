"""Import of sites from a spreadsheet: the national platform's export or our own.

Two steps, so that the user sees before anything is written:

* `preview_import(store, path)` reads the file (header row found by its
  labels), parses every row, places it (commune from the point when the INSEE
  code is missing), matches it with the store's sites (uuid, else the platform's
  site id, else the same name in the same commune) and validates the result
  with the store's own rules (where the people of a closed site went included):
  an `ImportPreview` with, per row, create / update / unchanged / skipped /
  invalid, its errors and warnings;
* `apply_import(store, preview, login)` writes it in ONE transaction: the
  importing login as author, the file as the reason of every history row the
  import creates. A refused file or a failure writes nothing.
"""
import contextlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from ..i18n import pick
from ..model import validation
from ..model.rules import quoted
from ..model import vocabularies as voc
from ..model.schema import SITE_CLOSING_OUTCOMES, SITES
from ..model.platform_export import NotTaken, utc_to_local
from ..model.spreadsheet import (CREATE, GARBLED, INVALID, SKIPPED, UNCHANGED, UPDATE, Header, Note,
                                 RowReport, find_header, is_blank, is_totals_row, looks_garbled, normalise_title,
                                 read_row, site_import_columns, store_timestamp)
from ..store import gpkg
from ..store.base import StoreError
from ..store.gpkg_geometry import point_blob
from ..store.sqlite_ddl import GEOMETRY_COLUMN
from .export import point_of
from .xlsx_reader import WorkbookError, XlsxReader

SOURCE_OURS = "resorption_sig"
SOURCE_PLATFORM = "platform"
WRITABLE = tuple(f.name for f in SITES.fields if not f.system or f.name == "uuid")
HISTORIES = ("sites_history", "site_closing_outcomes_history")
COORDINATE_TOLERANCE = 1e-9
ANY_UUID = "00000000-0000-0000-0000-000000000000"   # the outcome rules checked before the site exists
OUTCOMES = "@outcomes"        # a change of where the people went (site_closing_outcomes)
MAX_ROWS = 200_000

ProgressCallback = Callable[[float], None]


class ImportRefused(StoreError):
    """The file, or the state of the store, forbids the import: nothing was written."""


@dataclass
class ImportPreview:
    path: str
    sheet: Optional[str] = None
    header_line: Optional[int] = None          # 1-based, as the spreadsheet shows it
    source: Optional[str] = None               # SOURCE_OURS or SOURCE_PLATFORM
    rows: List[RowReport] = field(default_factory=list)
    notes: List[Note] = field(default_factory=list)     # about the whole file: warnings
    not_taken: List[NotTaken] = field(default_factory=list)  # the platform's columns left out, and why
    fatal: List[Note] = field(default_factory=list)     # about the whole file: nothing can be imported
    _targets: Dict[int, Tuple[int, int]] = field(default_factory=dict)  # line → (fid, row_version)

    @property
    def file_name(self) -> str:
        return Path(self.path).name

    def counts(self) -> Dict[str, int]:
        counted = Counter(row.action for row in self.rows)
        return {action: counted.get(action, 0) for action in (CREATE, UPDATE, UNCHANGED, SKIPPED, INVALID)}

    @property
    def writes(self) -> List[RowReport]:
        return [row for row in self.rows if row.action in (CREATE, UPDATE)]

    @property
    def invalid(self) -> List[RowReport]:
        return [row for row in self.rows if row.action == INVALID]

    def summary(self, detail: int = 20) -> List[str]:
        """The report a user reads: what would be done, then the problems (the first `detail`
        rows in full, then the most frequent errors with a count)."""
        lines = []
        for note in self.fatal:
            lines.append(pick(note.message, note.message_en))
        if self.sheet is not None and self.header_line is not None:
            lines.append(pick("Fichier %s, feuille « %s », en-têtes ligne %d (%s)",
                              "File %s, sheet “%s”, headers on row %d (%s)") % (
                self.file_name, self.sheet, self.header_line,
                pick("export Résorption SIG", "Résorption SIG export") if self.source == SOURCE_OURS
                else pick("export de la plateforme Résorption-bidonvilles", "Résorption-bidonvilles export")))
        for note in self.notes:
            lines.append(pick("Attention : ", "Warning: ") + pick(note.message, note.message_en))
        if self.rows:
            counts = self.counts()
            lines.append(pick("%d lignes : %d à créer, %d à mettre à jour, %d inchangées, %d ignorées, "
                              "%d en erreur",
                              "%d rows: %d to create, %d to update, %d unchanged, %d skipped, %d with errors") % (
                len(self.rows), counts[CREATE], counts[UPDATE], counts[UNCHANGED], counts[SKIPPED], counts[INVALID]))
        shown = 0
        for row in self.rows:
            if not (row.errors or row.warnings) or shown >= detail:
                continue
            shown += 1
            what = {CREATE: pick("création", "create"), UPDATE: pick("mise à jour", "update"),
                    UNCHANGED: pick("inchangée", "unchanged"), SKIPPED: pick("ignorée", "skipped"),
                    INVALID: pick("erreur", "error")}[row.action]
            for note in row.errors + row.warnings:
                lines.append(pick("  ligne %d (%s) : %s", "  row %d (%s): %s") % (
                    row.line, what, pick(note.message, note.message_en)))
        invalid = self.invalid
        if len(invalid) > detail:
            frequent = Counter(pick(n.message, n.message_en) for row in invalid for n in row.errors)
            lines.append(pick("Erreurs les plus fréquentes :", "Most frequent errors:"))
            for text, count in frequent.most_common(10):
                examples = [str(row.line) for row in invalid
                            if any(pick(n.message, n.message_en) == text for n in row.errors)][:5]
                lines.append(pick("  %d × %s (lignes %s…)", "  %d × %s (rows %s…)") % (
                    count, text, ", ".join(examples)))
        # Last: a long list, the same for every export of the platform.
        if self.not_taken:
            lines.append(pick("Colonnes non reprises :", "Columns not taken:"))
            for item in self.not_taken:
                lines.append(pick("  « %s » : %s", "  “%s”: %s") % (item.title, pick(item.reason, item.reason_en)))
        return lines


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    invalid: int = 0
    reason: str = ""


# --- reading the file --------------------------------------------------------------

def _choose_sheet(reader: XlsxReader, known) -> Tuple[Optional[str], Optional[Header]]:
    best: Tuple[Optional[str], Optional[Header]] = (None, None)
    for name in reader.sheet_names():
        header = find_header(list(reader.rows(name, limit=30)), known)
        if header is not None and (best[1] is None or len(header.columns) > len(best[1].columns)):
            best = (name, header)
    return best


def _data_lines(reader: XlsxReader, sheet: str, header: Header, known):
    """(line, cells) under the headers of `sheet`; of our own export, of its open and closed
    sites' sheets both (laid out alike), numbered as if the second followed the first."""
    sheets = [sheet]
    if header.is_ours:
        sheets += [name for name in reader.sheet_names() if name != sheet and name.startswith(OWN_SITES_SHEETS)
                   and find_header(list(reader.rows(name, limit=30)), known) is not None]
    offset = 0
    for name in sheets:
        line = 0
        for line, cells in enumerate(reader.rows(name), 1):
            if line > header.row_index + 1 and not is_blank(cells) and not is_totals_row(cells, header):
                yield offset + line, cells
        offset += line


# Our export's sheets of sites: « Sites existants », « Sites fermés ».
OWN_SITES_SHEETS = "Sites "


def _first_titles(reader: XlsxReader) -> str:
    for row in reader.rows(reader.sheet_names()[0], limit=10):
        titles = [str(cell) for cell in row if cell not in (None, "")]
        if titles:
            return ", ".join("« %s »" % t for t in titles[:8])
    return ""


def preview_import(store, path: str, progress: Optional[ProgressCallback] = None) -> ImportPreview:
    """Read, match and validate the sites of the file at `path` against `store`; writes nothing."""
    preview = ImportPreview(str(path))
    known = site_import_columns()
    try:
        with XlsxReader(str(path)) as reader:
            sheet, header = _choose_sheet(reader, known)
            if header is None:
                found = _first_titles(reader)
                garbled = looks_garbled(found)
                preview.fatal.append(Note(
                    "Aucune ligne d'en-têtes reconnue dans %s : il faut les colonnes de l'export de la "
                    "plateforme Résorption-bidonvilles ou de Résorption SIG (par ex. « Appellation du site », "
                    "« Code INSEE », « Nombre de personnes »)%s.%s" % (
                        preview.file_name, " ; trouvé : %s" % found if found else "",
                        " " + GARBLED.message if garbled else ""),
                    "No header row recognised in %s: the columns of the Résorption-bidonvilles or Résorption "
                    "SIG export are needed (e.g. “Appellation du site”, “Code INSEE”, “Nombre de personnes”)"
                    "%s.%s"
                    % (preview.file_name, "; found: %s" % found if found else "",
                       " " + GARBLED.message_en if garbled else "")))
                return preview
            data = []
            for line, cells in _data_lines(reader, sheet, header, known):
                data.append((line, cells))
                if len(data) > MAX_ROWS:
                    preview.fatal.append(Note(
                        "%s compte plus de %d lignes : découpez-le (par département par exemple)."
                        % (preview.file_name, MAX_ROWS),
                        "%s has more than %d rows: split it (by département for instance)."
                        % (preview.file_name, MAX_ROWS)))
                    return preview
            links = reader.hyperlinks(sheet) if header.address_index is not None else {}
    except WorkbookError as error:
        preview.fatal.append(Note(error.message, error.message_en))
        return preview
    preview.sheet, preview.header_line = sheet, header.row_index + 1
    preview.source = SOURCE_OURS if header.is_ours else SOURCE_PLATFORM
    preview.notes.extend(header.notes)
    preview.not_taken = list(header.not_taken)
    preview.rows = [read_row(header, cells, line, links.get((line, header.address_index)))
                    for line, cells in data]
    if not preview.rows:
        preview.fatal.append(Note("%s n'a aucune ligne de données sous les en-têtes (ligne %d)."
                                  % (preview.file_name, preview.header_line),
                                  "%s has no data row under its headers (row %d)."
                                  % (preview.file_name, preview.header_line)))
        return preview
    with contextlib.closing(store.connect()) as connection:
        _Matcher(connection, preview, header).run(progress)
    return preview


def _identity_keys(name, insee, address, declared_at, longitude, latitude) -> List[tuple]:
    """How a site is recognised without its uuid, from the loosest key to the tightest: its name
    (a nameless one: its address) in its commune, then also its reporting date, then also its point.
    Two sites of one commune may share a name (a site reinstalled where a closed one stood)."""
    label = ("name", normalise_title(name)) if name else (("address", normalise_title(address)) if address
                                                          else ("nameless",))
    keys = []
    if insee and label[0] != "nameless":
        keys.append((label, insee))
        if declared_at:
            keys.append((label, insee, declared_at))
    if longitude is not None and latitude is not None:
        keys.append((label, insee, round(longitude, 6), round(latitude, 6)))
    return keys


class _Matcher:
    """Places, matches and validates the rows of a preview against one store."""

    def __init__(self, connection, preview: ImportPreview, header: Header):
        self.connection = connection
        self.preview = preview
        self.header = header
        self.by_uuid: Dict[str, int] = {}
        self.by_platform_id: Dict[str, int] = {}
        self.platform_of: Dict[int, str] = {}
        self.by_key: Dict[tuple, List[int]] = {}
        self._communes = None
        self._insee_cache: Dict[str, object] = {}
        for fid, uuid, platform_id, name, insee, address, declared_at, geom in connection.execute(
                'SELECT "fid", "uuid", "platform_id", "name", "insee_code", "address", "declared_at", "geom" '
                'FROM "sites"'):
            self.by_uuid[uuid] = fid
            if platform_id:
                self.by_platform_id[platform_id] = fid
                self.platform_of[fid] = platform_id
            longitude, latitude = point_of(geom)
            for key in _identity_keys(name, insee, address, declared_at, longitude, latitude):
                self.by_key.setdefault(key, []).append(fid)
        self.in_file: Counter = Counter()
        self.claimed: Dict[object, int] = {}   # existing fid or new identity key → first line

    def communes(self):
        if self._communes is None:
            from ..store.communes import reference
            self._communes = reference()
        return self._communes

    def by_insee(self, insee: str):
        if insee not in self._insee_cache:
            self._insee_cache[insee] = self.communes().by_insee(insee)
        return self._insee_cache[insee]

    def run(self, progress: Optional[ProgressCallback]) -> None:
        rows = self.preview.rows
        existing: Dict[int, Optional[Dict[str, object]]] = {}
        for report in rows:
            if not report.errors:
                fid = self.known_fid(report)
                existing[report.line] = self.load(fid) if fid is not None else None
                self.place(report, existing[report.line])
            if not report.errors:
                self.in_file.update(self.keys(report))
        for number, report in enumerate(rows, 1):
            if not report.errors:
                self.resolve(report, existing[report.line])
            if report.errors:
                report.action = INVALID
            if progress is not None and number % 500 == 0:
                progress(100.0 * number / len(rows))

    def known_fid(self, report: RowReport) -> Optional[int]:
        """The store's site this row names by an identifier: our uuid, else the platform's id."""
        if report.uuid:
            return self.by_uuid.get(report.uuid)
        platform_id = report.values.get("platform_id")
        return self.by_platform_id.get(platform_id) if platform_id else None

    @staticmethod
    def keys(report: RowReport) -> List[tuple]:
        values = report.values
        return _identity_keys(values.get("name"), values.get("insee_code"), values.get("address"),
                              values.get("declared_at"), report.longitude, report.latitude)

    def place(self, report: RowReport, existing: Optional[Dict[str, object]]) -> None:
        values = report.values
        insee = values.get("insee_code")
        if not insee and report.longitude is not None:
            commune = self.communes().at(report.longitude, report.latitude)
            if commune is None:
                report.error("Le point (latitude %s, longitude %s) n'est dans aucune commune française"
                             % (report.latitude, report.longitude),
                             "The point (latitude %s, longitude %s) is in no French municipality"
                             % (report.latitude, report.longitude))
                return
            values["insee_code"] = insee = commune.insee
        if not insee:
            if existing is None or "insee_code" in values:
                report.error("Ni code INSEE ni coordonnées : impossible de situer le site",
                             "Neither an INSEE code nor coordinates: the site cannot be located")
            return
        commune = self.by_insee(insee)
        if commune is None:
            report.error("Code INSEE %s absent du référentiel des communes" % insee,
                         "INSEE code %s missing from the communes reference" % insee)
            return
        if report.longitude is not None and not self.communes().contains(insee, report.longitude, report.latitude):
            report.warn("Le point (latitude %s, longitude %s) n'est pas dans la commune %s (%s)" % (
                report.latitude, report.longitude, commune.name, insee),
                "The point (latitude %s, longitude %s) is not in the municipality %s (%s)" % (
                report.latitude, report.longitude, commune.name, insee))
        given = values.get("departement")
        if given and given != commune.departement:
            report.warn("Département %s corrigé en %s (code INSEE %s)" % (given, commune.departement, insee),
                        "Département %s corrected to %s (INSEE code %s)" % (given, commune.departement, insee))
        values["city_name"] = commune.name
        values["departement"] = commune.departement

    def find(self, report: RowReport) -> Optional[int]:
        """The store's site this row describes: by the loosest key that is unique both in the
        file and in the store."""
        ambiguous = 0
        for key in self.keys(report):
            if self.in_file[key] > 1:
                continue
            found = self.by_key.get(key, [])
            platform_id = report.values.get("platform_id")
            if platform_id:
                # A site the platform knows by another id is another site, whatever its name.
                found = [fid for fid in found if self.platform_of.get(fid, platform_id) == platform_id]
            if len(found) == 1:
                return found[0]
            if not found:
                return None
            ambiguous = len(found)
        if ambiguous:
            report.error("%d sites du stockage correspondent (même appellation, même commune, même date "
                         "de signalement) : ajoutez la colonne « Identifiant » pour les distinguer" % ambiguous,
                         "%d sites of the store match (same name, municipality and reporting date): add the "
                         "“Identifiant” column to tell them apart" % ambiguous)
        return None

    def resolve(self, report: RowReport, existing: Optional[Dict[str, object]]) -> None:
        if existing is not None:
            fid = existing["fid"]
            claim: object = fid
        else:
            fid = self.find(report)
            if report.errors:
                return
            keys = self.keys(report)
            if fid is not None:
                claim = fid
            elif report.uuid:
                claim = ("uuid", report.uuid)
            elif report.values.get("platform_id"):
                claim = ("platform", report.values["platform_id"])
            else:
                claim = keys[-1] if keys else ("line", report.line)
        if claim in self.claimed:
            report.error("Même site que la ligne %d du fichier" % self.claimed[claim],
                         "Same site as row %d of the file" % self.claimed[claim])
            return
        self.claimed[claim] = report.line
        if fid is None:
            if not report.uuid and not self.keys(report):
                report.warn("Ni appellation, ni adresse, ni coordonnées : un nouvel import de ce fichier "
                            "recréera ce site", "No name, address or coordinates: importing this file again "
                            "will create this site again")
            self.prepare_create(report)
        else:
            self.prepare_update(report, fid, existing or self.load(fid))

    def load(self, fid: int) -> Dict[str, object]:
        cursor = self.connection.execute(
            'SELECT %s, "geom" FROM "sites" WHERE "fid" = ?' % ", ".join(quoted(n) for n in SITES.field_names),
            (fid,))
        row = dict(zip(list(SITES.field_names) + [GEOMETRY_COLUMN], cursor.fetchone()))
        row["fid"] = fid
        return row

    def outcomes_of(self, site_uuid: str) -> Dict[str, Dict[str, Optional[int]]]:
        return {solution: {"people": people, "households": households}
                for solution, people, households in self.connection.execute(
                    'SELECT "solution", "people", "households" FROM "site_closing_outcomes" '
                    'WHERE "site_uuid" = ?', (site_uuid,))}

    def prepare_create(self, report: RowReport) -> None:
        values = report.values
        if report.longitude is None:
            report.warn("Pas de coordonnées : le site n'apparaîtra pas sur la carte",
                        "No coordinates: the site will not show on the map")
        row = {name: values.get(name) for name in WRITABLE}
        row["status"] = row.get("status") or "open"
        values["status"] = row["status"]
        self.validate(report, row)
        if not report.errors:
            report.action = CREATE

    def prepare_update(self, report: RowReport, fid: int, existing: Dict[str, object]) -> None:
        values = report.values
        report.uuid = existing["uuid"]
        values.pop("uuid", None)
        merged = dict(existing)
        merged.pop("fid")
        for name, value in values.items():
            old = existing.get(name)
            if _differs(old, value):
                report.changes[name] = (old, value)
            merged[name] = value
        if report.longitude is not None:
            old_lon, old_lat = point_of(existing.get(GEOMETRY_COLUMN))
            if old_lon is None or abs(old_lon - report.longitude) > COORDINATE_TOLERANCE or \
                    abs(old_lat - report.latitude) > COORDINATE_TOLERANCE:
                report.changes[GEOMETRY_COLUMN] = ((old_lon, old_lat), (report.longitude, report.latitude))
        if report.outcomes:
            old_outcomes = self.outcomes_of(existing["uuid"])
            if old_outcomes != report.outcomes:
                report.changes[OUTCOMES] = (old_outcomes, report.outcomes)
        if not report.changes:
            report.action = UNCHANGED
            return
        if self.store_is_newer(report, existing):
            self.link_to_platform(report, fid, existing)
            return
        self.validate(report, merged)
        if not report.errors:
            report.action = UPDATE
            self.preview._targets[report.line] = (fid, existing["row_version"])

    def store_is_newer(self, report: RowReport, existing: Dict[str, object]) -> bool:
        """A file older than the store's version would undo later edits: skip the row. A site
        imported from the platform before: the platform's update time against the one of the
        version last imported (an edit here after that import is not a platform update)."""
        if report.file_updated_at is None:
            return False
        last_imported = store_timestamp(existing.get("platform_updated_at"))
        if last_imported is not None and "platform_updated_at" in report.values:
            if _later(report.file_updated_at, last_imported):
                return False
            report.action = SKIPPED
            shown = utc_to_local(last_imported)
            report.warn("Ignorée : la plateforme n'a pas modifié ce site depuis la version déjà importée (%s) ; "
                        "les modifications faites ici sont gardées" % shown.strftime("%d/%m/%Y %H:%M"),
                        "Skipped: the platform has not changed this site since the version already imported "
                        "(%s); the changes made here are kept" % shown.strftime("%Y-%m-%d %H:%M"))
            return True
        stored = store_timestamp(existing.get("updated_at"))
        if stored is None:
            return False
        moment, with_time = report.file_updated_at
        newer = stored > moment if with_time else stored.date() > moment.date()
        if newer and with_time:
            newer = (stored - moment).total_seconds() > 1
        if newer:
            report.action = SKIPPED
            report.warn("Ignorée : le site a été modifié dans le stockage (%s) après la version du fichier (%s)"
                        % (stored.strftime("%d/%m/%Y %H:%M"), moment.strftime("%d/%m/%Y")),
                        "Skipped: the site was changed in the store (%s) after the file's version (%s)"
                        % (stored.strftime("%Y-%m-%d %H:%M"), moment.strftime("%Y-%m-%d")))
        return newer

    def link_to_platform(self, report: RowReport, fid: int, existing: Dict[str, object]) -> None:
        """A site entered here and changed after the platform's version: its values stay, but it is
        tied to its platform site (id and version), so that later extractions find and update it."""
        if existing.get("platform_id") or "platform_id" not in report.changes:
            return
        report.changes = {name: change for name, change in report.changes.items()
                          if name in ("platform_id", "platform_updated_at")}
        report.values = {name: new for name, (_, new) in report.changes.items()}
        report.outcomes = None
        report.warnings[-1] = Note(
            "Valeurs du stockage gardées (modifiées ici après la version de la plateforme) ; le site est relié "
            "au site %s de la plateforme" % report.values["platform_id"],
            "The store's values are kept (changed here after the platform's version); the site is tied to "
            "site %s of the platform" % report.values["platform_id"])
        report.action = UPDATE
        self.preview._targets[report.line] = (fid, existing["row_version"])

    @staticmethod
    def validate(report: RowReport, row: Dict[str, object]) -> None:
        for problem in validation.problems(SITES, row):
            report.error(problem.message, problem.message_en)
        for solution, counts in (report.outcomes or {}).items():
            for problem in validation.problems(SITE_CLOSING_OUTCOMES, dict(
                    counts, solution=solution, site_uuid=ANY_UUID)):
                report.error("Orientation « %s » : %s" % (voc.CLOSING_SOLUTION.label(solution), problem.message),
                             "Orientation “%s”: %s" % (voc.CLOSING_SOLUTION.label_en(solution),
                                                       problem.message_en))


def _later(file_moment: Tuple, stored) -> bool:
    moment, with_time = file_moment
    if not with_time:
        return moment.date() > stored.date()
    return (moment - stored).total_seconds() > 1


def _differs(old, new) -> bool:
    if old == "":
        old = None
    if new == "":
        new = None
    return old != new


# --- writing -----------------------------------------------------------------------

def apply_import(store, preview: ImportPreview, login: str, skip_invalid: bool = False,
                 progress: Optional[ProgressCallback] = None) -> ImportResult:
    """Write the creations and updates of `preview` in one transaction, or nothing.

    Refused (ImportRefused, nothing written) when the file could not be read, when rows have
    errors (unless skip_invalid: then only the valid rows are written), or when a matched site
    changed in the store since the preview."""
    if not login or not login.strip():
        raise ImportRefused("Identifiant de connexion manquant : il signe chaque modification.",
                            "Login missing: it signs every change.")
    if getattr(store, "read_only", False):
        raise ImportRefused("Le stockage est en lecture seule : rien n'a été importé.",
                            "The store is read-only: nothing was imported.")
    if preview.fatal:
        note = preview.fatal[0]
        raise ImportRefused(note.message + " Rien n'a été importé.", note.message_en + " Nothing was imported.")
    counts = preview.counts()
    if counts[INVALID] and not skip_invalid:
        raise ImportRefused(
            "%d ligne(s) sur %d en erreur : rien n'a été importé. Corrigez le fichier, ou importez "
            "seulement les lignes valides." % (counts[INVALID], len(preview.rows)),
            "%d row(s) out of %d with errors: nothing was imported. Fix the file, or import the valid "
            "rows only." % (counts[INVALID], len(preview.rows)))
    reason = "import: %s" % preview.file_name
    result = ImportResult(unchanged=counts[UNCHANGED], skipped=counts[SKIPPED], invalid=counts[INVALID],
                          reason=reason)
    writes = preview.writes
    if not writes:
        return result
    with contextlib.closing(store.connect()) as connection:
        try:
            with gpkg.transaction(connection):
                first_history = {table: connection.execute(
                    'SELECT coalesce(max("history_id"), 0) FROM %s' % quoted(table)).fetchone()[0]
                    for table in HISTORIES}
                for number, report in enumerate(writes, 1):
                    if report.action == CREATE:
                        _insert(connection, report, login)
                        result.created += 1
                    else:
                        _update(connection, report, login, preview._targets[report.line])
                        result.updated += 1
                    if progress is not None and number % 500 == 0:
                        progress(100.0 * number / len(writes))
                for table, first in first_history.items():
                    connection.execute('UPDATE %s SET "reason" = ? WHERE "history_id" > ?' % quoted(table),
                                       (reason, first))
        except ImportRefused:
            raise
        except Exception as error:  # sqlite3 (a rule, the disk): the transaction was rolled back
            raise ImportRefused("Import interrompu, rien n'a été écrit : %s" % error,
                                "Import interrupted, nothing was written: %s" % error) from error
    return result


def _geometry(report: RowReport) -> Optional[bytes]:
    if report.longitude is None:
        return None
    return point_blob(report.longitude, report.latitude)


def _insert(connection, report: RowReport, login: str) -> None:
    row = {name: value for name, value in report.values.items() if name in WRITABLE}
    row["created_by"] = row["updated_by"] = login
    names = list(row)
    values = [row[n] for n in names]
    geometry = _geometry(report)
    if geometry is not None:
        names.append(GEOMETRY_COLUMN)
        values.append(geometry)
    try:
        cursor = connection.execute('INSERT INTO "sites" (%s) VALUES (%s)' % (
            ", ".join(quoted(n) for n in names), ", ".join("?" for _ in names)), values)
        if report.outcomes:
            site_uuid = connection.execute('SELECT "uuid" FROM "sites" WHERE "fid" = ?',
                                           (cursor.lastrowid,)).fetchone()[0]
            _write_outcomes(connection, site_uuid, report.outcomes, login)
    except Exception as error:
        raise ImportRefused("Ligne %d refusée par le stockage, rien n'a été écrit : %s" % (report.line, error),
                            "Row %d refused by the store, nothing was written: %s" % (report.line, error)) from error


def _update(connection, report: RowReport, login: str, target: Tuple[int, int]) -> None:
    fid, version = target
    names = [n for n in report.changes if n not in (GEOMETRY_COLUMN, OUTCOMES)]
    values = [report.values[n] for n in names]
    assignments = ["%s = ?" % quoted(n) for n in names]
    if GEOMETRY_COLUMN in report.changes:
        assignments.append('"geom" = ?')
        values.append(_geometry(report))
    assignments += ['"row_version" = "row_version" + 1', '"updated_by" = ?']
    values += [login, fid, version]
    try:
        cursor = connection.execute('UPDATE "sites" SET %s WHERE "fid" = ? AND "row_version" = ?'
                                    % ", ".join(assignments), values)
    except Exception as error:
        raise ImportRefused("Ligne %d refusée par le stockage, rien n'a été écrit : %s" % (report.line, error),
                            "Row %d refused by the store, nothing was written: %s" % (report.line, error)) from error
    if cursor.rowcount != 1:
        raise ImportRefused(
            "Le site de la ligne %d a été modifié dans le stockage depuis l'aperçu : rien n'a été écrit, "
            "relancez l'import." % report.line,
            "The site of row %d changed in the store since the preview: nothing was written, run the "
            "import again." % report.line)
    if OUTCOMES in report.changes:
        site_uuid = connection.execute('SELECT "uuid" FROM "sites" WHERE "fid" = ?', (fid,)).fetchone()[0]
        connection.execute('DELETE FROM "site_closing_outcomes" WHERE "site_uuid" = ?', (site_uuid,))
        _write_outcomes(connection, site_uuid, report.outcomes, login)


def _write_outcomes(connection, site_uuid: str, outcomes, login: str) -> None:
    for solution, counts in outcomes.items():
        connection.execute(
            'INSERT INTO "site_closing_outcomes" ("site_uuid", "solution", "people", "households", "created_by", '
            '"updated_by") VALUES (?, ?, ?, ?, ?, ?)',
            (site_uuid, solution, counts["people"], counts["households"], login, login))
