"""HermiT over ontology + ORG + data: what `ssm validate` relies on to catch modelling errors
that SHACL cannot see, and to say so without a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import owlready2
import pytest
from oas_ssm import cli
from oas_ssm.consistency import check_consistency
from oas_ssm.paths import DATA

# Without Java these report themselves skipped, as scripts/ensure_system_deps.sh promises.
needs_java = pytest.mark.skipif(
    shutil.which(owlready2.JAVA_EXE) is None, reason="HermiT needs Java: scripts/ensure_java.sh"
)

PREFIXES = """\
@prefix ssm: <https://w3id.org/oas-ssm/def/ssm#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix eli: <http://data.europa.eu/eli/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix u: <https://w3id.org/oas-ssm/id/unit/> .
@prefix p: <https://w3id.org/oas-ssm/id/post/> .
@prefix b: <https://w3id.org/oas-ssm/id/body/> .
@prefix f: <https://w3id.org/oas-ssm/id/function/> .
@prefix i: <https://w3id.org/oas-ssm/id/instrument/> .
@prefix pr: <https://w3id.org/oas-ssm/id/provision/> .
@prefix c: <https://w3id.org/oas-ssm/id/concept/> .
"""

# A slice of the data as docs/model.md describes it, touching every kind of resource and the
# modelling choices HermiT must accept: the OID is both a section and an observatory,
# Alertamérica is an observatory only, a unit coordinates with a post, a secretariat serves an
# instrument, relations are reified as rdf:Statement, the dataset carries xsd:date metadata.
GOOD = (
    PREFIXES
    + """
<https://w3id.org/oas-ssm/id/organization/oea> a org:FormalOrganization ;
    skos:prefLabel "Organización de los Estados Americanos"@es .
u:sg a ssm:Secretariat ; org:unitOf <https://w3id.org/oas-ssm/id/organization/oea> .
u:ssm a ssm:Secretariat ; org:subOrganizationOf u:sg ; org:purpose c:terrorismo ;
    ssm:supports b:csh ; ssm:scopeOfAction i:declaracion ; prov:wasDerivedFrom pr:I-E .
u:oe a ssm:ExecutiveOffice ; org:subOrganizationOf u:ssm ;
    ssm:servesAsTechnicalSecretariatTo b:csh ; ssm:preparesAndMonitors i:plan-estrategico .
u:se-cicad a ssm:Secretariat ; org:subOrganizationOf u:ssm ; ssm:servesAsSecretariatTo b:cicad ;
    ssm:administers i:mem ; ssm:hasFunction f:III-B-6 .
u:oid a ssm:Section , ssm:Observatory ; org:subOrganizationOf u:se-cicad .
u:fi a ssm:Section ; org:subOrganizationOf u:se-cicad ;
    ssm:drawsOnInformationFrom u:oid , <https://w3id.org/oas-ssm/id/observatory/oisc> ;
    ssm:coordinatesWith u:sg , p:secretario-ssm .
u:enlace-jid a ssm:Section ; org:subOrganizationOf u:oe ; ssm:liaisesWith b:jid ;
    ssm:servesAsTechnicalSecretariatTo i:cifta ; ssm:underFunctionalSupervisionOf u:saf .
u:saf a ssm:Secretariat .
u:s-cicte a ssm:Secretariat ; ssm:participatesWithoutVoteIn b:ctc-cip .
u:aml a ssm:Section ; ssm:representsAt b:gafi ; ssm:servesAsSecretariatTo b:gelavex .
u:dsp a ssm:Department ; ssm:maintains <https://w3id.org/oas-ssm/id/observatory/alertamerica> ;
    ssm:promotesImplementationOf i:plan-dot .
<https://w3id.org/oas-ssm/id/observatory/alertamerica> a ssm:Observatory .
<https://w3id.org/oas-ssm/id/observatory/oisc> a ssm:Observatory .
<https://w3id.org/oas-ssm/id/area/aicma> a ssm:AreaOfWork ; ssm:areaOf u:dsp .
f:V-E-1 a ssm:Function ; ssm:inArea <https://w3id.org/oas-ssm/id/area/aicma> ;
    ssm:functionOf u:dsp ; dcterms:subject c:minas ; prov:wasDerivedFrom pr:V-E-1 ;
    ssm:verbatimText "Brinda apoyo y asesoría técnica a los Estados Miembros"@es ;
    ssm:unofficialTranslation "Provides support and technical advice to Member States"@en .
f:III-B-6 a ssm:Function ;
    ssm:verbatimText "Administra el Mecanismo de Evaluación Multilateral."@es .
p:secretario-ssm a org:Post ; org:postIn u:ssm ; ssm:heads u:ssm ; org:reportsTo p:sg .
p:sg a org:Post ; ssm:heads u:sg .
p:adjunto a org:Post ; ssm:heads u:fi ; ssm:actsInAbsenceOf p:ejecutivo .
p:ejecutivo a org:Post ; ssm:heads u:se-cicad .
p:secretario-cicte a org:Post ; ssm:accountableTo b:cicte ;
    ssm:actsInAccordanceWith i:estatuto-cicte .
b:csh a ssm:PoliticalBody ; dcterms:isPartOf b:cp .
b:cp a ssm:PoliticalBody .
b:cicad a ssm:PoliticalBody .
b:cicte a ssm:PoliticalBody .
b:gelavex a ssm:ExpertGroup .
b:gafi a ssm:Body .
b:jid a ssm:Body .
b:ctc-cip a ssm:Body .
i:mem a ssm:Instrument .
i:cifta a ssm:Instrument .
c:terrorismo a skos:Concept ; skos:topConceptOf <https://w3id.org/oas-ssm/id/scheme/amenazas> .
c:minas a skos:Concept ; skos:broader c:terrorismo .
<https://w3id.org/oas-ssm/id/scheme/amenazas> a skos:ConceptScheme .
pr:anexo-e a ssm:Provision ; eli:number "E" ; skos:notation "E" ; ssm:order 1 ;
    eli:title "Secretaría de Seguridad Multidimensional"@es .
