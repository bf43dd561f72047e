"""The zygote: one lean process per server that forks the query processes.

A query process started as a fresh interpreter (`python -m oas_ssm.server.sparql.worker`) loads
Python, pyoxigraph and the worker's modules on its own: tens of MB of private memory each, and
every web worker runs up to `max_concurrent + max_long` of them. `ssm serve` instead starts this
process once (`start`, before it forks any web worker); it imports what a
query process needs and then forks one per request, so every query process of the server shares
the pages of the interpreter and of those modules.

Protocol (an AF_UNIX stream socket with a random name in the abstract namespace, so nothing is
written to disk, named in SSM_SPARQL_ZYGOTE; only processes of our user are answered; one
connection per request): the web worker sends `{"isolate": bool, "memory_mb": int}` (JSON) with
two file descriptors (SCM_RIGHTS): the read end of the new process's stdin and the write end of
its stdout. The zygote forks; the child puts them on fds 0 and 1 and runs `worker.run`, exactly
as `python -m oas_ssm.server.sparql.worker` would. The zygote answers `{"pid": n}` with a pidfd
of the child, so that the web worker signals that process and never a recycled pid, or
`{"error": text}`. The web worker holds the other ends of the pipes: the query process sees their
end (EOF, or a hang-up seen by its watchdog) when the web worker goes away.

The lot: a web worker whose query process has been idle a while parks it here (`park`: its pid,
its data version and the web worker's two pipe ends); a web worker that needs a
process for that version takes it (`take`) instead of forking and loading one. The zygote keeps
at most `keep` parked (the oldest are killed) and kills those of another version when asked for
one: idle processes are a machine-wide few, however many web workers there are, while a busy
web worker keeps its own without asking anyone. Only the zygote's own children are parked.

The zygote is single-threaded (so a child may still `unshare` its namespaces and set its limits
right after the fork), reaps its children, survives their crashes and its clients' mistakes, and
ends with the server (a parent-death signal and a check of its parent every second). Where there
is none (an app built in-process by a test) or it is gone, the pool starts query processes as
fresh interpreters (`oas_ssm.server.sparql.pool`).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import ctypes
import gc
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

from ..store import process_alive

ENV = "SSM_SPARQL_ZYGOTE"
REQUEST_TIMEOUT_S = 30.0  # a web worker waits this long for its process (the zygote forks in ms)
PARK_TIMEOUT_S = 5.0  # a park not answered in this long is refused by the zygote when it comes
CLIENT_TIMEOUT_S = 5.0  # the zygote waits this long for a request's bytes once connected
LAST_REAP_S = 2.0  # at the end, the children (whose web workers are gone) get this long to end
PR_SET_NAME = 15
PR_SET_PDEATHSIG = 1
_HANDLED = {signal.SIGCHLD, signal.SIGTERM}  # the signals the zygote itself handles


# -- in the serving process (ssm serve) ----------------------------------------------------------


def start() -> subprocess.Popen | None:
    """Start the zygote for the web workers about to be forked and name its socket in
    SSM_SPARQL_ZYGOTE; None (nothing named: query processes start as fresh interpreters) where
    it cannot run. Call it from the main thread, before the web workers are forked: the
    parent-death signal that ends the zygote follows the thread that started it."""
    if not sys.platform.startswith("linux") or not hasattr(socket, "send_fds"):
        return None
    path = f"@ssm-zygote-{os.getpid()}-{os.urandom(8).hex()}"  # @: the abstract namespace
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(_address(path))  # listening now: requests queue until the zygote is up
        listener.listen(64)
        argv = [sys.executable, "-m", "oas_ssm.server.sparql.zygote", "--fd",
                str(listener.fileno()), "--parent", str(os.getpid())]
        env = {**os.environ, "RUST_BACKTRACE": "0", ENV: path}  # RUST_BACKTRACE: see pool
        process = subprocess.Popen(argv, pass_fds=(listener.fileno(),), stdin=subprocess.DEVNULL,
                                   env=env)  # fmt: skip
    except OSError as e:
        print(f"ssm serve: query processes start as new interpreters (no zygote: {e})",
              file=sys.stderr, flush=True)  # fmt: skip
        return None
    finally:
        listener.close()
    os.environ[ENV] = path
    atexit.register(_stop, process, os.getpid())
    return process


def _stop(process: subprocess.Popen, owner: int) -> None:
    """At the server's exit: end the zygote (its query processes end with their web workers)."""
    if os.getpid() != owner:  # a forked child that ran the exit handlers it inherited
        return
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _address(path: str) -> str:
    """The socket address of SSM_SPARQL_ZYGOTE's value (a leading @ names an abstract one)."""
    return "\0" + path[1:] if path.startswith("@") else path


