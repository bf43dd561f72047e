"""Fixtures of the standards tests: the real data served in-process (Flask's test client)."""

from __future__ import annotations

import pytest
from oas_ssm.server.app import create_app
from oas_ssm.server.config import Config
from oas_ssm.server.dataset import Dataset

BASE = "http://localhost/"


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    """The annex data and ontology, IRIs served under the test client's own base."""
    return Dataset.load(Config().with_base(BASE))


@pytest.fixture(scope="session")
def client(dataset):
    return create_app(Config().with_base(BASE), dataset).test_client()
