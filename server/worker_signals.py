"""How a web worker of `ssm serve` acts on the server's signals: at once, busy or not.

A Python signal handler runs in the main thread only, and a granian worker's main thread sleeps
in a lock wait that a signal delivered to one of its other threads does not end: a busy worker
then ran neither granian's SIGTERM handler (it kept accepting, and was killed after the
supervisor's grace with its requests cut) nor ours. So the byte that the C-level handler writes
for every caught signal (`signal.set_wakeup_fd`) is read by a thread of ours, which stops the
SPARQL queries (`STOPPING_SIGNAL`, sent by `oas_ssm.server.supervisor` at shutdown, never at a
reload) or calls the worker's stop handler (SIGTERM, SIGINT: the worker stops accepting and
finishes its requests). The main thread may run the same handlers later; they are idempotent
(granian's is made so by `_stop_once`).
"""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

STOPPING_SIGNAL = signal.SIGUSR1  # to a web worker: the server is stopping


def watch_signals_in_worker(stop_queries_after: float) -> None:
    """In a web worker's main thread (granian's loader calls `serve.worker_app` there): on
    `STOPPING_SIGNAL`, SPARQL queries still running `stop_queries_after` seconds later are
    stopped and answered (`pool.stop_soon`); SIGTERM and SIGINT stop the worker at once."""
    import granian._signals

    granian._signals.set_sync_signals = _stop_once  # granian imports it after this loader ran

    def stop_queries(signum: int, frame: Any) -> None:
        from oas_ssm.server.sparql.pool import stop_soon

        stop_soon(stop_queries_after)

    signal.signal(STOPPING_SIGNAL, stop_queries)
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    threading.Thread(target=_forward_signals, args=(read_end,), name="ssm-signals",
                     daemon=True).start()  # fmt: skip


def _forward_signals(fd: int) -> None:
    while True:
        try:
            received = os.read(fd, 64)
        except OSError:
            return
        if not received:
            return
        for signum in received:
            if signum not in (STOPPING_SIGNAL, signal.SIGTERM, signal.SIGINT):
                continue
            handler = signal.getsignal(signum)
            # ours only (`watch_signals_in_worker`, `_stop_once`); never the process manager's,
            # which a worker inherits until granian installs its own
            if signum == STOPPING_SIGNAL or getattr(handler, "stops_the_worker", False):
                handler(signum, None)  # type: ignore[operator]


def _stop_once() -> Any:
    """granian's `set_sync_signals` for a WSGI worker, whose handler sets the worker's stop
    event once only: granian's own sets it on every signal, and its event takes two: a third
    `set()` blocks holding the GIL, so the worker froze (every request cut, then killed) when a
    stop came by two signals (systemd's SIGTERM to every process and then the manager's, Ctrl-C
    and the manager's SIGTERM), each seen by the main thread and by `_forward_signals`."""
    from granian._signals import WorkerSignal, set_main_signals

    event = WorkerSignal()
    once = threading.Lock()  # taken by the first signal, never released

    def handler(signum: int, frame: Any) -> None:
        if once.acquire(blocking=False):
            event.set()

    handler.stops_the_worker = True  # type: ignore[attr-defined]
    set_main_signals(handler)
    return event
