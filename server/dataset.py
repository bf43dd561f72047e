"""The served dataset: the data, its entailments and the ontology in one on-disk Oxigraph store.

Asserted triples live in `<{base}graph/asserted>`, entailed ones in `<{base}graph/entailed>`, the
ontology in `<{base}graph/ontology>`; queries read the default graph as their union
(`Dataset.query` does so; the SPARQL workers open `store_path` and must do the same). Every IRI
under the canonical base is rewritten to the served base when the store is built, so nothing
downstream rewrites. The store is built once per data version (`oas_ssm.server.store`) and every
process of the server — web workers, query processes — opens that same store read-only: one copy
of the data per machine, and a restart on unchanged data parses and entails nothing.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from oas_ssm.namespaces import PREFIXES
from oas_ssm.server.config import Config
from oas_ssm.server.entailment import Schema, entail_graph
from oas_ssm.server.metadata import Statistics, void_triples
from oas_ssm.server.rewrite import Rewriter
from oas_ssm.server.store import ReadOnlyStore, StoreError, open_or_build
from pyoxigraph import (
    BlankNode,
    NamedNode,
    Quad,
    RdfFormat,
    Store,
    Triple,
    parse,
)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = NamedNode(RDF + "type")
RDF_SUBJECT = NamedNode(RDF + "subject")
RDF_OBJECT = NamedNode(RDF + "object")
PREF_LABEL = NamedNode(SKOS + "prefLabel")
ALT_LABEL = NamedNode(SKOS + "altLabel")
RDFS_LABEL = NamedNode(RDFS + "label")
LABEL_PROPERTIES = (PREF_LABEL, RDFS_LABEL, ALT_LABEL)
VERSION_IRI = NamedNode(OWL + "versionIRI")
ONTOLOGY_PATH = "def/ssm"
DATASET_PATH = "id/dataset/ssm"
# Bump when a change in this package changes what is served from the same files (busts ETags).
SERVER_VERSION = "3"
PARALLEL_LOAD_BYTES = 4 << 20  # smaller N-Triples files load in one thread (not worth the split)
EXTRA_PREFIXES = {
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "prof": "http://www.w3.org/ns/dx/prof/",  # the data profile's description (see `profile`)
}
GRAPHS = ("asserted", "entailed", "ontology", "metadata")


class DataError(Exception):
    """The data cannot be served; the message says which file and where, for a person to fix."""


@dataclass
class Dataset:
    """The loaded graphs plus the indexes documents need. Build one with `Dataset.load(config)`.

    Named graphs: `asserted` (data/ssm.ttl), `entailed` (what it entails, see `entailment`),
    `ontology` (ontology/ssm.ttl) and `metadata` (the VoID/DCAT description, see `metadata`).
    """

    store_path: Path  # the built store's folder, opened read-only by every process
    rewriter: Rewriter
    version: str  # hex digest of the inputs and the served base: the basis of every ETag
    modified: float  # newest input's mtime (seconds since the epoch): Last-Modified
    counts: dict[str, int]  # triples per graph: asserted, entailed, ontology
    mount: str = ""  # URL path the server answers under ('' at the root), see Config.mount
    _documents: frozenset[str] = field(default_factory=frozenset)
    _hash_children: dict[str, list[NamedNode]] = field(default_factory=dict)
    _opened: ReadOnlyStore | None = field(default=None, repr=False)
    _dump_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def store(self) -> Store:
        """The store, opened read-only in this process (after a fork, opened anew)."""
        if self._opened is None:
            self._opened = ReadOnlyStore(self.store_path)
        return self._opened.get()

    # -- naming ---------------------------------------------------------------------------------

    @property
    def base(self) -> str:
        """The served base IRI, ending in '/'."""
        return self.rewriter.served

    @property
    def canonical_base(self) -> str:
        return self.rewriter.canonical

    def graph(self, name: str) -> NamedNode:
        """One of our named graphs: 'asserted', 'entailed', 'ontology' or 'metadata'."""
        return NamedNode(f"{self.base}graph/{name}")

    @property
    def graphs(self) -> dict[str, NamedNode]:
        """Every named graph of ours by short name."""
        return {name: self.graph(name) for name in GRAPHS}

    @cached_property
    def prefixes(self) -> dict[str, str]:
        """Prefix → namespace for serializations, with `ssm:` under the served base."""
        table = {name: self.rewriter.iri(str(ns)) for name, ns in PREFIXES.items()}
        return {**table, **EXTRA_PREFIXES}

    @property
    def ontology_iri(self) -> str:
        return self.base + ONTOLOGY_PATH

    @property
    def dataset_iri(self) -> str:
        """The IRI of the dataset itself, described by VoID/DCAT."""
        return self.base + DATASET_PATH

    @cached_property
    def ontology_iris(self) -> frozenset[str]:
        """The ontology IRI and its version IRIs: each is served as the ontology document."""
        iris = {self.ontology_iri}
        for q in self.store.quads_for_pattern(NamedNode(self.ontology_iri), VERSION_IRI, None):
            if isinstance(q.object, NamedNode) and q.object.value.startswith(self.base):
                iris.add(q.object.value)
        return frozenset(iris)

    def local_path(self, iri: str) -> str | None:
        """The path of `iri` relative to the served base ('id/unit/ssm'), None if not ours."""
        return iri[len(self.base) :] if iri.startswith(self.base) else None

    # -- what there is --------------------------------------------------------------------------

    def resources(self) -> list[str]:
        """Every resource under `{base}id/` that has a document, sorted."""
        return sorted(self._documents)

    def has_document(self, iri: str) -> bool:
        """True for a resource under `{base}id/` the data mentions."""
        return iri in self._documents

    def query(self, sparql: str, **kwargs):
        """Evaluate SPARQL over the union of our graphs (for trusted, internal queries only)."""
        return self.store.query(sparql, use_default_graph_as_union=True, **kwargs)

    def triples(self, *graphs: str) -> Iterator[Triple]:
        """The triples of the named graphs (by short name), deduplicated across them."""
        seen: set[Triple] = set()
        for name in graphs:
            for q in self.store.quads_for_pattern(None, None, None, self.graph(name)):
                t = q.triple
                if t not in seen:
                    seen.add(t)
                    yield t

    @cached_property
    def _nquads(self) -> bytes:
        return self.store.dump(format=RdfFormat.N_QUADS)

    def nquads(self) -> bytes:
        """All our quads as N-Quads (served IRIs); query processes open `store_path` instead."""
        with self._dump_lock:
            return self._nquads

    # -- descriptions ---------------------------------------------------------------------------

    def describe(self, iri: str) -> list[Triple]:
        """The document content of a resource, sorted with the resource's own triples first.

        Outgoing and incoming triples (blank nodes closed), those of its hash-IRI children
        (`def/ssm#Section` for `def/ssm`), those of the rdf:Statements that cite it, and the labels
        of everything it links to, so a reader needs no second request for a name. The dataset's
        document also holds the whole metadata graph.
        """
        node = NamedNode(iri)
        out: set[Triple] = set()
        if iri == self.dataset_iri:
            # The dataset's document (`/void`) is its whole description: harvesters read one
            # document, and DCAT-AP wants the agents, licences and media types it links typed.
            out.update(self.triples("metadata"))
        self._outgoing(node, out)
        for child in self._hash_children.get(iri, ()):
            self._outgoing(child, out)
        for q in self.store.quads_for_pattern(None, None, node):
            out.add(q.triple)
            if isinstance(q.subject, BlankNode):
                self._outgoing(q.subject, out)
        for cites in (RDF_SUBJECT, RDF_OBJECT):
            for q in self.store.quads_for_pattern(None, cites, node):
                self._outgoing(q.subject, out)
        self._add_labels(out)
        return sorted(out, key=lambda t: _order(t, iri))

    def _outgoing(self, node, out: set[Triple]) -> None:
        """Add the triples of `node`, following blank-node objects to their own triples."""
        stack = [node]
        seen = set()
        while stack:
            subject = stack.pop()
            if subject in seen:
                continue
            seen.add(subject)
            for q in self.store.quads_for_pattern(subject, None, None):
                out.add(q.triple)
                if isinstance(q.object, BlankNode):
                    stack.append(q.object)

    def _add_labels(self, out: set[Triple]) -> None:
        linked = {t for triple in out for t in triple if isinstance(t, NamedNode)}
        for node in linked:
            for p in LABEL_PROPERTIES:
                for q in self.store.quads_for_pattern(node, p, None):
                    out.add(q.triple)

    def labels(self, iri: str) -> dict[str, str]:
        """The best name of `iri` per language tag ('' for untagged): prefLabel, else rdfs:label."""
        found: dict[str, str] = {}
        node = NamedNode(iri)
        for p in (RDFS_LABEL, PREF_LABEL):  # later wins: prefLabel over rdfs:label
            for q in self.store.quads_for_pattern(node, p, None):
                lang = getattr(q.object, "language", None) or ""
                found[lang] = q.object.value
        return found

    def label(self, iri: str, lang: str = "es") -> str:
        """A name for `iri` in `lang`, else in Spanish, else any name, else the IRI's last part."""
        names = self.labels(iri)
        for key in (lang, "es", "en", ""):
            if key in names:
                return names[key]
        if names:
            return next(iter(sorted(names.items())))[1]
        return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]

    # -- loading --------------------------------------------------------------------------------

    @classmethod
    def load(cls, config: Config) -> Dataset:
        """The dataset of `config`'s files: its store opened if this data version was built
        before, else the files read, rewritten, entailed and indexed into a new store.
        `DataError` says what is wrong if that cannot be done."""
        rewriter = Rewriter(config.canonical_base, config.base_uri)
        paths = [config.data, config.ontology, *config.vocabularies]
        contents = [_read(path) for path in paths]
        digest = hashlib.sha256(f"{SERVER_VERSION}\n{rewriter.served}\n".encode())
        for raw in contents:
            digest.update(hashlib.sha256(raw).digest())
        version = digest.hexdigest()

        def build(store: Store) -> dict:
            modified = max(os.stat(p).st_mtime for p in paths)
            return _build(store, config, rewriter, contents, modified)

        try:
            path, meta = open_or_build(config.state_dir, version, build)
        except StoreError as e:
            raise DataError(str(e)) from None
        return cls(
            store_path=path,
            rewriter=rewriter,
            version=version,
            modified=meta["modified"],
            mount=config.mount,
            counts=dict(meta["counts"]),
            _documents=frozenset(meta["documents"]),
            _hash_children={
                k: [NamedNode(i) for i in v] for k, v in meta["hash_children"].items()
            },
        )