# -- in a web worker (the pool) ------------------------------------------------------------------


class Forked:
    """A query process forked by the zygote, with the part of `subprocess.Popen` the pool uses.

    It is not our child, so it is signalled through its pidfd (or its pid, where the kernel has
    no pidfds) and its end is seen there, not waited for; `returncode` is -SIGKILL once we
    killed it, -1 when it ended otherwise (the zygote reaps it and keeps the status). The pidfd
    is used and closed under a lock: a kill from another thread (`pool.stop_soon`'s timer) must
    never signal through a descriptor closed, or reused, meanwhile."""

    def __init__(self, pid: int, pidfd: int | None, stdin, stdout) -> None:
        self.pid = pid
        self.stdin = stdin
        self.stdout = stdout
        self.returncode: int | None = None
        self._pidfd = pidfd
        self._had_pidfd = pidfd is not None
        self._pidfd_lock = threading.Lock()
        self._killed = False

    def poll(self) -> int | None:
        if self.returncode is None and not self._alive():
            self.returncode = -signal.SIGKILL if self._killed else -1
            self._close_pidfd()
        return self.returncode

    def kill(self) -> None:
        if self.poll() is not None:
            return
        self._killed = True
        with self._pidfd_lock, contextlib.suppress(ProcessLookupError):
            if self._pidfd is not None:
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            elif not self._had_pidfd:  # (its pidfd closed: it has ended, and its pid is not ours)
                os.kill(self.pid, signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"query process {self.pid}", timeout)
            if self._had_pidfd:  # readable once the process has ended (short waits: the lock)
                left = 0.1 if deadline is None else deadline - time.monotonic()
                self._ended(max(0.0, min(left, 0.1)))
            else:
                time.sleep(0.01)
        return self.returncode  # type: ignore[return-value]

    def _ended(self, timeout: float) -> bool:
        """Whether the pidfd says the process has ended (or it was closed: it had), waiting up
        to `timeout` seconds (poll, not select: a web worker's descriptors go far beyond
        select's 1024); the lock is held, so a wait here delays a kill by at most `timeout`."""
        with self._pidfd_lock:
            if self._pidfd is None:
                return True
            poller = select.poll()
            poller.register(self._pidfd, select.POLLIN)
            return bool(poller.poll(int(timeout * 1000)))

    def _alive(self) -> bool:
        if self._had_pidfd:
            return not self._ended(0)
        if not process_alive(self.pid):
            return False
        try:  # a zombie not yet reaped by the zygote has ended too
            with open(f"/proc/{self.pid}/stat", "rb") as f:
                return f.read().rsplit(b")", 1)[1].split()[0] != b"Z"
        except (OSError, IndexError):
            return False

    def _close_pidfd(self) -> None:
        with self._pidfd_lock:
            if self._pidfd is not None:
                with contextlib.suppress(OSError):
                    os.close(self._pidfd)
                self._pidfd = None

    def __del__(self) -> None:
        self._close_pidfd()


