"""A SPARQL 1.1 tokenizer: the terminals of the grammar (§19.8), so checks see what a parser sees.

Checks that look for a keyword (SERVICE, INSERT …) must not be fooled by the same word inside a
string, an IRI, a prefixed name, a variable or a comment; a regular expression over the raw text
is. This tokenizer follows the grammar's terminals, longest match first, and reports where the
text stops being SPARQL (line and column) instead of guessing.

It runs on every query the endpoint has not answered before, so it is written for speed and
for inputs built to be slow: whitespace and comments are skipped possessively (a long run of them
cannot backtrack), tokens are named tuples, and a prefixed name is attempted only where one can
match. Within a run of the characters a prefix is made of, a prefixed name can start only if the
run is followed by ':' and does not end in '.'; the run's end is found once per run, so text such
as `a-a-a-…` or `a.a.a.…:` costs time linear in its length (each failed attempt would otherwise
rescan the rest of the run).
"""

from __future__ import annotations

import re
from enum import Enum
from typing import NamedTuple

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PN_PREFIX = rf"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (
    rf"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)
_VARNAME = rf"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_ECHAR = r"\\[tbnrf\\\"']"


class Kind(Enum):
    IRI = "IRI"
    PNAME = "prefixed name"
    BNODE = "blank node"
    VAR = "variable"
    STRING = "string"
    LANGTAG = "language tag"
    NUMBER = "number"
    WORD = "keyword"
    PUNCT = "punctuation"


# Whitespace and comments between tokens; possessive (`*+`), so a failed match never backtracks
# into them.
_SKIP = r"(?:[ \t\r\n]+|#[^\r\n]*)*+"
_PNAME = rf"(?P<PNAME>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)"
# Order matters: the first alternative that matches wins, so longer terminals come first.
_TERMINALS = [
    r'(?P<IRI><[^<>"{}|^`\\\x00-\x20]*>)',
    rf"(?P<STRING>'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}))*'''"
    rf'|"""(?:(?:"|"")?(?:[^"\\]|{_ECHAR}))*"""'
    rf"|'(?:[^'\\\n\r]|{_ECHAR})*'"
    rf'|"(?:[^"\\\n\r]|{_ECHAR})*")',
    _PNAME,
    rf"(?P<BNODE>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
    rf"(?P<VAR>[?$]{_VARNAME})",
    r"(?P<LANGTAG>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)",
    r"(?P<NUMBER>[0-9]+\.[0-9]*[eE][+-]?[0-9]+|[0-9]*\.[0-9]+(?:[eE][+-]?[0-9]+)?"
    r"|[0-9]+(?:[eE][+-]?[0-9]+)?)",
    r"(?P<WORD>[A-Za-z_][A-Za-z0-9_]*)",
    r"(?P<PUNCT>\^\^|<=|>=|!=|&&|\|\||[{}()\[\],;.*+\-/!=<>^|?])",
]
_TOKEN = re.compile("|".join(_TERMINALS))
_TOKEN_NO_PNAME = re.compile("|".join(t for t in _TERMINALS if t is not _PNAME))
_RUN = re.compile(rf"[{_PN_CHARS}.]*+")  # the characters a prefix is made of
_SKIP_ONLY = re.compile(_SKIP)
_KINDS = {kind.name: kind for kind in Kind}
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class Token(NamedTuple):
    kind: Kind
    text: str
    start: int  # offset in the text that was tokenized


class LexError(ValueError):
    """The text is not a sequence of SPARQL tokens; the message says where."""


def position(text: str, offset: int) -> str:
    """'line L, column C' (1-based) of `offset` in `text`, for messages a person can act on."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def tokenize(text: str) -> list[Token]:
    """The tokens of `text` (whitespace and comments dropped), or `LexError` with the position."""
    tokens: list[Token] = []
    append = tokens.append
    pos, end = 0, len(text)
    skip, run, kinds = _SKIP_ONLY.match, _RUN.match, _KINDS
    with_pname, without_pname = _TOKEN.match, _TOKEN_NO_PNAME.match
    run_end, pname_possible = -1, False
    while True:
        pos = skip(text, pos).end()
        if pos >= end:
            return tokens
        if pos >= run_end:  # a new run of prefix characters (possibly empty) starts here
            after = run(text, pos).end()
            run_end = max(after, pos + 1)
            pname_possible = (after < end and text[after] == ":"
                              and (after == pos or text[after - 1] != "."))  # fmt: skip
        m = (with_pname if pname_possible else without_pname)(text, pos)
        if m is None:
            raise LexError(f"unexpected character {text[pos]!r} at {position(text, pos)}")
        kind = m.lastgroup
        append(Token(kinds[kind], m.group(), pos))
        pos = m.end()


def has_unicode_escapes(text: str) -> bool:
    return "\\u" in text or "\\U" in text


def unescape_codepoints(text: str) -> str:
    """Apply the \\u / \\U escapes that SPARQL allows anywhere in a query (§19.2), once.

    An engine may do this before parsing, so `\\u0053ERVICE` can be the SERVICE keyword to it:
    the checks look at this form of the text too.
    """

    def char(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"

    return _UNICODE_ESCAPE.sub(char, text)
