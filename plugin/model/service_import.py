"""Importing a list of services: the column mapping (a preset), and matching to update rather than duplicate.

A preset says which source column fills which field of `services`; the shipped ones describe French open
data whose columns are documented (resources/service_presets/*.json), the officer's own are kept likewise.
Column names match whatever their case (the open data portals export them either way).
"""
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import vocabularies as voc

# A re-imported service without a source id is the same one when its name matches within this distance.
SAME_PLACE_METRES = 50.0
MAPPABLE = ("source_id", "name", "category", "organisation", "address", "contact", "access_conditions",
            "opening_hours", "languages", "free_of_charge", "verified_at")


@dataclass
class Preset:
    name: str
    label: str
    label_en: str = ""
    source: str = ""
    # A fixed category for every row, else the column `columns["category"]` gives it (code or label).
    category: Optional[str] = None
    x: str = "longitude"
    y: str = "latitude"
    crs: str = "EPSG:4326"
    columns: Dict[str, Union[str, List[str]]] = field(default_factory=dict)
    skip_when: Dict[str, List[str]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, text: str) -> "Preset":
        data = json.loads(text)
        unknown = set(data.get("columns", {})) - set(MAPPABLE)
        if unknown:
            raise ValueError("unknown fields in the preset: %s" % ", ".join(sorted(unknown)))
        return cls(**data)

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2)


def presets_in(folder: Path) -> List[Preset]:
    return [Preset.from_json(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))]


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return " ".join(text.lower().replace("-", " ").replace("'", " ").split())


@dataclass
class Incoming:
    """One row of the file, as a service: its values and its point (x, y in the preset's CRS)."""
    line: int
    values: Dict[str, object]
    x: float
    y: float


@dataclass
class Problem:
    line: int
    message: str
    message_en: str


def _column(record: Mapping[str, object], name: str):
    """The value of column `name` whatever the case of the header."""
    if name in record:
        return record[name]
    wanted = name.casefold()
    for key, value in record.items():
        if str(key).casefold() == wanted:
            return value
    return None


def _text(value) -> Optional[str]:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _number(value) -> Optional[float]:
    text = _text(value)
    if text is None:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def read_rows(records: Iterable[Mapping[str, object]], preset: Preset) -> Tuple[List[Incoming], List[Problem]]:
    """The services the records describe; a row without position, name or known category is a problem
    (line numbers count the header as line 1)."""
    found, problems = [], []
    for line, record in enumerate(records, start=2):
        if any(_text(_column(record, column)) in values for column, values in preset.skip_when.items()):
            continue
        values: Dict[str, object] = {}
        for target, source in preset.columns.items():
            if isinstance(source, list):
                values[target] = _text(" ".join(t for t in (_text(_column(record, s)) for s in source) if t))
            else:
                values[target] = _text(_column(record, source))
        category = preset.category or values.get("category")
        code = voc.SERVICE_CATEGORY.code_for_label(str(category)) if category else None
        x, y = _number(_column(record, preset.x)), _number(_column(record, preset.y))
        if code is None:
            problems.append(Problem(line, "catégorie inconnue : « %s »" % (category or ""),
                                    "unknown category: “%s”" % (category or "")))
        elif x is None or y is None:
            problems.append(Problem(line, "position manquante (colonnes %s, %s)" % (preset.x, preset.y),
                                    "missing position (columns %s, %s)" % (preset.x, preset.y)))
        elif not values.get("name"):
            problems.append(Problem(line, "nom manquant", "missing name"))
        else:
            values["category"] = code
            if values.get("free_of_charge"):
                values["free_of_charge"] = voc.YES_NO_UNKNOWN.code_for_label(str(values["free_of_charge"]))
            if preset.source:
                values["source"] = preset.source
            found.append(Incoming(line, values, x, y))
    return found, problems


@dataclass
class Existing:
    key: object
    name: Optional[str]
    source: Optional[str]
    source_id: Optional[str]
    x: float
    y: float


def match(incoming: Sequence[Incoming], existing: Sequence[Existing],
          distance: Callable[[Tuple[float, float], Tuple[float, float]], float]) -> List[Optional[object]]:
    """For each incoming row, the key of the existing service it updates, else None (a new one): the same
    source and source id, else the same name within 50 m (`distance` in metres between two points)."""
    by_source_id = {(e.source or "", e.source_id): e.key for e in existing if e.source_id}
    by_name: Dict[str, List[Existing]] = {}
    for service in existing:
        if service.name:
            by_name.setdefault(fold(service.name), []).append(service)
    result = []
    for row in incoming:
        source_id = row.values.get("source_id")
        key = by_source_id.get((row.values.get("source") or "", source_id)) if source_id else None
        if key is None:
            near = [e for e in by_name.get(fold(row.values.get("name") or ""), [])
                    if distance((row.x, row.y), (e.x, e.y)) <= SAME_PLACE_METRES]
            key = near[0].key if near else None
        result.append(key)
    return result
