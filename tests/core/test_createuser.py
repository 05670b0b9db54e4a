"""``doconnect createuser`` and the services behind it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from doconnect.core.management.commands import createuser
from doconnect.core.models import ApiToken, Membership
from doconnect.core.services import user_create_with_membership
from tests.conftest import City

PASSWORD = "ein langes Passwort 2026"


def run(*args: str) -> str:
    out = StringIO()
    call_command("createuser", *args, stdout=out)
    return out.getvalue()


def test_createuser_makes_a_user_with_a_membership_and_a_password_from_the_environment(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEW_PASSWORD", PASSWORD)
    output = run(
        "fallberatung1",
        "--organisation",
        "jc",
        "--role",
        "case_worker",
        "--email",
        "fb1@example.org",
        "--password-from-env",
        "NEW_PASSWORD",
    )
    user = User.objects.get(username="fallberatung1")
    assert user.email == "fb1@example.org" and not user.is_staff
    assert user.check_password(PASSWORD)
    membership = Membership.objects.get(user=user)
    assert (membership.organisation.external_id, membership.role) == ("jc", "case_worker")
    assert "fallberatung1" in output and PASSWORD not in output


def test_createuser_prints_a_new_token_once_and_stores_only_its_hash(city: City) -> None:
    output = run(
        "fachverfahren",
        "--organisation",
        "jc",
        "--role",
        "case_worker",
        "--no-password",
        "--token",
        "Jobcenter-Fachverfahren",
    )
    raw = output.strip().splitlines()[-1]
    assert raw.startswith("dc_")
    token = ApiToken.objects.get(user__username="fachverfahren")
    assert token.name == "Jobcenter-Fachverfahren"
    assert token.key_hash == ApiToken.hash(raw) and raw not in token.key_hash
    assert not User.objects.get(username="fachverfahren").has_usable_password()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/districts").status_code == 200


def test_createuser_makes_staff_users_on_request(city: City) -> None:
    run("verwaltung", "--organisation", "city", "--role", "admin", "--no-password", "--staff")
    assert User.objects.get(username="verwaltung").is_staff


def test_createuser_asks_for_the_password_twice_in_a_terminal(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(createuser, "_stdin_is_a_terminal", lambda: True)
    monkeypatch.setattr(createuser.getpass, "getpass", lambda prompt: PASSWORD)
    run("koordination1", "--organisation", "city", "--role", "coordinator")
    assert User.objects.get(username="koordination1").check_password(PASSWORD)


def test_createuser_refuses_passwords_that_do_not_match(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr(createuser, "_stdin_is_a_terminal", lambda: True)
    monkeypatch.setattr(createuser.getpass, "getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="do not match"):
        run("koordination1", "--organisation", "city", "--role", "coordinator")
    assert not User.objects.filter(username="koordination1").exists()


def test_createuser_without_terminal_and_without_password_option_says_what_to_do(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(createuser, "_stdin_is_a_terminal", lambda: False)
    with pytest.raises(CommandError, match="--password-from-env"):
        run("x", "--organisation", "city", "--role", "coordinator")


def test_createuser_refuses_an_unknown_organisation(city: City) -> None:
    with pytest.raises(CommandError, match="No organisation with the id 'nope'"):
        run("x", "--organisation", "nope", "--role", "coordinator", "--no-password")
    assert not User.objects.filter(username="x").exists()


def test_createuser_refuses_an_unknown_role(city: City) -> None:
    with pytest.raises(CommandError, match="invalid choice: 'boss'"):
        run("x", "--organisation", "city", "--role", "boss", "--no-password")


def test_createuser_refuses_an_existing_user(city: City, case_worker: User) -> None:
    with pytest.raises(CommandError, match="already exists"):
        run("Case_Worker", "--organisation", "jc", "--role", "case_worker", "--no-password")
    assert User.objects.filter(username__iexact="case_worker").count() == 1


def test_createuser_refuses_a_weak_password(city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEAK", "12345")
    with pytest.raises(CommandError, match=r"zu kurz|too short"):
        run("x", "--organisation", "city", "--role", "analyst", "--password-from-env", "WEAK")
    assert not User.objects.filter(username="x").exists()


def test_createuser_refuses_a_missing_environment_variable(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NOT_SET", raising=False)
    with pytest.raises(CommandError, match="NOT_SET"):
        run("x", "--organisation", "city", "--role", "analyst", "--password-from-env", "NOT_SET")


def test_createuser_help_explains_every_option() -> None:
    parser = createuser.Command().create_parser("doconnect", "createuser")
    text = parser.format_help()
    for option in (
        "username",
        "--organisation",
        "--role",
        "--email",
        "--password-from-env",
        "--no-password",
        "--staff",
        "--token",
    ):
        assert option in text
    for role in ("coordinator", "case_worker", "provider_staff", "analyst", "admin"):
        assert role in text


def test_the_service_is_keyword_only_and_creates_nothing_on_error(city: City) -> None:
    with pytest.raises(TypeError):
        user_create_with_membership("x", "city", "analyst")  # type: ignore[misc]
    with pytest.raises(ValidationError) as caught:
        user_create_with_membership(
            username="x", organisation_external_id="city", role="nope", password=None
        )
    assert "role" in caught.value.message_dict
    assert not User.objects.filter(username="x").exists()
