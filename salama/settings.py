"""Django settings for Salama, read from the environment.

``SALAMA_ENV`` is ``development`` (default) or ``production``. Development generates its own
throwaway keys under ``var/``; production refuses to start without ``SECRET_KEY``,
``SALAMA_KEK``, ``SALAMA_INDEX_KEY`` and ``SALAMA_AUDIT_KEY`` (or their ``*_FILE`` variants).
See docs/operations.md.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from salama.env import env, envbool, envint, envlist, envsecret

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("SALAMA_VAR_DIR", str(BASE_DIR / "var"))).resolve()

SALAMA_ENV = env("SALAMA_ENV", "development")
if SALAMA_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"SALAMA_ENV must be development or production, not {SALAMA_ENV!r}")
PRODUCTION = SALAMA_ENV == "production"
DEBUG = envbool("DEBUG", default=not PRODUCTION)
# Demo mode seeds well-known logins and lets `salama demo-code` print their TOTP codes.
SALAMA_DEMO = envbool("SALAMA_DEMO", default=not PRODUCTION)
if PRODUCTION and (DEBUG or SALAMA_DEMO):
    raise ImproperlyConfigured("DEBUG and SALAMA_DEMO must be off when SALAMA_ENV=production")


def _development_keys() -> dict[str, str]:
    """Throwaway keys for development and tests, created once under var/ (never committed).

    A key added in a later version (SALAMA_AUDIT_KEY) is added to an existing file; the keys
    already there are kept, so data encrypted under them stays readable.
    """
    path = VAR_DIR / "dev-keys.json"
    if path.exists():
        loaded: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        if "SALAMA_AUDIT_KEY" in loaded:
            return loaded
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    with open(VAR_DIR / "dev-keys.lock", "a") as lock:
        # Two processes starting at once (a test run beside `make run`) must agree on the keys.
        fcntl.flock(lock, fcntl.LOCK_EX)
        keys: dict[str, str] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        keys.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
        for name in ("SALAMA_KEK", "SALAMA_INDEX_KEY", "SALAMA_AUDIT_KEY"):
            keys.setdefault(name, base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(keys), encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(path)
    return keys


_dev_keys = {} if PRODUCTION else _development_keys()


def _required_secret(name: str) -> str:
    value = envsecret(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(
            f"{name} is not set. Production refuses to start without it: set {name} or "
            f"{name}_FILE (see docs/operations.md, 'Keys')."
        )
    return _dev_keys[name]


SECRET_KEY = _required_secret("SECRET_KEY")
# The key-encryption key wraps every data subject's data key; it never enters the database.
SALAMA_KEK = _required_secret("SALAMA_KEK")
# Keys retired by a rotation, still needed until `salama keys rotate` has re-wrapped everything.
SALAMA_KEK_RETIRED = envlist("SALAMA_KEK_RETIRED") or [
    item for item in envsecret("SALAMA_KEK_RETIRED_LIST").split(",") if item
]
# The blind-index key keys the HMACs used for exact look-ups and name search tokens.
SALAMA_INDEX_KEY = _required_secret("SALAMA_INDEX_KEY")
# The audit key keys the HMAC of every audit entry and signs the anchors of the chain's head, so
# someone with the database alone cannot forge or re-chain entries. It never enters the database.
SALAMA_AUDIT_KEY = _required_secret("SALAMA_AUDIT_KEY")
# Earlier audit keys: entries and anchors they signed still verify (docs/operations.md).
SALAMA_AUDIT_KEY_RETIRED = envlist("SALAMA_AUDIT_KEY_RETIRED") or [
    item for item in envsecret("SALAMA_AUDIT_KEY_RETIRED_LIST").split(",") if item
]

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is empty: list the host names Salama is served on")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "salama.core",
    "salama.accounts",
    "salama.people",
    "salama.cases",
    "salama.screening",
    "salama.referrals",
    "salama.assistance",
    "salama.integrations",
    "salama.fieldforms",
    "salama.returns",
    "salama.evidence",
    "salama.matching",
    "salama.tracing",
    "salama.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but for security: one log line per request, with its id and duration.
    "salama.core.logs.RequestLogMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "salama.accounts.middleware.IdleSessionMiddleware",
    "salama.core.middleware.HtmxRedirectMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "salama.accounts.middleware.ActiveMembershipMiddleware",
    "salama.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After MessageMiddleware: appends an HTMX action's messages to the fragment it returns.
    "salama.core.middleware.HtmxMessagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # A write that met a full disk answers 507, saying nothing was saved (salama/core/diskfull.py).
    "salama.core.diskfull.DiskFullMiddleware",
    # Last, so that the middleware above still adds its headers to the JSON it makes.
    "salama.api.middleware.ApiJsonErrorsMiddleware",
]

# Django's form and widget templates rendered by Jinja2 (salama/core/renderers.py).
FORM_RENDERER = "salama.core.renderers.FormRenderer"

ROOT_URLCONF = "salama.urls"
WSGI_APPLICATION = "salama.wsgi.application"
ASGI_APPLICATION = "salama.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "salama" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "salama.accounts.context_processors.membership",
            ],
        },
    },
]

# Databases: SQLite (WAL) is the embedded default; DATABASE_URL selects PostgreSQL.
_default_sqlite = f"sqlite:///{VAR_DIR / 'salama.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL", _default_sqlite))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE makes a write transaction take the lock at BEGIN, so the audit chain
        # and balances read-then-write without another writer slipping in between.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # mmap reads pages straight from the operating system's page cache instead of copying
        # them through SQLite's own cache: a third off a name search at a million persons
        # (docs/performance.md). 2 GiB is the most this SQLite build maps.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            f"PRAGMA mmap_size={envint('SALAMA_SQLITE_MMAP_BYTES', 2_147_418_112)}; "
            f"PRAGMA cache_size=-{envint('SALAMA_SQLITE_CACHE_KIB', 2000)};"
        ),
    }
    # Keep a connection per server thread: its page cache and map then outlive a request.
    DATABASES["default"]["CONN_MAX_AGE"] = envint("DB_CONN_MAX_AGE", 60)
    # A file, not the default in-memory database: threads of a live server (browser tests) and
    # concurrency tests then wait on SQLite's lock instead of failing with "table is locked".
    # One file per test process, so that parallel runs never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-salama-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = envint("DB_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The key store: wrapped data keys live in a database of their own, apart from the data and its
# backups, with its own short backups (salama/core/keystore.py, docs/operations.md). SQLite file
# by default; on PostgreSQL a separate database (SALAMA_KEYSTORE_URL), never the data database.
_keys_sqlite = f"sqlite:///{VAR_DIR / 'keys.sqlite3'}"
_keys = dj_database_url.parse(env("SALAMA_KEYSTORE_URL", _keys_sqlite))
if _keys["ENGINE"] == "django.db.backends.sqlite3":
    # secure_delete overwrites a destroyed key's bytes in the file instead of leaving them in a
    # free page; the rollback journal (not WAL) keeps no old copy of a page after the commit.
    _keys["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA secure_delete=ON; PRAGMA journal_mode=DELETE;",
    }
    _keys["TEST"] = {"NAME": str(VAR_DIR / f"test-keys-{os.getpid()}.sqlite3"), "MIGRATE": False}
else:
    _keys["TEST"] = {"MIGRATE": False}
_keys["CONN_MAX_AGE"] = envint("DB_CONN_MAX_AGE", 60)
# The key store first: test databases are created in this order, and migrating the data
# database also migrates the key store's (salama/core/management/commands/migrate.py).
DATABASES = {"keys": _keys, **DATABASES}
DATABASE_ROUTERS = ["salama.core.keystore.KeyStoreRouter"]
# The KeyStore implementation (a dotted class path): the seam where a KMS or HSM plugs in.
SALAMA_KEYSTORE_BACKEND = env("SALAMA_KEYSTORE_BACKEND", "salama.core.keystore.DatabaseKeyStore")
# `salama keys backup` writes encrypted snapshots of the key store here and deletes those older
# than SALAMA_KEYSTORE_BACKUP_DAYS: the window after which an erasure is final in every backup.
SALAMA_KEYSTORE_BACKUP_DIR = Path(
    env("SALAMA_KEYSTORE_BACKUP_DIR", str(VAR_DIR / "keystore-backups"))
)
SALAMA_KEYSTORE_BACKUP_DAYS = envint("SALAMA_KEYSTORE_BACKUP_DAYS", 7)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions expire after SESSION_IDLE_MINUTES without a request: IdleSessionMiddleware renews the
# expiry at most once a minute (saving on every request cost a database write per page).
SESSION_COOKIE_AGE = envint("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Login throttling (django-axes): lock a username+address pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = envint("AXES_PROXY_COUNT", 0)

OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "Salama")

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
]
LOCALE_PATHS = [BASE_DIR / "salama" / "locale"]
USE_I18N = True
# One date format per language for pages (salama/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["salama.formats"]
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "salama" / "static"]
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    # Attachments are encrypted before they reach this storage; see salama.core.files.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "salama@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Security headers. Production is HTTPS-only; `manage.py check --deploy` is clean with it.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# A strict Content-Security-Policy: nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# Logs: text (default) or one JSON object a line (SALAMA_LOG_FORMAT=json), always through a
# filter that removes query strings, email addresses and exception messages (salama.core.logs).
# One line per request (ids, URL pattern, status, duration) at INFO on salama.request.
SALAMA_LOG_FORMAT = env("SALAMA_LOG_FORMAT", "text")
if SALAMA_LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"SALAMA_LOG_FORMAT must be text or json, not {SALAMA_LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_identifying_data": {"()": "salama.core.logs.NoIdentifyingData"}},
    "formatters": {
        "text": {
            "()": "salama.core.logs.TextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "salama.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": SALAMA_LOG_FORMAT,
            "filters": ["no_identifying_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "salama.request": {
            "level": env("SALAMA_REQUEST_LOG_LEVEL", "INFO" if PRODUCTION else "WARNING")
        },
    },
}

# A cache shared by the processes of one host (rate limits, e.g. external downloads); point
# CACHE_URL-style settings at Redis when several hosts serve Salama.
CACHES = {
    "default": {
        "BACKEND": env("CACHE_BACKEND", "django.core.cache.backends.filebased.FileBasedCache"),
        "LOCATION": env("CACHE_LOCATION", str(VAR_DIR / "cache")),
    }
}

# Salama's own settings.
# Name searches (search page, duplicate check, API) a user may run per minute; 0 turns it off.
SALAMA_SEARCHES_PER_MINUTE = envint("SALAMA_SEARCHES_PER_MINUTE", 120)
# API requests one bearer token may make per minute (429 with Retry-After beyond); 0 turns it off.
SALAMA_API_TOKEN_REQUESTS_PER_MINUTE = envint("SALAMA_API_TOKEN_REQUESTS_PER_MINUTE", 600)
# Webhooks: may an integration's address be private or loopback (development only: SSRF), how
# many attempts a delivery gets, and after how many failures in a row an integration is disabled.
SALAMA_WEBHOOKS_ALLOW_PRIVATE = envbool("SALAMA_WEBHOOKS_ALLOW_PRIVATE", DEBUG)
SALAMA_WEBHOOK_MAX_ATTEMPTS = envint("SALAMA_WEBHOOK_MAX_ATTEMPTS", 6)
SALAMA_WEBHOOK_DISABLE_AFTER = envint("SALAMA_WEBHOOK_DISABLE_AFTER", 15)
SALAMA_WEBHOOK_TIMEOUT_SECONDS = envint("SALAMA_WEBHOOK_TIMEOUT_SECONDS", 5)
# Name search: postings a query may read and persons it decrypts and ranks; 0 keeps the
# measured defaults of salama.people.search (docs/performance.md weighs recall against CPU).
SALAMA_SEARCH_POSTINGS_BUDGET = envint("SALAMA_SEARCH_POSTINGS_BUDGET", 0)
SALAMA_SEARCH_CANDIDATES = envint("SALAMA_SEARCH_CANDIDATES", 0)
# The address used in emails sent outside a request (e.g. overdue-referral alerts).
SALAMA_BASE_URL = env(
    "SALAMA_BASE_URL",
    f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION else "http://127.0.0.1:8000",
)
SALAMA_MAX_ATTACHMENT_BYTES = envint("SALAMA_MAX_ATTACHMENT_MB", 10) * 1024 * 1024
# Anchors of the audit chain: signed records of its head, appended as JSON lines to a file the
# database cannot write (and optionally sent to syslog: a socket path such as /dev/log, or
# host:port for UDP), so that cutting the chain back or re-forging it is found by
# `salama audit verify`. Point it outside the database host's reach in production.
SALAMA_AUDIT_ANCHOR = Path(env("SALAMA_AUDIT_ANCHOR", str(VAR_DIR / "audit-anchors.jsonl")))
SALAMA_AUDIT_ANCHOR_SYSLOG = env("SALAMA_AUDIT_ANCHOR_SYSLOG")
# Web and task processes anchor the head after a committed write at most this often (seconds);
# 0 leaves anchoring to `salama audit anchor` from cron.
SALAMA_AUDIT_ANCHOR_INTERVAL = envint("SALAMA_AUDIT_ANCHOR_INTERVAL", 60 if PRODUCTION else 0)

# Evidence dashboards: a count under this k shows as "fewer than k" to roles that see aggregates
# only (CTDC publishes with k = 11); the organisations (names or UUIDs) whose data officers see
# figures across the whole deployment.
SALAMA_EVIDENCE_MIN_CELL = envint("SALAMA_EVIDENCE_MIN_CELL", 11)
SALAMA_EVIDENCE_DEPLOYMENT_ORGANISATIONS = envlist("SALAMA_EVIDENCE_DEPLOYMENT_ORGANISATIONS")

# Backups (`salama backup`, docs/operations.md): archives are sealed under SALAMA_BACKUP_KEY
# (outside production, when unset, a key derived from SALAMA_KEK). SALAMA_PG_BIN_DIR names the
# folder of pg_dump and pg_restore when they are not on PATH.
SALAMA_BACKUP_KEY = envsecret("SALAMA_BACKUP_KEY")
SALAMA_PG_BIN_DIR = env("SALAMA_PG_BIN_DIR")
# /health/ answers 503 when less than this much disk is free under SALAMA_VAR_DIR or MEDIA_ROOT,
# or when the oldest task waiting for the worker has waited longer than this many seconds.
SALAMA_HEALTH_MIN_FREE_MB = envint("SALAMA_HEALTH_MIN_FREE_MB", 1024)
SALAMA_HEALTH_TASK_BACKLOG_SECONDS = envint("SALAMA_HEALTH_TASK_BACKLOG_SECONDS", 900)
# Organisations (uuids) that agreed to trace families across each other's registries.
SALAMA_TRACING_SHARING_ORGANISATIONS = envlist("SALAMA_TRACING_SHARING_ORGANISATIONS")
# Crash drills (salama/core/faults.py) kill the process at a named point; never in production.
if PRODUCTION and env("SALAMA_FAULT_INJECTION"):
    raise ImproperlyConfigured("SALAMA_FAULT_INJECTION must not be set when SALAMA_ENV=production.")
# Bulk imports uploaded but never imported are deleted (with their encrypted rows) this many
# days after the upload, by `salama retention --apply`.
SALAMA_IMPORT_RETENTION_DAYS = envint("SALAMA_IMPORT_RETENTION_DAYS", 30)
