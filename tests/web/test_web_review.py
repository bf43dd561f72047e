"""The defects of the web review, each pinned by a test on the fixture server.

Relations only from the annex's statements (with provisions, notes and pages of their own), the
dataset and ontology metadata for people, SPARQL downloads of graphs, styled 404 pages, the
chart's reporting line to the General Secretariat, bilingual literals, provision headings, the
annex's anchors and headings, and the Spanish wording of the interface.
"""

from __future__ import annotations

import itertools
import json
import re
import xml.etree.ElementTree as ET
from html import unescape
from urllib.parse import unquote, urlparse

import pytest
import requests
from oas_ssm.server.formats import RDF_FORMATS

SVG = "{http://www.w3.org/2000/svg}"


def get(url: str, lang: str = "es", accept: str = "text/html", **kw) -> requests.Response:
    return requests.get(url, headers={"Accept": accept, "Accept-Language": lang}, timeout=30,
                        **kw)


def page(url: str, lang: str = "es") -> str:
    r = get(url, lang)
    assert r.status_code == 200, (url, r.status_code, r.text[:300])
    return r.text


def section(html: str, heading_id: str) -> str:
    """The element (section, nav …) labelled by `heading_id` ('' when the page has none)."""
    start = html.find(f'aria-labelledby="{heading_id}"')
    if start < 0:
        return ""
    tag = re.match(r"<(\w+)", html[html.rindex("<", 0, start):]).group(1)
    return html[start:html.index(f"</{tag}>", start)]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


# 1 · relations: the asserted rdf:Statements, each once, worded from this resource's side -------

def test_relations_leave_out_entailed_and_metadata_triples(web_url: str) -> None:
    rel = section(page(web_url + "id/unit/ssm"), "h-rel")
    assert "brinda apoyo a" in rel and 'href="/id/body/csh"' in rel
    assert 'href="/annex#I-C"' in rel  # its provision
    for leak in ("exampleResource", "rootResource", "linkedTo", "recibe «", "depende de",
                 "transitiv", "/id/dataset/"):
        assert leak not in rel, leak


def test_each_relation_once_with_its_provision(web_url: str) -> None:
    rel = section(page(web_url + "id/body/csh"), "h-rel")
    # stated once (II.A.4, technical secretariat); its entailed inverse is not a second fact
    assert rel.count('href="/id/unit/oficina-ejecutiva"') == 1
    assert "actúa como secretaría técnica de este órgano" in text(rel)
    assert "tiene como secretaría a" not in rel
    assert 'href="/annex#II-A-4"' in rel
    assert "recibe apoyo de" in rel and 'href="/id/unit/ssm"' in rel  # owl:inverseOf wording
    for row in re.findall(r"<li>.*?</li>", rel, re.S):
        assert 'class="prov"' in row, row  # every row cites where the annex says it


def test_incoming_relations_use_the_inverse_or_a_sentence(web_url: str) -> None:
    cicad = text(section(page(web_url + "id/body/cicad"), "h-rel"))
    assert re.search(r"tiene como secretaría a Secretaría Ejecutiva de la Comisión", cicad)
    es = text(section(page(web_url + "id/unit/se-cicad"), "h-rel"))
    assert "Departamento de Seguridad Pública (DSP) coordina con esta unidad" in es
    en = text(section(page(web_url + "id/unit/se-cicad", "en"), "h-rel"))
    assert "Department of Public Security (DSP) coordinates with this unit" in en
    assert "has secretariat" in text(section(page(web_url + "id/body/cicad", "en"), "h-rel"))


def test_relation_rows_show_the_note_and_link_the_statement(web_url: str) -> None:
    rel = section(page(web_url + "id/unit/seccion-antilavado-de-activos"), "h-rel")
    assert "en representación de la Secretaría Ejecutiva de la CICAD" in rel
    assert "on behalf of" not in rel  # the note in the page's language only
    assert 'href="/id/statement/seccion-antilavado-de-activos--representsAt--gafi"' in rel
    en = section(page(web_url + "id/unit/seccion-antilavado-de-activos", "en"), "h-rel")
    assert "on behalf of the Executive Secretariat of CICAD" in en


def test_structural_statements_stay_in_their_own_sections(web_url: str) -> None:
    html = page(web_url + "id/unit/ssm")
    assert 'href="/id/unit/sg"' not in section(html, "h-rel")  # org:subOrganizationOf
    assert 'href="/id/unit/se-cicad"' in section(html, "h-sub")


