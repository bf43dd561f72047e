"""A query process: its own pyoxigraph store, one query at a time, killed when it runs too long.

pyoxigraph cannot be interrupted from Python, so a query runs here, in a process the web worker
can kill. The process has no network when the kernel allows it (a fresh network namespace), a cap
on its address space, and a thread stack large enough that the engine's recursive parser and
evaluator finish (or fail) instead of overflowing. A watchdog ends it if its web worker goes away
or a query outlives the deadline it was given. Under `ssm serve` the process is forked from the
server's zygote (`oas_ssm.server.sparql.zygote`, which calls `run`); otherwise the web worker
starts it as `python -m oas_ssm.server.sparql.worker` (`main`).

Wire format on stdin/stdout: frames of an 8-byte big-endian length and a pickle. In: the init
message `{"store": path, "prefixes": dict}` (the server's built store, opened read-only: every
query process shares it; `{"nquads": bytes, ...}` loads a private in-memory store instead), then
jobs (see `run_job`). Out: `("ready", quads or None, isolated, cpu)`, then one `(status, body,
cpu)` per job: body is bytes for 200, a message otherwise; `cpu` is the CPU time this process has
used so far (seconds), so the pool can tell a busy query from a slowed one without asking /proc
on every query.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import pickle
import re
import select
import struct
import threading
import time
from typing import BinaryIO

HEADER = struct.Struct(">Q")
# A query that may reach named graphs (a false positive in a string only costs it the slower
# store; the dataset clauses FROM / FROM NAMED are told apart by the guard: `has_dataset`).
NAMES_GRAPHS = re.compile(r"\bGRAPH\b", re.IGNORECASE)
STACK_BYTES = 512 * 1024 * 1024
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


def write_frame(stream: BinaryIO, obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def read_frame(stream: BinaryIO) -> object:
    header = _read_exact(stream, HEADER.size)
    return pickle.loads(_read_exact(stream, HEADER.unpack(header)[0]))


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def isolate_network() -> bool:
    """Move this (still single-threaded) process into empty user and network namespaces.

    Afterwards no socket can reach any host, loopback included: a second wall behind the SERVICE
    check. False where the kernel forbids unprivileged namespaces; the check still stands.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0
    except (OSError, AttributeError):
        return False


def limit_memory(megabytes: int) -> None:
    if megabytes > 0:
        import resource

        limit = megabytes * 1024 * 1024 + STACK_BYTES
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class Watchdog:
    """Ends the process when its web worker is gone or the current job is far past its deadline.

    The web worker holds the only write end of our stdin: when it is gone the pipe hangs up,
    mid-job too (between jobs `serve` also reads EOF). With `parent` (a process started by the
    web worker itself), a new parent pid says the same."""

    def __init__(self, stdin: int = 0, parent: int | None = None) -> None:
        self.parent = parent
        self.deadline: float | None = None
        self._hangup = select.poll()
        self._hangup.register(stdin, select.POLLHUP)

    def start(self) -> None:
        threading.Thread(target=self._watch, name="watchdog", daemon=True).start()

    def _watch(self) -> None:
        while True:
            time.sleep(0.5)
            overdue = self.deadline is not None and time.monotonic() > self.deadline
            orphaned = self.parent is not None and os.getppid() != self.parent
            if overdue or orphaned or self._writer_gone():
                os._exit(3)

    def _writer_gone(self) -> bool:
        return any(event & (select.POLLHUP | select.POLLERR | select.POLLNVAL)
                   for _, event in self._hangup.poll(0))  # fmt: skip


def run_job(store, job: dict, prefixes: dict[str, str], beside=None) -> tuple[int, bytes | str]:
    """Evaluate one job and serialize its result.

    job: query (text), form, format (a key of `formats`), base_iri, has_dataset (FROM in the
    query), default_graphs / named_graphs (tuples, or None when the protocol gave none), max_rows,
    max_bytes;
    with `beside` (our graphs plus other named graphs), also `union` (our graphs: the default
    graph) and `named` (every graph). A query that names graphs runs over `beside`.
    """
    from pyoxigraph import NamedNode, QueryBoolean

    from . import results

    kwargs: dict = {"base_iri": job["base_iri"]}
    protocol = job["default_graphs"] is not None or job["named_graphs"] is not None
    if beside is not None and (protocol or job["has_dataset"] or NAMES_GRAPHS.search(job["query"])):
        store = beside
        if not protocol and not job["has_dataset"]:  # GRAPH ?g: ours are the default graph
            kwargs["default_graph"] = [NamedNode(g) for g in job["union"]]
            kwargs["named_graphs"] = [NamedNode(g) for g in job["named"]]
    if protocol:
        kwargs["default_graph"] = [NamedNode(g) for g in job["default_graphs"] or ()]
        kwargs["named_graphs"] = [NamedNode(g) for g in job["named_graphs"] or ()]
    elif not job["has_dataset"] and "default_graph" not in kwargs:
        kwargs["use_default_graph_as_union"] = True
    key, limit = job["format"], job["max_rows"]
    try:
        answer = store.query(job["query"], **kwargs)
        if isinstance(answer, QueryBoolean):
            return 200, results.boolean(bool(answer), key)
        if job["form"] == "SELECT":
            return 200, results.write_solutions(answer, key, limit, job["max_bytes"])
        return 200, results.graph(results.capped(answer, limit), key, prefixes)
    except SyntaxError as e:
        return 400, f"SPARQL syntax error: {e}"
    except (results.TooManyRows, results.TooLarge) as e:
        return results.refusal(e, job["form"], limit, job["max_bytes"])
    except MemoryError:
        return 503, "The query needed more memory than a query may use."
    except (OSError, ValueError, TypeError, RuntimeError, LookupError) as e:
        return 400, f"The query could not be evaluated: {e}"


