"""`ssm validate`: check data against the SHACL shapes, the annex and, with HermiT, for OWL
consistency.

pySHACL runs every shape in shapes/ over the data with the ontology (and W3C ORG) as its
ontology graph and RDFS inference, so a ssm:Section is an org:OrganizationalUnit and org:unitOf
is an org:subOrganizationOf without the data saying so. oas_ssm.verbatim then checks that every
ssm:verbatimText is the annex's text, which no shape can. HermiT (scripts/consistency.py) checks
what SHACL cannot: disjoint classes, unsatisfiable classes.

Several files are validated each on its own (each must be a whole dataset; pre-commit passes the
changed files as a list), or as one dataset with --together.

Exit codes: 0 conforms; 1 violations (or a file that parsed but holds no triples); 2 a file
cannot be read or parsed, or the reasoner could not run. Errors name the file, line and column.
With several files the worst outcome wins.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyshacl
from oas_ssm.junit_report import Suite, format_junit
from oas_ssm.namespaces import ID, PREFIXES
from oas_ssm.paths import DATA, ONTOLOGY, ROOT, SHAPES_DIR, SOURCE, VENDOR_VOCAB
from oas_ssm.shacl_report import (
    SH,
    SHAPES_NS,
    Finding,
    ReasonerResult,
    ValidationReport,
    findings_from_results,
    format_text,
    term_text,
    to_json,
)
from oas_ssm.validation_stamp import stamp
from oas_ssm.verbatim import AnnexUnavailable, verbatim_findings
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, NamespaceManager
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.plugins.sparql import processor
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.util import guess_format

EXIT_OK, EXIT_VIOLATIONS, EXIT_UNREADABLE = 0, 1, 2
ONTOLOGY_FILES: tuple[Path, ...] = (ONTOLOGY, VENDOR_VOCAB / "org.ttl")
# The kinds of thing under {base}id/ (docs/model.md), bound as prefixes so reports say
# `unit:dsp` even for a file that binds no prefixes.
ID_KINDS = (
    "organization", "unit", "post", "function", "provision", "body", "instrument",
    "area", "observatory", "concept", "scheme", "statement", "dataset",
)  # fmt: skip


@dataclass
class UnreadableFile(Exception):
    """A file that is missing or not parsable, with where the parser stopped."""

    file: str
    reason: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = ":".join(str(n) for n in (self.line, self.column) if n is not None)
        return f"{self.file}:{where + ':' if where else ''} error: {self.reason}"

    def excerpt(self) -> str:
        """The offending line with a caret under the column, when both are known."""
        if self.line is None:
            return ""
        try:
            text = Path(self.file).read_bytes().decode("utf-8", errors="replace")
        except OSError:
            return ""
        lines = text.splitlines()
        if not 0 < self.line <= len(lines):
            return ""
        source = "".join(c if c.isprintable() else "?" for c in lines[self.line - 1])
        caret = " " * ((self.column or 1) - 1) + "^"
        return f"    {source}\n    {caret}"

    def to_json(self) -> dict:
        return {"file": self.file, "line": self.line, "column": self.column, "message": self.reason}


def read_graph(path: Path) -> Graph:
    """Parse one RDF file (format from its suffix, Turtle by default)."""
    if not path.is_file():
        if path.is_dir():
            reason = "is a directory, not a file"
        elif path.exists():
            reason = "is not a regular file"
        else:
            reason = "no such file"
        raise UnreadableFile(str(path), reason)
    graph = Graph()
    rdf_format = guess_format(str(path)) or "turtle"
    try:
        graph.parse(path, format=rdf_format)
    except Exception as exc:  # rdflib raises unrelated types (SyntaxError, SAX, JSON, Unicode)
        raise _unreadable(path, rdf_format, exc) from None
    return graph


def _unreadable(path: Path, rdf_format: str, exc: Exception) -> UnreadableFile:
    """Where the parser stopped and why. rdflib's positions are unreliable (its Turtle parser
    miscounts lines, its N-Triples parser gives none), so Oxigraph's parser, which reports
    exact positions, locates the error whenever it can."""
    name = str(path)
    if isinstance(exc, UnicodeDecodeError):
        data = path.read_bytes()
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return UnreadableFile(name, f"not UTF-8 text ({exc.reason})", line, column)
    located = _locate_with_oxigraph(path, rdf_format)
    if located is not None:
        return UnreadableFile(name, *located)
    if isinstance(exc, BadSyntax):  # Turtle, N3: index of the error in the text read
        data, index = exc._str, exc._i
        if isinstance(data, str):
            data = data.encode("utf-8")
        start = data.rfind(b"\n", 0, index) + 1
        line = data.count(b"\n", 0, index) + 1
        column = len(data[start:index].decode("utf-8", errors="replace")) + 1
        return UnreadableFile(name, f"bad syntax: {exc._why}", line, column)
    if hasattr(exc, "getLineNumber"):  # xml.sax.SAXParseException (RDF/XML)
        reason, line, column = exc.getMessage(), exc.getLineNumber(), exc.getColumnNumber()
        return UnreadableFile(name, f"bad syntax: {reason}", line, column)
    reason = getattr(exc, "msg", None) or str(exc).splitlines()[0] or type(exc).__name__
    line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)  # JSON
    return UnreadableFile(name, f"bad syntax: {reason}", line, column)


# rdflib format names -> Oxigraph's, for the formats both parse.
_OXIGRAPH_FORMATS = {
    "turtle": "TURTLE", "nt": "N_TRIPLES", "ntriples": "N_TRIPLES", "n3": "N3",
    "json-ld": "JSON_LD", "trig": "TRIG", "nquads": "N_QUADS",
}  # fmt: skip
_OXIGRAPH_POSITION = re.compile(r"^Parser error (?:at|between) [^:]*: ")


def _locate_with_oxigraph(path: Path, rdf_format: str) -> tuple[str, int, int] | None:
    """(reason, line, column) of the first syntax error Oxigraph finds, if it finds one."""
    format_name = _OXIGRAPH_FORMATS.get(rdf_format)
    if format_name is None:
        return None
    import pyoxigraph

    try:
        for _ in pyoxigraph.parse(
            path=str(path), format=getattr(pyoxigraph.RdfFormat, format_name)
        ):
            pass
    except SyntaxError as error:
        if error.lineno is None:
            return None
        reason = _OXIGRAPH_POSITION.sub("", error.msg or "syntax error")
        return f"bad syntax: {reason}", error.lineno, error.offset or 1
    except (OSError, ValueError):
        return None
    return None


def load_shapes(directory: Path = SHAPES_DIR) -> Graph:
    """Every *.ttl in `directory` as one shapes graph (SPARQL prefixes live in prefixes.ttl)."""
    shapes = Graph()
    for path in sorted(directory.glob("*.ttl")):
        shapes += read_graph(path)
    return shapes


def load_ontology(files: Sequence[Path] = ONTOLOGY_FILES) -> Graph:
    """The ontology graph pySHACL mixes into the data before RDFS inference."""
    ontology = Graph()
    for path in files:
        ontology += read_graph(path)
    return ontology


# Parsed SPARQL constraints, by query text, base and namespaces: see _sparql_parse_cache.
_PARSED_QUERIES: dict[tuple, object] = {}


@contextmanager
def _sparql_parse_cache() -> Iterator[None]:
    """pySHACL hands rdflib a SPARQL constraint's text once per focus node, and rdflib parses
    it every time: on our data parsing costs ten times the evaluation. Reuse parsed queries
    while validating (an rdflib algebra query holds no state between evaluations)."""
    original = processor.SPARQLProcessor.query
    cache = _PARSED_QUERIES

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((initNs or {}).items())))
            if key not in cache:
                cache[key] = translateQuery(parseQuery(strOrQuery), base, initNs)
            strOrQuery = cache[key]
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    processor.SPARQLProcessor.query = query
    try:
        yield
    finally:
        processor.SPARQLProcessor.query = original


def rdfs_schema(ontology: Graph) -> Graph:
    """The triples RDFS inference can use. pySHACL copies the ontology graph into the data and
    infers over all of it; labels, definitions and OWL axioms entail nothing under RDFS, and
    dropping them makes every validation a fifth faster."""
    schema = Graph()
    for predicate in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range):
        schema += ontology.triples((None, predicate, None))
    return schema


def shacl_findings(data: Graph, shapes: Graph, ontology: Graph) -> list[Finding]:
    """Run pySHACL (RDFS inference over data + ontology schema; `data` itself is left
    untouched) and read its results."""
    with _sparql_parse_cache():
        _conforms, results, _text = pyshacl.validate(
            data,
            shacl_graph=shapes,
            ont_graph=rdfs_schema(ontology),
            inference="rdfs",
            abort_on_first=False,
            allow_warnings=True,
            inplace=False,
        )
    return findings_from_results(results)


def _empty_file_findings(graphs: dict[str, Graph]) -> list[Finding]:
    return [
        Finding(
            source="input",
            file=name,
            message="parsed, but it contains no triples (empty or truncated file?)",
        )
        for name, graph in graphs.items()
        if len(graph) == 0
    ]


def _reasoner(files: list[Path]) -> tuple[ReasonerResult, list[Finding]]:
    """HermiT over ontology + ORG + data; imported lazily because owlready2 is slow to load."""
    from oas_ssm.consistency import check_consistency

    report = check_consistency(files)
    result = ReasonerResult(
        ran=report.ran,
        consistent=report.consistent,
        unsatisfiable=list(report.unsatisfiable),
        message=report.message,
    )
    findings = []
    if report.ran and not report.consistent:
        findings.append(Finding(source="reasoner", message=report.message))
    for iri in report.unsatisfiable:
        findings.append(
            Finding(
                source="reasoner",
                message=f"Class {iri} can have no member (unsatisfiable): check its axioms "
                "and the disjointness declarations that involve it.",
            )
        )
    return result, findings


def read_inputs(files: Sequence[Path]) -> dict[str, Graph]:
    """Parse every input file, keyed by its name. Raises UnreadableFile at the first bad one."""
    return {str(path): read_graph(path) for path in files}


def validate_graphs(
    graphs: dict[str, Graph],
    reasoner: bool = True,
    shapes: Graph | None = None,
    ontology: Graph | None = None,
) -> ValidationReport:
    """Validate the union of the parsed input files: shapes, verbatim texts, HermiT.
    Raises UnreadableFile when the bundled annex cannot be read."""
    data = Graph()
    for graph in graphs.values():
        data += graph
    shapes = load_shapes() if shapes is None else shapes
    ontology = load_ontology() if ontology is None else ontology
    findings = _empty_file_findings(graphs) + shacl_findings(data, shapes, ontology)
    try:
        findings += verbatim_findings(data)
    except AnnexUnavailable as error:
        raise UnreadableFile(str(SOURCE), str(error)) from None
    result = None
    if reasoner:
        result, reasoner_findings = _reasoner([Path(name) for name in graphs])
        findings += reasoner_findings
    if len(graphs) == 1:  # one file, one dataset: every finding is about that file
        (name,) = graphs
        findings = [replace(f, file=f.file or name) for f in findings]
    return ValidationReport(files=list(graphs), findings=findings, reasoner=result)


def namespace_manager(graphs: Sequence[Graph]) -> NamespaceManager:
    """Prefixes for compact output: the project's, SHACL's and those the data files bind."""
    names = Graph(bind_namespaces="core")
    for prefix, namespace in PREFIXES.items():
        names.bind(prefix, namespace)
    for kind in ID_KINDS:
        names.bind(kind, ID[f"{kind}/"])
    names.bind("sh", SH)
    names.bind("ssmsh", SHAPES_NS)
    for graph in graphs:
        for prefix, namespace in graph.namespaces():
            names.bind(prefix, namespace, override=False)
    return names.namespace_manager


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Command-line options of `ssm validate`."""
    parser.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="RDF files to validate, each on its own (default: the bundled "
        f"{DATA.relative_to(ROOT)})",
    )
    parser.add_argument(
        "--together",
        action="store_true",
        help="validate the files as one dataset (their union) instead of each on its own",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "junit"),
        default="text",
        help="report format: text, json, or junit (JUnit XML for CI) (default: %(default)s)",
    )
    parser.add_argument(
        "--no-reasoner",
        action="store_true",
        help="skip the HermiT consistency check (it needs Java)",
    )


