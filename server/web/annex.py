"""The annex as an ordered tree of provisions, read from the ssm:Provision resources.

Built once per data version; it gives the /annex page its paragraphs in document order and
every other page a sort key ("where in the annex does this come from").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .site import Site


@dataclass
class Provision:
    iri: str
    slug: str
    notation: str
    number: str
    order: int
    parent: str | None
    title: str | None = None  # eli:title in Spanish (or untagged)
    title_en: str | None = None  # eli:title in English (a translation)
    text_es: str | None = None
    text_en: str | None = None
    children: list[str] = field(default_factory=list)
    depth: int = 0
    position: int = 0  # index in document order


@dataclass
class Annex:
    provisions: dict[str, Provision]
    ordered: list[Provision]
    derived: dict[str, list[str]]  # provision IRI -> resources derived from it (not statements)

    def title(self, iri: str, lang: str) -> str | None:
        """The provision's heading in `lang` (else the other language), None if it has none."""
        p = self.provisions.get(iri)
        if p is None:
            return None
        return (p.title_en or p.title) if lang == "en" else (p.title or p.title_en)

    def position(self, iri: str | None) -> int:
        p = self.provisions.get(iri or "")
        return p.position if p else 10**6


QUERY = """
SELECT ?p ?parent ?order ?number ?notation ?title ?title_en ?es ?en WHERE {
  ?p a ssm:Provision .
  OPTIONAL { ?p eli:is_part_of ?parent }
  OPTIONAL { ?p ssm:order ?order }
  OPTIONAL { ?p eli:number ?number }
  OPTIONAL { ?p skos:notation ?notation }
  OPTIONAL { ?p eli:title ?title FILTER(lang(?title) = "es" || lang(?title) = "") }
  OPTIONAL { ?p eli:title ?title_en FILTER(langMatches(lang(?title_en), "en")) }
  OPTIONAL { ?p ssm:verbatimText ?es }
  OPTIONAL { ?p ssm:unofficialTranslation ?en }
}"""

DERIVED = """
SELECT DISTINCT ?r ?p WHERE {
  ?r prov:wasDerivedFrom ?p . ?p a ssm:Provision .
  FILTER NOT EXISTS { ?r a rdf:Statement }
}"""


def _num_key(number: str) -> tuple[int, str]:
    return (int(number), "") if number.isdigit() else (0, number)


def annex(site: Site) -> Annex:
    """The annex of `site`'s graph (memoized per data version)."""
    return site.memo("annex", lambda: _build(site))


def _build(site: Site) -> Annex:
    provs: dict[str, Provision] = {}
    for row in site.select(QUERY):
        iri = row["p"].value
        if iri in provs:
            continue
        order = row.get("order")
        number = row["number"].value if "number" in row else site.slug(iri)
        provs[iri] = Provision(
            iri=iri, slug=site.slug(iri), number=number,
            notation=(row["notation"].value if "notation" in row
                      else site.slug(iri).replace("-", ".")),
            order=int(order.value) if order is not None else 0,
            parent=row["parent"].value if "parent" in row else None,
            title=row["title"].value if "title" in row else None,
            title_en=row["title_en"].value if "title_en" in row else None,
            text_es=row["es"].value if "es" in row else None,
            text_en=row["en"].value if "en" in row else None,
        )
    for p in provs.values():
        if p.parent in provs:
            provs[p.parent].children.append(p.iri)
    for p in provs.values():
        p.children.sort(key=lambda c: (provs[c].order, _num_key(provs[c].number)))
    roots = sorted((p for p in provs.values() if p.parent not in provs),
                   key=lambda p: (p.order, p.notation))
    ordered: list[Provision] = []

    def walk(p: Provision, depth: int) -> None:
        p.depth, p.position = depth, len(ordered)
        ordered.append(p)
        for c in p.children:
            walk(provs[c], depth + 1)

    for r in roots:
        walk(r, 0)
    derived: dict[str, list[str]] = {}
    for row in site.select(DERIVED):
        derived.setdefault(row["p"].value, []).append(row["r"].value)
    for values in derived.values():
        values.sort()
    return Annex(provs, ordered, derived)
