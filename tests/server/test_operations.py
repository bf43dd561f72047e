"""What an operator relies on: reload by SIGHUP, bad data kept out, one server per port, workers
that come back, a bounded shutdown, one built store reused, and nothing left behind in /tmp.

Each test starts its own `ssm serve` on loopback, with its own state directory and TMPDIR, and
stops it by its PID. Every wait is bounded; nothing asserts how fast anything is.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests import serving

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "server"
DSP_LABEL = '"Departamento de Seguridad Pública"@es'
DSP_DOC = "doc/unit/dsp.nt"


@dataclass
class Served:
    process: subprocess.Popen
    url: str
    log: Path
    state: Path
    tmp: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            assert self.process.poll() is None, self.output()
            assert time.monotonic() < deadline, f"{text!r} not logged:\n{self.output()}"
            time.sleep(0.1)

    def workers(self) -> list[int]:
        """PIDs of the web workers (the server's direct children but its query-process zygote)."""
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True,
                             text=True).stdout  # fmt: skip
        return [int(p) for p in out.split() if ZYGOTE not in _cmdline(int(p))]


ZYGOTE = "oas_ssm.server.sparql.zygote"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _command(port: int, data: Path, state: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "oas_ssm.cli", "serve", "--host", "127.0.0.1", "--port",
            str(port), "--data", str(data), "--state-dir", str(state), *extra]  # fmt: skip


@contextlib.contextmanager
def served(tmp_path: Path, data: Path, *extra: str, name: str = "a") -> Iterator[Served]:
    port = serving.free_port((8200, 8300))
    state, tmp, log = tmp_path / "state", tmp_path / f"tmp-{name}", tmp_path / f"serve-{name}.log"
    tmp.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmp), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    with log.open("wb") as out:
        process = subprocess.Popen(_command(port, data, state, *extra), cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        serving.wait_until_answering(process, url + "robots.txt", log, timeout=180)
        yield Served(process, url, log, state, tmp)
    finally:
        serving.stop(process)


@pytest.fixture
def annex_copy(tmp_path: Path) -> Path:
    """The annex data in a file the test may rewrite (the data to reload)."""
    path = tmp_path / "ssm.ttl"
    path.write_bytes((ROOT / "data" / "ssm.ttl").read_bytes())
    return path


def _fixture_args() -> tuple[str, ...]:
    return ("--ontology", str(FIXTURES / "ontology.ttl"), "--skip-validation", "--workers", "2")


def test_sighup_swaps_in_new_data_without_failing_a_request(tmp_path, annex_copy):
    with served(tmp_path, annex_copy, "--workers", "2") as server:
        assert "Seguridad Pública (renombrado)" not in requests.get(server.url + DSP_DOC).text
        renamed = DSP_LABEL.replace("Pública", "Pública (renombrado)")
        text = annex_copy.read_text(encoding="utf-8").replace(DSP_LABEL, renamed, 1)
        annex_copy.write_text(text, encoding="utf-8")
        os.kill(server.process.pid, signal.SIGHUP)
        statuses: set[int] = set()
        for _ in range(3000):  # bounded: until the new data answers
            r = requests.get(server.url + DSP_DOC, timeout=30)
            statuses.add(r.status_code)
            if "Seguridad Pública (renombrado)" in r.text:
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"the new data was never served:\n{server.output()}")
        assert statuses == {200}
        server.wait_for_log("Stopped old worker-2")
        for _ in range(20):  # every worker now serves the new data
            assert "Seguridad Pública (renombrado)" in requests.get(server.url + DSP_DOC).text
        assert server.process.poll() is None
        assert "Traceback" not in server.output()


def test_a_reload_lets_a_slow_query_in_flight_finish(tmp_path, annex_copy):
    """An old worker is stopped only once its requests are answered (up to the query deadline),
    not after the 5 s a SIGTERM gives them: the query below runs until its 30 s deadline and
    must get that answer, not a reset connection, although its worker is replaced meanwhile."""
    import threading

    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with served(tmp_path, annex_copy, "--workers", "2", "--query-timeout", "30") as server:
        answers: list[object] = []

        def ask() -> None:
            try:
                answers.append(requests.get(server.url + "sparql", params={"query": heavy},
                                            timeout=120).status_code)  # fmt: skip
            except requests.RequestException as e:
                answers.append(e)

        asking = threading.Thread(target=ask)
        asking.start()
        time.sleep(1.5)  # running, and long by now
        text = annex_copy.read_text(encoding="utf-8").replace(
            DSP_LABEL, DSP_LABEL.replace("Pública", "Pública (renombrado)"), 1)
        annex_copy.write_text(text, encoding="utf-8")
        os.kill(server.process.pid, signal.SIGHUP)
        asking.join(timeout=120)
        server.wait_for_log("Stopped old worker-2")
        assert answers == [503], server.output()  # its deadline, said in an answer
        assert "Killing old worker" not in server.output()
        assert "Traceback" not in server.output()


