"""Agreements: mutual commitments of a person and the institutions
("Eigenaktivitäten auslösen – Sicherheiten einlösen").

"Überfällig" is not a status: it is derived (an open item of an agreement still in
force whose due date has passed), so it can never disagree with the calendar."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doconnect.core.models import OrganisationKind

# Who can guarantee something to a person: the city, the Jobcenter, the employment
# agency and the providers (not employers, chambers or schools).
GUARANTOR_KINDS: tuple[str, ...] = (
    OrganisationKind.CITY,
    OrganisationKind.JOBCENTER,
    OrganisationKind.FEDERAL_AGENCY,
    OrganisationKind.PROVIDER,
)


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    ACTIVE = "active", _("gültig")
    CLOSED = "closed", _("abgeschlossen")


class ItemSide(models.TextChoices):
    PERSON = "person", _("Eigenaktivität der Person")
    INSTITUTION = "institution", _("Zusage der Institution")


class ItemStatus(models.TextChoices):
    OPEN = "open", _("offen")
    DONE = "done", _("erledigt")
    DROPPED = "dropped", _("entfallen")


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def in_force(self) -> AgreementQuerySet:
        return self.exclude(status=AgreementStatus.CLOSED)

    def review_due_on(self, day: dt.date) -> AgreementQuerySet:
        """Agreements in force whose review date has come."""
        return self.in_force().filter(review_on__lte=day)


class AgreementItemQuerySet(models.QuerySet["AgreementItem"]):
    def overdue_on(self, day: dt.date) -> AgreementItemQuerySet:
        """Open items of agreements in force whose due date lies before ``day``."""
        return self.filter(
            Q(status=ItemStatus.OPEN, due_on__lt=day) & ~Q(agreement__status=AgreementStatus.CLOSED)
        )


class Agreement(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="agreements")
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("Institution"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    title = models.CharField(_("Titel"), max_length=200)
    concluded_on = models.DateField(_("Geschlossen am"))
    review_on = models.DateField(_("Überprüfung am"), null=True, blank=True)
    status = models.CharField(
        _("Status"), max_length=10, choices=AgreementStatus.choices, default=AgreementStatus.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Geschrieben von"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The database fills it too, so rows written without it (the demo's COPY) get one.
    created_at = models.DateTimeField(_("Geschrieben am"), default=timezone.now, db_default=Now())

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-concluded_on", "-id"]
        verbose_name = _("Vereinbarung")
        verbose_name_plural = _("Vereinbarungen")

    def __str__(self) -> str:
        return self.title

    @property
    def in_force(self) -> bool:
        return self.status != AgreementStatus.CLOSED

    def review_due(self, today: dt.date) -> bool:
        return self.in_force and self.review_on is not None and self.review_on <= today


class AgreementItem(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="items")
    side = models.CharField(_("Seite"), max_length=12, choices=ItemSide.choices)
    text = models.TextField(_("Inhalt"))
    due_on = models.DateField(_("Fällig am"), null=True, blank=True)
    status = models.CharField(
        _("Status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN
    )
    # The owner: on the person's side the person (no organisation); on the
    # institutions' side the organisation that guarantees it and, optionally, the
    # worker there who sees to it.
    owner_organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("Zuständige Stelle"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreement_items",
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Zuständige Fachkraft"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AgreementItemQuerySet.as_manager()

    class Meta:
        ordering = ["agreement_id", "side", "due_on", "id"]
        verbose_name = _("Vereinbarungspunkt")
        verbose_name_plural = _("Vereinbarungspunkte")
        constraints = [
            models.CheckConstraint(
                condition=Q(side=ItemSide.PERSON, owner_organisation__isnull=True)
                | Q(side=ItemSide.INSTITUTION, owner_organisation__isnull=False),
                name="agreement_item_owner_fits_side",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]

    def overdue(self, today: dt.date) -> bool:
        """Derived, never stored: open, due before today, the agreement in force."""
        return (
            self.status == ItemStatus.OPEN
            and self.due_on is not None
            and self.due_on < today
            and self.agreement.in_force
        )
