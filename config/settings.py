"""Settings for the community food-and-drug safety patrol system.

Everything that differs between a laptop and production is read from the
environment (see README.md, "Configuration"). With nothing set, the app runs
on an embedded SQLite database and runs Celery tasks in-process.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_HASHES, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str, env_url, refuse_per_process_cache

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY") or _DEV_SECRET_KEY
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
if not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "config.apps.KnoxConfig",  # django-rest-knox, named in the project's language
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "config.apps.AxesConfig",  # django-axes, named in the project's language
    "csp",
    "orgs",
    "patrols",
    "reporting",
    "assessment",
    "publicity",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses what the views answer (static files were answered above, compressed already).
    "config.middleware.PageGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "config.middleware.DatabaseErrorMiddleware",
    "orgs.security.AccessDeniedLogMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Database: PostgreSQL when DATABASE_URL is set (production, CI), else SQLite.
DATABASE_URL = env_url("DATABASE_URL", ("postgres", "postgresql", "sqlite"))
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "var" / "db.sqlite3",
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgs.User"
# The lockout check runs before the password check (django-axes), see "Login protection" below.
AUTHENTICATION_BACKENDS = [
    "orgs.security.LockoutBackend",
    "orgs.backends.UserBackend",
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

# Internationalisation: Simplified Chinese by default, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail: SMTP when EMAIL_HOST is set, otherwise printed to the console.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "noreply@localhost"

# Reporting deadlines (§6, seed 000 三(七)), named once: the day of the
# following month by which each tier's monthly report is due (a report is on
# time until that day ends in TIME_ZONE), and how many days after an activity
# ends its article (信息稿件) is due.
REPORT_DUE_DAYS = {
    "community": env_int("COMMUNITY_REPORT_DUE_DAY", 5, minimum=1, maximum=28),
    "district": env_int("DISTRICT_REPORT_DUE_DAY", 10, minimum=1, maximum=28),
}
ARTICLE_DUE_DAYS = env_int("ARTICLE_DUE_DAYS", 1, minimum=0, maximum=30)

# The visit record a shop keeps (§4): its public QR page links to it for this many days after the
# visit. A visit saved farther than VISIT_FAR_FROM_SHOP_METRES (plus the accuracy the phone
# reported) from the shop's registered position is marked for the reviewer.
VISIT_RECORD_PUBLIC_DAYS = env_int("VISIT_RECORD_PUBLIC_DAYS", 30, minimum=1, maximum=365)
VISIT_FAR_FROM_SHOP_METRES = env_int("VISIT_FAR_FROM_SHOP_METRES", 500, minimum=10, maximum=100_000)

# The year-end assessment (§9, seed 001 (八)) is held in early-to-mid December:
# the window, named once, is the month and the first and last day in it
# (inclusive, in TIME_ZONE) on which assessments are started, filled in and submitted.
ASSESSMENT_WINDOW = {
    "month": env_int("ASSESSMENT_WINDOW_MONTH", 12, minimum=1, maximum=12),
    "first_day": env_int("ASSESSMENT_WINDOW_FIRST_DAY", 1, minimum=1, maximum=31),
    "last_day": env_int("ASSESSMENT_WINDOW_LAST_DAY", 15, minimum=1, maximum=31),
}
if ASSESSMENT_WINDOW["first_day"] > ASSESSMENT_WINDOW["last_day"]:
    raise ImproperlyConfigured("ASSESSMENT_WINDOW_FIRST_DAY must not be after ASSESSMENT_WINDOW_LAST_DAY")

# Celery: a Redis broker when REDIS_URL is set, otherwise tasks run in-process.
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss"))

# Cache. The public form's rate limit and the sessions must hold whatever the number of web and
# worker processes, so production always shares its cache: CACHE_URL's Redis; else the Redis of
# REDIS_URL; else the database's cache table (made by migrate, orgs/migrations/0003). Development
# (DEBUG) without CACHE_URL keeps one process's memory, and refuses to be served by several
# processes (WEB_CONCURRENCY; config/gunicorn.py checks too).
CACHE_URL = env_url("CACHE_URL", ("redis", "rediss"))
DATABASE_CACHE_TABLE = "django_cache"
_REDIS_CACHE_URL = CACHE_URL or ("" if DEBUG else REDIS_URL)
if _REDIS_CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS_CACHE_URL}
    }
elif not DEBUG:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": DATABASE_CACHE_TABLE,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
refuse_per_process_cache(CACHES, workers=env_int("WEB_CONCURRENCY", 1, minimum=1))
# Sessions are read on every request: from Redis when there is one (the database still keeps
# them), never from a per-process cache that another worker's logout cannot clear.
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if _REDIS_CACHE_URL else "db")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged when it has finished, and a worker killed mid-task puts
# it back on the queue; every task is safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# With the broker down a publish fails within a second (the outbox keeps the
# work) instead of holding the user's request through redis-py's retries.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
    "max_retries": 0,
    # An unacknowledged task of a dead worker goes back on the queue after this long.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=5),
    # Look for such tasks every 10 seconds rather than every 100.
    "unacked_restore_throttle": 1,
}
# The beat schedule, in TIME_ZONE. The daily jobs decide for themselves what is
# due on the day they run, and each reminder goes out once (a unique key), so a
# missed or repeated tick loses or doubles nothing.
REMINDER_HOUR = env_int("REMINDER_HOUR", 8, minimum=0, maximum=23)
DAILY_TASKS = [
    "reporting.daily_reminders",
    "patrols.daily_reminders",
    "patrols.rectification_escalations",
    "publicity.daily_reminders",
    "assessment.daily_reminders",
]
CELERY_BEAT_SCHEDULE = {
    # Pending work the broker missed, and work whose time has come (the incident clock).
    "outbox-flush": {"task": "notifications.outbox_flush", "schedule": 60.0},
    **{name: {"task": name, "schedule": crontab(hour=REMINDER_HOUR, minute=0)} for name in DAILY_TASKS},
}

# Channels a notice also goes out on, besides the in-app notification centre. A channel with
# nothing to send to stays silent: SMS without SMS_API_URL, a unit's group without its robot.
NOTIFICATION_CHANNELS = env_list("NOTIFICATION_CHANNELS", ["email", "sms", "wecom", "dingtalk"])
_UNKNOWN_CHANNELS = set(NOTIFICATION_CHANNELS) - {"email", "sms", "wecom", "dingtalk"}
if _UNKNOWN_CHANNELS:
    raise ImproperlyConfigured(f"NOTIFICATION_CHANNELS has unknown channels: {sorted(_UNKNOWN_CHANNELS)}")
# SMS through the provider's HTTP API: a JSON POST to SMS_API_URL with SMS_API_KEY as a bearer token.
SMS_API_URL = env_url("SMS_API_URL", ("https", "http"))
SMS_API_KEY = env_str("SMS_API_KEY")
if SMS_API_URL and not SMS_API_KEY:
    raise ImproperlyConfigured("SMS_API_URL needs SMS_API_KEY")
# Seconds an outside channel's HTTP request (SMS, WeCom and DingTalk robots) may take.
NOTIFICATION_HTTP_TIMEOUT = env_int("NOTIFICATION_HTTP_TIMEOUT", 10, minimum=1, maximum=60)
# The hosts a group robot's webhook may point at (WeCom's and DingTalk's; a private deployment adds its own).
ROBOT_WEBHOOK_HOSTS = env_list("ROBOT_WEBHOOK_HOSTS", ["qyapi.weixin.qq.com", "oapi.dingtalk.com"])
# Plain http to 127.0.0.1/localhost for robots and SMS: only for tests and a local stand-in server.
NOTIFICATION_ALLOW_LOCAL_HTTP = env_bool("NOTIFICATION_ALLOW_LOCAL_HTTP", default=False)
# The address of the site, for links in e-mails.
SITE_URL = env_str("SITE_URL") or "http://127.0.0.1:8000"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Too deep or too large a body is a 400 before any serializer sees it (config/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.BoundedJSONParser",
        "config.parsers.BoundedFormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
}
# API tokens (django-rest-knox, orgs/tokens.py): stored as hashes, valid API_TOKEN_DAYS, at most
# API_TOKENS_PER_USER at a time, revoked by their owner or at logout. The web app uses its session.
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(days=env_int("API_TOKEN_DAYS", 7, minimum=1, maximum=90)),
    "AUTO_REFRESH": False,
}
API_TOKENS_PER_USER = 10

SPECTACULAR_SETTINGS = {
    "TITLE": "食品药品安全进社区 API",
    "DESCRIPTION": _("Community food-and-drug safety patrols: org units, users, establishments."),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "EstablishmentCategoryEnum": "patrols.models.establishments.Category",
        "FindingCategoryEnum": "patrols.models.records.FindingCategory",
        "FindingKindEnum": "patrols.models.records.FindingKind",
        "FindingStatusEnum": "patrols.models.records.FindingStatus",
        "FindingSeverityEnum": "patrols.models.records.Severity",
        "FindingEscalationEnum": "patrols.models.records.Escalation",
        "RectificationStepKindEnum": "patrols.models.rectifications.StepKind",
        "OrgUnitKindEnum": "orgs.models.OrgUnitKind",
        "RapidTestMethodEnum": "patrols.models.rapid_tests.RapidTestMethod",
        "RapidTestResultEnum": "patrols.models.rapid_tests.RapidTestResult",
        "AssessmentMethodEnum": "assessment.models.Method",
        "VisitResultEnum": "patrols.models.records.VisitResult",
    },
}

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True

# Production hardening; `manage.py check --deploy` is clean with the production
# environment listed in README.md ("Security"), and a test holds it to that.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
# HSTS only makes sense, and is only sent, when the site is served over TLS.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", default=False) else None
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp): everything from our own origin. Scripts are static
# files; the only inline scripts allowed are a few exact event handlers, by hash
# ('unsafe-hashes'): a select that submits its form, a print button, a confirmation before
# submitting. A new inline handler needs its hash here (or, better, a static script).
# Inline styles stay allowed: templates use style attributes, the offline app injects its
# stylesheet, and a style cannot run code.
CSP_SCRIPT_HASHES = [
    "'sha256-osjxnKEPL/pQJbFk1dKsF7PYFmTyMWGmVSiL9inhxJY='",  # this.form.submit()
    "'sha256-MguIPR6qNR8D3B+eAlK+bIRTZe8t3wkOY4B/56Me9FU='",  # window.print()
    "'sha256-dTmt1GaQA59s60BR0D/T1RIVNW1gkyjh5JCZ7pLDVEs='",  # return confirm(this.dataset.confirm)
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_HASHES, *CSP_SCRIPT_HASHES],
        "style-src": [SELF, UNSAFE_INLINE],
        # data: for the API docs' icons and QR codes; blob: for photo previews before upload.
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The API reference (Redoc) runs its search in a worker made from a blob.
        "worker-src": [SELF, "blob:"],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Login protection (django-axes): after LOGIN_FAILURE_LIMIT failed logins an account is
# locked for LOGIN_LOCKOUT_MINUTES, on the login page, the admin and the API token
# endpoint alike. The lock is per username, so an attacker cannot dodge it by changing
# address; a successful login clears the count.
# Failed logins are counted in the database, which every web process shares, so the limit holds
# whatever the number of workers (django-axes' database handler, named here so that it stays so).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30, minimum=1, maximum=24 * 60))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "orgs.security.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["password", "csrfmiddlewaretoken"]
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "orgs.security.client_ip"
# axes.W006 asks to lock by address too. We do not: a district office reaches us through one
# NAT address, and five typos in the office would lock everyone out. The username lock
# does not depend on anything the client can rotate (user agent, cookies).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    # Logins, failed logins, lockouts and refused requests (orgs.security); never a password
    # or a token.
    # django-axes' own lines repeat ours at INFO; keep its warnings only.
    "loggers": {"security": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}
