"""Deterministic Turtle: the same graph always gives the same bytes (so `--check` can compare)."""

from __future__ import annotations

from rdflib import Graph


def serialize_turtle(graph: Graph) -> str:
    """rdflib's Turtle writer orders subjects, predicates and objects; we pin the rest.

    Prefixes are emitted only when used, in sorted order; there are no blank nodes.
    """
    text = graph.serialize(format="turtle")
    head, _, body = text.partition("\n\n")
    prefixes = sorted(line for line in head.splitlines() if line.startswith("@prefix"))
    return "\n".join(prefixes) + "\n\n" + body.strip() + "\n"
