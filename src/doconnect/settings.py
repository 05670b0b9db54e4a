"""All settings, read from the environment (see README, "Configuration").

Secure by default: DEBUG is off, and with DEBUG off a missing or well-known secret key
refuses to start.
"""

from __future__ import annotations

import hashlib
from datetime import time as _time
from datetime import timedelta as _timedelta
from pathlib import Path

import dj_database_url

from doconnect.envconf import (
    ConfigurationError,
    envbool,
    envchoice,
    envint,
    envjson,
    envlist,
    envnetworks,
    envstr,
    secret_problem,
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
elif not DEBUG and (_weak := secret_problem("DOCONNECT_SECRET_KEY", SECRET_KEY)):
    # Long is not enough: 50 × "x" or a sentence is guessed long before a random key.
    raise ConfigurationError(_weak)

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
elif not DEBUG and (_weak := secret_problem("DOCONNECT_PERSON_MATCH_KEY", PERSON_MATCH_KEY)):
    raise ConfigurationError(_weak)

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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
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
    # First: /healthz answers before host checks, redirects and sessions; then one JSON
    # line per request (core/request_log.py); then the client address and protocol from
    # trusted proxies only (core/proxies.py), before anything reads them.
    "doconnect.core.health.HealthMiddleware",
    "doconnect.core.request_log.RequestLogMiddleware",
    "doconnect.core.proxies.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "doconnect.core.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the body, after the language is known (its message).
    "doconnect.core.security.RequestSizeLimitMiddleware",
    "doconnect.core.security.NulTextMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "doconnect.web.signin_middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs out an idle session (its message needs the one above); then no-store on
    # every answer to a signed-in user (core/security.py).
    "doconnect.core.security.SessionTimeoutMiddleware",
    "doconnect.core.security.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
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
# Where `doconnect backup|restore` find pg_dump and pg_restore (not older than the
# server); empty: the newest /usr/lib/postgresql/*/bin, then PATH.
PG_BINDIR = envstr("DOCONNECT_PG_BINDIR", "")
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

# Sign-in (README "Sign-in"): passwords with a second factor (TOTP) for every role that
# can see names, failed sign-ins throttled per account and address (django-axes), and/or
# the city's identity provider by OpenID Connect (mozilla-django-oidc; off unless
# DOCONNECT_OIDC_CLIENT_ID is set).
PASSWORD_LOGIN = envbool("DOCONNECT_PASSWORD_LOGIN", default=True)
TOTP_REQUIRED = envbool("DOCONNECT_TOTP_REQUIRED", default=not DEBUG)
if PASSWORD_LOGIN and not TOTP_REQUIRED and not (DEBUG or DEMO_MODE):
    raise ConfigurationError(
        "DOCONNECT_TOTP_REQUIRED may be off only with DOCONNECT_DEBUG or "
        "DOCONNECT_DEMO_MODE (or with DOCONNECT_PASSWORD_LOGIN=0): password sign-in to "
        "personal data needs a second factor."
    )
OTP_TOTP_ISSUER = envstr("DOCONNECT_TOTP_ISSUER", "do-connect")
AXES_FAILURE_LIMIT = envint("DOCONNECT_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = _timedelta(minutes=envint("DOCONNECT_LOGIN_LOCKOUT_MINUTES", 15))
# The pair, not the account alone: nobody can lock a colleague out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "doconnect.web.signin_views.locked_out"  # the page in our language
# The client's address: REMOTE_ADDR, which core.proxies.TrustedProxyMiddleware has
# already taken from X-Forwarded-For where the request came through one of
# DOCONNECT_TRUSTED_PROXIES (a client cannot forge it).
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

OIDC_RP_CLIENT_ID = envstr("DOCONNECT_OIDC_CLIENT_ID", "")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = envstr("DOCONNECT_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = envstr("DOCONNECT_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = envstr("DOCONNECT_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = envstr("DOCONNECT_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = envstr("DOCONNECT_OIDC_JWKS_ENDPOINT", "")
OIDC_OP_END_SESSION_ENDPOINT = envstr("DOCONNECT_OIDC_END_SESSION_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = envchoice("DOCONNECT_OIDC_SIGN_ALGO", "RS256", ("RS256", "ES256"))
OIDC_RP_SCOPES = envstr("DOCONNECT_OIDC_SCOPES", "openid email profile")
OIDC_USERNAME_CLAIM = envstr("DOCONNECT_OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_ROLE_CLAIM = envstr("DOCONNECT_OIDC_ROLE_CLAIM", "groups")
OIDC_ROLE_MAP = envjson("DOCONNECT_OIDC_ROLE_MAP", {})  # checked by web.signin_checks
OIDC_PROVIDER_NAME = envstr("DOCONNECT_OIDC_PROVIDER_NAME", "")
OIDC_TIMEOUT = envint("DOCONNECT_OIDC_TIMEOUT_SECONDS", 10)
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_STORE_ID_TOKEN = True  # the id_token_hint of the provider's sign-out
OIDC_AUTHENTICATION_CALLBACK_URL = "web:oidc_callback"
OIDC_OP_LOGOUT_URL_METHOD = "doconnect.web.signin_views.provider_logout_url"
if OIDC_ENABLED:
    _oidc_needed = {
        "DOCONNECT_OIDC_CLIENT_SECRET": OIDC_RP_CLIENT_SECRET,
        "DOCONNECT_OIDC_AUTHORIZATION_ENDPOINT": OIDC_OP_AUTHORIZATION_ENDPOINT,
        "DOCONNECT_OIDC_TOKEN_ENDPOINT": OIDC_OP_TOKEN_ENDPOINT,
        "DOCONNECT_OIDC_USERINFO_ENDPOINT": OIDC_OP_USER_ENDPOINT,
        "DOCONNECT_OIDC_JWKS_ENDPOINT": OIDC_OP_JWKS_ENDPOINT,
        "DOCONNECT_OIDC_END_SESSION_ENDPOINT": OIDC_OP_END_SESSION_ENDPOINT,
    }
    for _name, _value in _oidc_needed.items():
        if not _value:
            raise ConfigurationError(f"{_name} is missing (DOCONNECT_OIDC_CLIENT_ID is set)")
        if _name.endswith("ENDPOINT") and not _value.startswith("https://") and not DEBUG:
            raise ConfigurationError(f"{_name} must start with https:// (without DEBUG)")
elif not PASSWORD_LOGIN:
    raise ConfigurationError(
        "DOCONNECT_PASSWORD_LOGIN=0 needs an identity provider (DOCONNECT_OIDC_CLIENT_ID …): "
        "nobody could sign in."
    )
# Axes first: it refuses a locked-out sign-in before any backend checks it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    *(["django.contrib.auth.backends.ModelBackend"] if PASSWORD_LOGIN else []),
    *(["doconnect.web.signin_backend.CityIdentityBackend"] if OIDC_ENABLED else []),
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English pages in British formats (6 Dec 2026, 06/12/2026), not Django's American "en".
FORMAT_MODULE_PATH = ["doconnect.core.formats"]
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
        ("elkjs", NODE_MODULES / "elkjs" / "lib"),
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
# Inactivity timeout (core/security.py): an unused session is signed out after this;
# SESSION_COOKIE_AGE stays the absolute limit.
SESSION_IDLE_SECONDS = envint("DOCONNECT_SESSION_IDLE_SECONDS", 30 * 60)
# Request bodies: at most this much in all (413 before reading; the largest upload, a
# decision's result file, has 5 MB), form fields and JSON bodies at most
# DATA_UPLOAD_MAX_MEMORY_SIZE (400), uploads above FILE_UPLOAD_MAX_MEMORY_SIZE spooled
# to a temporary file.
MAX_REQUEST_BYTES = envint("DOCONNECT_MAX_REQUEST_MB", 10) * 2**20
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DOCONNECT_MAX_FORM_MB", 3) * 2**20
FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp; core/security.py's middleware adds the identity
# provider to form-action, where sign-out redirects): scripts and styles only from the
# platform's own static files, no inline code, no eval (charts run Vega's expression
# interpreter, web/static/web/charts.js), no plugins, no framing.
# DOCONNECT_CSP_REPORT_ONLY=1 sends it as Content-Security-Policy-Report-Only.
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # data: for the empty favicon and KERN's inline SVG icons.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
if envbool("DOCONNECT_CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = envbool("DOCONNECT_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = envbool("DOCONNECT_SECURE_COOKIES", default=True)
    SECURE_SSL_REDIRECT = envbool("DOCONNECT_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = envint("DOCONNECT_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("DOCONNECT_HSTS_PRELOAD", default=True)

# Reverse proxies (TLS ends there) whose X-Forwarded-Proto and X-Forwarded-For are
# believed: addresses or CIDR networks. The same list goes to gunicorn's
# forwarded_allow_ips (`doconnect serve`) and to core.proxies.TrustedProxyMiddleware,
# which drops these headers from anybody else and sets REMOTE_ADDR to the client's
# address from the trusted chain (audit, logs, sign-in throttling read REMOTE_ADDR).
TRUSTED_PROXIES = envnetworks("DOCONNECT_TRUSTED_PROXIES")
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# `doconnect serve` (gunicorn): worker processes (0: one per CPU core), threads in each,
# seconds a request may take before its worker is restarted.
WEB_WORKERS = envint("DOCONNECT_WEB_WORKERS", 0)
WEB_THREADS = envint("DOCONNECT_WEB_THREADS", 4)
WEB_TIMEOUT = envint("DOCONNECT_WEB_TIMEOUT", 120)

# One console handler at the root. Django's own "django" logger has a console handler
# too (with DEBUG) and also passes its records up to the root, which printed every
# message twice: it keeps no handler of its own here. A refusal (403) is one line.
LOG_LEVEL = envstr("DOCONNECT_LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"short_refusals": {"()": "doconnect.core.logs.ShortRefusals"}},
    "formatters": {
        # One JSON object per line: time, method, path (no query string), status,
        # duration, user id (no names); see core/request_log.py.
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["asctime", "message"],
            "rename_fields": {"asctime": "time"},
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
    },
    "handlers": {
        "console": {"()": "doconnect.core.logs.StandardError", "filters": ["short_refusals"]},
        "requests": {"()": "doconnect.core.logs.StandardError", "formatter": "json"},
    },
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # DOCONNECT_REQUEST_LOG=0 switches the request lines off.
        "doconnect.requests": {
            "handlers": ["requests"] if envbool("DOCONNECT_REQUEST_LOG", default=True) else [],
            "level": "INFO",
            "propagate": False,
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
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

# Long computations (allocation runs, cohorts) are queued in the database and run by
# `doconnect worker` ("worker": django-tasks with its database backend, no broker), or
# before the response ("inline": slow pages, no progress bar; for tests and one-off
# scripts). A job silent for this many minutes is taken as broken off and may be
# started again.
JOBS_RUNNER = envchoice("DOCONNECT_JOBS_RUNNER", "worker", ("worker", "inline"))
JOB_STALE_MINUTES = envint("DOCONNECT_JOB_STALE_MINUTES", 30)
# A kept result gone stale (the next steps' ground, a report preview) is rebuilt by the
# worker at most once in this many minutes: the pages show its date meanwhile. Under a
# day's writes (every referral step changes the report's tables) the worker would
# otherwise rebuild back to back and take a core from the pages. 0: at every change.
KEPT_REBUILD_MINUTES = envint("DOCONNECT_KEPT_REBUILD_MINUTES", 10)
# Results kept while their tables are unchanged (core/changes.py) are shared by the
# server's worker processes through files in memory (/dev/shm when there is one), so
# after a change one process computes them, not each. "off": each process its own.
KEPT_SHARED = envchoice("DOCONNECT_KEPT_SHARED", "memory", ("memory", "off"))
_SHM = Path("/dev/shm")  # noqa: S108 - a directory of this user's own (0700), see below
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "kept": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        # One directory per data directory (and so per city on a shared machine).
        "LOCATION": str(
            (_SHM if _SHM.is_dir() else VAR_DIR)
            / f"doconnect-kept-{hashlib.sha256(str(VAR_DIR.resolve()).encode()).hexdigest()[:12]}"
        ),
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 5000, "CULL_FREQUENCY": 4},
    },
}
# The coordinator's dashboard figures (persons in support, free places, transitions) and
# the provider list's (places, free places, participants) may be this many seconds
# behind the tables: each referral step would otherwise have every
# next look read them again (half a second each at 100,000 persons). 0: always current.
DASHBOARD_STALE_SECONDS = envint("DOCONNECT_DASHBOARD_STALE_SECONDS", 60)
TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
# A worker writes a heartbeat this often; one silent for WORKER_STALE_SECONDS counts as
# stopped: its running job is queued once more, a second time it fails with the reason.
WORKER_HEARTBEAT_SECONDS = envint("DOCONNECT_WORKER_HEARTBEAT_SECONDS", 5)
WORKER_STALE_SECONDS = envint("DOCONNECT_WORKER_STALE_SECONDS", 60)
# The worker runs the daily commands (reminders, expiry, digests) once a day from this
# time on (the city's time, HH:MM; "off": never, e.g. when cron runs them); each day's
# run is recorded, so a restart repeats none.
_daily_at = envstr("DOCONNECT_WORKER_DAILY_AT", "06:00")
WORKER_DAILY_AT: _time | None = None
if _daily_at != "off":
    try:
        WORKER_DAILY_AT = _time.fromisoformat(_daily_at)
    except ValueError as exc:
        raise ConfigurationError(
            f"DOCONNECT_WORKER_DAILY_AT must be a time as HH:MM or off, not {_daily_at!r}"
        ) from exc

# Transition monitoring shows no figure about fewer persons than this (cells below it
# read "unter N" on screen and in every export); public reports suppress such cells
# (and the cells that would reveal them).
SMALL_NUMBER = envint("DOCONNECT_SMALL_NUMBER", 5)

# Analysts see persons one by one only coarsened so that every combination of what they
# see of them (age band, gender, district, legal branch, qualifications) is shared by at
# least this many persons (people/analyst_view.py). Below 2 nobody would be protected.
ANALYST_K = envint("DOCONNECT_ANALYST_K", 5)
if ANALYST_K < 2:
    raise ConfigurationError(f"DOCONNECT_ANALYST_K must be at least 2; got {ANALYST_K}")

# The labour-policy conference reminds a commitment's owner this many days before its
# due date (and once when it is overdue).
FORUM_REMINDER_DAYS = envint("DOCONNECT_FORUM_REMINDER_DAYS", 14)

# The platform's address as users reach it: the links in mails (the daily task digest)
# and in calendar feeds start with it. The default is the address `make run` serves.
SITE_URL = envstr("DOCONNECT_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("https://", "http://")):
    raise ConfigurationError("DOCONNECT_SITE_URL must start with https:// (or http://).")
