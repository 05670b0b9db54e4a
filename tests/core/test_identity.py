"""Accounts of the identity provider follow its claims at every sign-in."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from doconnect.core.identity import user_sign_in_from_claims
from doconnect.core.models import Membership
from tests.conftest import City

ROLE_MAP = {
    "jc-fallberatung": {"organisation": "jc", "role": "case_worker"},
    "verwaltung": {"organisation": "city", "role": "admin"},
    "gibt-es-nicht": {"organisation": "no-such-org", "role": "analyst"},
}


@pytest.fixture
def role_map(settings: Any) -> None:
    settings.OIDC_ROLE_MAP = ROLE_MAP
    settings.OIDC_ROLE_CLAIM = "groups"
    settings.OIDC_USERNAME_CLAIM = "preferred_username"


def memberships(user: User) -> set[tuple[str, str]]:
    return set(
        Membership.objects.filter(user=user).values_list("organisation__external_id", "role")
    )


def claims(*groups: str) -> dict[str, object]:
    return {
        "preferred_username": "anna.fall",
        "given_name": "Anna",
        "family_name": "Fall",
        "email": "anna@jc.example",
        "groups": list(groups),
    }


def test_a_new_account_gets_the_mapped_role_and_no_password(city: City, role_map: None) -> None:
    user = user_sign_in_from_claims(user=None, claims=claims("jc-fallberatung", "other"))
    assert user.username == "anna.fall"
    assert user.get_full_name() == "Anna Fall"
    assert user.email == "anna@jc.example"
    assert not user.has_usable_password()
    assert memberships(user) == {("jc", "case_worker")}
    assert not user.is_staff


def test_the_next_sign_in_takes_away_what_the_directory_took_away(
    city: City, role_map: None
) -> None:
    user = user_sign_in_from_claims(user=None, claims=claims("jc-fallberatung", "verwaltung"))
    assert memberships(user) == {("jc", "case_worker"), ("city", "admin")}
    assert user.is_staff
    user = user_sign_in_from_claims(user=user, claims=claims("verwaltung"))
    assert memberships(user) == {("city", "admin")}
    user = user_sign_in_from_claims(user=user, claims=claims())
    assert memberships(user) == set()
    assert not user.is_staff


def test_an_organisation_that_does_not_exist_is_left_out(
    city: City, role_map: None, caplog: pytest.LogCaptureFixture
) -> None:
    user = user_sign_in_from_claims(user=None, claims=claims("gibt-es-nicht"))
    assert memberships(user) == set()
    assert "no-such-org" in caplog.text


def test_a_malformed_role_map_stops_the_start_with_the_entry_named(db: None, settings: Any) -> None:
    settings.OIDC_ROLE_MAP = {"jc": {"organisation": "jc", "role": "chef"}}
    with pytest.raises(SystemCheckError, match=r"DOCONNECT_OIDC_ROLE_MAP\['jc'\]: role: 'chef'"):
        call_command("check")


def test_a_superuser_is_never_taken_over_by_a_provider_account_of_the_same_name(
    city: City, role_map: None
) -> None:
    from django.core.exceptions import SuspiciousOperation

    from doconnect.web.signin_backend import CityIdentityBackend

    root = User.objects.create_superuser("anna.fall", password="a long local password 1")
    backend = CityIdentityBackend()
    (found,) = backend.filter_users_by_claims(claims("jc-fallberatung"))
    assert found == root
    with pytest.raises(SuspiciousOperation):
        backend.update_user(found, claims("jc-fallberatung"))
    assert memberships(root) == set()
