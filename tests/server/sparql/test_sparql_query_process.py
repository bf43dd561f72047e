"""The query process on its own: what it imports, what its XML results hold, when it ends."""

from __future__ import annotations

import pickle
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from oas_ssm.server.sparql import results
from oas_ssm.server.sparql.worker import HEADER
from pyoxigraph import Literal, NamedNode, Quad, Store

ROOT = Path(__file__).resolve().parents[3]
SRX = "{http://www.w3.org/2005/sparql-results#}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TRICKY = [
    "a < b && c > d",
    "]]> <![CDATA[ x ]]>",
    "</literal></binding><binding name=\"x\">",
    "quotes \" and ' and &quot; &amp; &#60;",
    "line\nbreak, carriage\r\nreturn, lone\rreturn, tab\tend",
    "  leading and trailing spaces  ",
    "señal 中文 😀 \u200b\u2028",
    "",
]


def test_xml_results_hold_tricky_strings_exactly():
    store = Store()
    s = NamedNode("https://example.org/s")
    for i, text in enumerate(TRICKY):
        store.add(Quad(s, NamedNode(f"https://example.org/p{i}"), Literal(text)))
    store.add(Quad(s, NamedNode("https://example.org/lang"), Literal("x", language="es-419")))
    store.add(Quad(s, NamedNode("https://example.org/typed"),
                   Literal("a&b<c>\"d'", datatype=NamedNode("https://example.org/t?a=1&b='2'"))))
    store.add(Quad(s, NamedNode("https://example.org/ctl"), Literal("bell\x07 and \x1f end")))
    answer = store.query("SELECT ?p ?o WHERE { ?s ?p ?o }")
    body = results.write_solutions(answer, "xml", 100, 2**20)

    root = ET.fromstring(body)  # well-formed, whatever the strings held
    got = {}
    for result in root.iter(f"{SRX}result"):
        cells = {b.get("name"): b[0] for b in result.iter(f"{SRX}binding")}
        got[cells["p"].text] = cells["o"]
    assert [v.get("name") for v in root.iter(f"{SRX}variable")] == ["p", "o"]
    for i, text in enumerate(TRICKY):
        assert (got[f"https://example.org/p{i}"].text or "") == text, i
    assert got["https://example.org/lang"].get(XML_LANG) == "es-419"
    typed = got["https://example.org/typed"]
    assert typed.text == "a&b<c>\"d'"
    assert typed.get("datatype") == "https://example.org/t?a=1&b='2'"
    # characters XML 1.0 cannot carry at all are replaced, never sent raw
    assert got["https://example.org/ctl"].text == "bell\ufffd and \ufffd end"


def test_a_query_process_imports_no_network_or_mail_code():
    code = ("import sys\n"
            "from oas_ssm.server.sparql import results, worker\n"
            "print(' '.join(sorted(sys.modules)))\n")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)  # fmt: skip
    loaded = set(done.stdout.split())
    assert "pyoxigraph" in loaded
    heavy = {"xml.sax", "urllib.request", "http.client", "ssl", "email", "flask", "rdflib",
             "requests"}  # fmt: skip
    assert not heavy & loaded, heavy & loaded


def _frame(obj: object) -> bytes:
    data = pickle.dumps(obj)
    return HEADER.pack(len(data)) + data


def test_a_query_process_ends_when_its_web_worker_goes_away_mid_query(tmp_path):
    """The web worker's end of the pipe is gone (it died) while a query runs far from its
    deadline: the process ends anyway, not when the query or the deadline does."""
    nquads = "".join(f"<https://e.org/s{i}> <https://e.org/p> <https://e.org/o{i}> .\n"
                     for i in range(300)).encode()  # fmt: skip
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    job = {"query": heavy, "form": "SELECT", "format": "json", "base_iri": None,
           "has_dataset": False, "default_graphs": None, "named_graphs": None,
           "max_rows": 10, "timeout": 3600}  # fmt: skip
    process = subprocess.Popen([sys.executable, "-m", "oas_ssm.server.sparql.worker"], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # fmt: skip
    try:
        process.stdin.write(_frame({"nquads": nquads, "prefixes": {}}))
        process.stdin.flush()
        header = process.stdout.read(HEADER.size)
        assert pickle.loads(process.stdout.read(HEADER.unpack(header)[0]))[0] == "ready"
        process.stdin.write(_frame(job))
        process.stdin.flush()
        time.sleep(0.5)
        assert process.poll() is None  # busy with the query
        process.stdin.close()  # as when the web worker dies: its end of the pipe closes
        assert process.wait(timeout=60) == 3  # the watchdog's exit, long before 3600 s
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_web_worker_tells_a_query_process_whether_to_copy_the_store(tmp_path):
    """Decided from the dataset's counts: a small store is copied into memory (and joined by
    the release graphs), a large one read in place by every process (and offered alone)."""
    from types import SimpleNamespace

    from oas_ssm.server.sparql.endpoint import COPY_BELOW_QUADS, Endpoint
    from oas_ssm.server.sparql.settings import SparqlSettings

    def init(quads: int) -> dict:
        source = SimpleNamespace(store_path=tmp_path, counts={"asserted": quads, "entailed": 0},
                                 prefixes={}, graphs={"asserted": "https://e.org/g"})  # fmt: skip
        endpoint = Endpoint(source, SparqlSettings(), page=lambda *a: "",
                            extra=lambda: [])  # fmt: skip
        return endpoint._worker_init()

    small, large = init(COPY_BELOW_QUADS - 1), init(COPY_BELOW_QUADS)
    assert small["copy"] is True and "extra" in small
    assert large["copy"] is False and "extra" not in large
    assert small["store"] == large["store"] == str(tmp_path)
