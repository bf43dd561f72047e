"""`ssm export DIR`: the whole site as files, for any web server or CDN, plus its nginx and Apache
configuration.

The data changes only at a release, so every document can be a file. The export drives the real
application in-process (Flask's test client): each body on disk is byte for byte what `ssm serve`
sends for that URL, whatever the server's core does to produce it. What a plain file server
cannot do by itself (303 from `/id/…`, content negotiation, the page language, CORS, errors) is
written as `DIR/nginx.conf` and `DIR/.htaccess` (see `oas_ssm.webconf`).

Layout (URL path → file, below DIR and the mount point of `--base-uri`):

- `/doc/X.{ttl,jsonld,rdf,nt}` → the same path; `/doc/X.html` → `doc/X.html` (Spanish) and
  `doc/X.en.html` (English; not a URL of its own); `/doc/X` (no extension) is negotiated by
  the web server;
- `/def/ssm.{ext}` likewise; `/void`, `/.well-known/void` are the dataset's document
  (`doc/dataset/ssm.*`), negotiated;
- pages: `/` → `index.html` (and `index.en.html`), `/annex` → `annex.html`, `/search` →
  `search.html` (the empty search form), `/chart.svg` → `chart.svg` (and `chart.en.svg`);
- `/sitemap.xml`, `/robots.txt`, `/dumps/*`, `/static/*` as they are;
- `.ssm-export.json`: what was exported (formats, negotiation table, counts), for the configs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cmp_to_key
from pathlib import Path
from urllib.parse import urlsplit

from oas_ssm.server.profile import profile_iri

LANGS = ("es", "en")
# Accept values whose chosen format the export learns from the application, to write the web
# server's negotiation table: every type the server is known to take, the ranges, and aliases.
ACCEPT_CANDIDATES = (
    "text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples",
    "text/html", "application/x-turtle", "application/turtle", "text/n3", "application/json",
    "application/xml", "text/xml", "text/plain", "application/xhtml+xml",
    "text/*", "application/*", "*/*",
)  # fmt: skip
PAGES = {"/": "index.html", "/annex": "annex.html", "/search": "search.html"}
LANG_FILES = ("/chart.svg",)
MANIFEST = ".ssm-export.json"
LINK_RE = re.compile(r"""(?:href|src)\s*=\s*["']([^"'#?]+)""")
CSS_URL_RE = re.compile(r"""url\(\s*["']?([^"')#?]+)""")


class ExportError(Exception):
    """The export cannot be written; the message says why."""


@dataclass
class Site:
    """What the export wrote, and what the web server configurations need to know about it."""

    root: Path  # DIR, absolute
    base_uri: str  # the served base, ending in '/'
    mount: str  # URL path prefix ('' at the root)
    formats: list[tuple[str, str]] = field(default_factory=list)  # (extension, media type)
    negotiation: list[tuple[str, str]] = field(default_factory=list)  # (Accept range, extension)
    no_accept: str = "ttl"  # the extension for a request without Accept
    error_html_page: bool = True
    ontology_versions: list[str] = field(default_factory=list)  # 'def/ssm/1.0.0'
    files: int = 0
    bytes: int = 0

    def manifest(self) -> dict:
        return {
            "base_uri": self.base_uri,
            "mount": self.mount,
            "formats": self.formats,
            "negotiation": self.negotiation,
            "no_accept": self.no_accept,
            "ontology_versions": self.ontology_versions,
            "error_html_page": self.error_html_page,
            "files": self.files,
            "bytes": self.bytes,
        }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from oas_ssm.server.config import Config, add_input_arguments

    defaults = Config()
    parser.add_argument("directory", metavar="DIR", help="where to write the site (created)")
    parser.add_argument(
        "--base-uri",
        metavar="URL",
        help="serve IRIs under this base instead of the canonical "
        f"{defaults.canonical_base}; the web server listens on its host and port",
    )
    parser.add_argument(
        "--sparql-upstream",
        metavar="URL",
        help="the `ssm serve` the web server sends /sparql and the past (/release/, /timemap/, "
        "/feed.*) to, e.g. http://127.0.0.1:8000/ (a path is ignored); without it those answer "
        "404 saying the static site has no query service and no past releases",
    )
    add_input_arguments(parser)
    parser.add_argument(
        "--force", action="store_true", help="replace DIR if it exists and is not empty"
    )


def run(args: argparse.Namespace) -> int:
    from oas_ssm.server.config import Config, inputs_of
    from oas_ssm.server.dataset import DataError

    try:
        config = Config(**inputs_of(args)).with_base(args.base_uri)
        upstream = _upstream(args.sparql_upstream)
        site = export(config, Path(args.directory), force=args.force)
    except (ValueError, DataError, ExportError) as e:
        print(f"ssm export: {e}", file=sys.stderr)
        return 2
    from oas_ssm.webconf import write_configs

    write_configs(site, upstream)
    print(
        f"ssm export: {site.files} files ({site.bytes / 1e6:.1f} MB) in {site.root}, IRIs under "
        f"{site.base_uri}\nssm export: web server configuration in {site.root / 'nginx.conf'} "
        f"and {site.root / '.htaccess'}"
    )
    return 0


def _upstream(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"--sparql-upstream must be an absolute http(s) URL, got {url!r}")
    return f"{parts.scheme}://{parts.netloc}"  # the server: nginx passes each request's own path


def export(config, directory: Path, force: bool = False) -> Site:
    """Write every URL of the site under `directory`; `ExportError` if it cannot."""
    from oas_ssm.server.app import create_app
    from oas_ssm.server.dataset import Dataset

    root = directory.resolve()
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        if not force:
            raise ExportError(f"{root} exists and is not empty (use --force to replace it)")
        shutil.rmtree(root) if root.is_dir() else root.unlink()
    dataset = Dataset.load(config)
    app = create_app(config, dataset)
    site = Site(root=root, base_uri=config.base_uri, mount=config.mount)
    Exporter(app, dataset, site).run()
    (root / MANIFEST).write_text(json.dumps(site.manifest(), indent=1) + "\n")
    return site


class Exporter:
    """GETs every URL of the site through the application and writes the bodies."""

    def __init__(self, app, dataset, site: Site):
        self.client = app.test_client(use_cookies=False)  # the Cookie header as given
        self.dataset = dataset
        self.site = site
        parts = urlsplit(site.base_uri)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.written: set[str] = set()
        self.html: list[bytes] = []
        self.modified = dataset.modified

    # -- requests ---------------------------------------------------------------------------

    def get(self, path: str, accept: str | None = None, lang: str | None = None):
        headers = {}
        if accept is not None:
            headers["Accept"] = accept
        if lang is not None:
            headers["Cookie"] = f"lang={lang}"
            headers["Accept-Language"] = lang
        return self.client.get(
            self.site.mount + path, headers=headers, base_url=self.origin, follow_redirects=False
        )

    def fetch(self, path: str, accept: str | None = None, lang: str | None = None) -> bytes:
        response = self.get(path, accept, lang)
        if response.status_code != 200:
            raise ExportError(f"GET {path} answered {response.status_code}, expected 200")
        return response.get_data()

    # -- writing ----------------------------------------------------------------------------

    def write(self, path: str, body: bytes) -> None:
        """Write `body` as the file for URL `path` (below the mount point)."""
        if ".." in path.split("/") or not path.startswith("/"):
            raise ExportError(f"refusing to write outside the export: {path!r}")
        target = self.site.root / (self.site.mount + path).lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        os.utime(target, (self.modified, self.modified))  # Last-Modified as the server's
        self.written.add(path)
        self.site.files += 1
        self.site.bytes += len(body)

    def write_variants(self, path: str, file_path: str, accept: str | None) -> None:
        """A page in Spanish at `file_path` and in English with '.en' before its extension."""
        for lang in LANGS:
            body = self.fetch(path, accept, lang)
            self.write(lang_variant(file_path, lang), body)
            if file_path.endswith(".html"):
                self.html.append(body)

    # -- the site ---------------------------------------------------------------------------

    def run(self) -> None:
        self.learn_negotiation()
        for iri in self.dataset.resources():
            self.document(iri)
        self.document(self.dataset.ontology_iri)
        self.document(profile_iri(self.dataset.base))  # the data profile, /def/shapes
        self.site.ontology_versions = sorted(
            iri[len(self.dataset.base) :]
            for iri in self.dataset.ontology_iris
            if iri != self.dataset.ontology_iri
        )
        for path in ("/sitemap.xml", "/robots.txt"):
            self.write(path, self.fetch(path))
        from oas_ssm.server.metadata import DUMPS

        for name in DUMPS:
            self.write("/dumps/" + name, self.fetch("/dumps/" + name))
        for path, file_name in PAGES.items():
            self.write_variants(path, "/" + file_name, "text/html")
        for path in LANG_FILES:
            if self.get(path).status_code == 200:
                self.write_variants(path, path, None)
        self.error_pages()
        self.static_files()

    def learn_negotiation(self) -> None:
        """Which format the application picks for each common Accept value, in its order of
        preference (learnt pairwise from the application itself, see `oas_ssm.webconf`)."""
        probe = "/def/ssm"

        def ext_for(accept: str | None) -> str | None:
            response = self.get(probe, accept)
            if response.status_code != 303:
                return None
            return response.headers["Location"].rsplit(".", 1)[-1]

        chosen = {a: ext_for(a) for a in ACCEPT_CANDIDATES}
        accepted = [a for a in ACCEPT_CANDIDATES if chosen[a]]

        def compare(a: str, b: str) -> int:
            if chosen[a] == chosen[b]:
                return ACCEPT_CANDIDATES.index(a) - ACCEPT_CANDIDATES.index(b)
            return -1 if ext_for(f"{a}, {b}") == chosen[a] else 1

        ranked = sorted(accepted, key=cmp_to_key(compare))
        self.site.negotiation = [(a, chosen[a]) for a in ranked]  # type: ignore[misc]
        self.site.no_accept = ext_for(None) or "ttl"

    def document(self, iri: str) -> None:
        """Every format of the document about `iri` (found through its own 303 and Link)."""
        local = iri[len(self.dataset.base) :]
        see = self.get("/" + local, "text/turtle")
        if see.status_code != 303:
            raise ExportError(f"GET /{local} answered {see.status_code}, expected 303")
        location = see.headers["Location"][len(self.site.mount) :]
        stem = location.rsplit(".", 1)[0]
        first = self.get(location)
        formats = [(location.rsplit(".", 1)[1], first.mimetype)]
        for link in first.headers.get("Link", "").split(","):
            found = re.match(r'\s*<([^>]+)>;\s*rel="alternate";\s*type="([^"]+)"', link)
            if found:
                formats.append((found.group(1).rsplit(".", 1)[1], found.group(2)))
        if not self.site.formats:
            self.site.formats = formats
        for ext, media in formats:
            path = f"{stem}.{ext}"
            if media == "text/html":
                self.write_variants(path, path, media)
            else:
                self.write(path, self.fetch(path, media))

    def error_pages(self) -> None:
        """The site's 404 page for browsers, in both languages (text clients get a line)."""
        probe = "/id/not-found"
        for lang in LANGS:
            response = self.get(probe, "text/html", lang)
            if response.status_code == 404 and response.mimetype == "text/html":
                self.write(lang_variant("/_errors/404.html", lang), response.get_data())
            else:
                self.site.error_html_page = False

    def static_files(self) -> None:
        """Every `/static/…` file a page or stylesheet refers to (and what those refer to)."""
        todo = [link for page in self.html for link in _links(page)]
        while todo:
            link = todo.pop()
            path = link[len(self.site.mount) :] if link.startswith(self.site.mount + "/") else link
            if not path.startswith("/static/") or path in self.written:
                continue
            response = self.get(path)
            if response.status_code != 200:
                continue  # a broken link is the page's problem; nothing to copy
            body = response.get_data()
            self.write(path, body)
            if path.endswith(".css"):
                css = body.decode(errors="ignore")
                todo += [_resolve(path, u) for u in CSS_URL_RE.findall(css)]


def lang_variant(path: str, lang: str) -> str:
    """The file of `path` in `lang`: Spanish as it is, English as 'X.en.html' for 'X.html'."""
    if lang == "es":
        return path
    stem, dot, ext = path.rpartition(".")
    return f"{stem}.{lang}.{ext}" if dot else f"{path}.{lang}"


def _links(page: bytes) -> Iterable[str]:
    return LINK_RE.findall(page.decode(errors="ignore"))


def _resolve(base_path: str, url: str) -> str:
    if url.startswith("/") or "://" in url or url.startswith("data:"):
        return url
    return os.path.normpath(base_path.rsplit("/", 1)[0] + "/" + url)
