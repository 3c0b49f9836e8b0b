"""Settings, read from the environment.

`make run` is the demo path: DEBUG on, SQLite next to the checkout, 127.0.0.1. Production sets
DEBUG=0, SECRET_KEY and ALLOWED_HOSTS; the HTTPS settings are then on by default so that
`bangban check --deploy` is clean (BANGBAN_HTTPS=0 turns them off for an HTTP-only LAN, knowingly).
"""

import os
import re
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("BANGBAN_DATA_DIR", Path.cwd() / "var"))


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_flag("DEBUG", False)
# Django's technical error pages instead of the product's own, with DEBUG on (docs/decisions/0031).
BANGBAN_DEBUG_PAGES = DEBUG and env_flag("BANGBAN_DEBUG_PAGES", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (生产环境必须设置 SECRET_KEY)."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105 - only ever used with DEBUG on
# The key applicants' ID numbers, birth dates and phones are encrypted and looked up with
# (bangban.kernel.protection); derived from SECRET_KEY when unset. Set it in production and keep it; to
# change it, the old key moves to the PREVIOUS list and `bangban rotate-data-key` re-encrypts (README).
BANGBAN_DATA_KEY = os.environ.get("BANGBAN_DATA_KEY", "")
BANGBAN_DATA_KEYS_PREVIOUS = env_list("BANGBAN_DATA_KEYS_PREVIOUS")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "bangban.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "ninja",
    "huey.contrib.djhuey",
    "django_ratelimit",  # its system checks refuse a cache the rate limits cannot count in
    "bangban.kernel",
    "bangban.network",
    "bangban.workdays",
    "bangban.messaging",
    "bangban.staff",
    "bangban.catalog",
    "bangban.cases",
    "bangban.feedback",
    "bangban.supervision",
    "bangban.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "bangban.kernel.content_policy.ContentSecurityPolicyMiddleware",  # the CSP header (below)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "bangban.errors.ErrorPagesMiddleware",  # refuses NUL and malformed API bodies; our error pages
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "bangban.network.sessions.IdleLogoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bangban.urls"
FORM_RENDERER = "bangban.kernel.forms.FormRenderer"
WSGI_APPLICATION = "bangban.wsgi.application"

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
            ],
        },
    }
]

# --- Database: SQLite (WAL, immediate transactions) by default, PostgreSQL with DATABASE_URL.


def sqlite_database(name, options: dict | None = None) -> dict:
    """The settings of a SQLite database, however it is named (unset DATABASE_URL, or
    `sqlite:///…`): Django's sqlite3 with write transactions serialised by a file lock across
    workers, WAL, immediate transactions and a busy timeout (decisions 0023 and 0034), kept open
    from one request to the next (decision 0073: opening one reads the whole schema and prepares
    every statement again, 2–3 ms a request). `options` (from the URL's query string) override the
    defaults, knowingly."""
    if str(name) != ":memory:" and not str(name).startswith("file:"):
        Path(name).parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "bangban.db.sqlite3",
        "NAME": name,
        "CONN_MAX_AGE": 600,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
            ),
            **(options or {}),
        },
    }


DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"] = sqlite_database(
            DATABASES["default"]["NAME"], DATABASES["default"].get("OPTIONS")
        )
    elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL's JIT compiles "expensive" plans (the province-wide summaries) for longer than
        # they take to run: 1.4 s of a 2.0 s compliance summary. Off for this OLTP application
        # (docs/decisions/0010-postgresql-jit-off.md).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
        # Server-side binding with prepared statements: a statement run a second time on a
        # (persistent) connection is no longer planned again (decision 0023; a registration -20 %).
        DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 2)
