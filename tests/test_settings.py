"""Production settings are secure by default (docs/architecture.md "Production")."""

import json
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


#: Prints the default database's settings and the journal mode of a real connection to it.
SQLITE_PROBE = """
import json
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    mode = cursor.fetchone()[0]
    cursor.execute("PRAGMA busy_timeout")
    busy = cursor.fetchone()[0]
settings = {k: connection.settings_dict[k] for k in ("ENGINE", "NAME", "OPTIONS")}
print(json.dumps({"settings": settings, "journal_mode": mode, "busy_timeout": busy,
                  "in_transaction_mode": connection.transaction_mode}, default=str))
"""


def _sqlite_probe(tmp_path, script: str = SQLITE_PROBE, **env) -> dict:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    environment.update(
        BANGBAN_DATA_DIR=str(tmp_path / "data"),
        DJANGO_SETTINGS_MODULE="bangban.settings",
        DEBUG="1",
        **env,
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("form", ["default", "url"])
def test_sqlite_gets_the_write_lock_wal_and_immediate_transactions_however_named(tmp_path, form):
    """`DATABASE_URL=sqlite:///…` is the same SQLite as the default (decision 0034): the project's
    engine with its write lock, immediate transactions, the busy timeout, and WAL on a real
    connection; and a folder that does not exist yet is made, as for the default."""
    path = tmp_path / "elsewhere" / "bangban.sqlite3"
    if form == "url":
        probe = _sqlite_probe(tmp_path, DATABASE_URL=f"sqlite:///{path}")
    else:
        probe = _sqlite_probe(tmp_path, BANGBAN_SQLITE_PATH=str(path))
    settings = probe["settings"]
    assert settings["ENGINE"] == "bangban.db.sqlite3"
    assert settings["NAME"] == str(path)
    assert settings["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert settings["OPTIONS"]["timeout"] == 20
    assert "PRAGMA foreign_keys=ON;" in settings["OPTIONS"]["init_command"]
    assert probe["journal_mode"] == "wal"
    assert probe["busy_timeout"] == 20000
    assert probe["in_transaction_mode"] == "IMMEDIATE"
    assert path.exists()


def test_a_sqlite_url_s_own_options_win(tmp_path):
    path = tmp_path / "bangban.sqlite3"
    probe = _sqlite_probe(tmp_path, DATABASE_URL=f"sqlite:///{path}?timeout=5")
    options = probe["settings"]["OPTIONS"]
    assert probe["settings"]["ENGINE"] == "bangban.db.sqlite3"
    assert str(options["timeout"]) == "5"
    assert options["transaction_mode"] == "IMMEDIATE"
    assert probe["journal_mode"] == "wal"


#: Two requests' worth of the request signals on the default database: the same SQLite connection.
SQLITE_PERSISTENCE_PROBE = """
import json
import django
django.setup()
from django.core import signals
from django.db import connection
seen = []
for _request in range(2):
    signals.request_started.send(sender=None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    seen.append(id(connection.connection))
    signals.request_finished.send(sender=None)
print(json.dumps({"same": seen[0] == seen[1], "max_age": connection.settings_dict["CONN_MAX_AGE"]}))
"""


@pytest.mark.parametrize("form", ["default", "url"])
def test_a_sqlite_connection_outlives_its_request(tmp_path, form):
    """A worker keeps its SQLite connection from one request to the next (decision 0073), as it
    keeps a PostgreSQL one: no schema read and no statement prepared again per request."""
    path = tmp_path / "bangban.sqlite3"
    env = (
        {"DATABASE_URL": f"sqlite:///{path}"}
        if form == "url"
        else {"BANGBAN_SQLITE_PATH": str(path)}
    )
    probe = _sqlite_probe(tmp_path, SQLITE_PERSISTENCE_PROBE, **env)
    assert probe == {"same": True, "max_age": 600}
