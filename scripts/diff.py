"""`ssm diff OLD NEW`: what changed between two versions of the graph, in the organization's terms.

Maintainers read it before merging an amendment; the release feed lists it per release. The two
versions are files (`data/ssm.ttl`, `pr.ttl`, `-` for standard input), `git:REV` (the committed
`data/ssm.ttl` at a revision) or `release:VERSION` (a release's graph in releases/).

Reported: units added, removed, renamed, moved or reclassified; posts added, removed, renamed or
moved; reporting lines and substitutions changed; functions added, removed, renumbered,
reassigned or whose Spanish text changed (with a word diff); other relations (to bodies,
instruments, observatories …) added or removed; relations cited from other provisions;
provisions added, removed or reworded — each with the provisions cited on either side.

Output: readable text (default), Markdown (`--format markdown`, for a pull-request comment) or
Turtle (`--format turtle`): a change set where restructurings are `org:ChangeEvent`s
(`org:originalOrganization`, `org:resultingOrganization`) and every change is a `prov:Activity`
that `prov:invalidated` / `prov:generated` the statements it removed / added, each statement
`prov:wasDerivedFrom` the provisions that state it.

Exit codes, like diff(1): 0 nothing changed, 1 something changed, 2 an input cannot be read.
"""

from __future__ import annotations

import argparse
import difflib
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from oas_ssm.namespaces import BASE, ORG, PREFIXES, SSM
from oas_ssm.paths import DATA, RELEASES, ROOT
from pyoxigraph import Literal, NamedNode, RdfFormat, parse
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RLiteral
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

EXIT_SAME, EXIT_CHANGED, EXIT_UNREADABLE = 0, 1, 2
RDF_TYPE = str(RDF.type)
PREF_LABEL = str(SKOS.prefLabel)
ALT_LABEL = str(SKOS.altLabel)
NOTATION = str(SKOS.notation)
DERIVED_FROM = str(PROV.wasDerivedFrom)
SUB_ORG = str(ORG.subOrganizationOf)
REPORTS_TO = str(ORG.reportsTo)
POST_IN = str(ORG.postIn)
HEADS = str(SSM.heads)
ACTS_IN_ABSENCE_OF = str(SSM.actsInAbsenceOf)
FUNCTION_OF = str(SSM.functionOf)
VERBATIM = str(SSM.verbatimText)
# The classes of units (ontology/ssm.ttl: each is rdfs:subClassOf org:OrganizationalUnit).
UNIT_CLASSES = frozenset(
    str(c)
    for c in (ORG.OrganizationalUnit, SSM.Secretariat, SSM.ExecutiveOffice, SSM.Department,
              SSM.Section)
)  # fmt: skip
POST_CLASS = str(ORG.Post)
FUNCTION_CLASS = str(SSM.Function)
STATEMENT_CLASS = str(RDF.Statement)
PROVISION_CLASS = str(SSM.Provision)
TITLE = "http://data.europa.eu/eli/ontology#title"
# Relations reported in their own sections, not among "other relations".
STRUCTURAL = frozenset({SUB_ORG, REPORTS_TO, POST_IN, HEADS, ACTS_IN_ABSENCE_OF, FUNCTION_OF})
SECTIONS = (
    ("unit", "Units"),
    ("post", "Posts"),
    ("reporting", "Reporting lines"),
    ("substitution", "Substitutions"),
    ("function", "Functions"),
    ("relation", "Other relations"),
    ("citation", "Citations"),
    ("provision", "Provisions"),
)


class UnreadableInput(Exception):
    """An input that is missing, not at that revision, or not parsable; the message says which."""


