"""Every resource of the annex has a page in both languages, the ontology and the annex too.

(How fast they render is `make bench`'s business: the document rows time pages end to end.)
"""

from __future__ import annotations

import pytest
from launcher import annex_files
from oas_ssm.server.config import Config
from oas_ssm.server.dataset import Dataset
from oas_ssm.server.web import render_resource_html
from oas_ssm.server.web.pages import annex_page, home_page
from oas_ssm.server.web.site import site_for


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    data, ontology = annex_files()
    return Dataset.load(Config(data=data, ontology=ontology))


def test_every_page_renders(dataset: Dataset) -> None:
    site = site_for(dataset)
    assert "<svg" in home_page(site, "es", "http://127.0.0.1/")
    for iri in dataset.resources():
        for lang in ("es", "en"):
            page = render_resource_html(dataset, iri, lang)
            assert page and f'<html lang="{lang}"' in page, (iri, lang)
    assert 'id="III-G-3"' in annex_page(site, "en")
    ontology = render_resource_html(dataset, dataset.ontology_iri, "en")
    assert ontology and "ssm:Section" in ontology


def test_unknown_iri_renders_nothing(dataset: Dataset) -> None:
    assert render_resource_html(dataset, dataset.base + "id/unit/nope", "es") is None
