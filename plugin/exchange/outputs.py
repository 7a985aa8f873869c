"""Files a command writes: never one of its inputs, and written whole or not at all."""
import contextlib
import os
from pathlib import Path
from typing import Iterator

from ..store import is_postgres
from ..store.base import StoreError


def _same_file(first: Path, second: Path) -> bool:
    if first.exists() and second.exists():
        return os.path.samefile(first, second)
    return first.resolve() == second.resolve()


def check_not_an_input(output: str, *inputs: str) -> None:
    """Refuse to write `output` over one of `inputs` (a store, a workbook…): « export S.gpkg S.gpkg »
    would replace the store with the workbook."""
    target = Path(output)
    for source in inputs:
        if source and not is_postgres(source) and _same_file(target, Path(source)):
            raise StoreError(
                "Le fichier à écrire %s est aussi un fichier lu par la commande : choisissez un autre nom. "
                "Rien n'a été écrit." % output,
                "The file to write %s is also a file the command reads: choose another name. "
                "Nothing was written." % output)


@contextlib.contextmanager
def written_whole(output: str) -> Iterator[str]:
    """A temporary path beside `output` (same folder, same extension) to write; renamed to `output`
    when the block succeeds, removed otherwise, so that `output` is never left half-written."""
    target = Path(output)
    temporary = target.with_name(".%s.part%s" % (target.stem, target.suffix))
    try:
        yield str(temporary)
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)
