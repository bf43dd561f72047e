"""Shared fixtures: the parsed annex and the committed graph, loaded once per session."""

from __future__ import annotations

import pytest
from oas_ssm.paths import DATA, SOURCE
from oas_ssm.provisions import Provision, load_provisions
from rdflib import Graph


@pytest.fixture(scope="session")
def provisions() -> dict[str, Provision]:
    return load_provisions(SOURCE)


@pytest.fixture(scope="session")
def data_graph() -> Graph:
    return Graph().parse(DATA)
