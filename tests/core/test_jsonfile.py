"""The one JSON reader of the importers (core.jsonfile), without a database: every value
knows its line and path, and every problem names file, line, path and what is wrong."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from doconnect.files.importing import ImportFailed
from doconnect.files.jsonfile import Fields, Node, Problems, found, json_type, read_json, shown

NESTED = b"""\
{
  "offers": [
    {"id": "o-1"},
    {
      "id": "o-2",
      "funding": [
        {"amount": 12.5},
        {
          "amount": 7
        }
      ]
    }
  ],
  "stellenangebote": [{"arbeitsort": {"plz": "44135"}}]
}
"""


def fields_of(
    text: str, *, decimals: bool = False, lenient: bool = False
) -> tuple[Fields, Problems]:
    problems = Problems("f.json")
    root = read_json(text.encode(), file="f.json", decimals=decimals)
    return Fields(root, problems, lenient=lenient), problems


def messages(problems: Problems) -> list[str]:
    return [str(p) for p in problems.found]


def test_nested_values_know_their_line_and_path() -> None:
    root = read_json(NESTED, file="f.json")
    offers = root.members["offers"]
    assert (offers.line, offers.path) == (2, "offers")
    first, second = offers.items
    assert (first.line, first.path) == (3, "offers[0]")
    assert (second.line, second.path) == (4, "offers[1]")
    assert [(m.line, m.path) for m in second.members.values()] == [
        (5, "offers[1].id"),
        (6, "offers[1].funding"),
    ]
    funding = second.members["funding"]
    assert [(f.line, f.path) for f in funding.items] == [
        (7, "offers[1].funding[0]"),
        (8, "offers[1].funding[1]"),
    ]
    amount = funding.items[1].member("amount")
    assert amount is not None
    assert (amount.value, amount.line, amount.path) == (7, 9, "offers[1].funding[1].amount")
    plz = root.members["stellenangebote"].items[0].members["arbeitsort"].members["plz"]
    assert (plz.value, plz.line, plz.path) == ("44135", 14, "stellenangebote[0].arbeitsort.plz")
    assert root.value["offers"][1]["funding"][0]["amount"] == 12.5


def test_a_scalar_at_the_top_and_a_leading_byte_order_mark() -> None:
    node = read_json(b"\xef\xbb\xbf\n\n  42\n", file="f.json")
    assert (node.value, node.line, node.path) == (42, 3, "")
    assert node.members == {} and node.items == [] and node.member("x") is None


def test_problems_name_the_line_of_the_value_and_its_path() -> None:
    root = read_json(NESTED, file="f.json")
    problems = Problems("f.json")
    (second,) = [f for f in Fields(root, problems).objects("offers") if f.has("funding")]
    last = second.objects("funding")[1]
    last.text("amount")
    assert messages(problems) == [
        "f.json:9: offers[1].funding[1].amount: expected a string, found a number (7)"
    ]


def test_with_a_record_line_every_problem_is_on_it() -> None:
    root = read_json(NESTED, file="f.json")
    problems = Problems("f.json")
    second = root.members["offers"].items[1]
    fields = Fields(second, problems, line=second.line)
    fields.objects("funding")[1].text("amount")
    fields.boolean("id")
    assert messages(problems) == [
        "f.json:4: offers[1].funding[1].amount: expected a string, found a number (7)",
        'f.json:4: offers[1].id: expected true or false, found a string ("o-2")',
    ]


def test_a_key_given_twice_is_refused_with_the_line_of_the_repetition() -> None:
    fields, problems = fields_of('{\n"a": 1,\n"b": 2,\n"a": 3\n}')
    assert fields.node.duplicate_keys == [("a", 4)]
    assert fields.integer("a") == 3  # json's own reading: the last one
    assert list(fields.node.members) == ["a", "b"]
    fields.check_keys(("a", "b"))
    assert messages(problems) == ["f.json:4: a: given twice in the same object"]


def test_unknown_keys_are_named_with_the_allowed_ones() -> None:
    fields, problems = fields_of('{"a": 1,\n "c": 2}')
    fields.check_keys(("a", "b"))
    assert messages(problems) == ["f.json:2: c: unknown field; expected one of: a, b"]


def test_decimal_mode_reads_decimals_and_refuses_nan_where_a_number_is_read() -> None:
    fields, problems = fields_of('{"a": 0.1, "n": NaN, "i": Infinity}', decimals=True)
    assert fields.number("a") == Decimal("0.1") and isinstance(fields.node.value["a"], Decimal)
    assert fields.number("n") is None
    assert fields.integer("i") is None
    assert messages(problems) == [
        "f.json:1: n: expected a number, found NaN/Infinity, which JSON does not allow (NaN)",
        "f.json:1: i: expected a whole number, found NaN/Infinity, which JSON does not allow "
        "(Infinity)",
    ]


def test_float_mode_reads_floats_and_refuses_nan_too() -> None:
    fields, problems = fields_of('{"a": 0.5, "n": NaN}')
    assert fields.number("a") == 0.5 and isinstance(fields.node.value["a"], float)
    assert fields.number("n") is None
    assert messages(problems) == [
        "f.json:1: n: expected a number, found NaN/Infinity, which JSON does not allow (NaN)"
    ]


@pytest.mark.parametrize(
    ("read", "value", "message"),
    [
        ("text", "5", "expected a string, found a number (5)"),
        ("text", "[1]", "expected a string, found an array ([1])"),
        ("integer", '"12"', 'expected a whole number, found a string ("12")'),
        ("integer", "2.5", "expected a whole number, found 2.5"),
        ("integer", "-1", "must not be negative, found -1"),
        ("integer", "true", "expected a whole number, found true/false (true)"),
        ("number", '"1"', 'expected a number, found a string ("1")'),
        ("boolean", "1", "expected true or false, found a number (1)"),
        ("date", '"01.02.2026"', 'expected a date as YYYY-MM-DD, found "01.02.2026"'),
        ("date", "1767225600000", "expected a date as YYYY-MM-DD, found 1767225600000"),
        ("obj", '"x"', 'expected an object, found a string ("x")'),
        ("array", "{}", "expected an array, found an object ({})"),
    ],
)
def test_a_wrong_type_is_named_with_what_was_found(read: str, value: str, message: str) -> None:
    fields, problems = fields_of('{"v": ' + value + "}")
    getattr(fields, read)("v")
    assert messages(problems) == [f"f.json:1: v: {message}"]


def test_missing_and_null_are_problems_only_where_required() -> None:
    fields, problems = fields_of('{"a": null}')
    assert fields.text("a") == "" and fields.integer("b") is None and fields.array("b") == []
    assert fields.optional_text("a") is None
    assert fields.text("a", required=True) == "" and fields.date("b", required=True) is None
    assert messages(problems) == ["f.json:1: a: must not be null", "f.json:1: b: is missing"]


def test_the_typed_readers_return_the_values() -> None:
    fields, problems = fields_of(
        '{"t": "x", "i": 3, "w": 4.0, "b": false, "d": "2026-02-01",'
        ' "o": {"k": 1}, "l": [{"k": 2}, 3]}'
    )
    assert fields.text("t", required=True, max_length=1) == "x"
    assert fields.integer("i", maximum=3) == 3 and fields.integer("w") == 4
    assert fields.boolean("b") is False
    assert fields.date("d") == dt.date(2026, 2, 1)
    inner = fields.obj("o")
    assert inner is not None and inner.integer("k") == 1
    assert [f.integer("k") for f in fields.objects("l")] == [2]
    assert messages(problems) == ["f.json:1: l[1]: expected an object, found a number (3)"]


def test_limits_and_an_end_before_the_start() -> None:
    fields, problems = fields_of(
        '{"t": "abc", "e": " ", "i": 9, "start": "2026-02-01", "end": "2026-01-31"}'
    )
    fields.text("t", max_length=2)
    fields.text("e", required=True)
    fields.integer("i", maximum=5, what="age")
    fields.period()
    assert messages(problems) == [
        "f.json:1: t: longer than 2 characters",
        "f.json:1: e: must not be empty",
        "f.json:1: i: age 9 is larger than 5",
        "f.json:1: end: 2026-01-31 is before start 2026-02-01",
    ]


def test_lenient_reading_takes_what_the_ba_sends() -> None:
    fields, problems = fields_of(
        '{"id": 190000020, "n": " 12 ", "t": " Koch ", "d": "2026-11-02T08:00:00",'
        ' "ms": 1767225600000, "bad": "morgen"}',
        lenient=True,
    )
    assert fields.text("id") == "190000020" and fields.text("t") == "Koch"
    assert fields.integer("n") == 12
    assert fields.date("d") == dt.date(2026, 11, 2)
    assert fields.date("ms") == dt.date(2026, 1, 1)  # midnight in Germany
    assert fields.date("bad") is None
    assert messages(problems) == [
        'f.json:1: bad: expected a date as YYYY-MM-DD or milliseconds since 1970, found "morgen"'
    ]


def test_malformed_json_and_bad_bytes_stop_at_once() -> None:
    with pytest.raises(ImportFailed) as broken:
        read_json(b'{\n  "a": 1,\n  "b": \n}', file="f.json")
    assert str(broken.value).startswith("f.json:4: malformed JSON: Expecting value")
    with pytest.raises(ImportFailed) as encoding:
        read_json(b'{\n"a": "\xff"}', file="f.json")
    assert str(encoding.value).startswith("f.json:2: not valid UTF-8")


def test_values_in_messages() -> None:
    assert [json_type(v) for v in (None, True, 1, Decimal("1.5"), "x", [], {})] == [
        "null",
        "true/false",
        "a number",
        "a number",
        "a string",
        "an array",
        "an object",
    ]
    assert shown("ä" * 50) == '"' + "ä" * 36 + "…"
    assert shown(Decimal("30000.5")) == "30000.5"
    assert found(None) == "null" and found("x") == 'a string ("x")'


def test_a_node_shows_its_value_line_and_path() -> None:
    assert repr(Node(1, 2, "a.b")) == "Node(1, line=2, path='a.b')"
