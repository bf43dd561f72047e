"""Templates: one Jinja environment (autoescaping everything) and the page cache.

Pages are rendered without Flask's request machinery so the core can call them from anywhere;
a page depends only on (what, iri, language, data version), which is the cache key.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .assets import assets
from .i18n import LANGS, other_lang, translate

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
# First letter up, the rest untouched ("IRI de versión" stays, "deriva de" → "Deriva de").
_env.filters["ucfirst"] = lambda text: (text[:1].upper() + text[1:]) if text else text


def render(template: str, lang: str, prefix: str = "", here: str = "/", **ctx: Any) -> str:
    """Render `template` in `lang`; `here` is the page's own path (for the language switch)."""
    lang = lang if lang in LANGS else "es"
    other = other_lang(lang)
    ctx.update(
        lang=lang, other_lang=other, prefix=prefix, here=here,
        t=lambda key: translate(key, lang),
        asset=lambda name: assets().url(name, prefix),
        path=lambda local: prefix + local,
        switch_href=f"{prefix}/lang/{other}?next={quote(here, safe='/')}",
    )
    return _env.get_template(template).render(**ctx)


class PageCache:
    """A small LRU of rendered pages keyed by (what, iri, lang, data version)."""

    def __init__(self, size: int = 2048):
        self.size = size
        self._pages: OrderedDict[tuple, str | None] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, key: tuple, make) -> str | None:
        with self._lock:
            if key in self._pages:
                self._pages.move_to_end(key)
                return self._pages[key]
        page = make()
        with self._lock:
            self._pages[key] = page
            if len(self._pages) > self.size:
                self._pages.popitem(last=False)
        return page


CACHE = PageCache()
