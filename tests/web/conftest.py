"""Fixtures of the web tests: the app over the small fixture graph, in-process (exact checks)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from launcher import FIXTURE_DATA, FIXTURE_ONTOLOGY

from tests.server.conftest import in_process


@pytest.fixture(scope="session")
def web_url() -> Iterator[str]:
    """URL (ending in '/') of the app over tests/web/fixtures, IRIs rewritten to it."""
    with in_process(FIXTURE_DATA, FIXTURE_ONTOLOGY, base_uri=True, origin="http://web.test") as s:
        yield s.url
