"""The transitions pages: coordinators and analysts choose a cohort, the report is
computed in the background and shows its charts with tables and CSV/XLSX downloads,
never a figure under the small-number threshold; everybody else is refused."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from doconnect.core.models import Job, JobStatus
from doconnect.people.models import Spell
from doconnect.people.services import person_create
from doconnect.transitions.cohorts import CohortSpec
from doconnect.transitions.jobs import TRANSITIONS_JOB, transitions_job_params
from tests.conftest import TODAY, City, logged_in

pytestmark = pytest.mark.usefixtures("fixed_today")
D = dt.date


@pytest.fixture
def inline(settings: Any) -> None:
    settings.JOBS_RUNNER = "inline"


@pytest.fixture
def school_leavers(city: City) -> None:
    """Seven leave school in July 2025: six start an apprenticeship, one is unemployed."""
    for i in range(7):
        person = person_create(
            gender="female",
            birth_date=D(2008, 1, 1),
            district=city.district,
            given_name=f"Kim{i}",
            family_name="Muster",
            target_groups=[city.youth],
        )
        Spell.objects.create(person=person, state="school", start=D(2022, 8, 1), end=D(2025, 7, 31))
        Spell.objects.create(
            person=person,
            state="apprenticeship" if i < 6 else "unemployed",
            start=D(2025, 8, 1),
            end=None,
        )


def start_report(client: Client, django_capture_on_commit_callbacks: Any) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("web:transitions"),
            {"kind": "school_leavers", "year": "2025", "months": "12", "k": "2"},
        )
    job = Job.objects.get(kind=TRANSITIONS_JOB)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:job_status", args=[job.pk])
    return job


@pytest.fixture
def report(
    school_leavers: None, coordinator: User, inline: None, django_capture_on_commit_callbacks: Any
) -> Job:
    return start_report(logged_in(coordinator), django_capture_on_commit_callbacks)


# --------------------------------------------------------------------------- access


@pytest.mark.parametrize("persona", ["coordinator", "analyst"])
def test_coordinators_and_analysts_start_a_report_and_see_its_charts(
    request: pytest.FixtureRequest,
    persona: str,
    school_leavers: None,
    inline: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = logged_in(request.getfixturevalue(persona))
    assert client.get(reverse("web:transitions")).status_code == 200

    job = start_report(client, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    status_page = client.get(reverse("web:job_status", args=[job.pk]))
    page = client.get(status_page["Location"])
    html = page.content.decode()

    assert job.status == JobStatus.DONE and job.result["n"] == 7
    assert status_page["Location"] == reverse("web:transitions_report", args=[job.pk])
    assert page.status_code == 200
    assert "Schulabgänger:innen 2025" in html
    for slug in ("zustandsverteilung", "uebergaenge", "verbleib", "typen"):
        assert f'id="chart-{slug}"' in html
        assert f"chart={slug}&amp;format=csv" in html and f"chart={slug}&amp;format=xlsx" in html
    assert "unter 5" in html  # the one unemployed leaver


@pytest.mark.parametrize("persona", ["case_worker", "provider_staff", "outsider"])
def test_everybody_else_is_refused_the_page_and_the_report(
    request: pytest.FixtureRequest, persona: str, report: Job
) -> None:
    client = logged_in(request.getfixturevalue(persona))

    assert client.get(reverse("web:transitions")).status_code == 403
    assert client.post(reverse("web:transitions"), {"kind": "school_leavers"}).status_code == 403
    assert client.get(reverse("web:transitions_report", args=[report.pk])).status_code == 403
    assert client.get(reverse("web:job_status", args=[report.pk])).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login(report: Job) -> None:
    response = Client().get(reverse("web:transitions_report", args=[report.pk]))

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_unknown_report_is_not_found(coordinator: User, report: Job) -> None:
    client = logged_in(coordinator)
    other_kind = Job.objects.create(kind="allocation", status=JobStatus.DONE, result={"run": 1})

    assert client.get(reverse("web:transitions_report", args=[999])).status_code == 404
    assert client.get(reverse("web:transitions_report", args=[other_kind.pk])).status_code == 404


def test_the_navigation_shows_the_page_to_coordinators_and_analysts_only(
    coordinator: User, analyst: User, case_worker: User
) -> None:
    href = f'href="{reverse("web:transitions")}"'

    assert href in logged_in(coordinator).get("/").content.decode()
    assert href in logged_in(analyst).get("/").content.decode()
    assert href not in logged_in(case_worker).get("/").content.decode()


# ----------------------------------------------------------------------------- form


def test_a_cohort_without_its_parameter_is_refused_next_to_the_field(
    coordinator: User, inline: None
) -> None:
    response = logged_in(coordinator).post(
        reverse("web:transitions"), {"kind": "offer", "months": "36", "k": "4"}
    )

    assert response.status_code == 400
    assert "Für diese Kohorte erforderlich." in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize(("months", "k"), [("6", "4"), ("73", "4"), ("36", "1"), ("36", "9")])
def test_months_and_types_stay_within_their_bounds(
    coordinator: User, inline: None, months: str, k: str
) -> None:
    response = logged_in(coordinator).post(
        reverse("web:transitions"),
        {"kind": "school_leavers", "year": "2025", "months": months, "k": k},
    )

    assert response.status_code == 400 and not Job.objects.exists()


def test_a_second_report_while_one_runs_is_refused(coordinator: User, school_leavers: None) -> None:
    Job.objects.create(
        kind=TRANSITIONS_JOB,
        params=transitions_job_params(
            CohortSpec(kind="school_leavers", year=2025), months=12, k=2, min_count=5, today=TODAY
        ),
    )

    response = logged_in(coordinator).post(
        reverse("web:transitions"),
        {"kind": "school_leavers", "year": "2025", "months": "12", "k": "2"},
    )

    assert response.status_code == 400
    assert Job.objects.filter(kind=TRANSITIONS_JOB).count() == 1


# -------------------------------------------------------------------------- exports


def test_the_csv_export_has_the_table_with_the_suppression_marker(
    coordinator: User, report: Job
) -> None:
    url = reverse("web:transitions_report", args=[report.pk])
    response = logged_in(coordinator).get(url, {"chart": "zustandsverteilung", "format": "csv"})
    text = response.content.decode("utf-8")
    lines = text.lstrip("\ufeff").splitlines()

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert text.startswith("\ufeff")
    assert lines[0].split(";")[:2] == ["Monat", "Personen beobachtet"]
    month_0 = lines[1].split(";")
    assert month_0[:2] == ["0", "7"]
    assert "unter 5" in month_0
    assert not any(cell in ("1", "14,3") for cell in month_0)  # the one unemployed


def test_the_xlsx_export_has_the_table_with_the_suppression_marker(
    coordinator: User, report: Job
) -> None:
    url = reverse("web:transitions_report", args=[report.pk])
    response = logged_in(coordinator).get(url, {"chart": "verbleib-geschlecht", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]

    assert response.status_code == 200
    assert rows[1][:3] == ["Geschlecht", "Zeitpunkt", "Personen"]
    female_at_6 = rows[2]
    assert female_at_6[:3] == ["weiblich", "nach 6 Monaten", 7]
    assert "unter 5" in female_at_6 and 1 not in female_at_6[3:]


def test_a_table_only_chart_has_no_drawing_to_download(coordinator: User, report: Job) -> None:
    url = reverse("web:transitions_report", args=[report.pk])

    assert logged_in(coordinator).get(url, {"chart": "typen", "format": "svg"}).status_code == 404
    assert logged_in(coordinator).get(url, {"chart": "nope", "format": "csv"}).status_code == 404


def test_an_analyst_sees_the_typology_without_pseudonyms(
    report: Job, coordinator: User, analyst: User
) -> None:
    # Analysts see persons one by one only coarsened (issue #20, people/analyst_view.py):
    # a medoid's pseudonym would tie a whole sequence to one record.
    url = reverse("web:transitions_report", args=[report.pk])
    assert 'href="/persons/P-' in logged_in(coordinator).get(url).content.decode()
    seen = logged_in(analyst).get(url).content.decode()
    assert "Typischer Verlauf (Medoid):" in seen and 'href="/persons/P-' not in seen
    assert not re.search(r"P-[0-9A-Z]{8}", seen)
