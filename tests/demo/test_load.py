"""Loading the demo city into the database: `doconnect demo` and the service behind it."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models
from django.test import RequestFactory

from doconnect.core.models import District, Membership, Organisation, TargetGroup
from doconnect.core.viewers import viewer_for
from doconnect.demo import loader
from doconnect.demo.generator import DEMO_PASSWORD, CityGenerator
from doconnect.demo.management.commands.demo import Command
from doconnect.demo.models import DemoRun
from doconnect.demo.services import DemoRefused, load_demo_city
from doconnect.forum.reminders import commitment_reminders_send
from doconnect.labourmarket.employers.models import Vacancy
from doconnect.offers.models import FollowOn, Offer
from doconnect.people.access import visible_persons
from doconnect.people.access_rules import Purpose
from doconnect.people.biography import SpellSpan, overlap_conflicts
from doconnect.people.models import Consent, Person, PersonalDetails, Spell
from doconnect.people.privacy import may_read_audit_log
from doconnect.referrals.models import Referral

# A sign-in comes with its request: the throttling (django-axes) counts per address.
SIGN_IN = RequestFactory().post("/login/")

SCALE = 0.05
TODAY = dt.date(2026, 11, 23)
# Set when the row is written, so they differ between two loads of the same city.
WRITE_TIME_FIELDS = {"created_at", "updated_at", "recorded_at", "imported_at"}


def demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--scale", str(SCALE), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every city table (minus write times), in primary key order."""
    rows = {}
    for model in loader.city_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if f.name not in WRITE_TIME_FIELDS and not isinstance(f, models.AutoField)
        ]
        pk = model._meta.pk
        assert pk is not None
        rows[model._meta.label] = list(
            model._default_manager.order_by(pk.attname).values_list(*fields)
        )
    return rows


@pytest.mark.django_db
def test_a_small_city_loads_with_the_counts_the_generator_promises() -> None:
    report = load_demo_city(seed=2026, scale=SCALE)
    generator_counts: dict[str, int] = defaultdict(int)
    for table in CityGenerator(2026, SCALE).tables():
        generator_counts[table.label] += len(table.rows)
    assert report.counts == generator_counts
    assert Person.objects.count() == PersonalDetails.objects.count() == 250
    assert District.objects.count() == 12
    assert TargetGroup.objects.count() == 8
    assert Offer.objects.count() == 15
    assert Vacancy.objects.count() == 75
    assert Spell.objects.count() == generator_counts["people.Spell"]


@pytest.mark.django_db
def test_the_same_seed_loads_the_same_rows_and_another_seed_other_rows() -> None:
    load_demo_city(seed=11, scale=SCALE)
    first = snapshot()
    load_demo_city(seed=11, scale=SCALE, replace=True)
    assert snapshot() == first
    load_demo_city(seed=12, scale=SCALE, replace=True)
    other = snapshot()
    assert other["core.District"] == first["core.District"]
    assert other["people.Person"] != first["people.Person"]


@pytest.mark.django_db
def test_the_orm_baseline_loads_exactly_the_same_rows_as_the_fast_loader() -> None:
    load_demo_city(seed=5, scale=SCALE)
    fast = snapshot()
    load_demo_city(seed=5, scale=SCALE, replace=True, loader_name="orm")
    assert snapshot() == fast


@pytest.mark.django_db
def test_every_loaded_biography_respects_the_overlap_rules() -> None:
    load_demo_city(scale=SCALE)
    spans: dict[int, list[SpellSpan]] = defaultdict(list)
    for person_id, state, start, end in Spell.objects.values_list(
        "person_id", "state", "start", "end"
    ):
        assert end is None or end >= start
        spans[person_id].append(SpellSpan(state, start, end))
    assert set(spans) == set(Person.objects.values_list("pk", flat=True))
    assert all(overlap_conflicts(biography) == [] for biography in spans.values())


@pytest.mark.django_db
def test_everything_loaded_is_synthetic_and_recorded_as_a_demo_run() -> None:
    report = load_demo_city(seed=3, scale=SCALE)
    for model in (Organisation, Person, Offer, Vacancy):
        assert not model.objects.filter(synthetic=False).exists(), model.__name__
    run = DemoRun.objects.get()
    assert (run.seed, run.scale) == (3, SCALE)
    assert run.counts == report.counts
    assert run.seconds == report.seconds > 0


