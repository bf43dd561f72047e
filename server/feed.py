"""The change feed: an Atom feed (RFC 4287) with one entry per release, newest first, and the
same changes as a Linked Data Event Stream (LDES, one page).

Each Atom entry links the release and its change set, and its content is `ssm diff` of the
previous release and this one, so a reader follows changes without downloading the graph
again. The LDES members are the single changes (`…/release/{v}/changes#change-{n}`), each
timestamped with its release's issue date (`prov:endedAtTime`): an LDES client replicates the
history of the structure change by change.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from oas_ssm.diff import format_text
from oas_ssm.server.release_archive import ReleaseArchive, ServedRelease
from pyoxigraph import Literal, NamedNode, Triple

ATOM = "http://www.w3.org/2005/Atom"
LDES = "https://w3id.org/ldes#"
TREE = "https://w3id.org/tree#"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_DATETIME = NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
MEDIA_TYPE = "application/atom+xml"
TITLE = "SSM (OEA/OAS) — Anexo E como datos enlazados: versiones / Annex E as linked data: releases"


def _rfc3339(release: ServedRelease) -> str:
    return release.datetime.strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_text(release: ServedRelease) -> str:
    """What an entry says: the diff from the previous release, or that it is the first."""
    if release.diff is None:
        n = len(release.snapshot.props)
        return (f"Primera versión / first release: {release.version}, "
                f"{n} recursos descritos / resources described.\n")  # fmt: skip
    return format_text(release.diff)


def atom_feed(archive: ReleaseArchive) -> bytes:
    """The feed document (UTF-8 XML)."""
    ET.register_namespace("", ATOM)

    def sub(parent, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", archive.url("feed.atom"))
    sub(feed, "title", TITLE)
    latest = archive.latest
    sub(feed, "updated", _rfc3339(latest) if latest else "1970-01-01T00:00:00Z")
    sub(feed, "link", rel="self", type=MEDIA_TYPE, href=archive.url("feed.atom"))
    sub(feed, "link", rel="alternate", type="text/html", href=archive.url("release/"))
    sub(feed, "link", rel="alternate", type="text/turtle", href=archive.url("feed.ttl"))
    sub(feed, "link", rel="related", href=archive.url("id/dataset/ssm"))
    author = sub(feed, "author")
    sub(author, "name", "oas-ssm linked data project")
    sub(author, "uri", archive.base)
    for r in reversed(archive.releases):
        entry = sub(feed, "entry")
        sub(entry, "id", r.iri)
        n = len(r.diff.changes) if r.diff else None
        counted = "" if n is None else f": {n} cambio(s) / change(s)"
        sub(entry, "title", f"{r.version} ({r.release.issued.isoformat()}){counted}")
        sub(entry, "updated", _rfc3339(r))
        sub(entry, "published", _rfc3339(r))
        sub(entry, "link", rel="alternate", href=r.iri)
        if r.diff is not None:
            for ext, media in (("ttl", "text/turtle"), ("md", "text/markdown")):
                sub(entry, "link", rel="related", type=media,
                    href=archive.url(f"release/{r.version}/changes.{ext}"))  # fmt: skip
        sub(entry, "link", rel="enclosure", type="text/turtle",
            href=archive.url(f"release/{r.version}/dumps/ssm.ttl"))  # fmt: skip
        sub(entry, "content", entry_text(r), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def event_stream(archive: ReleaseArchive) -> list[Triple]:
    """The LDES: `{base}feed.ttl#stream`, one view (this page, no further pages), and every
    change of every release as a member, with the change sets' triples."""
    stream, page = NamedNode(archive.url("feed.ttl#stream")), NamedNode(archive.url("feed.ttl"))
    out = [
        Triple(stream, NamedNode(RDF_TYPE), NamedNode(LDES + "EventStream")),
        Triple(stream, NamedNode(LDES + "timestampPath"), NamedNode(PROV + "endedAtTime")),
        Triple(stream, NamedNode(TREE + "view"), page),
        Triple(page, NamedNode(RDF_TYPE), NamedNode(TREE + "Node")),
    ]
    for r in archive.releases:
        triples = archive.change_set_triples(r)
        out.extend(triples)
        when = Literal(_rfc3339(r), datatype=XSD_DATETIME)
        changes = archive.url(f"release/{r.version}/changes#")
        members = sorted({t.subject for t in triples if t.subject.value.startswith(changes)},
                         key=str)  # fmt: skip
        for m in members:
            out.append(Triple(stream, NamedNode(TREE + "member"), m))
            out.append(Triple(m, NamedNode(PROV + "endedAtTime"), when))
    return out
