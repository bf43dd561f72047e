"""Starting a server for a test: wait until it answers, or say why it did not (its log)."""

from __future__ import annotations

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
        except requests.ConnectionError:
            if time.monotonic() - started > timeout:
                raise RuntimeError(f"{what} did not answer in {timeout:g} s") from None
            time.sleep(0.05)
