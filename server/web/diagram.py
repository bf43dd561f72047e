"""A diagram of the ontology's main classes, drawn as SVG on the server.

Two parts, both laid out so that nothing overlaps:

- the class hierarchy: each tree (a reused class such as org:OrganizationalUnit and our classes
  below it) is a column, sub-classes stacked and indented under their super-class with a hollow
  arrow up to it; classes with no super-class in the picture share a last column;
- the main relations, one row each: domain box, an arrow labelled with the property, range box.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .ontology import OntologyView
from .site import Site
from .textwrap_svg import wrap

MARGIN, NODE_W, COL_GAP, INDENT, GAP_Y = 20, 210, 30, 24, 12
FONT, LINE, PAD = 14, 18, 9
LABEL_FONT, ARC_W, ROW_GAP = 13, 290, 14
# The relations drawn, by local name, most telling first (one row per pair of classes).
MAIN_PROPERTIES = ("heads", "hasFunction", "inArea", "areaOf", "administers", "maintains",
                   "actsInAbsenceOf", "servesAsSecretariatTo")


@dataclass
class DNode:
    iri: str
    href: str
    text: str
    external: bool
    x: float = 0
    y: float = 0
    w: float = NODE_W
    h: float = 0
    lines: list[str] = field(default_factory=list)

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    def place(self, x: float, y: float, w: float) -> None:
        self.x, self.y, self.w = x, y, w
        self.lines = wrap(self.text, w - 2 * PAD, FONT)
        self.h = 2 * PAD + LINE * len(self.lines) - 4


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
    relations_title: str = ""
    relations_y: float = 0


def _label(c, view: OntologyView) -> str:
    return c.labels.get(view.lang) or c.labels.get("es") or c.local


def build_diagram(site: Site, view: OntologyView, title: str, desc: str,
                  relations_title: str = "") -> Diagram:
    classes: dict[str, DNode] = {}
    parents: dict[str, list[str]] = {}
    for c in view.classes:
        classes[c.iri] = DNode(c.iri, f"#{c.local}", _label(c, view), False)
        parents[c.iri] = [s.iri for s in c.supers] + [a.iri for rel, a in c.alignments
                                                       if rel == "⊑"]
    for c in view.classes:
        for rel, a in c.alignments:
            if rel == "⊑" and a.iri not in classes:
                classes[a.iri] = DNode(a.iri, a.href, a.text, True)
                parents.setdefault(a.iri, [])
    # the main relations (their ends join the picture if they are not classes of ours)
    by_local = {p.local: p for p in view.properties if p.kind == "ObjectProperty"}
    relations: list[tuple[str, str, str]] = []
    pairs: set[tuple[str, str]] = set()
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
                    if end.iri not in classes:
                        classes[end.iri] = DNode(end.iri, end.href, end.text, True)
                        parents.setdefault(end.iri, [])
                if (d.iri, r.iri) not in pairs:
                    pairs.add((d.iri, r.iri))
                    relations.append((d.iri, r.iri, p.labels.get(view.lang, p.local)))

    # the hierarchy: one column per tree, the lone classes together in the last one
    children: dict[str, list[str]] = {}
    for child, ps in parents.items():
        placed = [p for p in ps if p in classes and p != child]
        if placed:
            children.setdefault(placed[0], []).append(child)
    for kids in children.values():
        kids.sort(key=lambda i: classes[i].text.casefold())
    roots = [i for i, ps in parents.items() if not any(p in classes and p != i for p in ps)]

    def size(i: str) -> int:
        return 1 + sum(size(c) for c in children.get(i, ()))

    trees = sorted((r for r in roots if children.get(r)),
                   key=lambda r: (-size(r), classes[r].text.casefold()))
    lone = sorted((r for r in roots if not children.get(r)),
                  key=lambda r: classes[r].text.casefold())
    edges: list[DEdge] = []
    bottom = MARGIN
    x = MARGIN

    def stack(i: str, depth: int, x0: float, y: float) -> float:
        node = classes[i]
        node.place(x0 + depth * INDENT, y, NODE_W - depth * INDENT)
        y += node.h + GAP_Y
        for c in children.get(i, ()):
            child = classes[c]
            top = y
            y = stack(c, depth + 1, x0, y)
            mid = top + child.h / 2
            spine = node.x + INDENT / 2
            edges.append(DEdge(f"M{child.x:.0f},{mid:.0f} H{spine:.0f} V{node.y + node.h:.0f}",
                               "sub"))
        return y

    for r in trees:
        bottom = max(bottom, stack(r, 0, x, MARGIN))
        x += NODE_W + COL_GAP
    if lone:
        y = MARGIN
        for r in lone:
            y = stack(r, 0, x, y)
        bottom = max(bottom, y)
        x += NODE_W + COL_GAP
    width = max(x - COL_GAP + MARGIN, 2 * MARGIN + 2 * NODE_W + ARC_W)

    # the relations, one row each, under the hierarchy
    nodes = list(classes.values())
    y = bottom + 20 + (LABEL_FONT + 14 if relations_title else 0)
    relations_y = bottom + 20
    for d, r, label in relations:
        a = DNode(d, classes[d].href, classes[d].text, classes[d].external)
        b = DNode(r, classes[r].href, classes[r].text, classes[r].external)
        a.place(MARGIN, y, NODE_W)
        b.place(MARGIN + NODE_W + ARC_W, y, NODE_W)
        h = max(a.h, b.h)
        a.h = b.h = h
        mid = y + h / 2
        edges.append(DEdge(f"M{a.x + a.w:.0f},{mid:.0f} H{b.x - 2:.0f}", "prop", label,
                           a.x + a.w + ARC_W / 2, mid - 6))
        nodes += [a, b]
        y += h + ROW_GAP + 6
    height = y - ROW_GAP + MARGIN
    return Diagram(nodes, edges, width, height, title, desc, relations_title, relations_y)
