"""minxin settings: one module, every knob from the environment.

Values are parsed strictly (minxin/env.py): a malformed value stops the process at start-up with a
message naming the variable, instead of silently falling back to a default. `.env.example` lists every
variable.
"""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from minxin.env import BASE_DIR, database_from_url, env_bool, env_int, env_list, env_str, load_env_file

# Lets admin and querysets be subscripted at run time (ModelAdmin[Hall]) as the type checker wants.
django_stubs_ext.monkeypatch()

load_env_file(Path(os.environ.get("MINXIN_ENV_FILE", BASE_DIR / ".env")))

DEBUG = env_bool("DEBUG", False)
_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production-minxin"  # noqa: S105 - used only with DEBUG on
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
# Keyed hashes and encryption of personal data (phones, ID numbers) use their own key so that
# rotating SECRET_KEY (sessions, CSRF) does not orphan every stored hash.
PERSONAL_DATA_KEY = env_str("PERSONAL_DATA_KEY", SECRET_KEY)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "minxin.core",
    "minxin.accounts",
    "minxin.orgs",
    "minxin.catalog",
    "minxin.queueing",
    "minxin.voting",
    "minxin.watch",
    "minxin.appointments",
    "minxin.cases",
    "minxin.feedback",
    "minxin.competition",
    "minxin.insights",
    "minxin.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "minxin.core.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "minxin.core.locale.LocaleMiddleware",
    "minxin.core.refusals.RefuseUnstorableInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "minxin.accounts.middleware.DeviceSessionMiddleware",
    "minxin.accounts.twofactor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "minxin.core.middleware.DatabaseUnavailableMiddleware",
    "minxin.core.middleware.ApiErrorShapeMiddleware",
]