else:
    SQLITE_PATH = Path(os.environ.get("BANGBAN_SQLITE_PATH", DATA_DIR / "bangban.sqlite3"))
    DATABASES = {"default": sqlite_database(SQLITE_PATH)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
LOGIN_REDIRECT_URL = "home"  # 首页 decides by role (cases/home_views.py, decision 0036)
LOGOUT_REDIRECT_URL = "login"

# --- Sessions on shared station PCs (decision 0035): the cookie ends with the browser, a login lasts
# at most BANGBAN_SESSION_HOURS, and BANGBAN_IDLE_MINUTES without activity log out (the page warns
# two minutes before, with a one-click extension, and keeps what was typed).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = round(float(os.environ.get("BANGBAN_SESSION_HOURS", "12")) * 3600)
BANGBAN_IDLE_MINUTES = float(os.environ.get("BANGBAN_IDLE_MINUTES", "30"))
if SESSION_COOKIE_AGE <= 0 or BANGBAN_IDLE_MINUTES <= 0:
    raise ImproperlyConfigured("BANGBAN_SESSION_HOURS and BANGBAN_IDLE_MINUTES must be positive.")

# --- Login throttling: username and IP together, with a cool-off (village stations share one NAT
# address; IP-only and permanent would lock a whole town out). See docs/decisions/0004.
AXES_ENABLED = env_flag("BANGBAN_AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("BANGBAN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("BANGBAN_LOGIN_COOLOFF_MINUTES", "15")) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "bangban.network.views.locked_out"
# The client's address behind the reverse proxy (BANGBAN_PROXY_COUNT, below), as the rate limits and
# the log of revealed ID numbers read it (decision 0035).
AXES_CLIENT_IP_CALLABLE = "bangban.kernel.clients.client_ip"
AXES_USERNAME_CALLABLE = "bangban.network.views.throttled_username"  # cut to axes' column
AXES_VERBOSE = False

# --- Internationalisation: Chinese first, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]  # the vendored Bootstrap, htmx, ECharts and our own
# `collectstatic` (production, and `make run` each time it starts) writes the static files with hashed
# names and a gzip copy of each; whitenoise serves those, compressed to a browser that takes gzip.
# BANGBAN_STATIC_COLLECTED (on without DEBUG; `make run` sets it) serves only what was collected; off, as
# for a developer's runserver with DEBUG, whitenoise reads the source files as they are edited
# (docs/decisions/0040-static-files-compressed.md).
BANGBAN_STATIC_COLLECTED = env_flag("BANGBAN_STATIC_COLLECTED", not DEBUG)
WHITENOISE_USE_FINDERS = not BANGBAN_STATIC_COLLECTED
WHITENOISE_AUTOREFRESH = not BANGBAN_STATIC_COLLECTED
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))

# --- API tokens
BANGBAN_TOKEN_HOURS = int(os.environ.get("BANGBAN_TOKEN_HOURS", "12"))

# --- Background work: huey, on a SQLite file in the data directory by default (zero set-up), on
# Redis when BANGBAN_REDIS_URL is set. `bangban run_huey` is the worker (`make run` starts it).
# Never immediate here: the web process only enqueues (settings_test.py runs tasks in-process).
BANGBAN_REDIS_URL = os.environ.get("BANGBAN_REDIS_URL", "")
HUEY = {
    "name": "bangban",
    "immediate": False,
    "results": False,
    "utc": True,
    "consumer": {"workers": 2, "worker_type": "thread", "max_delay": 2.0},
}
if BANGBAN_REDIS_URL:
    HUEY.update(huey_class="huey.RedisHuey", url=BANGBAN_REDIS_URL)
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    HUEY.update(huey_class="huey.SqliteHuey", filename=str(DATA_DIR / "huey.sqlite3"))

# --- Cache, and the rate limits of the public case page (django-ratelimit counts in the cache, so it
# must be shared by every gunicorn worker and count atomically; docs/decisions/0020): files in the data
# directory with a locked increment by default (one machine), Redis when BANGBAN_REDIS_URL is set.
if BANGBAN_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": BANGBAN_REDIS_URL,
            "KEY_PREFIX": "bangban",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "bangban.portal.throttle.LockedFileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            # Culling drops entries at random: keep it far away, or counters could be dropped.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = "bangban.kernel.clients.client_ip"
