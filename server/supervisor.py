"""The process manager of `ssm serve`: granian's, with the behaviour operators rely on.

granian forks the web workers and runs the HTTP layer (in Rust) in each; this subclass changes
four things about how it manages them:

- One listening socket, bound by `ssm serve` before anything else (without SO_REUSEPORT) and
  inherited by every worker: a second server on the same port cannot start, and a worker that is
  replaced leaves its queued connections to the others instead of resetting them.
- Crashes: a dead worker is forked anew (after a short, growing pause if it keeps dying young);
  the server stops only when every worker keeps dying at start, never because one worker was
  killed twice in a few seconds (granian's own rule, which two out-of-memory kills would trip).
- SIGHUP loads the data again (`reload_data`, in a background thread, so dead workers are still
  replaced meanwhile): if it loads and validates, the workers are replaced one by one (the new
  one accepts before the old one stops, and the old one's requests get as long as a query may
  run, so no request fails), then `reloaded` is called; if not, the old data keeps serving and
  the log says why. A SIGTERM during that wait gives them `KILL_TIMEOUT_S`, as at any time.
- Connections: HTTP/1.1 only, and a request's header must arrive within
  `HEADER_READ_TIMEOUT_MS` of the connection opening or of the previous answer (slowloris, and
  sockets that never send a byte: granian's HTTP/2 auto-detection has no timer before the first
  byte, so with it such a socket stays open for ever; cleartext HTTP/2 is what a proxy or CDN
  in front does not speak to an origin anyway). Each worker holds up to
  `CONNECTIONS_PER_WORKER` connections (idle keep-alive ones included), and SIGTERM lets
  in-flight requests finish for at most `KILL_TIMEOUT_S` before the workers are killed. Each
  worker is told first (`STOPPING_SIGNAL`), so that SPARQL queries still running after
  `STOP_QUERIES_S` are stopped and answered (503, retry) instead of cut off with the worker
  (`oas_ssm.server.worker_signals`: how a worker acts on signals, busy or not).

It relies on granian's process-manager internals (pinned to granian 2.8 in pyproject.toml).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.log import logger
from granian.net import SocketHolder
from granian.server.mp import MPServer
from oas_ssm.server.config import Config
from oas_ssm.server.worker_signals import STOPPING_SIGNAL

HEADER_READ_TIMEOUT_MS = 5_000  # a client that has not sent a whole header by then is dropped
CONNECTIONS_PER_WORKER = 4096  # granian's backpressure: connections a worker serves at once
BACKLOG = 4096  # connections the kernel queues before a worker accepts them
KILL_TIMEOUT_S = 5  # SIGTERM: in-flight requests get this long, then the worker is killed
STOP_QUERIES_S = KILL_TIMEOUT_S - 1.5  # ... SPARQL queries this long, then they are answered 503
DRAIN_MARGIN_S = 2.0  # on reload, an old worker's requests get the query deadline plus this
REPLACE_DELAY_S = 1.0  # on reload, a new worker runs this long before the old one is stopped
YOUNG_S = 5.5  # a worker that dies younger than this counts as crashing at start
CRASH_LIMIT = 5  # ... this many times in a row for every worker: the server gives up
MAX_PAUSE_S = 4.0  # the longest pause before forking a worker that keeps dying young


class Supervisor(MPServer):
    """granian's multi-process server over an already bound socket (see the module doc)."""

    def __init__(
        self,
        listener: socket.socket,
        target: str,
        *,
        config: Config,
        reload_data: Callable[[], bool],
        reloaded: Callable[[], None],
        reload_pending: list[int],
    ) -> None:
        super().__init__(
            target,
            address=config.host,
            port=config.port,
            interface=Interfaces.WSGI,
            http=HTTPModes.http1,
            workers=config.workers,
            blocking_threads=config.threads,
            backpressure=CONNECTIONS_PER_WORKER,
            backlog=BACKLOG,
            http1_settings=HTTP1Settings(
                header_read_timeout=HEADER_READ_TIMEOUT_MS, keep_alive=True
            ),
            log_access=False,
            respawn_failed_workers=True,
            respawn_interval=REPLACE_DELAY_S,
            workers_kill_timeout=KILL_TIMEOUT_S,
        )
        self._listener = listener
        self._reload_data = reload_data
        self._reloaded = reloaded  # after every worker was replaced
        self._reload_pending = reload_pending  # SIGHUPs that came while the data was loading
        self._loading: threading.Thread | None = None  # a reload in progress
        self._loaded = threading.Event()  # ... that succeeded: replace the workers
        self._again = False  # a SIGHUP came during a reload: load once more after it
        self._draining: Any = None  # the old worker a reload waits for, if any
        self._drain_s = max(float(KILL_TIMEOUT_S), config.query_timeout + DRAIN_MARGIN_S)
        self._born: dict[int, float] = {}
        self._young_deaths: dict[int, int] = {}
        self.gave_up = False

    def listen(self) -> None:
        """Start listening (`OSError` if another socket listens on the address already)."""
        self._listener.listen(BACKLOG)

    def run(self, loader: Callable[[], Any]) -> int:
        """Serve until SIGINT/SIGTERM; the exit status (1 if every worker kept crashing)."""
        signal.signal(STOPPING_SIGNAL, signal.SIG_IGN)  # inherited: a worker not yet listening
        try:
            self.serve(target_loader=loader, wrap_loader=False)
        except SystemExit as e:
            return e.code if isinstance(e.code, int) else 1
        return 1 if self.gave_up else 0

    # -- granian hooks -------------------------------------------------------------------------

    def _init_shared_socket(self) -> None:
        self._ssp = None
        self._shd = SocketHolder(self._listener.fileno(), False, BACKLOG)
        self._sfd = self._shd.get_fd()
        self._sso = self._listener

    def startup(self, spawn_target, target_loader) -> None:
        super().startup(spawn_target, target_loader)
        if self._reload_pending:  # a SIGHUP arrived while the data was loading
            self._reload_pending.clear()
            self.signal_handler_reload()

    def _spawn_worker(self, idx, target, callback_loader):
        self._born[idx] = time.monotonic()
        return super()._spawn_worker(idx, target, callback_loader)

    def _reload(self, spawn_target, target_loader) -> None:
        """SIGHUP: load the data in the background, one load at a time; a SIGHUP during a load
        (or while its workers are being replaced) starts one more load after it, which reads the
        files as they are by then."""
        self.reload_signal = False
        if self._busy_reloading():
            logger.info("a reload is in progress; the data will be loaded again after it")
            self._again = True
            return

        def load() -> None:
            if self._reload_data():
                self._loaded.set()
            self.main_loop_interrupt.set()  # the loop swaps the workers, or starts one more load

        self._loading = threading.Thread(target=load, name="reload", daemon=True)
        self._loading.start()

    def _busy_reloading(self) -> bool:
        """A load runs, or its workers are still to be replaced."""
        return (self._loading is not None and self._loading.is_alive()) or self._loaded.is_set()

    def _swap_workers(self, spawn_target, target_loader) -> None:
        """Replace the workers one by one; each old one finishes its requests (up to the query
        deadline and a margin) before it is killed."""
        self._loaded.clear()
        for idx in range(self.workers):
            if self.interrupt_signal:
                return
            self._draining = self.wrks[idx]  # what granian's respawn pops and waits for
            self.workers_kill_timeout = self._drain_s
            try:
                self._respawn_workers([idx], spawn_target, target_loader, delay=REPLACE_DELAY_S)
            finally:
                self.workers_kill_timeout = KILL_TIMEOUT_S
                self._draining = None
        self._reloaded()

    def signal_handler_interrupt(self, *args, **kwargs) -> None:
        """SIGTERM/SIGINT: as granian; an old worker a reload is waiting for gets the usual
        `KILL_TIMEOUT_S`, not the query deadline, so the server still ends in time, and is told
        at once that the server is stopping (the others when they are stopped: `_stop_workers`)."""
        super().signal_handler_interrupt(*args, **kwargs)
        draining = self._draining
        if draining is not None:
            _tell_stopping(draining)
            timer = threading.Timer(KILL_TIMEOUT_S, _kill_if_alive, args=(draining,))
            timer.daemon = True
            timer.start()

    def _stop_workers(self) -> None:
        """At shutdown: each worker is told the server is stopping (`STOPPING_SIGNAL`: its
        queries get an answer before it is ended), then stopped as granian does."""
        for worker in self.wrks:
            _tell_stopping(worker)
        super()._stop_workers()

    def _serve_loop(self, spawn_target, target_loader) -> None:
        while True:
            self.main_loop_interrupt.wait()
            if self.interrupt_signal:
                break
            if self.interrupt_children and not self._replace_dead(spawn_target, target_loader):
                self.gave_up = True
                break
            if self.reload_signal:
                self._reload(spawn_target, target_loader)
            if self._loaded.is_set():
                self._swap_workers(spawn_target, target_loader)
            if self._again and not self._busy_reloading():
                self._again = False
                self._reload(spawn_target, target_loader)
            self.main_loop_interrupt.clear()
            if (self.interrupt_signal or self.interrupt_children or self.reload_signal
                    or self._loaded.is_set()):  # fmt: skip
                self.main_loop_interrupt.set()  # arrived while we were busy: go round again

    def _replace_dead(self, spawn_target, target_loader) -> bool:
        """Fork anew the workers that died; False when every worker keeps dying at start."""
        dead = list(dict.fromkeys(self.interrupt_children))
        self.interrupt_children.clear()
        now = time.monotonic()
        for idx in dead:
            young = now - self._born.get(idx, 0.0) < YOUNG_S
            self._young_deaths[idx] = self._young_deaths.get(idx, 0) + 1 if young else 0
        if all(self._young_deaths.get(i, 0) >= CRASH_LIMIT for i in range(self.workers)):
            logger.error("every worker keeps dying as it starts; stopping the server")
            return False
        for idx in dead:
            deaths = self._young_deaths[idx]
            pause_until = time.monotonic() + (min(MAX_PAUSE_S, 0.25 * 2**deaths) if deaths else 0)
            while time.monotonic() < pause_until and not self.interrupt_signal:
                time.sleep(0.05)  # a SIGTERM meanwhile stops the server now, not after the pause
            if self.interrupt_signal:
                return True
            self._respawn_workers([idx], spawn_target, target_loader)
        return True


def _tell_stopping(worker: Any) -> None:
    """Send `STOPPING_SIGNAL` to a worker process still running (never to a reaped one's pid)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        if worker.is_alive():
            os.kill(worker.inner.pid, STOPPING_SIGNAL)


def _kill_if_alive(worker: Any) -> None:
    if worker.is_alive():
        logger.warning("killing a replaced worker still finishing its requests at shutdown")
        worker.kill()
