"""The next steps' ground is computed once, stored and shared by every process; a write
to what it was computed from makes the pages rank against it, with its date, until the
worker has computed the next; a write to anything else (a booking) leaves it current."""

from __future__ import annotations

import datetime as dt
import pickle
from typing import Any

import pytest
from django.db.models import F

from doconnect.core import warmup
from doconnect.core.jobs import job_execute
from doconnect.core.models import Job, JobStatus
from doconnect.offers.models import FollowOn, Offer
from doconnect.pathways import next_steps
from doconnect.pathways.models import NextStepsGround
from doconnect.pathways.next_steps import GROUND_JOB, PersonNextSteps, next_steps_for
from doconnect.people.models import Person, Spell
from doconnect.referrals.models import Referral
from tests.conftest import TODAY, City, make_person


@pytest.fixture(autouse=True)
def rebuilt_at_every_change(settings: Any) -> None:
    """These tests follow each change to its rebuild; the interval between rebuilds
    (``DOCONNECT_KEPT_REBUILD_MINUTES``) has tests of its own."""
    settings.KEPT_REBUILD_MINUTES = 0


def step_b(found: PersonNextSteps) -> Any:
    (step,) = [s for s in found.result.steps if s.offer == "o-b"]
    return step


def leave_o_b(city: City, name: str) -> Person:
    """A person under 25 of the youth group who left o-b in March 2025 and reached no
    goal since."""
    person = make_person(city, given_name=name)
    Person.objects.filter(pk=person.pk).update(birth_year=2003)
    Spell.objects.create(
        person=person,
        state="offer",
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 3, 31),
        offer=city.offer_b,
    )
    return person


@pytest.fixture
def subject(transactional_db: None, city: City) -> Person:
    FollowOn.objects.create(from_offer=city.offer_a, to_offer=city.offer_b)
    FollowOn.objects.create(from_offer=city.offer_b, destination="employment")
    for i in range(4):
        leave_o_b(city, f"L{i}")
    return make_person(city)  # born 2004, youth: under 25


@pytest.fixture
def analyses(monkeypatch: pytest.MonkeyPatch) -> list[dt.date]:
    """The days the ground was computed for, in this test (the real computation)."""
    done: list[dt.date] = []
    compute = next_steps.ground_compute

    def counted(day: dt.date) -> next_steps.Ground:
        done.append(day)
        return compute(day)

    monkeypatch.setattr(next_steps, "ground_compute", counted)
    return done


def queued_ground_jobs() -> list[Job]:
    return list(Job.objects.filter(kind=GROUND_JOB, status=JobStatus.QUEUED))


def test_the_ground_is_computed_once_stored_and_read_by_another_process(
    subject: Person, analyses: list[dt.date], django_assert_num_queries: Any
) -> None:
    first = next_steps_for(subject, goal="employment", today=TODAY)
    assert first.current
    assert analyses == [TODAY]
    assert NextStepsGround.objects.count() == 1
    # Another process: nothing unpickled yet, the row is read rather than computed.
    next_steps._loaded.clear()
    again = next_steps_for(subject, goal="employment", today=TODAY)
    assert analyses == [TODAY]
    assert again.result == first.result
    assert again.computed_at == first.computed_at
    # Warm: the person's facts (2), the counters of the ground and its newest row (2),
    # the counters of the free places (1).
    with django_assert_num_queries(5):
        next_steps_for(subject, goal="employment", today=TODAY)


