"""Two `ssm serve` replicas behind nginx (deploy/nginx/replicas.conf): one is killed under load,
and no request fails: nginx sends what the dead one cannot answer to the other."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from tests import serving
from tests.deploy.nginx_runner import free_ports, nginx_binary, run_nginx

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "deploy" / "nginx" / "replicas.conf"
THREADS = 4
PER_THREAD = 150  # bounded: 600 requests in all
KILL_AFTER = 120  # requests answered before one replica dies
ASK = quote("ASK { ?s ?p ?o }")


def replica_config(nginx_port: int, ports: list[int]) -> str:
    """The shipped configuration, on this test's ports."""
    text = SHIPPED.read_text()
    assert "127.0.0.1:8001" in text and "127.0.0.1:8002" in text and "listen 8080;" in text
    text = text.replace("127.0.0.1:8001", f"127.0.0.1:{ports[0]}")
    text = text.replace("127.0.0.1:8002", f"127.0.0.1:{ports[1]}")
    return text.replace("listen 8080;", f"listen 127.0.0.1:{nginx_port};")


def start_replica(port: int, base: str, log: Path) -> subprocess.Popen:
    """`ssm serve` in a session of its own, so the test can end it and its workers together."""
    with log.open("w") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "oas_ssm.cli", "serve", "--host", "127.0.0.1", "--port",
             str(port), "--workers", "1", "--base-uri", base],
            cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def kill_replica(process: subprocess.Popen) -> None:
    """SIGKILL the replica's process group (its server and forked workers): a crash."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def test_a_replica_dies_under_load_and_no_request_fails():
    nginx_binary()
    nginx_port, *ports = free_ports(3)
    base = f"http://127.0.0.1:{nginx_port}/"
    tmp = Path(tempfile.mkdtemp(prefix="ssm-replicas-"))
    replicas = [start_replica(p, base, tmp / f"replica-{p}.log") for p in ports]
    try:
        for process, port in zip(replicas, ports, strict=True):
            serving.wait_until_answering(process, f"http://127.0.0.1:{port}/void",
                                         tmp / f"replica-{port}.log", 120)  # fmt: skip
        with run_nginx(replica_config(nginx_port, ports), base + "void"):
            outcome = load_with_a_crash(base, replicas[0])
        statuses, errors, after_kill = outcome
        assert errors == [], errors[:5]
        assert set(statuses) == {200}, statuses
        assert sum(statuses.values()) == THREADS * PER_THREAD
        assert after_kill > 0  # requests were answered after the crash, by the survivor
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{ports[0]}/void", timeout=2)
    finally:
        for process in replicas:
            kill_replica(process)


def load_with_a_crash(base: str, victim: subprocess.Popen) -> tuple[Counter, list, int]:
    """THREADS clients × PER_THREAD requests (documents, a 303 followed, pages, SPARQL GET and
    POST); the victim is killed once KILL_AFTER requests have been answered."""
    paths = ["doc/unit/ssm.ttl", "id/unit/dsp", "doc/unit/dsp.html", "void", "annex",
             f"sparql?query={ASK}", "sparql"]  # fmt: skip
    statuses: Counter = Counter()
    errors: list[str] = []
    done = [0]
    killed_at = [None]
    lock = threading.Lock()

    def client(n: int) -> None:
        session = requests.Session()
        for i in range(PER_THREAD):
            path = paths[(i + n) % len(paths)]
            try:
                if path == "sparql":
                    r = session.post(base + path, data={"query": "ASK { ?s ?p ?o }"},
                                     headers={"Accept": "application/sparql-results+json"},
                                     timeout=30)  # fmt: skip
                else:
                    r = session.get(base + path, timeout=30)
                with lock:
                    statuses[r.status_code] += 1
                    done[0] += 1
                    if done[0] == KILL_AFTER:
                        kill_replica(victim)
                        killed_at[0] = done[0]
            except requests.RequestException as e:
                with lock:
                    errors.append(f"{path}: {e!r}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert time.monotonic() - started < 300
    assert killed_at[0] is not None, "the load finished before the replica was killed"
    return statuses, errors, done[0] - killed_at[0]
