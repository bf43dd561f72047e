"""`python -m bench.remote_app --port P --engine URL`: `ssm serve`'s application with its SPARQL
query tier on an external engine (`RemoteEngine`), under granian, for the scale-out bench.

The served base comes from SSM_BASE_URI (as `ssm serve` exports it). Until `ssm serve
--query-endpoint` is wired in, this is the same application that option builds.
"""

from __future__ import annotations

import argparse
import os


def build():
    from oas_ssm.server.app import create_app
    from oas_ssm.server.config import Config
    from oas_ssm.server.sparql.remote import RemoteEngine

    app = create_app(Config.from_env())
    endpoint = app.blueprints["sparql"].sparql_endpoint
    endpoint.pool = RemoteEngine(os.environ["SSM_QUERY_ENDPOINT"], endpoint.settings,
                                 endpoint.source)  # fmt: skip
    return app


def main() -> None:
    from granian import Granian
    from granian.constants import Interfaces

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--engine", required=True, help="the engine's SPARQL query URL")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    os.environ["SSM_QUERY_ENDPOINT"] = args.engine
    server = Granian("bench.remote_app:build", address="127.0.0.1", port=args.port,
                     interface=Interfaces.WSGI, workers=args.workers, blocking_threads=17,
                     log_access=False)  # fmt: skip
    server.serve(target_loader=build, wrap_loader=False)


if __name__ == "__main__":
    main()
