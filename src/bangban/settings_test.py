"""Settings for the test suite: the real settings with a fixed key, plain static files, fast hashing.

Login throttling is off here and switched on by the tests that test it (docs/architecture.md).
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("BANGBAN_HTTPS", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from bangban.settings import *  # noqa: E402,F403
from bangban.settings import HUEY, STORAGES  # noqa: E402

AXES_ENABLED = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# whitenoise serves from the finders here; an empty STATIC_ROOT spares a warning per request.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# Tasks run in-process, in memory, when they are enqueued: no worker and no queue file in tests.
HUEY = {**HUEY, "immediate": True}

# The rate limits count in memory here, one test process (the tests clear it); the real settings use a
# cache every worker shares, which is what django-ratelimit's check E003 is about.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]  # noqa: F405

# Each pytest-xdist worker gets a test database of its own, which pytest-django names after the
# engines it knows; ours (bangban.db.sqlite3) it does not, so SQLite's test database is said to be
# in memory outright, as Django makes it when no name is given.
if DATABASES["default"]["ENGINE"] == "bangban.db.sqlite3":  # noqa: F405
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", ":memory:")  # noqa: F405
