"""How the store is built: what the build asks of the store equals the reference computations over
every triple in Python, blank nodes are named alike by every build, and the web pages' indexes are
saved once per data version and taken back by a later process."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest
from oas_ssm.server.config import Config
from oas_ssm.server.dataset import Dataset
from oas_ssm.server.entailment import Schema, entail, entail_graph
from oas_ssm.server.metadata import Statistics
from pyoxigraph import BlankNode, RdfFormat, parse

from tests.server.conftest import FIXTURE_DATA, FIXTURE_ONTOLOGY, annex_files

BLANK_NODES = """
<https://w3id.org/oas-ssm/id/unit/ssm> <http://www.w3.org/2004/02/skos/core#note> [
    <http://www.w3.org/2000/01/rdf-schema#label> "anon" ;
    <http://www.w3.org/2000/01/rdf-schema#seeAlso> <https://w3id.org/oas-ssm/id/unit/zzz> ] .
_:x <http://www.w3.org/2000/01/rdf-schema#seeAlso> ( <https://w3id.org/oas-ssm/id/a> "b" _:y ) .
_:y <http://www.w3.org/ns/org#subOrganizationOf> <https://w3id.org/oas-ssm/id/unit/ssm> .
"""


def schema_of(config: Config) -> Schema:
    return Schema.from_triples(
        q.triple
        for path in (config.ontology, *config.vocabularies)
        for q in parse(path=path, format=RdfFormat.TURTLE)
    )


@pytest.fixture(scope="module")
def annex(tmp_path_factory) -> tuple[Config, Dataset]:
    data, ontology = annex_files()
    config = Config(data=data, ontology=ontology, state_dir=tmp_path_factory.mktemp("state"))
    return config, Dataset.load(config)


def test_entailment_equals_the_rules_over_every_triple(annex):
    """The build gives the rules only the triples they read (`Schema.reads`): the same set as
    `entail` of the whole asserted graph."""
    config, dataset = annex
    schema = schema_of(config)
    asserted = list(dataset.triples("asserted"))
    reference = entail(asserted, schema)
    assert reference
    assert set(dataset.triples("entailed")) == reference
    assert entail_graph(dataset.store, dataset.graph("asserted"), schema) == reference
    assert dataset.counts["entailed"] == len(reference)


def test_statistics_from_the_store_equal_those_counted_in_python(annex):
    _, dataset = annex
    in_python = Statistics.of(dataset.triples("asserted"))
    assert Statistics.of_graph(dataset.store, dataset.graph("asserted")) == in_python
    assert dataset.counts["asserted"] == in_python.triples


def test_blank_nodes_are_named_alike_by_every_build(tmp_path):
    data = tmp_path / "data.ttl"
    data.write_text(FIXTURE_DATA.read_text(encoding="utf-8") + BLANK_NODES, encoding="utf-8")
    config = Config(data=data, ontology=FIXTURE_ONTOLOGY)
    dumps, entailed = [], []
    for run in ("a", "b"):
        dataset = Dataset.load(dataclasses.replace(config, state_dir=tmp_path / run))
        dumps.append(dataset.store.dump(format=RdfFormat.N_QUADS))
        entailed.append(set(dataset.triples("entailed")))
        labels = {t.value for q in dataset.store for t in (q.subject, q.object)
                  if isinstance(t, BlankNode)}  # fmt: skip
        assert labels and all(label.startswith(("db", "ob", "v0b")) for label in labels)
        asserted = list(dataset.triples("asserted"))
        assert entailed[-1] == entail(asserted, schema_of(config))
    assert dumps[0] == dumps[1]


def test_web_indexes_are_saved_and_taken_back(annex, tmp_path):
    """What `ssm serve` does: one process computes the pages' indexes and saves them beside the
    store; another one (a restart) takes them and renders the same pages without computing."""
    from oas_ssm.server.web.pages import home_page, search_page
    from oas_ssm.server.web.site import Site

    _, dataset = annex
    first = Site(dataset)
    lock = first.claim_snapshot()
    assert lock is not None  # nobody has saved it nor is computing it
    lock.close()
    home = home_page(first, "es", "http://x/")
    found = search_page(first, "seguridad", "es")
    first.save_snapshot()
    assert first.claim_snapshot() is None  # saved: nothing left to compute

    again = Site(dataset)
    assert again.load_snapshot()
    computed = []
    again._read_labels = lambda: computed.append("labels") or {}  # type: ignore[method-assign]
    assert home_page(again, "es", "http://x/") == home
    assert search_page(again, "seguridad", "es") == found
    assert computed == []


def test_a_snapshot_is_only_taken_by_the_same_code(annex, monkeypatch):
    from oas_ssm.server.web import site as site_module

    _, dataset = annex
    saved = site_module.Site(dataset)
    saved.names("x")  # the label table
    saved.save_snapshot()
    monkeypatch.setattr(site_module, "_code_digest", lambda: "other-code")
    assert not site_module.Site(dataset).load_snapshot()
    assert Path(dataset.store_path).is_dir()


def test_serve_saves_the_web_indexes_and_a_restart_takes_them(tmp_path):
    """`ssm serve` on new data answers at once and saves the indexes from a background process;
    a page asked meanwhile waits for them; a restart serves the same pages from them."""
    import requests

    from tests.server.conftest import start_server

    state = tmp_path / "state"
    pages = []
    for _ in range(2):
        with start_server(FIXTURE_DATA, FIXTURE_ONTOLOGY, "--state-dir", str(state),
                          workers=1) as server:  # fmt: skip
            pages.append(requests.get(server.url, timeout=60).text)
            deadline = time.monotonic() + 60
            while not list(state.glob("stores/*/web-*.pickle")) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert list(state.glob("stores/*/web-*.pickle"))
    assert pages[0] == pages[1]
    assert "<html" in pages[0]


@pytest.fixture
def lines_in_threads(monkeypatch):
    """Every N-Triples file is loaded in slices (three threads), however small."""
    from oas_ssm.server import dataset as module

    monkeypatch.setattr(module, "PARALLEL_LOAD_BYTES", 0)
    monkeypatch.setattr(module.os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)


def _as_ntriples(source: Path, target: Path) -> Path:
    from pyoxigraph import serialize

    target.write_bytes(serialize(parse(path=source, format=RdfFormat.TURTLE),
                                 format=RdfFormat.N_TRIPLES))  # fmt: skip
    return target


def test_n_triples_loaded_in_slices_build_the_same_store(tmp_path, lines_in_threads):
    data, ontology = annex_files()
    nt = _as_ntriples(data, tmp_path / "ssm.nt")
    dumps = []
    for run, path in (("turtle", data), ("lines", nt)):
        config = Config(data=path, ontology=ontology, state_dir=tmp_path / run)
        dumps.append(Dataset.load(config).store.dump(format=RdfFormat.N_QUADS))
    assert dumps[0] == dumps[1]


def test_a_nt_file_that_is_turtle_is_read_and_a_broken_one_named(tmp_path, lines_in_threads):
    from oas_ssm.server.dataset import DataError

    turtle = tmp_path / "prefixed.nt"  # N-Triples by name, Turtle inside: read as Turtle
    turtle.write_text(FIXTURE_DATA.read_text(encoding="utf-8"), encoding="utf-8")
    expected = Dataset.load(Config(data=FIXTURE_DATA, ontology=FIXTURE_ONTOLOGY,
                                   state_dir=tmp_path / "a"))  # fmt: skip
    loaded = Dataset.load(Config(data=turtle, ontology=FIXTURE_ONTOLOGY, state_dir=tmp_path / "b"))
    assert set(loaded.triples("asserted")) == set(expected.triples("asserted"))

    broken = _as_ntriples(FIXTURE_DATA, tmp_path / "broken.nt")
    lines = broken.read_text(encoding="utf-8").splitlines()
    lines[len(lines) // 2] = "<http://example.org/s> <http://example.org/p> ."
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="broken.nt"):
        Dataset.load(Config(data=broken, ontology=FIXTURE_ONTOLOGY, state_dir=tmp_path / "c"))
