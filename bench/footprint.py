"""What the server costs per machine at a few hundred thousand triples, beside Oxigraph server.

`python -m bench.footprint [--triples N]` writes synthetic data of N triples (`bench.synth`), then
measures, on loopback:

- Oxigraph: `oxigraph load` of the file, then `oxigraph serve-read-only` (launch → first answer,
  memory after a warm-up);
- ours: `ssm serve` on a fresh state directory (first start: parse, entail, build the store;
  it then waits until the pages' indexes, computed in the background, are saved), then twice on
  the same directory (restarts: the store and the indexes are reused), with `--workers 1` and
  `--workers 4`; memory right after a warm-up of sequential queries (every web worker then holds
  the query process it used) and at rest (`REST_S` later: idle processes parked with the
  zygote, which keeps one for the server, `oas_ssm.server.sparql.pool`).

Memory is PSS of the whole process tree (`bench.procs.memory_mb`: pages shared between processes
counted once). Our start-up includes entailment, which Oxigraph does not do.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from oas_ssm.server.sparql.pool import PARK_AFTER_S
from oas_ssm.server.store import stores_dir

from bench.peers import oxigraph_binary
from bench.procs import Processes, free_port, memory_mb, wait_ok
from bench.synth import generate
from bench.workload import SPARQL_JSON

ROOT = Path(__file__).resolve().parent.parent
WARM_QUERIES = 40  # distinct queries per start, so every worker's query processes come up
REST_S = 2 * PARK_AFTER_S + 2  # idle this long, every idle query process has been parked
INDEXES_WAIT_S = 600  # the first start's pages' indexes are saved within this


@dataclass
class Footprint:
    triples: int
    oxigraph_load_s: float = 0.0
    oxigraph_ready_s: float = 0.0
    oxigraph_mb: float = 0.0
    ours_first_s: float = 0.0  # fresh state dir: build the store
    ours_restart_s: float = 0.0  # same state dir: reuse it
    ours_mb: dict[int, float] = field(default_factory=dict)  # workers → PSS after the warm-up
    ours_rest_mb: dict[int, float] = field(default_factory=dict)  # workers → PSS at rest

    def markdown(self) -> list[str]:
        w1, w4 = self.ours_mb.get(1, 0.0), self.ours_mb.get(4, 0.0)
        r1, r4 = self.ours_rest_mb.get(1, 0.0), self.ours_rest_mb.get(4, 0.0)
        ratio = f"{w4 / w1:.2f}×" if w1 else "–"
        rest_ratio = f"{r4 / r1:.2f}×" if r1 else "–"
        return [
            f"## Footprint at {self.triples:,} triples", "",
            "| | Oxigraph server | ours |", "|---|---:|---:|",
            f"| load / first start (launch → first answer) | {self.oxigraph_load_s:.1f} s load "
            f"+ {self.oxigraph_ready_s:.1f} s start | {self.ours_first_s:.1f} s |",
            f"| restart on unchanged data | {self.oxigraph_ready_s:.1f} s "
            f"| {self.ours_restart_s:.1f} s |",
            f"| memory (PSS) after the warm-up, `--workers 1` | {self.oxigraph_mb:.0f} MB "
            f"| {w1:.0f} MB |",
            f"| memory (PSS) after the warm-up, `--workers 4` | | {w4:.0f} MB ({ratio} of 1 "
            "worker) |",
            f"| memory (PSS) at rest ({REST_S:.0f} s later), `--workers 1` | | {r1:.0f} MB |",
            f"| memory (PSS) at rest, `--workers 4` | | {r4:.0f} MB ({rest_ratio} of 1 worker) |",
            "",
            f"Our first start ÷ `oxigraph load`: "
            f"{self.ours_first_s / self.oxigraph_load_s:.2f}× (ours also entails and indexes).",
            "",
        ]


def _warm(url: str, endpoint: str, n: int = WARM_QUERIES) -> None:
    for i in range(n):
        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a ?t }} # warm {i} {time.time_ns()}"
        req = urllib.request.Request(f"{url}{endpoint}?query={urllib.parse.quote(q)}",
                                     headers={"Accept": SPARQL_JSON})  # fmt: skip
        with urllib.request.urlopen(req, timeout=120) as r:
            r.read()


def _ours(procs: Processes, data: Path, state: Path, workers: int,
          first: bool = False) -> tuple[float, float, float]:  # fmt: skip
    """(launch → first SPARQL answer in s, PSS in MB after the warm-up, PSS at rest) of one
    `ssm serve`; on a `first` start, memory is not measured: it waits for the pages' indexes."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [sys.executable, "-m", "oas_ssm.cli", "serve", "--host", "127.0.0.1", "--port",
            str(port), "--data", str(data), "--state-dir", str(state), "--workers",
            str(workers), "--skip-validation"]  # fmt: skip
    t0 = time.perf_counter()
    proc = procs.start(f"ours-w{workers}", argv, cwd=ROOT)
    ask = urllib.parse.quote("ASK {}")
    ready = wait_ok(f"{url}/sparql?query={ask}", proc, 1800, SPARQL_JSON, started=t0)
    busy = rest = 0.0
    if first:
        _indexes_saved(state, proc)
    else:
        _warm(url, "/sparql")
        time.sleep(1)  # query processes started in the background settle
        busy = memory_mb(proc.pid)
        time.sleep(REST_S)
        rest = memory_mb(proc.pid)
    procs.stop(proc)
    return ready, busy, rest


