"""The three-way merge of SYNC.md §4, case by case."""
from plugin.model.merge import (CONFLICT, DELETED, EXISTENCE, KEEP_OURS, MERGED, TAKE_THEIRS,
                                FieldConflict, merge_row)

FIELDS = ("name", "population_total", "geom", "updated_at")
AUTOMATIC = ("updated_at",)
BASE = {"name": "Les Prés", "population_total": 40, "geom": b"\x01\x01\x00\x00\x00A", "updated_at": "2026-01-01"}


def changed(**values):
    row = dict(BASE)
    row.update(values)
    return row


def merge(base, ours, theirs):
    return merge_row(base, ours, theirs, FIELDS, AUTOMATIC)


def test_only_ours_changed_takes_ours():
    result = merge(BASE, changed(name="Les Prés Nord"), BASE)
    assert result.outcome == KEEP_OURS and result.row["name"] == "Les Prés Nord"


def test_only_theirs_changed_takes_theirs():
    result = merge(BASE, BASE, changed(population_total=55))
    assert result.outcome == TAKE_THEIRS and result.row["population_total"] == 55


def test_different_fields_changed_on_both_sides_merge_silently():
    result = merge(BASE, changed(name="Nord"), changed(population_total=55))
    assert result.outcome == MERGED
    assert result.row["name"] == "Nord" and result.row["population_total"] == 55
    assert result.conflicts == []


def test_same_change_on_both_sides_is_no_conflict():
    result = merge(BASE, changed(population_total=55), changed(population_total=55))
    assert result.outcome != CONFLICT and result.row["population_total"] == 55


def test_same_field_to_different_values_is_a_conflict_on_that_field_only():
    result = merge(BASE, changed(population_total=50, name="Nord"), changed(population_total=60))
    assert result.outcome == CONFLICT
    assert result.conflicts == [FieldConflict("population_total", 40, 50, 60)]
    assert result.row["name"] == "Nord" and result.row["population_total"] == 50


def test_geometry_is_one_field_compared_on_its_bytes():
    moved_here, moved_there = b"\x01\x01\x00\x00\x00B", b"\x01\x01\x00\x00\x00C"
    assert merge(BASE, changed(geom=moved_here), changed(geom=moved_here)).outcome != CONFLICT
    result = merge(BASE, changed(geom=moved_here), changed(geom=moved_there))
    assert [c.field for c in result.conflicts] == ["geom"]
    result = merge(BASE, changed(geom=moved_here), changed(name="Sud"))
    assert result.outcome == MERGED and result.row["geom"] == moved_here and result.row["name"] == "Sud"


def test_automatic_stamps_never_conflict_and_keep_the_later_value():
    result = merge(BASE, changed(name="Nord", updated_at="2026-03-01"),
                   changed(population_total=55, updated_at="2026-02-01"))
    assert result.outcome == MERGED and result.row["updated_at"] == "2026-03-01"


def test_update_against_delete_is_a_conflict_both_ways():
    ours_deleted = merge(BASE, None, changed(population_total=55))
    assert ours_deleted.outcome == CONFLICT
    assert ours_deleted.conflicts == [FieldConflict(EXISTENCE, "present", "deleted", "present")]
    theirs_deleted = merge(BASE, changed(population_total=55), None)
    assert theirs_deleted.outcome == CONFLICT
    assert theirs_deleted.conflicts == [FieldConflict(EXISTENCE, "present", "present", "deleted")]


def test_a_delete_against_an_untouched_row_deletes():
    assert merge(BASE, None, BASE).outcome == DELETED
    assert merge(BASE, BASE, None).outcome == DELETED
    # a stamp alone is not an edit
    assert merge(BASE, changed(updated_at="2026-05-01"), None).outcome == DELETED


def test_deleted_on_both_sides_is_no_conflict():
    assert merge(BASE, None, None).outcome == DELETED


def test_new_rows_on_one_side_are_taken():
    assert merge(None, BASE, None).outcome == KEEP_OURS
    assert merge(None, None, BASE).outcome == TAKE_THEIRS


def test_a_row_sent_twice_is_no_conflict_but_different_creations_are():
    assert merge(None, BASE, dict(BASE)).outcome != CONFLICT
    result = merge(None, changed(name="A"), changed(name="B"))
    assert result.outcome == CONFLICT and result.conflicts == [FieldConflict("name", None, "A", "B")]


def test_identical_rows_take_theirs_unchanged():
    result = merge(BASE, BASE, dict(BASE))
    assert result.outcome == TAKE_THEIRS and result.row == BASE
