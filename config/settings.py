"""The one settings module. Every value comes from the environment (see .env.example).

A bad value fails at start-up with ImproperlyConfigured naming the variable, so a typo in a
deployment is caught before the first request, not during one.
"""

from __future__ import annotations

import zoneinfo
from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()


def _read(name: str, cast, default):
    """Read one variable; turn any parse error into ImproperlyConfigured naming it."""
    try:
        return cast(name, default=default)
    except Exception as error:  # environ raises ValueError, KeyError, UnknownSchemeError...
        raise ImproperlyConfigured(f"Environment variable {name} is invalid: {error}") from error


def _bool(name: str, default: bool) -> bool:
    raw = env.str(name, default="").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"Environment variable {name} must be true or false, not {raw!r}")


def _int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.str(name, default="").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"Environment variable {name} must be a whole number, not {raw!r}"
        ) from error
    if value < minimum:
        raise ImproperlyConfigured(f"Environment variable {name} must be at least {minimum}")
    return value


DEBUG = _bool("DEBUG", False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Environment variable SECRET_KEY is required when DEBUG is off "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"  # noqa: S105

ALLOWED_HOSTS = _read("ALLOWED_HOSTS", env.list, ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = _read("CSRF_TRUSTED_ORIGINS", env.list, [])
# Absolute base of links in emails and PDFs (invitation, check-in, unsubscribe). Unset, it is
# the local web server on WEB_PORT (`PORT=8101 make run` sets WEB_PORT=8101), so the links in
# the embedded run's emails follow the port the server listens on.
WEB_PORT = _int("WEB_PORT", 8000, minimum=1)
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{WEB_PORT}").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("Environment variable SITE_URL must start with http:// or https://")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "core",
    "accounts",
    "exercises",
    "programs",
    "documents",
    "reminders",
    "followup",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.no_store",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.profile_language",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so it sees the outcome of authentication (django-axes documents this order).
    "axes.middleware.AxesMiddleware",
]

# Content Security Policy (django-csp): our own scripts, styles and images only, no inline
# script or style anywhere (htmx is told not to inject its indicator styles: base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": _read("DATABASE_URL", env.db_url, f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"].get("ENGINE") not in {
    "django.db.backends.postgresql",
    "django.db.backends.sqlite3",
}:
    raise ImproperlyConfigured(
        "Environment variable DATABASE_URL must be a postgres:// or sqlite:/// URL"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file in the embedded mode: WAL lets readers and one
    # writer work together, IMMEDIATE transactions avoid "database is locked" upgrades.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = _int("DATABASE_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
INVITATION_MAX_AGE = timedelta(days=_int("INVITATION_MAX_AGE_DAYS", 7, minimum=1))
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

# Login throttling (django-axes): lock an account+address pair after repeated failures.
AXES_FAILURE_LIMIT = _int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Django's login form and our token endpoint both pass the email as `username=`.
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The API's token endpoint answers a lockout in its JSON error shape, pages with the template.
AXES_LOCKOUT_CALLABLE = "core.api.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
# How many reverse proxies in front of us append to X-Forwarded-For: the one setting that says
# how a client's address is read (core.api.client_address), for axes and the API throttle.
PROXY_COUNT = _int("PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "core.api.client_address"

# --- internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "en"
# The patient's language decides their portal, emails and PDFs; a physiotherapist's own
# preference decides their pages (config.middleware.profile_language). Each name is written
# in its own language, as the switcher shows it.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# British date formats for English (Django's "en" is American); config/formats/.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(
        f"Environment variable TIME_ZONE is not a known time zone: {TIME_ZONE}"
    )
USE_I18N = True
USE_TZ = True

# --- static and private files ------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Patient documents are private: there is deliberately no MEDIA_URL route; files are only
# served through views that check access (or signed, expiring links).
_s3_bucket = env.str("AWS_STORAGE_BUCKET_NAME", default="")
STORAGES: dict[str, dict[str, Any]] = {
    "default": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": _s3_bucket,
                "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
        if _s3_bucket
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
        }
    ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- email ------------------------------------------------------------------------------
# EMAIL_URL like smtp://user:password@host:587?... (smtp+tls://, smtps://); empty: the outbox.
OUTBOX_DIR = VAR_DIR / "outbox"
_email = (
    _read("EMAIL_URL", env.email_url, None)
    if env.str("EMAIL_URL", default="")
    else {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"}
)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = _int("EMAIL_TIMEOUT", 10, minimum=1)
if EMAIL_BACKEND.endswith("filebased.EmailBackend"):
    # One file per connection in var/outbox (the embedded default: open them to read mail).
    EMAIL_FILE_PATH = str(OUTBOX_DIR)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Back care <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -----------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost/")
if CELERY_BROKER_URL.split(":", 1)[0] not in {"redis", "rediss", "filesystem", "memory", "amqp"}:
    raise ImproperlyConfigured(
        "Environment variable CELERY_BROKER_URL must be a redis://, amqp:// or filesystem:// URL"
    )
if CELERY_BROKER_URL.startswith("filesystem"):
    # Embedded mode: a broker that is a folder, so `make run` needs no server.
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # A task not acknowledged within this time is redelivered: longer than any task's hard
    # limit, so a slow render is not run twice (the database claim makes a rerun harmless).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ALWAYS_EAGER = _bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = _int("CELERY_TASK_SOFT_TIME_LIMIT", 60, minimum=1)
CELERY_TASK_TIME_LIMIT = _int("CELERY_TASK_TIME_LIMIT", 90, minimum=1)
if CELERY_TASK_TIME_LIMIT <= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured(
        "Environment variable CELERY_TASK_TIME_LIMIT must be greater than "
        "CELERY_TASK_SOFT_TIME_LIMIT"
    )
# A claimed row (a PDF rendering, a reminder sending) is held for this long and the lease is
# renewed while the work runs: a dead worker's row is taken over when it ends. Shorter than
# the time limit, so a hung task cannot outlive it unnoticed.
CLAIM_LEASE_SECONDS = _int("CLAIM_LEASE_SECONDS", 30, minimum=3)
if CLAIM_LEASE_SECONDS >= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "Environment variable CLAIM_LEASE_SECONDS must be less than CELERY_TASK_TIME_LIMIT"
    )
# The outbox relay sends a message again when its task has not finished this long after it
# was sent (a message lost with a worker or a flushed Redis).
OUTBOX_RESEND_SECONDS = _int("OUTBOX_RESEND_SECONDS", 60, minimum=5)
# A task running when the broker goes away finishes: its work is claimed in the database and
# the outbox sends its message again if the acknowledgement is lost (config/redis_transport.py).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker waits for the broker, however long
CELERY_WORKER_MAX_MEMORY_PER_CHILD = _int("CELERY_WORKER_MAX_MEMORY_PER_CHILD_KB", 250_000)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# A reminder the SMTP server did not take is tried again after this many seconds, doubled
# each time up to the maximum, until it is 2 hours late (then `failed`, with the reason).
REMINDER_RETRY_FIRST_SECONDS = _int("REMINDER_RETRY_FIRST_SECONDS", 10, minimum=1)
REMINDER_RETRY_MAX_SECONDS = _int("REMINDER_RETRY_MAX_SECONDS", 300, minimum=1)

# --- REST API ---------------------------------------------------------------------------
# API tokens (django-rest-knox): stored hashed, one per login, ending after API_TOKEN_TTL_HOURS
# without use (each use extends it, up to a week from the login), at logout, and at a
# password change or reset (accounts.models.User.save).
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=_int("API_TOKEN_TTL_HOURS", 10, minimum=1)),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=7),
    "MIN_REFRESH_INTERVAL": 300,
    "AUTH_HEADER_PREFIX": "Token",
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {"login": env.str("LOGIN_THROTTLE_RATE", default="10/min")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Back care programs API",
    "DESCRIPTION": "Staged exercise and prevention programs for back muscle spasm.\n\n"
    "Language: error details (`detail` and the messages under `fields`) and choice labels "
    "are in the language the request's `Accept-Language` header asks for (`en` or `es`; "
    "English otherwise). Codes, field names and rule ids never change with the language.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several fields share a vocabulary; one named enum each keeps the schema readable.
    "ENUM_NAME_OVERRIDES": {
        "RedFlagAnswerEnum": ["yes", "no", "unsure"],
        "RegionEnum": "clinical.vocabulary.REGIONS",
        "LowModerateHighEnum": ["low", "moderate", "high"],
        "PhaseCodeEnum": "programs.models.PHASE_CHOICES",
        "PlanStatusEnum": "programs.models.Plan.Status",
    },
}

# --- cache ------------------------------------------------------------------------------
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- security ---------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-free meta tag instead
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^api/v1/health/$"]

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        "Environment variable LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR"
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # WeasyPrint logs every layout step at INFO: one line per page of every PDF.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}
