"""Districts, organisations, who works where in which role, and the audit trail."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doconnect.core.vocabulary import data_label


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Koordination (Beschäftigungsförderung)")
    CASE_WORKER = "case_worker", _("Fallberatung")
    PROVIDER_STAFF = "provider_staff", _("Trägerpersonal")
    ANALYST = "analyst", _("Analyse")
    ADMIN = "admin", _("Administration")
    DPO = "dpo", _("Datenschutzbeauftragte:r")


class OrganisationKind(models.TextChoices):
    CITY = "city", _("Stadt")
    JOBCENTER = "jobcenter", _("Jobcenter")
    FEDERAL_AGENCY = "federal_agency", _("Agentur für Arbeit")
    STATE = "state", _("Land")
    PROVIDER = "provider", _("Träger")
    SCHOOL = "school", _("Schule")
    VOCATIONAL_COLLEGE = "vocational_college", _("Berufskolleg")
    CHAMBER = "chamber", _("Kammer")
    UNION = "union", _("Gewerkschaft")
    EMPLOYER = "employer", _("Arbeitgeber")
    CIVIC = "civic", _("Zivilgesellschaft")


class District(models.Model):
    name = models.CharField(_("Name"), max_length=100, unique=True)
    official_key = models.CharField(_("Amtlicher Schlüssel"), max_length=20, unique=True)
    boundary = models.JSONField(_("Grenze (GeoJSON)"), null=True, blank=True)

    class Meta:
        ordering = ["official_key"]
        verbose_name = _("Stadtbezirk")
        verbose_name_plural = _("Stadtbezirke")

    def __str__(self) -> str:
        return self.name


class TargetGroup(models.Model):
    """A named group offers are meant for (e.g. youth_difficult_start)."""

    code = models.SlugField(_("Kennung"), max_length=60, unique=True)
    label = models.CharField(_("Bezeichnung"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("Zielgruppe")
        verbose_name_plural = _("Zielgruppen")

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        """The label in the reader's language (``core.vocabulary``)."""
        return data_label(self.label)

    @staticmethod
    def labels() -> dict[str, str]:
        """Every target group's code with its label in the reader's language (one
        query): what pages show for the codes stored in results and filters."""
        return {
            code: data_label(label)
            for code, label in TargetGroup.objects.values_list("code", "label")
        }