def test_a_new_spell_changes_the_next_steps_once_the_worker_computed_the_ground(
    subject: Person, city: City, analyses: list[dt.date]
) -> None:
    before = next_steps_for(subject, goal="employment", today=TODAY)
    # Four leavers like the subject: too few to judge.
    assert step_b(before).factors[-1].code == "too_few_leavers"

    leave_o_b(city, "L4")  # the fifth: a new spell the ground is computed from
    meanwhile = next_steps_for(subject, goal="employment", today=TODAY)
    # The page does not wait: the older ground, with its date, and the worker asked.
    assert not meanwhile.current
    assert meanwhile.computed_at == before.computed_at
    assert step_b(meanwhile).factors[-1].code == "too_few_leavers"
    assert analyses == [TODAY]
    (job,) = queued_ground_jobs()
    # A second page meanwhile queues no second job.
    next_steps_for(subject, goal="employment", today=TODAY)
    assert len(queued_ground_jobs()) == 1

    ran = job_execute(job.pk)  # what doconnect worker runs
    assert ran.status == JobStatus.DONE
    assert ran.result["computed"] is True
    after = next_steps_for(subject, goal="employment", today=TODAY)
    assert after.current
    assert after.computed_at > before.computed_at
    # Five of them now, none reached a goal: judged, and poor.
    assert step_b(after).factors[-1].code == "outcome_similar_poor"
    assert NextStepsGround.objects.count() == 1  # the older ground is gone


def test_a_booking_changes_the_free_places_at_once_and_forces_no_new_ground(
    subject: Person, city: City, analyses: list[dt.date]
) -> None:
    booked = make_person(city, given_name="Gebucht")
    before = next_steps_for(subject, goal="employment", today=TODAY)
    row = NextStepsGround.objects.get()
    Referral.objects.create(person=booked, offer=city.offer_b, status="accepted")
    after = next_steps_for(subject, goal="employment", today=TODAY)
    assert step_b(after).free_places == step_b(before).free_places - 1
    assert after.current
    assert analyses == [TODAY]
    assert queued_ground_jobs() == []
    assert NextStepsGround.objects.get().pk == row.pk


def test_an_offers_capacity_shows_at_once_while_the_ground_is_computed_anew(
    subject: Person, city: City
) -> None:
    before = next_steps_for(subject, goal="employment", today=TODAY)
    Offer.objects.filter(pk=city.offer_b.pk).update(capacity=city.offer_b.capacity + 5)
    after = next_steps_for(subject, goal="employment", today=TODAY)
    assert step_b(after).free_places == step_b(before).free_places + 5
    assert not after.current  # offers are part of the ground: the worker is asked
    assert len(queued_ground_jobs()) == 1


def test_a_new_day_ranks_against_yesterdays_ground_until_the_worker_ran(
    subject: Person, analyses: list[dt.date]
) -> None:
    next_steps_for(subject, goal="employment", today=TODAY)
    tomorrow = TODAY + dt.timedelta(days=1)
    found = next_steps_for(subject, goal="employment", today=tomorrow)
    assert not found.current
    assert analyses == [TODAY]
    (job,) = queued_ground_jobs()
    assert job_execute(job.pk).status == JobStatus.DONE
    assert analyses == [TODAY, tomorrow]
    assert next_steps_for(subject, goal="employment", today=tomorrow).current


def test_the_worker_computes_nothing_when_the_ground_is_already_current(
    subject: Person, analyses: list[dt.date]
) -> None:
    next_steps_for(subject, goal="employment", today=TODAY)
    job = Job.objects.create(kind=GROUND_JOB, steps=1, params={"day": TODAY.isoformat()})
    done = job_execute(job.pk)
    assert done.status == JobStatus.DONE
    assert done.result == {"computed": False}
    assert len(analyses) == 1


def test_inside_a_transaction_the_ground_is_computed_and_not_stored(
    city: City, analyses: list[dt.date]
) -> None:
    # The ``city`` fixture runs inside the test's transaction.
    next_steps_for(make_person(city), today=TODAY)
    assert analyses == [TODAY]
    assert NextStepsGround.objects.count() == 0


def test_a_ground_an_older_release_pickled_is_computed_anew_rather_than_misread(
    subject: Person, analyses: list[dt.date]
) -> None:
    NextStepsGround.objects.create(
        day=TODAY, versions={"format": 0}, data=b"\x80\x05\x95not a ground"
    )
    found = next_steps_for(subject, goal="employment", today=TODAY)
    assert found.current
    assert analyses == [TODAY]
    assert NextStepsGround.objects.get().versions["format"] == next_steps.GROUND_FORMAT


