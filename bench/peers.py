"""Starting the three servers side by side on loopback, each timed from launch to first answer."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from bench.procs import Processes, StartError, memory_mb, wait_ok
from bench.workload import SPARQL_JSON, TURTLE

ROOT = Path(__file__).resolve().parent.parent
ASK = quote("ASK {}", safe="")
SPARQL_GRACE = 30  # seconds to wait for /sparql once documents answer


@dataclass
class Peer:
    """A running server: where it answers and what starting it cost."""

    name: str
    url: str  # http://127.0.0.1:P
    endpoint: str  # SPARQL path: /sparql or /query
    proc: subprocess.Popen = field(repr=False)
    ready_s: float  # launch → first successful answer
    load_s: float | None = None  # a separate load step before launch (Oxigraph)
    extra: dict[str, float] = field(default_factory=dict)
    note: str = ""

    @property
    def pid(self) -> int:
        return self.proc.pid

    def memory_mb(self) -> float:
        """Memory of the server's whole process tree (PSS: shared pages counted once)."""
        return memory_mb(self.pid)


def start_ours(procs: Processes, port: int, timeout: float,
               sparql_grace: float = SPARQL_GRACE) -> Peer:
    """`ssm serve` under a served base on loopback; ready = first 200 on a unit document."""
    url = f"http://127.0.0.1:{port}"
    argv = [sys.executable, "-m", "oas_ssm.cli", "serve", "--host", "127.0.0.1",
            "--port", str(port), "--base-uri", url + "/"]
    t0 = time.perf_counter()
    proc = procs.start("ours", argv, cwd=ROOT)
    ready = wait_ok(url + "/doc/unit/ssm.ttl", proc, timeout, TURTLE, started=t0)
    peer = Peer("ours", url, "/sparql", proc, ready, note="ssm serve (granian, its defaults)")
    if sparql_grace <= 0:
        return peer
    try:  # SPARQL may come up later than documents (worker processes), or not be installed
        peer.extra["first SPARQL answer"] = wait_ok(
            f"{url}/sparql?query={ASK}", proc, sparql_grace, SPARQL_JSON, started=t0)
    except StartError:
        peer.note += f"; /sparql did not answer within {sparql_grace:g} s"
    return peer


def cold_starts(procs: Processes, port: int, runs: int, timeout: float,
                sparql: bool) -> list[tuple[float, float | None]]:
    """Start and stop `ssm serve` `runs` times: (s to first document, s to first SPARQL answer)."""
    out = []
    for _ in range(runs):
        peer = start_ours(procs, port, timeout, SPARQL_GRACE if sparql else 0)
        out.append((peer.ready_s, peer.extra.get("first SPARQL answer")))
        procs.stop(peer.proc)
    return out


def oxigraph_binary() -> str:
    local = Path(sys.executable).with_name("oxigraph")
    found = str(local) if local.exists() else shutil.which("oxigraph")
    if not found:
        raise StartError("the `oxigraph` CLI is not installed (pip install oxigraph)")
    return found


def start_oxigraph(procs: Processes, port: int, data: Path, workdir: Path, timeout: float) -> Peer:
    """`oxigraph load` into a fresh directory, then `oxigraph serve-read-only`."""
    binary = oxigraph_binary()
    location = workdir / "oxigraph-db"
    shutil.rmtree(location, ignore_errors=True)
    t0 = time.perf_counter()
    subprocess.run([binary, "load", "--location", str(location), "--file", str(data)],
                   check=True, capture_output=True, timeout=timeout)
    load_s = time.perf_counter() - t0
    url = f"http://127.0.0.1:{port}"
    t1 = time.perf_counter()
    proc = procs.start("oxigraph", [binary, "serve-read-only", "--location", str(location),
                                    "--bind", f"127.0.0.1:{port}"])
    ready = wait_ok(f"{url}/query?query={ASK}", proc, timeout, SPARQL_JSON, started=t1)
    return Peer("oxigraph", url, "/query", proc, ready, load_s=load_s,
                note="oxigraph serve-read-only (RocksDB on disk)")


def start_rdflib(procs: Processes, port: int, data: Path, timeout: float) -> Peer:
    """rdflib-endpoint (FastAPI + uvicorn, rdflib's memory store and SPARQL engine)."""
    url = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    proc = procs.start("rdflib-endpoint", [sys.executable, "-m", "bench.rdflib_peer",
                                           "--port", str(port), str(data)], cwd=ROOT)
    ready = wait_ok(f"{url}/sparql?query={ASK}", proc, timeout, SPARQL_JSON, started=t0)
    return Peer("rdflib-endpoint", url, "/sparql", proc, ready,
                note="rdflib-endpoint (uvicorn, 1 process, rdflib Memory store)")
