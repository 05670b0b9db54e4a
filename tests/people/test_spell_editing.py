"""Recording, correcting and ending spells of a biography ("Abschnitt erfassen",
"korrigieren", "beenden"): the services, the pages and the API. The overlap rule is the
spells import's (two main states never overlap; side states may run beside), and each
refusal is told at the field that causes it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from doconnect.core.models import AuditEvent
from doconnect.core.viewers import viewer_for
from doconnect.people.access import PersonNotFound
from doconnect.people.models import Person, Spell
from doconnect.people.privacy import person_data_export
from doconnect.people.services import spell_create
from doconnect.people.spell_actions import spell_correct_as, spell_end_as, spell_record_as
from tests.apiclient import BearerClient
from tests.conftest import City, logged_in, make_person, participant

D = dt.date


def employed_2024(person: Person) -> Spell:
    """A main spell: employment through 2024."""
    return spell_create(person=person, state="employment", start=D(2024, 1, 1), end=D(2024, 12, 31))


def refusal(call: object) -> dict[str, list[str]]:
    """The fields and messages of the ValidationError ``call()`` raises."""
    with pytest.raises(ValidationError) as refused:
        call()  # type: ignore[operator]
    return refused.value.message_dict


# --- recording ------------------------------------------------------------------------


def test_a_case_worker_records_a_spell_with_its_occupation_and_it_is_audited(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])

    spell = spell_record_as(
        viewer_for(case_worker),
        public_id=person.public_id,
        state="unemployed",
        start=D(2025, 1, 1),
        source_organisation="jc",
        kldb="51312",
        view="test",
    )

    assert (spell.state, spell.start, spell.end, spell.kldb) == (
        "unemployed",
        D(2025, 1, 1),
        None,
        "51312",
    )
    assert spell.source_organisation == city.jobcenter
    event = AuditEvent.objects.get(action="change", person_public_id=person.public_id)
    assert event.fields == [
        "spells.state",
        "spells.start",
        "spells.source_organisation",
        "spells.kldb",
    ]


def test_a_spell_starting_inside_another_main_spell_is_refused_at_its_start(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    employed_2024(person)

    problems = refusal(
        lambda: spell_record_as(
            viewer_for(case_worker),
            public_id=person.public_id,
            state="unemployed",
            start=D(2024, 6, 1),
            view="test",
        )
    )

    assert list(problems) == ["start"]
    assert "Beschäftigung" in problems["start"][0] and "01.01.2024" in problems["start"][0]
    assert person.spells.count() == 1


def test_a_spell_running_into_the_next_one_is_refused_at_its_end(
    city: City, coordinator: User
) -> None:
    person = make_person(city, consent_orgs=[city.city])
    employed_2024(person)
    viewer = viewer_for(coordinator)

    closed = refusal(
        lambda: spell_record_as(
            viewer,
            public_id=person.public_id,
            state="unemployed",
            start=D(2023, 6, 1),
            end=D(2024, 2, 1),
            view="test",
        )
    )
    still_running = refusal(
        lambda: spell_record_as(
            viewer, public_id=person.public_id, state="school", start=D(2020, 8, 1), view="test"
        )
    )

    assert list(closed) == ["end"] and list(still_running) == ["end"]


def test_a_side_spell_may_run_beside_a_main_one(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    employed_2024(person)

    spell_record_as(
        viewer_for(case_worker),
        public_id=person.public_id,
        state="further_training",
        start=D(2024, 3, 1),
        end=D(2024, 5, 31),
        view="test",
    )

    assert person.spells.count() == 2


def test_an_end_before_the_start_and_bad_codes_are_named(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])

    problems = refusal(
        lambda: spell_record_as(
            viewer_for(case_worker),
            public_id=person.public_id,
            state="unemployed",
            start=D(2025, 5, 1),
            end=D(2025, 4, 1),
            offer="o-unknown",
            source_organisation="nobody",
            kldb="123",
            view="test",
        )
    )

    assert set(problems) == {"end", "offer", "source_organisation", "kldb"}


def test_provider_staff_record_as_themselves_and_only_in_their_own_offers(
    city: City, provider_staff: User
) -> None:
    person = participant(city, city.offer_a, [city.provider_a])
    viewer = viewer_for(provider_staff)

    spell = spell_record_as(
        viewer, public_id=person.public_id, state="employment", start=D(2026, 12, 1), view="test"
    )
    elsewhere = refusal(
        lambda: spell_record_as(
            viewer,
            public_id=person.public_id,
            state="further_training",
            start=D(2025, 1, 1),
            end=D(2025, 2, 1),
            offer="o-b",
            source_organisation="jc",
            view="test",
        )
    )

    assert spell.source_organisation == city.provider_a  # the default: their organisation
    assert set(elsewhere) == {"offer", "source_organisation"}


@pytest.mark.parametrize(
    ("persona", "refused_with"),
    [
        ("analyst", PermissionDenied),
        ("platform_admin", PersonNotFound),
        ("other_provider_staff", PersonNotFound),
    ],
)
def test_who_may_not_record_a_spell_is_refused(
    persona: str, refused_with: type[Exception], city: City, request: pytest.FixtureRequest
) -> None:
    person = participant(city, city.offer_a, [city.city, city.provider_a, city.provider_b])

    with pytest.raises(refused_with):
        spell_record_as(
            viewer_for(request.getfixturevalue(persona)),
            public_id=person.public_id,
            state="unemployed",
            start=D(2020, 1, 1),
            end=D(2020, 2, 1),
            view="test",
        )

    assert person.spells.count() == 1


# --- correcting and ending ------------------------------------------------------------


def test_a_correction_changes_only_the_fields_given(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    spell = employed_2024(person)

    spell_correct_as(
        viewer_for(case_worker),
        public_id=person.public_id,
        spell_id=spell.pk,
        kldb="62102",
        end=D(2024, 10, 31),
        view="test",
    )

    spell.refresh_from_db()
    assert (spell.state, spell.start, spell.end, spell.kldb) == (
        "employment",
        D(2024, 1, 1),
        D(2024, 10, 31),
        "62102",
    )
    event = AuditEvent.objects.get(action="change")
    assert set(event.fields) == {"spells.end", "spells.kldb"}


def test_a_correction_is_refused_at_the_field_that_causes_the_overlap(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    employed_2024(person)
    course = spell_create(person=person, state="offer", start=D(2024, 3, 1), end=D(2024, 4, 30))
    later = spell_create(person=person, state="unemployed", start=D(2025, 1, 1), end=None)
    viewer = viewer_for(case_worker)

    state_only = refusal(
        lambda: spell_correct_as(
            viewer, public_id=person.public_id, spell_id=course.pk, state="unemployed", view="t"
        )
    )
    start = refusal(
        lambda: spell_correct_as(
            viewer, public_id=person.public_id, spell_id=later.pk, start=D(2024, 12, 1), view="t"
        )
    )
    after_end = refusal(
        lambda: spell_correct_as(
            viewer, public_id=person.public_id, spell_id=course.pk, start=D(2024, 5, 1), view="t"
        )
    )

    assert list(state_only) == ["state"]  # the dates were fine beside it as a course
    assert list(start) == ["start"]
    assert list(after_end) == ["start"] and "vor dem Beginn" in after_end["start"][0]
    course.refresh_from_db()
    assert (course.state, course.start) == ("offer", D(2024, 3, 1))


def test_ending_a_running_spell_sets_its_last_day(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    running = spell_create(person=person, state="unemployed", start=D(2025, 1, 1), end=None)
    viewer = viewer_for(case_worker)

    spell_end_as(
        viewer, public_id=person.public_id, spell_id=running.pk, end=D(2026, 11, 30), view="t"
    )
    again = refusal(
        lambda: spell_end_as(
            viewer, public_id=person.public_id, spell_id=running.pk, end=D(2026, 12, 1), view="t"
        )
    )

    running.refresh_from_db()
    assert running.end == D(2026, 11, 30)
    assert list(again) == ["end"] and "schon" in again["end"][0]


def test_an_end_before_the_start_is_refused_at_the_end(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    running = spell_create(person=person, state="unemployed", start=D(2025, 1, 1), end=None)

    problems = refusal(
        lambda: spell_end_as(
            viewer_for(case_worker),
            public_id=person.public_id,
            spell_id=running.pk,
            end=D(2024, 12, 31),
            view="t",
        )
    )

    assert list(problems) == ["end"]


def test_provider_staff_change_their_own_spells_only(city: City, provider_staff: User) -> None:
    person = participant(city, city.offer_a, [city.provider_a])
    own = person.spells.get()  # the participation in their offer
    jobcenter_spell = spell_create(
        person=person,
        state="unemployed",
        start=D(2023, 1, 1),
        end=D(2023, 12, 31),
        source_organisation=city.jobcenter,
    )
    viewer = viewer_for(provider_staff)

    spell_end_as(viewer, public_id=person.public_id, spell_id=own.pk, end=D(2026, 12, 1), view="t")
    with pytest.raises(PermissionDenied):
        spell_correct_as(
            viewer,
            public_id=person.public_id,
            spell_id=jobcenter_spell.pk,
            end=D(2023, 6, 30),
            view="t",
        )

    jobcenter_spell.refresh_from_db()
    assert jobcenter_spell.end == D(2023, 12, 31)


def test_a_spell_of_another_person_is_not_found(city: City, case_worker: User) -> None:
    mine = make_person(city, consent_orgs=[city.jobcenter])
    theirs = make_person(city, consent_orgs=[city.jobcenter], given_name="Bea")
    spell = employed_2024(theirs)

    with pytest.raises(PersonNotFound):
        spell_correct_as(
            viewer_for(case_worker), public_id=mine.public_id, spell_id=spell.pk, kldb="", view="t"
        )


# --- the pages ------------------------------------------------------------------------


def new_url(person: Person) -> str:
    return reverse("web:spell_new", args=[person.public_id])


def edit_url(person: Person, spell: Spell) -> str:
    return reverse("web:spell_edit", args=[person.public_id, spell.pk])


def end_url(person: Person, spell: Spell) -> str:
    return reverse("web:spell_end", args=[person.public_id, spell.pk])


def test_a_case_worker_records_a_spell_on_the_page_and_sees_it_on_the_person_page(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    client = logged_in(case_worker)

    form = client.get(new_url(person)).content.decode()
    response = client.post(
        new_url(person),
        {
            "state": "apprenticeship",
            "start": "2025-08-01",
            "end": "",
            "offer": "",
            "kldb": "26212",
            "source_organisation": "jc",
        },
    )

    assert 'type="date" name="start"' in form
    assert '<option value="jc" selected>' in form  # the case worker's own organisation
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Der Abschnitt ist erfasst." in page
    assert "Ausbildung" in page and "01.08.2025" in page
    assert person.spells.get().kldb == "26212"


def test_an_overlap_on_the_page_is_shown_next_to_the_start(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    employed_2024(person)

    response = logged_in(case_worker).post(
        new_url(person), {"state": "unemployed", "start": "2024-06-01", "end": "2024-07-01"}
    )

    assert response.status_code == 400
    body = response.content.decode()
    start_block = body.split('for="id_start"')[0].rsplit('<div class="kern-form-input', 1)[1]
    assert "kern-form-input--error" in start_block
    assert "Überschneidet sich" in body
    assert person.spells.count() == 1


def test_the_correction_page_is_filled_and_saves(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    spell = employed_2024(person)
    client = logged_in(case_worker)

    form = client.get(edit_url(person, spell)).content.decode()
    response = client.post(
        edit_url(person, spell),
        {"state": "employment", "start": "2024-02-01", "end": "2024-12-31", "kldb": ""},
    )

    assert 'name="start" value="2024-01-01"' in form and 'name="end" value="2024-12-31"' in form
    assert response.status_code == 302
    spell.refresh_from_db()
    assert spell.start == D(2024, 2, 1)
    assert "Der Abschnitt ist korrigiert." in client.get(response["Location"]).content.decode()


def test_the_end_page_ends_a_running_spell_today_by_default(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    running = spell_create(person=person, state="unemployed", start=D(2025, 1, 1), end=None)
    client = logged_in(case_worker)

    form = client.get(end_url(person, running)).content.decode()
    response = client.post(end_url(person, running), {"end": "2026-11-30"})

    assert f'value="{timezone.localdate().isoformat()}"' in form
    assert response.status_code == 302
    running.refresh_from_db()
    assert running.end == D(2026, 11, 30)
    ended_page = client.get(end_url(person, running)).content.decode()
    assert "schon am 30.11.2026 beendet" in ended_page and 'name="end"' not in ended_page


def test_the_spells_table_has_actions_for_who_may_change_them(
    city: City, case_worker: User, analyst: User, provider_staff: User
) -> None:
    person = participant(city, city.offer_a, [city.jobcenter, city.provider_a, city.city])
    own = person.spells.get()
    closed = employed_2024(person)
    page = reverse("web:person_detail", args=[person.public_id])

    for_case_worker = logged_in(case_worker).get(page).content.decode()
    for_provider = logged_in(provider_staff).get(page).content.decode()
    for_analyst = logged_in(analyst).get(page).content.decode()

    assert edit_url(person, closed) in for_case_worker and edit_url(person, own) in for_case_worker
    assert end_url(person, own) in for_case_worker
    assert end_url(person, closed) not in for_case_worker  # it has ended already
    assert new_url(person) in for_case_worker
    assert edit_url(person, own) in for_provider and edit_url(person, closed) not in for_provider
    assert new_url(person) not in for_analyst and "/spells/" not in for_analyst


@pytest.mark.parametrize(
    ("persona", "status"),
    [("analyst", 403), ("platform_admin", 404), ("other_provider_staff", 404)],
)
def test_the_spell_pages_refuse_who_may_not(
    persona: str, status: int, city: City, request: pytest.FixtureRequest
) -> None:
    person = participant(city, city.offer_a, [city.city, city.provider_a, city.provider_b])
    spell = person.spells.get()
    client = logged_in(request.getfixturevalue(persona))

    for url in (new_url(person), edit_url(person, spell), end_url(person, spell)):
        assert client.get(url).status_code == status, url
        assert client.post(url, {"state": "unemployed", "end": "2026-12-01"}).status_code == status
    spell.refresh_from_db()
    assert spell.end is None and person.spells.count() == 1


def test_provider_staff_may_not_open_the_correction_of_a_jobcenter_spell(
    city: City, provider_staff: User
) -> None:
    person = participant(city, city.offer_a, [city.provider_a])
    jobcenter_spell = spell_create(
        person=person,
        state="unemployed",
        start=D(2023, 1, 1),
        end=None,
        source_organisation=city.jobcenter,
    )
    client = logged_in(provider_staff)

    assert client.get(edit_url(person, jobcenter_spell)).status_code == 403
    assert client.post(end_url(person, jobcenter_spell), {"end": "2023-06-30"}).status_code == 403


def test_the_spell_pages_of_an_invisible_person_or_a_foreign_spell_are_404(
    city: City, case_worker: User
) -> None:
    hidden = make_person(city, consent_orgs=[city.city])
    mine = make_person(city, consent_orgs=[city.jobcenter])
    foreign = employed_2024(hidden)
    client = logged_in(case_worker)

    assert client.get(new_url(hidden)).status_code == 404
    assert client.get(edit_url(mine, foreign)).status_code == 404
    assert client.post(end_url(mine, foreign), {"end": "2024-06-30"}).status_code == 404


# --- the API --------------------------------------------------------------------------


def test_the_api_records_a_spell_with_201_and_lists_it_with_its_id(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    client = bearer(case_worker)

    created = client.post(
        f"/api/persons/{person.public_id}/spells",
        {
            "state": "unemployed",
            "start": "2025-01-01",
            "source_organisation": "jc",
            "kldb": "51312",
        },
        content_type="application/json",
    )
    listed = client.get(f"/api/persons/{person.public_id}/spells").json()

    assert created.status_code == 201
    body = created.json()
    assert body["end"] is None and body["source_organisation"] == "jc" and body["kldb"] == "51312"
    assert listed == [body]


def test_the_api_refuses_an_overlap_with_409_at_the_field(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    employed_2024(person)

    response = bearer(case_worker).post(
        f"/api/persons/{person.public_id}/spells",
        {"state": "unemployed", "start": "2023-01-01", "end": "2024-03-31"},
        content_type="application/json",
    )

    # An overlap with a stored spell: a conflict with the file (409), not a bad body.
    assert response.status_code == 409
    assert list(response.json()["detail"]) == ["end"]


def test_the_api_ends_and_corrects_a_spell_with_patch(
    city: City, case_worker: User, bearer: BearerClient
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    running = spell_create(person=person, state="unemployed", start=D(2025, 1, 1), end=None)
    client = bearer(case_worker)
    url = f"/api/persons/{person.public_id}/spells/{running.pk}"

    ended = client.patch(url, {"end": "2026-11-30"}, content_type="application/json")
    corrected = client.patch(url, {"kldb": "51312"}, content_type="application/json")
    bad = client.patch(url, {"start": "2027-01-01"}, content_type="application/json")

    assert ended.status_code == 200 and ended.json()["end"] == "2026-11-30"
    assert corrected.status_code == 200 and corrected.json()["end"] == "2026-11-30"
    # A start after the stored end: the spell refuses it (409), the body is well formed.
    assert bad.status_code == 409 and list(bad.json()["detail"]) == ["start"]
    running.refresh_from_db()
    assert (running.end, running.kldb, running.start) == (D(2026, 11, 30), "51312", D(2025, 1, 1))


@pytest.mark.parametrize(
    ("persona", "status"),
    [("analyst", 403), ("platform_admin", 404), ("other_provider_staff", 404)],
)
def test_the_api_refuses_who_may_not_record_or_correct(
    persona: str, status: int, city: City, bearer: BearerClient, request: pytest.FixtureRequest
) -> None:
    person = participant(city, city.offer_a, [city.city, city.provider_a])
    spell = person.spells.get()
    client = bearer(request.getfixturevalue(persona))

    created = client.post(
        f"/api/persons/{person.public_id}/spells",
        {"state": "unemployed", "start": "2020-01-01", "end": "2020-02-01"},
        content_type="application/json",
    )
    patched = client.patch(
        f"/api/persons/{person.public_id}/spells/{spell.pk}",
        {"end": "2026-12-01"},
        content_type="application/json",
    )

    assert (created.status_code, patched.status_code) == (status, status)
    spell.refresh_from_db()
    assert spell.end is None and person.spells.count() == 1


def test_the_data_export_holds_a_recorded_spell_with_its_occupation(
    city: City, coordinator: User
) -> None:
    person = make_person(city, consent_orgs=[city.city])
    viewer = viewer_for(coordinator)
    spell_record_as(
        viewer,
        public_id=person.public_id,
        state="employment",
        start=D(2025, 4, 1),
        kldb="62102",
        view="test",
    )

    data = person_data_export(viewer=viewer, public_id=person.public_id)

    assert data["spells"] == [
        {
            "state": "employment",
            "start": "2025-04-01",
            "end": None,
            "organisation": None,
            "offer": None,
            "kldb": "62102",
        }
    ]
