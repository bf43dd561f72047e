"""The application factory: one dataset, one Flask app, one route table, a response cache in front.

Blueprints: `linkeddata` (`/id`, `/doc`, `/def`, `/graph`, `/void`, `/dumps`, `/sitemap.xml`,
`/robots.txt`), `releases` (`/release/…`, `/timemap/…`, the change feed), `web` (the pages) and
`sparql` (`/sparql`). `flask --app oas_ssm.server.app routes`
lists them all. The web layer renders the HTML the core needs (resource pages, the SPARQL editor,
error pages): it is handed in here, so the core modules never import it.

Request flow: [mount point] → `ResponseCache` (replays answers the views marked) → Flask. Every
response carries `Access-Control-Allow-Origin: *`, and no error shows a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask, Response, abort, request

from . import errors, linkeddata, releases, sparql, web
from .config import Config
from .dataset import Dataset
from .documents import Documents
from .response_cache import ResponseCache

OUTSIDE = "oas_ssm.outside_mount"
CORS = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", "ETag, Link, Location, Content-Location, Vary"),
)
PREFLIGHT = (
    ("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS"),
    (
        "Access-Control-Allow-Headers",
        "Accept, Accept-Language, Content-Type, If-None-Match, If-Modified-Since",
    ),
    ("Access-Control-Max-Age", "86400"),
)


def create_app(config: Config | None = None, dataset: Dataset | None = None) -> Flask:
    """A ready WSGI application; loads the dataset from `config` unless one is given."""
    config = config or Config.from_env()
    dataset = dataset or Dataset.load(config)
    app = Flask(__name__, static_folder=None)
    app.config["SSM_CONFIG"] = config
    app.extensions["ssm.dataset"] = dataset

    documents = Documents(dataset, html=web.render_resource_html)
    app.extensions["ssm.documents"] = documents
    pages = releases.ReleasePages(web.render_resource_html, web.render_release_page)
    archive = releases.archive_of(dataset, config.releases)  # before any page renders
    app.register_blueprint(releases.create_blueprint(dataset, pages, config.releases))
    app.register_blueprint(linkeddata.create_blueprint(dataset, documents, archive))
    app.register_blueprint(web.create_blueprint(dataset))
    app.register_blueprint(sparql.create_blueprint(
        dataset, config, web.render_sparql_page, lambda: list(archive.graph_quads())))
    errors.install(app, web.render_error_html)
    app.after_request(cors)

    app.before_request(_outside_mount_is_not_ours)

    cache = ResponseCache(app.wsgi_app)
    app.extensions["ssm.response_cache"] = cache
    app.wsgi_app = Mount(cache, config.mount) if config.mount else cache  # type: ignore
    return app


class Mount:
    """Serve below the path of `--base-uri` (`/ssm` of `http://host/ssm/`). Unlike werkzeug's
    DispatcherMiddleware, a request outside the mount point still reaches the app, flagged, so
    its 404 is negotiated like every other error."""

    def __init__(self, app: Callable, prefix: str):
        self.app = app
        self.prefix = prefix

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if path == self.prefix or path.startswith(self.prefix + "/"):
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + self.prefix
            environ["PATH_INFO"] = path[len(self.prefix) :] or "/"
        else:
            environ[OUTSIDE] = True
        return self.app(environ, start_response)


def _outside_mount_is_not_ours() -> None:
    if request.environ.get(OUTSIDE):
        abort(404)


def cors(response: Response) -> Response:
    """Public data: any origin may read any response, errors included."""
    for name, value in CORS:
        response.headers.setdefault(name, value)
    if request.method == "OPTIONS":
        for name, value in PREFLIGHT:
            response.headers.setdefault(name, value)
    return response
