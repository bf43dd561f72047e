"""What the endpoint needs from the rest of the server: the data, its names and its version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class QuerySource(Protocol):
    """The dataset as the SPARQL endpoint sees it (`oas_ssm.server.dataset.Dataset` is one).

    `nquads()` holds every quad with IRIs already under the served `base`: asserted, entailed and
    ontology triples each in a named graph (`graphs`); the endpoint's default graph is their union.
    `version` changes whenever `nquads()` would: it keys the result cache and reloads the workers.
    """

    @property
    def base(self) -> str:
        """The served base IRI, ending in '/'."""
        ...

    @property
    def canonical_base(self) -> str:
        """The persistent base; IRIs under it in queries are read as under `base`."""
        ...

    @property
    def version(self) -> str: ...

    @property
    def graphs(self) -> Mapping[str, object]:
        """Short name → graph IRI (a str or a pyoxigraph NamedNode), for the service description."""
        ...

    @property
    def prefixes(self) -> Mapping[str, str]:
        """Prefix → namespace (served base), for readable Turtle and JSON-LD results."""
        ...

    def nquads(self) -> bytes: ...