def test_a_readable_ground_of_an_older_format_is_not_shown_but_computed_anew(
    subject: Person, analyses: list[dt.date]
) -> None:
    # Unpickling succeeds, yet the classes it fills have changed shape since (e.g. a
    # field added): such a ground would fail while ranking, so it is never shown.
    next_steps_for(subject, goal="employment", today=TODAY)
    older = NextStepsGround.objects.get()
    older.versions = {**older.versions, "format": next_steps.GROUND_FORMAT - 1}
    older.save(update_fields=["versions"])
    found = next_steps_for(subject, goal="employment", today=TODAY)
    assert found.current
    assert analyses == [TODAY, TODAY]
    assert NextStepsGround.objects.get().versions["format"] == next_steps.GROUND_FORMAT


class _Planted:
    """What a forged row would make ``pickle.loads`` call."""

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (_planted_calls.append, ("ran",))


_planted_calls: list[str] = []


def plant_a_forged_row(subject: Person) -> None:
    """Someone with write access to the table but not the secret key plants a current
    row (over the ground just stored); this process has unpickled nothing yet."""
    next_steps_for(subject, goal="employment", today=TODAY)
    NextStepsGround.objects.update(data=pickle.dumps(_Planted()))
    next_steps._loaded.clear()


def test_a_row_written_into_the_database_without_the_signature_is_never_unpickled(
    subject: Person, analyses: list[dt.date]
) -> None:
    plant_a_forged_row(subject)
    found = next_steps_for(subject, goal="employment", today=TODAY)
    assert _planted_calls == []
    assert found.current
    assert analyses == [TODAY, TODAY]  # computed anew, not read from the forged row


def test_a_ground_younger_than_the_rebuild_interval_is_shown_and_not_queued_again(
    subject: Person, city: City, settings: Any, analyses: list[dt.date]
) -> None:
    settings.KEPT_REBUILD_MINUTES = 10
    before = next_steps_for(subject, goal="employment", today=TODAY)
    leave_o_b(city, "L4")
    meanwhile = next_steps_for(subject, goal="employment", today=TODAY)
    assert not meanwhile.current and meanwhile.computed_at == before.computed_at
    assert queued_ground_jobs() == []  # computed a moment ago: not again yet
    # Eleven minutes later the next page asks the worker.
    NextStepsGround.objects.update(computed_at=F("computed_at") - dt.timedelta(minutes=11))
    next_steps_for(subject, goal="employment", today=TODAY)
    assert len(queued_ground_jobs()) == 1
    assert analyses == [TODAY]


def test_the_server_loads_the_stored_ground_before_its_workers_fork(
    subject: Person, analyses: list[dt.date], django_assert_num_queries: Any
) -> None:
    next_steps_for(subject, goal="employment", today=TODAY)
    next_steps._loaded.clear()  # a server process that has just started
    warmup.warm()  # what doconnect serve runs before forking (pathways registered it)
    assert len(next_steps._loaded) == 1
    # A page then reads no ground row: the same five queries as when warm.
    with django_assert_num_queries(5):
        found = next_steps_for(subject, goal="employment", today=TODAY)
    assert found.current and analyses == [TODAY]


def test_warming_without_a_stored_ground_loads_nothing_and_computes_nothing(
    subject: Person, analyses: list[dt.date]
) -> None:
    next_steps._loaded.clear()
    warmup.warm()
    assert len(next_steps._loaded) == 0 and analyses == []


def test_a_forged_ground_row_is_not_unpickled_by_the_warm_up_either(
    subject: Person, analyses: list[dt.date]
) -> None:
    plant_a_forged_row(subject)
    warmup.warm()
    assert _planted_calls == [] and len(next_steps._loaded) == 0
