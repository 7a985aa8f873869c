"""QGIS expression functions (group "Résorption SIG") giving the derived figures to labels and layouts.

    resorption_sum('population_total', 'departement', '93', '2026-01-01')
    resorption_text('population_minors', 'insee_code', "insee")
    resorption_between('closed', 'departement', '93', '2026-01-01', '2026-06-30')
    resorption_insertion('occupancy_rate', 'departement', '93')
    resorption_label('population_total')

The figures are those of plugin/model/sums.py, computed by the open store
(set_active_store, called by the plugin when a store is opened). Results are
kept while the store file is unchanged, so a layout that shows many figures
reads the database once per figure.
"""
import os
from typing import Dict, Optional, Tuple

from ..model import figure_text
from ..model import sums as model
from ..model import vocabularies as voc
from ..store import sums_sql

GROUP = "Résorption SIG"
TERRITORY_KINDS = ("all", "departement", "insee_code")

_active_store = None
_cache: Dict[Tuple, object] = {}
_registered = []
_functions = []

TERRITORY_HELP = (
    "<li><i>territoire</i> : 'departement', 'insee_code' (une commune) ou 'all' (tout le stockage) ;</li>"
    "<li><i>code</i> : le code du département (ex. '93', '2A', '974') ou de la commune (ex. '93066') ; "
    "NULL avec 'all'.</li>")
DATE_HELP = ("une date 'AAAA-MM-JJ' (la fin de ce jour), une date-heure, une valeur date de QGIS "
             "(ex. <code>now()</code>, <code>to_date('2026-01-01')</code>) ; NULL : maintenant")


def set_active_store(store) -> None:
    """The store the functions read (None when no store is open)."""
    global _active_store
    _active_store = store
    _cache.clear()


def active_store():
    return _active_store


class ExpressionError(Exception):
    pass


def _text(value) -> Optional[str]:
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return None
    return str(value)


def _instant(value) -> Optional[str]:
    """A figure date: text, QDate (end of that day) or QDateTime; None = now."""
    from qgis.PyQt.QtCore import QDate, QDateTime, Qt
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return None
    if isinstance(value, QDateTime):
        return model.parse_instant(value.toUTC().toString(Qt.DateFormat.ISODateWithMs)[:23] + "Z")
    if isinstance(value, QDate):
        return model.parse_instant(value.toString("yyyy-MM-dd"))
    try:
        return model.parse_instant(str(value))
    except model.InvalidDate as error:
        raise ExpressionError(error.message) from None


def _territory(kind, code) -> sums_sql.Territory:
    kind = _text(kind) or "all"
    if kind not in TERRITORY_KINDS:
        raise ExpressionError("Territoire inconnu : « %s » (attendu : %s)" % (kind, ", ".join(TERRITORY_KINDS)))
    if kind == "all":
        return sums_sql.EVERYWHERE
    code = _text(code)
    if code is None:
        raise ExpressionError("Donnez le code du territoire (%s)" % kind)
    return sums_sql.Territory(**{kind: code})


def _statuses(value):
    text = _text(value) or model.OPEN
    if text == "all":
        return None
    codes = tuple(c.strip() for c in text.split(","))
    if not all(c in voc.SITE_STATUS.codes for c in codes):
        raise ExpressionError("Statut inconnu : « %s » (attendu : all, %s)" % (text, ", ".join(voc.SITE_STATUS.codes)))
    return codes


def _figure(value, names) -> str:
    name = _text(value)
    if name not in names:
        raise ExpressionError("Chiffre inconnu : « %s » (attendu : %s)" % (name, ", ".join(names)))
    return name


def _cached(key, compute):
    store = _active_store
    if store is None:
        raise ExpressionError("Aucun stockage Résorption SIG n'est ouvert")
    try:
        stamp = os.stat(store.location).st_mtime_ns
    except OSError:
        stamp = None
    key = (store.location, stamp) + key
    if key not in _cache:
        if len(_cache) > 512:
            _cache.clear()
        _cache[key] = compute(store)
    return _cache[key]


