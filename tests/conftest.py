"""Shared fixtures: the parsed annex and the committed graph, loaded once per session."""

from __future__ import annotations

import pytest
from rdflib import Graph

from scripts.paths import DATA, SOURCE
from scripts.provisions import Provision, load_provisions


@pytest.fixture(scope="session")
def provisions() -> dict[str, Provision]:
    return load_provisions(SOURCE)


@pytest.fixture(scope="session")
def data_graph() -> Graph:
    return Graph().parse(DATA)
