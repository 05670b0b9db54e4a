"""Agreements with their items. Item texts are case content: staff see them only with
Django's explicit ``agreements.view_agreement`` permission (is_staff alone is not enough);
the person appears by pseudonym."""

from __future__ import annotations

from django.contrib import admin

from doconnect.people.agreements.models import Agreement, AgreementItem


class AgreementItemInline(admin.TabularInline):
    model = AgreementItem
    extra = 0
    autocomplete_fields = ["owner_organisation", "owner_user"]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["title", "person", "organisation", "concluded_on", "review_on", "status"]
    list_filter = ["status"]
    search_fields = ["title", "person__public_id"]
    raw_id_fields = ["person"]
    readonly_fields = ["created_by", "created_at"]
    autocomplete_fields = ["organisation"]
    inlines = [AgreementItemInline]
    list_select_related = ["person", "organisation"]