BANGBAN_PROXY_COUNT = int(os.environ.get("BANGBAN_PROXY_COUNT", "0"))
# Looking a case up with the last four digits of its phone: every POST per client address, and the
# wrong codes per case (a right code after the limit is refused too, so the limit reveals nothing).
BANGBAN_CASE_LOOKUP_RATE = os.environ.get("BANGBAN_CASE_LOOKUP_RATE", "20/10m")
BANGBAN_CASE_CODE_FAILURE_RATE = os.environ.get("BANGBAN_CASE_CODE_FAILURE_RATE", "5/h")
# The public rating page /pj/ (feedback.public_gate): its views and the ratings sent, per client
# address, generously (a village station's visitors share one address).
BANGBAN_RATING_VIEW_RATE = os.environ.get("BANGBAN_RATING_VIEW_RATE", "120/10m")
BANGBAN_RATING_RATE = os.environ.get("BANGBAN_RATING_RATE", "60/10m")
# The director's mailbox /mailbox/ (supervision.public_views, decision 0055): letters sent per client
# address.
BANGBAN_MAILBOX_RATE = os.environ.get("BANGBAN_MAILBOX_RATE", "5/h")
for _name in (
    "BANGBAN_CASE_LOOKUP_RATE",
    "BANGBAN_CASE_CODE_FAILURE_RATE",
    "BANGBAN_RATING_VIEW_RATE",
    "BANGBAN_RATING_RATE",
    "BANGBAN_MAILBOX_RATE",
):
    if not re.fullmatch(r"[1-9][0-9]*/[0-9]*[smhd]", globals()[_name]):
        raise ImproperlyConfigured(f"{_name} must be a rate such as 20/10m or 5/h.")
# django-ratelimit warns about any backend not on its short list; ours (above) and Django's own Redis
# cache count atomically.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

# --- Text search through grams (kernel.search.gram_candidates, decision 0069): a gram held by this
# many rows or more is common; a text all of whose grams are common is found by a scan instead.
BANGBAN_SEARCH_GRAM_CAP = int(os.environ.get("BANGBAN_SEARCH_GRAM_CAP", "5000"))

# --- Messages (the outbox, docs/decisions/0014): the SMS gateway, and how long to keep retrying.
BANGBAN_SMS_BACKEND = os.environ.get("BANGBAN_SMS_BACKEND", "console")
BANGBAN_SMS_URL = os.environ.get("BANGBAN_SMS_URL", "")
BANGBAN_SMS_TOKEN = os.environ.get("BANGBAN_SMS_TOKEN", "")
BANGBAN_SMS_TIMEOUT = float(os.environ.get("BANGBAN_SMS_TIMEOUT", "10"))
BANGBAN_MESSAGE_GIVE_UP_HOURS = float(os.environ.get("BANGBAN_MESSAGE_GIVE_UP_HOURS", "24"))
if BANGBAN_SMS_BACKEND not in {"console", "http"}:
    raise ImproperlyConfigured("BANGBAN_SMS_BACKEND must be console or http.")
if BANGBAN_SMS_BACKEND == "http" and not BANGBAN_SMS_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        "BANGBAN_SMS_BACKEND=http needs BANGBAN_SMS_URL (http:// or https://)."
    )

# --- Production security: on by default whenever DEBUG is off.
BANGBAN_HTTPS = env_flag("BANGBAN_HTTPS", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if BANGBAN_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- The site's address as applicants reach it: the links sent by SMS (the rating page after
# completion, decision 0048) are absolute. Default: the first of ALLOWED_HOSTS, over HTTPS when the
# HTTPS settings are on.
_first_host = next((h.lstrip(".") for h in ALLOWED_HOSTS if h.lstrip(".") not in ("", "*")), "")
BANGBAN_PUBLIC_URL = os.environ.get("BANGBAN_PUBLIC_URL", "").rstrip("/") or (
    f"{'https' if BANGBAN_HTTPS else 'http'}://{_first_host or 'localhost'}"
)

# --- Content-Security-Policy (docs/decisions/0044-content-security-policy.md): enforced on every page,
# the error pages and the public portal included. Scripts, styles, images and fonts come from our own
# static files only: no inline <script>, no <style> element, no style="" or on…="" attribute, no eval.
# A page passes its data to static JS through data-* attributes or `json_script`; its looks through
# CSS classes. The browser tests fail on any violation. Swagger UI (/api/v1/docs) is the one exception.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # The worker: its start and stop, and any task that fails; not every task it runs.
        "huey": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "huey.consumer": {"level": "INFO"},
        "huey.consumer.Scheduler": {"level": "WARNING"},
    },
}

