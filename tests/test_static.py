"""`make run` serves the static files compressed, as production does, and says where it serves
(decision 0040)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Run in a process of its own with the settings `make run` gives gunicorn: each file asked for with and
#: without gzip; what came back, and whether it unpacks to the source file.
FETCH = """
import gzip, json
import django
django.setup()
from django.contrib.staticfiles import finders
from django.test import Client

client = Client(HTTP_HOST="127.0.0.1")
out = []
for name in ("bangban/site.css", "vendor/echarts/echarts.min.js"):
    source = open(finders.find(name), "rb").read()
    packed = client.get("/static/" + name, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    body = b"".join(packed.streaming_content)
    plain = client.get("/static/" + name)
    out.append({
        "name": name,
        "status": packed.status_code,
        "encoding": packed.get("Content-Encoding"),
        "vary": packed.get("Vary"),
        "same": gzip.decompress(body) == source if packed.get("Content-Encoding") == "gzip" else False,
        "ratio": len(body) / len(source),
        "plain_encoding": plain.get("Content-Encoding"),
        "plain_same": b"".join(plain.streaming_content) == source,
    })
print(json.dumps(out))
"""


def _make_run_environment(tmp_path) -> dict:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "BANGBAN_HTTPS"}
    }
    environment.update(
        DEBUG="1",
        BANGBAN_STATIC_COLLECTED="1",
        BANGBAN_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="bangban.settings",
    )
    return environment


def test_make_run_serves_static_files_gzipped(tmp_path):
    environment = _make_run_environment(tmp_path)
    collect = subprocess.run(
        [sys.executable, "-m", "bangban.cli", "collectstatic", "--no-input", "--verbosity", "0"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert collect.returncode == 0, collect.stderr
    fetched = subprocess.run(
        [sys.executable, "-c", FETCH],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert fetched.returncode == 0, fetched.stderr
    for answer in json.loads(fetched.stdout.strip().splitlines()[-1]):
        assert answer["status"] == 200, answer
        assert answer["encoding"] == "gzip", answer
        assert "Accept-Encoding" in answer["vary"], answer
        assert answer["same"], answer
        assert answer["ratio"] < 0.5, answer
        # A client that takes no gzip gets the file as it is.
        assert answer["plain_encoding"] is None and answer["plain_same"], answer


def test_the_echarts_build_is_the_small_one():
    """The vendored ECharts is the build of tools/echarts (tree and graph only), not the 1.1 MB full
    bundle."""
    script = ROOT / "src/bangban/static/vendor/echarts/echarts.min.js"
    assert script.stat().st_size < 700_000
    assert "tools/echarts" in (ROOT / "src/bangban/static/vendor/echarts/VERSION").read_text()


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_run_collects_static_files_and_prints_its_own_address():
    result = subprocess.run(
        [shutil.which("make"), "-n", "-C", str(ROOT), "run", "HOST=0.0.0.0", "PORT=9123"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    collect = next(i for i, line in enumerate(lines) if "bangban collectstatic --no-input" in line)
    demo = next(i for i, line in enumerate(lines) if "bangban demo --once" in line)
    serve = next(i for i, line in enumerate(lines) if "gunicorn bangban.wsgi" in line)
    assert collect < serve
    assert "--host 0.0.0.0 --port 9123" in lines[demo]
    assert "BANGBAN_STATIC_COLLECTED=1" in lines[serve]
    assert "--bind 0.0.0.0:9123" in lines[serve]
