"""Referrals in the admin: read-only. A referral links a provider to a person, which
is part of what lets provider staff see that person; so referrals change only through
the referral services, never by hand here."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from doconnect.referrals.models import Referral


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["person", "offer", "status", "created_at", "updated_at"]
    list_filter = ["status"]
    search_fields = ["person__public_id", "offer__external_id", "offer__title"]
    fields = ("person", "offer", "status", "created_by", "created_at", "updated_at")
    readonly_fields = fields
    list_select_related = ["person", "offer"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Referral | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Referral | None = None) -> bool:
        return False
