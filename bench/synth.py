"""Synthetic data of any size with the shape of data/ssm.ttl.

The graph is cloned whole, each clone's IRIs under `{base}id/` renamed (`id/unit/dsp` →
`id/unit/dsp-r3`) and blank nodes relabelled, so every clone is a self-contained copy of the annex:
the same units, sections, functions, provisions and statements in the same proportions. Copy 0
keeps the real IRIs, so queries about real units still find them. The last copy is cut to hit the
exact size, taking whole subjects in a fixed shuffled order (seeded), so even a partial copy keeps
roughly the graph's mix of classes and properties.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import RdfFormat, parse, serialize

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "ssm.ttl"
ID_BASE = "https://w3id.org/oas-ssm/id/"
_IRI = re.compile(r"<" + re.escape(ID_BASE) + r"([^>]+)>")
_BNODE = re.compile(r"(?<![\w\"])_:([A-Za-z0-9_]+)")


@dataclass
class Synth:
    path: Path
    triples: int
    copies: float  # how many clones of the annex, fractional for the cut one
    bytes: int


def template(data: Path = DATA, seed: int = 0) -> list[str]:
    """The data as N-Triples lines, grouped by subject, the groups in a seeded shuffled order."""
    with data.open("rb") as f:
        triples = list(parse(f, format=RdfFormat.TURTLE))
    lines = serialize(triples, format=RdfFormat.N_TRIPLES).decode().splitlines()
    groups: dict[str, list[str]] = defaultdict(list)
    for line in lines:
        if line.strip():
            groups[line.split(" ", 1)[0]].append(line)
    order = sorted(groups)
    random.Random(seed).shuffle(order)
    return [line for subject in order for line in groups[subject]]


def renamed(text: str, copy: int) -> str:
    """`text` (N-Triples) with every IRI under `id/` and every blank node made unique to `copy`."""
    if copy == 0:
        return text
    text = _IRI.sub(lambda m: f"<{ID_BASE}{m[1]}-r{copy}>", text)
    return _BNODE.sub(lambda m: f"_:{m[1]}r{copy}", text)


def generate(n: int, out: Path, data: Path = DATA, seed: int = 0) -> Synth:
    """Write exactly `n` triples (no duplicates) with the shape of `data` to `out` (N-Triples)."""
    lines = template(data, seed)
    block = "\n".join(lines) + "\n"
    written = copy = 0
    with out.open("w", encoding="utf-8") as f:
        while written < n:
            text = renamed(block, copy)
            if written + len(lines) <= n:
                f.write(text)
                written += len(lines)
            else:
                part = text.splitlines()[: n - written]
                f.write("\n".join(part) + "\n")
                written += len(part)
            copy += 1
    return Synth(out, written, written / len(lines), out.stat().st_size)
