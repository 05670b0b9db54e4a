"""Writes of labour-market statistics."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.db import transaction

from doconnect.core.models import District
from doconnect.files.importing import ImportProblem, ImportResult
from doconnect.labourmarket.models import Statistic
from doconnect.labourmarket.statistics_file import (
    DIMENSIONS,
    StatisticRow,
    StatisticRows,
    raise_unless_complete,
)

_KEY_FIELDS = ("region", "period", "indicator", *DIMENSIONS)


def statistics_import(*, statistics: StatisticRows) -> ImportResult:
    """Import a file read whole (``read_statistics``); see ``statistics_import_chunks``."""
    return statistics_import_chunks([statistics], file=statistics.file)


@transaction.atomic
def statistics_import_chunks(chunks: Iterable[StatisticRows], *, file: str) -> ImportResult:
    """Create or replace the file's figures, all or nothing, a chunk at a time as it is
    read (``statistic_chunks``): each chunk is written while the file has shown no
    problem; a problem anywhere, or a reader's ImportFailed, rolls back the chunks
    written before. A figure is identified by region, period, indicator and its
    dimensions. A region that names a district (by name or official key) is linked to
    it. Figures not in the file stay."""
    district_ids: dict[str, int] = {}
    for pk, name, key in District.objects.values_list("id", "name", "official_key"):
        district_ids[name] = pk
        district_ids[key] = pk
    counts = dict.fromkeys(
        ("figures_created", "figures_changed", "figures_unchanged", "without_value"), 0
    )
    problems: list[ImportProblem] = []
    figures = 0
    for chunk in chunks:
        problems.extend(chunk.problems)
        figures += len(chunk.rows)
        if not problems:  # after a problem the rest is only checked, to name every one
            _write_chunk(chunk.rows, district_ids, counts)
    raise_unless_complete(file, problems, figures)
    return ImportResult(file=file, counts=counts)


def _write_chunk(
    rows: Sequence[StatisticRow], district_ids: Mapping[str, int], counts: dict[str, int]
) -> None:
    # Keys are unique within a file, so a chunk never meets a figure an earlier one wrote.
    stored = {
        tuple(getattr(s, f) for f in _KEY_FIELDS): s
        for s in Statistic.objects.filter(
            region__in={r.region for r in rows}, period__in={r.period for r in rows}
        )
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
    counts["figures_created"] += len(created)
    counts["figures_changed"] += len(changed)
    counts["figures_unchanged"] += len(rows) - len(created) - len(changed)
    counts["without_value"] += sum(1 for r in rows if r.value is None)
