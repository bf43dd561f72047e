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
import threading
from pathlib import Path

from oas_ssm.server.config import Config, add_input_arguments, default_workers, inputs_of

# Set in the serving process before workers fork; a spawned worker finds None and loads anew.
_PRELOADED = None
# The application over _PRELOADED, built and warmed before the fork so that workers share its
# pages (templates, indexes of the web pages) instead of each building its own (see `_preload`).
_APP = None
# Descriptors a process forked to save the pages' indexes closes first (the listening socket).
_CLOSE_IN_CHILDREN: list[int] = []
# Pages requested once to build what every worker would build anyway: in the serving process when
# this data version's web indexes were saved before, else in the process that saves them.
WARM_PATHS = ("/", "/doc/unit/ssm.html", "/search?q=seguridad", "/void")


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
    add_input_arguments(parser)
    parser.add_argument(
        "--query-endpoint",
        metavar="URL",
        help="answer /sparql through this SPARQL 1.1 engine (its query URL; load it with "
        "`ssm publish`), with the same safety rules; default: the embedded store",
    )
    parser.add_argument(
        "--state-dir",
        default=str(defaults.state_dir),
        metavar="DIR",
        help="where the built store of each data version and the query slots live "
        "(default %(default)s)",
    )
    parser.add_argument(
        "--skip-validation",
        action="store_true",
        help="serve data that has not passed the SHACL shapes (development fixtures only)",
    )


def config_from_args(args: argparse.Namespace) -> Config:
    return Config(
        **inputs_of(args),
        host=args.host,
        port=args.port,
        workers=args.workers,
        threads=args.threads,
        query_timeout=args.query_timeout,
        state_dir=Path(args.state_dir),
        query_endpoint=args.query_endpoint,
    ).with_base(args.base_uri)


def worker_app():
    """Granian's target loader, called in each worker: the app built before the fork, or one
    over the inherited dataset."""
    from oas_ssm.server.supervisor import STOP_QUERIES_S
    from oas_ssm.server.worker_signals import watch_signals_in_worker

    if threading.current_thread() is threading.main_thread():  # granian's worker: always
        watch_signals_in_worker(STOP_QUERIES_S)
    if _APP is not None and _APP.extensions.get("ssm.dataset") is _PRELOADED:
        return _APP
    from oas_ssm.server.app import create_app

    return create_app(Config.from_env(), _PRELOADED)


def _preload(dataset, background: bool = True) -> None:
    """Build the app over `dataset` and warm its pages here, then freeze the heap for the forks:
    the collector in a worker then never writes to (and so never copies) the inherited objects.

    Warming needs the pages' indexes of the whole data (labels, search index, chart …): seconds
    at a few hundred thousand triples, so they are computed once per data version and saved
    beside the store. A restart on unchanged data loads them and warms the pages here. On new
    data at start, a forked process computes and saves them while the server already answers,
    and a worker that needs one before that waits for it (see `oas_ssm.server.web.site`); on a
    reload (`background` False) they are computed here, in the reload's thread."""
    global _APP
    import gc

    from oas_ssm.server.app import create_app
    from oas_ssm.server.web.site import site_for

    app = create_app(Config.from_env(), dataset)
    site = site_for(dataset)
    if site.load_snapshot():
        _warm(app)
    elif background:
        _snapshot_in_background(app, site)
    else:  # a reload, in a thread of a running server: no fork here (see _snapshot_here)
        _snapshot_here(app, site)
    _APP = app
    gc.collect()
    gc.freeze()


def _warm(app) -> None:
    client = app.test_client()
    for path in WARM_PATHS:
        client.get(path, headers={"Accept": "text/html"})


def _snapshot_here(app, site) -> None:
    """Warm the pages of `app` in this process and save `site`'s indexes. Used on a reload: the
    serving process then runs threads (granian's, the reload's), and a fork from it could
    inherit a lock some other thread holds; the old data keeps serving meanwhile."""
    lock = site.claim_snapshot()
    if lock is None:  # saved meanwhile, or another server is at it: the first index the pages
        _warm(app)  # need waits for it and takes it (`Site.memo`), else computes
        return
    with lock:
        site.build_snapshot(lambda: _warm(app))


def _snapshot_in_background(app, site) -> None:
    """Fork a process that warms the pages of `app` and saves `site`'s indexes, then exits (at
    once if this process dies first). Nothing happens if another process is already at it.
    Only at start, while this process has a single thread; the child first closes the listening
    socket, so that a restart is never refused the port because of it."""
    import contextlib
    import threading
    import time

    lock = site.claim_snapshot()
    if lock is None:
        return
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:
        lock.close()
        return
    if pid:  # here: the child holds the lock now
        lock.close()
        threading.Thread(target=_reap, args=(pid,), daemon=True).start()
        return

    def orphaned() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    code = 1
    for fd in _CLOSE_IN_CHILDREN:
        with contextlib.suppress(OSError):
            os.close(fd)
    try:
        threading.Thread(target=orphaned, daemon=True).start()
        os.nice(10)  # the server's own work comes first
        site.build_snapshot(lambda: _warm(app))
        code = 0
    except BaseException as e:  # noqa: BLE001 - reported; workers compute what they need
        print(f"ssm serve: the pages' indexes were not saved: {type(e).__name__}: {e}",
              file=sys.stderr, flush=True)  # fmt: skip
    finally:
        os._exit(code)


