"""Running Debian's nginx as a test's own process: a wrapper config, a free loopback port, stop by
PID. Tests that need it skip (saying why) where nginx is not installed."""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import serving
from tests.serving import wait_until_answering

PORTS = (9600, 9700)


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if found is None:
        pytest.skip("nginx is not installed (scripts/ensure_system_deps.sh installs it as root)")
    return found


def free_port() -> int:
    return serving.free_port(PORTS)


def free_ports(n: int) -> list[int]:
    """`n` different loopback ports nobody listens on now (free_port alone returns the same one
    until something binds it)."""
    start, stop = serving.port_range(PORTS)
    found: list[int] = []
    for port in range(start, stop):
        with socket.socket() as s, contextlib.suppress(OSError):
            s.bind(("127.0.0.1", port))
            found.append(port)
            if len(found) == n:
                return found
    raise RuntimeError(f"fewer than {n} free ports in {start}-{stop - 1}")


@contextlib.contextmanager
def run_nginx(http_body: str, probe_url: str, timeout: float = 20.0) -> Iterator[Path]:
    """nginx with `events {} http { <http_body> }` until the block ends; yields its directory
    (error.log is there). Stopped by the PID it wrote, never by name."""
    binary = nginx_binary()
    tmp = Path(tempfile.mkdtemp(prefix="ssm-nginx-"))
    tmp.chmod(0o755)  # workers run as nobody when nginx starts as root
    for sub in ("logs", "tmp"):
        (tmp / sub).mkdir()
    temp_paths = "\n".join(
        f"    {name}_temp_path {tmp}/tmp/{name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp / "wrapper.conf").write_text(
        "daemon off;\nmaster_process on;\nworker_processes 1;\n"
        f"pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\n"
        "events { worker_connections 512; }\n"
        f"http {{\n    access_log off;\n{temp_paths}\n{http_body}\n}}\n"
    )
    log = tmp / "nginx.out"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [binary, "-p", str(tmp), "-c", str(tmp / "wrapper.conf")],
            stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until_answering(process, probe_url, log, timeout, what="nginx")
        yield tmp
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGQUIT)  # graceful: workers finish, then exit
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        time.sleep(0)
        shutil.rmtree(tmp, ignore_errors=True)
