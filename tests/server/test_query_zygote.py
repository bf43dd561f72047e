"""Query processes under `ssm serve`: forked by one zygote per server, killed and replaced as
before, reaped (no zombies), and gone with the server; without the zygote, started as before.

Each test starts its own `ssm serve` (tests/server/test_operations.py's `served`) and looks at
its process tree in /proc. Every wait is bounded; nothing asserts how fast anything is.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

import pytest
import requests
from oas_ssm.server.sparql.zygote import Forked, fork

from tests.server.test_operations import FIXTURES, ZYGOTE, _cmdline, _fixture_args, served

WORKER = "oas_ssm.server.sparql.worker"  # a query process started as a fresh interpreter
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return sorted(out)


def _state(pid: int) -> str | None:
    """The process's state letter (R, S, Z …), None once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def _alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting to be reaped)."""
    return _state(pid) not in (None, "Z")


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _address_space_limit(pid: int) -> int | None:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max address space"):
            value = line.split()[3]
            return None if value == "unlimited" else int(value)
    return None


def _socket_name(zygote: int) -> str:
    """The zygote's socket as /proc/net/unix shows it (from its SSM_SPARQL_ZYGOTE)."""
    for item in Path(f"/proc/{zygote}/environ").read_bytes().split(b"\0"):
        if item.startswith(b"SSM_SPARQL_ZYGOTE="):
            return item.split(b"=", 1)[1].decode()
    raise AssertionError("the zygote does not know its own socket")


def _unix_sockets() -> set[str]:
    lines = Path("/proc/net/unix").read_text().splitlines()[1:]
    return {line.split()[7] for line in lines if len(line.split()) > 7}


def _zygote(server) -> int:
    found = [p for p in _children(server.process.pid) if ZYGOTE in _cmdline(p)]
    assert len(found) == 1, (found, server.output())
    return found[0]


def _ask(url: str, tag: str) -> requests.Response:
    return requests.get(url + "sparql", params={"query": f"ASK {{ ?s ?p ?o }} # {tag}"},
                        headers={"Accept": "application/sparql-results+json"},
                        timeout=60)  # fmt: skip


def _until(condition, what: str, server, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}:\n{server.output()}"
        time.sleep(0.05)


def _no_zombies(zygote: int) -> bool:
    return all(_state(p) not in ("Z", None) for p in _children(zygote))


def test_query_processes_are_forked_by_the_zygote_and_replaced_after_kill_9(tmp_path):
    with served(tmp_path, FIXTURES / "data.ttl", *_fixture_args()) as server:
        assert [_ask(server.url, f"warm {i}").status_code for i in range(8)] == [200] * 8
        zygote = _zygote(server)
        assert _comm(zygote) == "ssm-zygote"
        processes = _children(zygote)
        assert processes and all(_comm(p) == "ssm-query" for p in processes)
        for web in server.workers():  # no web worker starts an interpreter of its own
            assert not [p for p in _children(web) if WORKER in _cmdline(p)]
        for pid in processes:  # the safety rules of a query process hold after a fork too
            assert _address_space_limit(pid) == (2048 + 512) * 1024 * 1024
            if "without network isolation" not in server.output():
                assert os.readlink(f"/proc/{pid}/ns/net") != os.readlink("/proc/self/ns/net")

        victim = processes[0]
        os.kill(victim, signal.SIGKILL)
        _until(lambda: victim not in _children(zygote), "the killed process was not reaped",
               server)  # fmt: skip
        answers = []
        for i in range(500):  # bounded: until the victim's web worker needed it and replaced it
            answers.append(_ask(server.url, f"after {i}").status_code)
            if set(_children(zygote)) - set(processes):
                break
        else:
            raise AssertionError(f"no process was forked anew:\n{server.output()}")
        assert set(answers) == {200}
        assert _no_zombies(zygote)
        assert "Traceback" not in server.output()


def test_a_query_past_its_deadline_is_killed_replaced_and_reaped(tmp_path):
    args = (*_fixture_args(), "--query-timeout", "2")
    with served(tmp_path, FIXTURES / "data.ttl", *args) as server:
        assert _ask(server.url, "warm").status_code == 200
        zygote = _zygote(server)
        r = requests.get(server.url + "sparql", params={"query": HEAVY}, timeout=120)
        assert r.status_code == 503 and "stopped" in r.text
        _until(lambda: _no_zombies(zygote), "a killed query process stayed a zombie", server)
        assert [_ask(server.url, f"after {i}").status_code for i in range(6)] == [200] * 6
        assert _no_zombies(zygote)


