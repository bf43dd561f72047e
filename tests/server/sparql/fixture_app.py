"""A minimal Flask app around the SPARQL blueprint, over the Turtle fixtures, for granian to serve.

Configured by environment (the tests start it in a subprocess): SPARQL_TEST_BASE is the served
base IRI, SPARQL_TEST_SETTINGS a JSON object of `SparqlSettings` fields.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from oas_ssm.server.app import cors
from oas_ssm.server.sparql import SparqlSettings, create_blueprint
from pyoxigraph import NamedNode, Quad, RdfFormat, parse, serialize

from tests.sparql_page import editor_page

FIXTURES = Path(__file__).parent / "fixtures"
CANONICAL = "https://w3id.org/oas-ssm/"
GRAPHS = {"asserted": "data.ttl", "entailed": "entailed.ttl", "ontology": "ontology.ttl"}
PREFIXES = {
    "ssm": CANONICAL + "def/ssm#",
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}


@dataclass
class FixtureSource:
    """A `QuerySource` over the fixture files, IRIs moved from the canonical to the served base."""

    base: str
    canonical_base: str = CANONICAL

    def __post_init__(self) -> None:
        quads = []
        for name, file in GRAPHS.items():
            graph = NamedNode(f"{CANONICAL}graph/{name}")
            for q in parse(path=str(FIXTURES / file), format=RdfFormat.TURTLE):
                quads.append(Quad(q.subject, q.predicate, q.object, graph))
        dump = serialize(quads, format=RdfFormat.N_QUADS)
        self._nquads = dump.replace(b"<" + CANONICAL.encode(), b"<" + self.base.encode())
        self.version = hashlib.sha256(self._nquads).hexdigest()[:16]
        self.graphs = {name: NamedNode(f"{self.base}graph/{name}") for name in GRAPHS}
        self.prefixes = {k: v.replace(CANONICAL, self.base) for k, v in PREFIXES.items()}

    def nquads(self) -> bytes:
        return self._nquads


def create_app() -> Flask:
    base = os.environ.get("SPARQL_TEST_BASE", CANONICAL)
    settings = SparqlSettings(**json.loads(os.environ.get("SPARQL_TEST_SETTINGS", "{}")))
    app = Flask(__name__)
    app.register_blueprint(create_blueprint(FixtureSource(base), settings, editor_page))
    app.after_request(cors)

    @app.get("/page")
    def page() -> str:  # stands in for the site's pages: must answer while queries run
        return "a page"

    return app
