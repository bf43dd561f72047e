"""The competency questions in `queries/*.rq`: each a SPARQL query with a bilingual title.

File format. Every `queries/<name>.rq` starts with exactly these three comment lines, in this
order, each on one line, then (optionally) more `#` comment lines, then the query with its own
`PREFIX` declarations:

    # title (es): Secciones de la SE/CICAD
    # title (en): Sections of SE/CICAD
    # question: Which sections make up the Executive Secretariat of CICAD, in the annex's order?
    PREFIX org: <http://www.w3.org/ns/org#>
    SELECT ...

The titles are short (a button label); the question is the full competency question, in English.
The whole file, header included, is valid SPARQL and is what a client should send.

Expected answers live in `queries/expected/<name>.csv` (SPARQL 1.1 CSV results: a header row of
variable names, IRIs and literals as plain strings, unbound as empty) or, for an ASK query,
`queries/expected/<name>.json` (SPARQL 1.1 JSON results: `{"head": {}, "boolean": true}`).
`load_queries()` returns them sorted by file name, the order in which they should be shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from oas_ssm.paths import QUERIES_DIR

EXPECTED_DIR = QUERIES_DIR / "expected"
HEADER_KEYS = ("title (es)", "title (en)", "question")
_HEADER_LINE = re.compile(r"^#\s*(?P<key>[^:]+?)\s*:\s*(?P<value>.*?)\s*$")
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)


class QueryFileError(ValueError):
    """A `.rq` file does not follow the header format; the message names the file and line."""


@dataclass(frozen=True)
class CompetencyQuestion:
    """One competency question: its titles, the question in words and the SPARQL that answers it."""

    name: str
    title_es: str
    title_en: str
    question: str
    sparql: str
    path: Path

    @property
    def body(self) -> str:
        """The query without its full-line comments (what the form and ORDER BY are read from)."""
        return "\n".join(
            line for line in self.sparql.splitlines() if not line.lstrip().startswith("#")
        )

    @property
    def form(self) -> str:
        """The query form: 'SELECT', 'ASK', 'CONSTRUCT' or 'DESCRIBE'."""
        match = _FORM.search(self.body)
        if match is None:
            raise QueryFileError(f"{self.path}: no SELECT, ASK, CONSTRUCT or DESCRIBE")
        return match.group(1).upper()

    @property
    def ordered(self) -> bool:
        """True when the answer's row order is part of the answer (the query has ORDER BY)."""
        return _ORDER_BY.search(self.body) is not None

    @property
    def expected_path(self) -> Path:
        """Where the expected answer is: a `.json` file for ASK, a `.csv` file otherwise."""
        suffix = ".json" if self.form == "ASK" else ".csv"
        return self.path.parent / "expected" / f"{self.name}{suffix}"


def parse_query(path: Path) -> CompetencyQuestion:
    """Read one `.rq` file, checking its three header lines."""
    text = Path(path).read_text(encoding="utf-8")
    lines = text.splitlines()
    values: list[str] = []
    for number, key in enumerate(HEADER_KEYS, start=1):
        line = lines[number - 1] if len(lines) >= number else ""
        match = _HEADER_LINE.match(line)
        if match is None or match.group("key") != key:
            raise QueryFileError(f"{path}:{number}: expected '# {key}: …', got {line!r}")
        if not match.group("value"):
            raise QueryFileError(f"{path}:{number}: '{key}' is empty")
        values.append(match.group("value"))
    title_es, title_en, question = values
    query = CompetencyQuestion(
        name=Path(path).stem,
        title_es=title_es,
        title_en=title_en,
        question=question,
        sparql=text,
        path=Path(path),
    )
    query.form  # noqa: B018 -- raises QueryFileError when the file holds no query
    return query


def load_queries(directory: Path = QUERIES_DIR) -> list[CompetencyQuestion]:
    """Every competency question in `directory`, sorted by file name."""
    return [parse_query(path) for path in sorted(Path(directory).glob("*.rq"))]
