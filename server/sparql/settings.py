"""The endpoint's limits, in one immutable object; every number here is a promise to operators."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class SparqlSettings:
    """Limits and sizes of the SPARQL endpoint.

    A query past `timeout` seconds has its process killed and replaced (503). `max_concurrent`
    queries start at once across all web workers of `ssm serve` (per state directory); up to
    `max_waiting` more per web worker wait up to `queue_wait` seconds for a slot, beyond that
    the answer is 429 with Retry-After. A query still running after `long_after` seconds and
    busy computing (half that in CPU time) moves to one of `max_long` long-query slots (freeing
    its slot for light queries); when none is free it is stopped (503 with Retry-After): heavy
    queries never make light ones wait. A result
    with more than `max_rows` rows (triples for CONSTRUCT/DESCRIBE), or a SELECT result larger than
    `max_result_bytes` once written, is refused with 422, never silently truncated.
    """

    timeout: float = 30.0
    max_concurrent: int = 3  # light queries evaluated at once, machine-wide
    max_long: int = 2  # queries past `long_after` at once, machine-wide
    long_after: float = 1.0  # seconds: a query still running then is a long one
    max_waiting: int = 32  # per web worker; keep max_concurrent + max_long + max_waiting + 2
    # <= its threads (oas_ssm.server.config.default_threads)
    queue_wait: float = 5.0  # > long_after: heavy queries free their run slots by then
    max_query_length: int = 65_536  # characters
    max_body_bytes: int = 262_144
    max_url_bytes: int = 131_072  # a GET query string longer than this is 414
    max_rows: int = 100_000
    max_result_bytes: int = 128 * 1024 * 1024  # a written result larger than this is refused
    max_depth: int = 128  # bracket nesting; the engine's parser recurses
    cache_bytes: int = 64 * 1024 * 1024
    worker_memory_mb: int = 2048  # address-space limit of a query process; 0 = none
    isolate_network: bool = True  # query processes get no network (Linux namespaces) if possible
    # An external SPARQL engine's query URL: evaluate there (`remote.RemoteEngine`), not in our
    # query processes. None: the embedded store.
    query_endpoint: str | None = None

    def __post_init__(self) -> None:
        if min(self.timeout, self.max_concurrent, self.max_rows, self.max_depth,
               self.long_after) <= 0 or self.max_long < 0:  # fmt: skip
            raise ValueError(
                "SparqlSettings: timeout, max_concurrent, max_rows, max_depth, long_after must "
                "be > 0 and max_long >= 0"
            )

    @property
    def processes(self) -> int:
        """Query processes each web worker keeps: enough that every slot finds one idle."""
        return self.max_concurrent + self.max_long

    @classmethod
    def coerce(cls, value: object) -> SparqlSettings:
        """`value` itself, or settings read off another config object.

        Lets an app factory pass its own config: `query_timeout` becomes `timeout`, and any
        `sparql_<field>` attribute sets `<field>`; everything else keeps its default.
        """
        if isinstance(value, cls):
            return value
        kwargs = {}
        if getattr(value, "query_timeout", None) is not None:
            kwargs["timeout"] = value.query_timeout
        if getattr(value, "query_endpoint", None):
            kwargs["query_endpoint"] = value.query_endpoint
        for f in fields(cls):
            if hasattr(value, "sparql_" + f.name):
                kwargs[f.name] = getattr(value, "sparql_" + f.name)
        return cls(**kwargs)
