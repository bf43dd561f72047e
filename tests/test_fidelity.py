"""The graph says everything the annex says about the SSM's structure, and nothing more.

- The ledger: every provision carries a fact (an rdf:Statement citing it) or an explanation in
  data/mapping/ledger.yaml; docs/ledger.md is the generated table.
- Every relation's cited paragraphs name its object (by label, acronym, or an alias the mapping
  lists under `cited_as`); a collective phrase's relation also cites the paragraph that lists the
  member. Literal facts (a mission) are the cited paragraph's very words.
- One English name per thing: the glossary (data/mapping/glossary.yaml) gives it, with its
  source, and every English text in the data and the ontology is checked against it.
"""

from __future__ import annotations

import re

import pytest
from oas_ssm import ledger
from oas_ssm.mapping import Mapping, load_mapping
from oas_ssm.namespaces import iri
from oas_ssm.paths import LEDGER, MAPPING_DIR, ONTOLOGY, ROOT
from oas_ssm.provisions import Provision
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS


@pytest.fixture(scope="module")
def mapping() -> Mapping:
    return load_mapping(MAPPING_DIR)


def fold(text: str) -> str:
    return " ".join(text.casefold().split())


# -- the ledger ----------------------------------------------------------------------------


def test_every_provision_carries_a_fact_or_an_explanation(data_graph, provisions, mapping):
    rows = ledger.ledger_rows(data_graph, provisions, mapping)
    assert len(rows) == len(provisions) == 128
    assert ledger.missing(rows) == []


def test_a_provision_losing_its_facts_is_reported(data_graph, provisions, mapping):
    """The check can fail: drop I.E.1's statements and I.E.1 is reported."""
    g = Graph()
    g += data_graph
    cited = URIRef(iri("provision", "I-E-1"))
    for st in list(g.subjects(PROV.wasDerivedFrom, cited)):
        g.remove((st, None, None))
    assert ledger.missing(ledger.ledger_rows(g, provisions, mapping)) == ["I-E-1"]


def test_explanations_are_not_left_on_provisions_that_no_longer_exist(provisions, mapping):
    assert set(mapping.ledger) <= set(provisions)


def test_ledger_md_is_the_generated_table(data_graph, provisions, mapping):
    rows = ledger.ledger_rows(data_graph, provisions, mapping)
    assert LEDGER.read_text(encoding="utf-8") == ledger.render(rows)
    text = LEDGER.read_text(encoding="utf-8")
    for prov in provisions.values():
        assert f"[{prov.notation}]({iri('provision', prov.id)})" in text


# -- every relation cites a paragraph that names its object --------------------------------

# (subject, predicate, object) -> why the cited paragraph need not name the object.
CITES_OBJECT_EXCEPTIONS: dict[tuple[str, str, str], str] = {}


def _names(graph: Graph, node: URIRef, mapping: Mapping) -> set[str]:
    names = {str(o) for o in graph.objects(node, SKOS.prefLabel) if o.language == "es"}
    names |= {str(o) for o in graph.objects(node, SKOS.altLabel) if o.language == "es"}
    kind, slug = str(node).rsplit("/", 2)[-2:]
    entry = mapping.entities.get(kind, {}).get(slug, {})
    names |= set(entry.get("cited_as", []))
    return {fold(n) for n in names}


def _text(prov: Provision) -> str:
    return fold(" ".join(x for x in (prov.title, prov.text) if x))


