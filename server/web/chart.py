"""The SSM organization chart, laid out on the server and drawn as SVG.

The tree comes from the graph: units under the SSM by org:subOrganizationOf (either direction),
the posts heading them (ssm:heads / ssm:headedBy), the reporting lines between those posts
(org:reportsTo) and the DSP's areas of work (ssm:areaOf), which are drawn dashed: not units.
Layout: the SSM's direct units side by side as columns, everything below them stacked and
indented in their column, so the chart stays readable at any depth.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .i18n import translate
from .resource import positions
from .site import Site
from .textwrap_svg import wrap

MARGIN = 16
BOX_W = 220
GAP_X = 18
GAP_Y = 14
INDENT = 18
PAD = 8
NAME_PX, NAME_LH = 13, 16
HEAD_PX, HEAD_LH = 11, 14
LEVEL_GAP = 44


@dataclass
class Node:
    iri: str
    href: str
    name: str
    acronym: str | None
    css: str  # secretariat | office | department | section | area | unit
    head: str | None = None  # IRI of the post heading it
    head_name: str | None = None
    children: list[Node] = field(default_factory=list)
    depth: int = 0
    x: float = 0
    y: float = 0
    w: float = BOX_W
    h: float = 0
    name_lines: list[str] = field(default_factory=list)
    head_lines: list[str] = field(default_factory=list)

    @property
    def is_area(self) -> bool:
        return self.css == "area"


@dataclass
class Edge:
    d: str  # SVG path data
    reports: bool  # the child's head reports to the parent's head (arrow)
    dashed: bool = False


@dataclass
class Chart:
    nodes: list[Node]
    edges: list[Edge]
    width: float
    height: float
    title: str
    desc: str
    lang: str
    legend_y: float = 0

    @property
    def units(self) -> list[Node]:
        return [n for n in self.nodes if not n.is_area]


TYPE_CSS = (("Secretariat", "secretariat"), ("ExecutiveOffice", "office"),
            ("Department", "department"), ("Section", "section"))


def _graph(site: Site):
    """Parent→children, unit types, heads and reporting lines (memoized per data version)."""
    def build():
        children: dict[str, set[str]] = {}
        for r in site.select("""SELECT DISTINCT ?c ?p WHERE {
                { ?c org:subOrganizationOf ?p } UNION { ?p org:hasSubOrganization ?c }
                ?c a org:OrganizationalUnit . }"""):
            children.setdefault(r["p"].value, set()).add(r["c"].value)
        areas: dict[str, set[str]] = {}
        for r in site.select("""SELECT DISTINCT ?a ?u WHERE {
                { ?a ssm:areaOf ?u } UNION { ?u ssm:hasArea ?a } }"""):
            areas.setdefault(r["u"].value, set()).add(r["a"].value)
        types: dict[str, set[str]] = {}
        for r in site.select("SELECT DISTINCT ?u ?t WHERE { ?u a ?t . "
                             "?u a org:OrganizationalUnit }"):
            types.setdefault(r["u"].value, set()).add(r["t"].value)
        heads: dict[str, str] = {}
        for r in site.select("""SELECT DISTINCT ?post ?u WHERE {
                { ?post ssm:heads ?u } UNION { ?u ssm:headedBy ?post } } ORDER BY ?post"""):
            heads.setdefault(r["u"].value, r["post"].value)
        reports: dict[str, set[str]] = {}
        for r in site.select("SELECT DISTINCT ?a ?b WHERE { ?a org:reportsTo ?b }"):
            reports.setdefault(r["a"].value, set()).add(r["b"].value)
        parents: dict[str, str] = {}
        for r in site.select("""SELECT DISTINCT ?c ?p WHERE {
                { ?c org:subOrganizationOf ?p } UNION { ?c org:unitOf ?p } } ORDER BY ?c ?p"""):
            parents.setdefault(r["c"].value, r["p"].value)
        posts: dict[str, set[str]] = {}
        for r in site.select("""SELECT DISTINCT ?post ?u WHERE {
                { ?post org:postIn ?u } UNION { ?u org:hasPost ?post } }"""):
            posts.setdefault(r["u"].value, set()).add(r["post"].value)
        return children, areas, types, heads, reports, parents, posts
    return site.memo("chart_graph", build)


def root_unit(site: Site) -> str | None:
    root = site.id("unit", "ssm")
    return root if site.ask("ASK { ?this a ?t }", this=root) else None


def build_chart(site: Site, lang: str) -> Chart | None:
    """The laid-out chart in `lang` (memoized per data version and language)."""
    return site.memo(("chart", lang), lambda: _build(site, lang))


def _node(site: Site, iri: str, lang: str, css: str, heads: dict[str, str]) -> Node:
    lab = site.label(iri, lang)
    acronym = lab.acronym if lab.acronym and lab.acronym != lab.text else None
    head = heads.get(iri)
    return Node(iri=iri, href=site.href(iri), name=lab.text, acronym=acronym, css=css, head=head,
                head_name=site.label(head, lang).text if head else None)


def _css(site: Site, types: set[str]) -> str:
    for local, css in TYPE_CSS:
        if site.ssm + local in types:
            return css
    return "unit"


def _build(site: Site, lang: str) -> Chart | None:
    root_iri = root_unit(site)
    if root_iri is None:
        return None
    children, areas, types, heads, reports, parents, posts = _graph(site)
    pos = positions(site)

    def order(iris):
        return sorted(iris, key=lambda i: (pos.get(i, 10**6), site.label(i, lang).text.casefold()))

    seen: set[str] = set()

    def grow(iri: str, depth: int) -> Node:
        seen.add(iri)
        node = _node(site, iri, lang, _css(site, types.get(iri, set())), heads)
        node.depth = depth
        for c in order(children.get(iri, ())):
            if c not in seen:
                node.children.append(grow(c, depth + 1))
        for a in order(areas.get(iri, ())):
            area = _node(site, a, lang, "area", heads)
            area.depth = depth + 1
            node.children.append(area)
        return node

    root = grow(root_iri, 1)
    top = None
    if root_iri in parents and parents[root_iri] in types:
        top = _node(site, parents[root_iri], lang, _css(site, types[parents[root_iri]]), heads)
        top.depth = 0
        top.children = [root]
    _boss_posts(site, top or root, reports, posts, lang)
    return _layout(top, root, reports, lang)


def _boss_posts(site: Site, node: Node, reports: dict[str, set[str]],
                posts: dict[str, set[str]], lang: str) -> None:
    """Name the post of a unit no post is said to head, when the head of a unit below reports to
    one of its posts (I.D: the Secretary "responde al Secretario General", a post in the SG/OEA),
    so that reporting line is drawn as an arrow like the others."""
    for child in node.children:
        _boss_posts(site, child, reports, posts, lang)
    if node.head or node.is_area:
        return
    for child in node.children:
        bosses = sorted(reports.get(child.head or "", set()) & posts.get(node.iri, set()))
        if bosses:
            node.head, node.head_name = bosses[0], site.label(bosses[0], lang).text
            return


def _measure(n: Node) -> None:
    inner = n.w - 2 * PAD
    name = n.name + (f" ({n.acronym})" if n.acronym else "")
    n.name_lines = wrap(name, inner, NAME_PX)
    n.head_lines = wrap(n.head_name, inner - 12, HEAD_PX) if n.head_name else []
    n.h = 2 * PAD + len(n.name_lines) * NAME_LH + len(n.head_lines) * HEAD_LH + (
        4 if n.head_lines else 0)


def _layout(top: Node | None, root: Node, reports: dict[str, set[str]], lang: str) -> Chart:
    columns = root.children or []
    width = max(BOX_W + 2 * MARGIN, 2 * MARGIN + len(columns) * (BOX_W + GAP_X) - GAP_X)
    nodes: list[Node] = []
    edges: list[Edge] = []
    y = MARGIN

    def reports_line(child: Node, parent: Node) -> bool:
        return bool(child.head and parent.head and parent.head in reports.get(child.head, ()))

    if top is not None:
        _measure(top)
        top.x, top.y = (width - BOX_W) / 2, y
        nodes.append(top)
        y += top.h + LEVEL_GAP
    _measure(root)
    root.x, root.y = (width - BOX_W) / 2, y
    nodes.append(root)
    if top is not None:
        cx = root.x + BOX_W / 2
        edges.append(Edge(f"M{cx:.0f},{root.y:.0f} V{top.y + top.h:.0f}", reports_line(root, top)))
    y += root.h + LEVEL_GAP
    bottom = y
    for i, col in enumerate(columns):
        col.x, col.y = MARGIN + i * (BOX_W + GAP_X), y
        col.w = BOX_W
        _measure(col)
        nodes.append(col)
        cx, bus = col.x + BOX_W / 2, y - LEVEL_GAP / 2
        rx = root.x + BOX_W / 2
        edges.append(Edge(f"M{cx:.0f},{col.y:.0f} V{bus:.0f} H{rx:.0f} V{root.y + root.h:.0f}",
                          reports_line(col, root), dashed=col.is_area))
        cursor = col.y + col.h + GAP_Y

        def stack(parent: Node, cursor: float, col: Node = col) -> float:
            for child in parent.children:
                offset = (child.depth - 2) * INDENT
                child.x, child.y, child.w = col.x + offset, cursor, BOX_W - offset
                _measure(child)
                nodes.append(child)
                mid, px = child.y + child.h / 2, parent.x + INDENT / 2
                edges.append(Edge(f"M{child.x:.0f},{mid:.0f} H{px:.0f} V{parent.y + parent.h:.0f}",
                                  reports_line(child, parent), dashed=child.is_area))
                cursor = stack(child, cursor + child.h + GAP_Y, col)
            return cursor

        bottom = max(bottom, stack(col, cursor))
    # reporting lines that do not follow the tree (drawn dashed, straight)
    by_head = {n.head: n for n in nodes if n.head}
    parent_of = {c.iri: n for n in nodes for c in n.children}
    if top is not None:
        parent_of[root.iri] = top
    for n in nodes:
        for boss in sorted(reports.get(n.head or "", ())):
            target = by_head.get(boss)
            parent = parent_of.get(n.iri)
            if target is None or (parent is not None and parent.head == boss):
                continue
            edges.append(Edge(f"M{n.x + n.w:.0f},{n.y + 10:.0f} L{target.x + target.w:.0f},"
                              f"{target.y + target.h - 10:.0f}", True, dashed=True))
    legend_y = bottom + 4
    height = legend_y + 28
    return Chart(nodes, edges, width, height, translate("chart_title", lang),
                 translate("chart_desc", lang), lang, legend_y)
