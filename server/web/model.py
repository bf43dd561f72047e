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
    link: Link  # the resource at the other end of the relation
    sources: list[Link] = field(default_factory=list)  # provisions stating it (href to annex)
    note: Text | None = None  # the statement's skos:note, in the page's language if it has one
    statement: Link | None = None  # the rdf:Statement's own page


@dataclass
class RelationGroup:
    predicate: Link
    targets: list[Target]
    incoming: bool = False
    phrase: str = ""  # what the row says: "coordina con", "tiene como secretaría a"
    sentence: bool = False  # incoming without an inverse: "X {phrase}" (phrase ends the sentence)


def page_lang_first(texts: list[Text], lang: str) -> list[Text]:
    """`texts` with those in `lang` first, then untagged, then the other language(s)."""
    def rank(t: Text) -> int:
        tag = (t.lang or "").split("-")[0].lower()
        return 0 if tag == lang else (1 if not tag else 2)
    return sorted(texts, key=rank)


def in_lang(texts: list[Text], lang: str) -> list[Text]:
    """Only the texts in `lang` (or untagged); all of them when none is."""
    mine = [t for t in texts if not t.lang or t.lang.split("-")[0].lower() == lang]
    return mine or list(texts)
