"""Chart specs carry their numbers as a table, name categories on an axis (not by colour
alone), and render to SVG and PNG on the server in the page's language."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.test import RequestFactory
from django.utils import translation
from openpyxl import load_workbook

from doconnect.charts.chart import (
    Chart,
    Span,
    bar_chart,
    chart_export_response,
    grouped_bar_chart,
    heatmap_chart,
    render_chart,
    stacked_bar_chart,
    table_chart,
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


def test_a_timeline_drawn_again_unchanged_reuses_its_spec_and_any_change_draws_anew() -> None:
    def drawn(last_end: dt.date | None, today: dt.date) -> Chart:
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
                Span("arbeitslos", "arbeitslos", dt.date(2020, 8, 1), last_end, "—"),
            ],
            today=today,
        )

    first = drawn(None, dt.date(2026, 11, 23))
    again = drawn(None, dt.date(2026, 11, 23))
    ended = drawn(dt.date(2021, 3, 31), dt.date(2026, 11, 23))
    next_day = drawn(None, dt.date(2026, 11, 24))

    assert again.spec is first.spec  # built once for the same content
    assert '"end": "2021-03-31"' in json.dumps(ended.spec)
    assert '"end": "2026-11-23"' not in json.dumps(ended.spec)
    assert '"end": "2026-11-24"' in json.dumps(next_day.spec)  # an open spell reaches today


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


# ------------------------------------------------- stacked, heat map, grouped, tables

MARKER = "unter 5"


def chronogram() -> Chart:
    return stacked_bar_chart(
        slug="chronogramm",
        title="Zustände je Monat",
        description="Anteile",
        category_title="Monat",
        series_title="Zustand",
        value_title="Anteil (%)",
        categories=["0", "1"],
        series=["Schule", "Ausbildung"],
        values=[[87.5, None], [12.5, 87.5]],
        suppressed_label=MARKER,
        extra_columns=[("Personen", [8, 8])],
    )


def test_a_stacked_bar_chart_has_a_row_per_category_and_marks_suppressed_cells() -> None:
    chart = chronogram()
    values = chart.spec["data"]["values"]

    assert chart.columns == ["Monat", "Personen", "Schule", "Ausbildung"]
    assert chart.rows == [["0", 8, 87.5, MARKER], ["1", 8, 12.5, 87.5]]
    assert {(v["category"], v["series"]) for v in values} == {
        ("0", "Schule"),
        ("1", "Schule"),
        ("1", "Ausbildung"),
    }
    assert chart.spec["encoding"]["color"]["legend"] is not None


def test_a_heat_map_writes_its_values_in_the_cells_and_its_table() -> None:
    chart = heatmap_chart(
        slug="matrix",
        title="Übergänge",
        description="Raten",
        row_title="von",
        column_title="nach",
        value_title="Anteil (%)",
        row_labels=["Schule", "Ausbildung"],
        column_labels=["Schule", "Ausbildung"],
        values=[[90.0, 10.0], [None, 100.0]],
        suppressed_label=MARKER,
        extra_columns=[("Personenmonate", [40, MARKER])],
    )
    text_layer = chart.spec["layer"][1]
    labels = {v["label"] for v in chart.spec["data"]["values"]}

    assert text_layer["mark"]["type"] == "text"
    assert labels == {"90", "10", MARKER, "100"}
    assert chart.rows == [["Schule", 40, 90.0, 10.0], ["Ausbildung", MARKER, MARKER, 100.0]]


def test_a_grouped_bar_chart_puts_groups_side_by_side_with_a_table() -> None:
    chart = grouped_bar_chart(
        slug="verbleib",
        title="Verbleib",
        description="Anteile",
        category_title="Zustand",
        group_title="Zeitpunkt",
        value_title="Anteil (%)",
        categories=["Ausbildung", "arbeitslos"],
        groups=["nach 6 Monaten", "nach 12 Monaten"],
        values=[[80.0, 75.0], [None, 25.0]],
        suppressed_label=MARKER,
    )

    assert chart.columns == ["Zustand", "nach 6 Monaten", "nach 12 Monaten"]
    assert chart.rows[1] == ["arbeitslos", MARKER, 25.0]
    assert all("yOffset" in layer["encoding"] for layer in chart.spec["layer"])
    assert len(chart.spec["data"]["values"]) == 3  # the suppressed bar is not drawn


def test_a_table_chart_has_no_drawing() -> None:
    chart = table_chart(slug="t", title="T", description="", columns=["a"], rows=[["x"]])

    assert not chart.has_drawing and chronogram().has_drawing


def test_the_csv_export_is_excel_friendly_with_markers_and_decimal_commas() -> None:
    with translation.override("de"):
        response = chart_export_response(
            RequestFactory().get("/?chart=chronogramm&format=csv"), [chronogram()]
        )
    assert response is not None
    content = response.content

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="chronogramm.csv"' in response["Content-Disposition"]
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").splitlines() == [
        "Monat;Personen;Schule;Ausbildung",
        "0;8;87,5;unter 5",
        "1;8;12,5;87,5",
    ]


def test_the_xlsx_export_keeps_numbers_as_numbers_and_markers_as_text() -> None:
    response = chart_export_response(
        RequestFactory().get("/?chart=chronogramm&format=xlsx"), [chronogram()]
    )
    assert response is not None
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]

    assert rows[0][0] == "Zustände je Monat"
    assert rows[1] == ["Monat", "Personen", "Schule", "Ausbildung"]
    assert rows[2] == ["0", 8, 87.5, "unter 5"]


def test_a_table_only_chart_exports_its_table_but_no_drawing() -> None:
    table = table_chart(slug="t", title="T", description="", columns=["a"], rows=[["x"]])

    svg = chart_export_response(RequestFactory().get("/?chart=t&format=svg"), [table])
    csv = chart_export_response(RequestFactory().get("/?chart=t&format=csv"), [table])

    assert svg is not None and svg.status_code == 404
    assert csv is not None and csv.status_code == 200


def test_a_chart_with_nothing_to_draw_keeps_only_its_table() -> None:
    """An empty data set would give Vega an axis of infinite extent (a console warning
    on every page with an empty chart); the table says "Keine Daten." instead."""
    no_bars = bar_chart(
        slug="b", title="B", description="", category_title="c", value_title="v", bars=[]
    )
    no_spans = timeline_chart(
        slug="t",
        title="T",
        description="",
        row_title="r",
        group_title="g",
        start_title="s",
        end_title="e",
        note_title="n",
        open_end_label="o",
        spans=[],
        today=dt.date(2026, 12, 7),
    )
    all_suppressed = grouped_bar_chart(
        slug="g",
        title="G",
        description="",
        category_title="c",
        group_title="g",
        value_title="v",
        categories=["a"],
        groups=["x"],
        values=[[None]],
        suppressed_label=MARKER,
    )
    no_cells = heatmap_chart(
        slug="h",
        title="H",
        description="",
        row_title="r",
        column_title="c",
        value_title="v",
        row_labels=[],
        column_labels=[],
        values=[],
        suppressed_label=MARKER,
    )

    assert [c.has_drawing for c in (no_bars, no_spans, all_suppressed, no_cells)] == [
        False,
        False,
        False,
        False,
    ]
    assert districts_chart().has_drawing and biography().has_drawing
    assert all_suppressed.rows == [["a", MARKER]]
