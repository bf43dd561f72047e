"""The parser turns every paragraph of the annex into exactly one provision, verbatim."""

from __future__ import annotations

import re

import pytest
from oas_ssm.paths import SOURCE
from oas_ssm.provisions import AnnexParseError, Provision, normalize, parse_annex

TOKEN = re.compile(r"^(ANEXO [A-Z]|[IVX]+\.|[A-H]\.|\d{1,2}\.|[a-z]\.?)$")


def test_every_paragraph_lands_in_exactly_one_provision(provisions: dict[str, Provision]) -> None:
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    non_blank = {i for i, line in enumerate(lines, start=1) if normalize(line)}
    consumed = [n for p in provisions.values() for n in p.lines]
    assert len(consumed) == len(set(consumed)), "a line was used by two provisions"
    assert set(consumed) == non_blank


def test_text_is_verbatim_after_whitespace_normalization(provisions: dict[str, Provision]) -> None:
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    for prov in provisions.values():
        words = prov.title or prov.text
        assert words, f"{prov.notation} has neither title nor text"
        rendered = " ".join(normalize(lines[n - 1]) for n in prov.lines)
        assert rendered.endswith(words), prov.notation
        token = rendered[: len(rendered) - len(words)].strip()
        if prov.level == "unnumbered":
            assert token == ""
        else:
            assert TOKEN.match(token), f"{prov.notation}: unexpected number token {token!r}"


@pytest.mark.parametrize(
    ("pid", "start"),
    [
        ("I-A", "La misión de la Secretaría"),
        ("III-A-2", "La Secretaría Ejecutiva funcionará"),  # number inline, many spaces
        ("III-A-3-f", "Observatorio Interamericano sobre Drogas."),  # "f" without a period
        ("V", None),  # "V.       DEPARTAMENTO…" chapter heading inline
        ("V-B-3", "Desarrolla mecanismos de evaluación"),
        ("III-C-p4", "El Secretario Ejecutivo Adjunto"),
        ("III-D-1-p2", "Para asistir a los Estados Miembros"),
        ("III-D-1-p3", "En el cumplimiento de sus cometidos"),
        ("III-E-1-b", "En el cumplimiento de sus funciones"),
    ],
)
def test_irregular_layouts(provisions: dict[str, Provision], pid: str, start: str | None) -> None:
    prov = provisions[pid]
    if start is None:
        assert prov.title == "DEPARTAMENTO DE SEGURIDAD PÚBLICA"
    else:
        assert prov.text and prov.text.startswith(start)


def test_structure_counts(provisions: dict[str, Provision]) -> None:
    by_level: dict[str, list[str]] = {}
    for p in provisions.values():
        by_level.setdefault(p.level, []).append(p.id)
    assert by_level["chapter"] == ["I", "II", "III", "IV", "V"]
    assert len(by_level["item"]) == 8  # III.A.3.a–f and III.E.1.a–b
    assert sorted(by_level["unnumbered"]) == [
        "III-C-p1",
        "III-C-p2",
        "III-C-p3",
        "III-C-p4",
        "III-D-1-p2",
        "III-D-1-p3",
    ]
    assert [p.id for p in provisions.values() if p.parent == "III-H"] == [
        "III-H-1",
        "III-H-2",
        "III-H-3",
        "III-H-4",
    ]


def test_non_breaking_spaces_are_normalized(provisions: dict[str, Provision]) -> None:
    assert "\u00a0" not in provisions["II-A-12"].text
    assert "promoción de sus programas" in provisions["II-A-12"].text


def test_tolerates_the_annex_layouts_in_a_small_document() -> None:
    doc = (
        "ANEXO E\nTITULO\n\nI.  CAPITULO\nA.\nFunciones\n"
        "1.\u00a0\u00a0Hace algo;\n2.\nOtra\u00a0cosa.\n\nSigue.\n"
    )
    provs = parse_annex(doc)
    assert provs["I-A-1"].text == "Hace algo;"
    assert provs["I-A-2"].text == "Otra cosa."
    assert provs["I-A-2-p2"].text == "Sigue."
    assert provs["I"].title == "CAPITULO"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("", "no provisions"),
        ("ANEXO E\nTITULO\nI.\nCAPITULO\nA.\n", "has no text"),
        ("texto suelto\n", "before the annex"),
        ("ANEXO E\nT\nI.\nC\n1.\nuno\n1.\notra vez\n", "appears twice"),
    ],
)
def test_broken_annex_is_an_error(doc: str, message: str) -> None:
    with pytest.raises(AnnexParseError, match=message):
        parse_annex(doc)
