"""Every release, loaded for serving: which resources each holds, what changed between them,
their documents, their named graphs for SPARQL and their lines in the dataset's VoID.

A release is read from `releases/<version>/` (see `oas_ssm.release`); its IRIs are rewritten to
the served base like the current data. Diffs between consecutive releases (`oas_ssm.diff`) are
computed once, on first use: the graph is a few thousand triples. A release's
documents come from a `Dataset` of its own (loaded on first use), so a versioned document is
exactly what the server served while that release was current.

The URL scheme, below the served base (written down in README.md, "Releases and the past"):

| IRI | what |
|---|---|
| `release/` | the list of releases |
| `release/{v}` | release `v`: the dataset's version IRI (DCAT, VoID, PROV) |
| `release/{v}/doc/{kind}/{slug}[.ext]` | `id/{kind}/{slug}`'s document in release `v` (Memento) |
| `release/{v}/def/ssm[.ext]` | the ontology as release `v` carried it |
| `release/{v}/dumps/ssm.{ttl,nt,jsonld}` | the graph of release `v` |
| `release/{v}/changes.{ttl,md,txt}` | what changed since the previous release (`ssm diff`) |
| `timemap/{kind}/{slug}` | the TimeMap of `id/{kind}/{slug}` (RFC 7089, link-format) |
| `graph/release/{v}` | the named graph holding release `v`'s triples, for SPARQL |
| `feed.atom` | one entry per release, with its changes |
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from functools import lru_cache
from pathlib import Path

from oas_ssm.diff import Change, Diff, Snapshot, change_set, compare, describe_change
from oas_ssm.namespaces import BASE
from oas_ssm.paths import RELEASES
from oas_ssm.release import Release, ReleaseError, list_releases
from oas_ssm.server.rewrite import Rewriter
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple, parse

OWL = "http://www.w3.org/2002/07/owl#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_DATE = NamedNode("http://www.w3.org/2001/XMLSchema#date")
DATASET_PATH = "id/dataset/ssm"


@dataclass
class ServedRelease:
    """One release as served: its IRIs under the served base. What only some answers need (the
    snapshot `ssm diff` reads, the diff from the previous release, the set of resources) is
    computed on first use, so loading the archive costs a parse per release."""

    release: Release
    iri: str  # {base}release/{version}
    triples: list[Triple]  # the release's graph, served IRIs
    metadata: list[Triple]  # its release.ttl, served IRIs
    id_prefix: str  # {base}id/
    previous: ServedRelease | None = None
    _snapshot: Snapshot | None = None
    _diff: Diff | None = None
    _resources: frozenset[str] | None = None

    @property
    def version(self) -> str:
        return self.release.version

    @property
    def datetime(self) -> datetime:
        """Its Memento-Datetime: the issue date at 00:00 UTC (releases are dated by the day)."""
        return datetime.combine(self.release.issued, time(0, 0), tzinfo=UTC)

    @property
    def snapshot(self) -> Snapshot:
        """The release's graph as `ssm diff` reads it (canonical IRIs)."""
        if self._snapshot is None:
            raw = _read(self.release.data)
            self._snapshot = Snapshot.from_bytes(f"release {self.version}", raw)
        return self._snapshot

    @property
    def diff(self) -> Diff | None:
        """`ssm diff` from the previous release; None for the first."""
        if self._diff is None and self.previous is not None:
            self._diff = compare(self.previous.snapshot, self.snapshot)
        return self._diff

    @property
    def resources(self) -> frozenset[str]:
        """Served IRIs under {base}id/ that have a document in this release."""
        if self._resources is None:
            prefix = self.id_prefix
            self._resources = frozenset(
                term.value for t in self.triples for term in (t.subject, t.object)
                if isinstance(term, NamedNode) and term.value.startswith(prefix)
            )  # fmt: skip
        return self._resources


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a resource's history: in release `version`, what happened to it."""

    version: str
    issued: str  # YYYY-MM-DD
    action: str  # 'present' (first release), 'added', 'removed', or a Change.action
    summary: str  # the `ssm diff` sentence, in English; '' for 'present'
    memento: str | None  # the document in that release (None once removed)
    change: Change | None = None


