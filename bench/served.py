"""The triples the peers load, the same our server serves: asserted + entailed + ontology.

Best: the entailed dump our running server publishes (`/dumps/ssm-entailed.nt`), its IRIs put back
under the canonical base; else the same triples computed with `oas_ssm.server.dataset`; else,
without entailment, data/ssm.ttl and ontology/ssm.ttl (then queries using entailed terms return
less).
"""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import DefaultGraph, Quad, RdfFormat, Store

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "ssm.ttl"
ONTOLOGY = ROOT / "ontology" / "ssm.ttl"
CANONICAL = "https://w3id.org/oas-ssm/"


@dataclass
class Served:
    path: Path  # N-Triples, canonical IRIs, default graph only
    triples: int
    source: str  # where the triples came from, for the report


def prepare(out: Path, served_base: str | None = None) -> Served:
    """Write the peers' N-Triples file to `out`, from the best source available."""
    store = Store()
    source = None
    if served_base:
        body = _fetch(served_base.rstrip("/") + "/dumps/ssm-entailed.nt")
        if body:
            text = body.decode().replace("<" + served_base, "<" + CANONICAL)
            store.load(text.encode(), format=RdfFormat.N_TRIPLES, to_graph=DefaultGraph())
            source = "our /dumps/ssm-entailed.nt (IRIs back to canonical) + ontology/ssm.ttl"
    if source is None:
        source = _from_dataset(store)
    if source is None:
        store.load(path=DATA, format=RdfFormat.TURTLE, to_graph=DefaultGraph())
        source = "data/ssm.ttl + ontology/ssm.ttl (no entailment: server.dataset unavailable)"
    store.load(path=ONTOLOGY, format=RdfFormat.TURTLE, to_graph=DefaultGraph())
    store.dump(out, format=RdfFormat.N_TRIPLES, from_graph=DefaultGraph())
    return Served(out, len(store), source)


def _fetch(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.read() if r.status == 200 else None
    except OSError:
        return None


def _from_dataset(store: Store) -> str | None:
    """Asserted + entailed triples as `oas_ssm.server.dataset` computes them; None if it can't."""
    try:
        from oas_ssm.server.config import Config
        from oas_ssm.server.dataset import Dataset

        dataset = Dataset.load(Config())
    except Exception:  # noqa: BLE001 - any failure means: fall back
        return None
    store.extend(
        Quad(q.subject, q.predicate, q.object, DefaultGraph())
        for name in ("asserted", "entailed")
        for q in dataset.store.quads_for_pattern(None, None, None, dataset.graph(name))
    )
    return "server.dataset: asserted + entailed (computed, not fetched) + ontology/ssm.ttl"
