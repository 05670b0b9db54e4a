"""Which forwarded headers are believed: the client's address from the chain of trusted
proxies only; the setting refuses what is no address or network. (The protocol and HSTS
against the real server: test_serve.py.)"""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from doconnect.core.proxies import TrustedProxyMiddleware, client_address
from doconnect.envconf import ConfigurationError, envnetworks

PROXIES = ["10.0.0.0/24", "127.0.0.1"]


def test_a_direct_client_is_its_own_address_whatever_it_claims() -> None:
    assert client_address("198.51.100.7", "203.0.113.9", PROXIES) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_saw() -> None:
    assert client_address("127.0.0.1", "203.0.113.9", PROXIES) == "203.0.113.9"


def test_a_forged_address_in_front_of_the_chain_is_ignored() -> None:
    # The client sent "X-Forwarded-For: 192.0.2.66"; our two proxies appended what they saw.
    chain = "192.0.2.66, 203.0.113.9, 10.0.0.8"
    assert client_address("127.0.0.1", chain, PROXIES) == "203.0.113.9"


def test_garbage_in_the_chain_ends_it_there() -> None:
    assert client_address("127.0.0.1", "203.0.113.9, not-an-ip", PROXIES) == "not-an-ip"


def _seen(remote: str, **headers: str) -> HttpRequest:
    seen: list[HttpRequest] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return HttpResponse()

    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)
    TrustedProxyMiddleware(view)(request)
    return seen[0]


@override_settings(TRUSTED_PROXIES=PROXIES)
def test_the_middleware_drops_forwarded_headers_of_an_untrusted_peer() -> None:
    request = _seen(
        "198.51.100.7", HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert request.META["REMOTE_ADDR"] == "198.51.100.7"
    assert "HTTP_X_FORWARDED_PROTO" not in request.META
    assert "HTTP_X_FORWARDED_FOR" not in request.META


@override_settings(TRUSTED_PROXIES=PROXIES)
def test_the_middleware_takes_the_client_address_from_a_trusted_proxy() -> None:
    request = _seen("10.0.0.3", HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert request.META["REMOTE_ADDR"] == "203.0.113.9"
    assert request.META["HTTP_X_FORWARDED_PROTO"] == "https"


@override_settings(TRUSTED_PROXIES=[])
def test_without_trusted_proxies_nobody_is_believed() -> None:
    request = _seen("127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert request.META["REMOTE_ADDR"] == "127.0.0.1"
    assert "HTTP_X_FORWARDED_FOR" not in request.META


def test_the_setting_reads_addresses_and_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCONNECT_TRUSTED_PROXIES", "10.0.0.5, 10.0.1.0/24,::1")
    assert envnetworks("DOCONNECT_TRUSTED_PROXIES") == ["10.0.0.5", "10.0.1.0/24", "::1"]


@pytest.mark.parametrize("value", ["proxy.example.org", "10.0.1.5/24", "10.0.0.300"])
def test_the_setting_refuses_what_is_no_address_naming_it(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("DOCONNECT_TRUSTED_PROXIES", f"10.0.0.5,{value}")
    with pytest.raises(ConfigurationError, match=f"DOCONNECT_TRUSTED_PROXIES: '{value}'"):
        envnetworks("DOCONNECT_TRUSTED_PROXIES")
