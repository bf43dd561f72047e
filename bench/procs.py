"""The processes the bench starts: each in its own session, all ended on exit, error or Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

PORT_RANGE = range(8400, 8500)


class StartError(RuntimeError):
    """A process did not come up; the message carries the tail of its log."""


class Processes:
    """A registry of started processes (process groups); `close()` ends every one of them."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self._started: list[subprocess.Popen] = []

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self, name: str, argv: Sequence[str], cwd: Path | None = None,
              env: dict[str, str] | None = None) -> subprocess.Popen:
        """Start `argv` in a new session, output to `{log_dir}/{name}.log`."""
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            list(argv), cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        proc.log_path = log.name  # type: ignore[attr-defined]
        proc.log_file = log  # type: ignore[attr-defined]
        self._started.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen, grace: float = 5.0) -> None:
        """SIGTERM the process group, SIGKILL it after `grace` seconds."""
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(grace)
        # Children that outlived their leader (e.g. forked workers) share the group id.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        getattr(proc, "log_file", None) and proc.log_file.close()  # type: ignore[attr-defined]

    def close(self) -> None:
        while self._started:
            self.stop(self._started.pop())


def log_tail(proc: subprocess.Popen, lines: int = 15) -> str:
    path = getattr(proc, "log_path", None)
    if not path:
        return ""
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def free_port(taken: set[int] | None = None) -> int:
    """A port in 8400-8499 that nothing listens on and `taken` does not hold."""
    taken = taken if taken is not None else set()
    for port in PORT_RANGE:
        if port in taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        taken.add(port)
        return port
    raise StartError("no free port in 8400-8499")


def wait_ok(url: str, proc: subprocess.Popen, timeout: float, accept: str = "*/*",
            started: float | None = None) -> float:
    """Poll `url` until it answers 2xx (at most `timeout` s); seconds since `started`."""
    started = time.perf_counter() if started is None else started
    deadline = time.perf_counter() + timeout
    req = urllib.request.Request(url, headers={"Accept": accept})
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            tail = log_tail(proc)
            raise StartError(f"exited with {proc.returncode} before answering {url}\n{tail}")
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                r.read()
                if 200 <= r.status < 300:
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.02)
    raise StartError(f"no answer from {url} within {timeout:.0f} s\n{log_tail(proc)}")


def memory_mb(pid: int) -> float:
    """Memory of `pid` and all its descendants in MB: PSS where readable (forked workers share
    pages; PSS counts each shared page once, split among its users), else RSS."""
    return sum(_pss_kb(p) for p, _ in _tree(pid)) / 1e3


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by `pid` and its descendants, including children
    that already ended and were reaped (a killed query process still counts)."""
    return sum(sum(int(f) for f in fields[11:15]) for _, fields in _tree(pid)) / _TICKS


_TICKS = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[tuple[int, str]]:
    """The direct children of `pid`, each with its name (the kernel's: `ssm-zygote` …)."""
    procs, kids = _scan()
    return sorted((c, procs[c][0]) for c in kids.get(pid, ()) if c in procs)


def _tree(pid: int) -> list[tuple[int, list[str]]]:
    """`pid` and every descendant, each with the fields of its /proc stat after the name."""
    procs, kids = _scan()
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        if p in procs:
            out.append((p, procs[p][1]))
        stack.extend(kids.get(p, ()))
    return out


def _scan() -> tuple[dict[int, tuple[str, list[str]]], dict[int, list[int]]]:
    """Every process, with its name and the fields of its /proc stat after the name; and the
    children of each (one pass over /proc)."""
    procs: dict[int, tuple[str, list[str]]] = {}
    kids: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                head, tail = (entry / "stat").read_text().rsplit(")", 1)
            except (OSError, ValueError):
                continue
            fields = tail.split()
            procs[int(entry.name)] = (head.split("(", 1)[-1], fields)
            kids.setdefault(int(fields[1]), []).append(int(entry.name))
    return procs, kids


def _pss_kb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return float(line.split()[1])
    except OSError:
        pass
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1e3
    except OSError:
        return 0.0
