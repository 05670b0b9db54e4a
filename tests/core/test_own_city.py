"""A city of its own: on a freshly migrated database, the commands of the README's
"Your own city" — read from the README itself, so it shows what works — set up the
example city from `docs/examples/`, and everything lands where it belongs."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core import mail

from doconnect.cli import main
from doconnect.core.models import District, Membership, Organisation
from doconnect.labourmarket.employers.models import PostcodeDistrict, Vacancy
from doconnect.offers.models import Offer
from doconnect.people.models import Person

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[list[str]]:
    """The `doconnect import …` lines of the README's "Your own city" block, as typed."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Your own city", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None, "the section shows its commands in a sh block"
    lines = [line.strip() for line in block.group(1).splitlines()]
    assert "doconnect migrate" in lines and "doconnect serve" in lines
    return [shlex.split(line)[1:] for line in lines if line.startswith("doconnect import ")]


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    try:
        main(argv)
    except SystemExit as exc:  # a refused file: show why
        _, err = capsys.readouterr()
        raise AssertionError(f"doconnect {shlex.join(argv)} exited {exc.code}: {err}") from exc
    out, _ = capsys.readouterr()
    return out


@pytest.fixture
def in_repository() -> Iterator[None]:
    """The README's paths are relative to the repository."""
    before = os.getcwd()
    os.chdir(ROOT)
    yield
    os.chdir(before)


def district_name(district: District | None) -> str | None:
    return district.name if district else None


# The commands close the database connections when they finish, as Django's command
# runner does, so this runs outside the usual test transaction.
@pytest.mark.django_db(transaction=True)
def test_the_readme_s_commands_set_up_the_example_city_from_an_empty_database(
    capsys: pytest.CaptureFixture[str], in_repository: None
) -> None:
    assert District.objects.count() == Organisation.objects.count() == User.objects.count() == 0
    commands = readme_commands()
    assert [c[1] for c in commands] == [
        "districts",
        "postcodes",
        "organisations",
        "users",
        "offers",
        "jobsuche",
        "persons",
    ]
    out = {c[1]: run(capsys, c) for c in commands}

    # The districts, with boundaries the maps draw and the imports place by.
    assert list(District.objects.values_list("official_key", "name")) == [
        ("01", "Mitte"),
        ("02", "Nord"),
        ("03", "Ost"),
        ("04", "Süd"),
    ]
    assert all(d.boundary for d in District.objects.all())
    assert PostcodeDistrict.objects.count() == 4

    # Organisations: named, by coordinates, by postcode, or none.
    assert "placed by coordinates: 1, placed by postcode: 1" in out["organisations"]
    placed = {o.external_id: district_name(o.district) for o in Organisation.objects.all()}
    assert placed == {
        "stadt": "Mitte",
        "jobcenter": "Mitte",
        "agentur": None,
        "werkhof": "Nord",
        "lernwerk": "Süd",
        "muster-metall": "Ost",
        "pflege-mitte": "Mitte",
    }

    # Staff in their roles, without passwords, each invited by mail.
    assert sorted(
        Membership.objects.values_list("user__username", "organisation__external_id", "role")
    ) == [
        ("analyse", "stadt", "analyst"),
        ("fallberatung", "jobcenter", "case_worker"),
        ("koordination", "stadt", "coordinator"),
        ("traeger", "werkhof", "provider_staff"),
    ]
    assert not any(u.has_usable_password() for u in User.objects.all())
    assert "password mails sent: 4" in out["users"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        User.objects.values_list("email", flat=True)
    )

    # The catalogue: three offers in the districts the file names.
    assert sorted(Offer.objects.values_list("external_id", "district__name")) == [
        ("beratung-mitte", "Mitte"),
        ("berufsvorbereitung-sued", "Süd"),
        ("werkstatt-nord", "Nord"),
    ]

    # BA vacancies: one by its coordinates, one by its postcode, one outside the city.
    assert "placed by coordinates: 1, placed by postcode: 1, not placed: 1" in out["jobsuche"]
    vacancies = {v.reference: district_name(v.district) for v in Vacancy.objects.all()}
    assert vacancies == {
        "10000-1900000001-S": "Ost",
        "10000-1900000002-S": "Mitte",
        "10000-1900000003-S": None,
    }
    assert Vacancy.objects.get(reference="10000-1900000001-S").employer is not None

    # Persons from the Jobcenter, registered on behalf of its case worker.
    assert Person.objects.count() == 2
    assert sorted(Person.objects.values_list("district__name", flat=True)) == ["Nord", "Süd"]

    # The same files again change nothing.
    mail.outbox.clear()
    again = {c[1]: run(capsys, c) for c in commands}
    assert (
        "districts created: 0, districts updated: 0, districts unchanged: 4" in again["districts"]
    )
    assert "organisations created: 0, organisations updated: 0" in again["organisations"]
    assert "users created: 0, users updated: 0, users unchanged: 4" in again["users"]
    assert (
        "vacancies created: 0, vacancies updated: 0, vacancies unchanged: 3" in (again["jobsuche"])
    )
    assert "created: 0, updated: 0, unchanged: 2" in again["persons"]
    assert mail.outbox == []  # nobody new, nobody invited twice
