"""`python -m bench`: run the servers side by side, load them, scale the data, write the report.

Options: --duration S (per case, default 10; 5 with --quick), --connections N (default 16),
--warmup S, --quick (scaling stops at 10^5), --skip-serve / --skip-scale, --sizes, --loadgen.
Every process started is ended on exit, error, Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import signal
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from bench import peers as servers
from bench import workload as wl
from bench.loadgen import UNIQUE_SUFFIX, LoadGenerator, LoadResult, combine, ensure_wrk
from bench.procs import Processes, free_port
from bench.report import WORKLOADS, Results, load_average, machine_info, markdown, versions
from bench.scale import run_sizes
from bench.served import prepare

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SIZES = [10**3, 10**4, 10**5, 10**6]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--duration", type=float, help="seconds per timed case (default 10, quick 5)")
    p.add_argument("--connections", type=int, default=16, help="concurrent connections")
    p.add_argument("--warmup", type=float, help="warm-up seconds per case (default 2, quick 1)")
    p.add_argument("--rounds", type=int, default=2,
                   help="split each case's duration into rounds, servers taking turns")
    p.add_argument("--quick", action="store_true", help="shorter cases, scaling up to 10^5")
    p.add_argument("--sizes", help="comma-separated scaling sizes (overrides the default)")
    p.add_argument("--skip-serve", action="store_true", help="only the scaling part")
    p.add_argument("--skip-scale", action="store_true", help="only the server comparison")
    p.add_argument("--skip-scaleout", action="store_true",
                   help="no nginx-on-export / engine-through-ssm-serve rows")
    p.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto")
    p.add_argument("--wait-ours", type=float, default=120, help="seconds to wait for ssm serve")
    p.add_argument("--cold-starts", type=int, default=3, help="extra cold starts of ours to time")
    p.add_argument("--output", type=Path, default=RESULTS / "latest.md")
    args = p.parse_args(argv)
    args.duration = args.duration or (5.0 if args.quick else 10.0)
    args.warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 2.0)
    if args.sizes:
        args.sizes = [int(float(s)) for s in args.sizes.split(",") if s.strip()]
    else:
        args.sizes = [n for n in SIZES if not (args.quick and n > 10**5)]
    if args.connections < 1 or args.duration <= 0 or args.rounds < 1:
        p.error("--connections, --duration and --rounds must be positive")
    return args


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with it ignored
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    shown = sys.argv[1:] if argv is None else argv
    results = Results(command=shlex.join(["python", "-m", "bench", *shown]))
    results.machine = machine_info()
    wrk = None if args.loadgen == "python" else ensure_wrk(log)
    if args.loadgen == "wrk" and not wrk:
        log("bench: wrk is not available and --loadgen wrk was asked for")
        return 2
    gen_name = "wrk" if wrk else "Python threads (wrk unavailable: slower, its own ceiling)"
    results.settings["Load"] = (
        f"{gen_name}, {args.connections} connections, {args.duration:g} s per case "
        f"in {args.rounds} round(s) (servers take turns), after a {args.warmup:g} s warm-up")
    results.settings["Software"] = versions(wrk)
    if not wrk:
        results.notes.append("wrk was unavailable: figures come from the Python generator, whose "
                             "own overhead caps throughput; compare ratios, not absolute req/s.")
    RESULTS.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="ssm-bench-"))
    scaleout: list[str] = []
    try:
        if not args.skip_serve:
            compare(args, results, wrk, workdir)
        if not args.skip_scaleout:
            scaleout = scaleout_rows(args, wrk, workdir)
        if not args.skip_scale:
            log(f"bench: scaling {', '.join(f'{n:,}' for n in args.sizes)} triples")
            results.scale = run_sizes(args.sizes, workdir, log=log)
    except KeyboardInterrupt:
        log("bench: interrupted; every process it started has been ended")
        return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results.machine["load average at end"] = load_average()
    text = markdown(results)
    if scaleout:
        text = text.rstrip("\n") + "\n" + "\n".join(scaleout) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text)
    log(f"bench: written to {args.output}")
    return 0


def compare(args: argparse.Namespace, results: Results, wrk: str | None, workdir: Path) -> None:
    """Start the three servers, check the requests on each, then load each in turn."""
    logs = RESULTS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with Processes(logs) as procs:
        taken: set[int] = set()
        ours = _start("ours", results, lambda: servers.start_ours(procs, free_port(taken),
                                                                  args.wait_ours))
        served = prepare(workdir / "served.nt", ours.url + "/" if ours else None)
        results.data_note = f"{served.triples:,} triples for the peers, from {served.source}"
        oxigraph = _start("oxigraph", results, lambda: servers.start_oxigraph(
            procs, free_port(taken), served.path, workdir, 120))
        rdflib = _start("rdflib-endpoint", results, lambda: servers.start_rdflib(
            procs, free_port(taken), served.path, 120))
        running = [p for p in (ours, oxigraph, rdflib) if p]
        results.peers = running
        for p in running:
            results.triples[p.name] = wl.count_triples(p.url, p.endpoint)

        requests = _requests(running, results)
        gen = LoadGenerator(wrk, args.connections, args.duration, args.warmup, workdir)
        for workload in WORKLOADS:
            parts: dict[str, list[LoadResult]] = {}
            for k in range(args.rounds):  # servers take turns, so drifting noise hits all alike
                for p in running:
                    reqs = requests[(workload, p.name)]
                    if reqs:
                        log(f"bench: {workload} → {p.name} ({len(reqs)} distinct requests, "
                            f"round {k + 1}/{args.rounds})")
                        parts.setdefault(p.name, []).append(
                            gen.run(p.url, reqs, args.duration / args.rounds, warmup=k == 0,
                                    unique=workload == "sparql-unique", pid=p.pid))
            for name, runs in parts.items():
                results.loads[(workload, name)] = combine(runs)
        for p in running:
            results.rss[p.name] = p.memory_mb()
        if ours and args.cold_starts > 0:
            log(f"bench: cold start of ours, {args.cold_starts} runs")
            results.cold = servers.cold_starts(procs, free_port(taken), args.cold_starts,
                                               args.wait_ours, "first SPARQL answer" in ours.extra)


def scaleout_rows(args: argparse.Namespace, wrk: str | None, workdir: Path) -> list[str]:
    """nginx on `ssm export` vs `ssm serve`; Oxigraph through `ssm serve` vs direct."""
    from bench import scaleout

    (RESULTS / "logs").mkdir(parents=True, exist_ok=True)
    with Processes(RESULTS / "logs") as procs:
        gen = LoadGenerator(wrk, args.connections, args.duration, args.warmup, workdir)
        return scaleout.run(procs, gen, workdir, set(), log)


def _start(name: str, results: Results, start):
    log(f"bench: starting {name} …")
    try:
        return start()
    except Exception as e:  # noqa: BLE001 - StartError, OSError …: reported, the rest goes on
        results.peer_errors[name] = str(e) or type(e).__name__
        log(f"bench: {name} did not start: {e}")
        return None


def _requests(running: list[servers.Peer], results: Results) -> dict:
    """Each server's request lists, minus any request that fails on some server (same mix)."""
    queries, source = wl.load_queries()
    units = wl.unit_iris()
    results.request_notes["sparql"] = (
        f"{len(queries)} queries from {source}, GET ?query= with Accept "
        f"{wl.SPARQL_JSON}, rotated")
    results.request_notes["sparql-unique"] = (
        "the same queries, each request closed by a comment line unique to it (`# 1-2345`), "
        "so no cache keyed on the query text can answer (rdflib-endpoint's prepared-query "
        "cache misses too)")
    results.request_notes["documents"] = (
        f"{len(units)} units; ours GET /doc/unit/{{slug}}.ttl (what /id/unit/{{slug}} 303s to), "
        "the others GET ?query=DESCRIBE <unit> with Accept text/turtle")
    lists = {}
    for p in running:
        lists[("sparql", p.name)] = wl.query_mix(p.endpoint, queries)
        lists[("sparql-unique", p.name)] = list(lists[("sparql", p.name)])
        lists[("documents", p.name)] = (wl.document_requests(units) if p.name == "ours"
                                        else wl.describe_requests(p.endpoint, units))
    for (workload, name), reqs in lists.items():
        if workload == "sparql-unique":  # check the form the load will send
            reqs = [replace(r, path=r.path + UNIQUE_SUFFIX + "check") for r in reqs]
        results.checks[(workload, name)] = wl.check(_url(running, name), reqs)
    for workload in WORKLOADS:
        _same_mix(workload, running, lists, results)
    ours = next((p for p in running if p.name == "ours"), None)
    if ours and units:
        slug = units[0][len(wl.UNIT_PREFIX):]
        status, location = wl.see_other(ours.url, f"/id/unit/{slug}")
        if status != 303 or not location.endswith(f"/doc/unit/{slug}.ttl"):
            results.notes.append(f"GET /id/unit/{slug} (text/turtle) answered {status} "
                                 f"→ {location or 'no Location'}, not 303 to the .ttl document")
    return lists


def _same_mix(workload: str, running: list[servers.Peer], lists: dict, results: Results) -> None:
    """Drop a server that fails every request of `workload`; drop a request failing anywhere."""
    serving = []
    for p in running:
        checks = results.checks[(workload, p.name)]
        if checks and not any(c.ok for c in checks):
            first = checks[0]
            lists[(workload, p.name)] = []
            results.notes.append(f"{p.name} failed every request of the {workload} workload "
                                 f"(e.g. HTTP {first.status} {first.error[:80]}): not measured")
        else:
            serving.append(p)
    bad = sorted({c.label for p in serving for c in results.checks[(workload, p.name)]
                  if not c.ok})
    results.excluded[workload] = bad
    for p in serving:
        lists[(workload, p.name)] = [r for r in lists[(workload, p.name)] if r.label not in bad]


def _url(running: list[servers.Peer], name: str) -> str:
    return next(p.url for p in running if p.name == name)


if __name__ == "__main__":
    sys.exit(main())
