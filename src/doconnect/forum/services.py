"""Every write of the conference: one function each, keyword-only, in one transaction.

Who may call which is the caller's check (``forum.access``): coordinators run the
conference, a commitment's owner may change its status. The services assume clean
input (the forms check it) and refuse only what depends on the stored state, with a
``ValidationError`` naming the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from doconnect.core.models import District, Organisation, TargetGroup
from doconnect.forum.models import (
    FINAL_STATUSES,
    REASON_REQUIRED,
    AgendaItem,
    Commitment,
    CommitmentUpdate,
    ConferenceDecision,
    ConferenceSession,
    Minutes,
    SessionDocument,
    SessionKind,
    SessionParticipant,
    SessionStatus,
    WorkingGroup,
)
from doconnect.offers.models import Offer


@transaction.atomic
def session_create(
    *,
    title: str,
    kind: str,
    date: dt.date,
    convener: Organisation,
    working_group: WorkingGroup | None = None,
    place: str = "",
) -> ConferenceSession:
    if kind == SessionKind.WORKING_GROUP and working_group is None:
        raise ValidationError(
            {"working_group": _("Eine Sitzung einer Arbeitsgruppe braucht ihre Arbeitsgruppe.")}
        )
    return ConferenceSession.objects.create(
        title=title,
        kind=kind,
        working_group=working_group if kind == SessionKind.WORKING_GROUP else None,
        convener=convener,
        date=date,
        place=place,
    )


@transaction.atomic
def agenda_item_add(*, session: ConferenceSession, title: str, body: str = "") -> AgendaItem:
    """The next item of the session's agenda."""
    # Lock the session row so two items added at once get different numbers.
    ConferenceSession.objects.select_for_update().filter(pk=session.pk).first()
    last = session.agenda_items.aggregate(last=Max("position"))["last"] or 0
    return AgendaItem.objects.create(session=session, position=last + 1, title=title, body=body)


@transaction.atomic
def document_add(
    *, session: ConferenceSession, title: str, url: str = "", text: str = ""
) -> SessionDocument:
    if not url and not text:
        raise ValidationError({"url": _("Bitte eine Adresse oder einen Text angeben.")})
    return SessionDocument.objects.create(session=session, title=title, url=url, text=text)


@transaction.atomic
def participant_add(
    *, session: ConferenceSession, organisation: Organisation, representative: str = ""
) -> SessionParticipant:
    """Add an organisation to the session, or change who represented it."""
    participation, _created = SessionParticipant.objects.update_or_create(
        session=session,
        organisation=organisation,
        defaults={"representative": representative},
    )
    return participation


@transaction.atomic
def minutes_record(
    *, session: ConferenceSession, body: str, approve: bool, by: User | None
) -> Minutes:
    """Record (or correct) the minutes; with ``approve`` they are final. Recording
    minutes marks the session as held. Approved minutes are not changed any more."""
    existing = Minutes.objects.select_for_update().filter(session=session).first()
    if existing is not None and existing.approved_at is not None:
        raise ValidationError(
            {
                "body": ValidationError(
                    _("Das Protokoll ist genehmigt und kann nicht mehr geändert werden."),
                    code="approved",
                )
            }
        )
    now = timezone.now()
    minutes, _created = Minutes.objects.update_or_create(
        session=session,
        defaults={
            "body": body,
            "recorded_at": now,
            "recorded_by": by,
            "approved_at": now if approve else None,
        },
    )
    if session.status != SessionStatus.HELD:
        ConferenceSession.objects.filter(pk=session.pk).update(status=SessionStatus.HELD)
        session.status = SessionStatus.HELD
    return minutes


@transaction.atomic
def decision_record(
    *,
    session: ConferenceSession,
    text: str,
    agenda_item: AgendaItem | None = None,
    public: bool = False,
) -> ConferenceDecision:
    if agenda_item is not None and agenda_item.session_id != session.pk:
        raise ValidationError(
            {"agenda_item": _("Der Tagesordnungspunkt gehört zu einer anderen Sitzung.")}
        )
    return ConferenceDecision.objects.create(
        session=session, agenda_item=agenda_item, text=text, public=public
    )


@transaction.atomic
def decision_publish(*, decision: ConferenceDecision, public: bool) -> ConferenceDecision:
    """Show the decision on the public log, or take it off; taken off, its commitments
    go with it (a public commitment needs its public decision)."""
    decision.public = public
    decision.save(update_fields=["public"])
    if not public:
        decision.commitments.filter(public=True).update(public=False, updated_at=timezone.now())
    return decision


@transaction.atomic
def commitment_create(
    *,
    decision: ConferenceDecision,
    owner: Organisation,
    what: str,
    due_on: dt.date,
    to_whom: Organisation | None = None,
    public: bool = False,
    offers: Iterable[Offer] = (),
    districts: Iterable[District] = (),
    target_groups: Iterable[TargetGroup] = (),
) -> Commitment:
    if public and not decision.public:
        raise ValidationError(
            {
                "public": ValidationError(
                    _("Öffentlich erst, wenn der Beschluss öffentlich ist."),
                    code="decision_not_public",
                )
            }
        )
    if to_whom is not None and to_whom.pk == owner.pk:
        raise ValidationError({"to_whom": _("Eine Zusage gilt einer anderen Organisation.")})
    commitment = Commitment.objects.create(
        decision=decision,
        owner=owner,
        to_whom=to_whom,
        what=what,
        due_on=due_on,
        public=public,
    )
    commitment.offers.set(list(offers))
    commitment.districts.set(list(districts))
    commitment.target_groups.set(list(target_groups))
    return commitment


@transaction.atomic
def commitment_publish(*, commitment: Commitment, public: bool) -> Commitment:
    if public and not commitment.decision.public:
        raise ValidationError(
            {
                "public": ValidationError(
                    _("Öffentlich erst, wenn der Beschluss öffentlich ist."),
                    code="decision_not_public",
                )
            }
        )
    commitment.public = public
    commitment.updated_at = timezone.now()
    commitment.save(update_fields=["public", "updated_at"])
    return commitment


@transaction.atomic
def commitment_update_status(
    *,
    commitment: Commitment,
    status: str,
    reason: str = "",
    by: User | None,
    at: dt.datetime | None = None,
) -> CommitmentUpdate:
    """Move a commitment to ``status`` and record the step. Late and dropped need a
    reason; done and dropped are final; a step to the same status is refused."""
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    reason = reason.strip()
    if status == locked.status:
        raise ValidationError(
            {"status": ValidationError(_("Die Zusage hat diesen Status schon."), code="unchanged")}
        )
    if locked.status in FINAL_STATUSES:
        raise ValidationError(
            {
                "status": ValidationError(
                    _("Die Zusage ist abgeschlossen; ihr Status bleibt."), code="final"
                )
            }
        )
    if status in REASON_REQUIRED and not reason:
        raise ValidationError(
            {
                "reason": ValidationError(
                    _("Für „verspätet“ und „aufgegeben“ ist eine Begründung nötig."),
                    code="reason_required",
                )
            }
        )
    when = at or timezone.now()
    update = CommitmentUpdate.objects.create(
        commitment=locked,
        at=when,
        by=by,
        from_status=locked.status,
        to_status=status,
        reason=reason,
    )
    locked.status = status
    # The reason on the commitment explains its current status; a step to a status
    # that needs none clears it.
    locked.status_reason = reason if status in REASON_REQUIRED else ""
    locked.updated_at = when
    locked.save(update_fields=["status", "status_reason", "updated_at"])
    commitment.status, commitment.status_reason = locked.status, locked.status_reason
    commitment.updated_at = when
    return update
