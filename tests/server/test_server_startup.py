"""`ssm serve` refuses to start on bad data or settings, and starts on good data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests import serving

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "server"


def serve(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "oas_ssm.cli", "serve", "--host", "127.0.0.1", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def unused_port() -> str:
    return str(serving.free_port((8100, 8200)))


def test_broken_data_is_refused_with_file_and_line():
    port = unused_port()
    done = serve("--port", port, "--data", str(FIXTURES / "broken.ttl"),
                 "--ontology", str(FIXTURES / "ontology.ttl"))  # fmt: skip
    assert done.returncode != 0
    assert "broken.ttl:2:" in done.stderr and "not serving" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/void", timeout=2)


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["--data", "/nonexistent/ssm.ttl"], "cannot read", 1),
        (["--ontology", str(FIXTURES / "broken.ttl")], "broken.ttl:2:", 1),
        (["--base-uri", "ftp://example.org/"], "absolute http(s) URL", 2),
        (["--base-uri", "not a url"], "absolute http(s) URL", 2),
        (["--base-uri", "http://127.0.0.1:8615/a?b#c"], "query ('?') or a fragment ('#')", 2),
        (["--base-uri", "http://127.0.0.1:8615/a?b"], "query ('?') or a fragment ('#')", 2),
        (["--base-uri", "http://127.0.0.1:8615/a/#"], "query ('?') or a fragment ('#')", 2),
        (["--base-uri", "http://127.0.0.1:99999/"], "invalid port", 2),
        (["--query-timeout", "0"], "timeout", 2),
        (["--query-timeout", "-5"], "timeout", 2),
        (["--query-timeout", "nan"], "timeout", 2),
        (["--query-timeout", "inf"], "timeout", 2),
        (["--query-timeout=-inf"], "timeout", 2),
        (["--port", "99999"], "port must be between 1 and 65535", 2),
        (["--port", "-1"], "port must be between 1 and 65535", 2),
        (["--port", "0"], "port must be between 1 and 65535", 2),
        (["--workers", "0"], "workers must be at least 1", 2),
        (["--threads", "0"], "threads must be at least 1", 2),
    ],
)
def test_bad_settings_are_refused(args, message, code):
    done = serve("--port", unused_port(), "--data", str(FIXTURES / "data.ttl"),
                 "--ontology", str(FIXTURES / "ontology.ttl"), *args)  # fmt: skip
    assert done.returncode == code, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_port_in_use_is_refused(live_server):
    port = live_server.url.rsplit(":", 1)[1].rstrip("/")
    done = serve("--port", port, "--data", str(FIXTURES / "data.ttl"),
                 "--ontology", str(FIXTURES / "ontology.ttl"))  # fmt: skip
    assert done.returncode == 2 and "cannot listen" in done.stderr


def test_address_is_printed(live_server):
    assert f"listening on {live_server.url}" in live_server.output()


def test_data_that_violates_the_shapes_is_refused(tmp_path):
    data = (ROOT / "data" / "ssm.ttl").read_text(encoding="utf-8")
    spanish_name = '"Departamento de Seguridad Pública"@es'
    assert spanish_name in data
    broken = tmp_path / "ssm.ttl"
    broken.write_text(data.replace(spanish_name, '"Departamento de Seguridad Pública"', 1))
    port = unused_port()
    done = subprocess.run(
        [sys.executable, "-m", "oas_ssm.cli", "serve", "--host", "127.0.0.1", "--port", port,
         "--data", str(broken)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")},
    )  # fmt: skip
    assert done.returncode == 1
    assert "does not validate" in done.stderr and "unit:dsp" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/void", timeout=2)