def test_sigterm_during_a_reloads_wait_for_an_old_worker_stops_the_server(tmp_path, annex_copy):
    """The old worker's long wait ends with SIGTERM's own grace, and the SIGTERM is not lost
    while the reload is under way (it was: the server kept running); the old worker's query
    still gets its answer (503: the server is stopping)."""
    import threading

    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with served(tmp_path, annex_copy, "--workers", "2", "--query-timeout", "30") as server:
        answers: list[object] = []

        def ask() -> None:
            try:
                r = requests.get(server.url + "sparql", params={"query": heavy}, timeout=120)
                answers.append((r.status_code, "stopping" in r.text))
            except requests.RequestException as e:
                answers.append(e)

        asking = threading.Thread(target=ask)
        asking.start()
        time.sleep(1.5)
        text = annex_copy.read_text(encoding="utf-8").replace(
            DSP_LABEL, DSP_LABEL.replace("Pública", "Pública (renombrado)"), 1)
        annex_copy.write_text(text, encoding="utf-8")
        os.kill(server.process.pid, signal.SIGHUP)
        server.wait_for_log("Stopping old worker")
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=60) == 0, server.output()
        asking.join(timeout=60)
        assert answers == [(503, True)], server.output()  # not its deadline: the stop's answer
        assert "Traceback" not in server.output()


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda text: text + "\nnot turtle <<<\n", "invalid Turtle"),
        (lambda text: text.replace(DSP_LABEL, '"Departamento de Seguridad Pública"', 1),
         "does not validate"),
    ],
    ids=["unparsable", "violates-shapes"],
)
def test_sighup_with_bad_data_keeps_the_old_data_serving(tmp_path, annex_copy, damage, reason):
    with served(tmp_path, annex_copy, "--workers", "1") as server:
        before = requests.get(server.url + DSP_DOC).text
        annex_copy.write_text(damage(annex_copy.read_text(encoding="utf-8")), encoding="utf-8")
        os.kill(server.process.pid, signal.SIGHUP)
        server.wait_for_log("reload refused")
        assert reason in server.output()
        assert requests.get(server.url + DSP_DOC).text == before
        assert server.process.poll() is None
        assert "Traceback" not in server.output()


def _reload(server: Served) -> subprocess.CompletedProcess:
    port = server.url.rstrip("/").rsplit(":", 1)[1]
    return subprocess.run(
        [sys.executable, "-m", "oas_ssm.cli", "reload", "--host", "127.0.0.1", "--port", port,
         "--state-dir", str(server.state), "--timeout", "300"],
        cwd=ROOT, capture_output=True, text=True, timeout=330,
    )  # fmt: skip


def test_ssm_reload_says_what_came_of_each_reload(tmp_path, annex_copy):
    """`ssm reload` finds the server by its state directory and address, and its exit status
    tells a deploy script whether the new data is served."""
    with served(tmp_path, annex_copy, "--workers", "1") as server:
        unchanged = _reload(server)
        assert unchanged.returncode == 0 and "unchanged" in unchanged.stdout, unchanged

        renamed = DSP_LABEL.replace("Pública", "Pública (renombrado)")
        text = annex_copy.read_text(encoding="utf-8")
        annex_copy.write_text(text.replace(DSP_LABEL, renamed, 1), encoding="utf-8")
        served_now = _reload(server)
        assert served_now.returncode == 0 and "every worker" in served_now.stdout, served_now
        # exit 0 means done: the new data answers at once, no polling
        assert "Seguridad Pública (renombrado)" in requests.get(server.url + DSP_DOC).text

        annex_copy.write_text(text + "\nnot turtle <<<\n", encoding="utf-8")
        bad = _reload(server)
        assert bad.returncode == 1 and "invalid Turtle" in bad.stderr, bad
        assert "Seguridad Pública (renombrado)" in requests.get(server.url + DSP_DOC).text
        assert "Traceback" not in server.output() + bad.stderr
    gone = _reload(server)  # the server has stopped: its status file went with it
    assert gone.returncode == 2 and "no `ssm serve` runs" in gone.stderr, gone
    assert not list((server.state / "servers").glob("*.json"))


def test_ssm_reload_waits_for_a_load_that_read_the_files_as_they_are_now(tmp_path, annex_copy):
    """A reload already running read the files before this edit: `ssm reload` must not report
    its outcome, but that of the load its own SIGHUP starts after it."""
    with served(tmp_path, annex_copy, "--workers", "1") as server:
        text = annex_copy.read_text(encoding="utf-8")
        first = DSP_LABEL.replace("Pública", "Pública (primero)")
        annex_copy.write_text(text.replace(DSP_LABEL, first, 1), encoding="utf-8")
        os.kill(server.process.pid, signal.SIGHUP)  # a load starts, reading "primero"
        second = DSP_LABEL.replace("Pública", "Pública (segundo)")
        annex_copy.write_text(text.replace(DSP_LABEL, second, 1), encoding="utf-8")
        done = _reload(server)
        assert done.returncode == 0, done
        assert "Seguridad Pública (segundo)" in requests.get(server.url + DSP_DOC).text
        assert "Traceback" not in server.output()


