"""Server-side rendering stays under 50 ms a page on the annex data, and is cached after that."""

from __future__ import annotations

import statistics
import time

import pytest
from launcher import annex_files
from oas_ssm.server.config import Config
from oas_ssm.server.dataset import Dataset
from oas_ssm.server.web import render_ontology_html, render_resource_html
from oas_ssm.server.web.pages import annex_page, home_page
from oas_ssm.server.web.site import site_for


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    data, ontology = annex_files()
    return Dataset.load(Config(data=data, ontology=ontology))


def timed(render) -> float:
    start = time.perf_counter()
    assert render()
    return (time.perf_counter() - start) * 1000


def test_every_page_renders_fast_and_is_cached(dataset: Dataset) -> None:
    site = site_for(dataset)
    first = timed(lambda: home_page(site, "es", "http://127.0.0.1/"))  # builds the shared indexes
    assert first < 2000
    cold = []
    for iri in dataset.resources():
        for lang in ("es", "en"):
            cold.append(timed(lambda iri=iri, lang=lang: render_resource_html(dataset, iri, lang)))
    cold.append(timed(lambda: annex_page(site, "en")))
    cold.append(timed(lambda: render_ontology_html(dataset, "en")))
    assert statistics.median(cold) < 50, statistics.median(cold)
    assert sorted(cold)[int(len(cold) * 0.95)] < 50, sorted(cold)[-10:]
    warm = [timed(lambda iri=iri: render_resource_html(dataset, iri, "es"))
            for iri in dataset.resources()]
    assert max(warm) < 5, max(warm)


def test_unknown_iri_renders_nothing(dataset: Dataset) -> None:
    assert render_resource_html(dataset, dataset.base + "id/unit/nope", "es") is None
