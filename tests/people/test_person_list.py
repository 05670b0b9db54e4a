"""The persons list for the work: sortable columns (pseudonym, name, district, current
state, responsible worker, next due date), "Meine Fälle", the page size — on the page
and in its htmx update —, and the CSV/XLSX export of exactly what the user may see,
audited per person. Query counts do not grow with the list or the file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from doconnect.casework.services import (
    appointment_create_as,
    follow_up_create_as,
    note_create_as,
    responsibility_set_as,
)
from doconnect.core.audit import person_reads
from doconnect.core.models import AuditEvent, Membership, Role
from doconnect.core.viewers import viewer_for
from doconnect.people.access import levels_for, personal_persons
from doconnect.people.access_rules import Level, Purpose
from doconnect.people.models import Person
from doconnect.people.services import spell_create
from tests.conftest import City, logged_in, make_person, participant


@dataclass
class Caseload:
    """Three clients of the Jobcenter: Anna (Eving, unemployed, the case worker's own
    case, a follow-up in five days), Ben (Hörde, employed, the colleague's case, an
    appointment in two days) and Cleo (nothing running, nobody responsible)."""

    anna: Person
    ben: Person
    cleo: Person


@pytest.fixture
def colleague(city: City) -> User:
    user = User.objects.create_user(
        username="colleague", password="x", first_name="Kim", last_name="Kollegin"
    )
    Membership.objects.create(user=user, organisation=city.jobcenter, role=Role.CASE_WORKER)
    return user


@pytest.fixture
def caseload(city: City, case_worker: User, colleague: User) -> Caseload:
    today = timezone.localdate()
    jc = [city.jobcenter]
    anna = make_person(city, given_name="Anna", family_name="Arndt", consent_orgs=jc)
    ben = make_person(city, given_name="Ben", family_name="Bauer", consent_orgs=jc)
    cleo = make_person(city, given_name="Cleo", family_name="Conrad", consent_orgs=jc)
    Person.objects.filter(pk=ben.pk).update(district=city.other_district)
    spell_create(person=anna, state="unemployed", start=dt.date(2026, 1, 1), end=None)
    spell_create(person=ben, state="employment", start=dt.date(2025, 6, 1), end=None)
    me, other = viewer_for(case_worker), viewer_for(colleague)
    responsibility_set_as(me, public_id=anna.public_id, view="tests")
    responsibility_set_as(other, public_id=ben.public_id, view="tests")
    follow_up_create_as(
        me,
        public_id=anna.public_id,
        due_on=today + dt.timedelta(days=5),
        reason="Bewerbungen",
        view="tests",
    )
    appointment_create_as(
        other,
        public_id=ben.public_id,
        starts_at=timezone.make_aware(
            dt.datetime.combine(today + dt.timedelta(days=2), dt.time(10))
        ),
        subject="Gespräch",
        view="tests",
    )
    note_create_as(
        me,
        public_id=anna.public_id,
        conversation_on=today,
        purpose="counselling",
        text="Streng vertraulich: Schulden.",
        view="tests",
    )
    return Caseload(anna, ben, cleo)


def listed(client: Client, query: str = "", **headers: str) -> str:
    response = client.get(f"/persons/?{query}", headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def order(body: str) -> list[str]:
    """The pseudonyms in the table, top to bottom."""
    table = body[body.index("<tbody") : body.index("</tbody>")]
    return re.findall(r'href="/persons/(P-[0-9A-Z]+)/"', table)


def ids(*persons: Person) -> list[str]:
    return [p.public_id for p in persons]


# -- the columns --------------------------------------------------------------------------


def test_the_list_shows_the_current_state_the_responsible_worker_and_the_next_due_date(
    caseload: Caseload, case_worker: User
) -> None:
    body = listed(logged_in(case_worker))
    row = re.search(rf"{caseload.anna.public_id}.*?</tr>", body, re.S)
    assert row is not None
    cells = row.group(0)
    assert "arbeitslos" in cells and "seit 01.01.2026" in cells
    assert "case_worker" in cells
    due = (timezone.localdate() + dt.timedelta(days=5)).strftime("%d.%m.%Y")
    assert due in cells and "Wiedervorlage" in cells
    ben = re.search(rf"{caseload.ben.public_id}.*?</tr>", body, re.S)
    assert ben is not None and "Kim Kollegin" in ben.group(0) and "Termin" in ben.group(0)


def test_an_analyst_sees_the_coarsened_record_but_no_case_work_columns(
    caseload: Caseload, analyst: User
) -> None:
    body = listed(logged_in(analyst))
    assert "Altersgruppe" in body and caseload.anna.public_id in body
    assert "arbeitslos" not in body  # today's state is not part of the coarsened record
    assert "Zuständig" not in body and "Nächste Fälligkeit" not in body
    assert "Kim Kollegin" not in body and "Arndt" not in body


# -- sorting ----------------------------------------------------------------------------


def test_sorting_by_the_next_due_date_puts_persons_without_one_last_either_way(
    caseload: Caseload, case_worker: User
) -> None:
    client = logged_in(case_worker)
    c = caseload
    assert order(listed(client, "sort=due")) == ids(c.ben, c.anna, c.cleo)
    assert order(listed(client, "sort=-due")) == ids(c.anna, c.ben, c.cleo)


def test_sorting_by_worker_district_and_state(caseload: Caseload, case_worker: User) -> None:
    client = logged_in(case_worker)
    c = caseload
    assert order(listed(client, "sort=worker")) == ids(c.anna, c.ben, c.cleo)
    assert order(listed(client, "sort=-worker")) == ids(c.ben, c.anna, c.cleo)
    eving = sorted(ids(c.anna, c.cleo))  # the same district: then by pseudonym
    assert order(listed(client, "sort=district")) == [*eving, c.ben.public_id]
    assert order(listed(client, "sort=-district")) == [c.ben.public_id, *eving]
    # The state sorts as it reads in the user's language.
    assert order(listed(client, "sort=state")) == ids(c.anna, c.ben, c.cleo)  # arbeitslos, B…
    english = logged_in(case_worker, "en")
    assert order(listed(english, "sort=state")) == ids(c.ben, c.anna, c.cleo)  # employment, u…


def test_an_unknown_sort_key_is_the_pseudonym_order(caseload: Caseload, case_worker: User) -> None:
    body = listed(logged_in(case_worker), "sort=personal__family_name")
    assert order(body) == sorted(order(body))


def test_the_sorted_header_says_so_and_links_to_the_other_direction(
    caseload: Caseload, case_worker: User
) -> None:
    body = listed(logged_in(case_worker), "sort=due&district=")
    header = re.search(r'<th[^>]*aria-sort="ascending"[^>]*>(.*?)</th>', body, re.S)
    assert header is not None and "Nächste Fälligkeit" in header.group(1)
    assert "sort=-due" in header.group(1) and 'hx-target="#person-results"' in header.group(1)
    assert body.count("aria-sort=") == 1
    # The order travels with the search form, so changing a filter keeps it.
    assert '<input type="hidden" name="sort" value="due" form="person-search">' in body
    assert 'id="person-search"' in body


def test_names_order_only_the_persons_the_viewer_sees_with_names(
    city: City, coordinator: User
) -> None:
    """A coordinator sees names only under a consent for the city: a name the
    coordinator may not see must not decide where its pseudonym stands."""
    zora = make_person(city, given_name="Zora", family_name="Zeta", consent_orgs=[city.city])
    anna = make_person(city, given_name="Anna", family_name="Alpha", consent_orgs=[city.city])
    hidden = make_person(city, given_name="Aaron", family_name="Aab", consent_orgs=[city.jobcenter])
    body = listed(logged_in(coordinator), "sort=name")
    assert order(body) == ids(anna, zora, hidden)
    assert order(listed(logged_in(coordinator), "sort=-name")) == ids(zora, anna, hidden)
    assert "Aab" not in body


@pytest.mark.parametrize(
    "persona", ["coordinator", "case_worker", "provider_staff", "analyst", "platform_admin"]
)
def test_the_persons_ordered_by_name_are_exactly_those_seen_with_names(
    persona: str, city: City, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    persons = [
        make_person(city, consent_orgs=[city.city]),
        make_person(city, consent_orgs=[city.jobcenter]),
        make_person(city, consent_orgs=[city.provider_a]),
        participant(city, city.offer_a, [city.provider_a]),
        participant(city, city.offer_b, [city.provider_a]),
        make_person(city),
    ]
    viewer = viewer_for(user)
    levels = levels_for(viewer, [p.pk for p in persons], purpose=Purpose.COUNSELLING)
    expected = {p.pk for p in persons if levels[p.pk] is Level.PERSONAL}
    ordered = personal_persons(viewer, purpose=Purpose.COUNSELLING)
    assert set(ordered.values_list("pk", flat=True)) == expected


# -- Meine Fälle and the page size -------------------------------------------------------


def test_my_cases_are_the_persons_i_am_responsible_for(
    caseload: Caseload, case_worker: User, colleague: User
) -> None:
    assert order(listed(logged_in(case_worker), "mine=on")) == ids(caseload.anna)
    assert order(listed(logged_in(colleague), "mine=on")) == ids(caseload.ben)
    assert 'name="mine"' in listed(logged_in(case_worker))


def test_an_analyst_has_no_cases_and_no_my_cases_box(caseload: Caseload, analyst: User) -> None:
    body = listed(logged_in(analyst), "mine=on")
    assert 'name="mine"' not in body
    assert len(order(body)) == 3  # the box is not there, so it narrows nothing


def test_the_page_size_is_25_50_or_100(city: City, analyst: User) -> None:
    for _ in range(30):
        make_person(city)
    client = logged_in(analyst)
    assert len(order(listed(client))) == 25
    assert len(order(listed(client, "per_page=50"))) == 30
    body = listed(client, "per_page=7")
    assert "kern-form-input--error" in body and "Keine Personen gefunden." in body
    # The page links keep the size.
    assert "per_page=25&amp;page=2" in listed(client, "per_page=25")


def test_the_htmx_update_gets_sorted_filtered_results_of_the_chosen_size(
    caseload: Caseload, case_worker: User
) -> None:
    body = listed(logged_in(case_worker), "mine=&sort=-due&per_page=50", **{"HX-Request": "true"})
    assert "<html" not in body and "<form" not in body
    assert order(body) == ids(caseload.anna, caseload.ben, caseload.cleo)
    assert 'name="sort" value="-due" form="person-search"' in body
    mine = listed(logged_in(case_worker), "mine=on&sort=due", **{"HX-Request": "true"})
    assert order(mine) == ids(caseload.anna)


# -- the export --------------------------------------------------------------------------


def csv_rows(response: object) -> list[list[str]]:
    content = response.content.decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(content), delimiter=";"))


def test_a_case_worker_exports_the_list_with_names_and_without_notes(
    caseload: Caseload, case_worker: User
) -> None:
    response = logged_in(case_worker).get("/persons/export/?format=csv&sort=due")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="personen-' in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header == [
        "Pseudonym",
        "Nachname",
        "Vorname",
        "Geburtsjahr",
        "Geschlecht",
        "Stadtbezirk",
        "Rechtskreis",
        "Aktueller Status",
        "Status seit",
        "Zuständig",
        "Nächste Fälligkeit",
        "Art der Fälligkeit",
    ]
    assert [r[0] for r in rows] == ids(caseload.ben, caseload.anna, caseload.cleo)
    anna = rows[1]
    assert anna[1:3] == ["Arndt", "Anna"] and anna[7:10] == [
        "arbeitslos",
        "2026-01-01",
        "case_worker",
    ]
    assert anna[10] == (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    assert anna[11] == "Wiedervorlage"
    assert "Streng vertraulich" not in response.content.decode("utf-8-sig")
    assert "Bewerbungen" not in response.content.decode("utf-8-sig")  # no reasons either


def test_the_export_is_audited_as_an_export_of_what_it_wrote_per_person(
    caseload: Caseload, case_worker: User
) -> None:
    before = AuditEvent.objects.count()
    logged_in(case_worker).get("/persons/export/?format=csv&mine=on")
    (event,) = AuditEvent.objects.order_by("id")[before:]
    assert (event.person_public_id, event.action, event.view) == (
        caseload.anna.public_id,
        "export",
        "web.person_export",
    )
    assert event.fields == [
        "pseudonymous",
        "spells",
        "given_name",
        "family_name",
        "responsible_worker",
        "follow_ups",
    ]


def test_an_analysts_export_has_no_names_at_all(caseload: Caseload, analyst: User) -> None:
    from openpyxl import load_workbook

    response = logged_in(analyst).get("/persons/export/?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:2] == ["Pseudonym", "Altersgruppe"]  # coarsened: no birth year
    assert len(rows) == 4
    text = " ".join(str(c) for row in rows for c in row)
    for name in ("Arndt", "Anna", "Bauer", "Conrad", "Kollegin", "case_worker"):
        assert name not in text
    (event,) = AuditEvent.objects.filter(view="web.person_export")  # one for the file
    assert event.person_count == 3 and event.action == "export"
    assert [f for _p, f in person_reads(event)] == [["pseudonymous"]] * 3  # no spells


def test_a_providers_export_holds_only_its_participants(
    city: City, caseload: Caseload, provider_staff: User
) -> None:
    sam = participant(city, city.offer_a, [city.provider_a], given_name="Sam")
    participant(city, city.offer_b, [city.provider_b], given_name="Fremd")
    _header, *rows = csv_rows(logged_in(provider_staff).get("/persons/export/?format=csv"))
    assert [r[0] for r in rows] == [sam.public_id]
    assert rows[0][2] == "Sam"


def test_a_coordinator_exports_names_only_under_consent_for_the_city(
    city: City, coordinator: User
) -> None:
    named = make_person(city, family_name="Stadtkind", consent_orgs=[city.city])
    hidden = make_person(city, family_name="Geheim", consent_orgs=[city.jobcenter])
    response = logged_in(coordinator).get("/persons/export/?format=csv")
    _header, *rows = csv_rows(response)
    by_id = {r[0]: r for r in rows}
    assert by_id[named.public_id][1] == "Stadtkind"
    assert by_id[hidden.public_id][1:3] == ["", ""]
    assert "Geheim" not in response.content.decode("utf-8-sig")
    read = {
        p: f
        for e in AuditEvent.objects.filter(view="web.person_export")
        for p, f in person_reads(e)
    }
    assert "family_name" in read[named.public_id]
    assert "family_name" not in read[hidden.public_id]


def test_the_export_header_is_in_the_users_language(caseload: Caseload, case_worker: User) -> None:
    response = logged_in(case_worker, "en").get("/persons/export/?format=csv")
    header, *_rows = csv_rows(response)
    assert header[:3] == ["Pseudonym", "Family name", "Given name"]
    assert "Next due" in header and "What is due" in header
    assert 'filename="persons-' in response["Content-Disposition"]


def test_a_cell_that_looks_like_a_formula_stays_text(city: City, coordinator: User) -> None:
    make_person(city, given_name="=HYPERLINK(1)", consent_orgs=[city.city])
    _header, *rows = csv_rows(logged_in(coordinator).get("/persons/export/?format=csv"))
    assert rows[0][2] == "'=HYPERLINK(1)"


def test_who_may_not_list_persons_may_not_export_them(
    city: City, platform_admin: User, outsider: User, analyst: User
) -> None:
    for user in (platform_admin, outsider):
        assert logged_in(user).get("/persons/export/?format=csv").status_code == 403
    assert Client().get("/persons/export/?format=csv").status_code == 302
    assert logged_in(analyst).get("/persons/export/?format=pdf").status_code == 404
    assert not AuditEvent.objects.exists()


def test_the_export_link_carries_the_filters_and_the_order(
    caseload: Caseload, case_worker: User
) -> None:
    body = listed(logged_in(case_worker), "mine=on&sort=-due&page=1")
    links = re.findall(r'href="(/persons/export/\?[^"]+)"', body)
    assert len(links) == 2
    assert all("mine=on" in link and "sort=-due" in link and "page=" not in link for link in links)


# -- query counts -------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _client_of_the_jobcenter(city: City, case_worker: User) -> None:
    """A person with everything the columns show: a state, a responsible worker, a
    follow-up and an appointment."""
    today = timezone.localdate()
    person = make_person(city, consent_orgs=[city.jobcenter])
    spell_create(person=person, state="unemployed", start=dt.date(2026, 1, 1), end=None)
    viewer = viewer_for(case_worker)
    responsibility_set_as(viewer, public_id=person.public_id, view="tests")
    follow_up_create_as(
        viewer, public_id=person.public_id, due_on=today, reason="Rückruf", view="tests"
    )
    appointment_create_as(
        viewer,
        public_id=person.public_id,
        starts_at=timezone.make_aware(dt.datetime.combine(today, dt.time(23))),
        subject="Gespräch",
        view="tests",
    )


@pytest.mark.parametrize("sort", ["", "due", "-worker", "state", "name"])
def test_the_list_needs_as_many_queries_for_25_persons_as_for_2(
    sort: str, city: City, case_worker: User
) -> None:
    client = logged_in(case_worker)
    url = f"/persons/?sort={sort}&mine=on"
    for _ in range(2):
        _client_of_the_jobcenter(city, case_worker)
    few = _queries(client, url)
    for _ in range(23):
        _client_of_the_jobcenter(city, case_worker)
    assert _queries(client, url) == few
    assert len(order(listed(client, url.removeprefix("/persons/?")))) == 25


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_needs_as_many_queries_for_30_persons_as_for_2(
    fmt: str, city: City, case_worker: User
) -> None:
    client = logged_in(case_worker)
    url = f"/persons/export/?format={fmt}&sort=due"
    for _ in range(2):
        _client_of_the_jobcenter(city, case_worker)
    few = _queries(client, url)
    for _ in range(28):
        _client_of_the_jobcenter(city, case_worker)
    assert _queries(client, url) == few
    # One event per file, naming every person in it: 2, then 30.
    exports = AuditEvent.objects.filter(view="web.person_export", action="export")
    assert sorted(e.person_count for e in exports) == [2, 30]
