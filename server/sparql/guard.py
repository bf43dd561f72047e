"""What a query is, and whether we run it at all: decided on tokens, before any evaluation.

Refused before a worker sees them: SPARQL Update in any form (the endpoint is read-only), SERVICE
anywhere (the engine would call the IRI), and nesting deeper than the engine's parser is known to
survive. A query passes to the engine with IRIs under the canonical base rewritten to the served
base, so both spellings of our IRIs find our data.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import SparqlError
from .lexer import (
    Kind,
    LexError,
    Token,
    has_unicode_escapes,
    position,
    tokenize,
    unescape_codepoints,
)

QUERY_FORMS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
# Words that only SPARQL Update gives a meaning to; none is a keyword or function of the query
# language, so finding one as a bare keyword means an update (or a syntax error: 4xx either way).
UPDATE_WORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH", "USING"}
)
# Functions whose value differs from one evaluation to the next (§17.4): a query calling one has
# no answer worth keeping, so it is never cached (see `Plan.volatile`).
VOLATILE_FUNCTIONS = frozenset({"RAND", "UUID", "STRUUID", "NOW", "BNODE"})
_OPEN = frozenset("{([")
_CLOSE = frozenset("})]")


@dataclass(frozen=True, slots=True)
class Plan:
    """A query that may run: its form, the text to evaluate, and whether it names its dataset."""

    form: str  # SELECT, CONSTRUCT, DESCRIBE or ASK
    text: str
    has_dataset: bool  # FROM / FROM NAMED: the query's own dataset, not the union default
    volatile: bool = False  # calls RAND, UUID, STRUUID, NOW or BNODE: never cached


def inspect(query: str, canonical_base: str, served_base: str, max_depth: int) -> Plan:
    """The `Plan` for `query`, or `SparqlError` (4xx) saying what is refused and where."""
    volatile = False
    if has_unicode_escapes(query):  # an engine may read \u0053ERVICE as SERVICE: look at that
        unescaped = unescape_codepoints(query)
        unescaped_tokens = _tokens(unescaped, " (after applying \\u escapes)")
        _, volatile = _check(unescaped_tokens, unescaped, max_depth)
    tokens = _tokens(query, "")
    has_dataset, calls_volatile = _check(tokens, query, max_depth)
    form = _form(tokens, query)
    text = _rewrite(query, tokens, canonical_base, served_base)
    return Plan(form, text, has_dataset, volatile or calls_volatile)


def _tokens(text: str, where: str) -> list[Token]:
    try:
        return tokenize(text)
    except LexError as e:
        raise SparqlError(400, f"SPARQL syntax error{where}: {e}") from None


def _check(tokens: list[Token], text: str, max_depth: int) -> tuple[bool, bool]:
    """Refuse SERVICE, SPARQL Update and too deep nesting (`SparqlError`); in the same pass,
    whether the query names its dataset (FROM) and whether it calls a volatile function."""
    depth = 0
    has_dataset = volatile = False
    word_kind, punct_kind = Kind.WORD, Kind.PUNCT
    for i, t in enumerate(tokens):
        kind = t.kind
        if kind is word_kind:
            word = t.text.upper()
            if word == "SERVICE":
                raise SparqlError(
                    403,
                    "SERVICE (federated query) is not allowed on this endpoint "
                    f"({position(text, t.start)}).",
                )
            if word in UPDATE_WORDS:
                raise SparqlError(
                    403,
                    f"This endpoint is read-only: SPARQL Update ({word} at "
                    f"{position(text, t.start)}) is not accepted.",
                )
            if word == "FROM":
                has_dataset = True
            elif word in VOLATILE_FUNCTIONS and not volatile:
                nxt = tokens[i + 1] if i + 1 < len(tokens) else None
                volatile = nxt is not None and nxt.kind is punct_kind and nxt.text == "("
        elif kind is punct_kind:
            if t.text in _OPEN:
                depth += 1
                if depth > max_depth:
                    raise SparqlError(
                        400,
                        f"Query nested too deeply: more than {max_depth} levels of brackets "
                        f"at {position(text, t.start)}.",
                    )
            elif t.text in _CLOSE:
                depth -= 1
    return has_dataset, volatile


def _form(tokens: list[Token], text: str) -> str:
    """SELECT, CONSTRUCT, DESCRIBE or ASK: the first keyword after the prologue."""
    i = 0
    while i < len(tokens) and tokens[i].kind is Kind.WORD:
        word = tokens[i].text.upper()
        if word == "BASE":
            i += 2
        elif word == "PREFIX":
            i += 3
        else:
            break
    if i >= len(tokens):
        raise SparqlError(400, "SPARQL syntax error: the query is empty (only a prologue).")
    t = tokens[i]
    if t.kind is Kind.WORD and t.text.upper() in QUERY_FORMS:
        return t.text.upper()
    raise SparqlError(
        400,
        f"SPARQL syntax error at {position(text, t.start)}: expected SELECT, CONSTRUCT, DESCRIBE "
        f"or ASK, found {t.text[:40]!r}.",
    )


def _rewrite(text: str, tokens: list[Token], canonical: str, served: str) -> str:
    """`text` with every IRI token under `canonical` moved under `served` (nothing else touched)."""
    if canonical == served:
        return text
    prefix = "<" + canonical
    parts: list[str] = []
    last = 0
    for t in tokens:
        if t.kind is Kind.IRI and t.text.startswith(prefix):
            parts.append(text[last : t.start])
            parts.append("<" + served + t.text[len(prefix) :])
            last = t.start + len(t.text)
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)
