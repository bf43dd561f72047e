"""`ssm build` is reproducible, `--check` catches stale data, and bad mapping input is reported."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from oas_ssm.build import build_turtle
from oas_ssm.paths import DATA, MAPPING_DIR, ROOT, SOURCE

SSM = [sys.executable, "-m", "oas_ssm.cli"]


def run_ssm(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SSM, *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120
    )


def test_committed_data_is_a_fresh_build() -> None:
    assert DATA.read_text(encoding="utf-8") == build_turtle()


def test_check_catches_a_stale_ledger(tmp_path: Path) -> None:
    out, ledger = tmp_path / "ssm.ttl", tmp_path / "ledger.md"
    assert run_ssm("build", "--output", str(out), "--ledger", str(ledger)).returncode == 0
    assert ledger.read_text(encoding="utf-8").startswith("# Fact ledger of Annex E")
    ledger.write_text(ledger.read_text(encoding="utf-8").replace("| [I.E.1]", "| [I.E.9]"))
    stale = run_ssm("build", "--check", "--output", str(out), "--ledger", str(ledger))
    assert stale.returncode == 1 and "ledger.md is stale" in stale.stderr


def test_two_builds_in_different_processes_give_identical_bytes(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "4242"):
        out = tmp_path / f"build-{seed}.ttl"
        result = run_ssm("build", "--output", str(out), env={**os.environ, "PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_check_passes_on_fresh_output_and_fails_on_stale(tmp_path: Path) -> None:
    out = tmp_path / "ssm.ttl"
    assert run_ssm("build", "--output", str(out)).returncode == 0
    assert run_ssm("build", "--check", "--output", str(out)).returncode == 0
    out.write_text(
        out.read_text(encoding="utf-8").replace("Sección de Reducción", "Seccion de Reduccion")
    )
    stale = run_ssm("build", "--check", "--output", str(out))
    assert stale.returncode == 1
    assert "stale" in stale.stderr and "Seccion de Reduccion" in stale.stderr


@pytest.fixture
def mapping_copy(tmp_path: Path) -> Path:
    target = tmp_path / "mapping"
    shutil.copytree(MAPPING_DIR, target)
    return target


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "relations.yaml",
            "unit/dsp, ssm:maintains",
            "unit/dps, ssm:maintains",
            "unknown entry 'unit/dps'",
        ),
        (
            "relations.yaml",
            "body/jid, [II-C-1]",
            "body/jid, [II-C-9]",
            "unknown provision 'II-C-9'",
        ),
        ("entities.yaml", "en: Demand Reduction Section", "fr: x", "needs a label in 'en'"),
        ("functions.yaml", "section: III-D,", "section: III-Z,", "unknown section"),
        ("translations.yaml", "III-B-6:", "III-B-66:", "III-B-6: missing English text"),
        ("entities.yaml", "organization:\n", "organization: [\n", "not valid YAML"),
        (
            "ledger.yaml",
            "  II-A-13: *internal\n",
            "",
            "carry no fact and no explanation: II-A-13",
        ),
        (
            "relations.yaml",
            "phrase: las demás dependencias de la SSM}",
            "phrase: todas las dependencias de la SSM}",
            "the phrase does not occur in V-B-1",
        ),
    ],
)
def test_mapping_mistakes_are_reported(
    mapping_copy: Path, tmp_path: Path, file: str, old: str, new: str, expected: str
) -> None:
    path = mapping_copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run_ssm("build", "--mapping", str(mapping_copy), "--output", str(tmp_path / "x.ttl"))
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_unreadable_source_is_reported(tmp_path: Path) -> None:
    truncated = tmp_path / "anexo.txt"
    truncated.write_text(SOURCE.read_text(encoding="utf-8")[:3000].rsplit("\n", 2)[0] + "\n4.\n")
    result = run_ssm("build", "--source", str(truncated), "--output", str(tmp_path / "x.ttl"))
    assert result.returncode == 2
    assert "has no text" in result.stderr and "Traceback" not in result.stderr