class Organisation(models.Model):
    external_id = models.SlugField(
        _("Kennung"),
        max_length=80,
        unique=True,
        help_text=_("Stabile Kennung für Importe und Exporte, z. B. p-eving-1."),
    )
    name = models.CharField(_("Name"), max_length=200)
    kind = models.CharField(_("Art"), max_length=30, choices=OrganisationKind.choices)
    district = models.ForeignKey(
        District,
        verbose_name=_("Stadtbezirk"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    wz_code = models.CharField(_("Wirtschaftszweig (WZ 2008)"), max_length=10, blank=True)
    synthetic = models.BooleanField(_("Synthetisch"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Organisation")
        verbose_name_plural = _("Organisationen")
        indexes = [models.Index(fields=["kind"])]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user works for an organisation in exactly one role there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("Rolle"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="one_role_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"


class AuditAction(models.TextChoices):
    READ = "read", _("gelesen")
    EXPORT = "export", _("exportiert")
    ERASE = "erase", _("gelöscht")
    CHANGE = "change", _("geändert")


class AuditEvent(models.Model):
    """One access to a person's data. Keeps the public id, not a foreign key, so the
    trail survives the person's erasure (DSGVO Art. 17)."""

    at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_username = models.CharField(_("Benutzer"), max_length=150)
    actor_organisation = models.CharField(_("Organisation"), max_length=80, blank=True)
    person_public_id = models.CharField(_("Person"), max_length=20, db_index=True)
    action = models.CharField(_("Aktion"), max_length=10, choices=AuditAction.choices)
    fields = models.JSONField(_("Felder"), default=list)
    view = models.CharField(_("Ansicht"), max_length=120)
    purpose = models.CharField(_("Zweck"), max_length=120)
    # A list, an export or a feed reads many persons in one request: one event names
    # them all (``person_public_id`` blank, the persons in ``AuditEventPerson``), so
    # the log grows by one event per request, not by one per person or cell.
    person_count = models.PositiveIntegerField(_("Personen"), default=1)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Zugriffsprotokoll")

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.person_public_id}"
        )


class AuditEventPerson(models.Model):
    """One of the persons an event about several persons names (see
    ``AuditEvent.person_count``): two short columns per person, indexed by person, so
    "who read this person" stays one indexed lookup. ``fields`` only where this person's
    fields differ from the event's."""

    event = models.ForeignKey(AuditEvent, on_delete=models.CASCADE, related_name="persons")
    person_public_id = models.CharField(_("Person"), max_length=20, db_index=True)
    fields = models.JSONField(_("Felder"), null=True, blank=True)

    class Meta:
        verbose_name = _("Person eines Protokolleintrags")
        verbose_name_plural = _("Personen eines Protokolleintrags")

    def __str__(self) -> str:
        return self.person_public_id


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A bearer token for another system (Jobcenter, provider software). Only its hash
    is stored; the token is shown once at creation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("Bezeichnung"), max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API-Token")
        verbose_name_plural = _("API-Tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> str:
        return "dc_" + secrets.token_urlsafe(32)

    @staticmethod
    def hash(raw: str) -> str:
        return _hash_token(raw)


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("wartet")
    RUNNING = "running", _("läuft")
    DONE = "done", _("fertig")
    FAILED = "failed", _("fehlgeschlagen")


class Job(models.Model):
    """A long computation run in the background (an allocation, a cohort's sequences):
    who started it with which parameters, how far it is, and what came out or why not.
    The page that started it polls this row."""

    kind = models.CharField(_("Art"), max_length=40)
    params = models.JSONField(_("Parameter"), default=dict)
    status = models.CharField(
        _("Status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    phase = models.CharField(_("Schritt"), max_length=40, blank=True)
    step = models.PositiveSmallIntegerField(default=0)
    steps = models.PositiveSmallIntegerField(default=1)
    result = models.JSONField(_("Ergebnis"), default=dict)
    error = models.TextField(_("Fehler"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("Angelegt am"), default=timezone.now)
    started_at = models.DateTimeField(_("Begonnen am"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("Beendet am"), null=True, blank=True)
    # The queued task (django-tasks' result id) and the worker that took it; a job whose
    # worker stopped is queued once more (``attempts`` counts the starts).
    task_id = models.CharField(max_length=64, blank=True)
    worker_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "status"], name="job_kind_status")]
        verbose_name = _("Hintergrundaufgabe")
        verbose_name_plural = _("Hintergrundaufgaben")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(99, round(100 * self.step / max(self.steps, 1)))


class WorkerProcess(models.Model):
    """A running ``doconnect worker``: its heartbeat tells the others (and ``/healthz``)
    it is alive; a worker silent for ``WORKER_STALE_SECONDS`` or stopped has its job
    taken over."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(default=timezone.now)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-heartbeat_at"]

    def __str__(self) -> str:
        return f"worker {self.worker_id} ({self.host}:{self.pid})"


class ScheduledRun(models.Model):
    """One run of a daily command (``"referrals expire"``) for one day: recorded before
    it is queued, so however often workers restart, a day's run happens once."""

    name = models.CharField(max_length=80)
    day = models.DateField()
    job = models.ForeignKey(Job, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "day"], name="scheduled_run_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.day.isoformat()}"


class UserPreference(models.Model):
    """What one user chose for themselves: the daily digest mail (opt-in), the language
    of mails sent to them, and the secret address of their calendar feed. Like an API
    token, the feed's secret is stored only as a hash and shown once when made."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="preference",
    )
    language = models.CharField(
        _("Sprache"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    digest = models.BooleanField(_("Tägliche Übersicht per E-Mail"), default=False)
    # The day the last digest went out: at most one a day, however often the command runs.
    digest_sent_on = models.DateField(_("Übersicht zuletzt gesendet am"), null=True, blank=True)
    calendar_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    calendar_token_prefix = models.CharField(max_length=12, blank=True)
    calendar_token_created_at = models.DateTimeField(
        _("Kalenderadresse erstellt am"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("Benutzereinstellung")
        verbose_name_plural = _("Benutzereinstellungen")
        indexes = [models.Index(fields=["digest"], name="preference_digest")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"

    @property
    def has_calendar(self) -> bool:
        return bool(self.calendar_token_hash)

    @staticmethod
    def hash(raw: str) -> str:
        return _hash_token(raw)


class TableVersion(models.Model):
    """How often a watched table has changed: a database trigger adds one on every
    insert, update and delete, whichever code (or SQL) wrote it. The start value is the
    clock at creation, so a table whose row was made again never repeats a number. Read
    by ``core.changes`` to know whether a result computed from these tables is still
    current."""

    name = models.CharField(max_length=63, primary_key=True)
    version = models.BigIntegerField()

    class Meta:
        verbose_name = _("Tabellenstand")
        verbose_name_plural = _("Tabellenstände")

    def __str__(self) -> str:
        return f"{self.name}: {self.version}"
