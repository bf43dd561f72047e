"""`ssm validate --format junit`: the report as JUnit XML, which CI systems show as test results.

One <testsuite> per validated file (or per group, with --together), one <testcase> per check in
it: every named SHACL shape, the verbatim-text check against the annex, the input check (the file
holds triples) and HermiT (skipped under --no-reasoner). A check with violations is a <failure>
listing each one's focus node, path, value and message; a file that cannot be read is an <error>.
SHACL warnings and infos do not fail a test case; they go to its <system-out>.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from oas_ssm.shacl_report import (
    CHECK_NAMES,
    SH,
    Finding,
    ValidationReport,
    check_name,
    path_text,
    term_text,
)
from rdflib.namespace import NamespaceManager

HERMIT = CHECK_NAMES["reasoner"]


@dataclass
class Suite:
    """One validated dataset: its name (the file, or files joined by " + ") and either the
    report or why the input could not be read."""

    name: str
    report: ValidationReport | None = None
    error: str | None = None


def format_junit(
    suites: Sequence[Suite], shapes: Sequence[str], names: NamespaceManager | None = None
) -> str:
    """The JUnit XML document. `shapes` are the compact names of every named shape, so a test
    case exists (and passes) for each shape that found nothing."""
    root = ET.Element("testsuites", name="ssm validate")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        element = _suite(suite, shapes, names)
        root.append(element)
        for key in totals:
            totals[key] += int(element.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _suite(suite: Suite, shapes: Sequence[str], names: NamespaceManager | None) -> ET.Element:
    element = ET.Element("testsuite", name=suite.name)
    if suite.report is None:
        case = _case(element, suite.name, "parse")
        ET.SubElement(case, "error", message=suite.error or "unreadable", type="unreadable")
        _count(element)
        return element
    by_check: dict[str, list[Finding]] = {}
    for finding in suite.report.findings:
        by_check.setdefault(check_name(finding, names), []).append(finding)
    checks = [
        CHECK_NAMES["input"],
        *sorted(set(shapes) | {c for c in by_check if c not in CHECK_NAMES.values()}),
        CHECK_NAMES["annex"],
        HERMIT,
    ]
    for check in checks:
        case = _case(element, suite.name, check)
        findings = by_check.get(check, [])
        violations = [f for f in findings if f.severity == SH.Violation]
        others = [f for f in findings if f.severity != SH.Violation]
        reasoner = suite.report.reasoner
        if check == HERMIT and reasoner is None:
            ET.SubElement(case, "skipped", message="--no-reasoner")
        elif check == HERMIT and not reasoner.ran:
            ET.SubElement(case, "error", message=reasoner.message, type="reasoner did not run")
        elif violations:
            failure = ET.SubElement(
                case,
                "failure",
                message=f"{len(violations)} violation(s): {violations[0].message}",
                type=_failure_type(violations[0], names),
            )
            failure.text = "\n\n".join(_finding_text(f, names) for f in violations)
        if others:
            out = ET.SubElement(case, "system-out")
            out.text = "\n\n".join(_finding_text(f, names) for f in others)
    _count(element)
    return element


def _case(suite: ET.Element, classname: str, name: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", classname=classname, name=name, file=classname)


def _count(suite: ET.Element) -> None:
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    for tag, key in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
        suite.set(key, str(sum(1 for c in cases if c.find(tag) is not None)))


def _failure_type(finding: Finding, names: NamespaceManager | None) -> str:
    if finding.constraint is not None:
        return term_text(finding.constraint, names)
    return finding.severity.n3(names)


def _finding_text(finding: Finding, names: NamespaceManager | None) -> str:
    rows = [
        ("severity", finding.severity.split("#")[-1]),
        ("file", finding.file or ""),
        ("focus", term_text(finding.focus, names)),
        ("path", path_text(finding.path, names)),
        ("value", term_text(finding.value, names)),
        ("message", finding.message),
    ]
    return "\n".join(f"{label}: {text}" for label, text in rows if text)
