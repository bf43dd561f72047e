"""What `ssm validate` found, as data and as text or JSON a maintainer can act on.

pySHACL's own text report repeats the shape's whole definition for every result and is ordered
by nothing in particular; this module reads its results graph into `Finding`s (focus node,
path, value, message, shape), sorts them, and prints one short block each with compact names
(`unit:dsp`, `ssmsh:PrefLabelEsShape`) so the maintainer can grep the Turtle for them.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.extras.shacl import parse_shacl_path
from rdflib.namespace import RDF, NamespaceManager
from rdflib.paths import Path
from rdflib.term import Node

SH = Namespace("http://www.w3.org/ns/shacl#")
SHAPES_NS = Namespace("https://w3id.org/oas-ssm/def/shapes#")
# Sources of findings, in the order reports list them: the input files, the SHACL shapes, the
# verbatim texts against the annex (oas_ssm.verbatim), HermiT.
SOURCES = ("input", "shacl", "annex", "reasoner")
# What a finding that is not a SHACL result is counted under, in summaries and JUnit test cases.
CHECK_NAMES = {
    "input": "input file",
    "annex": "verbatim text = annex",
    "reasoner": "HermiT",
}
MAX_VALUE_CHARS = 100


@dataclass(frozen=True)
class Finding:
    """One thing that is wrong. SHACL and annex findings carry focus, path, value and message
    (SHACL ones also their shape); input and reasoner findings carry a message and, where it
    applies, a file. `file` is set when several files are validated each on its own."""

    source: str
    message: str
    messages: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    focus: Node | None = None
    path: URIRef | Path | None = None
    value: Node | None = None
    shape: Node | None = None
    constraint: URIRef | None = None
    severity: URIRef = SH.Violation
    file: str | None = None

    def sort_key(self) -> tuple[str, ...]:
        """Input errors first, then SHACL by shape and focus node, then the reasoner."""
        return (
            str(SOURCES.index(self.source)),
            str(self.shape or ""),
            str(self.focus or ""),
            path_text(self.path),
            str(self.value or ""),
            self.message,
        )


@dataclass
class ReasonerResult:
    """HermiT's verdict, or why it did not run."""

    ran: bool
    consistent: bool
    unsatisfiable: list[str]
    message: str


@dataclass
class ValidationReport:
    """Everything `ssm validate` prints: the files checked and what was found in them."""

    files: list[str]
    findings: list[Finding]
    reasoner: ReasonerResult | None = None

    @property
    def violations(self) -> list[Finding]:
        """Findings that fail validation (SHACL warnings and infos do not)."""
        return [f for f in self.findings if f.severity == SH.Violation]

    @property
    def conforms(self) -> bool:
        return not self.violations and (self.reasoner is None or self.reasoner.ran)


def findings_from_results(results: Graph) -> list[Finding]:
    """Read every sh:ValidationResult of a pySHACL results graph, sorted."""
    findings = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        messages = _messages(results, result)
        path_node = results.value(result, SH.resultPath)
        findings.append(
            Finding(
                source="shacl",
                message=_preferred(messages),
                messages=messages,
                focus=results.value(result, SH.focusNode),
                path=parse_shacl_path(results, path_node) if path_node is not None else None,
                value=results.value(result, SH.value),
                shape=results.value(result, SH.sourceShape),
                constraint=results.value(result, SH.sourceConstraintComponent),
                severity=results.value(result, SH.resultSeverity) or SH.Violation,
            )
        )
    return sorted(findings, key=Finding.sort_key)


def _messages(results: Graph, result: Node) -> dict[str, str]:
    """sh:resultMessage by language ("" for untagged): pySHACL copies every sh:message."""
    messages: dict[str, str] = {}
    for message in results.objects(result, SH.resultMessage):
        lang = message.language if isinstance(message, Literal) else None
        messages.setdefault(lang or "", str(message))
    return messages


def _preferred(messages: dict[str, str]) -> str:
    for lang in ("en", "", "es"):
        if lang in messages:
            return messages[lang]
    return next(iter(messages.values()), "(no message)")


def path_text(path: URIRef | Path | None, names: NamespaceManager | None = None) -> str:
    """A SHACL path as Turtle/SPARQL writes it (`skos:prefLabel`, `^org:postIn`)."""
    if path is None:
        return ""
    return path.n3(names)


def term_text(term: Node | None, names: NamespaceManager | None) -> str:
    """A term as a maintainer would search for it: prefixed name if possible, literal
    abbreviated."""
    if term is None:
        return ""
    if isinstance(term, BNode):
        return "[blank node]"
    if isinstance(term, Literal):
        text = term.n3(names)
        if len(text) > MAX_VALUE_CHARS:
            text = text[: MAX_VALUE_CHARS - 1] + "…"
        return text
    text = term.n3(names)
    return text if names is not None else text.strip("<>")


