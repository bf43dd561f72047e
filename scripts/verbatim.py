"""Check every `ssm:verbatimText` against the annex it claims to quote.

SHACL can say that a text is there and tagged @es, not that it is the annex's. This check reads
the bundled annex with the same parser `ssm build` uses and compares each claimed text with the
paragraph(s) it comes from, after the parser's whitespace normalisation (so a re-wrapped line or
a non-breaking space is no difference; a changed, added or dropped word is):

- a provision (`{base}id/provision/{slug}`) quotes the annex paragraph with that slug;
- anything else (a function) quotes the paragraphs it is `prov:wasDerivedFrom`, joined in the
  annex's order (a function with lettered items quotes its paragraph and every item).

A mismatch is reported as a `Finding` with source "annex": focus node, path, value, and a
message naming the provision, the annex line, and the first words that differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

from oas_ssm.namespaces import ID, SSM
from oas_ssm.paths import ROOT, SOURCE
from oas_ssm.provisions import AnnexParseError, Provision, load_provisions, normalize
from oas_ssm.shacl_report import Finding
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV
from rdflib.term import Node

PROVISION_NS = str(ID["provision/"])
# Words of context shown on each side of the first difference.
CONTEXT_WORDS = 8


class AnnexUnavailable(Exception):
    """The bundled annex cannot be read or parsed, so no text can be checked."""


@cache
def _annex(source: Path) -> dict[str, Provision]:
    try:
        return load_provisions(source)
    except (OSError, UnicodeDecodeError, AnnexParseError) as exc:
        raise AnnexUnavailable(f"{source}: cannot read the annex: {exc}") from None


def annex_name(source: Path = SOURCE) -> str:
    """The annex file as a maintainer finds it in the repository (data/source/…)."""
    try:
        return str(source.relative_to(ROOT))
    except ValueError:
        return str(source)


def verbatim_findings(data: Graph, source: Path = SOURCE) -> list[Finding]:
    """One finding per `ssm:verbatimText` that is not the text of the paragraph(s) it cites."""
    annex = _annex(source)
    order = {pid: n for n, pid in enumerate(annex)}
    findings = []
    for subject, text in sorted(data.subject_objects(SSM.verbatimText)):
        problem = _problem(data, subject, str(text), annex, order, annex_name(source))
        if problem:
            findings.append(
                Finding(
                    source="annex",
                    message=problem,
                    focus=subject,
                    path=SSM.verbatimText,
                    value=text if isinstance(text, Literal) else None,
                )
            )
    return findings


def _problem(
    data: Graph,
    subject: Node,
    text: str,
    annex: dict[str, Provision],
    order: dict[str, int],
    annex_file: str,
) -> str | None:
    """Why `text` is not the verbatim text `subject` claims, or None if it is."""
    own = _provision_slug(subject)
    if own is not None:
        cited = [own]
    else:
        sources = data.objects(subject, PROV.wasDerivedFrom)
        cited = [slug for o in sources if (slug := _provision_slug(o)) is not None]
        if not cited:
            return (
                "ssm:verbatimText claims to quote the annex, but the resource cites no provision "
                "(prov:wasDerivedFrom id/provision/…) to compare it with."
            )
    unknown = sorted(slug for slug in cited if slug not in annex)
    if unknown:
        return (
            f"ssm:verbatimText cites {', '.join('provision:' + s for s in unknown)}, which "
            f"{annex_file} does not have."
        )
    quoted = sorted(set(cited), key=order.__getitem__)
    paragraphs = [annex[slug] for slug in quoted if annex[slug].text]
    if not paragraphs:
        notations = ", ".join(annex[slug].notation for slug in quoted)
        return (
            f"ssm:verbatimText quotes Annex E, {notations}, which is a heading with no text of "
            f"its own in {annex_file}."
        )
    expected = " ".join(p.text or "" for p in paragraphs)
    difference = first_difference(text, expected)
    if difference is None:
        return None
    at, description = difference
    where = f"{annex_file}:{_paragraph_at(paragraphs, at).lines[0]}"
    notations = ", ".join(p.notation for p in paragraphs)
    return f"ssm:verbatimText is not the text of Annex E, {notations} ({where}): {description}."


def _paragraph_at(paragraphs: Sequence[Provision], word: int) -> Provision:
    """The paragraph that holds word number `word` (0-based) of the paragraphs joined."""
    for paragraph in paragraphs:
        count = len(normalize(paragraph.text or "").split())
        if word < count:
            return paragraph
        word -= count
    return paragraphs[-1]


def _provision_slug(node: Node) -> str | None:
    if isinstance(node, URIRef) and node.startswith(PROVISION_NS):
        return node[len(PROVISION_NS) :]
    return None


def first_difference(claimed: str, annex: str) -> tuple[int, str] | None:
    """Where two texts part after whitespace normalisation (the 0-based index of the first
    differing word, and the words on each side), or None if they agree."""
    ours, theirs = normalize(claimed).split(), normalize(annex).split()
    if ours == theirs:
        return None
    at = next(
        (i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b),
        min(len(ours), len(theirs)),
    )
    before = " ".join(ours[max(0, at - 3) : at])
    lead = f" (after “…{before}”)" if before else ""
    return at, (
        f"from word {at + 1}{lead} the data reads “{_words(ours, at)}” "
        f"where the annex reads “{_words(theirs, at)}”"
    )


def _words(words: Sequence[str], at: int) -> str:
    if at >= len(words):
        return "(end of text)"
    shown = " ".join(words[at : at + CONTEXT_WORDS])
    return shown + ("…" if at + CONTEXT_WORDS < len(words) else "")
