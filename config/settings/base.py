"""Settings shared by every environment. Environment is read only through config.settings.env."""

from __future__ import annotations

from datetime import timedelta

import dj_database_url
from celery.schedules import crontab
from kombu import Queue

from config.settings.env import BASE_DIR, env_bool, env_float, env_int, env_list, env_str

# Runtime state of the embedded default (SQLite file, filesystem broker, clone cache).
DATA_DIR = BASE_DIR / ".run"

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-local-development-key-change-me")
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "inventory",
    "scanning",
    "decisions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page but login needs an account; public views opt out with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

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
                "config.security.csp_nonce",
            ],
        },
    },
]

# PostgreSQL only: a stuck query or lock fails fast instead of holding a worker or a request.
DEBTBOARD_DB_STATEMENT_TIMEOUT_MS = env_int("DEBTBOARD_DB_STATEMENT_TIMEOUT_MS", 120_000)
DEBTBOARD_DB_LOCK_TIMEOUT_MS = env_int("DEBTBOARD_DB_LOCK_TIMEOUT_MS", 10_000)
_SQLITE_URL = f"sqlite:///{DATA_DIR / 'debtboard.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(env_str("DATABASE_URL", _SQLITE_URL), conn_max_age=60)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker share the file: wait for locks instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A stuck query or lock fails fast instead of holding a worker or a web request.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={DEBTBOARD_DB_STATEMENT_TIMEOUT_MS} "
        f"-c lock_timeout={DEBTBOARD_DB_LOCK_TIMEOUT_MS}"
    )
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "decisions:record-list"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "inventory.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
# allauth's login, signup and reset rate limits are on by default; stated here so nobody
# turns them off by accident. They count in the cache, shared across workers in production.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}

LANGUAGE_CODE = "en-gb"
# Dates read the same on every page: 2027-01-15 and 2027-01-15 09:30 (config/formats).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

# The portfolio posts up to 5,000 selected record ids in one decision (Django's default: 1,000).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5_100
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "debtboard@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "inventory.security_log.UTCFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "filters": {"refusals_on_one_line": {"()": "config.logfilters.RefusalsOnOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Once (not again through Django's own "django" console handler), and a refusal
        # without its traceback.
        "django.request": {
            "handlers": ["console"],
            "filters": ["refusals_on_one_line"],
            "propagate": False,
        },
    },
}

