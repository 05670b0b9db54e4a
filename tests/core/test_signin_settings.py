"""The sign-in settings are secure by default and refuse what would lock everybody out
or let passwords alone reach personal data."""

from __future__ import annotations

from pathlib import Path

from tests.core.test_settings import MATCH_KEY, STRONG_KEY, run_doconnect

PRODUCTION = {"DOCONNECT_SECRET_KEY": STRONG_KEY, "DOCONNECT_PERSON_MATCH_KEY": MATCH_KEY}
PROVIDER = {
    "DOCONNECT_OIDC_CLIENT_ID": "do-connect",
    "DOCONNECT_OIDC_CLIENT_SECRET": "s3cret-" + "x" * 30,
    "DOCONNECT_OIDC_AUTHORIZATION_ENDPOINT": "https://idp.example/auth",
    "DOCONNECT_OIDC_TOKEN_ENDPOINT": "https://idp.example/token",
    "DOCONNECT_OIDC_USERINFO_ENDPOINT": "https://idp.example/userinfo",
    "DOCONNECT_OIDC_JWKS_ENDPOINT": "https://idp.example/jwks",
    "DOCONNECT_OIDC_END_SESSION_ENDPOINT": "https://idp.example/logout",
}


def test_production_refuses_password_sign_in_without_the_second_factor(tmp_path: Path) -> None:
    result = run_doconnect(
        "check", env={**PRODUCTION, "DOCONNECT_TOTP_REQUIRED": "0"}, tmp_path=tmp_path
    )
    assert result.returncode != 0
    assert "DOCONNECT_TOTP_REQUIRED may be off only with DOCONNECT_DEBUG" in result.stderr


def test_password_sign_in_off_needs_an_identity_provider(tmp_path: Path) -> None:
    result = run_doconnect(
        "check", env={**PRODUCTION, "DOCONNECT_PASSWORD_LOGIN": "0"}, tmp_path=tmp_path
    )
    assert result.returncode != 0
    assert "DOCONNECT_PASSWORD_LOGIN=0 needs an identity provider" in result.stderr


def test_a_provider_needs_every_endpoint_over_https(tmp_path: Path) -> None:
    missing = {k: v for k, v in PROVIDER.items() if k != "DOCONNECT_OIDC_JWKS_ENDPOINT"}
    result = run_doconnect("check", env={**PRODUCTION, **missing}, tmp_path=tmp_path)
    assert "DOCONNECT_OIDC_JWKS_ENDPOINT is missing" in result.stderr
    plain = {**PROVIDER, "DOCONNECT_OIDC_TOKEN_ENDPOINT": "http://idp.example/token"}
    result = run_doconnect("check", env={**PRODUCTION, **plain}, tmp_path=tmp_path)
    assert "DOCONNECT_OIDC_TOKEN_ENDPOINT must start with https://" in result.stderr


def test_a_configured_provider_with_password_sign_in_off_starts(tmp_path: Path) -> None:
    env = {**PRODUCTION, **PROVIDER, "DOCONNECT_PASSWORD_LOGIN": "0"}
    result = run_doconnect("check", env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_role_map_that_is_no_json_names_the_variable(tmp_path: Path) -> None:
    result = run_doconnect(
        "check", env={**PRODUCTION, "DOCONNECT_OIDC_ROLE_MAP": "{jc: 1}"}, tmp_path=tmp_path
    )
    assert result.returncode != 0
    assert "DOCONNECT_OIDC_ROLE_MAP is not valid JSON" in result.stderr
