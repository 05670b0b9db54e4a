"""The labour-policy conference (Arbeitspolitikkonferenz): its actors with their policy
fields and programmes, its sessions with agenda, documents, participants, minutes and
decisions, and the commitments the decisions produce with their status trail.

An actor is a ``core.Organisation`` of any kind; ``ActorProfile`` adds what the
conference needs to know about it. Writes go through ``forum.services`` only; a
commitment's status changes only there, each change recorded as a ``CommitmentUpdate``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doconnect.core.models import District, Organisation, TargetGroup


class PolicyField(models.TextChoices):
    EDUCATION_EMPLOYMENT = "education_employment", _("Bildung und Beschäftigung")
    URBAN_DEVELOPMENT_EMPLOYMENT = (
        "urban_development_employment",
        _("Stadtentwicklung und Beschäftigung"),
    )
    SOCIAL = "social", _("Soziales")
    ECONOMY = "economy", _("Wirtschaft")
    YOUTH = "youth", _("Jugend")
    INTEGRATION = "integration", _("Integration")
    GENDER_EQUALITY = "gender_equality", _("Gleichstellung")
    HEALTH = "health", _("Gesundheit")


class ActorProfile(models.Model):
    """What the conference knows about an organisation: its policy fields, the districts
    it works in (none: city-wide or unknown) and a short description."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="actor_profile"
    )
    policy_fields = models.JSONField(
        _("Politikfelder"), default=list, blank=True, help_text=_("Kennungen aus PolicyField.")
    )
    districts = models.ManyToManyField(
        District, verbose_name=_("Stadtbezirke"), blank=True, related_name="+"
    )
    description = models.TextField(_("Beschreibung"), blank=True)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("Akteursprofil")
        verbose_name_plural = _("Akteursprofile")

    def __str__(self) -> str:
        return str(self.organisation)

    def policy_field_labels(self) -> list[str]:
        labels = dict(PolicyField.choices)
        return [str(labels.get(code, code)) for code in self.policy_fields]


class Programme(models.Model):
    """An actor's own programme: who runs it, who pays, for whom, which kinds of
    offers, where, with how much money and how many places."""

    actor = models.ForeignKey(
        Organisation,
        verbose_name=_("Akteur"),
        on_delete=models.CASCADE,
        related_name="programmes",
    )
    funder = models.ForeignKey(
        Organisation,
        verbose_name=_("Geldgeber"),
        on_delete=models.PROTECT,
        related_name="funded_programmes",
    )
    title = models.CharField(_("Titel"), max_length=300)
    description = models.TextField(_("Beschreibung"), blank=True)
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("Zielgruppen"), blank=True, related_name="+"
    )
    offer_kinds = models.JSONField(
        _("Angebotsarten"), default=list, blank=True, help_text=_("Kennungen aus OfferKind.")
    )
    districts = models.ManyToManyField(
        District, verbose_name=_("Stadtbezirke"), blank=True, related_name="+"
    )
    budget_eur = models.DecimalField(_("Budget (EUR)"), max_digits=14, decimal_places=2)
    places = models.PositiveIntegerField(_("Plätze"), null=True, blank=True)
    start = models.DateField(_("Beginn"))
    end = models.DateField(_("Ende"), null=True, blank=True)

    class Meta:
        ordering = ["actor__name", "title", "id"]
        verbose_name = _("Programm")
        verbose_name_plural = _("Programme")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="programme_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(budget_eur__gte=0), name="programme_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SessionKind(models.TextChoices):
    PLENARY = "plenary", _("Plenum")
    WORKING_GROUP = "working_group", _("Arbeitsgruppe")


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("geplant")
    HELD = "held", _("durchgeführt")


