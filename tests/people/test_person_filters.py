"""The person list's filters: district by official key, target group by code, today's
state, age band, gender, active support. Every filter only narrows what the viewer may
see; htmx gets just the results; the number of queries does not grow with the list.
As a coordinator, who filters on the stored values (an analyst filters on the coarsened
records only: tests/people/test_analyst_view.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from doconnect.core.models import TargetGroup
from doconnect.people.forms import PersonSearchForm
from doconnect.people.models import Person
from doconnect.people.selectors import AGE_BANDS
from doconnect.people.services import spell_create
from doconnect.referrals.models import Referral
from tests.conftest import City, logged_in, make_person


def listed(client: Client, query: str) -> str:
    response = client.get(f"/persons/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_district_filter_takes_the_official_key_the_dashboard_links_with(
    city: City, coordinator: User
) -> None:
    eving = make_person(city)
    hoerde = make_person(city)
    Person.objects.filter(pk=hoerde.pk).update(district=city.other_district)
    body = listed(logged_in(coordinator), "district=05913008")
    assert hoerde.public_id in body and eving.public_id not in body


def test_the_target_group_filter_takes_the_groups_code(city: City, coordinator: User) -> None:
    youth = make_person(city)
    other = make_person(city)
    other.target_groups.set([TargetGroup.objects.create(code="long_term", label="Langzeit")])
    body = listed(logged_in(coordinator), "target_group=youth_difficult_start")
    assert youth.public_id in body and other.public_id not in body


def test_the_state_filter_keeps_persons_whose_spell_in_that_state_runs_today(
    city: City, coordinator: User
) -> None:
    today = timezone.localdate()
    running = make_person(city)
    spell_create(person=running, state="unemployed", start=today - dt.timedelta(days=30), end=None)
    ended = make_person(city)
    spell_create(
        person=ended,
        state="unemployed",
        start=today - dt.timedelta(days=90),
        end=today - dt.timedelta(days=1),
    )
    spell_create(person=ended, state="employment", start=today, end=None)
    future = make_person(city)
    spell_create(person=future, state="unemployed", start=today + dt.timedelta(days=3), end=None)
    body = listed(logged_in(coordinator), "state=unemployed")
    assert running.public_id in body
    assert ended.public_id not in body and future.public_id not in body
    assert ended.public_id in listed(logged_in(coordinator), "state=employment")


@pytest.mark.parametrize(
    ("age", "band", "other_band"),
    # "+" in a query string is a space: a link encodes it (as urlencode does)
    [(24, "u25", "25-34"), (25, "25-34", "u25"), (49, "35-49", "50-64"), (65, "65%2B", "50-64")],
)
def test_the_age_band_counts_the_age_as_this_year_minus_the_birth_year(
    age: int, band: str, other_band: str, city: City, coordinator: User
) -> None:
    person = make_person(city)
    Person.objects.filter(pk=person.pk).update(birth_year=timezone.localdate().year - age)
    unknown = make_person(city)
    Person.objects.filter(pk=unknown.pk).update(birth_year=None)
    client = logged_in(coordinator)
    assert person.public_id in listed(client, f"age_band={band}")
    assert person.public_id not in listed(client, f"age_band={other_band}")
    assert unknown.public_id not in listed(client, f"age_band={band}")


def test_the_age_bands_of_the_form_are_the_ones_the_query_knows() -> None:
    choices = [value for value, _ in PersonSearchForm().fields["age_band"].choices if value]
    assert choices == list(AGE_BANDS)
    assert "Geburtsjahr" in str(PersonSearchForm().fields["age_band"].help_text)


def test_the_gender_filter_keeps_that_gender(city: City, coordinator: User) -> None:
    female = make_person(city)
    male = make_person(city)
    Person.objects.filter(pk=male.pk).update(gender="male")
    body = listed(logged_in(coordinator), "gender=male")
    assert male.public_id in body and female.public_id not in body


def test_active_support_means_an_offer_running_today_or_a_started_referral(
    city: City, coordinator: User
) -> None:
    today = timezone.localdate()
    in_offer = make_person(city)
    spell_create(
        person=in_offer,
        state="offer",
        start=today - dt.timedelta(days=10),
        end=None,
        offer_id=city.offer_a.pk,
    )
    started = make_person(city)
    Referral.objects.create(person=started, offer=city.offer_b, status="started")
    left = make_person(city)
    spell_create(
        person=left,
        state="offer",
        start=today - dt.timedelta(days=100),
        end=today - dt.timedelta(days=1),
        offer_id=city.offer_a.pk,
    )
    proposed = make_person(city)
    Referral.objects.create(person=proposed, offer=city.offer_b, status="proposed")
    body = listed(logged_in(coordinator), "support=active")
    assert in_offer.public_id in body and started.public_id in body
    assert left.public_id not in body and proposed.public_id not in body


def test_filters_never_show_a_person_the_viewer_may_not_see(city: City, case_worker: User) -> None:
    today = timezone.localdate()
    mine = make_person(city, consent_orgs=[city.jobcenter])
    foreign = make_person(city, family_name="Fremd", consent_orgs=[city.city])
    for person in (mine, foreign):
        spell_create(person=person, state="offer", start=today, end=None, offer_id=city.offer_a.pk)
    query = "district=05913004&target_group=youth_difficult_start&state=offer&support=active"
    body = listed(logged_in(case_worker), f"{query}&gender=female&legal_branch=SGB+II")
    assert mine.public_id in body
    assert foreign.public_id not in body and "Fremd" not in body
    assert "1 Person" in body


def test_an_unknown_filter_value_is_an_error_at_the_field_and_lists_nobody(
    city: City, coordinator: User
) -> None:
    person = make_person(city)
    response = logged_in(coordinator).get("/persons/?district=99999999&state=flying")
    body = response.content.decode()
    assert response.status_code == 200
    assert person.public_id not in body and "Keine Personen gefunden." in body
    assert body.count("kern-form-input--error") == 2


def test_the_search_form_updates_the_results_with_htmx_and_works_without_it(
    city: City, coordinator: User
) -> None:
    body = listed(logged_in(coordinator), "")
    assert 'method="get" action="/persons/"' in body  # plain form without JavaScript
    assert 'hx-get="/persons/"' in body and 'hx-target="#person-results"' in body
    assert 'hx-push-url="true"' in body
    # Selects and checkboxes named by selector: an htmx condition would need eval,
    # which the Content-Security-Policy forbids.
    trigger = (
        "submit, change from:(#person-search select), "
        "change from:(#person-search input[type=checkbox])"
    )
    assert f'hx-trigger="{trigger}"' in body
    assert 'id="person-results"' in body


def test_an_htmx_request_gets_only_the_results(city: City, coordinator: User) -> None:
    person = make_person(city)
    client = logged_in(coordinator)
    response = client.get("/persons/?gender=female", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert person.public_id in body and "1 Person" in body
    assert "<html" not in body and "<form" not in body
    assert "HX-Request" in response["Vary"]
    restore = client.get(
        "/persons/?gender=female",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.content.decode()


def test_an_htmx_request_for_the_list_is_refused_like_the_page(
    city: City, outsider: User, platform_admin: User
) -> None:
    for user in (outsider, platform_admin):
        response = logged_in(user).get("/persons/?state=offer", headers={"HX-Request": "true"})
        assert response.status_code == 403
    anonymous = Client().get("/persons/?state=offer", headers={"HX-Request": "true"})
    assert anonymous.status_code == 302


def test_the_page_links_keep_every_filter(city: City, coordinator: User) -> None:
    for _ in range(27):
        make_person(city)
    query = "gender=female&target_group=youth_difficult_start&district=05913004"
    body = listed(logged_in(coordinator), query)
    assert "Seite 1 von 2" in body
    assert f"?{query.replace('&', '&amp;')}&amp;page=2" in body
    second = listed(logged_in(coordinator), f"{query}&page=2")
    assert second.count('href="/persons/P-') == 2


def test_a_filtered_list_needs_as_many_queries_for_30_persons_as_for_3(
    city: City, coordinator: User, django_assert_max_num_queries: Any
) -> None:
    client = logged_in(coordinator)
    today = timezone.localdate()
    query = (
        "/persons/?district=05913004&target_group=youth_difficult_start&state=offer"
        "&support=active&age_band=u25&gender=female&legal_branch=SGB+II"
    )

    def add(count: int) -> None:
        for _ in range(count):
            person = make_person(city, consent_orgs=[city.city])
            Person.objects.filter(pk=person.pk).update(birth_year=today.year - 20)
            spell_create(
                person=person, state="offer", start=today, end=None, offer_id=city.offer_a.pk
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(query)
        assert response.status_code == 200
        return len(captured)

    add(3)
    few = queries()
    add(27)
    assert queries() == few
    # session, user, memberships, the chosen district and target group, count, page,
    # consents, details, the columns (state and due dates), the responsible workers,
    # the audit event and the persons it names, the navigation's task count, the
    # district and target group choices
    with django_assert_max_num_queries(16):
        client.get(query)
