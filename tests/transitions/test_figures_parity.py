"""The state's figures over a Parquet export equal the database's transitions report on
the demo city: the same district cohorts, counted through DuckDB and the month grid from
the files, or through the ORM and the report (``transitions_report``, nothing hidden)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from doconnect.core.models import District
from doconnect.demo.services import load_demo_city
from doconnect.transitions.cohorts import STATES, CohortSpec
from doconnect.transitions.engine.aggregates import transition_figures
from doconnect.transitions.services import transitions_report

TODAY = dt.date(2026, 6, 30)  # some outcome months of the 2024 cohort lie after it


class _Quiet:
    def write(self, text: str) -> None:
        pass


@pytest.mark.django_db
def test_the_parquet_route_gives_the_database_routes_figures_on_the_demo_city(
    tmp_path: Path,
) -> None:
    load_demo_city(seed=2026, scale=0.05)
    dataset = tmp_path / "spells"
    call_command("export", "spells", file_format="parquet", out=str(dataset), stdout=_Quiet())

    figures = transition_figures(dataset, year=2024, months=24, today=TODAY)

    assert figures.states == STATES
    assert sorted(d.district for d in figures.districts) == sorted(
        District.objects.values_list("name", flat=True)
    )
    compared = 0
    for district in figures.districts:
        report = transitions_report(
            CohortSpec(kind="district", district=district.district, year=2024),
            months=24,
            min_count=1,
            today=TODAY,
            k=2,
            typology_cap=30,
        )
        assert report["n"] == district.persons > 0
        assert [m["cells"] for m in report["chronogram"]] == np.column_stack(
            [district.state_counts, district.no_spell]
        ).tolist()
        assert report["transitions"]["cells"] == district.transitions.tolist()
        assert report["outcomes"]["leavers"] == district.leavers
        for table in report["outcomes"]["tables"]:
            if table["by"] != "overall":
                continue
            horizon = table["horizon"]
            [row] = table["rows"] or [{"cells": [0] * (len(STATES) + 1)}]
            assert row["cells"] == district.outcomes[horizon].tolist()
            assert table["not_yet_observable"] == district.not_yet_observable[horizon]
            compared += 1
    assert compared == 3 * len(figures.districts)
    assert sum(d.not_yet_observable[24] for d in figures.districts) > 0