ROOT_URLCONF = "minxin.urls"
WSGI_APPLICATION = "minxin.wsgi.application"
ASGI_APPLICATION = "minxin.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "minxin" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "minxin.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(env_str("DATABASE_URL", "sqlite:///db.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:staff-login"
LOGIN_REDIRECT_URL = "accounts:staff-home"
LOGOUT_REDIRECT_URL = "catalog:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    # Tolerant: with Redis down a read is a miss, not a 500 (minxin/core/cache.py).
    CACHES = {
        "default": {
            "BACKEND": "minxin.core.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Language and time. Storage is UTC; each hall, unit and post carries its own zone for "today".
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
if LANGUAGE_CODE not in {code for code, _name in LANGUAGES}:
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be one of zh-hans, zh-hant, en; got {LANGUAGE_CODE!r}")
LOCALE_PATHS = [BASE_DIR / "minxin" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE must be an IANA zone name; got {TIME_ZONE!r}") from None
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "minxin" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Security. Off only when DEBUG is on (local development without HTTPS).
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
# Behind a reverse proxy that sets X-Forwarded-Proto and appends the client to X-Forwarded-For.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
X_FRAME_OPTIONS = "DENY"

# Citizens' phone sign-in (one-time codes).
SMS_BACKEND = env_str("SMS_BACKEND", "minxin.accounts.sms.ConsoleSmsBackend")
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN", "")
SMS_GATEWAY_TIMEOUT = env_int("SMS_GATEWAY_TIMEOUT", 5, minimum=1)

# "You are N-th" notices: console (development), SMS, or a webhook (e.g. a WeChat message adapter).
NOTICE_BACKEND = env_str("NOTICE_BACKEND", "minxin.queueing.notices.ConsoleNoticeBackend")
NOTICE_WEBHOOK_URL = env_str("NOTICE_WEBHOOK_URL", "")
OTP_TTL_SECONDS = env_int("OTP_TTL_SECONDS", 300, minimum=30)
OTP_MAX_ATTEMPTS = env_int("OTP_MAX_ATTEMPTS", 5, minimum=1)
OTP_RESEND_SECONDS = env_int("OTP_RESEND_SECONDS", 60, minimum=0)
OTP_SENDS_PER_PHONE_PER_HOUR = env_int("OTP_SENDS_PER_PHONE_PER_HOUR", 5, minimum=1)
OTP_SENDS_PER_IP_PER_HOUR = env_int("OTP_SENDS_PER_IP_PER_HOUR", 30, minimum=1)

# The demo's simulated traffic (worker job). Off unless asked for; `make demo` turns it on.
DEMO_SIMULATOR = env_bool("DEMO_SIMULATOR", False)

API_PAGE_SIZE = env_int("API_PAGE_SIZE", 20, minimum=1)
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 100, minimum=1)

SITE_NAME = _("minxin civic service")

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "minxin.accounts.personal.RedactPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["personal_data"]}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Feedback: citizen ratings (好差评), the bad-review loop, honours.
# Scores at or above this count as satisfied: (非常满意 + 满意 + 基本满意) ÷ all rated = 3 by default.
FEEDBACK_SATISFIED_MIN_SCORE = env_int("FEEDBACK_SATISFIED_MIN_SCORE", 3, minimum=1)
# Working days for each step of a bad review's loop (verify, rectify, reply, recheck) unless the region
# sets its own (feedback.LoopDeadline in admin).
FEEDBACK_LOOP_WORKING_DAYS = env_int("FEEDBACK_LOOP_WORKING_DAYS", 5, minimum=1)
# A completed case still unrated after this many days gets one SMS invitation.
FEEDBACK_INVITE_AFTER_DAYS = env_int("FEEDBACK_INVITE_AFTER_DAYS", 3, minimum=1)
# How long a signed rating link (ticket QR, case notice, SMS) stays valid.
FEEDBACK_LINK_DAYS = env_int("FEEDBACK_LINK_DAYS", 30, minimum=1)
# Rate limits on ratings, per hour: per device account, per client address, per phone.
FEEDBACK_RATINGS_PER_DEVICE_PER_HOUR = env_int("FEEDBACK_RATINGS_PER_DEVICE_PER_HOUR", 240, minimum=1)
FEEDBACK_RATINGS_PER_IP_PER_HOUR = env_int("FEEDBACK_RATINGS_PER_IP_PER_HOUR", 60, minimum=1)
FEEDBACK_RATINGS_PER_PHONE_PER_HOUR = env_int("FEEDBACK_RATINGS_PER_PHONE_PER_HOUR", 10, minimum=1)
# Seconds the window rating device shows its faces before returning to idle.
FEEDBACK_DEVICE_FACES_SECONDS = env_int("FEEDBACK_DEVICE_FACES_SECONDS", 60, minimum=5)

# Appointments: booking horizon, walk-in share, change and check-in limits, the no-show rule, forecasts.
APPOINTMENTS_HORIZON_WORKING_DAYS = env_int("APPOINTMENTS_HORIZON_WORKING_DAYS", 5, minimum=1)
APPOINTMENTS_SLOT_MINUTES = env_int("APPOINTMENTS_SLOT_MINUTES", 30, minimum=5)
APPOINTMENTS_WALK_IN_SHARE_PERCENT = env_int("APPOINTMENTS_WALK_IN_SHARE_PERCENT", 40, minimum=0)
APPOINTMENTS_CHANGE_BEFORE_MINUTES = env_int("APPOINTMENTS_CHANGE_BEFORE_MINUTES", 60, minimum=0)
APPOINTMENTS_EARLY_CHECK_IN_MINUTES = env_int("APPOINTMENTS_EARLY_CHECK_IN_MINUTES", 30, minimum=0)
APPOINTMENTS_LATE_CHECK_IN_MINUTES = env_int("APPOINTMENTS_LATE_CHECK_IN_MINUTES", 15, minimum=0)
APPOINTMENTS_NO_SHOW_LIMIT = env_int("APPOINTMENTS_NO_SHOW_LIMIT", 3, minimum=1)
APPOINTMENTS_BAR_DAYS = env_int("APPOINTMENTS_BAR_DAYS", 30, minimum=1)
APPOINTMENTS_TARGET_WAIT_MINUTES = env_int("APPOINTMENTS_TARGET_WAIT_MINUTES", 15, minimum=1)
APPOINTMENTS_HISTORY_WEEKS = env_int("APPOINTMENTS_HISTORY_WEEKS", 8, minimum=1)
# The site's public address, for links sent by SMS from the worker (which has no request to ask).
FEEDBACK_SITE_URL = env_str("FEEDBACK_SITE_URL", "http://127.0.0.1:8000")

# Watch (lookout posts): notices, the sweep, fire reports, offline check-ins.
WATCH_NOTICE_BACKEND = env_str("WATCH_NOTICE_BACKEND", "minxin.watch.notices.ConsoleNoticeBackend")
WATCH_SWEEP_SECONDS = env_int("WATCH_SWEEP_SECONDS", 15, minimum=1)  # ≤ 30 keeps "missed" within 60 s
WATCH_TRIANGULATION_MINUTES = env_int("WATCH_TRIANGULATION_MINUTES", 20, minimum=1)
WATCH_FIRE_ACK_MINUTES = env_int("WATCH_FIRE_ACK_MINUTES", 20, minimum=1)
WATCH_MAX_OFFLINE_HOURS = env_int("WATCH_MAX_OFFLINE_HOURS", 48, minimum=1)
WATCH_BEARING_ERROR_DEG = env_int("WATCH_BEARING_ERROR_DEG", 1, minimum=1)
WATCH_MIN_CROSSING_DEG = env_int("WATCH_MIN_CROSSING_DEG", 10, minimum=1)

# Cases: e-supervision lights, extensions, 容缺 due dates, baseline trips, public lookup limit.
CASES_YELLOW_WORKING_DAYS = env_int("CASES_YELLOW_WORKING_DAYS", 2)
CASES_SUPERVISION_WORKING_DAYS = env_int("CASES_SUPERVISION_WORKING_DAYS", 3, minimum=1)
CASES_EXTENSION_WORKING_DAYS = env_int("CASES_EXTENSION_WORKING_DAYS", 10, minimum=1)
CASES_GAP_WORKING_DAYS = env_int("CASES_GAP_WORKING_DAYS", 5, minimum=1)
CASES_BASELINE_TRIPS = env_int("CASES_BASELINE_TRIPS", 2)
CASES_LOOKUPS_PER_HOUR = env_int("CASES_LOOKUPS_PER_HOUR", 20, minimum=1)
CASES_SWEEP_BATCH = env_int("CASES_SWEEP_BATCH", 1000, minimum=1)
CASES_CALENDAR_WARNING_DAYS = env_int("CASES_CALENDAR_WARNING_DAYS", 60, minimum=1)

# Voting: limits on the public ballot (per hour) and the audit report's cluster threshold.
VOTING_BALLOTS_PER_IP_PER_HOUR = env_int("VOTING_BALLOTS_PER_IP_PER_HOUR", 200, minimum=1)
VOTING_TRIES_PER_PHONE_PER_HOUR = env_int("VOTING_TRIES_PER_PHONE_PER_HOUR", 10, minimum=1)
VOTING_RECEIPT_CHECKS_PER_IP_PER_HOUR = env_int("VOTING_RECEIPT_CHECKS_PER_IP_PER_HOUR", 30, minimum=1)
VOTING_AUDIT_CLUSTER_MIN = env_int("VOTING_AUDIT_CLUSTER_MIN", 5, minimum=2)

# Insights: the aggregates' job (how often, page of events per query, pages per run, seconds before an
# event's id counts as settled), the wall screen's refresh, and its optional display key (a URL key that
# lets an unattended wall show the screen without a signed-in account; empty turns that off).
INSIGHTS_AGGREGATE_EVERY_SECONDS = env_int("INSIGHTS_AGGREGATE_EVERY_SECONDS", 15, minimum=1)
INSIGHTS_AGGREGATE_PAGE = env_int("INSIGHTS_AGGREGATE_PAGE", 20000, minimum=100)
INSIGHTS_AGGREGATE_MAX_PAGES = env_int("INSIGHTS_AGGREGATE_MAX_PAGES", 50, minimum=1)
INSIGHTS_SETTLE_SECONDS = env_int("INSIGHTS_SETTLE_SECONDS", 120, minimum=0)
INSIGHTS_WALL_REFRESH_SECONDS = env_int("INSIGHTS_WALL_REFRESH_SECONDS", 5, minimum=1)
INSIGHTS_WALL_KEY = env_str("INSIGHTS_WALL_KEY", "")

# Per-process memo of hot lookups (core.memo): its most entries, the least recently used evicted first.
MEMO_MAX_ENTRIES = env_int("MEMO_MAX_ENTRIES", 10_000, minimum=100)

# Site (public pages): the operator (主办单位), ICP filing number (ICP备案号), government site code
# (网站标识码) and public security filing shown in the footer, and the consultation and complaint
# hotline on the home page and the search's "nothing found" page. Empty values are left out.
SITE_OPERATOR = env_str("SITE_OPERATOR", "")
SITE_ICP = env_str("SITE_ICP", "")
SITE_CODE = env_str("SITE_CODE", "")
SITE_PSB_FILING = env_str("SITE_PSB_FILING", "")
SITE_HOTLINE = env_str("SITE_HOTLINE", "12345")

# Partner systems granted a hall's integration role (e.g. a WeChat mini-program's server) take numbers
# there within these limits: per token per minute, and per phone per day.
INTEGRATION_NUMBERS_PER_MINUTE = env_int("INTEGRATION_NUMBERS_PER_MINUTE", 120, minimum=1)
INTEGRATION_NUMBERS_PER_PHONE_PER_DAY = env_int("INTEGRATION_NUMBERS_PER_PHONE_PER_DAY", 3, minimum=1)

# Queueing (kiosk and floor): a kiosk screen left alone this many seconds returns to its start page;
# on the hall's floor view a present citizen waiting this many minutes or more is marked as a long wait.
KIOSK_IDLE_SECONDS = env_int("KIOSK_IDLE_SECONDS", 60, minimum=5)
QUEUE_LONG_WAIT_MINUTES = env_int("QUEUE_LONG_WAIT_MINUTES", 30, minimum=1)

# Accounts: staff sign-in that resists guessing. Attempts per user name and per address in a window,
# a lock after repeated failures (lifted by an administrator or when the period ends), TOTP two-factor
# sign-in (django-otp) for the roles listed (on in production; DEBUG turns the default off; an empty
# list turns it off), and the version of the privacy policy and terms citizens agree to at sign-in.
STAFF_SIGN_IN_WINDOW_SECONDS = env_int("STAFF_SIGN_IN_WINDOW_SECONDS", 900, minimum=1)
STAFF_SIGN_INS_PER_USER = env_int("STAFF_SIGN_INS_PER_USER", 10, minimum=1)
STAFF_SIGN_INS_PER_IP = env_int("STAFF_SIGN_INS_PER_IP", 50, minimum=1)
STAFF_LOCKOUT_THRESHOLD = env_int("STAFF_LOCKOUT_THRESHOLD", 5, minimum=1)
STAFF_LOCKOUT_SECONDS = env_int("STAFF_LOCKOUT_SECONDS", 900, minimum=1)
STAFF_OTP_REQUIRED_ROLES = env_list("STAFF_OTP_REQUIRED_ROLES", "" if DEBUG else "system_admin,hall_manager")
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "minxin")
CONSENT_VERSION = env_str("CONSENT_VERSION", "2026-12-01")

# Personal data (PIPL): how long each kind is kept (days), enforced by the worker's retention jobs
# (core.personal_data; docs/privacy.md). A ticket's encrypted phone goes as soon as it closes; its
# masked phone and hash after QUEUE_TICKET_PERSONAL_DAYS. Accounts not signed in to for
# CITIZEN_INACTIVE_DAYS are anonymised; the audit log is kept longest. Applicants' data of decided
# cases after the legal archive period; ratings' phones after FEEDBACK_PERSONAL_DAYS; bookings' and
# home visits' after APPOINTMENTS_PERSONAL_DAYS; a campaign's one-vote hashes and ballot network
# hashes VOTING_AUDIT_DAYS after its results are published. The jobs look back over a window of
# PERSONAL_DATA_SWEEP_DAYS before each cutoff (set it higher once to catch up after a long stop).
QUEUE_TICKET_PERSONAL_DAYS = env_int("QUEUE_TICKET_PERSONAL_DAYS", 90, minimum=1)
CITIZEN_INACTIVE_DAYS = env_int("CITIZEN_INACTIVE_DAYS", 3 * 365, minimum=30)
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 6 * 365, minimum=180)
CASES_APPLICANT_ARCHIVE_DAYS = env_int("CASES_APPLICANT_ARCHIVE_DAYS", 30 * 365, minimum=365)
FEEDBACK_PERSONAL_DAYS = env_int("FEEDBACK_PERSONAL_DAYS", 365, minimum=30)
APPOINTMENTS_PERSONAL_DAYS = env_int("APPOINTMENTS_PERSONAL_DAYS", 90, minimum=1)
VOTING_AUDIT_DAYS = env_int("VOTING_AUDIT_DAYS", 30, minimum=1)
PERSONAL_DATA_SWEEP_DAYS = env_int("PERSONAL_DATA_SWEEP_DAYS", 14, minimum=1)

# Accounts/orgs: a citizen's full phone is shown to staff only in a hall where the citizen has business:
# a record below (a number taken there within PHONE_REVEAL_WITHIN_DAYS, a case filed there), declared
# here by model label so that orgs needs no import of the apps above it (core.citizen_links).
PHONE_REVEAL_WITHIN_DAYS = env_int("PHONE_REVEAL_WITHIN_DAYS", 90, minimum=1)
CITIZEN_HALL_LINKS = [
    {
        "name": "ticket",
        "model": "queueing.Ticket",
        "phone_hash": "phone_hash",
        "hall": "hall",
        "since": "issued_at",
    },
    {"name": "case", "model": "cases.Case", "phone_hash": "applicant__phone_hash", "hall": "hall"},
]

# Cases: where e-supervision notices to staff go besides the staff home (政务微信/钉钉 adapter by webhook).
CASES_STAFF_NOTICE_BACKEND = env_str(
    "CASES_STAFF_NOTICE_BACKEND", "minxin.cases.staff_notices.ConsoleStaffNoticeBackend"
)
CASES_STAFF_NOTICE_WEBHOOK_URL = env_str("CASES_STAFF_NOTICE_WEBHOOK_URL", "")
# Voting: a closed campaign with more ballots than this is counted by the worker (job
# voting.count_results), not in the officer's close request; the results page says "being counted".
VOTING_RESULTS_INLINE_MAX = env_int("VOTING_RESULTS_INLINE_MAX", 20000, minimum=0)

# Personal data (PIPL), queue: minutes a served ticket keeps its encrypted phone after it is done, so a
# rating made at the window can copy it (the hall's reply to a bad review); then the worker clears it.
QUEUE_PHONE_RATING_GRACE_MINUTES = env_int("QUEUE_PHONE_RATING_GRACE_MINUTES", 30, minimum=0)

# Core (hot path): the hot API calls (taking a number, call-next and a clerk's steps, a ballot by token) are
# answered in front of Django's session middleware (minxin/core/hotpath.py); 0 serves them all by Django.
HOT_PATH = env_bool("HOT_PATH", True)

# Embedded server (make demo, minxin/embedded.py): seconds a SQLite connection stays open between
# requests (0: one per request, Django's default). Opening one costs milliseconds (the WAL set-up, and a
# checkpoint when the last one closes); the embedded server serves every request on one thread and sets
# 600 unless this is set.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("SQLITE_CONN_MAX_AGE", 0, minimum=0)