def _reap(pid: int) -> None:
    import contextlib

    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _validation_problem(data: Path) -> str | None:
    """SHACL violations of `data` (None when it conforms); skipped when these exact inputs
    already passed `ssm validate` or an earlier start (see oas_ssm.validation_stamp)."""
    from oas_ssm.validation_stamp import is_stamped, stamp

    if is_stamped([data]):
        return None
    from oas_ssm.validate import format_text, namespace_manager, read_inputs, validate_graphs

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
    early_hup = _defer_sighup()  # a SIGHUP while loading must not kill the server
    try:  # before anything slow: a second server on a taken port stops here, at once
        listener = _bind(config.host, config.port)
        _CLOSE_IN_CHILDREN.append(listener.fileno())
    except OSError as e:
        print(
            f"ssm serve: cannot listen on {config.host}:{config.port}: {e.strerror or e}",
            file=sys.stderr,
        )
        return 2

    from oas_ssm.server.dataset import DataError

    try:
        import oas_ssm.server.app  # noqa: F401 - fail here, not in every worker, if it is broken
    except Exception as e:  # noqa: BLE001 - reported, then refuse to start
        print(f"ssm serve: cannot start: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    try:
        dataset = _load_checked(config, args.skip_validation)
    except DataError as e:
        print(f"ssm serve: {e}, not serving", file=sys.stderr)
        return 1

    from oas_ssm.server.sparql.settings import SparqlSettings
    from oas_ssm.server.sparql.slots import prepare_slots
    from oas_ssm.server.supervisor import Supervisor

    prepare_slots(config.state_dir, SparqlSettings.coerce(config))  # per data directory
    _PRELOADED = dataset
    os.environ.update(config.to_env())
    try:
        _preload(dataset)
    except Exception as e:  # noqa: BLE001 - reported, then refuse to start
        print(f"ssm serve: cannot start: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    _raise_open_files_limit()
    from oas_ssm.server.sparql import zygote

    if not config.query_endpoint:  # before any worker is forked: they find it by its env var
        zygote.start()

    from oas_ssm.server.control import ServerStatus, status_path

    status = ServerStatus(status_path(config.state_dir, config.host, config.port),
                          dataset.version)  # fmt: skip

    served_by = 0  # the number of the load whose data the workers are being given

    def refused(load: int, message: str, outcome: str = "refused") -> bool:
        print(f"ssm serve: {message}", file=sys.stderr, flush=True)
        status.finished(load, outcome, message)
        return False

    def reload() -> bool:
        """SIGHUP: load, check and swap in the data now in the files; False keeps the old."""
        global _PRELOADED
        nonlocal served_by
        old = _PRELOADED
        load = status.load_started()
        print("ssm serve: reloading the data (SIGHUP)…", file=sys.stderr, flush=True)
        try:
            new = _load_checked(config, args.skip_validation)
        except DataError as e:
            return refused(load, f"reload refused, still serving version {old.version[:12]}: {e}")
        if new.version == old.version:
            return refused(load, "the data is unchanged; nothing to reload", "unchanged")
        try:
            _preload(new, background=False)
        except Exception as e:  # noqa: BLE001 - the old data keeps serving
            return refused(load, f"reload refused, still serving version {old.version[:12]}: "
                                 f"{type(e).__name__}: {e}")  # fmt: skip
        _PRELOADED = new
        served_by = load
        print(f"ssm serve: serving version {new.version[:12]} ({_counts(new)}); "
              "replacing the workers one by one", file=sys.stderr, flush=True)  # fmt: skip
        return True

    def swapped() -> None:
        """Every worker now serves the reloaded data."""
        new = _PRELOADED
        status.finished(served_by, "served", f"serving version {new.version[:12]} "
                        f"({_counts(new)}) in every worker", new.version)  # fmt: skip

    server = Supervisor(
        listener,
        "oas_ssm.server.serve:worker_app",
        config=config,
        reload_data=reload,
        reloaded=swapped,
        reload_pending=early_hup,
    )
    try:
        server.listen()
    except OSError as e:  # another server bound the port too and listened first
        print(
            f"ssm serve: cannot listen on {config.host}:{config.port}: {e.strerror or e}",
            file=sys.stderr,
        )
        return 2
    status.publish()  # `ssm reload` finds the server by it
    print(
        f"ssm serve: {_counts(dataset)}, IRIs under {dataset.base}\n"
        f"ssm serve: listening on http://{_url_host(config.host)}:{config.port}{config.mount}/ "
        f"({config.workers} workers × {config.threads} threads; pid {os.getpid()}, "
        "`ssm reload` or kill -HUP it to reload the data)",
        flush=True,
    )
    try:
        return server.run(worker_app)
    finally:
        status.remove()


def _load_checked(config: Config, skip_validation: bool):
    """The dataset of `config`'s files, refused (`DataError`) if they do not load or validate."""
    from oas_ssm.server.dataset import DataError, Dataset

    try:
        dataset = Dataset.load(config)
    except DataError as e:
        raise DataError(f"cannot load the data: {e}") from None
    invalid = None if skip_validation else _validation_problem(config.data)
    if invalid:
        raise DataError(f"the data does not validate:\n{invalid}")
    return dataset


def _counts(dataset) -> str:
    return f"{dataset.counts['asserted']} asserted + {dataset.counts['entailed']} entailed triples"


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound now (without SO_REUSEPORT, so nobody else can share the port)
    and inherited by every worker; it listens once the data is ready."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _defer_sighup() -> list[int]:
    """Until the supervisor handles SIGHUP itself, remember it (the list fills) instead of dying."""
    import signal

    received: list[int] = []
    signal.signal(signal.SIGHUP, lambda signum, frame: received.append(signum))
    return received


def _raise_open_files_limit() -> None:
    """Every open connection is a file descriptor: allow as many as the system lets us."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