# 2 · statement pages -----------------------------------------------------------------------------

def test_statement_page_names_the_relation_and_quotes_its_provisions(web_url: str) -> None:
    r = get(web_url + "id/statement/seccion-antilavado-de-activos--representsAt--gafi",
            allow_redirects=True)
    assert r.status_code == 200
    html = r.text
    title = "Sección Antilavado de Activos — representa ante — Grupo de Acción Financiera"
    assert f"<title>{title} ·" in html
    assert re.search(r"<h1[^>]*>" + re.escape(title), html)
    facts = section(html, "h-statement")
    for href in ('/id/unit/seccion-antilavado-de-activos"', '/def/ssm#representsAt"',
                 '/id/body/gafi"'):
        assert 'href="' + href in facts, href
    quoted = section(html, "h-stated-in")
    assert 'href="/id/provision/III-G-3"' in quoted and 'href="/annex#III-G-3"' in quoted
    assert "representa a la Secretaría Ejecutiva de la CICAD en otros foros similares" in quoted
    note = section(html, "h-st-note")
    es, en = note.index("en representación"), note.index("on behalf of")
    assert es < en and "traducción al inglés" in note


# 3 · the dataset's page --------------------------------------------------------------------------

def test_dataset_page_reads_as_metadata(web_url: str) -> None:
    for url in (web_url + "void", web_url + "id/dataset/ssm"):
        html = page(url)
        assert "Relaciones que establece el anexo" not in html
        assert "classPartition" not in html and "distinctSubjects" not in html
        facts = text(section(html, "h-meta"))
        assert "Licencia CC BY 4.0" in facts
        assert "Tripletas" in facts and "Punto de acceso SPARQL" in facts
        table = section(html, "h-classes")
        assert re.search(r">Sección</a></td><td class=\"num\">\d+</td>", table)
        assert "Secretaría de Seguridad Multidimensional (SSM) de la OEA" in html
        assert "Secretariat for Multidimensional Security (SMS) of the OAS" not in html
    en = page(web_url + "void", "en")
    assert "Secretariat for Multidimensional Security (SMS) of the OAS" in en
    assert "Licence CC BY 4.0" in text(section(en, "h-meta"))
    assert "Triples afirmados" not in section(en, "h-dist")


# 4 · the ontology's header metadata ---------------------------------------------------------------

def test_ontology_metadata_keys_and_values_in_the_page_language(web_url: str) -> None:
    meta = section(page(web_url + "def/ssm"), "h-meta")
    for key in ("Título", "Descripción", "Versión", "IRI de versión", "Creado",
                "Cita bibliográfica", "Espacio de nombres", "Licencia"):
        assert f"<dt>{key}</dt>" in meta, key
    assert "Ontología de la SSM, versión 1.0.0." in meta
    assert "SSM ontology, version 1.0.0." not in meta
    assert "Ontology of the Secretariat" not in meta
    html = page(web_url + "def/ssm")
    assert "<dd>Propiedad de objeto</dd>" in html and "<dd>Clase</dd>" in html
    assert "ObjectProperty</dd>" not in html
    en = page(web_url + "def/ssm", "en")
    assert "<dt>Version IRI</dt>" in en and "SSM ontology, version 1.0.0." in en
    assert "<dd>Object property</dd>" in en


# 5 · SPARQL downloads of CONSTRUCT / DESCRIBE ---------------------------------------------------

def test_graph_queries_are_told_apart() -> None:
    from oas_ssm.server.web.sparql_editor import is_graph_query

    assert is_graph_query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert is_graph_query("# a comment\nPREFIX org: <http://www.w3.org/ns/org#>\n"
                          "BASE <http://x/>\n describe org:Post")
    assert not is_graph_query("PREFIX c: <http://x/construct#>\nSELECT * WHERE { ?s ?p ?o }")
    assert not is_graph_query("ASK { ?s ?p ?o }")


