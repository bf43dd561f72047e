"""Language negotiation and switching, search, and escaping of everything a user types."""

from __future__ import annotations

import requests


def get(url: str, **headers: str) -> requests.Response:
    return requests.get(url, headers={"Accept": "text/html", **headers}, timeout=30,
                        allow_redirects=False)


def test_spanish_by_default_english_by_accept_language(web_url: str) -> None:
    assert '<html lang="es">' in get(web_url).text
    en = get(web_url, **{"Accept-Language": "en-US,en;q=0.9"}).text
    assert '<html lang="en">' in en and "Secretariat for Multidimensional Security" in en
    es = get(web_url, **{"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}).text
    assert '<html lang="es">' in es


def test_switch_is_remembered_and_keeps_the_page(web_url: str) -> None:
    r = get(web_url + "lang/en?next=/annex")
    assert r.status_code == 303 and r.headers["Location"].endswith("/annex")
    cookie = r.cookies.get("lang")
    assert cookie == "en"
    page = get(web_url + "annex", Cookie="lang=en", **{"Accept-Language": "es"}).text
    assert '<html lang="en">' in page and "Annex E" in page
    # the switch on an English page leads back to Spanish, same page
    assert 'href="/lang/es?next=/annex"' in page
    unit = requests.get(web_url + "id/unit/se-cicad", headers={"Accept": "text/html"},
                        cookies={"lang": "en"}, timeout=30).text
    assert '<html lang="en">' in unit
    assert "Executive Secretariat of the Inter-American Drug Abuse Control Commission" in unit
    assert 'href="/lang/es?next=/id/unit/se-cicad"' in unit


def test_switch_never_redirects_off_site(web_url: str) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"):
        r = requests.get(web_url + "lang/en", params={"next": target}, allow_redirects=False,
                         timeout=10)
        assert r.status_code == 303
        assert r.headers["Location"] in ("/", web_url), (target, r.headers["Location"])
    assert get(web_url + "lang/fr").status_code == 404


def test_search_finds_names_acronyms_and_text(web_url: str) -> None:
    def hits(q: str, lang: str = "es") -> str:
        r = requests.get(web_url + "search", params={"q": q},
                         headers={"Accept-Language": lang}, timeout=30)
        assert r.status_code == 200
        return r.text
    first = hits("lavado")
    assert first.index("/id/unit/seccion-antilavado-de-activos") < first.index("/id/function/")
    assert "/id/unit/seccion-antilavado-de-activos" in hits("SECCION ANTILAVADO")  # accents, case
    assert "/id/unit/seccion-antilavado-de-activos" in hits("money laundering section", "en")
    assert "/id/unit/se-cicad" in hits("SE/CICAD")
    assert "/id/unit/s-cicte" in hits("cicte")
    assert "/id/body/gafi" in hits("FATF")
    assert "/id/function/III-B-6" in hits("evaluación multilateral")  # words of a function
    assert "/id/post/secretario-ssm" in hits("secretario seguridad")
    assert "No se encontró nada" in hits("zzzzqqq")


def test_user_input_is_escaped(web_url: str) -> None:
    evil = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    r = requests.get(web_url + "search", params={"q": evil}, timeout=30)
    assert r.status_code == 200
    assert "<script>alert(1)" not in r.text and "<img src=x" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    # the language switch's `next` carries the query back, escaped
    assert 'onerror=alert' not in r.text.replace("onerror=alert(2)&gt;", "")
    long = requests.get(web_url + "search", params={"q": "a" * 5000}, timeout=30)
    assert long.status_code == 200
