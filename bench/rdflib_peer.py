"""rdflib-endpoint on our triples at `/sparql` (uvicorn, access log off): the Python peer.

`python -m bench.rdflib_peer --port P FILE…` — like `rdflib-endpoint serve`, but bound to
127.0.0.1, mounted at /sparql, and without a log line per request (ours logs none either).
"""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)

    import uvicorn
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    graph = Dataset(default_union=True)
    for path in args.files:
        graph.parse(path)
    app = SparqlEndpoint(graph=graph, path="/sparql", cors_enabled=True)
    uvicorn.run(app, host="127.0.0.1", port=args.port, access_log=False, log_level="warning")


if __name__ == "__main__":
    main()