class WorkingGroup(models.Model):
    name = models.CharField(_("Name"), max_length=200, unique=True)
    policy_field = models.CharField(
        _("Politikfeld"), max_length=40, choices=PolicyField.choices, blank=True
    )
    lead = models.ForeignKey(
        Organisation,
        verbose_name=_("Federführung"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("Arbeitsgruppe")
        verbose_name_plural = _("Arbeitsgruppen")

    def __str__(self) -> str:
        return self.name


class ConferenceSession(models.Model):
    """A plenary of the conference or a meeting of one of its working groups."""

    title = models.CharField(_("Titel"), max_length=300)
    kind = models.CharField(_("Art"), max_length=20, choices=SessionKind.choices)
    working_group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("Arbeitsgruppe"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    convener = models.ForeignKey(
        Organisation,
        verbose_name=_("Einladende Stelle"),
        on_delete=models.PROTECT,
        related_name="convened_sessions",
    )
    date = models.DateField(_("Datum"))
    place = models.CharField(_("Ort"), max_length=200, blank=True)
    status = models.CharField(
        _("Status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    participants = models.ManyToManyField(
        Organisation,
        through="SessionParticipant",
        verbose_name=_("Teilnehmende"),
        related_name="conference_sessions",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("Sitzung")
        verbose_name_plural = _("Sitzungen")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="working_group") & Q(working_group__isnull=False))
                | (~Q(kind="working_group") & Q(working_group__isnull=True)),
                name="session_working_group_iff_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d.%m.%Y})"


class SessionParticipant(models.Model):
    """An organisation at a session and who represented it (a public official's name
    and function, nothing more)."""

    session = models.ForeignKey(
        ConferenceSession, on_delete=models.CASCADE, related_name="participations"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    representative = models.CharField(_("Vertreten durch"), max_length=200, blank=True)

    class Meta:
        ordering = ["session_id", "organisation__name"]
        verbose_name = _("Teilnahme")
        verbose_name_plural = _("Teilnahmen")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "organisation"], name="one_participation_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} @ {self.session_id}"


class AgendaItem(models.Model):
    session = models.ForeignKey(
        ConferenceSession, on_delete=models.CASCADE, related_name="agenda_items"
    )
    position = models.PositiveSmallIntegerField(_("Nummer"))
    title = models.CharField(_("Titel"), max_length=300)
    body = models.TextField(_("Erläuterung (Markdown)"), blank=True)

    class Meta:
        ordering = ["session_id", "position"]
        verbose_name = _("Tagesordnungspunkt")
        verbose_name_plural = _("Tagesordnungspunkte")
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="agenda_position_unique")
        ]

    def __str__(self) -> str:
        return f"TOP {self.position}: {self.title}"


class SessionDocument(models.Model):
    """A document of a session: a link, a short text, or both (no file storage)."""

    session = models.ForeignKey(
        ConferenceSession, on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("Titel"), max_length=300)
    url = models.URLField(_("Adresse"), max_length=500, blank=True)
    text = models.TextField(_("Text (Markdown)"), blank=True)

    class Meta:
        ordering = ["session_id", "id"]
        verbose_name = _("Sitzungsunterlage")
        verbose_name_plural = _("Sitzungsunterlagen")
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(text=""), name="document_has_url_or_text"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Minutes(models.Model):
    session = models.OneToOneField(
        ConferenceSession, on_delete=models.CASCADE, related_name="minutes"
    )
    body = models.TextField(_("Protokoll (Markdown)"))
    recorded_at = models.DateTimeField(_("Erfasst am"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("Genehmigt am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Protokoll")
        verbose_name_plural = _("Protokolle")

    def __str__(self) -> str:
        return f"Protokoll {self.session_id}"


class ConferenceDecision(models.Model):
    session = models.ForeignKey(
        ConferenceSession, on_delete=models.CASCADE, related_name="decisions"
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("Tagesordnungspunkt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    text = models.TextField(_("Beschluss (Markdown)"))
    public = models.BooleanField(_("öffentlich"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session_id", "id"]
        verbose_name = _("Beschluss")
        verbose_name_plural = _("Beschlüsse")
        indexes = [models.Index(fields=["public"])]

    def __str__(self) -> str:
        return f"Beschluss {self.pk}"


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("offen")
    ON_TRACK = "on_track", _("im Plan")
    LATE = "late", _("verspätet")
    DONE = "done", _("erledigt")
    DROPPED = "dropped", _("aufgegeben")


# Statuses a commitment can still move out of; past its due date it counts as late.
RUNNING_STATUSES = (CommitmentStatus.OPEN, CommitmentStatus.ON_TRACK)
FINAL_STATUSES = (CommitmentStatus.DONE, CommitmentStatus.DROPPED)
# A change to these needs a reason.
REASON_REQUIRED = (CommitmentStatus.LATE, CommitmentStatus.DROPPED)


class Commitment(models.Model):
    """Who promised whom what by when, because of which decision."""

    decision = models.ForeignKey(
        ConferenceDecision, on_delete=models.CASCADE, related_name="commitments"
    )
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("Verantwortlich"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    to_whom = models.ForeignKey(
        Organisation,
        verbose_name=_("Gegenüber"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments_received",
    )
    what = models.TextField(_("Zusage"))
    due_on = models.DateField(_("Fällig am"))
    status = models.CharField(
        _("Status"), max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN
    )
    status_reason = models.TextField(_("Begründung"), blank=True)
    offers = models.ManyToManyField(
        "offers.Offer", verbose_name=_("Angebote"), blank=True, related_name="+"
    )
    districts = models.ManyToManyField(
        District, verbose_name=_("Stadtbezirke"), blank=True, related_name="+"
    )
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("Zielgruppen"), blank=True, related_name="+"
    )
    public = models.BooleanField(_("öffentlich"), default=False)
    # The day of the last reminder (CommitmentReminder is the record of each one).
    reminder_sent_on = models.DateField(_("Zuletzt erinnert am"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("Zusage")
        verbose_name_plural = _("Zusagen")
        indexes = [models.Index(fields=["status", "due_on"]), models.Index(fields=["public"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=("late", "dropped")) | ~Q(status_reason=""),
                name="commitment_reason_for_late_or_dropped",
            )
        ]

    def __str__(self) -> str:
        return self.what[:80]

    def is_overdue(self, today: dt.date) -> bool:
        """Still running (open or on track) after its due date."""
        return self.status in RUNNING_STATUSES and self.due_on < today

    def effective_status(self, today: dt.date) -> str:
        """The status as the board shows it: running commitments past due are late."""
        return CommitmentStatus.LATE if self.is_overdue(today) else self.status


class CommitmentUpdate(models.Model):
    """One change of a commitment's status: from, to, why, who, when. Never changed."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("durch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField(_("von"), max_length=10, choices=CommitmentStatus.choices)
    to_status = models.CharField(_("nach"), max_length=10, choices=CommitmentStatus.choices)
    reason = models.TextField(_("Begründung"), blank=True)

    class Meta:
        ordering = ["commitment_id", "at", "id"]
        verbose_name = _("Statusänderung")
        verbose_name_plural = _("Statusänderungen")

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.from_status} → {self.to_status}"


class ReminderOccasion(models.TextChoices):
    DUE_SOON = "due_soon", _("bald fällig")
    OVERDUE = "overdue", _("überfällig")


class CommitmentReminder(models.Model):
    """A reminder sent about a commitment: for which occasion and which due date (a new
    due date is a new occasion), when, to how many addresses. At most one per
    occasion and due date."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="reminders")
    occasion = models.CharField(_("Anlass"), max_length=10, choices=ReminderOccasion.choices)
    due_on = models.DateField(_("Fällig am"))
    sent_on = models.DateField(_("Gesendet am"))
    recipients = models.PositiveSmallIntegerField(_("Empfänger"), default=0)

    class Meta:
        ordering = ["commitment_id", "sent_on", "id"]
        verbose_name = _("Erinnerung")
        verbose_name_plural = _("Erinnerungen")
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "occasion", "due_on"], name="one_reminder_per_occasion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id} {self.occasion} {self.sent_on}"
