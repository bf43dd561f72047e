"""The built graph says what the annex says: units, hierarchy, posts, functions, provenance."""

from __future__ import annotations

import pytest
from oas_ssm.namespaces import ELI, ORG, SSM, iri
from oas_ssm.provisions import Provision, children_of
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS


def u(kind: str, slug: str) -> URIRef:
    return URIRef(iri(kind, slug))


def label(g: Graph, node: URIRef, lang: str) -> str:
    values = [
        o for o in g.objects(node, SKOS.prefLabel) if isinstance(o, Literal) and o.language == lang
    ]
    assert len(values) == 1, f"{node} has {len(values)} prefLabels in {lang}"
    return str(values[0])


SSM_UNITS = {
    "ssm": "Secretaría de Seguridad Multidimensional",
    "oficina-ejecutiva": "Oficina Ejecutiva del Secretario de Seguridad Multidimensional",
    "seccion-apoyo-administrativo": "Sección de Apoyo Administrativo",
    "seccion-enlace-jid": "Sección de Enlace con la Junta Interamericana de Defensa",
    "se-cicad": (
        "Secretaría Ejecutiva de la Comisión Interamericana para el Control del Abuso de Drogas"
    ),
    "seccion-fortalecimiento-institucional": (
        "Sección de Fortalecimiento Institucional y Programas Integrales"
    ),
    "seccion-reduccion-demanda": "Sección de Reducción de la Demanda",
    "seccion-reduccion-oferta": "Sección de Reducción de la Oferta",
    "seccion-apoyo-mem": "Sección de Apoyo al Mecanismo de Evaluación Multilateral",
    "seccion-antilavado-activos": "Sección Antilavado de Activos",
    "oid": "Observatorio Interamericano sobre Drogas",
    "s-cicte": "Secretaría del Comité Interamericano contra el Terrorismo",
    "dsp": "Departamento de Seguridad Pública",
}


@pytest.mark.parametrize(("slug", "name"), SSM_UNITS.items())
def test_every_ssm_unit_has_the_annex_name_and_reaches_the_ssm(
    data_graph: Graph, slug: str, name: str
) -> None:
    node = u("unit", slug)
    assert label(data_graph, node, "es") == name
    assert name in SOURCE_TEXT, "the Spanish name must be the annex's own words"
    assert label(data_graph, node, "en")
    if slug != "ssm":
        chain = set(data_graph.transitive_objects(node, ORG.subOrganizationOf))
        assert u("unit", "ssm") in chain
        assert u("organization", "oea") in chain or slug == "ssm"


def test_sections_of_se_cicad_are_the_six_the_annex_lists(data_graph: Graph) -> None:
    sections = set(data_graph.subjects(ORG.subOrganizationOf, u("unit", "se-cicad")))
    assert {str(s).rsplit("/", 1)[1] for s in sections} == {
        "seccion-fortalecimiento-institucional",
        "seccion-reduccion-demanda",
        "seccion-reduccion-oferta",
        "seccion-apoyo-mem",
        "seccion-antilavado-activos",
        "oid",
    }


def test_ssm_sits_under_the_general_secretariat_of_the_oas(data_graph: Graph) -> None:
    assert (u("unit", "ssm"), ORG.subOrganizationOf, u("unit", "sg-oea")) in data_graph
    assert (u("unit", "sg-oea"), ORG.unitOf, u("organization", "oea")) in data_graph


def test_dsp_areas_and_alertamerica_are_not_units(data_graph: Graph) -> None:
    units = {s for s, _, o in data_graph.triples((None, RDF.type, None)) if o in UNIT_CLASSES}
    for s in data_graph.subjects(RDF.type, SSM.AreaOfWork):
        assert s not in units
        assert list(data_graph.objects(s, SKOS.editorialNote)), (
            "the choice is written on the resource"
        )
    assert u("observatory", "alertamerica") not in units
    assert (u("unit", "dsp"), SSM.maintains, u("observatory", "alertamerica")) in data_graph


UNIT_CLASSES = {
    SSM.Secretariat,
    SSM.ExecutiveOffice,
    SSM.Department,
    SSM.Section,
    ORG.OrganizationalUnit,
}


@pytest.mark.parametrize(
    ("post", "unit", "reports_to"),
    [
        ("secretario-seguridad-multidimensional", "ssm", "secretario-general"),
        ("secretario-ejecutivo-cicad", "se-cicad", "secretario-seguridad-multidimensional"),
        ("secretario-cicte", "s-cicte", "secretario-seguridad-multidimensional"),
        ("director-dsp", "dsp", "secretario-seguridad-multidimensional"),
    ],
)
def test_posts_and_reporting_lines(
    data_graph: Graph, post: str, unit: str, reports_to: str
) -> None:
    assert (u("post", post), ORG.postIn, u("unit", unit)) in data_graph
    assert (u("post", post), ORG.reportsTo, u("post", reports_to)) in data_graph