def test_every_relation_cites_a_paragraph_that_names_its_object(data_graph, provisions, mapping):
    silent = []
    for st in data_graph.subjects(RDF.type, RDF.Statement):
        s, p, o = (data_graph.value(st, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        cited = [
            provisions[str(c).rsplit("/", 1)[1]]
            for c in data_graph.objects(st, PROV.wasDerivedFrom)
        ]
        if isinstance(o, Literal):
            assert any(prov.text == str(o) for prov in cited), f"{st}: not the paragraph's words"
            continue
        key = tuple(str(x).rsplit("/", 1)[-1].split("#")[-1] for x in (s, p, o))
        if key in CITES_OBJECT_EXCEPTIONS:
            continue
        names = _names(data_graph, o, mapping)
        if not any(name in _text(prov) for prov in cited for name in names):
            silent.append(f"{st} cites {[c.notation for c in cited]}, none naming {sorted(names)}")
    assert silent == []


def test_the_names_check_can_fail(data_graph, provisions, mapping):
    """I.D does not name the General Secretariat: a postIn citing it would be reported."""
    names = _names(data_graph, URIRef(iri("unit", "sg-oea")), mapping)
    assert not any(name in _text(provisions["I-D"]) for name in names)


def test_collective_phrases_are_expanded_by_one_rule(data_graph, mapping, provisions):
    """A definite collective covers the annex's own list of members, minus the speaker."""
    for use in mapping.collectives:
        members = [ref for ref, _ in mapping.member_lists[use.list]]
        speaker = use.object if use.subject == "each" else use.subject
        for ref in members:
            s = ref if use.subject == "each" else use.subject
            o = ref if use.object == "each" else use.object
            triple = (URIRef(iri(*s.split("/"))), None, URIRef(iri(*o.split("/"))))
            found = {p for _, p, _ in data_graph.triples(triple)}
            assert bool(found) == (ref != speaker), (use.phrase, ref)
    # III.C ¶3's "las restantes Secciones de la SE/CICAD" is read like III.F.3's
    advisers = set(
        data_graph.subjects(
            URIRef("https://w3id.org/oas-ssm/def/ssm#advises"),
            URIRef(iri("unit", "seccion-fortalecimiento-institucional")),
        )
    )
    assert len(advisers) == 5
    # "las demás dependencias de la SSM" does not take in the Executive Office (I.E lists it apart)
    coordinates = URIRef("https://w3id.org/oas-ssm/def/ssm#coordinatesWith")
    assert (
        URIRef(iri("unit", "dsp")),
        coordinates,
        URIRef(iri("unit", "oficina-ejecutiva")),
    ) not in data_graph


# -- the glossary: one English name per thing ----------------------------------------------

QUOTED = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"]*\"")


def _english_texts(graph: Graph) -> list[tuple[str, str]]:
    return [(str(s), str(o)) for s, _, o in graph if isinstance(o, Literal) and o.language == "en"]


def _contains(text: str, term: dict) -> bool:
    if term.get("kind") == "acronym":
        return re.search(rf"(?<![\w/]){re.escape(term['es'])}(?![\w/])", text) is not None
    return fold(term["es"]) in fold(text)


def test_every_glossary_term_has_a_source(mapping):
    for term in mapping.glossary:
        src = term["source"]
        assert src == "our translation" or src.startswith(("http://", "https://")), term


def test_every_entity_uses_its_glossary_name(mapping):
    by_es = {t["es"]: t for t in mapping.glossary}
    for kind, entries in mapping.entities.items():
        for slug, entry in entries.items():
            term = by_es.get(entry["label"]["es"])
            assert term is not None, (
                f"{kind}/{slug}: {entry['label']['es']!r} is not in the glossary"
            )
            assert entry["label"]["en"] == term["en"], f"{kind}/{slug}"
            alts = entry.get("alt") or {}
            for es_alt in alts.get("es", []):
                alt_term = by_es.get(es_alt)
                if alt_term and alt_term["en"] != es_alt:
                    assert alt_term["en"] in alts.get("en", []), f"{kind}/{slug}: {es_alt}"


def test_every_translation_uses_the_glossary_names(provisions, mapping):
    wrong = []
    for pid, prov in provisions.items():
        tr = mapping.translations[pid]
        for key in ("title", "text"):
            spanish = getattr(prov, key)
            if not spanish:
                continue
            english = " ".join(tr[key].split())
            for term in mapping.glossary:
                if _contains(spanish, term) and fold(term["en"]) not in fold(english):
                    wrong.append(f"{pid} {key}: {term['es']!r} should read {term['en']!r}")
    assert wrong == []


def test_no_english_text_uses_an_avoided_name(data_graph, mapping):
    ontology = Graph().parse(ONTOLOGY)
    avoided = [(term, bad) for term in mapping.glossary for bad in term.get("avoid", [])]
    spanish_acronyms = [
        t for t in mapping.glossary if t.get("kind") == "acronym" and t["en"] != t["es"]
    ]
    found = []
    for graph in (data_graph, ontology):
        for subject, text in _english_texts(graph):
            unquoted = QUOTED.sub("", text)
            for term, bad in avoided:
                if fold(bad) in fold(unquoted):
                    found.append(f"{subject}: {bad!r} (say {term['en']!r})")
            for term in spanish_acronyms:
                if _contains(unquoted, term):
                    found.append(f"{subject}: {term['es']!r} in English (say {term['en']!r})")
    assert found == []


def test_the_pages_english_strings_use_the_glossary(mapping):
    """The interface's own English (site name, chart title …) follows the glossary too."""
    from oas_ssm.server.web.i18n import STRINGS, TERM_LABELS

    english = [v["en"] for v in STRINGS.values() if "en" in v]
    english += [en for _, en in TERM_LABELS.values()]
    acronyms = [t for t in mapping.glossary if t.get("kind") == "acronym" and t["en"] != t["es"]]
    avoided = [bad for term in mapping.glossary for bad in term.get("avoid", [])]
    found = [text for text in english for term in acronyms if _contains(QUOTED.sub("", text), term)]
    found += [text for text in english for bad in avoided if fold(bad) in fold(text)]
    assert found == []


def test_the_glossary_check_can_fail(mapping):
    term = next(t for t in mapping.glossary if t["es"] == "SSM")
    assert _contains("the Strategic Plan of the SSM", term)
    assert not _contains("the oas-ssm project, SSM/x", term)


# -- counts in the README and docs are the graph's -----------------------------------------

CLASS_ROWS = re.compile(r"^\| `(?P<cls>[a-z]+:\w+)`[^|]*\|[^|]*\| (?P<n>\d+) \|$", re.MULTILINE)


@pytest.mark.parametrize("doc", ["README.md"])
def test_counts_in_the_docs_are_the_graphs(data_graph, doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    rows = CLASS_ROWS.findall(text)
    assert rows, f"{doc} has no class table with counts"
    for cls, n in rows:
        prefix, local = cls.split(":")
        ns = {
            "ssm": "https://w3id.org/oas-ssm/def/ssm#",
            "org": "http://www.w3.org/ns/org#",
            "skos": "http://www.w3.org/2004/02/skos/core#",
        }[prefix]
        count = len(set(data_graph.subjects(RDF.type, URIRef(ns + local))))
        assert count == int(n), f"{doc}: {cls} says {n}, the graph has {count}"


# Counts written in prose ("its 77 functions"): noun -> the class whose instances it counts.
PROSE_COUNTS = {
    "functions": "https://w3id.org/oas-ssm/def/ssm#Function",
    "provisions": "https://w3id.org/oas-ssm/def/ssm#Provision",
    "instruments": "https://w3id.org/oas-ssm/def/ssm#Instrument",
    "posts": "http://www.w3.org/ns/org#Post",
}


@pytest.mark.parametrize("doc", ["README.md", "docs/model.md"])
def test_counts_in_prose_are_the_graphs(data_graph, doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    for n, noun in re.findall(r"\b(\d{1,3}) (functions|provisions|instruments|posts)\b", text):
        count = len(set(data_graph.subjects(RDF.type, URIRef(PROSE_COUNTS[noun]))))
        assert count == int(n), f"{doc}: says {n} {noun}, the graph has {count}"

