"""The duplicate check when registering a person: the keyed hash and the fuzzy names, the
warning with the candidates the user may see, silence about the ones they may not, and
the coordinators' queue of possible duplicates."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import override_settings

from doconnect.core.audit import persons_of
from doconnect.core.models import AuditEvent
from doconnect.demo.services import load_demo_city
from doconnect.people.duplicates import CandidateFinder
from doconnect.people.matching import (
    NameForms,
    fuzzy_score,
    match_key,
    normalised_name,
)
from doconnect.people.models import (
    DuplicateCandidate,
    DuplicateReason,
    Person,
    PersonalDetails,
    match_key_of,
)
from tests.apiclient import BearerClient
from tests.conftest import City, count_queries, logged_in
from tests.people.registering import BIRTH_DATE, api_body, existing, form_data

# -- normalisation, key and fuzzy score (pure) ----------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("Jürgen", "Groß"), ("JUERGEN", "Gross")),
        (("Anna", "Müller-Lüdenscheidt"), ("Müller Lüdenscheidt", "Anna")),
        (("Ayşe", "Yılmaz"), ("Ayse", "Yilmaz")),
        (("Seán", "O'Brien"), ("Sean", "OBrien")),
        (("Mohammed Ali", "Hassan"), ("Mohammed", "Ali Hassan")),
    ],
)
def test_spelling_accents_hyphens_and_the_order_of_name_parts_do_not_count(
    first: tuple[str, str], second: tuple[str, str]
) -> None:
    assert normalised_name(*first) == normalised_name(*second)
    day = dt.date(1990, 1, 1)
    assert match_key(*first, day, secret="s") == match_key(*second, day, secret="s")


def test_the_key_depends_on_the_secret_and_the_birth_date() -> None:
    day = dt.date(1990, 1, 1)
    key = match_key("Anna", "Müller", day, secret="one")
    assert key != match_key("Anna", "Müller", day, secret="two")
    assert key != match_key("Anna", "Müller", dt.date(1990, 1, 2), secret="one")
    assert re.fullmatch(r"[0-9a-f]{64}", key) and "mueller" not in key


def test_a_typo_or_a_missing_hyphen_is_a_similar_name_but_another_name_is_not() -> None:
    day = dt.date(2004, 5, 17)
    anna = NameForms.of("Alexandra", "Müller")
    assert (fuzzy_score(anna, day, NameForms.of("Alexandra", "Müler"), day) or 0) > 90
    assert (
        fuzzy_score(NameForms.of("Hans-Peter", "Kurz"), day, NameForms.of("Hanspeter", "Kurz"), day)
        == 100
    )
    assert fuzzy_score(anna, day, NameForms.of("Alexander", "Schmidt"), day) is None


def test_a_slip_in_the_birth_date_needs_a_nearly_identical_name() -> None:
    anna = NameForms.of("Alexandra", "Müller")
    day, swapped, far = dt.date(2004, 5, 7), dt.date(2004, 7, 5), dt.date(2004, 9, 30)
    assert fuzzy_score(anna, day, NameForms.of("Alexandra", "Mueller"), swapped) == 100
    assert fuzzy_score(anna, day, NameForms.of("Alexandra", "Müller"), far) is None
    # a typo in the name *and* in the date is one slip too many
    assert fuzzy_score(anna, day, NameForms.of("Alexandre", "Mulder"), swapped) is None


# -- the warning on the page and in the API --------------------------------------------


def test_a_near_identical_name_meets_the_duplicate_warning_and_nothing_is_saved(
    city: City, case_worker: User
) -> None:
    known = existing(city, consent_orgs=[city.jobcenter])

    response = logged_in(case_worker).post(
        "/persons/new/",
        form_data(city, given_name="Alexandra", family_name="Müler", birth_date="2004-05-17"),
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Mögliche Dublette" in body
    assert known.public_id in body and "Alexandra Müller" in body and "Eving" in body
    assert f'href="/persons/{known.public_id}/"' in body  # open the existing record instead
    assert 'name="confirm_new" value="1"' in body
    assert Person.objects.count() == 1


def test_swapped_names_are_the_same_key(city: City, case_worker: User) -> None:
    known = existing(city, consent_orgs=[city.jobcenter])

    body = (
        logged_in(case_worker)
        .post(
            "/persons/new/",
            form_data(city, given_name="Mueller", family_name="Alexandra", birth_date="2004-05-17"),
        )
        .content.decode()
    )

    assert known.public_id in body
    assert "gleicher Name und gleiches Geburtsdatum" in body


def test_reading_the_candidates_is_audited_as_a_read_of_them(city: City, case_worker: User) -> None:
    known = existing(city, consent_orgs=[city.jobcenter])

    logged_in(case_worker).post(
        "/persons/new/",
        form_data(city, given_name="Alexandra", family_name="Müller", birth_date="2004-05-17"),
    )

    event = AuditEvent.objects.get(person_public_id=known.public_id, view="web.person_register")
    assert event.action == "read" and event.actor_username == "case_worker"
    assert {"given_name", "family_name", "birth_date"} <= set(event.fields)


def test_confirming_registers_anyway_and_queues_the_pair_as_shown(
    city: City, case_worker: User
) -> None:
    known = existing(city, consent_orgs=[city.jobcenter])
    data = form_data(city, given_name="Alexandra", family_name="Müller", birth_date="2004-05-17")

    response = logged_in(case_worker).post("/persons/new/", {**data, "confirm_new": "1"})

    assert response.status_code == 302
    new = Person.objects.exclude(pk=known.pk).get()
    pair = DuplicateCandidate.objects.get()
    assert (pair.first, pair.second, pair.status) == (known, new, "open")
    assert (pair.reason, pair.score, pair.shown_to_finder) == (DuplicateReason.SAME_KEY, 100, True)
    assert (pair.found_by, pair.found_in) == (case_worker, "web.person_register")


def test_the_api_answers_409_with_the_visible_candidates_and_201_when_confirmed(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    known = existing(city, consent_orgs=[city.jobcenter])
    client = bearer(case_worker)
    body = api_body(city, given_name="Alexandra", family_name="Müler", birth_date="2004-05-17")

    warned = client.post("/api/persons", body, content_type="application/json")
    confirmed = client.post(
        "/api/persons", {**body, "confirm_new": True}, content_type="application/json"
    )

    assert warned.status_code == 409
    [candidate] = warned.json()["candidates"]
    assert candidate["public_id"] == known.public_id
    assert (candidate["given_name"], candidate["family_name"]) == ("Alexandra", "Müller")
    assert (candidate["birth_date"], candidate["district"]) == ("2004-05-17", "Eving")
    assert candidate["reason"] == "similar_name" and 90 < candidate["score"] < 100
    assert confirmed.status_code == 201
    assert Person.objects.count() == 2


# -- a duplicate the user may not see is never revealed --------------------------------


def test_a_duplicate_the_case_worker_may_not_see_gives_no_hint_and_goes_to_the_queue(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    hidden = existing(city, consent_orgs=[city.provider_b])  # not the Jobcenter's
    client = bearer(case_worker)

    duplicate = client.post(
        "/api/persons",
        api_body(city, given_name="Alexandra", family_name="Müller", birth_date="2004-05-17"),
        content_type="application/json",
    )
    unique = client.post(
        "/api/persons",
        api_body(city, given_name="Alexandra", family_name="Nowak", birth_date="2004-05-17"),
        content_type="application/json",
    )

    assert duplicate.status_code == unique.status_code == 201
    registered = duplicate.json()["public_id"]
    # The same answer as for a person without any duplicate, but for the names and id.
    first, second = duplicate.json(), unique.json()
    for body in (first, second):
        body.pop("public_id")
        body["personal"].pop("family_name")
    assert first == second
    assert hidden.public_id not in duplicate.content.decode()
    assert not AuditEvent.objects.filter(person_public_id=hidden.public_id).exists()
    pair = DuplicateCandidate.objects.get()
    assert pair.first == hidden and pair.second.public_id == registered
    assert pair.shown_to_finder is False


def test_on_the_page_the_invisible_duplicate_leads_straight_to_the_new_person(
    city: City, case_worker: User
) -> None:
    hidden = existing(city, consent_orgs=[city.provider_b])

    response = logged_in(case_worker).post(
        "/persons/new/",
        form_data(city, given_name="Alexandra", family_name="Müller", birth_date="2004-05-17"),
        follow=True,
    )

    body = response.content.decode()
    assert "Mögliche Dublette" not in body and hidden.public_id not in body
    assert "ist aufgenommen" in body
    assert DuplicateCandidate.objects.filter(first=hidden).exists()


def test_a_coordinator_is_not_shown_a_candidate_seen_only_pseudonymously(
    city: City, coordinator: User
) -> None:
    pseudonymous = existing(city, consent_orgs=[city.jobcenter])  # no consent for the city

    response = logged_in(coordinator).post(
        "/persons/new/",
        form_data(
            city,
            given_name="Alexandra",
            family_name="Müller",
            birth_date="2004-05-17",
            consent_organisations=[city.city.external_id],
        ),
    )

    assert response.status_code == 302
    assert DuplicateCandidate.objects.get().first == pseudonymous


# -- the coordinators' queue ------------------------------------------------------------


def _queued_pair(city: City, case_worker: User, *, consent_orgs: list) -> tuple[Person, Person]:
    """An existing person and a near-identical one a case worker registered after it."""
    known = existing(city, consent_orgs=consent_orgs)
    logged_in(case_worker).post(
        "/persons/new/",
        {
            **form_data(
                city,
                given_name="Alexandra",
                family_name="Müler",
                birth_date=BIRTH_DATE.isoformat(),
                consent_organisations=[city.jobcenter.external_id, city.city.external_id],
            ),
            "confirm_new": "1",
        },
    )
    return known, Person.objects.exclude(pk=known.pk).get()


def test_the_coordinator_sees_the_open_pair_side_by_side_with_names_under_city_consent(
    city: City, case_worker: User, coordinator: User
) -> None:
    known, new = _queued_pair(city, case_worker, consent_orgs=[city.jobcenter, city.city])

    body = logged_in(coordinator).get("/persons/duplicates/").content.decode()

    assert "1 offenes Paar" in body
    assert known.public_id in body and new.public_id in body
    assert "Alexandra Müller" in body and "Alexandra Müler" in body
    assert "Zusammenführen" in body and "Keine Dublette" in body
    reads = AuditEvent.objects.filter(view="web.duplicates", action="read")
    assert {p for e in reads for p in persons_of(e)} == {known.public_id, new.public_id}


def test_without_city_consent_the_pair_is_pseudonymous_and_cannot_be_merged(
    city: City, case_worker: User, coordinator: User
) -> None:
    known, new = _queued_pair(city, case_worker, consent_orgs=[city.jobcenter])

    body = logged_in(coordinator).get("/persons/duplicates/").content.decode()

    assert known.public_id in body and "Alexandra Müller" not in body
    assert "Jahrgang 2004" in body
    assert "Alexandra Müler" in body  # the new record's consent covers the city
    assert "Zusammenführen erst, wenn" in body
    assert f"/persons/duplicates/{DuplicateCandidate.objects.get().pk}/merge/" not in body
    reads = AuditEvent.objects.filter(view="web.duplicates")
    # Both shown, audited: the names of one, the pseudonymous record of the other.
    assert {p for e in reads for p in persons_of(e)} == {new.public_id, known.public_id}


def test_the_queue_needs_as_many_queries_for_three_pairs_as_for_one(
    city: City, case_worker: User, coordinator: User
) -> None:
    _queued_pair(city, case_worker, consent_orgs=[city.jobcenter, city.city])
    client = logged_in(coordinator)
    one = count_queries(client, "/persons/duplicates/")
    for name in ("Berta", "Carla"):
        known = existing(city, name, "Kranz", consent_orgs=[city.city])
        DuplicateCandidate.objects.create(
            first=known, second=Person.objects.last(), reason="similar_name", score=90
        )

    assert count_queries(client, "/persons/duplicates/") == one


@pytest.mark.parametrize(
    "persona", ["case_worker", "provider_staff", "analyst", "platform_admin", "outsider"]
)
def test_only_coordinators_see_the_queue(persona: str, request: pytest.FixtureRequest) -> None:
    request.getfixturevalue("city")
    assert (
        logged_in(request.getfixturevalue(persona)).get("/persons/duplicates/").status_code == 403
    )


def test_the_queue_api_lists_pairs_for_coordinators_only(
    city: City, case_worker: User, coordinator: User, bearer: BearerClient
) -> None:
    known, new = _queued_pair(city, case_worker, consent_orgs=[city.jobcenter, city.city])

    listed = bearer(coordinator).get("/api/duplicates")
    refused = bearer(case_worker).get("/api/duplicates")

    assert listed.status_code == 200
    [pair] = listed.json()["items"]
    assert (pair["first"]["public_id"], pair["second"]["public_id"]) == (
        known.public_id,
        new.public_id,
    )
    assert pair["may_merge"] is True and pair["first"]["personal"]["family_name"] == "Müller"
    assert refused.status_code == 403


def test_the_person_list_links_to_the_queue_for_coordinators(
    city: City, coordinator: User, case_worker: User
) -> None:
    assert "/persons/duplicates/" in logged_in(coordinator).get("/persons/").content.decode()
    assert "/persons/duplicates/" not in logged_in(case_worker).get("/persons/").content.decode()


# -- keys of existing and bulk-written rows ---------------------------------------------


def test_the_command_fills_missing_keys_and_recomputes_all_after_a_new_secret(
    city: City,
) -> None:
    person = existing(city, consent_orgs=[city.jobcenter])
    PersonalDetails.objects.update(match_key="")
    out = io.StringIO()

    call_command("persons", "match-keys", stdout=out)
    filled = PersonalDetails.objects.get(person=person).match_key
    with override_settings(PERSON_MATCH_KEY="another-secret-" + "z" * 40):
        call_command("persons", "match-keys", "--all", stdout=out)
        assert PersonalDetails.objects.get(person=person).match_key == match_key_of(
            "Alexandra", "Müller", BIRTH_DATE
        )

    assert filled == match_key_of("Alexandra", "Müller", BIRTH_DATE)
    assert PersonalDetails.objects.get(person=person).match_key != filled
    assert out.getvalue().splitlines() == ["1 match key written.", "1 match key written."]


@pytest.mark.django_db
def test_the_demo_city_is_loaded_with_its_match_keys() -> None:
    load_demo_city(seed=4, scale=0.05)

    rows = PersonalDetails.objects.values_list(
        "given_name", "family_name", "birth_date", "match_key"
    )
    assert len(rows) == 250
    assert all(key == match_key_of(given, family, birth) for given, family, birth, key in rows)


def test_a_finder_kept_for_a_whole_import_finds_what_single_look_ups_find(
    city: City,
) -> None:
    known = existing(city, consent_orgs=[city.jobcenter])
    other = existing(city, "Alexandra", "Mueller", consent_orgs=[city.jobcenter])
    swapped = existing(city, "Alexandra", "Müller", consent_orgs=[city.jobcenter])
    details = PersonalDetails.objects.get(person=swapped)
    details.birth_date = dt.date(2004, 7, 5)
    details.save()
    bulk = CandidateFinder(whole_years=True)

    for given, family, day in [
        ("Alexandra", "Müller", dt.date(2004, 5, 7)),  # day and month swapped
        ("Alexandra", "Müler", BIRTH_DATE),
        ("Alexandra", "Müller", dt.date(2004, 4, 17)),  # same day, another month
        ("Zoe", "Quast", BIRTH_DATE),
    ]:
        assert bulk.find(given, family, day) == CandidateFinder().find(given, family, day)
    assert {c.person_id for c in bulk.find("Alexandra", "Müller", dt.date(2004, 5, 7))} == {
        known.pk,  # same month, name equal: a slip in the day
        other.pk,
        swapped.pk,
    }
    assert {c.person_id for c in bulk.find("Alexandra", "Müller", BIRTH_DATE)} == {
        known.pk,
        other.pk,
    }
