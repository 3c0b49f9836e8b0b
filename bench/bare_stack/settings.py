"""Settings of the bare stack: the project's database (the same SQLite engine, file lock and pragmas,
or PostgreSQL with the same options), its keys (so `bangban.kernel.protection` encrypts and digests
as the project does), its time zone; no installed apps, no middleware but CommonMiddleware, no
templates, no sessions."""

from __future__ import annotations

from bangban.settings import (  # noqa: F401 - what the bare stack shares with the project
    ALLOWED_HOSTS,
    BANGBAN_DATA_KEY,
    BANGBAN_DATA_KEYS_PREVIOUS,
    DATABASES,
    DEBUG,
    SECRET_KEY,
    TIME_ZONE,
    USE_TZ,
)

INSTALLED_APPS: list[str] = []
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "bare_stack.urls"
WSGI_APPLICATION = "bare_stack.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "zh-hans"
USE_I18N = False
#: Quiet: gunicorn's readiness probe gets a 404.
LOGGING = {"version": 1, "disable_existing_loggers": True}
