"""The /annex page: every provision in document order, with what derives from it."""

from __future__ import annotations

from dataclasses import dataclass, field

from .annex import annex
from .model import Link, link
from .site import Site


@dataclass
class ProvisionView:
    slug: str
    href: str
    notation: str
    depth: int
    heading: str | None  # "h2" for chapters, "h3" for titled sections, None for paragraphs
    title: str | None  # in the page's language when there is one (eli:title@en on English pages)
    title_lang: str | None
    text_es: str | None
    text_en: str | None
    derived: list[Link] = field(default_factory=list)


def build_annex_page(site: Site, lang: str) -> tuple[list[ProvisionView], list[ProvisionView]]:
    """(all provisions below the root, the chapters for the table of contents)."""
    ax = annex(site)
    views = []
    for p in ax.ordered:
        if p.depth == 0:
            continue
        heading = "h2" if p.depth == 1 else ("h3" if p.depth == 2 and p.title else None)
        derived = sorted((link(site, r, lang) for r in ax.derived.get(p.iri, [])
                          if site.kind(r) != "provision"), key=lambda lk: lk.text.casefold())
        title = ax.title(p.iri, lang)
        title_lang = None if title is None else ("en" if title == p.title_en else "es")
        views.append(ProvisionView(p.slug, site.href(p.iri), p.notation, p.depth, heading,
                                   title, title_lang, p.text_es, p.text_en, derived))
    chapters = [v for v in views if v.depth == 1]
    return views, chapters
