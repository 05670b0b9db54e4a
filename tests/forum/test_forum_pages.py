"""The conference pages: a coordinator runs a session end to end through the web forms
(session → agenda → participants → minutes → decision → commitment), the owner is
reminded with a frozen clock and reports the status, and the public log shows what is
public and nothing else. Who sees what, and a fixed number of queries per list."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from doconnect.forum.models import (
    AgendaItem,
    Commitment,
    ConferenceDecision,
    ConferenceSession,
    SessionStatus,
)
from doconnect.forum.reminders import commitment_reminders_send
from doconnect.forum.services import (
    commitment_create,
    decision_record,
    participant_add,
    session_create,
)
from tests.conftest import TODAY, City, count_queries, logged_in
from tests.forum.fixtures import Conference, conference

__all__ = ["conference"]  # the fixture, shared with tests/forum

INTERNAL_PAGES = (
    "/conference/",
    "/conference/commitments/",
    "/conference/actors/",
    "/conference/actors/p-a/",
    "/conference/network/",
    "/conference/overlap/",
)


def test_a_coordinator_runs_a_session_end_to_end_and_the_public_log_follows(
    city: City,
    coordinator: User,
    case_worker: User,
    fixed_today: None,
    mailoutbox: list[Any],
) -> None:
    case_worker.email = "team@jobcenter.example"
    case_worker.save()
    client = logged_in(coordinator)

    response = client.post(
        "/conference/",
        {"title": "Konferenz Winter", "kind": "plenary", "date": "2026-11-20", "place": "Rathaus"},
    )
    session = ConferenceSession.objects.get(title="Konferenz Winter")
    assert (
        response.status_code == 302
        and response["Location"] == f"/conference/sessions/{session.pk}/"
    )
    base = f"/conference/sessions/{session.pk}"

    assert (
        client.post(
            f"{base}/agenda/", {"agenda-title": "Übergänge", "agenda-body": "*Bericht*"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"{base}/participants/",
            {"participant-organisation": "jc", "participant-representative": "Geschäftsführung"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"{base}/minutes/",
            {
                "minutes-body": "## Ergebnis\n\n<script>alert(1)</script>\n\n"
                "[x](javascript:alert(1))"
            },
        ).status_code
        == 302
    )
    item = AgendaItem.objects.get(session=session)
    assert (
        client.post(
            f"{base}/decisions/",
            {
                "decision-agenda_item": item.pk,
                "decision-text": "Mehr Plätze.",
                "decision-public": "on",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(f"{base}/decisions/", {"decision-text": "Intern: Haushalt."}).status_code == 302
    )
    public_decision = ConferenceDecision.objects.get(text="Mehr Plätze.")
    internal_decision = ConferenceDecision.objects.get(text="Intern: Haushalt.")
    assert (
        client.post(
            f"{base}/commitments/",
            {
                "commitment-decision": public_decision.pk,
                "commitment-owner": "jc",
                "commitment-to_whom": "city",
                "commitment-what": "Zehn Plätze schaffen",
                "commitment-due_on": (TODAY + dt.timedelta(days=7)).isoformat(),
                "commitment-offers": ["o-a"],
                "commitment-target_groups": ["youth_difficult_start"],
                "commitment-public": "on",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"{base}/commitments/",
            {
                "commitment-decision": internal_decision.pk,
                "commitment-owner": "city",
                "commitment-what": "Haushaltsvorlage schreiben",
                "commitment-due_on": (TODAY + dt.timedelta(days=30)).isoformat(),
            },
        ).status_code
        == 302
    )
    commitment = Commitment.objects.get(what="Zehn Plätze schaffen")
    assert [o.external_id for o in commitment.offers.all()] == ["o-a"]

    page = client.get(f"{base}/").content.decode()
    session.refresh_from_db()
    assert session.status == SessionStatus.HELD
    assert "<h2>Ergebnis</h2>" in page and "<em>Bericht</em>" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)" in page
    assert 'href="javascript' not in page
    assert "Geschäftsführung" in page and "Zehn Plätze schaffen" in page

    report = commitment_reminders_send(today=TODAY)
    assert report.due_soon == [commitment]
    assert [m.to for m in mailoutbox] == [["team@jobcenter.example"]]
    assert "Zehn Plätze schaffen" in mailoutbox[0].body

    response = logged_in(case_worker).post(
        f"/conference/commitments/{commitment.pk}/", {"status": "on_track", "reason": ""}
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == "on_track"

    public = Client().get("/public/conference/").content.decode()
    assert "Mehr Plätze." in public and "Zehn Plätze schaffen" in public and "im Plan" in public
    assert "Haushalt" not in public and "Ergebnis" not in public

    # Taken off the public log, the decision and its commitment disappear from it.
    assert (
        client.post(f"/conference/decisions/{public_decision.pk}/publish/", {}).status_code == 302
    )
    public = Client().get("/public/conference/").content.decode()
    assert "Zehn Plätze schaffen" not in public and "Noch keine öffentlichen Beschlüsse" in public


def test_a_form_with_errors_is_shown_again_and_nothing_is_written(
    conference: Conference, coordinator: User
) -> None:
    base = f"/conference/sessions/{conference.session.pk}"
    response = logged_in(coordinator).post(
        f"{base}/commitments/",
        {
            "commitment-decision": conference.internal_decision.pk,
            "commitment-owner": "jc",
            "commitment-what": "x",
            "commitment-due_on": TODAY.isoformat(),
            "commitment-public": "on",
        },
    )
    assert response.status_code == 400
    assert "Öffentlich erst, wenn der Beschluss öffentlich ist." in response.content.decode()
    assert not Commitment.objects.filter(what="x").exists()


def test_late_needs_a_reason_on_the_status_form(conference: Conference, case_worker: User) -> None:
    url = f"/conference/commitments/{conference.jobcenter_commitment.pk}/"
    response = logged_in(case_worker).post(url, {"status": "late", "reason": ""})
    assert response.status_code == 400
    assert "Begründung nötig" in response.content.decode()


@pytest.mark.parametrize("url", INTERNAL_PAGES)
def test_internal_pages_are_for_the_roles_that_read_the_forum(
    url: str,
    conference: Conference,
    coordinator: User,
    case_worker: User,
    provider_staff: User,
    analyst: User,
    platform_admin: User,
    outsider: User,
) -> None:
    for user in (coordinator, case_worker, provider_staff, analyst):
        assert logged_in(user).get(url).status_code == 200, user
    for user in (platform_admin, outsider):
        assert logged_in(user).get(url).status_code == 403, user
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


def test_the_session_page_shows_forms_to_coordinators_only(
    conference: Conference, coordinator: User, analyst: User, outsider: User
) -> None:
    url = f"/conference/sessions/{conference.session.pk}/"
    assert "Beschluss speichern" in logged_in(coordinator).get(url).content.decode()
    page = logged_in(analyst).get(url)
    assert page.status_code == 200 and "Beschluss speichern" not in page.content.decode()
    assert logged_in(outsider).get(url).status_code == 403
    assert logged_in(analyst).get("/conference/sessions/999/").status_code == 404


def test_only_coordinators_write_to_the_conference(
    conference: Conference, case_worker: User
) -> None:
    client = logged_in(case_worker)
    base = f"/conference/sessions/{conference.session.pk}"
    assert client.post("/conference/", {"title": "x"}).status_code == 403
    assert client.post(f"{base}/agenda/", {"agenda-title": "x"}).status_code == 403
    assert client.post(f"{base}/minutes/", {"minutes-body": "x"}).status_code == 403
    assert (
        client.post(
            f"/conference/decisions/{conference.internal_decision.pk}/publish/", {"public": "on"}
        ).status_code
        == 403
    )
    assert client.post("/conference/commitments/", {}).status_code == 403
    assert not conference.internal_decision.__class__.objects.filter(
        pk=conference.internal_decision.pk, public=True
    ).exists()


def test_owners_staff_update_their_own_commitments_only(
    conference: Conference, provider_staff: User, other_provider_staff: User
) -> None:
    url = f"/conference/commitments/{conference.provider_commitment.pk}/"
    assert "Status ändern" not in logged_in(other_provider_staff).get(url).content.decode()
    refused = logged_in(other_provider_staff).post(url, {"status": "done"})
    assert refused.status_code == 403
    jobcenter_url = f"/conference/commitments/{conference.jobcenter_commitment.pk}/"
    assert logged_in(provider_staff).post(jobcenter_url, {"status": "done"}).status_code == 403
    assert logged_in(provider_staff).post(url, {"status": "done"}).status_code == 302
    conference.provider_commitment.refresh_from_db()
    assert conference.provider_commitment.status == "done"


def test_the_board_highlights_overdue_commitments_and_filters(
    conference: Conference, analyst: User, fixed_today: None
) -> None:
    client = logged_in(analyst)
    page = client.get("/conference/commitments/").content.decode()
    overdue_section = page.split('id="overdue-heading"')[1].split('id="all-heading"')[0]
    assert "Konzept vorlegen" in overdue_section and "Zehn Plätze" not in overdue_section
    assert "forum-overdue" in page
    late = client.get("/conference/commitments/?status=late").content.decode()
    assert "Konzept vorlegen" in late and "Zehn Plätze schaffen" not in late
    by_owner = client.get("/conference/commitments/?owner=jc").content.decode()
    listed = by_owner.split('id="all-heading"')[1]
    assert "Zehn Plätze schaffen" in listed and "Konzept vorlegen" not in listed


def test_the_public_log_shows_no_internal_notes(conference: Conference) -> None:
    from doconnect.forum.services import commitment_update_status

    commitment_update_status(
        commitment=conference.jobcenter_commitment,
        status="late",
        reason="Interne Notiz: Personal krank",
        by=None,
    )
    page = Client().get("/public/conference/").content.decode()
    assert "Zehn Plätze schaffen" in page and "verspätet" in page
    assert "Interne Notiz" not in page
    assert "Konzept vorlegen" not in page and "Haushalt prüfen" not in page


def test_the_network_and_overlap_pages_show_the_actors(
    conference: Conference, analyst: User
) -> None:
    client = logged_in(analyst)
    page = client.get("/conference/network/").content.decode()
    assert "<svg" in page and "Jobcenter" in page and "Träger A" in page
    filtered = client.get(
        "/conference/network/?tie_kinds=agreement&actor_kinds=jobcenter&actor_kinds=city"
    )
    assert (
        filtered.status_code == 200
        and "Träger A" not in filtered.content.decode().split("<main")[1]
    )
    overlap = client.get("/conference/overlap/").content.decode()
    assert "niemand aktiv" in overlap and "Jugendliche" in overlap


def _more_data(city: City, n: int) -> None:
    for i in range(n):
        session = session_create(
            title=f"AG {i}", kind="plenary", date=TODAY - dt.timedelta(days=i), convener=city.city
        )
        participant_add(session=session, organisation=city.provider_b)
        decision = decision_record(session=session, text=f"Beschluss {i}", public=True)
        commitment_create(
            decision=decision,
            owner=city.provider_b,
            to_whom=city.jobcenter,
            what=f"Zusage {i}",
            due_on=TODAY - dt.timedelta(days=i),
            public=True,
        )


@pytest.mark.parametrize(
    "url",
    [
        "/conference/",
        "/conference/commitments/",
        "/conference/actors/",
        "/conference/actors/p-b/",
        "/public/conference/",
    ],
)
def test_list_pages_need_the_same_queries_for_more_data(
    url: str, conference: Conference, city: City, coordinator: User, fixed_today: None
) -> None:
    client = logged_in(coordinator)
    few = count_queries(client, url)
    _more_data(city, 6)
    assert count_queries(client, url) == few


def test_the_session_page_needs_the_same_queries_for_more_commitments(
    conference: Conference, city: City, coordinator: User
) -> None:
    client = logged_in(coordinator)
    url = f"/conference/sessions/{conference.session.pk}/"
    few = count_queries(client, url)
    for i in range(5):
        commitment_create(
            decision=conference.public_decision, owner=city.provider_b, what=f"Z{i}", due_on=TODAY
        )
    assert count_queries(client, url) == few


def test_the_network_page_is_drawn_with_a_legend_and_a_table(
    conference: Conference, analyst: User
) -> None:
    page = logged_in(analyst).get("/conference/network/").content.decode()
    assert re.search(r'<ul class="forum-legend"[^>]*>', page)
    assert "Wer Gruppen verbindet" in page
    # Plain words for a city's staff, not the vocabulary of network analysis (in what
    # the reader sees: the markup's own names may stay).
    german = re.sub(r"<[^>]+>", " ", page)
    for jargon in ("Zwischenzentralität", "Milieu", "Federmodell"):
        assert jargon not in german
    response = logged_in(analyst, language="en").get("/conference/network/")
    english = re.sub(r"<[^>]+>", " ", response.content.decode())
    assert "Who connects groups" in english
    for jargon in ("betweenness", "Betweenness", "milieu", "spring model"):
        assert jargon not in english
    assert "Verbindung zwischen Arten (Brücke)" in page


def _svg(page: str) -> str:
    return page.split('<div class="forum-graph"')[1].split("</svg>")[0]


def test_the_network_is_drawn_by_milieu_unless_the_spring_layout_is_chosen(
    conference: Conference, analyst: User
) -> None:
    client = logged_in(analyst)
    default = client.get("/conference/network/").content.decode()
    milieu = client.get("/conference/network/?layout=milieu").content.decode()
    spring = client.get("/conference/network/?layout=spring").content.decode()
    assert _svg(default) == _svg(milieu) != _svg(spring)
    assert re.search(r'<input[^>]*name="layout"[^>]*value="milieu"[^>]*checked', default)
    assert re.search(r'<input[^>]*name="layout"[^>]*value="spring"[^>]*checked', spring)
    svg = _svg(default)
    assert 'role="img"' in svg and 'aria-labelledby="graph-title graph-desc"' in svg
    assert 'class="forum-tie-bridging"' in svg and 'paint-order="stroke"' in svg
    # Filtering without a layout keeps the milieus, and shows that choice.
    filtered = client.get("/conference/network/?tie_kinds=referral").content.decode()
    assert re.search(r'<input[^>]*name="layout"[^>]*value="milieu"[^>]*checked', filtered)


def test_an_unknown_layout_falls_back_to_the_milieus(conference: Conference, analyst: User) -> None:
    client = logged_in(analyst)
    response = client.get("/conference/network/?layout=hairball")
    assert response.status_code == 200
    assert _svg(response.content.decode()) == _svg(
        client.get("/conference/network/").content.decode()
    )


def test_outsiders_do_not_see_the_network_in_any_layout(outsider: User) -> None:
    response = logged_in(outsider).get("/conference/network/?layout=spring")
    assert response.status_code == 403


def test_a_coordinator_sends_the_reminders_from_the_board(
    conference: Conference,
    coordinator: User,
    case_worker: User,
    settings: Any,
    fixed_today: None,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.JOBS_RUNNER = "inline"
    case_worker.email = "team@jobcenter.example"
    case_worker.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(coordinator).post("/conference/commitments/", {})
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    assert [m.to for m in mailoutbox] == [["team@jobcenter.example"]]
    status = logged_in(coordinator).get(response["Location"])
    assert status.status_code in (200, 302)
    assert logged_in(case_worker).post("/conference/commitments/", {}).status_code == 403
