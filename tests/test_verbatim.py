"""The verbatim check: every ssm:verbatimText is the annex's text, or `ssm validate` says where
it is not.

Each tests/fixtures/verbatim/<Case>.ru is a SPARQL Update applied to a copy of the shapes' base
fixture (whose texts are the annex's); its header names the focus node that must be reported and
words the message must contain.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from oas_ssm.namespaces import SSM
from oas_ssm.paths import ROOT
from oas_ssm.validate import read_graph
from oas_ssm.verbatim import first_difference, verbatim_findings
from rdflib import Graph, Literal

FIXTURES = ROOT / "tests" / "fixtures" / "verbatim"
BASE = ROOT / "tests" / "fixtures" / "shapes" / "base.ttl"
HEADER = re.compile(r"^#\s*(focus|says):\s*(.+?)\s*$", re.MULTILINE)
CASES = sorted(FIXTURES.glob("*.ru"))


@pytest.fixture(scope="module")
def base() -> Graph:
    return read_graph(BASE)


def _apply(base: Graph, fixture: Path) -> Graph:
    data = Graph()
    data += base
    data.update(fixture.read_text(encoding="utf-8"), initNs=dict(base.namespaces()))
    assert set(data) != set(base), f"{fixture.name} changed nothing"
    return data


def test_published_data_quotes_the_annex(data_graph):
    assert verbatim_findings(data_graph) == []


def test_base_fixture_quotes_the_annex(base):
    assert verbatim_findings(base) == []


@pytest.mark.parametrize("fixture", CASES, ids=lambda p: p.stem)
def test_fixture_is_reported(fixture, base):
    header = dict(HEADER.findall(fixture.read_text(encoding="utf-8")))
    findings = verbatim_findings(_apply(base, fixture))
    focus = base.namespace_manager.expand_curie(header["focus"])
    assert [f.focus for f in findings] == [focus]
    (finding,) = findings
    assert finding.source == "annex" and finding.path == SSM.verbatimText
    assert header["says"] in finding.message, finding.message


def test_whitespace_is_not_a_difference(base):
    """The parser collapses runs of spaces and non-breaking spaces; so does the check."""
    data = Graph()
    data += base
    function = base.namespace_manager.expand_curie("function:V-B-1")
    text = str(data.value(function, SSM.verbatimText))
    rewrapped = text.replace(" ", "\u00a0", 3).replace(" de ", "\n  de ")
    assert rewrapped != text
    data.set((function, SSM.verbatimText, Literal(rewrapped, lang="es")))
    assert verbatim_findings(data) == []


def test_a_function_quotes_all_the_paragraphs_it_cites(data_graph, provisions):
    """III.D.1 spans a paragraph and its unnumbered continuations: dropping one is reported."""
    data = Graph()
    data += data_graph
    function = next(
        s for s in data.subjects(SSM.verbatimText) if str(s).endswith("/function/III-D-1")
    )
    text = str(data.value(function, SSM.verbatimText))
    first, _, rest = text.partition("\n\n")
    assert rest, "III.D.1 should have more than one paragraph"
    data.set((function, SSM.verbatimText, Literal(first, lang="es")))
    findings = verbatim_findings(data)
    assert [f.focus for f in findings] == [function]
    message = findings[0].message
    assert "III.D.1" in message and "(end of text)" in message
    lost = provisions["III-D-1-p2"]  # the first paragraph the data no longer has
    assert f"anexo-e-ssm.txt:{lost.lines[0]})" in message


def test_first_difference_names_the_words():
    assert first_difference("a  b\u00a0c", "a b c") is None
    at, said = first_difference("uno dos tres cuatro", "uno dos TRES cuatro")
    assert at == 2
    assert "word 3" in said and "“tres cuatro”" in said and "“TRES cuatro”" in said
