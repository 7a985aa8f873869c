"""Pure domain logic: the schema, vocabularies, rules, validation, sums, merge. No Qt, no QGIS."""
