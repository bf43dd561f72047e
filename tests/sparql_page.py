"""A stand-in for the site's SPARQL editor in apps that test the endpoint alone (the real editor
is tested in tests/web): a form, then the error or the results as a table, all escaped."""

from __future__ import annotations

from html import escape


def editor_page(query: str | None, results: dict | None, error: str | None) -> str:
    form = f'<form><textarea name="query">{escape(query or "")}</textarea></form>'
    if error is not None:
        return f"<!DOCTYPE html>\n{form}\n<p>{escape(error)}</p>\n"
    if results is None:
        return f"<!DOCTYPE html>\n{form}\n"
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(b['value'])}</td>" for b in row.values()) + "</tr>"
        for row in results.get("results", {}).get("bindings", [])
    )
    return f"<!DOCTYPE html>\n{form}\n<table>{rows}</table>\n"