def fork(path: str, *, isolate: bool, memory_mb: int) -> Forked:
    """A new query process from the zygote listening at `path`; `OSError` if it cannot give one."""
    stdin_r, stdin_w = os.pipe()
    stdout_r, stdout_w = os.pipe()
    keep: list[int] = [stdin_w, stdout_r]
    try:
        reply, fds = _ask(path, {"isolate": isolate, "memory_mb": memory_mb}, [stdin_r, stdout_w])
        if "pid" not in reply:
            _close(fds)
            raise OSError(f"the zygote could not start a query process: {reply.get('error')}")
        process = Forked(int(reply["pid"]), fds[0] if fds else None,
                         os.fdopen(stdin_w, "wb"), os.fdopen(stdout_r, "rb"))  # fmt: skip
        keep = []
        return process
    finally:
        for fd in (stdin_r, stdout_w, *keep):  # the child's ends are the child's alone now
            os.close(fd)


def park(path: str, process: Forked, version: str, keep: int) -> str:
    """Hand the idle `process` (loaded with `version`) to the zygote's lot, which keeps at most
    `keep`: "parked" (then close our pipe ends: the zygote holds them now), "refused" (it is
    still ours alone), or "unknown" when the zygote did not answer in time: it may park it
    later, so the caller must neither keep nor reuse it (kill it)."""
    request = {"op": "park", "pid": process.pid, "version": version, "keep": keep,
               "until": time.monotonic() + PARK_TIMEOUT_S}  # fmt: skip
    try:
        reply, fds = _ask(path, request, [process.stdin.fileno(), process.stdout.fileno()],
                          timeout=PARK_TIMEOUT_S)  # fmt: skip
    except _Unanswered:
        return "unknown"
    except OSError:
        return "refused"  # not even sent: no zygote there
    _close(fds)
    return "parked" if reply.get("parked") else "refused"


def take(path: str, version: str) -> Forked | None:
    """A process parked for `version`, or None: none is parked, or the zygote is gone or
    answers nonsense."""
    try:
        reply, fds = _ask(path, {"op": "take", "version": version}, [])
    except OSError:
        return None
    try:
        if len(fds) != 3:  # its pipe ends and a pidfd, or nothing usable
            raise ValueError(f"{len(fds)} descriptors")
        pid = int(reply["pid"])
        stdin, stdout = os.fdopen(fds[0], "wb"), os.fdopen(fds[1], "rb")
    except (KeyError, ValueError, TypeError, OverflowError, OSError):
        _close(fds)
        return None
    return Forked(pid, fds[2], stdin, stdout)


class _Unanswered(OSError):
    """The request was sent, and no answer came."""


