"""Synthetic scaling: for each size, a fresh process loads the data as the server does and is timed.

`python -m bench.scale FILE` is the worker: it loads FILE with `oas_ssm.server.dataset.Dataset.load`
(parse, rewrite, entail, index: what `ssm serve` does before it listens) — or, when the server
package cannot load it, with pyoxigraph's `bulk_load` — then prints one JSON line: load time, RSS,
stored quads and the latency of a few representative queries. A process per size keeps RSS honest.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.synth import generate

ROOT = Path(__file__).resolve().parent.parent
MARK = "SCALE-RESULT "
PREFIXES = """PREFIX ssm: <https://w3id.org/oas-ssm/def/ssm#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
QUERIES = {
    "lookup": "SELECT ?p ?o WHERE { <https://w3id.org/oas-ssm/id/unit/se-cicad> ?p ?o }",
    "group-by": "SELECT ?unit (COUNT(?f) AS ?n) WHERE { ?f ssm:functionOf ?unit } "
    "GROUP BY ?unit ORDER BY DESC(?n) LIMIT 10",
    "text-scan": "SELECT (COUNT(?f) AS ?n) WHERE { ?f ssm:verbatimText ?t "
    'FILTER(CONTAINS(LCASE(?t), "lavado")) }',
}
QUERY_NOTES = {
    "lookup": "a unit's own triples (index lookup)",
    "group-by": "functions per unit, top 10 (join + aggregate over all functions)",
    "text-scan": "functions whose Spanish text says 'lavado' (scan + string filter)",
}


@dataclass
class ScaleRow:
    size: int
    generate_s: float = 0.0
    file_mb: float = 0.0
    result: dict = field(default_factory=dict)  # the worker's JSON
    error: str = ""


def run_sizes(sizes: list[int], workdir: Path, timeout: float = 900, log=print) -> list[ScaleRow]:
    """Generate and measure each size in turn; a failing or slow size is reported, not fatal."""
    rows = []
    for n in sizes:
        row = ScaleRow(n)
        path = workdir / f"synth-{n}.nt"
        t0 = time.perf_counter()
        synth = generate(n, path)
        row.generate_s = time.perf_counter() - t0
        row.file_mb = synth.bytes / 1e6
        log(f"  scale {n:>9,} triples: generated in {row.generate_s:.1f} s, loading …")
        try:
            done = subprocess.run([sys.executable, "-m", "bench.scale", str(path)], cwd=ROOT,
                                  capture_output=True, text=True, timeout=timeout)
            row.result = _parse(done.stdout)
            if not row.result:
                row.error = (done.stderr or done.stdout)[-500:] or f"exit {done.returncode}"
        except subprocess.TimeoutExpired:
            row.error = f"timed out after {timeout:.0f} s"
        path.unlink(missing_ok=True)
        rows.append(row)
    return rows


def _parse(stdout: str) -> dict:
    for line in stdout.splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    return {}


def _memory() -> dict[str, float]:
    """Current and peak resident memory of this process, MB."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1e3
    return {"rss_mb": out.get("VmRSS", 0.0), "peak_rss_mb": out.get("VmHWM", 0.0)}


def _time_query(run, budget_s: float = 3.0, max_runs: int = 7) -> dict:
    """First (cold) run, then repeats within the budget: cold ms, median warm ms, result rows."""
    t0 = time.perf_counter()
    rows = len(list(run()))
    cold = time.perf_counter() - t0
    warm = []
    deadline = time.perf_counter() + budget_s
    while len(warm) < max_runs and time.perf_counter() < deadline:
        t = time.perf_counter()
        list(run())
        warm.append(time.perf_counter() - t)
    warm.sort()
    median = warm[len(warm) // 2] if warm else cold
    return {"cold_ms": cold * 1e3, "ms": median * 1e3, "rows": rows}


def measure(path: Path) -> dict:
    """Load `path` as the server would and time the representative queries."""
    from pyoxigraph import RdfFormat, Store

    t0 = time.perf_counter()
    try:
        from oas_ssm.server.config import Config
        from oas_ssm.server.dataset import Dataset

        # a fresh state dir beside the data: every size is built, none reused or left behind
        dataset = Dataset.load(Config(data=path, state_dir=path.parent / f"{path.stem}-state"))
        store, loader = dataset.store, "server.dataset (parse + entail + build the on-disk store)"
        query = dataset.query
    except ImportError:
        store = Store()
        store.bulk_load(path=str(path), format=RdfFormat.N_TRIPLES)
        loader = "pyoxigraph bulk_load (server.dataset unavailable)"
        query = store.query
    result = {"loader": loader, "load_s": time.perf_counter() - t0, "quads": len(store),
              **_memory()}
    result["queries"] = {
        name: _time_query(lambda q=q: query(PREFIXES + q)) for name, q in QUERIES.items()
    }
    t1 = time.perf_counter()
    raw = Store()
    raw.bulk_load(path=str(path), format=RdfFormat.N_TRIPLES)
    result["bulk_load_s"] = time.perf_counter() - t1
    return result


if __name__ == "__main__":
    print(MARK + json.dumps(measure(Path(sys.argv[1]))), flush=True)
