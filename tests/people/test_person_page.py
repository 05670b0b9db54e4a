"""A person's page built around the work: the name as heading where it may be shown,
the action bar with exactly the actions the viewer may take, the jump links, the
current state with the next due date, the sections in the order of the work, the
access log in words (German and English) and one audit event per page view."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from doconnect.casework.models import FollowUp
from doconnect.casework.services import follow_up_create_as, responsibility_set_as
from doconnect.core.models import AuditEvent
from doconnect.core.viewers import viewer_for
from doconnect.people.access_log import fields_words, purpose_words, view_sentence
from doconnect.people.consent_actions import consent_give_as
from doconnect.people.models import Person
from doconnect.people.services import spell_create
from tests.conftest import City, logged_in, make_person, participant

ALL_ACTIONS = ["note", "follow_up", "appointment", "agreement", "referral", "spell", "details"]


def page_of(user: User, person: Person, language: str | None = None) -> str:
    response = logged_in(user, language).get(f"/persons/{person.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


def action_bar(body: str) -> list[tuple[str, str]]:
    """(action, address) of each link in the action bar, in order; [] without one."""
    found = re.search(r'<nav class="person-actions".*?</nav>', body, re.S)
    if found is None:
        return []
    links = re.findall(r'href="([^"]+)" data-action="([^"]+)"', found.group(0))
    return [(key, href) for href, key in links]


def jump_targets(body: str) -> list[str]:
    found = re.search(r'<nav class="person-jump".*?</nav>', body, re.S)
    assert found is not None, "every person page has its jump links"
    return re.findall(r'href="#([^"]+)"', found.group(0))


@pytest.fixture
def jana(city: City) -> Person:
    """Consented to the Jobcenter only: the case worker sees her with her name; the
    coordinator only under her pseudonym."""
    return make_person(
        city, given_name="Jana", family_name="Jobmann", consent_orgs=[city.jobcenter]
    )


@pytest.fixture
def sam(city: City) -> Person:
    """Provider A's participant who consented to provider A."""
    return participant(city, city.offer_a, [city.provider_a], given_name="Sam")


# -- the heading ---------------------------------------------------------------------------


def test_the_name_is_the_heading_with_the_pseudonym_beside_it_where_it_may_be_shown(
    city: City, case_worker: User, jana: Person
) -> None:
    body = page_of(case_worker, jana)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S)
    assert heading is not None
    assert "Jana Jobmann" in heading.group(1)
    assert 'class="person-heading__pseudonym"' in heading.group(1)
    assert jana.public_id in heading.group(1)
    # The browser's title (and so its history) keeps the pseudonym only.
    title = re.search(r"<title>(.*?)</title>", body, re.S)
    assert title is not None and "Jobmann" not in title.group(1)


def test_without_personal_access_the_heading_is_the_pseudonym(
    city: City, coordinator: User, analyst: User, jana: Person
) -> None:
    for user in (coordinator, analyst):
        body = page_of(user, jana)
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S)
        assert heading is not None
        assert f"Person {jana.public_id}" in heading.group(1)
        assert "Jobmann" not in body


# -- the action bar ----------------------------------------------------------------------


def test_a_case_worker_with_consent_gets_every_action(
    city: City, case_worker: User, jana: Person
) -> None:
    body = page_of(case_worker, jana)
    actions = dict(action_bar(body))
    assert list(actions) == ALL_ACTIONS
    # Forms on the page are reached by their anchor, the others by their own page.
    for key in ("note", "follow_up", "appointment", "referral"):
        assert actions[key].startswith("#") and f'id="{actions[key][1:]}"' in body
    client = logged_in(case_worker)
    for key in ("agreement", "spell", "details"):
        assert client.get(actions[key]).status_code == 200, key


def test_a_coordinator_without_consent_may_only_propose_a_referral(
    city: City, coordinator: User, jana: Person
) -> None:
    body = page_of(coordinator, jana)
    assert [key for key, _href in action_bar(body)] == ["referral"]
    assert 'id="next-steps-heading"' in body
    # Nothing on the page leads to the case work, the agreement form or the editing.
    assert "/agreements/new/" not in body and "/edit/" not in body and "note-form" not in body


def test_provider_staff_on_their_own_participant_do_case_work_but_propose_no_referral(
    city: City, provider_staff: User, sam: Person
) -> None:
    body = page_of(provider_staff, sam)
    actions = dict(action_bar(body))
    assert list(actions) == ["note", "follow_up", "appointment", "agreement", "spell", "details"]
    client = logged_in(provider_staff)
    for key in ("agreement", "spell", "details"):
        assert client.get(actions[key]).status_code == 200, key


def test_an_analyst_gets_no_action_bar(city: City, analyst: User, jana: Person) -> None:
    body = page_of(analyst, jana)
    assert action_bar(body) == [] and 'class="person-actions"' not in body


