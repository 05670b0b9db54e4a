"""Case work on a person inside one organisation: case notes (Gesprächsvermerke),
follow-ups (Wiedervorlagen), appointments (Termine) and the responsible worker
("Meine Fälle").

Every row belongs to one organisation and is seen only inside it, and only while a
valid consent covers that organisation (``casework.access``); the rows keep the
organisation, not only the user, so a colleague can take a case over."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotePurpose(models.TextChoices):
    COUNSELLING = "counselling", _("Beratungsgespräch")
    PHONE = "phone", _("Telefonat")
    CASE_CONFERENCE = "case_conference", _("Fallkonferenz")
    HOME_VISIT = "home_visit", _("Hausbesuch")
    OTHER = "other", _("Sonstiges")


class CaseNote(models.Model):
    """A dated note of a conversation. A correction is a new row that ``corrects`` the
    earlier one: the earlier text stays, so what was written first can always be read.
    The current version of a note is the one nobody corrected (``corrected_by`` empty)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="case_notes")
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("Organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Verfasst von"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept with the note: the case file must name its author even after the account is
    # gone.
    author_name = models.CharField(_("Verfasst von"), max_length=150)
    conversation_on = models.DateField(_("Gesprächsdatum"))
    purpose = models.CharField(_("Anlass"), max_length=20, choices=NotePurpose.choices)
    text = models.TextField(_("Vermerk"))
    written_at = models.DateTimeField(_("Geschrieben am"), default=timezone.now)
    corrects = models.OneToOneField(
        "self",
        verbose_name=_("Korrigiert"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="corrected_by",
    )

    class Meta:
        ordering = ["-conversation_on", "-written_at", "-id"]
        verbose_name = _("Gesprächsvermerk")
        verbose_name_plural = _("Gesprächsvermerke")
        indexes = [models.Index(fields=["person", "organisation"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.conversation_on} {self.get_purpose_display()}"


class FollowUp(models.Model):
    """A date on which the person's file comes up again for a worker of the
    organisation (Wiedervorlage); open until someone marks it done."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="follow_ups")
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("Organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Zuständige Fachkraft"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    due_on = models.DateField(_("Wiedervorlage am"))
    reason = models.CharField(_("Anlass"), max_length=200)
    done_at = models.DateTimeField(_("Erledigt am"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("Wiedervorlage")
        verbose_name_plural = _("Wiedervorlagen")
        indexes = [
            models.Index(fields=["person", "organisation"]),
            models.Index(fields=["worker", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.due_on} {self.reason[:40]}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class AppointmentStatus(models.TextChoices):
    PLANNED = "planned", _("geplant")
    HELD = "held", _("stattgefunden")
    CANCELLED = "cancelled", _("abgesagt")


class Appointment(models.Model):
    """A meeting with the person (Termin): when, how long, where, with whom, about
    what, and the worker of the organisation who holds it."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="appointments"
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("Organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Zuständige Fachkraft"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="appointments",
    )
    starts_at = models.DateTimeField(_("Beginn"))
    duration_minutes = models.PositiveSmallIntegerField(_("Dauer (Minuten)"), default=30)
    place = models.CharField(_("Ort"), max_length=200, blank=True)
    with_whom = models.CharField(_("Mit wem"), max_length=200, blank=True)
    subject = models.CharField(_("Thema"), max_length=200)
    status = models.CharField(
        _("Status"),
        max_length=10,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.PLANNED,
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("Termin")
        verbose_name_plural = _("Termine")
        indexes = [
            models.Index(fields=["person", "organisation"]),
            models.Index(fields=["worker", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0), name="appointment_has_a_duration"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.starts_at:%Y-%m-%d %H:%M} {self.subject[:40]}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)


class Responsibility(models.Model):
    """The worker who looks after a person in one organisation ("Meine Fälle"): at
    most one per person and organisation."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="responsibilities"
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("Organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Zuständige Fachkraft"),
        on_delete=models.CASCADE,
        related_name="responsibilities",
    )
    since = models.DateTimeField(_("Zuständig seit"), default=timezone.now)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["person_id", "organisation_id"]
        verbose_name = _("Zuständigkeit")
        verbose_name_plural = _("Zuständigkeiten")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation"], name="one_responsible_worker_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.organisation_id} {self.worker_id}"