def _arguments(values, count):
    return list(values) + [None] * (count - len(values))


def resorption_sum(values, feature, parent):
    """Un chiffre des sites à une date, sur un territoire.
<h4>Syntaxe</h4>
<code>resorption_sum(<i>chiffre</i>, <i>territoire</i>, <i>code</i>, <i>date</i>, <i>statuts</i>)</code>
<h4>Arguments</h4><ul>
<li><i>chiffre</i> : %(figures)s ;</li>
%(territory)s
<li><i>date</i> (facultatif) : la situation à cette date, d'après l'historique : %(date)s ;</li>
<li><i>statuts</i> (facultatif) : 'open' (défaut : les sites ouverts à la date), 'all', ou des codes
séparés par des virgules (ex. 'resorbed,closed_by_justice').</li></ul>
<h4>Exemples</h4><ul>
<li><code>resorption_sum('population_total', 'departement', '93', '2026-01-01')</code> → personnes vivant
dans les sites ouverts de Seine-Saint-Denis le 1<sup>er</sup> janvier 2026</li>
<li><code>resorption_sum('sites', 'all', NULL)</code> → sites ouverts aujourd'hui</li></ul>
<p>Une valeur vide est inconnue : elle n'est jamais comptée comme 0 (voir sites_unknown_…) ; quand aucun
site ne la connaît, le chiffre est NULL.</p>"""
    total, name = _site_total(values)
    return figure_text.known_value(total, name)


def _site_total(values):
    figure, kind, code, at, statuses = _arguments(values, 5)
    key = ("sum", _figure(figure, model.FIGURE_NAMES), _territory(kind, code), _instant(at), _statuses(statuses))
    return _cached(key, lambda store: sums_sql.site_sums(store, key[3], key[2], None, key[4]).total), key[1]


def resorption_text(values, feature, parent):
    """Un chiffre des sites tel qu'il s'imprime : « n.c. » s'il est inconnu, « dont N sites non renseignés »
s'il ne porte que sur une partie des sites (pour les étiquettes et les atlas).
<h4>Syntaxe</h4>
<code>resorption_text(<i>chiffre</i>, <i>territoire</i>, <i>code</i>, <i>date</i>, <i>statuts</i>)</code>
<h4>Arguments</h4><p>Ceux de <code>resorption_sum</code>.</p>
<h4>Exemple</h4><ul>
<li><code>resorption_text('population_minors', 'insee_code', "insee")</code> → '17 (dont 2 sites non
renseignés)', ou 'n.c.'</li></ul>"""
    total, name = _site_total(values)
    return figure_text.figure_text(total, name)


def resorption_between(values, feature, parent):
    """Mouvements et évolution des sites entre deux dates, sur un territoire.
<h4>Syntaxe</h4>
<code>resorption_between(<i>chiffre</i>, <i>territoire</i>, <i>code</i>, <i>début</i>, <i>fin</i>)</code>
<h4>Arguments</h4><ul>
<li><i>chiffre</i> : %(between)s (sites ouverts à la fin = sites ouverts au début + opened − closed ;
personnes à la fin = au début + population_opened − population_closed + population_variation), ou un
chiffre de <code>resorption_sum</code> : son évolution (à la fin moins au début, sites ouverts) ;</li>
%(territory)s
<li><i>début</i>, <i>fin</i> : %(date)s ; le jour du début est exclu, celui de la fin inclus.</li></ul>
<h4>Exemple</h4><ul>
<li><code>resorption_between('resorbed', 'departement', '93', '2025-12-31', '2026-06-30')</code> → sites
résorbés au premier semestre 2026</li></ul>"""
    figure, kind, code, start, end = _arguments(values, 5)
    name = _figure(figure, model.BETWEEN_NAMES + model.FIGURE_NAMES)
    territory = _territory(kind, code)
    start, end = _instant(start), _instant(end) or model.now_instant()
    if start is None:
        raise ExpressionError("Donnez la date de début")
    key = ("between", name, territory, start, end)
    if name in model.BETWEEN_NAMES:
        low, high = sorted((start, end))
        return _cached(key, lambda store: sums_sql.changes_between(store, low, high, territory).total)[name]
    return _cached(key, lambda store: sums_sql.compare(store, end, start, territory)["total"]["change"])[name]


