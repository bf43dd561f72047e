"""A pool of query processes: bounded admission, a deadline per query, kill and replace.

Each process (`oas_ssm.server.sparql.worker`) opens the server's store read-only (one copy of the
data for the whole machine) and answers one query at a time. A query past its deadline cannot be
stopped from Python, so its process is killed (SIGKILL) and a fresh one started in the
background; the client is told why (503). Under `ssm serve` the processes are forked by the
server's zygote (`oas_ssm.server.sparql.zygote`: they share its interpreter and modules, and are
not this process's children); elsewhere, or if the zygote is gone, each is a fresh interpreter.

Admission (`oas_ssm.server.sparql.slots`, machine-wide): a query starts when one of
`max_concurrent` run slots is free; up to `max_waiting` more wait per web worker, anything beyond
is turned away (429). A query still running after `long_after` seconds, and busy computing (not
merely slowed by a busy machine), trades its run slot for one of `max_long` long slots, or is
stopped (503) when none is free, so heavy queries never keep light ones waiting. Every web
worker starts one process and grows to `max_concurrent + max_long` as concurrent queries need
them, so a held slot always finds a process. A process idle for `PARK_AFTER_S` is parked in the
zygote's lot, which keeps `LOT_KEEP` for the whole server: the web worker that next needs one
takes it from there instead of forking and loading another, and an idle server keeps that few
processes however many web workers it runs. The pool starts lazily in the process that uses it,
so it survives a server that forks workers.

Stopping (`stop_soon`, when `ssm serve` is ending this web worker for good): queries in flight
may still finish for a few seconds; those still running then are stopped and answered 503 with
Retry-After, so a client gets an answer rather than a connection cut when the worker is ended.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import pickle
import queue
import select
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path

from .errors import SparqlError
from .settings import SparqlSettings
from .slots import Slots
from .worker import HEADER
from .zygote import ENV as ZYGOTE
from .zygote import Forked, fork, park, take

log = logging.getLogger(__name__)

STARTUP_TIMEOUT = 120.0  # a worker must load the data and say so within this
FIRST_WORKER_WAIT = 60.0  # the first query waits this long for the pool to come up
PARK_AFTER_S = 5.0  # a process idle this long goes to the zygote's lot
TAKE_SLICE_S = 0.25  # a query waiting for a process looks again this often whether to start one
LOT_KEEP = 1  # idle processes the lot keeps for the whole server (a fork and a load: ~20 ms)
_ALL_PROCESSES: weakref.WeakSet[Worker] = weakref.WeakSet()
_stop_by: float | None = None  # set by `stop_soon`: when running queries are stopped


class WorkerDied(Exception):
    """The query process exited (killed, crashed or out of memory)."""


class _NoLongSlot(Exception):
    """A query became long while every long slot was taken."""


class Worker:
    """One query process and the two pipes to it.

    `proc` is a `subprocess.Popen` (a fresh interpreter, our child) or a `zygote.Forked` (forked
    by the server's zygote, not our child) with the same `pid`, `stdin`, `stdout`, `poll`,
    `kill` and `wait`: see `Pool._launch`."""

    def __init__(self, proc: subprocess.Popen | Forked, generation: int, version: str):
        self.generation = generation
        self.version = version  # the data version it loaded (the lot's key)
        self.cpu: float | None = None  # CPU seconds it had used when it last went idle
        self.idle_since = time.monotonic()
        self.proc = proc
        self._poll = select.poll()
        self._poll.register(self.proc.stdout.fileno(), select.POLLIN | select.POLLHUP)
        _ALL_PROCESSES.add(self)

    def send(self, obj: object) -> None:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.proc.stdin.write(HEADER.pack(len(data)) + data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise WorkerDied from None

    def receive(self, timeout: float) -> object:
        """The next frame, `TimeoutError` past `timeout` seconds, `WorkerDied` on EOF."""
        deadline = time.monotonic() + timeout
        header = self._read(HEADER.size, deadline)
        return pickle.loads(self._read(HEADER.unpack(header)[0], deadline))

    def _read(self, n: int, deadline: float) -> bytes:
        fd = self.proc.stdout.fileno()
        buf = bytearray()
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not self._poll.poll(max(1, int(left * 1000))):
                if time.monotonic() >= deadline:
                    raise TimeoutError
                continue
            chunk = os.read(fd, min(n - len(buf), 1 << 20))
            if not chunk:
                raise WorkerDied
            buf += chunk
        return bytes(buf)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            log.warning("query process %s did not exit after SIGKILL", self.proc.pid)
        self.close_pipes()

    def close_pipes(self) -> None:
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                stream.close()


class Pool:
    """Query processes for one data version; `run(job, version)` is the only entry point."""

    def __init__(self, settings: SparqlSettings, init: Callable[[], dict]):
        """`init()` gives the workers' init message for the current data: `store` (a path) or
        `nquads` (bytes), and `prefixes`."""
        self.settings = settings
        self._init = init
        self._lock = threading.Lock()
        self._reset_process_state()
        self._version: str | None = None

    def _reset_process_state(self) -> None:
        """Fresh state for this process: a forked child must not touch its parent's workers."""
        self._pid = os.getpid()
        self._slots = Slots(self.settings.max_concurrent, "run")  # machine-wide under ssm serve
        self._long_slots = Slots(self.settings.max_long, "long") if self.settings.max_long else None
        self._admitted = threading.BoundedSemaphore(
            self.settings.processes + self.settings.max_waiting
        )
        self._generation = 0  # bumped per data version: older workers are killed, not reused
        self._started = 0  # processes of this generation running or starting
        self._count_lock = threading.Lock()
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._parker: threading.Thread | None = None  # parks idle processes (under a zygote)
        self._ready = threading.Event()  # some worker of this generation came up
        self._failed = False  # no worker could be started
        self._loaded: tuple[dict, str] = ({}, "")  # the init message and its data version
        self._parks = 0  # processes of this generation handed to the lot (or lost there)

    # -- public --------------------------------------------------------------------------------

    def run(self, job: dict, version: str) -> tuple[int, bytes | str]:
        """Evaluate `job` on a free worker: (status, body or message), or `SparqlError`."""
        self._ensure(version)
        _refuse_if_stopped()
        if not self._admitted.acquire(blocking=False):
            raise _busy()
        held: list[tuple[Slots, int]] = []
        try:
            slot = self._slots.acquire(self.settings.queue_wait)
            if slot is None:
                raise _busy()
            held.append((self._slots, slot))
            worker = self._take()
            try:
                worker.send({**job, "timeout": self.settings.timeout})
                reply = self._await(worker, held)
            except TimeoutError:
                self._replace(worker)
                raise SparqlError(
                    503,
                    f"The query ran longer than {self.settings.timeout:g} s and was stopped; "
                    "simplify it or add a LIMIT.",
                ) from None
            except _NoLongSlot:
                self._replace(worker)
                raise SparqlError(
                    503,
                    f"The query ran longer than {self.settings.long_after:g} s while "
                    f"{self.settings.max_long} long queries were already running, and was "
                    "stopped; retry in a moment, or simplify it.",
                    headers=(("Retry-After", "5"),),
                ) from None
            except WorkerDied:
                if _stop_by is not None:  # the server is stopping: no replacement
                    worker.kill()
                    raise _stopping() from None
                self._replace(worker)
                raise SparqlError(
                    503,
                    "The query engine stopped while evaluating this query (killed, or out of "
                    "the memory a query may use); it has been restarted.",
                ) from None
            self._give_back(worker)
            return reply  # type: ignore[return-value]
        finally:
            for slots, held_slot in held:
                slots.release(held_slot)
            self._admitted.release()

    def _await(self, worker: Worker, held: list[tuple[Slots, int]]) -> object:
        """The worker's reply; `TimeoutError` past the deadline.

        A query that has burnt `long_after / 2` seconds of CPU by the time `long_after` seconds
        have passed is a long one: its run slot in `held` is traded for a long slot
        (`_NoLongSlot` when none is free). One that has not (a light query slowed by a busy
        machine) keeps its run slot and is looked at again after another `long_after`.
        """
        timeout, light = self.settings.timeout, self.settings.long_after
        deadline = time.monotonic() + timeout
        if light >= timeout:
            return _answer(worker, worker.receive(timeout))
        cpu_before = worker.cpu if worker.cpu is not None else _cpu_seconds(worker.proc.pid)
        while True:
            step = min(light, deadline - time.monotonic())
            if step <= 0:
                raise TimeoutError
            try:
                return _answer(worker, worker.receive(step))
            except TimeoutError:
                if time.monotonic() >= deadline:
                    raise
            cpu = _cpu_seconds(worker.proc.pid)
            if cpu is None or cpu_before is None or cpu - cpu_before >= light / 2:
                break
        long_slot = self._long_slots.acquire(0) if self._long_slots else None
        if long_slot is None:
            raise _NoLongSlot
        slots, run_slot = held.pop()
        slots.release(run_slot)
        held.append((self._long_slots, long_slot))
        return _answer(worker, worker.receive(max(0.0, deadline - time.monotonic())))

    def close(self) -> None:
        """Stop the idle workers and retire the busy ones as they finish (tests, shutdown)."""
        with self._lock:
            self._generation += 1
            self._version = None
            self._drain()

    # -- workers -------------------------------------------------------------------------------

    def _ensure(self, version: str) -> None:
        """Start (or restart, after a fork or a data change) the workers."""
        if self._pid == os.getpid() and self._version == version:
            return
        with self._lock:
            if self._pid == os.getpid() and self._version == version:
                return
            if self._pid != os.getpid():
                self._reset_process_state()
            self._drain()
            self._ready = threading.Event()
            self._failed = False
            # the message first: a process started meanwhile for the old generation loads the
            # new data and is killed as stale, never one of the new generation the old data
            self._loaded = (self._init(), version)
            self._generation += 1
            self._started = 0
            # last: another thread passes the check above, unlocked, as soon as this is set, and
            # must find the message a new process needs (it was sent empty otherwise)
            self._version = version
            if self._parker is None and os.environ.get(ZYGOTE):
                self._parker = threading.Thread(target=self._park_idle, name="sparql-park",
                                                daemon=True)  # fmt: skip
                self._parker.start()
            # None yet: `_take` starts one for the query that called us (starting one here too
            # gave every web worker two, the second one idle), more as concurrent queries need.

    def _grow(self) -> bool:
        """Start one more process, unless this generation has `processes` already."""
        with self._count_lock:
            if self._started >= self.settings.processes:
                return False
            self._started += 1
        self._spawn(self._generation)
        return True

    def _drain(self) -> None:
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                return

    def _take(self) -> Worker:
        grew = self._idle.empty() and self._grow()  # then wait for it to start, not a turn
        wait = self.settings.queue_wait if self._ready.is_set() and not grew else FIRST_WORKER_WAIT
        deadline = time.monotonic() + wait
        parks = self._parks
        while True:
            _refuse_if_stopped()  # also for a query that waited for its slot past the stop
            left = deadline - time.monotonic()
            try:
                worker = self._idle.get(timeout=max(0.0, min(TAKE_SLICE_S, left)))
            except queue.Empty:
                if left > TAKE_SLICE_S:  # a process may have been parked meanwhile: start one
                    if self._parks != parks and self._idle.empty():
                        parks = self._parks
                        if self._grow():
                            deadline = max(deadline, time.monotonic() + FIRST_WORKER_WAIT)
                    continue
                if self._failed:
                    raise SparqlError(503, "The query engine could not be started.") from None
                raise _busy() from None
            if worker.generation == self._generation and worker.proc.poll() is None:
                return worker
            self._replace(worker)  # stale (old data) or dead: never hand it a query

    def _give_back(self, worker: Worker) -> None:
        if worker.generation == self._generation:
            worker.idle_since = time.monotonic()
            self._idle.put(worker)
        else:
            worker.kill()

    def _park_idle(self) -> None:
        """Until the pool is closed (a daemon thread): hand the processes idle for
        `PARK_AFTER_S` to the zygote's lot, so that idle processes are few per server rather
        than one or more per web worker. Only the processes being parked leave the idle queue."""
        while True:
            time.sleep(PARK_AFTER_S / 2)
            with self._lock:
                if self._version is None:  # closed; `_ensure` starts another if it reopens
                    self._parker = None
                    return
            path = os.environ.get(ZYGOTE)
            if not path:
                continue
            old: list[Worker] = []
            for _ in range(self._idle.qsize()):
                try:
                    worker = self._idle.get_nowait()
                except queue.Empty:
                    break
                if worker.generation != self._generation:
                    worker.kill()  # stale (a reload or close drained the queue meanwhile)
                elif (isinstance(worker.proc, Forked)
                      and time.monotonic() - worker.idle_since >= PARK_AFTER_S):  # fmt: skip
                    old.append(worker)
                else:
                    self._idle.put(worker)
            for worker in old:
                self._park(path, worker)

    def _park(self, path: str, worker: Worker) -> None:
        outcome = park(path, worker.proc, worker.version, LOT_KEEP)
        if outcome == "refused":  # ours still: idle again, parked again later if still idle
            self._give_back(worker)
            return
        if outcome == "parked":
            _ALL_PROCESSES.discard(worker)
            worker.close_pipes()
        else:  # no answer: it may be parked (and taken) without us knowing, so nobody has it
            worker.kill()
        with self._count_lock:
            if worker.generation == self._generation:
                self._started -= 1
                self._parks += 1

    def _replace(self, worker: Worker) -> None:
        worker.kill()
        if worker.generation == self._generation:
            self._spawn(worker.generation)

    def _spawn(self, generation: int) -> None:
        threading.Thread(
            target=self._start_worker, args=(generation,), name="sparql-spawn", daemon=True
        ).start()

    def _start_worker(self, generation: int) -> None:
        message, version = self._loaded
        if generation != self._generation or self._from_lot(generation, version):
            return  # stale before it started (a reload), or taken from the lot
        for attempt in range(5):
            if _stopped():  # `_take` refuses the queries waiting for it
                return
            worker = None
            try:
                worker = Worker(self._launch(), generation, version)
                worker.send(message)
                ready = worker.receive(STARTUP_TIMEOUT)
                if not (isinstance(ready, tuple) and ready[0] == "ready"):
                    raise WorkerDied
                worker.cpu = ready[3]
                if self.settings.isolate_network and not ready[2]:
                    _warn_once("query processes run without network isolation here")
                self._admit(worker)
                return
            except (WorkerDied, TimeoutError, OSError) as e:
                if worker is not None:
                    worker.kill()
                if _stopped():  # killed by `stop_soon`, not a failure to report
                    return
                log.warning("query process failed to start (attempt %d): %r", attempt + 1, e)
                time.sleep(0.5 * 2**attempt)
        log.error("query process could not be started; SPARQL queries will fail")
        with self._count_lock:
            if generation == self._generation:
                self._started -= 1
        self._failed = True

    def _from_lot(self, generation: int, version: str) -> bool:
        """Whether a process parked in the zygote's lot for this data version is now ours."""
        path = os.environ.get(ZYGOTE)
        if not path or not version:
            return False
        taken = take(path, version)
        if taken is None:
            return False
        worker = Worker(taken, generation, version)  # its CPU time is read at its first job
        if worker.proc.poll() is not None:  # ended while parked, not yet reaped by the zygote
            worker.kill()  # closes our ends
            return False
        self._admit(worker)
        return True

    def _admit(self, worker: Worker) -> None:
        """A process that came up (started or taken from the lot) joins the idle ones, unless
        the data changed meanwhile (or the worker is being stopped: `stop_soon`)."""
        if worker.generation != self._generation or _stopped():
            worker.kill()
            return
        self._failed = False
        self._idle.put(worker)
        self._ready.set()

    def _launch(self) -> subprocess.Popen | Forked:
        """A new query process: forked by the server's zygote (`ssm serve` names it), else, or
        when it cannot, a fresh interpreter."""
        path = os.environ.get(ZYGOTE)
        if path:
            try:
                return fork(path, isolate=self.settings.isolate_network,
                            memory_mb=self.settings.worker_memory_mb)  # fmt: skip
            except OSError as e:
                log.debug("query-process zygote at %s: %r", path, e)
                _warn_once("the query-process zygote is gone (or cannot fork); query processes "
                           "start as new interpreters")  # fmt: skip
        return subprocess.Popen(self._argv(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                env=_worker_env(), close_fds=True)  # fmt: skip

    def _argv(self) -> list[str]:
        argv = [sys.executable, "-m", "oas_ssm.server.sparql.worker"]
        argv += ["--memory-mb", str(self.settings.worker_memory_mb)]
        if self.settings.isolate_network:
            argv.append("--isolate")
        return argv


def _answer(worker: Worker, frame: object) -> tuple[int, bytes | str]:
    """(status, body) of a job's reply frame; notes the CPU time the process reported."""
    status, body, worker.cpu = frame  # type: ignore[misc]
    return status, body


def _cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) `pid` has used, None where /proc cannot tell."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, IndexError, ValueError):
        return None


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def stop_soon(grace: float) -> None:
    """This web worker will be ended in a few seconds (the server is stopping): the queries
    still running `grace` seconds from now are stopped (their processes killed) and answered 503
    by `Pool.run`, and later ones are refused the same way. Called from a signal handler: it
    only notes the time and starts a timer; a second call changes nothing."""
    global _stop_by
    if _stop_by is not None:
        return
    _stop_by = time.monotonic() + grace
    timer = threading.Timer(grace, _kill_all)
    timer.daemon = True
    timer.start()


def _stopped() -> bool:
    """Whether `stop_soon`'s grace is over (its query processes killed or being killed)."""
    return _stop_by is not None and time.monotonic() >= _stop_by


def _refuse_if_stopped() -> None:
    """`SparqlError` 503 (the server is stopping) once `stop_soon`'s grace is over."""
    if _stopped():
        raise _stopping()


def _stopping() -> SparqlError:
    return SparqlError(
        503,
        "The server is stopping (a restart or an update); this query was not finished. "
        "Retry in a moment.",
        headers=(("Retry-After", "5"),),
    )


def _busy() -> SparqlError:
    return SparqlError(
        429, "Too many queries at once; retry in a moment.", headers=(("Retry-After", "1"),)
    )


def _worker_env() -> dict[str, str]:
    env = dict(os.environ)
    env["RUST_BACKTRACE"] = "0"  # an engine abort (out of memory) is logged in one line
    return env


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        log.warning(message)


@atexit.register
def _kill_all() -> None:
    """The query processes still running (ours or the zygote's) are killed: at exit, and
    when `stop_soon`'s grace is over."""
    for worker in list(_ALL_PROCESSES):
        if worker.proc.poll() is None:
            worker.proc.kill()
