from __future__ import annotations

from django.contrib import admin

from doconnect.labourmarket.models import Statistic


@admin.register(Statistic)
class StatisticAdmin(admin.ModelAdmin):
    list_display = ["region", "period", "indicator", "age_band", "gender", "value", "marker"]
    list_filter = ["indicator", "period", "district"]
    search_fields = ["region", "kldb", "wz"]
    list_select_related = ["district"]
