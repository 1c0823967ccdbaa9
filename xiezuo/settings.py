"""Settings for xiezuo.

One settings module, configured by environment variables so that the same code runs on a
laptop (SQLite file, eager background work) and in production (PostgreSQL, Redis).
"""
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("XIEZUO_SECRET_KEY", "dev-only-insecure-key-change-me")
# Off unless asked for: with DEBUG on, an error answers with a traceback that shows code,
# settings and data to whoever caused it. XIEZUO_DEBUG=1 turns it on for a developer.
DEBUG = os.environ.get("XIEZUO_DEBUG", "0") == "1"
# Local use by default (the embedded `make run`); production names its host.
ALLOWED_HOSTS = [h for h in os.environ.get("XIEZUO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("XIEZUO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "xiezuo.core",
    "xiezuo.regions",
    "xiezuo.orgs",
    "xiezuo.users",
    "xiezuo.pairings",
    "xiezuo.projects",
    "xiezuo.ledger",
    "xiezuo.people",
    "xiezuo.households",
    "xiezuo.labour",
    "xiezuo.consumption",
    "xiezuo.social",
    "xiezuo.markets",
    "xiezuo.assessment",
    "xiezuo.rhythm",
    "xiezuo.live",
    "xiezuo.datagen",
    "xiezuo.repairing",
    "xiezuo.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files with DEBUG off, in `make run` and in production alike.
    "xiezuo.core.middleware.StaticFilesMiddleware",
    "xiezuo.core.middleware.BusyDatabaseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xiezuo.core.middleware.ChineseUnlessChosenMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "xiezuo.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "xiezuo.urls"
WSGI_APPLICATION = "xiezuo.wsgi.application"

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
                "xiezuo.web.context.nav",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("XIEZUO_CONN_MAX_AGE", "0")),
    )
}
SQLITE_OPTIONS = {
    "timeout": int(os.environ.get("XIEZUO_SQLITE_TIMEOUT", "20")),
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite for several writers at once (two officials posting, a batch beside a page):
    # WAL lets readers go on while one writes; a writing transaction takes the write lock
    # when it begins (IMMEDIATE), so a second writer waits for it — up to `timeout` seconds —
    # instead of failing halfway with "database is locked" when it upgrades a read lock.
    # Anything still locked after the wait answers 503 / 409 with Retry-After
    # (core.middleware.BusyDatabaseMiddleware, core.api.errors), never 500.
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and os.environ.get("XIEZUO_PG_JIT", "0") != "1":
    # PostgreSQL's JIT compiles a plan when its estimated cost passes jit_above_cost; the
    # grouped queries of the pages, the weekly sheet and the monthly screening pass it at
    # national scale and then spend longer compiling (up to seconds) than running.
    # XIEZUO_PG_JIT=1 leaves the server's setting in force.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (_options.get("options", "") + " -c jit=off").strip()
# On PostgreSQL every statement of a web request is bounded (core.middleware.limit_statements):
# a request its client abandoned stops; 0 turns the bound off. Commands and Celery tasks are not bounded.
XIEZUO_STATEMENT_TIMEOUT_MS = int(os.environ.get("XIEZUO_STATEMENT_TIMEOUT_MS", "15000"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise serves what `collectstatic` gathered in STATIC_ROOT (production) and, through
# the finders, the apps' own static folders (so `make run` needs no collect step).
WHITENOISE_USE_FINDERS = True

# Uploaded spreadsheets larger than this are refused before openpyxl reads them.
XIEZUO_MAX_IMPORT_BYTES = int(os.environ.get("XIEZUO_MAX_IMPORT_BYTES", str(5 * 1024 * 1024)))
XIEZUO_MAX_IMPORT_ROWS = int(os.environ.get("XIEZUO_MAX_IMPORT_ROWS", "20000"))
DATA_UPLOAD_MAX_MEMORY_SIZE = XIEZUO_MAX_IMPORT_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = XIEZUO_MAX_IMPORT_BYTES + 1024 * 1024

# Where the shared reference data lives (pairings, former poverty counties).
XIEZUO_DATA_DIR = Path(os.environ.get("XIEZUO_DATA_DIR", BASE_DIR / "data"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("XIEZUO_LOG_LEVEL", "WARNING")},
}

# The cache: the open dashboards of one office share one computation of their figures per
# change (live.stream.shared_figures). In memory per process by default; with several
# processes or nodes, XIEZUO_CACHE_URL=redis://127.0.0.1:6379/2 makes it one for all.
if os.environ.get("XIEZUO_CACHE_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["XIEZUO_CACHE_URL"]}}

# Background work (Celery). No broker: tasks run eagerly in-process (the embedded default
# and the tests). Production: XIEZUO_CELERY_BROKER=redis://127.0.0.1:6379/1 and workers.
CELERY_BROKER_URL = os.environ.get("XIEZUO_CELERY_BROKER", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("XIEZUO_CELERY_RESULTS", CELERY_BROKER_URL) or None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"

# Uploaded files (closure evidence of rectification orders, report attachments). They are
# served through views that apply the scoping rule, never straight from MEDIA_URL.
MEDIA_ROOT = Path(os.environ.get("XIEZUO_MEDIA_ROOT", BASE_DIR / "media"))
XIEZUO_MAX_ATTACHMENT_BYTES = int(os.environ.get("XIEZUO_MAX_ATTACHMENT_BYTES", str(10 * 1024 * 1024)))

# A covering index's INCLUDE columns (ledger migration 0012) are a PostgreSQL read path; SQLite,
# the demo's database, builds the same index without them and needs no warning on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
