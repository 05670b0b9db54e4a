"""Who may see a person's ranked next steps is one rule (``pathways.access``), and every
interface applies it alike: the person page, the referral proposal, the API
(``GET /api/persons/{id}/next-steps``) and ``doconnect pathways next-steps --as``.

The personas are the shared fixtures': a case worker of the Jobcenter, staff of
provider A, an analyst of the city's statistics office. Alex consented to all three
organisations and has a referral sent to provider A's offer, so each of them sees Alex."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from doconnect.core.models import AuditEvent
from doconnect.offers.models import FollowOn, Offer
from doconnect.pathways.access import NEXT_STEPS_READS, NEXT_STEPS_REFUSED
from doconnect.people.models import Person
from doconnect.referrals.models import Referral, ReferralStatus
from tests.apiclient import BearerClient
from tests.conftest import City, logged_in, make_person


@pytest.fixture
def landscape(city: City) -> City:
    """o-a (Eving) → o-b (Hörde) → employment; o-c (Hörde) leads nowhere."""
    FollowOn.objects.create(from_offer=city.offer_a, to_offer=city.offer_b)
    FollowOn.objects.create(from_offer=city.offer_b, destination="employment")
    Offer.objects.create(
        external_id="o-c",
        provider=city.provider_b,
        title="Orientierung C",
        kind="orientation",
        district=city.other_district,
    )
    return city


def alex(city: City) -> Person:
    person = make_person(city, consent_orgs=[city.jobcenter, city.provider_a, city.statistics])
    Referral.objects.create(person=person, offer=city.offer_a, status=ReferralStatus.SENT)
    return person


def cli(public_id: str, username: str, *options: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command(
        "pathways",
        "next-steps",
        public_id,
        "--as",
        username,
        "--format",
        "json",
        *options,
        stdout=out,
    )
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


def page_steps(user: User, public_id: str, query: str = "") -> list[str] | None:
    """The offers the person page ranks for ``user``; None when it has no such section."""
    response = logged_in(user).get(f"/persons/{public_id}/{query}")
    assert response.status_code == 200
    # An analyst's page is the coarsened record alone (people/person_statistical.html).
    if response.context.get("goal_form") is None:
        assert "Nächste Schritte" not in response.content.decode()
        return None
    return [step.offer for step, _title, _reasons in response.context["next_steps"]]


@pytest.mark.parametrize("persona", ["provider_staff", "analyst"])
def test_provider_staff_and_analysts_get_the_same_refusal_on_the_web_the_api_and_the_cli(
    landscape: City, persona: str, bearer: BearerClient, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    person = alex(landscape)
    public_id = person.public_id

    # The web: the page shows the person, without next steps, goal or proposal buttons…
    body = logged_in(user).get(f"/persons/{public_id}/").content.decode()
    assert public_id in body and "Zuweisung vorschlagen" not in body
    assert page_steps(user, public_id) is None
    # …and proposing one of them is refused with the rule's own reason.
    proposal = logged_in(user).post(f"/persons/{public_id}/referrals/", {"offer": "o-b"})
    assert proposal.status_code == 403
    assert proposal.context["exception"] == NEXT_STEPS_REFUSED
    assert not Referral.objects.filter(offer__external_id="o-b").exists()

    # The API: 403 with the same reason.
    answer = bearer(user).get(f"/api/persons/{public_id}/next-steps")
    assert answer.status_code == 403
    assert answer.json() == {"detail": NEXT_STEPS_REFUSED}

    # The command: the same reason as its error.
    with pytest.raises(CommandError) as refused:
        cli(public_id, user.username)
    assert str(refused.value) == NEXT_STEPS_REFUSED


def test_a_case_worker_gets_the_same_steps_on_the_web_the_api_and_the_cli(
    landscape: City, case_worker: User, bearer: BearerClient
) -> None:
    person = alex(landscape)
    public_id = person.public_id
    answer = bearer(case_worker).get(
        f"/api/persons/{public_id}/next-steps?goal=employment&why_not=true"
    )
    assert answer.status_code == 200
    api = answer.json()
    assert api == cli(public_id, "case_worker", "--goal", "employment", "--why-not")
    assert api["person"] == public_id and api["goal"] == "employment"
    # Alex has done none of them: o-a (Alex's district) before o-b, o-c is a dead end.
    assert [s["offer"] for s in api["steps"]] == ["o-a", "o-b"]
    assert api["steps"][0]["title"] == "Werkstatt A"
    assert api["steps"][0]["factors"][0] == {
        "factor": "goal",
        "text": "leads to employment in 2 steps",
    }
    assert [e["offer"] for e in api["excluded"]] == ["o-c"]
    assert page_steps(case_worker, public_id, "?goal=employment") == ["o-a", "o-b"]


def test_the_api_answers_as_the_command_without_options_and_limits_like_it(
    landscape: City, case_worker: User, bearer: BearerClient
) -> None:
    public_id = alex(landscape).public_id
    client = bearer(case_worker)
    plain = client.get(f"/api/persons/{public_id}/next-steps").json()
    assert plain == cli(public_id, "case_worker")
    assert plain["goal"] is None and plain["excluded"] == []
    one = client.get(f"/api/persons/{public_id}/next-steps?limit=1").json()
    assert one == cli(public_id, "case_worker", "--limit", "1")
    assert [s["offer"] for s in one["steps"]] == ["o-a"]


def test_a_person_the_caller_may_not_see_is_not_found_on_every_interface_whatever_the_role(
    landscape: City, case_worker: User, other_provider_staff: User, bearer: BearerClient
) -> None:
    """Provider B's staff may not see Alex at all: not found, as for an unknown id —
    the person comes before the role, so a refusal never tells that Alex exists."""
    hidden = make_person(landscape, consent_orgs=[landscape.provider_a])
    for user, public_id in (
        (case_worker, hidden.public_id),
        (other_provider_staff, alex(landscape).public_id),
        (case_worker, "P-00000000"),
    ):
        assert logged_in(user).get(f"/persons/{public_id}/").status_code == 404
        proposal = logged_in(user).post(f"/persons/{public_id}/referrals/", {"offer": "o-a"})
        assert proposal.status_code == 404
        answer = bearer(user).get(f"/api/persons/{public_id}/next-steps")
        assert (answer.status_code, answer.json()) == (404, {"detail": "Not Found"})
        with pytest.raises(CommandError) as refused:
            cli(public_id, user.username)
        assert str(refused.value) == f"person {public_id} not found"
    assert not AuditEvent.objects.exists()


def test_every_read_of_next_steps_is_audited_on_the_api_and_the_cli(
    landscape: City, case_worker: User, provider_staff: User, bearer: BearerClient
) -> None:
    public_id = alex(landscape).public_id
    bearer(case_worker).get(f"/api/persons/{public_id}/next-steps")
    cli(public_id, "case_worker")
    events = list(AuditEvent.objects.order_by("id"))
    assert [(e.view, e.actor_username, e.person_public_id) for e in events] == [
        ("api.person_next_steps", "case_worker", public_id),
        ("cli:pathways next-steps", "case_worker", public_id),
    ]
    assert all(e.fields == list(NEXT_STEPS_READS) for e in events)
    # A refusal comes after the person was read, and that read is in the trail too.
    bearer(provider_staff).get(f"/api/persons/{public_id}/next-steps")
    assert AuditEvent.objects.filter(
        view="api.person_next_steps", actor_username="provider_staff"
    ).exists()


def test_an_unknown_goal_is_refused_before_the_person_is_read(
    landscape: City, case_worker: User, bearer: BearerClient
) -> None:
    public_id = alex(landscape).public_id
    answer = bearer(case_worker).get(f"/api/persons/{public_id}/next-steps?goal=school")
    assert answer.status_code == 422
    assert "unknown goal 'school'" in json.dumps(answer.json())
    with pytest.raises(CommandError, match="invalid choice: 'school'"):
        cli(public_id, "case_worker", "--goal", "school")
    assert not AuditEvent.objects.exists()


def test_next_steps_through_the_api_need_a_login(landscape: City, client: Client) -> None:
    public_id = alex(landscape).public_id
    assert client.get(f"/api/persons/{public_id}/next-steps").status_code == 401