def _build(
    store: Store, config: Config, rewriter: Rewriter, contents: list[bytes], modified: float
) -> dict:
    """Fill `store` with the graphs of these inputs; the metadata `Dataset` needs to serve it.

    The data goes into the store first, by Oxigraph's loader where it can (see `_load_asserted`);
    what is derived from it — entailments, VoID statistics, which IRIs have documents — is then
    asked of the store: only distinct terms, counts and the triples the entailment rules read
    become Python objects, never every triple.
    """
    data_raw, ontology_raw, *vocab_raw = contents
    base = rewriter.served
    graphs = {n: NamedNode(f"{base}graph/{n}") for n in GRAPHS}
    stats = _load_asserted(store, config.data, data_raw, rewriter, graphs["asserted"])
    if not stats.triples:
        raise DataError(f"{config.data}: no triples: nothing to serve")
    ontology = list(rewriter.quads(_parse(config.ontology, ontology_raw, "o")))
    vocab = [
        q
        for i, (p, raw) in enumerate(zip(config.vocabularies, vocab_raw, strict=True))
        for q in _parse(p, raw, f"v{i}")
    ]
    schema = Schema.from_triples(q.triple for q in (*ontology, *vocab))
    entailed = entail_graph(store, graphs["asserted"], schema)
    ontology_triples = {q.triple for q in ontology}
    store.bulk_extend(_in_graph(entailed, graphs["entailed"]))
    store.bulk_extend(_in_graph(ontology_triples, graphs["ontology"]))
    prefixes = {**{n: rewriter.iri(str(ns)) for n, ns in PREFIXES.items()}, **EXTRA_PREFIXES}

    def is_asserted(triples: list[Triple]) -> bool:  # exactly the asserted graph?
        wanted = set(triples)
        return len(wanted) == stats.triples and all(
            Quad(t.subject, t.predicate, t.object, graphs["asserted"]) in store for t in wanted
        )

    void = void_triples(base, stats, prefixes, modified, is_asserted)
    store.bulk_extend(_in_graph(void, graphs["metadata"]))

    ids = base + "id/"
    documents = {
        t.value
        for t in stats.subjects | stats.objects
        if isinstance(t, NamedNode) and t.value.startswith(ids)
    }
    documents.add(base + DATASET_PATH)

    # Hash IRIs that are subjects in some graph. An entailed triple's subject is a node of the
    # asserted ones: only asserted objects that are no subject yet need asking of the store.
    def hashed(terms) -> set[str]:
        iris = (t.value for t in terms if isinstance(t, NamedNode))
        return {iri for iri in iris if iri.startswith(base) and "#" in iri}

    subjects = hashed((*stats.subjects, *(t.subject for t in (*ontology_triples, *void))))
    subjects |= {
        iri for iri in hashed(stats.objects) - subjects
        if next(store.quads_for_pattern(NamedNode(iri), None, None, graphs["entailed"]), None)
    }  # fmt: skip
    children: dict[str, set[str]] = defaultdict(set)
    for iri in subjects:
        children[iri.split("#", 1)[0]].add(iri)
    return {
        "modified": modified,
        "counts": {
            "asserted": stats.triples,
            "entailed": len(entailed),
            "ontology": len(ontology_triples),
            "metadata": len(void),
        },
        "documents": sorted(documents),
        "hash_children": {
            k: sorted(v, key=lambda iri: f"<{iri}>") for k, v in sorted(children.items())
        },
    }


