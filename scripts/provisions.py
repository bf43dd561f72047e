"""Parse the annex's text into provisions: the numbered, nested subdivisions every fact cites.

The annex's layout is irregular: a number may stand on its own line or start its paragraph
("2.          La Secretaría…"), spaces may be non-breaking, item "f" has no period, and some
paragraphs carry no number at all (III.C's four paragraphs, III.D.1's continuations). The parser
is a small state machine over non-blank lines; every line ends up in exactly one provision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROMAN = ("I", "II", "III", "IV", "V")
CHAPTER_RE = re.compile(r"^(I|II|III|IV|V)\.(?:\s+(.*))?$")
SECTION_RE = re.compile(r"^([A-H])\.(?:\s+(.*))?$")
PARAGRAPH_RE = re.compile(r"^(\d{1,2})\.(?:\s+(.*))?$")
ITEM_RE = re.compile(r"^([a-z])\.?$")
ANNEX_RE = re.compile(r"^ANEXO\s+([A-Z])$")

LEVELS = ("annex", "chapter", "section", "paragraph", "item")


class AnnexParseError(ValueError):
    """The annex text does not have the structure the parser expects (with the line number)."""


@dataclass
class Provision:
    """One subdivision of the annex with its verbatim (whitespace-normalized) text."""

    id: str  # IRI slug: "III-B-6", "III-C-p1", "anexo-e"
    notation: str  # how a reader cites it: "III.B.6", "III.C.¶1"
    number: str  # local number: "6", "b", "¶1"
    level: str  # annex | chapter | section | paragraph | item | unnumbered
    parent: str | None
    order: int  # 1-based position among its siblings
    title: str | None = None  # a heading ("Funciones", "Sección de Reducción de la Demanda")
    text: str | None = None  # the paragraph's own words
    lines: list[int] = field(default_factory=list)  # 1-based source lines it consumed

    def full_text(self, provisions: dict[str, Provision]) -> str:
        """Its own text followed by the text of everything nested in it, paragraph per line."""
        parts = [self.text] if self.text else []
        for child in children_of(self.id, provisions):
            parts.append(child.full_text(provisions))
        return "\n\n".join(p for p in parts if p)


def normalize(text: str) -> str:
    """Collapse every run of whitespace (non-breaking spaces included) into one space."""
    return " ".join(text.replace("\u00a0", " ").split())


def children_of(pid: str, provisions: dict[str, Provision]) -> list[Provision]:
    """The direct children of `pid`, in document order."""
    return sorted((p for p in provisions.values() if p.parent == pid), key=lambda p: p.order)


def is_heading(text: str) -> bool:
    """A section's first line is a heading unless it reads as a sentence (I.A–E, for example)."""
    return not text.rstrip().endswith((".", ":", ";"))


class _Parser:
    """State machine: the open provision at each level and the one awaiting its words."""

    def __init__(self) -> None:
        self.provisions: dict[str, Provision] = {}
        self.open: dict[str, Provision] = {}  # level -> currently open provision
        self.awaiting: Provision | None = None  # number seen, words not yet
        self.sibling_count: dict[str | None, int] = {}

    # -- creating provisions -------------------------------------------------------------
    def _add(self, level: str, number: str, parent: Provision | None, line: int) -> Provision:
        parent_id = parent.id if parent else None
        if level == "annex":
            pid, notation = f"anexo-{number.lower()}", f"Anexo {number}"
        elif level == "chapter":
            pid, notation = number, number
        else:
            assert parent is not None
            sep_id, sep_not = "-", "."
            local = f"p{number[1:]}" if number.startswith("¶") else number
            pid = f"{parent.id}{sep_id}{local}"
            notation = f"{parent.notation}{sep_not}{number}"
        if pid in self.provisions:
            raise AnnexParseError(f"line {line}: provision {notation} appears twice")
        order = self.sibling_count.get(parent_id, 0) + 1
        self.sibling_count[parent_id] = order
        prov = Provision(pid, notation, number, level, parent_id, order, lines=[line])
        self.provisions[pid] = prov
        return prov

    def _open(self, level: str, prov: Provision) -> None:
        self.open[level] = prov
        for deeper in LEVELS[LEVELS.index(level) + 1 :]:
            self.open.pop(deeper, None)

    def _require(self, level: str, line: int, what: str) -> Provision:
        if level not in self.open:
            raise AnnexParseError(f"line {line}: {what} outside any {level}")
        return self.open[level]

    def _deepest(self) -> Provision:
        for level in reversed(LEVELS):
            if level in self.open:
                return self.open[level]
        raise AnnexParseError("text before the annex heading")

    # -- lines ---------------------------------------------------------------------------
    def feed(self, raw: str, line: int) -> None:
        text = normalize(raw)
        if not text:
            return
        if m := ANNEX_RE.match(text):
            prov = self._add("annex", m.group(1), None, line)
            self._open("annex", prov)
            self.awaiting = prov
        elif (m := CHAPTER_RE.match(text)) and m.group(1) in ROMAN:
            self._numbered(
                "chapter", m.group(1), m.group(2), self._require("annex", line, "chapter"), line
            )
        elif m := SECTION_RE.match(text):
            self._numbered(
                "section", m.group(1), m.group(2), self._require("chapter", line, "section"), line
            )
        elif m := PARAGRAPH_RE.match(text):
            parent = self.open.get("section") or self._require("chapter", line, "paragraph")
            self._numbered("paragraph", m.group(1), m.group(2), parent, line)
        elif (m := ITEM_RE.match(text)) and "paragraph" in self.open:
            self._numbered("item", m.group(1), None, self.open["paragraph"], line)
        else:
            self._words(text, line)

    def _numbered(
        self, level: str, number: str, rest: str | None, parent: Provision, line: int
    ) -> None:
        prov = self._add(level, number, parent, line)
        self._open(level, prov)
        self.awaiting = prov
        if rest:
            self._words(rest, line, same_line=True)

    def _words(self, text: str, line: int, same_line: bool = False) -> None:
        target = self.awaiting
        if target is not None:
            self.awaiting = None
            if not same_line:
                target.lines.append(line)
            if target.level in ("annex", "chapter") or (
                target.level == "section" and is_heading(text)
            ):
                target.title = text
            else:
                target.text = text
            return
        container = self._deepest()
        siblings = [p for p in self.provisions.values() if p.parent == container.id]
        unnumbered = sum(1 for p in siblings if p.level == "unnumbered")
        k = unnumbered + (2 if container.text else 1)
        prov = self._add("unnumbered", f"¶{k}", container, line)
        prov.text = text


def parse_annex(text: str) -> dict[str, Provision]:
    """All provisions of the annex, keyed by id, in document order."""
    parser = _Parser()
    for number, raw in enumerate(text.splitlines(), start=1):
        parser.feed(raw, number)
    if parser.awaiting is not None:
        where = f"line {parser.awaiting.lines[0]}: {parser.awaiting.notation}"
        raise AnnexParseError(f"{where} has no text (truncated file?)")
    if not parser.provisions:
        raise AnnexParseError("no provisions found (empty file?)")
    return parser.provisions


def load_provisions(path: Path) -> dict[str, Provision]:
    """Read and parse the annex file."""
    return parse_annex(path.read_text(encoding="utf-8"))
