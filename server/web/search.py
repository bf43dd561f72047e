"""Search over names, acronyms (either language, accents optional) and function texts.

The index is built once per data version from the graph; matching is on accent-free,
case-folded words. Every query word must match somewhere; name matches outrank text matches,
and results come grouped: units, posts, bodies, functions, then the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Link, link
from .resource import positions
from .site import Site, fold

MAX_QUERY = 200
MAX_PER_GROUP = 60
GROUPS = ("unit", "post", "body", "function", "concept", "other")

TYPES = """
SELECT DISTINCT ?r ?group WHERE {
  VALUES (?cls ?group) { (org:OrganizationalUnit "unit") (org:Post "post") (ssm:Body "body")
    (org:FormalOrganization "body") (ssm:Function "function") (ssm:AreaOfWork "other")
    (ssm:Observatory "other") (ssm:Instrument "other") (skos:Concept "concept") }
  ?t rdfs:subClassOf* ?cls . ?r a ?t . FILTER(isIRI(?r))
}"""

TEXTS = """
SELECT ?r ?o WHERE { VALUES ?p { ssm:verbatimText ssm:unofficialTranslation } ?r ?p ?o }"""

CONTEXT = """
SELECT ?f ?u WHERE { { ?f ssm:functionOf ?u } UNION { ?u ssm:hasFunction ?f } }"""


@dataclass
class Entry:
    iri: str
    group: str
    names: list[str]  # folded
    texts: list[tuple[str, str, str | None]]  # (folded, original, lang)
    context: str | None = None  # IRI of the unit a function belongs to


@dataclass
class Hit:
    link: Link
    score: int
    context: str | None = None
    snippet: tuple[str, str, str] | None = None
    snippet_lang: str | None = None
    position: int = 0


@dataclass
class Index:
    entries: list[Entry] = field(default_factory=list)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


def build_index(site: Site) -> Index:
    def build() -> Index:
        groups: dict[str, str] = {}
        for r in site.select(TYPES):
            iri, group = r["r"].value, r["group"].value
            groups[iri] = min(group, groups.get(iri, "other"), key=GROUPS.index)
        texts: dict[str, list[tuple[str, str, str | None]]] = {}
        for r in site.select(TEXTS):
            o = r["o"]
            texts.setdefault(r["r"].value, []).append((fold(o.value), o.value, o.language))
        context = {r["f"].value: r["u"].value for r in site.select(CONTEXT)}
        entries = []
        for iri, group in sorted(groups.items()):
            names = site.names(iri)
            folded = [fold(t) for key in ("pref", "alt", "label", "notation")
                      for t, _ in names.get(key, [])]
            entries.append(Entry(iri, group, folded, texts.get(iri, []), context.get(iri)))
        return Index(entries)
    return site.memo("search_index", build)


def _snippet(original: str, folded: str, word: str) -> tuple[str, str, str] | None:
    """(before, match, after) around `word`, cut at word boundaries (about 60 and 80 chars)."""
    # NFKD folding keeps the length of Spanish text (one base char per accented char).
    i = folded.find(word)
    if i < 0 or len(folded) != len(original):
        return None
    start, end = max(0, i - 60), min(len(original), i + len(word) + 80)
    if start > 0:
        space = original.find(" ", start, i)
        start = space + 1 if space >= 0 else start
    if end < len(original):
        space = original.rfind(" ", i + len(word), end)
        end = space if space >= 0 else end
    before, after = original[start:i], original[i + len(word):end]
    return (("…" if start > 0 else "") + before, original[i:i + len(word)],
            after.rstrip(" ,;:") + ("…" if end < len(original) else ""))


def _score(entry: Entry, q: str, words: list[str]) -> tuple[int, int | None]:
    """(score, index of the matching text or None); 0 when some word matches nowhere."""
    if any(n == q for n in entry.names):
        return 100, None
    name_words = [w for n in entry.names for w in re.findall(r"\w+", n)]
    if all(any(nw.startswith(w) for nw in name_words) for w in words):
        return 70, None
    if all(any(w in n for n in entry.names) for w in words):
        return 50, None
    for i, (folded, _, _) in enumerate(entry.texts):
        if all(w in folded or any(w in n for n in entry.names) for w in words):
            return 20, i
    return 0, None


def search(site: Site, query: str, lang: str) -> list[tuple[str, list[Hit]]]:
    """Grouped hits for `query` (an empty list when nothing matches or the query is empty)."""
    query = query.strip()[:MAX_QUERY]
    words = _words(query)
    if not words:
        return []
    q = " ".join(words)
    pos = positions(site)
    grouped: dict[str, list[Hit]] = {}
    for entry in build_index(site).entries:
        score, text_i = _score(entry, q, words)
        if not score:
            continue
        hit = Hit(link(site, entry.iri, lang), score, position=pos.get(entry.iri, 10**6))
        if entry.context:
            hit.context = site.label(entry.context, lang).text
        if text_i is not None:
            folded, original, tlang = entry.texts[text_i]
            hit.snippet = _snippet(original, folded, next(w for w in words if w in folded))
            hit.snippet_lang = tlang
        grouped.setdefault(entry.group, []).append(hit)
    result = []
    for group in GROUPS:
        hits = grouped.get(group)
        if hits:
            hits.sort(key=lambda h: (-h.score, h.position, h.link.text.casefold()))
            result.append((group, hits[:MAX_PER_GROUP]))
    return result
