"""Writes of labour-market statistics."""

from __future__ import annotations

from django.db import transaction

from doconnect.core.models import District
from doconnect.files.importing import ImportResult
from doconnect.labourmarket.models import Statistic
from doconnect.labourmarket.statistics_file import DIMENSIONS, StatisticRows

_KEY_FIELDS = ("region", "period", "indicator", *DIMENSIONS)


@transaction.atomic
def statistics_import(*, statistics: StatisticRows) -> ImportResult:
    """Create or replace the file's figures, all or nothing; a figure is identified by
    region, period, indicator and its dimensions. A region that names a district (by
    name or official key) is linked to it. Figures not in the file stay."""
    district_ids: dict[str, int] = {}
    for pk, name, key in District.objects.values_list("id", "name", "official_key"):
        district_ids[name] = pk
        district_ids[key] = pk
    rows = list(statistics.rows)
    regions = {r.region for r in rows}
    stored = {
        tuple(getattr(s, f) for f in _KEY_FIELDS): s
        for s in Statistic.objects.filter(region__in=regions)
    }
    created: list[Statistic] = []
    changed: list[Statistic] = []
    for row in rows:
        values = {
            "district_id": district_ids.get(row.region),
            "value": row.value,
            "marker": row.marker,
        }
        found = stored.get(row.key)
        if found is None:
            created.append(
                Statistic(
                    region=row.region,
                    period=row.period,
                    indicator=row.indicator,
                    **dict(row.dimensions),
                    **values,
                )
            )
        elif any(getattr(found, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(found, name, value)
            changed.append(found)
    Statistic.objects.bulk_create(created, batch_size=2000)
    Statistic.objects.bulk_update(changed, ["district", "value", "marker"], batch_size=2000)
    return ImportResult(
        file=statistics.file,
        counts={
            "figures_created": len(created),
            "figures_changed": len(changed),
            "figures_unchanged": len(rows) - len(created) - len(changed),
            "without_value": sum(1 for r in rows if r.value is None),
        },
    )
