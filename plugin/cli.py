"""The headless command line: `python3 -m plugin COMMAND …` from the repository root.

Each command group lives in plugin/commands/ and registers its sub-commands.
A failure prints a clear message on stderr and exits non-zero.
"""
import argparse
import importlib
import sys
from typing import List, Optional

from .i18n import message
from .store import is_postgres
from .store.base import StoreError
from .store.errors import translated

COMMAND_MODULES = ("store", "sums", "demo", "sync", "exchange", "report", "dispositifs", "access",
                   "anonymise", "services")

EXIT_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python3 -m plugin",
        description="Résorption SIG en ligne de commande / Résorption SIG command line")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(".commands." + name, __package__).register(commands)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    arguments = build_parser().parse_args(argv)
    from .layers import pg_connections
    pg_connections.register()
    try:
        return arguments.run(arguments) or 0
    except Exception as error:  # a store's own failures become its message, any other stays a bug
        told = error if isinstance(error, StoreError) else translated(error)
        if told is None:
            raise
        print(without_passwords(message(told), sys.argv[1:] if argv is None else argv), file=sys.stderr)
        return EXIT_ERROR


def without_passwords(text: str, argv: List[str]) -> str:
    """Whatever a message says, no password given on the command line is printed."""
    from .store.postgis import without_passwords as scrubbed
    for argument in argv:
        if is_postgres(argument):
            text = scrubbed(text, argument)
    return text
