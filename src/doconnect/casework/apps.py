from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "doconnect.casework"
    label = "casework"
    verbose_name = _("Fallarbeit")

    def ready(self) -> None:
        from doconnect.casework.models import Appointment, FollowUp, Responsibility
        from doconnect.core.changes import watch
        from doconnect.forum.models import Commitment
        from doconnect.people.agreements.models import Agreement, AgreementItem
        from doconnect.people.models import Consent, Person
        from doconnect.referrals.models import Referral

        # What the task sources read (tasks.due_count keeps each source's count while
        # its tables are unchanged).
        watch(
            FollowUp,
            Appointment,
            Responsibility,
            Agreement,
            AgreementItem,
            Consent,
            Consent.organisations.through,
            Person,
            Referral,
            Commitment,
        )
