"""Writes on referrals. The caller has already fetched the person through
``people.access`` (the access check is the caller's duty)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from doconnect.offers.models import Offer, OfferStatus
from doconnect.people.models import Person
from doconnect.referrals.models import Referral, ReferralStatus

# A referral in one of these states is still open: a second one for the same person and
# offer would be a duplicate.
OPEN_STATUSES = (
    ReferralStatus.PROPOSED,
    ReferralStatus.SENT,
    ReferralStatus.ACCEPTED,
    ReferralStatus.STARTED,
)


@transaction.atomic
def referral_create(*, person: Person, offer: Offer, created_by_id: int | None) -> Referral:
    """Propose ``offer`` for ``person`` (status "proposed"). Refuses an offer that is not
    active and a second open referral for the same person and offer (ValidationError).
    The person's row is locked, so two simultaneous proposals cannot both pass."""
    Person.objects.select_for_update().filter(pk=person.pk).first()
    if offer.status != OfferStatus.ACTIVE:
        raise ValidationError(
            _("Das Angebot %(offer)s ist nicht aktiv.") % {"offer": offer.external_id}
        )
    if Referral.objects.filter(person=person, offer=offer, status__in=OPEN_STATUSES).exists():
        raise ValidationError(
            _("Für %(offer)s gibt es schon eine offene Zuweisung.") % {"offer": offer.external_id}
        )
    return Referral.objects.create(
        person=person,
        offer=offer,
        status=ReferralStatus.PROPOSED,
        created_by_id=created_by_id,
    )
