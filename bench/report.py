"""The results as Markdown: machine and command first, then one table per question."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bench.loadgen import LoadResult
from bench.peers import Peer
from bench.scale import QUERIES, QUERY_NOTES, ScaleRow
from bench.workload import Check

PACKAGES = ("pyoxigraph", "oxigraph", "rdflib", "rdflib-endpoint", "granian", "flask", "uvicorn")
WORKLOADS = {
    "sparql": "SPARQL mix, repeated (cacheable)",
    "sparql-unique": "SPARQL mix, every request unique (uncacheable)",
    "documents": "unit documents",
}


@dataclass
class Results:
    """Everything one run measured; `markdown()` renders it."""

    command: str
    date: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    machine: dict[str, str] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    data_note: str = ""
    peers: list[Peer] = field(default_factory=list)
    peer_errors: dict[str, str] = field(default_factory=dict)
    triples: dict[str, int | None] = field(default_factory=dict)
    rss: dict[str, float] = field(default_factory=dict)
    cold: list[tuple[float, float | None]] = field(default_factory=list)  # ours: doc, SPARQL
    loads: dict[tuple[str, str], LoadResult] = field(default_factory=dict)  # (workload, peer)
    checks: dict[tuple[str, str], list[Check]] = field(default_factory=dict)
    excluded: dict[str, list[str]] = field(default_factory=dict)  # workload -> labels dropped
    request_notes: dict[str, str] = field(default_factory=dict)
    scale: list[ScaleRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def machine_info() -> dict[str, str]:
    cpu = "unknown"
    mem = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024**2:.0f} GiB RAM"
    except OSError:
        pass
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "load average at start": load_average(),
    }


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: how busy the shared machine was."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def versions(wrk: str | None) -> str:
    parts = []
    for name in PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            parts.append(f"{name} {metadata.version(name)}")
    if wrk:
        out = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
        first = (out.stdout or out.stderr).strip().splitlines()
        if first:
            parts.append(first[0].split(" [")[0])
    return ", ".join(parts)


def _ms(x: float) -> str:
    return f"{x:.2f}" if x < 10 else f"{x:.1f}" if x < 100 else f"{x:.0f}"


def _s(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f} s" if x < 10 else f"{x:.1f} s"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if a and b else "–"


def markdown(r: Results) -> str:
    out = ["# Benchmark: our server, Oxigraph server, rdflib-endpoint", ""]
    out += [f"- Command: `{r.command}`", f"- Date: {r.date}"]
    m = r.machine
    out.append(f"- Machine: {m.get('nproc')} × {m.get('cpu')}, {m.get('memory')}, {m.get('os')}, "
               f"Python {m.get('python')}; load average (1, 5, 15 min) at start "
               f"{m.get('load average at start')}, at end {m.get('load average at end', '–')}")
    out += [f"- {k}: {v}" for k, v in r.settings.items()]
    if r.data_note:
        out.append(f"- Data: {r.data_note}")
    out += ["", *_servers(r), *_loads(r), *_ratios(r), *_mix(r), *_scale(r)]
    if r.notes:
        out += ["## Notes", "", *[f"- {n}" for n in r.notes], ""]
    return "\n".join(out).rstrip() + "\n"


def _servers(r: Results) -> list[str]:
    out = ["## Servers", "",
           "| server | how | triples (SPARQL COUNT) | separate load | launch → first answer "
           "| memory after the runs (PSS) |", "|---|---|---:|---:|---:|---:|"]
    for p in r.peers:
        extra = "".join(f"; {k}: {_s(v)}" for k, v in p.extra.items())
        out.append(f"| {p.name} | {p.note} | {r.triples.get(p.name) or '–'} | {_s(p.load_s)} "
                   f"| {_s(p.ready_s)}{extra} | {r.rss.get(p.name, 0):.0f} MB |")
    for name, err in r.peer_errors.items():
        out.append(f"| {name} | **did not start**: {err.splitlines()[0][:120]} | | | | |")
    out.append("")
    if r.cold:
        docs = sorted(c[0] for c in r.cold)
        line = (f"Cold start of ours (launch → first answer, {len(docs)} more runs): document "
                f"min {_s(docs[0])}, median {_s(docs[len(docs) // 2])}")
        sparql = sorted(c[1] for c in r.cold if c[1] is not None)
        if sparql:
            line += f"; SPARQL min {_s(sparql[0])}, median {_s(sparql[len(sparql) // 2])}"
        out += [line + ".", ""]
    return out


def _loads(r: Results) -> list[str]:
    out = ["## Throughput and latency", "",
           "| workload | server | req/s (2xx/3xx) | p50 ms | p99 ms | server CPU ms per answer "
           "| answers | not 2xx/3xx | no answer |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for (workload, peer), res in r.loads.items():
        flag = " ⚠" if res.failed or res.errors else ""
        cpu = _ms(res.cpu_ms_per_answer) if res.cpu_ms_per_answer else "–"
        out.append(f"| {WORKLOADS[workload]} | {peer}{flag} | {res.rps:,.0f} | {_ms(res.p50_ms)} "
                   f"| {_ms(res.p99_ms)} | {cpu} | {res.requests:,} | {res.failed:,} "
                   f"| {res.errors:,} |")
    out += ["", "Server CPU per answer: user + system time of the server's whole process tree "
            "during the timed runs, over the answers; on a shared machine it moves less than "
            "req/s, which other work takes time from."]
    if any(res.failed or res.errors for res in r.loads.values()):
        out += ["", "⚠ some requests failed: req/s counts successes only, but the latency "
                "percentiles include the failed answers (a quick 429 lowers them)."]
    return [*out, ""]


def _ratios(r: Results) -> list[str]:
    out = ["## Ratios (ours ÷ peer, same run)", "",
           "| workload | peer | throughput ratio (>1: ours faster) | p50 ratio (<1: ours faster) "
           "| p99 ratio | CPU per answer, peer ÷ ours (>1: ours cheaper) |",
           "|---|---|---:|---:|---:|---:|"]
    rows = 0
    for workload in WORKLOADS:
        ours = r.loads.get((workload, "ours"))
        for peer in ("oxigraph", "rdflib-endpoint"):
            other = r.loads.get((workload, peer))
            if ours and other:
                rows += 1
                out.append(f"| {WORKLOADS[workload]} | {peer} | {_ratio(ours.rps, other.rps)} "
                           f"| {_ratio(ours.p50_ms, other.p50_ms)} "
                           f"| {_ratio(ours.p99_ms, other.p99_ms)} "
                           f"| {_ratio(other.cpu_ms_per_answer, ours.cpu_ms_per_answer)} |")
    return [*out, ""] if rows else []


def _mix(r: Results) -> list[str]:
    out = ["## The requests", ""]
    out += [f"- {WORKLOADS[w]}: {note}" for w, note in r.request_notes.items()]
    for workload, labels in r.excluded.items():
        if labels:
            out.append(f"- Left out of {WORKLOADS[workload]} (failed on some server): "
                       + ", ".join(labels))
    names = [p.name for p in r.peers]
    sparql = {n: r.checks.get(("sparql", n), []) for n in names}
    if any(sparql.values()):
        out += ["", "Result rows per query (checked once before the timed runs):", "",
                "| query | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
        labels = [c.label for c in next(v for v in sparql.values() if v)]
        for i, label in enumerate(labels):
            cells = [_cell(sparql[n], i) for n in names]
            flag = "" if len({c for c in cells}) == 1 else " ⚠"
            out.append(f"| {label}{flag} | " + " | ".join(cells) + " |")
    docs = {n: r.checks.get(("documents", n), []) for n in names}
    if any(docs.values()):
        sizes = [f"{n} {sum(c.size for c in v) / len(v) / 1e3:.1f} kB"
                 for n, v in docs.items() if v]
        out.append(f"\nMean body per unit document: {', '.join(sizes)}.")
    return [*out, ""]


def _cell(checks: list[Check], i: int) -> str:
    if i >= len(checks):
        return "–"
    c = checks[i]
    return str(c.rows) if c.ok else f"HTTP {c.status}"


def _scale(r: Results) -> list[str]:
    if not r.scale:
        return []
    loader = next((row.result.get("loader") for row in r.scale if row.result), "–")
    names = list(QUERIES)
    out = ["## Scaling (synthetic clones of the annex, one fresh process per size)", "",
           f"Loader: {loader}; queries median of warm runs (cold first run in brackets):",
           *[f"{name} = {QUERY_NOTES[name]}" + (";" if i < len(names) - 1 else ".")
             for i, name in enumerate(names)], "",
           "| asserted triples | file | stored quads | load | pyoxigraph bulk_load | RSS (peak) | "
           + " | ".join(f"{n} ms" for n in names) + " |",
           "|---:|---:|---:|---:|---:|---:|" + "---:|" * len(names)]
    for row in r.scale:
        if row.error:
            out.append(f"| {row.size:,} | {row.file_mb:.0f} MB | **failed**: {row.error[:100]} |")
            continue
        res = row.result
        q = res["queries"]
        cells = [f"{_ms(q[n]['ms'])} ({_ms(q[n]['cold_ms'])})" for n in names]
        memory = f"{res['rss_mb']:.0f} MB ({res['peak_rss_mb']:.0f})"
        out.append(f"| {row.size:,} | {row.file_mb:.1f} MB | {res['quads']:,} "
                   f"| {_s(res['load_s'])} | {_s(res['bulk_load_s'])} | {memory} | "
                   + " | ".join(cells) + " |")
    return [*out, ""]