def test_the_servers_exit_leaves_no_zygote_and_no_query_process(tmp_path):
    with served(tmp_path, FIXTURES / "data.ttl", *_fixture_args()) as server:
        assert [_ask(server.url, f"q {i}").status_code for i in range(4)] == [200] * 4
        zygote = _zygote(server)
        processes = _children(zygote)
        assert processes
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=60) == 0
    assert _state(zygote) is None  # ended and reaped by the server
    deadline = time.monotonic() + 30
    while any(_alive(p) for p in processes):
        assert time.monotonic() < deadline, [(p, _state(p)) for p in processes]
        time.sleep(0.05)
    assert not list(server.tmp.iterdir())  # nothing written to TMPDIR
    assert "Traceback" not in server.output()


def test_a_killed_server_takes_its_zygote_along(tmp_path):
    """SIGKILL leaves the server no time to clean up: the zygote ends by itself (parent-death
    signal), and its socket with it. The web workers outlive such a server (granian's), so the
    test ends them."""
    with served(tmp_path, FIXTURES / "data.ttl", *_fixture_args()) as server:
        assert _ask(server.url, "q").status_code == 200
        zygote, workers = _zygote(server), server.workers()
        address = _socket_name(zygote)
        assert address in _unix_sockets()
        try:
            server.process.kill()
            server.process.wait(timeout=30)
            deadline = time.monotonic() + 30
            while _alive(zygote):
                assert time.monotonic() < deadline, "the zygote outlived its server"
                time.sleep(0.05)
            assert address not in _unix_sockets()  # its socket went with it
        finally:
            for pid in workers:
                if _alive(pid):
                    os.kill(pid, signal.SIGKILL)


def test_without_its_zygote_the_server_starts_query_processes_itself(tmp_path):
    with served(tmp_path, FIXTURES / "data.ttl", *_fixture_args()) as server:
        assert _ask(server.url, "warm").status_code == 200
        zygote = _zygote(server)
        forked = _children(zygote)
        os.kill(zygote, signal.SIGKILL)
        _until(lambda: _state(zygote) in (None, "Z"), "the zygote did not die", server)
        for pid in forked:  # and every process it had forked: new ones are needed
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        assert [_ask(server.url, f"after {i}").status_code for i in range(12)] == [200] * 12
        started = [p for web in server.workers() for p in _children(web)
                   if WORKER in _cmdline(p)]  # fmt: skip
        assert started, server.output()
        assert "zygote is gone" in server.output()


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to become another user")
def test_the_zygote_forks_nothing_for_another_user(tmp_path):
    """Its socket is abstract (any process may connect): it answers only its own user."""
    with served(tmp_path, FIXTURES / "data.ttl", *_fixture_args()) as server:
        assert _ask(server.url, "warm").status_code == 200
        zygote = _zygote(server)
        name, before = _socket_name(zygote), _children(zygote)
        result_r, result_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # another user asks, as a web worker would
            code = 1
            try:
                os.setgid(65534)
                os.setuid(65534)
                fork(name, isolate=False, memory_mb=0)
                os.write(result_w, b"forked")
            except OSError as e:
                os.write(result_w, str(e).encode()[:500])
                code = 0
            finally:
                os._exit(code)
        os.close(result_w)
        _, status = os.waitpid(pid, 0)
        said = os.read(result_r, 1000).decode()
        os.close(result_r)
        assert os.waitstatus_to_exitcode(status) == 0, said  # refused: an OSError, no process
        # the zygote looks at the peer before reading anything, so the refusal reaches the
        # client as its reply or, when it closes first, as a broken pipe on the client's send
        assert ("could not start" in said and "user 65534" in said) or "Broken pipe" in said
        assert _children(zygote) == before
        assert _zygote(server) == zygote  # still there, still the one answering
        assert _ask(server.url, "after").status_code == 200


@pytest.mark.parametrize("by", ["pidfd", "pid"])
def test_a_process_that_is_not_our_child_is_killed_and_seen_ended(by):
    """What the pool does with a forked process (`Forked`): a web worker holds thousands of
    descriptors, so its pidfd may be numbered beyond what select() takes."""
    import resource
    import subprocess

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 2100:
        pytest.skip("too few file descriptors allowed here")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 2100), hard))
    sleeper = subprocess.Popen(["sleep", "60"])
    pidfd = None
    try:
        if by == "pidfd":
            opened = os.pidfd_open(sleeper.pid)
            pidfd = os.dup2(opened, 2050)
            os.close(opened)
        process = Forked(sleeper.pid, pidfd, None, None)
        assert process.poll() is None
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=0.2)
        process.kill()  # then a zombie until its parent (here, we) reaps it: ended all the same
        assert process.wait(timeout=30) == -signal.SIGKILL
        assert process.poll() == -signal.SIGKILL
    finally:
        sleeper.kill()
        sleeper.wait()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


