"""Priority decisions on record: the question, the options, the criteria with their
weights, each option's value on each criterion, and — once decided — the record of the
choice with a snapshot of everything it was based on.

Edits go through ``decisions.services`` only; a decided decision's options, criteria,
values and weights are frozen there."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doconnect.decisions.engine.scoring import HIGHER, LOWER

REASONS_MIN_LENGTH = 30


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    DECIDED = "decided", _("Entschieden")
    PUBLISHED = "published", _("Veröffentlicht")
    WITHDRAWN = "withdrawn", _("Zurückgezogen")


class Direction(models.TextChoices):
    HIGHER = HIGHER, _("höher ist besser")
    LOWER = LOWER, _("niedriger ist besser")


class Decision(models.Model):
    title = models.CharField(_("Titel"), max_length=200)
    question = models.TextField(_("Frage"))
    context = models.TextField(_("Hintergrund"), blank=True)  # plain text, no Markdown
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("Angelegt am"), default=timezone.now)
    status = models.CharField(
        _("Stand"), max_length=20, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Prioritätsentscheidung")
        verbose_name_plural = _("Prioritätsentscheidungen")

    def __str__(self) -> str:
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.status == DecisionStatus.DRAFT


class DecisionOption(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("Bezeichnung"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    # The scenario result (its JSON form) the option's values came from, if any.
    source = models.JSONField(_("Herkunft"), null=True, blank=True)
    source_label = models.CharField(_("Herkunft (Bezeichnung)"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        ordering = ["decision_id", "position", "id"]
        verbose_name = _("Option")
        verbose_name_plural = _("Optionen")
        constraints = [
            models.UniqueConstraint(fields=["decision", "label"], name="decision_option_label")
        ]

    def __str__(self) -> str:
        return self.label


class Criterion(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(_("Kennung"), max_length=100)
    label = models.CharField(_("Bezeichnung"), max_length=200)
    direction = models.CharField(_("Richtung"), max_length=10, choices=Direction.choices)
    weight = models.DecimalField(
        _("Gewicht"),
        max_digits=8,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0)],
    )
    explanation = models.TextField(_("Erläuterung"), blank=True)
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        ordering = ["decision_id", "position", "id"]
        verbose_name = _("Kriterium")
        verbose_name_plural = _("Kriterien")
        constraints = [
            models.UniqueConstraint(fields=["decision", "code"], name="decision_criterion_code"),
            models.CheckConstraint(
                condition=models.Q(weight__gte=0), name="decision_criterion_weight_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class OptionValue(models.Model):
    option = models.ForeignKey(DecisionOption, on_delete=models.CASCADE, related_name="values")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="values")
    value = models.FloatField(_("Wert"))

    class Meta:
        verbose_name = _("Wert")
        verbose_name_plural = _("Werte")
        constraints = [
            models.UniqueConstraint(fields=["option", "criterion"], name="option_value_once")
        ]

    def __str__(self) -> str:
        return f"{self.option_id}/{self.criterion_id}: {self.value}"


class DecisionRecord(models.Model):
    """The decision taken. ``table`` (options, criteria with weights, values),
    ``weights`` and ``scores`` are snapshots taken when it was recorded: later edits
    anywhere never change what the record says."""

    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="record")
    chosen = models.ForeignKey(
        DecisionOption, on_delete=models.PROTECT, related_name="+", verbose_name=_("Gewählt")
    )
    chosen_label = models.CharField(_("Gewählte Option"), max_length=200)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who decided, as the public reads it: a full name or the office, never a username.
    decided_by_label = models.CharField(_("Entschieden von"), max_length=200)
    decided_at = models.DateTimeField(_("Entschieden am"), default=timezone.now)
    reasons = models.TextField(_("Begründung"))
    # Required when the chosen option is not the one with the highest score.
    deviation_reason = models.TextField(_("Warum nicht die bestbewertete Option"), blank=True)
    weights = models.JSONField(_("Gewichte (Stand der Entscheidung)"), default=dict)
    scores = models.JSONField(_("Bewertung (Stand der Entscheidung)"), default=dict)
    table = models.JSONField(_("Optionen und Kriterien (Stand der Entscheidung)"), default=dict)
    published_at = models.DateTimeField(_("Veröffentlicht am"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("Zurückgezogen am"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("Grund des Rückzugs"), blank=True)

    class Meta:
        verbose_name = _("Entscheidung (Protokoll)")
        verbose_name_plural = _("Entscheidungen (Protokoll)")

    def __str__(self) -> str:
        return f"{self.decision_id}: {self.chosen_label}"
