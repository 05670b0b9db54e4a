"""A small conference on the shared test city: one plenary held with an agenda item, a
public and an internal decision, and commitments of the Jobcenter and provider A."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from doconnect.forum.models import (
    AgendaItem,
    Commitment,
    ConferenceDecision,
    ConferenceSession,
)
from doconnect.forum.services import (
    agenda_item_add,
    commitment_create,
    decision_record,
    participant_add,
    session_create,
)
from tests.conftest import TODAY, City


@dataclass
class Conference:
    session: ConferenceSession
    item: AgendaItem
    public_decision: ConferenceDecision
    internal_decision: ConferenceDecision
    jobcenter_commitment: Commitment  # public, due in ten days
    provider_commitment: Commitment  # internal, overdue


@pytest.fixture
def conference(city: City) -> Conference:
    session = session_create(
        title="Arbeitspolitikkonferenz Herbst",
        kind="plenary",
        date=TODAY - dt.timedelta(days=30),
        convener=city.city,
        place="Rathaus",
    )
    for organisation in (city.city, city.jobcenter, city.provider_a):
        participant_add(session=session, organisation=organisation)
    item = agenda_item_add(session=session, title="Übergänge", body="Bericht")
    public_decision = decision_record(
        session=session, agenda_item=item, text="Mehr Plätze im Quartier.", public=True
    )
    internal_decision = decision_record(session=session, text="Haushalt prüfen.")
    jobcenter_commitment = commitment_create(
        decision=public_decision,
        owner=city.jobcenter,
        to_whom=city.city,
        what="Zehn Plätze schaffen",
        due_on=TODAY + dt.timedelta(days=10),
        public=True,
    )
    provider_commitment = commitment_create(
        decision=internal_decision,
        owner=city.provider_a,
        to_whom=city.jobcenter,
        what="Konzept vorlegen",
        due_on=TODAY - dt.timedelta(days=3),
        offers=[city.offer_a],
    )
    return Conference(
        session,
        item,
        public_decision,
        internal_decision,
        jobcenter_commitment,
        provider_commitment,
    )
