"""`ssm release VERSION`: a dated, immutable snapshot of the graph and the ontology.

A release is a folder `releases/<version>/` holding `ssm.ttl` (the graph), `ontology.ttl` (the
ontology) and `release.ttl`, its metadata in DCAT/VoID/PROV: `owl:versionInfo`, `dcterms:issued`
(the day we publish it, not the date of the executive order: the annex text carries neither its
number nor its date), `prov:wasRevisionOf` the previous release, the ontology version it carries
(`dcterms:conformsTo`), and a SHA-256 checksum per file (`spdx:checksum`) so `ssm release
--verify` can prove that no snapshot changed after it was made. The release's IRI,
`{base}release/<version>`, is the dataset's version IRI; the server serves every release there
(see `oas_ssm.server.releases`).

Versions are `MAJOR.MINOR.PATCH`, each new one greater than the last, issued on or after it.
Exit codes: 0 done (or verified); 1 nothing to release (the data and ontology are those of the
latest release) or a snapshot that fails verification; 2 a refusal (bad or existing version,
older date, unreadable input, ontology changed without a new version).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from oas_ssm.namespaces import BASE, DCAT, ID, VOID
from oas_ssm.paths import DATA, ONTOLOGY, RELEASES
from pyoxigraph import NamedNode, RdfFormat, parse
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, XSD

EXIT_OK, EXIT_NOTHING, EXIT_REFUSED = 0, 1, 2
VERSION_RE = re.compile(r"^(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})$")
SPDX = "http://spdx.org/rdf/terms#"
IANA = "http://www.iana.org/assignments/media-types/"
DATA_FILE, ONTOLOGY_FILE, METADATA_FILE = "ssm.ttl", "ontology.ttl", "release.ttl"
DATASET = URIRef(ID["dataset/ssm"])


class ReleaseError(Exception):
    """A release that cannot be made or read; the message says why, for a person to act on."""


def parse_version(text: str) -> tuple[int, int, int]:
    """(major, minor, patch) of a `MAJOR.MINOR.PATCH` version; ReleaseError otherwise."""
    m = VERSION_RE.match(text or "")
    if not m:
        raise ReleaseError(f"{text!r} is not a version of the form MAJOR.MINOR.PATCH (e.g. 1.1.0)")
    return int(m[1]), int(m[2]), int(m[3])


def release_iri(version: str, base: str = BASE) -> str:
    """The version IRI of the dataset at `version`: `{base}release/<version>`."""
    return f"{base}release/{version}"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Release:
    """One release on disk (canonical IRIs: the server rewrites them to its own base)."""

    version: str
    issued: date
    previous: str | None
    directory: Path
    ontology_version: str | None  # the ontology's owl:versionIRI, when it has one
    checksums: dict[str, str]  # file name -> sha256 recorded when the release was made

    @property
    def iri(self) -> str:
        return release_iri(self.version)

    @property
    def data(self) -> Path:
        return self.directory / DATA_FILE

    @property
    def ontology(self) -> Path:
        return self.directory / ONTOLOGY_FILE

    @property
    def metadata(self) -> Path:
        return self.directory / METADATA_FILE

    @property
    def key(self) -> tuple[int, int, int]:
        return parse_version(self.version)


def read_release(directory: Path) -> Release:
    """The release in `directory`, from its release.ttl; ReleaseError if it is not one."""
    meta = directory / METADATA_FILE
    try:
        g = Graph().parse(meta, format="turtle")
    except (OSError, SyntaxError, ValueError) as e:
        raise ReleaseError(f"{meta}: not a readable release description: {e}") from None
    version = directory.name
    parse_version(version)
    node = URIRef(release_iri(version))
    issued = g.value(node, DCTERMS.issued)
    if g.value(node, OWL.versionInfo) != Literal(version) or issued is None:
        raise ReleaseError(f"{meta}: does not describe release {version} (versionInfo, issued)")
    previous = g.value(node, PROV.wasRevisionOf)
    ontology_version = g.value(node, DCTERMS.conformsTo)
    checksums = {}
    for dist in g.objects(node, DCAT.distribution):
        name = str(dist).rsplit("#", 1)[-1]
        value = g.value(g.value(dist, URIRef(SPDX + "checksum")), URIRef(SPDX + "checksumValue"))
        if value is not None:
            checksums[_FILE_OF_FRAGMENT.get(name, name)] = str(value)
    return Release(
        version=version,
        issued=date.fromisoformat(str(issued)),
        previous=str(previous).rsplit("/", 1)[-1] if previous is not None else None,
        directory=directory,
        ontology_version=str(ontology_version) if ontology_version is not None else None,
        checksums=checksums,
    )


_FILE_OF_FRAGMENT = {"data": DATA_FILE, "ontology": ONTOLOGY_FILE}


def list_releases(directory: Path = RELEASES) -> list[Release]:
    """Every release in `directory`, oldest first (by version); none if the folder is absent."""
    if not directory.is_dir():
        return []
    found = [read_release(d) for d in directory.iterdir()
             if d.is_dir() and VERSION_RE.match(d.name)]  # fmt: skip
    return sorted(found, key=lambda r: r.key)


def verify(directory: Path = RELEASES) -> list[str]:
    """Problems with the snapshots: a file missing or not what its recorded checksum says."""
    problems = []
    for r in list_releases(directory):
        for name in (DATA_FILE, ONTOLOGY_FILE):
            path = r.directory / name
            if name not in r.checksums:
                problems.append(f"{path}: no checksum recorded in {r.metadata}")
            elif not path.is_file():
                problems.append(f"{path}: missing")
            elif sha256(path) != r.checksums[name]:
                problems.append(f"{path}: changed since release {r.version} was made")
    return problems


def _ontology_version(raw: bytes, source: Path) -> tuple[str | None, str | None]:
    """The ontology's (owl:versionIRI, owl:versionInfo)."""
    version_iri = version_info = None
    try:
        for t in parse(raw, format=RdfFormat.TURTLE):
            if t.predicate == NamedNode(str(OWL.versionIRI)):
                version_iri = t.object.value
            elif t.predicate == NamedNode(str(OWL.versionInfo)):
                version_info = t.object.value
    except (SyntaxError, ValueError) as e:
        raise ReleaseError(f"{source}: invalid Turtle: {e}") from None
    return version_iri, version_info


