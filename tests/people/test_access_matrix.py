"""THE ACCESS MATRIX: every role × every person page and endpoint × every consent and
provider-link situation, through the real HTTP stack (web with a session, API with a
bearer token).

For each case it asserts: allowed or denied (and how: 302 to login, 401, 403, 404), whether
the person is listed, that the person's name appears exactly where it may (the response
body is searched for the family and given name), and that exactly the expected audit
events were written.

The expected level comes from a hand-written oracle below, *not* from
``access_rules.decide``, so the matrix checks the rule instead of repeating it.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from doconnect.core.audit import events_about
from doconnect.core.models import Organisation
from doconnect.core.services import api_token_create
from doconnect.people.access_rules import Level, Purpose
from doconnect.people.models import PERSONAL_FIELDS, ConsentPurpose, Person
from doconnect.people.services import consent_give, consent_withdraw, spell_create
from doconnect.referrals.models import Referral, ReferralStatus
from tests.conftest import City, make_person

GIVEN_NAME = "Xaveria"
FAMILY_NAME = "Quellenberg"
UNKNOWN_PUBLIC_ID = "P-00000000"
# Part of the family name, lower case: the search box echoes it, the full name must not be.
NAME_SEARCH = "quellenb"

ROLES = (
    "coordinator",
    "case_worker",
    "provider_staff",
    "analyst",
    "admin",
    "outsider",
    "anonymous",
)
# The persona fixture for each role (tests/conftest.py); anonymous has none.
PERSONA = {
    "coordinator": "coordinator",
    "case_worker": "case_worker",
    "provider_staff": "provider_staff",
    "analyst": "analyst",
    "admin": "platform_admin",
    "outsider": "outsider",
}

CONSENTS = ("own", "other", "expired", "withdrawn", "none")
PROVIDER_LINKS = (
    "none",
    "referral_own",
    "spell_own",
    "referral_own_proposed",
    "referral_other",
    "spell_other",
)
# For every other role a link to provider A's offer must change nothing.
OTHER_LINKS = ("none", "referral_own")

SURFACES = (
    "web_list",
    "web_name_search",
    "web_detail",
    "api_list",
    "api_detail",
    "api_spells",
    "api_consents",
)
LIST_SURFACES = {"web_list", "web_name_search", "api_list"}
NAME_SHOWING_SURFACES = {"web_list", "web_name_search", "web_detail", "api_list", "api_detail"}
# Endpoints that show only part of the file say which part in the audit trail.
PARTIAL_READS = {"api_spells": ["spells"], "api_consents": ["consents"]}

AUDIT_VIEW = {
    "web_list": "web.person_list",
    "web_name_search": "web.person_list",
    "web_detail": "web.person_detail",
    "api_list": "api.person_list",
    "api_detail": "api.person_detail",
    "api_spells": "api.person_spells",
    "api_consents": "api.person_consents",
}


def expected_level(role: str, consent: str, link: str) -> Level:
    """The oracle, written from the design's table of roles."""
    consented = consent == "own"  # a valid consent covering the viewer's own organisation
    if role == "coordinator":
        return Level.PERSONAL if consented else Level.PSEUDONYMOUS
    if role == "case_worker":
        return Level.PERSONAL if consented else Level.NONE
    if role == "provider_staff":
        linked = link in ("referral_own", "spell_own")
        return Level.PERSONAL if consented and linked else Level.NONE
    if role == "analyst":
        return Level.PSEUDONYMOUS
    return Level.NONE  # admin, outsider (and anonymous never gets that far)


@dataclass(frozen=True)
class Case:
    role: str
    surface: str
    consent: str
    link: str

    @property
    def id(self) -> str:
        return f"{self.role}-{self.surface}-consent_{self.consent}-link_{self.link}"


def _cases() -> list[Case]:
    cases = []
    for role in ROLES:
        links = PROVIDER_LINKS if role == "provider_staff" else OTHER_LINKS
        for surface, consent, link in itertools.product(SURFACES, CONSENTS, links):
            cases.append(Case(role, surface, consent, link))
    return cases


CASES = _cases()


