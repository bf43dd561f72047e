"""Smoke tests of the benchmark harness's pieces (not timed; a few seconds in all)."""

from __future__ import annotations

import http.server
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, parse

from bench import loadgen, report, scale, synth, workload
from bench.procs import Processes, free_port, wait_ok
from bench.workload import Request

FUNCTION = "<https://w3id.org/oas-ssm/def/ssm#Function>"


def _types(path: Path) -> Counter:
    return Counter(
        str(t.object) for t in parse(path=str(path), format=RdfFormat.N_TRIPLES)
        if t.predicate.value.endswith("#type")
    )


def test_synthetic_graph_has_exact_size_and_the_same_shape(tmp_path):
    base = len(synth.template())
    out = synth.generate(3 * base + 100, tmp_path / "g.nt")
    triples = list(parse(path=str(out.path), format=RdfFormat.N_TRIPLES))
    assert len(triples) == len(set(triples)) == 3 * base + 100
    functions = _types(out.path)[FUNCTION]
    one_copy = sum(1 for line in synth.template() if line.endswith(f"{FUNCTION} ."))
    assert 3 * one_copy <= functions <= 4 * one_copy


def test_renaming_touches_only_our_id_iris():
    line = ("<https://w3id.org/oas-ssm/id/unit/dsp> <http://www.w3.org/ns/org#subOrganizationOf> "
            "<https://w3id.org/oas-ssm/id/unit/ssm> .")
    assert synth.renamed(line, 0) == line
    assert synth.renamed(line, 3) == (
        "<https://w3id.org/oas-ssm/id/unit/dsp-r3> <http://www.w3.org/ns/org#subOrganizationOf> "
        "<https://w3id.org/oas-ssm/id/unit/ssm-r3> .")
    assert synth.renamed('_:b1 <p:x> "a _:b1 in text" .', 2).startswith("_:b1r2 ")


def test_lua_script_rotates_and_escapes():
    script = loadgen.lua_script([Request('/sparql?query=a"b', "text/turtle"), Request("/x", "*/*")])
    assert '"/sparql?query=a\\"b"' in script
    assert "function request()" in script and loadgen.MARK in script


def test_parse_wrk_output():
    out = ("Running 1s test\n" + loadgen.MARK + '{"requests": 500, "duration_us": 2000000, '
           '"p50_us": 1500, "p99_us": 9000, "connect": 0, "read": 1, "write": 0, "status": 2, '
           '"timeout": 0}\n')
    r = loadgen.parse_wrk(out)
    assert (r.requests, r.rps, r.p50_ms, r.p99_ms, r.errors, r.failed) == (500, 249, 1.5, 9, 1, 2)


