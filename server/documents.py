"""Documents: a resource's description in one format, rendered once and kept with its ETag.

RDF syntaxes are written by the format registry (`formats.write_rdf`); HTML by the page renderer
the app factory hands in (the web layer's), so this module needs nothing from the web layer.
Every document depends only on (what, format, language, data version), hence rendering it once
per process is enough.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass

from pyoxigraph import Triple

from .dataset import Dataset
from .formats import BY_EXTENSION, HTML, Format, write_rdf
from .metadata import Dump
from .profile import profile_for, profile_iri

HtmlRenderer = Callable[[Dataset, str, str], str | None]  # (dataset, iri, lang) -> page


@dataclass(frozen=True)
class Document:
    """A rendered representation: bytes plus what validators and headers need."""

    body: bytes
    format: Format
    etag: str  # unquoted, strong: werkzeug quotes it
    lang: str | None = None

    @classmethod
    def of(cls, body: bytes, fmt: Format, version: str, lang: str | None = None) -> Document:
        return cls(body, fmt, f"{version[:8]}-{hashlib.sha256(body).hexdigest()[:20]}", lang)


def document_path(dataset: Dataset, iri: str) -> str:
    """The path (below the mount point) of the document about `iri`, without extension:
    `/doc/unit/dsp` for `{base}id/unit/dsp`; the ontology and its versions are their own."""
    local = dataset.local_path(iri) or ""
    if iri in dataset.ontology_iris or iri == profile_iri(dataset.base):
        return "/" + local
    if local.startswith("id/"):
        return "/doc/" + local[3:]
    return "/" + local


class Documents:
    """Every (resource, format, language) rendered at most once per process, then reused."""

    def __init__(self, dataset: Dataset, html: HtmlRenderer):
        self.dataset = dataset
        self._html = html
        self._cache: dict[tuple, Document | None] = {}
        self._lock = threading.Lock()

    def _cached(self, key: tuple, render: Callable[[], Document | None]) -> Document | None:
        try:
            return self._cache[key]
        except KeyError:
            pass
        doc = render()
        with self._lock:
            return self._cache.setdefault(key, doc)

    def resource(self, iri: str, fmt: Format, lang: str = "es") -> Document | None:
        """The document about `iri` in `fmt` (HTML in `lang`); None when there is none to show.

        A version IRI of the ontology gets the ontology's document: this server has one version.
        """
        if iri in self.dataset.ontology_iris:
            iri = self.dataset.ontology_iri
        lang_key = lang if fmt is HTML else None
        return self._cached(("resource", iri, fmt.key, lang_key),
                            lambda: self._render(iri, fmt, lang_key))

    def _render(self, iri: str, fmt: Format, lang: str | None) -> Document | None:
        ds = self.dataset
        if fmt is HTML:
            page = self._html(ds, iri, lang or "es")
            return None if page is None else Document.of(page.encode(), fmt, ds.version, lang)
        if iri == profile_iri(ds.base):  # the shapes live beside the store, not in it
            profile = profile_for(ds.rewriter)
            body = write_rdf(profile.triples, fmt, {**ds.prefixes, **profile.prefixes})
            return Document.of(body, fmt, ds.version)
        return Document.of(write_rdf(ds.describe(iri), fmt, ds.prefixes), fmt, ds.version)

    def dump(self, dump: Dump) -> Document:
        """A full dump (see `metadata.DUMPS`)."""

        def render() -> Document:
            ds = self.dataset
            fmt = BY_EXTENSION[dump.format]
            triples = sorted(ds.triples(*dump.graphs), key=_text_order)
            return Document.of(write_rdf(triples, fmt, ds.prefixes), fmt, ds.version)

        return self._cached(("dump", dump.name), render)  # type: ignore[return-value]

    def other(self, name: str, fmt: Format, render: Callable[[], bytes]) -> Document:
        """Any other body rendered once (the sitemap, robots.txt), keyed by `name`."""
        return self._cached(  # type: ignore[return-value]
            ("other", name), lambda: Document.of(render(), fmt, self.dataset.version)
        )


def _text_order(triple: Triple) -> tuple[str, str, str]:
    s, p, o = triple
    return (str(s), str(p), str(o))
