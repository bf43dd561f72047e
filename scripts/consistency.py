"""HermiT consistency check of the ontology, W3C ORG and the data, fully offline.

SHACL checks shapes; only a DL reasoner sees that a resource typed as two disjoint classes, or
a class that can have no member, makes the model say nothing. owlready2 bundles HermiT (Java)
but reads neither Turtle nor a file without following its `owl:imports` over the web, so every
input is parsed with rdflib, stripped of `owl:imports`, written as N-Triples in a temporary
directory and loaded into a fresh owlready2 `World` (its global default world would otherwise
remember one check's triples in the next).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import owlready2
from oas_ssm.namespaces import PREFIXES
from oas_ssm.paths import DATA, ONTOLOGY, PACKAGE, ROOT, VENDOR_VOCAB
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.util import guess_format

# ORG, which the ontology extends. PROV-O is left out: the data uses only prov:wasDerivedFrom
# (declared in the ontology), and PROV-O's own annotation/object-property puns make owlready2
# print warnings without adding any axiom that could catch an error in our data.
VENDOR_FILES: tuple[Path, ...] = (VENDOR_VOCAB / "org.ttl",)
ENSURE_JAVA = PACKAGE / "ensure_java.sh"


@dataclass
class ConsistencyReport:
    """What HermiT found. `ran` is False when the check could not run (no Java, bad input)."""

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    message: str = ""
    ran: bool = True

    @property
    def ok(self) -> bool:
        """True when the check ran and found neither an inconsistency nor an empty class."""
        return self.ran and self.consistent and not self.unsatisfiable


class InputError(ValueError):
    """An input file is missing or not parsable RDF."""


def load_graph(path: Path) -> Graph:
    """Parse one RDF file (format from its suffix, Turtle by default) without imports."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    graph = Graph()
    try:
        graph.parse(path, format=guess_format(str(path)) or "turtle")
    except Exception as exc:  # rdflib raises many unrelated types for bad syntax
        raise InputError(f"{path}: not parsable RDF: {exc}") from exc
    graph.remove((None, OWL.imports, None))
    return graph


def check_consistency(
    data_files: list[Path],
    ontology: Path = ONTOLOGY,
    vendor_files: Iterable[Path] = VENDOR_FILES,
) -> ConsistencyReport:
    """Run HermiT over vendor vocabularies + `ontology` + `data_files`; never raises."""
    java = shutil.which(owlready2.JAVA_EXE)
    if java is None:
        return ConsistencyReport(
            consistent=False,
            message=f"HermiT needs Java, and `java` is not on PATH: run {ENSURE_JAVA}.",
            ran=False,
        )
    files = [*vendor_files, ontology, *data_files]
    try:
        graphs = [load_graph(Path(f)) for f in files]
    except InputError as exc:
        return ConsistencyReport(consistent=False, message=str(exc), ran=False)

    started = time.monotonic()
    world = owlready2.World()
    try:
        with tempfile.TemporaryDirectory(prefix="ssm-hermit-") as tmp:
            for number, graph in enumerate(graphs):
                nt = Path(tmp) / f"input-{number}.nt"
                graph.serialize(nt, format="nt", encoding="utf-8")
                with nt.open("rb") as fileobj:
                    world.get_ontology(nt.as_uri()).load(fileobj=fileobj, format="ntriples")
            with _temporary_files_in(tmp):
                owlready2.sync_reasoner_hermit(
                    world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=True
                )
        unsatisfiable = sorted(
            c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing
        )
    except owlready2.OwlReadyInconsistentOntologyError:
        causes = explain_inconsistency(_merge(graphs))
        hint = "".join(f"\n  - {c}" for c in causes[:20])
        return ConsistencyReport(
            consistent=False,
            message="HermiT: ontology and data are inconsistent (no model exists). "
            + (f"Likely causes:{hint}" if causes else "No simple cause found."),
        )
    except (owlready2.OwlReadyError, OSError) as exc:  # Java failed, or could not start
        first_lines = "\n".join(str(exc).strip().splitlines()[:5])
        return ConsistencyReport(
            consistent=False, message=f"HermiT could not run: {first_lines}", ran=False
        )
    finally:
        world.close()

    seconds = time.monotonic() - started
    if unsatisfiable:
        listed = "".join(f"\n  - {iri}" for iri in unsatisfiable)
        message = f"HermiT: consistent, but these classes can have no member:{listed}"
    else:
        message = f"HermiT: consistent, no unsatisfiable class ({seconds:.1f} s)."
    return ConsistencyReport(consistent=True, unsatisfiable=unsatisfiable, message=message)


@contextmanager
def _temporary_files_in(directory: str) -> Iterator[None]:
    """owlready2 writes HermiT's input to a temporary file it deletes only when HermiT
    succeeds; pointing `tempfile` at our own directory makes every run clean up after itself."""
    previous = tempfile.tempdir
    tempfile.tempdir = directory
    try:
        yield
    finally:
        tempfile.tempdir = previous


