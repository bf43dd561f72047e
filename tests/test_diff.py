"""`ssm diff`: changes made to a copy of the graph, here in the tests, reported in the
organization's terms with the provisions cited on either side. Nothing here enters data/."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from oas_ssm import diff as ssm_diff
from oas_ssm.cli import main
from oas_ssm.namespaces import ORG, SSM, iri
from oas_ssm.paths import DATA, ROOT
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS

UNIT = lambda slug: URIRef(iri("unit", slug))  # noqa: E731
POST = lambda slug: URIRef(iri("post", slug))  # noqa: E731
FUNCTION = lambda slug: URIRef(iri("function", slug))  # noqa: E731
PROVISION = lambda slug: URIRef(iri("provision", slug))  # noqa: E731
STATEMENT = lambda slug: URIRef(iri("statement", slug))  # noqa: E731


@pytest.fixture
def changed(data_graph: Graph, tmp_path: Path):
    """A copy of the committed graph to change, and a function writing it to a file."""
    g = Graph()
    g += data_graph

    def write(name: str = "new.nt") -> Path:
        path = tmp_path / name
        g.serialize(path, format="nt", encoding="utf-8")
        return path

    return g, write


def changes_of(new: Path) -> list[ssm_diff.Change]:
    return ssm_diff.compare(ssm_diff.load(str(DATA)), ssm_diff.load(str(new))).changes


def only(changes, kind, action):
    found = [c for c in changes if c.kind == kind and c.action == action]
    assert len(found) == 1, changes
    return found[0]


def test_rename_reports_old_and_new_names(changed):
    g, write = changed
    g.remove((UNIT("dsp"), SKOS.prefLabel, Literal("Departamento de Seguridad Pública", lang="es")))
    g.add((UNIT("dsp"), SKOS.prefLabel, Literal("Departamento de Seguridad Ciudadana", lang="es")))
    changes = changes_of(write())
    assert len(changes) == 1
    c = only(changes, "unit", "renamed")
    assert c.subject == str(UNIT("dsp"))
    assert c.old[0] == "Departamento de Seguridad Pública"
    assert c.new[0] == "Departamento de Seguridad Ciudadana"
    assert str(PROVISION("V-A-1")) in c.new_provisions


def move_aml_section(g: Graph) -> None:
    """Move the Anti-Money Laundering Section from SE/CICAD to S/CICTE, statement included."""
    aml = UNIT("seccion-antilavado-activos")
    g.remove((aml, ORG.subOrganizationOf, UNIT("se-cicad")))
    g.add((aml, ORG.subOrganizationOf, UNIT("s-cicte")))
    old_st = STATEMENT("unit-seccion-antilavado-activos--subOrganizationOf--unit-se-cicad")
    new_st = STATEMENT("unit-seccion-antilavado-activos--subOrganizationOf--unit-s-cicte")
    for p, o in list(g.predicate_objects(old_st)):
        g.remove((old_st, p, o))
    for p, o in ((RDF.type, RDF.Statement), (RDF.subject, aml),
                 (RDF.predicate, ORG.subOrganizationOf), (RDF.object, UNIT("s-cicte")),
                 (PROV.wasDerivedFrom, PROVISION("IV-A-1"))):  # fmt: skip
        g.add((new_st, p, o))


def test_move_reports_old_and_new_parent_with_their_provisions(changed):
    g, write = changed
    move_aml_section(g)
    changes = changes_of(write())
    c = only(changes, "unit", "moved")
    assert c.subject == str(UNIT("seccion-antilavado-activos"))
    assert c.old == (str(UNIT("se-cicad")),)
    assert c.new == (str(UNIT("s-cicte")),)
    assert set(c.old_provisions) == {str(PROVISION("III-A-3")), str(PROVISION("III-A-3-e"))}
    assert c.new_provisions == (str(PROVISION("IV-A-1")),)
    # the statement is a structural relation: reported as the move, not again as a relation
    assert not [c for c in changes if c.kind == "relation"]


def drop(g: Graph, node: URIRef) -> None:
    for p, o in list(g.predicate_objects(node)):
        g.remove((node, p, o))
    for s, p in list(g.subject_predicates(node)):
        g.remove((s, p, node))


def test_function_removed(changed):
    g, write = changed
    drop(g, FUNCTION("III-B-6"))
    c = only(changes_of(write()), "function", "removed")
    assert c.subject == str(FUNCTION("III-B-6"))
    assert c.old == (str(UNIT("se-cicad")),)  # the unit it belonged to
    assert c.old_provisions == (str(PROVISION("III-B-6")),)


def test_function_text_changed_has_a_word_diff(changed):
    g, write = changed
    f = FUNCTION("III-B-6")
    old_text = g.value(f, SSM.verbatimText)
    assert "Mecanismo de Evaluación Multilateral" in str(old_text)
    new_text = str(old_text).replace("Mecanismo de Evaluación Multilateral", "Sistema de Examen")
    g.set((f, SSM.verbatimText, Literal(new_text, lang="es")))
    changes = changes_of(write())
    assert len(changes) == 1
    c = only(changes, "function", "text-changed")
    deleted = "".join(s.text for s in c.word_diff if s.op == "-")
    inserted = "".join(s.text for s in c.word_diff if s.op == "+")
    assert "Mecanismo" in deleted and "Multilateral" in deleted
    assert "Sistema" in inserted and "Examen" in inserted
    kept = "".join(s.text for s in c.word_diff if s.op != "+")
    assert kept == str(old_text)  # kept + deleted runs give back the old text


def test_new_unit_is_added_with_its_parent_and_provision(changed):
    g, write = changed
    new = UNIT("seccion-de-prueba")
    g.add((new, RDF.type, SSM.Section))
    g.add((new, SKOS.prefLabel, Literal("Sección de Prueba", lang="es")))
    g.add((new, ORG.subOrganizationOf, UNIT("dsp")))
    g.add((new, PROV.wasDerivedFrom, PROVISION("V-A-1")))
    changes = changes_of(write())
    c = only(changes, "unit", "added")
    assert c.subject == str(new)
    assert c.new == (str(UNIT("dsp")),)
    assert c.new_provisions == (str(PROVISION("V-A-1")),)


def test_changed_reporting_line(changed):
    g, write = changed
    g.set((POST("director-dsp"), ORG.reportsTo, POST("secretario-general")))
    c = only(changes_of(write()), "reporting", "changed")
    assert c.subject == str(POST("director-dsp"))
    assert c.old == (str(POST("secretario-seguridad-multidimensional")),)
    assert c.new == (str(POST("secretario-general")),)
    assert c.old_provisions == (str(PROVISION("V-A-1")),)


def test_substitution_removed_and_relation_added(changed):
    g, write = changed
    g.remove((POST("secretario-ejecutivo-adjunto-cicad"), SSM.actsInAbsenceOf, None))
    st = STATEMENT("unit-dsp--liaisesWith--body-cicte")
    for p, o in ((RDF.type, RDF.Statement), (RDF.subject, UNIT("dsp")),
                 (RDF.predicate, SSM.liaisesWith), (RDF.object, URIRef(iri("body", "cicte"))),
                 (PROV.wasDerivedFrom, PROVISION("V-B-1"))):  # fmt: skip
        g.add((st, p, o))
    changes = changes_of(write())
    assert only(changes, "substitution", "removed").subject == str(
        POST("secretario-ejecutivo-adjunto-cicad")
    )
    rel = only(changes, "relation", "added")
    assert (rel.subject, rel.predicate, rel.new) == (
        str(UNIT("dsp")), str(SSM.liaisesWith), (iri("body", "cicte"),)
    )  # fmt: skip
    assert rel.new_provisions == (str(PROVISION("V-B-1")),)


def test_renumbered_function_is_not_reported_as_removed_and_added(changed):
    g, write = changed
    old, new = FUNCTION("III-B-6"), FUNCTION("III-B-99")
    for p, o in list(g.predicate_objects(old)):
        g.remove((old, p, o))
        g.add((new, p, Literal("III.B.99") if p == SKOS.notation else o))
    c = only(changes_of(write()), "function", "renumbered")
    assert (c.subject, c.new_subject) == (str(old), str(new))
    assert (c.old, c.new) == (("III.B.6",), ("III.B.99",))


# -- the command: exit codes and formats ------------------------------------------------------


def test_exit_codes_like_diff(changed, tmp_path, capsys):
    g, write = changed
    same = write("same.nt")
    assert main(["diff", str(DATA), str(same)]) == 0
    assert "no change" in capsys.readouterr().out
    g.set((POST("director-dsp"), ORG.reportsTo, POST("secretario-general")))
    assert main(["diff", str(DATA), str(write("changed.nt"))]) == 1
    out = capsys.readouterr().out
    assert "Reporting lines:" in out and "post:director-dsp" in out and "(cited: V.A.1" in out
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix x: <http://x/> .\nx:a x:b \n", encoding="utf-8")
    assert main(["diff", str(DATA), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.ttl:" in err and "Traceback" not in err
    assert main(["diff", str(tmp_path / "missing.ttl"), str(DATA)]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_markdown_for_a_pull_request(changed, capsys):
    g, write = changed
    f = FUNCTION("III-B-6")
    text = str(g.value(f, SSM.verbatimText))
    g.set((f, SSM.verbatimText, Literal(text.replace("Administra", "Supervisa"), lang="es")))
    assert main(["diff", "--format", "markdown", str(DATA), str(write())]) == 1
    out = capsys.readouterr().out
    assert out.startswith("## ssm diff:")
    assert "### Functions (1)" in out
    assert "<del>Administra</del>" in out and "<ins>Supervisa</ins>" in out
    assert "`function:III-B-6`" in out


def test_turtle_change_set_links_changes_to_provisions(changed, capsys):
    g, write = changed
    move_aml_section(g)
    drop(g, FUNCTION("III-B-6"))
    assert main(["diff", "--format", "turtle", str(DATA), str(write())]) == 1
    cs = Graph().parse(data=capsys.readouterr().out, format="turtle")
    aml = UNIT("seccion-antilavado-activos")
    events = list(cs.subjects(RDF.type, ORG.ChangeEvent))
    assert len(events) == 1
    event = events[0]
    assert (event, ORG.originalOrganization, aml) in cs
    assert (event, ORG.resultingOrganization, aml) in cs
    # the move generated the new parent statement, derived from the provision that states it
    generated = cs.value(event, PROV.generated)
    assert cs.value(generated, RDF.object) == UNIT("s-cicte")
    assert cs.value(generated, PROV.wasDerivedFrom) == PROVISION("IV-A-1")
    invalidated = cs.value(event, PROV.invalidated)
    assert cs.value(invalidated, RDF.object) == UNIT("se-cicad")
    # the removed function invalidated its typing, citing its own paragraph
    removal = next(a for a in cs.subjects(PROV.invalidated, None)
                   if cs.value(cs.value(a, PROV.invalidated), RDF.subject) == FUNCTION("III-B-6"))
    assert (removal, URIRef("http://purl.org/dc/terms/references"), PROVISION("III-B-6")) in cs


def test_citation_and_provision_changes(changed):
    """An amendment that renumbers where a fact is stated, and rewords a paragraph that is not a
    function (I.E.3, the DSP's line in the structure)."""
    g, write = changed
    st = STATEMENT("post-director-dsp--reportsTo--post-secretario-seguridad-multidimensional")
    g.set((st, PROV.wasDerivedFrom, PROVISION("V-A-2")))
    p = PROVISION("I-E-3")
    g.set((p, SSM.verbatimText, Literal("Departamento de Seguridad Ciudadana.", lang="es")))
    changes = changes_of(write())
    cited = only(changes, "citation", "changed")
    assert (cited.subject, cited.predicate) == (str(POST("director-dsp")), str(ORG.reportsTo))
    assert (cited.old_provisions, cited.new_provisions) == ((str(PROVISION("V-A-1")),),
                                                            (str(PROVISION("V-A-2")),))  # fmt: skip
    text = only(changes, "provision", "text-changed")
    assert text.subject == str(p)
    assert [s.text for s in text.word_diff if s.op != "="] == ["Pública.", "Ciudadana."]
    # A function's paragraph is reported once, as the function's text.
    f = FUNCTION("III-B-6")
    g.set((f, SSM.verbatimText, Literal("Otro texto.", lang="es")))
    g.set((PROVISION("III-B-6"), SSM.verbatimText, Literal("Otro texto.", lang="es")))
    again = changes_of(write("again.nt"))
    assert [c.subject for c in again if c.action == "text-changed"] == [str(f), str(p)]


def test_turtle_rename_reifies_only_the_changed_name(changed, capsys):
    g, write = changed
    g.remove((UNIT("dsp"), SKOS.prefLabel, Literal("Departamento de Seguridad Pública", lang="es")))
    g.add((UNIT("dsp"), SKOS.prefLabel, Literal("Departamento de Seguridad Ciudadana", lang="es")))
    assert main(["diff", "--format", "turtle", str(DATA), str(write())]) == 1
    cs = Graph().parse(data=capsys.readouterr().out, format="turtle")
    event = cs.value(None, RDF.type, ORG.ChangeEvent)
    old = [cs.value(st, RDF.object) for st in cs.objects(event, PROV.invalidated)]
    new = [cs.value(st, RDF.object) for st in cs.objects(event, PROV.generated)]
    assert old == [Literal("Departamento de Seguridad Pública", lang="es")]
    assert new == [Literal("Departamento de Seguridad Ciudadana", lang="es")]


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(),
                    reason="not a git checkout")  # fmt: skip
def test_git_revision_input(capsys):
    git_diff = ["git", "-C", str(ROOT), "diff", "--quiet", "HEAD", "--", "data/ssm.ttl"]
    tracked = subprocess.run(git_diff, check=False).returncode
    code = main(["diff", "git:HEAD", str(DATA)])
    assert code == tracked  # 0 when the working copy is the committed one
    assert main(["diff", "git:no-such-revision", str(DATA)]) == 2
    assert "git:no-such-revision" in capsys.readouterr().err


def test_release_input(capsys):
    """`release:1.0.0` reads the published release; it differs from today's data exactly as
    the working copy differs from that snapshot."""
    from oas_ssm.paths import RELEASES

    same = (RELEASES / "1.0.0" / "ssm.ttl").read_bytes() == DATA.read_bytes()
    assert main(["diff", "release:1.0.0", str(DATA)]) == (0 if same else 1)
    assert main(["diff", "release:9.9.9", str(DATA)]) == 2
    assert main(["diff", "release:../x", str(DATA)]) == 2
    err = capsys.readouterr().err
    assert "no such release" in err and "not a release version" in err