@dataclass
class ReleaseArchive:
    """The releases a server serves, oldest first, and what it knows about each."""

    rewriter: Rewriter
    releases: list[ServedRelease]
    mount: str = ""
    _datasets: dict[str, object] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- loading ----------------------------------------------------------------------------------

    @classmethod
    def load(cls, base: str, directory: Path = RELEASES, canonical: str = BASE,
             mount: str = "") -> ReleaseArchive:  # fmt: skip
        """The releases in `directory` served under `base`; ReleaseError if one is unreadable."""
        rewriter = Rewriter(canonical, base)
        served: list[ServedRelease] = []
        for r in list_releases(directory):
            triples = _triples(_read(r.data), rewriter, r.data)
            meta = _triples(_read(r.metadata), rewriter, r.metadata)
            served.append(ServedRelease(r, rewriter.iri(r.iri), triples, meta,
                                        rewriter.served + "id/",
                                        served[-1] if served else None))  # fmt: skip
        return cls(rewriter, served, mount)

    @classmethod
    def for_dataset(cls, dataset, directory: Path = RELEASES) -> ReleaseArchive:
        """The archive of `dataset`'s server (its base and mount), kept on the dataset so the
        web pages, the VoID and the routes share one."""
        archive = getattr(dataset, "_release_archive", None)
        if archive is None or getattr(dataset, "_release_directory", None) != directory:
            archive = _shared(dataset.base, directory, dataset.canonical_base, dataset.mount)
            dataset._release_archive = archive
            dataset._release_directory = directory
        _BY_BASE[archive.base] = archive
        return archive

    # -- naming -----------------------------------------------------------------------------------

    @property
    def base(self) -> str:
        return self.rewriter.served

    def get(self, version: str) -> ServedRelease | None:
        return next((r for r in self.releases if r.version == version), None)

    @property
    def latest(self) -> ServedRelease | None:
        return self.releases[-1] if self.releases else None

    def path(self, local: str) -> str:
        """The URL path of `local` (a path below the base) on this server, mount included."""
        return f"{self.mount}/{local}"

    def href(self, url: str) -> str:
        """A link for HTML pages: the path of `url` on this server when it is under the served
        base (pages link by path, like the rest of the site), else `url`."""
        return self.path(url[len(self.base) :]) if url.startswith(self.base) else url

    def url(self, local: str) -> str:
        """The absolute URL of `local` under the served base."""
        return self.base + local

    def local_id(self, iri: str) -> str | None:
        """'unit/dsp' for `{base}id/unit/dsp`, None for anything else."""
        prefix = self.base + "id/"
        if not iri.startswith(prefix):
            return None
        rest = iri[len(prefix) :]
        kind, _, slug = rest.partition("/")
        return rest if kind and slug and "/" not in slug else None

    def memento_url(self, release: ServedRelease, iri: str, ext: str | None = None) -> str:
        """The document about `iri` as release `release` had it."""
        local = self.local_id(iri)
        return self.url(f"release/{release.version}/doc/{local}" + (f".{ext}" if ext else ""))

    def timemap_url(self, iri: str) -> str:
        return self.url(f"timemap/{self.local_id(iri)}")

    # -- what there was ---------------------------------------------------------------------------

    def mementos(self, iri: str) -> list[ServedRelease]:
        """The releases that have a document about `iri`, oldest first."""
        return [r for r in self.releases if iri in r.resources]

    def known(self, iri: str) -> bool:
        """True when some release has a document about `iri` (it may be gone now)."""
        return any(iri in r.resources for r in self.releases)

    def release_dataset(self, release: ServedRelease):
        """The `Dataset` of one release (its data and ontology, entailed, under the served
        base), loaded on first use: versioned documents are rendered from it."""
        with self._lock:
            ds = self._datasets.get(release.version)
            if ds is None:
                from oas_ssm.server.config import Config
                from oas_ssm.server.dataset import Dataset

                config = Config(data=release.release.data, ontology=release.release.ontology,
                                canonical_base=self.rewriter.canonical)  # fmt: skip
                ds = Dataset.load(config.with_base(self.base))
                ds._release_archive = self  # its pages show the same history
                ds._release_directory = release.release.directory.parent
                ds._release_version = release.version
                self._datasets[release.version] = ds
            return ds

    def ontology_version_location(self, iri: str) -> str | None:
        """Where an ontology version IRI (`{base}def/ssm/1.0.0`) that is not the current
        ontology's is served: the ontology of the last release carrying it; None if none does."""
        canonical = self.rewriter.canonical_iri(iri)
        carrying = [r for r in self.releases if r.release.ontology_version == canonical]
        return self.url(f"release/{carrying[-1].version}/def/ssm") if carrying else None

    def timegate_location(self, iri: str, accept_datetime: str | None) -> str | None:
        """The Memento a request for `iri` with this Accept-Datetime goes to (`memento`)."""
        from oas_ssm.server.memento import timegate_location

        return timegate_location(self, iri, accept_datetime)

    def link_header_values(self, iri: str) -> list[str]:
        """`Link` values (original, timegate, timemap) for current answers about `iri`."""
        from oas_ssm.server.memento import link_header_values

        return link_header_values(self, iri)

    # -- history ----------------------------------------------------------------------------------

    def history(self, iri: str) -> list[HistoryEntry]:
        """What happened to `iri` release by release: since when it exists, and each change
        `ssm diff` reports about it (renamed, moved, text changed …), oldest first."""
        canonical = self.rewriter.canonical_iri(iri)
        out: list[HistoryEntry] = []
        present_before = False
        for r in self.releases:
            here = iri in r.resources
            day = r.release.issued.isoformat()
            memento = self.memento_url(r, iri) if here and self.local_id(iri) else None
            if here and not present_before:
                action = "present" if r.diff is None else "added"
                out.append(HistoryEntry(r.version, day, action, "", memento))
            elif present_before and not here:
                out.append(HistoryEntry(r.version, day, "removed", "", None))
            elif here and r.diff is not None:
                for c in r.diff.changes:
                    whole = c.kind in ("unit", "post", "function") and c.action in (
                        "added", "removed")  # fmt: skip
                    if not whole and canonical in (c.subject, c.new_subject):
                        out.append(HistoryEntry(r.version, day, c.action,
                                                summary(r.diff, c), memento, c))  # fmt: skip
            present_before = here
        return out

    # -- SPARQL and VoID --------------------------------------------------------------------------

    def graph_name(self, release: ServedRelease) -> NamedNode:
        return NamedNode(self.url(f"graph/release/{release.version}"))

    def graph_quads(self) -> Iterator[Quad]:
        """Each release's triples in its own named graph `{base}graph/release/{v}`.

        Not for the default graph: a union with these would mix past and present."""
        for r in self.releases:
            g = self.graph_name(r)
            for t in r.triples:
                yield Quad(t.subject, t.predicate, t.object, g)

    def change_set_triples(self, release: ServedRelease) -> list[Triple]:
        """`ssm diff`'s change set from the previous release (`{base}release/{v}/changes`, its
        changes `…/changes#change-{n}`), used by the previous release and generating this one;
        empty for the first release."""
        if release.diff is None:
            return []
        from rdflib import URIRef
        from rdflib.namespace import PROV as RPROV

        i = self.releases.index(release)
        about = URIRef(self.rewriter.canonical_iri(self.url(f"release/{release.version}/changes")))
        g = change_set(release.diff, about=about)
        g.add((about, RPROV.used, URIRef(self.releases[i - 1].release.iri)))
        g.add((URIRef(release.release.iri), RPROV.wasGeneratedBy, about))
        nt = g.serialize(format="nt", encoding="utf-8")
        return [q.triple for q in self.rewriter.quads(parse(nt, format=RdfFormat.N_TRIPLES))]

    @property
    def digest(self) -> str:
        """A digest of every release (their recorded checksums): fold it into the data version
        so caches keyed on it change when a release is added."""
        h = hashlib.sha256()
        for r in self.releases:
            h.update(f"{r.version}:{sorted(r.release.checksums.items())}\n".encode())
        return h.hexdigest()

    def void_triples(
        self, asserted: set[Triple] | Callable[[list[Triple]], bool] | None = None
    ) -> list[Triple]:
        """What the dataset's VoID/DCAT says about its versions: every release (its release.ttl),
        `dcat:hasVersion` each, and — when the served data (`asserted`: its triples, or a test
        of whether some triples are exactly the served ones) is the latest release's —
        `owl:versionInfo`, `owl:versionIRI`, `dcterms:issued` and `prov:wasRevisionOf` the
        release before it; when the data changed since, `prov:wasRevisionOf` the latest."""
        d = NamedNode(self.url(DATASET_PATH))
        out: list[Triple] = []

        def add(s, p: str, o) -> None:
            out.append(Triple(s, NamedNode(p), o))

        for r in self.releases:
            out.extend(r.metadata)
            add(d, DCAT + "hasVersion", NamedNode(r.iri))
        latest = self.latest
        if latest is None:
            return out
        add(d, DCAT + "hasCurrentVersion", NamedNode(latest.iri))
        # the change feeds: (fragment, Spanish title, English title, file, (property, its
        # object and the class that object gets))
        feeds = (
            ("feed", "Novedades: una entrada por versión", "Change feed: one entry per release",
             "feed.atom", (DCAT + "mediaType", "http://www.iana.org/assignments/media-types/"
                           "application/atom+xml", DCT + "MediaType")),
            ("changes", "Cambios como Linked Data Event Stream",
             "Changes as a Linked Data Event Stream", "feed.ttl",
             (DCT + "conformsTo", "https://w3id.org/ldes/specification", DCT + "Standard")),
        )  # fmt: skip
        for fragment, title_es, title_en, file, (prop, value, kind) in feeds:
            dist = NamedNode(self.url(DATASET_PATH) + "#" + fragment)
            add(d, DCAT + "distribution", dist)
            add(dist, RDF_TYPE.value, NamedNode(DCAT + "Distribution"))
            add(dist, DCT + "title", Literal(title_es, language="es"))
            add(dist, DCT + "title", Literal(title_en, language="en"))
            add(dist, DCAT + "accessURL", NamedNode(self.url(file)))
            add(dist, prop, NamedNode(value))
            add(NamedNode(value), RDF_TYPE.value, NamedNode(kind))
        if asserted is None:
            current = False
        elif callable(asserted):
            current = asserted(latest.triples)
        else:
            current = set(asserted) == set(latest.triples)
        if current:
            add(d, OWL + "versionInfo", Literal(latest.version))
            add(d, OWL + "versionIRI", NamedNode(latest.iri))
            add(d, DCT + "issued", Literal(latest.release.issued.isoformat(), datatype=XSD_DATE))
            if len(self.releases) > 1:
                add(d, PROV + "wasRevisionOf", NamedNode(self.releases[-2].iri))
        else:
            add(d, PROV + "wasRevisionOf", NamedNode(latest.iri))
        return out


