"""Writing agreements on behalf of a viewer: who may, what is checked, what is audited.
"Überfällig" is derived from the due date, never stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from doconnect.core.models import AuditEvent
from doconnect.core.viewers import viewer_for
from doconnect.people.access import PersonNotFound
from doconnect.people.agreements.access import AgreementNotFound
from doconnect.people.agreements.models import Agreement, AgreementItem, ItemStatus
from doconnect.people.agreements.services import (
    ItemInput,
    agreement_close_as,
    agreement_item_update_as,
)
from tests.conftest import City, make_person, participant
from tests.people.agreements.helpers import CONCLUDED, REVIEW, both_sides, conclude


def _item(agreement: Agreement, side: str) -> AgreementItem:
    return agreement.items.filter(side=side).order_by("id").first()  # type: ignore[return-value]


def _update(
    user: User, agreement: Agreement, item: AgreementItem, **changes: object
) -> AgreementItem:
    return agreement_item_update_as(
        viewer_for(user),
        public_id=agreement.person.public_id,
        agreement_id=agreement.pk,
        item_id=item.pk,
        view="tests",
        **changes,  # type: ignore[arg-type]
    )


# --- concluding -------------------------------------------------------------------------


def test_a_case_worker_concludes_an_agreement_with_both_sides_in_one_step(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])

    agreement = conclude(case_worker, person)

    assert (agreement.title, agreement.organisation, agreement.status) == (
        "Kooperationsplan",
        city.jobcenter,
        "active",
    )
    assert (agreement.concluded_on, agreement.review_on) == (CONCLUDED, REVIEW)
    assert agreement.created_by == case_worker and agreement.created_at is not None
    owners = sorted((i.side, i.owner_organisation_id, i.status) for i in agreement.items.all())
    assert owners == [
        ("institution", city.jobcenter.pk, "open"),
        ("person", None, "open"),
        ("person", None, "open"),
    ]
    event = AuditEvent.objects.get(person_public_id=person.public_id)
    assert (event.action, event.fields, event.view) == ("change", ["agreements"], "tests")


def test_a_coordinator_concludes_for_the_city_and_names_a_provider_and_a_worker_as_owners(
    city: City, coordinator: User, provider_staff: User
) -> None:
    person = make_person(city, consent_orgs=[city.city])
    items = [
        ItemInput(side="person", text="Nimmt am Kurs teil.", due_on=REVIEW),
        ItemInput(
            side="institution",
            text="Hält einen Platz in der Werkstatt frei.",
            due_on=dt.date(2026, 10, 15),
            owner_organisation="p-a",
            owner_user="provider_staff",
        ),
    ]

    agreement = conclude(coordinator, person, organisation="city", items=items)

    guarantee = _item(agreement, "institution")
    assert guarantee.owner_organisation == city.provider_a
    assert guarantee.owner_user == provider_staff


def test_provider_staff_conclude_for_their_own_participant_but_only_for_their_provider(
    city: City, provider_staff: User
) -> None:
    person = participant(city, city.offer_a, [city.provider_a])

    agreement = conclude(provider_staff, person, organisation="p-a")
    assert agreement.organisation == city.provider_a

    with pytest.raises(PermissionDenied):
        conclude(provider_staff, person, organisation="jc")
    assert Agreement.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "consent_to", "refusal"),
    [
        ("other_provider_staff", "provider_a", PersonNotFound),  # not their participant
        ("analyst", "statistics", PermissionDenied),  # pseudonymous only, never case files
        ("platform_admin", "city", PersonNotFound),  # admins see no person files
        ("coordinator", "jobcenter", PermissionDenied),  # no consent covering the city
        ("case_worker", "provider_a", PersonNotFound),  # no consent to the Jobcenter
    ],
)
def test_who_may_not_conclude_an_agreement_is_refused_and_nothing_is_written(
    city: City,
    persona: str,
    consent_to: str,
    refusal: type[Exception],
    request: pytest.FixtureRequest,
) -> None:
    user = request.getfixturevalue(persona)
    person = participant(city, city.offer_a, [getattr(city, consent_to)])
    organisation = user.memberships.get().organisation.external_id

    with pytest.raises(refusal):
        conclude(user, person, organisation=organisation)

    assert not Agreement.objects.exists()
    assert not AuditEvent.objects.filter(action="change").exists()


def test_an_unknown_person_is_not_found(city: City, case_worker: User) -> None:
    ghost = make_person(city, consent_orgs=[city.jobcenter])
    ghost.public_id = "P-00000000"
    with pytest.raises(PersonNotFound):
        conclude(case_worker, ghost)


def test_every_problem_is_named_by_its_field_and_nothing_is_written(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    items = [
        ItemInput(side="person", text="  ", due_on=dt.date(2026, 9, 1)),
        ItemInput(side="sideways", text="Irgendwas", due_on=REVIEW),
        ItemInput(side="institution", text="Zahlt die Fahrtkosten.", due_on=None),
        ItemInput(
            side="institution",
            text="Ein Arbeitgeber sagt zu.",
            due_on=REVIEW,
            owner_organisation="nowhere",
        ),
        ItemInput(
            side="institution",
            text="Ein Träger sagt zu.",
            due_on=REVIEW,
            owner_organisation="p-b",
            owner_user="case_worker",
        ),
        ItemInput(side="person", text="Macht mit.", due_on=REVIEW, owner_organisation="jc"),
    ]

    with pytest.raises(ValidationError) as refused:
        conclude(
            case_worker,
            person,
            items=items,
            title=" ",
            review_on=dt.date(2026, 9, 30),
        )

    errors = refused.value.message_dict
    assert set(errors) == {
        "title",
        "review_on",
        "items.0.text",
        "items.0.due_on",
        "items.1.side",
        "items.2.due_on",
        "items.2.owner_organisation",
        "items.3.owner_organisation",
        "items.4.owner_user",
        "items.5.owner_organisation",
    }
    assert "01.10.2026" in errors["items.0.due_on"][0]  # not before the agreement's date
    assert "Träger B" in errors["items.4.owner_user"][0]
    assert not Agreement.objects.exists() and not AgreementItem.objects.exists()


def test_an_agreement_needs_a_promise_on_each_side(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    only_the_person = [i for i in both_sides() if i.side == "person"]

    with pytest.raises(ValidationError) as refused:
        conclude(case_worker, person, items=only_the_person)
    assert set(refused.value.message_dict) == {"institution_items"}

    with pytest.raises(ValidationError) as refused:
        conclude(case_worker, person, items=[], review_on=None)
    assert set(refused.value.message_dict) == {"person_items", "institution_items", "review_on"}


# --- items: status, due date, "überfällig" ------------------------------------------------


def test_overdue_is_derived_from_the_due_date_while_the_item_is_open(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    agreement = conclude(case_worker, person, items=both_sides(due=dt.date(2026, 11, 1)))
    item = _item(agreement, "person")

    assert not item.overdue(dt.date(2026, 11, 1))
    assert item.overdue(dt.date(2026, 11, 2))

    done = _update(case_worker, agreement, item, status=ItemStatus.DONE)
    assert done.status == "done" and not done.overdue(dt.date(2026, 11, 2))
    assert AgreementItem.objects.get(pk=item.pk).status == "done"


def test_a_new_due_date_is_recorded_and_audited_and_may_not_precede_the_agreement(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    agreement = conclude(case_worker, person)
    item = _item(agreement, "institution")

    _update(case_worker, agreement, item, due_on=dt.date(2027, 2, 1))
    assert AgreementItem.objects.get(pk=item.pk).due_on == dt.date(2027, 2, 1)
    assert (
        AuditEvent.objects.filter(action="change", person_public_id=person.public_id).count() == 2
    )

    with pytest.raises(ValidationError) as refused:
        _update(case_worker, agreement, item, due_on=dt.date(2026, 1, 1))
    assert set(refused.value.message_dict) == {"due_on"}


def test_an_unknown_status_is_refused(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    agreement = conclude(case_worker, person)
    with pytest.raises(ValidationError) as refused:
        _update(case_worker, agreement, _item(agreement, "person"), status="late")
    assert set(refused.value.message_dict) == {"status"}


def test_provider_staff_change_items_only_of_agreements_their_provider_is_part_of(
    city: City, case_worker: User, provider_staff: User
) -> None:
    person = participant(city, city.offer_a, [city.jobcenter, city.provider_a])
    jobcenter_only = conclude(case_worker, person)
    with_the_provider = conclude(case_worker, person, items=both_sides("p-a"))

    with pytest.raises(AgreementNotFound):  # not theirs: as if it did not exist
        _update(provider_staff, jobcenter_only, _item(jobcenter_only, "person"), status="done")

    changed = _update(
        provider_staff, with_the_provider, _item(with_the_provider, "institution"), status="done"
    )
    assert changed.status == "done"


def test_a_case_worker_may_read_but_not_change_the_citys_agreement_without_the_jobcenter(
    city: City, case_worker: User, coordinator: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter, city.city])
    citys = conclude(coordinator, person, organisation="city", items=both_sides("city"))

    with pytest.raises(PermissionDenied):
        _update(case_worker, citys, _item(citys, "person"), status="done")


def test_an_item_of_another_agreement_is_not_found(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    first, second = conclude(case_worker, person), conclude(case_worker, person)
    with pytest.raises(AgreementNotFound):
        _update(case_worker, first, _item(second, "person"), status="done")


# --- closing ----------------------------------------------------------------------------


def test_the_agreements_organisation_closes_it_once_and_its_items_then_stay(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    agreement = conclude(case_worker, person, items=both_sides(due=dt.date(2026, 10, 2)))
    viewer = viewer_for(case_worker)

    closed = agreement_close_as(
        viewer, public_id=person.public_id, agreement_id=agreement.pk, view="tests"
    )
    agreement_close_as(viewer, public_id=person.public_id, agreement_id=agreement.pk, view="tests")

    assert closed.status == "closed"
    assert AuditEvent.objects.filter(action="change").count() == 2  # concluded, closed once
    item = AgreementItem.objects.select_related("agreement").get(pk=_item(agreement, "person").pk)
    assert not item.overdue(dt.date(2027, 1, 1))  # a closed agreement has nothing overdue
    with pytest.raises(ValidationError):
        _update(case_worker, agreement, item, status="done")


def test_only_the_agreements_organisation_closes_it(
    city: City, case_worker: User, coordinator: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter, city.city])
    agreement = conclude(case_worker, person)  # the Jobcenter's; the city reads it

    with pytest.raises(PermissionDenied):
        agreement_close_as(
            viewer_for(coordinator),
            public_id=person.public_id,
            agreement_id=agreement.pk,
            view="tests",
        )
    assert Agreement.objects.get(pk=agreement.pk).status == "active"
