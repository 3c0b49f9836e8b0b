"""Production settings are secure by default (ARCHITECTURE.md "Production")."""

import os
import subprocess
import sys

import pytest


def _bangban(*args, tmp_path, **env):
    # Not the test settings' environment (they switch HTTPS off): a production-like one.
    dropped = {
        "DEBUG",
        "DATABASE_URL",
        "BANGBAN_HTTPS",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests; check --deploy refuses it
    }
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update(BANGBAN_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="bangban.settings")
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bangban.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_just_a_key_and_hosts(tmp_path):
    result = _bangban(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        DEBUG="0",
        SECRET_KEY="k" * 20 + "-a-long-random-production-key-0123456789",
        ALLOWED_HOSTS="bangban.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _bangban("check", tmp_path=tmp_path, DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_postgresql_connections_run_without_jit(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