# The archive each served base has (set when a server loads its releases), for the web pages.
_BY_BASE: dict[str, ReleaseArchive] = {}
HISTORY_WORDS = {
    "present": ("desde la primera versión", "since the first release"),
    "added": ("aparece en esta versión", "appears in this release"),
    "removed": ("suprimido en esta versión", "removed in this release"),
    "renamed": ("cambio de nombre", "renamed"),
    "moved": ("cambio de dependencia", "moved"),
    "reclassified": ("cambio de clase", "reclassified"),
    "text-changed": ("cambio de texto", "text changed"),
    "reassigned": ("asignada a otra dependencia", "reassigned"),
    "renumbered": ("cambio de numeración", "renumbered"),
    "changed": ("cambio", "changed"),
}


@dataclass(frozen=True)
class HistoryItem:
    """One line of a page's history block, in the page's language."""

    version: str
    issued: str
    text: str
    summary: str
    href: str | None


def page_history(base: str, iri: str, lang: str) -> tuple[list[HistoryItem], str | None]:
    """The history block of `iri`'s page (items, TimeMap URL): empty when the server under
    `base` serves no releases, or none holds `iri`."""
    archive = _BY_BASE.get(base)
    if archive is None or archive.local_id(iri) is None or not archive.known(iri):
        return [], None
    pick = 0 if lang == "es" else 1
    items = [
        HistoryItem(h.version, h.issued, HISTORY_WORDS.get(h.action, (h.action, h.action))[pick],
                    h.summary, archive.href(h.memento) if h.memento else None)
        for h in archive.history(iri)
    ]  # fmt: skip
    return items, archive.href(archive.timemap_url(iri))


