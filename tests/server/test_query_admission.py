"""Query admission: heavy queries never make light ones wait, and query processes share the store.

The pool runs here in-process over the fixture data's built store (one run slot, one long slot):
a query that never finishes (a four-way cross product) stands for a heavy one.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from oas_ssm.server.config import Config
from oas_ssm.server.dataset import Dataset
from oas_ssm.server.sparql.errors import SparqlError
from oas_ssm.server.sparql.pool import Pool
from oas_ssm.server.sparql.settings import SparqlSettings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "server"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LIGHT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }"


def job(query: str) -> dict:
    return {"query": query, "form": "SELECT", "format": "json", "base_iri": None,
            "has_dataset": False, "default_graphs": None, "named_graphs": None,
            "max_rows": 1000, "max_bytes": 2**20}  # fmt: skip


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Dataset:
    state = tmp_path_factory.mktemp("state")
    return Dataset.load(Config(data=FIXTURES / "data.ttl", ontology=FIXTURES / "ontology.ttl",
                               state_dir=state))  # fmt: skip


@pytest.fixture
def pool(dataset, monkeypatch):
    monkeypatch.delenv("SSM_SPARQL_SLOTS", raising=False)  # a per-process bound
    settings = SparqlSettings(timeout=8, max_concurrent=1, max_long=1, long_after=0.3,
                              queue_wait=5, isolate_network=False)  # fmt: skip
    pool = Pool(settings, lambda: {"store": str(dataset.store_path), "prefixes": {}})
    yield pool
    pool.close()


def run_in_thread(pool: Pool, query: str, version: str) -> tuple[threading.Thread, list]:
    out: list = []

    def target() -> None:
        try:
            out.append(pool.run(job(query), version))
        except SparqlError as e:
            out.append(e)

    thread = threading.Thread(target=target)
    thread.start()
    return thread, out


def test_light_queries_answer_while_a_heavy_one_runs(pool, dataset):
    status, _ = pool.run(job(LIGHT), dataset.version)  # the pool is up
    assert status == 200
    heavy, heavy_out = run_in_thread(pool, HEAVY, dataset.version)
    answers = [pool.run(job(LIGHT), dataset.version)[0] for _ in range(20)]
    assert answers == [200] * 20 and heavy.is_alive()
    heavy.join(timeout=60)
    assert isinstance(heavy_out[0], SparqlError) and heavy_out[0].status == 503
    assert "longer than 8 s" in heavy_out[0].message


def test_a_heavy_query_beyond_the_long_slots_is_stopped_with_retry_after(pool, dataset):
    pool.run(job(LIGHT), dataset.version)
    first, first_out = run_in_thread(pool, HEAVY, dataset.version)
    second, second_out = run_in_thread(pool, HEAVY, dataset.version)
    second.join(timeout=60)
    first.join(timeout=60)
    errors = [first_out[0], second_out[0]]
    assert all(isinstance(e, SparqlError) and e.status == 503 for e in errors)
    stopped, deadline = sorted(errors, key=lambda e: "already running" not in e.message)
    assert "long queries were already running" in stopped.message
    assert ("Retry-After", "5") in stopped.headers
    assert "longer than 8 s" in deadline.message
    assert pool.run(job(LIGHT), dataset.version)[0] == 200  # replaced processes answer


def test_query_processes_open_the_built_store(pool, dataset):
    status, body = pool.run(job("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
                            dataset.version)  # fmt: skip
    assert status == 200
    assert f'"value":"{len(dataset.store)}"' in body.decode().replace(" ", "")


def _query_processes() -> set[int]:
    """This process's children that are query processes (the pool's, started here)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            argv = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == os.getpid() and b"oas_ssm.server.sparql.worker" in argv:
            found.add(int(entry.name))
    return found


def test_queries_one_after_another_need_one_query_process(pool, dataset):
    before = _query_processes()
    answers = [pool.run(job(f"{LIGHT} # {i}"), dataset.version)[0] for i in range(5)]
    assert answers == [200] * 5
    time.sleep(1.0)  # a process started in the background would be there by now
    assert len(_query_processes() - before) == 1
