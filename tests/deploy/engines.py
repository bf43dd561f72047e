"""SPARQL engines for the query-tier tests: started and stopped by the tests, on loopback.

Each engine is a `Engine(query_url, store_url)` yielded by a context manager that skips (with
the reason) where the engine is not installed. Oxigraph comes from the package registry (the
`oxigraph` wheel, in the test extras); Virtuoso from Debian (`virtuoso-opensource-7-bin`).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import serving
from tests.deploy.nginx_runner import free_ports
from tests.serving import wait_until_answering

PORTS = (9600, 9700)


@dataclass(frozen=True)
class Engine:
    name: str
    query_url: str  # SPARQL 1.1 Protocol query endpoint
    store_url: str  # SPARQL 1.1 Graph Store Protocol endpoint
    auth: str | None = None  # user:password for the graph store, if it wants one


def oxigraph_binary() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


@contextlib.contextmanager
def run_oxigraph(timeout_s: int = 3) -> Iterator[Engine]:
    """An empty Oxigraph server (on-disk store in a temporary directory). Its own query timeout
    stops abandoned queries; ours is shorter and is the one the tests observe."""
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph CLI is not installed (pip install -e '.[test]' provides it)")
    tmp = Path(tempfile.mkdtemp(prefix="ssm-oxigraph-"))
    port = serving.free_port(PORTS)
    url = f"http://127.0.0.1:{port}"
    log = tmp / "oxigraph.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [binary, "serve", "--location", str(tmp / "db"), "--bind", f"127.0.0.1:{port}",
             "--timeout-s", str(timeout_s)],
            stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until_answering(process, url + "/", log, 30, what="oxigraph")
        yield Engine("oxigraph", url + "/query", url + "/store")
    finally:
        serving.stop(process)
        shutil.rmtree(tmp, ignore_errors=True)


VIRTUOSO_INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = {isql}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {db}
[HTTPServer]
ServerPort = {http}
ServerRoot = {db}
MaxClientConnections = 4
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 3
"""


@contextlib.contextmanager
def run_virtuoso() -> Iterator[Engine]:
    """Virtuoso Open Source on loopback, a fresh database in a temporary directory; its graph
    store (`/sparql-graph-crud-auth`) takes the `dba` account's digest credentials."""
    binary = shutil.which("virtuoso-t") or next(
        (p for p in ("/usr/bin/virtuoso-t",) if Path(p).exists()), None
    )
    if binary is None:
        pytest.skip("Virtuoso is not installed (Debian: apt-get install virtuoso-opensource-7-bin)")
    tmp = Path(tempfile.mkdtemp(prefix="ssm-virtuoso-"))
    http_port, isql_port = free_ports(2)
    (tmp / "virtuoso.ini").write_text(VIRTUOSO_INI.format(db=tmp, isql=isql_port, http=http_port))
    url = f"http://127.0.0.1:{http_port}"
    log = tmp / "virtuoso.out"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(tmp / "virtuoso.ini")],
            cwd=tmp, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until_answering(process, url + "/sparql", log, 90, what="virtuoso")
        yield Engine("virtuoso", url + "/sparql", url + "/sparql-graph-crud-auth", "dba:dba")
    finally:
        serving.stop(process)
        shutil.rmtree(tmp, ignore_errors=True)


ENGINES = {"oxigraph": run_oxigraph, "virtuoso": run_virtuoso}