def summary(diff: Diff, change: Change) -> str:
    """One change as `ssm diff` says it (plain text, names in Spanish)."""
    return describe_change(diff, change)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise ReleaseError(f"{path}: cannot read: {e.strerror or e}") from None


def _triples(raw: bytes, rewriter: Rewriter, source: Path) -> list[Triple]:
    try:
        parsed = parse(raw, format=RdfFormat.TURTLE)
        quads = (Quad(q.subject, q.predicate, q.object) for q in parsed)
        return [q.triple for q in rewriter.quads(quads)]
    except SyntaxError as e:
        raise ReleaseError(f"{source}:{e.lineno}:{e.offset}: invalid Turtle: {e.msg}") from None


def _signature(directory: Path) -> tuple:
    """What the releases folder holds: (path, size, mtime) of every file, to key the cache."""
    if not directory.is_dir():
        return ()
    return tuple(sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns)
                        for p in directory.glob("*/*.ttl")))  # fmt: skip


@lru_cache(maxsize=8)
def _cached(base: str, directory: Path, canonical: str, mount: str, signature: tuple):
    del signature  # part of the key only: the folder changed, load again
    return ReleaseArchive.load(base, directory, canonical, mount)


def _shared(base: str, directory: Path, canonical: str = BASE, mount: str = "") -> ReleaseArchive:
    """One archive per (base, folder content): the VoID and the routes load the releases once."""
    return _cached(base, directory, canonical, mount, _signature(directory))


def release_graph_quads(base: str, directory: Path = RELEASES) -> list[Quad]:
    """Every release's triples in its named graph `{base}graph/release/{v}`, for the SPARQL
    store (see `ReleaseArchive.graph_quads`: keep them out of the default graph)."""
    if not directory.is_dir():
        return []
    return list(_shared(base, directory).graph_quads())


def release_void_triples(base: str, asserted, directory: Path = RELEASES) -> list[Triple]:
    """The versions part of the VoID for `oas_ssm.server.metadata.void_triples` (none when
    there is no releases folder); `asserted` as in `ReleaseArchive.void_triples`."""
    if not directory.is_dir():
        return []
    return _shared(base, directory).void_triples(asserted)


__all__ = ["HistoryEntry", "HistoryItem", "ReleaseArchive", "ServedRelease", "page_history",
           "release_graph_quads", "release_void_triples"]