def _ask(path: str, request: dict, fds: list[int],
         timeout: float = REQUEST_TIMEOUT_S) -> tuple[dict, list[int]]:  # fmt: skip
    """One request to the zygote: its JSON reply and the descriptors that came with it.
    `OSError` if it could not be sent, `_Unanswered` if no reply came after it was."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        try:
            conn.connect(_address(path))
            socket.send_fds(conn, [json.dumps(request).encode()], fds)
        except TimeoutError as e:
            raise OSError(f"the zygote did not answer: {e!r}") from None
        try:
            message, received, _, _ = socket.recv_fds(conn, 4096, 3)
        except (OSError, ValueError) as e:
            raise _Unanswered(f"the zygote did not answer: {e!r}") from None
    try:
        reply = json.loads(message) if message else {"error": "no answer"}
    except ValueError:
        reply = {"error": f"unreadable answer {message[:80]!r}"}
    return (reply if isinstance(reply, dict) else {"error": "unreadable answer"}), received


# -- the zygote itself ---------------------------------------------------------------------------


def _prctl(option: int, value: int | bytes) -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


def _preload() -> None:
    """Import, here and once, everything a query process imports (see worker.run / run_job)."""
    import pyoxigraph  # noqa: F401

    from . import results, worker  # noqa: F401


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="forks SPARQL query processes (ssm serve)")
    parser.add_argument("--fd", type=int, required=True, help="the listening socket")
    parser.add_argument("--parent", type=int, required=True, help="end when this process has")
    args = parser.parse_args(argv)
    _prctl(PR_SET_NAME, b"ssm-zygote")
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the group: the server decides
    signal.signal(signal.SIGTERM, _terminate)
    lot = Lot()
    try:
        if os.getppid() != args.parent:  # the server ended before the death signal was armed
            return
        listener = socket.socket(fileno=args.fd)
        listener.setblocking(True)
        _preload()
        gc.collect()
        gc.freeze()  # the children's collector then never writes to (copies) these objects
        serve(listener, args.parent, lot)
    except SystemExit:
        pass
    finally:
        lot.clear()  # parked processes see their pipes close and end
        _reap(lot, wait_s=LAST_REAP_S)


def _terminate(signum, frame) -> None:
    raise SystemExit(0)


class Lot:
    """The idle query processes parked by web workers (see the module's docstring), and which
    processes are ours to park: those this zygote forked and has not reaped."""

    def __init__(self) -> None:
        self.children: set[int] = set()
        self._parked: list[dict] = []  # oldest first: version, pid, fds (stdin_w, stdout_r)

    def park(self, version: str, pid: int, fds: list[int], keep: int) -> None:
        """Keep `pid`'s pipe ends (the caller no longer closes `fds`); `ValueError` if it is not
        one of our living children."""
        if pid not in self.children or len(fds) != 2:
            raise ValueError(f"process {pid} is not a query process of this zygote")
        if any(entry["pid"] == pid for entry in self._parked):
            raise ValueError(f"process {pid} is parked already")
        self._parked.append({"version": version, "pid": pid, "fds": list(fds)})
        while len(self._parked) > max(0, keep):
            self._evict(self._parked.pop(0))

    def take(self, version: str) -> dict | None:
        """The most recently parked process of `version`, out of the lot; those of another
        version are killed (a web worker asking for a version means the others are old)."""
        for entry in [e for e in self._parked if e["version"] != version]:
            self._parked.remove(entry)
            self._evict(entry)
        return self._parked.pop() if self._parked else None

    def ended(self, pid: int) -> None:
        self.children.discard(pid)
        for entry in [e for e in self._parked if e["pid"] == pid]:
            self._parked.remove(entry)
            _close(entry["fds"])

    def clear(self) -> None:
        while self._parked:
            self._evict(self._parked.pop())

    def descriptors(self) -> list[int]:
        """The pipe ends held for parked processes (a child forked now must not keep them: a
        parked process must see its pipes hang up when its next web worker goes away)."""
        return [fd for entry in self._parked for fd in entry["fds"]]

    @staticmethod
    def _evict(entry: dict) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(entry["pid"], signal.SIGKILL)  # our child, not reaped yet: not a reused pid
        _close(entry["fds"])


def _close(fds: list[int]) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)


def serve(listener: socket.socket, parent: int, lot: Lot) -> None:
    """Answer requests (fork, park, take) until the parent is gone."""
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)  # SIGCHLD wakes the poll below: children are reaped at once
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    poller = select.poll()
    poller.register(listener.fileno(), select.POLLIN)
    poller.register(wake_r, select.POLLIN)
    while True:
        events = poller.poll(1000)
        _reap(lot)
        if os.getppid() != parent:
            return
        for fd, _ in events:
            if fd == wake_r:
                with contextlib.suppress(BlockingIOError):
                    os.read(wake_r, 512)
                continue
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                _answer(conn, listener, (wake_r, wake_w), lot)


def _reap(lot: Lot, wait_s: float = 0.0) -> None:
    """Collect the children that have ended; with `wait_s`, wait that long for the others."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return  # none left
        if pid == 0:
            if time.monotonic() >= deadline:
                return
            time.sleep(0.02)
        else:
            lot.ended(pid)


def _answer(conn: socket.socket, listener: socket.socket, own: tuple[int, int], lot: Lot) -> None:
    """One request: fork a query process over the two descriptors received and say its pid; or
    park a process in the lot, or take one out of it."""
    fds: list[int] = []
    try:
        # anyone may connect to an abstract socket (its name is listed in /proc/net/unix): we
        # answer our own user only, and look before reading, so nobody else can make us wait
        _, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                        struct.calcsize("3i")))  # fmt: skip
        if uid != os.getuid():
            raise PermissionError(f"a process of user {uid} asked for a query process")
        conn.settimeout(CLIENT_TIMEOUT_S)
        message, fds, _, _ = socket.recv_fds(conn, 4096, 2)
        options = json.loads(message)
        op = options.get("op", "fork")
        if op == "park":
            if not time.monotonic() <= float(options["until"]):  # its web worker gave up on it
                raise TimeoutError("a park request came too late")
            lot.park(str(options["version"]), int(options["pid"]), fds, int(options["keep"]))
            fds = []  # the lot's now
            conn.sendall(json.dumps({"parked": True}).encode())
            return
        if op == "take":
            entry = lot.take(str(options["version"]))
            if entry is None:
                conn.sendall(json.dumps({"none": True}).encode())
                return
            _hand_over(conn, entry)
            return
        if len(fds) != 2:
            raise ValueError(f"{len(fds)} file descriptors sent, not 2")
        isolate, memory_mb = bool(options["isolate"]), int(options["memory_mb"])
        sys.stderr.flush()
        signal.pthread_sigmask(signal.SIG_BLOCK, _HANDLED)  # no handler of ours in the child
        try:
            pid = os.fork()
            if pid == 0:
                # never returns; closes the parked processes' pipe ends too
                _child(conn, listener, (*own, *lot.descriptors()), fds, isolate, memory_mb)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _HANDLED)
        lot.children.add(pid)
        _send_pid(conn, {"pid": pid}, pid)
    except Exception as e:  # noqa: BLE001 - whatever a request holds, the zygote stays up
        print(f"query-process zygote: request refused: {e!r}", file=sys.stderr, flush=True)
        with contextlib.suppress(OSError):
            conn.sendall(json.dumps({"error": repr(e)}).encode())
    finally:
        _close(fds)