def _own_organisation(city: City, role: str) -> Organisation:
    return {
        "coordinator": city.city,
        "case_worker": city.jobcenter,
        "provider_staff": city.provider_a,
        "analyst": city.statistics,
        "admin": city.city,
    }.get(role, city.city)


def _person_in_situation(city: City, role: str, consent: str, link: str) -> Person:
    today = timezone.localdate()
    person = make_person(city, given_name=GIVEN_NAME, family_name=FAMILY_NAME)
    own = _own_organisation(city, role)
    if consent != "none":
        given = consent_give(
            person=person,
            purposes=["counselling"],
            organisations=[city.provider_b if consent == "other" else own],
            valid_from=today - dt.timedelta(days=400),
            valid_until=today - dt.timedelta(days=1) if consent == "expired" else None,
        )
        if consent == "withdrawn":
            consent_withdraw(consent=given, at=timezone.now() - dt.timedelta(minutes=5))
    offer = city.offer_b if link.endswith("_other") else city.offer_a
    if link.startswith("referral"):
        status = ReferralStatus.PROPOSED if link.endswith("proposed") else ReferralStatus.SENT
        Referral.objects.create(person=person, offer=offer, status=status)
    elif link.startswith("spell"):
        spell_create(
            person=person,
            state="offer",
            start=today - dt.timedelta(days=60),
            end=None,
            offer_id=offer.pk,
        )
    return person


def _url(surface: str, public_id: str) -> str:
    return {
        "web_list": "/persons/",
        "web_name_search": f"/persons/?q={NAME_SEARCH}",
        "web_detail": f"/persons/{public_id}/",
        "api_list": "/api/persons",
        "api_detail": f"/api/persons/{public_id}",
        "api_spells": f"/api/persons/{public_id}/spells",
        "api_consents": f"/api/persons/{public_id}/consents",
    }[surface]