def test_construct_results_download_as_rdf(web_url: str) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s a ?o . BIND(<urn:p> AS ?p) } LIMIT 3"
    html = page(web_url + "sparql?" + requests.compat.urlencode({"query": query}))
    downloads = re.findall(r'data-format="([^"]+)"', html[html.index('id="downloads"'):])
    assert downloads == [f.key for f in RDF_FORMATS]
    media = {f.key: f.media_type for f in RDF_FORMATS}
    for href in re.findall(r'<a href="(/sparql\?[^"]+format=[a-z]+)"', html):
        url = web_url.rstrip("/") + unescape(href)
        r = requests.get(url, timeout=30)
        fmt = re.search(r"format=([a-z]+)", unescape(href)).group(1)
        assert r.status_code == 200, (fmt, r.text[:200])
        assert r.headers["Content-Type"].startswith(media[fmt])
    config = json.loads(re.search(r'id="sparql-config">(.*?)</script>', html, re.S).group(1))
    assert [f["key"] for f in config["graph_formats"]] == list(media)
    select = page(web_url + "sparql?" + requests.compat.urlencode(
        {"query": "SELECT ?s WHERE { ?s a ?t } LIMIT 1"}))
    assert 'data-format="csv"' in select and 'data-format="ttl"' not in select


# 6 · 404 pages ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["doc/unit/no-such-unit", "id/unit/no-such-unit", "no/such/page",
                                  "lang/fr"])
def test_404_page_is_the_site_in_the_negotiated_language(web_url: str, path: str) -> None:
    es = get(web_url + path)
    assert es.status_code == 404 and es.headers["Content-Type"].startswith("text/html")
    assert '<html lang="es">' in es.text and "No encontrado" in es.text
    assert 'class="site-header"' in es.text and 'role="search"' in es.text
    assert 'href="/annex"' in es.text and 'href="/def/ssm"' in es.text
    en = get(web_url + path, "en")
    assert '<html lang="en">' in en.text and "Not found" in en.text
    assert en.headers.get("Content-Language") == "en"
    cookie = requests.get(web_url + path, headers={"Accept": "text/html"},
                          cookies={"lang": "en"}, timeout=30)
    assert '<html lang="en">' in cookie.text
    plain = get(web_url + path, accept="text/turtle")
    assert plain.status_code == 404 and plain.headers["Content-Type"].startswith("text/plain")
    assert "<html" not in plain.text


# 7 · the chart draws the SSM → SG/OEA reporting line --------------------------------------------

def test_chart_reporting_line_to_the_general_secretariat(web_url: str) -> None:
    html = page(web_url)
    svg = html[html.index("<svg"):html.index("</svg>") + 6]
    sg = re.search(r'<a class="oc-node[^"]*" href="/id/unit/sg".*?</a>', svg, re.S).group(0)
    assert "Secretario General" in sg
    # SE/CICAD, S/CICTE and DSP report to the SSM's head; the SSM's head to the Secretary General
    edges = svg[svg.index('<g class="oc-edges"'):svg.index("</g>")]
    assert edges.count('class="oc-edge oc-reports"') == 4


# 8 · bilingual literals: the page's language first, the other marked -----------------------------

def test_editorial_notes_page_language_first(web_url: str) -> None:
    notes = section(page(web_url + "id/post/secretario-general"), "h-notes")
    es, en = notes.index("El anexo no dice"), notes.index("The annex does not say")
    assert es < en and "traducción al inglés" in notes[es:]
    notes = section(page(web_url + "id/post/secretario-general", "en"), "h-notes")
    es, en = notes.index("El anexo no dice"), notes.index("The annex does not say")
    assert en < es and "Spanish original" in notes[en:]
    onto = page(web_url + "def/ssm", "en")
    term = onto[onto.index('id="Observatory"'):]
    term = term[:term.index("</article>")]
    assert term.index("Not every observatory") < term.index("No todo observatorio")


# 9 · provision pages of section headings -------------------------------------------------------

def test_heading_provision_page(web_url: str) -> None:
    html = page(web_url + "id/provision/III-G")
    assert re.search(r"<h1[^>]*>III\.G — Sección Antilavado de Activos", html)
    parts = section(html, "h-prov")
    assert ">III.G.1</a>" in parts and "Anexo E, III.G.1" not in parts
    assert "Anti-Money Laundering Section" not in html.split("</header>", 1)[1]
    en = page(web_url + "id/provision/III-G", "en")
    assert re.search(r"<h1[^>]*>III\.G — Anti-Money Laundering Section", en)


# 10 · every link into the annex lands on an anchor -----------------------------------------------

def test_annex_links_land_on_anchors(web_url: str) -> None:
    anchors = set(re.findall(r'id="([^"]+)"', page(web_url + "annex")))
    for path in ("doc/unit/ssm.html", "id/unit/se-cicad", "id/unit/seccion-antilavado-de-activos",
                 "id/provision/III-G", "id/function/III-G-1"):
        for target in re.findall(r'href="/annex#([^"]+)"', page(web_url + path)):
            assert unquote(target) in anchors, (path, target)
    assert 'href="/annex#anexo-e"' in page(web_url + "doc/unit/ssm.html")