def _check_turtle(raw: bytes, source: Path) -> None:
    try:
        if not any(True for _ in parse(raw, format=RdfFormat.TURTLE)):
            raise ReleaseError(f"{source}: no triples")
    except SyntaxError as e:
        raise ReleaseError(f"{source}:{e.lineno}:{e.offset}: invalid Turtle: {e.msg}") from None


def metadata_graph(version: str, issued: date, previous: Release | None,
                   ontology_version: str | None, checksums: dict[str, str]) -> Graph:  # fmt: skip
    """release.ttl: the release as a version of the dataset (DCAT 3, VoID, PROV)."""
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("void", VOID), ("dcterms", DCTERMS), ("prov", PROV),
                       ("owl", OWL), ("xsd", XSD), ("spdx", SPDX)):  # fmt: skip
        g.bind(prefix, ns)
    r = URIRef(release_iri(version))
    for cls in (DCAT.Dataset, VOID.Dataset, PROV.Entity):
        g.add((r, RDF.type, cls))
    g.add((r, DCTERMS.title, Literal(
        f"Secretaría de Seguridad Multidimensional de la OEA: Anexo E como datos enlazados, "
        f"versión {version}", lang="es")))  # fmt: skip
    g.add((r, DCTERMS.title, Literal(
        f"Secretariat for Multidimensional Security of the OAS: Annex E as linked data, "
        f"release {version}", lang="en")))  # fmt: skip
    g.add((r, DCTERMS.description, Literal(
        "Fecha de emisión: el día en que publicamos esta versión. El texto del Anexo E no indica "
        "el número ni la fecha de la Orden Ejecutiva.", lang="es")))  # fmt: skip
    g.add((r, DCTERMS.description, Literal(
        "Issue date: the day we published this release. The text of Annex E gives neither the "
        "number nor the date of the executive order.", lang="en")))  # fmt: skip
    g.add((r, OWL.versionInfo, Literal(version)))
    g.add((r, DCAT.version, Literal(version)))
    g.add((r, DCTERMS.issued, Literal(issued.isoformat(), datatype=XSD.date)))
    g.add((r, DCTERMS.isVersionOf, DATASET))
    g.add((r, PROV.specializationOf, DATASET))
    # derived from the annex, a legal text (DCAT-AP reads dcterms:source as a source *dataset*)
    g.add((r, PROV.wasDerivedFrom, URIRef(ID["provision/anexo-e"])))
    if previous is not None:
        g.add((r, PROV.wasRevisionOf, URIRef(previous.iri)))
        g.add((r, DCAT.previousVersion, URIRef(previous.iri)))
    if ontology_version:
        g.add((r, DCTERMS.conformsTo, URIRef(ontology_version)))
        g.add((URIRef(ontology_version), RDF.type, DCTERMS.Standard))  # typed, for DCAT-AP
    dumps = {DATA_FILE: f"{r}/dumps/ssm.ttl", ONTOLOGY_FILE: f"{r}/def/ssm.ttl"}
    g.add((r, VOID.dataDump, URIRef(dumps[DATA_FILE])))
    for fragment, name in _FILE_OF_FRAGMENT.items():
        dist, checksum = URIRef(f"{r}#{fragment}"), URIRef(f"{r}#{fragment}-sha256")
        g.add((r, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.accessURL, URIRef(dumps[name])))  # DCAT-AP requires one
        g.add((dist, DCAT.downloadURL, URIRef(dumps[name])))
        g.add((dist, DCAT.mediaType, URIRef(IANA + "text/turtle")))
        g.add((dist, URIRef(SPDX + "checksum"), checksum))
        g.add((checksum, RDF.type, URIRef(SPDX + "Checksum")))
        algorithm = URIRef(SPDX + "checksumAlgorithm_sha256")
        g.add((checksum, URIRef(SPDX + "algorithm"), algorithm))
        g.add((algorithm, RDF.type, URIRef(SPDX + "ChecksumAlgorithm")))  # typed, for DCAT-AP
        g.add((checksum, URIRef(SPDX + "checksumValue"),
               Literal(checksums[name], datatype=XSD.hexBinary)))  # fmt: skip
    return g