def _client(surface: str, user: User | None) -> Client:
    if user is None:
        return Client()
    if surface.startswith("web"):
        client = Client()
        client.force_login(user)
        return client
    _token, raw = api_token_create(user=user, name="matrix")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_access_matrix(case: Case, city: City, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(PERSONA[case.role]) if case.role in PERSONA else None
    person = _person_in_situation(city, case.role, case.consent, case.link)
    level = expected_level(case.role, case.consent, case.link)
    client = _client(case.surface, user)

    response = client.get(_url(case.surface, person.public_id))
    body = response.content.decode()

    # Denied or allowed, and how.
    is_list = case.surface in LIST_SURFACES
    if case.role == "anonymous":
        if case.surface.startswith("web"):
            assert response.status_code == 302
            assert response["Location"].startswith("/login/?next=")
        else:
            assert response.status_code == 401
        listed = False
    elif is_list and case.role in ("admin", "outsider"):
        assert response.status_code == 403
        listed = False
    elif is_list:
        assert response.status_code == 200
        needed = Level.PERSONAL if case.surface == "web_name_search" else Level.PSEUDONYMOUS
        listed = level >= needed
        assert (person.public_id in body) is listed
    elif level is Level.NONE:
        assert response.status_code == 404
        # Indistinguishable from a person who does not exist.
        unknown = client.get(_url(case.surface, UNKNOWN_PUBLIC_ID))
        assert unknown.status_code == 404
        if case.surface.startswith("api"):
            assert response.json() == unknown.json() == {"detail": "Not Found"}
        listed = False
    elif case.role == "analyst" and case.surface in ("api_spells", "api_consents"):
        # Analysts see a person one by one only as the coarsened record (issue #20):
        # dated spells and consents would single the person out again.
        assert response.status_code == 403
        listed = False
    else:
        assert response.status_code == 200
        listed = True
        if case.surface in ("api_spells", "api_consents"):
            assert isinstance(response.json(), list)
        else:
            assert person.public_id in body

    # The name appears exactly where it may.
    name_shown = listed and level is Level.PERSONAL and case.surface in NAME_SHOWING_SURFACES
    assert (FAMILY_NAME in body) is name_shown
    assert (GIVEN_NAME in body) is name_shown
    if case.surface in ("api_list", "api_detail") and response.status_code == 200:
        payload = response.json()
        items = payload["items"] if case.surface == "api_list" else [payload]
        for item in items:
            assert ("personal" in item) is (item["access_level"] == "personal")

    # Exactly the expected audit events.
    events = list(
        events_about(person.public_id).values_list("actor_username", "view", "fields", "action")
    )
    # Every read is audited, in a list too, pseudonymous or not (issue #20).
    audited = listed
    expected = []
    if audited:
        fields = PARTIAL_READS.get(case.surface) or (
            list(PERSONAL_FIELDS) if level is Level.PERSONAL else ["pseudonymous"]
        )
        assert user is not None
        if case.surface == "web_detail":
            fields = person_page_fields(case.role, level)
        expected = [(user.username, AUDIT_VIEW[case.surface], fields, "read")]
    assert events == expected


def person_page_fields(role: str, level: Level) -> list[str]:
    """What the person page shows, written into its one read event: the pseudonymous
    record, the biography and consents always; names and contact at PERSONAL; the
    referrals to coordinators, case workers and provider staff; the next steps to
    coordinators and case workers; the agreements and the organisation's case work to
    a case-work role at PERSONAL."""
    personal = level is Level.PERSONAL
    case_work = personal and role in ("coordinator", "case_worker", "provider_staff")
    if role == "analyst":  # the coarsened record alone (people/analyst_view.py)
        return ["pseudonymous"]
    return [
        "pseudonymous",
        *(PERSONAL_FIELDS if personal else ()),
        "spells",
        "consents",
        *(["referrals"] if role in ("coordinator", "case_worker", "provider_staff") else []),
        *(["next_steps"] if role in ("coordinator", "case_worker") else []),
        *(
            ["agreements", "notes", "follow_ups", "appointments", "responsible_worker"]
            if case_work
            else []
        ),
    ]


def test_the_matrix_covers_every_role_surface_and_situation() -> None:
    assert {c.role for c in CASES} == set(ROLES)
    assert {c.surface for c in CASES} == set(SURFACES)
    assert {c.consent for c in CASES} == set(CONSENTS)
    assert {c.link for c in CASES if c.role == "provider_staff"} == set(PROVIDER_LINKS)
    assert len(CASES) == len(SURFACES) * len(CONSENTS) * (
        len(PROVIDER_LINKS) + (len(ROLES) - 1) * len(OTHER_LINKS)
    )


# --------------------------------------------------------------------------------------
# THE PURPOSE DIMENSION (Zweckbindung, issue #20): a consent opens a person's data only
# to the routes of the purposes it was given for. The person has one valid consent,
# covering the viewer's own organisation, for exactly one purpose, and a referral sent
# to provider A's offer (so provider staff are linked). Each surface declares one
# purpose; the oracle below is written from that table, not from the code's constants.

CONSENT_PURPOSES = ("counselling", "placement", "case_conference", "monitoring")
PURPOSE_ROLES = ("coordinator", "case_worker", "provider_staff")
# surface -> the purpose it serves; None: a data-subject request, answered under any.
PURPOSE_SURFACES: dict[str, str | None] = {
    "web_detail": "counselling",
    "api_detail": "counselling",
    "web_referrals": "placement",
    "api_referrals": "placement",
    "cli_next_steps": "placement",
    "cli_privacy_export": None,
}
# Who may use a surface at all (the next steps: the city's roles; Art. 15 exports: the
# coordinators).
SURFACE_ROLES = {
    "cli_next_steps": ("coordinator", "case_worker"),
    "cli_privacy_export": ("coordinator",),
}


@dataclass(frozen=True)
class PurposeCase:
    role: str
    surface: str
    purpose: str

    @property
    def id(self) -> str:
        return f"{self.role}-{self.surface}-consent_for_{self.purpose}"

    @property
    def opens(self) -> bool:
        """Whether the consent opens the person's data on this surface."""
        served = PURPOSE_SURFACES[self.surface]
        return served is None or served == self.purpose


PURPOSE_CASES = [
    PurposeCase(role, surface, purpose)
    for role, surface, purpose in itertools.product(
        PURPOSE_ROLES, PURPOSE_SURFACES, CONSENT_PURPOSES
    )
    if role in SURFACE_ROLES.get(surface, PURPOSE_ROLES)
]


def _person_consenting_for(city: City, role: str, purpose: str) -> Person:
    person = make_person(
        city,
        given_name=GIVEN_NAME,
        family_name=FAMILY_NAME,
        consent_orgs=[_own_organisation(city, role)],
        purposes=(purpose,),
    )
    Referral.objects.create(
        person=person, offer=city.offer_a, status=ReferralStatus.SENT, sent_at=timezone.now()
    )
    return person


def _cli(surface: str, public_id: str, username: str, tmp_path: Path) -> str:
    """What the command printed or wrote; CommandError's message when it refused."""
    out = io.StringIO()
    try:
        if surface == "cli_next_steps":
            call_command(
                "pathways", "next-steps", public_id, "--as", username, "--format", "json",
                stdout=out,
            )  # fmt: skip
            return out.getvalue()
        target = tmp_path / "export.json"
        call_command(
            "privacy", "export", public_id, "--as", username, "--out", str(target), stdout=out
        )
        return target.read_text(encoding="utf-8")
    except CommandError as refused:
        return f"refused: {refused}"


@pytest.mark.parametrize("case", PURPOSE_CASES, ids=[c.id for c in PURPOSE_CASES])
def test_a_consent_opens_only_the_routes_of_its_purposes(
    case: PurposeCase, city: City, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    user: User = request.getfixturevalue(PERSONA[case.role])
    person = _person_consenting_for(city, case.role, case.purpose)
    public_id = person.public_id

    if case.surface.startswith("cli"):
        body = _cli(case.surface, public_id, user.username, tmp_path)
        if case.opens or case.role == "coordinator":
            # Coordinators plan with every pseudonymous record: next steps need no name.
            assert not body.startswith("refused"), body
            assert public_id in body
        else:
            # A person not opened for this purpose is "not found", as an unknown one.
            assert body == f"refused: person {public_id} not found"
        if case.surface == "cli_privacy_export":
            assert FAMILY_NAME in body  # Art. 15: the whole file, under any consent
    else:
        url = {
            "web_detail": f"/persons/{public_id}/",
            "api_detail": f"/api/persons/{public_id}",
            "web_referrals": "/referrals/",
            "api_referrals": "/api/referrals",
        }[case.surface]
        response = _client(case.surface, user).get(url)
        body = response.content.decode()
        detail = case.surface.endswith("detail")
        if detail and not case.opens and case.role != "coordinator":
            # Case workers and provider staff see the person only under a consent.
            assert response.status_code == 404
        else:
            assert response.status_code == 200
        # The name appears exactly where the consent's purpose is the route's.
        assert (FAMILY_NAME in body) is case.opens
        assert (GIVEN_NAME in body) is case.opens

    # What was read is audited under the route's own purpose, never another one.
    purposes = set(events_about(public_id).values_list("purpose", flat=True))
    served = PURPOSE_SURFACES[case.surface] or "data_subject_request"
    if case.opens:
        assert served in purposes
    # An Art. 15 export also writes its export event, named as such.
    assert purposes <= {served, *(["art15"] if case.surface == "cli_privacy_export" else [])}


def test_the_purpose_matrix_covers_every_purpose_role_and_surface() -> None:
    assert {c.purpose for c in PURPOSE_CASES} == set(CONSENT_PURPOSES)
    assert {c.role for c in PURPOSE_CASES} == set(PURPOSE_ROLES)
    assert {c.surface for c in PURPOSE_CASES} == set(PURPOSE_SURFACES)
    # Each purpose opens some route and is refused by another.
    for purpose in CONSENT_PURPOSES:
        assert {c.opens for c in PURPOSE_CASES if c.purpose == purpose} == {True, False}


def test_the_consent_purposes_are_the_routes_purposes() -> None:
    """The model's vocabulary and the access rule's are one: every consent purpose is a
    purpose a route may declare, with the same code."""
    assert set(ConsentPurpose.values) == set(CONSENT_PURPOSES)
    assert set(ConsentPurpose.values) <= {p.value for p in Purpose}