@dataclass
class DatasetResult:
    """One validated dataset (one file, or all of them with --together): what was read and
    what was found, or why it could not be read."""

    files: list[Path]
    graphs: dict[str, Graph] = field(default_factory=dict)
    report: ValidationReport | None = None
    error: UnreadableFile | None = None

    @property
    def name(self) -> str:
        return " + ".join(str(f) for f in self.files)

    @property
    def exit_code(self) -> int:
        if self.report is None:
            return EXIT_UNREADABLE
        if self.report.reasoner is not None and not self.report.reasoner.ran:
            return EXIT_UNREADABLE
        return EXIT_OK if self.report.conforms else EXIT_VIOLATIONS


def validate_datasets(
    datasets: Sequence[list[Path]], shapes: Graph, ontology: Graph, reasoner: bool = True
) -> list[DatasetResult]:
    """Validate each group of files as one dataset; an unreadable group does not stop the
    others."""
    results = []
    for files in datasets:
        result = DatasetResult(files=files)
        try:
            result.graphs = read_inputs(files)
            result.report = validate_graphs(result.graphs, reasoner, shapes, ontology)
        except UnreadableFile as error:
            result.error = error
        results.append(result)
    return results


def run(args: argparse.Namespace) -> int:
    """Validate, print the report, and return the exit code (the worst over the datasets)."""
    files = list(args.files) or [_relative(DATA)]
    datasets = [files] if args.together else [[f] for f in files]
    try:
        shapes, ontology = load_shapes(), load_ontology()
        results = validate_datasets(datasets, shapes, ontology, reasoner=not args.no_reasoner)
    except UnreadableFile as error:  # a shape file or the ontology: nothing could be checked
        print(str(error), file=sys.stderr)
        return EXIT_UNREADABLE
    names = namespace_manager([g for r in results for g in r.graphs.values()])
    if args.format == "json":
        print(json.dumps(report_json(results), ensure_ascii=False, indent=2))
    elif args.format == "junit":
        suites = [
            Suite(r.name, r.report, None if r.error is None else str(r.error)) for r in results
        ]
        print(format_junit(suites, shape_names(shapes, names), names))
    else:
        text = _text(results, names)
        if text:
            print(text)
    not_run = [r.report.reasoner for r in results if r.report and r.report.reasoner]
    not_run = [reasoner for reasoner in not_run if not reasoner.ran]
    if not_run:
        print(f"error: {not_run[0].message} (or use --no-reasoner)", file=sys.stderr)
    for result in results:
        if result.exit_code == EXIT_OK:
            stamp(result.files)
    return max(r.exit_code for r in results)


