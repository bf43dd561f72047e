"""Shared fixtures: the parsed annex and the committed graph, loaded once per session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from oas_ssm.paths import DATA, SOURCE
from oas_ssm.provisions import Provision, load_provisions
from rdflib import Graph


@pytest.fixture(scope="session", autouse=True)
def state_dir(tmp_path_factory) -> Iterator[None]:
    """Built stores and query slots of this session's servers in a folder of its own: the
    machine-wide query bound is shared by everything using one state dir, and other test runs
    on the machine must not share it."""
    previous = os.environ.get("SSM_STATE_DIR")
    os.environ["SSM_STATE_DIR"] = str(tmp_path_factory.mktemp("ssm-state"))
    yield
    if previous is None:
        os.environ.pop("SSM_STATE_DIR", None)
    else:
        os.environ["SSM_STATE_DIR"] = previous


@pytest.fixture(scope="session")
def provisions() -> dict[str, Provision]:
    return load_provisions(SOURCE)


@pytest.fixture(scope="session")
def data_graph() -> Graph:
    return Graph().parse(DATA)
