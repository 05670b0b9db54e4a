"""Referrals in the admin: read-only. A referral links a provider to a person, which
is part of what lets provider staff see that person; so referrals change only through
the referral services, never by hand here."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from doconnect.referrals.models import Referral, ReferralEvent


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    fields = ("at", "from_status", "to_status", "actor", "reason", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["person", "offer", "status", "sent_at", "answered_at", "updated_at"]
    list_filter = ["status", "decline_reason"]
    search_fields = ["person__public_id", "offer__external_id", "offer__title"]
    fields = (
        "person",
        "offer",
        "status",
        "created_by",
        "created_at",
        "sent_at",
        "answered_at",
        "decline_reason",
        "reminded_at",
        "updated_at",
    )
    readonly_fields = fields
    list_select_related = ["person", "offer"]
    inlines = [ReferralEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Referral | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Referral | None = None) -> bool:
        return False
