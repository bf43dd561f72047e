"""What every page needs to know about the served graph: its store, base IRI, version, labels.

A `Site` wraps the core's `Dataset` once per data version. It runs SPARQL on `dataset.store`
(default graph = union of asserted, entailed and ontology graphs) and keeps the label table,
so a page resolves the name of anything it links to without another query.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..dataset import Dataset
from ..documents import document_path
from .i18n import TERM_LABELS

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
ELI = "http://data.europa.eu/eli/ontology#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
VANN = "http://purl.org/vocab/vann/"
XSD = "http://www.w3.org/2001/XMLSchema#"

KINDS = ("organization", "unit", "post", "function", "provision", "body", "instrument", "area",
         "observatory", "concept", "scheme", "statement", "dataset")


@dataclass(frozen=True)
class Label:
    """The name of a resource in one language, with its acronym (if any)."""

    text: str
    lang: str | None
    acronym: str | None = None


@dataclass
class Site:
    """The served graph as the pages see it (one per dataset and data version): the core's
    `Dataset` (store, base, mount point, prefixes, document paths) plus the label table."""

    dataset: Dataset
    _labels: dict[str, dict[str, list[tuple[str, str | None]]]] = field(default_factory=dict)
    _cache: dict[Any, Any] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # ---- the core's names --------------------------------------------------------------------
    @property
    def store(self) -> ox.Store:
        return self.dataset.store

    @property
    def base(self) -> str:
        """The base of the IRIs in the store (the served base)."""
        return self.dataset.base

    @property
    def prefix(self) -> str:
        """URL path under which the site is served ("" at the root)."""
        return self.dataset.mount

    @property
    def version(self) -> str:
        return self.dataset.version

    @property
    def ontology(self) -> str:
        return self.dataset.ontology_iri

    @property
    def ssm(self) -> str:
        return self.ontology + "#"

    def id(self, kind: str, slug: str) -> str:
        return f"{self.base}id/{kind}/{slug}"

    @property
    def prefixes(self) -> dict[str, str]:
        return self.dataset.prefixes

    # ---- IRIs and links ---------------------------------------------------------------------
    def is_ours(self, iri: str) -> bool:
        return iri.startswith(self.base)

    def href(self, iri: str) -> str:
        """Where a browser finds `iri` on this site: a site-relative path for our IRIs."""
        if iri.startswith(self.base):
            return self.prefix + "/" + iri[len(self.base):]
        return iri

    def path(self, local: str) -> str:
        """A site path such as "/annex" under the served prefix."""
        return self.prefix + local

    def kind(self, iri: str) -> str | None:
        """The `{kind}` segment of `{base}id/{kind}/{slug}`, or "term" for the ontology's terms."""
        if iri.startswith(self.ssm) or iri == self.ontology:
            return "term"
        if not iri.startswith(self.base + "id/"):
            return None
        kind = iri[len(self.base) + 3:].split("/", 1)[0]
        return kind if kind in KINDS else None

    @staticmethod
    def slug(iri: str) -> str:
        return iri.rstrip("/").rsplit("/", 1)[-1].split("#")[-1]

    def doc_path(self, iri: str, ext: str | None = None) -> str | None:
        """The document describing one of our IRIs, e.g. /doc/unit/ssm.ttl; the ontology's
        terms are described by the ontology document."""
        if iri.startswith(self.ssm):
            iri = self.ontology
        if not (iri.startswith(self.base + "id/") or iri in self.dataset.ontology_iris):
            return None
        return self.path(document_path(self.dataset, iri) + (f".{ext}" if ext else ""))

    def annex_href(self, provision_iri: str) -> str:
        return self.path("/annex") + "#" + self.slug(provision_iri)

    # ---- queries ----------------------------------------------------------------------------
    def select(self, query: str, **bind: str) -> list[dict[str, Any]]:
        """Run a SELECT over the union graph; `bind` puts IRIs in place of `?name` variables."""
        solutions = self.store.query(_bind(query, bind), prefixes=self.prefixes,
                                     use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        return [{n: s[n] for n in names if s[n] is not None} for s in solutions]

    def ask(self, query: str, **bind: str) -> bool:
        return bool(self.store.query(_bind(query, bind), prefixes=self.prefixes,
                                     use_default_graph_as_union=True))

    def memo(self, key: Any, build):
        """A value computed once per data version (annex index, search index, chart …)."""
        try:
            return self._cache[key]
        except KeyError:
            pass
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]

    # ---- labels -----------------------------------------------------------------------------
    def _label_table(self) -> dict[str, dict[str, list[tuple[str, str | None]]]]:
        if not self._labels:
            table: dict[str, dict[str, list[tuple[str, str | None]]]] = {}
            rows = self.select(
                "SELECT DISTINCT ?s ?p ?o WHERE { VALUES ?p { skos:prefLabel rdfs:label "
                "skos:altLabel dcterms:title skos:notation } ?s ?p ?o . FILTER(isLiteral(?o)) }")
            for r in rows:
                s, p, o = r["s"], r["p"].value, r["o"]
                if not isinstance(s, ox.NamedNode):
                    continue
                short = {SKOS + "prefLabel": "pref", RDFS + "label": "label",
                         SKOS + "altLabel": "alt", DCT + "title": "title",
                         SKOS + "notation": "notation"}[p]
                table.setdefault(s.value, {}).setdefault(short, []).append(
                    (o.value, o.language))
            for entry in table.values():
                for values in entry.values():
                    values.sort()
            self._labels.update(table)
        return self._labels

    def names(self, iri: str) -> dict[str, list[tuple[str, str | None]]]:
        """Every name of `iri` by kind (pref, label, alt, title, notation)."""
        return self._label_table().get(iri, {})

    def label(self, iri: str, lang: str) -> Label:
        """The best name of `iri` in `lang` (then Spanish, English, untagged, local name)."""
        entry = self._label_table().get(iri, {})
        text, text_lang = None, None
        for key in ("pref", "label", "title"):
            picked = pick(entry.get(key, []), lang)
            if picked:
                text, text_lang = picked
                break
        if text is None and iri in TERM_LABELS:
            text, text_lang = TERM_LABELS[iri][0 if lang == "es" else 1], lang
        if text is None:
            text, text_lang = local_name(iri), None
        acr = pick(entry.get("alt", []), lang)
        return Label(text, text_lang, acr[0] if acr else None)


