"""Run a real `ssm serve` on a free loopback port (8300-8399) for the web and browser tests."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests import serving
from tests.serving import wait_until_answering

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_DATA = FIXTURES / "data-mini.ttl"
FIXTURE_ONTOLOGY = FIXTURES / "ontology-mini.ttl"
REAL_DATA = ROOT / "data" / "ssm.ttl"
REAL_ONTOLOGY = ROOT / "ontology" / "ssm.ttl"


def annex_files() -> tuple[Path, Path]:
    """The real data and ontology when both exist, else the small fixture."""
    if REAL_DATA.exists() and REAL_ONTOLOGY.exists():
        return REAL_DATA, REAL_ONTOLOGY
    return FIXTURE_DATA, FIXTURE_ONTOLOGY


def free_port(first: int, last: int) -> int:
    return serving.free_port((first, last + 1))


@contextlib.contextmanager
def serve(data: Path, ontology: Path, ports: tuple[int, int], own_base: bool = True,
          timeout: float = 60.0) -> Iterator[str]:
    """`ssm serve` over `data`; yields its URL (ending in '/'). With `own_base`, IRIs are
    rewritten to that URL so every link dereferences on the test server."""
    port = free_port(*ports)
    url = f"http://127.0.0.1:{port}/"
    cmd = [sys.executable, "-m", "oas_ssm.cli", "serve", "--host", "127.0.0.1",
           "--port", str(port), "--workers", "1", "--data", str(data), "--ontology", str(ontology)]
    if own_base:
        cmd += ["--base-uri", url]
    if data.resolve() != REAL_DATA.resolve():  # a fixture, not the annex: its shapes do not apply
        cmd += ["--skip-validation"]
    # Output to a file: a pipe nobody reads fills up and blocks the server.
    log = Path(tempfile.mkdtemp(prefix="ssm-web-")) / "serve.log"
    with log.open("w") as sink:
        process = subprocess.Popen(cmd, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT)
    try:
        wait_until_answering(process, url + "void", log, timeout)
        yield url
    finally:
        serving.stop(process)
