"""`doconnect import organisations` and `doconnect import users`: a city's
organisations and staff from CSV, all or nothing, idempotent, every problem as
FILE:LINE: field: message."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from doconnect.core.models import District, Membership, Organisation
from doconnect.labourmarket.employers.models import PostcodeDistrict

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
ORGANISATIONS = "id,name,kind,district,wz_code\n"
USERS = "username,given_name,family_name,email,organisation,role\n"


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def run(kind: str, path: Path) -> str:
    out = _Out()
    call_command("import", kind, str(path), stdout=out)
    return out.text


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot() -> tuple[list[tuple[object, ...]], ...]:
    return (
        list(
            Organisation.objects.values_list("external_id", "name", "kind", "district", "wz_code")
        ),
        list(User.objects.values_list("username", "first_name", "last_name", "email", "password")),
        list(Membership.objects.values_list("user__username", "organisation__external_id", "role")),
    )


def refused(kind: str, path: Path) -> str:
    before = snapshot()
    with pytest.raises(CommandError) as excinfo:
        run(kind, path)
    assert snapshot() == before
    return str(excinfo.value).replace(f"{path.parent}/", "")


@pytest.fixture
def districts(db: None) -> None:
    """The example city's districts and postcode table."""
    call_command(
        "import",
        "districts",
        str(EXAMPLES / "districts.geojson"),
        "--name-property",
        "bezeichnung",
        "--key-property",
        "nummer",
        stdout=_Out(),
    )
    call_command("import", "postcodes", str(EXAMPLES / "postcodes.csv"), stdout=_Out())


def district_of(external_id: str) -> str | None:
    district = Organisation.objects.get(external_id=external_id).district
    return district.name if district else None


# --- organisations --------------------------------------------------------------------


def test_organisations_are_placed_by_name_coordinates_or_postcode_never_guessed(
    districts: None,
) -> None:
    out = run("organisations", EXAMPLES / "organisations.csv")
    assert (
        "organisations created: 7, organisations updated: 0, organisations unchanged: 0, "
        "placed by coordinates: 1, placed by postcode: 1, district named in file: 4, "
        "not placed: 1"
    ) in out
    assert district_of("stadt") == "Mitte"
    assert district_of("lernwerk") == "Süd"  # by official key
    assert district_of("muster-metall") == "Ost"  # 51.5216, 7.4579 lies in Ost
    assert district_of("pflege-mitte") == "Mitte"  # postcode 12301
    assert district_of("agentur") is None  # neither: no district rather than a guess
    assert Organisation.objects.get(external_id="muster-metall").wz_code == "25.62"


def test_organisations_again_change_nothing_and_a_changed_line_updates(
    districts: None, tmp_path: Path
) -> None:
    run("organisations", EXAMPLES / "organisations.csv")
    again = run("organisations", EXAMPLES / "organisations.csv")
    assert "organisations created: 0, organisations updated: 0, organisations unchanged: 7" in (
        again
    )
    changed = write(
        tmp_path,
        "orgs.csv",
        ORGANISATIONS + "werkhof,Werkhof Nord gGmbH,provider,Ost,85.59\n",
    )
    assert "organisations updated: 1" in run("organisations", changed)
    assert district_of("werkhof") == "Ost"
    assert Organisation.objects.count() == 7


def test_bad_organisation_lines_are_named_and_nothing_is_written(
    districts: None, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "orgs.csv",
        ORGANISATIONS
        + "jc,Jobcenter,jobcenter,Mitte,\n"
        + "jc,Jobcenter doppelt,jobcenter,,\n"
        + "a b,Träger,träger,Atlantis,\n",
    )
    message = refused("organisations", path)
    assert 'orgs.csv:3: id: "jc" given twice (first at line 2)' in message
    assert 'orgs.csv:4: id: "a b": only letters, digits, - and _ (no spaces)' in message
    assert 'orgs.csv:4: kind: unknown kind "träger"; one of: city, jobcenter' in message
    # Districts are checked against the database once the file itself is right.
    assert "Atlantis" not in message


def test_an_unknown_district_lists_the_known_ones(districts: None, tmp_path: Path) -> None:
    path = write(tmp_path, "orgs.csv", ORGANISATIONS + "jc,Jobcenter,jobcenter,Atlantis,\n")
    message = refused("organisations", path)
    assert (
        'orgs.csv:2: district: unknown district "Atlantis" (a name or official key); '
        "known: Mitte, Nord, Ost, Süd"
    ) in message


def test_on_an_empty_database_the_district_error_says_what_to_import_first(
    db: None, tmp_path: Path
) -> None:
    path = write(tmp_path, "orgs.csv", ORGANISATIONS + "jc,Jobcenter,jobcenter,Mitte,\n")
    assert "known: none yet — import the districts first" in refused("organisations", path)


