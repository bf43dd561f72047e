"""The worker's result bounds, on a store of its own: rows are counted, bytes are capped."""

from __future__ import annotations

from oas_ssm.server.sparql.worker import run_job
from pyoxigraph import Literal, NamedNode, Quad, Store

EX = "http://example.org/"


def store_of(n: int, text: str = "x") -> Store:
    store = Store()
    for i in range(n):
        store.add(Quad(NamedNode(f"{EX}s{i}"), NamedNode(f"{EX}p"), Literal(text)))
    return store


def job(query: str, fmt: str = "json", max_rows: int = 100, max_bytes: int = 2**20) -> dict:
    return {"query": query, "form": "SELECT", "format": fmt, "base_iri": None,
            "has_dataset": False, "default_graphs": None, "named_graphs": None,
            "max_rows": max_rows, "max_bytes": max_bytes}  # fmt: skip


def test_a_result_larger_than_the_byte_bound_is_refused_whole():
    store = store_of(3, "y" * 5000)
    status, message = run_job(store, job("SELECT ?o WHERE { ?s ?p ?o }", max_bytes=4096), {})
    assert status == 422 and "larger than" in message and "LIMIT" in message
    status, body = run_job(store, job("SELECT ?o WHERE { ?s ?p ?o }", max_bytes=2**20), {})
    assert status == 200 and body.count(b"y" * 5000) == 3


def test_rows_are_counted_where_the_written_size_allows_more_than_the_limit():
    # each format writes a row in a different number of bytes: the bound is on rows in all
    store = store_of(30)
    for fmt in ("json", "xml", "csv", "tsv"):
        status, _ = run_job(store, job("SELECT ?s WHERE { ?s ?p ?o }", fmt, max_rows=29), {})
        assert status == 422, fmt
        status, _ = run_job(store, job("SELECT ?s WHERE { ?s ?p ?o }", fmt, max_rows=30), {})
        assert status == 200, fmt


def test_the_byte_bound_holds_after_xml_escaping():
    # a carriage return is one byte as written, five once escaped (&#13;)
    store = store_of(1, "\r" * 3000)
    status, message = run_job(store, job("SELECT ?o WHERE { ?s ?p ?o }", "xml", max_bytes=8000), {})
    assert status == 422 and "larger than" in message
    status, body = run_job(store, job("SELECT ?o WHERE { ?s ?p ?o }", "xml", max_bytes=2**20), {})
    assert status == 200 and body.count(b"&#13;") == 3000


def test_values_holding_what_ends_a_row_are_not_counted_as_rows():
    """JSON `},{`, a CSV CRLF, a TSV newline (escaped) or an XML `<result>` inside a literal."""
    store = store_of(30, 'a"},{"b\r\nc\nd<result>e')
    for fmt in ("json", "xml", "csv", "tsv"):
        status, body = run_job(store, job("SELECT ?s ?o WHERE { ?s ?p ?o }", fmt, max_rows=30), {})
        assert status == 200, (fmt, body)
        status, _ = run_job(store, job("SELECT ?s ?o WHERE { ?s ?p ?o }", fmt, max_rows=29), {})
        assert status == 422, fmt


class _Counting:
    """A store that counts the evaluations asked of it."""

    def __init__(self, store: Store) -> None:
        self.store, self.queries = store, 0

    def query(self, *args, **kwargs):
        self.queries += 1
        return self.store.query(*args, **kwargs)


def test_a_large_result_is_evaluated_once():
    """Counting its rows reads what was written; the query is not run a second time (which
    would double its cost within one deadline, and could count other rows than were sent)."""
    for fmt in ("json", "xml", "csv", "tsv"):
        for max_rows in (2000, 1999):
            store = _Counting(store_of(2000, "a longer value than a row marker"))
            status, _ = run_job(store, job("SELECT ?s ?o WHERE { ?s ?p ?o }", fmt,
                                           max_rows=max_rows, max_bytes=2**24), {})  # fmt: skip
            assert status == (200 if max_rows == 2000 else 422), fmt
            assert store.queries == 1, fmt
