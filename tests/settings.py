"""Test settings: the production settings, on a real PostgreSQL cluster started for this
run (or DOCONNECT_TEST_DATABASE_URL). With DOCONNECT_TEST_DB=sqlite the suite runs on
the embedded SQLite instead. In CI a missing PostgreSQL is an error, never a fallback."""

from __future__ import annotations

import os
import tempfile

# Fixed random values (not secrets: tests only); a repeated letter is refused at start.
os.environ.setdefault("DOCONNECT_SECRET_KEY", "t-Qm7vK2xR9pZ4wT1nB8cF5hJ3dS6gA0eU-yL4oI7uE2xW5qN8")
os.environ.setdefault("DOCONNECT_PERSON_MATCH_KEY", "test-match-Hq2wE9rT5yU1iO7pA3sD8fG6hJ0kL4zX")
os.environ.setdefault("DOCONNECT_DEBUG", "0")
os.environ.setdefault("DOCONNECT_SSL_REDIRECT", "0")

import dj_database_url

from doconnect.settings import *  # noqa: F403
from doconnect.settings import DATABASES
from doconnect.testing import pgcluster

TEST_DB = os.environ.get("DOCONNECT_TEST_DB", "postgres")
IN_CI = bool(os.environ.get("CI"))

if TEST_DB == "postgres":
    url = os.environ.get("DOCONNECT_TEST_DATABASE_URL")
    if not url:
        try:
            url = pgcluster.start().url
        except pgcluster.PostgresUnavailable:
            if IN_CI:
                raise
            TEST_DB = "sqlite"
    if url:
        os.environ["DOCONNECT_TEST_DATABASE_URL"] = url  # subprocesses reuse the cluster
        DATABASES = {"default": dj_database_url.parse(url, conn_max_age=0)}
if TEST_DB == "sqlite":
    # A file, as `make run` uses, not Django's in-memory test database: threads (the
    # background jobs) then wait for each other's writes as in production instead of
    # failing at once with "database table is locked" (shared-cache memory databases
    # lock whole tables and do not wait).
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": ":memory:",
            "TEST": {
                "NAME": os.path.join(tempfile.gettempdir(), f"doconnect-test-{os.getpid()}.sqlite3")
            },
        }
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Whitenoise warns about a missing static root at start-up; tests never collect static.
STATIC_ROOT = tempfile.mkdtemp(prefix="doconnect-static-")

# The suite's personas sign in with the password alone, as `make run` does: the same
# setting as DOCONNECT_TOTP_REQUIRED (README "Sign-in"). tests/web/test_signin.py turns
# it on and shows that the second factor is then asked for and checked.
TOTP_REQUIRED = False
