"""Requests through a reverse proxy: which forwarded headers are believed.

The proxy (TLS ends there) says the original protocol in ``X-Forwarded-Proto`` and the
client's address in ``X-Forwarded-For``. Anybody can send these headers, so they count
only when the connection comes from one of ``settings.TRUSTED_PROXIES`` (addresses or
CIDR networks, ``DOCONNECT_TRUSTED_PROXIES``). gunicorn gets the same list as
``forwarded_allow_ips`` (``doconnect serve``); this middleware makes Django agree:

- from anybody else the forwarded headers are removed, so ``SECURE_PROXY_SSL_HEADER``
  cannot be fooled into "https" and nothing reads a forged client address;
- from a trusted proxy ``REMOTE_ADDR`` becomes the client's address: the rightmost
  address of ``X-Forwarded-For`` that is not itself a trusted proxy (each proxy appends
  the address it saw, so only the part written by our own proxies is reliable).

Everything that needs the client's address (sign-in throttling, logs) reads
``REMOTE_ADDR`` after this middleware.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# The forwarded headers a proxy sets (Django's META names).
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
)


@lru_cache(maxsize=8)
def _networks(items: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item) for item in items)


def is_trusted(address: str, trusted: Iterable[str]) -> bool:
    """Whether ``address`` lies in one of the ``trusted`` addresses or networks."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(trusted)))


def client_address(peer: str, forwarded_for: str, trusted: Iterable[str]) -> str:
    """The client's address: ``peer`` itself unless it is a trusted proxy; then the
    rightmost address of ``forwarded_for`` that is no trusted proxy (or the leftmost one
    if all are). A malformed entry is where the trusted chain ends: it is returned as
    the peer would be, never skipped."""
    trusted = tuple(trusted)
    if not is_trusted(peer, trusted):
        return peer
    chain = [item.strip() for item in forwarded_for.split(",") if item.strip()]
    address = peer
    for hop in reversed(chain):
        address = hop
        if not is_trusted(hop, trusted):
            break
    return address


class TrustedProxyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        peer = meta.get("REMOTE_ADDR", "")
        trusted = settings.TRUSTED_PROXIES
        if trusted and is_trusted(peer, trusted):
            meta["REMOTE_ADDR"] = client_address(
                peer, meta.get("HTTP_X_FORWARDED_FOR", ""), trusted
            )
        else:
            for name in FORWARDED_HEADERS:
                meta.pop(name, None)
        return self.get_response(request)