# -- the jump links and the order of the sections ------------------------------------------


# (An analyst's person page is the coarsened record alone: tests/people/test_analyst_view.py.)
@pytest.mark.parametrize("persona", ["case_worker", "coordinator"])
def test_every_jump_link_leads_to_a_section_on_the_page(
    persona: str, city: City, jana: Person, request: pytest.FixtureRequest
) -> None:
    body = page_of(request.getfixturevalue(persona), jana)
    targets = jump_targets(body)
    assert "overview-heading" in targets and "spells-heading" in targets
    for target in targets:
        assert body.count(f'id="{target}"') == 1, target


def test_a_provider_sees_the_jump_links_of_its_own_sections(
    city: City, provider_staff: User, sam: Person
) -> None:
    body = page_of(provider_staff, sam)
    targets = jump_targets(body)
    assert {"notes-heading", "follow-ups-heading", "referrals-heading"} <= set(targets)
    assert "next-steps-heading" not in targets and "audit-heading" not in targets
    for target in targets:
        assert f'id="{target}"' in body, target


def test_the_sections_follow_the_work_and_the_jump_links_name_them_in_that_order(
    city: City, case_worker: User, jana: Person
) -> None:
    body = page_of(case_worker, jana)
    targets = jump_targets(body)
    positions = [body.index(f'id="{target}"') for target in targets]
    assert positions == sorted(positions)
    assert targets == [
        "overview-heading",
        "follow-ups-heading",
        "notes-heading",
        "agreements-heading",
        "referrals-heading",
        "next-steps-heading",
        "spells-heading",
        "consents-heading",
        "personal-heading",
        "record-heading",
        "audit-heading",
    ]


# -- the current state -----------------------------------------------------------------


def test_the_current_state_shows_the_running_main_spell_and_the_next_due_date(
    city: City, case_worker: User, jana: Person
) -> None:
    today = timezone.localdate()
    spell_create(person=jana, state="unemployed", start=dt.date(2026, 2, 1), end=None)
    spell_create(person=jana, state="marginal_employment", start=dt.date(2026, 3, 1), end=None)
    viewer = viewer_for(case_worker)
    follow_up_create_as(
        viewer,
        public_id=jana.public_id,
        due_on=today - dt.timedelta(days=3),
        reason="Unterlagen nachfordern",
        view="tests",
        today=today - dt.timedelta(days=10),
    )
    body = page_of(case_worker, jana)
    overview = body[
        body.index('id="overview-heading"') : body.index(
            "</section>", body.index('id="overview-heading"')
        )
    ]
    assert "arbeitslos" in overview and "seit 01.02.2026" in overview  # not the side job
    day = (today - dt.timedelta(days=3)).strftime("%d.%m.%Y")
    assert f"{day}: Wiedervorlage" in overview and "überfällig" in overview


def test_without_case_work_the_current_state_names_no_due_date(
    city: City, coordinator: User, case_worker: User, jana: Person
) -> None:
    follow_up_create_as(
        viewer_for(case_worker),
        public_id=jana.public_id,
        due_on=timezone.localdate(),
        reason="Rückruf",
        view="tests",
    )
    body = page_of(coordinator, jana)
    overview = body[
        body.index('id="overview-heading"') : body.index(
            "</section>", body.index('id="overview-heading"')
        )
    ]
    assert "Nächste Fälligkeit" not in overview and "Wiedervorlage" not in overview


# -- one audit event per page view -----------------------------------------------------


def test_a_page_view_writes_one_read_event_naming_the_case_work_it_showed(
    city: City, case_worker: User, jana: Person
) -> None:
    viewer = viewer_for(case_worker)
    follow_up_create_as(
        viewer, public_id=jana.public_id, due_on=timezone.localdate(), reason="x", view="tests"
    )
    responsibility_set_as(viewer, public_id=jana.public_id, view="tests")
    before = AuditEvent.objects.count()
    page_of(case_worker, jana)
    page_of(case_worker, jana)
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert len(events) == 2  # one per view, not three
    assert all(e.view == "web.person_detail" and e.action == "read" for e in events)
    assert {"given_name", "notes", "follow_ups", "appointments", "responsible_worker"} <= set(
        events[0].fields
    )


def test_a_pseudonymous_page_view_names_no_personal_field(
    city: City, coordinator: User, jana: Person
) -> None:
    page_of(coordinator, jana)
    (event,) = AuditEvent.objects.filter(person_public_id=jana.public_id)
    assert event.fields == ["pseudonymous", "spells", "consents", "referrals", "next_steps"]