def format_text(report: ValidationReport, names: NamespaceManager | None = None) -> str:
    """One block per finding, then the counts, for a terminal or a CI log."""
    lines: list[str] = []
    findings = sorted(report.findings, key=Finding.sort_key)
    total = len(findings)
    for number, finding in enumerate(findings, 1):
        severity = finding.severity.split("#")[-1]
        lines.append(f"{severity} {number}/{total}")
        rows = [
            ("file", finding.file or ""),
            ("focus", term_text(finding.focus, names)),
            ("path", path_text(finding.path, names)),
            ("value", term_text(finding.value, names)),
            ("message", finding.message),
            ("shape", _shape_text(finding, names)),
        ]
        for label, text in rows:
            if text:
                text = text.replace("\n", "\n" + " " * 11)  # continuation lines under the text
                lines.append(f"  {label + ':':<9}{text}")
        lines.append("")
    lines.append(_summary(report, names))
    return "\n".join(lines)


def _shape_text(finding: Finding, names: NamespaceManager | None) -> str:
    if finding.source == "reasoner":
        return "HermiT (OWL 2 DL consistency of ontology + data)"
    if finding.source == "input":
        return ""
    if finding.source == "annex":
        return "verbatim text checked against the annex (oas_ssm.verbatim)"
    shape = term_text(finding.shape, names) or "[anonymous shape]"
    if finding.constraint is not None:
        shape += f" ({term_text(finding.constraint, names)})"
    return shape


def _summary(report: ValidationReport, names: NamespaceManager | None) -> str:
    files = ", ".join(report.files)
    reasoner = _reasoner_summary(report.reasoner)
    violations = report.violations
    if not violations:
        others = len(report.findings)
        extra = f" ({others} warning(s) or note(s))" if others else ""
        verdict = "conforms" if report.conforms else "could not be fully checked"
        return f"{files}: {verdict}{extra}. SHACL: 0 violations. {reasoner}"
    by_shape = Counter(check_name(f, names) for f in violations)
    width = len(str(max(by_shape.values())))
    lines = [
        f"{files}: {len(violations)} violation(s) of {len(by_shape)} check(s). {reasoner}",
        *(f"  {count:>{width}}  {key}" for key, count in sorted(by_shape.items())),
    ]
    return "\n".join(lines)


def _reasoner_summary(result: ReasonerResult | None) -> str:
    if result is None:
        return "HermiT: skipped (--no-reasoner)."
    if not result.ran:
        return "HermiT: did not run."
    if not result.consistent:
        return "HermiT: inconsistent (see above)."
    if result.unsatisfiable:
        return f"HermiT: {len(result.unsatisfiable)} unsatisfiable class(es) (see above)."
    return result.message.splitlines()[0]


def check_name(finding: Finding, names: NamespaceManager | None = None) -> str:
    """The check a finding belongs to: its shape, or the name of the non-SHACL check."""
    if finding.source == "shacl":
        return term_text(finding.shape, names) or "[anonymous shape]"
    return CHECK_NAMES[finding.source]



def to_json(report: ValidationReport) -> dict:
    """The same information for machines: full IRIs, N-Triples values, every message."""
    violations = report.violations
    counts = Counter(check_name(f, None) for f in violations)
    return {
        "conforms": report.conforms,
        "files": report.files,
        "errors": [],
        "findings": [_finding_json(f) for f in sorted(report.findings, key=Finding.sort_key)],
        "counts": {
            "violations": len(violations),
            "findings": len(report.findings),
            "by_check": dict(sorted(counts.items())),
        },
        "reasoner": None
        if report.reasoner is None
        else {
            "ran": report.reasoner.ran,
            "consistent": report.reasoner.consistent,
            "unsatisfiable": report.reasoner.unsatisfiable,
            "message": report.reasoner.message,
        },
    }


def _finding_json(finding: Finding) -> dict:
    return {
        "source": finding.source,
        "severity": finding.severity.split("#")[-1],
        "file": finding.file,
        "focus": _json_term(finding.focus),
        "path": _json_path(finding.path),
        "value": None if finding.value is None else finding.value.n3(),
        "message": finding.message,
        "messages": finding.messages or {"en": finding.message},
        "shape": _json_term(finding.shape),
        "constraint": _json_term(finding.constraint),
    }


def _json_path(path: URIRef | Path | None) -> str | None:
    """A plain IRI, or a SPARQL property path (`^<…>`, `<…>+`) when the path is complex."""
    if path is None:
        return None
    return str(path) if isinstance(path, URIRef) else path.n3()


def _json_term(term: Node | None) -> str | None:
    if term is None:
        return None
    return term.n3() if isinstance(term, BNode | Literal) else str(term)


def format_json(report: ValidationReport) -> str:
    return json.dumps(to_json(report), ensure_ascii=False, indent=2)