def _load_asserted(
    store: Store, path: Path, raw: bytes, rewriter: Rewriter, graph: NamedNode
) -> Statistics:
    """Load the data file into `graph`; its statistics, asked of the store.

    Oxigraph's own loader takes the file as it is, several times faster than handing it parsed
    triples — unless IRIs must be rewritten to another base, or the data has blank nodes: the
    parser labels those at random, so `_parse` labels them instead (in order of appearance),
    and every build of the same files names them alike.
    """
    if rewriter.identity:
        try:
            if not _bulk_load_lines(store, path, raw, graph):
                store.bulk_load(raw, format=RdfFormat.TURTLE, to_graph=graph)
        except (SyntaxError, ValueError):
            _parse(path, raw, "d")  # the DataError naming the file, line and column
            raise
        stats = Statistics.of_graph(store, graph)
        if not any(isinstance(t, BlankNode) for t in (*stats.subjects, *stats.objects)):
            return stats
        store.clear_graph(graph)
    store.bulk_extend(_in_graph((q.triple for q in rewriter.quads(_parse(path, raw, "d"))), graph))
    return Statistics.of_graph(store, graph)


def _bulk_load_lines(store: Store, path: Path, raw: bytes, graph: NamedNode) -> bool:
    """Load an N-Triples file (`.nt`) of at least PARALLEL_LOAD_BYTES in one thread per core,
    a slice of whole lines each: Oxigraph's loader is single-threaded and lets go of the GIL,
    so a 2-core machine loads it in about half the time. False (nothing loaded) for any other
    file, on one core, or when a slice is not N-Triples (the file is then read as Turtle)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    if Path(path).suffix.lower() != ".nt" or len(raw) < PARALLEL_LOAD_BYTES or cores < 2:
        return False
    cuts = [0]
    for i in range(1, cores):
        cut = raw.find(b"\n", max(cuts[-1], len(raw) * i // cores)) + 1
        cuts.append(cut if cut > 0 else len(raw))
    cuts.append(len(raw))
    failed: list[BaseException] = []

    def load(chunk: bytes) -> None:
        try:
            store.bulk_load(chunk, format=RdfFormat.N_TRIPLES, to_graph=graph)
        except (SyntaxError, ValueError) as e:
            failed.append(e)

    threads = [threading.Thread(target=load, args=(raw[a:b],), name="ssm-load")
               for a, b in zip(cuts, cuts[1:], strict=False) if b > a]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failed:
        store.clear_graph(graph)
    return not failed


def _read(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise DataError(f"{path}: cannot read: {e.strerror or e}") from None


def _parse(path: Path, raw: bytes, scope: str) -> list[Quad]:
    """All quads of one Turtle file, or a `DataError` naming the file, line and column.

    Blank nodes are relabelled `{scope}b{n}` in order of appearance: files cannot clash, and every
    process loading the same files names them alike (the parser's own labels are random), so
    rendered documents and their ETags are identical across workers and restarts.
    """
    labels: dict[str, BlankNode] = {}

    def relabel(term):
        if isinstance(term, BlankNode):
            if term.value not in labels:
                labels[term.value] = BlankNode(f"{scope}b{len(labels)}")
            return labels[term.value]
        return term

    try:
        return [
            Quad(relabel(q.subject), q.predicate, relabel(q.object), q.graph_name)
            if isinstance(q.subject, BlankNode) or isinstance(q.object, BlankNode)
            else q
            for q in parse(raw, format=RdfFormat.TURTLE)
        ]
    except SyntaxError as e:
        where = f"{path}:{e.lineno}:{e.offset}" if e.lineno else str(path)
        message = e.msg if getattr(e, "msg", None) else str(e)
        raise DataError(f"{where}: invalid Turtle: {message}") from None
    except (ValueError, OSError) as e:
        raise DataError(f"{path}: cannot parse: {e}") from None


def _in_graph(triples: Iterable[Triple], graph: NamedNode) -> Iterator[Quad]:
    for t in triples:
        yield Quad(t.subject, t.predicate, t.object, graph)


def _order(triple: Triple, iri: str) -> tuple:
    """Sort key: the resource first, rdf:type first within a subject, then by text."""
    s, p, o = triple
    return (
        s.value != iri if isinstance(s, NamedNode) else True,
        str(s),
        p != RDF_TYPE,
        str(p),
        str(o),
    )
