"""Load the curated mapping (data/mapping/*.yaml) and check it against the parsed provisions.

The mapping is the human-edited half of the data: which heading is which unit, the posts, the
relations, the translations. Every mistake a maintainer can make in it (an unknown provision, a
reference to an entry that does not exist, a missing translation) is reported here with the file
and entry, before any triple is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from oas_ssm.provisions import Provision

ENTITY_KINDS = ("organization", "unit", "post", "body", "instrument", "observatory", "area")


# entities.yaml: a link key and the key that lists the provisions stating it
LINK_SOURCE = {
    "parent": "parent_source",
    "unit_of": "parent_source",
    "post_in": "post_in_source",
    "office_of": "office_of_source",
    "rank": "rank_source",
    "area_of": "area_of_source",
}


class MappingError(ValueError):
    """The curated mapping is unreadable or inconsistent; the message says where."""


@dataclass
class Relation:
    subject: str  # kind/slug
    predicate: str  # CURIE
    object: str  # kind/slug
    sources: list[str]
    note: dict[str, str] | None = None


@dataclass
class Collective:
    """One use of a definite collective phrase, expanded into a relation per listed member."""

    subject: str  # kind/slug, or "each"
    predicate: str
    object: str  # kind/slug, or "each"
    list: str
    source: str
    phrase: str
    speaker_source: str | None = None  # the heading naming the speaker, when the text does not


@dataclass
class Mapping:
    entities: dict[str, dict[str, dict[str, Any]]]  # kind -> slug -> entry
    area_note: dict[str, str]
    relations: list[Relation]
    functions: list[dict[str, Any]]
    scheme: dict[str, Any]
    concepts: dict[str, dict[str, Any]]
    translations: dict[str, dict[str, str]]
    rank_scheme: dict[str, Any] = field(default_factory=dict)
    member_lists: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    collectives: list[Collective] = field(default_factory=list)
    glossary: list[dict[str, Any]] = field(default_factory=list)
    ledger: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def entry(self, ref: str) -> dict[str, Any]:
        kind, _, slug = ref.partition("/")
        return self.entities[kind][slug]


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise MappingError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise MappingError(
            f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})"
        ) from exc
    if not isinstance(data, dict):
        raise MappingError(f"{path}: expected a mapping at the top level")
    return data


def load_mapping(directory: Path) -> Mapping:
    """Read the mapping files (entities, relations, functions, concepts, translations,
    glossary, ledger)."""
    entities_doc = _read_yaml(directory / "entities.yaml")
    relations_doc = _read_yaml(directory / "relations.yaml")
    functions_doc = _read_yaml(directory / "functions.yaml")
    concepts_doc = _read_yaml(directory / "concepts.yaml")
    translations_doc = _read_yaml(directory / "translations.yaml")
    glossary_doc = _read_yaml(directory / "glossary.yaml")
    ledger_doc = _read_yaml(directory / "ledger.yaml")
    relations = []
    for i, row in enumerate(relations_doc.get("relations") or [], start=1):
        if not isinstance(row, list) or len(row) not in (4, 5):
            raise MappingError(
                f"relations.yaml: relation #{i} must be [subject, predicate, object, [provisions]]"
            )
        relations.append(
            Relation(row[0], row[1], row[2], list(row[3]), row[4] if len(row) == 5 else None)
        )
    collectives_doc = relations_doc.get("collectives") or {}
    member_lists = {
        name: [(str(ref), str(pid)) for ref, pid in rows]
        for name, rows in (collectives_doc.get("lists") or {}).items()
    }
    collectives = []
    for i, use in enumerate(collectives_doc.get("uses") or [], start=1):
        try:
            collectives.append(Collective(**{k: str(v) for k, v in use.items()}))
        except TypeError as exc:
            raise MappingError(f"relations.yaml: collective use #{i}: {exc}") from exc
    return Mapping(
        entities={kind: entities_doc.get(kind) or {} for kind in ENTITY_KINDS},
        area_note=entities_doc.get("area_note") or {},
        relations=relations,
        functions=functions_doc.get("functions") or [],
        scheme=concepts_doc.get("scheme") or {},
        concepts=concepts_doc.get("concepts") or {},
        translations=translations_doc,
        rank_scheme=concepts_doc.get("rank_scheme") or {},
        member_lists=member_lists,
        collectives=collectives,
        glossary=glossary_doc.get("terms") or [],
        ledger={str(k): str(v) for k, v in (ledger_doc.get("explained") or {}).items()},
    )


def check_mapping(mapping: Mapping, provisions: dict[str, Provision]) -> list[str]:
    """Every problem in the mapping, as 'file: entry: what is wrong'. Empty means usable."""
    problems: list[str] = []
    known_refs = {
        f"{kind}/{slug}" for kind, entries in mapping.entities.items() for slug in entries
    }
    known_refs |= {f"concept/{slug}" for slug in mapping.concepts}
    known_refs |= {f"concept/{slug}" for slug in mapping.rank_scheme.get("concepts") or {}}

    def check_sources(where: str, sources: Any) -> None:
        if not sources:
            problems.append(f"{where}: cites no provision")
            return
        for pid in sources:
            if pid not in provisions:
                problems.append(f"{where}: cites unknown provision {pid!r}")

    def check_ref(where: str, ref: Any) -> None:
        if ref not in known_refs:
            problems.append(f"{where}: refers to unknown entry {ref!r}")

    for kind, entries in mapping.entities.items():
        for slug, entry in entries.items():
            where = f"entities.yaml: {kind}/{slug}"
            label = entry.get("label") or {}
            for lang in ("es", "en"):
                if not isinstance(label.get(lang), str) or not label[lang].strip():
                    problems.append(f"{where}: needs a label in {lang!r}")
            check_sources(where, entry.get("source"))
            for key in ("parent", "post_in", "unit_of", "area_of", "part_of", "office_of", "rank"):
                if key in entry:
                    check_ref(f"{where}: {key}", entry[key])
                    source_key = LINK_SOURCE.get(key)
                    if source_key and source_key not in entry:
                        problems.append(f"{where}: {key} needs {source_key}")
            for key in set(LINK_SOURCE.values()) & set(entry):
                check_sources(f"{where}: {key}", entry[key])
            for key in ("mission", "scope"):
                if key in entry and entry[key] not in provisions:
                    problems.append(f"{where}: {key} cites unknown provision {entry[key]!r}")
            if kind == "post" and "post_in" not in entry and not entry.get("note"):
                problems.append(f"{where}: a post needs post_in, or a note saying why not")
    for i, rel in enumerate(mapping.relations, start=1):
        where = f"relations.yaml: #{i} {rel.subject} {rel.predicate} {rel.object}"
        check_ref(where, rel.subject)
        check_ref(where, rel.object)
        check_sources(where, rel.sources)
        if rel.note is not None and not (
            isinstance(rel.note, dict) and all(isinstance(v, str) for v in rel.note.values())
        ):
            problems.append(
                f"{where}: the note must be {{es: text, en: text}} (quote text with commas)"
            )
        if ":" not in rel.predicate:
            problems.append(f"{where}: predicate must be a CURIE like ssm:coordinatesWith")
    for name, members in mapping.member_lists.items():
        for ref, pid in members:
            check_ref(f"relations.yaml: collective list {name}", ref)
            check_sources(f"relations.yaml: collective list {name}: {ref}", [pid])
    for i, use in enumerate(mapping.collectives, start=1):
        where = f"relations.yaml: collective use #{i} ({use.phrase!r})"
        if use.list not in mapping.member_lists:
            problems.append(f"{where}: unknown list {use.list!r}")
        if [use.subject, use.object].count("each") != 1:
            problems.append(f"{where}: exactly one of subject and object must be 'each'")
        for ref in (use.subject, use.object):
            if ref != "each":
                check_ref(where, ref)
        if use.speaker_source is not None and use.speaker_source not in provisions:
            problems.append(f"{where}: cites unknown provision {use.speaker_source!r}")
        prov = provisions.get(use.source)
        if prov is None:
            problems.append(f"{where}: cites unknown provision {use.source!r}")
        elif use.phrase not in (prov.text or ""):
            problems.append(f"{where}: the phrase does not occur in {use.source}")
    for i, term in enumerate(mapping.glossary, start=1):
        where = f"glossary.yaml: term #{i} {term.get('es')!r}"
        for key in ("es", "en", "source"):
            if not isinstance(term.get(key), str) or not term[key].strip():
                problems.append(f"{where}: needs {key}")
    for pid, reason in mapping.ledger.items():
        if pid not in provisions:
            problems.append(f"ledger.yaml: {pid}: no such provision")
        elif not reason.strip():
            problems.append(f"ledger.yaml: {pid}: empty explanation")
    for i, group in enumerate(mapping.functions, start=1):
        where = f"functions.yaml: #{i} {group.get('section')}"
        if group.get("section") not in provisions:
            problems.append(f"{where}: unknown section")
        check_ref(where, group.get("unit"))
        if "area" in group:
            check_ref(where, group["area"])
        for pid in group.get("exclude", []):
            if pid not in provisions:
                problems.append(f"{where}: excludes unknown provision {pid!r}")
    for slug, concept in mapping.concepts.items():
        where = f"concepts.yaml: {slug}"
        if not concept.get("match"):
            problems.append(f"{where}: needs at least one match phrase")
        if concept.get("broader") and concept["broader"] not in mapping.concepts:
            problems.append(f"{where}: broader {concept['broader']!r} is not a concept")
    for pid, prov in provisions.items():
        tr = mapping.translations.get(pid) or {}
        for key in ("title", "text"):
            if getattr(prov, key) and not (isinstance(tr.get(key), str) and tr[key].strip()):
                problems.append(f"translations.yaml: {pid}: missing English {key}")
    for pid in mapping.translations:
        if pid not in provisions:
            problems.append(f"translations.yaml: {pid}: no such provision")
    return problems
