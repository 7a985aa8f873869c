"""The core indicators a store carries from its creation, and their completion by an upgrade."""
from typing import Iterator, Sequence, Tuple

from ..model import schema
from ..model.rules import quoted


def core_indicator_upgrade(postgres: bool = False) -> Iterator[Tuple[str, Sequence[object]]]:
    """(statement, parameters) completing the core indicators of a store made before version 3:
    English label and kind of those it has, the ones it lacks."""
    mark = "%s" if postgres else "?"
    for row in schema.core_indicator_rows():
        yield ('UPDATE "indicator_definitions" SET "label_en" = {m}, "kind" = {m}, "row_version" = "row_version" + 1, '
               '"updated_by" = \'resorption_sig\' WHERE "code" = {m} AND "scope" = \'core\' AND "label_en" IS NULL'
               .format(m=mark), (row["label_en"], row["kind"], row["code"]))
        names = list(row) + ["created_by", "updated_by"]
        yield ('INSERT INTO "indicator_definitions" (%s) SELECT %s WHERE NOT EXISTS '
               '(SELECT 1 FROM "indicator_definitions" WHERE "code" = %s)' % (
                   ", ".join(quoted(n) for n in names), ", ".join(mark for _ in names), mark),
               [row[n] for n in row] + ["resorption_sig", "resorption_sig", row["code"]])