@pytest.mark.django_db
def test_follow_ons_link_offers_and_destinations() -> None:
    load_demo_city(scale=SCALE)
    assert FollowOn.objects.filter(to_offer__isnull=False).exists()
    assert FollowOn.objects.filter(destination="employment").exists()
    offers_with_links = set(FollowOn.objects.values_list("from_offer", flat=True))
    assert Offer.objects.exclude(pk__in=offers_with_links).exists()  # a dead end


@pytest.mark.django_db
def test_each_demo_user_logs_in_with_its_role_and_sees_what_the_role_allows() -> None:
    load_demo_city(scale=SCALE)
    expected = {
        "koordination": ("coordinator", "city-dortmund"),
        "fallberatung": ("case_worker", "jobcenter-dortmund"),
        "traeger": ("provider_staff", None),
        "analyse": ("analyst", "city-dortmund-statistik"),
        "admin": ("admin", "city-dortmund"),
        "datenschutz": ("dpo", "city-dortmund"),
    }
    for username, (role, organisation) in expected.items():
        user = authenticate(SIGN_IN, username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        membership = Membership.objects.select_related("organisation").get(user=user)
        assert membership.role == role
        if organisation:
            assert membership.organisation.external_id == organisation
        else:
            assert membership.organisation.kind == "provider"
        assert user.is_staff == (username == "admin")
    persons = Person.objects.count()
    counselling = Purpose.COUNSELLING
    koordination = viewer_for(User.objects.get(username="koordination"))
    assert visible_persons(koordination, purpose=counselling).count() == persons
    fallberatung = viewer_for(User.objects.get(username="fallberatung"))
    caseload = visible_persons(fallberatung, purpose=counselling, today=TODAY)
    assert 0 < caseload.count() < persons
    # Zweckbindung: the consents name their purposes, so the caseload for referrals
    # (placement) is another set than the one for counselling, yet not an empty one.
    for_placement = visible_persons(fallberatung, purpose=Purpose.PLACEMENT, today=TODAY)
    assert 0 < for_placement.count() < persons
    assert set(for_placement) != set(caseload)
    traeger = viewer_for(User.objects.get(username="traeger"))
    participants = visible_persons(traeger, purpose=counselling, today=TODAY)
    # With only a handful of providers at this scale, the busiest one may see more
    # persons than the Jobcenter; it never sees everybody.
    assert 0 < participants.count() < persons
    # The data-protection officer reads the audit log, not the person files.
    officer = viewer_for(User.objects.get(username="datenschutz"))
    assert may_read_audit_log(officer)
    assert visible_persons(officer, purpose=counselling, today=TODAY).count() == 0


@pytest.mark.django_db
def test_the_demo_conference_reminds_demo_users_at_reserved_addresses(
    mailoutbox: list[Any],
) -> None:
    load_demo_city(scale=SCALE)
    report = commitment_reminders_send(today=TODAY)
    assert report.overdue  # the demo has overdue commitments
    assert report.mails == len(mailoutbox) > 0
    recipients = {address for mail in mailoutbox for address in mail.to}
    assert recipients and all(a.endswith("@demo.do-connect.invalid") for a in recipients)


@pytest.mark.django_db
def test_consents_go_to_the_institution_responsible_for_each_person() -> None:
    load_demo_city(scale=SCALE)

    def consenting(organisation: str) -> set[str]:
        return set(
            Consent.objects.valid_on(TODAY)
            .filter(organisations__external_id=organisation)
            .values_list("person__public_id", flat=True)
        )

    def in_branch(branch: str) -> set[str]:
        return set(Person.objects.filter(legal_branch=branch).values_list("public_id", flat=True))

    sgb2, sgb3 = in_branch("SGB II"), in_branch("SGB III")
    with_jobcenter = consenting("jobcenter-dortmund")
    with_agency = consenting("agentur-dortmund")
    assert with_jobcenter <= sgb2 and len(with_jobcenter) > len(sgb2) / 2
    assert with_agency <= sgb3 and len(with_agency) > len(sgb3) / 2
    assert consenting("city-dortmund") & in_branch("none")
    assert Consent.objects.filter(withdrawn_at__isnull=False).exists()
    assert Consent.objects.filter(valid_until__lt=TODAY).exists()
    assert Referral.objects.filter(status="completed").exists()


@pytest.mark.django_db
def test_the_command_prints_a_summary_with_one_login_per_role() -> None:
    out = demo("--seed", "4")
    assert "Demo city loaded" in out
    for line in (
        "coordinator      koordination   do-connect-demo",
        "case_worker      fallberatung   do-connect-demo",
        "provider_staff   traeger        do-connect-demo",
        "analyst          analyse        do-connect-demo",
        "admin            admin          do-connect-demo",
        "dpo              datenschutz    do-connect-demo",
    ):
        assert line in out


@pytest.mark.django_db
def test_the_command_can_print_its_summary_as_json() -> None:
    summary = json.loads(demo("--json"))
    assert summary["counts"]["people.Person"] == 250
    assert summary["rows"] == sum(summary["counts"].values())
    assert {login["role"] for login in summary["logins"]} == {
        "coordinator",
        "case_worker",
        "provider_staff",
        "analyst",
        "admin",
        "dpo",
    }


@pytest.mark.django_db
def test_the_command_refuses_a_database_with_data_unless_told_to_replace_it() -> None:
    Organisation.objects.create(external_id="real-provider", name="Echter Träger", kind="provider")
    with pytest.raises(CommandError, match="already holds data"):
        demo()
    assert not Person.objects.exists()
    demo("--replace")
    assert not Organisation.objects.filter(external_id="real-provider").exists()
    assert Person.objects.count() == 250


@pytest.mark.django_db
def test_an_existing_account_with_a_demo_username_is_not_taken_over_silently() -> None:
    User.objects.create_user(username="admin", password="a real administrator's password")
    with pytest.raises(DemoRefused, match="admin"):
        load_demo_city(scale=SCALE)
    assert authenticate(SIGN_IN, username="admin", password=DEMO_PASSWORD) is None


@pytest.mark.django_db
def test_if_empty_loads_an_empty_database_and_leaves_a_loaded_one_alone() -> None:
    assert "Demo city loaded" in demo("--if-empty")
    before = snapshot()
    again = demo("--if-empty", "--seed", "99")
    assert again.startswith("demo city already loaded\n")
    # `make run` prints one login per role on every start, not only the first.
    for role, username in [
        ("coordinator", "koordination"),
        ("case_worker", "fallberatung"),
        ("provider_staff", "traeger"),
        ("analyst", "analyse"),
        ("admin", "admin"),
        ("dpo", "datenschutz"),
    ]:
        assert f"  {role:<16} {username:<14} {DEMO_PASSWORD}" in again
    assert snapshot() == before


@pytest.mark.django_db
def test_if_empty_and_replace_together_are_refused() -> None:
    with pytest.raises(CommandError, match="contradict"):
        demo("--if-empty", "--replace")


@pytest.mark.django_db(transaction=True)
def test_a_load_that_fails_midway_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: CityGenerator) -> None:
        raise RuntimeError("generator broke in the last phase")

    with connection.cursor() as cursor:
        before = connection.introspection.get_constraints(cursor, Spell._meta.db_table)
    monkeypatch.setattr(CityGenerator, "referrals", broken)
    with pytest.raises(RuntimeError, match="last phase"):
        demo()
    for model in (District, Organisation, Offer, Person, Spell, Consent, Vacancy, DemoRun, User):
        assert not model.objects.exists(), model.__name__
    # The foreign keys the fast loader drops while it writes are back.
    with connection.cursor() as cursor:
        after = connection.introspection.get_constraints(cursor, Spell._meta.db_table)
    assert after == before


def test_help_explains_every_option() -> None:
    text = Command().create_parser("doconnect", "demo").format_help()
    for option in ("--scale", "--seed", "--replace", "--if-empty", "--loader", "--json"):
        assert option in text
    assert "synthetic" in text


@pytest.mark.django_db
@pytest.mark.parametrize("option", [("--scale", "0"), ("--scale", "x"), ("--seed", "-1")])
def test_nonsense_options_are_refused(option: tuple[str, str]) -> None:
    with pytest.raises(CommandError):
        call_command("demo", *option, stdout=io.StringIO(), stderr=io.StringIO())