def _merge(graphs: Iterable[Graph]) -> Graph:
    merged = Graph()
    for prefix, namespace in PREFIXES.items():
        merged.bind(prefix, namespace)
    for graph in graphs:
        merged += graph
    return merged


def explain_inconsistency(graph: Graph) -> list[str]:
    """Likely causes of an inconsistency, which HermiT reports without saying why: resources
    whose types (asserted, or implied by domains, ranges and super-classes) are disjoint,
    functional properties with several values, and literals outside a data property's range."""
    names = graph.namespace_manager
    causes = []
    disjoint = _disjoint_pairs(graph)
    if disjoint:
        types = _implied_types(graph)
        for resource in sorted(types):
            for a, b in combinations(sorted(types[resource]), 2):
                if frozenset((a, b)) in disjoint:
                    causes.append(
                        f"{resource.n3(names)} is both {a.n3(names)} and {b.n3(names)}, "
                        "which are disjoint"
                    )
    for prop in sorted(set(graph.subjects(RDF.type, OWL.FunctionalProperty))):
        for subject in sorted(set(graph.subjects(prop, None))):
            values = sorted(graph.objects(subject, prop))
            if len(values) > 1:
                shown = ", ".join(v.n3(names) for v in values)
                causes.append(f"{subject.n3(names)} has several {prop.n3(names)}: {shown}")
    for prop, datatype in graph.subject_objects(RDFS.range):
        accepts = _LITERAL_RANGES.get(datatype)
        if accepts is None or not isinstance(prop, URIRef):
            continue
        for subject, value in sorted(graph.subject_objects(prop)):
            if isinstance(value, Literal) and not accepts(value):
                causes.append(
                    f"{subject.n3(names)} {prop.n3(names)} {value.n3(names)}: "
                    f"not a {datatype.n3(names)}"
                )
    return causes


_INTEGER_TYPES = {
    XSD.integer,
    XSD.int,
    XSD.long,
    XSD.short,
    XSD.byte,
    XSD.nonNegativeInteger,
    XSD.positiveInteger,
    XSD.nonPositiveInteger,
    XSD.negativeInteger,
    XSD.unsignedLong,
    XSD.unsignedInt,
    XSD.unsignedShort,
    XSD.unsignedByte,
}
_LITERAL_RANGES = {
    XSD.integer: lambda v: v.datatype in _INTEGER_TYPES,
    RDF.PlainLiteral: lambda v: v.language is not None or v.datatype in (None, XSD.string),
}


def _disjoint_pairs(graph: Graph) -> set[frozenset[URIRef]]:
    pairs = {frozenset((a, b)) for a, b in graph.subject_objects(OWL.disjointWith)}
    for group in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(graph.items(graph.value(group, OWL.members)))
        pairs.update(frozenset(p) for p in combinations(members, 2))
    return {p for p in pairs if len(p) == 2 and all(isinstance(c, URIRef) for c in p)}


def _implied_types(graph: Graph) -> dict[URIRef, set[URIRef]]:
    """Named types of every IRI: rdf:type, domains and ranges (through super-properties and
    inverses), closed under rdfs:subClassOf."""
    inverse: dict[URIRef, URIRef] = {}
    for p, q in graph.subject_objects(OWL.inverseOf):
        inverse[p], inverse[q] = q, p

    def named(prop: URIRef, axis: URIRef) -> set[URIRef]:
        found = set()
        for sup in graph.transitive_objects(prop, RDFS.subPropertyOf):
            found.update(c for c in graph.objects(sup, axis) if isinstance(c, URIRef))
        return found

    types: dict[URIRef, set[URIRef]] = {}
    for s, p, o in graph:
        if not isinstance(s, URIRef):
            continue
        if p == RDF.type:
            if isinstance(o, URIRef):
                types.setdefault(s, set()).add(o)
            continue
        if not isinstance(p, URIRef):
            continue
        domains, ranges = named(p, RDFS.domain), named(p, RDFS.range)
        if p in inverse:
            domains |= named(inverse[p], RDFS.range)
            ranges |= named(inverse[p], RDFS.domain)
        types.setdefault(s, set()).update(domains)
        if isinstance(o, URIRef):
            types.setdefault(o, set()).update(ranges)
    return {
        s: {sup for t in ts for sup in graph.transitive_objects(t, RDFS.subClassOf)}
        for s, ts in types.items()
        if ts
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Command-line options: the data files to check with the ontology."""
    parser.add_argument(
        "files", nargs="*", type=Path, help=f"data files (default: {DATA.relative_to(ROOT)})"
    )
    parser.add_argument(
        "--ontology", type=Path, default=ONTOLOGY, help="the ontology (default: %(default)s)"
    )


def run(args: argparse.Namespace) -> int:
    """Exit 0 consistent, 1 inconsistent or unsatisfiable classes, 2 the check could not run."""
    report = check_consistency(args.files or [DATA], ontology=args.ontology)
    print(report.message, file=sys.stdout if report.ok else sys.stderr)
    if not report.ran:
        return 2
    return 0 if report.ok else 1