def _hand_over(conn: socket.socket, entry: dict) -> None:
    """Give a parked process to the web worker that took it: its pipe ends and a pidfd (never
    without one: the taker must not signal a pid that may be reused). Whatever fails, the
    process is killed: nobody holds it any more."""
    try:
        _send_pid(conn, {"pid": entry["pid"]}, entry["pid"], entry["fds"], required=True)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.kill(entry["pid"], signal.SIGKILL)
        raise
    finally:
        _close(entry["fds"])


def _send_pid(conn: socket.socket, reply: dict, pid: int, fds: Sequence[int] = (),
              required: bool = False) -> None:  # fmt: skip
    """Send `reply` with `fds` and a pidfd of `pid` (our child, unreaped: only _reap reaps);
    without the pidfd where the kernel has none, unless it is `required` (`OSError`)."""
    pidfd = None
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        if required:
            raise OSError(f"no pidfd for process {pid}") from None
    try:
        socket.send_fds(conn, [json.dumps(reply).encode()],
                        [*fds, *([pidfd] if pidfd is not None else [])])  # fmt: skip
    finally:
        _close([pidfd] if pidfd is not None else [])


def _child(conn, listener, own: tuple[int, ...], fds: list[int], isolate: bool,
           memory_mb: int) -> None:  # fmt: skip
    """In the forked child: become a query process on `fds` (its stdin and stdout), closing
    the zygote's own descriptors `own` first; never returns to the zygote's loop."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a fresh interpreter
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HANDLED)
        _prctl(PR_SET_NAME, b"ssm-query")
        conn.close()
        listener.close()
        for fd in own:
            os.close(fd)
        os.dup2(fds[0], 0)
        os.dup2(fds[1], 1)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        from .worker import run

        run(isolate=isolate, memory_mb=memory_mb, parent=None)
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    except BaseException:  # noqa: BLE001 - said, then this process ends
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    main()
