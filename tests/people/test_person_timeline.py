"""The person page: the biography as a timeline with its table, the chart export (a
read of the person, checked and audited like the page), master data as KERN description
lists, agreements by side, referrals by role, and the consent form's errors in place."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from doconnect.core.models import AuditEvent
from doconnect.people.agreements.models import Agreement, AgreementItem
from doconnect.people.models import Person
from doconnect.people.services import spell_create
from doconnect.referrals.models import Referral
from tests.conftest import City, logged_in, make_person


def _person_with_biography(city: City, consent_orgs: list[Any]) -> Person:
    person = make_person(city, family_name="Zeitleiste", consent_orgs=consent_orgs)
    spell_create(
        person=person,
        state="school",
        start=dt.date(2010, 8, 1),
        end=dt.date(2020, 7, 1),
        source_organisation=city.city,
    )
    spell_create(
        person=person, state="offer", start=dt.date(2026, 2, 1), end=None, offer_id=city.offer_a.pk
    )
    return person


def _chart_spec(body: str) -> dict[str, Any]:
    start = body.index('<script id="chart-biographie-spec" type="application/json">')
    start = body.index(">", start) + 1
    return json.loads(body[start : body.index("</script>", start)])  # type: ignore[no-any-return]


# --- biography timeline -----------------------------------------------------------------


def test_the_biography_is_a_timeline_with_one_bar_per_spell_and_open_spells_up_to_today(
    city: City, coordinator: User
) -> None:
    person = _person_with_biography(city, [city.city])
    body = logged_in(coordinator).get(f"/persons/{person.public_id}/").content.decode()
    values = _chart_spec(body)["data"]["values"]
    assert [(v["row"], v["start"], v["end"], v["note"]) for v in values] == [
        ("Schule", "2010-08-01", "2020-07-01", "Stadt"),
        ("Maßnahme/Angebot", "2026-02-01", timezone.localdate().isoformat(), "Werkstatt A"),
    ]
    assert values[1]["end_label"] == "laufend"


def test_the_timelines_table_is_the_spell_table_and_shown_once(
    city: City, coordinator: User
) -> None:
    person = _person_with_biography(city, [city.city])
    body = logged_in(coordinator).get(f"/persons/{person.public_id}/").content.decode()
    assert body.count('<figure class="chart') == 1
    assert body.count(">Angebot oder Quelle</th>") == 1
    assert '<th scope="row" class="kern-table__header">Schule</th>' in body
    assert '<td class="kern-table__cell">laufend</td>' in body
    assert "vega-embed/vega-embed.min.js" in body  # the chart scripts are on the page


def test_a_person_without_spells_has_no_chart_but_says_so(city: City, coordinator: User) -> None:
    person = make_person(city, consent_orgs=[city.city])
    body = logged_in(coordinator).get(f"/persons/{person.public_id}/").content.decode()
    assert "Keine Episoden erfasst." in body and '<figure class="chart' not in body
    assert "vega-embed/vega-embed.min.js" not in body


def test_the_timeline_exports_as_svg_and_the_export_is_audited_as_a_read(
    city: City, case_worker: User
) -> None:
    person = _person_with_biography(city, [city.jobcenter])
    response = logged_in(case_worker).get(
        f"/persons/{person.public_id}/?chart=biographie&format=svg"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert 'filename="biographie.svg"' in response["Content-Disposition"]
    assert b"<svg" in response.content
    event = AuditEvent.objects.get(person_public_id=person.public_id)
    assert (event.view, event.purpose, event.fields) == (
        "web.person_detail.export",
        "counselling",
        ["spells"],
    )


def test_a_viewer_who_may_not_see_the_person_gets_a_404_for_the_export_and_no_file(
    city: City, case_worker: User, outsider: User, platform_admin: User
) -> None:
    person = _person_with_biography(city, [city.city])
    url = f"/persons/{person.public_id}/?chart=biographie&format=png"
    for user in (case_worker, outsider, platform_admin):
        response = logged_in(user).get(url)
        assert response.status_code == 404
        assert b"PNG" not in response.content[:8]
    assert Client().get(url).status_code == 302  # anonymous: to the login
    assert not AuditEvent.objects.exists()


def test_an_unknown_chart_or_format_is_a_404(city: City, coordinator: User) -> None:
    person = _person_with_biography(city, [city.city])
    client = logged_in(coordinator)
    assert client.get(f"/persons/{person.public_id}/?chart=other").status_code == 404
    assert (
        client.get(f"/persons/{person.public_id}/?chart=biographie&format=pdf").status_code == 404
    )


# --- master data, agreements, referrals ------------------------------------------------


def test_master_data_and_personal_details_are_kern_description_lists(
    city: City, case_worker: User
) -> None:
    person = make_person(city, family_name="Liste", consent_orgs=[city.jobcenter])
    body = logged_in(case_worker).get(f"/persons/{person.public_id}/").content.decode()
    # The current state, the master data and the personal details.
    assert body.count('<dl class="kern-description-list">') == 3
    assert '<dt class="kern-description-list-item__key">Geburtsjahr</dt>' in body
    assert '<dd class="kern-description-list-item__value">Alex Liste</dd>' in body


def test_a_pseudonymous_viewer_gets_no_personal_details_section_at_all(
    city: City, coordinator: User
) -> None:
    person = make_person(city, family_name="Liste", consent_orgs=[city.jobcenter])
    body = logged_in(coordinator).get(f"/persons/{person.public_id}/").content.decode()
    assert "Personenbezogene Angaben" not in body and "Liste" not in body
    # The current state and the master data.
    assert body.count('<dl class="kern-description-list">') == 2


def _agreement(city: City, person: Person) -> Agreement:
    agreement = Agreement.objects.create(
        person=person,
        organisation=city.jobcenter,
        title="Kooperationsplan",
        concluded_on=dt.date(2026, 3, 1),
    )
    AgreementItem.objects.create(
        agreement=agreement,
        side="person",
        text="Bewerbungstraining besuchen",
        due_on=dt.date(2026, 4, 30),
        status="done",
    )
    # Open and due in the past: "überfällig" is derived from the date, never stored.
    AgreementItem.objects.create(
        agreement=agreement,
        side="institution",
        text="Fahrtkosten übernehmen",
        owner_organisation=city.jobcenter,
        due_on=dt.date(2026, 5, 31),
    )
    return agreement


def test_agreements_show_both_sides_with_due_dates_and_status(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    _agreement(city, person)
    body = logged_in(case_worker).get(f"/persons/{person.public_id}/").content.decode()
    person_side = body.index("Die Person sagt zu")
    institution_side = body.index("Die Institutionen sichern zu")
    training = body.index("Bewerbungstraining besuchen")
    costs = body.index("Fahrtkosten übernehmen")
    assert person_side < training < institution_side < costs
    assert "30.04.2026" in body
    assert "erledigt" in body and "überfällig" in body


def test_a_pseudonymous_viewer_sees_how_many_agreements_but_no_items(
    city: City, coordinator: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    _agreement(city, person)
    body = logged_in(coordinator).get(f"/persons/{person.public_id}/").content.decode()
    assert "1 Vereinbarung" in body
    assert "Bewerbungstraining" not in body and "Die Person sagt zu" not in body


def test_coordinators_and_case_workers_see_every_referral_linked_to_its_offer(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    Referral.objects.create(person=person, offer=city.offer_a, status="sent")
    Referral.objects.create(person=person, offer=city.offer_b, status="declined")
    body = logged_in(case_worker).get(f"/persons/{person.public_id}/").content.decode()
    assert "Zuweisungen" in body
    assert 'href="/offers/o-a/"' in body and 'href="/offers/o-b/"' in body
    assert "gesendet" in body and "abgelehnt" in body


def test_provider_staff_see_only_the_referrals_to_their_own_offers(
    city: City, provider_staff: User
) -> None:
    person = make_person(city, consent_orgs=[city.provider_a])
    Referral.objects.create(person=person, offer=city.offer_a, status="started")
    Referral.objects.create(person=person, offer=city.offer_b, status="declined")
    body = logged_in(provider_staff).get(f"/persons/{person.public_id}/").content.decode()
    assert 'href="/offers/o-a/"' in body
    assert 'href="/offers/o-b/"' not in body and "Kurs B" not in body


def test_analysts_get_no_referral_section(city: City, analyst: User) -> None:
    person = make_person(city)
    Referral.objects.create(person=person, offer=city.offer_a, status="sent")
    body = logged_in(analyst).get(f"/persons/{person.public_id}/").content.decode()
    assert "referrals-heading" not in body and 'href="/offers/o-a/"' not in body


def test_the_person_page_needs_as_many_queries_for_a_long_file_as_for_a_short_one(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    client = logged_in(case_worker)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/persons/{person.public_id}/").status_code == 200
        return len(captured)

    def grow(year: int) -> None:
        spell_create(
            person=person, state="school", start=dt.date(year, 1, 1), end=dt.date(year, 6, 30)
        )
        _agreement(city, person)
        Referral.objects.create(person=person, offer=city.offer_a, status="declined")

    grow(2000)
    short = queries()
    for year in range(2001, 2011):
        grow(year)
    assert queries() == short


# --- consent form -----------------------------------------------------------------------


def test_a_consent_form_without_organisations_shows_the_page_with_the_error_at_the_field(
    city: City, case_worker: User
) -> None:
    person = make_person(city, consent_orgs=[city.jobcenter])
    response = logged_in(case_worker).post(
        f"/persons/{person.public_id}/consents/",
        {"purposes": ["placement"], "valid_from": "2026-11-01"},
    )
    assert response.status_code == 400
    assert person.consents.count() == 1
    form = response.context["consent_form"]
    assert list(form.errors) == ["organisations"]
    body = response.content.decode()
    assert '<details id="consent-form" open>' in body
    assert "kern-form-input--error" in body and "kern-error" in body
    assert "Lern- und Arbeitsbiographie" in body  # the whole person page, not a fragment


def test_an_invalid_consent_form_for_an_invisible_person_is_a_404_and_saves_nothing(
    city: City, case_worker: User
) -> None:
    person = make_person(city, family_name="Unsichtbar", consent_orgs=[city.city])
    response = logged_in(case_worker).post(
        f"/persons/{person.public_id}/consents/", {"purposes": ["placement"]}
    )
    assert response.status_code == 404
    assert "Unsichtbar" not in response.content.decode()
    assert person.consents.count() == 1


def test_provider_staff_posting_a_consent_form_are_refused_valid_or_not(
    city: City, provider_staff: User
) -> None:
    person = make_person(city, consent_orgs=[city.provider_a])
    spell_create(
        person=person, state="offer", start=dt.date(2026, 2, 1), end=None, offer_id=city.offer_a.pk
    )
    client = logged_in(provider_staff)
    url = f"/persons/{person.public_id}/consents/"
    assert client.post(url, {"purposes": ["placement"]}).status_code == 403
    valid = {"purposes": ["placement"], "organisations": ["p-a"], "valid_from": "2026-11-01"}
    assert client.post(url, valid).status_code == 403
    assert person.consents.count() == 1
