"""A resource's own triples as a JSON-LD island for its HTML page (for crawlers and scripts)."""

from __future__ import annotations

import json

import pyoxigraph as ox

from .site import RDF, XSD, Site


def _compact(prefixes: dict[str, str], iri: str) -> str:
    for name, ns in prefixes.items():
        if iri.startswith(ns) and iri != ns:
            local = iri[len(ns):]
            if local and all(c.isalnum() or c in "_-." for c in local):
                return f"{name}:{local}"
    return iri


def _value(prefixes: dict[str, str], term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"@id": term.value}
    if isinstance(term, ox.BlankNode):
        return {"@id": f"_:{term.value}"}
    out = {"@value": term.value}
    if term.language:
        out["@language"] = term.language
    elif term.datatype and term.datatype.value != XSD + "string":
        out["@type"] = _compact(prefixes, term.datatype.value)
    return out


def resource_jsonld(site: Site, iri: str, out: dict[str, list]) -> str:
    """JSON-LD for `iri` and its outgoing triples, safe to put inside a <script> element."""
    prefixes = site.prefixes
    doc: dict[str, object] = {"@context": dict(sorted(prefixes.items())), "@id": iri}
    for p in sorted(out):
        values = out[p]
        if p == RDF + "type":
            doc["@type"] = sorted(_compact(prefixes, t.value) for t in values
                                  if isinstance(t, ox.NamedNode))
            continue
        doc[_compact(prefixes, p)] = [_value(prefixes, v) for v in
                                      sorted(values, key=lambda t: str(t))]
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    # Never let data close the <script> element or open a comment.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