def test_one_holder_two_posts_each_with_its_own_relations(data_graph: Graph) -> None:
    """III.C ¶4: the Assistant Executive Secretary is, in turn, Chief of the Section."""
    deputy = u("post", "secretario-ejecutivo-adjunto-cicad")
    chief = u("post", "jefe-seccion-fortalecimiento-institucional")
    section = u("unit", "seccion-fortalecimiento-institucional")
    assert (deputy, SSM.heldJointlyWith, chief) in data_graph
    assert (chief, SSM.heads, section) in data_graph
    assert (chief, ORG.postIn, section) in data_graph
    assert (deputy, SSM.actsInAbsenceOf, u("post", "secretario-ejecutivo-cicad")) in data_graph
    assert (deputy, SSM.heads, section) not in data_graph, "the Chief heads it, not the Deputy"


def test_posts_the_annex_does_not_place_have_no_unit(data_graph: Graph) -> None:
    """I.D and III.B.4 name the Secretary General's posts but not where they are."""
    for slug in (
        "secretario-general",
        "secretario-general-adjunto",
        "secretario-ejecutivo-adjunto-cicad",
    ):
        post = u("post", slug)
        assert list(data_graph.objects(post, ORG.postIn)) == []
        assert list(data_graph.objects(post, SKOS.editorialNote))


def test_ranks_mission_scope_and_the_office_of_the_secretary(data_graph: Graph) -> None:
    rank = u("concept", "rango-departamento")
    ranked = set(data_graph.subjects(SSM.hasRank, rank))
    assert ranked == {u("unit", "se-cicad"), u("unit", "s-cicte")}
    assert (
        u("unit", "oficina-ejecutiva"),
        SSM.officeOf,
        u("post", "secretario-seguridad-multidimensional"),
    ) in data_graph
    mission = {o.language: str(o) for o in data_graph.objects(u("unit", "ssm"), SSM.mission)}
    assert mission["es"].startswith("La misión de la Secretaría de Seguridad Multidimensional")
    assert mission["en"].startswith("The mission of the Secretariat for Multidimensional Security")
    scope = {o.language: str(o) for o in data_graph.objects(u("unit", "ssm"), SSM.scope)}
    assert scope["es"].startswith("La SSM tiene como ámbito de acción")


def test_no_unit_purpose_is_derived(data_graph: Graph) -> None:
    """The threat stays on the function (dcterms:subject), where the annex names it."""
    assert list(data_graph.triples((None, ORG.purpose, None))) == []


def test_every_function_paragraph_is_a_function_with_its_verbatim_text(
    data_graph: Graph, provisions: dict[str, Provision]
) -> None:
    functions = set(data_graph.subjects(RDF.type, SSM.Function))
    assert len(functions) == 77
    for f in functions:
        pid = str(f).rsplit("/", 1)[1]
        prov = provisions[pid]
        (text,) = data_graph.objects(f, SSM.verbatimText)
        assert text.language == "es"
        assert str(text) == prov.full_text(provisions)
        for paragraph in str(text).split("\n\n"):
            assert paragraph in " ".join(SOURCE_TEXT.split())
        (english,) = data_graph.objects(f, SSM.unofficialTranslation)
        assert english.language == "en" and len(english) > 20
        assert (f, PROV.wasDerivedFrom, u("provision", pid)) in data_graph
        assert len(list(data_graph.objects(f, SSM.functionOf))) == 1


def test_each_numbered_function_section_is_fully_covered(
    data_graph: Graph, provisions: dict[str, Provision]
) -> None:
    for section in ("II-A", "III-B", "IV-B", "V-B", "V-C", "V-G", "III-H"):
        for child in children_of(section, provisions):
            assert (u("function", child.id), RDF.type, SSM.Function) in data_graph


def test_provisions_nest_and_carry_text(
    data_graph: Graph, provisions: dict[str, Provision]
) -> None:
    for prov in provisions.values():
        node = u("provision", prov.id)
        assert (node, RDF.type, SSM.Provision) in data_graph
        if prov.parent:
            assert (node, ELI.is_part_of, u("provision", prov.parent)) in data_graph
        if prov.text:
            assert (node, SSM.verbatimText, Literal(prov.text, lang="es")) in data_graph


def test_every_relation_is_a_statement_citing_a_provision(data_graph: Graph) -> None:
    statements = list(data_graph.subjects(RDF.type, RDF.Statement))
    assert len(statements) > 100
    for st in statements:
        s, p, o = (data_graph.value(st, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        assert (s, p, o) in data_graph, f"{st} states a triple the graph lacks"
        cited = list(data_graph.objects(st, PROV.wasDerivedFrom))
        assert cited and all((c, RDF.type, SSM.Provision) in data_graph for c in cited)


def test_money_laundering_functions(data_graph: Graph) -> None:
    concept = u("concept", "lavado-de-activos")
    from rdflib.namespace import DCTERMS

    found = {str(f).rsplit("/", 1)[1] for f in data_graph.subjects(DCTERMS.subject, concept)}
    assert found == {"II-A-1", "III-G-1", "III-G-3"}


def test_no_blank_nodes(data_graph: Graph) -> None:
    from rdflib import BNode

    assert not any(isinstance(x, BNode) for triple in data_graph for x in triple)


from oas_ssm.paths import SOURCE  # noqa: E402

SOURCE_TEXT = SOURCE.read_text(encoding="utf-8").replace("\u00a0", " ")
