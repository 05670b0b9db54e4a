"""Reads of the conference's pages, each a fixed number of queries however much data
there is. Who may see them is the view's check (``forum.access``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from doconnect.core.models import District, Organisation
from doconnect.forum.models import (
    RUNNING_STATUSES,
    ActorProfile,
    Commitment,
    CommitmentStatus,
    ConferenceDecision,
    ConferenceSession,
    Programme,
    SessionParticipant,
)


def actors(
    *, kind: str = "", policy_field: str = "", district: District | None = None
) -> QuerySet[Organisation]:
    """Organisations for the actor directory: those with a profile, or any with a
    programme or a commitment, or at a session; filtered."""
    queryset = (
        Organisation.objects.filter(
            Q(actor_profile__isnull=False)
            | Q(programmes__isnull=False)
            | Q(commitments__isnull=False)
            | Q(conference_sessions__isnull=False)
        )
        .distinct()
        .select_related("actor_profile", "district")
        .order_by("name", "pk")
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    if district is not None:
        queryset = queryset.filter(Q(district=district) | Q(actor_profile__districts=district))
    if policy_field:
        # A JSON list: "contains" is not portable to SQLite, so the few profiles are
        # read and matched here (one query).
        ids = [
            org_id
            for org_id, fields in ActorProfile.objects.values_list(
                "organisation_id", "policy_fields"
            )
            if policy_field in (fields or [])
        ]
        queryset = queryset.filter(pk__in=ids)
    return queryset


@dataclass(frozen=True)
class ActorPage:
    organisation: Organisation
    programmes: list[Programme]
    commitments: list[Commitment]
    participations: list[SessionParticipant]


def actor_page(organisation: Organisation) -> ActorPage:
    programmes = list(
        Programme.objects.filter(Q(actor=organisation) | Q(funder=organisation))
        .select_related("actor", "funder")
        .prefetch_related("target_groups", "districts")
    )
    commitments = list(
        Commitment.objects.filter(Q(owner=organisation) | Q(to_whom=organisation))
        .select_related("owner", "to_whom", "decision__session")
        .order_by("due_on", "pk")
    )
    participations = list(
        SessionParticipant.objects.filter(organisation=organisation)
        .select_related("session")
        .order_by("-session__date", "-session_id")
    )
    return ActorPage(organisation, programmes, commitments, participations)


def sessions() -> QuerySet[ConferenceSession]:
    return ConferenceSession.objects.select_related("working_group", "convener").annotate(
        n_agenda=Count("agenda_items", distinct=True),
        n_decisions=Count("decisions", distinct=True),
        n_participants=Count("participations", distinct=True),
    )


def session_for_page(pk: int) -> ConferenceSession | None:
    commitments = Commitment.objects.select_related("owner", "to_whom").prefetch_related(
        "offers", "districts", "target_groups"
    )
    return (
        ConferenceSession.objects.select_related("working_group", "convener", "minutes")
        .prefetch_related(
            "agenda_items",
            "documents",
            Prefetch(
                "participations",
                queryset=SessionParticipant.objects.select_related("organisation"),
            ),
            Prefetch(
                "decisions",
                queryset=ConferenceDecision.objects.select_related("agenda_item").prefetch_related(
                    Prefetch("commitments", queryset=commitments)
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )


def status_filter(status: str, today: dt.date) -> Q:
    """Commitments whose status *as the board shows it* is ``status``: running ones
    past their due date count as late, not as open or on track."""
    if status == CommitmentStatus.LATE:
        return Q(status=CommitmentStatus.LATE) | Q(status__in=RUNNING_STATUSES, due_on__lt=today)
    if status in RUNNING_STATUSES:
        return Q(status=status, due_on__gte=today)
    return Q(status=status)


def commitments(
    *, today: dt.date, status: str = "", owner: Organisation | None = None
) -> QuerySet[Commitment]:
    queryset = Commitment.objects.select_related("owner", "to_whom", "decision__session").order_by(
        "due_on", "pk"
    )
    if status:
        queryset = queryset.filter(status_filter(status, today))
    if owner is not None:
        queryset = queryset.filter(owner=owner)
    return queryset


def overdue(today: dt.date) -> QuerySet[Commitment]:
    return commitments(today=today).filter(status__in=RUNNING_STATUSES, due_on__lt=today)


def commitment_for_page(pk: int) -> Commitment | None:
    return (
        Commitment.objects.select_related("owner", "to_whom", "decision__session")
        .prefetch_related("offers", "districts", "target_groups", "updates__by")
        .filter(pk=pk)
        .first()
    )


def public_decisions() -> QuerySet[ConferenceDecision]:
    """Public decisions, newest session first, each with only its public commitments."""
    return (
        ConferenceDecision.objects.filter(public=True)
        .select_related("session")
        .prefetch_related(
            Prefetch(
                "commitments",
                queryset=Commitment.objects.filter(public=True)
                .select_related("owner", "to_whom")
                .order_by("due_on", "pk"),
            )
        )
        .order_by("-session__date", "session_id", "pk")
    )
