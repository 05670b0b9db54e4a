"""Starts the real OpenID provider of tests/oidc/provider.mjs (the `oidc-provider`
package from npm, run by Node) on a free loopback port, for one client: the live server
of the test. In CI a missing Node or package fails the test instead of skipping it."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("provider.mjs")
PACKAGE = ROOT / "node_modules" / "oidc-provider"
CLIENT_ID = "do-connect"
CLIENT_SECRET = "test-client-secret-" + "z" * 20  # a test-only client


@dataclass(frozen=True)
class Provider:
    issuer: str

    def settings(self) -> dict[str, object]:
        """The Django settings that point do-connect at this provider, as the
        DOCONNECT_OIDC_* variables would."""
        return {
            "OIDC_ENABLED": True,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/auth",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.issuer}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.issuer}/me",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/jwks",
            "OIDC_OP_END_SESSION_ENDPOINT": f"{self.issuer}/session/end",
            "OIDC_RP_SCOPES": "openid email profile groups",
        }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI requires the OpenID provider")
    pytest.skip(f"{reason}; `make test` installs it")


@contextmanager
def running_provider(site_url: str) -> Iterator[Provider]:
    """The provider, knowing do-connect at ``site_url`` as its client, until the end."""
    node = shutil.which("node")
    if node is None:
        _unavailable("Node.js is missing (apt-get install -y nodejs)")
    if not PACKAGE.is_dir():
        _unavailable("node_modules/oidc-provider is missing (npm ci)")
    port = _free_port()
    client = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": f"{site_url}/login/provider/callback/",
        "post_logout_redirect_uri": f"{site_url}/login/",
    }
    process = subprocess.Popen(
        [str(node), str(SCRIPT)],
        cwd=ROOT,
        env={**os.environ, "OIDC_PORT": str(port), "OIDC_CLIENT": json.dumps(client)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # blocks until it listens (or dies)
        if not line.startswith("listening "):
            raise RuntimeError(f"the OpenID provider did not start: {line!r}")
        yield Provider(issuer=line.split()[1])
    finally:
        process.terminate()
        process.wait(timeout=10)
