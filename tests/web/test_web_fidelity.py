"""The pages of the annex data state issue 7's facts in words, in both languages: a unit's rank,
the SMS's mission and scope, the office of the Secretary, and one holder filling two posts."""

from __future__ import annotations

import html as htmllib

import pytest
from launcher import REAL_DATA, REAL_ONTOLOGY
from oas_ssm.server.config import Config
from oas_ssm.server.dataset import Dataset
from oas_ssm.server.web.pages import resource_page
from oas_ssm.server.web.site import site_for

ID = "https://w3id.org/oas-ssm/id/"


@pytest.fixture(scope="module")
def site():
    return site_for(Dataset.load(Config(data=REAL_DATA, ontology=REAL_ONTOLOGY)))


def page(site, path: str, lang: str) -> str:
    html = resource_page(site, ID + path, lang)
    assert html is not None, path
    return htmllib.unescape(" ".join(html.split()))


@pytest.mark.parametrize(("lang", "rank"), [("es", "Rango: "), ("en", "Rank: ")])
@pytest.mark.parametrize("unit", ["se-cicad", "s-cicte"])
def test_units_at_the_department_level_say_so(site, unit: str, lang: str, rank: str) -> None:
    html = page(site, f"unit/{unit}", lang)
    name = {"es": "rango de Departamento", "en": "department level"}[lang]
    assert f'{rank}<a href="/id/concept/rango-departamento">{name}</a>' in html


def test_a_unit_without_a_rank_shows_none(site) -> None:
    assert 'class="rank"' not in page(site, "unit/dsp", "en")


@pytest.mark.parametrize(
    ("lang", "heading", "words"),
    [
        (
            "es",
            "Misión",
            "La misión de la Secretaría de Seguridad Multidimensional (SSM) es promover",
        ),
        (
            "en",
            "Mission",
            "The mission of the Secretariat for Multidimensional Security (SMS) is to",
        ),
    ],
)
def test_the_ssm_page_states_its_mission_and_scope(site, lang, heading, words) -> None:
    html = page(site, "unit/ssm", lang)
    assert f'<h2 id="h-mission">{heading}</h2>' in html
    assert words in html
    assert '<h2 id="h-scope">' in html
    if lang == "en":
        assert "Unofficial English translation" in html
        assert "(SMS)" in html and "(SSM)" not in html.split("<h1", 1)[1].split("</h1>")[0]


@pytest.mark.parametrize(
    ("lang", "sentence", "other"),
    [
        (
            "es",
            "Quien ocupa este puesto ocupa también el de",
            "Jefe de la Sección de Fortalecimiento Institucional y Programas Integrales",
        ),
        (
            "en",
            "Whoever holds this post also holds the post of",
            "Chief of the Institutional Strengthening and Integral Programs Section",
        ),
    ],
)
def test_one_holder_two_posts_in_words(site, lang, sentence, other) -> None:
    html = page(site, "post/secretario-ejecutivo-adjunto-cicad", lang)
    assert (
        f'{sentence} <a href="/id/post/jefe-seccion-fortalecimiento-institucional">{other}</a>'
        in html
    )
    back = page(site, "post/jefe-seccion-fortalecimiento-institucional", lang)
    assert f'{sentence} <a href="/id/post/secretario-ejecutivo-adjunto-cicad">' in back


@pytest.mark.parametrize(
    ("lang", "label"), [("es", "Es la oficina de"), ("en", "Is the office of")]
)
def test_the_executive_office_is_the_office_of_the_secretary(site, lang, label) -> None:
    html = page(site, "unit/oficina-ejecutiva", lang)
    assert f'<dt>{label}</dt><dd><a href="/id/post/secretario-seguridad-multidimensional">' in html
