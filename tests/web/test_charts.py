"""Chart specs carry their numbers as a table, name categories on an axis (not by colour
alone), and render to SVG and PNG on the server in the page's language."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import RequestFactory
from django.utils import translation

from doconnect.web.charts import (
    Chart,
    Span,
    bar_chart,
    chart_export_response,
    render_chart,
    timeline_chart,
)


def districts_chart() -> Chart:
    return bar_chart(
        slug="by-district",
        title="Personen nach Stadtbezirk",
        description="Anzahl der Personen je Stadtbezirk",
        category_title="Stadtbezirk",
        value_title="Personen",
        bars=[("Eving", 1234), ("Hörde", 56)],
        links=["/persons/?district=05913004", None],
    )


def biography() -> Chart:
    return timeline_chart(
        slug="biography",
        title="Biographie",
        description="Episoden",
        row_title="Status",
        group_title="Status",
        start_title="Beginn",
        end_title="Ende",
        note_title="Angebot",
        open_end_label="laufend",
        spans=[
            Span("Schule", "Schule", dt.date(2014, 8, 1), dt.date(2020, 7, 31)),
            Span("arbeitslos", "arbeitslos", dt.date(2020, 8, 1), None, "—"),
        ],
        today=dt.date(2026, 11, 23),
    )


def test_a_bar_chart_has_every_number_in_its_table_with_the_links() -> None:
    chart = districts_chart()

    assert chart.columns == ["Stadtbezirk", "Personen"]
    assert chart.table == [
        (["Eving", 1234], "/persons/?district=05913004"),
        (["Hörde", 56], None),
    ]
    assert '"value": 1234' in json.dumps(chart.spec)


def test_a_bar_chart_names_its_categories_on_the_axis_not_by_colour() -> None:
    encoding = districts_chart().spec["layer"][0]["encoding"]

    assert encoding["y"]["field"] == "category"
    assert "color" not in encoding


def test_a_timeline_puts_each_state_on_its_own_row_and_runs_open_spells_to_today() -> None:
    chart = biography()
    encoding = chart.spec["encoding"]

    assert encoding["y"]["field"] == "row" and encoding["color"]["field"] == "group"
    assert chart.rows[-1] == ["arbeitslos", "01.08.2020", "laufend", "—"]
    assert '"end": "2026-11-23"' in json.dumps(chart.spec)


def test_a_chart_renders_to_svg_with_german_number_format() -> None:
    with translation.override("de"):
        svg = render_chart(districts_chart(), "svg").decode()

    assert svg.startswith("<svg")
    assert "Personen nach Stadtbezirk" in svg
    assert "1.234" in svg  # the label at the end of the bar


def test_a_chart_renders_to_svg_with_english_number_format() -> None:
    with translation.override("en"):
        svg = render_chart(districts_chart(), "svg").decode()

    assert "1,234" in svg


def test_a_chart_renders_to_png() -> None:
    png = render_chart(biography(), "png")

    assert png[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("query", "status", "content_type"),
    [
        ("chart=by-district&format=svg", 200, "image/svg+xml"),
        ("chart=by-district&format=png", 200, "image/png"),
        ("chart=by-district&format=pdf", 404, None),
        ("chart=nothing&format=svg", 404, None),
    ],
)
def test_an_export_request_answers_with_the_chart_or_404(
    query: str, status: int, content_type: str | None
) -> None:
    request = RequestFactory().get(f"/?{query}")

    response = chart_export_response(request, [districts_chart(), biography()])

    assert response is not None and response.status_code == status
    if content_type:
        assert response["Content-Type"] == content_type
        assert 'filename="by-district.' in response["Content-Disposition"]


def test_a_page_request_without_export_is_left_to_the_view() -> None:
    assert chart_export_response(RequestFactory().get("/?page=2"), [districts_chart()]) is None
