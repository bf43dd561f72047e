"""A linked-data crawler starting at the SSM reaches everything, with rdflib alone."""

from __future__ import annotations

from collections import deque

import requests
from rdflib import Graph, URIRef

from tests.server.conftest import resources_in_dump


def crawl(start: str, base: str) -> tuple[set[str], dict[str, int]]:
    """Breadth-first over IRIs under `{base}id/`, each fetched with `rdflib.Graph().parse(iri)`."""
    seen, sizes = {start}, {}
    queue = deque([start])
    while queue:
        iri = queue.popleft()
        g = Graph().parse(iri)  # conneg + 303, as any linked-data client does it
        sizes[iri] = len(g)
        for term in g.all_nodes():
            iri_ = str(term)
            if isinstance(term, URIRef) and iri_.startswith(base + "id/") and iri_ not in seen:
                seen.add(iri_)
                queue.append(iri_)
    return seen, sizes


def test_crawler_reaches_every_resource(live_server):
    """rdflib's own HTTP client against a real server, as a crawler would run it."""
    base = live_server.base
    reached, sizes = crawl(base + "id/unit/ssm", base)
    assert all(n > 0 for n in sizes.values())
    missing = set(resources_in_dump(live_server)) - reached
    assert not missing, sorted(missing)[:20]
    kinds = {iri[len(base + "id/") :].split("/")[0] for iri in reached}
    assert {"unit", "post", "function", "provision"} <= kinds


def test_every_document_parses_and_is_about_its_resource(rewritten_server, rewritten_resources):
    session = requests.Session()
    for iri in rewritten_resources:
        r = session.get(iri, headers={"Accept": "text/turtle"}, timeout=10)  # through the 303
        g = Graph().parse(data=r.content, format="turtle")
        node = URIRef(iri)
        assert (node, None, None) in g or (None, None, node) in g, iri
