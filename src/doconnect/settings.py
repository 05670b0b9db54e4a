"""All settings, read from the environment (see README, "Configuration").

Secure by default: DEBUG is off, and with DEBUG off a missing or well-known secret key
refuses to start.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from doconnect.envconf import (
    ConfigurationError,
    envbool,
    envchoice,
    envint,
    envlist,
    envstr,
)

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(envstr("DOCONNECT_VAR_DIR", str(Path.cwd() / "var")))

DEBUG = envbool("DOCONNECT_DEBUG", default=False)

# Known-bad keys: the development default below and Django's own placeholder.
INSECURE_SECRET_KEYS = frozenset(
    {
        "",
        "dev-insecure-secret-key-do-not-use-in-production",
        "change-me",
        "changeme",
        "secret",
    }
)
# Only ever used with DEBUG on; listed above so it can never pass in production.
_DEV_SECRET_KEY = "dev-insecure-secret-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = envstr("DOCONNECT_SECRET_KEY", "")
if SECRET_KEY in INSECURE_SECRET_KEYS or SECRET_KEY.startswith("django-insecure"):
    if not DEBUG:
        raise ConfigurationError(
            "DOCONNECT_SECRET_KEY is missing or a well-known default. Set it (or "
            "DOCONNECT_SECRET_KEY_FILE) to a long random value, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`, "
            "or set DOCONNECT_DEBUG=1 for local development."
        )
    SECRET_KEY = SECRET_KEY or _DEV_SECRET_KEY
elif len(SECRET_KEY) < 50 and not DEBUG:
    raise ConfigurationError("DOCONNECT_SECRET_KEY must be at least 50 characters long.")

# The key of the duplicate check's keyed hash (HMAC-SHA256 of the normalised name and
# birth date, people/matching.py): without it the hashes in PersonalDetails.match_key
# cannot be recomputed from guessed names, so the column reveals nothing by itself. A
# secret of its own, so rotating the session key does not touch it (after a change of
# this key, `doconnect persons match-keys --all` recomputes every hash).
_DEV_PERSON_MATCH_KEY = "dev-insecure-person-match-key-do-not-use-in-production"
INSECURE_PERSON_MATCH_KEYS = INSECURE_SECRET_KEYS | {_DEV_PERSON_MATCH_KEY}
PERSON_MATCH_KEY = envstr("DOCONNECT_PERSON_MATCH_KEY", "")
if PERSON_MATCH_KEY in INSECURE_PERSON_MATCH_KEYS or PERSON_MATCH_KEY == SECRET_KEY:
    if not DEBUG:
        raise ConfigurationError(
            "DOCONNECT_PERSON_MATCH_KEY is missing, a well-known default or the same as "
            "DOCONNECT_SECRET_KEY. Set it (or DOCONNECT_PERSON_MATCH_KEY_FILE) to a long "
            "random value of its own, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`, "
            "or set DOCONNECT_DEBUG=1 for local development."
        )
    PERSON_MATCH_KEY = _DEV_PERSON_MATCH_KEY
elif len(PERSON_MATCH_KEY) < 32 and not DEBUG:
    raise ConfigurationError("DOCONNECT_PERSON_MATCH_KEY must be at least 32 characters long.")

ALLOWED_HOSTS = envlist(
    "DOCONNECT_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = envlist("DOCONNECT_CSRF_TRUSTED_ORIGINS", [])

# Marks every page as showing synthetic data; set by `doconnect demo`/`make run`.
DEMO_MODE = envbool("DOCONNECT_DEMO_MODE", default=DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "doconnect.core",
    "doconnect.people",
    "doconnect.people.agreements",
    "doconnect.casework",
    "doconnect.offers",
    "doconnect.pathways",
    "doconnect.referrals",
    "doconnect.allocation",
    "doconnect.transitions",
    "doconnect.labourmarket.employers",
    "doconnect.labourmarket",
    "doconnect.scenarios",
    "doconnect.decisions",
    "doconnect.transparency",
    "doconnect.forum",
    "doconnect.demo",
    "doconnect.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "doconnect.urls"
WSGI_APPLICATION = "doconnect.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "doconnect.web.context.platform",
            ],
        },
    },
]

DATABASE_URL = envstr("DOCONNECT_DATABASE_URL", f"sqlite:///{VAR_DIR / 'doconnect.sqlite3'}")
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DOCONNECT_DB_CONN_MAX_AGE", 60))
except ValueError as exc:
    raise ConfigurationError(f"DOCONNECT_DATABASE_URL is not a database URL: {exc}") from exc
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while an import writes; busy timeout avoids
    # spurious "database is locked" under a second writer.
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    _db["CONN_MAX_AGE"] = 0
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end packages from npm (package.json; `make run`/`make test` run `npm ci`), served
# under a prefix: static/kern/kern.min.css, static/htmx/htmx.min.js. Only directories that
# exist: a `pip install`ed deployment without node_modules still starts (collectstatic there
# needs a checkout with node_modules).
NODE_MODULES = BASE_DIR.parents[1] / "node_modules"
STATICFILES_DIRS = [
    (prefix, path)
    for prefix, path in [
        ("kern", NODE_MODULES / "@kern-ux" / "native" / "dist"),
        ("htmx", NODE_MODULES / "htmx.org" / "dist"),
        ("vega", NODE_MODULES / "vega" / "build"),
        ("vega-lite", NODE_MODULES / "vega-lite" / "build"),
        ("vega-embed", NODE_MODULES / "vega-embed" / "build"),
        ("swagger-ui", NODE_MODULES / "swagger-ui-dist"),
    ]
    if path.is_dir()
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

EMAIL_BACKEND = envstr(
    "DOCONNECT_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = envstr("DOCONNECT_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("DOCONNECT_EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("DOCONNECT_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("DOCONNECT_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("DOCONNECT_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = envstr("DOCONNECT_DEFAULT_FROM_EMAIL", "do-connect <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers; with DEBUG off these are what `check --deploy` asks for.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("DOCONNECT_SESSION_SECONDS", 8 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = envbool("DOCONNECT_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = envbool("DOCONNECT_SECURE_COOKIES", default=True)
    SECURE_SSL_REDIRECT = envbool("DOCONNECT_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = envint("DOCONNECT_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("DOCONNECT_HSTS_PRELOAD", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("DOCONNECT_LOG_LEVEL", "WARNING")},
}

# Import error lists stop after this many problems so a broken file stays readable.
IMPORT_MAX_ERRORS = envint("DOCONNECT_IMPORT_MAX_ERRORS", 100)

# The BA's public APIs (`doconnect fetch jobsuche|weiterbildung|ausbildung`): service
# URLs, the X-API-Key of each (the BA's public client ids), seconds to wait for an
# answer, and how often a time-out, 429 or 5xx is tried again (waiting 1, 2, 4 …
# seconds, or what Retry-After asks).
JOBSUCHE_URL = envstr(
    "DOCONNECT_JOBSUCHE_URL", "https://rest.arbeitsagentur.de/jobboerse/jobsuche-service"
)
JOBSUCHE_API_KEY = envstr("DOCONNECT_JOBSUCHE_API_KEY", "jobboerse-jobsuche")
WEITERBILDUNGSSUCHE_URL = envstr(
    "DOCONNECT_WEITERBILDUNGSSUCHE_URL", "https://rest.arbeitsagentur.de/infosysbub/wbsuche"
)
WEITERBILDUNGSSUCHE_API_KEY = envstr("DOCONNECT_WEITERBILDUNGSSUCHE_API_KEY", "infosysbub-wbsuche")
AUSBILDUNGSSUCHE_URL = envstr(
    "DOCONNECT_AUSBILDUNGSSUCHE_URL", "https://rest.arbeitsagentur.de/infosysbub/absuche"
)
AUSBILDUNGSSUCHE_API_KEY = envstr("DOCONNECT_AUSBILDUNGSSUCHE_API_KEY", "infosysbub-absuche")
BA_TIMEOUT_SECONDS = envint("DOCONNECT_BA_TIMEOUT_SECONDS", 30)
BA_RETRIES = envint("DOCONNECT_BA_RETRIES", 3)

# Referrals a provider leaves unanswered expire after this many days; the provider is
# reminded this many days before (`doconnect referrals expire|remind`).
REFERRAL_ANSWER_DAYS = envint("DOCONNECT_REFERRAL_ANSWER_DAYS", 14)
REFERRAL_REMINDER_DAYS = envint("DOCONNECT_REFERRAL_REMINDER_DAYS", 3)

# Long computations (allocation runs, cohorts) run in a thread of the web process that
# started them ("thread"), or before the response ("inline": slow pages, no progress
# bar; for tests and one-off scripts). A job silent for this many minutes is taken as
# broken off (the process ended) and may be started again.
JOBS_RUNNER = envchoice("DOCONNECT_JOBS_RUNNER", "thread", ("thread", "inline"))
JOB_STALE_MINUTES = envint("DOCONNECT_JOB_STALE_MINUTES", 30)

# Transition monitoring shows no figure about fewer persons than this (cells below it
# read "unter N" on screen and in every export); public reports suppress such cells
# (and the cells that would reveal them).
SMALL_NUMBER = envint("DOCONNECT_SMALL_NUMBER", 5)

# The labour-policy conference reminds a commitment's owner this many days before its
# due date (and once when it is overdue).
FORUM_REMINDER_DAYS = envint("DOCONNECT_FORUM_REMINDER_DAYS", 14)

# The platform's address as users reach it: the links in mails (the daily task digest)
# and in calendar feeds start with it. The default is the address `make run` serves.
SITE_URL = envstr("DOCONNECT_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("https://", "http://")):
    raise ConfigurationError("DOCONNECT_SITE_URL must start with https:// (or http://).")