# -- the lot: idle query processes parked with the zygote, few per server ------------------------

NQUADS = b'<http://example.org/s> <http://example.org/p> "o" <http://example.org/g> .\n'


@pytest.fixture
def zygote_socket():
    """A zygote of this test process (as `ssm serve` starts one), its socket's name and pid."""
    import socket
    import subprocess
    import sys

    from oas_ssm.server.sparql import zygote as module

    name = f"@ssm-zygote-test-{os.getpid()}-{os.urandom(6).hex()}"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(module._address(name))
    listener.listen(8)
    process = subprocess.Popen([sys.executable, "-m", "oas_ssm.server.sparql.zygote", "--fd",
                                str(listener.fileno()), "--parent", str(os.getpid())],
                               pass_fds=(listener.fileno(),), stdin=subprocess.DEVNULL)  # fmt: skip
    listener.close()
    try:
        yield name, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def _loaded(name: str) -> Forked:
    """A query process from the zygote, loaded with NQUADS (as a pool's first message does)."""
    from oas_ssm.server.sparql.worker import read_frame, write_frame

    process = fork(name, isolate=False, memory_mb=0)
    write_frame(process.stdin, {"nquads": NQUADS, "prefixes": {}})
    assert read_frame(process.stdout)[0] == "ready"
    return process


def _asks(process: Forked, query: str = "ASK { ?s ?p 'o' }") -> tuple:
    from oas_ssm.server.sparql.worker import read_frame, write_frame

    write_frame(process.stdin, {"query": query, "form": "ASK", "format": "json",
                                "base_iri": "http://example.org/", "has_dataset": False,
                                "default_graphs": None, "named_graphs": None, "max_rows": 10,
                                "max_bytes": 10_000, "timeout": 30})  # fmt: skip
    return read_frame(process.stdout)[:2]


