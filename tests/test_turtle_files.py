"""Every Turtle file we publish reads in an independent parser (raptor's rapper), too."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from oas_ssm.paths import ROOT

TURTLE_FILES = sorted(
    p
    for folder in ("data", "ontology", "shapes", "releases")
    for p in (ROOT / folder).rglob("*.ttl")
)


def test_there_are_turtle_files_to_check() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in TURTLE_FILES}
    assert {"data/ssm.ttl", "ontology/ssm.ttl"} <= names


@pytest.mark.skipif(
    shutil.which("rapper") is None,
    reason="rapper not installed (scripts/ensure_system_deps.sh installs raptor2-utils as root)",
)
@pytest.mark.parametrize("path", TURTLE_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_rapper_parses(path: Path) -> None:
    result = subprocess.run(
        ["rapper", "-i", "turtle", "-c", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "returned 0 triples" not in result.stderr