# --- The provincial 好差评 system (docs/province.md, docs/decisions/0052): off unless
# BANGBAN_PROVINCE_URL is set. Then service records and ratings are pushed through the province
# outbox, ratings pulled and received on /api/v1/province/ratings, and the receipt's QR code opens
# the province's rating page while the province answers. Requests are signed with HMAC-SHA256.
BANGBAN_PROVINCE_URL = os.environ.get("BANGBAN_PROVINCE_URL", "").rstrip("/")
BANGBAN_PROVINCE_APP_ID = os.environ.get("BANGBAN_PROVINCE_APP_ID", "")
BANGBAN_PROVINCE_SECRET = os.environ.get("BANGBAN_PROVINCE_SECRET", "")
BANGBAN_PROVINCE_TIMEOUT = float(os.environ.get("BANGBAN_PROVINCE_TIMEOUT", "3"))
#: The province's rating page; `{projectNo}` is replaced (default: BANGBAN_PROVINCE_URL/evaluate).
BANGBAN_PROVINCE_PAGE_URL = os.environ.get("BANGBAN_PROVINCE_PAGE_URL", "")
#: How the province codes satisfaction: `province` (1 非常不满意 … 5 非常满意, ours) or `gbt39046`
#: (GB/T 39046-2020 A.8: 1 非常满意 … 5 非常不满意).
BANGBAN_PROVINCE_LEVELS = os.environ.get("BANGBAN_PROVINCE_LEVELS", "province")
BANGBAN_PROVINCE_GIVE_UP_HOURS = float(os.environ.get("BANGBAN_PROVINCE_GIVE_UP_HOURS", "24"))
if BANGBAN_PROVINCE_URL:
    if not BANGBAN_PROVINCE_URL.startswith(("http://", "https://")):
        raise ImproperlyConfigured("BANGBAN_PROVINCE_URL must start with http:// or https://.")
    if not (BANGBAN_PROVINCE_APP_ID and BANGBAN_PROVINCE_SECRET):
        raise ImproperlyConfigured(
            "BANGBAN_PROVINCE_URL needs BANGBAN_PROVINCE_APP_ID and BANGBAN_PROVINCE_SECRET."
        )
if BANGBAN_PROVINCE_LEVELS not in {"province", "gbt39046"}:
    raise ImproperlyConfigured("BANGBAN_PROVINCE_LEVELS must be province or gbt39046.")

# --- The 12345 hotline platform (docs/hotline.md, docs/decisions/0056): off unless
# BANGBAN_HOTLINE_URL is set. Then tickets are pulled from the platform and received on
# /api/v1/hotline/callback, and each ticket's signing, return, extension request and answer pushed
# back through the hotline outbox. Requests are signed with HMAC-SHA256 (kernel.signing).
BANGBAN_HOTLINE_URL = os.environ.get("BANGBAN_HOTLINE_URL", "").rstrip("/")
BANGBAN_HOTLINE_APP_ID = os.environ.get("BANGBAN_HOTLINE_APP_ID", "")
BANGBAN_HOTLINE_SECRET = os.environ.get("BANGBAN_HOTLINE_SECRET", "")
BANGBAN_HOTLINE_TIMEOUT = float(os.environ.get("BANGBAN_HOTLINE_TIMEOUT", "3"))
BANGBAN_HOTLINE_GIVE_UP_HOURS = float(os.environ.get("BANGBAN_HOTLINE_GIVE_UP_HOURS", "24"))
if BANGBAN_HOTLINE_URL:
    if not BANGBAN_HOTLINE_URL.startswith(("http://", "https://")):
        raise ImproperlyConfigured("BANGBAN_HOTLINE_URL must start with http:// or https://.")
    if not (BANGBAN_HOTLINE_APP_ID and BANGBAN_HOTLINE_SECRET):
        raise ImproperlyConfigured(
            "BANGBAN_HOTLINE_URL needs BANGBAN_HOTLINE_APP_ID and BANGBAN_HOTLINE_SECRET."
        )
elif BANGBAN_HOTLINE_APP_ID or BANGBAN_HOTLINE_SECRET:
    raise ImproperlyConfigured(
        "BANGBAN_HOTLINE_APP_ID and BANGBAN_HOTLINE_SECRET need BANGBAN_HOTLINE_URL."
    )
