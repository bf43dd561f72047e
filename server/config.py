"""Server settings: one immutable object, passed to every part, rebuilt from the environment.

`ssm serve` builds a `Config` from its command line and exports it with `to_env()` so that a
worker process (spawned, not forked) builds the same one with `from_env()`.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from oas_ssm import paths
from oas_ssm.namespaces import BASE

ENV_PREFIX = "SSM_"


def default_state_dir() -> Path:
    """Where built stores and query slots live: `$SSM_STATE_DIR`, else `$XDG_CACHE_HOME/ssm`
    (or `~/.cache/ssm`)."""
    if os.environ.get(ENV_PREFIX + "STATE_DIR"):
        return Path(os.environ[ENV_PREFIX + "STATE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ssm"


def default_workers() -> int:
    """One worker per core (at least one, at most eight): the HTTP layer is CPU-bound."""
    return max(1, min(8, os.cpu_count() or 1))


# A web worker may hold up to 3 running + 2 long + 32 waiting SPARQL requests (server.sparql's
# SparqlSettings defaults: waiting threads sleep, they cost no CPU); two more threads keep pages
# answering while all of them are held.
SPARQL_HELD_THREADS = 37


def default_threads() -> int:
    """Threads per worker: enough that pages answer while SPARQL requests wait on their workers,
    few enough not to fight over the GIL (granian warns above 2 × cores + 1)."""
    return max(SPARQL_HELD_THREADS + 2, 2 * (os.cpu_count() or 1) + 1)


@dataclass(frozen=True)
class Config:
    """Where the data is, which base IRI the server answers for, and how hard it may work."""

    data: Path = paths.DATA
    ontology: Path = paths.ONTOLOGY
    # Vocabularies whose axioms drive entailment but are not served (ORG v0.8).
    vocabularies: tuple[Path, ...] = field(default=(paths.VENDOR_VOCAB / "org.ttl",))
    releases: Path = paths.RELEASES  # the dated snapshots served as versions (ssm release)
    canonical_base: str = BASE
    # The base the data is served under; the canonical one unless `--base-uri` says otherwise.
    base_uri: str = BASE
    # Whether base_uri was chosen by the operator: then its path is where the server is mounted.
    base_uri_given: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = field(default_factory=default_workers)
    threads: int = field(default_factory=default_threads)
    query_timeout: float = 10.0
    # Built stores (one per data version, shared by every process) and the query slots.
    state_dir: Path = field(default_factory=default_state_dir)
    # An external SPARQL 1.1 engine that answers /sparql (loaded with `ssm publish`); None: the
    # embedded query processes. Our safety rules apply either way (server/sparql/remote.py).
    query_endpoint: str | None = None

    def __post_init__(self) -> None:
        for name in ("canonical_base", "base_uri"):
            value = getattr(self, name)
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"{name} must be an absolute http(s) URL, got {value!r}")
            if "?" in value or "#" in value:
                raise ValueError(
                    f"{name} must not have a query ('?') or a fragment ('#'), got {value!r}"
                )
            try:
                parts.port  # noqa: B018 - raises on a port that is not a number in range
            except ValueError:
                raise ValueError(f"{name} has an invalid port, got {value!r}") from None
            if not value.endswith("/"):
                object.__setattr__(self, name, value + "/")
        if not (isinstance(self.query_timeout, int | float) and math.isfinite(self.query_timeout)
                and self.query_timeout > 0):
            raise ValueError(
                f"query timeout must be a positive number of seconds, got {self.query_timeout!r}"
            )
        if self.query_endpoint is not None:
            parts = urlsplit(self.query_endpoint)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError("query endpoint must be an absolute http(s) URL, got "
                                 f"{self.query_endpoint!r}")
        if not 1 <= self.port <= 65535:
            raise ValueError(f"port must be between 1 and 65535, got {self.port}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        if self.threads < 1:
            raise ValueError(f"threads must be at least 1, got {self.threads}")

    @property
    def rewrites(self) -> bool:
        """True when IRIs under the canonical base must be rewritten to the served base."""
        return self.base_uri != self.canonical_base

    @property
    def mount(self) -> str:
        """The URL path prefix ('' for the root) the server answers under, without a final '/'.

        With the canonical base the server answers at the root of whatever host it runs on (the
        w3id redirect maps `https://w3id.org/oas-ssm/X` to `https://host/X`); with `--base-uri`
        the path of that URL is the mount point.
        """
        if not self.base_uri_given:
            return ""
        return urlsplit(self.base_uri).path.rstrip("/")

    def with_base(self, base_uri: str | None) -> Config:
        """This config, served under `base_uri` (None, or the canonical base, changes nothing)."""
        if not base_uri or base_uri.rstrip("/") == self.canonical_base.rstrip("/"):
            return self
        return replace(self, base_uri=base_uri, base_uri_given=True)

    def to_env(self) -> dict[str, str]:
        """The settings as environment variables, for worker processes."""
        return {
            ENV_PREFIX + "DATA": str(self.data),
            ENV_PREFIX + "ONTOLOGY": str(self.ontology),
            ENV_PREFIX + "VOCABULARIES": os.pathsep.join(str(p) for p in self.vocabularies),
            ENV_PREFIX + "RELEASES": str(self.releases),
            ENV_PREFIX + "BASE_URI": self.base_uri if self.base_uri_given else "",
            ENV_PREFIX + "HOST": self.host,
            ENV_PREFIX + "PORT": str(self.port),
            ENV_PREFIX + "WORKERS": str(self.workers),
            ENV_PREFIX + "THREADS": str(self.threads),
            ENV_PREFIX + "QUERY_TIMEOUT": str(self.query_timeout),
            ENV_PREFIX + "STATE_DIR": str(self.state_dir),
            ENV_PREFIX + "QUERY_ENDPOINT": self.query_endpoint or "",
        }

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Config:
        """The config `to_env()` exported (defaults for whatever is unset)."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(ENV_PREFIX + name)
            return value if value else None

        kwargs: dict = {}
        if get("DATA"):
            kwargs["data"] = Path(get("DATA"))
        if get("ONTOLOGY"):
            kwargs["ontology"] = Path(get("ONTOLOGY"))
        if get("RELEASES"):
            kwargs["releases"] = Path(get("RELEASES"))
        if get("VOCABULARIES"):
            kwargs["vocabularies"] = tuple(Path(p) for p in get("VOCABULARIES").split(os.pathsep))
        if get("HOST"):
            kwargs["host"] = get("HOST")
        for name, convert in (("PORT", int), ("WORKERS", int), ("THREADS", int)):
            if get(name):
                kwargs[name.lower()] = convert(get(name))
        if get("STATE_DIR"):
            kwargs["state_dir"] = Path(get("STATE_DIR"))
        if get("QUERY_ENDPOINT"):
            kwargs["query_endpoint"] = get("QUERY_ENDPOINT")
        if get("QUERY_TIMEOUT"):
            kwargs["query_timeout"] = float(get("QUERY_TIMEOUT"))
        return cls(**kwargs).with_base(get("BASE_URI"))


def add_input_arguments(parser) -> None:
    """`--data` and `--ontology`: the files every command that loads the dataset reads
    (`ssm serve`, `ssm export`, `ssm publish`); `inputs_of(args)` gives them to `Config`."""
    parser.add_argument("--data", default=str(paths.DATA), help="data Turtle file")
    parser.add_argument("--ontology", default=str(paths.ONTOLOGY), help="ontology Turtle file")


def inputs_of(args) -> dict[str, Path]:
    """The `Config` fields set by `add_input_arguments`."""
    return {"data": Path(args.data), "ontology": Path(args.ontology)}
