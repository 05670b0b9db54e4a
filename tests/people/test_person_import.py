"""Importing persons from another organisation's system: `doconnect import persons FILE
--as USERNAME`, all or nothing, idempotent by the delivering organisation and the
record's id there, possible duplicates queued for the coordinators."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from doconnect.cli import main
from doconnect.core.models import AuditAction, AuditEvent, Membership, Role, TargetGroup
from doconnect.files.importing import latest_date
from doconnect.people.models import (
    Consent,
    DuplicateCandidate,
    MergedPerson,
    Person,
    PersonalDetails,
    match_key_of,
)
from doconnect.people.person_import import PERSON_COLUMNS
from doconnect.people.services import consent_withdraw
from tests.conftest import City, make_person

HEADER = ",".join(PERSON_COLUMNS)
# Two persons as the Jobcenter's system delivers them; consents from 1 November 2026
# (the tests' today is 23 November 2026).
ANNA = (
    "JC-1,Anna,Schmidt,2004-05-17,female,44339,Bayrische Str. 12,Eving,SGB II,"
    "hauptschule,none,youth_difficult_start care_leavers,counselling,jc city,2026-11-01,"
)
BEN = (
    "JC-2,Ben,Öztürk,1999-02-03,male,44137,,05913008,SGB III,abitur,apprenticeship,,"
    "placement,jc,2026-11-01,2027-10-31"
)

pytestmark = pytest.mark.usefixtures("fixed_today")


def csv_file(tmp_path: Path, *lines: str, name: str = "persons.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_persons(path: Path, *options: str, user: str = "case_worker") -> str:
    out = io.StringIO()
    call_command("import", "persons", str(path), "--as", user, *options, stdout=out)
    return out.getvalue().strip()


def imported_json(path: Path, user: str = "case_worker") -> dict[str, object]:
    answer: dict[str, object] = json.loads(import_persons(path, "--format", "json", user=user))
    return answer


def refused(path: Path, user: str = "case_worker") -> list[str]:
    """Import, expect the file refused with nothing written; the problem lines, the
    folder cut off."""
    before = (
        Person.objects.count(),
        Consent.objects.count(),
        TargetGroup.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(CommandError) as excinfo:
        import_persons(path, user=user)
    after = (
        Person.objects.count(),
        Consent.objects.count(),
        TargetGroup.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before
    first, *problems = str(excinfo.value).replace(f"{path.parent}/", "").splitlines()
    assert first.startswith(f"{path.name}: nothing imported")
    return problems


def test_a_good_file_registers_each_person_with_details_target_groups_and_first_consent(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, HEADER, ANNA, BEN)

    summary = import_persons(path)

    assert summary.startswith(f"{path}: imported (created: 2, updated: 0, unchanged: 0")
    anna = Person.objects.get(source_organisation=city.jobcenter, source_id="JC-1")
    assert (anna.gender, anna.birth_year, anna.district, anna.legal_branch) == (
        "female",
        2004,
        city.district,
        "SGB II",
    )
    assert sorted(anna.target_groups.values_list("code", flat=True)) == [
        "care_leavers",
        "youth_difficult_start",
    ]
    # An unknown target group is added to the city's list, labelled with its code.
    assert TargetGroup.objects.get(code="care_leavers").label == "care_leavers"
    details = PersonalDetails.objects.get(person=anna)
    assert (details.given_name, details.street, details.postcode) == (
        "Anna",
        "Bayrische Str. 12",
        "44339",
    )
    assert details.match_key == match_key_of("Anna", "Schmidt", dt.date(2004, 5, 17))
    consent = Consent.objects.get(person=anna)
    assert consent.valid_until is None
    assert consent.recorded_by == case_worker
    assert sorted(consent.organisations.values_list("external_id", flat=True)) == ["city", "jc"]
    ben = Person.objects.get(source_id="JC-2")
    assert ben.district == city.other_district  # by its official key
    assert PersonalDetails.objects.get(person=ben).family_name == "Öztürk"
    assert Consent.objects.get(person=ben).valid_until == dt.date(2027, 10, 31)
    events = AuditEvent.objects.filter(action=AuditAction.CHANGE, view="cli:import persons")
    assert sorted(events.values_list("person_public_id", flat=True)) == sorted(
        [anna.public_id, ben.public_id]
    )
    assert {e.actor_username for e in events} == {"case_worker"}


def test_importing_the_same_file_again_changes_nothing(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, HEADER, ANNA, BEN)
    import_persons(path)
    audited = AuditEvent.objects.count()

    assert imported_json(path) == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "possible_duplicates": [],
    }
    assert Person.objects.count() == 2
    assert Consent.objects.count() == 2
    assert AuditEvent.objects.count() == audited


def test_a_changed_line_updates_the_person_and_the_end_of_the_same_consent(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    import_persons(csv_file(tmp_path, HEADER, ANNA, BEN))
    moved = ANNA.replace("Bayrische Str. 12,Eving", "Hörder Str. 3,Hörde").replace(
        "2026-11-01,", "2026-11-01,2027-12-31"
    )

    answer = imported_json(csv_file(tmp_path, HEADER, moved, BEN, name="second.csv"))

    assert answer == {"created": 0, "updated": 1, "unchanged": 1, "possible_duplicates": []}
    anna = Person.objects.get(source_id="JC-1")
    assert anna.district == city.other_district
    details = PersonalDetails.objects.get(person=anna)
    assert (details.street, details.address_district) == ("Hörder Str. 3", city.other_district)
    # The same consent (purpose, organisations, start) with a new end: not a second one.
    assert list(Consent.objects.filter(person=anna).values_list("valid_until", flat=True)) == [
        dt.date(2027, 12, 31)
    ]
    change = AuditEvent.objects.filter(person_public_id=anna.public_id).first()
    assert change is not None
    assert change.fields == ["address_district_id", "consents", "district_id", "street"]


def test_a_line_with_another_consent_records_it_beside_the_first(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    import_persons(csv_file(tmp_path, HEADER, ANNA))
    renewed = ANNA.replace("counselling,jc city,2026-11-01", "placement,jc,2026-11-15")

    assert imported_json(csv_file(tmp_path, HEADER, renewed, name="second.csv"))["updated"] == 1

    anna = Person.objects.get(source_id="JC-1")
    assert sorted(c.purposes for c in Consent.objects.filter(person=anna)) == [
        ["counselling"],
        ["placement"],
    ]


def test_one_consent_may_be_given_for_several_purposes_separated_by_spaces(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    both = ANNA.replace(",counselling,", ",placement counselling,")
    import_persons(csv_file(tmp_path, HEADER, both))
    (consent,) = Consent.objects.filter(person__source_id="JC-1")
    assert consent.purposes == ["counselling", "placement"]  # the vocabulary's order

    # The same line again is the same consent: nothing changes.
    assert imported_json(csv_file(tmp_path, HEADER, both, name="again.csv"))["unchanged"] == 1
    assert Consent.objects.filter(person__source_id="JC-1").count() == 1


def test_a_bad_file_is_refused_whole_with_every_problem_by_line_and_field(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    path = csv_file(
        tmp_path,
        HEADER,
        ANNA,
        BEN.replace("1999-02-03", "1999-02-30"),
        "JC-3,Cem,Kaya,2001-07-01,male,,,Nordstadt,SGB II,,,,counselling,jc nowhere,2026-11-01,",
        "JC-1,Dora,Klein,2003-03-03,female,,,,,,,,counselling,jc,2026-11-01,",
        "JC-5,SCHMIDT,anna,17.05.2004,female,,,,,,,,counselling,jc,2026-11-01,",
        "JC-6,Emil,,2000-01-01,other,4413,,,SGB IX,,,,advice,jc,2026-12-01,2026-11-30",
        "JC-7,Fritz,Gast,2000-01-01,male,,,,,,,,counselling,p-a,2026-11-01,",
    )

    assert refused(path) == [
        "persons.csv:3: birth_date: expected a date as YYYY-MM-DD (or DD.MM.YYYY), "
        'found "1999-02-30"',
        'persons.csv:4: district: unknown district "Nordstadt" (give its official key or name)',
        'persons.csv:4: consent_organisations: unknown organisation "nowhere"',
        'persons.csv:5: source_id: "JC-1" is in both line 2 and line 5; each person once per file',
        "persons.csv:6: given_name: SCHMIDT anna, born 2004-05-17, is in both line 2 "
        '(source_id "JC-1") and line 6 (source_id "JC-5"); each person once per file',
        "persons.csv:7: family_name: is required",
        'persons.csv:7: gender: unknown value "other"; expected one of: "female", "male", '
        '"diverse", "unspecified" (or empty)',
        'persons.csv:7: postcode: expected five digits or empty, found "4413"',
        'persons.csv:7: legal_branch: unknown value "SGB IX"; expected one of: "SGB II", '
        '"SGB III", "none" (or empty)',
        'persons.csv:7: consent_purpose: unknown purpose "advice"; expected one or more of: '
        '"counselling", "placement", "case_conference", "monitoring"',
        "persons.csv:7: consent_valid_until: 2026-11-30 is before consent_valid_from 2026-12-01",
        "persons.csv:8: consent_organisations: a case worker records only consents that "
        "include their own organisation (jc)",
    ]
    assert not TargetGroup.objects.filter(code="care_leavers").exists()


def test_a_file_with_a_wrong_header_is_refused_naming_the_columns(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    header = HEADER.replace("given_name", "first_name").replace(",consent_valid_until", "")

    assert refused(csv_file(tmp_path, header, ANNA)) == [
        "persons.csv:1: header: missing column(s): given_name, consent_valid_until; "
        f"unexpected column(s): 'first_name' (expected: {HEADER})"
    ]


def test_a_semicolon_file_with_a_byte_order_mark_and_german_dates_imports(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    # What Excel with German settings saves as "CSV UTF-8".
    line = "JC-9;Lena;Weiß;03.04.2005;female;;;Eving;;;;;counselling;jc;01.11.2026;"
    path = tmp_path / "excel.csv"
    path.write_bytes(("\ufeff" + HEADER.replace(",", ";") + "\r\n" + line + "\r\n").encode())

    assert imported_json(path)["created"] == 1
    assert PersonalDetails.objects.get(family_name="Weiß").birth_date == dt.date(2005, 4, 3)


def _workbook(tmp_path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(PERSON_COLUMNS))
    for row in rows:
        sheet.append(row)
    path = tmp_path / "persons.xlsx"
    book.save(path)
    return path


def _xlsx_row(source_id: str, birth: object, postcode: object) -> list[object]:
    return [
        source_id,
        "Mia",
        "Wagner",
        birth,
        "female",
        postcode,
        "Am Markt 1",
        "Eving",
        "SGB II",
        "",
        "",
        "youth_difficult_start",
        "counselling",
        "jc",
        dt.datetime(2026, 11, 1),
        None,
    ]


def test_an_xlsx_workbook_imports_with_date_and_number_cells(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    path = _workbook(tmp_path, [_xlsx_row("JC-20", dt.datetime(2006, 9, 8), 44339)])

    assert imported_json(path) == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "possible_duplicates": [],
    }
    details = PersonalDetails.objects.get(person__source_id="JC-20")
    assert (details.birth_date, details.postcode) == (dt.date(2006, 9, 8), "44339")
    # Again: nothing changes.
    assert imported_json(path)["unchanged"] == 1


def test_a_bad_xlsx_workbook_is_refused_by_row_number(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    path = _workbook(
        tmp_path,
        [_xlsx_row("JC-21", dt.datetime(2006, 9, 8), 44339), _xlsx_row("JC-22", "gestern", "4413")],
    )

    assert refused(path) == [
        "persons.xlsx:3: birth_date: expected a date as YYYY-MM-DD (or DD.MM.YYYY), "
        'found "gestern"',
        'persons.xlsx:3: postcode: expected five digits or empty, found "4413"',
    ]


def test_a_file_over_the_limit_is_refused_before_its_rows_are_checked(
    city: City, case_worker: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("doconnect.people.person_import.MAX_PERSON_ROWS", 1)
    problems = refused(csv_file(tmp_path, HEADER, ANNA, BEN))
    assert problems == [
        "persons.csv:3: more than 1 persons in one file; split it into several files"
    ]


def test_a_huge_workbook_is_refused_before_its_rows_are_read(
    city: City, case_worker: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = _xlsx_row("JC-23", dt.datetime(2006, 9, 8), 44339)
    path = _workbook(tmp_path, [row, [*row[:1], "Lea", *row[2:]]])
    monkeypatch.setattr("doconnect.people.person_import.MAX_PERSON_ROWS", 1)
    assert refused(path) == [
        "persons.xlsx:3: more than 1 persons in one file; split it into several files"
    ]
    monkeypatch.setattr("doconnect.people.person_import.MAX_XLSX_UNPACKED_BYTES", 1000)
    (problem,) = refused(path)
    assert problem.startswith("persons.xlsx:1: the workbook unpacks to ")
    assert problem.endswith("MB; save only the persons sheet")


def test_a_possible_duplicate_of_a_person_on_file_is_imported_queued_and_named_by_line_only(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    # Alex Beispiel, born 17 May 2004, consented to provider A only: the Jobcenter's
    # case worker may not see the record at all.
    known = make_person(city, consent_orgs=[city.provider_a])
    typo = "JC-30,Alex,Beispeil,2004-05-17,female,,,,,,,,counselling,jc,2026-11-01,"

    answer = imported_json(csv_file(tmp_path, HEADER, ANNA, typo))

    assert answer == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "possible_duplicates": [{"line": 3}],
    }
    new = Person.objects.get(source_id="JC-30")
    pair = DuplicateCandidate.objects.get()
    assert (pair.first, pair.second, pair.status) == (known, new, "open")
    assert (pair.found_in, pair.found_by, pair.shown_to_finder) == (
        "cli:import persons",
        case_worker,
        False,
    )
    text = import_persons(csv_file(tmp_path, HEADER, typo, name="again.csv"))
    assert known.public_id not in text  # the output never names the other person


def test_a_near_duplicate_within_the_file_is_queued_too(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    near = "JC-31,Anna,Schmitt,2004-05-17,female,,,,,,,,counselling,jc,2026-11-01,"

    assert imported_json(csv_file(tmp_path, HEADER, ANNA, near))["possible_duplicates"] == [
        {"line": 3}
    ]
    pair = DuplicateCandidate.objects.get()
    assert (pair.first.source_id, pair.second.source_id) == ("JC-1", "JC-31")


def test_the_text_summary_lists_the_lines_queued_as_possible_duplicates(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    # Anna Schmidt, born 17 May 2004, is on file already; line 3 is a near copy of line 2.
    make_person(city, given_name="Anna", family_name="Schmidt")
    near = "JC-31,Anna,Schmitt,2004-05-17,female,,,,,,,,counselling,jc,2026-11-01,"
    summary = import_persons(csv_file(tmp_path, HEADER, ANNA, near))
    assert summary.splitlines()[-1] == (
        "possible duplicates, queued for the coordinators' review: lines 2, 3"
    )


@pytest.mark.parametrize("user", ["provider_staff", "analyst", "platform_admin"])
def test_a_user_who_may_not_register_persons_is_refused_and_nothing_is_written(
    city: City,
    provider_staff: User,
    analyst: User,
    platform_admin: User,
    tmp_path: Path,
    user: str,
) -> None:
    with pytest.raises(CommandError, match="Nur Koordination und Fallberatung nehmen Personen auf"):
        import_persons(csv_file(tmp_path, HEADER, ANNA), user=user)
    assert not Person.objects.exists()


def test_the_import_needs_an_active_user_given_with_as(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, HEADER, ANNA)
    with pytest.raises(CommandError, match="give --as USERNAME"):
        call_command("import", "persons", str(path), stdout=io.StringIO())
    case_worker.is_active = False
    case_worker.save()
    with pytest.raises(CommandError, match="no active user 'case_worker'"):
        import_persons(path)
    assert not Person.objects.exists()


def test_a_coordinator_imports_for_the_city(city: City, coordinator: User, tmp_path: Path) -> None:
    line = "S-1,Nora,Berg,1990-10-10,female,,,,,,,,case_conference,jc p-a,2026-11-01,"
    assert imported_json(csv_file(tmp_path, HEADER, line), user="coordinator")["created"] == 1
    assert Person.objects.get(source_id="S-1").source_organisation == city.city


def test_a_user_registering_in_two_organisations_is_asked_to_import_as_one(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    Membership.objects.create(user=case_worker, organisation=city.city, role=Role.COORDINATOR)
    with pytest.raises(CommandError, match=r"mehreren Organisationen Personen auf \(city, jc\)"):
        import_persons(csv_file(tmp_path, HEADER, ANNA))
    assert not Person.objects.exists()


def test_a_new_persons_first_consent_must_hold_today(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    later = ANNA.replace("2026-11-01,", "2026-12-01,")
    ended = BEN.replace("2026-11-01,2027-10-31", "2025-01-01,2025-12-31")
    assert refused(csv_file(tmp_path, HEADER, later, ended)) == [
        "persons.csv:2: consent_valid_from: a new person's first consent must hold today "
        "(2026-11-23); this one runs 2026-12-01 to withdrawal",
        "persons.csv:3: consent_valid_until: a new person's first consent must hold today "
        "(2026-11-23); this one runs 2025-01-01 to 2025-12-31",
    ]


def test_a_person_no_longer_open_to_the_importer_is_not_changed_by_a_line(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    import_persons(csv_file(tmp_path, HEADER, ANNA, BEN))
    for consent in Consent.objects.filter(person__source_id="JC-1"):
        consent_withdraw(consent=consent, at=dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC))
    moved = ANNA.replace("Bayrische Str. 12", "Hörder Str. 3")

    # The unchanged line is fine; the changed one may not change a closed file.
    assert imported_json(csv_file(tmp_path, HEADER, ANNA, name="same.csv"))["unchanged"] == 1
    assert refused(csv_file(tmp_path, HEADER, moved, BEN, name="moved.csv")) == [
        'moved.csv:2: source_id: the person delivered before as "JC-1" is no longer open to '
        "jc (no valid consent covers it); a line that changes them needs a new consent that "
        "holds today"
    ]
    # With a new consent the person agreed to, the line goes through.
    renewed = moved.replace("2026-11-01,", "2026-11-20,")
    answer = imported_json(csv_file(tmp_path, HEADER, renewed, name="renewed.csv"))
    assert answer["updated"] == 1
    assert PersonalDetails.objects.get(person__source_id="JC-1").street == "Hörder Str. 3"


def test_a_record_merged_since_is_found_by_its_source_id(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    import_persons(csv_file(tmp_path, HEADER, ANNA))
    kept = make_person(
        city, given_name="Anna", family_name="Schmidt", consent_orgs=[city.jobcenter]
    )
    merged = Person.objects.get(source_id="JC-1")
    MergedPerson.objects.create(
        public_id=merged.public_id,
        merged_into=kept,
        source_organisation=city.jobcenter,
        source_id="JC-1",
    )
    merged.delete()

    answer = imported_json(csv_file(tmp_path, HEADER, ANNA, name="again.csv"))

    assert (answer["created"], answer["updated"]) == (0, 1)
    assert Person.objects.count() == 1
    assert PersonalDetails.objects.get(person=kept).street == "Bayrische Str. 12"


# The command line closes the database connections when it finishes, as Django's
# command runner does, so this test runs outside the usual test transaction.
@pytest.mark.django_db(transaction=True)
def test_a_refused_file_exits_with_1_and_lists_its_problems_on_stderr(
    city: City, case_worker: User, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = csv_file(tmp_path, HEADER, ANNA.replace("2004-05-17", "17/05/2004"))
    with pytest.raises(SystemExit) as exited:
        main(["import", "persons", str(path), "--as", "case_worker", "--format", "json"])
    assert exited.value.code == 1
    _out, err = capsys.readouterr()
    assert f"{path}: nothing imported, 1 problem:" in err
    assert f"{path}:2: birth_date: expected a date as YYYY-MM-DD (or DD.MM.YYYY)" in err
    assert not Person.objects.exists()


def test_the_help_lists_the_columns_with_an_example_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    out = capsys.readouterr().out
    assert f"  {HEADER}\n" in out
    assert "JC-100234,Anna,Schmidt,2004-05-17,female,44339" in out
    assert "doconnect import persons jobcenter-2026-11.csv --as fallberatung" in out


def test_consent_dates_outside_the_plausible_window_are_refused_by_line_and_field(
    city: City, case_worker: User, tmp_path: Path
) -> None:
    path = csv_file(
        tmp_path,
        HEADER,
        ANNA.replace(",2026-11-01,", ",0001-11-01,"),
        BEN.replace("2027-10-31", "9999-12-31"),
    )

    latest = latest_date()
    assert refused(path) == [
        "persons.csv:2: consent_valid_from: 0001-11-01 is outside the plausible dates "
        f"1900-01-01 to {latest}",
        "persons.csv:3: consent_valid_until: 9999-12-31 is outside the plausible dates "
        f"1900-01-01 to {latest}",
    ]
