"""Failures of the databases under a store, told as the user's StoreError rather than a traceback."""
import sqlite3
import sys
from typing import Optional

from ..model.schema import COUNT_MAXIMUM
from .base import StoreError


def translated(error: BaseException) -> Optional[StoreError]:
    """The StoreError saying what `error` means for the user; None for an error no store raises."""
    if isinstance(error, sqlite3.OperationalError) and "readonly" in str(error):
        return StoreError(
            "Le stockage est en lecture seule pour vous (droits du fichier ou de son dossier) : l'écriture "
            "a été annulée, rien n'est perdu. Demandez l'accès en écriture, ou travaillez sur une copie.",
            "The store is read-only for you (permissions of the file or its folder): the write was cancelled, "
            "nothing is lost. Ask for write access, or work on a copy.")
    if isinstance(error, sqlite3.OperationalError) and "integer overflow" in str(error):
        # rows written before the counts were bounded (schema 3): the sum no longer fits in 64 bits
        return StoreError(
            "Le stockage contient des effectifs hors de toute mesure (au-delà de %d) écrits avant que le "
            "plugin ne les borne : leur somme déborde. Corrigez ces lignes (tri décroissant sur les effectifs)."
            % COUNT_MAXIMUM,
            "The store holds counts beyond any measure (above %d) written before the plugin bounded them: "
            "their sum overflows. Correct those rows (sort the counts in descending order)." % COUNT_MAXIMUM)
    psycopg2 = sys.modules.get("psycopg2")
    if psycopg2 is not None and isinstance(error, psycopg2.Error):
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if isinstance(error, psycopg2.errors.InsufficientPrivilege):
            return StoreError(
                "Droits insuffisants sur la base PostgreSQL (%s) : rien n'a été écrit. Demandez à "
                "l'administrateur de la base les droits du rôle des agents." % detail,
                "Insufficient privileges on the PostgreSQL database (%s): nothing was written. Ask the "
                "database administrator for the officers' role." % detail)
        return StoreError("Le serveur PostgreSQL a refusé l'opération : %s" % detail,
                          "The PostgreSQL server refused the operation: %s" % detail)
    return None
