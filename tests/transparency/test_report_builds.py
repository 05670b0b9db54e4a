"""The coordinator's report preview is built once, stored and shared by every process; a
write to what it was built from makes the page show the stored build, with its date,
until the worker has built the next; publishing always builds afresh."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from doconnect.core.jobs import job_execute
from doconnect.core.models import Job, JobStatus
from doconnect.offers.models import Offer
from doconnect.transparency import builds
from doconnect.transparency.builds import BUILD_FORMAT, BUILD_JOB, kept_build
from doconnect.transparency.models import PublishedReport, ReportBuild
from doconnect.transparency.services import yearly_report_build, yearly_report_publish
from tests.conftest import TODAY, City, count_queries, logged_in
from tests.transparency.conftest import year_city  # noqa: F401  (fixture)
from tests.workers import start_worker, wait_for

PREVIEW = "/transparency/2026/preview/"
# The test city's 2026 offers: offer A and B with 20 places together.
PLACES_BEFORE = "mit 20 Plätzen"
PLACES_AFTER = "mit 30 Plätzen"
AS_OF = "eine neuere Auswertung wird im Hintergrund berechnet"


@pytest.fixture(autouse=True)
def rebuilt_at_every_change(settings: Any) -> None:
    """These tests follow each change to its rebuild; the interval between rebuilds
    (``DOCONNECT_KEPT_REBUILD_MINUTES``) has tests of its own."""
    settings.KEPT_REBUILD_MINUTES = 0


@pytest.fixture
def stored_city(transactional_db: None, fixed_today: None, year_city: City) -> City:  # noqa: F811
    """The test city committed, so that the pages store their builds (outside a
    transaction), on the tests' fixed day."""
    return year_city


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The years the report was built for by the preview's module, in this test (the
    real build)."""
    done: list[int] = []
    build = builds.yearly_report_build

    def counted(*, year: int, today: dt.date | None = None) -> dict[str, Any]:
        done.append(year)
        return build(year=year, today=today)

    monkeypatch.setattr(builds, "yearly_report_build", counted)
    return done


def add_ten_places(city: City) -> None:
    """A write to a table the report reads (offers): 20 → 30 places in 2026."""
    Offer.objects.filter(pk=city.offer_a.pk).update(capacity=city.offer_a.capacity + 10)


def queued_builds() -> list[Job]:
    return list(Job.objects.filter(kind=BUILD_JOB, status=JobStatus.QUEUED))


def page(client: Any) -> str:
    response = client.get(PREVIEW)
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_first_look_builds_the_report_in_the_request_and_stores_it(
    stored_city: City, coordinator: User, built: list[int]
) -> None:
    html = page(logged_in(coordinator))
    assert PLACES_BEFORE in html
    assert AS_OF not in html
    assert built == [2026]
    row = ReportBuild.objects.get()
    assert (row.year, row.day) == (2026, TODAY)
    assert row.versions["format"] == BUILD_FORMAT and row.seconds > 0
    assert queued_builds() == []


def test_a_warm_current_preview_reads_the_counters_alone(
    stored_city: City, coordinator: User, built: list[int]
) -> None:
    client = logged_in(coordinator)
    page(client)
    baseline = count_queries(client, "/tasks/settings/")  # session, user, navigation
    # The report's counters only: no build row, no content, no build.
    assert count_queries(client, PREVIEW) <= baseline + 1
    assert built == [2026]


def test_after_a_write_the_page_shows_the_stored_build_with_its_date_and_queues_a_build(
    stored_city: City, coordinator: User, built: list[int]
) -> None:
    client = logged_in(coordinator)
    page(client)
    first = ReportBuild.objects.get()
    add_ten_places(stored_city)

    with CaptureQueriesContext(connection) as stale_look:
        html = page(client)
    # The older build, with its date, and the worker asked; nothing built here.
    assert PLACES_BEFORE in html and PLACES_AFTER not in html
    assert AS_OF in html
    assert f"Stand vom {timezone.localtime(first.computed_at):%d.%m.%Y %H:%M}" in html
    assert built == [2026]
    (job,) = queued_builds()
    assert job.params == {"year": 2026} and job.task_id  # queued for doconnect worker
    # Far from the build's own queries (about 45): the counters, the row, the queueing.
    with CaptureQueriesContext(connection) as a_build:
        yearly_report_build(year=2025)
    assert len(a_build) >= 40
    assert len(stale_look) < 25
    # A second look meanwhile queues no second job.
    page(client)
    assert len(queued_builds()) == 1


def test_the_worker_stores_a_current_build_and_the_page_shows_the_new_figure(
    stored_city: City, coordinator: User, built: list[int]
) -> None:
    client = logged_in(coordinator)
    page(client)
    before = ReportBuild.objects.get()
    add_ten_places(stored_city)
    page(client)
    (job,) = queued_builds()

    ran = job_execute(job.pk)  # what doconnect worker runs
    assert ran.status == JobStatus.DONE
    assert ran.result["built"] is True
    after = ReportBuild.objects.get()  # the older build is gone
    assert after.computed_at > before.computed_at
    assert builds.report_build_is_current(2026)
    html = page(client)
    assert PLACES_AFTER in html and AS_OF not in html
    assert built == [2026, 2026]
    assert queued_builds() == []


def test_a_build_of_another_year_is_queued_beside_a_running_one(
    stored_city: City, coordinator: User
) -> None:
    client = logged_in(coordinator)
    page(client)
    client.get("/transparency/2025/preview/")
    add_ten_places(stored_city)
    page(client)
    client.get("/transparency/2025/preview/")
    assert sorted(job.params["year"] for job in queued_builds()) == [2025, 2026]


def test_a_new_day_shows_yesterdays_build_until_the_worker_ran(
    stored_city: City, coordinator: User, built: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = logged_in(coordinator)
    page(client)
    tomorrow = TODAY + dt.timedelta(days=1)
    monkeypatch.setattr(builds, "_today", lambda: tomorrow)
    assert AS_OF in page(client)
    (job,) = queued_builds()
    assert job_execute(job.pk).status == JobStatus.DONE
    assert ReportBuild.objects.get().day == tomorrow
    assert AS_OF not in page(client)
    assert built == [2026, 2026]


def test_the_worker_builds_nothing_when_the_build_is_already_current(
    stored_city: City, coordinator: User, built: list[int]
) -> None:
    page(logged_in(coordinator))
    job = Job.objects.create(kind=BUILD_JOB, steps=1, params={"year": 2026})
    done = job_execute(job.pk)
    assert done.status == JobStatus.DONE
    assert done.result == {"built": False}
    assert built == [2026]


def test_a_build_of_an_older_release_is_built_anew_rather_than_shown(
    stored_city: City, coordinator: User, built: list[int]
) -> None:
    ReportBuild.objects.create(
        year=2026, day=TODAY, versions={"format": 0}, content={"sections": "old layout"}
    )
    html = page(logged_in(coordinator))
    assert PLACES_BEFORE in html and AS_OF not in html
    assert built == [2026]
    assert ReportBuild.objects.get().versions["format"] == BUILD_FORMAT


def test_a_changed_small_number_threshold_makes_the_build_stale(
    stored_city: City, coordinator: User, settings: Any
) -> None:
    client = logged_in(coordinator)
    page(client)
    settings.SMALL_NUMBER = 3
    assert not builds.report_build_is_current(2026)
    assert AS_OF in page(client)
    assert len(queued_builds()) == 1


def test_publishing_after_a_change_publishes_the_new_figure_while_the_preview_is_stale(
    stored_city: City, coordinator: User
) -> None:
    client = logged_in(coordinator)
    page(client)
    add_ten_places(stored_city)
    assert PLACES_BEFORE in page(client)  # the preview still shows the stored build
    done = client.post("/transparency/2026/publish/", {"confirm": "on"})
    assert done.status_code == 302
    published = PublishedReport.objects.public().get(year=2026)
    offers_text = str(published.content)
    assert PLACES_AFTER in offers_text and PLACES_BEFORE not in offers_text
    # And the public page shows it.
    assert PLACES_AFTER in client.get("/public/reports/2026/").content.decode()


def test_the_command_line_builds_afresh_rather_than_from_a_stale_build(
    stored_city: City, coordinator: User, tmp_path: Path
) -> None:
    page(logged_in(coordinator))
    add_ten_places(stored_city)
    out = tmp_path / "report-2026.json"
    call_command("report", "build", "--year", "2026", "--json", str(out))
    written = out.read_text(encoding="utf-8")
    assert PLACES_AFTER in written and PLACES_BEFORE not in written
    assert not kept_build(2026).current  # the preview's stored build is stale meanwhile


@pytest.mark.parametrize(
    "who", ["case_worker", "provider_staff", "analyst", "platform_admin", "outsider"]
)
def test_others_neither_see_the_preview_nor_start_a_build(
    stored_city: City, coordinator: User, who: str, request: pytest.FixtureRequest
) -> None:
    page(logged_in(coordinator))
    add_ten_places(stored_city)
    assert logged_in(request.getfixturevalue(who)).get(PREVIEW).status_code == 403
    assert queued_builds() == []


@pytest.mark.usefixtures("fixed_today")
def test_publishing_inside_a_transaction_builds_and_stores_no_preview(
    db: None,
    year_city: City,  # noqa: F811
    coordinator: User,
    built: list[int],
) -> None:
    # The ``db`` fixture runs the test inside a transaction: what the preview reads there
    # may be rolled back, so nothing is stored.
    assert PLACES_BEFORE in page(logged_in(coordinator))
    assert ReportBuild.objects.count() == 0
    yearly_report_publish(year=2026, by=coordinator)
    assert ReportBuild.objects.count() == 0


def test_a_real_worker_process_makes_the_build_current_again(
    transactional_db: None,
    year_city: City,  # noqa: F811
    coordinator: User,
) -> None:
    # The worker is another process with the real date: so is this test (no fixed_today).
    client = logged_in(coordinator)
    page(client)
    add_ten_places(year_city)
    assert AS_OF in page(client)
    worker = start_worker()
    try:
        wait_for(lambda: builds.report_build_is_current(2026), "the worker's build", seconds=120)
    finally:
        worker.stop()
    (job,) = Job.objects.filter(kind=BUILD_JOB)
    assert job.status == JobStatus.DONE and job.worker_id == worker.worker_id
    html = page(client)
    assert PLACES_AFTER in html and AS_OF not in html


def test_a_build_younger_than_the_rebuild_interval_is_shown_and_not_queued_again(
    stored_city: City, coordinator: User, built: list[int], settings: Any
) -> None:
    settings.KEPT_REBUILD_MINUTES = 10
    client = logged_in(coordinator)
    page(client)
    add_ten_places(stored_city)
    html = page(client)
    assert PLACES_BEFORE in html and AS_OF in html
    assert queued_builds() == []  # built a moment ago: not again yet
    ReportBuild.objects.update(computed_at=F("computed_at") - dt.timedelta(minutes=11))
    page(client)
    (job,) = queued_builds()
    assert job.params == {"year": 2026}
    assert built == [2026]