def make_release(version: str, issued: date, data: Path = DATA, ontology: Path = ONTOLOGY,
                 directory: Path = RELEASES) -> Release | None:  # fmt: skip
    """Snapshot `data` and `ontology` as release `version` in `directory`; None when they are
    the latest release's (nothing to release). Written to a temporary folder, then renamed, so
    a release is whole or absent."""
    parse_version(version)
    releases = list_releases(directory)
    latest = releases[-1] if releases else None
    if (directory / version).exists():
        raise ReleaseError(f"release {version} exists already: releases are immutable")
    if latest and parse_version(version) <= latest.key:
        raise ReleaseError(f"version {version} is not greater than the latest, {latest.version}")
    if latest and issued < latest.issued:
        raise ReleaseError(f"date {issued} is before release {latest.version} ({latest.issued})")
    raw = {}
    for name, source in ((DATA_FILE, data), (ONTOLOGY_FILE, ontology)):
        try:
            raw[name] = Path(source).read_bytes()
        except OSError as e:
            raise ReleaseError(f"{source}: cannot read: {e.strerror or e}") from None
        _check_turtle(raw[name], Path(source))
    checksums = {name: hashlib.sha256(content).hexdigest() for name, content in raw.items()}
    if latest and all(latest.checksums.get(n) == checksums[n] for n in checksums):
        return None
    ontology_version, _ = _ontology_version(raw[ONTOLOGY_FILE], Path(ontology))
    if (latest and latest.checksums.get(ONTOLOGY_FILE) != checksums[ONTOLOGY_FILE]
            and ontology_version == latest.ontology_version):  # fmt: skip
        raise ReleaseError(
            f"{ontology}: the ontology changed since release {latest.version} but its "
            f"owl:versionIRI is still {ontology_version}: give it a new version first"
        )
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=directory))
    try:
        for name, content in raw.items():
            (staging / name).write_bytes(content)
        meta = metadata_graph(version, issued, latest, ontology_version, checksums)
        header = (f"# Release {version} of the SSM linked data, issued {issued.isoformat()}.\n"
                  "# Written by `ssm release`; immutable: never edit a release, make a new one.\n")
        (staging / METADATA_FILE).write_text(header + meta.serialize(format="turtle"),
                                             encoding="utf-8")  # fmt: skip
        os.chmod(staging, 0o755)
        staging.rename(directory / version)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return read_release(directory / version)


# -- command ----------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("version", nargs="?", help="the new version, MAJOR.MINOR.PATCH")
    parser.add_argument("--date", help="issue date, YYYY-MM-DD (default: today, UTC)")
    parser.add_argument("--data", type=Path, default=DATA, help="the graph (data/ssm.ttl)")
    parser.add_argument("--ontology", type=Path, default=ONTOLOGY, help="the ontology")
    parser.add_argument("--releases", type=Path, default=RELEASES, help="the releases folder")
    parser.add_argument("--list", action="store_true", help="list the releases and stop")
    parser.add_argument("--verify", action="store_true",
                        help="check every snapshot against its recorded checksum")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    try:
        if args.list:
            for r in list_releases(args.releases):
                prev = f" (revision of {r.previous})" if r.previous else ""
                print(f"{r.version}  {r.issued.isoformat()}{prev}")
            return EXIT_OK
        if args.verify:
            problems = verify(args.releases)
            for p in problems:
                print(f"ssm release: {p}", file=sys.stderr)
            if not problems:
                print(f"{len(list_releases(args.releases))} release(s) intact")
            return EXIT_NOTHING if problems else EXIT_OK
        if not args.version:
            raise ReleaseError("give the new version (or --list, --verify)")
        try:
            issued = date.fromisoformat(args.date) if args.date else datetime.now(UTC).date()
        except ValueError:
            raise ReleaseError(f"--date {args.date!r} is not a date YYYY-MM-DD") from None
        made = make_release(args.version, issued, args.data, args.ontology, args.releases)
    except ReleaseError as e:
        print(f"ssm release: {e}", file=sys.stderr)
        return EXIT_REFUSED
    if made is None:
        print("ssm release: nothing to release: data and ontology are the latest release's",
              file=sys.stderr)  # fmt: skip
        return EXIT_NOTHING
    print(f"release {made.version} issued {made.issued.isoformat()} in {made.directory}")
    return EXIT_OK
