"""Scale-out rows of the report: what leaving the one-process server costs or gains.

- documents: nginx serving `ssm export` (its generated nginx.conf) vs `ssm serve`, the same unit
  documents (GET /doc/unit/{slug}.ttl);
- queries: Oxigraph server direct vs `ssm serve` answering /sparql through that same Oxigraph
  (`RemoteEngine`: guard, admission, deadline, union dataset, re-serialisation), the competency
  query mix, each request unique so no cache answers: what our safety layer costs per query.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench import workload as wl
from bench.loadgen import LoadGenerator, LoadResult
from bench.peers import oxigraph_binary, start_ours
from bench.procs import Processes, StartError, free_port, wait_ok

ROOT = Path(__file__).resolve().parent.parent


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)  # fmt: skip
    if not found:
        raise StartError("nginx is not installed (apt-get install nginx-light)")
    return found


def run(procs: Processes, gen: LoadGenerator, workdir: Path, taken: set[int], log) -> list[str]:
    """Markdown lines for the report (a failed part says why instead of its row)."""
    lines = ["", "## Scale-out", "", __doc__.split("\n\n", 1)[1].strip(), "",
             "| case | peer | req/s (2xx/3xx) | p50 ms | p99 ms | failed + no answer | ratio |",
             "|---|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    units = wl.unit_iris()
    queries, _ = wl.load_queries()
    try:
        lines += documents(procs, gen, workdir, taken, units, log)
    except (StartError, OSError, subprocess.SubprocessError) as e:
        lines.append(f"| documents | – | not measured: {str(e)[:200]} | | | | |")
    try:
        lines += queries_through(procs, gen, workdir, taken, queries, log)
    except (StartError, OSError, subprocess.SubprocessError) as e:
        lines.append(f"| query mix | – | not measured: {str(e)[:200]} | | | | |")
    return lines


def _row(case: str, name: str, r: LoadResult, ratio: str = "") -> str:
    return (f"| {case} | {name} | {r.rps:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | "
            f"{r.failed} + {r.errors} | {ratio} |")  # fmt: skip


def documents(procs, gen, workdir, taken, units, log) -> list[str]:
    ours = start_ours(procs, free_port(taken), 120, sparql_grace=0)
    port = free_port(taken)
    base = f"http://127.0.0.1:{port}/"
    site = workdir / "export"
    log("bench: ssm export for nginx …")
    subprocess.run([sys.executable, "-m", "oas_ssm.cli", "export", str(site), "--base-uri", base,
                    "--force"], cwd=ROOT, check=True, capture_output=True, timeout=600)  # fmt: skip
    prefix = workdir / "nginx"
    (prefix / "logs").mkdir(parents=True, exist_ok=True)
    workdir.chmod(0o755)
    (prefix / "nginx.conf").write_text(
        f"daemon off;\nmaster_process on;\nworker_processes auto;\npid {prefix}/nginx.pid;\n"
        f"error_log {prefix}/error.log;\nevents {{ worker_connections 1024; }}\n"
        f"http {{ access_log off; include {site}/nginx.conf; }}\n")
    proc = procs.start("nginx", [nginx_binary(), "-p", str(prefix), "-c",
                                 str(prefix / "nginx.conf")])  # fmt: skip
    wait_ok(base + "doc/unit/ssm.ttl", proc, 30, wl.TURTLE)
    reqs = wl.document_requests(units)
    log(f"bench: documents → nginx on the export, ssm serve ({len(reqs)} units)")
    served = gen.run(base.rstrip("/"), reqs)
    direct = gen.run(ours.url, reqs)
    procs.stop(proc)
    procs.stop(ours.proc)
    ratio = f"nginx ÷ ssm serve = {served.rps / direct.rps:.2f}" if direct.rps else ""
    return [_row("unit documents", "nginx on `ssm export`", served, ratio),
            _row("unit documents", "ssm serve", direct)]


def queries_through(procs, gen, workdir, taken, queries, log) -> list[str]:
    binary = oxigraph_binary()
    engine_port, ours_port = free_port(taken), free_port(taken)
    engine = f"http://127.0.0.1:{engine_port}"
    base = f"http://127.0.0.1:{ours_port}/"
    proc = procs.start("oxigraph-tier", [binary, "serve", "--location", str(workdir / "tier-db"),
                                         "--bind", f"127.0.0.1:{engine_port}"])  # fmt: skip
    wait_ok(f"{engine}/query?query=ASK%7B%7D", proc, 60, wl.SPARQL_JSON)
    log("bench: ssm publish into Oxigraph …")
    subprocess.run([sys.executable, "-m", "oas_ssm.cli", "publish", "--graph-store",
                    f"{engine}/store", "--base-uri", base], cwd=ROOT, check=True,
                   capture_output=True, timeout=600)  # fmt: skip
    env_base = {"SSM_BASE_URI": base}
    ours = procs.start("ours-remote", [sys.executable, "-m", "bench.remote_app", "--port",
                                       str(ours_port), "--engine", f"{engine}/query"],
                       cwd=ROOT, env={**os.environ, **env_base})  # fmt: skip
    wait_ok(f"{base}sparql?query=ASK%7B%7D", ours, 120, wl.SPARQL_JSON)
    # Both read the union of our graphs: Oxigraph direct is asked with the same dataset.
    union = "&".join(f"default-graph-uri={base}graph/{g}".replace(":", "%3A").replace("/", "%2F")
                     for g in ("asserted", "entailed", "ontology", "metadata"))  # fmt: skip
    direct_reqs = [wl.Request(f"/query?{union}&{r.path.split('?', 1)[1]}", r.accept, r.label)
                   for r in wl.query_mix("/query", queries)]  # the query last: unique suffix
    ours_reqs = wl.query_mix("/sparql", queries)
    log(f"bench: query mix → Oxigraph direct, ssm serve through Oxigraph ({len(queries)} queries)")
    direct = gen.run(engine, direct_reqs, unique=True)
    through = gen.run(base.rstrip("/"), ours_reqs, unique=True)
    procs.stop(ours)
    procs.stop(proc)
    ratio = f"through ÷ direct = {through.rps / direct.rps:.2f}" if direct.rps else ""
    return [_row("query mix, unique", "Oxigraph direct", direct),
            _row("query mix, unique", "ssm serve → Oxigraph", through, ratio)]
