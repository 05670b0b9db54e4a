"""The allocation pages: a coordinator sets the weights, runs an allocation in the
background, reviews it against first come first served, reads a person's explanation
and sends the proposals in one step; everybody else is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from doconnect.allocation.jobs import ALLOCATION_JOB, allocation_job_params
from doconnect.allocation.models import AllocationOutcome, AllocationRun, PriorityWeightSet
from doconnect.allocation.selectors import run_proposals_by_provider
from doconnect.allocation.services import Scope, allocation_run, priority_weights_record
from doconnect.core.jobs import job_start
from doconnect.core.models import AuditEvent, Job, JobStatus
from doconnect.offers.models import Offer
from doconnect.referrals.models import Referral, ReferralStatus
from tests.conftest import TODAY, City, count_queries, logged_in, waiting

pytestmark = pytest.mark.usefixtures("fixed_today")


@pytest.fixture
def inline(settings: Any) -> None:
    settings.JOBS_RUNNER = "inline"


@pytest.fixture
def two_waiting(scarce: City, coordinator: User) -> tuple[Any, Any]:
    """Ben (youth, weight 2) gets the one place; Anna (no group) does not."""
    anna = waiting(scarce, "Anna", youth=False)
    ben = waiting(scarce, "Ben")
    priority_weights_record(
        target_groups={scarce.youth.code: 2},
        support_needs={"Kinderbetreuung": 1},
        note="Junge Menschen zuerst",
        recorded_by=coordinator,
    )
    return anna, ben


@pytest.fixture
def run(two_waiting: tuple[Any, Any], coordinator: User) -> AllocationRun:
    return allocation_run(started_by=coordinator, scope=Scope(), day=TODAY)


# --------------------------------------------------------------------------- access


@pytest.mark.parametrize(
    "persona", ["case_worker", "provider_staff", "analyst", "outsider", "platform_admin"]
)
def test_only_coordinators_open_the_allocation_pages(
    request: pytest.FixtureRequest, persona: str, run: AllocationRun
) -> None:
    client = logged_in(request.getfixturevalue(persona))
    anna = run.outcomes.filter(offer__isnull=True).get().person

    for url in (
        reverse("web:allocation"),
        reverse("web:allocation_weights"),
        reverse("web:allocation_run", args=[run.pk]),
        reverse("web:allocation_person", args=[run.pk, anna.public_id]),
    ):
        assert client.get(url).status_code == 403, url
    for name in ("web:allocation_send", "web:allocation_withdraw"):
        assert client.get(reverse(name, args=[run.pk])).status_code == 403
        assert client.post(reverse(name, args=[run.pk]), {"expected": 1}).status_code == 403
    assert not Referral.objects.exclude(status=ReferralStatus.PROPOSED).exists()


def test_an_anonymous_visitor_is_sent_to_the_login(run: AllocationRun) -> None:
    response = Client().get(reverse("web:allocation_run", args=[run.pk]))

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_unknown_run_is_not_found(coordinator: User, city: City) -> None:
    assert logged_in(coordinator).get(reverse("web:allocation_run", args=[999])).status_code == 404


# --------------------------------------------------------------------------- running


def test_a_coordinator_runs_an_allocation_and_lands_on_its_review(
    two_waiting: tuple[Any, Any],
    coordinator: User,
    inline: None,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = logged_in(coordinator)
    assert "Junge Menschen zuerst" in client.get(reverse("web:allocation")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("web:allocation"), {"kinds": ["low_threshold"]})

    job = Job.objects.get(kind=ALLOCATION_JOB)
    assert started.status_code == 302 and started["Location"] == reverse(
        "web:job_status", args=[job.pk]
    )
    assert job.status == JobStatus.DONE and job.params["scope"]["kinds"] == ["low_threshold"]
    run = AllocationRun.objects.get(pk=job.result["run"])
    assert run.started_by == coordinator and run.summary["assigned"] == 1
    done = client.get(started["Location"])
    assert done.status_code == 302 and done["Location"] == reverse(
        "web:allocation_run", args=[run.pk]
    )
    page = client.get(done["Location"]).content.decode()
    assert "Werkstatt A" in page and "Ohne Platz: 0 ohne passenden Platz, 1 weil" in page


def test_the_progress_page_shows_the_phase_and_polls_until_the_job_is_done(
    two_waiting: tuple[Any, Any], coordinator: User
) -> None:
    job = Job.objects.create(
        kind=ALLOCATION_JOB,
        params=allocation_job_params(Scope(), TODAY),
        status=JobStatus.RUNNING,
        phase="solving",
        step=1,
        steps=3,
        started_by=coordinator,
    )
    client = logged_in(coordinator)
    url = reverse("web:job_status", args=[job.pk])

    page = client.get(url).content.decode()
    partial = client.get(url, HTTP_HX_REQUEST="true")

    assert "Schritt 2 von 3: Optimale Zuteilung berechnen" in page
    assert 'value="33"' in page and f'hx-get="{url}"' in page
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, result={"run": 7})
    finished = client.get(url, HTTP_HX_REQUEST="true")
    assert finished.status_code == 204
    assert finished["HX-Redirect"] == reverse("web:allocation_run", args=[7])


def test_a_failed_run_says_why_and_that_nothing_was_stored(coordinator: User, city: City) -> None:
    job = Job.objects.create(
        kind=ALLOCATION_JOB, status=JobStatus.FAILED, error="Die Datenbank war weg."
    )

    page = logged_in(coordinator).get(reverse("web:job_status", args=[job.pk])).content.decode()

    assert "Die Datenbank war weg." in page and "Es wurde nichts gespeichert" in page
    assert "hx-get" not in page  # no more polling


def test_case_workers_cannot_watch_an_allocation_job(case_worker: User, city: City) -> None:
    job = Job.objects.create(kind=ALLOCATION_JOB)

    assert logged_in(case_worker).get(reverse("web:job_status", args=[job.pk])).status_code == 403


def test_a_second_run_while_one_is_running_is_refused_next_to_the_form(
    two_waiting: tuple[Any, Any], coordinator: User
) -> None:
    job_start(
        kind=ALLOCATION_JOB, params=allocation_job_params(Scope(), TODAY), started_by=coordinator
    )  # queued (the test transaction never commits)

    response = logged_in(coordinator).post(reverse("web:allocation"), {})

    assert response.status_code == 400
    assert "Es läuft schon eine Berechnung" in response.content.decode()
    assert Job.objects.count() == 1


def test_an_unknown_district_in_the_scope_is_refused_and_nothing_starts(
    two_waiting: tuple[Any, Any], coordinator: User
) -> None:
    response = logged_in(coordinator).post(reverse("web:allocation"), {"district": "Atlantis"})

    assert response.status_code == 400 and not Job.objects.exists()
    assert "kern-error" in response.content.decode()


# --------------------------------------------------------------------------- reviewing


def test_the_review_compares_with_first_come_first_served_by_group_and_district(
    run: AllocationRun, coordinator: User, scarce: City
) -> None:
    page = logged_in(coordinator).get(reverse("web:allocation_run", args=[run.pk]))
    html = page.content.decode()

    assert page.status_code == 200
    assert "Jugendliche" in html and "ohne Zielgruppe" in html and "Eving" in html
    ben = AllocationOutcome.objects.get(run=run, offer__isnull=False)
    assert ben.district == "Eving" and ben.target_groups == [scarce.youth.code]
    # First come first served fills the one place too, with whoever comes first.
    assert run.outcomes.filter(greedy_offer=scarce.offer_a).count() == 1
    assert "Alle Vorschläge senden" in html


def test_the_review_filters_persons_without_a_place(
    run: AllocationRun, coordinator: User, two_waiting: tuple[Any, Any]
) -> None:
    anna, ben = two_waiting
    client = logged_in(coordinator)

    unplaced = client.get(reverse("web:allocation_run", args=[run.pk]), {"placed": "unplaced"})
    by_group = client.get(
        reverse("web:allocation_run", args=[run.pk]), {"target_group": "youth_difficult_start"}
    )

    assert anna.public_id in unplaced.content.decode()
    assert ben.public_id not in unplaced.content.decode()
    assert ben.public_id in by_group.content.decode()
    assert anna.public_id not in by_group.content.decode()


def test_the_review_needs_the_same_queries_for_many_persons(
    scarce: City, coordinator: User
) -> None:
    for i in range(3):
        waiting(scarce, f"P{i}")
    few = allocation_run(started_by=coordinator, scope=Scope(), day=TODAY, propose=False)
    for i in range(12):
        waiting(scarce, f"Q{i}")
    many = allocation_run(started_by=coordinator, scope=Scope(), day=TODAY, propose=False)
    client = logged_in(coordinator)

    assert many.summary["persons"] > few.summary["persons"]
    assert count_queries(client, reverse("web:allocation_run", args=[many.pk])) == count_queries(
        client, reverse("web:allocation_run", args=[few.pk])
    )


def test_a_persons_explanation_adds_up_and_is_audited(
    run: AllocationRun, coordinator: User, two_waiting: tuple[Any, Any]
) -> None:
    anna, ben = two_waiting
    client = logged_in(coordinator)

    placed = client.get(reverse("web:allocation_person", args=[run.pk, ben.public_id]))
    left = client.get(reverse("web:allocation_person", args=[run.pk, anna.public_id]))

    html = placed.content.decode()
    assert "Priorität 3" in html and "Jugendliche" in html and "Werkstatt A" in html
    assert "im eigenen Stadtbezirk oder stadtweit" in html
    other = left.content.decode()
    assert "passende Plätze vergeben" in other
    assert "an Personen mit höherer Priorität (mindestens 3, hier 1)" in other
    audit = AuditEvent.objects.filter(view="web.allocation_person")
    assert sorted(audit.values_list("person_public_id", flat=True)) == sorted(
        [anna.public_id, ben.public_id]
    )
    assert all(event.fields == ["allocation"] for event in audit)


def test_a_person_not_in_the_run_is_not_found(
    run: AllocationRun, coordinator: User, scarce: City
) -> None:
    stranger = waiting(scarce, "Zoe")

    response = logged_in(coordinator).get(
        reverse("web:allocation_person", args=[run.pk, stranger.public_id])
    )

    assert response.status_code == 404


# --------------------------------------------------------------------------- sending


def test_sending_sends_every_proposal_of_the_run_in_one_step(
    run: AllocationRun, coordinator: User
) -> None:
    client = logged_in(coordinator)
    response = client.post(reverse("web:allocation_send", args=[run.pk]), {"expected": 1})

    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.status == ReferralStatus.SENT and referral.sent_at is not None
    assert referral.events.filter(to_status=ReferralStatus.SENT, actor=coordinator).exists()
    page = client.get(response["Location"]).content.decode()
    assert "1 Zuweisung an den Träger gesendet." in page
    assert "Alle Vorschläge senden" not in page


def test_withdrawing_cancels_the_proposals_and_the_persons_wait_again(
    run: AllocationRun, coordinator: User
) -> None:
    logged_in(coordinator).post(reverse("web:allocation_withdraw", args=[run.pk]), {"expected": 1})

    assert Referral.objects.get().status == ReferralStatus.CANCELLED
    again = allocation_run(started_by=coordinator, scope=Scope(), day=TODAY)
    assert again.summary["persons"] == 2


def test_sending_first_shows_what_it_will_do_per_provider(
    run: AllocationRun, coordinator: User
) -> None:
    page = logged_in(coordinator).get(reverse("web:allocation_send", args=[run.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "1 vorgeschlagene Zuweisung an 1 Träger." in html
    assert "Träger A" in html and "Ja, alle senden" in html
    assert not Referral.objects.exclude(
        status=ReferralStatus.PROPOSED
    ).exists()  # a GET sends nothing


def test_a_post_without_confirmation_sends_nothing(run: AllocationRun, coordinator: User) -> None:
    response = logged_in(coordinator).post(reverse("web:allocation_send", args=[run.pk]))

    assert response.status_code == 400
    assert "Bitte die Übersicht unten bestätigen." in response.content.decode()
    assert Referral.objects.get().status == ReferralStatus.PROPOSED


def test_proposals_changed_since_the_confirmation_are_not_sent(
    run: AllocationRun, coordinator: User
) -> None:
    # The coordinator confirmed two, but only one is proposed: nothing happens.
    response = logged_in(coordinator).post(
        reverse("web:allocation_send", args=[run.pk]), {"expected": 2}
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "jetzt 1 statt 2" in html
    assert 'name="expected" value="1"' in html  # the current number, to confirm again
    assert Referral.objects.get().status == ReferralStatus.PROPOSED


def test_the_confirmation_page_needs_the_same_queries_for_more_providers(
    scarce: City, coordinator: User
) -> None:
    client = logged_in(coordinator)
    client.get(reverse("web:allocation"))  # a session's first page may do more, once
    waiting(scarce, "Anna")
    one = allocation_run(started_by=coordinator, scope=Scope(), day=TODAY)
    few = count_queries(client, reverse("web:allocation_send", args=[one.pk]))
    Offer.objects.filter(pk=scarce.offer_b.pk).update(capacity=5)
    for name in ("Bea", "Cem", "Dana"):
        waiting(scarce, name)
    more = allocation_run(started_by=coordinator, scope=Scope(), day=TODAY)
    assert len(run_proposals_by_provider(more)) == 2
    assert count_queries(client, reverse("web:allocation_send", args=[more.pk])) == few


# --------------------------------------------------------------------------- weights


def test_a_coordinator_records_weights_with_a_reason(coordinator: User, scarce: City) -> None:
    waiting(scarce, "Carla")
    client = logged_in(coordinator)
    form = client.get(reverse("web:allocation_weights")).context["form"]
    data = {name: 0 for name, _ in form.group_names + form.need_names}
    group_field = next(name for name, code in form.group_names if code == scarce.youth.code)
    data[group_field] = 4
    data["note"] = "Schulabgänger ohne Abschluss zuerst"

    response = client.post(reverse("web:allocation_weights"), data)

    assert response.status_code == 302
    recorded = PriorityWeightSet.objects.get()
    assert recorded.target_groups == {scarce.youth.code: 4} and recorded.support_needs == {}
    assert recorded.recorded_by == coordinator
    assert recorded.note == "Schulabgänger ohne Abschluss zuerst"


def test_weights_without_a_reason_or_below_zero_are_refused_and_nothing_is_recorded(
    coordinator: User, scarce: City
) -> None:
    client = logged_in(coordinator)
    form = client.get(reverse("web:allocation_weights")).context["form"]
    first = form.group_names[0][0]

    no_reason = client.post(reverse("web:allocation_weights"), {first: 2, "note": ""})
    negative = client.post(reverse("web:allocation_weights"), {first: -1, "note": "x"})

    assert no_reason.status_code == 400 and negative.status_code == 400
    assert not PriorityWeightSet.objects.exists()
    assert "kern-error" in negative.content.decode()


def test_earlier_weights_stay_visible_in_the_history(
    two_waiting: tuple[Any, Any], coordinator: User, scarce: City
) -> None:
    priority_weights_record(
        target_groups={}, support_needs={}, note="Alle gleich", recorded_by=coordinator
    )

    html = logged_in(coordinator).get(reverse("web:allocation_weights")).content.decode()

    assert "Alle gleich" in html and "Junge Menschen zuerst" in html
