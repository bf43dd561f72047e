"""The review's defects that need a browser: the chart on a phone, the SPARQL editor's results
and downloads, and unique landmarks (axe) on the search and 404 pages."""

from __future__ import annotations

import json

import pytest
from browserkit import AXE, shot


def _editor(page, site_url: str) -> None:
    response = page.goto(site_url + "sparql")
    if response is None or response.status == 404:
        pytest.skip("no /sparql endpoint in this build (server/sparql is not installed)")
    page.wait_for_selector(".cm-editor")


def _type_query(page, query: str) -> None:
    page.click(".cm-content")
    page.keyboard.press("Control+a")
    page.keyboard.type(query)
    page.click("#run")


def test_chart_on_a_phone_starts_at_the_top_of_the_tree(page, site_url: str) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(site_url)
    box = page.locator("#chart-scroll")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    assert box.evaluate("e => e.scrollLeft") > 0  # not stuck on the left-most column
    ssm = page.locator("svg.orgchart a[data-iri$='/id/unit/ssm'] rect").bounding_box()
    frame = box.bounding_box()
    assert ssm and frame
    assert frame["x"] <= ssm["x"] and ssm["x"] + ssm["width"] <= frame["x"] + frame["width"]
    assert page.is_visible(".scroll-hint")
    shot(page, "home-phone-chart")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert not page.is_visible(".scroll-hint")


def test_editor_results_hidden_until_run_short_iris_and_singular(page, site_url: str) -> None:
    _editor(page, site_url)
    assert page.is_hidden("#results")  # no empty "Resultados" on load
    _type_query(page, "PREFIX org: <http://www.w3.org/ns/org#>\n"
                      "SELECT ?u WHERE { ?u a org:OrganizationalUnit } ORDER BY ?u LIMIT 1")
    page.wait_for_selector("#result-table tbody tr")
    assert page.is_visible("#results")
    assert page.inner_text("#status").strip() in ("1 fila", "1 row")
    cell = page.locator("#result-table tbody td a").first
    assert cell.inner_text().startswith("unit:")
    assert cell.get_attribute("title").startswith(site_url + "id/unit/")


def test_editor_offers_rdf_downloads_for_construct(page, site_url: str) -> None:
    _editor(page, site_url)
    _type_query(page, "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 2")
    page.wait_for_selector("#result-table pre")
    formats = page.eval_on_selector_all("#downloads a[data-format]",
                                        "els => els.map(e => e.dataset.format)")
    assert formats == ["ttl", "jsonld", "rdf", "nt"]
    with page.expect_download() as info:
        page.click("#downloads a[data-format=ttl]")
    assert info.value.suggested_filename == "results.ttl"


def test_editor_explains_engine_errors_in_spanish(page, site_url: str) -> None:
    _editor(page, site_url)
    _type_query(page, "SELECT ?s WHERE { ?s ?p ")
    page.wait_for_selector("#status .error")
    status = page.inner_text("#status")
    assert "La consulta no es válida o no se pudo ejecutar" in status
    assert page.locator("#status .error code[lang=en]").count() == 1  # the engine's words


@pytest.mark.parametrize("path", ["search?q=lavado", "no-such-page", "annex", "void"])
def test_landmarks_are_unique(page, site_url: str, path: str) -> None:
    page.goto(site_url + path)
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations'],
            runOnly: {type: 'rule', values: ['landmark-unique', 'region', 'heading-order',
                                             'duplicate-id', 'landmark-no-duplicate-banner']}});
        return r.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}));
    }""")
    assert not result, json.dumps(result, indent=1, ensure_ascii=False)
