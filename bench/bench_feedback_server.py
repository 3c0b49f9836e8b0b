"""The settings and URLs of bench_feedback.py's server: the project's, plus one bare endpoint, the
baseline of the rating measurements — `POST /bench/insert` writes one row in one transaction through
Django's whole middleware stack, and answers 201. Used as DJANGO_SETTINGS_MODULE (with bench/ on the
path) by bench_feedback.py only; never by the project.
"""

from __future__ import annotations

from bangban.settings import *  # noqa: F403

ROOT_URLCONF = "bench_feedback_server"
#: The baseline's table, made by bench_feedback.py (`baseline_table`).
BASELINE_TABLE = "bench_baseline"


def insert(request):
    """One insert in one transaction, nothing else."""
    from django.db import connection, transaction
    from django.http import HttpResponse
    from django.utils import timezone

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BASELINE_TABLE} (at, body) VALUES (%s, %s)",  # noqa: S608
            [timezone.now().isoformat(), request.path],
        )
    return HttpResponse(status=201)


def __getattr__(name: str):
    """`urlpatterns`, built when Django first asks (the project's URLs cannot be imported while the
    settings are being read)."""
    if name != "urlpatterns":
        raise AttributeError(name)
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt

    patterns = [path("bench/insert", csrf_exempt(insert)), path("", include("bangban.urls"))]
    globals()["urlpatterns"] = patterns
    return patterns