def _gone(pid: int, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_parked_process_outlives_the_pipes_its_web_worker_closed(zygote_socket):
    """Its watchdog ends a process whose stdin writer is gone: parked, the zygote holds it."""
    from oas_ssm.server.sparql.zygote import park

    name, zygote = zygote_socket
    process = _loaded(name)
    assert _asks(process) == (200, b'{"head":{},"boolean":true}')
    assert park(name, process, "v1", keep=1) == "parked"
    process.stdin.close()  # as the pool does
    process.stdout.close()
    time.sleep(1.2)  # more than two looks of the watchdog (every 0.5 s)
    assert _children(zygote) == [process.pid] and _alive(process.pid)


def test_the_lot_hands_a_process_to_another_taker_without_a_new_load(zygote_socket):
    from oas_ssm.server.sparql.zygote import park, take

    name, zygote = zygote_socket
    process = _loaded(name)
    assert park(name, process, "v1", keep=1) == "parked"
    process.stdin.close()
    process.stdout.close()
    again = take(name, "v1")
    assert again is not None and again.pid == process.pid
    assert _asks(again) == (200, b'{"head":{},"boolean":true}')  # no init: it is loaded
    assert take(name, "v1") is None  # taken: the lot is empty
    assert _children(zygote) == [process.pid]
    again.kill()
    assert again.wait(timeout=30) == -signal.SIGKILL


def test_the_lot_keeps_few_and_kills_the_oldest_and_other_versions(zygote_socket):
    from oas_ssm.server.sparql.zygote import park, take

    name, zygote = zygote_socket
    first, second = _loaded(name), _loaded(name)
    for process in (first, second):
        assert park(name, process, "v1", keep=1) == "parked"
        process.stdin.close()
        process.stdout.close()
    assert _gone(first.pid), "the oldest parked process outlived the lot's bound"
    assert _alive(second.pid)
    assert take(name, "v2") is None  # another version: nothing to give, and v1's is old now
    assert _gone(second.pid), "a process of an older version stayed parked"
    deadline = time.monotonic() + 30
    while _children(zygote):  # and the zygote reaped them
        assert time.monotonic() < deadline, _children(zygote)
        time.sleep(0.05)


def test_the_zygote_parks_only_its_own_children(zygote_socket):
    import subprocess

    from oas_ssm.server.sparql.zygote import park

    name, zygote = zygote_socket
    stranger = subprocess.Popen(["sleep", "60"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        process = Forked(stranger.pid, None, stranger.stdin, stranger.stdout)
        assert park(name, process, "v1", keep=1) == "refused"
        assert stranger.poll() is None  # refused, and not killed either
        assert _alive(zygote)
    finally:
        stranger.kill()
        stranger.wait()


def test_an_idle_server_keeps_one_query_process_whatever_its_web_workers(tmp_path):
    """Each web worker that answered a query had a process of its own; idle, they go to the
    zygote's lot, which keeps one: the next query, from any worker, takes it."""
    with served(tmp_path, FIXTURES / "data.ttl", *_fixture_args()) as server:  # two workers
        zygote = _zygote(server)
        for i in range(400):  # bounded: until both web workers have started a process
            assert _ask(server.url, f"spread {i}").status_code == 200
            if len(_children(zygote)) >= 2:
                break
        else:
            raise AssertionError(f"one web worker answered everything:\n{server.output()}")
        _until(lambda: len(_children(zygote)) == 1, "idle processes were not parked and trimmed",
               server, timeout=60)  # fmt: skip
        kept = _children(zygote)
        assert _ask(server.url, "taken").status_code == 200
        assert _children(zygote) == kept  # the parked process answered: nothing was forked
        assert [_ask(server.url, f"after {i}").status_code for i in range(6)] == [200] * 6
        assert _no_zombies(zygote)
        assert "Traceback" not in server.output() and "refused" not in server.output()


def _pipes(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("pipe:"):
                found.add(target)
    return found


def test_a_process_forked_while_another_is_parked_holds_none_of_its_pipes(zygote_socket):
    """Else the parked one, taken by a web worker that then dies, would never see its pipes hang
    up while its sibling lives."""
    from oas_ssm.server.sparql.zygote import park

    name, zygote = zygote_socket
    parked = _loaded(name)
    ends = {f"pipe:[{os.fstat(f.fileno()).st_ino}]" for f in (parked.stdin, parked.stdout)}
    assert park(name, parked, "v1", keep=1) == "parked"
    parked.stdin.close()
    parked.stdout.close()
    sibling = _loaded(name)
    try:
        assert ends & _pipes(zygote) == ends  # the zygote holds them
        assert not ends & _pipes(sibling.pid)
    finally:
        sibling.kill()


def test_the_zygote_refuses_a_late_park_and_survives_nonsense(zygote_socket):
    import socket as sockets

    from oas_ssm.server.sparql import zygote as module

    name, zygote = zygote_socket
    process = _loaded(name)
    late = {"op": "park", "pid": process.pid, "version": "v1", "keep": 1,
            "until": time.monotonic() - 1}  # its web worker gave up on it already
    reply, _ = module._ask(name, late, [process.stdin.fileno(), process.stdout.fileno()])
    assert "late" in reply["error"]
    assert module.take(name, "v1") is None  # not parked: still ours
    assert _asks(process) == (200, b'{"head":{},"boolean":true}')
    for raw in (b'{"op": "park", "pid": 1e400, "version": "v1", "keep": 1, "until": 1e400}',
                b"[" * 4000, b'{"op": "take"}', b"\xff"):  # overflow, recursion, no key, no JSON
        with sockets.socket(sockets.AF_UNIX, sockets.SOCK_STREAM) as conn:
            conn.settimeout(30)
            conn.connect(module._address(name))
            conn.sendall(raw)
            conn.shutdown(sockets.SHUT_WR)
            assert b"error" in conn.recv(4096)
    assert _alive(zygote)
    again = _loaded(name)  # still forking
    again.kill()
    process.kill()


def test_a_park_nobody_answers_is_unknown_not_refused(monkeypatch):
    """The request (and the pipe ends with it) may still be taken up later: the pool must then
    neither keep nor reuse that process."""
    import socket as sockets

    from oas_ssm.server.sparql import zygote as module

    monkeypatch.setattr(module, "PARK_TIMEOUT_S", 0.5)
    name = f"@ssm-silent-{os.getpid()}-{os.urandom(4).hex()}"
    silent = sockets.socket(sockets.AF_UNIX, sockets.SOCK_STREAM)
    silent.bind(module._address(name))
    silent.listen(1)
    read_end, write_end = os.pipe()
    try:
        process = Forked(os.getpid(), None, os.fdopen(write_end, "wb"), os.fdopen(read_end, "rb"))
        assert module.park(name, process, "v1", keep=1) == "unknown"
        assert module.park(name + "-nobody", process, "v1", keep=1) == "refused"
    finally:
        silent.close()
        process.stdin.close()
        process.stdout.close()
