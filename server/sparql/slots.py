"""A machine-wide bound on running queries, shared by every web worker process.

Each web worker has its own query processes, so a per-process bound lets a light query wait
behind heavy ones in its own worker while another worker sits idle. Instead, a query holds one
of N slot files under an exclusive `flock` while it runs. The kernel drops a dead process's
locks, so a crashed worker never leaks a slot. `ssm serve` creates the directory before forking
and names it in SSM_SPARQL_SLOTS; without it (a single-process app) the bound is per process.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import time
from pathlib import Path

ENV = "SSM_SPARQL_SLOTS"


def prepare_slots(n: int) -> Path:
    """Create the slot files for `n` concurrent queries and name them for the forked workers."""
    directory = Path(tempfile.mkdtemp(prefix="ssm-sparql-slots-"))
    for i in range(n):
        (directory / f"slot-{i}").touch()
    os.environ[ENV] = str(directory)
    return directory


class Slots:
    """`acquire(timeout)` returns a held slot (an open fd) or None; `release(fd)` frees it."""

    def __init__(self, n: int) -> None:
        shared = os.environ.get(ENV)
        if shared and Path(shared).is_dir():
            directory = Path(shared)
        else:  # not under `ssm serve`: a bound for this process only
            directory = Path(tempfile.mkdtemp(prefix="ssm-sparql-slots-"))
            for i in range(n):
                (directory / f"slot-{i}").touch()
        self._paths = sorted(directory.glob("slot-*"))

    def acquire(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while True:
            for path in self._paths:
                fd = os.open(path, os.O_RDONLY)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return fd
                except BlockingIOError:
                    os.close(fd)
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.002)

    @staticmethod
    def release(fd: int) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        with contextlib.suppress(OSError):
            os.close(fd)