def test_the_case_work_endpoints_still_audit_their_own_reads(
    city: City, case_worker: User, jana: Person, bearer: object
) -> None:
    client: Client = bearer(case_worker)  # type: ignore[operator]
    assert client.get(f"/api/persons/{jana.public_id}/notes").status_code == 200
    (event,) = AuditEvent.objects.filter(person_public_id=jana.public_id)
    assert (event.view, event.fields) == ("api.casework_notes", ["notes"])


# -- the access log in words --------------------------------------------------------------


def _log(body: str) -> str:
    start = body.index('id="audit-heading"')
    return body[start : body.index("</section>", start)]


def test_the_access_log_names_organisations_actions_views_and_purposes_in_german(
    city: City, case_worker: User, coordinator: User
) -> None:
    person = make_person(city, family_name="Protokoll", consent_orgs=[city.jobcenter, city.city])
    page_of(coordinator, person)
    consent_give_as(
        viewer_for(case_worker),
        public_id=person.public_id,
        purposes=["placement"],
        organisation_external_ids=["jc"],
        valid_from=timezone.localdate(),
        valid_until=None,
        view="web.consent_give",
    )
    log = _log(page_of(case_worker, person))
    assert "Stadt" in log and "Jobcenter" in log  # organisations by name, not "city", "jc"
    assert "Personenseite angesehen" in log and "Einwilligung erfasst" in log
    assert "gelesen" in log and "geändert" in log
    # The purposes the routes declared, in words: the page's, and recording a consent.
    assert "Beratung und Begleitung" in log and "Rechte der Person" in log
    assert "Name, Geburtsdatum, Kontakt, Anschrift" in log
    assert "im Browser" in log
    for code in ("web.person_detail", "web.consent_give", "counselling", "data_subject_request"):
        assert code not in log


def test_the_access_log_speaks_english_in_english(
    city: City, case_worker: User, coordinator: User
) -> None:
    person = make_person(city, family_name="Protokoll", consent_orgs=[city.jobcenter, city.city])
    page_of(coordinator, person)
    log = _log(page_of(case_worker, person, "en"))
    assert "Who looked at this person?" in log
    assert "Viewed the person page" in log and "read" in log
    assert "Counselling and support" in log and "in the browser" in log
    assert "Personenseite" not in log and "Beratung und Begleitung" not in log


def test_unknown_codes_are_shown_as_they_are_rather_than_dropped() -> None:
    assert view_sentence("web.something_new", "read") == "Zugriff über „web.something_new“"
    assert purpose_words("art17: auf Antrag") == "Löschung (Art. 17 DSGVO): auf Antrag"
    assert purpose_words("counselling") == "Beratung und Begleitung"
    assert fields_words(["spells.end", "spells.start", "kldb_code"]) == "Biographie, kldb_code"
    assert view_sentence("api.consent_give", "change") == "Einwilligung erfasst"
    assert view_sentence("web.person_edit", "read") == "Formular „Angaben ändern“ geöffnet"


def test_the_overdue_follow_up_of_another_organisation_stays_out_of_the_overview(
    city: City, provider_staff: User, case_worker: User
) -> None:
    shared = participant(city, city.offer_a, [city.provider_a, city.jobcenter], given_name="Ida")
    FollowUp.objects.create(
        person=shared,
        organisation=city.jobcenter,
        due_on=timezone.localdate() - dt.timedelta(days=2),
        reason="Jobcenter intern",
        worker=case_worker,
    )
    body = page_of(provider_staff, shared)
    assert "Jobcenter intern" not in body and "überfällig" not in body


def _consents(body: str) -> str:
    start = body.index('id="consents-heading"')
    return body[start : body.index("</section>", start)]


@pytest.mark.parametrize(
    ("language", "words", "ticks"),
    [
        ("de", "Beratung und Begleitung, Vermittlung in Angebote und Arbeit", "Zwecke"),
        ("en", "Counselling and support, Placement in offers and work", "Purposes"),
    ],
)
def test_the_consents_show_their_purposes_and_the_form_offers_each_to_tick(
    city: City, case_worker: User, language: str, words: str, ticks: str
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter], purposes=("counselling", "placement"))
    section = _consents(page_of(case_worker, person, language))
    assert words in section
    assert ticks in section
    # One checkbox per purpose of the vocabulary, none ticked in advance.
    boxes = re.findall(r'<input type="checkbox" name="purposes" value="([a-z_]+)"[^>]*>', section)
    assert boxes == ["counselling", "placement", "case_conference", "monitoring"]
    assert "checked" not in " ".join(
        re.findall(r'<input type="checkbox" name="purposes"[^>]*>', section)
    )


def test_a_consent_for_a_case_conference_alone_does_not_open_the_person_page(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter], purposes=("case_conference",))
    response = logged_in(case_worker).get(f"/persons/{person.public_id}/")
    assert response.status_code == 404
    assert "Beispiel" not in response.content.decode()
