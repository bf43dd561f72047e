"""`ssm serve`: load and check the data, then serve it under granian (a Rust HTTP server, WSGI).

The dataset is loaded once, here, before any socket is opened: if it does not load, the command
says why and exits non-zero, and nothing is served. Workers are forked from this process, so they
inherit the loaded dataset and only build their application (Flask, the SPARQL workers …) after
the fork; were they spawned instead, each would load the data again from the same settings.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path

from oas_ssm.server.config import Config, default_workers

# Set in the serving process before workers fork; a spawned worker finds None and loads anew.
_PRELOADED = None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = Config()
    parser.add_argument(
        "--host", default=defaults.host, help="address to bind (default %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=defaults.port, help="port (default %(default)s)"
    )
    parser.add_argument(
        "--base-uri",
        metavar="URL",
        help="serve IRIs under this base instead of the canonical "
        f"{defaults.canonical_base} (e.g. http://127.0.0.1:8000/)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="worker processes (default: one per core, %(default)s here)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=defaults.threads,
        help="threads per worker (default %(default)s)",
    )
    parser.add_argument(
        "--query-timeout",
        type=float,
        default=defaults.query_timeout,
        metavar="S",
        help="SPARQL query deadline in seconds (default %(default)s)",
    )
    parser.add_argument("--data", default=str(defaults.data), help="data Turtle file")
    parser.add_argument(
        "--skip-validation",
        action="store_true",
        help="serve data that has not passed the SHACL shapes (development fixtures only)",
    )
    parser.add_argument("--ontology", default=str(defaults.ontology), help="ontology Turtle file")


def config_from_args(args: argparse.Namespace) -> Config:
    from pathlib import Path

    return Config(
        data=Path(args.data),
        ontology=Path(args.ontology),
        host=args.host,
        port=args.port,
        workers=args.workers,
        threads=args.threads,
        query_timeout=args.query_timeout,
    ).with_base(args.base_uri)


def worker_app():
    """Granian's target loader, called in each worker: the app over the inherited dataset."""
    from oas_ssm.server.app import create_app

    return create_app(Config.from_env(), _PRELOADED)


def _validation_problem(data: Path) -> str | None:
    """SHACL violations of `data` (None when it conforms); skipped when these exact inputs
    already passed `ssm validate` or an earlier start (see oas_ssm.validation_stamp)."""
    from oas_ssm.validate import format_text, namespace_manager, read_inputs, validate_graphs
    from oas_ssm.validation_stamp import is_stamped, stamp

    if is_stamped([data]):
        return None
    print(f"ssm serve: validating {data} against the shapes (once per change)…", flush=True)
    graphs = read_inputs([data])
    report = validate_graphs(graphs, reasoner=False)
    if report.conforms:
        stamp([data])
        return None
    return format_text(report, namespace_manager(list(graphs.values())))


def run(args: argparse.Namespace) -> int:
    global _PRELOADED
    try:
        config = config_from_args(args)
    except ValueError as e:
        print(f"ssm serve: {e}", file=sys.stderr)
        return 2

    from oas_ssm.server.dataset import DataError, Dataset

    try:
        dataset = Dataset.load(config)
    except DataError as e:
        print(f"ssm serve: cannot load the data, not serving: {e}", file=sys.stderr)
        return 1
    try:
        import oas_ssm.server.app  # noqa: F401 - fail here, not in every worker, if it is broken
    except Exception as e:  # noqa: BLE001 - reported, then refuse to start
        print(f"ssm serve: cannot start: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    problem = _bind_problem(config.host, config.port)
    if problem:
        print(
            f"ssm serve: cannot listen on {config.host}:{config.port}: {problem}", file=sys.stderr
        )
        return 1

    invalid = None if args.skip_validation else _validation_problem(config.data)
    if invalid:
        print(f"ssm serve: the data does not validate, not serving:\n{invalid}", file=sys.stderr)
        return 1
    from oas_ssm.server.sparql.settings import SparqlSettings
    from oas_ssm.server.sparql.slots import prepare_slots

    prepare_slots(SparqlSettings.coerce(config).max_concurrent)  # shared by the forked workers
    _PRELOADED = dataset
    os.environ.update(config.to_env())
    from granian import Granian
    from granian.constants import Interfaces

    server = Granian(
        "oas_ssm.server.serve:worker_app",
        address=config.host,
        port=config.port,
        interface=Interfaces.WSGI,
        workers=config.workers,
        blocking_threads=config.threads,
        backpressure=max(config.threads * 8, 64),
        log_access=False,
        respawn_failed_workers=True,  # a dead worker is forked anew; a crash loop stops serving
    )
    print(
        f"ssm serve: {dataset.counts['asserted']} asserted + {dataset.counts['entailed']} entailed "
        f"triples, IRIs under {dataset.base}\n"
        f"ssm serve: listening on http://{_url_host(config.host)}:{config.port}{config.mount}/ "
        f"({config.workers} workers × {config.threads} threads)",
        flush=True,
    )
    server.serve(target_loader=worker_app, wrap_loader=False)
    return 0


def _bind_problem(host: str, port: int) -> str | None:
    """Why `host:port` cannot be listened on, or None (checked before any worker starts)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            return e.strerror or str(e)
    return None


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
