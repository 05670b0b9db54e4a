"""Reading saved Jobsuche search responses: both shapes, and every malformed file refused
with problems that name file, line and JSON path."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from doconnect.files.importing import ImportFailed
from doconnect.labourmarket.employers.jobsuche import (
    JobsucheResponse,
    Location,
    combine,
    read_jobsuche,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "ba" / "jobsuche"


def read(name: str, **kwargs: bool) -> JobsucheResponse:
    return read_jobsuche((SAMPLES / name).read_bytes(), file=name, **kwargs)


def problems(name: str) -> list[str]:
    with pytest.raises(ImportFailed) as caught:
        read(name)
    return [str(p) for p in caught.value.problems]


def test_the_documented_v4_shape() -> None:
    response = read_jobsuche((SAMPLES / "v4-dortmund.json").read_bytes(), file="v4.json")
    assert response.shape == "v4" and response.reported_total == 4
    first, second, third, fourth = response.vacancies
    assert first.reference == "10000-1200000001-S"
    assert first.title == "Elektroniker (m/w/d) Energie- und Gebäudetechnik"
    assert first.employer == "Beispiel Elektro GmbH"
    assert first.locations == (
        Location("44137", "Dortmund", "Nordrhein-Westfalen", point=(7.4653, 51.5136)),
    )
    assert first.published_on == dt.date(2026, 11, 2)
    assert first.entry_on == dt.date(2026, 12, 1)
    assert first.modified == "2026-11-02T09:14:33.913"
    assert (first.line, first.path) == (3, "stellenangebote[0]")
    # No titel: the occupation is the title; a numeric postcode is read as text.
    assert second.title == "Fachkraft - Lagerlogistik"
    assert second.locations[0].postcode == "44339"
    assert third.locations[0].place == "Bochum"
    assert fourth.locations == () and fourth.entry_on is None


def test_the_current_v6_shape() -> None:
    response = read_jobsuche((SAMPLES / "v6-dortmund.json").read_bytes(), file="v6.json")
    assert response.shape == "v6" and response.reported_total == 3
    first, second, third = response.vacancies
    assert first.reference == "10001-1300000001-S"
    assert first.title == "Kaufmann/-frau im Einzelhandel (m/w/d)"
    assert first.employer == "Beispiel Handel KG"
    assert first.published_on == dt.date(2026, 11, 18)
    assert first.entry_on == dt.date(2026, 12, 15)
    assert first.modified == "2026-11-19T10:22:00.000"
    assert [loc.postcode for loc in second.locations] == ["45127", "44309"]
    assert third.title == "Koch/Köchin" and third.locations == ()


def test_a_postcode_number_keeps_its_leading_zero() -> None:
    data = b'{"stellenangebote": [{"refnr": "r-1", "beruf": "B", "arbeitsort": {"plz": 1067}}]}'
    (entry,) = read_jobsuche(data, file="x.json").vacancies
    assert entry.locations[0].postcode == "01067"


def test_missing_keys_are_named_with_line_and_path() -> None:
    assert problems("malformed-missing-keys.json") == [
        "malformed-missing-keys.json:3: stellenangebote[0].refnr: is missing",
        "malformed-missing-keys.json:8: stellenangebote[1].beruf: is missing "
        "(neither titel nor beruf gives the vacancy a title)",
    ]


def test_missing_keys_in_the_v6_shape_and_a_reference_given_twice() -> None:
    assert problems("malformed-v6-missing-keys.json") == [
        "malformed-v6-missing-keys.json:3: ergebnisliste[0].referenznummer: is missing",
        "malformed-v6-missing-keys.json:10: ergebnisliste[1].stellenlokationen[0].adresse: "
        "is missing",
        "malformed-v6-missing-keys.json:12: ergebnisliste[2].referenznummer: reference "
        '"10001-1300000010-S" given twice (first at line 7)',
    ]


def test_wrong_types_are_all_reported_at_once() -> None:
    assert problems("malformed-wrong-types.json") == [
        "malformed-wrong-types.json:6: stellenangebote[0].arbeitsort: expected an object, "
        'found a string ("Dortmund")',
        "malformed-wrong-types.json:9: stellenangebote[1].refnr: expected a string, found an "
        'array (["10000-1200000021-S"])',
        "malformed-wrong-types.json:11: stellenangebote[1].arbeitsort.plz: expected a "
        "five-digit postcode, found true",
        "malformed-wrong-types.json:12: stellenangebote[1].aktuelleVeroeffentlichungsdatum: "
        'expected a date as YYYY-MM-DD or milliseconds since 1970, found "02.11.2026"',
        "malformed-wrong-types.json:14: stellenangebote[2]: expected an object, found a "
        'string ("10000-1200000022-S")',
        "malformed-wrong-types.json:16: maxErgebnisse: expected a whole number, found a "
        'string ("drei")',
    ]


def test_an_empty_list_is_refused_from_a_file_but_fine_from_a_live_search() -> None:
    assert problems("malformed-empty-list.json") == [
        "malformed-empty-list.json:2: stellenangebote: is empty: the file holds no vacancies "
        "to import"
    ]
    assert read("malformed-empty-list.json", allow_empty=True).vacancies == ()


def test_neither_shape_and_broken_json() -> None:
    (neither,) = problems("malformed-neither-shape.json")
    assert "neither stellenangebote (v4) nor ergebnisliste (v6) found" in neither
    assert "top-level keys: jobs, maxErgebnisse" in neither
    (broken,) = problems("malformed-truncated.json")
    assert broken.startswith("malformed-truncated.json:4: malformed JSON:")
    with pytest.raises(ImportFailed, match="both stellenangebote"):
        read_jobsuche(b'{"stellenangebote": [], "ergebnisliste": []}', file="x.json")
    with pytest.raises(ImportFailed, match="must be a JSON object"):
        read_jobsuche(b"[1, 2]", file="x.json")


def test_pages_combine_and_a_reference_on_two_pages_counts_once() -> None:
    page = b'{"stellenangebote": [{"refnr": "%s", "beruf": "%s"}]}'
    first = read_jobsuche(page % (b"a", b"Alt"), file="p1")
    second = read_jobsuche(page % (b"a", b"Neu"), file="p2")
    third = read_jobsuche(page % (b"b", b"B"), file="p3")
    combined = combine([first, second, third], file="search")
    assert [(v.reference, v.title) for v in combined.vacancies] == [("a", "Neu"), ("b", "B")]
    v6 = read_jobsuche(
        b'{"ergebnisliste": [{"referenznummer": "c", "hauptberuf": "C"}]}', file="p4"
    )
    with pytest.raises(ImportFailed, match="mix the v4 and v6"):
        combine([first, v6], file="search")