@dataclass
class Snapshot:
    """One version of the graph, indexed by subject: what the comparison reads."""

    name: str
    props: dict[str, dict[str, set]] = field(default_factory=dict)  # s -> p -> {terms}
    # (s, p, o) of each rdf:Statement -> (statement IRI, provisions it cites)
    statements: dict[tuple[str, str, str], tuple[str, frozenset[str]]] = field(
        default_factory=dict
    )

    @classmethod
    def from_bytes(cls, name: str, raw: bytes, fmt: RdfFormat = RdfFormat.TURTLE) -> Snapshot:
        snap = cls(name)
        try:
            for t in parse(raw, format=fmt):
                if isinstance(t.subject, NamedNode):
                    snap.props.setdefault(t.subject.value, defaultdict(set))[
                        t.predicate.value
                    ].add(t.object)
        except SyntaxError as e:
            where = f":{e.lineno}:{e.offset}" if getattr(e, "lineno", None) else ""
            raise UnreadableInput(f"{name}{where}: invalid RDF: {e.msg or e}") from None
        except (ValueError, OSError) as e:
            raise UnreadableInput(f"{name}: cannot parse: {e}") from None
        for s in snap.of_type(STATEMENT_CLASS):
            spo = tuple(snap.one_iri(s, str(RDF[p])) for p in ("subject", "predicate", "object"))
            if all(spo):
                snap.statements[spo] = (s, frozenset(snap.iris(s, DERIVED_FROM)))
        return snap

    def of_type(self, *classes: str) -> set[str]:
        wanted = {NamedNode(c) for c in classes}
        return {s for s, ps in self.props.items() if ps.get(RDF_TYPE, set()) & wanted}

    def iris(self, s: str, p: str) -> set[str]:
        return {o.value for o in self.props.get(s, {}).get(p, ()) if isinstance(o, NamedNode)}

    def one_iri(self, s: str, p: str) -> str | None:
        found = sorted(self.iris(s, p))
        return found[0] if found else None

    def text(self, s: str, p: str, lang: str) -> str | None:
        for o in sorted(self.props.get(s, {}).get(p, ()), key=str):
            if isinstance(o, Literal) and (o.language or "") == lang:
                return o.value
        return None

    def types(self, s: str) -> set[str]:
        return self.iris(s, RDF_TYPE)

    def provisions(self, s: str, p: str | None = None, o: str | None = None) -> frozenset[str]:
        """The provisions citing (s, p, o) when given (its rdf:Statement), else s itself."""
        if p is not None and o is not None:
            return self.statements.get((s, p, o), ("", frozenset()))[1]
        return frozenset(self.iris(s, DERIVED_FROM))


@dataclass(frozen=True)
class Segment:
    """A run of a word diff: kept ('='), deleted ('-') or inserted ('+') text."""

    op: str
    text: str


@dataclass(frozen=True)
class Change:
    """One change, in the organization's terms.

    `kind` is a section of the report (unit, post, reporting, substitution, function, relation);
    `action` what happened to `subject` (added, removed, renamed, moved, reclassified,
    text-changed, reassigned, renumbered, changed). `old`/`new` hold the values on either side
    (labels as text, resources as IRIs), `predicate` the relation for reporting, substitution and
    relation changes; `old_provisions`/`new_provisions` the provisions cited on either side.
    """

    kind: str
    action: str
    subject: str
    predicate: str | None = None
    old: tuple[str, ...] = ()
    new: tuple[str, ...] = ()
    old_provisions: tuple[str, ...] = ()
    new_provisions: tuple[str, ...] = ()
    word_diff: tuple[Segment, ...] = ()
    new_subject: str | None = None  # for renumbered functions: the IRI on the new side


@dataclass
class Diff:
    """The changes from `old` to `new`, and the two snapshots to name things from."""

    old: Snapshot
    new: Snapshot
    changes: list[Change]

    def label(self, iri: str, lang: str = "es") -> str:
        """A resource's name (new side first), else its prefixed IRI."""
        for snap in (self.new, self.old):
            for lg in (lang, "es", "en"):
                name = snap.text(iri, PREF_LABEL, lg)
                if name:
                    return name
        return curie(iri)

    def notation(self, provision: str) -> str:
        for snap in (self.new, self.old):
            for o in snap.props.get(provision, {}).get(NOTATION, ()):
                return o.value
        return curie(provision)