# Longer than the hard time limit, so a slow scan is never delivered twice while alive (Redis).
DEBTBOARD_BROKER_VISIBILITY_TIMEOUT = env_int("DEBTBOARD_BROKER_VISIBILITY_TIMEOUT", 2 * 60 * 60)
# How often beat looks for repositories due a scan.
DEBTBOARD_SCAN_TICK_MINUTES = env_int("DEBTBOARD_SCAN_TICK_MINUTES", 15)
DEBTBOARD_ARTIFACT_TICK_MINUTES = env_int("DEBTBOARD_ARTIFACT_TICK_MINUTES", 60)
# A running scan beats every N seconds; a run silent for the timeout belongs to a dead worker
# and its redelivered task takes it over. Retries wait out the timeout first.
DEBTBOARD_SCAN_HEARTBEAT_SECONDS = env_int("DEBTBOARD_SCAN_HEARTBEAT_SECONDS", 10)
DEBTBOARD_SCAN_HEARTBEAT_TIMEOUT_SECONDS = env_int("DEBTBOARD_SCAN_HEARTBEAT_TIMEOUT_SECONDS", 60)

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(DATA_DIR / "broker"),
        "data_folder_out": str(DATA_DIR / "broker"),
        "control_folder": str(DATA_DIR / "broker-control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": DEBTBOARD_BROKER_VISIBILITY_TIMEOUT}
)
if CELERY_BROKER_URL.startswith("filesystem") or DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default needs its folders before the first connection.
    for _folder in ("broker", "broker-control"):
        (DATA_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A scan starts its own parser processes, which a prefork pool's (daemonic) children may not:
# one task per worker process, and N worker processes for N scans at once.
CELERY_WORKER_POOL = "solo"
CELERY_TASK_SOFT_TIME_LIMIT = 30 * 60
CELERY_TASK_TIME_LIMIT = 35 * 60
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# Queues named by work, so workers on many machines can take their share: a worker started
# without -Q consumes them all; `celery -A config worker -Q scans` only scans.
CELERY_TASK_DEFAULT_QUEUE = "scans"
CELERY_TASK_QUEUES = tuple(
    Queue(name) for name in ("scans", "advisories", "notifications", "artifacts")
)
CELERY_TASK_ROUTES = {
    "decisions.tasks.scan_repository_task": {"queue": "scans"},
    "decisions.tasks.scan_due_repositories_task": {"queue": "scans"},
    "decisions.tasks.reap_stale_scans_task": {"queue": "scans"},
    "scanning.tasks.sync_advisories_task": {"queue": "advisories"},
    "decisions.tasks.review_reminders_task": {"queue": "notifications"},
    "decisions.tasks.weekly_digest_task": {"queue": "notifications"},
    "decisions.tasks.decision_rules_lapse_task": {"queue": "notifications"},
    "decisions.tasks.inventory_artifact_store_task": {"queue": "artifacts"},
    "decisions.tasks.reevaluate_artifact_store_task": {"queue": "artifacts"},
    "decisions.tasks.inventory_due_artifact_stores_task": {"queue": "artifacts"},
}
CELERY_BEAT_SCHEDULE = {
    "scan-due-repositories": {
        "task": "decisions.tasks.scan_due_repositories_task",
        "schedule": timedelta(minutes=DEBTBOARD_SCAN_TICK_MINUTES),
    },
    "reap-stale-scans": {
        # As often as a heartbeat can go stale: a killed worker's run is taken over by the
        # next tick, not when the broker redelivers its task (the visibility timeout).
        "task": "decisions.tasks.reap_stale_scans_task",
        "schedule": timedelta(seconds=DEBTBOARD_SCAN_HEARTBEAT_TIMEOUT_SECONDS),
    },
    "sync-advisories": {
        "task": "scanning.tasks.sync_advisories_task",
        "schedule": timedelta(hours=6),
    },
    "review-reminders": {
        "task": "decisions.tasks.review_reminders_task",
        "schedule": timedelta(hours=6),
    },
    "decision-rules-lapse": {
        "task": "decisions.tasks.decision_rules_lapse_task",
        "schedule": timedelta(hours=1),
    },
    # Monday morning; the task sends once per person and week, so a late or repeated run is
    # harmless.
    "weekly-digest": {
        "task": "decisions.tasks.weekly_digest_task",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    "inventory-due-artifact-stores": {
        "task": "decisions.tasks.inventory_due_artifact_stores_task",
        "schedule": timedelta(minutes=DEBTBOARD_ARTIFACT_TICK_MINUTES),
    },
}

# --- Debtboard's own knobs --------------------------------------------------------------------
# Local paths as repository locations are only for single-machine installs and tests.
DEBTBOARD_ALLOW_LOCAL_REPOSITORIES = env_bool("DEBTBOARD_ALLOW_LOCAL_REPOSITORIES", False)
DEBTBOARD_CLONE_DIR = env_str("DEBTBOARD_CLONE_DIR", str(DATA_DIR / "clones"))
DEBTBOARD_GIT_TIMEOUT_SECONDS = env_int("DEBTBOARD_GIT_TIMEOUT_SECONDS", 300)
# A clone larger than this is stopped and removed.
DEBTBOARD_MAX_CLONE_MB = env_int("DEBTBOARD_MAX_CLONE_MB", 500)
DEBTBOARD_OPEN_SIGNUP = env_bool("DEBTBOARD_OPEN_SIGNUP", False)
DEBTBOARD_PAGE_SIZE = env_int("DEBTBOARD_PAGE_SIZE", 25)
# The triage list counts matching records up to here (or the page asked for) and says "more
# than" beyond: an exact count of 100,000 records costs more than the page itself.
DEBTBOARD_COUNT_LIMIT = env_int("DEBTBOARD_COUNT_LIMIT", 10_000)
DEBTBOARD_SCAN_RETRY_SECONDS = env_int("DEBTBOARD_SCAN_RETRY_SECONDS", 65)
DEBTBOARD_SCAN_MAX_ATTEMPTS = env_int("DEBTBOARD_SCAN_MAX_ATTEMPTS", 3)
# Model weights and other large binaries tracked in git from this size up are candidates.
DEBTBOARD_WEIGHT_FILE_MB = env_int("DEBTBOARD_WEIGHT_FILE_MB", 10)
# A scan pushed from CI (POST /api/v1/ingest/) larger than this is refused with 413.
DEBTBOARD_INGEST_MAX_MB = env_int("DEBTBOARD_INGEST_MAX_MB", 20)
# A simple index, JSON (PEP 691) or HTML (PEP 503): PyPI's https://pypi.org/simple, a local
# proxy of it, devpi, Artifactory... for licences, releases and what each declared package
# provides; empty: none of that is looked up.
DEBTBOARD_PACKAGE_INDEX_URL = env_str("DEBTBOARD_PACKAGE_INDEX_URL", "")
DEBTBOARD_PACKAGE_INDEX_TIMEOUT_SECONDS = env_int("DEBTBOARD_PACKAGE_INDEX_TIMEOUT_SECONDS", 10)
# What each declared package provides, read from its wheel on the index: all of one scan's
# lookups within the budget, this many at once; a wheel fetched whole (the index ignores Range)
# only up to the size; answers trusted for the TTL, failures asked again after the retry.
DEBTBOARD_IMPORT_NAMES_BUDGET_SECONDS = env_float("DEBTBOARD_IMPORT_NAMES_BUDGET_SECONDS", 120)
DEBTBOARD_IMPORT_NAMES_THREADS = env_int("DEBTBOARD_IMPORT_NAMES_THREADS", 4)
DEBTBOARD_IMPORT_NAMES_MAX_WHEEL_MB = env_int("DEBTBOARD_IMPORT_NAMES_MAX_WHEEL_MB", 20)
DEBTBOARD_IMPORT_NAMES_TTL_DAYS = env_int("DEBTBOARD_IMPORT_NAMES_TTL_DAYS", 30)
DEBTBOARD_IMPORT_NAMES_RETRY_HOURS = env_int("DEBTBOARD_IMPORT_NAMES_RETRY_HOURS", 24)
# OSV advisories synced by the periodic task (a directory, an all.zip or an https URL).
DEBTBOARD_ADVISORY_SOURCE = env_str("DEBTBOARD_ADVISORY_SOURCE", "")
# An https:// source is downloaded whole: up to this size, within this time.
DEBTBOARD_ADVISORY_DOWNLOAD_MAX_BYTES = env_int(
    "DEBTBOARD_ADVISORY_DOWNLOAD_MAX_BYTES", 512 * 1024**2
)
DEBTBOARD_ADVISORY_DOWNLOAD_TIMEOUT = env_float("DEBTBOARD_ADVISORY_DOWNLOAD_TIMEOUT", 300)
# Repositories may opt in to pip-audit's live OSV or PyPI service instead of the mirror, where
# the network allows it: off by default, so no scan depends on the network unless asked to.
DEBTBOARD_ALLOW_LIVE_VULNERABILITY_SERVICES = env_bool(
    "DEBTBOARD_ALLOW_LIVE_VULNERABILITY_SERVICES", False
)
DEBTBOARD_LIVE_VULNERABILITY_TIMEOUT_SECONDS = env_int(
    "DEBTBOARD_LIVE_VULNERABILITY_TIMEOUT_SECONDS", 15
)
DEBTBOARD_LIVE_VULNERABILITY_CACHE_DIR = env_str(
    "DEBTBOARD_LIVE_VULNERABILITY_CACHE_DIR", str(DATA_DIR / "vulnerability-cache")
)
# Used in e-mails to link back to a record.
DEBTBOARD_BASE_URL = env_str("DEBTBOARD_BASE_URL", "http://127.0.0.1:8000")
# An advisory mirror older than this many days makes audits "not audited" (0: never too old).
DEBTBOARD_ADVISORY_MAX_AGE_DAYS = env_int("DEBTBOARD_ADVISORY_MAX_AGE_DAYS", 14)
# ...and so does a mirror whose newest record was modified longer ago than this: a fresh sync
# of an old snapshot is old data (the PyPA and OSV databases change every few days).
DEBTBOARD_ADVISORY_MAX_DATA_AGE_DAYS = env_int("DEBTBOARD_ADVISORY_MAX_DATA_AGE_DAYS", 30)
# What an advisory with neither a CVSS score nor a severity level (in any synced source,
# through its aliases) does to the vulnerability gate: "needs analysis" keeps the gate
# "unknown" until someone scores it; "fail" fails it. Nothing unscored ever passes.
DEBTBOARD_UNSCORED_ADVISORY_POLICY = env_str("DEBTBOARD_UNSCORED_ADVISORY_POLICY", "needs analysis")
DEBTBOARD_PACKAGE_METADATA_TTL_HOURS = env_int("DEBTBOARD_PACKAGE_METADATA_TTL_HOURS", 24)
# Licence families that make a runtime requirement a `license` candidate.
DEBTBOARD_LICENSE_DENYLIST = env_list("DEBTBOARD_LICENSE_DENYLIST", "GPL,AGPL")
# A runtime requirement with no release for this many years is an `abandoned` candidate.
DEBTBOARD_ABANDONED_AFTER_YEARS = env_float("DEBTBOARD_ABANDONED_AFTER_YEARS", 3)
# Git hosts repositories may live on (empty: any public host).
DEBTBOARD_GIT_HOSTS = env_list("DEBTBOARD_GIT_HOSTS")
# Fernet keys for repository credentials at rest, newest first (empty: derived from SECRET_KEY).
DEBTBOARD_CREDENTIAL_KEYS = env_list("DEBTBOARD_CREDENTIAL_KEYS")
# Let repositories live on private addresses (an in-house git server).
DEBTBOARD_ALLOW_PRIVATE_HOSTS = env_bool("DEBTBOARD_ALLOW_PRIVATE_HOSTS", False)
# Parser child processes per scan (0: up to two of the CPUs we have).
DEBTBOARD_SCAN_WORKERS = env_int("DEBTBOARD_SCAN_WORKERS", 0)
# What one scan may read: files listed, bytes of readable files, and per parser child its
# memory, CPU seconds and wall seconds per file.
DEBTBOARD_MAX_FILES = env_int("DEBTBOARD_MAX_FILES", 50_000)
DEBTBOARD_MAX_SCAN_MB = env_int("DEBTBOARD_MAX_SCAN_MB", 1024)
DEBTBOARD_PARSER_MEMORY_MB = env_int("DEBTBOARD_PARSER_MEMORY_MB", 1024)
DEBTBOARD_PARSER_CPU_SECONDS = env_int("DEBTBOARD_PARSER_CPU_SECONDS", 20)
DEBTBOARD_PARSER_TIMEOUT_SECONDS = env_float("DEBTBOARD_PARSER_TIMEOUT_SECONDS", 30)
# A rescan reads only the files that changed, from a per-repository cache in this folder
# (empty, or DEBTBOARD_SCAN_CACHE off: every file is read), kept under the size limit.
DEBTBOARD_SCAN_CACHE = env_bool("DEBTBOARD_SCAN_CACHE", True)
DEBTBOARD_SCAN_CACHE_DIR = env_str("DEBTBOARD_SCAN_CACHE_DIR", str(DATA_DIR / "scan-cache"))
DEBTBOARD_SCAN_CACHE_MB = env_float("DEBTBOARD_SCAN_CACHE_MB", 256)

# --- Artifact stores (deep mode) ---------------------------------------------------------------
# A model version nothing references becomes a candidate once it is this old.
DEBTBOARD_ARTIFACT_MIN_AGE_DAYS = env_int("DEBTBOARD_ARTIFACT_MIN_AGE_DAYS", 180)
# Storage price for the cost estimates (USD per GB-month; S3 Standard is about 0.023).
DEBTBOARD_ARTIFACT_PRICE_PER_GB_MONTH = env_float("DEBTBOARD_ARTIFACT_PRICE_PER_GB_MONTH", 0.023)
# The colder class the deletion plan's first (reversible) move transitions to.
DEBTBOARD_ARTIFACT_COLD_STORAGE_CLASS = env_str(
    "DEBTBOARD_ARTIFACT_COLD_STORAGE_CLASS", "GLACIER_IR"
)
# One inventory lists at most this many objects (object versions), then fails saying so.
DEBTBOARD_ARTIFACT_MAX_OBJECTS = env_int("DEBTBOARD_ARTIFACT_MAX_OBJECTS", 1_000_000)
# Stores without keys list anonymously unless an admin lets them use the server's own
# AWS credentials (environment, instance role).
DEBTBOARD_ARTIFACT_ALLOW_SERVER_CREDENTIALS = env_bool(
    "DEBTBOARD_ARTIFACT_ALLOW_SERVER_CREDENTIALS", False
)
