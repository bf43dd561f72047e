"""`ssm validate` as a maintainer and CI use it: exit codes, the report, JSON, bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from oas_ssm.cli import main
from oas_ssm.paths import DATA, ROOT
from rdflib import Graph

FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
BASE = FIXTURES / "base.ttl"
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")


def broken_copy(tmp_path: Path, fixture: str) -> Path:
    """base.ttl with one shape fixture applied, written where the CLI can read it."""
    graph = Graph().parse(BASE)
    update = (FIXTURES / f"{fixture}.ru").read_text(encoding="utf-8")
    graph.update(update, initNs=dict(graph.namespaces()))
    path = tmp_path / f"{fixture}.ttl"
    graph.serialize(path, format="turtle")
    return path


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@needs_java
def test_published_data_conforms_with_shapes_and_reasoner():
    """The command CI runs, as CI runs it: a separate process, default file, both checks."""
    done = subprocess.run(
        [sys.executable, "-m", "oas_ssm.cli", "validate", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["conforms"] is True
    assert report["files"] == [str(DATA.relative_to(ROOT))]
    assert report["reasoner"]["ran"] and report["reasoner"]["consistent"]
    assert report["findings"] == []


def test_clean_file_exits_0(capsys):
    code, out, _ = run_cli(capsys, str(BASE), "--no-reasoner")
    assert code == 0
    assert "conforms" in out and "0 violations" in out


def test_violation_report_names_focus_path_message_and_shape(capsys, tmp_path):
    path = broken_copy(tmp_path, "PrefLabelEsShape")
    code, out, _ = run_cli(capsys, str(path), "--no-reasoner")
    assert code == 1
    block = out.split("\n\n")[0].splitlines()
    assert block[0] == "Violation 1/1"
    assert "  focus:   unit:dsp" in block
    assert "  path:    skos:prefLabel" in block
    assert any(line.startswith("  message: Missing Spanish name") for line in block)
    assert any(line.startswith("  shape:   ssmsh:PrefLabelEsShape (") for line in block)
    assert "1 violation(s) of 1 check(s)" in out
    assert "  1  ssmsh:PrefLabelEsShape" in out


def test_violations_are_sorted_and_counted(capsys, tmp_path):
    dangling = broken_copy(tmp_path, "NoDanglingReferenceShape")
    code, out, _ = run_cli(capsys, str(dangling), "--no-reasoner")
    assert code == 1
    foci = [line.split(":", 1)[1].strip() for line in out.splitlines() if "  focus:" in line]
    assert foci == sorted(foci) and len(foci) == 2  # the unit and its statement
    assert "2 violation(s) of 1 check(s)" in out


def test_json_report_carries_the_same_information(capsys, tmp_path):
    path = broken_copy(tmp_path, "FunctionNotationMatchesProvisionShape")
    code, out, _ = run_cli(capsys, str(path), "--no-reasoner", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["conforms"] is False
    assert report["counts"]["violations"] == 1
    (finding,) = report["findings"]
    assert finding["focus"] == "https://w3id.org/oas-ssm/id/function/V-B-1"
    assert finding["path"] == "http://www.w3.org/2004/02/skos/core#notation"
    assert finding["value"] == '"V.B.2"'
    assert finding["shape"].endswith("#FunctionNotationMatchesProvisionShape")
    assert "notation" in finding["message"]
    assert report["reasoner"] is None


def _split_base(tmp_path: Path) -> tuple[Path, Path]:
    """base.ttl cut in two files, each pointing at resources described in the other."""
    text = BASE.read_text(encoding="utf-8")
    prefixes = "".join(line + "\n" for line in text.splitlines() if line.startswith("@prefix"))
    blocks = [b for b in text.split("\n\n") if not b.lstrip().startswith(("#", "@prefix"))]
    first, second = tmp_path / "a.ttl", tmp_path / "b.ttl"
    first.write_text(prefixes + "\n\n".join(blocks[::2]) + "\n", encoding="utf-8")
    second.write_text(prefixes + "\n\n".join(blocks[1::2]) + "\n", encoding="utf-8")
    return first, second


def test_files_are_validated_together_on_request(capsys, tmp_path):
    """A unit in one file may point to a post in another: with --together, FILE … is one
    dataset."""
    first, second = _split_base(tmp_path)
    code, out, _ = run_cli(capsys, str(first), str(second), "--no-reasoner", "--together")
    assert code == 0, out
    assert f"{first}, {second}: conforms" in out


def test_several_files_are_each_checked_on_their_own(capsys, tmp_path):
    """What pre-commit passes: a list of files, each a whole dataset; the worst result wins and
    each finding names its file."""
    first, _ = _split_base(tmp_path)
    broken = broken_copy(tmp_path, "PrefLabelEsShape")
    code, out, _ = run_cli(capsys, str(BASE), str(broken), "--no-reasoner")
    assert code == 1
    assert f"{BASE}: conforms" in out
    assert f"file:    {broken}" in out and f"file:    {BASE}" not in out
    assert "2 files checked each on its own: 1 conform, 1 with violations" in out
    code, out, _ = run_cli(capsys, str(BASE), str(first), "--no-reasoner", "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["conforms"] is False
    assert [d["files"] for d in report["datasets"]] == [[str(BASE)], [str(first)]]
    assert [d["conforms"] for d in report["datasets"]] == [True, False]
    assert {f["file"] for f in report["findings"]} == {str(first)}
    assert report["counts"]["violations"] == report["datasets"][1]["counts"]["violations"]


def test_an_unreadable_file_does_not_hide_the_others(capsys, tmp_path):
    broken = broken_copy(tmp_path, "PrefLabelEsShape")
    missing = tmp_path / "nope.ttl"
    code, out, err = run_cli(capsys, str(missing), str(broken), "--no-reasoner")
    assert code == 2
    assert f"{missing}: error: no such file" in err
    assert "ssmsh:PrefLabelEsShape" in out


def test_missing_file_exits_2(capsys, tmp_path):
    missing = tmp_path / "nope.ttl"
    code, out, err = run_cli(capsys, str(missing), "--no-reasoner")
    assert code == 2
    assert err.strip() == f"{missing}: error: no such file"
    assert out == ""


def test_garbage_turtle_names_file_line_and_column(capsys, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        '@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "unclosed .\n',
        encoding="utf-8",
    )
    code, _, err = run_cli(capsys, str(bad))
    assert code == 2
    first = err.splitlines()[0]
    assert first.startswith(f"{bad}:3:")
    assert int(first.split(":")[2]) > 10  # the column points at the broken literal
    assert "Traceback" not in err


def test_parse_error_in_json(capsys, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, str(bad), "--format", "json")
    assert code == 2
    (error,) = json.loads(out)["errors"]
    assert error["file"] == str(bad) and error["line"] == 1 and error["column"] == 1


def test_truncated_file_exits_2_near_its_end(capsys, tmp_path):
    """Cut in the middle of a resource's description, as an interrupted write would."""
    lines = DATA.read_text(encoding="utf-8").splitlines()
    middle = next(n for n in range(len(lines) // 2, len(lines)) if lines[n].endswith(" ;"))
    truncated = tmp_path / "truncated.ttl"
    truncated.write_text("\n".join(lines[: middle + 1]) + "\n", encoding="utf-8")
    code, _, err = run_cli(capsys, str(truncated), "--no-reasoner")
    assert code == 2
    file_name, line, column, _ = err.split(":", 3)
    assert file_name == str(truncated)
    assert middle + 1 <= int(line) <= middle + 2 and int(column) >= 1


def test_file_truncated_between_statements_exits_1(capsys, tmp_path):
    blocks = DATA.read_text(encoding="utf-8").split("\n\n")
    truncated = tmp_path / "truncated.ttl"
    truncated.write_text("\n\n".join(blocks[: len(blocks) // 3]) + "\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, str(truncated), "--no-reasoner")
    assert code == 1
    assert "ssmsh:NoDanglingReferenceShape" in out


def test_empty_file_exits_1_and_says_so(capsys, tmp_path):
    empty = tmp_path / "empty.ttl"
    empty.write_text("", encoding="utf-8")
    code, out, _ = run_cli(capsys, str(empty), "--no-reasoner")
    assert code == 1
    assert "contains no triples" in out
    assert "ssmsh:HasFunctionsShape" in out and "ssmsh:SsmDescribedShape" in out


@pytest.mark.parametrize(
    ("name", "content", "line"),
    [
        ("bad.nt", '<http://a> <http://b> <http://c> .\n<http://a> "b" <http://c> .\n', 2),
        ("bad.jsonld", '{"@id": "http://a",\n "x": }\n', 2),
        ("bad.rdf", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n<a>\n', 3),
    ],
)
def test_other_formats_report_a_line(capsys, tmp_path, name, content, line):
    bad = tmp_path / name
    bad.write_text(content, encoding="utf-8")
    code, _, err = run_cli(capsys, str(bad), "--no-reasoner")
    assert code == 2
    assert err.startswith(f"{bad}:{line}:")


@needs_java
def test_reasoner_finds_what_shapes_cannot(capsys, tmp_path):
    """A unit that is also a body: both are fine to SHACL, disjoint to the ontology."""
    graph = Graph().parse(BASE)
    graph.update("INSERT DATA { unit:dsp a ssm:Body }", initNs=dict(graph.namespaces()))
    path = tmp_path / "clash.ttl"
    graph.serialize(path, format="turtle")
    code, out, _ = run_cli(capsys, str(path), "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert report["reasoner"]["ran"] and not report["reasoner"]["consistent"]
    reasoner = [f for f in report["findings"] if f["source"] == "reasoner"]
    assert reasoner and "inconsistent" in reasoner[0]["message"]


def _published_copy(tmp_path: Path, name: str, update: str) -> Path:
    """data/ssm.ttl with one SPARQL Update applied: the copies issue 12 says were accepted."""
    graph = Graph().parse(DATA)
    graph.update(update, initNs=dict(graph.namespaces()))
    path = tmp_path / name
    graph.serialize(path, format="turtle")
    return path


ALTER_III_G_3 = """
    DELETE { provision:III-G-3 ssm:verbatimText ?text }
    INSERT { provision:III-G-3 ssm:verbatimText ?altered }
    WHERE {
        provision:III-G-3 ssm:verbatimText ?text .
        BIND (STRLANG(REPLACE(STR(?text), "Lavado de Activos", "Blanqueo de Capitales"), "es")
              AS ?altered)
    }
"""


def test_altered_verbatim_text_is_a_violation(capsys, tmp_path):
    altered = _published_copy(tmp_path, "altered.ttl", ALTER_III_G_3)
    code, out, _ = run_cli(capsys, str(altered), "--no-reasoner")
    assert code == 1
    assert "focus:   provision:III-G-3" in out and "path:    ssm:verbatimText" in out
    assert "Annex E, III.G.3" in out
    assert "the data reads “Blanqueo de Capitales y representa" in out
    assert "the annex reads “Lavado de Activos y representa" in out
    assert "1 violation(s) of 1 check(s)" in out


def test_altered_verbatim_text_in_json(capsys, tmp_path):
    graph = Graph().parse(BASE)
    update = (FIXTURES.parent / "verbatim" / "ProvisionTextAltered.ru").read_text(encoding="utf-8")
    graph.update(update, initNs=dict(graph.namespaces()))
    altered = tmp_path / "altered.ttl"
    graph.serialize(altered, format="turtle")
    code, out, _ = run_cli(capsys, str(altered), "--no-reasoner", "--format", "json")
    assert code == 1
    (finding,) = json.loads(out)["findings"]
    assert finding["source"] == "annex" and finding["file"] == str(altered)
    assert finding["focus"] == "https://w3id.org/oas-ssm/id/provision/V-B-1"
    assert finding["path"] == "https://w3id.org/oas-ssm/def/ssm#verbatimText"
    assert "ejecuta iniciativas" in finding["value"] and "V.B.1" in finding["message"]


def test_function_without_translation_is_a_violation(capsys, tmp_path):
    lost = _published_copy(
        tmp_path,
        "lost.ttl",
        "DELETE WHERE { function:III-G-3 ssm:unofficialTranslation ?text }",
    )
    code, out, _ = run_cli(capsys, str(lost), "--no-reasoner")
    assert code == 1
    assert "focus:   function:III-G-3" in out
    assert "ssmsh:FunctionTranslationShape" in out


def test_junit_has_a_case_per_shape_and_file(capsys, tmp_path):
    broken = broken_copy(tmp_path, "FunctionNotationMatchesProvisionShape")
    missing = tmp_path / "nope.ttl"
    code, out, _ = run_cli(
        capsys, str(BASE), str(broken), str(missing), "--no-reasoner", "--format", "junit"
    )
    assert code == 2
    root = ElementTree.fromstring(out)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [str(BASE), str(broken), str(missing)]
    shapes = {s.get("name") for s in suites[0].findall("testcase")}
    assert {"ssmsh:PrefLabelEsShape", "ssmsh:TranslationNotSpanishShape"} <= shapes
    assert shapes == {s.get("name") for s in suites[1].findall("testcase")}
    assert suites[0].get("failures") == "0" and suites[1].get("failures") == "1"

    (failed,) = [c for c in suites[1].findall("testcase") if c.find("failure") is not None]
    assert failed.get("name") == "ssmsh:FunctionNotationMatchesProvisionShape"
    assert failed.get("classname") == str(broken)
    text = failed.find("failure").text
    assert "focus: function:V-B-1" in text and "path: skos:notation" in text
    assert 'value: "V.B.2"' in text and "message: " in text
    hermit = next(c for c in suites[0].findall("testcase") if c.get("name") == "HermiT")
    assert hermit.find("skipped") is not None

    (parse,) = suites[2].findall("testcase")
    assert "no such file" in parse.find("error").get("message")
    assert root.get("failures") == "1" and root.get("errors") == "1"
