"""`ssm release`: dated, immutable snapshots with DCAT/VoID/PROV metadata. Every release but the
real ones in releases/ is made here, in a temporary folder, from a changed copy of the graph."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from oas_ssm import release as rel
from oas_ssm.cli import main
from oas_ssm.paths import DATA, ONTOLOGY, RELEASES
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV

DCAT = "http://www.w3.org/ns/dcat#"
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")


def changed_data(tmp_path: Path) -> Path:
    """The committed graph with the DSP renamed: a stand-in for an amendment."""
    text = DATA.read_text(encoding="utf-8")
    assert '"Departamento de Seguridad Pública"@es' in text
    path = tmp_path / "changed.ttl"
    renamed = text.replace('"Departamento de Seguridad Pública"@es',
                           '"Departamento de Seguridad Ciudadana"@es')  # fmt: skip
    path.write_text(renamed, encoding="utf-8")
    return path


@pytest.fixture
def two_releases(tmp_path: Path) -> tuple[Path, rel.Release, rel.Release]:
    folder = tmp_path / "releases"
    first = rel.make_release("1.0.0", date(2026, 11, 30), DATA, ONTOLOGY, folder)
    second = rel.make_release("1.1.0", date(2027, 2, 1), changed_data(tmp_path), ONTOLOGY, folder)
    assert first is not None and second is not None
    return folder, first, second


def test_release_records_version_date_and_previous(two_releases):
    folder, first, second = two_releases
    assert [r.version for r in rel.list_releases(folder)] == ["1.0.0", "1.1.0"]
    assert (first.directory / "ssm.ttl").read_bytes() == DATA.read_bytes()
    assert (first.directory / "ontology.ttl").read_bytes() == ONTOLOGY.read_bytes()
    g = Graph().parse(second.metadata)
    node = URIRef(second.iri)
    assert node == URIRef("https://w3id.org/oas-ssm/release/1.1.0")
    assert g.value(node, OWL.versionInfo) == Literal("1.1.0")
    assert g.value(node, DCTERMS.issued) == Literal("2027-02-01", datatype=XSD_DATE)
    assert g.value(node, PROV.wasRevisionOf) == URIRef(first.iri)
    assert g.value(node, URIRef(DCAT + "previousVersion")) == URIRef(first.iri)
    assert g.value(node, DCTERMS.isVersionOf) == URIRef("https://w3id.org/oas-ssm/id/dataset/ssm")
    assert g.value(node, DCTERMS.conformsTo) == URIRef("https://w3id.org/oas-ssm/def/ssm/1.0.0")
    assert (URIRef(first.iri), PROV.wasRevisionOf, None) not in Graph().parse(first.metadata)
    assert rel.verify(folder) == []


def test_refusals(two_releases, tmp_path):
    folder, _, _ = two_releases
    other = changed_data(tmp_path).read_text(encoding="utf-8").replace("Ciudadana", "Civil")
    (tmp_path / "other.ttl").write_text(other, encoding="utf-8")
    cases = [
        ("1.1.0", date(2027, 3, 1), "exists already"),
        ("1.0.5", date(2027, 3, 1), "not greater"),
        ("1.2.0", date(2027, 1, 1), "before release 1.1.0"),
        ("1.2", date(2027, 3, 1), "MAJOR.MINOR.PATCH"),
        ("../x", date(2027, 3, 1), "MAJOR.MINOR.PATCH"),
    ]
    for version, day, message in cases:
        with pytest.raises(rel.ReleaseError, match=message):
            rel.make_release(version, day, tmp_path / "other.ttl", ONTOLOGY, folder)
    # The same data and ontology again: nothing to release.
    assert rel.make_release("1.2.0", date(2027, 3, 1), changed_data(tmp_path), ONTOLOGY,
                            folder) is None  # fmt: skip
    # An ontology that changed but kept its version IRI.
    onto = tmp_path / "onto.ttl"
    onto.write_text(ONTOLOGY.read_text(encoding="utf-8") + "\n# changed\n"
                    "<urn:x> <urn:y> <urn:z> .\n", encoding="utf-8")  # fmt: skip
    with pytest.raises(rel.ReleaseError, match="give it a new version"):
        rel.make_release("1.2.0", date(2027, 3, 1), DATA, onto, folder)
    assert [r.version for r in rel.list_releases(folder)] == ["1.0.0", "1.1.0"]
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no staging left over


def test_verify_detects_a_changed_snapshot(two_releases, capsys):
    folder, first, _ = two_releases
    assert main(["release", "--verify", "--releases", str(folder)]) == 0
    with first.data.open("a", encoding="utf-8") as f:
        f.write("\n")
    assert main(["release", "--verify", "--releases", str(folder)]) == 1
    assert "changed since release 1.0.0" in capsys.readouterr().err


def test_command_exit_codes(tmp_path, capsys):
    folder = tmp_path / "r"
    args = ["release", "--releases", str(folder), "--date", "2026-11-30"]
    assert main([*args, "1.0.0"]) == 0
    assert main([*args, "1.0.1"]) == 1  # nothing changed
    assert "nothing to release" in capsys.readouterr().err
    assert main([*args, "1.0.0"]) == 2
    assert main(["release", "--releases", str(folder), "--date", "30/11/2026", "2.0.0"]) == 2
    assert main([*args, "--data", str(tmp_path / "missing.ttl"), "2.0.0"]) == 2
    err = capsys.readouterr().err
    assert "not a date" in err and "cannot read" in err and "Traceback" not in err
    assert main(["release", "--releases", str(folder), "--list"]) == 0
    assert "1.0.0  2026-11-30" in capsys.readouterr().out


def test_published_releases_are_intact():
    """The real releases: each snapshot is byte for byte what its release recorded."""
    releases = rel.list_releases(RELEASES)
    assert releases, "releases/ holds at least the first release"
    assert releases[0].version == "1.0.0" and releases[0].previous is None
    assert rel.verify(RELEASES) == []
    for older, newer in zip(releases, releases[1:], strict=False):
        assert newer.previous == older.version and newer.issued >= older.issued
