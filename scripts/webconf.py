"""Web server configuration for an exported site (`ssm export`): nginx and Apache.

Both reproduce, on files, what `ssm serve` does: `303` from `/id/…` and `/def/ssm` to the
negotiated document (`Vary: Accept`), extension-less document URLs negotiated, the page language
from the `lang` cookie or Accept-Language, `Content-Type` per format, `Link rel=alternate`,
`Content-Location`, CORS on every response, 404 for unknown IRIs and `/sparql` proxied to an
upstream (or a 404 saying there is none). ETags and 304s are the web server's own (nginx:
modification time and size; the files carry the data's modification time).

Negotiation is a table of regular expressions (nginx `map`, Apache `RewriteCond`), not a parser:
the export learns from the application which format each common media range selects and in
which order the server prefers them, and writes one rule per (range, q) pair. It matches the
server for a range listed at q=1 (implicit or explicit) or at q=0.1 … 0.9 (first decimal only:
q=0.85 counts as 0.8), the higher q and then the server's order winning. It does not see q=0
exclusions (`text/turtle;q=0, */*` gets Turtle here, JSON-LD from the server), nor ranges it
was not taught; the page language is English when `en` is listed before any `es` (so
`fr, en;q=0.5, es;q=0.8` gets English here, Spanish from the server).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

TIERS = ("1", "9", "8", "7", "6", "5", "4", "3", "2", "1")  # q=1, then q=0.9 … q=0.1
LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=300"
DOC_CACHE = "public, max-age=3600"
ERROR_CACHE = "public, max-age=60"
EXPOSE = "ETag, Link, Location, Content-Location, Vary"
PARAMS = r"(\s*;\s*[a-pr-z][^;,]*)*"  # media-type parameters other than q
TYPES = {
    "text/turtle": "ttl", "application/ld+json": "jsonld", "application/rdf+xml": "rdf",
    "application/n-triples": "nt", "text/html": "html", "application/xml": "xml",
    "text/plain": "txt", "text/css": "css", "text/javascript": "js", "image/svg+xml": "svg",
    "image/png": "png", "image/x-icon": "ico", "font/woff2": "woff2", "application/json": "json",
}  # fmt: skip
CHARSET_TYPES = (
    "text/plain", "text/xml", "text/turtle", "application/ld+json", "application/rdf+xml",
    "application/n-triples",
    "application/xml", "text/css", "text/javascript", "image/svg+xml", "application/json",
)  # fmt: skip
HTML_VARY = "Accept-Language, Cookie"


def range_regex(media_range: str, tier: str, first: bool) -> str:
    """A regex matching an Accept header that lists `media_range` at q=1 (`first` tier) or at
    q=0.`tier`, as a whole member (no prefix match: `text/*` is not `text/turtle`)."""
    name = re.escape(media_range)
    q = r"(\s*;\s*q=1(\.0*)?)?" if first else rf"\s*;\s*q=0?\.{tier}[0-9]*"
    return rf"(^|,)\s*{name}{PARAMS}{q}{PARAMS}\s*(,|$)"


def negotiation_rules(table: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(regex, extension) in the order they must be tried, from the learnt (range, ext) table."""
    rules = []
    for i, tier in enumerate(TIERS):
        for media_range, ext in table:
            rules.append((range_regex(media_range, tier, i == 0), ext))
    return rules


def _quote(value: str) -> str:
    """A double-quoted nginx string (nginx keeps unknown backslash escapes as they are)."""
    return '"' + value.replace('"', '\\"') + '"'


def _listen(base_uri: str) -> tuple[str, str, bool]:
    parts = urlsplit(base_uri)
    tls = parts.scheme == "https"
    port = parts.port or (443 if tls else 80)
    host = parts.hostname or "localhost"
    literal = re.fullmatch(r"[0-9.]+|[0-9a-fA-F:]+", host) is not None
    address = str(port)  # a name: every address, the server_name picks the site
    if literal:
        address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return address, host, tls


