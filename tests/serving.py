"""Starting a server for a test: wait until it answers, or say why it did not (its log)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests


def wait_until_answering(
    process: subprocess.Popen, probe_url: str, log: Path, timeout: float, what: str = "ssm serve"
) -> float:
    """Seconds from now until `probe_url` answers; RuntimeError with the log if the process
    exits first or nothing answers within `timeout` seconds."""
    started = time.monotonic()
    while True:
        if process.poll() is not None:
            output = log.read_text(errors="replace")
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{output}")
        try:
            requests.get(probe_url, timeout=1)
            return time.monotonic() - started
        except (requests.ConnectionError, requests.Timeout):  # not up, or its workers starting
            if time.monotonic() - started > timeout:
                raise RuntimeError(f"{what} did not answer in {timeout:g} s") from None
            time.sleep(0.05)


def port_range(default: tuple[int, int]) -> tuple[int, int]:
    """[start, stop) for test servers: `default`, or `SSM_TEST_PORTS=START-END` (inclusive)."""
    start, dash, end = os.environ.get("SSM_TEST_PORTS", "").partition("-")
    if dash and start.isdigit() and end.isdigit():
        return int(start), int(end) + 1
    return default


def free_port(default: tuple[int, int]) -> int:
    """A loopback port in `default` (or `SSM_TEST_PORTS`) nobody listens on right now; starting
    from an offset derived from the pid, so parallel test runs rarely race for the same port."""
    start, stop = port_range(default)
    offset = os.getpid() % (stop - start)
    for i in range(stop - start):
        port = start + (offset + i) % (stop - start)
        with socket.socket() as s, contextlib.suppress(OSError):
            s.bind(("127.0.0.1", port))
            return port
    raise RuntimeError(f"no free port in {start}-{stop - 1}")


def stop(process: subprocess.Popen, sig: int = signal.SIGINT) -> None:
    """Ask the server to stop (`sig`: SIGINT, as Ctrl-C would), kill it if it has not within
    10 s."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
