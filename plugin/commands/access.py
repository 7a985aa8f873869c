"""access SHARED grant|revoke|list: the access rights of a shared PostGIS store."""
import getpass
import json

from ..i18n import pick
from ..model import access
from ..store import is_postgres
from ..store.base import StoreError


def register(commands) -> None:
    parser = commands.add_parser("access", help=pick("droits d'accès d'un stockage partagé PostGIS",
                                                     "access rights of a shared PostGIS store"))
    parser.add_argument("shared", help=pick("stockage partagé : postgresql://…, service=… ou qgis:NOM",
                                            "shared store: postgresql://…, service=… or qgis:NAME"))
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    grant = actions.add_parser("grant", help=pick("donner des droits à un login", "give rights to a login"))
    grant.add_argument("login")
    grant.add_argument("--role", required=True, choices=access.ROLES)
    grant.add_argument("--departement", action="append", default=[], metavar="CODE",
                       help=pick("département (répétable)", "département (repeatable)"))
    grant.add_argument("--region", metavar="CODE", help=pick("tous les départements d'une région (code INSEE, "
                                                             "11 = Île-de-France)",
                                                             "every département of a région (INSEE code, "
                                                             "11 = Île-de-France)"))
    grant.add_argument("--national", action="store_true", help=pick("tout le territoire", "the whole country"))
    grant.add_argument("--justice", action="store_true",
                       help=pick("lit les champs de procédure et l'identité du propriétaire",
                                 "reads the procedure fields and the owner's identity"))
    grant.add_argument("--organisation", metavar="UUID",
                       help=pick("structure de l'opérateur (uuid)", "the operator's organisation (uuid)"))
    grant.add_argument("--create-login", action="store_true",
                       help=pick("créer le login PostgreSQL ; le mot de passe est demandé au clavier",
                                 "create the PostgreSQL login; the password is asked at the keyboard"))
    grant.set_defaults(run=run_grant)

    revoke = actions.add_parser("revoke", help=pick("retirer tous les droits d'un login",
                                                    "take every right of a login"))
    revoke.add_argument("login")
    revoke.set_defaults(run=run_revoke)

    listing = actions.add_parser("list", help=pick("lister les droits", "list the rights"))
    listing.add_argument("--json", action="store_true", help=pick("sortie JSON", "JSON output"))
    listing.set_defaults(run=run_list)


def _shared(arguments) -> str:
    if not is_postgres(arguments.shared):
        raise StoreError(
            "Les droits d'accès n'existent que sur un stockage partagé PostGIS : un GeoPackage partagé ne protège "
            "rien, quiconque ouvre le fichier lit tout.",
            "Access rights exist only on a shared PostGIS store: a shared GeoPackage protects nothing, whoever "
            "opens the file reads it all.")
    return arguments.shared


def _password(login: str) -> str:
    password = getpass.getpass(pick("Mot de passe du nouveau login %s : ", "Password of the new login %s: ") % login)
    if password != getpass.getpass(pick("Le même mot de passe, à nouveau : ", "The same password again: ")):
        raise StoreError("Les deux mots de passe diffèrent : rien n'a été créé.",
                         "The two passwords differ: nothing was created.")
    if not password:
        raise StoreError("Mot de passe vide : rien n'a été créé.", "Empty password: nothing was created.")
    return password


def run_grant(arguments) -> int:
    from ..store import access_rights
    location = _shared(arguments)
    if arguments.role == access.OPERATOR and not arguments.organisation:
        raise StoreError("Un opérateur écrit les indicateurs des dispositifs de sa structure : indiquez-la "
                         "(--organisation UUID).",
                         "An operator writes the indicators of its organisation's programmes: give it "
                         "(--organisation UUID).")
    departements = access_rights.territories(arguments.departement, arguments.region, arguments.national)
    password = _password(arguments.login) if arguments.create_login else None
    access_rights.grant(location, access_rights.Grant(
        arguments.login, arguments.role, departements, arguments.national, arguments.region, arguments.justice,
        arguments.organisation), password)
    where = pick("national", "national") if arguments.national else ", ".join(departements)
    print(pick("Droits donnés à %s : %s sur %s%s", "Rights given to %s: %s on %s%s") % (
        arguments.login, arguments.role, where, pick(", procédures et propriétaire lisibles",
                                                     ", procedures and owner readable")
        if arguments.justice or arguments.role == access.ADMIN else ""))
    return 0


def run_revoke(arguments) -> int:
    from ..store import access_rights
    if not access_rights.revoke(_shared(arguments), arguments.login):
        print(pick("%s n'avait aucun droit sur ce stockage.", "%s had no right on this store.") % arguments.login)
        return 0
    print(pick("Droits retirés à %s.", "Rights taken from %s.") % arguments.login)
    return 0


def run_list(arguments) -> int:
    from ..store import access_rights
    grants = access_rights.rights(_shared(arguments))
    if arguments.json:
        print(json.dumps(grants, ensure_ascii=False, indent=2))
        return 0
    for grant in grants:
        print("%-20s %-9s %-8s %s%s" % (grant["login"], grant["role"], "justice" if grant["justice"] else "",
                                        "national" if grant["national"] else ",".join(grant["departements"]),
                                        "" if grant["login_exists"] else pick(" (login absent)", " (no such login)")))
    return 0
