"""The endpoint for people: a query form and a results table, all behind `render_page`.

`render_page` uses the site's editor (`oas_ssm.server.web.render_sparql_editor`) when the web
interface is installed and falls back to a plain form that works everywhere. Everything that came
from the request is escaped: the query, the error message and every value of the results.
"""

from __future__ import annotations

import logging
from html import escape

log = logging.getLogger(__name__)

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>SPARQL endpoint</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:sans-serif;margin:1em 2em}}textarea{{width:100%;font-family:monospace}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.2em .5em;text-align:left;
vertical-align:top}}.error{{color:#a00;white-space:pre-wrap}}</style></head>
<body>
<h1>SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 Query over the union of the asserted, entailed and ontology graphs.</p>
<form method="get" action="">
<textarea name="query" rows="14" cols="100" spellcheck="false">{query}</textarea>
<p><label>Results as <select name="format">
<option value="html">table</option><option value="json">SPARQL JSON</option>
<option value="xml">SPARQL XML</option><option value="csv">CSV</option>
<option value="tsv">TSV</option><option value="turtle">Turtle (CONSTRUCT)</option>
</select></label> <button type="submit">Run query</button></p>
</form>
{body}
</body>
</html>
"""
DEFAULT_QUERY = "SELECT * WHERE {\n  ?s ?p ?o\n}\nLIMIT 25"


def render_page(query: str | None, results: dict | None, error: str | None) -> str:
    """The HTML page: the form (with `query`), then `error` or `results` (SPARQL JSON) if any."""
    try:
        from oas_ssm.server.web import render_sparql_editor, select_lang
    except ImportError:
        pass
    else:
        try:
            from flask import request

            return render_sparql_editor(select_lang(request), query, results, error)
        except Exception:  # the plain page below still serves the user
            log.exception("the site's SPARQL editor failed; answering with the plain form")
    return plain_page(query, results, error)


def plain_page(query: str | None, results: dict | None, error: str | None) -> str:
    if error is not None:
        body = f'<p class="error">{escape(error)}</p>'
    elif results is not None:
        body = results_table(results)
    else:
        body = ""
    return _PAGE.format(query=escape(query if query is not None else DEFAULT_QUERY), body=body)


def results_table(results: dict) -> str:
    """SPARQL JSON results as an HTML table (ASK: one sentence)."""
    if "boolean" in results:
        return f"<p>Answer: <strong>{'yes' if results['boolean'] else 'no'}</strong></p>"
    variables = results["head"]["vars"]
    rows = results["results"]["bindings"]
    head = "".join(f"<th>?{escape(v)}</th>" for v in variables)
    lines = [
        f"<p>{len(rows)} result{'s' if len(rows) != 1 else ''}</p>",
        "<table>",
        f"<thead><tr>{head}</tr></thead><tbody>",
    ]
    for row in rows:
        cells = "".join(f"<td>{_cell(row.get(v))}</td>" for v in variables)
        lines.append(f"<tr>{cells}</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)


def _cell(term: dict | None) -> str:
    if term is None:
        return ""
    value = term["value"]
    if term["type"] == "uri":
        if value.startswith(("http://", "https://")):
            return f'<a href="{escape(value)}">{escape(value)}</a>'
        return escape(value)
    if term["type"] == "bnode":
        return "_:" + escape(value)
    if term["type"] == "triple":
        inner = value
        return (
            "&lt;&lt; "
            + " ".join(_cell(inner[k]) for k in ("subject", "predicate", "object"))
            + " &gt;&gt;"
        )
    text = escape(value)
    if "xml:lang" in term:
        return f"{text} <small>@{escape(term['xml:lang'])}</small>"
    if "datatype" in term:
        return f"{text} <small>^^{escape(term['datatype'])}</small>"
    return text
