"""Admin for staff: master data (districts, organisations, target groups), who works
where, the audit trail (read-only) and API tokens (read-only; made by ``createuser``)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from doconnect.core.models import (
    ApiToken,
    AuditEvent,
    District,
    Membership,
    Organisation,
    TargetGroup,
    UserPreference,
)
from doconnect.core.services import api_token_revoke


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["official_key", "name"]
    search_fields = ["name", "official_key"]
    exclude = ["boundary"]  # GeoJSON is imported, not typed in


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "label"]
    search_fields = ["code", "label"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["external_id", "name", "kind", "district", "synthetic"]
    list_filter = ["kind", "district", "synthetic"]
    search_fields = ["external_id", "name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__username", "organisation__name", "organisation__external_id"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["user"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


class ApiTokenInline(admin.TabularInline):
    model = ApiToken
    extra = 0
    fields = ("name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False


class UserPreferenceInline(admin.StackedInline):
    """The user's own settings (the task page's settings): the digest can be switched
    off here; the calendar secret is never shown, only when it was made."""

    model = UserPreference
    extra = 0
    fields = (
        "language",
        "digest",
        "digest_sent_on",
        "calendar_token_prefix",
        "calendar_token_created_at",
    )
    readonly_fields = ("digest_sent_on", "calendar_token_prefix", "calendar_token_created_at")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False


admin.site.unregister(User)


@admin.register(User)
class DoConnectUserAdmin(UserAdmin):
    inlines = [MembershipInline, ApiTokenInline, UserPreferenceInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The trail is evidence: nobody adds, changes or deletes it here."""

    list_display = [
        "at",
        "actor_username",
        "actor_organisation",
        "action",
        "person_public_id",
        "view",
        "purpose",
    ]
    list_filter = ["action", "view"]
    search_fields = ["person_public_id", "actor_username"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with ``doconnect createuser --token`` (the secret is shown
    once there); here they can only be looked at and revoked."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    @admin.action(description=_("Ausgewählte Tokens widerrufen"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            api_token_revoke(token=token)
        self.message_user(request, _("Tokens widerrufen."), messages.SUCCESS)
