"""The home page: the organization chart, then what the dataset is and how to use it."""

from __future__ import annotations

from dataclasses import dataclass, field

from .chart import Chart, Node, build_chart
from .describe import licence_name
from .model import Link
from .site import Site


@dataclass
class Home:
    chart: Chart | None
    tree: list[Node]
    licence: Link | None
    dumps: list[Link] = field(default_factory=list)
    counts: list[tuple[str, int]] = field(default_factory=list)


COUNTS = (
    ("group_post", "org:Post"),
    ("group_function", "ssm:Function"),
    ("group_body", "ssm:Body"),
    ("provisions_count", "ssm:Provision"),
)


def build_home(site: Site, lang: str) -> Home:
    chart = build_chart(site, lang)
    roots = [n for n in chart.nodes if n.depth == 1] if chart else []
    ds = site.select("""SELECT ?ds ?p ?o WHERE { ?ds a void:Dataset .
        VALUES ?p { dcterms:license void:dataDump } ?ds ?p ?o }""")
    # A licence by the IRI people know (Creative Commons'), where the description matches one.
    licences = sorted(
        next((m["cc"].value for m in site.select(
            "SELECT ?cc WHERE { ?this skos:exactMatch ?cc }", this=r["o"].value)), r["o"].value)
        for r in ds if r["p"].value.endswith("license"))
    if not licences:
        licences = sorted(r["o"].value for r in site.select(
            "SELECT ?l WHERE { ?o a owl:Ontology ; dcterms:license ?l }"))
    dumps = sorted({r["o"].value for r in ds if r["p"].value.endswith("dataDump")})
    # The SSM's own units: the SSM and every unit below it, not the General Secretariat's others.
    ssm_units = site.select("""SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {
        { ?x org:transitiveSubOrganizationOf ?root } UNION { BIND(?root AS ?x) }
        ?x a org:OrganizationalUnit . }""",
                            root=site.id("unit", "ssm"))
    counts = [("ssm_units", int(ssm_units[0]["n"].value) if ssm_units else 0)]
    for key, cls in COUNTS:
        rows = site.select(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {cls} }}")
        counts.append((key, int(rows[0]["n"].value) if rows else 0))
    return Home(
        chart=chart, tree=roots,
        licence=Link(licences[0], licences[0], licence_name(licences[0])) if licences else None,
        dumps=[Link(d, site.href(d), d.rsplit("/", 1)[-1]) for d in dumps],
        counts=counts,
    )
