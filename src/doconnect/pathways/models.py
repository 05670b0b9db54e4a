"""The one table of the pathways domain: the ground every person's next steps are
ranked against, computed once and shared by every web and worker process
(``pathways/ground.py``)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NextStepsGround(models.Model):
    """The landscape's analysis and the leavers' tallies on ``day``, computed from the
    tables of ``ground.GROUND_TABLES`` at their change counters ``versions``
    (``core.changes``). Current while the counters and the day are the same; an older
    row is shown, with its date, until the worker has computed the next."""

    day = models.DateField(_("Stichtag"))
    versions = models.JSONField(default=dict)
    computed_at = models.DateTimeField(_("Berechnet am"), default=timezone.now)
    seconds = models.FloatField(default=0.0)
    # The pickled ``ground.Ground``: written and read only by this platform's own code.
    data = models.BinaryField()

    class Meta:
        ordering = ["-computed_at", "-id"]
        verbose_name = _("Grundlage der nächsten Schritte")
        verbose_name_plural = _("Grundlagen der nächsten Schritte")

    def __str__(self) -> str:
        return f"next steps ground {self.day} ({self.computed_at:%Y-%m-%d %H:%M})"
