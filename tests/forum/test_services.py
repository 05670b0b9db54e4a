"""The conference's writes: numbering of the agenda, minutes that become final, public
flags that follow their decision, and commitment status changes that are recorded and
need a reason where the status says something went wrong."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from doconnect.forum.models import CommitmentStatus, CommitmentUpdate, SessionStatus
from doconnect.forum.services import (
    agenda_item_add,
    commitment_create,
    commitment_publish,
    commitment_update_status,
    decision_publish,
    decision_record,
    document_add,
    minutes_record,
    session_create,
)
from tests.conftest import TODAY, City
from tests.forum.fixtures import Conference


def test_agenda_items_are_numbered_in_order(conference: Conference) -> None:
    second = agenda_item_add(session=conference.session, title="Haushalt")
    assert (conference.item.position, second.position) == (1, 2)


def test_a_working_group_session_needs_its_working_group(city: City) -> None:
    with pytest.raises(ValidationError) as refused:
        session_create(title="AG", kind="working_group", date=TODAY, convener=city.city)
    assert "working_group" in refused.value.message_dict


def test_a_document_needs_a_link_or_a_text(conference: Conference) -> None:
    with pytest.raises(ValidationError):
        document_add(session=conference.session, title="leer")
    assert document_add(session=conference.session, title="Link", url="https://a.example").pk


def test_recording_minutes_marks_the_session_held_and_approved_minutes_stay(
    conference: Conference, coordinator: User
) -> None:
    minutes_record(session=conference.session, body="Entwurf", approve=False, by=coordinator)
    conference.session.refresh_from_db()
    assert conference.session.status == SessionStatus.HELD
    minutes = minutes_record(session=conference.session, body="Final", approve=True, by=coordinator)
    assert minutes.approved_at is not None and minutes.body == "Final"
    with pytest.raises(ValidationError) as refused:
        minutes_record(session=conference.session, body="Nachträglich", approve=False, by=None)
    assert refused.value.error_dict["body"][0].code == "approved"


def test_a_decision_takes_only_its_own_sessions_agenda_items(
    conference: Conference, city: City
) -> None:
    other = session_create(title="Andere", kind="plenary", date=TODAY, convener=city.city)
    with pytest.raises(ValidationError):
        decision_record(session=other, text="x", agenda_item=conference.item)


def test_a_commitment_is_public_only_under_a_public_decision(
    conference: Conference, city: City
) -> None:
    with pytest.raises(ValidationError):
        commitment_create(
            decision=conference.internal_decision,
            owner=city.city,
            what="x",
            due_on=TODAY,
            public=True,
        )
    with pytest.raises(ValidationError):
        commitment_publish(commitment=conference.provider_commitment, public=True)


def test_taking_a_decision_off_the_public_log_takes_its_commitments_with_it(
    conference: Conference,
) -> None:
    decision_publish(decision=conference.public_decision, public=False)
    conference.jobcenter_commitment.refresh_from_db()
    assert conference.jobcenter_commitment.public is False


def test_a_status_change_is_recorded_with_who_and_why(
    conference: Conference, case_worker: User
) -> None:
    commitment = conference.jobcenter_commitment
    update = commitment_update_status(
        commitment=commitment, status="late", reason="Personal fehlt", by=case_worker
    )
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.LATE
    assert commitment.status_reason == "Personal fehlt"
    assert (update.from_status, update.to_status, update.by) == ("open", "late", case_worker)
    commitment_update_status(commitment=commitment, status="on_track", by=case_worker)
    commitment.refresh_from_db()
    assert commitment.status_reason == ""
    assert CommitmentUpdate.objects.filter(commitment=commitment).count() == 2


@pytest.mark.parametrize("status", ["late", "dropped"])
def test_late_and_dropped_need_a_reason(conference: Conference, status: str) -> None:
    with pytest.raises(ValidationError) as refused:
        commitment_update_status(
            commitment=conference.jobcenter_commitment, status=status, reason="  ", by=None
        )
    assert refused.value.error_dict["reason"][0].code == "reason_required"
    assert not CommitmentUpdate.objects.exists()


def test_done_is_final_and_the_same_status_is_no_change(conference: Conference) -> None:
    commitment = conference.jobcenter_commitment
    with pytest.raises(ValidationError):
        commitment_update_status(commitment=commitment, status="open", by=None)
    commitment_update_status(commitment=commitment, status="done", by=None)
    with pytest.raises(ValidationError) as refused:
        commitment_update_status(commitment=commitment, status="on_track", by=None)
    assert refused.value.error_dict["status"][0].code == "final"


def test_running_commitments_past_due_count_as_late(conference: Conference) -> None:
    overdue = conference.provider_commitment
    assert overdue.is_overdue(TODAY)
    assert overdue.effective_status(TODAY) == CommitmentStatus.LATE
    assert conference.jobcenter_commitment.effective_status(TODAY) == CommitmentStatus.OPEN
    assert not overdue.is_overdue(overdue.due_on)
    assert overdue.effective_status(overdue.due_on + dt.timedelta(days=1)) == "late"
