"""What every page needs to know about the served graph: its store, base IRI, version, labels.

A `Site` wraps the core's `Dataset` once per data version. It runs SPARQL on `dataset.store`
(default graph = union of asserted, entailed and ontology graphs) and keeps the label table,
so a page resolves the name of anything it links to without another query.

The label table and the memoized indexes (annex, search index, chart …) cover the whole data:
seconds to compute at a few hundred thousand triples. `ssm serve` saves them once per data
version beside the store (`save_snapshot`, in a background process on new data) and loads them
on a restart (`load_snapshot`); a worker that needs one while they are being computed waits for
that snapshot instead of computing its own.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import os
import pickle
import re
import sys
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
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

SNAPSHOT_WAIT_S = 60  # longest a worker waits for the snapshot being computed, then computes
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
    _snapshot_checked: bool = False  # looked for the snapshot (or builds it): compute from now on

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
            self._await_snapshot()
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]

    # ---- the snapshot of the memoized indexes -------------------------------------------------
    def snapshot_path(self) -> Path | None:
        """Where this data version's indexes are saved (None for a dataset without a store)."""
        folder = getattr(self.dataset, "store_path", None)
        return Path(folder) / f"web-{_code_digest()}.pickle" if folder else None

    def load_snapshot(self) -> bool:
        """Take the saved label table and indexes, if this data version has them (True)."""
        path = self.snapshot_path()
        if path is None:
            return False
        collecting = gc.isenabled()
        gc.disable()  # a few hundred thousand small objects: collecting meanwhile triples the time
        try:
            with open(path, "rb") as f:
                state = pickle.load(f)  # noqa: S301 - our own file, in our state directory
        except FileNotFoundError:
            return False
        except Exception as e:  # noqa: BLE001 - unreadable: computed again instead
            print(f"ssm serve: ignoring {path}: {type(e).__name__}: {e}", file=sys.stderr)
            return False
        finally:
            if collecting:
                gc.enable()
        with self._lock:
            if not self._labels:
                self._labels.update(state["labels"])
            for key, value in state["cache"].items():
                self._cache.setdefault(key, value)
            self._snapshot_checked = True
        return True

    def claim_snapshot(self):
        """The lock of this version's snapshot (an open file) if nobody is computing it and it
        is not saved yet; whoever holds it computes and saves the snapshot (`save_snapshot`),
        and workers needing an index meanwhile wait until it is released."""
        path = self.snapshot_path()
        if path is None or path.exists():
            return None
        try:
            lock = open(path.with_suffix(".lock"), "wb")  # noqa: SIM115 - handed to the builder
        except OSError:  # a folder we may not write to: the workers compute what they need
            return None
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            return None
        return lock

    def build_snapshot(self, compute) -> None:
        """Compute the indexes (`compute()`, e.g. warming pages), without waiting for a snapshot
        (the caller holds `claim_snapshot`'s lock), and save them."""
        self._snapshot_checked = True
        compute()
        self.save_snapshot()

    def save_snapshot(self) -> None:
        """Save the label table and every memoized index of this data version (atomically)."""
        path = self.snapshot_path()
        if path is None:
            return
        with self._lock:
            data = pickle.dumps({"labels": self._labels, "cache": self._cache}, protocol=5)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
        for old in path.parent.glob("web-*"):  # those of other versions of this code
            if old.stem != path.stem:
                with contextlib.suppress(OSError):
                    old.unlink()

    def _await_snapshot(self) -> None:
        """Once per process, before computing an index: if the snapshot is being computed, wait
        for it (not for longer than SNAPSHOT_WAIT_S), then take it if it is there."""
        if self._snapshot_checked:
            return
        self._snapshot_checked = True
        path = self.snapshot_path()
        if path is None:
            return
        if not path.exists():
            _wait_unlocked(path.with_suffix(".lock"), SNAPSHOT_WAIT_S)
        self.load_snapshot()

    # ---- labels -----------------------------------------------------------------------------
    def _label_table(self) -> dict[str, dict[str, list[tuple[str, str | None]]]]:
        if not self._labels:
            with self._lock:
                self._await_snapshot()
                if not self._labels:
                    self._labels.update(self._read_labels())
        return self._labels

    def _read_labels(self) -> dict[str, dict[str, list[tuple[str, str | None]]]]:
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
        return table

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


def _wait_unlocked(lock_path: Path, timeout: float) -> None:
    """Return once nobody holds the lock at `lock_path` (or there is none), or after `timeout`."""
    try:
        fd = os.open(lock_path, os.O_RDONLY)
    except OSError:
        return
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return
            except OSError:
                if time.monotonic() > deadline:
                    return
                time.sleep(0.1)
    finally:
        os.close(fd)


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """A digest of the code that computes the indexes: a snapshot is only taken by the same."""
    h = hashlib.sha256(sys.version.encode())
    here = Path(__file__).resolve().parent
    for path in sorted([*here.glob("*.py"), *here.parent.glob("*.py")]):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


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
