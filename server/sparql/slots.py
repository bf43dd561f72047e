"""Machine-wide bounds on running queries, shared by every web worker of every server that uses
the same state directory.

Each web worker has its own query processes, so a per-process bound would let a light query wait
behind heavy ones in its own worker while another worker sits idle. Instead, a query holds one of
N slot files under an exclusive `flock` while it runs. The kernel drops a dead process's locks, so
a crashed worker never leaks a slot. There are two kinds (see `oas_ssm.server.sparql.pool`):
`run` slots for every query that starts, `long` slots for the few allowed to run on past the
light-query threshold, so heavy queries can never hold every `run` slot.

`ssm serve` names the directory (`{state_dir}/slots`, created once and kept: fixed names, nothing
to leak) in SSM_SPARQL_SLOTS; without it (an app built in a test) the bound is per process.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from pathlib import Path

ENV = "SSM_SPARQL_SLOTS"
POLL_S = 0.002


def prepare_slots(state_dir: Path, settings: object = None) -> Path:
    """Name the shared slot directory for the workers about to be forked (created if absent)."""
    directory = Path(state_dir) / "slots"
    directory.mkdir(parents=True, exist_ok=True)
    os.environ[ENV] = str(directory)
    return directory


class Slots:
    """`acquire(timeout)` returns a held slot or None; `release(slot)` frees it.

    `n` slots of one `kind`: files `{kind}-0` … under SSM_SPARQL_SLOTS (machine-wide), else a
    semaphore (this process only). Threads of one process first pass a local gate of `n`, so at
    most `n` of them poll the files; a slot freed in this process wakes one of them at once (a
slot freed by another process is noticed within `POLL_S`).
    """

    def __init__(self, n: int, kind: str = "run") -> None:
        self._gate = threading.BoundedSemaphore(n)
        self._freed = threading.Condition()
        self._paths: list[Path] = []
        shared = os.environ.get(ENV)
        if shared and Path(shared).is_dir():
            self._paths = [Path(shared) / f"{kind}-{i}" for i in range(n)]
            for path in self._paths:
                path.touch(exist_ok=True)

    def acquire(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        if not self._gate.acquire(timeout=max(0.0, timeout)):
            return None
        if not self._paths:
            return -1
        while True:
            for path in self._paths:
                fd = os.open(path, os.O_RDONLY)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return fd
                except BlockingIOError:
                    os.close(fd)
            left = deadline - time.monotonic()
            if left <= 0:
                self._gate.release()
                return None
            with self._freed:
                self._freed.wait(min(POLL_S, left))

    def release(self, slot: int) -> None:
        if slot >= 0:
            with contextlib.suppress(OSError):
                fcntl.flock(slot, fcntl.LOCK_UN)
            with contextlib.suppress(OSError):
                os.close(slot)
            with self._freed:
                self._freed.notify()
        self._gate.release()
