"""Each source of the task page gives its task to the right user and to nobody else:
another organisation's worker, a colleague, staff of a provider for another offer, an
analyst. What is overdue is marked; what lies beyond the window waits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from doconnect.casework.services import (
    appointment_cancel_as,
    follow_up_done_as,
    responsibility_set_as,
)
from doconnect.casework.tasks import Reading, by_day, due_count, tasks_for
from doconnect.core.audit import person_reads
from doconnect.core.models import AuditEvent, Role
from doconnect.core.viewers import viewer_for
from doconnect.forum.services import commitment_update_status
from doconnect.people.access_rules import Purpose
from doconnect.people.models import Consent, Person
from doconnect.people.services import consent_give, consent_withdraw
from tests.casework.task_helpers import (
    agreement,
    appointment,
    commitment,
    days,
    follow_up,
    keys_of,
    sent_referral,
    tasks_of,
    today,
)
from tests.conftest import City, make_person, participant

# -- follow-ups ------------------------------------------------------------------------


def test_a_follow_up_is_a_task_of_its_worker_only(
    city: City,
    case_worker: User,
    jobcenter_colleague: User,
    provider_staff: User,
    coordinator: User,
    shared_person: Person,
) -> None:
    mine = follow_up(case_worker, shared_person, due_on=today())
    [task] = tasks_of(case_worker)
    assert task.key == f"follow_up:{mine.pk}" and task.kind == "follow_up"
    assert task.due == today() and not task.overdue
    assert task.person == shared_person.public_id
    assert task.url == f"/persons/{shared_person.public_id}/follow-ups/#follow-up-{mine.pk}"
    for other in (jobcenter_colleague, provider_staff, coordinator):
        assert keys_of(other) == set(), other.username


def test_a_follow_up_set_for_a_colleague_is_the_colleagues_task(
    city: City, case_worker: User, jobcenter_colleague: User, client_of_jobcenter: Person
) -> None:
    theirs = follow_up(case_worker, client_of_jobcenter, due_on=days(3), worker="colleague")
    assert keys_of(jobcenter_colleague) == {f"follow_up:{theirs.pk}"}
    assert keys_of(case_worker) == set()


def test_an_overdue_follow_up_is_marked_and_a_done_one_is_gone(
    city: City, case_worker: User, client_of_jobcenter: Person
) -> None:
    late = follow_up(case_worker, client_of_jobcenter, due_on=days(-3))
    [task] = tasks_of(case_worker)
    assert task.overdue and task.due == days(-3)
    follow_up_done_as(viewer_for(case_worker), follow_up_id=late.pk, view="tests")
    assert tasks_of(case_worker) == []


def test_a_follow_up_beyond_two_weeks_waits_until_asked_for(
    city: City, case_worker: User, client_of_jobcenter: Person
) -> None:
    later = follow_up(case_worker, client_of_jobcenter, due_on=days(15))
    assert keys_of(case_worker) == set()
    assert keys_of(case_worker, until=days(20)) == {f"follow_up:{later.pk}"}


def test_the_follow_up_of_a_person_whose_consent_was_withdrawn_disappears(
    city: City, case_worker: User, client_of_jobcenter: Person
) -> None:
    follow_up(case_worker, client_of_jobcenter, due_on=today())
    consent = Consent.objects.get(person=client_of_jobcenter)
    consent_withdraw(consent=consent)
    assert tasks_of(case_worker) == []
    assert due_count(viewer_for(case_worker)) == 0


# -- appointments ----------------------------------------------------------------------


def test_appointments_of_the_worker_today_and_those_still_to_be_recorded(
    city: City, case_worker: User, jobcenter_colleague: User, client_of_jobcenter: Person
) -> None:
    coming = appointment(case_worker, client_of_jobcenter, on=today(), at=dt.time(23, 0))
    unrecorded = appointment(case_worker, client_of_jobcenter, on=days(-2))
    cancelled = appointment(case_worker, client_of_jobcenter, on=days(1))
    appointment_cancel_as(viewer_for(case_worker), appointment_id=cancelled.pk, view="tests")
    tasks = {task.key: task for task in tasks_of(case_worker)}
    assert set(tasks) == {f"appointment:{coming.pk}", f"appointment:{unrecorded.pk}"}
    assert not tasks[f"appointment:{coming.pk}"].overdue
    assert tasks[f"appointment:{unrecorded.pk}"].overdue  # held or not: still to record
    assert tasks[f"appointment:{coming.pk}"].at == coming.starts_at
    assert keys_of(jobcenter_colleague) == set()


# -- agreements ------------------------------------------------------------------------


def test_an_agreement_review_goes_to_the_organisations_case_workers(
    city: City,
    case_worker: User,
    jobcenter_colleague: User,
    provider_staff: User,
    other_provider_staff: User,
    shared_person: Person,
) -> None:
    plan = agreement(case_worker, shared_person, city.jobcenter, review_on=days(5))
    key = f"agreement_review:{plan.pk}"
    assert key in keys_of(case_worker) and key in keys_of(jobcenter_colleague)
    # Provider A also works on the person, but the agreement is the Jobcenter's.
    assert key not in keys_of(provider_staff) and key not in keys_of(other_provider_staff)
    [task] = [t for t in tasks_of(case_worker) if t.key == key]
    assert task.url == f"/persons/{shared_person.public_id}/agreements/{plan.pk}/"


def test_with_a_responsible_worker_only_that_worker_gets_the_review(
    city: City, case_worker: User, jobcenter_colleague: User, client_of_jobcenter: Person
) -> None:
    plan = agreement(case_worker, client_of_jobcenter, city.jobcenter, review_on=days(5))
    responsibility_set_as(
        viewer_for(case_worker), public_id=client_of_jobcenter.public_id, worker="colleague"
    )
    key = f"agreement_review:{plan.pk}"
    assert key in keys_of(jobcenter_colleague)
    assert key not in keys_of(case_worker)


def test_an_overdue_guarantee_is_a_task_of_the_guaranteeing_provider(
    city: City,
    case_worker: User,
    provider_staff: User,
    other_provider_staff: User,
    shared_person: Person,
) -> None:
    plan = agreement(
        case_worker,
        shared_person,
        city.jobcenter,
        concluded_on=days(-40),
        review_on=days(40),
        guarantor=city.provider_a,
        guarantee_due=days(-1),
        person_item_due=days(-2),
    )
    guarantee = plan.items.get(side="institution")
    own_step = plan.items.get(side="person")
    assert f"agreement_item:{guarantee.pk}" in keys_of(provider_staff)
    assert f"agreement_item:{guarantee.pk}" not in keys_of(other_provider_staff)
    # The person's own step is followed up by the agreement's organisation.
    assert f"agreement_item:{own_step.pk}" in keys_of(case_worker)
    assert f"agreement_item:{own_step.pk}" not in keys_of(provider_staff)
    [task] = [t for t in tasks_of(provider_staff) if t.kind == "agreement_item"]
    assert task.overdue and task.url.endswith(f"/agreements/{plan.pk}/#item-{guarantee.pk}")


def test_a_guarantee_with_a_named_worker_is_that_workers_task(
    city: City, case_worker: User, jobcenter_colleague: User, client_of_jobcenter: Person
) -> None:
    plan = agreement(
        case_worker,
        client_of_jobcenter,
        city.jobcenter,
        concluded_on=days(-40),
        review_on=days(40),
        guarantee_due=days(-1),
        guarantee_worker="colleague",
    )
    guarantee = plan.items.get(side="institution")
    assert f"agreement_item:{guarantee.pk}" in keys_of(jobcenter_colleague)
    assert f"agreement_item:{guarantee.pk}" not in keys_of(case_worker)


# -- referrals -------------------------------------------------------------------------


def test_a_referral_waits_for_the_answer_of_the_offers_provider_only(
    city: City, coordinator: User, provider_staff: User, other_provider_staff: User
) -> None:
    person = make_person(city, consent_orgs=[city.provider_a])
    referral = sent_referral(coordinator, person, city.offer_a, sent_days_ago=12)
    [task] = [t for t in tasks_of(provider_staff) if t.kind == "referral_answer"]
    assert task.key == f"referral_answer:{referral.pk}"
    assert task.due == days(2) and not task.overdue  # answer within 14 days of sending
    assert task.person == person.public_id
    assert "Werkstatt A" in task.title
    assert task.url == f"/referrals/?offer=o-a#referral-{referral.pk}"
    assert keys_of(other_provider_staff) == set()


def test_a_referral_to_answer_without_consent_shows_no_pseudonym(
    city: City, coordinator: User, provider_staff: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    sent_referral(coordinator, person, city.offer_a)
    [task] = tasks_of(provider_staff)
    assert task.kind == "referral_answer" and task.person is None and task.person_name is None


def test_the_city_follows_the_referrals_it_sent(
    city: City, coordinator: User, case_worker: User, client_of_jobcenter: Person
) -> None:
    by_case_worker = sent_referral(case_worker, client_of_jobcenter, city.offer_b)
    by_coordinator = sent_referral(coordinator, client_of_jobcenter, city.offer_a)
    assert f"referral_waiting:{by_case_worker.pk}" in keys_of(case_worker)
    assert f"referral_waiting:{by_coordinator.pk}" not in keys_of(case_worker)
    assert f"referral_waiting:{by_coordinator.pk}" in keys_of(coordinator)
    [task] = [t for t in tasks_of(case_worker) if t.kind == "referral_waiting"]
    assert task.url == f"/persons/{client_of_jobcenter.public_id}/#referrals-heading"


# -- consents --------------------------------------------------------------------------


def test_a_consent_running_out_within_30_days_is_a_task_of_the_covered_organisation(
    city: City, case_worker: User, provider_staff: User, coordinator: User
) -> None:
    ending = make_person(city, consent_orgs=[city.jobcenter], valid_until=days(20))
    make_person(city, given_name="Lang", consent_orgs=[city.jobcenter], valid_until=days(40))
    [task] = tasks_of(case_worker)
    assert task.kind == "consent_expiring" and task.person == ending.public_id
    assert task.due == days(20)
    assert task.url == f"/persons/{ending.public_id}/#consents-heading"
    assert tasks_of(provider_staff) == []
    assert tasks_of(coordinator) == []  # the city is not covered


def test_a_consent_followed_by_a_new_one_is_no_task(city: City, case_worker: User) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter], valid_until=days(20))
    consent_give(
        person=person,
        purposes=["counselling"],
        organisations=[city.jobcenter],
        valid_from=days(21),
        valid_until=None,
    )
    assert tasks_of(case_worker) == []


# -- conference commitments ------------------------------------------------------------


def test_a_commitment_is_a_task_of_its_owner_organisation_until_done(
    city: City, provider_staff: User, other_provider_staff: User, coordinator: User
) -> None:
    promise = commitment(city.provider_a, city.city, due_on=days(5))
    [task] = tasks_of(provider_staff)
    assert task.key == f"commitment:{promise.pk}" and task.person is None
    assert task.url == f"/conference/commitments/{promise.pk}/"
    assert tasks_of(other_provider_staff) == [] and tasks_of(coordinator) == []
    commitment_update_status(commitment=promise, status="done", by=coordinator)
    assert tasks_of(provider_staff) == []


def test_an_analyst_gets_commitments_but_never_a_task_about_a_person(
    city: City, analyst: User, coordinator: User
) -> None:
    person = make_person(city, consent_orgs=[city.statistics], valid_until=days(10))
    sent_referral(coordinator, person, city.offer_a)
    promise = commitment(city.statistics, city.city, due_on=days(-1))
    [task] = tasks_of(analyst)
    assert task.key == f"commitment:{promise.pk}" and task.overdue


@pytest.mark.parametrize("persona", ["platform_admin", "outsider"])
def test_admins_and_users_without_membership_have_no_tasks(
    persona: str, request: pytest.FixtureRequest, city: City
) -> None:
    commitment(city.city, city.jobcenter, due_on=today())
    user = request.getfixturevalue(persona)
    assert tasks_of(user) == [] and due_count(viewer_for(user)) == 0


# -- names, audit, order, count ---------------------------------------------------------


def test_names_only_where_the_user_sees_personal_data_and_each_read_is_audited(
    city: City, coordinator: User, case_worker: User
) -> None:
    with_consent = make_person(
        city, given_name="Lea", family_name="Lesbar", consent_orgs=[city.city, city.jobcenter]
    )
    without = make_person(
        city, given_name="Ole", family_name="Ohnename", consent_orgs=[city.jobcenter]
    )
    sent_referral(coordinator, with_consent, city.offer_a)
    sent_referral(coordinator, without, city.offer_b)
    reading = Reading(view="tests.tasks", purpose=Purpose.COUNSELLING)
    tasks = tasks_for(viewer_for(coordinator), reading=reading)
    names = {task.person: task.person_name for task in tasks}
    assert names == {with_consent.public_id: "Lea Lesbar", without.public_id: None}
    audited = AuditEvent.objects.filter(view="tests.tasks")
    # One event for the read; names read of one person, the pseudonym of the other.
    (event,) = audited
    reads = dict(person_reads(event))
    assert set(reads) == {with_consent.public_id, without.public_id}
    assert "family_name" in reads[with_consent.public_id]
    assert reads[without.public_id] == ["pseudonymous"]
    # Read for a mail, a task names nobody and reads nothing more.
    assert all(task.person_name is None for task in tasks_for(viewer_for(coordinator)))
    assert AuditEvent.objects.filter(view="tests.tasks").count() == 1


def test_case_content_is_read_only_for_a_page_and_then_audited(
    city: City, case_worker: User, client_of_jobcenter: Person
) -> None:
    follow_up(case_worker, client_of_jobcenter, due_on=today(), reason="Zeugnis nachreichen")
    [for_mail] = tasks_of(case_worker)
    assert for_mail.detail == ""
    [for_page] = tasks_of(
        case_worker, reading=Reading(view="tests.tasks", purpose=Purpose.COUNSELLING)
    )
    assert for_page.detail == "Zeugnis nachreichen"
    fields = sorted(tuple(event.fields) for event in AuditEvent.objects.filter(view="tests.tasks"))
    assert ("follow_ups",) in fields


def test_tasks_come_soonest_first_and_fall_into_days(
    city: City, case_worker: User, client_of_jobcenter: Person
) -> None:
    follow_up(case_worker, client_of_jobcenter, due_on=days(9), reason="später")
    follow_up(case_worker, client_of_jobcenter, due_on=days(-1), reason="gestern")
    follow_up(case_worker, client_of_jobcenter, due_on=today(), reason="heute")
    tasks = tasks_of(case_worker)
    assert [t.due for t in tasks] == [days(-1), today(), days(9)]
    groups = by_day(tasks, today())
    assert [g.key for g in groups][:2] == ["overdue", "today"]


def test_days_are_overdue_today_tomorrow_this_week_and_later() -> None:
    from doconnect.casework.tasks import Task

    monday = dt.date(2026, 11, 23)

    def task(due: dt.date) -> Task:
        return Task(key=str(due), kind="follow_up", due=due, title="", url="", overdue=False)

    dues = [monday - dt.timedelta(days=1), monday, monday + dt.timedelta(days=1)]
    dues += [monday + dt.timedelta(days=6), monday + dt.timedelta(days=7)]
    groups = by_day([task(d) for d in dues], monday)
    assert [(g.key, [t.due for t in g.tasks]) for g in groups] == [
        ("overdue", [dues[0]]),
        ("today", [dues[1]]),
        ("tomorrow", [dues[2]]),
        ("this_week", [dues[3]]),  # Sunday
        ("later", [dues[4]]),
    ]


def test_the_count_is_what_is_due_today_or_overdue_in_one_query(
    city: City, case_worker: User, provider_staff: User, coordinator: User, shared_person: Person
) -> None:
    follow_up(case_worker, shared_person, due_on=days(-2))
    follow_up(case_worker, shared_person, due_on=today())
    follow_up(case_worker, shared_person, due_on=days(1))  # not due yet
    appointment(case_worker, shared_person, on=today(), at=dt.time(23, 30))
    agreement(case_worker, shared_person, city.jobcenter, review_on=today())
    sent_referral(case_worker, shared_person, city.offer_b, sent_days_ago=14)  # answer by today
    commitment(city.jobcenter, city.city, due_on=days(-1))
    viewer = viewer_for(case_worker)
    with CaptureQueriesContext(connection) as captured:
        count = due_count(viewer)
    assert len(captured) == 1
    due = [t for t in tasks_for(viewer) if t.due <= today()]
    assert count == len(due) == 6


def test_a_user_in_two_roles_gets_the_tasks_of_both(
    city: City, coordinator: User, provider_staff: User
) -> None:
    from doconnect.core.models import Membership

    Membership.objects.create(
        user=provider_staff, organisation=city.jobcenter, role=Role.CASE_WORKER
    )
    person = participant(city, city.offer_a, [city.jobcenter, city.provider_a])
    follow_up(provider_staff, person, due_on=today(), organisation="jc")
    sent_referral(coordinator, make_person(city, consent_orgs=[city.provider_a]), city.offer_a)
    assert {t.kind for t in tasks_of(provider_staff)} == {"follow_up", "referral_answer"}


def test_the_window_can_start_later(
    city: City, case_worker: User, client_of_jobcenter: Person
) -> None:
    follow_up(case_worker, client_of_jobcenter, due_on=days(-1))
    soon = follow_up(case_worker, client_of_jobcenter, due_on=days(2))
    assert keys_of(case_worker, since=today()) == {f"follow_up:{soon.pk}"}
    assert timezone.localdate() == today()
