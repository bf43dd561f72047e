"""`ssm reload`: tell a running `ssm serve` to load its data again, and say what came of it.

`ssm serve` keeps one small status file per address it listens on, under its state directory
(`{state_dir}/servers/{host}_{port}.json`: its pid, the data version it serves, how many reloads
it has finished and how the last one ended), and removes it when it exits. `ssm reload` finds
the server there, sends it SIGHUP (what `kill -HUP PID` does) and waits for the load that reads
the files as they are now to end:

- exit 0: the new data is served (every worker replaced), or the data was unchanged;
- exit 1: the server refused the new data (it does not load or validate); it keeps serving the
  old data, and the reason is printed;
- exit 2: no server runs at that address with that state directory;
- exit 3: no outcome within `--timeout` seconds (the reload may still finish).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

from oas_ssm.server.config import Config
from oas_ssm.server.store import process_alive

POLL_S = 0.1


def status_path(state_dir: Path, host: str, port: int) -> Path:
    safe_host = "".join(c if c.isalnum() or c in ".-" else "_" for c in host)
    return Path(state_dir) / "servers" / f"{safe_host}_{port}.json"


class ServerStatus:
    """The status file of one running server (written by `ssm serve`, read by `ssm reload`).

    `loads` counts the loads of the data that have started; each outcome names the load it
    ends. A SIGHUP that arrives during a load starts another one after it (see the supervisor),
    so `ssm reload` waits for an outcome of a load numbered above what it read before signalling:
    that load read the files as they were when `ssm reload` ran. `started` is the process's start
    time, so a status file left by a killed server never sends a signal to a process that
    reused its pid.
    """

    def __init__(self, path: Path, version: str) -> None:
        self.path = path
        self.state = {"pid": os.getpid(), "started": process_start(os.getpid()),
                      "version": version, "loads": 0, "last": None}  # fmt: skip
        self._lock = threading.Lock()

    def publish(self) -> None:
        """Write the file atomically (a reader never sees half of it); a failure is logged, it
        never stops the server."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
            tmp.write_text(json.dumps(self.state), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as e:
            print(f"ssm serve: cannot write {self.path} (`ssm reload` relies on it): {e}",
                  file=sys.stderr, flush=True)  # fmt: skip

    def load_started(self) -> int:
        """A load of the data begins: its number."""
        with self._lock:
            self.state["loads"] += 1
            self.publish()
            return self.state["loads"]

    def finished(self, load: int, outcome: str, message: str, version: str | None = None) -> None:
        """Load number `load` ended: 'served' (new data in every worker), 'unchanged' or
        'refused'."""
        with self._lock:
            if version is not None:
                self.state["version"] = version
            self.state["last"] = {"load": load, "outcome": outcome, "message": message,
                                  "at": time.time()}  # fmt: skip
            self.publish()

    def remove(self) -> None:
        with contextlib.suppress(OSError):
            if read_status(self.path).get("pid") == os.getpid():
                self.path.unlink()


def process_start(pid: int) -> int | None:
    """When `pid` started (clock ticks since boot, /proc/PID/stat field 22); None if unknown."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def read_status(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = Config()
    parser.add_argument("--host", default=defaults.host,
                        help="the address `ssm serve` listens on (default %(default)s)")
    parser.add_argument("--port", type=int, default=defaults.port,
                        help="its port (default %(default)s)")
    parser.add_argument("--state-dir", default=str(defaults.state_dir), metavar="DIR",
                        help="its --state-dir (default %(default)s)")
    parser.add_argument("--timeout", type=float, default=300.0, metavar="S",
                        help="seconds to wait for the outcome (default %(default)s)")


def run(args: argparse.Namespace) -> int:
    path = status_path(Path(args.state_dir), args.host, args.port)
    before = read_status(path)
    pid = before.get("pid")
    if not isinstance(pid, int) or not _same_server(pid, before):
        print(f"ssm reload: no `ssm serve` runs on {args.host}:{args.port} with state directory "
              f"{args.state_dir} (no live server in {path})", file=sys.stderr)  # fmt: skip
        return 2
    loads_before = before.get("loads", 0)
    os.kill(pid, signal.SIGHUP)
    print(f"ssm reload: asked the server (pid {pid}) to load its data again…", flush=True)
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        time.sleep(POLL_S)
        now = read_status(path)
        if now.get("pid") != pid or not _same_server(pid, before):
            print("ssm reload: the server stopped while reloading", file=sys.stderr)
            return 2
        last = now.get("last") or {}
        if last.get("load", 0) > loads_before:
            stream = sys.stderr if last["outcome"] == "refused" else sys.stdout
            print(f"ssm reload: {last['message']}", file=stream)
            return 1 if last["outcome"] == "refused" else 0
    print(f"ssm reload: no outcome within {args.timeout:g} s; the reload may still finish "
          f"(watch the server's log)", file=sys.stderr)  # fmt: skip
    return 3


def _same_server(pid: int, status: dict) -> bool:
    """Whether `pid` is still the server that wrote `status` (alive, and not a process that
    reused its pid after it was killed)."""
    return process_alive(pid) and process_start(pid) == status.get("started")