def _indexes_saved(state: Path, proc) -> None:
    """Wait (bounded) until the first start has saved the pages' indexes beside the store, as a
    server left running would; a restart then reuses them."""
    deadline = time.monotonic() + INDEXES_WAIT_S
    while not list(stores_dir(state).glob("*/web-*.pickle")):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the first start did not save the pages' indexes")
        time.sleep(0.2)


def measure(triples: int, workdir: Path, log=print) -> Footprint:
    fp = Footprint(triples)
    data = workdir / f"synth-{triples}.nt"
    log(f"footprint: writing {triples:,} triples")
    generate(triples, data)
    (workdir / "logs").mkdir(exist_ok=True)
    with Processes(workdir / "logs") as procs:
        binary = oxigraph_binary()
        location = workdir / "oxigraph-db"
        t0 = time.perf_counter()
        subprocess.run([binary, "load", "--location", str(location), "--file", str(data)],
                       check=True, capture_output=True, timeout=1800)  # fmt: skip
        fp.oxigraph_load_s = time.perf_counter() - t0
        port = free_port()
        t1 = time.perf_counter()
        proc = procs.start("oxigraph", [binary, "serve-read-only", "--location", str(location),
                                        "--bind", f"127.0.0.1:{port}"])  # fmt: skip
        ask = urllib.parse.quote("ASK {}")
        url = f"http://127.0.0.1:{port}"
        fp.oxigraph_ready_s = wait_ok(f"{url}/query?query={ask}", proc, 600, SPARQL_JSON,
                                      started=t1)  # fmt: skip
        _warm(url, "/query")
        fp.oxigraph_mb = memory_mb(proc.pid)
        procs.stop(proc)

        state = workdir / "state"
        log("footprint: ours, first start (builds the store)")
        fp.ours_first_s, _, _ = _ours(procs, data, state, 1, first=True)
        log("footprint: ours, restart (reuses it), 1 worker")
        fp.ours_restart_s, fp.ours_mb[1], fp.ours_rest_mb[1] = _ours(procs, data, state, 1)
        log("footprint: ours, restart, 4 workers")
        _, fp.ours_mb[4], fp.ours_rest_mb[4] = _ours(procs, data, state, 4)
    return fp


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.footprint",
                                description=__doc__.splitlines()[0])  # fmt: skip
    p.add_argument("--triples", type=int, default=300_000)
    args = p.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="ssm-footprint-"))
    try:
        fp = measure(args.triples, workdir, log=lambda m: print(m, file=sys.stderr, flush=True))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("\n".join(fp.markdown()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