class Nginx:
    """Writes the `server { … }` block for an exported site (include it in nginx's `http`)."""

    def __init__(self, site, upstream: str | None):
        self.site = site
        self.upstream = upstream
        self.m = site.mount  # URL prefix, '' at the root
        self.rm = re.escape(site.mount)

    def common(self, cache: str | None = DOC_CACHE, always: bool = False) -> list[str]:
        lines = [
            'add_header Access-Control-Allow-Origin "*" always;',
            f'add_header Access-Control-Expose-Headers "{EXPOSE}" always;',
        ]
        if cache:
            lines.append(f'add_header Cache-Control "{cache}"{" always" if always else ""};')
        return lines

    def document_headers(self, vary: str | None) -> list[str]:
        lines = self.common()
        lines.append(f'add_header Content-Location "{self.m}/$ssm_doc.$ssm_fmt";')
        lines.append('add_header Link "$ssm_links";')
        lines.append('add_header Content-Language "$ssm_fmt_lang";')
        if vary:
            lines.append(f'add_header Vary "{vary}" always;')
        return lines

    def location(self, match: str, body: list[str]) -> list[str]:
        if match.startswith("~ "):  # a regex may hold '{' or ';': quoted
            match = "~ " + _quote(match[2:])
        return [f"location {match} {{", *("    " + line for line in body), "}"]

    # -- parts ------------------------------------------------------------------------------

    def maps(self) -> list[str]:
        site = self.site
        out = ["# How the Accept header picks a format (see oas_ssm.webconf for the limits).",
               "map $http_accept $ssm_ext {", '    default "";',
               f'    "" {site.no_accept};']  # fmt: skip
        for regex, ext in negotiation_rules(site.negotiation):
            out.append(f"    {_quote('~*' + regex)} {ext};")
        out.append("}")
        media = dict(site.formats)
        link_values = []
        for ext in media:
            links = ", ".join(
                f'<{self.m}/$ssm_doc.{other}>; rel=\\"alternate\\"; type=\\"{m}\\"'
                for other, m in media.items()
                if other != ext
            )
            link_values.append(f'    {ext} "{links}";')
        lang_pref = r"~*^((?!\s*es\b)[^,]*,)*\s*en\b"
        out += [
            "# The other formats of the document being sent.",
            "map $ssm_fmt $ssm_links {", '    default "";', *link_values, "}",
            "# Page language: the lang cookie the pages set, else Accept-Language (English when",
            "# `en` comes before any `es`), else Spanish.",
            "map $http_accept_language $ssm_accept_lang {",
            "    default es;", f"    {_quote(lang_pref)} en;", "}",
            "map $cookie_lang $ssm_lang {",
            "    es es;", "    en en;", "    default $ssm_accept_lang;", "}",
            "map $ssm_lang $ssm_lang_infix {", '    en ".en";', '    default "";', "}",
            "map $ssm_fmt $ssm_fmt_lang {", "    html $ssm_lang;", '    default "";', "}",
            "map $ssm_ext $ssm_suffix {",
            '    html "$ssm_lang_infix.html";', '    default ".$ssm_ext";', "}",
            "map $ssm_error_html $ssm_error_lang {", "    1 $ssm_lang;", '    default "";', "}",
            "map $ssm_ext $ssm_neg_vary {",
            f'    html "Accept, {HTML_VARY}";', '    default "Accept";', "}",
            "# Errors are a page for clients that ask for HTML at q=1 (browsers), else a line.",
            "map $http_accept $ssm_error_html {", "    default 0;",
            f"    {_quote('~*' + range_regex('text/html', '1', True))} 1;", "}",
            "map $request_method $ssm_method {",
            "    GET ok;", "    HEAD ok;", "    OPTIONS options;", "    default bad;", "}",
            "map $uri $ssm_is_sparql {", f"    {self.m}/sparql 1;", "    default 0;", "}",
            "map $arg_next $ssm_next {",
            f'    "~^{self.rm}/([A-Za-z0-9_~-][^ ]*)?$" $arg_next;',
            f'    default "{self.m}/";', "}",
        ]  # fmt: skip
        return out

    def server(self) -> list[str]:
        site = self.site
        address, host, tls = _listen(site.base_uri)
        m, rm = self.m, self.rm
        formats = "|".join(re.escape(ext) for ext, media in site.formats if media != "text/html")
        types = " ".join(f"{media} {ext};" for media, ext in TYPES.items())
        see_doc = [
            *self.common(DOC_CACHE),
            'add_header Vary "Accept" always;',
            'if ($ssm_ext = "") { return 406 "Not acceptable: this resource is available as '
            + ", ".join(media for _, media in site.formats) + '\\n"; }',
        ]
        out = ["server {"]
        body = [f"listen {address}{' ssl' if tls else ''};", f"server_name {host};"]
        if tls:
            body += [
                "# TLS: put the certificate of " + host + " here (or terminate TLS in front).",
                f"ssl_certificate {site.root}/tls/fullchain.pem;",
                f"ssl_certificate_key {site.root}/tls/privkey.pem;",
            ]
        body += [
            f"root {site.root};",
            "absolute_redirect off;  # Location: /doc/…, as ssm serve sends it",
            "server_tokens off;",
            "etag on;",
            "if_modified_since before;",
            "charset utf-8;",
            f"charset_types {' '.join(CHARSET_TYPES)};",
            f"types {{ {types} }}",
            "default_type application/octet-stream;",
            "error_page 404 @ssm_not_found;",
            "error_page 405 @ssm_not_allowed;",
            "",
            "# Methods: GET and HEAD everywhere, OPTIONS (CORS preflight) answered here, POST only",
            "# to /sparql.",
            'if ($ssm_method = options) { rewrite ^ /_ssm/options last; }',
            'set $ssm_check "$ssm_method:$ssm_is_sparql";',
            'if ($ssm_check = "bad:0") { return 405; }',
            "",
        ]
        loc = self.location
        body += loc("= /_ssm/options", [
            "internal;", *self.common(None),
            'add_header Allow "GET, HEAD, OPTIONS" always;',
            'add_header Access-Control-Allow-Methods "GET, HEAD, POST, OPTIONS" always;',
            'add_header Access-Control-Allow-Headers "Accept, Accept-Language, Content-Type, '
            'If-None-Match, If-Modified-Since" always;',
            'add_header Access-Control-Max-Age "86400" always;',
            "return 204;",
        ])  # fmt: skip
        body += loc("@ssm_not_found", [
            *self.common(ERROR_CACHE, always=True),
            'add_header Vary "Accept, Accept-Language, Cookie" always;',
            *(["if ($ssm_error_html) { rewrite ^ "
               f"{m}/_errors/404$ssm_lang_infix.html last; }}"] if site.error_html_page else []),
            'add_header Content-Language "$ssm_error_lang" always;',
            "types { }  # the message's type, whatever the URL's extension",
            'default_type "text/plain; charset=utf-8";',
            'return 404 "Not found: $uri\\n";',
        ])  # fmt: skip
        body += loc("@ssm_not_allowed", [
            *self.common(ERROR_CACHE, always=True),
            'add_header Vary "Accept, Accept-Language, Cookie" always;',
            'add_header Allow "GET, HEAD, OPTIONS" always;',
            "types { }",
            'default_type "text/plain; charset=utf-8";',
            'return 405 "Method $request_method not allowed; use GET or HEAD.\\n";',
        ])  # fmt: skip
        body += [
            "",
            "# Things: 303 See Other to the document in the negotiated format.",
        ]
        body += loc(f"~ ^{rm}/id/(?<ssm_rest>.+)$", [
            f"if (!-f $document_root{m}/doc/$ssm_rest.{site.formats[0][0]}) {{ return 404; }}",
            *see_doc,
            f"return 303 {m}/doc/$ssm_rest.$ssm_ext;",
        ])  # fmt: skip
        ontology = [f"= {m}/def/ssm", *(f"= {m}/{v}" for v in site.ontology_versions)]
        for match in ontology:
            body += loc(match, [*see_doc, f"return 303 {m}/def/ssm.$ssm_ext;"])
        body += loc(f"= {m}/def/shapes", [*see_doc, f"return 303 {m}/def/shapes.$ssm_ext;"])
        body += [
            "",
            "# Named graphs: asserted and entailed to their dumps (the dataset's page for",
            "# browsers), the ontology to its document, the metadata to /void.",
        ]
        dumps = {"html": f"{m}/doc/dataset/ssm.html"}
        for name, stem in (("asserted", "ssm"), ("entailed", "ssm-entailed")):
            lines = [*self.common(DOC_CACHE), 'add_header Vary "Accept" always;']
            for ext in ("ttl", "jsonld", "nt"):
                lines.append(f"if ($ssm_ext = {ext}) {{ return 303 {m}/dumps/{stem}.{ext}; }}")
            lines.append(f"if ($ssm_ext = html) {{ return 303 {dumps['html']}; }}")
            lines.append('return 406 "Not acceptable: this graph is available as text/turtle, '
                         'application/ld+json, application/n-triples, text/html\\n";')
            body += loc(f"= {m}/graph/{name}", lines)
        body += loc(f"= {m}/graph/ontology", [*see_doc, f"return 303 {m}/def/ssm.$ssm_ext;"])
        body += loc(f"= {m}/graph/metadata",
                    [*self.common(DOC_CACHE), 'add_header Vary "Accept" always;',
                     f"return 303 {m}/void;"])  # fmt: skip
        body += ["", "# Documents in a named format."]
        body += loc(r"~ \.en\.(html|svg)$", ["return 404;  # language variants: not URLs"])
        body += loc(f"~ ^{rm}/(?<ssm_doc>doc/.+|def/ssm|def/shapes)\\.(?<ssm_fmt>{formats})$", [
            *self.document_headers(None),
            "try_files $uri =404;",
        ])  # fmt: skip
        body += loc(f"~ ^{rm}/(?<ssm_doc>doc/.+|def/ssm|def/shapes)\\.(?<ssm_fmt>html)$", [
            *self.document_headers(HTML_VARY),
            f"try_files {m}/$ssm_doc$ssm_lang_infix.html =404;",
        ])  # fmt: skip
        body += ["", "# Documents without extension: negotiated."]
        negotiated = [
            f"if (!-f $document_root{m}/$ssm_doc.{site.formats[0][0]}) {{ return 404; }}",
            "set $ssm_fmt $ssm_ext;",
            *self.document_headers("$ssm_neg_vary"),
            'if ($ssm_ext = "") { return 406 "Not acceptable: this document is available as '
            + ", ".join(media for _, media in site.formats) + '\\n"; }',
            f"try_files {m}/$ssm_doc$ssm_suffix =404;",
        ]
        body += loc(f"~ ^{rm}/(?<ssm_doc>doc/.+)$", negotiated)
        body += loc(f"~ ^{rm}/(void|\\.well-known/void)$",
                    ["set $ssm_doc doc/dataset/ssm;", *negotiated])  # fmt: skip
        body += ["", "# Dumps, sitemap, robots.txt, static files, pages."]
        body += loc(f"^~ {m}/dumps/", [*self.common(DOC_CACHE), "try_files $uri =404;"])
        for name in ("sitemap.xml", "robots.txt"):
            body += loc(f"= {m}/{name}", [*self.common(DOC_CACHE), "try_files $uri =404;"])
        body += loc(f"~ ^{rm}/static/.+\\.[0-9a-f]{{10}}\\.[a-z0-9]+$",
                    [*self.common(LONG_CACHE), "try_files $uri =404;"])  # fmt: skip
        body += loc(f"^~ {m}/static/", [*self.common(SHORT_CACHE), "try_files $uri =404;"])
        pages = {f"{m}/": "index", f"{m}/annex": "annex", f"{m}/search": "search"}
        for url, stem in pages.items():
            body += loc(f"= {url}", [
                *self.common(None), 'add_header Cache-Control "no-cache";',
                f'add_header Vary "{HTML_VARY}";', 'add_header Content-Language "$ssm_lang";',
                f"try_files {m}/{stem}$ssm_lang_infix.html =404;",
            ])  # fmt: skip
        body += loc(f"= {m}/chart.svg", [
            *self.common(None), f'add_header Vary "{HTML_VARY}";',
            f"try_files {m}/chart$ssm_lang_infix.svg =404;",
        ])  # fmt: skip
        body += loc(f"~ ^{rm}/lang/(?<ssm_code>es|en)$", [
            *self.common(None), 'add_header Cache-Control "no-store";',
            f'add_header Set-Cookie "lang=$ssm_code; Max-Age=31536000; Path={m}/; '
            'SameSite=Lax; HttpOnly";',
            "return 303 $ssm_next;",
        ])  # fmt: skip
        body += loc(f"^~ {m}/_errors/", [
            "internal;", *self.common(ERROR_CACHE, always=True),
            'add_header Vary "Accept, Accept-Language, Cookie" always;',
            'add_header Content-Language "$ssm_lang" always;',
        ])  # fmt: skip
        # The endpoint and the past (releases, TimeMaps, the change feed: Memento needs a
        # TimeGate, which files cannot be) are ssm serve's: proxied, or a clear 404.
        dynamic = f"~ ^{m}/(sparql$|release/|timemap/|feed\\.(atom|ttl)$)"
        body += ["", "# SPARQL and the releases."]
        if self.upstream:
            body += loc(dynamic, [
                f"proxy_pass {self.upstream};",
                "proxy_set_header Host $http_host;",
                "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
                "proxy_set_header X-Forwarded-Proto $scheme;",
                "proxy_next_upstream error timeout http_502 http_503 non_idempotent;",
                "proxy_read_timeout 120s;",
            ])  # fmt: skip
        else:
            body += loc(dynamic, [
                *self.common(ERROR_CACHE, always=True), 'add_header Vary "Accept" always;',
                'default_type "text/plain; charset=utf-8";',
                'return 404 "This copy of the site is static files: it has no SPARQL endpoint '
                'and no past releases; download the data from /dumps/, or ask the publisher\'s '
                'server (ssm serve).\\n";',
            ])  # fmt: skip
        body += ["", "# Nothing else is a URL of the site (nginx.conf, the manifest …)."]
        body += loc("/", ["return 404;"])
        out += ["    " + line if line else "" for line in body]
        out.append("}")
        return out

    def text(self) -> str:
        head = [
            "# nginx configuration for this export, written by `ssm export`.",
            "# Include it in nginx's http context, e.g.:  http { include "
            f"{self.site.root}/nginx.conf; }}",
            f"# Serves {self.site.base_uri} from {self.site.root}.",
            "",
        ]
        return "\n".join([*head, *self.maps(), "", *self.server()]) + "\n"