def test_percentile():
    values = [float(i) for i in range(1, 101)]
    assert loadgen.percentile(values, 50) == 50.0
    assert loadgen.percentile(values, 99) == 99.0
    assert loadgen.percentile([], 50) == 0.0


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802
        body = b"ok" if self.path != "/missing" else b"no"
        self.send_response(200 if self.path != "/missing" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a load generator closing its connections is no error here


@pytest.fixture
def tiny_server():
    server = _QuietServer(("127.0.0.1", free_port()), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_python_generator_is_bounded_and_counts_errors(tiny_server):
    reqs = [Request("/a", "*/*"), Request("/missing", "*/*")]
    r = loadgen.run_python(tiny_server, reqs, connections=2, duration=5, max_requests=40)
    assert (r.requests, r.failed, r.errors) == (40, 20, 0) and r.p99_ms >= r.p50_ms > 0


@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is not installed")
def test_wrk_runs_the_script(tiny_server, tmp_path):
    r = loadgen.run_wrk(shutil.which("wrk"), tiny_server, [Request("/a", "*/*")], 2, 1, tmp_path)
    assert r.requests > 0 and r.errors == r.failed == 0


def test_workload_checks_report_status_and_rows(tiny_server):
    checks = workload.check(tiny_server, [Request("/a", "text/turtle", "a"),
                                          Request("/missing", "text/turtle", "m")])
    assert [(c.label, c.ok, c.size) for c in checks] == [("a", True, 2), ("m", False, 0)]
    queries, source = workload.load_queries()
    assert queries and source
    assert "https://w3id.org/oas-ssm/id/unit/ssm" in workload.unit_iris()


def test_processes_end_their_whole_group(tmp_path):
    with Processes(tmp_path) as procs:
        proc = procs.start("sleeper", ["sh", "-c", "sleep 30 & sleep 30"])
        time.sleep(0.2)
    assert proc.poll() is not None
    deadline = time.monotonic() + 5  # SIGKILL is delivered asynchronously
    while subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True).returncode == 0:
        assert time.monotonic() < deadline, "a process of the group outlived close()"
        time.sleep(0.05)


def test_wait_ok_gives_up_when_the_process_dies(tmp_path):
    with Processes(tmp_path) as procs:
        proc = procs.start("dies", [sys.executable, "-c", "print('bye')"])
        with pytest.raises(Exception, match="exited"):
            wait_ok(f"http://127.0.0.1:{free_port()}/", proc, timeout=10)


def test_scale_worker_measures_a_small_graph(tmp_path):
    rows = scale.run_sizes([500], tmp_path, timeout=120, log=lambda *_: None)
    assert not rows[0].error, rows[0].error
    result = rows[0].result
    assert result["quads"] >= 500 and result["rss_mb"] > 0
    assert set(result["queries"]) == set(scale.QUERIES)


def test_markdown_report_has_the_tables():
    r = report.Results(command="python -m bench --quick", machine=report.machine_info())
    r.loads[("documents", "ours")] = loadgen.LoadResult(1000, 1.0, 1.0, 5.0, 0, "wrk", cpu_s=0.5)
    r.loads[("documents", "oxigraph")] = loadgen.LoadResult(500, 1.0, 2.0, 4.0, 0, "wrk",
                                                            cpu_s=1.0)  # fmt: skip
    r.scale = [scale.ScaleRow(1000, 0.1, 0.2, {
        "loader": "x", "load_s": 0.2, "bulk_load_s": 0.01, "quads": 1900, "rss_mb": 40,
        "peak_rss_mb": 45, "queries": {n: {"ms": 0.1, "cold_ms": 0.2, "rows": 1}
                                       for n in scale.QUERIES}})]
    text = report.markdown(r)
    assert "`python -m bench --quick`" in text and "nproc" not in text
    assert "| unit documents | oxigraph | 2.00× | 0.50× | 1.25× | 4.00× |" in text
    assert "| unit documents | ours | 1,000 | 1.00 | 5.00 | 0.50 |" in text  # CPU ms per answer
    assert "| 1,000 | 0.2 MB | 1,900 |" in text


def test_rounds_combine_into_one_result():
    parts = [loadgen.LoadResult(100, 1.0, 2.0, 9.0, 1, "wrk", failed=2),
             loadgen.LoadResult(300, 1.0, 4.0, 5.0, 0, "wrk")]
    parts[0].cpu_s, parts[1].cpu_s = 0.1, 0.3
    r = loadgen.combine(parts)
    assert (r.requests, r.rps, r.p50_ms, r.p99_ms, r.errors) == (400, 199.0, 3.0, 9.0, 1)
    assert r.cpu_ms_per_answer == 1.0  # 0.4 s of server CPU over 400 answers


def test_cpu_seconds_counts_a_process_tree_and_its_reaped_children():
    from bench.procs import cpu_seconds

    spin = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass"
    parent = subprocess.Popen([sys.executable, "-c",
                               "import subprocess, sys, time\n"
                               f"subprocess.run([sys.executable, '-c', {spin!r}])\n"
                               "time.sleep(30)"])  # fmt: skip
    try:
        for _ in range(200):  # bounded: until the child has spun and been reaped
            if cpu_seconds(parent.pid) >= 0.3:
                break
            time.sleep(0.05)
        assert cpu_seconds(parent.pid) >= 0.3
    finally:
        parent.kill()
        parent.wait()


def test_unique_requests_defeat_a_text_keyed_cache(tiny_server, tmp_path):
    script = loadgen.lua_script([Request("/q?query=x", "*/*")], unique=True)
    assert "local unique = true" in script and loadgen.UNIQUE_SUFFIX in script
    seen: list[str] = []
    original = _Handler.do_GET

    def record(self):
        seen.append(self.path)
        original(self)

    _Handler.do_GET = record
    try:
        loadgen.run_python(tiny_server, [Request("/q?query=x", "*/*")], connections=2,
                           duration=5, max_requests=6, unique=True)
    finally:
        _Handler.do_GET = original
    assert len(seen) == len(set(seen)) == 6
    assert all(p.startswith("/q?query=x" + loadgen.UNIQUE_SUFFIX) for p in seen)
