"""Shared fixtures: the server's app in-process (tests/inprocess.py), one per configuration.

- `annex_server` / `server_url`: the annex data (data/ssm.ttl + ontology/ssm.ttl) under the
  canonical base; IRI `https://w3id.org/oas-ssm/X` is at `server_url + X`.
- `rewritten_server` / `rewritten_server_url`: the same data served with `--base-uri` set to the
  server's own URL, so every IRI in it dereferences as it is.
- `fixture_server` / `fixture_server_url`: the small hand-written fixture (tests/fixtures/server/).
- `live_server`: a real `ssm serve` process (IRIs under its own URL), for clients that open
  their own sockets (rdflib's urllib) and for what only a process shows.
Use `start_server(...)` for a real server with other options (a broken file, a mount point).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests import inprocess, serving
from tests.serving import wait_until_answering

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "server"
FIXTURE_DATA = FIXTURES / "data.ttl"
FIXTURE_ONTOLOGY = FIXTURES / "ontology.ttl"
REAL_DATA = ROOT / "data" / "ssm.ttl"
REAL_ONTOLOGY = ROOT / "ontology" / "ssm.ttl"
CANONICAL = "https://w3id.org/oas-ssm/"


def annex_files() -> tuple[Path, Path]:
    """The real data and ontology when both exist, else the fixture."""
    if REAL_DATA.exists() and REAL_ONTOLOGY.exists():
        return REAL_DATA, REAL_ONTOLOGY
    return FIXTURE_DATA, FIXTURE_ONTOLOGY


def free_port() -> int:
    """A TCP port in 8100-8199 (or `SSM_TEST_PORTS`) nobody listens on right now."""
    return serving.free_port((8100, 8200))


@dataclass
class Server:
    url: str  # where it listens, ending in '/'
    base: str  # the base of the IRIs it serves
    process: subprocess.Popen | None  # None: the app runs in this process
    started_in: float  # seconds from launch to the first answer
    log: Path  # its stdout and stderr

    def http(self, iri: str) -> str:
        """The URL to fetch `iri` from (IRIs under the served base map onto `url`)."""
        return self.url + iri[len(self.base) :] if iri.startswith(self.base) else iri

    def output(self) -> str:
        return self.log.read_text(errors="replace")




@contextlib.contextmanager
def start_server(
    data: Path | None = None,
    ontology: Path | None = None,
    *extra: str,
    base_uri: str | bool | None = None,
    workers: int = 2,
    timeout: float = 30.0,
) -> Iterator[Server]:
    """Run `ssm serve` on a free port until the block ends.

    `base_uri=True` serves IRIs under the server's own URL; a string may contain `{port}`.
    Output goes to a file, not a pipe: a pipe nobody reads fills up and blocks the server.
    """
    default_data, default_ontology = annex_files()
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    if base_uri is True:
        base_uri = url
    elif isinstance(base_uri, str):
        base_uri = base_uri.format(port=port)
    cmd = [
        sys.executable, "-m", "oas_ssm.cli", "serve",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--data", str(data or default_data), "--ontology", str(ontology or default_ontology),
        *extra,
    ]  # fmt: skip
    if base_uri:
        cmd += ["--base-uri", base_uri]
    if data or ontology:  # fixtures are not the annex: the annex's shapes do not apply to them
        cmd += ["--skip-validation"]
    log_dir = Path(tempfile.mkdtemp(prefix="ssm-serve-"))
    log = log_dir / "serve.log"
    launched = time.monotonic()
    with log.open("w") as sink:
        process = subprocess.Popen(cmd, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT)
    try:
        wait_until_answering(process, url + "void", log, timeout - (time.monotonic() - launched))
        started_in = time.monotonic() - launched
        base = (base_uri if isinstance(base_uri, str) else None) or CANONICAL
        yield Server(url, base, process, started_in, log)
    finally:
        serving.stop(process)
        shutil.rmtree(log_dir, ignore_errors=True)


@contextlib.contextmanager
def in_process(
    data: Path | None = None, ontology: Path | None = None, base_uri: str | bool | None = None,
    origin: str = "http://annex.test",
) -> Iterator[Server]:
    """The app of `ssm serve` in this process, reached with `requests` at `origin`."""
    from oas_ssm.server.app import create_app
    from oas_ssm.server.config import Config

    default_data, default_ontology = annex_files()
    url = origin.rstrip("/") + "/"
    config = Config(data=data or default_data, ontology=ontology or default_ontology)
    config = config.with_base(url if base_uri is True else base_uri or None)
    app = create_app(config)
    with inprocess.serve(app, origin):
        yield Server(url, config.base_uri, None, 0.0, Path("/dev/null"))
    app.blueprints["sparql"].sparql_endpoint.pool.close()


@pytest.fixture(scope="session")
def annex_server() -> Iterator[Server]:
    with in_process(origin="http://annex.test") as server:
        yield server


@pytest.fixture(scope="session")
def live_server() -> Iterator[Server]:
    """A real `ssm serve` over the annex, IRIs rewritten to its own URL."""
    with start_server(base_uri=True) as server:
        yield server


@pytest.fixture(scope="session")
def server_url(annex_server: Server) -> str:
    """Base URL (ending in '/') of a running server over the annex data, canonical IRIs."""
    return annex_server.url


@pytest.fixture(scope="session")
def rewritten_server() -> Iterator[Server]:
    with in_process(base_uri=True, origin="http://rewritten.test") as server:
        yield server


@pytest.fixture(scope="session")
def rewritten_server_url(rewritten_server: Server) -> str:
    """Base URL of a running server whose IRIs are rewritten to that URL (`--base-uri`)."""
    return rewritten_server.url


@pytest.fixture(scope="session")
def fixture_server() -> Iterator[Server]:
    with in_process(FIXTURE_DATA, FIXTURE_ONTOLOGY, base_uri=True,
                    origin="http://fixture.test") as server:
        yield server


@pytest.fixture(scope="session")
def fixture_server_url(fixture_server: Server) -> str:
    """Base URL of a running server over tests/fixtures/server/, IRIs rewritten to it."""
    return fixture_server.url


@pytest.fixture(scope="session")
def launch_server():
    """`start_server` itself, for tests that need a server of their own (a context manager)."""
    return start_server


@pytest.fixture(scope="session")
def annex_resources(annex_server: Server) -> list[str]:
    """Every IRI under `{base}id/` of the served annex data (from the sitemap), sorted."""
    return resources_of(annex_server)


@pytest.fixture(scope="session")
def rewritten_resources(rewritten_server: Server) -> list[str]:
    """Every IRI under `{base}id/` in the asserted dump of the rewritten server, sorted."""
    return resources_in_dump(rewritten_server)


def resources_in_dump(server: Server) -> list[str]:
    """Subjects and objects under `{base}id/` of /dumps/ssm.nt (independent of the sitemap)."""
    import re

    dump = requests.get(server.url + "dumps/ssm.nt", timeout=30).text
    prefix = re.escape(server.base + "id/")
    return sorted(set(re.findall(f"<({prefix}[^>#]+)>", dump)))


def resources_of(server: Server) -> list[str]:
    import re

    xml = requests.get(server.url + "sitemap.xml", timeout=10).text
    docs = re.findall(r"<loc>([^<]+)</loc>", xml)
    prefix = server.base + "doc/"
    return sorted(server.base + "id/" + d[len(prefix) :] for d in docs if d.startswith(prefix))