def test_coordinates_need_both_halves_and_a_place_on_earth(db: None, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "orgs.csv",
        "id,name,kind,district,wz_code,lat,lon\na,A,employer,,,51.5,\nb,B,employer,,,151.5,7.4\n",
    )
    message = refused("organisations", path)
    assert "orgs.csv:2: lon: give both lat and lon, or neither" in message
    assert "orgs.csv:3: lat: latitude 151.5 is outside -90..90" in message


# --- users ----------------------------------------------------------------------------


def test_users_are_created_without_a_usable_password_in_their_role(districts: None) -> None:
    run("organisations", EXAMPLES / "organisations.csv")
    out = run("users", EXAMPLES / "users.csv")
    assert "users created: 4, users updated: 0, users unchanged: 0" in out
    felix = User.objects.get(username="fallberatung")
    assert (felix.first_name, felix.last_name) == ("Felix", "Fallberater")
    assert felix.email == "felix.fallberater@jobcenter-musterstadt.example"
    assert not felix.has_usable_password()
    assert list(felix.memberships.values_list("organisation__external_id", "role")) == [
        ("jobcenter", "case_worker")
    ]
    again = run("users", EXAMPLES / "users.csv")
    assert "users created: 0, users updated: 0, users unchanged: 4" in again


def test_a_user_who_moves_keeps_no_access_to_the_old_organisation(
    districts: None, tmp_path: Path
) -> None:
    run("organisations", EXAMPLES / "organisations.csv")
    run("users", EXAMPLES / "users.csv")
    moved = write(
        tmp_path,
        "users.csv",
        USERS + "FallBeratung,Felix,Fallberater,felix@werkhof.example,werkhof,provider_staff\n",
    )
    out = run("users", moved)
    assert "users created: 0, users updated: 1, users unchanged: 0" in out
    felix = User.objects.get(username="fallberatung")  # matched in any case
    assert felix.email == "felix@werkhof.example"
    assert list(felix.memberships.values_list("organisation__external_id", "role")) == [
        ("werkhof", "provider_staff")
    ]


def test_a_user_with_a_password_keeps_it(districts: None, tmp_path: Path) -> None:
    run("organisations", EXAMPLES / "organisations.csv")
    User.objects.create_user("analyse", password="a-long-enough-password-1")
    run("users", EXAMPLES / "users.csv")
    assert User.objects.get(username="analyse").check_password("a-long-enough-password-1")


def test_bad_user_lines_are_named_and_nothing_is_written(districts: None, tmp_path: Path) -> None:
    run("organisations", EXAMPLES / "organisations.csv")
    run("users", EXAMPLES / "users.csv")
    path = write(
        tmp_path,
        "users.csv",
        USERS
        + "neu,Nina,Neu,nina@example.org,stadt,coordinator\n"
        + "NEU,Nina,Neu,,stadt,coordinator\n"
        + "mit leer,Max,,,stadt,boss\n",
    )
    message = refused("users", path)
    assert 'users.csv:3: username: "NEU" given twice (first at line 2)' in message
    assert 'users.csv:4: username: "mit leer": only letters, digits and @ . + - _' in message
    assert "users.csv:4: family_name: is empty" in message
    assert 'users.csv:4: role: unknown role "boss"; one of: coordinator, case_worker' in message
    assert not User.objects.filter(username="neu").exists()


def test_an_unknown_organisation_or_a_bad_address_is_refused(
    districts: None, tmp_path: Path
) -> None:
    run("organisations", EXAMPLES / "organisations.csv")
    path = write(
        tmp_path,
        "users.csv",
        USERS
        + "neu,Nina,Neu,nina@example.org,atlantis,coordinator\n"
        + "alt,Alf,Alt,alf(at)example.org,stadt,analyst\n",
    )
    message = refused("users", path)
    assert 'users.csv:2: organisation: no organisation with the id "atlantis"' in message
    assert 'users.csv:3: email: "alf(at)example.org" is not an e-mail address' in message


def test_the_postcode_table_is_only_a_fallback(districts: None, tmp_path: Path) -> None:
    # 12301 is Mitte in the table, but the coordinates lie in Ost: the boundary wins.
    path = write(
        tmp_path,
        "orgs.csv",
        "id,name,kind,district,wz_code,postcode,lat,lon\n"
        "b,Betrieb,employer,,,12301,51.5216,7.4579\n",
    )
    assert "placed by coordinates: 1" in run("organisations", path)
    assert district_of("b") == "Ost"
    assert PostcodeDistrict.objects.get(postcode="12301").district == District.objects.get(
        name="Mitte"
    )
