"""The public pages (no login) and the coordinator's transparency page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from doconnect.core.models import TargetGroup
from doconnect.offers.models import OfferKind
from doconnect.people.services import spell_create
from doconnect.transparency.models import PublishedReport
from doconnect.transparency.services import yearly_report_publish
from tests.conftest import City, count_queries, logged_in, make_person
from tests.transparency.conftest import year_city  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("fixed_today")
ARTIFACTS = Path(django_settings.BASE_DIR).parent.parent / "var" / "test-artifacts"


@pytest.fixture
def published(year_city: City, coordinator: User) -> PublishedReport:  # noqa: F811
    return yearly_report_publish(year=2026, by=coordinator)


def test_the_public_index_lists_published_reports_without_login(
    published: PublishedReport,
) -> None:
    response = Client().get("/public/")
    assert response.status_code == 200
    assert "Jahresbericht 2026" in response.content.decode()
    assert 'href="/public/reports/2026/"' in response.content.decode()


def test_the_public_report_page_shows_text_tables_and_charts(published: PublishedReport) -> None:
    response = Client().get("/public/reports/2026/")
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "Im Jahr 2026 boten weniger als 5 Träger weniger als 5 Angebote mit 20 Plätzen an." in html
    )
    assert "<caption" in html and "weniger als 5 Fälle oder rückrechenbar" in html
    assert 'data-vega-spec="chart-plaetze-nach-angebotsart-spec"' in html
    assert 'href="#table-offers_by_kind"' in html  # the chart's table fallback


def test_the_target_groups_of_the_published_report_are_in_the_readers_language(
    year_city: City,  # noqa: F811
    coordinator: User,
) -> None:
    TargetGroup.objects.filter(pk=year_city.youth.pk).update(label="Langzeitarbeitslose")
    yearly_report_publish(year=2026, by=coordinator)
    german = Client(headers={"accept-language": "de"}).get("/public/reports/2026/")
    english = Client(headers={"accept-language": "en"}).get("/public/reports/2026/")
    assert '<th scope="row" class="kern-table__header">Langzeitarbeitslose</th>' in (
        german.content.decode()
    )
    html = english.content.decode()
    assert '<th scope="row" class="kern-table__header">Long-term unemployed</th>' in html
    assert '<th scope="col" class="kern-table__header num">no target group</th>' in html
    assert '<th scope="col" class="kern-table__header num">Long-term unemployed</th>' in html
    with translation.override("en"):
        kind = str(OfferKind(year_city.offer_a.kind).label)
    assert f'<th scope="row" class="kern-table__header">{kind}</th>' in html  # offer kinds too
    # the publication's own text stays German and says so to the browser
    assert '<h2 class="kern-heading-medium" id="section-offers" lang="de">' in html
    assert 'lang="de"' not in german.content.decode().split("<main", 1)[1]
    # the PDF's and the CSV's labels are the publication's
    assert "Langzeitarbeitslose" in Client().get("/public/reports/2026/figures.csv").content.decode(
        "utf-8-sig"
    )


def test_the_column_headers_of_the_report_tables_are_in_the_readers_language(
    published: PublishedReport,
) -> None:
    english = Client(headers={"accept-language": "en"}).get("/public/reports/2026/")
    html = english.content.decode()
    for header in ("Offers", "Places"):
        assert f'<th scope="col" class="kern-table__header num">{header}</th>' in html
    for header in ("Kind of offer", "District"):
        assert f'<th scope="col" class="kern-table__header">{header}</th>' in html
    for german in ("Angebote", "Plätze", "Angebotsart", "Stadtbezirk"):
        assert f">{german}</th>" not in html
    # the German page, the PDF's source and the CSV stay the publication's
    assert '<th scope="col" class="kern-table__header">Angebotsart</th>' in (
        Client(headers={"accept-language": "de"}).get("/public/reports/2026/").content.decode()
    )
    assert published.content["sections"][0]["tables"][0]["columns"] == ["Angebote", "Plätze"]
    csv = Client(headers={"accept-language": "en"}).get("/public/reports/2026/figures.csv")
    assert ",Angebote," in csv.content.decode("utf-8-sig")


def test_the_public_report_page_needs_few_queries(published: PublishedReport) -> None:
    assert count_queries(Client(), "/public/reports/2026/") <= 2
    assert count_queries(Client(), "/public/") <= 2


def test_a_chart_of_the_public_report_downloads_as_svg(published: PublishedReport) -> None:
    response = Client().get("/public/reports/2026/?chart=plaetze-nach-angebotsart&format=svg")
    assert response.status_code == 200
    assert response.content.startswith(b"<svg")


def test_an_unpublished_year_is_not_found_for_everybody(
    year_city: City,  # noqa: F811
    coordinator: User,
    case_worker: User,
    analyst: User,
) -> None:
    for client in (Client(), logged_in(case_worker), logged_in(analyst), logged_in(coordinator)):
        for url in (
            "/public/reports/2026/",
            "/public/reports/2026.pdf",
            "/public/reports/2026/figures.csv",
        ):
            assert client.get(url).status_code == 404, url


def test_a_withdrawn_report_is_gone_from_the_public_pages(
    published: PublishedReport, coordinator: User
) -> None:
    client = logged_in(coordinator)
    response = client.post(
        f"/transparency/reports/{published.pk}/withdraw/",
        {"reason": "Fehler in der Förderung", "confirm": "on"},
    )
    assert response.status_code == 302
    assert Client().get("/public/reports/2026/").status_code == 404
    assert "Jahresbericht 2026" not in Client().get("/public/").content.decode()


def test_the_figures_csv_works_without_login(published: PublishedReport) -> None:
    response = Client().get("/public/reports/2026/figures.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "table,row,column,value"
    assert "Angebote und Plätze im Jahr 2026 nach Angebotsart,Qualifizierung,Angebote,*" in text


def test_the_pdf_works_without_login_and_renders_to_non_blank_pages(
    published: PublishedReport,
) -> None:
    pdfium = pytest.importorskip("pypdfium2")
    response = Client().get("/public/reports/2026.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    document = pdfium.PdfDocument(response.content)
    try:
        assert len(document) >= 3
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for number in (1, 2):
            image = document[number - 1].render(scale=1.5).to_pil().convert("L")
            image.save(ARTIFACTS / f"yearly-report-page-{number}.png")
            low, _high = image.getextrema()
            assert low < 128, f"page {number} is blank"
        text = document[0].get_textpage().get_text_range()
        assert "Jahresbericht 2026" in text
    finally:
        document.close()


def test_the_transparency_page_lists_the_years_for_coordinators(
    published: PublishedReport, coordinator: User
) -> None:
    response = logged_in(coordinator).get("/transparency/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bericht 2026 zurückziehen" in html
    assert "Vorschau 2025 und veröffentlichen" in html
    assert count_queries(logged_in(coordinator), "/transparency/") <= 6


def test_a_coordinator_previews_and_publishes_with_confirmation(
    year_city: City,  # noqa: F811
    coordinator: User,
) -> None:
    client = logged_in(coordinator)
    preview = client.get("/transparency/2026/preview/")
    assert preview.status_code == 200
    assert "Vorschau – nicht veröffentlicht" in preview.content.decode()
    unconfirmed = client.post("/transparency/2026/publish/", {})
    assert unconfirmed.status_code == 302
    assert not PublishedReport.objects.exists()
    done = client.post("/transparency/2026/publish/", {"confirm": "on"})
    assert done.status_code == 302 and done["Location"] == "/public/reports/2026/"
    assert PublishedReport.objects.public().get().published_by == coordinator


def test_publishing_needs_the_csrf_token(year_city: City, coordinator: User) -> None:  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    assert client.post("/transparency/2026/publish/", {"confirm": "on"}).status_code == 403
    assert not PublishedReport.objects.exists()


@pytest.mark.parametrize(
    "who", ["case_worker", "provider_staff", "analyst", "platform_admin", "outsider"]
)
def test_others_may_not_preview_publish_or_withdraw(
    published: PublishedReport, who: str, request: pytest.FixtureRequest
) -> None:
    client = logged_in(request.getfixturevalue(who))
    assert client.get("/transparency/").status_code == 403
    assert client.get("/transparency/2025/preview/").status_code == 403
    assert client.post("/transparency/2025/publish/", {"confirm": "on"}).status_code == 403
    withdraw = f"/transparency/reports/{published.pk}/withdraw/"
    assert client.post(withdraw, {"reason": "x", "confirm": "on"}).status_code == 403
    assert PublishedReport.objects.public().count() == 1


def test_anonymous_visitors_are_sent_to_the_login_for_the_transparency_page(
    published: PublishedReport,
) -> None:
    client = Client()
    assert client.get("/transparency/").status_code == 302
    assert client.get("/transparency/2025/preview/").status_code == 302
    assert client.post("/transparency/2025/publish/", {"confirm": "on"}).status_code == 302
    assert PublishedReport.objects.count() == 1


def test_the_yearly_report_preview_needs_the_same_queries_for_a_bigger_city(
    year_city: City,  # noqa: F811
    coordinator: User,
) -> None:
    client = logged_in(coordinator)
    client.get("/transparency/2026/preview/")  # a session's first request does more
    few = count_queries(client, "/transparency/2026/preview/")
    for i in range(20):
        person = make_person(year_city, given_name=f"Mehr{i}")
        spell_create(
            person=person,
            state="offer",
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 5, 31),
            offer_id=year_city.offer_b.pk,
        )
        spell_create(person=person, state="employment", start=dt.date(2026, 6, 1), end=None)
    assert count_queries(client, "/transparency/2026/preview/") == few