def _bind(query: str, bind: dict[str, str]) -> str:
    """`query` with each `?name` of `bind` replaced by the IRI (validated by NamedNode)."""
    for name, iri in bind.items():
        term = str(ox.NamedNode(iri))
        query = re.sub(r"\?" + name + r"\b", lambda _m, t=term: t, query)
    return query


def pick(values: list[tuple[str, str | None]], lang: str) -> tuple[str, str | None] | None:
    """From (text, lang) pairs, the one in `lang`, else es, else en, else untagged, else any."""
    if not values:
        return None
    for want in (lang, "es", "en", None):
        for v in values:
            if (v[1] or None) == want or (want and v[1] and v[1].split("-")[0] == want):
                return v
    return values[0]


def local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            tail = iri.rstrip(sep).rsplit(sep, 1)[-1]
            if tail:
                return tail
    return iri


def fold(text: str) -> str:
    """Lower-case, accent-free form of `text` for matching ("Sección" → "seccion")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_SITES: dict[tuple[int, str], Site] = {}
_SITES_LOCK = threading.Lock()


def site_for(dataset: Dataset) -> Site:
    """The `Site` of `dataset` at its current version (built once, then shared)."""
    key = (id(dataset), dataset.version)
    site = _SITES.get(key)
    if site is None:
        with _SITES_LOCK:
            site = _SITES.get(key)
            if site is None:
                site = Site(dataset)
                for old in [k for k in _SITES if k[0] == id(dataset)]:
                    del _SITES[old]
                _SITES[key] = site
    return site
