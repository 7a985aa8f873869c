"""The headless command line: `python3 -m plugin COMMAND …` from the repository root.

Each command group lives in plugin/commands/ and registers its sub-commands.
A failure prints a clear message on stderr and exits non-zero.
"""
import argparse
import importlib
import sys
from typing import List, Optional

from .i18n import message
from .store.base import StoreError

COMMAND_MODULES = ("store", "sums", "demo", "sync", "exchange", "report", "access", "anonymise")

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
    try:
        return arguments.run(arguments) or 0
    except StoreError as error:
        print(message(error), file=sys.stderr)
        return EXIT_ERROR
