"""Fixtures of the web tests: a real server over the small fixture graph (exact checks)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from launcher import FIXTURE_DATA, FIXTURE_ONTOLOGY, serve


@pytest.fixture(scope="session")
def web_url() -> Iterator[str]:
    """URL (ending in '/') of `ssm serve` over tests/web/fixtures, IRIs rewritten to it."""
    with serve(FIXTURE_DATA, FIXTURE_ONTOLOGY, ports=(8300, 8349)) as url:
        yield url
