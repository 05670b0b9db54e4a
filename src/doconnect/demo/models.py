"""Records that the database holds the synthetic demo city, and how it was made."""

from __future__ import annotations

from django.db import models


class DemoRun(models.Model):
    seed = models.IntegerField()
    scale = models.FloatField()
    loaded_at = models.DateTimeField(auto_now_add=True)
    seconds = models.FloatField()
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return f"demo seed={self.seed} scale={self.scale}"
