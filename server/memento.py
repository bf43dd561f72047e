"""RFC 7089 (Memento) over the releases: TimeGate choice, Link headers and TimeMaps.

The things under `/id/` are their own TimeGates (RFC 7089 pattern 1.1, URI-R = URI-G): a
request with `Accept-Datetime` is answered `302 Found` to the document as the release current
at that datetime had it (`/release/{v}/doc/{kind}/{slug}`, a Memento, which carries
`Memento-Datetime`). A release is dated by the day it was issued, so its Memento-Datetime is that
day at 00:00 GMT. Before the first release holding a resource, the first is chosen (RFC 7089
§4.1.1 leaves this to the server; the TimeMap says when each Memento begins).

The TimeGate only knows releases: changes not yet released have no Memento.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from oas_ssm.server.release_archive import ReleaseArchive, ServedRelease

LINK_FORMAT = "application/link-format"


class BadAcceptDatetime(ValueError):
    """An Accept-Datetime that is not an RFC 1123 date: answer 400 Bad Request."""


def http_date(when: datetime) -> str:
    """RFC 1123 date in GMT, as Memento-Datetime and TimeMap `datetime` want it."""
    return format_datetime(when.astimezone(UTC), usegmt=True)


def parse_accept_datetime(header: str) -> datetime:
    """The datetime of an `Accept-Datetime` header (RFC 1123, GMT); BadAcceptDatetime if not."""
    text = (header or "").strip()
    if not text or len(text) > 64:
        raise BadAcceptDatetime("Accept-Datetime must be an RFC 1123 date, e.g. "
                                "'Thu, 31 Dec 2026 00:00:00 GMT'")  # fmt: skip
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        raise BadAcceptDatetime(f"Accept-Datetime {text!r} is not an RFC 1123 date, e.g. "
                                "'Thu, 31 Dec 2026 00:00:00 GMT'") from None  # fmt: skip
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def select(mementos: list[ServedRelease], when: datetime) -> ServedRelease:
    """The Memento current at `when`: the last issued on or before it, else the first."""
    chosen = mementos[0]
    for m in mementos:
        if m.datetime <= when:
            chosen = m
    return chosen


def timegate_location(archive: ReleaseArchive, iri: str, accept_datetime: str | None) -> str | None:
    """Where the TimeGate of `iri` sends a request with this `Accept-Datetime`: the Memento's
    URL; None when there is no header or no release has `iri` (answer as usual then).
    Raises BadAcceptDatetime for a header that is not a date (answer 400)."""
    if accept_datetime is None or archive.local_id(iri) is None:
        return None
    when = parse_accept_datetime(accept_datetime)
    mementos = archive.mementos(iri)
    if not mementos:
        return None
    return archive.memento_url(select(mementos, when), iri)


def link_header_values(archive: ReleaseArchive, iri: str) -> list[str]:
    """`Link` values for the current `/id/` and `/doc/` answers about `iri`: the original
    resource, its TimeGate and its TimeMap (none when no release has `iri`)."""
    if archive.local_id(iri) is None or not archive.mementos(iri):
        return []
    return [
        f'<{iri}>; rel="original timegate"',
        f'<{archive.timemap_url(iri)}>; rel="timemap"; type="{LINK_FORMAT}"',
    ]


def memento_link_values(archive: ReleaseArchive, release: ServedRelease, iri: str) -> list[str]:
    """`Link` values for a Memento: original, TimeGate, TimeMap, and first/last/prev/next."""
    mementos = archive.mementos(iri)
    values = link_header_values(archive, iri)
    i = next(n for n, m in enumerate(mementos) if m.version == release.version)
    neighbours: dict[str, list[str]] = {}
    for rel, m in (("first", mementos[0]), ("last", mementos[-1]),
                   ("prev", mementos[i - 1] if i > 0 else None),
                   ("next", mementos[i + 1] if i + 1 < len(mementos) else None)):  # fmt: skip
        if m is not None and m.version != release.version:
            neighbours.setdefault(m.version, []).append(rel)
    for m in mementos:
        if m.version in neighbours:
            rels = " ".join([*neighbours[m.version], "memento"])
            values.append(f'<{archive.memento_url(m, iri)}>; rel="{rels}"; '
                          f'datetime="{http_date(m.datetime)}"')  # fmt: skip
    return values


def timemap(archive: ReleaseArchive, iri: str) -> str | None:
    """The TimeMap of `iri` in application/link-format (RFC 7089 §5.1.1); None if no release
    has it."""
    mementos = archive.mementos(iri)
    if archive.local_id(iri) is None or not mementos:
        return None
    first, last = mementos[0], mementos[-1]
    lines = [
        f'<{iri}>; rel="original"',
        f'<{archive.timemap_url(iri)}>; rel="self"; type="{LINK_FORMAT}"; '
        f'from="{http_date(first.datetime)}"; until="{http_date(last.datetime)}"',
        f'<{iri}>; rel="timegate"',
    ]
    for m in mementos:
        rel = " ".join([*(["first"] if m is first else []), *(["last"] if m is last else []),
                        "memento"])  # fmt: skip
        lines.append(f'<{archive.memento_url(m, iri)}>; rel="{rel}"; '
                     f'datetime="{http_date(m.datetime)}"')  # fmt: skip
    return ",\n".join(lines) + "\n"
