"""The SPARQL 1.1 Protocol, query side: which query, over which dataset, from an HTTP request.

Three ways to send a query (GET `?query=`, POST form, POST `application/sparql-query`), exactly
one `query`, optional `default-graph-uri` / `named-graph-uri` (repeatable). Update requests of any
shape are refused here: this endpoint is read-only. Plain functions over plain values, so the
Flask view and the WSGI fast path read a request identically.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from pyoxigraph import NamedNode

from .errors import SparqlError
from .settings import SparqlSettings

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = "This endpoint is read-only: SPARQL Update is not accepted."


@dataclass(frozen=True, slots=True)
class ProtocolRequest:
    """What was asked. `query` None: no query at all (a service description request)."""

    query: str | None
    default_graphs: tuple[str, ...] | None  # None: not given (the query or the union decides)
    named_graphs: tuple[str, ...] | None
    formats: tuple[str, ...]  # values of `format=`, in order

    @property
    def dataset_given(self) -> bool:
        return self.default_graphs is not None or self.named_graphs is not None


def parse_request(
    method: str, query_string: str, content_type: str | None, body: bytes, settings: SparqlSettings
) -> ProtocolRequest:
    """The `ProtocolRequest` of one HTTP request, or `SparqlError` with the 4xx to answer."""
    if len(query_string) > settings.max_url_bytes:
        raise SparqlError(
            414,
            f"URL too long ({len(query_string)} bytes, at most {settings.max_url_bytes}): "
            "send the query with POST.",
        )
    params = _decode(query_string, "the URL")
    direct_query: str | None = None
    if method == "POST":
        mime, charset = _content_type(content_type)
        if mime == FORM:
            params += _decode(_text(body, charset, "the form body"), "the form body")
        elif mime == DIRECT:
            direct_query = _text(body, charset, "the query")
        elif mime == UPDATE:
            raise SparqlError(403, READ_ONLY)
        elif not mime:
            raise SparqlError(415, f"POST needs a Content-Type: {DIRECT} or {FORM}.")
        else:
            raise SparqlError(415, f"Unsupported Content-Type {mime!r}: use {DIRECT} or {FORM}.")
    elif method not in ("GET", "HEAD"):
        raise SparqlError(405, f"Method {method} not allowed; use GET or POST.")

    values: dict[str, list[str]] = {}
    for name, value in params:
        values.setdefault(name, []).append(value)
    if "update" in values:
        raise SparqlError(403, READ_ONLY)
    queries = values.get("query", [])
    if direct_query is not None:
        queries = [direct_query, *queries]
    if len(queries) > 1:
        raise SparqlError(400, f"Exactly one query per request, got {len(queries)}.")
    query = queries[0] if queries else None
    default_graphs = _iris(values, "default-graph-uri")
    named_graphs = _iris(values, "named-graph-uri")
    if query is None and (method == "POST" or default_graphs or named_graphs):
        raise SparqlError(400, "Missing the 'query' parameter.")
    if query is not None and len(query) > settings.max_query_length:
        raise SparqlError(
            414 if method != "POST" else 413,
            f"Query too long: {len(query)} characters, at most {settings.max_query_length}.",
        )
    if query is not None and not query.strip():
        raise SparqlError(400, "The 'query' parameter is empty.")
    return ProtocolRequest(query, default_graphs, named_graphs, tuple(values.get("format", ())))


def _content_type(header: str | None) -> tuple[str, str | None]:
    """(media type, charset or None) of a Content-Type header, lower-cased."""
    if not header:
        return "", None
    mime, *params = header.split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return mime.strip().lower(), charset


def _text(body: bytes, charset: str | None, what: str) -> str:
    if charset not in (None, "utf-8", "utf8", "us-ascii"):
        raise SparqlError(415, f"Unsupported charset {charset!r} for {what}: send UTF-8.")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SparqlError(400, f"{what.capitalize()} is not UTF-8 (byte {e.start}).") from None


def _decode(encoded: str, where: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(encoded, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise SparqlError(
            400, f"Parameters in {where} are not UTF-8 once percent-decoded."
        ) from None


def _iris(values: dict[str, list[str]], name: str) -> tuple[str, ...] | None:
    """The IRIs given for `name`, None if the parameter is absent; 400 for a non-IRI."""
    if name not in values:
        return None
    for iri in values[name]:
        try:
            NamedNode(iri)
        except ValueError:
            raise SparqlError(400, f"{name}={iri[:200]!r} is not an absolute IRI.") from None
    return tuple(values[name])