def _open(path: str, copy: bool):
    """The built store at `path`, read in place, or copied into memory when the web worker says
    it is small enough (`copy`: only a copy can be joined by other graphs, see `serve`)."""
    from pyoxigraph import Store

    shared = Store.read_only(path)
    if not copy:
        return shared
    copied = Store()
    copied.bulk_extend(shared.quads_for_pattern(None, None, None, None))
    return copied


def serve(inp: BinaryIO, out: BinaryIO, watchdog: Watchdog, isolated: bool) -> None:
    """Answer jobs until the parent closes the pipe or goes away (then end quietly)."""
    from pyoxigraph import RdfFormat, Store

    try:
        init = read_frame(inp)
        extra = init.get("extra") or b""
        if init.get("store"):
            copied = bool(init.get("copy"))
            store, quads = _open(str(init["store"]), copied), None
        else:
            store, copied = Store(), True
            store.load(init["nquads"], format=RdfFormat.N_QUADS)
            quads = len(store)
        prefixes = dict(init.get("prefixes") or {})
        # Our graphs alone answer most queries, over their union (the fastest way to evaluate);
        # the `extra` named graphs beside them (the releases) join a second copy, used only by
        # queries that name graphs. A store read in place cannot be joined: the web worker then
        # sends none (`Endpoint._worker_init`).
        beside, defaults = None, {}
        if extra and copied:
            beside = Store()
            beside.bulk_extend(store.quads_for_pattern(None, None, None, None))
            beside.load(extra, format=RdfFormat.N_QUADS)
            union = list(init.get("union") or ())
            named = sorted({q.graph_name.value for q in beside.quads_for_pattern(None, None, None)
                            if hasattr(q.graph_name, "value")} | set(union))
            defaults = {"union": union, "named": named}
        del init, extra  # loaded where they are needed; not kept for the process's lifetime
        write_frame(out, ("ready", quads, isolated, time.process_time()))
        while True:
            job = read_frame(inp)
            watchdog.deadline = time.monotonic() + job["timeout"] + 5.0
            status, body = run_job(store, {**defaults, **job}, prefixes, beside)
            watchdog.deadline = None
            write_frame(out, (status, body, time.process_time()))
    except (EOFError, BrokenPipeError):  # the web worker stopped: nothing left to answer
        return


def main(argv: list[str] | None = None) -> None:
    """A query process started as a fresh interpreter by its web worker (no zygote)."""
    parser = argparse.ArgumentParser(description="SPARQL query process (started by the server)")
    parser.add_argument("--isolate", action="store_true", help="no network for this process")
    parser.add_argument("--memory-mb", type=int, default=0, help="address-space limit")
    args = parser.parse_args(argv)
    run(args.isolate, args.memory_mb, parent=os.getppid())


def run(isolate: bool, memory_mb: int, parent: int | None) -> None:
    """Be a query process on the frames of stdin/stdout until the web worker is gone. Called
    while the process is still single-threaded (network isolation needs it): by `main`, or
    right after the zygote forked it (`parent` None: the zygote's end says nothing of ours)."""
    inp = os.fdopen(os.dup(0), "rb")
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # nothing but frames on the protocol stream, whatever a library prints
    isolated = isolate and isolate_network()
    limit_memory(memory_mb)
    watchdog = Watchdog(0, parent)
    watchdog.start()
    threading.stack_size(STACK_BYTES)
    thread = threading.Thread(target=serve, args=(inp, out, watchdog, isolated), name="queries")
    thread.start()
    thread.join()


if __name__ == "__main__":
    main()