def apache_text(site, upstream: str | None) -> str:
    """`.htaccess` for Apache httpd 2.4 (mod_rewrite, mod_headers, mod_mime; proxy for /sparql
    needs mod_proxy_http). Same negotiation table as nginx, evaluated top-down into SSM_EXT."""
    m = site.mount
    lines = [
        "# Apache httpd 2.4 configuration for this export, written by `ssm export`.",
        "# Needs: AllowOverride All (or copy into the vhost), mod_rewrite, mod_headers, mod_mime.",
        "Options -Indexes -MultiViews",
        "AddDefaultCharset utf-8",
        *(f"AddType '{media}; charset=utf-8' .{ext}" for media, ext in TYPES.items()),
        "FileETag MTime Size",
        'Header always set Access-Control-Allow-Origin "*"',
        f'Header always set Access-Control-Expose-Headers "{EXPOSE}"',
        'Header set Cache-Control "public, max-age=3600"',
        "RewriteEngine On",
        f"RewriteBase {m or '/'}",
        "# Not URLs of the site (only for the client's own request, not the error page's).",
        "RewriteCond %{ENV:REDIRECT_STATUS} ^$",
        "RewriteRule ^(nginx\\.conf|\\.htaccess|\\.ssm-export\\.json|_errors/.*"
        "|.*\\.en\\.(html|svg))$ - [R=404,L]",
        "# Page language: lang cookie, else Accept-Language (en before any es), else es.",
        "RewriteRule ^ - [E=SSM_LANG:]",
        r"RewriteCond %{HTTP_COOKIE} (^|;\s*)lang=en(;|$)",
        "RewriteRule ^ - [E=SSM_LANG:.en]",
        r"RewriteCond %{HTTP_COOKIE} !(^|;\s*)lang=es(;|$)",
        r"RewriteCond %{HTTP:Accept-Language} ^((?!\s*es\b)[^,]*,)*\s*en\b [NC]",
        "RewriteRule ^ - [E=SSM_LANG:.en]",
        "# Format: the first rule that matches sets SSM_EXT (see oas_ssm.webconf for limits).",
        "RewriteCond %{HTTP:Accept} ^$",
        f"RewriteRule ^ - [E=SSM_EXT:{site.no_accept}]",
    ]
    for regex, ext in negotiation_rules(site.negotiation):
        lines += [
            "RewriteCond %{ENV:SSM_EXT} ^$",
            f'RewriteCond %{{HTTP:Accept}} "{regex}" [NC]',
            f"RewriteRule ^ - [E=SSM_EXT:{ext}]",
        ]
    first = site.formats[0][0]
    lines += [
        "# Nothing acceptable: 406 (for things and negotiated documents that exist).",
        "RewriteCond %{ENV:REDIRECT_STATUS} ^$",
        "RewriteCond %{ENV:SSM_EXT} ^$",
        f"RewriteCond %{{DOCUMENT_ROOT}}{m}/doc/$2.{first} -f",
        "RewriteRule ^(id|doc)/([^.]+)$ - [R=406,L]",
        "# Things: 303 to the negotiated document.",
        f"RewriteCond %{{DOCUMENT_ROOT}}{m}/doc/$1.{first} -f",
        "RewriteCond %{ENV:SSM_EXT} ^html$",
        "RewriteRule ^id/(.+)$ doc/$1.html [R=303,L]",
        f"RewriteCond %{{DOCUMENT_ROOT}}{m}/doc/$1.{first} -f",
        "RewriteCond %{ENV:SSM_EXT} !^$",
        "RewriteRule ^id/(.+)$ doc/$1.%{ENV:SSM_EXT} [R=303,L]",
        "RewriteCond %{ENV:SSM_EXT} !^$",
        "RewriteRule ^def/ssm(/[^/]+)?$ def/ssm.%{ENV:SSM_EXT} [R=303,L]",
        "RewriteCond %{ENV:SSM_EXT} !^$",
        "RewriteRule ^def/shapes$ def/shapes.%{ENV:SSM_EXT} [R=303,L]",
        "# Negotiated documents and /void.",
        "RewriteRule ^(void|\\.well-known/void)$ doc/dataset/ssm [PT]",
        "RewriteCond %{ENV:SSM_EXT} ^html$",
        f"RewriteCond %{{DOCUMENT_ROOT}}{m}/$1%{{ENV:SSM_LANG}}.html -f",
        "RewriteRule ^(doc/[^.]+)$ $1%{ENV:SSM_LANG}.html [L,E=SSM_NEG:1]",
        "RewriteCond %{ENV:SSM_EXT} !^(html)?$",
        f"RewriteCond %{{DOCUMENT_ROOT}}{m}/$1.%{{ENV:SSM_EXT}} -f",
        "RewriteRule ^(doc/[^.]+)$ $1.%{ENV:SSM_EXT} [L,E=SSM_NEG:1]",
        "# HTML documents and pages in the page language.",
        f"RewriteCond %{{DOCUMENT_ROOT}}{m}/$1%{{ENV:SSM_LANG}}.html -f",
        "RewriteRule ^((doc/.+)|def/ssm|def/shapes)\\.html$ $1%{ENV:SSM_LANG}.html [L]",
        "RewriteRule ^$ index%{ENV:SSM_LANG}.html [L]",
        "RewriteRule ^(annex|search)$ $1%{ENV:SSM_LANG}.html [L]",
        "RewriteRule ^lang/(es|en)$ / [R=303,L,CO=lang:$1:%{HTTP_HOST}:525600:/]",
        "Header append Vary Accept env=SSM_NEG",
        "Header append Vary Accept env=REDIRECT_SSM_NEG",
    ]
    dynamic = "^(sparql|release/.*|timemap/.*|feed\\.(atom|ttl))$"  # ssm serve's (see nginx)
    if upstream:
        lines += [f"RewriteRule {dynamic} {upstream}{m}/$1 [P,L]"]
    else:
        lines += [f"RewriteRule {dynamic} - [R=404,L]"]
    lines += [
        f"ErrorDocument 404 {m}/_errors/404.html",
    ]
    return "\n".join(lines) + "\n"


def write_configs(site, upstream: str | None) -> None:
    (site.root / "nginx.conf").write_text(Nginx(site, upstream).text())
    (site.root / ".htaccess").write_text(apache_text(site, upstream))
