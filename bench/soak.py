"""`python -m bench.soak`: a bounded robustness campaign against one `ssm serve` on loopback.

For `--duration` seconds, client threads send a mix of documents, pages and never-repeated SPARQL
queries (each closed by a unique comment, so no cache answers), and a heavy query every few seconds.
Meanwhile, at fixed points of the timeline: a slowloris wave (`--slow` connections, half sending
nothing, half a header line every 2 s; it counts those the server dropped), kill -9 of a query
process and of a web worker, two web-worker kills one right after the other, SIGHUP with renamed
data and with corrupt data, and finally SIGTERM under load. It prints (and writes to
bench/results/soak.md) a table: requests, status counts, unexpected 5xx, p99 latency overall and
during the slowloris wave, memory (PSS of the process tree) at start and end, and how long each
recovery took.

Unexpected is any 5xx or connection error on a document or page, and anything but 200/503 on a
light query (a light query whose process is killed under it gets 503 by design). The heavy query
gets 503 (deadline or long-query bound) by design. Everything runs on 127.0.0.1, every loop is
bounded by the duration, and only the processes started here are stopped.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.procs import children, memory_mb
from bench.workload import SPARQL_JSON, load_queries, unit_iris

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LABEL = '"Departamento de Seguridad Pública"@es'
RENAMED = '"Departamento de Seguridad Pública (soak)"@es'


@dataclass
class Sample:
    at: float
    kind: str
    status: int  # 0: connection error or timeout
    seconds: float


@dataclass
class Campaign:
    samples: list[Sample] = field(default_factory=list)
    events: list[tuple[str, str]] = field(default_factory=list)  # (what, outcome)
    kills: list[float] = field(default_factory=list)  # when a web worker was killed
    memory: list[tuple[float, float]] = field(default_factory=list)  # (t, MB)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    wave: tuple[float, float] | None = None

    def record(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def event(self, what: str, outcome: str) -> None:
        print(f"soak: {what}: {outcome}", file=sys.stderr, flush=True)
        self.events.append((what, outcome))


ZYGOTE_NAME = "ssm-zygote"


class Server:
    """One `ssm serve` started by the campaign (its own data copy, state dir and port)."""

    def __init__(self, workdir: Path, workers: int):
        self.data = workdir / "ssm.ttl"  # the same name: the validation stamp still applies
        shutil.copyfile(ROOT / "data" / "ssm.ttl", self.data)
        self.port = _free_port()
        self.log = workdir / "serve.log"
        argv = [sys.executable, "-m", "oas_ssm.cli", "serve", "--host", "127.0.0.1", "--port",
                str(self.port), "--data", str(self.data), "--state-dir", str(workdir / "state"),
                "--workers", str(workers)]  # fmt: skip
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 300
        while not self.answers("/robots.txt"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"ssm serve did not start:\n{self.output()[-2000:]}")
            time.sleep(0.1)

    def answers(self, path: str) -> bool:
        try:
            return get(self.port, path, timeout=2)[0] == 200
        except (OSError, http.client.HTTPException):
            return False

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def web_workers(self) -> list[int]:
        """The server's children but its zygote (`ssm-zygote`, which forks query processes)."""
        return [p for p, name in children(self.proc.pid) if name != ZYGOTE_NAME]

    def query_processes(self) -> list[int]:
        """Those forked by the zygote, and any a web worker started itself (no zygote)."""
        parents = children(self.proc.pid)  # the web workers and the zygote
        return [p for w, _ in parents for p, _ in children(w)]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def get(port: int, path: str, accept: str = "*/*", timeout: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": accept})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- load --------------------------------------------------------------------------------------


def client(server: Server, campaign: Campaign, seed: int, queries: list[str],
           units: list[str]) -> None:  # fmt: skip
    rng = random.Random(seed)
    n = 0
    while not campaign.stop.is_set():
        n += 1
        roll = rng.random()
        if roll < 0.45:
            slug = rng.choice(units).rsplit("/", 1)[-1]
            kind, path, accept = "document", f"/doc/unit/{slug}.ttl", "text/turtle"
        elif roll < 0.55:
            kind, accept = "page", "text/html"
            path = rng.choice(["/", "/search?q=lavado", "/annex", "/doc/unit/dsp.html"])
        else:
            query = f"{rng.choice(queries)}\n# soak {seed}-{n}"
            kind, accept = "sparql", SPARQL_JSON
            path = "/sparql?query=" + urllib.parse.quote(query)
        _timed(server, campaign, kind, path, accept)


def heavy(server: Server, campaign: Campaign, every: float) -> None:
    n = 0
    while not campaign.stop.wait(every):
        n += 1
        path = "/sparql?query=" + urllib.parse.quote(f"{HEAVY} # heavy {n}")
        threading.Thread(target=_timed, args=(server, campaign, "heavy", path, SPARQL_JSON),
                         daemon=True).start()  # fmt: skip


def _timed(server: Server, campaign: Campaign, kind: str, path: str, accept: str) -> None:
    t0 = time.monotonic()
    try:
        status = get(server.port, path, accept, timeout=60)[0]
    except (OSError, http.client.HTTPException):  # refused, reset, cut short, timed out
        status = 0
    campaign.record(Sample(t0, kind, status, time.monotonic() - t0))


def sample_memory(server: Server, campaign: Campaign, every: float = 5.0) -> None:
    while not campaign.stop.wait(every):
        if server.proc.poll() is None:
            campaign.memory.append((time.monotonic(), memory_mb(server.proc.pid)))


# -- faults ------------------------------------------------------------------------------------


def slowloris(server: Server, campaign: Campaign, connections: int, seconds: float) -> None:
    socks: list[socket.socket] = []
    t0 = time.monotonic()
    for i in range(connections):
        try:
            s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            if i % 2:
                s.sendall(b"GET / HTTP/1.1\r\nHost: soak\r\n")
            socks.append(s)
        except OSError:
            break
    opened = len(socks)
    while time.monotonic() - t0 < seconds and not campaign.stop.is_set():
        for s in socks[1::2]:
            with contextlib.suppress(OSError):
                s.sendall(b"X-Slow: 1\r\n")
        time.sleep(2)
    dropped = sum(_closed_by_peer(s) for s in socks)
    for s in socks:
        s.close()
    campaign.wave = (t0, time.monotonic())
    campaign.event(f"slowloris, {connections} connections for {seconds:g} s",
                   f"{opened} opened (half sending nothing, half slow headers), "
                   f"{dropped} dropped by the server by the end")  # fmt: skip


def _closed_by_peer(sock: socket.socket) -> bool:
    """Whether the other end has closed `sock` (read without waiting: end of file or reset)."""
    sock.setblocking(False)
    try:
        while sock.recv(65536):
            pass
        return True
    except BlockingIOError:
        return False
    except OSError:
        return True


def until(check, timeout: float, step: float = 0.05) -> float | None:
    """Seconds until `check()` holds, None if it did not within `timeout`."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if check():
            return time.monotonic() - t0
        time.sleep(step)
    return None


def _seconds(x: float | None) -> str:
    return "not within the bound" if x is None else f"recovered in {x:.2f} s"


def kill_query_process(server: Server, campaign: Campaign) -> None:
    """kill -9 one query process; recovered once it is reaped and a new query is answered. A
    process that ended before the signal (idle ones are parked, and the lot ends all but one)
    is skipped for the next."""
    for victim in server.query_processes()[:8]:
        try:
            os.kill(victim, signal.SIGKILL)
        except ProcessLookupError:
            continue
        took = until(lambda pid=victim: pid not in server.query_processes()
                     and server.answers(_probe()), 60)  # fmt: skip
        campaign.event("kill -9 a query process", _seconds(took))
        return
    campaign.event("kill -9 a query process", "none running")


def _probe() -> str:
    """A query path no cache has seen (it must reach a query process)."""
    query = f"ASK {{ ?s ?p ?o }} # probe {time.monotonic_ns()}"
    return "/sparql?query=" + urllib.parse.quote(query)


def kill_web_workers(server: Server, campaign: Campaign, times: int) -> None:
    count = len(server.web_workers())
    for _ in range(times):
        victims = server.web_workers()
        if victims:
            campaign.kills.append(time.monotonic())
            os.kill(victims[0], signal.SIGKILL)
        time.sleep(0.5)
    took = until(lambda: len(server.web_workers()) >= count, 60)
    alive = server.proc.poll() is None
    campaign.event(f"kill -9 a web worker ×{times}",
                   f"{_seconds(took)}; server {'running' if alive else 'STOPPED'}")


def reload_good(server: Server, campaign: Campaign) -> None:
    text = server.data.read_text(encoding="utf-8")
    server.data.write_text(text.replace(LABEL, RENAMED, 1), encoding="utf-8")
    os.kill(server.proc.pid, signal.SIGHUP)

    def renamed() -> bool:
        try:
            return b"(soak)" in get(server.port, "/doc/unit/dsp.nt", timeout=5)[1]
        except (OSError, http.client.HTTPException):
            return False

    took = until(renamed, 300, step=0.2)
    campaign.event("SIGHUP with renamed data",
                   "new data never served" if took is None else f"new data served in {took:.1f} s")


def reload_corrupt(server: Server, campaign: Campaign) -> None:
    good = server.data.read_bytes()
    server.data.write_bytes(good + b"\nthis is not turtle <<<\n")
    os.kill(server.proc.pid, signal.SIGHUP)
    refused = until(lambda: "reload refused" in server.output(), 120, step=0.2)
    still = b"(soak)" in get(server.port, "/doc/unit/dsp.nt")[1]
    server.data.write_bytes(good)
    campaign.event("SIGHUP with corrupt data",
                   ("refused, old data still served" if refused is not None and still
                    else f"refused={refused is not None}, old data served={still}"))  # fmt: skip


# -- the campaign ------------------------------------------------------------------------------


def run(duration: float, clients: int, workers: int, slow: int, heavy_every: float) -> str:
    workdir = Path(tempfile.mkdtemp(prefix="ssm-soak-"))
    campaign = Campaign()
    server = Server(workdir, workers)
    queries = list(load_queries()[0].values())
    units = unit_iris()
    threads = [threading.Thread(target=client, args=(server, campaign, i, queries, units),
                                daemon=True) for i in range(clients)]  # fmt: skip
    threads.append(threading.Thread(target=heavy, args=(server, campaign, heavy_every),
                                    daemon=True))  # fmt: skip
    threads.append(threading.Thread(target=sample_memory, args=(server, campaign), daemon=True))
    started = time.monotonic()
    for t in threads:
        t.start()
    schedule = [
        (0.10, lambda: slowloris(server, campaign, slow, min(30.0, duration * 0.1))),
        (0.25, lambda: kill_query_process(server, campaign)),
        (0.35, lambda: kill_web_workers(server, campaign, 1)),
        (0.45, lambda: reload_good(server, campaign)),
        (0.60, lambda: reload_corrupt(server, campaign)),
        (0.75, lambda: kill_web_workers(server, campaign, 2)),
    ]
    try:
        for at, action in schedule:
            wait = started + at * duration - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            action()
        time.sleep(max(0.0, started + duration - time.monotonic()))
        t0 = time.monotonic()  # SIGTERM while the clients still send
        server.proc.send_signal(signal.SIGTERM)
        try:
            code = server.proc.wait(timeout=60)
            campaign.event("SIGTERM under load",
                           f"exited ({code}) in {time.monotonic() - t0:.2f} s")
        except subprocess.TimeoutExpired:
            campaign.event("SIGTERM under load", "did not exit within 60 s")
    finally:
        campaign.stop.set()
        end = time.monotonic()
        for t in threads:
            t.join(timeout=70)
        server.stop()
        log = server.output()
        (RESULTS / "logs").mkdir(parents=True, exist_ok=True)
        (RESULTS / "logs" / "soak-serve.log").write_text(log)
        shutil.rmtree(workdir, ignore_errors=True)
    return report(campaign, started, t0 if "t0" in locals() else end, log, duration, clients,
                  workers, slow)  # fmt: skip


def _at(memory: list[tuple[float, float]], t: float) -> float:
    """The last memory sample taken at or before `t` (0 if none)."""
    before = [m for at, m in memory if at <= t]
    return before[-1] if before else 0.0


def _p99(values: list[float]) -> str:
    if not values:
        return "–"
    values = sorted(values)
    return f"{values[min(len(values) - 1, int(len(values) * 0.99))] * 1000:.0f} ms"


def report(c: Campaign, started: float, stopped: float, log: str, duration: float,
           clients: int, workers: int, slow: int) -> str:  # fmt: skip
    samples = [s for s in c.samples if s.at < stopped]  # not the requests cut by SIGTERM

    def lost_with_worker(s: Sample) -> bool:  # in flight in a web worker killed with -9
        return s.status == 0 and any(s.at <= k <= s.at + s.seconds for k in c.kills)

    lost = sum(1 for s in samples if lost_with_worker(s))
    samples = [s for s in samples if not lost_with_worker(s)]
    by_kind: dict[str, Counter] = {}
    for s in samples:
        by_kind.setdefault(s.kind, Counter())[s.status] += 1
    unexpected = sum(
        1 for s in samples
        if (s.kind in ("document", "page") and (s.status >= 500 or s.status == 0))
        or (s.kind == "sparql" and s.status not in (200, 503))
        or (s.kind == "heavy" and s.status not in (200, 503))
    )  # fmt: skip
    light = [s.seconds for s in samples if s.kind != "heavy"]
    during = [s.seconds for s in samples
              if s.kind in ("document", "page") and c.wave and c.wave[0] <= s.at <= c.wave[1]]
    mem = [m for t, m in c.memory if started + 15 < t < stopped] or [m for _, m in c.memory]
    lines = [
        f"# Soak campaign — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", "",
        f"`python -m bench.soak --duration {duration:g}`: {clients} client threads, "
        f"`--workers {workers}`, {slow} slowloris connections, a heavy query every few "
        "seconds, on loopback.", "",
        "| measure | value |", "|---|---|",
        f"| requests | {len(samples):,} (and {lost} in flight in a web worker when it was "
        "killed -9: lost with it) |",
    ]
    for kind in ("document", "page", "sparql", "heavy"):
        counts = by_kind.get(kind, Counter())
        shown = ", ".join(f"{k or 'no answer'}: {v:,}" for k, v in sorted(counts.items()))
        lines.append(f"| {kind} statuses | {shown or '–'} |")
    lines += [
        f"| unexpected 5xx or no answer | {unexpected} |",
        f"| p99 latency (everything but the heavy query) | {_p99(light)} |",
        f"| p99 latency of documents and pages during the slowloris wave | {_p99(during)} |",
        "| memory (PSS of the process tree) after 15 s → end (max) | "
        + (f"{mem[0]:.0f} MB → {mem[-1]:.0f} MB ({max(mem):.0f} MB), "
           f"{(mem[-1] - mem[0]) / mem[0] * 100:+.1f} %" if mem else "–") + " |",
        "| memory at 25 % → 50 % → 75 % → end of the run (once caches and pools are full) | "
        + " → ".join(f"{_at(c.memory, started + f * (stopped - started)):.0f} MB"
                     for f in (0.25, 0.5, 0.75, 1.0)) + " |",
    ]  # fmt: skip
    for what, outcome in c.events:
        lines.append(f"| {what} | {outcome} |")
    lines.append(f"| tracebacks in the server log | {log.count('Traceback')} "
                 "(bench/results/logs/soak-serve.log) |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    p.add_argument("--duration", type=float, default=600, help="seconds of load (default 600)")
    p.add_argument("--clients", type=int, default=8, help="client threads (default 8)")
    p.add_argument("--workers", type=int, default=2, help="ssm serve --workers (default 2)")
    p.add_argument("--slow", type=int, default=1000, help="slowloris connections (default 1000)")
    p.add_argument("--heavy-every", type=float, default=5.0, help="seconds between heavy queries")
    p.add_argument("--output", type=Path, default=RESULTS / "soak.md")
    args = p.parse_args(argv)
    if min(args.duration, args.clients, args.workers, args.slow, args.heavy_every) <= 0:
        p.error("every number must be positive")
    text = run(args.duration, args.clients, args.workers, args.slow, args.heavy_every)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