# 11 · the downloadable chart links absolutely -----------------------------------------------------

def test_chart_svg_links_are_absolute(web_url: str) -> None:
    root = ET.fromstring(get(web_url + "chart.svg").content)
    hrefs = [a.get("href") for a in root.iter(SVG + "a")]
    assert hrefs and all(h.startswith(web_url) for h in hrefs), hrefs[:3]
    assert web_url + "id/unit/se-cicad" in hrefs
    home = page(web_url)
    assert 'href="/id/unit/se-cicad"' in home  # the page itself keeps site-relative links


# 12 · the annex's headings -----------------------------------------------------------------------

def test_annex_headings_once_and_in_the_page_language(web_url: str) -> None:
    html = page(web_url + "annex")
    assert not re.search(r">[IVX]+(\.[A-Z0-9]+)*\.</a>", html)  # "III.G", never "III.G."
    block = html[html.index('id="III-G"'):html.index('id="III-G-1"')]
    assert block.count("Sección Antilavado de Activos") == 2  # the heading, the derived unit
    assert '<p class="prov-text"><span lang="es">Sección Antilavado' not in block
    en = page(web_url + "annex", "en")
    head = en[en.index('id="III-G"'):]
    assert head[:head.index("</h3>")].endswith("Anti-Money Laundering Section</span>")
    toc = section(en, "h-toc")
    assert "MISSION AND ORGANIZATIONAL STRUCTURE" in toc
    assert "MISIÓN Y ESTRUCTURA" not in toc


# 14 · no English on Spanish pages ---------------------------------------------------------------

def test_spanish_pages_have_no_english_leftovers(web_url: str) -> None:
    home = page(web_url)
    assert "Punto de acceso SPARQL" in home and "SPARQL endpoint" not in home
    oea = page(web_url + "id/organization/oea")
    types = re.search(r'<p class="types">(.*?)</p>', oea, re.S).group(1)
    assert text(types) == "Organización formal"
    assert "<title>Organización de los Estados Americanos (OEA) ·" in oea
    head = oea[oea.index('<header class="page-head">'):]
    assert "OAS" not in head[:head.index("</header>")]
    en = page(web_url + "id/organization/oea", "en")
    assert "<title>Organization of American States (OAS) ·" in en


def test_sparql_examples_and_errors_speak_the_page_language(web_url: str) -> None:
    from oas_ssm.server.web.sparql_editor import load_examples

    for ex in load_examples("es"):
        first = ex.query.splitlines()[0]
        assert first == f"# {ex.title}", first
        assert "# question:" not in ex.query and "# title (en)" not in ex.query
    en = load_examples("en")
    assert en and all(ex.query.startswith(f"# {ex.title}\n") for ex in en)
    r = get(web_url + "sparql?" + requests.compat.urlencode({"query": "SELECT ?s WHERE {"}))
    assert r.status_code == 400
    html = r.text
    status = html[html.index('id="status"'):]
    assert "La consulta no es válida o no se pudo ejecutar" in status[:600]
    assert 'lang="en"' in status[:800]  # the engine's own words, kept and marked


# 15 · wording ------------------------------------------------------------------------------------

def test_wording(web_url: str) -> None:
    one = page(web_url + "sparql?" + requests.compat.urlencode(
        {"query": "SELECT ?s WHERE { VALUES ?s { <urn:x> } }"}))
    assert "1 fila<" in one and "1 filas" not in one
    home = page(web_url)
    assert "Dirigida por" not in home and "A cargo de" in home
    counts = text(home[home.index('class="counts"'):home.index("</ul>",
                                                                  home.index('class="counts"'))])
    assert "8 unidades de la SSM (incluida la propia SSM)" in counts  # not the SG: 9
    unit = page(web_url + "id/unit/se-cicad")
    assert "responde a Secretario" not in unit and "Responde a:" in unit
    function = page(web_url + "id/function/III-G-1")
    assert function.count(">Función de<") == 1 and "La función" in function
    scheme = page(web_url + "id/scheme/amenazas")
    assert "Conceptos principales" in scheme and "Conceptos más específicos" not in scheme
    hits = page(web_url + "search?q=lavado")
    assert "Amenazas y preocupaciones" in hits


