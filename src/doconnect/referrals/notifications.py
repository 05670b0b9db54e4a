"""Mail to provider staff about referrals waiting for their answer. Pseudonyms only: a
mail leaves the platform, so it carries no name, no contact and no biography."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone
from django.utils.translation import gettext as _

from doconnect.core.models import Membership, Role
from doconnect.referrals.models import Referral
from doconnect.referrals.services import answer_deadline


def _line(referral: Referral) -> str:
    sent_on = timezone.localdate(referral.sent_at) if referral.sent_at else timezone.localdate()
    return _("- %(pid)s → %(offer)s: gesendet am %(sent)s, Antwort bis %(due)s") % {
        "pid": referral.person.public_id,
        "offer": referral.offer.title,
        "sent": sent_on.strftime("%d.%m.%Y"),
        "due": answer_deadline(sent_on).strftime("%d.%m.%Y"),
    }


def reminder_mails(referrals: Sequence[Referral]) -> list[EmailMessage]:
    """One mail per active provider staff member with an address, listing the reminded
    referrals to their organisation's offers."""
    by_org: dict[int, list[Referral]] = defaultdict(list)
    for referral in referrals:
        by_org[referral.offer.provider_id].append(referral)
    staff: dict[int, list[User]] = defaultdict(list)
    for membership in Membership.objects.filter(
        organisation_id__in=by_org, role=Role.PROVIDER_STAFF, user__is_active=True
    ).select_related("user"):
        if membership.user.email:
            staff[membership.organisation_id].append(membership.user)
    mails = []
    for org_id, waiting in by_org.items():
        body = "\n".join(
            [
                _("Guten Tag,"),
                "",
                _(
                    "diese Zuweisungen an Ihre Angebote warten auf Ihre Antwort. Ohne Antwort "
                    "verfallen sie am Ende der Frist, und die Plätze gehen an andere:"
                ),
                "",
                *[_line(r) for r in waiting],
                "",
                _("Bitte antworten Sie in do-connect unter „Zuweisungen“."),
            ]
        )
        for user in staff.get(org_id, []):
            mails.append(
                EmailMessage(
                    subject=_("do-connect: %(count)d Zuweisungen warten auf Antwort")
                    % {"count": len(waiting)},
                    body=body,
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[user.email],
                )
            )
    return mails


def send_reminders(referrals: Sequence[Referral]) -> int:
    """Send the reminder mails in one connection; returns how many were sent."""
    mails = reminder_mails(referrals)
    if not mails:
        return 0
    return get_connection().send_messages(mails) or 0
