"""`ssm reload`: tell a running `ssm serve` to load its data again, and say what came of it.

`ssm serve` keeps one small status file per address it listens on, under its state directory
(`{state_dir}/servers/{host}_{port}.json`: its pid, the data version it serves, how many reloads
it has finished and how the last one ended), and removes it when it exits. `ssm reload` finds
the server there, sends it SIGHUP (what `kill -HUP PID` does) and waits for that reload to end:

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
import time
from pathlib import Path

from oas_ssm.server.config import Config
from oas_ssm.server.store import process_alive

POLL_S = 0.1


def status_path(state_dir: Path, host: str, port: int) -> Path:
    safe_host = "".join(c if c.isalnum() or c in ".-" else "_" for c in host)
    return Path(state_dir) / "servers" / f"{safe_host}_{port}.json"


class ServerStatus:
    """The status file of one running server (written by `ssm serve`, read by `ssm reload`)."""

    def __init__(self, path: Path, version: str) -> None:
        self.path = path
        self.state = {"pid": os.getpid(), "version": version, "reloads": 0, "last": None}

    def publish(self) -> None:
        """Write the file atomically (a reader never sees half of it)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(self.state), encoding="utf-8")
        os.replace(tmp, self.path)

    def finished(self, outcome: str, message: str, version: str | None = None) -> None:
        """One reload ended: 'served' (new data in every worker), 'unchanged' or 'refused'."""
        if version is not None:
            self.state["version"] = version
        self.state["reloads"] += 1
        self.state["last"] = {"outcome": outcome, "message": message, "at": time.time()}
        self.publish()

    def remove(self) -> None:
        with contextlib.suppress(OSError):
            if read_status(self.path).get("pid") == os.getpid():
                self.path.unlink()


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
    if not isinstance(pid, int) or not process_alive(pid):
        print(f"ssm reload: no `ssm serve` runs on {args.host}:{args.port} with state directory "
              f"{args.state_dir} (no live server in {path})", file=sys.stderr)  # fmt: skip
        return 2
    done_before = before.get("reloads", 0)
    os.kill(pid, signal.SIGHUP)
    print(f"ssm reload: asked the server (pid {pid}) to load its data again…", flush=True)
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        time.sleep(POLL_S)
        now = read_status(path)
        if not process_alive(pid) or now.get("pid") != pid:
            print("ssm reload: the server stopped while reloading", file=sys.stderr)
            return 2
        if now.get("reloads", 0) > done_before and now.get("last"):
            last = now["last"]
            stream = sys.stderr if last["outcome"] == "refused" else sys.stdout
            print(f"ssm reload: {last['message']}", file=stream)
            return 1 if last["outcome"] == "refused" else 0
    print(f"ssm reload: no outcome within {args.timeout:g} s; the reload may still finish "
          f"(watch the server's log)", file=sys.stderr)  # fmt: skip
    return 3
