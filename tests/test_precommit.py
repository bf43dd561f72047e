"""The `ssm-validate` pre-commit hook, as another repository uses it: `pre-commit try-repo`
installs this repository (at HEAD, plus uncommitted changes to tracked files) into a hook
environment of its own and runs the hook on a user's files.

try-repo keeps its hook environment in a temporary store, so each run below installs the package
afresh from the package index (pip's cache makes that quick after the first time).
PRE_COMMIT_HOME points at a temporary directory all the same, so nothing lands in the user's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from oas_ssm.paths import ROOT
from rdflib import Graph

BASE = ROOT / "tests" / "fixtures" / "shapes" / "base.ttl"

pytest.importorskip("pre_commit", reason="pre-commit is in the test extras (.[test])")
if shutil.which("git") is None:
    pytest.skip("pre-commit needs git", allow_module_level=True)
if subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True).returncode:
    pytest.skip(f"{ROOT} is not a git checkout: try-repo needs one", allow_module_level=True)


@pytest.fixture(scope="module")
def user_repo(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A repository of a user's data: one file that conforms, one that does not."""
    repo = tmp_path_factory.mktemp("user-repo")
    shutil.copy(BASE, repo / "good.ttl")
    graph = Graph().parse(BASE)
    graph.update(
        "DELETE WHERE { function:V-B-1 ssm:unofficialTranslation ?text }",
        initNs=dict(graph.namespaces()),
    )
    graph.serialize(repo / "bad.ttl", format="turtle")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
    }
    for command in (["git", "init", "-q"], ["git", "add", "good.ttl", "bad.ttl"]):
        subprocess.run(command, cwd=repo, env=env, check=True, capture_output=True)
    return repo, env


def try_repo(user_repo: tuple[Path, dict[str, str]], *files: str) -> subprocess.CompletedProcess:
    repo, env = user_repo
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "ssm-validate",
         "--verbose", "--color", "never", "--files", *files],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )  # fmt: skip


def test_hook_passes_on_good_data(user_repo):
    done = try_repo(user_repo, "good.ttl")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Passed" in done.stdout and "good.ttl: conforms" in done.stdout


def test_hook_fails_on_a_violation_and_names_the_file(user_repo):
    done = try_repo(user_repo, "good.ttl", "bad.ttl")
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Failed" in done.stdout
    assert "good.ttl: conforms" in done.stdout  # each file checked on its own
    assert "file:    bad.ttl" in done.stdout and "ssmsh:FunctionTranslationShape" in done.stdout
