"""The installable tool: the wheel, installed as a user installs it, works from any directory.

The wheel is built once per session from a copy of the working tree (so building leaves no
build/ or *.egg-info behind in the checkout) and installed with pip into a fresh venv; pip's
cache makes every install after the first quick. Each command then runs from an empty
temporary directory, with a HOME and XDG_CACHE_HOME of its own, so nothing from the checkout or
the developer's cache can help it.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
import requests
from oas_ssm.paths import DATA, ROOT
from rdflib import Graph

from tests import serving

BASE = ROOT / "tests" / "fixtures" / "shapes" / "base.ttl"
# What the commands read at run time: each of these files of the checkout must be in the wheel.
BUNDLED = (
    "data/ssm.ttl", "data/source", "data/mapping", "ontology", "shapes", "queries",
    "server/templates", "server/static",
)  # fmt: skip
# Folders the copy for building leaves out (caches, environments, results).
NOT_SOURCE = {".git", ".venv", "node_modules", "build", "dist", "artifacts", "__pycache__"}


def _source_files() -> list[Path]:
    """Files of the working tree that belong to the project: git's view (tracked, or new and
    not ignored) in a checkout, everything but caches otherwise."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if listed.returncode == 0:
        names = [n for n in listed.stdout.decode().split("\0") if n]
        return [Path(n) for n in names if (ROOT / n).is_file()]
    return [
        p.relative_to(ROOT)
        for p in ROOT.rglob("*")
        if p.is_file() and not NOT_SOURCE & set(p.relative_to(ROOT).parts)
    ]


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in _source_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    dist = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), "."],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (path,) = dist.glob("*.whl")
    return path


@pytest.fixture(scope="session")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel pip-installed: its bin/ directory."""
    env = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True, timeout=300)
    installed = subprocess.run(
        [str(env / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    return env / "bin"


@pytest.fixture(scope="session")
def elsewhere(tmp_path_factory) -> dict[str, str]:
    """The environment for `ssm`: a home (and cache) of its own, shared by the session, so
    `ssm serve` finds the stamp `ssm validate` left there, as it would for a user."""
    home = tmp_path_factory.mktemp("home")
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))},
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }


def ssm(venv: Path, env: dict[str, str], cwd: Path, *args: str, timeout: float = 600):
    return subprocess.run(
        [str(venv / "ssm"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_wheel_holds_what_the_commands_read(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = set()
    for path in _source_files():
        text = path.as_posix()
        if any(text == b or text.startswith(b + "/") for b in BUNDLED):
            package_path = text.removeprefix("server/")
            prefix = "oas_ssm/server/" if text.startswith("server/") else "oas_ssm/"
            expected.add(prefix + package_path)
    assert expected, "nothing to bundle?"
    assert sorted(expected - names) == []
    assert not [n for n in names if n.startswith(("tests/", "bench/", "oas_ssm/tests/"))]


def test_dependencies_are_what_the_package_imports():
    """Every third-party module the package imports is a declared dependency, and every
    declared dependency is imported (gunicorn was listed and never used)."""
    modules = set()
    for path in [*(ROOT / "scripts").rglob("*.py"), *(ROOT / "server").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    third_party = modules - set(sys.stdlib_module_names) - {"oas_ssm", "__future__"}
    distributions = packages_distributions()
    imported = {_canonical(d) for m in third_party for d in distributions.get(m, [m])}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {
        _canonical(re.split(r"[<>=!~;\[ ]", d, maxsplit=1)[0]) for d in project["dependencies"]
    }
    assert imported - declared == set(), "imported but not declared"
    assert declared - imported == set(), "declared but never imported"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_validate_checks_the_bundled_data(venv, elsewhere, tmp_path):
    """With HermiT where Java is installed (scripts/ensure_system_deps.sh), without otherwise."""
    java = shutil.which("java") is not None
    done = ssm(venv, elsewhere, tmp_path, "validate", *([] if java else ["--no-reasoner"]))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "ssm.ttl: conforms" in done.stdout
    assert ("HermiT: consistent" if java else "HermiT: skipped") in done.stdout
    assert list(tmp_path.iterdir()) == []  # wrote nothing in the working directory


def test_validate_checks_a_users_files(venv, elsewhere, tmp_path):
    """Relative names, as pre-commit passes them; each file on its own; JUnit for CI."""
    shutil.copy(BASE, tmp_path / "good.ttl")
    graph = Graph().parse(BASE)
    graph.update("DELETE WHERE { provision:III-G eli:title ?t }", initNs=dict(graph.namespaces()))
    graph.serialize(tmp_path / "bad.ttl", format="turtle")
    done = ssm(
        venv, elsewhere, tmp_path, "validate", "--no-reasoner", "good.ttl", "bad.ttl",
        "--format", "junit",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert '<testsuite name="good.ttl"' in done.stdout
    assert 'name="ssmsh:ProvisionContentShape"' in done.stdout
    assert "focus: provision:III-G" in done.stdout and "Traceback" not in done.stderr


def test_build_rebuilds_the_bundled_data_byte_for_byte(venv, elsewhere, tmp_path):
    done = ssm(venv, elsewhere, tmp_path, "build", "--output", "ssm.ttl")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "ssm.ttl").read_bytes() == DATA.read_bytes()


def test_build_without_output_refuses_to_write_into_the_installation(venv, elsewhere, tmp_path):
    bundled = next(venv.parent.glob("lib/python*/site-packages/oas_ssm/data/ssm.ttl"))
    before = bundled.stat().st_mtime_ns
    done = ssm(venv, elsewhere, tmp_path, "build")
    assert done.returncode == 2
    assert "--output FILE" in done.stderr and "Traceback" not in done.stderr
    assert bundled.stat().st_mtime_ns == before
    assert ssm(venv, elsewhere, tmp_path, "build", "--check").returncode == 0


def test_serve_serves(venv, elsewhere, tmp_path):
    port = serving.free_port((8400, 8500))
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(venv / "ssm"), "serve", "--port", str(port), "--workers", "1"],
            cwd=tmp_path,
            env=elsewhere,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}/id/unit/dsp"
        serving.wait_until_answering(process, url, log, timeout=180)
        answer = requests.get(url, headers={"Accept": "text/turtle"}, timeout=30)
        assert answer.status_code == 200 and answer.history[0].status_code == 303
        graph = Graph().parse(data=answer.text, format="turtle")
        assert len(graph) > 10
    finally:
        serving.stop(process)
