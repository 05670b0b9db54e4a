"""Merging two records of one person (coordinators, under consent for the city) and
dismissing a pair: what moves, what stays findable, what is refused and audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from doconnect.allocation.models import AllocationOutcome, AllocationRun
from doconnect.core.audit import events_about, persons_of
from doconnect.core.models import AuditEvent, Organisation
from doconnect.core.viewers import viewer_for
from doconnect.people.agreements.models import Agreement
from doconnect.people.merging import _links_to_person, person_merge_as
from doconnect.people.models import (
    Consent,
    DuplicateCandidate,
    MergedPerson,
    Person,
    PersonalDetails,
    Spell,
)
from doconnect.people.privacy import person_erase
from doconnect.people.services import consent_give, spell_create
from doconnect.referrals.models import Referral, ReferralStatus
from tests.apiclient import BearerClient
from tests.conftest import City, logged_in
from tests.people.registering import existing


def _pair(city: City, *, consent_orgs: list[Organisation] | None = None) -> DuplicateCandidate:
    """Alexandra Müller twice: registered at the Jobcenter, and again by the city."""
    orgs = consent_orgs if consent_orgs is not None else [city.jobcenter, city.city]
    first = existing(city, consent_orgs=orgs)
    second = existing(city, "Alexandra", "Müler", consent_orgs=orgs)
    return DuplicateCandidate.objects.create(
        first=first, second=second, reason="similar_name", score=96, found_in="web.person_register"
    )


def _merge(client_user: User, pair: DuplicateCandidate, keep: Person) -> int:
    response = logged_in(client_user).post(
        f"/persons/duplicates/{pair.pk}/merge/", {f"pair{pair.pk}-keep": keep.public_id}
    )
    return response.status_code


def test_a_coordinator_merges_and_both_histories_and_consents_stay(
    city: City, coordinator: User
) -> None:
    pair = _pair(city)
    kept, gone = pair.first, pair.second
    spell_create(person=kept, state="school", start=dt.date(2010, 8, 1), end=dt.date(2020, 7, 31))
    spell_create(person=gone, state="unemployed", start=dt.date(2021, 1, 1), end=None)
    spell_create(
        person=gone, state="offer", start=dt.date(2021, 3, 1), end=None, offer_id=city.offer_a.pk
    )
    Agreement.objects.create(
        person=gone,
        organisation=city.jobcenter,
        title="Kooperationsplan",
        concluded_on=dt.date(2026, 2, 1),
    )
    Referral.objects.create(person=gone, offer=city.offer_b, status=ReferralStatus.SENT)
    gone_public_id = gone.public_id

    assert _merge(coordinator, pair, kept) == 302

    assert not Person.objects.filter(public_id=gone_public_id).exists()
    assert sorted(Spell.objects.filter(person=kept).values_list("state", flat=True)) == [
        "offer",
        "school",
        "unemployed",
    ]
    assert Consent.objects.filter(person=kept).count() == 2
    assert Agreement.objects.get().person == kept
    assert Referral.objects.get().person == kept
    assert PersonalDetails.objects.filter(person=kept).count() == 1
    assert MergedPerson.objects.get(public_id=gone_public_id).merged_into == kept
    pair.refresh_from_db()
    assert (pair.status, pair.decided_by, pair.merged_public_id) == (
        "merged",
        coordinator,
        gone_public_id,
    )


def test_the_merged_pseudonym_leads_to_the_kept_record(city: City, coordinator: User) -> None:
    pair = _pair(city)
    gone = pair.second.public_id
    _merge(coordinator, pair, pair.first)

    response = logged_in(coordinator).get(f"/persons/{gone}/")

    assert response.status_code == 302
    assert response["Location"] == f"/persons/{pair.first.public_id}/"


def test_the_merged_pseudonym_is_not_found_for_whom_the_kept_record_is_invisible(
    city: City, coordinator: User, provider_staff: User
) -> None:
    pair = _pair(city)
    gone = pair.second.public_id
    _merge(coordinator, pair, pair.first)

    assert logged_in(provider_staff).get(f"/persons/{gone}/").status_code == 404


def test_a_merge_is_audited_for_both_pseudonyms(city: City, coordinator: User) -> None:
    pair = _pair(city)
    kept, gone = pair.first.public_id, pair.second.public_id

    _merge(coordinator, pair, pair.first)

    events = AuditEvent.objects.filter(action="change", view="web.duplicate_merge")
    assert {p for e in events for p in persons_of(e)} == {kept, gone}
    assert all("merged" in e.fields for e in events)


def test_overlapping_spells_refuse_the_merge_naming_them_and_nothing_changes(
    city: City, coordinator: User
) -> None:
    pair = _pair(city)
    kept, gone = pair.first, pair.second
    spell_create(person=kept, state="employment", start=dt.date(2022, 1, 1), end=None)
    spell_create(person=gone, state="unemployed", start=dt.date(2023, 5, 1), end=None)
    spell_create(person=gone, state="school", start=dt.date(2010, 8, 1), end=dt.date(2020, 7, 31))
    spell_create(person=kept, state="school", start=dt.date(2010, 8, 1), end=dt.date(2020, 7, 31))

    response = logged_in(coordinator).post(
        f"/persons/duplicates/{pair.pk}/merge/",
        {f"pair{pair.pk}-keep": kept.public_id},
        follow=True,
    )

    body = response.content.decode()
    assert "Nicht zusammengeführt" in body
    assert f"{kept.public_id}: Beschäftigung 2022-01-01–offen" in body
    assert f"{gone.public_id}: arbeitslos 2023-05-01–offen" in body
    assert Person.objects.filter(pk=gone.pk).exists()
    assert Spell.objects.filter(person=gone).count() == 2  # the identical school spell too
    assert DuplicateCandidate.objects.get().status == "open"
    assert not MergedPerson.objects.exists()


def test_a_spell_both_records_hold_is_kept_once(city: City, coordinator: User) -> None:
    pair = _pair(city)
    for person in (pair.first, pair.second):
        spell_create(
            person=person, state="school", start=dt.date(2010, 8, 1), end=dt.date(2020, 7, 31)
        )

    result = person_merge_as(
        viewer_for(coordinator), keep=pair.first.public_id, other=pair.second.public_id, view="test"
    )

    assert Spell.objects.filter(person=pair.first).count() == 1
    assert result.dropped == {"Episoden": 1}


def test_what_may_exist_once_per_person_keeps_the_kept_records_row(
    city: City, coordinator: User
) -> None:
    pair = _pair(city)
    run = AllocationRun.objects.create(day=dt.date(2026, 11, 1), inputs_digest="x" * 64)
    for person, reason in ((pair.first, "placed"), (pair.second, "no_place")):
        AllocationOutcome.objects.create(run=run, person=person, priority=1, reason=reason)

    result = person_merge_as(
        viewer_for(coordinator), keep=pair.first.public_id, other=pair.second.public_id, view="test"
    )

    assert list(AllocationOutcome.objects.values_list("person_id", "reason")) == [
        (pair.first.pk, "placed")
    ]
    assert result.dropped == {str(AllocationOutcome._meta.verbose_name_plural): 1}


def test_every_model_pointing_at_a_person_is_moved_by_a_merge() -> None:
    linked = {model._meta.label for model, _fk in _links_to_person()}
    assert {
        "people.Spell",
        "people.Consent",
        "agreements.Agreement",
        "referrals.Referral",
    } <= linked
    assert "people.Person_target_groups" in linked
    every = {
        m._meta.label
        for m in apps.get_models(include_auto_created=True)
        for f in m._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is Person
    }
    assert every - linked == {"people.PersonalDetails", "people.DuplicateCandidate"}


def test_a_responsible_worker_of_each_record_leaves_the_kept_records_one_per_organisation(
    city: City, coordinator: User, case_worker: User, provider_staff: User
) -> None:
    casework = pytest.importorskip("doconnect.casework.models")
    pair = _pair(city)
    casework.Responsibility.objects.create(
        person=pair.first, organisation=city.jobcenter, worker=case_worker
    )
    casework.Responsibility.objects.create(
        person=pair.second, organisation=city.jobcenter, worker=coordinator
    )
    casework.Responsibility.objects.create(
        person=pair.second, organisation=city.provider_a, worker=provider_staff
    )

    person_merge_as(
        viewer_for(coordinator), keep=pair.first.public_id, other=pair.second.public_id, view="test"
    )

    assert set(
        casework.Responsibility.objects.values_list("person_id", "organisation_id", "worker_id")
    ) == {
        (pair.first.pk, city.jobcenter.pk, case_worker.pk),
        (pair.first.pk, city.provider_a.pk, provider_staff.pk),
    }


def test_target_groups_and_missing_details_join_the_kept_record(
    city: City, coordinator: User
) -> None:
    pair = _pair(city)
    other_group = city.youth.__class__.objects.create(code="ltu", label="Langzeitarbeitslose")
    pair.second.target_groups.add(other_group)
    PersonalDetails.objects.filter(person=pair.second).update(phone="0231 123456")

    person_merge_as(
        viewer_for(coordinator), keep=pair.first.public_id, other=pair.second.public_id, view="test"
    )

    assert set(pair.first.target_groups.values_list("code", flat=True)) == {city.youth.code, "ltu"}
    assert PersonalDetails.objects.get(person=pair.first).phone == "0231 123456"


# -- refused ------------------------------------------------------------------------------


def test_a_merge_without_consent_for_the_city_is_refused(city: City, coordinator: User) -> None:
    pair = _pair(city)
    Consent.objects.filter(person=pair.second).delete()
    consent_give(
        person=pair.second,
        purposes=["counselling"],
        organisations=[city.jobcenter],
        valid_from=dt.date(2026, 1, 1),
        valid_until=None,
    )

    assert _merge(coordinator, pair, pair.first) == 403
    assert Person.objects.count() == 2
    assert DuplicateCandidate.objects.get().status == "open"


@pytest.mark.parametrize("persona", ["case_worker", "provider_staff", "analyst", "platform_admin"])
def test_no_other_role_merges_or_dismisses(
    city: City, persona: str, request: pytest.FixtureRequest
) -> None:
    pair = _pair(city)
    user = request.getfixturevalue(persona)

    assert _merge(user, pair, pair.first) == 403
    assert logged_in(user).post(f"/persons/duplicates/{pair.pk}/dismiss/").status_code == 403
    assert Person.objects.count() == 2
    assert DuplicateCandidate.objects.get().status == "open"


def test_the_service_refuses_a_case_worker_who_sees_both_records(
    city: City, case_worker: User
) -> None:
    pair = _pair(city)
    with pytest.raises(PermissionDenied):
        person_merge_as(
            viewer_for(case_worker),
            keep=pair.first.public_id,
            other=pair.second.public_id,
            view="t",
        )


def test_an_unknown_pair_is_not_found(city: City, coordinator: User) -> None:
    client = logged_in(coordinator)
    assert client.post("/persons/duplicates/999/merge/", {"pair999-keep": "P-X"}).status_code == 404
    assert client.post("/persons/duplicates/999/dismiss/").status_code == 404


def test_a_record_cannot_be_merged_into_itself(city: City, coordinator: User) -> None:
    person = existing(city, consent_orgs=[city.city])
    with pytest.raises(ValidationError):
        person_merge_as(
            viewer_for(coordinator), keep=person.public_id, other=person.public_id, view="t"
        )


# -- dismissing ---------------------------------------------------------------------------


def test_dismissing_marks_the_pair_as_two_persons_and_clears_it_from_the_queue(
    city: City, coordinator: User
) -> None:
    pair = _pair(city)
    client = logged_in(coordinator)

    response = client.post(f"/persons/duplicates/{pair.pk}/dismiss/", follow=True)
    again = client.post(f"/persons/duplicates/{pair.pk}/dismiss/", follow=True)

    pair.refresh_from_db()
    assert (pair.status, pair.decided_by) == ("dismissed", coordinator)
    assert "0 offene Paare" in response.content.decode()
    assert "schon entschieden" in again.content.decode()
    assert Person.objects.count() == 2
    events = AuditEvent.objects.filter(view="web.duplicate_dismiss", action="change")
    assert {p for e in events for p in persons_of(e)} == {
        pair.first.public_id,
        pair.second.public_id,
    }


# -- the API --------------------------------------------------------------------------------


def test_a_coordinator_merges_through_the_api(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    pair = _pair(city)
    spell_create(person=pair.second, state="unemployed", start=dt.date(2021, 1, 1), end=None)

    response = bearer(coordinator).post(
        f"/api/duplicates/{pair.pk}/merge",
        {"keep": pair.second.public_id},
        content_type="application/json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["kept"]["public_id"] == pair.second.public_id
    assert body["merged_public_id"] == pair.first.public_id
    assert body["moved"]["Einwilligungen"] == 1
    assert not Person.objects.filter(pk=pair.first.pk).exists()


def test_the_api_refuses_a_merge_without_city_consent_and_other_roles(
    city: City, coordinator: User, case_worker: User, bearer: BearerClient
) -> None:
    pair = _pair(city, consent_orgs=[city.jobcenter])
    body = {"keep": pair.first.public_id}

    without_consent = bearer(coordinator).post(
        f"/api/duplicates/{pair.pk}/merge", body, content_type="application/json"
    )
    case_worker_try = bearer(case_worker).post(
        f"/api/duplicates/{pair.pk}/merge", body, content_type="application/json"
    )
    not_of_the_pair = bearer(coordinator).post(
        f"/api/duplicates/{pair.pk}/merge", {"keep": "P-00000000"}, content_type="application/json"
    )

    assert without_consent.status_code == 403
    assert case_worker_try.status_code == 403
    # Which two persons the pair holds is stored: a conflict (409), not a bad body.
    assert not_of_the_pair.status_code == 409 and "keep" in not_of_the_pair.json()["detail"]
    assert Person.objects.count() == 2


def test_a_coordinator_dismisses_through_the_api(
    city: City, coordinator: User, bearer: BearerClient
) -> None:
    pair = _pair(city)
    response = bearer(coordinator).post(f"/api/duplicates/{pair.pk}/dismiss")
    assert response.status_code == 200 and response.json()["status"] == "dismissed"


def test_erasing_the_kept_record_erases_the_merged_pseudonym_and_its_pairs(
    city: City, coordinator: User
) -> None:
    pair = _pair(city)
    viewer = viewer_for(coordinator)
    person_merge_as(viewer, keep=pair.first.public_id, other=pair.second.public_id, view="t")

    person_erase(viewer=viewer, public_id=pair.first.public_id, reason="Antrag")

    assert not MergedPerson.objects.exists()
    assert not DuplicateCandidate.objects.exists()
    assert events_about(pair.second.public_id).exists()
