"""`doconnect pathways`: dead ends on the database or a catalogue file, and next steps
for a person read through the access rules."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from doconnect.core.models import AuditEvent
from doconnect.offers.models import FollowOn, Offer
from tests.conftest import City, make_person
from tests.offers.catalogue_files import VALID, line_of, write


def pathways(*args: str) -> str:
    out = io.StringIO()
    call_command("pathways", *args, stdout=out)
    return out.getvalue()


def dead_ends_json(*args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(pathways("dead-ends", "--format", "json", *args))
    return data


def test_dead_ends_of_a_catalogue_file_with_the_database_are_listed_sorted_without_importing(
    city: City, tmp_path: Path
) -> None:
    # o-1 → o-2 → employment and o-1 → o-a (a stored offer, itself a dead end), so o-2
    # is o-1's single bridge; o-3 has no follow-on; o-b is stored without follow-ons.
    text = VALID.replace('["o-2", "o-a", "destination:apprenticeship"]', '["o-2", "o-a"]')
    path = write(tmp_path, text)
    data = dead_ends_json("--catalogue", str(path), "--with-database")
    assert {"dead_ends", "gaps", "single_bridges"} <= set(data)
    assert [d["offer"] for d in data["dead_ends"]] == ["o-3", "o-a", "o-b"]
    assert all(set(d) >= {"offer", "reason"} for d in data["dead_ends"])
    assert data["dead_ends"][0]["reason"] == "no follow-on at all"
    assert {b["offer"] for b in data["single_bridges"]} == {"o-2"}
    assert data["source"] == str(path)
    assert not Offer.objects.filter(external_id__in=["o-1", "o-2", "o-3"]).exists()


def test_dead_ends_of_the_database_in_text_and_json(city: City) -> None:
    FollowOn.objects.create(from_offer=city.offer_a, to_offer=city.offer_b)
    FollowOn.objects.create(from_offer=city.offer_b, to_offer=city.offer_a)
    data = dead_ends_json()
    assert [d["offer"] for d in data["dead_ends"]] == ["o-a", "o-b"]
    assert "cycle" in data["dead_ends"][0]["reason"]
    text = pathways("dead-ends")
    assert "Dead ends / Sackgassen: 2" in text
    assert "o-a: follow-ons only lead in a cycle" in text
    assert "Gaps / Lücken" in text


def test_a_bad_catalogue_file_with_the_database_lists_its_problems_like_the_import(
    city: City, tmp_path: Path
) -> None:
    text = VALID.replace('"kind": "counselling"', '"kind": "cooking"').replace(
        '"follow_ons": ["destination:employment"]', '"follow_ons": ["o-nowhere"]'
    )
    path = write(tmp_path, text)
    with pytest.raises(CommandError) as excinfo:
        pathways("dead-ends", "--catalogue", str(path), "--with-database")
    message = str(excinfo.value)
    assert message.startswith(f"{path}: not analysed, 2 problems:\n")
    with pytest.raises(CommandError) as imported:
        call_command("import", "offers", str(path), stdout=io.StringIO())
    listing = str(imported.value).split("\n", 1)[1]
    assert message.split("\n", 1)[1] == listing
    assert "offers[2].kind" in listing
    o_2 = line_of(text, '"id": "o-2"')
    assert f'{path}:{o_2}: offers[1].follow_ons[0]: unknown offer "o-nowhere"' in listing


def test_a_missing_catalogue_file_is_a_clear_error(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        pathways("dead-ends", "--catalogue", str(tmp_path / "missing.json"))


def test_next_steps_are_refused_without_a_user_to_read_as(city: City) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    with pytest.raises(CommandError, match="give --as USERNAME"):
        pathways("next-steps", person.public_id)
    assert not AuditEvent.objects.exists()


def test_a_case_worker_without_consent_gets_not_found(city: City, case_worker: User) -> None:
    person = make_person(city)
    with pytest.raises(CommandError) as excinfo:
        pathways("next-steps", person.public_id, "--as", "case_worker")
    assert str(excinfo.value) == f"person {person.public_id} not found"
    with pytest.raises(CommandError) as unknown:
        pathways("next-steps", "P-00000000", "--as", "case_worker")
    assert str(unknown.value) == "person P-00000000 not found"
    assert not AuditEvent.objects.exists()


def test_an_unknown_user_is_refused(city: City) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    with pytest.raises(CommandError, match="no active user 'nobody'"):
        pathways("next-steps", person.public_id, "--as", "nobody")


def test_a_case_worker_with_consent_gets_ranked_next_steps_and_the_read_is_audited(
    city: City, case_worker: User
) -> None:
    FollowOn.objects.create(from_offer=city.offer_a, to_offer=city.offer_b)
    FollowOn.objects.create(from_offer=city.offer_b, destination="employment")
    person = make_person(city, consent_orgs=[city.jobcenter])
    data = json.loads(
        pathways(
            "next-steps",
            person.public_id,
            "--as",
            "case_worker",
            "--format",
            "json",
            "--goal",
            "employment",
        )
    )
    assert data["person"] == person.public_id
    # Both lead to employment: o-a in the person's district (2 steps) before o-b in
    # Hörde, not a neighbour of Eving (1 step): proximity comes before steps.
    assert [s["offer"] for s in data["steps"]] == ["o-a", "o-b"]
    assert data["steps"][1]["factors"][0] == {
        "factor": "goal",
        "text": "leads to employment in 1 step",
    }
    assert data["order"][0].startswith("leads to the goal")
    event = AuditEvent.objects.get()
    assert (event.person_public_id, event.actor_username) == (person.public_id, "case_worker")
    assert event.view == "cli:pathways next-steps"
    assert "given_name" not in event.fields

    text = pathways("next-steps", person.public_id, "--as", "case_worker", "--why-not")
    assert "1. o-a Werkstatt A" in text
    assert "leads to employment in 2 steps" in text
    assert "in the person's district Eving" in text


def test_the_doconnect_front_door_lists_the_pathways_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "doconnect", "--help"], capture_output=True, text=True, check=True
    )
    assert "pathways" in result.stdout