def test_ssm_reload_never_signals_a_process_that_reused_a_dead_servers_pid(tmp_path):
    """A server killed with -9 leaves its status file; its pid may now be another process's."""
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        status = tmp_path / "state" / "servers" / "127.0.0.1_8299.json"
        status.parent.mkdir(parents=True)
        status.write_text(json.dumps({"pid": bystander.pid, "started": 1, "loads": 0}))
        done = subprocess.run(
            [sys.executable, "-m", "oas_ssm.cli", "reload", "--port", "8299", "--state-dir",
             str(tmp_path / "state")], cwd=ROOT, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 2 and "no `ssm serve` runs" in done.stderr, done
        time.sleep(0.5)  # a SIGHUP, had one been sent, would have ended it by now
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


def test_a_second_server_on_a_taken_port_refuses_to_start(tmp_path):
    data = FIXTURES / "data.ttl"
    with served(tmp_path, data, *_fixture_args()) as server:
        port = server.url.rsplit(":", 1)[1].rstrip("/")
        done = subprocess.run(_command(int(port), data, server.state, *_fixture_args()),
                              cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert "cannot listen" in done.stderr and "Traceback" not in done.stderr
        assert requests.get(server.url + "robots.txt").status_code == 200


def test_two_servers_started_together_leave_one_serving(tmp_path):
    data, port = FIXTURES / "data.ttl", serving.free_port((8200, 8300))
    logs = [tmp_path / "one.log", tmp_path / "two.log"]
    processes = []
    for log in logs:
        with log.open("wb") as out:
            processes.append(subprocess.Popen(
                _command(port, data, tmp_path / "state", *_fixture_args()),
                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT))  # fmt: skip
    try:
        codes = []
        for p in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                codes.append(p.wait(timeout=20))
        assert codes == [2], [log.read_text() for log in logs]
        assert requests.get(f"http://127.0.0.1:{port}/robots.txt", timeout=30).status_code == 200
    finally:
        for p in processes:
            serving.stop(p)


def test_killed_workers_come_back_and_the_server_keeps_serving(tmp_path):
    with served(tmp_path, FIXTURES / "data.ttl", *_fixture_args()) as server:
        for _ in range(3):  # three kills in a row, faster than granian's crash-loop guard allows
            victims = server.workers()
            assert victims
            os.kill(victims[0], signal.SIGKILL)
            time.sleep(0.3)
        for _ in range(600):  # bounded: until two workers run again
            if len(server.workers()) == 2:
                break
            time.sleep(0.05)
        assert server.process.poll() is None
        assert requests.get(server.url + "robots.txt", timeout=30).status_code == 200
        assert len(server.workers()) == 2


def test_sigterm_stops_the_server_while_a_client_holds_a_half_sent_request(tmp_path):
    import socket

    with served(tmp_path, FIXTURES / "data.ttl", *_fixture_args()) as server:
        port = int(server.url.rsplit(":", 1)[1].rstrip("/"))
        with socket.create_connection(("127.0.0.1", port)) as half:
            half.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n")  # never finished
            server.process.send_signal(signal.SIGTERM)
            assert server.process.wait(timeout=60) == 0
        assert "Traceback" not in server.output()


@pytest.mark.parametrize(
    ("to_workers", "signum"),
    [(False, signal.SIGTERM), (True, signal.SIGTERM), (True, signal.SIGINT)],
    ids=["sigterm-to-the-server", "sigterm-to-every-process", "sigint-to-every-process"],
)
def test_a_stop_answers_every_query_in_flight_and_the_workers_stop_gracefully(
    tmp_path, annex_copy, to_workers, signum
):
    """Queries that would run past the shutdown grace, running or waiting for a slot, are each
    answered (503; the long-running ones say the server is stopping, with Retry-After), not cut
    off with their worker; busy workers stop by themselves (granian does not have to kill them),
    and the server exits 0. Also when every process gets the signal and the workers then get
    the server's too (systemd's stop, Ctrl-C): a worker froze on the second one."""
    import threading

    heavy = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }} # {}"
    with served(tmp_path, annex_copy, "--workers", "2", "--query-timeout", "30") as server:
        answers: list[object] = []

        def ask(n: int) -> None:
            try:
                answers.append(requests.get(server.url + "sparql",
                                            params={"query": heavy.format(n)}, timeout=120))
            except requests.RequestException as e:
                answers.append(e)

        asking = [threading.Thread(target=ask, args=(n,)) for n in range(6)]
        for thread in asking:
            thread.start()
        time.sleep(1.5)  # running, long by now, or waiting for a slot
        workers = server.workers() if to_workers else []
        server.process.send_signal(signum)
        for pid in workers:
            os.kill(pid, signum)
        assert server.process.wait(timeout=60) == 0, server.output()
        for thread in asking:
            thread.join(timeout=60)
        assert len(answers) == 6
        assert all(isinstance(a, requests.Response) for a in answers), answers
        assert {a.status_code for a in answers} == {503}
        stopping = [a for a in answers if "stopping" in a.text]
        assert stopping and all(a.headers.get("Retry-After") == "5" for a in stopping)
        assert "Killing worker" not in server.output()  # each busy worker stopped by itself
        assert "Traceback" not in server.output()