# -- loading ----------------------------------------------------------------------------------


def load(spec: str) -> Snapshot:
    """A snapshot of `spec`: a file, `-` (standard input), `git:REV` (data/ssm.ttl at REV) or
    `release:VERSION` (the graph of a release in releases/)."""
    if spec.startswith("git:"):
        rev = spec[4:]
        if not rev or rev.startswith("-"):
            raise UnreadableInput(f"{spec}: not a git revision")
        rel = DATA.relative_to(ROOT).as_posix()
        try:
            done = subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{rev}:{rel}"],
                capture_output=True,
                timeout=60,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as e:
            raise UnreadableInput(f"{spec}: git failed: {e}") from None
        if done.returncode != 0:
            reason = done.stderr.decode(errors="replace").strip().splitlines()
            raise UnreadableInput(f"{spec}: {reason[-1] if reason else 'git show failed'}")
        return Snapshot.from_bytes(spec, done.stdout)
    if spec.startswith("release:"):
        version = spec[len("release:") :]
        if not re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", version):
            raise UnreadableInput(f"{spec}: not a release version MAJOR.MINOR.PATCH")
        path = RELEASES / version / "ssm.ttl"
        if not path.is_file():
            raise UnreadableInput(f"{spec}: no such release in {RELEASES}")
        return Snapshot.from_bytes(spec, path.read_bytes())
    if spec == "-":
        return Snapshot.from_bytes("<stdin>", sys.stdin.buffer.read())
    path = Path(spec)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise UnreadableInput(f"{spec}: cannot read: {e.strerror or e}") from None
    try:
        fmt = RdfFormat.from_extension(path.suffix.lstrip(".")) or RdfFormat.TURTLE
    except ValueError:
        fmt = RdfFormat.TURTLE
    return Snapshot.from_bytes(spec, raw, fmt)


# -- comparing --------------------------------------------------------------------------------


def compare(old: Snapshot, new: Snapshot) -> Diff:
    """Every change from `old` to `new`, sorted by section, then subject."""
    changes: list[Change] = []
    changes += _units(old, new)
    changes += _posts(old, new)
    changes += _lines(old, new, REPORTING_KIND)
    changes += _lines(old, new, SUBSTITUTION_KIND)
    changes += _functions(old, new)
    changes += _relations(old, new)
    changes += _citations(old, new)
    changes += _provisions(old, new)
    order = {kind: i for i, (kind, _) in enumerate(SECTIONS)}
    changes.sort(key=lambda c: (order[c.kind], c.subject, c.action, c.predicate or "", c.new))
    return Diff(old, new, changes)


def _sorted(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(values))


def _name(snap: Snapshot, s: str) -> tuple[str, ...]:
    """What a resource is called on one side: its Spanish and English names and acronyms."""
    names = [snap.text(s, PREF_LABEL, "es") or "", snap.text(s, PREF_LABEL, "en") or ""]
    acronyms = sorted(o.value for o in snap.props.get(s, {}).get(ALT_LABEL, ()))
    return (*names, *acronyms)


