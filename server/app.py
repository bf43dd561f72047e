"""The application factory: one dataset, the linked-data core in front, Flask for the rest.

Request flow: `FastPath` (mount point; `/id`, `/doc`, `/def`, `/void`, `/sitemap.xml`,
`/dumps`) → Flask (the web pages of `oas_ssm.server.web`, `/sparql` of
`oas_ssm.server.sparql`, when installed).
Every response carries `Access-Control-Allow-Origin: *`, and no error shows a traceback.
"""

from __future__ import annotations

import importlib
import logging
from types import ModuleType

from flask import Flask, Response, request
from oas_ssm.server.config import Config
from oas_ssm.server.dataset import Dataset
from oas_ssm.server.documents import Documents
from oas_ssm.server.fastpath import PREFLIGHT, FastPath
from oas_ssm.server.linkeddata import CORS, LinkedData, error_reply, request_lang
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

# Optional parts, each a package with `create_blueprint(dataset, config) -> Blueprint`.
COMPONENTS = ("oas_ssm.server.web", "oas_ssm.server.sparql")


def optional_module(name: str) -> ModuleType | None:
    """The module if it is installed; import errors inside it propagate (a broken part is fatal)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name == name:
            return None
        raise


def create_app(config: Config | None = None, dataset: Dataset | None = None) -> Flask:
    """A ready WSGI application; loads the dataset from `config` unless one is given."""
    config = config or Config.from_env()
    dataset = dataset or Dataset.load(config)
    app = Flask(__name__, static_folder=None)
    app.config["SSM_CONFIG"] = config
    app.extensions["ssm.dataset"] = dataset

    for name in COMPONENTS:
        module = optional_module(name)
        factory = getattr(module, "create_blueprint", None) if module else None
        if factory is not None:
            app.register_blueprint(factory(dataset, config))

    _install_error_handlers(app)
    app.after_request(_cors)
    core = LinkedData(dataset, Documents(dataset))
    app.extensions["ssm.core"] = core
    app.wsgi_app = FastPath(core, app.wsgi_app)  # type: ignore[method-assign]
    return app


def _cors(response: Response) -> Response:
    """Public data: any origin may read any response, errors included."""
    for name, value in CORS:
        response.headers.setdefault(name, value)
    if request.method == "OPTIONS":
        for name, value in PREFLIGHT:
            response.headers.setdefault(name, value)
    return response


def _install_error_handlers(app: Flask) -> None:
    """Errors as short text (or HTML for browsers), never a traceback."""

    def reply_for(status: int, message: str) -> Response:
        lang = request_lang(request.headers.get("Cookie"), request.headers.get("Accept-Language"))
        reply = error_reply(status, message, request.headers.get("Accept"), lang=lang,
                            path=request.path, prefix=request.script_root)
        response = Response(reply.body, status=reply.status)
        for name, value in reply.headers:
            if name != "Content-Length":
                response.headers[name] = value
        response.headers["Vary"] = "Accept, Accept-Language, Cookie"
        return response

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException) -> Response:
        if e.code is None or e.code < 400:
            return e  # type: ignore[return-value]
        response = reply_for(e.code, e.description or e.name)
        for name in ("Allow", "Retry-After"):
            value = e.get_headers() and dict(e.get_headers()).get(name)
            if value:
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def server_error(e: Exception) -> Response:
        log.exception("unhandled error on %s", request.path)
        return reply_for(500, "Internal server error.")
