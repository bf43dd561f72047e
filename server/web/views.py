"""The blueprint: thin views that pick the language, call a page renderer and set headers."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, redirect, request, send_file

from ..dataset import Dataset
from ..formats import SVG
from ..response_cache import cacheable
from .assets import LONG_CACHE, SHORT_CACHE, assets
from .i18n import COOKIE, LANGS, select_lang
from .pages import annex_page, chart_svg, home_page, search_page
from .site import site_for

MAX_QUERY_CHARS = 200


def safe_next(target: str | None, fallback: str) -> str:
    """A same-site path to go back to (never another host: no open redirect)."""
    if (not target or not target.startswith("/") or target.startswith("//")
            or "\\" in target or any(ord(c) < 32 for c in target)):
        return fallback
    return target


def _html(body: str, lang: str, keep: bool = True) -> Response:
    """A page; `keep` lets the response cache replay it (not for pages keyed on free text)."""
    response = Response(body, mimetype="text/html")
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept-Language, Cookie"
    response.headers["Cache-Control"] = "no-cache"
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    if keep:
        cacheable(response)
    return response.make_conditional(request)


def create_blueprint(dataset: Dataset) -> Blueprint:
    """The web pages of `dataset`: home, annex, search, language switch and static files."""
    bp = Blueprint("web", __name__)

    def site():
        return site_for(dataset)

    def served_base() -> str:
        return request.host_url + request.script_root.lstrip("/") + (
            "/" if request.script_root else "")

    @bp.get("/")
    def home() -> Response:
        lang = select_lang(request)
        return _html(home_page(site(), lang, served_base()), lang)

    @bp.get("/chart.svg")
    def chart() -> Response:
        lang = select_lang(request)
        svg = chart_svg(site(), lang, standalone=True, link_root=request.host_url)
        if svg is None:
            abort(404)
        response = Response(svg, mimetype=SVG.media_type)
        response.headers["Content-Disposition"] = 'inline; filename="ssm-organigrama.svg"'
        response.headers["Vary"] = "Accept-Language, Cookie"
        response.set_etag(hashlib.sha256(svg.encode()).hexdigest()[:32])
        return cacheable(response).make_conditional(request)

    @bp.get("/annex")
    def annex() -> Response:
        lang = select_lang(request)
        return _html(annex_page(site(), lang), lang)

    @bp.get("/search")
    def search() -> Response:
        lang = select_lang(request)
        query = request.args.get("q", "")[:MAX_QUERY_CHARS]
        return _html(search_page(site(), query, lang), lang, keep=False)

    @bp.get("/lang/<code>")
    def switch_language(code: str) -> Response:
        if code not in LANGS:
            abort(404, description="Unknown language.")
        root = request.script_root or ""
        target = safe_next(request.args.get("next"), root + "/")
        response = redirect(target, code=303)
        response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, path=root + "/",
                            samesite="Lax", secure=request.is_secure, httponly=True)
        response.headers["Cache-Control"] = "no-store"
        return response

    @bp.get("/static/<path:name>")
    def static(name: str) -> Response:
        found = assets().find(name)
        if found is None:
            abort(404)
        asset, hashed = found
        response = send_file(asset.path, mimetype=asset.media_type, etag=asset.etag,
                             conditional=True, max_age=None)
        response.headers["Cache-Control"] = LONG_CACHE if hashed else SHORT_CACHE
        return response

    return bp
