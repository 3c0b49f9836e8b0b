"""The task worker's configuration: SQLite in the data directory by default, Redis when asked, never
in-process outside the tests; and its minute sweep."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from huey.contrib.djhuey import HUEY

from bangban.messaging import tasks

PROBE = (
    "import django; django.setup(); "
    "from huey.contrib.djhuey import HUEY; "
    "print(type(HUEY).__name__, HUEY.immediate, getattr(HUEY.storage, 'filename', '-'))"
)


def _settings_probe(tmp_path, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "BANGBAN_REDIS_URL"} and not k.startswith("BANGBAN_SMS_")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="bangban.settings", DEBUG="1", BANGBAN_DATA_DIR=str(tmp_path)
    )
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_worker_queue_is_a_sqlite_file_in_the_data_directory_by_default(tmp_path):
    result = _settings_probe(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["SqliteHuey", "False", str(tmp_path / "huey.sqlite3")]


def test_the_worker_queue_is_redis_when_a_redis_url_is_set(tmp_path):
    result = _settings_probe(tmp_path, BANGBAN_REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["RedisHuey", "False"]


def test_the_http_sms_backend_refuses_to_start_without_a_url(tmp_path):
    result = _settings_probe(tmp_path, BANGBAN_SMS_BACKEND="http")
    assert result.returncode != 0
    assert "BANGBAN_SMS_URL" in result.stderr


@pytest.mark.parametrize("minute", [0, 1, 17, 59])
def test_the_sweep_runs_every_minute(minute):
    due = HUEY.read_periodic(dt.datetime(2026, 11, 25, 9, minute))
    assert any(isinstance(task, tasks.sweep_messages.task_class) for task in due)