def test_search_snippets_cut_at_word_boundaries(web_url: str) -> None:
    source = ("La Sección actúa como Secretaría del Grupo de Expertos de la CICAD para el control "
              "del Lavado de Activos y representa a la Secretaría Ejecutiva de la CICAD en otros "
              "foros similares, como el Grupo de Acción Financiera y otras organizaciones "
              "intergubernamentales regionales similares.")
    words = set(re.findall(r"\w+", source))
    snippets = re.findall(r'<p class="snippet"[^>]*>(.*?)</p>', page(web_url + "search?q=foros"),
                          re.S)
    assert snippets
    for s in snippets:
        plain = unescape(re.sub(r"<[^>]+>", "", s))
        found = re.findall(r"\w+", plain)
        assert found[0] in words and found[-1] in words, plain  # no word cut in half
        assert plain.startswith("…") and plain.endswith("…"), plain


# 16 · the ontology diagram: nothing overlaps, text is large enough -------------------------------

def test_ontology_diagram_is_readable(web_url: str) -> None:
    html = page(web_url + "def/ssm")
    svg = html[html.index('<svg xmlns="http://www.w3.org/2000/svg" class="odiagram"'):]
    root = ET.fromstring(svg[:svg.index("</svg>") + 6])
    boxes = [tuple(float(r.get(k)) for k in ("x", "y", "width", "height"))
             for r in root.iter(SVG + "rect")]
    assert len(boxes) > 5
    for (x1, y1, w1, h1), (x2, y2, w2, h2) in itertools.combinations(boxes, 2):
        assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1, \
            ((x1, y1, w1, h1), (x2, y2, w2, h2))
    labels = [(float(t.get("x")), float(t.get("y")), t.text or "")
              for t in root.iter(SVG + "text") if t.get("class") == "od-plabel"]
    assert labels
    for x, y, label in labels:
        half = len(label) * 13 * 0.3
        for bx, by, bw, bh in boxes:
            inside_y = by - 2 <= y <= by + bh + 11
            assert not (inside_y and x - half < bx + bw and x + half > bx), (label, bx, by)
    for a, b in itertools.combinations(labels, 2):
        assert abs(a[1] - b[1]) >= 13 or abs(a[0] - b[0]) > 200, (a, b)
    sizes = [float(m) for m in re.findall(r"font-size:([\d.]+)px", svg[:svg.index("</style>")])]
    assert min(sizes) >= 13


# 17 · the class index speaks the page's language ------------------------------------------------

def test_ontology_index_uses_labels(web_url: str) -> None:
    index = section(page(web_url + "def/ssm"), "h-index")
    assert 'href="#Section">Sección</a>' in index
    assert 'href="#hasFunction">tiene la función</a>' in index
    en = page(web_url + "def/ssm", "en")
    en = en[en.index('id="h-index"'):]
    assert 'href="#Section">Section</a>' in en


# 18 · SPARQL results: short IRIs, full IRI as the link ------------------------------------------

def test_sparql_result_iris_are_shortened() -> None:
    from oas_ssm.server.web.sparql_editor import shorten

    prefixes = {"org": "http://www.w3.org/ns/org#", "unit": "http://x/id/unit/"}
    assert shorten("http://www.w3.org/ns/org#Post", prefixes) == "org:Post"
    assert shorten("http://x/id/unit/se-cicad", prefixes) == "unit:se-cicad"
    assert shorten("http://other/thing", prefixes) == "http://other/thing"
    assert shorten("http://x/id/unit/a/b", prefixes) == "http://x/id/unit/a/b"


def test_sparql_result_table_links_full_iris(web_url: str) -> None:
    html = page(web_url + "sparql?" + requests.compat.urlencode(
        {"query": "PREFIX org: <http://www.w3.org/ns/org#>\n"
                  "SELECT ?u WHERE { ?u a org:OrganizationalUnit } ORDER BY ?u LIMIT 1"}))
    cell = re.search(r"<td><a ([^>]*)>([^<]*)</a>", html)
    assert cell, html[html.index('id="result-table"'):][:500]
    attrs, shown = cell.groups()
    assert shown.startswith("unit:")
    href = re.search(r'href="([^"]+)"', attrs).group(1)
    title = re.search(r'title="([^"]+)"', attrs).group(1)
    assert urlparse(title).path == href and title.startswith(web_url)
    empty = page(web_url + "sparql")
    assert re.search(r'<section aria-labelledby="h-results"[^>]*\bhidden\b', empty)
