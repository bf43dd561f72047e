"""A real server for the SPARQL tests: the blueprint in a tiny Flask app, under granian, on a port
in 8200-8299, over the Turtle fixtures with IRIs rewritten to the server's own URL.

Short limits make the slow paths testable: a 3 s deadline, two query processes, one waiting slot,
50 result rows. Network isolation of the query processes is off here, so the no-outbound test
proves the SERVICE check and the engine's no-fetch behaviour on their own.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import fixture_app
import pytest

from tests import inprocess, serving
from tests.serving import wait_until_answering

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CANONICAL = "https://w3id.org/oas-ssm/"
TEST_SETTINGS = {
    "timeout": 3.0,
    "max_concurrent": 2,
    "max_waiting": 1,
    "queue_wait": 2.0,
    "max_rows": 50,
    "max_query_length": 8192,
    "max_body_bytes": 32768,
    "max_url_bytes": 32768,
    "isolate_network": False,
    "max_long": 0,  # no long-query slots here: "2 running + 1 waiting" is the whole bound
    "long_after": 10.0,
}


@dataclass
class SparqlServer:
    url: str  # the server's root, ending in '/'; also the served base of the IRIs
    process: subprocess.Popen
    log: Path

    @property
    def endpoint(self) -> str:
        return self.url + "sparql"


def free_port() -> int:
    """A port nobody listens on right now (tests own 8200-8299; `SSM_TEST_PORTS=A-B` overrides)."""
    return serving.free_port((8200, 8300))


@contextlib.contextmanager
def run_server(**settings) -> Iterator[SparqlServer]:
    """The fixture app under granian (1 process, 8 threads) until the block ends."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), str(ROOT), env.get("PYTHONPATH", "")])
    env["SPARQL_TEST_BASE"] = url
    env["SPARQL_TEST_SETTINGS"] = json.dumps({**TEST_SETTINGS, **settings})
    granian = Path(sys.executable).with_name("granian")
    cmd = [
        str(granian), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
        "--workers", "1", "--blocking-threads", "8", "--no-access-log",
        "--factory", "fixture_app:create_app",
    ]  # fmt: skip
    log = Path(tempfile.mkdtemp(prefix="sparql-test-")) / "server.log"
    with log.open("w") as sink:
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        wait_until_answering(process, url + "page", log, 30, what="test server")
        yield SparqlServer(url, process, log)
    finally:
        serving.stop(process)


@pytest.fixture(scope="session")
def sparql_server() -> Iterator[SparqlServer]:
    with run_server() as server:
        yield server


@pytest.fixture(scope="session")
def launch_sparql_server():
    """`run_server(**settings)`: a server of one's own with other limits (a context manager)."""
    return run_server


@pytest.fixture(scope="session")
def live_endpoint(sparql_server: SparqlServer) -> str:
    """URL of the real test endpoint; its data's IRIs are under `sparql_server.url`."""
    return sparql_server.endpoint


@pytest.fixture(scope="session")
def live_base(sparql_server: SparqlServer) -> str:
    return sparql_server.url


@pytest.fixture(scope="session")
def sparql_app() -> Iterator[str]:
    """The fixture app in this process (protocol tests), at http://sparql.test/."""
    origin = "http://sparql.test"
    os.environ["SPARQL_TEST_BASE"] = origin + "/"
    os.environ["SPARQL_TEST_SETTINGS"] = json.dumps(TEST_SETTINGS)
    app = fixture_app.create_app()
    with inprocess.serve(app, origin) as url:
        yield url
    app.blueprints["sparql"].sparql_endpoint.pool.close()


@pytest.fixture(scope="session")
def endpoint(sparql_app: str) -> str:
    """URL of the in-process test endpoint; its data's IRIs are under `base`."""
    return sparql_app + "sparql"


@pytest.fixture(scope="session")
def base(sparql_app: str) -> str:
    return sparql_app


@pytest.fixture(scope="session")
def heavy_query():
    """A function: a fresh (uncached) query that runs far past any test deadline on the fixture."""

    def make(tag: str = "heavy") -> str:
        return (
            f"# {tag} {time.monotonic_ns()}\n"
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
            "?m ?n1 ?o . ?p ?q ?r . ?s ?t ?u . ?v ?w ?x . ?y ?z ?aa . ?bb ?cc ?dd }"
        )

    return make


class Listener:
    """A loopback TCP listener that counts whoever connects to it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", self.port))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()
