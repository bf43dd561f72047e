"""The site in a real browser: chart, click-through, languages, editor, search, accessibility."""

from __future__ import annotations

import json
import re

import pyoxigraph as ox
import pytest
from browserkit import AXE, shot
from launcher import annex_files

UNITS_QUERY = """
PREFIX org: <http://www.w3.org/ns/org#>
SELECT DISTINCT ?u WHERE { ?u org:subOrganizationOf+ <https://w3id.org/oas-ssm/id/unit/ssm> }"""


def units_in_data() -> set[str]:
    """Slugs of the SSM and every unit under it, straight from the Turtle file."""
    store = ox.Store()
    store.load(path=str(annex_files()[0]), format=ox.RdfFormat.TURTLE)
    found = {r["u"].value.rsplit("/", 1)[-1] for r in store.query(UNITS_QUERY)}
    return found | {"ssm"}


def test_home_chart_shows_every_unit(page, site_url: str) -> None:
    page.goto(site_url)
    assert page.get_attribute("html", "lang") == "es"
    boxes = page.locator("svg.orgchart a[data-kind=unit]")
    drawn = {iri.rsplit("/", 1)[-1] for iri in boxes.evaluate_all(
        "els => els.map(e => e.getAttribute('data-iri'))")}
    expected = units_in_data()
    assert expected <= drawn, expected - drawn
    for label in boxes.evaluate_all("els => els.map(e => e.getAttribute('aria-label'))"):
        assert label and label.strip()
    shot(page, "home-es")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "home-phone")


def test_click_through_unit_section_function_annex_and_back(page, site_url: str) -> None:
    page.goto(site_url)
    page.click("svg.orgchart a[data-iri$='/id/unit/se-cicad']")
    page.wait_for_selector("h1")
    assert "Control del Abuso de Drogas" in page.inner_text("h1")
    unit_url = page.url
    page.click("section[aria-labelledby=h-sub] a[href$='/id/unit/seccion-antilavado-activos']")
    assert "Antilavado" in page.inner_text("h1")
    section_url = page.url
    shot(page, "section-aml")
    page.click("ol.functions a.fn-num >> nth=0")
    assert re.search(r"III\.G\.1", page.inner_text("h1"))
    function_url = page.url
    page.click("section[aria-labelledby=h-text] a[href*='/annex#']")
    assert page.url.endswith("/annex#III-G-1")
    target = page.locator(":target")
    assert "lavado de activos" in target.inner_text()
    assert target.locator("a[href$='/id/function/III-G-1']").count() == 1
    shot(page, "annex-III-G-1")
    page.go_back()
    assert page.url == function_url
    page.go_back()
    assert page.url == section_url
    page.go_back()
    assert page.url == unit_url


def test_switch_to_english_keeps_the_page_and_is_remembered(page, site_url: str) -> None:
    page.goto(site_url + "annex")
    page.click("a.lang-switch")
    assert page.url.rstrip("/").endswith("/annex")
    assert page.get_attribute("html", "lang") == "en"
    page.goto(site_url)
    assert page.get_attribute("html", "lang") == "en"
    chart = page.inner_text("body")
    assert "Secretariat for Multidimensional Security" in chart
    assert page.locator("svg.orgchart a[aria-label^='Anti-Money Laundering Section']").count() == 1
    shot(page, "home-en")
    page.click("a.lang-switch")
    assert page.get_attribute("html", "lang") == "es"


def test_search_lavado_lands_on_the_aml_section(page, site_url: str) -> None:
    page.goto(site_url)
    page.fill("#site-q", "lavado")
    page.press("#site-q", "Enter")
    page.wait_for_selector("ol.hits")
    shot(page, "search-lavado")
    page.click("ol.hits a >> nth=0")
    assert page.inner_text("h1").startswith("Sección Antilavado de Activos")


def test_editor_runs_an_example_and_shows_a_table(page, site_url: str) -> None:
    response = page.goto(site_url + "sparql")
    if response is None or response.status == 404:
        pytest.skip("no /sparql endpoint in this build (server/sparql is not installed)")
    page.wait_for_selector(".cm-editor")
    page.click("a.example >> nth=0")
    page.wait_for_selector("#result-table table tbody tr")
    assert page.locator("#result-table th").count() >= 1
    assert "query=" in page.url  # permalink
    assert page.locator("#downloads a[data-format=csv]").count() == 1
    shot(page, "sparql-editor")


PAGES = ["", "annex", "id/unit/se-cicad", "id/function/III-G-1",
         "id/post/secretario-seguridad-multidimensional",
         "def/ssm", "search?q=lavado", "sparql"]


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(page, site_url: str, path: str) -> None:
    response = page.goto(site_url + path)
    if path == "sparql" and response is not None and response.status == 404:
        pytest.skip("no /sparql endpoint in this build")
    assert response is not None and response.status == 200
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    assert not bad, json.dumps(bad, indent=1, ensure_ascii=False)