def resorption_insertion(values, feature, parent):
    """Un chiffre des terrains d'insertion ouverts à une date, sur un territoire.
<h4>Syntaxe</h4>
<code>resorption_insertion(<i>chiffre</i>, <i>territoire</i>, <i>code</i>, <i>date</i>)</code>
<h4>Arguments</h4><ul>
<li><i>chiffre</i> : %(insertion)s (occupancy_rate : personnes accueillies / capacité, sur les terrains
où les deux sont connus, entre 0 et 1) ;</li>
%(territory)s
<li><i>date</i> (facultatif) : %(date)s.</li></ul>
<h4>Exemple</h4><ul>
<li><code>format_number(100 * resorption_insertion('occupancy_rate', 'departement', '93'), 0) || ' %%'</code></li>
</ul>"""
    figure, kind, code, at = _arguments(values, 4)
    key = ("insertion", _figure(figure, model.INSERTION_NAMES), _territory(kind, code), _instant(at))
    return _cached(key, lambda store: sums_sql.insertion_sums(store, key[3], key[2]))[key[1]]


def resorption_label(values, feature, parent):
    """Le libellé en français d'un chiffre de Résorption SIG (pour les légendes et les tableaux).
<h4>Syntaxe</h4>
<code>resorption_label(<i>chiffre</i>)</code>
<h4>Exemple</h4><ul>
<li><code>resorption_label('sites_eu_only_10_plus')</code> → 'Sites de 10 personnes ou plus, origine
européenne seule'</li></ul>"""
    name = _figure(_arguments(values, 1)[0], tuple(model.FIGURES_BY_NAME))
    return model.FIGURES_BY_NAME[name].label


FUNCTIONS = (resorption_sum, resorption_text, resorption_between, resorption_insertion, resorption_label)


def help_text(function) -> str:
    """The function's help, with the lists of figures taken from their declarations."""
    return function.__doc__ % {
        "territory": TERRITORY_HELP, "date": DATE_HELP,
        "figures": ", ".join("%s (%s)" % (f.name, f.label) for f in model.FIGURES),
        "between": ", ".join("%s (%s)" % (f.name, f.label) for f in model.BETWEEN_FIGURES),
        "insertion": ", ".join("%s (%s)" % (f.name, f.label) for f in model.INSERTION_FIGURES),
    } if "%(" in function.__doc__ else function.__doc__


def _guarded(function):
    """Errors become the expression's evaluation error (shown by QGIS), never an exception."""
    def evaluate(values, feature, parent):
        try:
            return function(values, feature, parent)
        except (ExpressionError, model.InvalidDate) as error:
            parent.setEvalErrorString(getattr(error, "message", str(error)))
            return None
    evaluate.__name__ = function.__name__
    return evaluate


def register_functions() -> None:
    """Add the functions to QGIS's expression engine (call from initGui)."""
    from qgis.core import QgsExpression
    from qgis.core.additions.qgsfunction import register_function
    unregister_functions()
    if not _functions:
        # Built once and kept: QGIS holds plain pointers to them, they must outlive every registration.
        for function in FUNCTIONS:
            _functions.append(register_function(
                _guarded(function), -1, GROUP, usesgeometry=False, referenced_columns=[], handlesnull=True,
                helpText=help_text(function), name=function.__name__, register=False))
    for expression_function in _functions:
        if QgsExpression.registerFunction(expression_function):
            _registered.append(expression_function.name())


def unregister_functions() -> None:
    """Remove them (call from unload)."""
    from qgis.core import QgsExpression
    while _registered:
        QgsExpression.unregisterFunction(_registered.pop())