pr:I-E a ssm:Provision ; eli:is_part_of pr:I ; ssm:order 5 ;
    ssm:verbatimText "La SSM está compuesta por la Oficina Ejecutiva"@es .
<https://w3id.org/oas-ssm/id/statement/ssm--supports--csh> a rdf:Statement ;
    rdf:subject u:ssm ; rdf:predicate ssm:supports ; rdf:object b:csh ;
    prov:wasDerivedFrom pr:I-C ; skos:note "brindar apoyo"@es .
<https://w3id.org/oas-ssm/id/dataset/ssm> a void:Dataset ;
    dcterms:modified "2026-11-28"^^xsd:date ; void:triples 1234 .
"""
)

# Each breaks one axiom of the ontology; the message must name the resource at fault.
INCONSISTENT = {
    "function and post": ("f:II-A-1 a ssm:Function , org:Post .", "function/II-A-1"),
    "body and unit": ("b:cicad a ssm:PoliticalBody , ssm:Section .", "body/cicad"),
    "two kinds of unit": ("u:dsp a ssm:Department , ssm:Secretariat .", "unit/dsp"),
    "function given to a post": (
        "u:ssm a ssm:Secretariat ; ssm:hasFunction p:secretario-ssm .\n"
        "p:secretario-ssm a org:Post .",
        "post/secretario-ssm",
    ),
    "unit heads a unit": ("u:ssm ssm:heads u:oe . u:ssm a ssm:Secretariat .", "unit/ssm"),
    "provision with two orders": ("pr:I-A ssm:order 1 , 2 .", "provision/I-A"),
    "verbatim text not a string": ("f:II-A-1 ssm:verbatimText 42 .", "function/II-A-1"),
}


def write(tmp_path: Path, name: str, turtle: str) -> Path:
    path = tmp_path / name
    path.write_text(turtle, encoding="utf-8")
    return path


@needs_java
def test_ontology_alone_is_consistent_with_no_empty_class() -> None:
    report = check_consistency([])
    assert report.ran, report.message
    assert report.consistent and report.unsatisfiable == [], report.message
    assert report.ok


@needs_java
def test_model_shaped_data_is_consistent(tmp_path: Path) -> None:
    report = check_consistency([write(tmp_path, "good.ttl", GOOD)])
    assert report.ok, report.message


@needs_java
@pytest.mark.parametrize("case", sorted(INCONSISTENT))
def test_inconsistent_data_is_reported_with_its_cause(tmp_path: Path, case: str) -> None:
    turtle, culprit = INCONSISTENT[case]
    report = check_consistency([write(tmp_path, "bad.ttl", PREFIXES + turtle)])
    assert report.ran, report.message
    assert not report.consistent and not report.ok
    assert "inconsistent" in report.message
    assert culprit in report.message


@needs_java
def test_unsatisfiable_class_is_listed(tmp_path: Path) -> None:
    turtle = PREFIXES + (
        "<http://example.org/SectionBody> a owl:Class ; rdfs:subClassOf ssm:Section , ssm:Body .\n"
        "<http://example.org/Fine> a owl:Class ; rdfs:subClassOf ssm:Section , ssm:Observatory ."
    )
    report = check_consistency([write(tmp_path, "unsat.ttl", turtle)])
    assert report.ran and report.consistent
    assert report.unsatisfiable == ["http://example.org/SectionBody"]
    assert not report.ok
    assert "http://example.org/SectionBody" in report.message


@needs_java
def test_each_check_starts_from_a_fresh_world(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.ttl", PREFIXES + INCONSISTENT["function and post"][0])
    good = write(tmp_path, "good.ttl", GOOD)
    assert not check_consistency([bad]).consistent
    assert check_consistency([good]).ok


@needs_java
def test_imports_in_data_are_not_followed(tmp_path: Path) -> None:
    turtle = GOOD + "<http://example.org/x> owl:imports <http://example.invalid/o> ."
    report = check_consistency([write(tmp_path, "imports.ttl", turtle)])
    assert report.ok, report.message


@needs_java
def test_unreadable_input_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "missing.ttl"
    report = check_consistency([missing])
    assert not report.ran and str(missing) in report.message
    broken = write(tmp_path, "broken.ttl", PREFIXES + "u:ssm a ssm:Secretariat")
    report = check_consistency([broken])
    assert not report.ran and "broken.ttl" in report.message


def test_missing_java_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(owlready2, "JAVA_EXE", "java-that-does-not-exist")
    report = check_consistency([])
    assert not report.ran and not report.ok
    assert "ensure_java.sh" in report.message


@needs_java
def test_command_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, "good.ttl", GOOD)
    bad = write(tmp_path, "bad.ttl", PREFIXES + INCONSISTENT["body and unit"][0])
    assert cli.main(["consistency", str(good)]) == 0
    assert cli.main(["consistency", str(bad)]) == 1
    assert cli.main(["consistency", str(tmp_path / "missing.ttl")]) == 2
    assert "Traceback" not in capsys.readouterr().err


@needs_java
@pytest.mark.skipif(not DATA.exists(), reason="data/ssm.ttl has not been built yet")
def test_real_data_is_consistent() -> None:
    report = check_consistency([DATA])
    assert report.ok, report.message
