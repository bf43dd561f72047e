"""`ssm publish --graph-store URL`: load our four graphs into a SPARQL engine the publisher runs.

The asserted, entailed, ontology and metadata graphs are built exactly as `ssm serve` builds them
(`Dataset.load`) and sent, one named graph each under the IRI the server gives it
(`{base}graph/asserted` …), to a SPARQL 1.1 Graph Store HTTP Protocol endpoint with PUT: a rerun
replaces each graph instead of adding to it. `ssm serve --query-endpoint` then answers `/sparql`
through that engine. Credentials, when the store wants them, come from the environment
(SSM_GRAPH_STORE_AUTH=user:password, HTTP Basic), never from the command line.
"""

from __future__ import annotations

import argparse
import os
import sys
from urllib.parse import quote, urlsplit

AUTH_ENV = "SSM_GRAPH_STORE_AUTH"
MEDIA_TYPE = "application/n-triples"
TIMEOUT = 300.0


class PublishError(Exception):
    """The graph store did not take the data; the message says why and what to do."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from oas_ssm.server.config import Config, add_input_arguments

    defaults = Config()
    parser.add_argument(
        "--graph-store",
        metavar="URL",
        required=True,
        help="the engine's Graph Store Protocol URL (Oxigraph: http://host:7878/store, Fuseki: "
        "http://host:3030/DATASET/data, GraphDB: http://host:7200/repositories/REPO/rdf-graphs/"
        "service); each graph is PUT to URL?graph=IRI",
    )
    parser.add_argument(
        "--base-uri",
        metavar="URL",
        help="name the graphs and IRIs under this base (as `ssm serve --base-uri` does) instead "
        f"of the canonical {defaults.canonical_base}",
    )
    add_input_arguments(parser)
    parser.add_argument(
        "--dry-run", action="store_true", help="say what would be sent, send nothing"
    )


def run(args: argparse.Namespace) -> int:
    from oas_ssm.server.config import Config, inputs_of
    from oas_ssm.server.dataset import DataError, Dataset

    try:
        store = _store_url(args.graph_store)
        config = Config(**inputs_of(args)).with_base(args.base_uri)
        dataset = Dataset.load(config)
    except (ValueError, DataError) as e:
        print(f"ssm publish: {e}", file=sys.stderr)
        return 2
    try:
        for name, iri, body, count in graphs(dataset):
            target = graph_url(store, iri)
            if args.dry_run:
                print(f"would PUT {target}  ({name}: {count} triples, {len(body)} bytes, "
                      f"{MEDIA_TYPE})")  # fmt: skip
                continue
            put(target, body, name)
            print(f"ssm publish: {name}: {count} triples → <{iri}>")
    except PublishError as e:
        print(f"ssm publish: {e}", file=sys.stderr)
        return 2
    if not args.dry_run:
        print(f"ssm publish: done; serve queries through it with `ssm serve --query-endpoint "
              f"<its SPARQL query URL>`{' --base-uri ' + args.base_uri if args.base_uri else ''}")
    return 0


def graphs(dataset):
    """(short name, graph IRI, N-Triples bytes, triple count) for each of our named graphs."""
    from pyoxigraph import RdfFormat, serialize

    for name, node in dataset.graphs.items():
        triples = list(dataset.triples(name))
        yield name, node.value, serialize(triples, format=RdfFormat.N_TRIPLES), len(triples)


def graph_url(store: str, iri: str) -> str:
    separator = "&" if "?" in store else "?"
    return f"{store}{separator}graph={quote(iri, safe='')}"


def _store_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"--graph-store must be an absolute http(s) URL, got {url!r}")
    return url


def put(url: str, body: bytes, name: str) -> None:
    """PUT one graph; `PublishError` with what the store said and what to do about it."""
    import requests
    import requests.auth

    auth = None
    if os.environ.get(AUTH_ENV):
        user, _, password = os.environ[AUTH_ENV].partition(":")
        auth = (user, password)
    session = requests.Session()
    session.trust_env = False  # the URL names the store: no proxy from the environment
    try:
        response = session.put(url, data=body, headers={"Content-Type": MEDIA_TYPE}, auth=auth,
                               timeout=(10, TIMEOUT))  # fmt: skip
        challenge = response.headers.get("WWW-Authenticate", "").lower()
        if response.status_code == 401 and auth and not challenge.startswith("basic"):
            # Virtuoso's graph store wants Digest (and says so only to a request without Basic)
            digest = requests.auth.HTTPDigestAuth(*auth)
            response = session.put(url, data=body, headers={"Content-Type": MEDIA_TYPE},
                                   auth=digest, timeout=(10, TIMEOUT))  # fmt: skip
    except requests.ConnectionError:
        raise PublishError(f"cannot connect to the graph store at {url.split('?')[0]} "
                           "(connection refused or no such host); is the engine running?") from None
    except requests.Timeout:
        raise PublishError(f"the graph store did not answer within {TIMEOUT:g} s") from None
    except requests.RequestException as e:
        raise PublishError(f"cannot send the {name} graph: {e}") from None
    status = response.status_code
    if status in (200, 201, 204):
        return
    said = " ".join(response.text.split())[:300]
    if status in (401, 403):
        hint = (f"set {AUTH_ENV}=user:password" if auth is None
                else f"check the credentials in {AUTH_ENV}")  # fmt: skip
        raise PublishError(f"the graph store refused the {name} graph ({status}: not allowed); "
                           f"{hint}")  # fmt: skip
    if status == 413:
        raise PublishError(f"the {name} graph ({len(body)} bytes) is larger than the graph store "
                           "accepts (413); raise its upload limit")  # fmt: skip
    if status in (404, 405):
        raise PublishError(f"{url.split('?')[0]} is not a Graph Store Protocol endpoint that "
                           f"accepts PUT ({status}); check the URL (Oxigraph: /store)")  # fmt: skip
    raise PublishError(f"the graph store answered {status} for the {name} graph: {said}")
