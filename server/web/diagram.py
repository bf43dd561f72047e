"""A diagram of the ontology's main classes, drawn as SVG on the server.

Nodes: the ontology's classes and the reused classes they specialise (org:Organization …).
Layers by sub-class depth (super-classes on top); hollow arrows for rdfs:subClassOf, labelled
arcs for the object properties whose domain and range are both drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .ontology import OntologyView
from .site import Site
from .textwrap_svg import wrap

NODE_W, NODE_GAP, LAYER_GAP, MARGIN = 150, 22, 86, 20
# The relations drawn as arcs, by local name, most telling first (one arc per pair of classes).
MAIN_PROPERTIES = ("heads", "hasFunction", "inArea", "areaOf", "administers", "maintains",
                   "actsInAbsenceOf", "servesAsSecretariatTo")
FONT, LINE = 12, 15


@dataclass
class DNode:
    iri: str
    href: str
    text: str
    external: bool
    layer: int = 0
    x: float = 0
    y: float = 0
    h: float = 0
    lines: list[str] = field(default_factory=list)

    @property
    def cx(self) -> float:
        return self.x + NODE_W / 2


@dataclass
class DEdge:
    d: str
    kind: str  # "sub" | "prop"
    label: str = ""
    lx: float = 0
    ly: float = 0


@dataclass
class Diagram:
    nodes: list[DNode]
    edges: list[DEdge]
    width: float
    height: float
    title: str
    desc: str


def build_diagram(site: Site, view: OntologyView, title: str, desc: str) -> Diagram:
    nodes: dict[str, DNode] = {}
    parents: dict[str, list[str]] = {}
    for c in view.classes:
        nodes[c.iri] = DNode(c.iri, f"#{c.local}", _label(c, view), False)
        parents[c.iri] = [s.iri for s in c.supers] + [a.iri for rel, a in c.alignments
                                                       if rel == "⊑"]
    for c in view.classes:
        for rel, a in c.alignments:
            if rel == "⊑" and a.iri not in nodes:
                nodes[a.iri] = DNode(a.iri, a.href, a.text, True)
                parents.setdefault(a.iri, [])
    # layer = longest chain of super-classes above
    def layer(i: str, seen: frozenset = frozenset()) -> int:
        ps = [p for p in parents.get(i, []) if p in nodes and p not in seen]
        return 0 if not ps else 1 + max(layer(p, seen | {i}) for p in ps)

    # property arcs: the main relations only (a full picture is the property list below)
    by_local = {p.local: p for p in view.properties if p.kind == "ObjectProperty"}
    props = []
    pairs: set[frozenset] = set()
    for local in MAIN_PROPERTIES:
        p = by_local.get(local)
        if p is None:
            continue
        for dom in p.domain:
            for rng in p.range:
                if len(dom) != 1 or len(rng) != 1:
                    continue
                d, r = dom[0], rng[0]
                for end in (d, r):
                    if end.iri not in nodes:
                        nodes[end.iri] = DNode(end.iri, end.href, end.text, True)
                        parents.setdefault(end.iri, [])
                pair = frozenset((d.iri, r.iri))
                if pair not in pairs:
                    pairs.add(pair)
                    props.append((d.iri, r.iri, p.labels.get(view.lang, p.local)))
    for n in nodes.values():
        n.layer = layer(n.iri)
    layers: dict[int, list[DNode]] = {}
    for n in nodes.values():
        layers.setdefault(n.layer, []).append(n)
    # order: top layer by connectivity, lower layers under their parents (barycentre)
    degree = {i: 0 for i in nodes}
    for d, r, _ in props:
        degree[d] += 1
        degree[r] += 1
    width = 2 * MARGIN + max(len(r) * (NODE_W + NODE_GAP) - NODE_GAP for r in layers.values())
    arc_room = 40 + 0.09 * width + 20
    y = MARGIN + arc_room
    for li in sorted(layers):
        row = layers[li]
        if li == 0:
            row.sort(key=lambda n: (n.external is False, -degree[n.iri], n.text))
        else:
            row.sort(key=lambda n: (_bary(n, parents, nodes), n.text))
        row_w = len(row) * (NODE_W + NODE_GAP) - NODE_GAP
        x = (width - row_w) / 2
        h = 0.0
        for n in row:
            n.lines = wrap(n.text, NODE_W - 12, FONT)
            n.h = 12 + LINE * len(n.lines)
            n.x, n.y = x, y
            x += NODE_W + NODE_GAP
            h = max(h, n.h)
        y += h + LAYER_GAP
    edges: list[DEdge] = []
    for child, ps in parents.items():
        for p in ps:
            if child in nodes and p in nodes:
                c, q = nodes[child], nodes[p]
                edges.append(DEdge(f"M{c.cx:.0f},{c.y:.0f} L{q.cx:.0f},{q.y + q.h:.0f}", "sub"))
    for i, (d, r, label) in enumerate(sorted(props)):
        a, b = nodes[d], nodes[r]
        if a is b:
            x0, y0 = a.x + NODE_W - 20, a.y
            path = f"M{x0:.0f},{y0:.0f} c0,-34 36,-34 36,0"
            edges.append(DEdge(path, "prop", label, x0 + 18, y0 - 30))
            continue
        lift = 24 + 0.09 * abs(a.cx - b.cx) + 10 * (i % 3)
        y0 = min(a.y, b.y)
        top = y0 - lift
        path = (f"M{a.cx + 10:.0f},{a.y:.0f} C{a.cx + 10:.0f},{top:.0f} "
                f"{b.cx - 10:.0f},{top:.0f} {b.cx - 10:.0f},{b.y:.0f}")
        edges.append(DEdge(path, "prop", label, (a.cx + b.cx) / 2, 0.25 * y0 + 0.75 * top - 3))
    return Diagram(list(nodes.values()), edges, width, y - LAYER_GAP + MARGIN, title, desc)


def _label(c, view: OntologyView) -> str:
    return c.labels.get(view.lang) or c.labels.get("es") or c.local


def _bary(n: DNode, parents: dict[str, list[str]], nodes: dict[str, DNode]) -> float:
    xs = [nodes[p].x for p in parents.get(n.iri, []) if p in nodes]
    return sum(xs) / len(xs) if xs else 1e9
