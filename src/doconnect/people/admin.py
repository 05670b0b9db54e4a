"""Persons in the admin: the pseudonymous record only, read-only.

PersonalDetails is deliberately *not* registered, and nothing here shows a name: the
admin must not become a side door around the access rules (``people.access``). Names
are read through the person pages and the API, with consent and an audit trail."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from doconnect.people.models import Person

PSEUDONYMOUS_FIELDS: tuple[str, ...] = (
    "public_id",
    "gender",
    "birth_year",
    "district",
    "legal_branch",
    "school_qualification",
    "vocational_qualification",
    "target_groups",
    "synthetic",
    "created_at",
)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["public_id", "gender", "birth_year", "district", "legal_branch", "synthetic"]
    list_filter = ["district", "legal_branch", "gender", "synthetic"]
    search_fields = ["public_id"]
    fields = PSEUDONYMOUS_FIELDS
    readonly_fields = PSEUDONYMOUS_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # persons come from the services and importers

    def has_change_permission(self, request: HttpRequest, obj: Person | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Person | None = None) -> bool:
        return False  # erasure is people.privacy.person_erase, with its audit event
