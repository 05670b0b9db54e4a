"""Stored funding scenarios and their runs, so results stay comparable side by side and
a run can be checked by running its scenario again on the same inputs."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scenario(models.Model):
    """A named set of changes over a period, kept in the scenario file's canonical form
    (``ScenarioSpec.to_dict()``). Never edited: a changed scenario is a new one, so every
    stored run stays tied to exactly what was run."""

    name = models.CharField(_("Name"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    spec = models.JSONField(_("Szenario"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Szenario")
        verbose_name_plural = _("Szenarien")

    def __str__(self) -> str:
        return self.name

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        """The period's first and last day, for pages to format in the reader's way."""
        period = self.spec["period"]
        return dt.date.fromisoformat(period["start"]), dt.date.fromisoformat(period["end"])


class ScenarioRun(models.Model):
    """One run of a scenario on the city's data of ``demand_day``: the whole result
    (the engine's JSON form) and the digest of the inputs it was computed from."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="runs")
    demand_day = models.DateField(_("Stichtag des Bedarfs"))
    inputs_digest = models.CharField(_("Prüfsumme der Eingaben"), max_length=64)
    result = models.JSONField(_("Ergebnis"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Szenariolauf")
        verbose_name_plural = _("Szenarioläufe")

    def __str__(self) -> str:
        return f"{self.scenario.name} ({self.created_at:%Y-%m-%d %H:%M})"
