"""Offers in the admin, with their funding lines and follow-on links inline."""

from __future__ import annotations

from django.contrib import admin

from doconnect.offers.models import FollowOn, FundingLine, Offer


class FundingLineInline(admin.TabularInline):
    model = FundingLine
    extra = 0


class FollowOnInline(admin.TabularInline):
    model = FollowOn
    fk_name = "from_offer"
    extra = 0
    autocomplete_fields = ["to_offer"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["external_id", "title", "provider", "kind", "district", "capacity", "status"]
    list_filter = ["kind", "status", "district", "synthetic"]
    search_fields = ["external_id", "title", "provider__name"]
    autocomplete_fields = ["provider"]
    filter_horizontal = ["target_groups"]
    inlines = [FundingLineInline, FollowOnInline]
    list_select_related = ["provider", "district"]
