"""The referral inbox: provider staff see the referrals sent to their own offers and
answer them; the city sends and cancels from the person page. Every step starts with
``referral_for_actor`` (404 for anybody else), calls the service, and says clearly
what happened; the inbox needs as many queries for 12 referrals as for 3."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from doconnect.core.models import AuditEvent, Organisation
from doconnect.offers.models import Offer
from doconnect.people.models import Spell
from doconnect.people.services import spell_create
from doconnect.referrals.models import Referral, ReferralEvent, ReferralStatus
from doconnect.referrals.services import (
    referral_accept,
    referral_create,
    referral_decline,
    referral_send,
    referral_start,
)
from tests.conftest import City, count_queries, logged_in, make_person


def proposed(
    city: City,
    *,
    offer: Offer | None = None,
    consent_orgs: list[Organisation] | None = None,
    given_name: str = "Alex",
) -> Referral:
    person = make_person(city, given_name=given_name, consent_orgs=consent_orgs)
    return referral_create(person=person, offer=offer or city.offer_a, created_by_id=None)


def sent(
    city: City,
    by: User,
    *,
    offer: Offer | None = None,
    consent_orgs: list[Organisation] | None = None,
    given_name: str = "Alex",
) -> Referral:
    referral = proposed(city, offer=offer, consent_orgs=consent_orgs, given_name=given_name)
    return referral_send(referral=referral, actor=by)


def status_of(referral: Referral) -> str:
    referral.refresh_from_db()
    return referral.status


def inbox(client: Client, query: str = "") -> str:
    response = client.get(f"/referrals/{query}")
    assert response.status_code == 200
    return response.content.decode()


SECTIONS = ("waiting", "accepted", "started", "finished")


def section(body: str, key: str) -> str:
    """The HTML of one inbox section."""
    return body.split(f'id="section-{key}"')[1].split("</section>")[0]


def messages_of(client: Client, response: object) -> str:
    return client.get(response["Location"]).content.decode()  # type: ignore[index]


# --- the page -------------------------------------------------------------------------


def test_the_inbox_needs_a_login(city: City) -> None:
    response = Client().get("/referrals/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["analyst", "outsider", "platform_admin"])
def test_the_inbox_is_refused_to_roles_without_referrals(
    persona: str, request: pytest.FixtureRequest
) -> None:
    assert logged_in(request.getfixturevalue(persona)).get("/referrals/").status_code == 403


def test_provider_staff_see_only_the_referrals_sent_to_their_own_offers(
    city: City, coordinator: User, provider_staff: User, other_provider_staff: User
) -> None:
    mine = sent(city, coordinator, consent_orgs=[city.provider_a])
    theirs = sent(city, coordinator, offer=city.offer_b, consent_orgs=[city.provider_b])
    not_yet_sent = proposed(city, consent_orgs=[city.provider_a])
    body = inbox(logged_in(provider_staff))
    assert f'id="referral-{mine.pk}"' in section(body, "waiting")
    assert f'id="referral-{theirs.pk}"' not in body
    assert f'id="referral-{not_yet_sent.pk}"' not in body  # a proposal is the city's
    assert 'id="section-proposed"' not in body
    other = inbox(logged_in(other_provider_staff))
    assert f'id="referral-{theirs.pk}"' in other and f'id="referral-{mine.pk}"' not in other


def test_the_navigation_shows_zuweisungen_to_provider_staff_and_the_city_only(
    city: City, provider_staff: User, case_worker: User, analyst: User
) -> None:
    for user in (provider_staff, case_worker):
        assert 'href="/referrals/"' in logged_in(user).get("/offers/").content.decode()
    assert 'href="/referrals/"' not in logged_in(analyst).get("/offers/").content.decode()
    assert 'aria-current="page">Zuweisungen' in inbox(logged_in(provider_staff))


def test_the_inbox_groups_referrals_by_what_is_to_be_done(
    city: City, coordinator: User, provider_staff: User
) -> None:
    waiting = sent(city, coordinator)
    accepted = referral_accept(referral=sent(city, coordinator), actor=provider_staff)
    started = referral_start(
        referral=referral_accept(referral=sent(city, coordinator), actor=provider_staff),
        actor=provider_staff,
    )
    declined = referral_decline(
        referral=sent(city, coordinator), actor=provider_staff, reason="not_eligible"
    )
    client = logged_in(provider_staff)
    pages = {key: inbox(client, f"?section={key}") for key in SECTIONS}
    for key, referral in [
        ("waiting", waiting),
        ("accepted", accepted),
        ("started", started),
        ("finished", declined),
    ]:
        assert f'id="referral-{referral.pk}"' in section(pages[key], key), key
    assert "Voraussetzungen nicht erfüllt" in section(pages["finished"], "finished")
    body = "".join(pages.values())
    # Each row offers the provider's steps in its state, and only those.
    assert (
        f"/referrals/{waiting.pk}/accept/" in body and f"/referrals/{waiting.pk}/decline/" in body
    )
    assert f"/referrals/{accepted.pk}/start/" in body
    assert f"/referrals/{accepted.pk}/accept/" not in body
    assert (
        f"/referrals/{started.pk}/complete/" in body
        and f"/referrals/{started.pk}/drop_out/" in body
    )
    assert f"/referrals/{declined.pk}/" not in body
    assert "/cancel/" not in body  # the city's step


def test_a_finished_referral_leaves_the_inbox_after_90_days(
    city: City, coordinator: User, provider_staff: User
) -> None:
    old = referral_decline(referral=sent(city, coordinator), actor=provider_staff, reason="full")
    # Noon of the local day 91 days ago: "now minus 91 days" falls on day 90 late in the
    # evening across a change from summer to winter time.
    long_ago = dt.datetime.combine(timezone.localdate() - dt.timedelta(days=91), dt.time(12))
    Referral.objects.filter(pk=old.pk).update(updated_at=timezone.make_aware(long_ago))
    assert f'id="referral-{old.pk}"' not in inbox(logged_in(provider_staff))


def test_a_waiting_referral_shows_its_answer_deadline_and_is_marked_when_overdue(
    city: City, coordinator: User, provider_staff: User
) -> None:
    fresh = sent(city, coordinator)
    late = sent(city, coordinator)
    Referral.objects.filter(pk=late.pk).update(sent_at=timezone.now() - dt.timedelta(days=20))
    waiting = section(inbox(logged_in(provider_staff)), "waiting")
    fresh_row = waiting.split(f'id="referral-{fresh.pk}"')[1].split("</tr>")[0]
    late_row = waiting.split(f'id="referral-{late.pk}"')[1].split("</tr>")[0]
    deadline = timezone.localdate() + dt.timedelta(days=14)
    assert f"Antwort bis {deadline:%d.%m.%Y}" in fresh_row and "überfällig" not in fresh_row
    assert "überfällig" in late_row
    assert waiting.index(f'id="referral-{late.pk}"') < waiting.index(f'id="referral-{fresh.pk}"')


def test_the_inbox_filters_by_offer(city: City, coordinator: User) -> None:
    to_a = sent(city, coordinator)
    to_b = sent(city, coordinator, offer=city.offer_b)
    body = inbox(logged_in(coordinator), "?offer=o-b")
    assert f'id="referral-{to_b.pk}"' in body and f'id="referral-{to_a.pk}"' not in body


def test_the_city_sees_its_proposals_in_the_inbox_with_send_and_cancel(
    city: City, coordinator: User
) -> None:
    referral = proposed(city)
    body = section(inbox(logged_in(coordinator)), "proposed")
    assert f"/referrals/{referral.pk}/send/" in body
    assert f"/referrals/{referral.pk}/cancel/" in body


def test_a_case_worker_sees_only_referrals_of_persons_they_may_see(
    city: City, coordinator: User, case_worker: User
) -> None:
    visible = sent(city, coordinator, consent_orgs=[city.jobcenter])
    hidden = sent(city, coordinator, consent_orgs=[city.provider_a])
    body = inbox(logged_in(case_worker))
    assert f'id="referral-{visible.pk}"' in body and f'id="referral-{hidden.pk}"' not in body


# --- names and audit --------------------------------------------------------------------


def test_names_appear_only_with_consent_and_the_read_is_audited(
    city: City, coordinator: User, provider_staff: User
) -> None:
    consented = sent(city, coordinator, consent_orgs=[city.provider_a], given_name="Mira")
    without = sent(city, coordinator, consent_orgs=[city.jobcenter], given_name="Otto")
    body = inbox(logged_in(provider_staff))
    consented_row = body.split(f'id="referral-{consented.pk}"')[1].split("</tr>")[0]
    without_row = body.split(f'id="referral-{without.pk}"')[1].split("</tr>")[0]
    assert consented.person.public_id in consented_row and "Mira Beispiel" in consented_row
    assert "nicht freigegeben" in without_row
    assert without.person.public_id not in body and "Otto" not in body
    events = AuditEvent.objects.filter(view="web.referral_inbox")
    assert [(e.person_public_id, e.actor_username) for e in events] == [
        (consented.person.public_id, "provider_staff")
    ]


def test_a_pseudonymous_viewer_sees_the_pseudonym_without_a_name_audited_as_such(
    city: City, coordinator: User
) -> None:
    referral = sent(city, coordinator, given_name="Mira")  # no consent at all
    body = inbox(logged_in(coordinator))
    assert referral.person.public_id in body and "Mira" not in body
    (event,) = AuditEvent.objects.filter(view="web.referral_inbox")
    assert event.person_public_id == referral.person.public_id
    assert event.fields == ["pseudonymous"]


# --- query counts -------------------------------------------------------------------------


def test_the_inbox_needs_as_many_queries_for_15_referrals_as_for_6(
    city: City, coordinator: User, provider_staff: User
) -> None:
    def make(n: int) -> None:
        for i in range(n):
            referral = sent(city, coordinator, consent_orgs=[city.provider_a], given_name=f"P{i}")
            if i % 3 == 1:
                referral_accept(referral=referral, actor=provider_staff)
            elif i % 3 == 2:
                referral_decline(referral=referral, actor=provider_staff, reason="full")

    client = logged_in(provider_staff)
    # Two open at least: the audit names several persons in two inserts, one in one.
    make(6)
    few = count_queries(client, "/referrals/")
    make(9)
    assert count_queries(client, "/referrals/") == few


# --- the provider's steps ---------------------------------------------------------------


def test_accepting_books_a_place_and_goes_back_to_the_inbox(
    city: City, coordinator: User, provider_staff: User
) -> None:
    referral = sent(city, coordinator)
    client = logged_in(provider_staff)
    response = client.post(f"/referrals/{referral.pk}/accept/", {"next": "/referrals/"})
    assert response.status_code == 302 and response["Location"] == "/referrals/"
    assert status_of(referral) == ReferralStatus.ACCEPTED
    assert "Die Zuweisung zu Werkstatt A ist angenommen" in messages_of(client, response)


def test_accepting_a_booked_out_offer_says_so_and_changes_nothing(
    city: City, coordinator: User, provider_staff: User
) -> None:
    Offer.objects.filter(pk=city.offer_a.pk).update(capacity=1)
    spell_create(
        person=make_person(city),
        state="offer",
        start=timezone.localdate() - dt.timedelta(days=10),
        end=None,
        offer_id=city.offer_a.pk,
    )
    referral = sent(city, coordinator)
    client = logged_in(provider_staff)
    response = client.post(f"/referrals/{referral.pk}/accept/")
    assert response.status_code == 302
    page = messages_of(client, response)
    assert "Die Zuweisung zu Werkstatt A wurde nicht geändert" in page
    assert "ausgebucht (1 Platz)" in page
    assert status_of(referral) == ReferralStatus.SENT
    assert not ReferralEvent.objects.filter(referral=referral, to_status="accepted").exists()


def test_declining_needs_a_reason(city: City, coordinator: User, provider_staff: User) -> None:
    referral = sent(city, coordinator)
    response = logged_in(provider_staff).post(f"/referrals/{referral.pk}/decline/", {"note": ""})
    assert response.status_code == 400
    body = response.content.decode()
    row = body.split(f'id="referral-{referral.pk}"')[1].split("</tr>")[0]
    assert "<details open>" in row and "kern-error" in row and "Dieses Feld ist zwingend" in row
    assert status_of(referral) == ReferralStatus.SENT


def test_declining_for_another_reason_needs_a_note(
    city: City, coordinator: User, provider_staff: User
) -> None:
    referral = sent(city, coordinator)
    client = logged_in(provider_staff)
    response = client.post(f"/referrals/{referral.pk}/decline/", {"reason": "other"})
    assert response.status_code == 400
    assert "Bei „anderer Grund“ bitte den Grund nennen." in response.content.decode()
    assert status_of(referral) == ReferralStatus.SENT
    response = client.post(
        f"/referrals/{referral.pk}/decline/", {"reason": "other", "note": "Kurs fällt aus"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == (ReferralStatus.DECLINED, "other")
    assert ReferralEvent.objects.get(referral=referral, to_status="declined").note == (
        "Kurs fällt aus"
    )


def test_completing_writes_the_next_state_into_the_biography(
    city: City, coordinator: User, provider_staff: User
) -> None:
    referral = sent(city, coordinator)
    client = logged_in(provider_staff)
    assert client.post(f"/referrals/{referral.pk}/accept/").status_code == 302
    assert client.post(f"/referrals/{referral.pk}/start/").status_code == 302
    on = timezone.localdate()
    response = client.post(
        f"/referrals/{referral.pk}/complete/", {"next_state": "employment", "on": on.isoformat()}
    )
    assert response.status_code == 302
    assert status_of(referral) == ReferralStatus.COMPLETED
    spell = Spell.objects.get(person=referral.person, state="employment")
    assert (spell.start, spell.end) == (on, None)
    assert "die Biographie ist fortgeschrieben" in messages_of(client, response)


def test_completing_without_a_valid_date_shows_the_error_next_to_the_field(
    city: City, coordinator: User, provider_staff: User
) -> None:
    referral = referral_start(
        referral=referral_accept(referral=sent(city, coordinator), actor=provider_staff),
        actor=provider_staff,
    )
    response = logged_in(provider_staff).post(
        f"/referrals/{referral.pk}/drop_out/", {"next_state": "unemployed", "on": "31.02.2026"}
    )
    assert response.status_code == 400
    row = response.content.decode().split(f'id="referral-{referral.pk}"')[1].split("</tr>")[0]
    assert "Bitte ein gültiges Datum eingeben" in row
    assert status_of(referral) == ReferralStatus.STARTED
    assert not Spell.objects.filter(person=referral.person).exists()


def test_another_providers_staff_can_neither_see_nor_act_on_a_referral(
    city: City, coordinator: User, other_provider_staff: User
) -> None:
    referral = sent(city, coordinator)
    client = logged_in(other_provider_staff)
    for action in ("accept", "decline", "start"):
        assert client.post(f"/referrals/{referral.pk}/{action}/").status_code == 404
    assert status_of(referral) == ReferralStatus.SENT


@pytest.mark.parametrize("persona", ["analyst", "outsider"])
def test_an_analyst_and_an_outsider_cannot_act_on_a_referral(
    persona: str, request: pytest.FixtureRequest, city: City, coordinator: User
) -> None:
    referral = sent(city, coordinator)
    client = logged_in(request.getfixturevalue(persona))
    for action in ("accept", "cancel"):
        assert client.post(f"/referrals/{referral.pk}/{action}/").status_code == 404
    assert status_of(referral) == ReferralStatus.SENT


def test_a_step_of_the_other_side_is_refused_with_a_message(
    city: City, provider_staff: User, coordinator: User
) -> None:
    referral = sent(city, coordinator)
    client = logged_in(provider_staff)
    response = client.post(f"/referrals/{referral.pk}/cancel/")
    assert response.status_code == 302
    assert "Diesen Schritt („Zurückziehen“) darf nur die Stadt" in messages_of(client, response)
    assert status_of(referral) == ReferralStatus.SENT


def test_an_unknown_step_or_referral_is_not_found(city: City, provider_staff: User) -> None:
    client = logged_in(provider_staff)
    assert client.post("/referrals/999/accept/").status_code == 404
    assert client.get("/referrals/999/accept/").status_code == 405


def test_a_step_goes_back_only_to_a_local_address(
    city: City, coordinator: User, provider_staff: User
) -> None:
    referral = sent(city, coordinator)
    response = logged_in(provider_staff).post(
        f"/referrals/{referral.pk}/accept/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/referrals/"


# --- the city on the person page ----------------------------------------------------------


def test_the_city_sends_and_cancels_from_the_person_page(city: City, case_worker: User) -> None:
    referral = proposed(city, consent_orgs=[city.jobcenter])
    page = f"/persons/{referral.person.public_id}/"
    client = logged_in(case_worker)
    body = client.get(page).content.decode()
    assert f"/referrals/{referral.pk}/send/" in body and "Senden" in body
    assert f"/referrals/{referral.pk}/cancel/" in body and "Zurückziehen" in body
    response = client.post(f"/referrals/{referral.pk}/send/", {"next": page})
    assert response.status_code == 302 and response["Location"] == page
    assert status_of(referral) == ReferralStatus.SENT
    body = client.get(page).content.decode()
    deadline = timezone.localdate() + dt.timedelta(days=14)
    assert f"Antwort bis {deadline:%d.%m.%Y}" in body
    assert f"/referrals/{referral.pk}/send/" not in body
    response = client.post(f"/referrals/{referral.pk}/cancel/", {"next": page})
    assert response.status_code == 302
    assert status_of(referral) == ReferralStatus.CANCELLED
    assert "ist zurückgezogen" in client.get(page).content.decode()


def test_the_person_page_shows_the_decline_reason(
    city: City, coordinator: User, provider_staff: User
) -> None:
    referral = referral_decline(
        referral=sent(city, coordinator), actor=provider_staff, reason="person_unreachable"
    )
    body = logged_in(coordinator).get(f"/persons/{referral.person.public_id}/").content.decode()
    assert "Grund: Person nicht erreichbar" in body
    assert f"/referrals/{referral.pk}/" not in body  # nothing left to do


def test_provider_staff_get_no_city_buttons_on_the_person_page(
    city: City, coordinator: User, provider_staff: User
) -> None:
    referral = sent(city, coordinator, consent_orgs=[city.provider_a])
    body = logged_in(provider_staff).get(f"/persons/{referral.person.public_id}/").content.decode()
    assert f"/referrals/{referral.pk}/cancel/" not in body
