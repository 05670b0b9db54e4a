"""Reading the catalogue file, without a database: every problem names the file, the
line where its provider or offer starts, and the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from doconnect.files.importing import ImportFailed
from doconnect.offers.catalogue import Catalogue, Vocabulary, offer_to_dict, read_catalogue
from tests.offers.catalogue_files import VALID, line_of

VOCABULARY = Vocabulary(
    kinds=("counselling", "low_threshold", "vocational_preparation", "qualification"),
    statuses=("active", "suspended", "ended"),
    funders=("jobcenter", "city", "esf"),
    destinations=("employment", "apprenticeship"),
    legal_branches=("SGB II", "SGB III"),
)


def read(text: str) -> Catalogue:
    return read_catalogue(text.encode(), file="offers.json", vocabulary=VOCABULARY)


def problems_of(text: str) -> list[str]:
    return [str(p) for p in read(text).problems]


def offer_file(*offers: str) -> str:
    """A catalogue whose n-th offer (0-based) starts on line 3 + n."""
    return '{"providers": [],\n "offers": [\n' + ",\n".join(offers) + "\n]}\n"


GOOD = '{"id": "o-%d", "provider": "p-a", "title": "Kurs", "kind": "counselling"}'


def test_a_valid_catalogue_reads_into_entries_with_the_line_each_starts_on() -> None:
    catalogue = read(VALID)
    assert catalogue.problems == ()
    assert [p.id for p in catalogue.providers] == ["p-eving-1", "p-hoerde-1"]
    first, second, third = catalogue.offers
    assert first.line == line_of(VALID, '{"id": "o-1"')
    assert third.line == line_of(VALID, '{"id": "o-3"')
    assert first.capacity == 12 and first.min_age == 16 and first.max_age == 25
    assert first.start == dt.date(2026, 1, 1) and first.end == dt.date(2026, 12, 31)
    assert first.follow_ons == ("o-2", "o-a", "destination:apprenticeship")
    assert [f.amount_eur for f in first.funding] == [Decimal(120000), Decimal("30000.5")]
    assert second.capacity is None and second.legal_branches == ("SGB II", "SGB III")
    assert second.occupations == ("51311", "51312")  # sorted: their order means nothing
    assert third.occupations == ()  # optional: none given, none qualified for


def test_occupations_are_written_sorted_and_an_offer_without_writes_an_empty_list() -> None:
    _first, second, third = read(VALID).offers
    assert offer_to_dict(second)["occupations"] == ["51311", "51312"]
    assert offer_to_dict(third)["occupations"] == []


def test_only_id_provider_title_and_kind_are_required_and_status_defaults_to_active() -> None:
    (offer,) = read(offer_file(GOOD % 1)).offers
    assert offer.status == "active"
    assert offer.capacity is None and offer.district is None and offer.funding == ()
    assert offer_to_dict(offer)["description"] == ""


def test_the_example_from_the_issue_names_file_line_field_and_both_ids() -> None:
    text = offer_file(
        GOOD % 1, GOOD % 2, '{"id": "o-3", "provider": "p-a", "title": "T", "kind": "nope"}'
    )
    assert problems_of(text) == [
        'offers.json:5: offers[2].kind: unknown kind "nope"; expected one of: '
        "counselling, low_threshold, vocational_preparation, qualification"
    ]


def test_malformed_json_reports_json_s_own_line_and_column() -> None:
    text = '{"providers": [],\n "offers": [\n  {"id": "o-1",, "title": "x"}\n]}'
    with pytest.raises(ImportFailed) as excinfo:
        read(text)
    assert str(excinfo.value) == (
        "offers.json:3: malformed JSON: Expecting property name enclosed in double quotes "
        "(column 16)"
    )


def test_a_top_level_array_is_refused() -> None:
    with pytest.raises(ImportFailed, match=r"offers.json:2: the catalogue must be a JSON object"):
        read('\n[{"id": "o-1"}]')


def test_a_file_that_is_not_utf8_names_the_line_of_the_bad_byte() -> None:
    data = '{"providers": [],\n "offers": [\n{"title": "Bürger"}]}'.encode("latin-1")
    with pytest.raises(ImportFailed, match=r"offers.json:3: not valid UTF-8 \(byte 0xfc"):
        read_catalogue(data, file="offers.json", vocabulary=VOCABULARY)


def test_a_byte_order_mark_is_accepted() -> None:
    data = b"\xef\xbb\xbf" + offer_file(GOOD % 1).encode()
    assert len(read_catalogue(data, file="x.json", vocabulary=VOCABULARY).offers) == 1


def test_missing_required_fields_are_each_named() -> None:
    assert problems_of(offer_file('{"id": "o-1", "title": null}')) == [
        "offers.json:3: offers[0].provider: is missing",
        "offers.json:3: offers[0].title: must not be null",
        "offers.json:3: offers[0].kind: is missing",
    ]


def test_a_capacity_written_as_a_word_is_a_type_error() -> None:
    text = offer_file(GOOD % 1, GOOD[:-1] % 2 + ', "capacity": "twelve"}')
    assert problems_of(text) == [
        'offers.json:4: offers[1].capacity: expected a whole number, found a string ("twelve")'
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('"capacity": -1', "offers[0].capacity: must not be negative, found -1"),
        ('"capacity": 2.5', "offers[0].capacity: expected a whole number, found 2.5"),
        ('"min_age": true', "offers[0].min_age: expected a whole number, found true/false"),
        ('"status": "paused"', 'offers[0].status: unknown status "paused"'),
        ('"legal_branches": ["SGB XII"]', "offers[0].legal_branches[0]: unknown legal branch"),
        ('"target_groups": "youth"', "offers[0].target_groups: expected an array, found a str"),
        ('"target_groups": ["a b"]', 'offers[0].target_groups[0]: target group code "a b"'),
        ('"follow_ons": ["o-2", "o-2"]', 'offers[0].follow_ons[1]: follow-on "o-2" is listed twi'),
        ('"follow_ons": ["o-1"]', 'offers[0].follow_ons[0]: offer "o-1" cannot be its own'),
        ('"description": 5', "offers[0].description: expected a string, found a number (5)"),
        ('"id2": 1', "offers[0].id2: unknown field; expected one of: id, provider, title"),
        ('"kind": "counselling"', "offers[0].kind: given twice in the same object"),
        ('"occupations": "51312"', "offers[0].occupations: expected an array, found a str"),
        ('"occupations": [51312]', "offers[0].occupations[0]: expected a string, found a num"),
        ('"occupations": ["5131"]', "offers[0].occupations[0]: KldB code '5131': has 4 digits"),
        ('"occupations": ["5131x"]', "offers[0].occupations[0]: KldB code '5131x': only the"),
        ('"occupations": ["51315"]', "offers[0].occupations[0]: KldB code '51315': the fifth"),
        (
            '"occupations": ["51312", "51312"]',
            'offers[0].occupations[1]: occupation "51312" is listed twice',
        ),
    ],
)
def test_a_wrong_value_is_reported_with_its_field(extra: str, message: str) -> None:
    (problem,) = problems_of(offer_file(GOOD[:-1] % 1 + ", " + extra + "}"))
    assert problem.startswith("offers.json:3: " + message)


def test_an_empty_title_is_refused() -> None:
    assert problems_of(offer_file(GOOD.replace('"Kurs"', '" "') % 1)) == [
        "offers.json:3: offers[0].title: must not be empty"
    ]


def test_a_bad_date_is_reported_and_only_yyyy_mm_dd_counts_as_a_date() -> None:
    text = offer_file(
        GOOD[:-1] % 1 + ', "start": "01.01.2026"}',
        GOOD[:-1] % 2 + ', "end": "20261231"}',
        GOOD[:-1] % 3 + ', "start": "2026-02-30"}',
    )
    assert problems_of(text) == [
        'offers.json:3: offers[0].start: expected a date as YYYY-MM-DD, found "01.01.2026"',
        'offers.json:4: offers[1].end: expected a date as YYYY-MM-DD, found "20261231"',
        'offers.json:5: offers[2].start: expected a date as YYYY-MM-DD, found "2026-02-30"',
    ]


def test_an_offer_ending_before_it_starts_is_refused() -> None:
    text = offer_file(GOOD[:-1] % 1 + ', "start": "2026-06-01", "end": "2026-05-31"}')
    assert problems_of(text) == [
        "offers.json:3: offers[0].end: 2026-05-31 is before start 2026-06-01"
    ]


def test_a_funding_line_ending_before_it_starts_is_refused() -> None:
    funding = (
        '"funding": [{"funder": "esf", "amount_eur": 1,'
        ' "start": "2026-01-01", "end": "2026-12-31"},'
        '\n {"funder": "city", "amount_eur": 5, "start": "2026-06-01", "end": "2026-01-31"}]'
    )
    text = offer_file(GOOD % 1, GOOD[:-1] % 2 + ", " + funding + "}")
    assert problems_of(text) == [
        "offers.json:4: offers[1].funding[1].end: 2026-01-31 is before start 2026-06-01"
    ]


def test_funding_needs_a_known_funder_a_non_negative_amount_in_cents_and_dates() -> None:
    funding = (
        '"funding": [{"funder": "bank", "amount_eur": -5},'
        ' {"funder": "city", "amount_eur": 1.005, "start": "2026-01-01", "end": "2026-01-02"}]'
    )
    assert problems_of(offer_file(GOOD[:-1] % 1 + ", " + funding + "}")) == [
        'offers.json:3: offers[0].funding[0].funder: unknown funder "bank"; expected one of: '
        "jobcenter, city, esf",
        "offers.json:3: offers[0].funding[0].amount_eur: must not be negative, found -5",
        "offers.json:3: offers[0].funding[0].start: is missing",
        "offers.json:3: offers[0].funding[0].end: is missing",
        "offers.json:3: offers[0].funding[1].amount_eur: 1.005 has more than two decimal "
        "places (cents)",
    ]


def test_min_age_above_max_age_is_refused() -> None:
    text = offer_file(GOOD[:-1] % 1 + ', "min_age": 30, "max_age": 18}')
    assert problems_of(text) == ["offers.json:3: offers[0].max_age: 18 is below min_age 30"]


def test_an_unknown_destination_names_the_offer_and_the_destination() -> None:
    text = offer_file(GOOD[:-1] % 1 + ', "follow_ons": ["destination:moon"]}')
    (problem,) = problems_of(text)
    assert problem.startswith(
        'offers.json:3: offers[0].follow_ons[0]: unknown destination "moon" (follow-on of "o-1")'
    )


def test_a_duplicate_offer_id_names_the_line_of_the_first() -> None:
    text = offer_file(GOOD % 1, GOOD % 2, GOOD % 1)
    assert problems_of(text) == [
        'offers.json:5: offers[2].id: duplicate offer id "o-1" (first at line 3)'
    ]


def test_a_duplicate_provider_id_names_the_line_of_the_first() -> None:
    text = (
        '{"providers": [\n'
        '  {"id": "p-1", "name": "Eins"},\n'
        '  {"id": "p-2", "name": "Zwei"},\n'
        '  {"id": "p-1", "name": "Eins nochmal"}\n'
        '], "offers": []}'
    )
    assert problems_of(text) == [
        'offers.json:4: providers[2].id: duplicate provider id "p-1" (first at line 2)'
    ]


def test_an_entry_with_problems_is_kept_with_what_could_be_read() -> None:
    # So the service can still report the names in it that the database does not know.
    catalogue = read(offer_file(GOOD % 1, '{"id": "o-2", "provider": "p-a", "district": "X"}'))
    assert [o.id for o in catalogue.offers] == ["o-1", "o-2"]
    assert catalogue.offers[1].district == "X" and catalogue.offers[1].title == ""
    assert catalogue.declared_offer_ids == {"o-1", "o-2"}
    assert len(catalogue.problems) == 2  # title and kind missing


def test_the_line_is_where_the_object_starts_even_when_the_bad_field_is_lines_below() -> None:
    text = VALID.replace('"capacity": null', '"capacity": "viele"')
    (problem,) = read(text).problems
    assert problem.line == line_of(VALID, '{"id": "o-2"')
    assert problem.field == "offers[1].capacity"


def test_top_level_problems_name_the_member() -> None:
    text = '{"providers": {},\n "offer": [],\n "offers": 3}'
    assert problems_of(text) == [
        "offers.json:2: offer: unknown top-level field; expected: providers, offers",
        "offers.json:1: providers: expected an array of providers, found an object",
        "offers.json:3: offers: expected an array of offers, found a number",
    ]


def test_a_decimal_in_the_wrong_place_is_shown_as_the_number_it_is() -> None:
    (problem,) = problems_of(offer_file(GOOD[:-1] % 1 + ', "description": 5.5}'))
    assert problem == (
        "offers.json:3: offers[0].description: expected a string, found a number (5.5)"
    )


def test_nan_and_infinity_are_refused_where_a_number_is_read() -> None:
    funding = (
        '"funding": [{"funder": "city", "amount_eur": NaN,'
        ' "start": "2026-01-01", "end": "2026-01-02"}]'
    )
    text = offer_file(GOOD[:-1] % 1 + ', "capacity": Infinity, ' + funding + "}")
    assert problems_of(text) == [
        "offers.json:3: offers[0].capacity: expected a whole number, found NaN/Infinity, "
        "which JSON does not allow (Infinity)",
        "offers.json:3: offers[0].funding[0].amount_eur: expected a number, found NaN/Infinity, "
        "which JSON does not allow (NaN)",
    ]
