"""Allocation runs and priority weights in the admin: read-only. Both are records of a
decision; they change only through the allocation services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from doconnect.allocation.models import AllocationRun, PriorityWeightSet


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PriorityWeightSet)
class PriorityWeightSetAdmin(ReadOnly):
    list_display = ["recorded_at", "recorded_by", "target_groups", "support_needs", "note"]


@admin.register(AllocationRun)
class AllocationRunAdmin(ReadOnly):
    list_display = ["started_at", "started_by", "day", "scope", "inputs_digest"]
    readonly_fields = [
        "started_by",
        "started_at",
        "day",
        "scope",
        "rules",
        "weights",
        "inputs_digest",
        "summary",
    ]
