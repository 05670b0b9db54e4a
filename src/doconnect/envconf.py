"""Small typed readers for environment settings that fail loudly.

Every setting can also be given as ``NAME_FILE`` pointing at a file that holds the
value (Docker/Kubernetes secrets); the file wins only when the plain variable is unset.
"""

from __future__ import annotations

import ipaddress
import json
import math
import os
from pathlib import Path


class ConfigurationError(Exception):
    """A setting is missing or malformed; the message names the variable."""


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is not None:
        return value
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        path = Path(file_name)
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigurationError(
                f"{name}_FILE points at {file_name!r}, which cannot be read: {exc.strerror}"
            ) from exc
    return None


def envstr(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigurationError(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}"
    )


def envint(name: str, default: int) -> int:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number; got {value!r}") from exc


def envchoice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = envstr(name, default).strip() or default
    if value not in choices:
        raise ConfigurationError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def envlist(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def envjson(name: str, default: object) -> object:
    """A JSON value (e.g. a mapping); a malformed one names the variable and the place."""
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(
            f"{name} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc


def envnetworks(name: str) -> list[str]:
    """Comma-separated IP addresses or networks in CIDR notation (``10.0.0.0/8``); each
    is checked as the web server (gunicorn) checks it, so a typo stops the start with
    the variable's name instead of silently trusting nobody or everybody."""
    networks = envlist(name, [])
    for item in networks:
        try:
            ipaddress.ip_network(item)
        except ValueError as exc:
            raise ConfigurationError(
                f"{name}: {item!r} is no IP address or network (e.g. 10.0.0.5 or "
                f"10.0.0.0/24, host bits zero): {exc}"
            ) from exc
    return networks


# What a secret's characters can be drawn from, by class; a secret using some classes
# is counted as drawn from all characters of those classes.
_CLASSES = (
    (str.islower, 26),
    (str.isupper, 26),
    (str.isdigit, 10),
)
_OTHER_CLASS = 33  # printable ASCII punctuation and space
# English text carries some 1–2 bits a letter; a run of lowercase letters this long is
# counted as a word, not as random letters.
_WORD_RUN = 3
_WORD_BITS = 2.0
MIN_SECRET_BITS = 128


def secret_bits(secret: str) -> float:
    """A deliberately simple, pessimistic estimate of a secret's entropy in bits (what
    a "zxcvbn"-style checker does, without its dictionaries): each character counts
    log2 of the pool of the character classes the secret uses (lowercase, uppercase,
    digits, other), except a character that repeats a three-character sequence seen
    before (``abcabc…``, a word typed twice) counts nothing, and one inside a run of
    three or more lowercase letters (a word, ``thisismysecret…``) counts 2 bits. Django's
    and ``secrets.token_urlsafe`` keys of 50 characters give some 250 bits."""
    if not secret:
        return 0.0
    pool = sum(size for test, size in _CLASSES if any(test(c) for c in secret))
    if any(not (c.isascii() and c.isalnum()) for c in secret):
        pool += _OTHER_CLASS
    per_char = math.log2(max(pool, 2))
    in_word = [False] * len(secret)
    start = 0
    for i in range(len(secret) + 1):
        if i == len(secret) or not ("a" <= secret[i] <= "z"):
            if i - start >= _WORD_RUN:
                in_word[start:i] = [True] * (i - start)
            start = i + 1
    seen: set[str] = set()
    bits = 0.0
    for i in range(len(secret)):
        gram = secret[max(0, i - 2) : i + 1]
        if len(gram) == 3 and gram in seen:
            continue
        seen.add(gram)
        bits += _WORD_BITS if in_word[i] else per_char
    return bits


def secret_problem(name: str, secret: str) -> str | None:
    """Why ``secret`` is too weak for production (names the variable), or None."""
    distinct = len(set(secret))
    if distinct < 10:
        return f"{name} uses only {distinct} different characters; use a random value"
    bits = secret_bits(secret)
    if bits < MIN_SECRET_BITS:
        return (
            f"{name} looks guessable (about {bits:.0f} bits of entropy, at least "
            f"{MIN_SECRET_BITS} needed: repeated parts or words); use a random value, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`"
        )
    return None
