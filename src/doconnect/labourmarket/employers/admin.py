from __future__ import annotations

from django.contrib import admin

from doconnect.labourmarket.employers.models import PostcodeDistrict, Vacancy


@admin.register(Vacancy)
class VacancyAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "employer_name", "kldb", "district", "published_on"]
    list_filter = ["source", "district", "synthetic"]
    search_fields = ["reference", "title", "employer_name", "kldb"]
    autocomplete_fields = ["employer"]
    list_select_related = ["district"]


@admin.register(PostcodeDistrict)
class PostcodeDistrictAdmin(admin.ModelAdmin):
    """The city keeps this table: which district each postcode belongs to."""

    list_display = ["postcode", "district"]
    list_filter = ["district"]
    search_fields = ["postcode", "district__name"]
    list_select_related = ["district"]
