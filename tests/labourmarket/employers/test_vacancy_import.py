"""Vacancies from the Jobsuche into the database: upsert by reference, districts only
from the city's postcode table, nothing half-written, and the CSV export."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from doconnect.core.models import Organisation
from doconnect.files.importing import ImportFailed
from doconnect.labourmarket.employers.jobsuche import read_jobsuche
from doconnect.labourmarket.employers.models import PostcodeDistrict, Vacancy, VacancySource
from doconnect.labourmarket.employers.services import (
    VACANCY_EXPORT_COLUMNS,
    vacancies_import,
    vacancy_rows_export,
    write_vacancies_csv,
)
from tests.conftest import City

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "ba" / "jobsuche"


def import_sample(name: str) -> dict[str, int]:
    response = read_jobsuche((SAMPLES / name).read_bytes(), file=name)
    return vacancies_import(response=response).counts


@pytest.fixture
def postcodes(city: City) -> City:
    PostcodeDistrict.objects.create(postcode="44339", district=city.district)  # Eving
    PostcodeDistrict.objects.create(postcode="44263", district=city.other_district)  # Hörde
    PostcodeDistrict.objects.create(postcode="44309", district=city.district)
    return city


def districts() -> dict[str, str]:
    return {
        v.reference: v.district.name if v.district else ""
        for v in Vacancy.objects.select_related("district")
    }


@pytest.mark.django_db
def test_v4_vacancies_are_created_with_districts_from_the_postcode_table(
    postcodes: City,
) -> None:
    counts = import_sample("v4-dortmund.json")
    assert counts == {
        "vacancies_created": 4,
        "vacancies_updated": 0,
        "vacancies_unchanged": 0,
        "placed_by_coordinates": 0,
        "placed_by_postcode": 1,
        "not_placed": 3,
    }
    # 44137 is a Dortmund postcode the table does not hold: no district, not a guess.
    assert districts() == {
        "10000-1200000001-S": "",
        "10000-1200000002-S": "Eving",
        "10000-1200000003-S": "",
        "10000-1200000004-S": "",
    }
    vacancy = Vacancy.objects.get(reference="10000-1200000002-S")
    assert vacancy.source == VacancySource.JOBSUCHE
    assert (vacancy.title, vacancy.employer_name) == (
        "Fachkraft - Lagerlogistik",
        "Muster Logistik AG",
    )
    assert (vacancy.postcode, vacancy.place) == ("44339", "Dortmund")
    assert str(vacancy.published_on) == "2026-11-10" and vacancy.entry_on is None
    assert not vacancy.synthetic


@pytest.mark.django_db
def test_v6_vacancies_take_the_first_location_in_the_city(postcodes: City) -> None:
    import_sample("v6-dortmund.json")
    driver = Vacancy.objects.get(reference="10001-1300000002-S")
    assert (driver.postcode, driver.place, driver.district) == (
        "44309",
        "Dortmund",
        postcodes.district,
    )
    assert districts()["10001-1300000001-S"] == ""  # 44135 not in this test's table
    cook = Vacancy.objects.get(reference="10001-1300000003-S")
    assert (cook.postcode, cook.place, cook.district) == ("", "", None)


@pytest.mark.django_db
def test_a_re_import_updates_by_reference_and_leaves_the_others(postcodes: City) -> None:
    import_sample("v4-dortmund.json")
    ids = dict(Vacancy.objects.values_list("reference", "id"))
    counts = import_sample("v4-dortmund-update.json")
    assert counts["vacancies_created"] == 0 and counts["vacancies_updated"] == 1
    vacancy = Vacancy.objects.get(reference="10000-1200000001-S")
    assert vacancy.id == ids["10000-1200000001-S"]
    assert vacancy.title == "Elektroniker (m/w/d) – jetzt auch in Teilzeit"
    assert (vacancy.postcode, vacancy.district) == ("44263", postcodes.other_district)
    assert str(vacancy.entry_on) == "2027-01-15"
    assert Vacancy.objects.count() == 4
    assert import_sample("v4-dortmund-update.json")["vacancies_unchanged"] == 1


@pytest.mark.django_db
def test_the_same_reference_from_another_source_is_another_vacancy(postcodes: City) -> None:
    Vacancy.objects.create(source=VacancySource.MANUAL, reference="10000-1200000001-S", title="X")
    import_sample("v4-dortmund.json")
    assert Vacancy.objects.filter(reference="10000-1200000001-S").count() == 2


@pytest.mark.django_db
def test_the_employer_is_linked_only_by_an_unambiguous_name(postcodes: City) -> None:
    employer = Organisation.objects.create(
        external_id="e-1", name="Muster Logistik AG", kind="employer"
    )
    for n in (2, 3):
        Organisation.objects.create(
            external_id=f"e-{n}", name="Beispiel Elektro GmbH", kind="employer"
        )
    import_sample("v4-dortmund.json")
    assert Vacancy.objects.get(reference="10000-1200000002-S").employer == employer
    assert Vacancy.objects.get(reference="10000-1200000001-S").employer is None


@pytest.mark.django_db
def test_a_malformed_file_writes_nothing(postcodes: City) -> None:
    import_sample("v4-dortmund.json")
    before = list(Vacancy.objects.order_by("id").values())
    for name in ("malformed-missing-keys.json", "malformed-wrong-types.json"):
        with pytest.raises(ImportFailed):
            import_sample(name)
    assert list(Vacancy.objects.order_by("id").values()) == before


@pytest.mark.django_db(transaction=True)
def test_a_failure_while_writing_rolls_everything_back(
    postcodes: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    import_sample("v4-dortmund.json")
    monkeypatch.setattr(Vacancy.objects, "bulk_update", broken)
    # The v6 vacancies are created first, then the update fails: none of them may stay.
    with pytest.raises(RuntimeError):
        import_sample("v6-dortmund.json")
    assert not Vacancy.objects.filter(reference__startswith="10001-").exists()


@pytest.mark.django_db
def test_the_export_has_the_promised_columns_and_an_empty_unknown_district(
    postcodes: City,
) -> None:
    import_sample("v4-dortmund.json")
    out = io.StringIO()
    assert write_vacancies_csv(vacancy_rows_export(), out) == 4
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == VACANCY_EXPORT_COLUMNS
    assert out.getvalue().splitlines()[0] == (
        "reference,title,employer,postcode,place,district,kldb,published,source"
    )
    by_reference = {r["reference"]: r for r in rows}
    assert by_reference["10000-1200000002-S"] == {
        "reference": "10000-1200000002-S",
        "title": "Fachkraft - Lagerlogistik",
        "employer": "Muster Logistik AG",
        "postcode": "44339",
        "place": "Dortmund",
        "district": "Eving",
        "kldb": "",
        "published": "2026-11-10",
        "source": "jobsuche",
    }
    assert by_reference["10000-1200000003-S"]["district"] == ""
    assert by_reference["10000-1200000003-S"]["place"] == "Bochum"