def test_connections_that_send_nothing_or_too_little_are_closed_by_the_server(tmp_path):
    """A connection that never sends a byte, one that stops mid-header, and a keep-alive one left
    idle after its answer are each dropped by the server (its header deadline), so open sockets
    cannot pile up. Bounded: a socket still open after `bound_s` fails the test."""
    import socket

    bound_s = 60
    with served(tmp_path, FIXTURES / "data.ttl", *_fixture_args()) as server:
        port = int(server.url.rsplit(":", 1)[1].rstrip("/"))
        silent = socket.create_connection(("127.0.0.1", port), timeout=bound_s)
        half = socket.create_connection(("127.0.0.1", port), timeout=bound_s)
        half.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n")
        idle = socket.create_connection(("127.0.0.1", port), timeout=bound_s)
        idle.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        assert idle.recv(65536).startswith(b"HTTP/1.1 200")
        for name, sock in (("silent", silent), ("half", half), ("idle", idle)):
            with sock:
                try:
                    while sock.recv(65536):  # the idle one may still have its body to read
                        pass
                except ConnectionResetError:
                    pass  # closed as well
                except TimeoutError:
                    pytest.fail(f"the {name} connection was still open after {bound_s} s")
        assert requests.get(server.url + "robots.txt", timeout=30).status_code == 200


def test_restart_reuses_the_built_store_and_leaves_no_temporary_folders(tmp_path):
    data = FIXTURES / "data.ttl"
    with served(tmp_path, data, *_fixture_args(), name="first") as server:
        stores = list((server.state / "stores").iterdir())
        meta = [s / "meta.json" for s in stores if not s.name.startswith(".")]
        assert len(meta) == 1
        built = meta[0].stat().st_ino
        requests.get(server.url + "sparql", params={"query": "ASK {}"}, timeout=60)
    with served(tmp_path, data, *_fixture_args(), name="second") as server:
        assert meta[0].stat().st_ino == built  # opened, not built again
        r = requests.get(server.url + "sparql", params={"query": "ASK {?s ?p ?o}"},
                         headers={"Accept": "application/sparql-results+json"}, timeout=60)
        assert r.json()["boolean"] is True
    assert not list(server.tmp.iterdir()) and not list((tmp_path / "tmp-first").iterdir())
    visible = sorted(p.name for p in server.state.iterdir())
    assert visible == ["servers", "slots", "stores"]
    assert not list((server.state / "servers").iterdir())  # each server's status file went too
    assert not [p for p in (server.state / "stores").iterdir() if p.name.startswith(".build-")]


HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _sparql(url: str, query: str) -> requests.Response:
    return requests.get(url + "sparql", params={"query": query}, timeout=120,
                        headers={"Accept": "application/sparql-results+json"})  # fmt: skip


def test_the_long_query_bound_is_machine_wide_and_light_queries_never_wait(tmp_path):
    """Two web workers, two long-query slots in all: a third heavy query, wherever it lands, is
    stopped with Retry-After; light queries keep answering 200 throughout."""
    from concurrent.futures import ThreadPoolExecutor

    args = (*_fixture_args(), "--query-timeout", "8")
    with served(tmp_path, FIXTURES / "data.ttl", *args) as server, ThreadPoolExecutor(3) as pool:
        heavy = [pool.submit(_sparql, server.url, f"{HEAVY} # heavy {i}") for i in range(3)]
        light = []
        for i in range(5000):  # bounded: light queries for as long as the heavy ones run
            if all(f.done() for f in heavy):
                break
            light.append(_sparql(server.url, f"ASK {{ ?s ?p ?o }} # light {i}").status_code)
        answers = [f.result() for f in heavy]
        assert light and set(light) == {200}
        assert sorted(r.status_code for r in answers) == [503, 503, 503]
        stopped = [r for r in answers if "long queries were already running" in r.text]
        assert len(stopped) == 1 and stopped[0].headers["Retry-After"].isdigit()