def _text(results: list[DatasetResult], names: NamespaceManager) -> str:
    """Each dataset's findings and summary; unreadable files go to stderr as `file:line:col:`."""
    blocks = []
    for result in results:
        if result.error is not None:
            excerpt = result.error.excerpt()
            print(str(result.error) + (f"\n{excerpt}" if excerpt else ""), file=sys.stderr)
        else:
            assert result.report is not None
            blocks.append(format_text(result.report, names))
    if len(results) > 1:
        codes = [r.exit_code for r in results]
        blocks.append(
            f"{len(results)} files checked each on its own: {codes.count(EXIT_OK)} conform, "
            f"{codes.count(EXIT_VIOLATIONS)} with violations, "
            f"{codes.count(EXIT_UNREADABLE)} not fully checked."
        )
    return "\n\n".join(blocks)


def shape_names(shapes: Graph, names: NamespaceManager) -> list[str]:
    """Compact names of every named shape: one JUnit test case each."""
    found = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(
        shapes.subjects(RDF.type, SH.PropertyShape)
    )
    return sorted(term_text(s, names) for s in found if isinstance(s, URIRef))


def report_json(results: list[DatasetResult]) -> dict:
    """One JSON document for every dataset: totals at the top (same keys whether one file or
    many), each dataset's own report in "datasets"."""
    docs = [
        to_json(r.report) if r.report is not None else _error_json(r.error, r.files)
        for r in results
        if r.report is not None or r.error is not None
    ]
    if len(docs) == 1:
        return {**docs[0], "datasets": docs}
    by_check: Counter[str] = Counter()
    for doc in docs:
        by_check.update(doc["counts"]["by_check"])
    reasoners = [d["reasoner"] for d in docs if d["reasoner"] is not None]
    return {
        "conforms": all(d["conforms"] for d in docs),
        "files": [f for d in docs for f in d["files"]],
        "errors": [e for d in docs for e in d["errors"]],
        "findings": [f for d in docs for f in d["findings"]],
        "counts": {
            "violations": sum(d["counts"]["violations"] for d in docs),
            "findings": sum(d["counts"]["findings"] for d in docs),
            "by_check": dict(sorted(by_check.items())),
        },
        "reasoner": {
            "ran": all(r["ran"] for r in reasoners),
            "consistent": all(r["consistent"] for r in reasoners),
            "unsatisfiable": sorted({c for r in reasoners for c in r["unsatisfiable"]}),
            "message": "; ".join(
                f"{' + '.join(d['files'])}: {d['reasoner']['message']}"
                for d in docs
                if d["reasoner"] is not None
            ),
        }
        if reasoners
        else None,
        "datasets": docs,
    }


def _relative(path: Path) -> Path:
    """`data/ssm.ttl` rather than an absolute path, when run from the project."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _error_json(error: UnreadableFile | None, files: list[Path]) -> dict:
    """The JSON document for input that could not be read: one error, nothing validated."""
    return {
        "conforms": False,
        "files": [str(f) for f in files],
        "errors": [] if error is None else [error.to_json()],
        "findings": [],
        "counts": {"violations": 0, "findings": 0, "by_check": {}},
        "reasoner": None,
    }
