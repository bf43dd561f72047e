"""Small view-model types shared by the page builders and the templates."""

from __future__ import annotations

from dataclasses import dataclass, field

from .site import Label, Site


@dataclass(frozen=True)
class Link:
    """A link to a resource: where it points, its name and acronym, and the IRI it stands for."""

    iri: str
    href: str
    text: str
    lang: str | None = None
    acronym: str | None = None
    note: str | None = None  # e.g. a provision's notation shown beside the name

    @property
    def full(self) -> str:
        return f"{self.text} ({self.acronym})" if self.acronym else self.text


def link(site: Site, iri: str, lang: str, note: str | None = None) -> Link:
    lab: Label = site.label(iri, lang)
    acronym = lab.acronym if lab.acronym and lab.acronym != lab.text else None
    return Link(iri, site.href(iri), lab.text, lab.lang, acronym, note)


@dataclass
class Text:
    """A literal with its language (so templates can mark `lang` on it)."""

    value: str
    lang: str | None = None


@dataclass
class PostRow:
    post: Link
    heads: list[Link] = field(default_factory=list)
    reports_to: list[Link] = field(default_factory=list)
    acts_in_absence_of: list[Link] = field(default_factory=list)


@dataclass
class FunctionRow:
    function: Link
    notation: str
    text_es: str | None
    text_en: str | None
    provisions: list[Link] = field(default_factory=list)  # href = /annex#slug
    areas: list[Link] = field(default_factory=list)


@dataclass
class Target:
    link: Link
    sources: list[Link] = field(default_factory=list)  # provisions stating it (href to annex)


@dataclass
class RelationGroup:
    predicate: Link
    targets: list[Target]
    incoming: bool = False
