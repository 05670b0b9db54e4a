import pytest

from doconnect.labourmarket.engine import kldb
from doconnect.labourmarket.engine.kldb import KldbError


def test_a_code_has_five_levels_and_a_skill_level() -> None:
    levels = kldb.levels("26123")

    assert (levels.berufsbereich, levels.berufshauptgruppe, levels.berufsgruppe) == (
        "2",
        "26",
        "261",
    )
    assert (levels.berufsuntergruppe, levels.berufsgattung) == ("2612", "26123")
    assert (levels.skill_level, levels.skill_name) == (3, "spezialist")
    assert kldb.at_level("01104", 2) == "01"


@pytest.mark.parametrize(
    ("a", "b", "occupation", "step", "total"),
    [
        ("26123", "26123", 0, 0, 0),  # the same code
        ("26122", "26123", 0, 1, 1),  # same Berufsuntergruppe, one skill level up
        ("26113", "26123", 1, 0, 1),  # same Berufsgruppe, same level
        ("26212", "26123", 2, 1, 3),  # same Berufshauptgruppe, one level up
        ("25104", "26122", 3, -2, 5),  # same Berufsbereich, two levels down
        ("51312", "26124", 4, 2, 6),  # nothing shared
    ],
)
def test_hierarchy_distance_counts_levels_apart_plus_the_skill_step(
    a, b, occupation, step, total
) -> None:
    d = kldb.distance(a, b)

    assert (d.occupation, d.skill_step, d.total) == (occupation, step, total)


def test_the_distance_names_the_finest_shared_level() -> None:
    assert kldb.distance("26113", "26123").shared_level == "berufsgruppe"
    assert kldb.distance("51312", "26123").shared_level is None


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("2612", "expected 5"),
        ("26125", "skill level"),
        ("2612a", "only the digits"),
        (26123, "string"),
        ("261230", "expected 5"),
    ],
)
def test_invalid_codes_are_refused_with_a_clear_message(code, message) -> None:
    with pytest.raises(KldbError, match=message):
        kldb.validate(code)


def test_shorter_codes_are_valid_where_any_level_is_allowed() -> None:
    assert kldb.validate("261", None) == "261"
    with pytest.raises(KldbError, match="too short"):
        kldb.at_level("26", 3)
