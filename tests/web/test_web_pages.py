"""The HTML pages of a real server over the fixture graph: content, links, languages."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
import requests

HTML = {"Accept": "text/html", "Accept-Language": "es"}
UNITS = ["ssm", "oficina-ejecutiva", "seccion-apoyo-administrativo", "se-cicad",
         "seccion-antilavado-de-activos", "oid", "s-cicte", "dsp"]


def get(url: str, **headers: str) -> requests.Response:
    return requests.get(url, headers={**HTML, **headers}, timeout=30)


def page(url: str, **headers: str) -> str:
    r = get(url, **headers)
    assert r.status_code == 200, (url, r.status_code, r.text[:500])
    assert r.headers["Content-Type"].startswith("text/html")
    return r.text


def test_home_draws_every_unit_in_the_chart(web_url: str) -> None:
    html = page(web_url)
    assert '<html lang="es">' in html
    svg = html[html.index("<svg"):html.index("</svg>") + 6]
    for slug in UNITS:
        assert f'data-iri="{web_url}id/unit/{slug}"' in svg, slug
        assert f'href="/id/unit/{slug}"' in svg
    assert "Secretario Ejecutivo de la CICAD" in svg  # the post heading SE/CICAD
    assert 'marker-end="url(#oc-arrow)"' in svg  # reporting lines
    assert 'data-kind="area"' in svg  # the DSP's area, drawn but not as a unit
    for text in ("/sparql", "/def/ssm", "/annex", "CC BY 4.0", "/chart.svg"):
        assert text in html


def test_chart_downloads_as_standalone_svg(web_url: str) -> None:
    r = get(web_url + "chart.svg")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(r.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}title") is not None


def test_unit_page(web_url: str) -> None:
    html = page(web_url + "id/unit/se-cicad")  # 303 to the document, followed
    assert "<h1>Secretaría Ejecutiva de la Comisión Interamericana" in html
    assert "SE/CICAD" in html
    # breadcrumb up the hierarchy
    start = html.index('class="breadcrumb"')
    crumbs = html[start:html.index("</nav>", start)]
    assert 'href="/id/unit/ssm"' in crumbs and 'href="/id/unit/sg"' in crumbs
    # sub-units, posts and whom they report to
    assert 'href="/id/unit/seccion-antilavado-de-activos"' in html
    assert 'href="/id/post/secretario-ejecutivo-cicad"' in html
    assert "Responde a" in html and 'href="/id/post/secretario-ssm"' in html
    # functions numbered as in the annex, verbatim Spanish and unofficial English
    assert 'href="/id/function/III-B-6">III.B.6</a>' in html
    mem = "Administra el Mecanismo de Evaluación Multilateral."
    assert f'<p class="verbatim" lang="es">{mem}</p>' in html
    assert 'lang="en"' in html and "Administers the Multilateral Evaluation Mechanism." in html
    assert "traducción no oficial" in html
    # relations, with the paragraph stating them
    assert "administra" in html and 'href="/id/instrument/mem"' in html
    assert 'href="/annex#III-B-6"' in html
    assert "actúa como secretaría de" in html and 'href="/id/body/cicad"' in html
    # RDF alternates and embedded JSON-LD
    for ext, media in (("ttl", "text/turtle"), ("jsonld", "application/ld+json"),
                       ("rdf", "application/rdf+xml"), ("nt", "application/n-triples")):
        assert f'<link rel="alternate" type="{media}" href="/doc/unit/se-cicad.{ext}"' in html
    data = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    doc = json.loads(data)
    assert doc["@id"] == web_url + "id/unit/se-cicad"
    assert "ssm:Secretariat" in doc["@type"]


def test_section_page_threats_and_provisions(web_url: str) -> None:
    html = page(web_url + "id/unit/seccion-antilavado-de-activos")
    assert 'href="/id/concept/lavado-de-activos"' in html  # org:purpose
    assert 'href="/annex#III-G"' in html  # prov:wasDerivedFrom
    assert "representa ante" in html and 'href="/id/body/gafi"' in html
    assert 'href="/annex#III-G-3"' in html  # the statement's provision


def test_post_function_provision_concept_pages(web_url: str) -> None:
    post = page(web_url + "id/post/secretario-ejecutivo-adjunto-cicad")
    assert "Sustituye en ausencia a" in post
    assert 'href="/id/post/secretario-ejecutivo-cicad"' in post
    function = page(web_url + "id/function/III-G-1")
    assert "Función de" in function and 'href="/id/unit/seccion-antilavado-de-activos"' in function
    assert 'href="/id/concept/lavado-de-activos"' in function
    provision = page(web_url + "id/provision/III-B-6")
    assert 'href="/id/function/III-B-6"' in provision and 'href="/annex#III-B-6"' in provision
    concept = page(web_url + "id/concept/lavado-de-activos")
    assert 'href="/id/unit/seccion-antilavado-de-activos"' in concept


def test_annex_page_has_every_paragraph_as_anchor(web_url: str) -> None:
    html = page(web_url + "annex")
    for slug in ("I", "I-A", "II-A-4", "III-B-6", "III-G", "III-G-3"):
        assert f'id="{slug}"' in html, slug
    anchor = html.index('id="III-B-6"')
    block = html[anchor:anchor + 1500]
    assert "Administra el Mecanismo de Evaluación Multilateral." in block
    assert 'href="/id/function/III-B-6"' in block  # resources derived from it
    assert html.index('id="II-A-4"') < html.index('id="III-B-6"') < html.index('id="III-G-3"')


def test_ontology_page(web_url: str) -> None:
    html = page(web_url + "def/ssm")
    for local in ("Section", "Secretariat", "Function", "hasFunction", "servesAsSecretariatTo"):
        assert f'id="{local}"' in html, local
    assert 'lang="en">Section</dd>' in html and 'lang="es">Sección</dd>' in html
    assert 'class="odiagram"' in html
    assert "http://www.w3.org/ns/org#OrganizationalUnit" in html  # ORG alignment
    assert "1.0.0" in html  # header metadata


def test_unknown_resource_is_404_without_traceback(web_url: str) -> None:
    r = get(web_url + "doc/unit/no-such-unit")
    assert r.status_code == 404
    assert "Traceback" not in r.text


def test_static_assets_are_fingerprinted_and_cached(web_url: str) -> None:
    html = page(web_url)
    css = re.search(r'href="(/static/app\.[0-9a-f]{10}\.css)"', html).group(1)
    r = requests.get(web_url.rstrip("/") + css, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/css")
    assert "max-age=31536000" in r.headers["Cache-Control"]
    assert requests.get(web_url + "static/nope.css", timeout=10).status_code == 404
    assert requests.get(web_url + "static/../app.py", timeout=10).status_code == 404
    for forbidden in ("https://", "http://cdn", "//cdn"):
        assert f'src="{forbidden}' not in html
        assert f'<link rel="stylesheet" href="{forbidden}' not in html


@pytest.mark.parametrize("path", ["", "annex", "search?q=cicad", "id/unit/ssm", "def/ssm"])
def test_pages_have_one_h1_and_ordered_headings(web_url: str, path: str) -> None:
    html = page(web_url + path)
    html = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    levels = [int(h) for h in re.findall(r"<h([1-6])[\s>]", html)]
    assert levels.count(1) == 1 and levels[0] == 1
    for a, b in zip(levels, levels[1:], strict=False):
        assert b <= a + 1, (path, levels)
