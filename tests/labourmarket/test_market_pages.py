"""The labour-market pages (issue #7): the city and its districts over time with a map,
the shortage/surplus table by occupation with sparklines, the ranked potentials and
the employers likely to hire. Hand-made statistics, vacancies and spells; every page
shows the expected numbers, a suppressed figure its sign (never 0), every table
downloads as CSV and XLSX; potentials and employers only for coordinators, case
workers and analysts; a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from doconnect.core.models import District
from doconnect.labourmarket.charts import DORTMUND_TILES, sparkline_svg, tile_positions
from doconnect.labourmarket.employers.models import Vacancy
from doconnect.labourmarket.models import Statistic
from doconnect.people.models import Person, Spell
from tests.conftest import City, count_queries, logged_in

pytestmark = pytest.mark.usefixtures("fixed_today")
D = dt.date
MONTHS = [
    f"{y}-{m:02d}"
    for y, m in [(2025, m) for m in range(10, 13)] + [(2026, m) for m in range(1, 11)]
]


def stat(region: str, period: str, indicator: str, value: float | None, **extra: object) -> None:
    Statistic.objects.create(
        region=region,
        period=period,
        indicator=indicator,
        value=None if value is None else Decimal(str(value)),
        marker="*" if value is None else "",
        **extra,
    )


@pytest.fixture
def statistics(city: City) -> City:
    """Dortmund and two districts, October 2025 to October 2026; Hörde's unemployed in
    October 2026 kept secret (*). Dortmund: 900 unemployed a year ago, 980 in
    September, 1000 in October 2026."""
    for i, month in enumerate(MONTHS):
        city_value = {"2025-10": 900, "2026-09": 980, "2026-10": 1000}.get(month, 950)
        stat("Dortmund", month, "unemployed", city_value)
        stat("Dortmund", month, "job_seekers", 2000 + i)
        stat("Dortmund", month, "unemployment_rate", 10.5)
        stat("Eving", month, "unemployed", 300 + i, district=city.district)
        stat("Eving", month, "job_seekers", 600 + i, district=city.district)
        stat(
            "Hörde",
            month,
            "unemployed",
            None if month == "2026-10" else 200,
            district=city.other_district,
        )
        # job seekers by occupation (three digits) for the shortage table
        stat("Dortmund", month, "job_seekers", 40, kldb="293")
        stat("Dortmund", month, "job_seekers", None, kldb="513")
    return city


def vacancy(
    ref: str,
    kldb: str,
    published: dt.date,
    closed: dt.date | None,
    n: int,
    employer: str,
    district: District | None = None,
) -> None:
    Vacancy.objects.create(
        district=district,
        source="manual",
        reference=ref,
        title=f"Stelle {ref}",
        kldb=kldb,
        published_on=published,
        closed_on=closed,
        positions=n,
        employer_name=employer,
    )


def seeker(city: City, code: str, i: int) -> Person:
    from doconnect.people.services import person_create

    person = person_create(
        gender="female",
        birth_date=D(1990, 1, 1),
        district=city.district,
        given_name=f"P{code}{i}",
        family_name="Muster",
    )
    Spell.objects.create(
        person=person, state="employed", start=D(2020, 1, 1), end=D(2024, 12, 31), kldb=code
    )
    Spell.objects.create(
        person=person, state="unemployed", start=D(2025, 1, 1), end=None, kldb=code
    )
    return person


@pytest.fixture
def market(statistics: City) -> City:
    """Vacancies and job seekers: 81102 (Medizinische Fachangestellte) is short — 5
    persons seek it, 10 positions are open and its vacancies stay open long (365 days
    against 10 for the kitchen ones); 6 persons seek the neighbouring 81112. 20
    positions of 29302 are open."""
    for i in range(5):
        vacancy(f"mfa-{i}", "81102", D(2025, 6, 1), D(2026, 6, 1), 2, "Praxis Nord")
    vacancy("mfa-open", "81102", D(2026, 1, 1), None, 10, "Praxis Nord")
    for i in range(16):
        vacancy(f"koch-{i}", "29302", D(2026, 10, 1), D(2026, 10, 11), 1, "Kantine Süd")
    for i in range(4):
        vacancy(f"koch-open-{i}", "29302", D(2026, 11, 1), None, 5, "Kantine Süd")
    vacancy("lager", "51312", D(2026, 11, 1), None, 6, "Kantine Süd")
    for i in range(5):
        seeker(statistics, "81102", i)
    for i in range(6):
        seeker(statistics, "81112", i)
    return statistics


def xlsx_rows(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# --------------------------------------------------------------------------- access


@pytest.mark.parametrize("persona", ["coordinator", "case_worker", "provider_staff", "analyst"])
def test_every_member_sees_the_labour_market_and_occupations(
    request: pytest.FixtureRequest, persona: str, market: City
) -> None:
    client = logged_in(request.getfixturevalue(persona))

    main = client.get(reverse("web:labour_market"))
    district = client.get(reverse("web:labour_market_district", args=["05913004"]))
    occupations = client.get(reverse("web:labour_market_occupations"))

    assert main.status_code == district.status_code == occupations.status_code == 200
    assert 'href="/labour-market/" aria-current="page"' in main.content.decode()


@pytest.mark.parametrize("persona", ["coordinator", "case_worker", "analyst"])
def test_coordinators_case_workers_and_analysts_see_potentials_and_employers(
    request: pytest.FixtureRequest, persona: str, market: City
) -> None:
    client = logged_in(request.getfixturevalue(persona))

    assert client.get(reverse("web:labour_market_potentials")).status_code == 200
    assert client.get(reverse("web:labour_market_employers")).status_code == 200
    assert "Beschäftigungspotenziale" in client.get(reverse("web:labour_market")).content.decode()


def test_provider_staff_are_refused_potentials_and_employers(
    provider_staff: User, market: City
) -> None:
    client = logged_in(provider_staff)
    main = client.get(reverse("web:labour_market")).content.decode()

    assert client.get(reverse("web:labour_market_potentials")).status_code == 403
    assert client.get(reverse("web:labour_market_employers")).status_code == 403
    assert reverse("web:labour_market_potentials") not in main


def test_outsiders_are_refused_and_anonymous_visitors_sent_to_the_login(
    outsider: User, market: City
) -> None:
    urls = [
        reverse("web:labour_market"),
        reverse("web:labour_market_district", args=["05913004"]),
        reverse("web:labour_market_occupations"),
        reverse("web:labour_market_potentials"),
        reverse("web:labour_market_employers"),
    ]
    client = logged_in(outsider)
    for url in urls:
        assert client.get(url).status_code == 403
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


# --------------------------------------------------------------------------- the city


def test_the_city_page_shows_the_latest_month_with_its_changes(
    coordinator: User, statistics: City
) -> None:
    client = logged_in(coordinator)
    html = client.get(reverse("web:labour_market")).content.decode()

    assert "Arbeitsmarkt: Dortmund" in html
    for slug in (
        "kennzahlen",
        "stadt-arbeitslose",
        "stadt-arbeitsuchende",
        "stadt-arbeitslosenquote",
        "karte-arbeitslose",
        "bezirke-arbeitslose",
    ):
        assert f'id="chart-{slug}"' in html
        assert f"chart={slug}&amp;format=xlsx" in html
    rows = xlsx_rows(
        client.get(reverse("web:labour_market"), {"chart": "kennzahlen", "format": "xlsx"}).content
    )
    assert rows[1][:4] == ["Kennzahl", "Monat", "Wert", "Veränderung zum Vormonat"]
    unemployed = rows[2]
    # 1000 in October 2026: +20 against September (+2.0 %), +100 against October 2025
    assert unemployed[2:] == [1000, 20, 2.0, 100, 11.1]


def test_a_suppressed_figure_shows_its_sign_never_zero(coordinator: User, statistics: City) -> None:
    client = logged_in(coordinator)
    url = reverse("web:labour_market")

    csv = client.get(url, {"chart": "karte-arbeitslose", "format": "csv"}).content.decode(
        "utf-8-sig"
    )
    district = client.get(reverse("web:labour_market_district", args=["05913008"]))
    key = xlsx_rows(
        client.get(
            reverse("web:labour_market_district", args=["05913008"]),
            {"chart": "kennzahlen", "format": "xlsx"},
        ).content
    )

    lines = csv.splitlines()
    assert lines[0] == "Stadtbezirk;Arbeitslose;zum Vorjahresmonat"
    assert "Eving;312;12" in lines  # 300 + 12 in October 2026, 300 a year earlier
    assert "Hörde;*;" in lines  # kept secret: the sign, and no change built on it
    assert district.status_code == 200
    assert key[2][:5] == ["Arbeitslose", "Okt 2026", "*", None, None]


def test_districts_without_boundaries_are_a_tile_map_with_links(
    coordinator: User, statistics: City
) -> None:
    response = logged_in(coordinator).get(reverse("web:labour_market"))
    html = response.content.decode()

    assert "Schematische Karte" in html
    assert reverse("web:labour_market_district", args=["05913004"]) in html
    # colour and the number: both in the tile's data
    assert '"label": "312"' in html or '"label":"312"' in html


def test_districts_with_boundaries_are_a_choropleth(coordinator: User, statistics: City) -> None:
    square = {
        "type": "Polygon",
        "coordinates": [[[7.4, 51.5], [7.5, 51.5], [7.5, 51.6], [7.4, 51.5]]],
    }
    for d in (statistics.district, statistics.other_district):
        d.boundary = {"type": "Feature", "geometry": square, "properties": {}}
        d.save()

    html = logged_in(coordinator).get(reverse("web:labour_market")).content.decode()

    assert "geoshape" in html and "hinterlegten Grenzen" in html


def test_the_tile_arrangement_is_dortmunds_or_alphabetical() -> None:
    assert tile_positions(list(DORTMUND_TILES)) == DORTMUND_TILES
    assert tile_positions(["C", "A", "B", "D"]) == {
        "A": (0, 0),
        "B": (1, 0),
        "C": (0, 1),
        "D": (1, 1),
    }


def test_the_main_page_and_the_occupations_page_need_a_fixed_number_of_queries(
    coordinator: User, market: City
) -> None:
    client = logged_in(coordinator)
    main_before = count_queries(client, reverse("web:labour_market"))
    occupations_before = count_queries(client, reverse("web:labour_market_occupations"))
    for month in MONTHS:
        stat("Dortmund", month, "job_seekers", 30, kldb="262")
        stat("Hörde", month, "job_seekers", 100, district=market.other_district)
    for i in range(20):
        vacancy(f"more-{i}", "26212", D(2026, 9, 1), None, 1, "Elektro West")

    assert count_queries(client, reverse("web:labour_market")) == main_before
    assert count_queries(client, reverse("web:labour_market_occupations")) == occupations_before
    assert main_before <= 8 and occupations_before <= 10


# --------------------------------------------------------------------------- occupations


def test_the_occupations_table_with_sparklines_and_exports(coordinator: User, market: City) -> None:
    client = logged_in(coordinator)
    url = reverse("web:labour_market_occupations")

    html = client.get(url, {"level": "3"}).content.decode()
    csv = client.get(url, {"level": "3", "chart": "engpass", "format": "csv"}).content.decode(
        "utf-8-sig"
    )
    rows = xlsx_rows(client.get(url, {"level": "3", "chart": "engpass", "format": "xlsx"}).content)

    assert "Statistik der BA (Dortmund, Okt 2026)" in html
    # 293: 40 job seekers (statistics), 20 positions open on 23 November → 2.0
    assert "293;40;20;2;" in csv.replace(",0;", ";")
    # 513: job seekers kept secret → the sign, no ratio
    assert any(line.startswith("513;*;6;;") for line in csv.splitlines())
    assert rows[1][0] == "Beruf (KldB 2010)"
    assert rows[next(i for i, r in enumerate(rows) if r[0] == "293")][:4] == ["293", 40, 20, 2.0]
    assert html.count('class="sparkline" role="img"') >= 2
    assert "Arbeitsuchende in den letzten 12 Monaten: 40 (Nov 2025) bis 40 (Okt 2026)" in html


def test_the_occupations_table_prefers_registered_vacancies_of_the_statistics(
    coordinator: User, market: City
) -> None:
    stat("Dortmund", "2026-10", "vacancies", 30, kldb="293")
    client = logged_in(coordinator)
    url = reverse("web:labour_market_occupations")

    html = client.get(url, {"level": "3"}).content.decode()
    csv = client.get(url, {"level": "3", "chart": "engpass", "format": "csv"}).content.decode(
        "utf-8-sig"
    )

    assert "gemeldete Arbeitsstellen der Statistik (Dortmund, Okt 2026)" in html
    # 40 job seekers for 30 registered vacancies (not the 20 open positions in the database)
    assert any(line.startswith("293;40;30;1,33;") for line in csv.splitlines())


def test_the_occupations_table_from_spells_hides_small_counts(
    coordinator: User, market: City
) -> None:
    client = logged_in(coordinator)
    url = reverse("web:labour_market_occupations")

    csv = client.get(url, {"level": "5", "source": "spells", "chart": "engpass", "format": "csv"})
    lines = csv.content.decode("utf-8-sig").splitlines()

    # 81102: 5 seekers, 10 positions, open 365 days against a median of 10 → shortage
    assert any(line.startswith("81102 (Fachkraft);5;10;0,5;365;Engpass") for line in lines)
    assert any(line.startswith("51312 (Fachkraft);0;6;0;") for line in lines)


def test_a_bad_level_is_refused_next_to_the_field(coordinator: User, market: City) -> None:
    response = logged_in(coordinator).get(reverse("web:labour_market_occupations"), {"level": "9"})

    assert response.status_code == 400


# --------------------------------------------------------------------------- potentials


def test_potentials_in_words_with_export(coordinator: User, market: City) -> None:
    client = logged_in(coordinator)
    url = reverse("web:labour_market_potentials")

    html = client.get(url).content.decode()
    rows = xlsx_rows(client.get(url, {"chart": "potenziale", "format": "xlsx"}).content)
    targets = client.get(url, {"chart": "engpassberufe", "format": "csv"}).content.decode(
        "utf-8-sig"
    )

    # gap of 81102: ⌈1.5 · 10⌉ − 5 = 10; the 6 seekers of 81112 close 6 of it
    assert "81102 (Fachkraft);10" in targets
    assert "Beide Berufe gehören zur selben Berufsgruppe (dreistellig)." in html
    row = next(r for r in rows[2:] if r[2] == "81112 (Fachkraft)")
    assert row[1] == "81102 (Fachkraft)" and row[3] == 6 and row[8] == 6
    assert row[6] == "nein"


# --------------------------------------------------------------------------- employers


def test_employers_with_forecast_and_backtest(analyst: User, market: City) -> None:
    client = logged_in(analyst)
    url = reverse("web:labour_market_employers")

    html = client.get(url).content.decode()
    rows = xlsx_rows(client.get(url, {"chart": "arbeitgeber", "format": "xlsx"}).content)

    assert "Mittlerer Fehler Modell (MAE)" in html
    assert {r[0] for r in rows[2:]} == {"Praxis Nord", "Kantine Süd"}
    kantine = next(r for r in rows[2:] if r[0] == "Kantine Süd")
    # 21 vacancies in the last three months (16 closed, 4 open, 1 Lager)
    assert kantine[1] == 21 and kantine[4] in ("Vorquartal", "Modell")


# --------------------------------------------------------------------------- districts


@pytest.fixture
def districts(market: City) -> City:
    """The market's vacancies have no district. In Eving (where the market's job seekers
    live): 6 positions of 81102 open since January (still open); in Hörde: 6 positions
    of 29302 from a Hörde kitchen."""
    vacancy("eving-mfa", "81102", D(2026, 1, 1), None, 6, "Praxis Eving", market.district)
    for i in range(2):
        vacancy(
            f"hoerde-{i}", "29302", D(2026, 10, 1), None, 3, "Küche Hörde", market.other_district
        )
    return market


def test_the_occupations_page_filters_by_district(coordinator: User, districts: City) -> None:
    client = logged_in(coordinator)
    url = reverse("web:labour_market_occupations")
    query = {"level": "5", "district": "05913004", "chart": "engpass", "format": "csv"}

    html = client.get(url, {"level": "5", "district": "05913004"}).content.decode()
    lines = client.get(url, query).content.decode("utf-8-sig").splitlines()
    hoerde = client.get(url, {**query, "district": "05913008"}).content.decode("utf-8-sig")

    # Eving has no job-seeker statistics by KldB: its residents' spells count; only the
    # vacancies placed in Eving: 5 seekers of 81102 for 6 positions.
    assert "Engpass und Überhang nach Beruf, Eving, Stichtag" in html
    assert any(line.startswith("81102 (Fachkraft);5;6;0,83;") for line in lines)
    assert not any(line.startswith("29302") for line in lines)
    # Hörde: nobody seeks work there, 6 positions of 29302.
    assert any(line.startswith("29302 (Fachkraft);0;6;0;") for line in hoerde.splitlines())


def test_the_employers_page_filters_by_district(analyst: User, districts: City) -> None:
    client = logged_in(analyst)
    url = reverse("web:labour_market_employers")

    html = client.get(url, {"district": "05913008"}).content.decode()
    rows = xlsx_rows(
        client.get(url, {"district": "05913008", "chart": "arbeitgeber", "format": "xlsx"}).content
    )

    assert "Arbeitgeber in Hörde: erwartete Stellenangebote" in html
    assert [r[0] for r in rows[2:]] == ["Küche Hörde"]
    assert rows[2][1] == 2  # two vacancies published in the last three months


def test_an_unknown_district_is_refused_next_to_the_field(
    coordinator: User, districts: City
) -> None:
    client = logged_in(coordinator)

    occupations = client.get(reverse("web:labour_market_occupations"), {"district": "0591"})
    employers = client.get(reverse("web:labour_market_employers"), {"district": "0591"})

    assert occupations.status_code == employers.status_code == 400
    assert 'aria-describedby="id_district_error"' in employers.content.decode()


def test_the_district_filter_is_refused_to_whom_the_pages_are_refused(
    outsider: User, provider_staff: User, districts: City
) -> None:
    query = {"district": "05913004"}

    assert (
        logged_in(outsider).get(reverse("web:labour_market_occupations"), query).status_code == 403
    )
    assert (
        logged_in(provider_staff).get(reverse("web:labour_market_employers"), query).status_code
        == 403
    )


def test_the_district_pages_need_a_fixed_number_of_queries(analyst: User, districts: City) -> None:
    client = logged_in(analyst)
    occupations = reverse("web:labour_market_occupations") + "?level=5&district=05913004"
    employers = reverse("web:labour_market_employers") + "?district=05913004"
    occupations_before = count_queries(client, occupations)
    employers_before = count_queries(client, employers)
    for i in range(10):
        vacancy(f"eving-{i}", "26212", D(2026, 9, 1), None, 1, f"Elektro {i}", districts.district)
        seeker(districts, "26212", i)

    assert count_queries(client, occupations) == occupations_before <= 10
    assert count_queries(client, employers) == employers_before <= 8


# --------------------------------------------------------------------------- numbers


def test_tables_show_german_numbers_and_exports_keep_them_raw(
    coordinator: User, statistics: City
) -> None:
    client = logged_in(coordinator)
    url = reverse("web:labour_market")

    html = client.get(url).content.decode()
    csv = client.get(url, {"chart": "stadt-arbeitsuchende", "format": "csv"}).content.decode(
        "utf-8-sig"
    )
    rows = xlsx_rows(client.get(url, {"chart": "kennzahlen", "format": "xlsx"}).content)

    # Job seekers in October 2026: 2000 + 12; the unemployment rate 10.5 %.
    table = html.split('id="chart-kennzahlen"')[1].split("</table>")[0]
    assert '<td class="kern-table__cell">2.012</td>' in table
    assert '<td class="kern-table__cell">10,5</td>' in table
    assert "Okt 2026;2012;" in csv
    assert [r[2] for r in rows[2:5]] == [1000, 2012, 10.5]


def test_the_occupations_table_shows_thousands_with_a_point(
    coordinator: User, market: City
) -> None:
    for month in MONTHS:
        stat("Dortmund", month, "job_seekers", 12345, kldb="621")
    client = logged_in(coordinator)
    url = reverse("web:labour_market_occupations")

    html = client.get(url, {"level": "3"}).content.decode()
    csv = client.get(url, {"level": "3", "chart": "engpass", "format": "csv"}).content.decode(
        "utf-8-sig"
    )

    assert '<td class="kern-table__cell num">12.345</td>' in html
    assert any(line.startswith("621;12345;0;") for line in csv.splitlines())


def test_sparkline_is_an_accessible_polyline_with_gaps() -> None:
    svg = str(sparkline_svg([1.0, 2.0, None, 3.0, 4.0], label="Verlauf <x>"))

    assert svg.count("<polyline") == 2
    assert 'aria-label="Verlauf &lt;x&gt;"' in svg and "<title>Verlauf &lt;x&gt;</title>" in svg
