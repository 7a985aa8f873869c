"""The operator's monthly workbook (plugin/exchange/observatory.py) brought in through « Importer depuis
Excel… », as the Dispositifs dock's « Importer… » and the `import` command do: the same preview (new,
changed, unchanged, conflicts, errors), conflicts to choose, one transaction (its tasks are
excel_dialogs's)."""
from typing import Optional, Tuple

from ..exchange.observatory import CHANGED, CONFLICT, INVALID, NEW, UNCHANGED, ObservatoryPreview
from ..i18n import tr


def conflict_choices():
    """(label, take the file's values) of the conflicts box; None: not chosen yet."""
    return ((tr("Conflits : choisissez…"), None),
            (tr("Conflits : prendre les valeurs du fichier"), True),
            (tr("Conflits : garder les valeurs du stockage"), False))


def can_import(preview: ObservatoryPreview, take_file: Optional[bool]) -> bool:
    counts = preview.counts()
    if counts[INVALID] or (counts[CONFLICT] and take_file is None):
        return False
    return bool(counts[NEW] or counts[CHANGED] or (counts[CONFLICT] and take_file))


def explain(preview: ObservatoryPreview, take_file: Optional[bool]) -> Tuple[str, bool]:
    """What the officer can do with this preview, in one sentence; True when it blocks the import."""
    counts = preview.counts()
    if counts[INVALID]:
        return tr("{0} valeur(s) en erreur : rien ne sera importé. Faites corriger le classeur.").format(
            counts[INVALID]), True
    if counts[CONFLICT] and take_file is None:
        return tr("{0} valeur(s) modifiée(s) dans le stockage depuis l'envoi du classeur diffèrent du fichier : "
                  "choisissez de prendre le fichier ou de garder le stockage.").format(counts[CONFLICT]), True
    if not can_import(preview, take_file):
        return tr("Rien à importer : le classeur ne change aucune valeur du stockage."), False
    return tr("Prêt : classeur de l'opérateur « {0} », {1} : {2} valeur(s) nouvelle(s), {3} modifiée(s), "
              "{4} inchangée(s). L'historique gardera le fichier pour source.").format(
        preview.action_name, preview.month, counts[NEW], counts[CHANGED], counts[UNCHANGED]), False


def done_text(preview: ObservatoryPreview, written: int) -> str:
    return tr("{0} : {1} valeur(s) écrite(s) pour « {2} », {3} inchangée(s).").format(
        preview.file_name, written, preview.action_name, preview.counts()[UNCHANGED])