def _cited(snap: Snapshot, s: str, p: str, objects: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for o in objects:
        out |= snap.provisions(s, p, o)
    return frozenset(out)


def _entities(old: Snapshot, new: Snapshot, kind: str, classes: Iterable[str],
              placement: tuple[str, ...]) -> list[Change]:  # fmt: skip
    """Added, removed, renamed, moved and reclassified things of `classes` (units or posts);
    `placement` the properties that say where they sit (moved when those change)."""
    classes = tuple(classes)
    before, after = old.of_type(*classes), new.of_type(*classes)
    out: list[Change] = []
    for s in sorted(after - before):
        out.append(Change(kind, "added", s, new=_sorted(_place(new, s, placement)),
                          new_provisions=_sorted(new.provisions(s))))  # fmt: skip
    for s in sorted(before - after):
        out.append(Change(kind, "removed", s, old=_sorted(_place(old, s, placement)),
                          old_provisions=_sorted(old.provisions(s))))  # fmt: skip
    for s in sorted(before & after):
        if _name(old, s) != _name(new, s):
            out.append(Change(kind, "renamed", s, old=_name(old, s), new=_name(new, s),
                              old_provisions=_sorted(old.provisions(s)),
                              new_provisions=_sorted(new.provisions(s))))  # fmt: skip
        was, now = _place(old, s, placement), _place(new, s, placement)
        if was != now:
            out.append(Change(
                kind, "moved", s, predicate=placement[0], old=_sorted(was), new=_sorted(now),
                old_provisions=_sorted(_cited(old, s, placement[0], was)),
                new_provisions=_sorted(_cited(new, s, placement[0], now)),
            ))  # fmt: skip
        types_before, types_after = old.types(s) & UNIT_CLASSES, new.types(s) & UNIT_CLASSES
        if types_before != types_after:
            out.append(Change(kind, "reclassified", s, predicate=RDF_TYPE,
                              old=_sorted(types_before), new=_sorted(types_after),
                              old_provisions=_sorted(old.provisions(s)),
                              new_provisions=_sorted(new.provisions(s))))  # fmt: skip
    return out


def _place(snap: Snapshot, s: str, placement: tuple[str, ...]) -> set[str]:
    out: set[str] = set()
    for p in placement:
        out |= snap.iris(s, p)
    return out


def _units(old: Snapshot, new: Snapshot) -> list[Change]:
    return _entities(old, new, "unit", UNIT_CLASSES, (SUB_ORG,))


def _posts(old: Snapshot, new: Snapshot) -> list[Change]:
    return _entities(old, new, "post", (POST_CLASS,), (POST_IN, HEADS))


REPORTING_KIND = ("reporting", REPORTS_TO)
SUBSTITUTION_KIND = ("substitution", ACTS_IN_ABSENCE_OF)


def _lines(old: Snapshot, new: Snapshot, kind_and_property: tuple[str, str]) -> list[Change]:
    """Reporting lines (org:reportsTo) or substitutions (ssm:actsInAbsenceOf), per subject:
    added when there was none, removed when there is none left, changed otherwise."""
    kind, p = kind_and_property
    subjects = {s for snap in (old, new) for s, ps in snap.props.items() if ps.get(p)}
    out = []
    for s in sorted(subjects):
        was, now = old.iris(s, p), new.iris(s, p)
        if was == now:
            continue
        action = "added" if not was else "removed" if not now else "changed"
        out.append(Change(kind, action, s, predicate=p, old=_sorted(was), new=_sorted(now),
                          old_provisions=_sorted(_cited(old, s, p, was)),
                          new_provisions=_sorted(_cited(new, s, p, now))))  # fmt: skip
    return out


def _functions(old: Snapshot, new: Snapshot) -> list[Change]:
    before, after = old.of_type(FUNCTION_CLASS), new.of_type(FUNCTION_CLASS)
    added, removed = set(after - before), set(before - after)
    out: list[Change] = []
    # A paragraph renumbered keeps its text: pair a removed function with an added one whose
    # Spanish text is the same, so the report says "renumbered" instead of removed + added.
    by_text = defaultdict(list)
    for s in sorted(added):
        by_text[new.text(s, VERBATIM, "es")].append(s)
    for s in sorted(removed):
        text = old.text(s, VERBATIM, "es")
        if text and by_text.get(text):
            t = by_text[text].pop(0)
            added.discard(t)
            removed.discard(s)
            out.append(Change("function", "renumbered", s, new_subject=t,
                              old=(old.text(s, NOTATION, "") or curie(s),),
                              new=(new.text(t, NOTATION, "") or curie(t),),
                              old_provisions=_sorted(old.provisions(s)),
                              new_provisions=_sorted(new.provisions(t))))  # fmt: skip
    for s in sorted(added):
        out.append(Change("function", "added", s, new=_sorted(new.iris(s, FUNCTION_OF)),
                          new_provisions=_sorted(new.provisions(s))))  # fmt: skip
    for s in sorted(removed):
        out.append(Change("function", "removed", s, old=_sorted(old.iris(s, FUNCTION_OF)),
                          old_provisions=_sorted(old.provisions(s))))  # fmt: skip
    for s in sorted(before & after):
        was, now = old.text(s, VERBATIM, "es") or "", new.text(s, VERBATIM, "es") or ""
        cited = {"old_provisions": _sorted(old.provisions(s)),
                 "new_provisions": _sorted(new.provisions(s))}  # fmt: skip
        if was != now:
            out.append(Change("function", "text-changed", s, predicate=VERBATIM, old=(was,),
                              new=(now,), word_diff=word_diff(was, now), **cited))  # fmt: skip
        units_before, units_after = old.iris(s, FUNCTION_OF), new.iris(s, FUNCTION_OF)
        if units_before != units_after:
            out.append(Change("function", "reassigned", s, predicate=FUNCTION_OF,
                              old=_sorted(units_before), new=_sorted(units_after), **cited))
    return out


def _relations(old: Snapshot, new: Snapshot) -> list[Change]:
    """Relations stated as rdf:Statements that no other section reports."""
    before = {k for k in old.statements if k[1] not in STRUCTURAL}
    after = {k for k in new.statements if k[1] not in STRUCTURAL}
    out = []
    for s, p, o in sorted(after - before):
        out.append(Change("relation", "added", s, predicate=p, new=(o,),
                          new_provisions=_sorted(new.provisions(s, p, o))))  # fmt: skip
    for s, p, o in sorted(before - after):
        out.append(Change("relation", "removed", s, predicate=p, old=(o,),
                          old_provisions=_sorted(old.provisions(s, p, o))))  # fmt: skip
    return out


def _citations(old: Snapshot, new: Snapshot) -> list[Change]:
    """Relations on both sides (any, structural included) now cited from other provisions."""
    out = []
    for s, p, o in sorted(old.statements.keys() & new.statements.keys()):
        was, now = old.statements[(s, p, o)][1], new.statements[(s, p, o)][1]
        if was != now:
            out.append(Change("citation", "changed", s, predicate=p, old=(o,), new=(o,),
                              old_provisions=_sorted(was), new_provisions=_sorted(now)))
    return out


def _provisions(old: Snapshot, new: Snapshot) -> list[Change]:
    """Provisions added, removed, or whose Spanish text or title changed — except the text of a
    function's own paragraph, which the Functions section reports."""
    before, after = old.of_type(PROVISION_CLASS), new.of_type(PROVISION_CLASS)
    of_functions = {p for snap in (old, new) for f in snap.of_type(FUNCTION_CLASS)
                    for p in snap.iris(f, DERIVED_FROM)}  # fmt: skip
    out = [Change("provision", "added", s, new_provisions=(s,)) for s in sorted(after - before)]
    out += [Change("provision", "removed", s, old_provisions=(s,)) for s in sorted(before - after)]
    for s in sorted(before & after):
        for p in (VERBATIM, TITLE):
            if p == VERBATIM and s in of_functions:
                continue
            was, now = old.text(s, p, "es") or "", new.text(s, p, "es") or ""
            if was != now:
                out.append(Change("provision", "text-changed", s, predicate=p, old=(was,),
                                  new=(now,), word_diff=word_diff(was, now),
                                  old_provisions=(s,), new_provisions=(s,)))  # fmt: skip
    return out


def word_diff(old: str, new: str) -> tuple[Segment, ...]:
    """The two texts as runs of kept, deleted and inserted words (whitespace kept with words)."""
    a, b = re.findall(r"\s+|\S+", old), re.findall(r"\s+|\S+", new)
    out: list[Segment] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(Segment("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(Segment("-", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(Segment("+", "".join(b[j1:j2])))
    return tuple(out)


# -- rendering --------------------------------------------------------------------------------


def curie(iri: str) -> str:
    """`unit:dsp` for a thing of ours, `ssm:heads` for a term, else the IRI in angle brackets."""
    if iri.startswith(BASE + "id/"):
        return iri[len(BASE) + 3 :].replace("/", ":", 1)
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(str(kv[1]))):
        if iri.startswith(str(ns)) and len(iri) > len(str(ns)):
            return f"{prefix}:{iri[len(str(ns)) :]}"
    return f"<{iri}>"


class _Writer:
    """Sentences for one change, with names quoted and IRIs given once (text or Markdown)."""

    def __init__(self, diff: Diff, markdown: bool, lang: str) -> None:
        self.diff, self.md, self.lang = diff, markdown, lang

    def code(self, text: str) -> str:
        return f"`{text}`" if self.md else text

    def quote(self, text: str) -> str:
        if self.md:
            text = re.sub(r"([\\`*_\[\]<>|])", r"\\\1", text)
        return f"“{text}”"

    def thing(self, iri: str) -> str:
        return f"{self.quote(self.diff.label(iri, self.lang))} ({self.code(curie(iri))})"

    def things(self, iris: Iterable[str]) -> str:
        iris = list(iris)
        return ", ".join(self.thing(i) for i in iris) if iris else "nothing"

    def name(self, names: tuple[str, ...]) -> str:
        """“Spanish name” (en: “English name”) [acronyms], from `_name`'s tuple."""
        es, en, *acronyms = names
        parts = [self.quote(es or "?")]
        if en:
            parts.append(f"(en: {self.quote(en)})")
        if acronyms:
            parts.append("[" + ", ".join(acronyms) + "]")
        return " ".join(parts)

    def provisions(self, c: Change) -> str:
        old = ", ".join(self.diff.notation(p) for p in c.old_provisions)
        new = ", ".join(self.diff.notation(p) for p in c.new_provisions)
        if old == new:
            text = f"cited: {old}" if old else ""
        elif old and new:
            text = f"cited: {old} → {new}"
        else:
            text = f"cited: {old or new}"
        return f" ({text})" if text else ""

    def sentence(self, c: Change) -> str:
        pred = self.code(curie(c.predicate)) if c.predicate else ""
        s = self.thing(c.subject)
        match (c.kind, c.action):
            case ("unit" | "post", "added"):
                where = f" in {self.things(c.new)}" if c.new else ""
                return f"added {s}{where}"
            case ("unit" | "post", "removed"):
                where = f" (was in {self.things(c.old)})" if c.old else ""
                return f"removed {s}{where}"
            case ("unit" | "post", "renamed"):
                return f"renamed {self.code(curie(c.subject))}: {self.name(c.old)} → " + self.name(
                    c.new
                )
            case ("unit" | "post", "moved"):
                return f"moved {s}: from {self.things(c.old)} to {self.things(c.new)}"
            case (_, "reclassified"):
                old = ", ".join(self.code(curie(t)) for t in c.old)
                new = ", ".join(self.code(curie(t)) for t in c.new)
                return f"reclassified {s}: {old} → {new}"
            case ("reporting" | "substitution", action):
                verb = "reports to" if c.kind == "reporting" else "acts in the absence of"
                if action == "added":
                    return f"{s} now {verb} {self.things(c.new)} ({pred})"
                if action == "removed":
                    return f"{s} no longer {verb} {self.things(c.old)} ({pred})"
                return f"{s} {verb} {self.things(c.new)}, no longer {self.things(c.old)} ({pred})"
            case ("function", "added"):
                return f"added {s}, of {self.things(c.new)}"
            case ("function", "removed"):
                return f"removed {s}, of {self.things(c.old)}"
            case ("function", "renumbered"):
                return (f"renumbered {self.code(curie(c.subject))} → "
                        f"{self.code(curie(c.new_subject or ''))}: {c.old[0]} → {c.new[0]}, "
                        "same text")  # fmt: skip
            case ("function", "reassigned"):
                return f"reassigned {s}: from {self.things(c.old)} to {self.things(c.new)}"
            case ("function", "text-changed"):
                return f"text of {s} changed"
            case ("relation", "added"):
                return f"added {s} {pred} {self.things(c.new)}"
            case ("relation", "removed"):
                return f"removed {s} {pred} {self.things(c.old)}"
            case ("citation", _):
                return f"{s} {pred} {self.things(c.new)}: cited from other provisions"
            case ("provision", "added" | "removed"):
                return f"{c.action} {self.code(curie(c.subject))}"
            case ("provision", "text-changed"):
                what = "title" if c.predicate == TITLE else "text"
                return f"{what} of {self.code(curie(c.subject))} changed"
        return f"{c.action} {s}"  # pragma: no cover - every (kind, action) is matched above

    def word_diff(self, segments: Iterable[Segment]) -> str:
        if self.md:
            marks = {"=": "{}", "-": "<del>{}</del>", "+": "<ins>{}</ins>"}
            esc = lambda t: re.sub(r"([\\`*_\[\]<>|])", r"\\\1", t)  # noqa: E731
        else:
            marks = {"=": "{}", "-": "[-{}-]", "+": "{{+{}+}}"}
            esc = lambda t: t  # noqa: E731
        return "".join(marks[seg.op].format(esc(seg.text)) for seg in segments)


def describe_change(diff: Diff, change: Change, markdown: bool = False, lang: str = "es") -> str:
    """One change as the report says it, with the provisions cited (for feeds and pages)."""
    w = _Writer(diff, markdown, lang)
    return w.sentence(change) + w.provisions(change)


def format_text(diff: Diff, markdown: bool = False, lang: str = "es") -> str:
    """The report: a header, then one section per kind of change, one line per change."""
    w = _Writer(diff, markdown, lang)
    n = len(diff.changes)
    head = f"{diff.old.name} → {diff.new.name}: "
    head += "no change" if not n else f"{n} change{'s' if n != 1 else ''}"
    lines = [f"## ssm diff: {w.code(diff.old.name)} → {w.code(diff.new.name)}" if markdown
             else f"ssm diff: {head}"]  # fmt: skip
    if markdown:
        lines += ["", head.split(": ", 1)[1].capitalize() + "."]
    for kind, title in SECTIONS:
        section = [c for c in diff.changes if c.kind == kind]
        if not section:
            continue
        lines += ["", f"### {title} ({len(section)})" if markdown else f"{title}:"]
        if markdown:
            lines.append("")
        for c in section:
            bullet = "- " if markdown else "  "
            lines.append(bullet + w.sentence(c) + w.provisions(c))
            if c.word_diff:
                indent = "  > " if markdown else "      "
                lines.append(indent + w.word_diff(c.word_diff))
    return "\n".join(lines) + "\n"


def change_set(diff: Diff, about: URIRef | BNode | None = None) -> Graph:
    """The changes as RDF: one `prov:Activity` per change (an `org:ChangeEvent` for units)."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for kind in ("unit", "post", "function", "provision", "statement", "body", "instrument"):
        g.bind(kind, BASE + f"id/{kind}/")
    root = about if about is not None else BNode()
    g.add((root, RDF.type, PROV.Activity))
    g.add((root, DCTERMS.description, RLiteral(
        f"Changes from {diff.old.name} to {diff.new.name} ({len(diff.changes)}), "
        "computed by ssm diff.", lang="en")))  # fmt: skip
    w = _Writer(diff, markdown=False, lang="es")
    for i, c in enumerate(diff.changes, 1):
        node = URIRef(f"{root}#change-{i}") if isinstance(root, URIRef) else BNode()
        g.add((root, DCTERMS.hasPart, node))
        g.add((node, RDF.type, PROV.Activity))
        g.add((node, DCTERMS.description, RLiteral(w.sentence(c) + w.provisions(c), lang="en")))
        g.add((node, RDFS.label, RLiteral(f"{c.kind} {c.action}", lang="en")))
        subject = URIRef(c.subject)
        if c.kind == "unit":
            g.add((node, RDF.type, ORG.ChangeEvent))
            if c.action != "added":
                g.add((node, ORG.originalOrganization, subject))
            if c.action != "removed":
                g.add((node, ORG.resultingOrganization, subject))
        for p in (*c.old_provisions, *c.new_provisions):
            g.add((node, DCTERMS.references, URIRef(p)))
        for side, prop in (("old", PROV.invalidated), ("new", PROV.generated)):
            for st in _statements(diff, c, side):
                g.add((node, prop, st[0]))
                for t in st[1]:
                    g.add(t)
    return g


def _names(snap: Snapshot, s: str) -> set[tuple[str, RLiteral]]:
    """A resource's names (skos:prefLabel, skos:altLabel) on one side, as rdflib literals."""
    return {(p, RLiteral(o.value, lang=o.language or None))
            for p in (PREF_LABEL, ALT_LABEL) for o in snap.props.get(s, {}).get(p, ())}  # fmt: skip


def _statements(diff: Diff, c: Change, side: str) -> list[tuple]:
    """The statements a change invalidated (old side) or generated (new side), reified: the
    data's own `id/statement/…` IRI where it has one, else a blank node."""
    snap = diff.old if side == "old" else diff.new
    values = c.old if side == "old" else c.new
    cited = c.old_provisions if side == "old" else c.new_provisions
    subject = c.new_subject if (side == "new" and c.new_subject) else c.subject
    pairs: list[tuple[str, object]] = []
    if c.action == "renamed":  # only the names that changed
        other = diff.new if side == "old" else diff.old
        pairs = sorted(_names(snap, subject) - _names(other, subject), key=str)
    elif c.action == "text-changed":
        text = values[0] if values else ""
        pairs = [(c.predicate or VERBATIM, RLiteral(text, lang="es"))] if text else []
    elif c.action in ("added", "removed", "renumbered") and c.kind in (
        "unit", "post", "function", "provision"
    ):  # fmt: skip
        pairs = [(RDF_TYPE, URIRef(t)) for t in sorted(snap.types(subject))]
    elif c.predicate:
        pairs = [(c.predicate, URIRef(v)) for v in values]
    out = []
    for p, o in pairs:
        existing = (snap.statements.get((subject, p, str(o)))
                    if isinstance(o, URIRef) and c.kind != "citation" else None)  # fmt: skip
        node = URIRef(existing[0]) if existing else BNode()
        triples = [(node, RDF.type, RDF.Statement), (node, RDF.subject, URIRef(subject)),
                   (node, RDF.predicate, URIRef(p)), (node, RDF.object, o)]  # fmt: skip
        provisions = existing[1] if existing else cited
        triples += [(node, PROV.wasDerivedFrom, URIRef(v)) for v in sorted(provisions)]
        out.append((node, triples))
    return out


# -- command ----------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", help="the old version: a file, '-', git:REV or release:VERSION")
    parser.add_argument("new", help="the new version: a file, '-', git:REV or release:VERSION")
    parser.add_argument(
        "--format", choices=("text", "markdown", "turtle"), default="text",
        help="text (default), markdown (for a pull-request comment) or turtle (an RDF change set)",
    )  # fmt: skip
    parser.add_argument(
        "--lang", choices=("es", "en"), default="es", help="language of names (default: es)"
    )


def run(args: argparse.Namespace) -> int:
    try:
        if args.old == "-" and args.new == "-":
            raise UnreadableInput("only one of OLD and NEW can be standard input")
        diff = compare(load(args.old), load(args.new))
    except UnreadableInput as e:
        print(f"ssm diff: {e}", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.format == "turtle":
        sys.stdout.write(change_set(diff).serialize(format="turtle"))
    else:
        sys.stdout.write(format_text(diff, markdown=args.format == "markdown", lang=args.lang))
    return EXIT_CHANGED if diff.changes else EXIT_SAME
