"""Authenticator codes for the sign-in tests, computed by RFC 6238 itself from the key the
setup page shows, not by the library that checks them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time


def totp(secret_base32: str, at: float | None = None) -> str:
    """HMAC-SHA1 over the 30-second step, dynamically truncated to 6 digits."""
    key = base64.b32decode("".join(secret_base32.split()))
    step = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def wrong(code: str) -> str:
    """Another six-digit code, never the given one."""
    return f"{(int(code) + 500_000) % 1_000_000:06d}"
